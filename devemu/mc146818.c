/*
 * devemu/mc146818.c - the Motorola MC146818A real-time clock and CMOS RAM
 * of a PC guest (compatible "mc146818"): index port (region offset 0, bit 7
 * the PC's NMI mask) and data port (offset 1), interrupt on the region's
 * `interrupts` line (IRQ8 on a PC).
 *
 * Following the MC146818A datasheet: time, calendar and alarm registers 0-9
 * in BCD or binary (register B DM) and in 12- or 24-hour form (B 24/12, PM
 * in bit 7 of the hours); register A with UIP (set for tBUC = 244 us before
 * every update), the divider bits (010 runs, 11x holds the divider chain in
 * reset, the first update coming 500 ms after it is released) and the rate
 * select of the periodic interrupt (32.768 kHz time base: rates 1 and 2 are
 * 256 and 128 Hz, rate n >= 3 is 65536 >> n Hz, 0 none); register B with
 * SET (stops updates so the time can be written; setting it clears UIE),
 * PIE, AIE, UIE, SQWE, DM, 24/12, DSE; register C with IRQF, PF, AF, UF
 * (cleared by reading it, which also lowers the line); register D with VRT.
 * The alarm compares hours, minutes and seconds, any of them "don't care"
 * with a value 0xC0-0xFF. The flags are set whether or not their interrupt
 * is enabled; IRQF and the line follow PF.PIE + AF.AIE + UF.UIE. Interrupts
 * come from one kernel timer event armed for the next periodic, update or
 * alarm instant that can raise IRQF (never polled), and not re-armed while
 * IRQF is set (the guest reads register C to get the next one) nor closer
 * than VMM_TIMER_MIN_PERIOD_NS (200 us) to its previous firing, so rate 3
 * (8192 Hz) interrupts at most every 200 us, with PF coalescing the
 * periods in between (kernel/timer.h); the flags themselves are brought up
 * to date lazily at every register access.
 *
 * The clock starts from the host's wall clock (vmm_timer_wallclock_sec(),
 * 2000-01-01 00:00:00 when the host has none) and counts on the hypervisor's
 * monotonic clock. Byte 0x32 holds the century (in BCD or binary like the
 * time) and is counted with the year, as on the DS12C887. The CMOS RAM,
 * bytes 14-127, belongs to the guest for its lifetime (kept across guest
 * resets); at every reset the PC BIOS's memory-size bytes are written from
 * the guest's RAM regions: 0x15/0x16 base memory in KiB (RAM from 0, at most
 * 640), 0x17/0x18 and 0x30/0x31 extended memory in KiB (RAM from 1 MiB, at
 * most 0xFFFF), 0x34/0x35 memory above 16 MiB in 64 KiB units (at most
 * 0xFFFF). Power-on state is what a PC BIOS leaves: A = 0x26, B = 0x02.
 * A guest reset acts as the chip's RESET pin: PIE, AIE, UIE, SQWE and all
 * of register C are cleared; time, calendar, RAM, A and the rest of B stay.
 *
 * Not modelled: daylight saving (DSE is stored but never acts); the
 * square-wave output (SQWE is stored, there is no pin); the 4.194304 and
 * 1.048576 MHz time bases and the test modes of the divider bits (every
 * value but 11x runs at 32.768 kHz); the 1984 us update cycle itself (the
 * new time appears at once); invalid time values the guest writes, whose
 * counting the datasheet leaves undefined, are clamped to their ranges and
 * an impossible date is normalised (Feb 30 -> Mar 1 or 2); changing DM or
 * 24/12 while the clock runs shows the same time in the new form, also when
 * SET is written with them (the chip would misread the old bytes; programs
 * rewrite the time after such a change anyway) - while SET holds the clock,
 * though, the bytes stay as written and are read in the form in force when
 * SET is cleared, as on the chip; the BIOS checksum at 0x2E/0x2F is not
 * computed. Reads of the index port return 0xFF (write-only on PCs).
 */
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/timer.h"
#include "kernel/heap.h"
#include "kernel/printk.h"
#include "kernel/error.h"
#include "kernel/spinlock.h"

