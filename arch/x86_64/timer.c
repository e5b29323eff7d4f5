/*
 * arch/x86_64/timer.c - the host clock and each CPU's one-shot timer
 * (kernel/arch_timer.h): the TSC as clock, calibrated at boot against the
 * ACPI PM timer (3.579545 MHz) or, without one, CPUID leaf 0x15, the HPET
 * (hpet.c), the 8254 PIT's channel 2 or CPUID leaf 0x16 (calibrate_tsc;
 * tsc_calibrate= on the command line forces one); every
 * CPU's local APIC timer as its host timer interrupt (vector 0xF0): in
 * TSC-deadline mode where the CPU offers it (CPUID.1:ECX[24], SDM vol 3
 * 11.5.4.1), else one-shot count mode calibrated once against the TSC on
 * the bootstrap CPU; the host RTC read once for the wall clock. Each CPU
 * keeps its earliest event's expiry and TSC deadline in its percpu
 * (timer_next_ns, timer_next_tsc), for the catch-up at VM exits and the
 * VMX preemption timer, and a pointer to its timer generation (timer_gen)
 * for the VM-entry test. While a guest runs, the VMX preemption timer
 * backs the APIC timer (vmx/vmx_timer.c), so a guest running with
 * interrupts off cannot hold timer events back (see platform-notes: Bochs
 * does not exit for a pending host interrupt when both IFs are 0).
 */
#include "kernel/arch_timer.h"
#include "kernel/timer.h"
#include "kernel/host_irq.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/arch_cpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/hpet.h"
#include "kernel/cmdline.h"
#include <string.h>

#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define LAPIC_LVT_TIMER_TSC_DEADLINE (2u << 17)	/* LVT timer mode bits 18:17 = 10b */
#define MSR_IA32_TSC_DEADLINE 0x6E0

static u64 tsc_hz, tsc_boot;
static u64 tsc_to_ns_mult;	/* ns = (ticks * mult) >> 32 */
static u64 ns_to_tsc_mult;	/* ticks = (ns * mult) >> 32 */
static u64 lapic_hz;
static u64 tsc_to_lapic_mult;	/* APIC timer counts = (ticks * mult) >> 32 */
static bool lapic_ok;
static bool tsc_deadline;	/* TSC-deadline mode, else one-shot count mode */
static u64 wallclock_boot;

u64 arch_timer_tsc_hz(void)
{
	return tsc_hz;
}

u64 arch_timer_ns_to_tsc(u64 ns)
{
	return (u64)(((unsigned __int128)ns * ns_to_tsc_mult) >> 32);
}

u64 arch_timer_now_ns(void)
{
	return (u64)(((unsigned __int128)(rdtsc() - tsc_boot) * tsc_to_ns_mult) >> 32);
}

#define PIT_HZ 1193182ULL		/* the 8254's input clock */
#define PIT_CAL_SPIN 100000000		/* bounded: a missing PIT ends the wait */

static const char *tsc_source = "assumed";

/*
 * TSC ticks per second over 'ms' milliseconds (at most 54) of the 8254's
 * channel 2 (gate through port 0x61, mode 0: OUT2, port 0x61 bit 5, rises
 * at the terminal count); 0 when no PIT answers (OUT2 high at once, as on
 * machines without one whose ports read all-ones, or never high).
 */
static u64 pit_calibrate(u32 ms)
{
	u32 count = (u32)(PIT_HZ * ms / 1000);
	u8 p61 = inb(0x61);
	u64 t0, t1;
	long i;

	outb(0x61, (p61 & ~0x02) | 0x01);	/* gate 2 on, speaker off */
	outb(0x43, 0xB0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xFF);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	for (i = 0; i < PIT_CAL_SPIN && !(inb(0x61) & 0x20); i++)
		;
	t1 = rdtsc();
	outb(0x61, p61);
	if (i == 0 || i == PIT_CAL_SPIN)
		return 0;
	return (t1 - t0) * PIT_HZ / count;
}

/*
 * The TSC's calibration sources in the order they are tried: the two
 * exact ones first (the PM timer's 3.579545 MHz, CPUID 0x15's crystal),
 * then the two measured clocks of machines without a PM timer, and CPUID
 * 0x16 last: it is a nominal figure, and emulators get it wrong (Bochs
 * says 3500 MHz of a TSC that runs at 50 MHz). tsc_calibrate= forces one
 * ("cpuid" means 0x15, else 0x16) for a machine whose PM timer or HPET
 * misbehaves; when it is absent the others follow in this order.
 */
