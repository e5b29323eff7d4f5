/*
 * tests/guests/lapic.c - the local APIC test kernel: ID (against CPUID),
 * version, TPR and PPR (in and out of a handler, TPR holding an interrupt
 * back in the IRR), ISR/IRR/TMR, SVR (software disable forces LVT masks),
 * ESR, ICR fields, every LVT read back, LDR/DFR flat and cluster (logical
 * self-IPIs that must and must not arrive), self-IPI, the timer in one-
 * shot, periodic and (when CPUID offers it) TSC-deadline mode with rates
 * and divide settings checked against the PM timer, NMI and lowest-
 * priority IPIs to an AP, and x2APIC mode when CPUID offers it (ID from
 * CPUID 0xB, the derived LDR, ICR and SELF IPI MSRs). Ends with a summary,
 * S5 on "poweroff", isa-debug-exit.
 *
 * The command-line word "strict" adds two checks QEMU TCG (7.2) does not
 * implement and the hypervisor must: the illegal-vector error (a self-IPI
 * with vector 5 sets ESR "send/receive illegal vector" and raises the
 * error LVT, vector 5 is not delivered) and LVT masks forced while the
 * APIC is software-disabled (SVR bit 8 clear).
 * Platform: COM1, isa-debug-exit 0xF4, 8259s masked, ACPI (PM timer, MADT),
 * xAPIC at IA32_APIC_BASE, RAM at 0x8000 (trampoline); CPUID leaves 1 (APIC
 * ID, x2APIC, TSC-deadline) and 0xB (x2APIC ID) when the maximum leaf has it.
 */
#include "lib/tlib.h"
#include "lib/cpu.h"
#include "lib/apic.h"
#include "lib/acpi.h"
#include "lib/ioapic.h"
#include "lib/smp.h"
#include "lib/time.h"

#define V_LOW 0x75
#define V_MID 0x80
#define V_TIMER 0x50
#define V_ERROR 0xFE
#define V_LOWEST 0x90

static volatile u32 hits[256], nmis[T_MAX_CPUS], lowest[T_MAX_CPUS];
static volatile u32 mid_ppr, mid_isr, mid_tmr, mid_irr;
static volatile u64 deadline_at, deadline_seen;
static volatile u32 deadline_pm;	/* PM timer when the deadline interrupt came */
static u32 hz16;		/* timer counts per second at divide 16 */

static void on_count(struct t_frame *f)
{
	hits[f->vector & 0xFF]++;
	t_lapic_eoi();
}

/* vector 0x80: counted, with PPR and its ISR/TMR/IRR bits seen in service */
static void on_mid(struct t_frame *f)
{
	(void)f;
	hits[V_MID]++;
	mid_ppr = t_lapic_read(LAPIC_PPR);
	mid_isr = t_lapic_bit(LAPIC_ISR, V_MID);
	mid_tmr = t_lapic_bit(LAPIC_TMR, V_MID);
	mid_irr = t_lapic_bit(LAPIC_IRR, V_MID);
	t_lapic_eoi();
}

/* the timer vector: counted; the first one time-stamped (TSC, PM timer) */
static void on_timer(struct t_frame *f)
{
	(void)f;
	if (!deadline_seen) {
		deadline_seen = rdtsc();
		deadline_pm = t_pm_read();
	}
	hits[V_TIMER]++;
	t_lapic_eoi();
}

/* NMI, counted per CPU (no EOI for an NMI) */
static void on_nmi(struct t_frame *f)
{
	int i = t_cpu_index();

	(void)f;
	nmis[i < 0 ? 0 : i]++;
}

/* the lowest-priority IPI, counted per CPU */
static void on_lowest(struct t_frame *f)
{
	int i = t_cpu_index();

	(void)f;
	lowest[i < 0 ? 0 : i]++;
	t_lapic_eoi();
}

