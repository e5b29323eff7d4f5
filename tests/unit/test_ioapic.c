/*
 * tests/unit/test_ioapic.c - the IO-APIC device (devemu/ioapic.c) in a PC
 * guest: its MMIO window through vmm_devemu_mmio_read()/write() as the VMX
 * exit handler makes them, the wiring of ISA lines to pins (line 0 -> pin 2,
 * line 2 and pin 0 unconnected), the 8259A pair still taking the same
 * lines, the "taken" reports that keep the PIT's coalescing going once the
 * guest masks the PIC (with the real PIT on a fake clock), level lines and
 * EOIs through the APIC bus (a UART's THRE interrupt held until serviced),
 * reset, and the regions refused at probe.
 *
 * The guest is tests/unit/devemu_fixture.h's; the APIC bus
 * (devemu/apic_bus.h) is faked here: it records every message, accepts it
 * on 'bus_accept' LAPICs and keeps the EOI listener so the test can play a
 * LAPIC's EOI. kernel/timer.h is faked as in test_i8254.c (this object is
 * linked before the kernel archive): time moves only in advance_to().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/devemu_fixture.h"
#include "devemu/apic_bus.h"
#include "devemu/ioapic_model.h"
#include "kernel/timer.h"
#include "kernel/printk.h"

VMM_EMULATOR_USE(ioapic_emulator);
VMM_EMULATOR_USE(i8254_emulator);

#define IOAPIC_BASE 0xFEC00000ull
#define NSEC 1000000000ULL
#define MSEC 1000000ULL

/* ---- fake kernel/timer.h (as test_i8254.c) ---- */

static u64 fake_now;
#define MAX_EVENTS 8
static struct vmm_timer_event *events[MAX_EVENTS];
static int nr_events;
static long timer_fired;

u64 vmm_timer_now_ns(void)
{
	return fake_now;
}

u64 vmm_timer_wallclock_sec(void)
{
	return 0;
}

void vmm_timer_event_init(struct vmm_timer_event *ev, vmm_timer_handler_t handler, void *priv)
{
	memset(ev, 0, sizeof(*ev));
	ev->handler = handler;
	ev->priv = priv;
	for (int i = 0; i < nr_events; i++)
		if (events[i] == ev)
			return;
	if (nr_events < MAX_EVENTS)
		events[nr_events++] = ev;
}

void vmm_timer_event_start(struct vmm_timer_event *ev, u64 expiry_ns)
{
	ev->expiry_ns = expiry_ns;
	ev->active = true;
}

void vmm_timer_event_stop(struct vmm_timer_event *ev)
{
	ev->active = false;
}

/* Move time to t, firing due events in order (a runaway loop fails). */
static void advance_to(u64 t)
{
	long guard = 0;

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
		else if (guard)
			fake_now++;
		if (fake_now > t)
			break;
		first->active = false;
		timer_fired++;
		first->handler(first);
		if (++guard > 1000000)
			fail_msg("timer events loop at %llu ns", (unsigned long long)fake_now);
	}
	fake_now = t;
}

static void advance(u64 d)
{
	advance_to(fake_now + d);
}

/* ---- fake APIC bus ---- */

#define MAX_MSGS 4096
static struct fx fx;
static struct vmm_apic_msg bus_msgs[MAX_MSGS];
static u32 bus_nr;
static u32 bus_accept;
static vmm_apic_eoi_fn eoi_fn;
static void *eoi_priv;
static int eoi_listens, eoi_unlistens;

u32 vmm_apic_bus_deliver(struct vmm_guest *guest, const struct vmm_apic_msg *msg)
{
	assert_ptr_equal(guest, fx.guest);
	if (bus_nr < MAX_MSGS)
		bus_msgs[bus_nr] = *msg;
	bus_nr++;
	return bus_accept;
}

int vmm_apic_bus_eoi_listen(struct vmm_guest *guest, vmm_apic_eoi_fn fn, void *priv)
{
	assert_ptr_equal(guest, fx.guest);
	if (eoi_fn)
		return -VMM_EEXIST;
	eoi_fn = fn;
	eoi_priv = priv;
	eoi_listens++;
	return VMM_OK;
}

void vmm_apic_bus_eoi_unlisten(struct vmm_guest *guest, void *priv)
{
	if (eoi_fn && priv == eoi_priv) {
		eoi_fn = NULL;
		eoi_priv = NULL;
		eoi_unlistens++;
	}
	(void)guest;
}