enum tsc_src { SRC_PMTIMER, SRC_CPUID15, SRC_HPET, SRC_PIT, SRC_CPUID16, NR_SRC };

static const struct {
	const char *option;	/* the tsc_calibrate= value that forces it */
	const char *name;	/* in the messages */
	const char *label;	/* in the boot line (tests match it) */
} tsc_sources[NR_SRC] = {
	[SRC_PMTIMER] = { "pmtimer", "the ACPI PM timer", "measured on the ACPI PM timer" },
	[SRC_CPUID15] = { "cpuid", "CPUID 0x15", "CPUID 0x15" },
	[SRC_HPET] = { "hpet", "the HPET", "measured on the HPET" },
	[SRC_PIT] = { "pit", "the PIT", "measured on the PIT" },
	[SRC_CPUID16] = { "cpuid", "CPUID 0x16", "CPUID 0x16 base frequency" },
};

/*
 * A measured source is read TSC_CAL_RUNS times over TSC_CAL_MS and the
 * least rate kept: anything that delays the CPU inside a window (an SMI,
 * an emulator's thread losing the host CPU) only adds TSC ticks to it.
 * Measured under QEMU TCG on a loaded two-core host: single 20 ms windows
 * came out up to 20 % high.
 */
#define TSC_CAL_RUNS 5
#define TSC_CAL_MS 10

/* One window of a measured source; 0 when it does not answer. */
static u64 tsc_measure_once(enum tsc_src s)
{
	u64 t0, t1;

	switch (s) {
	case SRC_PMTIMER:
		t0 = rdtsc();
		acpi_delay_us(TSC_CAL_MS * 1000);
		t1 = rdtsc();
		return (t1 - t0) * (1000 / TSC_CAL_MS);
	case SRC_HPET:
		return hpet_measure_tsc_hz(TSC_CAL_MS);
	case SRC_PIT:
		return pit_calibrate(TSC_CAL_MS);
	default:
		return 0;
	}
}

static u64 tsc_measure(enum tsc_src s)
{
	u64 hz, least = ~0ULL;

	for (int i = 0; i < TSC_CAL_RUNS; i++) {
		hz = tsc_measure_once(s);
		if (!hz)
			return 0;
		least = MIN(least, hz);
	}
	return least;
}

/* TSC ticks per second from source s; 0 when it is absent, with *why. */
static u64 tsc_from(enum tsc_src s, const char **why)
{
	u32 max, a, b, c, d;
	u64 hz;

	cpuid(0, &max, &b, &c, &d);
	switch (s) {
	case SRC_PMTIMER:
		*why = "no ACPI PM timer (none in the FADT)";
		if (!acpi_power_info()->pm_timer)
			return 0;
		return tsc_measure(s);
	case SRC_CPUID15:
		*why = "no CPUID leaf 0x15 naming the crystal frequency";
		if (max < 0x15)
			return 0;
		cpuid(0x15, &a, &b, &c, &d);
		return a && b && c ? (u64)c * b / a : 0;
	case SRC_HPET:
		hz = tsc_measure(s);
		*why = hpet_unusable();
		return hz;
	case SRC_PIT:
		*why = "no PIT (its channel 2 does not count)";
		return tsc_measure(s);
	case SRC_CPUID16:
		*why = "CPUID names neither the crystal (leaf 0x15) nor a base frequency (leaf 0x16)";
		if (max < 0x16)
			return 0;
		cpuid(0x16, &a, &b, &c, &d);
		return (u64)(a & 0xFFFF) * 1000000;
	default:
		return 0;
	}
}

/*
 * TSC ticks per second from the first source that gives it (only the
 * forced ones first, when the command line names some); 0 when none does.
 */
