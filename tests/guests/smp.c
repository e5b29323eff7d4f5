/*
 * tests/guests/smp.c - the SMP platform test kernel (issue 13's "done
 * when"): finds its CPUs in the ACPI MADT, starts every AP with
 * INIT-SIPI-SIPI, sends IPIs from the BSP to each AP and back (fixed,
 * physical destination) and a broadcast "all excluding self", runs the
 * LAPIC timer periodically on every CPU (interrupts counted against the PM
 * timer), times a PIT channel 2 delay against the PM timer, routes ISA
 * IRQ0 (the PIT, GSI from the MADT's override) through the IO-APIC to the
 * last AP, and ends with a summary, the S5 power-off when the command line
 * says "poweroff", and isa-debug-exit.
 *
 * Command line: "cpus=N" checks that the MADT lists N enabled CPUs;
 * "x2apic" runs every CPU in x2APIC mode when CPUID offers it (else xAPIC).
 * Platform: COM1 0x3F8, isa-debug-exit 0xF4, PIT 0x40-0x43 and port 0x61
 * (channel 2 gate and OUT), 8259 data ports 0x21/0xA1 (masked), the ACPI
 * tables (PM timer, PM1a_CNT and \_S5 for "poweroff"), a LAPIC (xAPIC MMIO,
 * or MSRs with "x2apic") and an IO-APIC where the MADT says, RAM at 0x8000
 * for the trampoline; CPUID leaf 1 (x2APIC bit).
 */
#include "lib/tlib.h"
#include "lib/cpu.h"
#include "lib/apic.h"
#include "lib/acpi.h"
#include "lib/ioapic.h"
#include "lib/smp.h"
#include "lib/time.h"

#define V_PING 0x40
#define V_PONG 0x41
#define V_BCAST 0x42
#define V_TIMER 0x50
#define V_PIT 0x60

static volatile u32 pings[T_MAX_CPUS], pongs[T_MAX_CPUS], bcasts[T_MAX_CPUS];
static volatile u32 ticks[T_MAX_CPUS], pit_irqs[T_MAX_CPUS], bad_cpu;
static u32 lapic_hz;		/* LAPIC timer counts per second at divide 16 */

static int me(void)
{
	int i = t_cpu_index();

	if (i < 0) {
		bad_cpu++;
		return 0;
	}
	return i;
}

/* AP: a ping from the BSP, answered with a pong */
static void on_ping(struct t_frame *f)
{
	int i = me();

	(void)f;
	pings[i]++;
	t_lapic_eoi();
	t_lapic_ipi(t_cpus[0].apic_id, ICR_FIXED | V_PONG);	/* back to the BSP */
}

/* BSP: an AP's answer */
static void on_pong(struct t_frame *f)
{
	(void)f;
	/* the sender is not known from the interrupt: the BSP checks the total */
	pongs[me()]++;
	t_lapic_eoi();
}

/* the "all excluding self" broadcast, counted per CPU */
static void on_bcast(struct t_frame *f)
{
	(void)f;
	bcasts[me()]++;
	t_lapic_eoi();
}

/* a LAPIC timer tick, counted per CPU */
static void on_timer(struct t_frame *f)
{
	(void)f;
	ticks[me()]++;
	t_lapic_eoi();
}

/* the PIT through the IO-APIC, counted per CPU */
static void on_pit(struct t_frame *f)
{
	(void)f;
	pit_irqs[me()]++;
	t_lapic_eoi();
}

/* The MADT lists the BSP, the IO-APIC and (cpus=N) N enabled CPUs. */
static void check_madt(const struct mb_info *mi)
{
	u32 want = t_cmdline_uint(mi, "cpus=", 0);
	int enabled = 0, bsp_listed = 0;
	u32 me_id = t_lapic_id();

	t_check(t_acpi.madt != 0, "smp-madt-found", "no MADT");
	for (int i = 0; i < t_acpi.ncpus; i++) {
		t_printf("madt: cpu uid %u apic id %u %s\n", t_acpi.cpus[i].uid, t_acpi.cpus[i].apic_id,
			 t_acpi.cpus[i].enabled ? "enabled" : "disabled");
		enabled += t_acpi.cpus[i].enabled;
		bsp_listed |= t_acpi.cpus[i].enabled && t_acpi.cpus[i].apic_id == me_id;
	}
	t_check(enabled >= 1 && bsp_listed, "smp-madt-bsp", "%d enabled CPUs, BSP APIC ID %u listed %d",
		enabled, me_id, bsp_listed);
	if (want)
		t_check((u32)enabled == want, "smp-madt-count", "%d enabled CPUs, cmdline cpus=%u",
			enabled, want);
	t_check(t_acpi.nioapics >= 1, "smp-madt-ioapic", "%d IO-APICs", t_acpi.nioapics);
}

