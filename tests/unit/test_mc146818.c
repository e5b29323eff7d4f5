/*
 * tests/unit/test_mc146818.c - the MC146818A RTC model (devemu/mc146818.c)
 * register by register from the datasheet: power-on values, the time from
 * the host's wall clock in BCD and binary, 12- and 24-hour form, counting
 * over seconds, days, months, leap years and centuries, SET and writing the
 * time, UIP timing, the divider bits, the periodic rates of table 4, PF, UF
 * and AF with and without their enables, "don't care" alarms, register C
 * clearing and the interrupt line, register D, the CMOS RAM and the PC's
 * memory-size bytes, and the RESET pin (guest reset).
 *
 * The model is driven through its ops table as devemu would; the kernel's
 * timer (kernel/timer.h), interrupt lines and region lookup are fakes in
 * this file (linked before the kernel archive, so kernel/timer.o and
 * devemu/devemu.o are not pulled in), and time moves only when a test says.
 * Expected dates come from the host's timegm(), not from the model's own
 * calendar code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/fake_heap.h"
#include "devemu/devemu.h"
#include "kernel/manager.h"
#include "kernel/aspace.h"
#include "kernel/timer.h"
#include "kernel/error.h"

extern const struct vmm_emulator mc146818_emulator;

#define NSEC 1000000000ULL
#define MSEC 1000000ULL
#define USEC 1000ULL

/* ---- fake kernel/timer.h: time moves when the test says ---- */

static u64 fake_now;			/* vmm_timer_now_ns() */
static u64 fake_wall;			/* host RTC at boot (0: none) */
#define MAX_EVENTS 4
static struct vmm_timer_event *events[MAX_EVENTS];
static int nr_events, timer_starts, timer_fired;

u64 vmm_timer_now_ns(void)
{
	return fake_now;
}

u64 vmm_timer_wallclock_sec(void)
{
	return fake_wall ? fake_wall + fake_now / NSEC : 0;
}

void vmm_timer_event_init(struct vmm_timer_event *ev, vmm_timer_handler_t handler, void *priv)
{
	memset(ev, 0, sizeof(*ev));
	ev->handler = handler;
	ev->priv = priv;
	if (nr_events < MAX_EVENTS)
		events[nr_events++] = ev;
}

void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns)
{
	ev->expiry_ns = expiry_ns;
	ev->active = true;
	timer_starts++;
}

void vmm_timer_event_stop(struct vmm_timer_event *ev)
{
	ev->active = false;
}

/* The RTC's event (the only one), or NULL when it is not armed. */
static struct vmm_timer_event *armed(void)
{
	return nr_events && events[0]->active ? events[0] : NULL;
}

/* Move time to t, running the events that expire on the way, in order. */
static void advance_to(u64 t)
{
	for (;;) {
		struct vmm_timer_event *first = NULL;

		for (int i = 0; i < nr_events; i++)
			if (events[i]->active && events[i]->expiry_ns <= t &&
			    (!first || events[i]->expiry_ns < first->expiry_ns))
				first = events[i];
		if (!first)
			break;
		if (first->expiry_ns > fake_now)
			fake_now = first->expiry_ns;
		first->active = false;
		timer_fired++;
		first->handler(first);
	}
	fake_now = t;
}

static void advance(u64 d)
{
	advance_to(fake_now + d);
}

/* ---- fake devemu services ---- */

static int region_irq = 8;		/* the region's `interrupts`, -1 none */
static int line;			/* IRQ8 level */
static int rising;			/* low-to-high transitions of IRQ8 */
static int other_irq_calls;

void vmm_devemu_set_irq(struct vmm_guest *g, u32 irq, int level)
{
	(void)g;
	if (irq != 8) {
		other_irq_calls++;
		return;
	}
	if (level && !line)
		rising++;
	line = level;
}

/* devemu's timer helper (binding to the guest's boot VCPU is devemu.c's
 * business): the fake timer event above */
void vmm_devemu_timer_init(struct vmm_guest *g, struct vmm_timer_event *ev,
			   void (*handler)(struct vmm_timer_event *ev), void *priv)
{
	(void)g;
	vmm_timer_event_init(ev, handler, priv);
}

int vmm_devemu_region_irq(struct vmm_emudev *ed)
{
	(void)ed;
	return region_irq;
}

/* ---- the guest and its RTC ---- */

static struct vmm_guest_config gcfg;
static struct vmm_guest guest;
static struct vmm_region_config rtc_cfg;
static struct vmm_region rtc_region;
static struct vmm_emudev ed;

/* A RAM region of the guest. */
static void add_ram(u64 gpa, u64 size)
{
	struct vmm_region_config *r = &gcfg.regions[gcfg.nr_regions++];

	snprintf(r->name, sizeof(r->name), "ram%u", gcfg.nr_regions);
	r->kind = VMM_REGION_RAM;
	r->gpa = gpa;
	r->size = size;
}