/* A fixed IPI to this CPU: SELF IPI MSR in x2APIC mode, the shorthand else. */
static void self_ipi(u8 v)
{
	if (t_x2apic)
		t_lapic_write(LAPIC_SELF_IPI, v);
	else
		t_lapic_ipi(0, ICR_FIXED | ICR_SELF | v);
}

/* time for an IPI to arrive */
static void settle(void)
{
	t_delay_us(2000);
}

/* ID against CPUID, version register, base address against the MADT. */
static void check_id_version(void)
{
	u32 r[4], ver = t_lapic_read(LAPIC_VER);

	t_cpuid(1, 0, r);
	t_check(t_lapic_id() == r[1] >> 24, "lapic-id", "ID %u, CPUID.1 initial APIC ID %u", t_lapic_id(),
		r[1] >> 24);
	t_check((ver & 0xFF) >= 0x10 && (ver & 0xFF) <= 0x15 && ((ver >> 16) & 0xFF) >= 3,
		"lapic-version", "version register 0x%08x", ver);
	t_check(t_acpi.lapic_addr == t_lapic_base, "lapic-madt-address", "MADT 0x%x, IA32_APIC_BASE 0x%x",
		t_acpi.lapic_addr, t_lapic_base);
}

/* TPR read/write, PPR out of and in service, TPR holding a vector in the IRR. */
static void check_tpr_ppr(void)
{
	t_lapic_write(LAPIC_TPR, 0xA5);
	t_check(t_lapic_read(LAPIC_TPR) == 0xA5, "lapic-tpr-rw", "TPR 0x%x", t_lapic_read(LAPIC_TPR));
	t_lapic_write(LAPIC_TPR, 0x30);
	t_check(t_lapic_read(LAPIC_PPR) == 0x30, "lapic-ppr-tpr", "PPR 0x%x with TPR 0x30, nothing in service",
		t_lapic_read(LAPIC_PPR));
	self_ipi(V_MID);
	settle();
	t_check(hits[V_MID] == 1 && (mid_ppr & 0xF0) == 0x80, "lapic-ppr-isr",
		"%u interrupts, PPR 0x%x in the handler (want class 8)", hits[V_MID], mid_ppr);
	t_check(mid_isr && !mid_tmr && !mid_irr, "lapic-isr-tmr-irr",
		"in the handler: ISR %u TMR %u IRR %u (want 1 0 0)", mid_isr, mid_tmr, mid_irr);
	t_check(!t_lapic_bit(LAPIC_ISR, V_MID) && (t_lapic_read(LAPIC_PPR) & 0xFF) == 0x30, "lapic-eoi",
		"after EOI: ISR %u PPR 0x%x", t_lapic_bit(LAPIC_ISR, V_MID), t_lapic_read(LAPIC_PPR));
	/* TPR class 8 holds back vector 0x75 (class 7) in the IRR */
	t_lapic_write(LAPIC_TPR, 0x80);
	self_ipi(V_LOW);
	settle();
	t_check(!hits[V_LOW] && t_lapic_bit(LAPIC_IRR, V_LOW), "lapic-tpr-blocks",
		"%u deliveries under TPR 0x80, IRR bit %u", hits[V_LOW], t_lapic_bit(LAPIC_IRR, V_LOW));
	t_lapic_write(LAPIC_TPR, 0x60);
	settle();
	t_check(hits[V_LOW] == 1 && !t_lapic_bit(LAPIC_IRR, V_LOW), "lapic-tpr-releases",
		"%u deliveries after TPR 0x60", hits[V_LOW]);
	t_lapic_write(LAPIC_TPR, 0);
}

/* SVR contents; strict: software disable forces LVT masks. */
static void check_svr(int strict)
{
	u32 svr = t_lapic_read(LAPIC_SVR), lvt;

	t_check((svr & 0x1FF) == 0x1FF, "lapic-svr", "SVR 0x%x", svr);
	t_lapic_write(LAPIC_SVR, T_SPURIOUS_VECTOR);		/* software disabled */
	t_lapic_write(LAPIC_LVT_TIMER, V_TIMER);
	lvt = t_lapic_read(LAPIC_LVT_TIMER);
	t_lapic_write(LAPIC_SVR, 0x100 | T_SPURIOUS_VECTOR);
	if (strict)
		t_check(lvt & LVT_MASKED, "lapic-svr-disabled-masks",
			"LVT timer 0x%x written unmasked while disabled", lvt);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
}