/* Start every AP of the MADT; each must report in with its own APIC ID. */
static void start_aps(void)
{
	t_smp_init();
	for (int i = 1; i < t_ncpus; i++) {
		char name[] = "smp-start-ap0";

		name[12] = (char)('0' + i % 10);
		if (t_check(!t_smp_start(i), name, "AP %d (APIC ID %u) did not report in", i,
			    t_cpus[i].apic_id))
			t_check(t_cpus[i].seen_id == t_cpus[i].apic_id, "smp-ap-id",
				"AP %d read APIC ID %u, MADT says %u", i, t_cpus[i].seen_id,
				t_cpus[i].apic_id);
	}
	t_printf("smp: %d CPUs online\n", t_ncpus);
}

/* wait up to ms for *v >= want */
static int wait_count(volatile u32 *v, u32 want, u32 ms)
{
	for (u32 i = 0; i < ms * 10 && *v < want; i++)
		t_delay_us(100);
	return *v >= want;
}

/* Fixed IPIs BSP -> each AP -> BSP, then one "all excluding self". */
static void check_ipis(void)
{
	u32 total = 0;

	t_irq_set(V_PING, on_ping);
	t_irq_set(V_PONG, on_pong);
	t_irq_set(V_BCAST, on_bcast);
	t_sti();
	for (int i = 1; i < t_ncpus; i++) {
		u32 before = pongs[0];

		if (!t_cpus[i].online)
			continue;
		t_lapic_ipi(t_cpus[i].apic_id, ICR_FIXED | V_PING);
		wait_count(&pongs[0], before + 1, 1000);
		t_check(pings[i] == 1 && pongs[0] == before + 1, "smp-ipi-fixed",
			"AP %d: %u pings, BSP %u pongs (want 1, %u)", i, pings[i], pongs[0],
			before + 1);
	}
	for (int i = 1; i < t_ncpus; i++)
		total += pongs[i];
	t_check(!total && !pings[0], "smp-ipi-targets", "pongs on APs %u, pings on the BSP %u", total,
		pings[0]);
	/* broadcast to all but self */
	t_lapic_ipi(0, ICR_FIXED | ICR_OTHERS | V_BCAST);
	for (int i = 1; i < t_ncpus; i++)
		wait_count(&bcasts[i], 1, 1000);
	t_delay_us(10000);
	total = 0;
	for (int i = 1; i < t_ncpus; i++)
		total += bcasts[i] == 1;
	t_check(total == (u32)(t_ncpus - 1) && !bcasts[0], "smp-ipi-all-but-self",
		"%u of %d APs got it once, BSP got %u", total, t_ncpus - 1, bcasts[0]);
}

/* LAPIC timer counts (divide 16) in 20 ms of PM time on this CPU */
static void calibrate(void)
{
	u32 start, elapsed, left;

	t_lapic_write(LAPIC_TIMER_DIV, 0x3);			/* divide by 16 */
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
	start = t_pm_read();
	t_pm_delay_us(20000);
	left = t_lapic_read(LAPIC_TIMER_CUR);
	elapsed = t_pm_since(start);
	t_lapic_write(LAPIC_TIMER_INIT, 0);
	lapic_hz = t_muldiv(0xFFFFFFFFu - left, T_PM_HZ, elapsed);
}

/* 50 Hz: a period longer than a hypervisor's time slice (10 ms), so that a
 * VCPU sharing its host CPU still sees every tick */
#define TIMER_HZ 50
#define TIMER_MS 400

/* on one CPU: its LAPIC timer periodic at TIMER_HZ */
static void timer_start(void *arg)
{
	(void)arg;
	t_lapic_write(LAPIC_TIMER_DIV, 0x3);
	t_lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, lapic_hz / TIMER_HZ);
}

/* on one CPU: its LAPIC timer stopped and masked */
static void timer_stop(void *arg)
{
	(void)arg;
	t_lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | V_TIMER);
	t_lapic_write(LAPIC_TIMER_INIT, 0);
}