bool vmm_apic_bus_present(struct vmm_guest *guest)
{
	(void)guest;
	return true;
}

/* A LAPIC EOIs level-triggered 'vector'. */
static void lapic_eoi(u8 vector)
{
	assert_non_null(eoi_fn);
	eoi_fn(eoi_priv, vector);
}

/* ---- the guest ---- */

static const struct fx_region regions[] = {
	{ "pic_master", 0x20, 2, "i8259a", -1 },
	{ "pic_slave", 0xA0, 2, "i8259a", 2 },
	{ "elcr", 0x4D0, 2, "intel,elcr", -1 },
	{ "uart0", 0x3F8, 8, "ns16550a", 4 },
	{ "pit", 0x40, 4, "i8254", 0 },
	{ "ioapic", 0xFEC00000, 0x1000, "x86,ioapic", -1 },
};
#define NR_REGIONS (sizeof(regions) / sizeof(regions[0]))

/* "taken" reports devemu passes on, per line */
static long taken[16];

static void count_taken(void *priv)
{
	taken[(uintptr_t)priv]++;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_console_reset();
	nr_events = 0;
	timer_fired = 0;
	fake_now = 5 * NSEC;
	bus_nr = 0;
	bus_accept = 1;
	eoi_fn = NULL;
	eoi_priv = NULL;
	eoi_listens = eoi_unlistens = 0;
	memset(taken, 0, sizeof(taken));
	if (fx_create(&fx, "g", regions, NR_REGIONS) != VMM_OK)
		return -1;
	/* after the PIT's own listener (it registers at probe) */
	if (vmm_devemu_irq_taken_listen(fx.guest, 0, count_taken, (void *)0) ||
	    vmm_devemu_irq_taken_listen(fx.guest, 4, count_taken, (void *)4) ||
	    vmm_devemu_irq_taken_listen(fx.guest, 9, count_taken, (void *)9))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_destroy(&fx);
	assert_null(eoi_fn);	/* remove left the bus */
	return 0;
}

/* ---- guest-side access ---- */

static void mmio_wr(u64 off, u32 width, u32 v)
{
	assert_int_equal(vmm_devemu_mmio_write(fx.guest, IOAPIC_BASE + off, width, v), VMM_OK);
}

static u32 mmio_rd(u64 off, u32 width)
{
	u64 v = 0xDEADBEEF;

	assert_int_equal(vmm_devemu_mmio_read(fx.guest, IOAPIC_BASE + off, width, &v), VMM_OK);
	return (u32)v;
}

static u32 rd(u32 index)
{
	mmio_wr(IOAPIC_IOREGSEL, 4, index);
	return mmio_rd(IOAPIC_IOWIN, 4);
}

static void wr(u32 index, u32 v)
{
	mmio_wr(IOAPIC_IOREGSEL, 4, index);
	mmio_wr(IOAPIC_IOWIN, 4, v);
}

static void set_rte(u32 pin, u64 rte)
{
	wr(IOAPIC_REG_REDTBL + 2 * pin + 1, (u32)(rte >> 32));
	wr(IOAPIC_REG_REDTBL + 2 * pin, (u32)rte);
}

static void out8(u16 port, u8 v)
{
	assert_int_equal(vmm_devemu_io_write(fx.guest, port, 1, v), VMM_OK);
}

static u8 in8(u16 port)
{
	u32 v = 0xDEADBEEF;

	assert_int_equal(vmm_devemu_io_read(fx.guest, port, 1, &v), VMM_OK);
	return (u8)v;
}

/* The PIC pair initialised as Linux does, then every line masked (the OS
 * has switched to the IO-APIC). */
static void pic_init_masked(void)
{
	out8(0x20, 0x11); out8(0x21, 0x20); out8(0x21, 0x04); out8(0x21, 0x01);
	out8(0xA0, 0x11); out8(0xA1, 0x28); out8(0xA1, 0x02); out8(0xA1, 0x01);
	out8(0x21, 0xFF);
	out8(0xA1, 0xFF);
}

/* ---- tests ---- */

/* The window at 0xFEC00000: version, the ID (the guest's VCPU count: 0 in
 * the fixture's config), every pin masked; the EOI listener registered. */