/* The PC guest of dts/guests/pc-guest.dtsi with 'ram' bytes of RAM. */
static void pc_ram(u64 ram)
{
	gcfg.nr_regions = 0;
	add_ram(0, 640 * KiB);
	add_ram(MiB, ram - MiB);
}

static void rtc_create(void)
{
	memset(&ed, 0, sizeof(ed));
	ed.guest = &guest;
	ed.region = &rtc_region;
	ed.emu = &mc146818_emulator;
	assert_int_equal(mc146818_emulator.probe(&ed), VMM_OK);
	assert_int_equal(mc146818_emulator.reset(&ed), VMM_OK);
}

static void rtc_destroy(void)
{
	if (ed.priv)
		mc146818_emulator.remove(&ed);
	ed.priv = NULL;
}

static u8 rd(u8 index)
{
	u64 v = 0x1234;

	assert_int_equal(mc146818_emulator.write(&ed, 0, 1, index), VMM_OK);
	assert_int_equal(mc146818_emulator.read(&ed, 1, 1, &v), VMM_OK);
	assert_true(v <= 0xFF);
	return (u8)v;
}

static void wr(u8 index, u8 value)
{
	assert_int_equal(mc146818_emulator.write(&ed, 0, 1, index), VMM_OK);
	assert_int_equal(mc146818_emulator.write(&ed, 1, 1, value), VMM_OK);
}

/* Seconds since 1970 of a UTC date, from the host's libc. */
static u64 utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	return (u64)timegm(&tm);
}