/* Every LVT reads back what was written (restored after). */
static void check_lvts(void)
{
	struct { u32 reg, val; const char *name; } l[] = {
		{ LAPIC_LVT_TIMER, LVT_MASKED | LVT_PERIODIC | 0x31, "timer" },
		{ LAPIC_LVT_LINT0, LVT_MASKED | (1u << 15) | (1u << 13) | 0x32, "lint0" },
		{ LAPIC_LVT_LINT1, LVT_MASKED | (4u << 8) | 0x02, "lint1" },
		{ LAPIC_LVT_ERROR, LVT_MASKED | 0x34, "error" },
		{ LAPIC_LVT_PERF, LVT_MASKED | 0x35, "perf" },
		{ LAPIC_LVT_THERMAL, LVT_MASKED | 0x36, "thermal" },
	};
	int n = ((t_lapic_read(LAPIC_VER) >> 16) & 0xFF) >= 5 ? 6 : 5, bad = 0;

	for (int i = 0; i < n; i++) {
		u32 old = t_lapic_read(l[i].reg), got;

		t_lapic_write(l[i].reg, l[i].val);
		got = t_lapic_read(l[i].reg);
		if (got != l[i].val) {
			t_printf("lvt %s: wrote 0x%x read 0x%x\n", l[i].name, l[i].val, got);
			bad++;
		}
		t_lapic_write(l[i].reg, old);
	}
	t_check(!bad, "lapic-lvt-readback", "%d of %d LVTs differ", bad, n);
}

/* ESR clear, ICR fields after a self-IPI; strict: the illegal-vector error. */
static void check_icr_esr(int strict)
{
	t_lapic_write(LAPIC_ESR, 0);
	t_check(t_lapic_read(LAPIC_ESR) == 0, "lapic-esr-clear", "ESR 0x%x", t_lapic_read(LAPIC_ESR));
	if (!t_x2apic) {
		u32 lo;

		t_lapic_ipi(0xAB, ICR_FIXED | ICR_SELF | V_MID);
		settle();
		lo = t_lapic_read(LAPIC_ICR);
		t_check(t_lapic_read(LAPIC_ICR_HI) == 0xAB000000u && (lo & 0xCFFFF) == (ICR_SELF | V_MID),
			"lapic-icr-fields", "ICR 0x%08x:%08x after a self-IPI to 0xAB", t_lapic_read(LAPIC_ICR_HI),
			lo);
		t_check(hits[V_MID] == 2, "lapic-self-ipi-shorthand", "%u deliveries", hits[V_MID]);
	}
	if (strict) {
		u32 esr;

		t_lapic_write(LAPIC_LVT_ERROR, V_ERROR);
		self_ipi(5);
		settle();
		t_lapic_write(LAPIC_ESR, 0);
		esr = t_lapic_read(LAPIC_ESR);
		t_check((esr & 0x60) && hits[V_ERROR] >= 1 && !hits[5], "lapic-esr-illegal-vector",
			"ESR 0x%x, %u error interrupts", esr, hits[V_ERROR]);
		t_lapic_write(LAPIC_LVT_ERROR, LVT_MASKED | V_ERROR);
	}
}

/* logical self-IPI to dest; whether it arrived */
static int logical_hits(u8 dest)
{
	u32 before = hits[V_MID];

	t_lapic_ipi(dest, ICR_FIXED | ICR_LOGICAL | V_MID);
	settle();
	return hits[V_MID] != before;
}