static void test_probe_and_registers(void **state)
{
	(void)state;
	assert_int_equal(eoi_listens, 1);
	assert_int_equal(rd(IOAPIC_REG_VER), 0x00170011);
	assert_int_equal(rd(IOAPIC_REG_ID), 0);
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++) {
		assert_int_equal(rd(IOAPIC_REG_REDTBL + 2 * p), 0x10000);
		assert_int_equal(rd(IOAPIC_REG_REDTBL + 2 * p + 1), 0);
	}
	mmio_wr(IOAPIC_IOREGSEL, 4, 0x21);
	assert_int_equal(mmio_rd(IOAPIC_IOREGSEL, 4), 0x21);
	wr(0x10, 0x31);
	assert_int_equal(rd(0x10), 0x31);
}

/* Other offsets and widths read 0, change nothing, and are reported once. */
static void test_bad_access_reported_once(void **state)
{
	(void)state;
	wr(0x12, 0x10033);
	mmio_wr(IOAPIC_IOREGSEL, 4, 0x12);
	assert_int_equal(mmio_rd(0x20, 4), 0);
	assert_int_equal(mmio_rd(IOAPIC_IOWIN, 2), 0);
	mmio_wr(IOAPIC_IOWIN, 8, 0x34);
	mmio_wr(0xFFC, 4, 0x34);
	assert_int_equal(rd(0x12), 0x10033);
	assert_int_equal(fake_console_count("guest g: ioapic: "), 1);
	assert_true(fake_console_contains("4-byte read at offset 0x20 ignored"));
}

/* ISA line n -> pin n, line 0 -> pin 2; line 2 reaches no pin, and pin 0
 * and pins 16-23 no line. */
static void test_line_to_pin(void **state)
{
	(void)state;
	for (u32 p = 0; p < IOAPIC_NR_PINS; p++)
		set_rte(p, 0x40 + p);
	for (u32 line = 0; line < 32; line++) {
		u32 before = bus_nr;

		vmm_devemu_pulse_irq(fx.guest, line);
		if (line == 2 || line >= 16) {
			assert_int_equal(bus_nr, before);
			continue;
		}
		assert_int_equal(bus_nr, before + 1);
		assert_int_equal(bus_msgs[before].vector, 0x40 + (line ? line : 2));
	}
	/* set_irq the same way, rise only */
	bus_nr = 0;
	vmm_devemu_set_irq(fx.guest, 0, 1);
	vmm_devemu_set_irq(fx.guest, 0, 1);
	vmm_devemu_set_irq(fx.guest, 0, 0);
	assert_int_equal(bus_nr, 1);
	assert_int_equal(bus_msgs[0].vector, 0x42);
}

/* The 8259A pair keeps the same lines: with the IO-APIC's pins masked (its
 * reset state) the PIC raises INTR as before and the IO-APIC sends nothing;
 * with both open, both see the edge. */
static void test_pic_still_works(void **state)
{
	(void)state;
	out8(0x20, 0x11); out8(0x21, 0x20); out8(0x21, 0x04); out8(0x21, 0x01);
	out8(0x21, 0x00);
	vmm_devemu_pulse_irq(fx.guest, 1);
	assert_true(vmm_vcpu_irq_pending(&fx.vcpu->irq));
	assert_int_equal(vmm_vcpu_irq_acknowledge(fx.vcpu), 0x21);
	assert_int_equal(bus_nr, 0);
	out8(0x20, 0x20);	/* EOI */
	set_rte(1, 0x51);
	vmm_devemu_pulse_irq(fx.guest, 1);
	assert_int_equal(bus_nr, 1);
	assert_int_equal(vmm_vcpu_irq_acknowledge(fx.vcpu), 0x21);
}

/* "Taken": nothing while the pin is masked, once when it is unmasked, once
 * per message sent. */
static void test_taken_reports(void **state)
{
	(void)state;
	pic_init_masked();
	vmm_devemu_pulse_irq(fx.guest, 0);
	vmm_devemu_pulse_irq(fx.guest, 4);
	assert_int_equal(taken[0], 0);
	assert_int_equal(taken[4], 0);
	set_rte(2, 0x30);
	assert_int_equal(taken[0], 1);
	assert_int_equal(bus_nr, 0);	/* the masked edge was lost */
	vmm_devemu_pulse_irq(fx.guest, 0);
	assert_int_equal(bus_nr, 1);
	assert_int_equal(taken[0], 2);
	vmm_devemu_pulse_irq(fx.guest, 0);
	assert_int_equal(taken[0], 3);
	assert_int_equal(taken[4], 0);
	/* rewriting an open entry is no new report */
	set_rte(2, 0x31);
	assert_int_equal(taken[0], 3);
}