#define CMOS_SIZE 128

enum {
	RTC_SEC = 0x00, RTC_SEC_ALARM = 0x01, RTC_MIN = 0x02, RTC_MIN_ALARM = 0x03,
	RTC_HOUR = 0x04, RTC_HOUR_ALARM = 0x05, RTC_WDAY = 0x06, RTC_MDAY = 0x07,
	RTC_MON = 0x08, RTC_YEAR = 0x09, RTC_REG_A = 0x0A, RTC_REG_B = 0x0B,
	RTC_REG_C = 0x0C, RTC_REG_D = 0x0D, RTC_CENTURY = 0x32,
	CMOS_BASE_LO = 0x15, CMOS_BASE_HI = 0x16, CMOS_EXT_LO = 0x17, CMOS_EXT_HI = 0x18,
	CMOS_EXT2_LO = 0x30, CMOS_EXT2_HI = 0x31, CMOS_HIGH_LO = 0x34, CMOS_HIGH_HI = 0x35,
};

#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_RESET 0x60		/* DV2 DV1 = 11: divider chain in reset */
#define A_RS_MASK 0x0F
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04		/* 1 binary, 0 BCD */
#define B_24H 0x02
#define B_DSE 0x01
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

#define NSEC 1000000000ULL
#define HZ_TB 32768ULL		/* time base: divider-chain ticks per second */
#define UIP_TICKS 8		/* tBUC = 244 us = 8 ticks of 32.768 kHz */
#define SECS_PER_DAY 86400

struct rtc {
	vmm_spinlock_t lock;
	bool removed;		/* rtc_remove ran: the timer is never armed again */
	struct vmm_guest *guest;
	int irq;			/* guest line, -1 for none */
	bool line;
	u8 index;
	bool nmi_masked;		/* bit 7 of the index port (no NMI source here) */
	u8 cmos[CMOS_SIZE];		/* time bytes are current only while frozen */
	/* the divider chain: 'origin_ticks' ticks at host time 'origin_ns' */
	u64 origin_ns, origin_ticks;
	u64 seen_ticks;			/* flags are up to date until this tick */
	/* the running clock: 'base_sec' (seconds since 1970) at chain second
	 * 'base_chain_sec'; day of week = (days since 1970 + wday_delta) % 7 + 1 */
	s64 base_sec;
	u64 base_chain_sec;
	int wday_delta;
	struct vmm_timer_event ev;
	u64 last_fire_ns;		/* when ev last fired (0: never) */
	bool floor_reported;		/* the minimum-period message was printed */
};

/* ---- calendar arithmetic (proleptic Gregorian, any year) --------------- */

/* Division and remainder rounding towards minus infinity. */
static s64 floor_div(s64 a, s64 b)
{
	s64 q = a / b;

	return (a % b && (a < 0) != (b < 0)) ? q - 1 : q;
}

static s64 floor_mod(s64 a, s64 b)
{
	return a - floor_div(a, b) * b;
}

/* Days since 1970-01-01 of y-m-d (m 1-12, d 1-31; d past the month's end
 * runs into the next month). */
