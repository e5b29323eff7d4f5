/*
 * arch/x86_64/hpet.c - the host's High Precision Event Timer (IA-PC HPET
 * specification 1.0a), as a second clock to calibrate the TSC against
 * where the ACPI PM timer is missing (hardware-reduced ACPI). Owns: the
 * ACPI "HPET" table's reading (acpi.c found and checksummed it), the
 * checks on the register window and the counter period, and one timed
 * measurement of the TSC on the main counter. Nothing else uses the HPET:
 * no comparator is programmed, the legacy replacement route is left as the
 * firmware set it, and a main counter the firmware left stopped is started
 * for the measurement only and stopped again, so the device is as found.
 *
 * The window is reached through the identity map: below 4 GiB every page
 * that is not RAM is mapped uncached (paging.c); above 4 GiB only RAM is
 * mapped, so an HPET there is refused with a message. Only the low 32
 * bits of the main counter are read (32-bit accesses suit every HPET; a
 * 32-bit counter has nothing more), with the difference of two reads taken
 * modulo 2^32, so a wrap in the window is counted right: at the slowest
 * legal rate (100 ns) 2^32 ticks are 7 minutes, at a 1 GHz counter 4 s.
 */
#include <stdarg.h>
#include <string.h>
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "kernel/printk.h"

/* the ACPI table (HPET spec 3.2.4): after the 36-byte header the event
 * timer block id, then the base address as a generic address structure */
#define TBL_MIN_LEN 56
#define TBL_GAS 40		/* address space id; the address at +4 */
#define GAS_SYSTEM_MEMORY 0

/* registers (spec 2.3.2) */
#define REG_CAP_ID 0x000	/* bits 31:0 of the capabilities and id */
#define REG_PERIOD 0x004	/* COUNTER_CLK_PERIOD, femtoseconds */
#define REG_CONFIG 0x010
#define REG_COUNTER 0x0F0	/* main counter, low 32 bits */
#define CAP_COUNT_SIZE (1u << 13)	/* 64-bit main counter */
#define CFG_ENABLE (1u << 0)
#define WINDOW_LEN 0x400
#define MAX_PERIOD_FS 100000000u	/* 100 ns (spec 2.3.4) */
#define FS_PER_S 1000000000000000ULL
/* consecutive reads of an unchanged counter before it is declared stopped:
 * a counting HPET (10 MHz at least) changes within a few reads */
#define STUCK_READS 1000000

static bool done;
static u64 base, window;
static u32 period_fs;
static const char *why = "no HPET (no ACPI HPET table)";
static char why_buf[128];

static u32 reg_read(u32 off)
{
	return *(volatile u32 *)(uintptr_t)(base + off);
}

static void reg_write(u32 off, u32 v)
{
	*(volatile u32 *)(uintptr_t)(base + off) = v;
}

/* Record why the HPET cannot be used, and say it at boot. */
static void __printf(1, 2) refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
	va_end(ap);
	why = why_buf;
	base = 0;
	vmm_info("hpet: %s; not used\n", why);
}

void hpet_init(void)
{
	const u8 *t;
	u32 len, cap, cfg;
	u64 addr;

	if (done)
		return;
	done = true;
	t = acpi_table("HPET", &len);
	if (!t)
		return;
	if (len < TBL_MIN_LEN) {
		refuse("the ACPI HPET table is %u bytes, shorter than the %u that hold its base address",
		       len, TBL_MIN_LEN);
		return;
	}
	memcpy(&addr, t + TBL_GAS + 4, 8);
	if (t[TBL_GAS] != GAS_SYSTEM_MEMORY) {
		refuse("the ACPI HPET table's base address is in address space %u, not memory (0)",
		       t[TBL_GAS]);
		return;
	}
	if (!addr) {
		refuse("the ACPI HPET table's base address is 0");
		return;
	}
	window = addr & ~0xFFFULL;
	base = addr;
	if (addr + WINDOW_LEN > 4 * GiB) {
		refuse("its registers at 0x%llx are above 4 GiB, where the host page tables map RAM only",
		       (unsigned long long)addr);
		return;
	}
	cap = reg_read(REG_CAP_ID);
	period_fs = reg_read(REG_PERIOD);
	if (cap == 0xFFFFFFFF && period_fs == 0xFFFFFFFF) {
		refuse("nothing answers at 0x%llx (it reads all-ones)", (unsigned long long)addr);
		return;
	}
	if (!period_fs || period_fs > MAX_PERIOD_FS) {
		refuse("its counter period %u fs is not 1..%u fs (100 ns, the specification's longest)",
		       period_fs, MAX_PERIOD_FS);
		return;
	}
	cfg = reg_read(REG_CONFIG);
	why = NULL;
	vmm_info("hpet: 0x%llx, %u-bit main counter at %llu.%03llu MHz (period %u fs), %u timers, counter %s\n",
		 (unsigned long long)addr, cap & CAP_COUNT_SIZE ? 64 : 32,
		 (unsigned long long)(FS_PER_S / 1000000 / period_fs),
		 (unsigned long long)(FS_PER_S / 1000 / period_fs % 1000), period_fs,
		 ((cap >> 8) & 0x1F) + 1,
		 cfg & CFG_ENABLE ? "running" : "stopped (started only to calibrate the TSC)");
}

u64 hpet_window(void)
{
	return window;
}

const char *hpet_unusable(void)
{
	return why;
}

u64 hpet_measure_tsc_hz(u32 ms)
{
	u64 ticks, waited = 0, t0, t1, ns;
	u32 cfg, last, now;
	long stuck = 0;

	if (why)
		return 0;
	ticks = (u64)ms * (FS_PER_S / 1000) / period_fs;
	cfg = reg_read(REG_CONFIG);
	if (!(cfg & CFG_ENABLE))
		reg_write(REG_CONFIG, cfg | CFG_ENABLE);
	last = reg_read(REG_COUNTER);
	t0 = rdtsc();
	while (waited < ticks && stuck < STUCK_READS) {
		now = reg_read(REG_COUNTER);
		if (now == last) {
			stuck++;
			continue;
		}
		waited += (u32)(now - last);	/* modulo 2^32: a wrap counts right */
		last = now;
		stuck = 0;
	}
	t1 = rdtsc();
	if (!(cfg & CFG_ENABLE))
		reg_write(REG_CONFIG, cfg);
	if (waited < ticks) {
		vmm_warn("hpet: the main counter stopped counting at 0x%x (%llu of %llu ticks); not used\n",
			 last, (unsigned long long)waited, (unsigned long long)ticks);
		why = "the HPET's main counter does not count";
		return 0;
	}
	ns = waited * period_fs / 1000000;	/* < 2^64 for any window of seconds */
	return ns ? (t1 - t0) * 1000000000ULL / ns : 0;
}