/* Load PIT channel 0 in mode 2 with 'count'. */
static void pit_rate(u16 count)
{
	out8(0x43, 0x34);
	out8(0x40, count & 0xFF);
	out8(0x40, count >> 8);
}

/*
 * The point of the taken reports: an OS that masks the PIC and takes the
 * PIT through IO-APIC pin 2 gets its ticks at the programmed rate (the
 * PIC's IRQ0 request stays latched for ever and reports nothing). With
 * pin 2 masked too the PIT stops arming events; unmasking starts it again.
 */
static void test_pit_through_ioapic(void **state)
{
	long fired;

	(void)state;
	pic_init_masked();
	set_rte(2, 0x30);
	pit_rate(1193);			/* ~1000 Hz */
	advance(100 * MSEC);
	assert_true(bus_nr >= 99 && bus_nr <= 101);
	for (u32 i = 0; i < bus_nr; i++)
		assert_int_equal(bus_msgs[i].vector, 0x30);
	/* masked: one edge lost, then no timer events at all */
	set_rte(2, IOAPIC_RTE_MASKED | 0x30);
	bus_nr = 0;
	advance(2 * MSEC);
	fired = timer_fired;
	advance(100 * MSEC);
	assert_int_equal(timer_fired, fired);
	assert_int_equal(bus_nr, 0);
	/* unmasked: the rate again */
	set_rte(2, 0x30);
	advance(50 * MSEC);
	assert_true(bus_nr >= 49 && bus_nr <= 51);
}

/* A level line (ACPI's SCI is level, active high, on pin 9): the message
 * carries the trigger mode, the EOI from a LAPIC re-sends it while the line
 * is high, and after the line drops the EOI only frees the pin. */