static u8 bcd(int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

/* Registers 0,2,4,6,7,8,9 and 0x32 hold the host's view of 'when' (24 h). */
static void expect_time(u64 when, bool binary)
{
	time_t t = (time_t)when;
	struct tm tm;
	u8 (*enc)(int) = bcd;
	int year;

	gmtime_r(&t, &tm);
	year = tm.tm_year + 1900;
	if (binary) {
		assert_int_equal(rd(0x00), tm.tm_sec);
		assert_int_equal(rd(0x02), tm.tm_min);
		assert_int_equal(rd(0x04), tm.tm_hour);
		assert_int_equal(rd(0x06), tm.tm_wday + 1);
		assert_int_equal(rd(0x07), tm.tm_mday);
		assert_int_equal(rd(0x08), tm.tm_mon + 1);
		assert_int_equal(rd(0x09), year % 100);
		assert_int_equal(rd(0x32), year / 100);
	} else {
		assert_int_equal(rd(0x00), enc(tm.tm_sec));
		assert_int_equal(rd(0x02), enc(tm.tm_min));
		assert_int_equal(rd(0x04), enc(tm.tm_hour));
		assert_int_equal(rd(0x06), enc(tm.tm_wday + 1));
		assert_int_equal(rd(0x07), enc(tm.tm_mday));
		assert_int_equal(rd(0x08), enc(tm.tm_mon + 1));
		assert_int_equal(rd(0x09), enc(year % 100));
		assert_int_equal(rd(0x32), enc(year / 100));
	}
}

/* Chain ticks (32.768 kHz) since the RTC was created -> host ns, as the
 * first nanosecond at which that tick has been reached. */
static u64 tick_ns(u64 ticks)
{
	return (ticks / 32768) * NSEC + ((ticks % 32768) * NSEC + 32767) / 32768;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_heap_reset();
	fake_now = 5 * NSEC;		/* the hypervisor has been up a while */
	fake_wall = 0;
	nr_events = timer_starts = timer_fired = 0;
	region_irq = 8;
	line = rising = other_irq_calls = 0;
	memset(&gcfg, 0, sizeof(gcfg));
	memset(&guest, 0, sizeof(guest));
	memset(&rtc_cfg, 0, sizeof(rtc_cfg));
	memset(&rtc_region, 0, sizeof(rtc_region));
	snprintf(guest.name, sizeof(guest.name), "g0");
	guest.config = &gcfg;
	snprintf(rtc_cfg.name, sizeof(rtc_cfg.name), "rtc");
	rtc_cfg.kind = VMM_REGION_VIRTUAL;
	rtc_cfg.io = true;
	rtc_cfg.gpa = 0x70;
	rtc_cfg.size = 2;
	rtc_region.cfg = &rtc_cfg;
	pc_ram(2 * MiB);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtc_destroy();
	assert_int_equal(fake_heap_live, 0);
	return 0;
}

/* ---- power on, registers A-D ---- */

static void test_power_on_registers(void **state)
{
	(void)state;
	rtc_create();
	assert_int_equal(rd(0x0A), 0x26);	/* 32.768 kHz, 1024 Hz rate */
	assert_int_equal(rd(0x0B), 0x02);	/* 24 h, BCD, no interrupts */
	assert_int_equal(rd(0x0C), 0x00);
	assert_int_equal(rd(0x0D), 0x80);	/* VRT */
	assert_int_equal(line, 0);
	assert_null(armed());
}

static void test_time_from_host_bcd(void **state)
{
	(void)state;
	fake_wall = utc(2024, 2, 29, 13, 45, 30) - 5;	/* +5 s of uptime */
	rtc_create();
	expect_time(utc(2024, 2, 29, 13, 45, 30), false);
	/* spelled out once: Thursday = 5 (Sunday = 1) */
	assert_int_equal(rd(0x00), 0x30);
	assert_int_equal(rd(0x02), 0x45);
	assert_int_equal(rd(0x04), 0x13);
	assert_int_equal(rd(0x06), 0x05);
	assert_int_equal(rd(0x07), 0x29);
	assert_int_equal(rd(0x08), 0x02);
	assert_int_equal(rd(0x09), 0x24);
	assert_int_equal(rd(0x32), 0x20);
}

static void test_time_without_host_clock(void **state)
{
	(void)state;
	rtc_create();
	/* 2000-01-01 00:00:00, a Saturday */
	expect_time(utc(2000, 1, 1, 0, 0, 0), false);
	assert_int_equal(rd(0x06), 7);
	advance(61 * NSEC);
	expect_time(utc(2000, 1, 1, 0, 1, 1), false);
}

static void test_binary_mode(void **state)
{
	(void)state;
	fake_wall = utc(2031, 12, 24, 18, 59, 7) - 5;
	rtc_create();
	wr(0x0B, 0x06);				/* DM = binary, 24 h */
	expect_time(utc(2031, 12, 24, 18, 59, 7), true);
	assert_int_equal(rd(0x04), 18);
	assert_int_equal(rd(0x32), 20);
	wr(0x0B, 0x02);
	assert_int_equal(rd(0x04), 0x18);
}

static void test_12_hour_mode(void **state)
{
	static const struct { int h; u8 bcd, bin; } hours[] = {
		{ 0, 0x12, 12 }, { 1, 0x01, 1 }, { 11, 0x11, 11 }, { 12, 0x92, 0x8C },
		{ 13, 0x81, 0x81 }, { 23, 0x91, 0x8B },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(hours); i++) {
		fake_wall = utc(2010, 6, 1, hours[i].h, 0, 0) - 5;
		fake_now = 5 * NSEC;
		rtc_create();
		wr(0x0B, 0x00);			/* 12 h, BCD */
		assert_int_equal(rd(0x04), hours[i].bcd);
		wr(0x0B, 0x04);			/* 12 h, binary */
		assert_int_equal(rd(0x04), hours[i].bin);
		rtc_destroy();
		nr_events = 0;
	}
}

/* ---- counting ---- */

static void test_counts_seconds_days_months_years(void **state)
{
	(void)state;
	fake_wall = utc(1999, 12, 31, 23, 59, 58) - 5;
	rtc_create();
	expect_time(utc(1999, 12, 31, 23, 59, 58), false);
	advance(NSEC);
	expect_time(utc(1999, 12, 31, 23, 59, 59), false);
	advance(NSEC);
	/* the century byte counts with the year, like the DS12C887's */
	expect_time(utc(2000, 1, 1, 0, 0, 0), false);
	assert_int_equal(rd(0x32), 0x20);
	/* leap day of a 400-year century, then a long stretch */
	advance((u64)(utc(2000, 2, 28, 23, 59, 59) - utc(2000, 1, 1, 0, 0, 0)) * NSEC);
	expect_time(utc(2000, 2, 28, 23, 59, 59), false);
	advance(NSEC);
	expect_time(utc(2000, 2, 29, 0, 0, 0), false);
	advance(400ULL * 86400 * NSEC + 3 * NSEC);
	expect_time(utc(2000, 2, 29, 0, 0, 3) + 400ULL * 86400, false);
}

static void test_century_without_leap_day(void **state)
{
	(void)state;
	fake_wall = utc(2100, 2, 28, 23, 59, 59) - 5;
	rtc_create();
	wr(0x0B, 0x06);
	advance(NSEC);
	expect_time(utc(2100, 3, 1, 0, 0, 0), true);
	assert_int_equal(rd(0x08), 3);
	assert_int_equal(rd(0x32), 21);
}

static void test_within_a_second_no_change(void **state)
{
	(void)state;
	fake_wall = utc(2020, 1, 1, 0, 0, 0) - 5;
	rtc_create();
	/* the chain started at creation: updates at +1 s, +2 s, ... */
	advance(999 * MSEC);
	assert_int_equal(rd(0x00), 0x00);
	advance(MSEC);
	assert_int_equal(rd(0x00), 0x01);
}

/* ---- SET and writing the time ---- */

static void test_set_stops_and_time_written(void **state)
{
	(void)state;
	fake_wall = utc(2020, 5, 5, 5, 5, 5) - 5;
	rtc_create();
	wr(0x0B, 0x82 | 0x10);			/* SET with UIE: SET clears UIE */
	assert_int_equal(rd(0x0B), 0x82);
	advance(3 * NSEC);
	assert_int_equal(rd(0x00), 0x05);	/* stopped */
	/* set 2009-07-15 (a Wednesday = 4) 22:33:44 */
	wr(0x00, 0x44);
	wr(0x02, 0x33);
	wr(0x04, 0x22);
	wr(0x06, 0x04);
	wr(0x07, 0x15);
	wr(0x08, 0x07);
	wr(0x09, 0x09);
	wr(0x32, 0x20);
	advance(5 * NSEC + 300 * MSEC);		/* 8.3 s after creation */
	assert_int_equal(rd(0x00), 0x44);	/* SET: the written value stays */
	wr(0x0B, 0x02);
	expect_time(utc(2009, 7, 15, 22, 33, 44), false);
	/* the divider kept its phase: the next update is 9 s after creation */
	advance(699 * MSEC);
	assert_int_equal(rd(0x00), 0x44);
	advance(MSEC);
	expect_time(utc(2009, 7, 15, 22, 33, 45), false);
}

static void test_set_writes_order_independent(void **state)
{
	(void)state;
	fake_wall = utc(2021, 2, 10, 0, 0, 0) - 5;
	rtc_create();
	wr(0x0B, 0x86);				/* SET, binary */
	/* day 31 first, while the month is still February */
	wr(0x07, 31);
	wr(0x08, 1);
	wr(0x0B, 0x06);
	assert_int_equal(rd(0x07), 31);
	assert_int_equal(rd(0x08), 1);
}

static void test_write_while_running(void **state)
{
	(void)state;
	fake_wall = utc(2022, 8, 8, 8, 8, 8) - 5;
	rtc_create();
	advance(500 * MSEC);
	wr(0x02, 0x30);				/* minutes only, SET = 0 */
	expect_time(utc(2022, 8, 8, 8, 30, 8), false);
	advance(500 * MSEC);
	expect_time(utc(2022, 8, 8, 8, 30, 9), false);
}

static void test_weekday_counts_independently(void **state)
{
	(void)state;
	fake_wall = utc(2022, 8, 8, 23, 59, 59) - 5;	/* a Monday */
	rtc_create();
	wr(0x0B, 0x82);
	wr(0x06, 0x07);				/* the chip believes whatever it is told */
	wr(0x0B, 0x02);
	advance(NSEC);
	assert_int_equal(rd(0x06), 0x01);	/* 7 -> 1 */
	advance(86400 * NSEC);
	assert_int_equal(rd(0x06), 0x02);
}

static void test_invalid_values_clamped(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0B, 0x82);
	wr(0x00, 0x75);				/* 75 seconds */
	wr(0x08, 0x13);				/* month 13 */
	wr(0x07, 0x30);				/* Feb 30 does not exist ... */
	wr(0x08, 0x02);
	wr(0x0B, 0x02);
	assert_int_equal(rd(0x00), 0x59);
	/* ... and becomes March 1 (2000 is a leap year) */
	assert_int_equal(rd(0x08), 0x03);
	assert_int_equal(rd(0x07), 0x01);
}