/* Logical self-IPIs in flat and in cluster model, matching and not. */
static void check_logical(void)
{
	int a, b, c, d;

	t_lapic_write(LAPIC_DFR, 0xFFFFFFFFu);
	t_lapic_write(LAPIC_LDR, 0x01000000u);
	t_check((t_lapic_read(LAPIC_DFR) >> 28) == 0xF && (t_lapic_read(LAPIC_LDR) >> 24) == 0x01,
		"lapic-ldr-dfr-flat", "DFR 0x%x LDR 0x%x", t_lapic_read(LAPIC_DFR), t_lapic_read(LAPIC_LDR));
	a = logical_hits(0x01);
	b = logical_hits(0x03);
	c = logical_hits(0x02);
	t_check(a && b && !c, "lapic-logical-flat", "dest 0x01 %d, 0x03 %d, 0x02 %d (want 1 1 0)", a, b, c);
	t_lapic_write(LAPIC_DFR, 0x0FFFFFFFu);
	t_lapic_write(LAPIC_LDR, 0x21000000u);			/* cluster 2, member bit 0 */
	t_check((t_lapic_read(LAPIC_DFR) >> 28) == 0x0 && (t_lapic_read(LAPIC_LDR) >> 24) == 0x21,
		"lapic-ldr-dfr-cluster", "DFR 0x%x LDR 0x%x", t_lapic_read(LAPIC_DFR), t_lapic_read(LAPIC_LDR));
	a = logical_hits(0x21);
	b = logical_hits(0x23);
	c = logical_hits(0x11);
	d = logical_hits(0x22);
	t_check(a && b && !c && !d, "lapic-logical-cluster",
		"dest 0x21 %d, 0x23 %d, 0x11 %d, 0x22 %d (want 1 1 0 0)", a, b, c, d);
	t_lapic_write(LAPIC_DFR, 0xFFFFFFFFu);
	t_lapic_write(LAPIC_LDR, 0);
}

/* timer counts consumed in us microseconds of PM time at divide register div */
static u32 counts_in(u32 div, u32 us)
{
	u32 start, left, el;

	t_lapic_write(LAPIC_TIMER_DIV, div);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	start = t_pm_read();
	t_pm_delay_us(us);
	left = t_lapic_read(LAPIC_TIMER_CUR);
	el = t_pm_since(start);
	t_lapic_write(LAPIC_TIMER_INIT, 0);
	return t_muldiv(0xFFFFFFFFu - left, t_pm_ticks(us), el);
}

/* got within pct percent of want */
static int near(u32 got, u32 want, u32 pct)
{
	return got * 100 >= want * (100 - pct) && got * 100 <= want * (100 + pct);
}

/* Divide settings, one-shot and periodic mode against the PM timer. */
static void check_timer(void)
{
	u32 c16 = counts_in(0x3, 20000), c2 = counts_in(0x0, 5000), c1 = counts_in(0xB, 5000);
	u32 want, start, el;

	hz16 = c16 * 50;
	t_printf("lapic: timer %u Hz at divide 16; 5 ms: %u at divide 2, %u at divide 1\n", hz16, c2, c1);
	if (!t_check(hz16 >= 10000, "lapic-timer-counts", "%u Hz", hz16))
		return;
	t_check(near(c2, c16 * 2, 15) && near(c1, c16 * 4, 15), "lapic-timer-divide",
		"per 5 ms: divide 1 %u, divide 2 %u, divide 16 %u (want 16:8:1)", c1, c2, c16 / 4);
	/* one-shot, 5 ms: exactly one interrupt, the count at 0 afterwards */
	hits[V_TIMER] = 0;
	t_lapic_write(LAPIC_TIMER_DIV, 0x3);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_ONESHOT | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, hz16 / 200);
	t_delay_us(2000);
	t_check(!hits[V_TIMER] && t_lapic_read(LAPIC_TIMER_CUR) != 0, "lapic-timer-oneshot-early",
		"%u interrupts after 2 ms of 5", hits[V_TIMER]);
	t_delay_us(30000);
	t_check(hits[V_TIMER] == 1 && t_lapic_read(LAPIC_TIMER_CUR) == 0, "lapic-timer-oneshot",
		"%u interrupts, current count %u", hits[V_TIMER], t_lapic_read(LAPIC_TIMER_CUR));
	/* periodic 200 Hz for 250 ms */
	hits[V_TIMER] = 0;
	t_lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, hz16 / 200);
	start = t_pm_read();
	t_pm_delay_us(250000);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
	el = t_muldiv(t_pm_since(start), 1000, T_PM_HZ);
	t_lapic_write(LAPIC_TIMER_INIT, 0);
	want = el / 5;
	t_check(hits[V_TIMER] * 10 >= want * 6 && hits[V_TIMER] * 4 <= want * 5 + 8, "lapic-timer-periodic",
		"%u interrupts in %u ms at 200 Hz (want about %u)", hits[V_TIMER], el, want);
}