static void test_level_eoi_through_bus(void **state)
{
	(void)state;
	set_rte(9, (3ull << IOAPIC_RTE_DEST_SHIFT) | IOAPIC_RTE_LEVEL | 0x59);
	vmm_devemu_set_irq(fx.guest, 9, 1);
	assert_int_equal(bus_nr, 1);
	assert_true(bus_msgs[0].level_trigger);
	assert_int_equal(bus_msgs[0].dest, 3);
	assert_int_equal(rd(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, IOAPIC_RTE_REMOTE_IRR);
	lapic_eoi(0x58);
	assert_int_equal(bus_nr, 1);
	lapic_eoi(0x59);
	assert_int_equal(bus_nr, 2);
	/* unmasked, the first message, the EOI with its re-send (one report) */
	assert_int_equal(taken[9], 3);
	vmm_devemu_set_irq(fx.guest, 9, 0);
	lapic_eoi(0x59);
	assert_int_equal(bus_nr, 2);
	assert_int_equal(rd(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, 0);
}

/*
 * A real level source: the UART's THRE interrupt stays asserted on line 4
 * until the guest reads IIR. Pin 4 level: one message; an EOI without
 * servicing sends it again; serviced, the EOI sends nothing.
 */
static void test_uart_thre_level(void **state)
{
	(void)state;
	set_rte(4, (1ull << IOAPIC_RTE_DEST_SHIFT) | IOAPIC_RTE_LEVEL | 0x24);
	out8(0x3FC, 0x08);		/* MCR.OUT2: the PC's IRQ gate */
	out8(0x3F9, 0x02);		/* IER: THRE */
	assert_int_equal(bus_nr, 1);
	assert_int_equal(bus_msgs[0].vector, 0x24);
	assert_true(bus_msgs[0].level_trigger);
	lapic_eoi(0x24);
	assert_int_equal(bus_nr, 2);
	assert_int_equal(in8(0x3FA) & 0x0F, 0x02);	/* IIR: THRE, now cleared */
	lapic_eoi(0x24);
	assert_int_equal(bus_nr, 2);
	/* sending a byte makes THRE pending again: a new message */
	out8(0x3F8, 'x');
	advance(MSEC);
	assert_int_equal(bus_nr, 3);
}

/* A level message no LAPIC took leaves remote IRR clear (no stuck pin). */
static void test_not_accepted(void **state)
{
	(void)state;
	bus_accept = 0;
	set_rte(9, IOAPIC_RTE_LEVEL | 0x59);
	vmm_devemu_set_irq(fx.guest, 9, 1);
	assert_int_equal(bus_nr, 1);
	assert_int_equal(rd(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, 0);
}

/* A pin with SMI or a reserved mode: nothing sent, said once per pin. */
static void test_bad_mode_reported(void **state)
{
	(void)state;
	set_rte(3, (2ull << IOAPIC_RTE_DM_SHIFT) | 0x33);
	vmm_devemu_pulse_irq(fx.guest, 3);
	vmm_devemu_pulse_irq(fx.guest, 3);
	assert_int_equal(bus_nr, 0);
	assert_int_equal(fake_console_count("pin 3 fired with delivery mode 2"), 1);
	assert_int_equal(taken[0], 0);
}

/* Guest reset: pins masked, remote IRR gone, ID = the configured VCPUs. */
static void test_reset(void **state)
{
	(void)state;
	set_rte(9, IOAPIC_RTE_LEVEL | 0x59);
	vmm_devemu_set_irq(fx.guest, 9, 1);
	wr(IOAPIC_REG_ID, 0x0C000000);
	fx.cfg->nr_vcpus = 2;
	assert_int_equal(vmm_devemu_guest_reset(fx.guest), VMM_OK);
	assert_int_equal(rd(IOAPIC_REG_ID), 0x02000000);
	assert_int_equal(rd(IOAPIC_REG_REDTBL + 18), 0x10000);
	bus_nr = 0;
	vmm_devemu_pulse_irq(fx.guest, 4);
	assert_int_equal(bus_nr, 0);
	/* the EOI listener survives the reset */
	assert_non_null(eoi_fn);
}

/* One IO-APIC per guest; an I/O-port or too small region is refused. */
static void test_bad_regions_refused(void **state)
{
	static const struct fx_region two[] = {
		{ "ioapic", 0xFEC00000, 0x1000, "x86,ioapic", -1 },
		{ "ioapic2", 0xFEC01000, 0x1000, "x86,ioapic", -1 },
	};
	static const struct fx_region ports[] = {
		{ "ioapic", 0x500, 0x20, "x86,ioapic", -1 },
	};
	static const struct fx_region small[] = {
		{ "ioapic", 0xFEC00000, 0x10, "x86,ioapic", -1 },
	};

	(void)state;
	fx_destroy(&fx);
	eoi_fn = NULL;
	fake_console_reset();
	assert_int_not_equal(fx_create(&fx, "b", two, 2), VMM_OK);
	assert_true(fake_console_contains("guest b: region ioapic2: the guest has an IO-APIC already (ioapic)"));
	fx_destroy(&fx);
	assert_null(eoi_fn);
	assert_int_not_equal(fx_create(&fx, "b", ports, 1), VMM_OK);
	assert_true(fake_console_contains("guest b: region ioapic: an IO-APIC is a memory region of at least 0x20 bytes"));
	fx_destroy(&fx);
	assert_int_not_equal(fx_create(&fx, "b", small, 1), VMM_OK);
	fx_destroy(&fx);
	assert_null(eoi_fn);
	assert_int_equal(fx_create(&fx, "b", regions, NR_REGIONS), VMM_OK);
}

/* Allocation failures during creation: refused cleanly, nothing leaked
 * (fx_destroy checks), the bus left. */
static void test_probe_enomem(void **state)
{
	(void)state;
	fx_destroy(&fx);
	for (long n = 1; n < 24; n++) {
		eoi_fn = NULL;
		nr_events = 0;
		fx_heap_fail_nth(n);
		(void)fx_create(&fx, "m", regions, NR_REGIONS);
		fx_destroy(&fx);
		assert_null(eoi_fn);
	}
	nr_events = 0;
	assert_int_equal(fx_create(&fx, "m", regions, NR_REGIONS), VMM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_and_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_access_reported_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_line_to_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pic_still_works, setup, teardown),
		cmocka_unit_test_setup_teardown(test_taken_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pit_through_ioapic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_eoi_through_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uart_thre_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mode_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_regions_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_enomem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