static void test_dm_change_shows_same_time(void **state)
{
	(void)state;
	fake_wall = utc(2019, 11, 30, 17, 45, 59) - 5;
	rtc_create();
	wr(0x0B, 0x04);				/* binary, 12 h */
	assert_int_equal(rd(0x04), 0x85);	/* 5 PM */
	assert_int_equal(rd(0x00), 59);
	/* SET together with a change of form: the time is kept in the new form */
	wr(0x0B, 0x82);
	assert_int_equal(rd(0x04), 0x17);
	assert_int_equal(rd(0x00), 0x59);
}

static void test_set_bytes_read_in_form_at_clear(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0B, 0x82);				/* SET, BCD */
	wr(0x04, 0x13);				/* meant as 13 h in BCD ... */
	wr(0x0B, 0x86);				/* ... but binary when SET clears */
	assert_int_equal(rd(0x04), 0x13);	/* held as written */
	wr(0x0B, 0x06);
	assert_int_equal(rd(0x04), 19);		/* 0x13 read as binary */
}

/* ---- register A ---- */

static void test_uip_window(void **state)
{
	(void)state;
	fake_now = 0;
	rtc_create();
	/* UIP goes up 8 ticks (244.1 us) before each update */
	advance_to(tick_ns(32760) - 1);
	assert_int_equal(rd(0x0A), 0x26);
	advance_to(tick_ns(32760));
	assert_int_equal(rd(0x0A), 0xA6);
	assert_int_equal(rd(0x00), 0x00);	/* the update has not happened */
	advance_to(NSEC - 1);
	assert_int_equal(rd(0x0A), 0xA6);
	advance_to(NSEC);
	assert_int_equal(rd(0x0A), 0x26);
	assert_int_equal(rd(0x00), 0x01);
	/* no updates with SET: no UIP either */
	advance_to(2 * NSEC - 100 * USEC);
	assert_int_equal(rd(0x0A), 0xA6);
	wr(0x0B, 0x82);
	assert_int_equal(rd(0x0A), 0x26);
}