static u64 calibrate_tsc(const char *cmdline)
{
	char val[16];
	u32 forced = 0;
	const char *why = NULL;
	u64 hz;
	u32 pass;
	int s;

	if (vmm_cmdline_get(cmdline, "tsc_calibrate", val, sizeof(val)) != -VMM_ENOENT) {
		for (s = 0; s < NR_SRC; s++)
			if (!strcmp(val, tsc_sources[s].option))
				forced |= 1u << s;
		if (!forced)
			vmm_warn("tsc: tsc_calibrate=%s is not pmtimer, cpuid, hpet or pit; trying them in the usual order\n",
				 val);
	}
	for (pass = forced ? 0 : 1; pass < 2; pass++) {
		for (s = 0; s < NR_SRC; s++) {
			const char *no = NULL;

			if (((forced >> s) & 1) == pass)
				continue;	/* pass 0: the forced ones, 1: the others */
			hz = tsc_from(s, &no);
			if (hz) {
				if (forced && pass)	/* none of the forced ones */
					vmm_warn("tsc: tsc_calibrate=%s: %s; using %s\n", val, why,
						 tsc_sources[s].name);
				tsc_source = tsc_sources[s].label;
				return hz;
			}
			if (!pass)
				why = no;
		}
	}
	if (forced)
		vmm_warn("tsc: tsc_calibrate=%s: %s; no other source either\n", val, why);
	return 0;
}

u64 arch_timer_tsc_to_ns(u64 ticks)
{
	return (u64)(((unsigned __int128)ticks * tsc_to_ns_mult) >> 32);
}

/*
 * The first TSC value at which arch_timer_now_ns() reaches 'ns': the two
 * conversions round differently, and a timer that fires when the TSC
 * passes this value must find its event due.
 */
u64 arch_timer_tsc_at_ns(u64 ns)
{
	u64 d = arch_timer_ns_to_tsc(ns);

	for (int i = 0; i < 8 && arch_timer_tsc_to_ns(d) < ns; i++)
		d += arch_timer_ns_to_tsc(ns - arch_timer_tsc_to_ns(d)) + 1;
	return tsc_boot + d;
}

/* Arm this CPU's APIC timer for its pc->timer_next_tsc (~0: stop). */
static void lapic_timer_arm(struct percpu *pc)
{
	u64 now, count;

	if (!lapic_ok)
		return;
	if (tsc_deadline) {
		/* 0 disarms; a deadline already passed fires at once */
		wrmsr(MSR_IA32_TSC_DEADLINE, pc->timer_next_tsc == ~0ULL ? 0 : pc->timer_next_tsc);
		return;
	}
	if (pc->timer_next_tsc == ~0ULL) {
		lapic_write(LAPIC_TIMER_INIT, 0);
		return;
	}
	now = rdtsc();
	count = pc->timer_next_tsc > now ?
		(u64)(((unsigned __int128)(pc->timer_next_tsc - now) * tsc_to_lapic_mult) >> 32) : 0;
	if (count < 1)
		count = 1;
	if (count > 0xFFFFFFFFULL)
		count = 0xFFFFFFFFULL;
	lapic_write(LAPIC_TIMER_INIT, (u32)count);
}

/*
 * The APIC timer interrupt: the one expiry path. A count-mode timer that
 * fired before the TSC reached the deadline (its calibration is not
 * exact) is re-armed for the rest, so the deadline is never lost.
 */
static void lapic_timer_irq(u32 vector, struct arch_regs *regs, void *data)
{
	struct percpu *pc = this_cpu();

	(void)vector;
	(void)regs;
	(void)data;
	lapic_eoi();
	if (!tsc_deadline && pc->timer_next_tsc != ~0ULL && rdtsc() < pc->timer_next_tsc)
		lapic_timer_arm(pc);
	vmm_timer_expired();
}

void arch_timer_program(u64 expiry_ns)
{
	struct percpu *pc = this_cpu();

	pc->timer_next_ns = expiry_ns;
	pc->timer_next_tsc = expiry_ns == ~0ULL ? ~0ULL : arch_timer_tsc_at_ns(expiry_ns);
	lapic_timer_arm(pc);
}

static u8 cmos_read(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static u32 bcd(u8 v, bool is_bcd)
{
	return is_bcd ? (v >> 4) * 10 + (v & 15) : v;
}

/* Days since 1970-01-01 of a Gregorian date. */
static u64 days_from_civil(u32 y, u32 m, u32 d)
{
	u32 era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (u64)era * 146097 + doe - 719468;
}

static u64 read_host_rtc(void)
{
	u8 s, m, h, d, mo, y, cent, b;
	int tries = 1000;

	while ((cmos_read(0x0A) & 0x80) && --tries)	/* update in progress */
		;
	s = cmos_read(0); m = cmos_read(2); h = cmos_read(4);
	d = cmos_read(7); mo = cmos_read(8); y = cmos_read(9); cent = cmos_read(0x32);
	b = cmos_read(0x0B);
	if (s == 0xFF && m == 0xFF)
		return 0;	/* no RTC */
	bool is_bcd = !(b & 4);
	u32 hour = bcd(h & 0x7F, is_bcd);

	if (!(b & 2) && (h & 0x80))
		hour = (hour % 12) + 12;	/* 12-hour mode, PM */
	u32 year = bcd(y, is_bcd) + (cent ? bcd(cent, is_bcd) * 100 : 2000);
	u32 month = bcd(mo, is_bcd), day = bcd(d, is_bcd);

	if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1970)
		return 0;
	return days_from_civil(year, month, day) * 86400 + hour * 3600 +
	       bcd(m, is_bcd) * 60 + bcd(s, is_bcd);
}