/* TSC-deadline mode (when CPUID offers it): fires at the deadline, 0 disarms. */
static void check_deadline(void)
{
	u32 start, el, tsc_khz, armed_pm, took_us;
	u64 t0;

	if (!t_cpu_has_tsc_deadline()) {
		t_printf("SKIP lapic-timer-tsc-deadline: CPUID.1:ECX[24] clear\n");
		return;
	}
	t0 = rdtsc();
	start = t_pm_read();
	t_pm_delay_us(20000);
	el = t_pm_since(start);
	tsc_khz = (u32)t_udiv64((rdtsc() - t0) * T_PM_HZ, el * 1000, NULL);
	hits[V_TIMER] = 0;
	deadline_seen = 0;
	t_lapic_write(LAPIC_LVT_TIMER, LVT_DEADLINE | V_TIMER);
	armed_pm = t_pm_read();
	deadline_at = rdtsc() + (u64)tsc_khz * 5;			/* 5 ms */
	wrmsr(MSR_TSC_DEADLINE, deadline_at);
	t_delay_us(30000);
	took_us = t_muldiv((deadline_pm - armed_pm) & 0xFFFFFF, 1000000, T_PM_HZ);
	t_check(hits[V_TIMER] == 1 && deadline_seen >= deadline_at && took_us >= 4500 && took_us <= 15000,
		"lapic-timer-tsc-deadline",
		"%u interrupts, taken at TSC 0x%llx (deadline 0x%llx, %u kHz) after %u us of PM time (want 5 ms)",
		hits[V_TIMER], deadline_seen, deadline_at, tsc_khz, took_us);
	/* armed then disarmed with 0: nothing */
	hits[V_TIMER] = 0;
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + (u64)tsc_khz * 5);
	wrmsr(MSR_TSC_DEADLINE, 0);
	t_delay_us(20000);
	t_check(!hits[V_TIMER], "lapic-timer-tsc-deadline-disarm", "%u interrupts", hits[V_TIMER]);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
}

/* on one CPU: flat model, LDR bit = its index */
static void set_flat_ldr(void *arg)
{
	(void)arg;
	if (!t_x2apic) {
		t_lapic_write(LAPIC_DFR, 0xFFFFFFFFu);
		t_lapic_write(LAPIC_LDR, (1u << t_cpu_index()) << 24);
	}
}