static void test_register_a_uip_read_only(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0A, 0xAF);				/* UIP written as 1 */
	assert_int_equal(rd(0x0A), 0x2F);
	wr(0x0A, 0x20);
	assert_int_equal(rd(0x0A), 0x20);
}

static void test_divider_reset(void **state)
{
	(void)state;
	fake_now = 0;
	rtc_create();
	advance_to(300 * MSEC);
	wr(0x0A, 0x60);				/* DV = 110: chain in reset; no periodic */
	(void)rd(0x0C);
	advance_to(5 * NSEC - 100 * USEC);
	assert_int_equal(rd(0x00), 0x00);	/* stopped */
	assert_int_equal(rd(0x0A), 0x60);	/* no UIP */
	advance_to(5 * NSEC);
	assert_int_equal(rd(0x0C), 0x00);	/* and no flags */
	wr(0x0A, 0x20);				/* released at 5 s ... */
	advance_to(5 * NSEC + 500 * MSEC - 1);
	assert_int_equal(rd(0x00), 0x00);
	advance_to(5 * NSEC + 500 * MSEC);	/* ... first update 500 ms later */
	assert_int_equal(rd(0x00), 0x01);
	assert_int_equal(rd(0x0C), 0x10);	/* UF */
	advance_to(6 * NSEC + 500 * MSEC);
	assert_int_equal(rd(0x00), 0x02);
}

static void test_divider_reset_stops_periodic(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0B, 0x42);				/* PIE */
	assert_non_null(armed());
	wr(0x0A, 0x76);				/* DV = 111 */
	assert_null(armed());
	advance(100 * MSEC);
	assert_int_equal(rd(0x0C), 0x00);
	assert_int_equal(line, 0);
}

/* ---- periodic interrupt ---- */

static void test_periodic_rates_table(void **state)
{
	/* MC146818A table 4, 32.768 kHz time base: period in chain ticks */
	static const u64 ticks[16] = { 0, 128, 256, 4, 8, 16, 32, 64, 128, 256,
				       512, 1024, 2048, 4096, 8192, 16384 };

	(void)state;
	fake_now = 0;
	rtc_create();
	for (u32 rs = 0; rs < 16; rs++) {
		u64 start = fake_now;

		wr(0x0A, 0x20 | rs);
		wr(0x0B, 0x42);			/* PIE */
		(void)rd(0x0C);
		if (!ticks[rs]) {
			assert_null(armed());
			continue;
		}
		/* the chain is at a multiple of every period here */
		assert_non_null(armed());
		assert_int_equal(armed()->expiry_ns - start,
				 tick_ns(start * 32768 / NSEC + ticks[rs]) - start);
		advance_to(armed()->expiry_ns - 1);
		assert_int_equal(line, 0);
		advance(1);
		assert_int_equal(line, 1);
		assert_int_equal(rd(0x0C), 0xC0);	/* IRQF PF */
		assert_int_equal(line, 0);
		wr(0x0B, 0x02);
		advance_to((fake_now / NSEC + 1) * NSEC);	/* back to a second boundary */
		(void)rd(0x0C);
	}
}

static void test_periodic_1024hz_count(void **state)
{
	(void)state;
	fake_now = 0;
	rtc_create();
	wr(0x0B, 0x42);
	/* the guest's handler: read C on every interrupt */
	for (int i = 0; i < 1024; i++) {
		int before = rising;

		assert_non_null(armed());
		advance_to(armed()->expiry_ns);
		assert_int_equal(rising, before + 1);
		assert_int_equal(rd(0x0C) & 0xC0, 0xC0);
	}
	assert_int_equal(fake_now, NSEC);
	assert_int_equal(rising, 1024);
}

/*
 * Issue 10, finding 2: rate 3 (8192 Hz, 122 us) with a handler that reads C
 * at once asked for a timer event every 122 us. The event is never armed
 * closer than VMM_TIMER_MIN_PERIOD_NS (200 us) to its previous firing: 10 ms
 * bring 50 interrupts, not 81, and PF still reports the periods passed.
 */
static void test_periodic_min_period(void **state)
{
	u64 prev = 0;

	(void)state;
	fake_now = 0;
	rtc_create();
	wr(0x0A, 0x23);			/* rate 3: 8192 Hz */
	wr(0x0B, 0x42);			/* PIE */
	(void)rd(0x0C);
	while (armed() && armed()->expiry_ns <= 10 * MSEC) {
		int before = rising;

		advance_to(armed()->expiry_ns);
		assert_int_equal(rising, before + 1);
		if (prev)
			assert_true(fake_now - prev >= 200 * USEC);
		prev = fake_now;
		assert_int_equal(rd(0x0C) & 0xC0, 0xC0);
	}
	if (rising < 49 || rising > 51)
		fprintf(stderr, "rate 3: %d interrupts in 10 ms\n", rising);
	assert_true(rising >= 49 && rising <= 51);
	assert_int_equal(fake_console_count("RTC periodic interrupt every 122070 ns is below the 200 us minimum"), 1);
}