u64 arch_timer_boot_wallclock_sec(void)
{
	return wallclock_boot;
}

void arch_timer_init_cpu(void)
{
	struct percpu *pc = this_cpu();

	pc->timer_next_tsc = ~0ULL;
	pc->timer_next_ns = ~0ULL;
	pc->timer_gen = &vmm_timer_generation_cpu[pc->cpu_id % ARCH_CPU_MAX].value;
	if (!lapic_ok) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | ARCH_TIMER_VECTOR);
		return;
	}
	if (tsc_deadline) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_TIMER_TSC_DEADLINE | ARCH_TIMER_VECTOR);
		/* the LVT write (MMIO) before the first WRMSR to the deadline
		 * (SDM 11.5.4.1: the mode switch is not ordered with WRMSR) */
		__asm__ volatile("mfence" : : : "memory");
		wrmsr(MSR_IA32_TSC_DEADLINE, 0);
	} else {
		lapic_write(LAPIC_TIMER_DIV, 0x3);	/* divide by 16, as calibrated */
		lapic_write(LAPIC_LVT_TIMER, ARCH_TIMER_VECTOR);	/* one-shot, unmasked */
		lapic_write(LAPIC_TIMER_INIT, 0);
	}
}

int arch_timer_init(const char *cmdline)
{
	u64 t0, t1;
	u32 cur, a, b, c, d;

	tsc_boot = rdtsc();
	hpet_init();
	tsc_hz = calibrate_tsc(cmdline);
	if (!tsc_hz) {
		vmm_err("timer: cannot measure the TSC frequency (no ACPI PM timer, CPUID 0x15/0x16, HPET or PIT); assuming 1 GHz\n");
		tsc_hz = 1000000000ULL;
	}
	/* 64-bit divisions only (no libgcc): kHz granularity is plenty */
	tsc_to_ns_mult = (1000000000ULL << 32) / tsc_hz;
	ns_to_tsc_mult = ((tsc_hz / 1000) << 32) / 1000000ULL;
	wallclock_boot = read_host_rtc();
	cpuid(1, &a, &b, &c, &d);
	tsc_deadline = c & CPUID_1_ECX_TSC_DEADLINE;

	/* local APIC: enabled, spurious vector 0xFF; count mode calibrated
	 * (divide by 16) even with TSC-deadline mode: it is reported */
	lapic_enable_cpu(true);
	lapic_write(LAPIC_TIMER_DIV, 0x3);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | ARCH_TIMER_VECTOR);
	lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
	t0 = rdtsc();
	while (rdtsc() - t0 < tsc_hz / 100)	/* 10 ms */
		arch_cpu_relax();
	cur = lapic_read(LAPIC_TIMER_CUR);
	t1 = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (cur == 0 || cur == 0xFFFFFFFF) {
		if (!tsc_deadline)
			vmm_err("timer: the local APIC timer does not count; no host timer interrupts\n");
	} else {
		lapic_hz = (0xFFFFFFFFULL - cur) * (tsc_hz / 1000) / ((t1 - t0) / 1000);
		tsc_to_lapic_mult = (lapic_hz << 32) / tsc_hz;
	}
	if (lapic_hz || tsc_deadline)
		lapic_ok = vmm_host_irq_register(ARCH_TIMER_VECTOR, lapic_timer_irq, NULL) == VMM_OK;
	arch_timer_init_cpu();
	vmm_info("timer: TSC %llu.%03llu MHz (%s), APIC timer %s (%llu kHz counting), host RTC %s\n",
		 (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000),
		 tsc_source,
		 !lapic_ok ? "off" : tsc_deadline ? "in TSC-deadline mode" : "in one-shot count mode",
		 (unsigned long long)(lapic_hz / 1000), wallclock_boot ? "read" : "absent");
	return VMM_OK;
}