/* Periodic LAPIC timers on every CPU at once, counted against the PM timer. */
static void check_timers(void)
{
	u32 start, elapsed_us, want;

	t_irq_set(V_TIMER, on_timer);
	calibrate();
	t_printf("smp: LAPIC timer %u Hz at divide 16\n", lapic_hz);
	if (!t_check(lapic_hz >= 10000, "smp-timer-calibrate", "%u Hz", lapic_hz))
		return;
	for (int i = t_ncpus - 1; i >= 0; i--)
		t_smp_call(i, timer_start, NULL, 1);
	start = t_pm_read();
	t_pm_delay_us(TIMER_MS * 1000);
	for (int i = 0; i < t_ncpus; i++)
		t_smp_call(i, timer_stop, NULL, 1);
	elapsed_us = t_muldiv(t_pm_since(start), 1000000, T_PM_HZ);
	want = t_muldiv(elapsed_us, TIMER_HZ, 1000000);
	for (int i = 0; i < t_ncpus; i++) {
		char name[] = "smp-timer-cpu0";

		name[13] = (char)('0' + i % 10);
		/* lost ticks under a loaded host are tolerated down to 60 %, a wrong
		 * rate (divide or count) is not */
		t_check(ticks[i] * 10 >= want * 6 && ticks[i] * 4 <= want * 5 + 8, name,
			"%u ticks in %u us, want about %u", ticks[i], elapsed_us, want);
	}
}

/* The library's PIT delay (channel 2, port 0x61) against the PM timer */
static void check_pit_delay(void)
{
	u32 start = t_pm_read(), us;

	t_pit_delay_us(20000);
	us = t_muldiv(t_pm_since(start), 1000000, T_PM_HZ);
	t_check(us >= 19000 && us <= 30000, "smp-pit-delay", "20 ms on PIT channel 2 took %u us of PM time",
		us);
}

/* ISA IRQ0 (the PIT at 1 kHz) through the IO-APIC to the last AP only. */
static void check_ioapic_pit(void)
{
	u16 flags;
	u32 gsi = t_acpi_isa_gsi(0, &flags), base, others = 0;
	int pin = t_ioapic_for_gsi(gsi, &base), target = t_ncpus - 1;
	u32 before;

	t_printf("smp: ISA IRQ0 -> GSI %u (flags 0x%x), IO-APIC pin %d, to CPU %d\n", gsi, flags, pin,
		 target);
	if (!t_check(pin >= 0, "smp-ioapic-gsi", "GSI %u on no IO-APIC", gsi))
		return;
	t_irq_set(V_PIT, on_pit);
	outb(0x43, 0x34);			/* PIT channel 0, mode 2, 1 kHz */
	outb(0x40, (u8)(T_PIT_HZ / 1000));
	outb(0x40, (u8)((T_PIT_HZ / 1000) >> 8));
	t_ioapic_route(base, pin, RTE_FIXED | V_PIT, (u8)t_cpus[target].apic_id);
	before = pit_irqs[target];
	wait_count(&pit_irqs[target], before + 20, 1000);
	t_ioapic_mask(base, pin, 1);
	outb(0x43, 0x30);			/* channel 0 mode 0, no count: stops */
	t_delay_us(5000);
	for (int i = 0; i < t_ncpus; i++)
		if (i != target)
			others += pit_irqs[i];
	t_check(pit_irqs[target] - before >= 20 && !others, "smp-ioapic-irq0-to-ap",
		"CPU %d got %u PIT interrupts (want 20), other CPUs %u", target,
		pit_irqs[target] - before, others);
}

/* the checks in order; ends through t_end */
int t_main(u32 magic, const struct mb_info *mi)
{
	t_printf("smp: magic 0x%08x\n", magic);
	t_cpu_setup();
	t_pic_mask_all();			/* the 8259s masked: the IO-APIC only */
	if (!t_check(!t_acpi_init(), "smp-acpi-rsdp", "no RSDP"))
		t_end("smp", mi);
	t_check(!t_acpi.bad_checksums, "smp-acpi-checksums", "%d bad tables", t_acpi.bad_checksums);
	t_check(t_pm_present(), "smp-acpi-pmtimer", "no PM timer in the FADT");
	if (!t_pm_present())
		t_end("smp", mi);
	t_x2apic = t_cmdline_has(mi, "x2apic") && t_cpu_has_x2apic();
	t_lapic_init();
	t_printf("smp: %s mode\n", t_x2apic ? "x2APIC" : "xAPIC");
	check_madt(mi);
	start_aps();
	check_ipis();
	check_timers();
	check_pit_delay();
	check_ioapic_pit();
	t_check(!bad_cpu && !t_spurious, "smp-no-strays", "%u interrupts on unknown CPUs, %u spurious",
		bad_cpu, t_spurious);
	t_end("smp", mi);
}