static void test_pf_without_pie_no_interrupt(void **state)
{
	(void)state;
	rtc_create();
	/* rate 6 by default: PF is set, but nothing is armed or raised */
	assert_null(armed());
	advance(2 * MSEC);
	assert_int_equal(line, 0);
	assert_int_equal(rd(0x0C), 0x40);
	assert_int_equal(rd(0x0C), 0x00);	/* cleared by the read */
	advance(2 * MSEC);
	/* enabling PIE with PF pending raises IRQF at once */
	wr(0x0B, 0x42);
	assert_int_equal(line, 1);
	assert_int_equal(rd(0x0C), 0xC0);
	assert_int_equal(line, 0);
}

static void test_irqf_stays_until_c_read(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0B, 0x42);
	advance(MSEC);
	assert_int_equal(line, 1);
	assert_int_equal(rising, 1);
	/* the line is high: no more timer until C is read */
	assert_null(armed());
	advance(10 * MSEC);
	assert_int_equal(rising, 1);
	assert_int_equal(rd(0x0C), 0xC0);
	assert_int_equal(line, 0);
	assert_non_null(armed());
}

/* ---- update-ended interrupt ---- */

static void test_update_interrupt(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 3, 3, 3);
	rtc_create();
	advance_to(250 * MSEC);
	wr(0x0B, 0x12);				/* UIE */
	assert_non_null(armed());
	assert_int_equal(armed()->expiry_ns, NSEC);
	advance_to(NSEC);
	assert_int_equal(line, 1);
	assert_int_equal(rd(0x00), 0x04);
	assert_int_equal(rd(0x0C), 0x90 | 0x40);	/* IRQF UF (PF from rate 6) */
	for (int s = 2; s <= 5; s++) {
		advance_to(armed()->expiry_ns);
		assert_int_equal(fake_now, s * NSEC);
		assert_int_equal(rd(0x0C) & 0x90, 0x90);
	}
	assert_int_equal(rising, 5);
}

static void test_uf_polled_without_uie(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0A, 0x20);				/* no periodic */
	(void)rd(0x0C);
	advance(999 * MSEC);
	assert_int_equal(rd(0x0C), 0x00);
	advance(MSEC);
	assert_int_equal(rd(0x0C), 0x10);
	assert_int_equal(line, 0);
	assert_null(armed());
	/* SET: no update, no UF */
	wr(0x0B, 0x82);
	advance(3 * NSEC);
	assert_int_equal(rd(0x0C), 0x00);
}

/* ---- alarm ---- */

static void test_alarm_exact(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 13, 45, 30);
	rtc_create();
	wr(0x0A, 0x20);
	wr(0x01, 0x35);
	wr(0x03, 0x45);
	wr(0x05, 0x13);
	assert_null(armed());			/* AIE off */
	wr(0x0B, 0x22);				/* AIE */
	assert_non_null(armed());
	assert_int_equal(armed()->expiry_ns, 5 * NSEC);
	advance_to(5 * NSEC - 1);
	assert_int_equal(line, 0);
	advance_to(5 * NSEC);
	assert_int_equal(line, 1);
	assert_int_equal(rd(0x0C), 0xB0);	/* IRQF AF UF */
	assert_int_equal(rd(0x00), 0x35);
	/* next match a day later */
	assert_non_null(armed());
	assert_int_equal(armed()->expiry_ns, (5 + 86400) * NSEC);
}

static void test_alarm_polled_and_missed_window(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 10, 0, 0);
	rtc_create();
	wr(0x0A, 0x20);
	wr(0x01, 0x10);
	wr(0x03, 0x00);
	wr(0x05, 0x10);				/* 10:00:10 */
	advance_to(9 * NSEC);
	assert_int_equal(rd(0x0C) & 0x20, 0);
	/* the match happened between two reads: AF is still seen */
	advance_to(30 * NSEC);
	assert_int_equal(rd(0x0C), 0x30);
	assert_int_equal(line, 0);
	/* after a whole day without a read */
	advance_to(30 * NSEC + 86400 * NSEC);
	assert_int_equal(rd(0x0C) & 0x20, 0x20);
}

static void test_alarm_dont_care(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 10, 20, 30);
	rtc_create();
	wr(0x0A, 0x20);
	/* once a minute at second 00: hours and minutes don't care */
	wr(0x05, 0xC0);
	wr(0x03, 0xFF);
	wr(0x01, 0x00);
	wr(0x0B, 0x22);
	assert_int_equal(armed()->expiry_ns, 30 * NSEC);
	advance_to(30 * NSEC);
	assert_int_equal(rd(0x0C), 0xB0);
	assert_int_equal(armed()->expiry_ns, 90 * NSEC);
	/* every second: all three don't care */
	wr(0x01, 0xC3);
	assert_int_equal(armed()->expiry_ns, 31 * NSEC);
	/* once an hour at minute 21 second 05 */
	wr(0x01, 0x05);
	wr(0x03, 0x21);
	assert_int_equal(armed()->expiry_ns, 35 * NSEC);
	/* hours specified, minutes and seconds don't care: every second of 11 h */
	wr(0x05, 0x11);
	wr(0x03, 0xC0);
	wr(0x01, 0xC0);
	assert_int_equal(armed()->expiry_ns, (30 + 39 * 60) * NSEC);
}