static s64 days_from_civil(s64 y, int m, int d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of day z since 1970-01-01 (H. Hinnant's algorithm). */
static void civil_from_days(s64 z, s64 *y, int *m, int *d)
{
	s64 era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* ---- register encodings -------------------------------------------------- */

static bool binary_mode(const struct rtc *r)
{
	return r->cmos[RTC_REG_B] & B_DM;
}

static u8 to_reg(const struct rtc *r, int v)
{
	return binary_mode(r) ? (u8)v : (u8)(((v / 10) << 4) | (v % 10));
}

/* A time byte as a number, in the current mode (BCD digits above 9 count
 * as their value, as the chip's arithmetic would not). */
static int from_reg(const struct rtc *r, u8 b)
{
	return binary_mode(r) ? b : (b >> 4) * 10 + (b & 0x0F);
}

/* The hours byte for hour h (0-23) in 12- or 24-hour form. */
static u8 hour_to_reg(const struct rtc *r, int h)
{
	int h12;

	if (r->cmos[RTC_REG_B] & B_24H)
		return to_reg(r, h);
	h12 = h % 12 ? h % 12 : 12;
	return to_reg(r, h12) | (h >= 12 ? 0x80 : 0);
}

/* Hour 0-23 of an hours byte in the current form. */
static int hour_from_reg(const struct rtc *r, u8 b)
{
	int h;

	if (r->cmos[RTC_REG_B] & B_24H)
		return from_reg(r, b);
	h = from_reg(r, b & 0x7F) % 12;
	return h + ((b & 0x80) ? 12 : 0);
}

/*
 * A time or alarm byte that the chip can produce for a value 0..max, with
 * that value; false for bytes that no time ever shows (bad BCD digits, out
 * of range), which an alarm byte then never matches.
 */
static bool reg_value(const struct rtc *r, u8 b, int max, int *v)
{
	if (!binary_mode(r) && ((b & 0x0F) > 9 || (b >> 4) > 9))
		return false;
	*v = from_reg(r, b);
	return *v <= max;
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* ---- the clock ------------------------------------------------------------ */

/* The time registers hold still: SET, or the divider chain in reset. */
static bool clock_frozen(const struct rtc *r)
{
	return (r->cmos[RTC_REG_B] & B_SET) ||
	       (r->cmos[RTC_REG_A] & A_DV_MASK) >= A_DV_RESET;
}

static u64 ns_to_ticks(u64 d)
{
	return (d / NSEC) * HZ_TB + (d % NSEC) * HZ_TB / NSEC;
}

/* Divider-chain ticks at host time 'now'. */
static u64 chain_ticks(const struct rtc *r, u64 now)
{
	return r->origin_ticks + (now > r->origin_ns ? ns_to_ticks(now - r->origin_ns) : 0);
}

/* The first host time at which the chain has reached tick t (t >= origin). */
static u64 tick_time(const struct rtc *r, u64 t)
{
	u64 d = t - r->origin_ticks;

	return r->origin_ns + (d / HZ_TB) * NSEC + ((d % HZ_TB) * NSEC + HZ_TB - 1) / HZ_TB;
}

/* The running clock's value (seconds since 1970) at chain second s. */
static s64 clock_at(const struct rtc *r, u64 s)
{
	return r->base_sec + (s64)(s - r->base_chain_sec);
}

/* Write the time registers for clock value 'sec' in the current form. */
static void render_time(struct rtc *r, s64 sec)
{
	s64 days = floor_div(sec, SECS_PER_DAY), y;
	int sod = (int)(sec - days * SECS_PER_DAY), m, d;

	civil_from_days(days, &y, &m, &d);
	r->cmos[RTC_SEC] = to_reg(r, sod % 60);
	r->cmos[RTC_MIN] = to_reg(r, sod / 60 % 60);
	r->cmos[RTC_HOUR] = hour_to_reg(r, sod / 3600);
	r->cmos[RTC_WDAY] = to_reg(r, (int)floor_mod(days + r->wday_delta, 7) + 1);
	r->cmos[RTC_MDAY] = to_reg(r, d);
	r->cmos[RTC_MON] = to_reg(r, m);
	r->cmos[RTC_YEAR] = to_reg(r, (int)floor_mod(y, 100));
	r->cmos[RTC_CENTURY] = to_reg(r, (int)floor_mod(floor_div(y, 100), 100));
}

/* Start the clock from the time registers, at chain second s. */
static void load_time(struct rtc *r, u64 s)
{
	int sec = clamp(from_reg(r, r->cmos[RTC_SEC]), 0, 59);
	int min = clamp(from_reg(r, r->cmos[RTC_MIN]), 0, 59);
	int hour = clamp(hour_from_reg(r, r->cmos[RTC_HOUR]), 0, 23);
	int wday = clamp(from_reg(r, r->cmos[RTC_WDAY]), 1, 7);
	int mday = clamp(from_reg(r, r->cmos[RTC_MDAY]), 1, 31);
	int mon = clamp(from_reg(r, r->cmos[RTC_MON]), 1, 12);
	int year = clamp(from_reg(r, r->cmos[RTC_YEAR]), 0, 99);
	int century = clamp(from_reg(r, r->cmos[RTC_CENTURY]), 0, 99);
	s64 days = days_from_civil(century * 100 + year, mon, mday);

	r->base_sec = days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
	r->base_chain_sec = s;
	r->wday_delta = (int)floor_mod(wday - 1 - days, 7);
}

/*
 * The first clock value after 'now' whose hours, minutes and seconds match
 * the alarm bytes; false if none ever does.
 */
static bool next_alarm(const struct rtc *r, s64 now, s64 *out)
{
	bool any_h = (r->cmos[RTC_HOUR_ALARM] & 0xC0) == 0xC0;
	bool any_m = (r->cmos[RTC_MIN_ALARM] & 0xC0) == 0xC0;
	bool any_s = (r->cmos[RTC_SEC_ALARM] & 0xC0) == 0xC0;
	int ah = 0, am = 0, as = 0;
	s64 day = floor_div(now, SECS_PER_DAY) * SECS_PER_DAY;
	int sod = (int)(now - day);

	if (!any_h) {
		u8 b = r->cmos[RTC_HOUR_ALARM];

		if (r->cmos[RTC_REG_B] & B_24H) {
			if (!reg_value(r, b, 23, &ah))
				return false;
		} else {
			if (!reg_value(r, b & 0x7F, 12, &ah) || ah == 0)
				return false;
			ah = ah % 12 + ((b & 0x80) ? 12 : 0);
		}
	}
	if ((!any_m && !reg_value(r, r->cmos[RTC_MIN_ALARM], 59, &am)) ||
	    (!any_s && !reg_value(r, r->cmos[RTC_SEC_ALARM], 59, &as)))
		return false;
	for (int d = 0; d < 2; d++) {
		for (int h = 0; h < 24; h++) {
			if ((!any_h && h != ah) || (d == 0 && h * 3600 + 3599 <= sod))
				continue;
			for (int m = 0; m < 60; m++) {
				if ((!any_m && m != am) || (d == 0 && h * 3600 + m * 60 + 59 <= sod))
					continue;
				for (int s = 0; s < 60; s++) {
					int t = h * 3600 + m * 60 + s;

					if ((!any_s && s != as) || (d == 0 && t <= sod))
						continue;
					*out = day + d * SECS_PER_DAY + t;
					return true;
				}
			}
		}
	}
	return false;
}

/* Chain ticks between periodic-interrupt edges, 0 for none (datasheet
 * table 4, 32.768 kHz time base). */
static u64 periodic_ticks(const struct rtc *r)
{
	u32 rs = r->cmos[RTC_REG_A] & A_RS_MASK;

	if (!rs)
		return 0;
	if (rs <= 2)
		return rs == 1 ? 128 : 256;	/* 256 Hz, 128 Hz */
	return 1ULL << (rs - 1);
}

/* ---- flags, line and timer ------------------------------------------------ */

/* IRQF = PF.PIE + AF.AIE + UF.UIE (the enables sit under their flags). */
static void compute_irqf(struct rtc *r)
{
	u8 c = r->cmos[RTC_REG_C];

	if (c & r->cmos[RTC_REG_B] & (C_PF | C_AF | C_UF))
		r->cmos[RTC_REG_C] = c | C_IRQF;
	else
		r->cmos[RTC_REG_C] = c & ~C_IRQF;
}

/* Bring PF, UF, AF and IRQF up to host time 'now' (the line is driven
 * by update_irq() once the access is done). */
static void catch_up(struct rtc *r, u64 now)
{
	u64 t = chain_ticks(r, now), p, s_old, s_new;
	s64 next;

	if (t <= r->seen_ticks)
		return;
	if ((r->cmos[RTC_REG_A] & A_DV_MASK) >= A_DV_RESET) {
		r->seen_ticks = t;
		return;
	}
	p = periodic_ticks(r);
	if (p && t / p > r->seen_ticks / p)
		r->cmos[RTC_REG_C] |= C_PF;
	s_old = r->seen_ticks / HZ_TB;
	s_new = t / HZ_TB;
	if (!(r->cmos[RTC_REG_B] & B_SET) && s_new > s_old) {
		r->cmos[RTC_REG_C] |= C_UF;
		if (next_alarm(r, clock_at(r, s_old), &next) && next <= clock_at(r, s_new))
			r->cmos[RTC_REG_C] |= C_AF;
	}
	r->seen_ticks = t;
	compute_irqf(r);
}

/* IRQF after a register access; the line follows it. */
static void update_irq(struct rtc *r)
{
	bool irqf;

	compute_irqf(r);
	irqf = r->cmos[RTC_REG_C] & C_IRQF;
	if (r->irq >= 0 && irqf != r->line) {
		r->line = irqf;
		vmm_devemu_set_irq(r->guest, (u32)r->irq, irqf);
	}
}

/* Arm the timer for the next instant an enabled flag would raise IRQF. */
static void rearm(struct rtc *r, u64 now)
{
	u64 t = chain_ticks(r, now), best = ~0ULL, p, s = t / HZ_TB;
	u8 b = r->cmos[RTC_REG_B];
	s64 next;

	if (r->removed || r->irq < 0 || (r->cmos[RTC_REG_C] & C_IRQF) ||
	    (r->cmos[RTC_REG_A] & A_DV_MASK) >= A_DV_RESET) {
		vmm_timer_event_stop(&r->ev);
		return;
	}
	p = periodic_ticks(r);
	if ((b & B_PIE) && p)
		best = (t / p + 1) * p;
	if ((b & B_PIE) && p && p * NSEC / HZ_TB < VMM_TIMER_MIN_PERIOD_NS && !r->floor_reported) {
		r->floor_reported = true;
		vmm_warn("guest %s: RTC periodic interrupt every %llu ns is below the %llu us minimum: IRQ%d at most every %llu us, PF still set every period (reported once)\n",
			 r->guest->name, (unsigned long long)(p * NSEC / HZ_TB),
			 VMM_TIMER_MIN_PERIOD_NS / 1000, r->irq, VMM_TIMER_MIN_PERIOD_NS / 1000);
	}
	if (!(b & B_SET)) {
		if (b & B_UIE)
			best = MIN(best, (s + 1) * HZ_TB);
		if ((b & B_AIE) && next_alarm(r, clock_at(r, s), &next))
			best = MIN(best, (s + (u64)(next - clock_at(r, s))) * HZ_TB);
	}
	if (best == ~0ULL)
		vmm_timer_event_stop(&r->ev);
	else	/* never closer than VMM_TIMER_MIN_PERIOD_NS to the last firing */
		vmm_timer_event_start(&r->ev, vmm_timer_guest_expiry(tick_time(r, best),
								     r->last_fire_ns));
}

/* Timer event: a periodic, update or alarm instant that raises IRQF. */
static void rtc_timer(struct vmm_timer_event *ev)
{
	struct rtc *r = ev->priv;
	unsigned long f = vmm_spin_lock_irqsave(&r->lock);
	u64 now = vmm_timer_now_ns();

	r->last_fire_ns = now;
	catch_up(r, now);
	update_irq(r);
	rearm(r, now);
	vmm_spin_unlock_irqrestore(&r->lock, f);
}

/* ---- register access ------------------------------------------------------ */

static bool is_time_reg(u8 idx)
{
	return idx == RTC_SEC || idx == RTC_MIN || idx == RTC_HOUR || idx == RTC_CENTURY ||
	       (idx >= RTC_WDAY && idx <= RTC_YEAR);
}

/* Register or RAM byte idx as the guest reads it at host time now. */
static u8 reg_read(struct rtc *r, u8 idx, u64 now)
{
	u64 t = chain_ticks(r, now);
	u8 v;

	if (is_time_reg(idx) && !clock_frozen(r))
		render_time(r, clock_at(r, t / HZ_TB));
	switch (idx) {
	case RTC_REG_A:
		v = r->cmos[RTC_REG_A] & ~A_UIP;
		if (!clock_frozen(r) && t % HZ_TB >= HZ_TB - UIP_TICKS)
			v |= A_UIP;
		return v;
	case RTC_REG_C:
		v = r->cmos[RTC_REG_C];
		r->cmos[RTC_REG_C] = 0;
		return v;
	case RTC_REG_D:
		return D_VRT;
	default:
		return r->cmos[idx];
	}
}

/* The guest writes v to register or RAM byte idx at host time now. */
static void reg_write(struct rtc *r, u8 idx, u8 v, u64 now)
{
	u64 t = chain_ticks(r, now);
	bool was_frozen = clock_frozen(r);

	if (is_time_reg(idx)) {
		if (was_frozen) {
			r->cmos[idx] = v;
		} else {
			/* running: the other fields keep counting from now */
			render_time(r, clock_at(r, t / HZ_TB));
			r->cmos[idx] = v;
			load_time(r, t / HZ_TB);
		}
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		if ((r->cmos[RTC_REG_A] & A_DV_MASK) >= A_DV_RESET &&
		    (v & A_DV_MASK) < A_DV_RESET) {
			/* divider released: the first update comes 500 ms later */
			r->origin_ns = now;
			r->origin_ticks = HZ_TB / 2;
			r->seen_ticks = HZ_TB / 2;
			t = HZ_TB / 2;
		}
		r->cmos[RTC_REG_A] = (r->cmos[RTC_REG_A] & A_UIP) | (v & ~A_UIP);
		break;
	case RTC_REG_B:
		if (v & B_SET)
			v &= ~B_UIE;	/* datasheet: SET = 1 clears UIE */
		r->cmos[RTC_REG_B] = v;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;			/* read-only */
	default:
		r->cmos[idx] = v;	/* alarm bytes and RAM */
		break;
	}
	/* stopping the clock keeps its time in the registers; starting it
	 * counts on from them */
	if (!was_frozen && clock_frozen(r))
		render_time(r, clock_at(r, t / HZ_TB));	/* in the form now in B */
	else if (was_frozen && !clock_frozen(r))
		load_time(r, t / HZ_TB);
}

/* Bytes of RAM from addr on without a gap (RAM regions may touch). */
static u64 ram_from(const struct vmm_guest_config *cfg, u64 addr)
{
	u64 end = addr;
	bool grown = true;

	while (grown) {
		grown = false;
		for (u32 i = 0; i < cfg->nr_regions; i++) {
			const struct vmm_region_config *rc = &cfg->regions[i];

			if (rc->kind == VMM_REGION_RAM && !rc->io && rc->gpa <= end &&
			    rc->gpa + rc->size > end) {
				end = rc->gpa + rc->size;
				grown = true;
			}
		}
	}
	return end - addr;
}

static void set_word(struct rtc *r, u8 lo, u64 v)
{
	r->cmos[lo] = (u8)v;
	r->cmos[lo + 1] = (u8)(v >> 8);
}

/* The PC BIOS's memory-size bytes, from the guest's RAM regions. */
static void memory_bytes(struct rtc *r)
{
	const struct vmm_guest_config *cfg = r->guest->config;
	u64 base = 0, ext = 0, high = 0;

	if (cfg) {
		base = MIN(ram_from(cfg, 0), 640 * KiB) / KiB;
		ext = MIN(ram_from(cfg, MiB) / KiB, 0xFFFFULL);
		high = MIN(ram_from(cfg, 16 * MiB) / (64 * KiB), 0xFFFFULL);
	}
	set_word(r, CMOS_BASE_LO, base);
	set_word(r, CMOS_EXT_LO, ext);
	set_word(r, CMOS_EXT2_LO, ext);
	set_word(r, CMOS_HIGH_LO, high);
}

static int rtc_read(struct vmm_emudev *ed, u64 off, u32 width, u64 *value)
{
	struct rtc *r = ed->priv;
	unsigned long f;
	u64 now;

	(void)width;
	if (off == 0) {
		*value = 0xFF;
		return VMM_OK;
	}
	f = vmm_spin_lock_irqsave(&r->lock);
	now = vmm_timer_now_ns();
	catch_up(r, now);
	*value = reg_read(r, r->index, now);
	update_irq(r);
	rearm(r, now);
	vmm_spin_unlock_irqrestore(&r->lock, f);
	return VMM_OK;
}

static int rtc_write(struct vmm_emudev *ed, u64 off, u32 width, u64 value)
{
	struct rtc *r = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&r->lock);
	u64 now;

	(void)width;
	if (off == 0) {
		r->index = value & 0x7F;
		r->nmi_masked = value & 0x80;
	} else {
		now = vmm_timer_now_ns();
		catch_up(r, now);
		reg_write(r, r->index, (u8)value, now);
		update_irq(r);
		rearm(r, now);
	}
	vmm_spin_unlock_irqrestore(&r->lock, f);
	return VMM_OK;
}

/* Power on: the clock from the host's, the rest as a BIOS leaves it. */
static int rtc_probe(struct vmm_emudev *ed)
{
	struct rtc *r = vmm_zalloc(sizeof(*r));
	u64 wall = vmm_timer_wallclock_sec(), now = vmm_timer_now_ns();

	if (!r)
		return -VMM_ENOMEM;
	r->guest = ed->guest;
	r->irq = vmm_devemu_region_irq(ed);
	vmm_devemu_timer_init(ed->guest, &r->ev, rtc_timer, r);
	/* power on as a PC BIOS leaves the chip: 32.768 kHz, 1024 Hz rate,
	 * BCD, 24-hour, valid RAM */
	r->cmos[RTC_REG_A] = 0x26;
	r->cmos[RTC_REG_B] = B_24H;
	r->origin_ns = now;
	r->base_sec = wall ? (s64)wall : days_from_civil(2000, 1, 1) * SECS_PER_DAY;
	r->wday_delta = 4;		/* 1970-01-01 was a Thursday (Sunday = 1) */
	ed->priv = r;
	return VMM_OK;
}

/* Guest reset: the chip's RESET pin, and the BIOS's memory sizes. */
static int rtc_reset(struct vmm_emudev *ed)
{
	struct rtc *r = ed->priv;
	unsigned long f = vmm_spin_lock_irqsave(&r->lock);
	u64 now = vmm_timer_now_ns();

	catch_up(r, now);
	/* the RESET pin */
	r->cmos[RTC_REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
	r->cmos[RTC_REG_C] = 0;
	r->index = 0;
	r->nmi_masked = false;
	memory_bytes(r);
	update_irq(r);
	rearm(r, now);
	vmm_spin_unlock_irqrestore(&r->lock, f);
	return VMM_OK;
}

/* Guest destroy: the timer stopped for good (a handler running meanwhile
 * sees 'removed' under the lock and does not re-arm), the state freed. */
static void rtc_remove(struct vmm_emudev *ed)
{
	struct rtc *r = ed->priv;
	unsigned long f;

	if (!r)
		return;
	f = vmm_spin_lock_irqsave(&r->lock);
	r->removed = true;
	vmm_timer_event_stop(&r->ev);
	vmm_spin_unlock_irqrestore(&r->lock, f);
	ed->priv = NULL;
	vmm_free(r);
}

static const char *const rtc_compatible[] = { "mc146818", "motorola,mc146818", NULL };

const struct vmm_emulator mc146818_emulator = {
	.name = "mc146818",
	.device_type = "rtc",
	.compatible = rtc_compatible,
	.probe = rtc_probe,
	.reset = rtc_reset,
	.remove = rtc_remove,
	.read = rtc_read,
	.write = rtc_write,
};
VMM_EMULATOR(mc146818_emulator);