/* NMI and lowest-priority (logical) IPIs to an AP. */
static void check_to_ap(void)
{
	int t;

	t_smp_init();
	t_smp_start_all();
	if (t_ncpus < 2 || !t_cpus[1].online) {
		t_check(t_ncpus >= 2, "lapic-ap", "%d CPUs: NMI and lowest-priority IPIs need an AP", t_ncpus);
		return;
	}
	t = t_ncpus - 1;
	t_irq_set(2, on_nmi);
	t_irq_set(V_LOWEST, on_lowest);
	t_lapic_ipi(t_cpus[t].apic_id, ICR_NMI);
	for (int i = 0; i < 100 && !nmis[t]; i++)
		t_delay_us(1000);
	t_check(nmis[t] == 1 && !nmis[0], "lapic-ipi-nmi", "CPU %d took %u NMIs, BSP %u", t, nmis[t], nmis[0]);
	if (t_x2apic)
		return;
	for (int i = 0; i < t_ncpus; i++)
		t_smp_call(i, set_flat_ldr, NULL, 1);
	t_lapic_ipi(1u << t, ICR_LOWEST | ICR_LOGICAL | V_LOWEST);
	for (int i = 0; i < 100 && !lowest[t]; i++)
		t_delay_us(1000);
	t_check(lowest[t] == 1 && !lowest[0], "lapic-ipi-lowest", "CPU %d took %u, BSP %u", t, lowest[t],
		lowest[0]);
}

/* x2APIC mode (when CPUID offers it): ID, derived LDR, IPIs through MSRs, TPR. */
static void check_x2apic(void)
{
	u32 r[4], id, ldr;

	if (!t_cpu_has_x2apic()) {
		t_printf("SKIP lapic-x2apic: CPUID.1:ECX[21] clear\n");
		return;
	}
	t_x2apic = 1;
	t_lapic_init();
	t_check(rdmsr(MSR_APIC_BASE) & APIC_BASE_X2, "lapic-x2apic-enable", "IA32_APIC_BASE 0x%llx",
		rdmsr(MSR_APIC_BASE));
	id = t_lapic_id();
	t_cpuid(0, 0, r);
	if (r[0] >= 0xB) {
		t_cpuid(0xB, 0, r);
		t_check(id == r[3], "lapic-x2apic-id", "x2APIC ID %u, CPUID.0xB:EDX %u", id, r[3]);
	}
	ldr = t_lapic_read(LAPIC_LDR);
	t_check(ldr == (((id >> 4) << 16) | (1u << (id & 15))), "lapic-x2apic-ldr", "LDR 0x%x for ID %u", ldr,
		id);
	hits[V_MID] = 0;
	t_lapic_write(LAPIC_SELF_IPI, V_MID);
	settle();
	t_lapic_ipi(id, ICR_FIXED | V_MID);
	settle();
	t_check(hits[V_MID] == 2, "lapic-x2apic-ipi", "%u of 2 self-IPIs (SELF IPI MSR, ICR MSR)",
		hits[V_MID]);
	t_lapic_write(LAPIC_TPR, 0x40);
	t_check(t_lapic_read(LAPIC_TPR) == 0x40 && t_lapic_read(LAPIC_PPR) == 0x40, "lapic-x2apic-tpr",
		"TPR 0x%x PPR 0x%x", t_lapic_read(LAPIC_TPR), t_lapic_read(LAPIC_PPR));
	t_lapic_write(LAPIC_TPR, 0);
}

/* the checks in order; ends through t_end */
int t_main(u32 magic, const struct mb_info *mi)
{
	t_printf("lapic: magic 0x%08x\n", magic);
	t_cpu_setup();
	t_pic_mask_all();
	if (!t_check(!t_acpi_init() && t_pm_present(), "lapic-acpi", "no ACPI tables or PM timer"))
		t_end("lapic", mi);
	t_lapic_init();
	t_irq_set(V_LOW, on_count);
	t_irq_set(V_MID, on_mid);
	t_irq_set(V_TIMER, on_timer);
	t_irq_set(V_ERROR, on_count);
	t_irq_set(5, on_count);
	t_sti();
	check_id_version();
	check_tpr_ppr();
	check_svr(t_cmdline_has(mi, "strict"));
	check_lvts();
	check_icr_esr(t_cmdline_has(mi, "strict"));
	t_irq_set(V_MID, on_count);
	check_logical();
	check_timer();
	check_deadline();
	check_to_ap();
	check_x2apic();
	t_check(!t_spurious, "lapic-no-spurious", "%u spurious interrupts", t_spurious);
	t_end("lapic", mi);
}