static void test_alarm_12_hour(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 12, 59, 58);
	rtc_create();
	wr(0x0A, 0x20);
	wr(0x0B, 0x20);				/* 12 h BCD, AIE */
	wr(0x05, 0x81);				/* 1 PM */
	wr(0x03, 0x00);
	wr(0x01, 0x00);
	assert_int_equal(armed()->expiry_ns, 2 * NSEC);
	wr(0x05, 0x01);				/* 1 AM: twelve hours later */
	assert_int_equal(armed()->expiry_ns, (2 + 12 * 3600) * NSEC);
	wr(0x05, 0x13);				/* no 13 o'clock in 12 h mode */
	assert_null(armed());
}

static void test_alarm_never_matching(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0A, 0x20);
	wr(0x01, 0x60);				/* 60 seconds */
	wr(0x03, 0x00);
	wr(0x05, 0x00);
	wr(0x0B, 0x22);
	assert_null(armed());
	wr(0x01, 0x0A);				/* not BCD */
	assert_null(armed());
	wr(0x01, 0x00);
	assert_non_null(armed());
	advance(2 * 86400 * NSEC);
	wr(0x01, 0x3C);				/* 60 in binary mode: also never */
	wr(0x0B, 0x26);
	(void)rd(0x0C);
	assert_null(armed());
}

static void test_no_alarm_or_update_while_set(void **state)
{
	(void)state;
	fake_now = 0;
	fake_wall = utc(2023, 3, 3, 10, 0, 0);
	rtc_create();
	wr(0x0A, 0x20);
	wr(0x01, 0x02);
	wr(0x03, 0x00);
	wr(0x05, 0x10);
	wr(0x0B, 0xA2);				/* SET and AIE */
	assert_null(armed());
	advance(5 * NSEC);
	assert_int_equal(rd(0x0C), 0x00);
}

/* ---- registers C and D ---- */

static void test_register_c_and_d_read_only(void **state)
{
	(void)state;
	rtc_create();
	wr(0x0D, 0x00);
	assert_int_equal(rd(0x0D), 0x80);
	wr(0x0C, 0xF0);
	assert_int_equal(rd(0x0C), 0x00);
	assert_int_equal(line, 0);
}

static void test_no_interrupt_line(void **state)
{
	(void)state;
	region_irq = -1;
	rtc_create();
	wr(0x0B, 0x72);				/* PIE AIE UIE */
	assert_null(armed());
	advance(2 * NSEC);
	/* the flags and IRQF still work */
	assert_int_equal(rd(0x0C), 0xD0);
	assert_int_equal(line, 0);
	assert_int_equal(other_irq_calls, 0);
}

/* ---- index port, CMOS RAM, memory sizes ---- */

static void test_index_port(void **state)
{
	u64 v = 0;

	(void)state;
	rtc_create();
	wr(0x40, 0x5A);
	/* bit 7 is the NMI mask: index 0xC0 is byte 0x40 */
	assert_int_equal(rd(0xC0), 0x5A);
	assert_int_equal(mc146818_emulator.read(&ed, 0, 1, &v), VMM_OK);
	assert_int_equal(v, 0xFF);		/* write-only on a PC */
}

static void test_cmos_ram_and_reset(void **state)
{
	(void)state;
	fake_wall = utc(2024, 1, 1, 0, 0, 0) - 5;
	rtc_create();
	for (u32 i = 0x0E; i < 0x80; i++)
		if (i != 0x32)
			wr((u8)i, (u8)(i ^ 0xA5));
	for (u32 i = 0x0E; i < 0x80; i++)
		if (i != 0x32)
			assert_int_equal(rd((u8)i), (u8)(i ^ 0xA5));
	wr(0x0B, 0x7E);				/* PIE AIE UIE SQWE DM 24h */
	advance(2 * NSEC);
	assert_int_equal(line, 1);
	/* guest reset = the RESET pin */
	assert_int_equal(mc146818_emulator.reset(&ed), VMM_OK);
	assert_int_equal(line, 0);
	assert_int_equal(rd(0x0B), 0x06);
	assert_int_equal(rd(0x0C), 0x00);
	assert_int_equal(rd(0x0A), 0x26);
	expect_time(utc(2024, 1, 1, 0, 0, 2), true);
	/* RAM kept, but for the memory-size bytes written again */
	assert_int_equal(rd(0x0E), 0x0E ^ 0xA5);
	assert_int_equal(rd(0x7F), 0x7F ^ 0xA5);
	assert_int_equal(rd(0x14), 0x14 ^ 0xA5);
	assert_int_equal(rd(0x15), 0x80);
	assert_int_equal(rd(0x33), 0x33 ^ 0xA5);
}

static u32 word(u8 lo)
{
	return rd(lo) | (u32)rd(lo + 1) << 8;
}

static void test_memory_size_bytes(void **state)
{
	static const struct { u64 ram; u32 ext, high; } cases[] = {
		{ 2 * MiB, 1024, 0 },
		{ 20 * MiB, 19 * 1024, 64 },
		{ 64 * MiB, 63 * 1024, 48 * 16 },
		{ 65 * MiB + 1 * KiB, 0xFFFF, 49 * 16 },	/* 64 MiB + 1 KiB: capped at 64 MiB - 1 KiB */
		{ 128 * MiB, 0xFFFF, 112 * 16 },
		{ 8 * GiB, 0xFFFF, 0xFFFF },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		pc_ram(cases[i].ram);
		rtc_create();
		assert_int_equal(word(0x15), 640);
		assert_int_equal(word(0x17), cases[i].ext);
		assert_int_equal(word(0x30), cases[i].ext);
		assert_int_equal(word(0x34), cases[i].high);
		rtc_destroy();
		nr_events = 0;
	}
}

static void test_memory_size_odd_layouts(void **state)
{
	(void)state;
	/* 512 KiB base memory; extended RAM in two touching regions; a ROM
	 * and an I/O region do not count */
	gcfg.nr_regions = 0;
	add_ram(0, 512 * KiB);
	add_ram(MiB, 3 * MiB);
	add_ram(4 * MiB, 28 * MiB);
	gcfg.regions[gcfg.nr_regions] = gcfg.regions[0];
	gcfg.regions[gcfg.nr_regions].kind = VMM_REGION_ROM;
	gcfg.regions[gcfg.nr_regions].gpa = 32 * MiB;
	gcfg.regions[gcfg.nr_regions++].size = MiB;
	gcfg.regions[gcfg.nr_regions] = gcfg.regions[0];
	gcfg.regions[gcfg.nr_regions].io = true;
	gcfg.regions[gcfg.nr_regions].gpa = 0;
	gcfg.regions[gcfg.nr_regions++].size = 0x10000;
	rtc_create();
	assert_int_equal(word(0x15), 512);
	assert_int_equal(word(0x17), 31 * 1024);
	assert_int_equal(word(0x34), 16 * 16);
	rtc_destroy();
	/* nothing at 1 MiB: no extended memory */
	gcfg.nr_regions = 0;
	add_ram(0, 640 * KiB);
	add_ram(2 * MiB, 30 * MiB);
	nr_events = 0;
	rtc_create();
	assert_int_equal(word(0x17), 0);
	assert_int_equal(word(0x30), 0);
	assert_int_equal(word(0x34), 16 * 16);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	memset(&ed, 0, sizeof(ed));
	ed.guest = &guest;
	ed.region = &rtc_region;
	ed.emu = &mc146818_emulator;
	fake_heap_fail_nth(1);
	assert_int_equal(mc146818_emulator.probe(&ed), -VMM_ENOMEM);
	assert_null(ed.priv);
}

static void test_emulator_table_entry(void **state)
{
	(void)state;
	assert_string_equal(mc146818_emulator.name, "mc146818");
	assert_string_equal(mc146818_emulator.compatible[0], "mc146818");
	assert_non_null(mc146818_emulator.remove);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_power_on_registers),
		T(test_time_from_host_bcd),
		T(test_time_without_host_clock),
		T(test_binary_mode),
		T(test_12_hour_mode),
		T(test_counts_seconds_days_months_years),
		T(test_century_without_leap_day),
		T(test_within_a_second_no_change),
		T(test_set_stops_and_time_written),
		T(test_set_writes_order_independent),
		T(test_write_while_running),
		T(test_weekday_counts_independently),
		T(test_invalid_values_clamped),
		T(test_dm_change_shows_same_time),
		T(test_set_bytes_read_in_form_at_clear),
		T(test_uip_window),
		T(test_register_a_uip_read_only),
		T(test_divider_reset),
		T(test_divider_reset_stops_periodic),
		T(test_periodic_rates_table),
		T(test_periodic_1024hz_count),
		T(test_periodic_min_period),
		T(test_pf_without_pie_no_interrupt),
		T(test_irqf_stays_until_c_read),
		T(test_update_interrupt),
		T(test_uf_polled_without_uie),
		T(test_alarm_exact),
		T(test_alarm_polled_and_missed_window),
		T(test_alarm_dont_care),
		T(test_alarm_12_hour),
		T(test_alarm_never_matching),
		T(test_no_alarm_or_update_while_set),
		T(test_register_c_and_d_read_only),
		T(test_no_interrupt_line),
		T(test_index_port),
		T(test_cmos_ram_and_reset),
		T(test_memory_size_bytes),
		T(test_memory_size_odd_layouts),
		T(test_out_of_memory),
		T(test_emulator_table_entry),
	};

	return cmocka_run_group_tests_name("mc146818", tests, NULL, NULL);
}
