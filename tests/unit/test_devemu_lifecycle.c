/*
 * tests/unit/test_devemu_lifecycle.c - guest destroy on the device side
 * (vmm_devemu_guest_deinit, devemu/devemu.c): a guest with every device
 * model of a PC guest (the regions of dts/guests/pc-guest.dtsi), its timers
 * armed (PIT channel 0, RTC periodic interrupt, UART character timeout),
 * torn down: no heap block left (tests/unit/devemu_fixture.h counts them),
 * no timer event pending, its vserial endpoints gone. The same after every
 * single allocation failure during creation (a half-built guest), after a
 * failing probe, and twice in a row; a guest built again after a destroy
 * gets fresh devices.
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
#include "kernel/timer.h"
#include "kernel/vserial.h"

/* the models this test has devemu match by compatible string (devemu.h),
 * besides the PC ones devemu_fixture.h names */
VMM_EMULATOR_USE(i8254_emulator);
VMM_EMULATOR_USE(i8254_port61_emulator);
VMM_EMULATOR_USE(mc146818_emulator);
VMM_EMULATOR_USE(i8042_emulator);
VMM_EMULATOR_USE(port92_emulator);
VMM_EMULATOR_USE(ioport_sink_emulator);
VMM_EMULATOR_USE(vga_text_emulator);
VMM_EMULATOR_USE(vga_crtc_emulator);

/* Every device model, at the PC's ports (one region per dtsi node). */
static const struct fx_region all_regions[] = {
	{ "pic_master", 0x20, 2, "i8259a", -1 },
	{ "pic_slave", 0xA0, 2, "i8259a", 2 },
	{ "elcr", 0x4D0, 2, "intel,elcr", -1 },
	{ "pit", 0x40, 4, "i8254", 0 },
	{ "port61", 0x61, 1, "i8254,port61", -1 },
	{ "uart0", 0x3F8, 8, "ns16550a", 4 },
	{ "uart1", 0x2F8, 8, "ns16550a", 3 },
	{ "rtc", 0x70, 2, "mc146818", 8 },
	{ "kbd_data", 0x60, 1, "i8042", 1 },
	{ "kbd_ctl", 0x64, 1, "i8042", 1 },
	{ "port92", 0x92, 1, "port92", -1 },
	{ "port80", 0x80, 1, "ioport-sink", -1 },
	{ "vga_text", 0xB8000, 0x8000, "vga-text", -1 },
	{ "vga_crtc", 0x3D4, 2, "vga-crtc", -1 },
};
#define NR_ALL (u32)(sizeof(all_regions) / sizeof(all_regions[0]))

static struct fx fx;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fx_now_ns = 1000000;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fx.guest)
		fx_destroy(&fx);
	return 0;
}

static void outb(u16 port, u8 v)
{
	assert_int_equal(vmm_devemu_io_write(fx.guest, port, 1, v), VMM_OK);
}

static u8 inb(u16 port)
{
	u32 v = 0;

	assert_int_equal(vmm_devemu_io_read(fx.guest, port, 1, &v), VMM_OK);
	return (u8)v;
}

/* Program the three devices that run timer events so that each has one
 * pending: PIT channel 0 rate generator, RTC periodic interrupt, a byte
 * below the UART's FIFO trigger level (character timeout). */
static void arm_all_timers(void)
{
	/* PIC initialised so the lines are taken (the PIT waits otherwise) */
	outb(0x20, 0x11); outb(0x21, 0x08); outb(0x21, 0x04); outb(0x21, 0x01);
	outb(0xA0, 0x11); outb(0xA1, 0x70); outb(0xA1, 0x02); outb(0xA1, 0x01);
	outb(0x43, 0x34);		/* channel 0, LSB then MSB, mode 2 */
	outb(0x40, 0x00);
	outb(0x40, 0x10);		/* count 0x1000: about 3.4 ms */
	outb(0x70, 0x0B);
	outb(0x71, 0x42);		/* register B: PIE, 24-hour */
	outb(0x3FA, 0xC1);		/* FIFO on, trigger level 14 */
	outb(0x3F9, 0x01);		/* receive interrupt on */
	assert_int_equal(vmm_vserial_send_name("g/uart0", (const u8 *)"x", 1), 1);
}

/* Whether any timer event is pending in the kernel's list. */
static bool timer_pending(void)
{
	return vmm_timer_next_expiry() != ~0ULL;
}

static void test_destroy_all_models(void **state)
{
	u32 endpoints = vmm_vserial_count();

	(void)state;
	assert_int_equal(fx_create(&fx, "g", all_regions, NR_ALL), VMM_OK);
	for (u32 i = 0; i < NR_ALL; i++)
		assert_non_null(fx.guest->aspace->regions[i].emudev);
	assert_int_equal(vmm_vserial_count(), endpoints + 2);
	arm_all_timers();
	assert_true(timer_pending());
	assert_int_equal(fx_destroy(&fx), 0);	/* aborts on a leak */
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	assert_int_equal(vmm_vserial_count(), endpoints);
	assert_null(vmm_vserial_find("g/uart0"));
	assert_null(vmm_vserial_find("g/uart1"));
	assert_int_equal(vmm_vserial_send_name("g/uart0", (const u8 *)"x", 1), -VMM_ENOENT);
}

/* Each timer alone: its model's remove stops it (not another's). */
static void test_destroy_stops_each_timer(void **state)
{
	static const struct fx_region pic_pit[] = {
		{ "pic_master", 0x20, 2, "i8259a", -1 },
		{ "pic_slave", 0xA0, 2, "i8259a", 2 },
		{ "pit", 0x40, 4, "i8254", 0 },
	};
	static const struct fx_region rtc[] = { { "rtc", 0x70, 2, "mc146818", 8 } };
	static const struct fx_region uart[] = { { "uart0", 0x3F8, 8, "ns16550a", 4 } };

	(void)state;
	assert_int_equal(fx_create(&fx, "g", pic_pit, 3), VMM_OK);
	outb(0x43, 0x34);
	outb(0x40, 0x00);
	outb(0x40, 0x10);
	assert_int_not_equal(vmm_timer_next_expiry(), ~0ULL);
	fx_destroy(&fx);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);

	assert_int_equal(fx_create(&fx, "g", rtc, 1), VMM_OK);
	outb(0x70, 0x0B);
	outb(0x71, 0x42);
	assert_int_not_equal(vmm_timer_next_expiry(), ~0ULL);
	fx_destroy(&fx);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);

	assert_int_equal(fx_create(&fx, "g", uart, 1), VMM_OK);
	outb(0x3FA, 0xC1);
	assert_int_equal(vmm_vserial_send_name("g/uart0", (const u8 *)"ab", 2), 2);
	assert_int_not_equal(vmm_timer_next_expiry(), ~0ULL);
	fx_destroy(&fx);
	assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
}

/*
 * A half-built guest: allocation number n fails, for every n until
 * creation gets through; each teardown leaves nothing (fx_destroy aborts
 * otherwise), no timer and no endpoint.
 */
static void test_destroy_half_built(void **state)
{
	u32 endpoints = vmm_vserial_count();
	long n;
	int rc = -VMM_ENOMEM;

	(void)state;
	for (n = 1; n < 1000 && rc; n++) {
		fx_heap_fail_nth(n);
		rc = fx_create(&fx, "g", all_regions, NR_ALL);
		if (rc)
			assert_int_equal(rc, -VMM_ENOMEM);
		else
			arm_all_timers();
		assert_int_equal(fx_destroy(&fx), 0);
		assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
		assert_int_equal(vmm_vserial_count(), endpoints);
	}
	assert_int_equal(rc, VMM_OK);
	/* at least one failure per device model and the devemu context */
	assert_true(n > NR_ALL);
}

/* A probe that fails (a slave PIC wired to input 9) after others came up. */
static void test_destroy_after_failed_probe(void **state)
{
	static const struct fx_region bad[] = {
		{ "uart0", 0x3F8, 8, "ns16550a", 4 },
		{ "pit", 0x40, 4, "i8254", 0 },
		{ "pic_master", 0x20, 2, "i8259a", -1 },
		{ "pic_slave", 0xA0, 2, "i8259a", 9 },
		{ "rtc", 0x70, 2, "mc146818", 8 },
	};
	u32 endpoints = vmm_vserial_count();

	(void)state;
	assert_int_equal(fx_create(&fx, "g", bad, 5), -VMM_EINVALID);
	assert_non_null(fx.guest->aspace->regions[0].emudev);
	assert_null(fx.guest->aspace->regions[3].emudev);
	assert_null(fx.guest->aspace->regions[4].emudev);	/* never reached */
	assert_int_equal(vmm_vserial_count(), endpoints + 1);
	assert_int_equal(fx_destroy(&fx), 0);
	assert_int_equal(vmm_vserial_count(), endpoints);
}

/* Deinit twice (the manager's failure path, then destroy) does nothing more. */
static void test_deinit_twice(void **state)
{
	(void)state;
	assert_int_equal(fx_create(&fx, "g", all_regions, NR_ALL), VMM_OK);
	vmm_devemu_guest_deinit(fx.guest);
	assert_null(fx.guest->devemu_priv);
	for (u32 i = 0; i < NR_ALL; i++)
		assert_null(fx.guest->aspace->regions[i].emudev);
	vmm_devemu_guest_deinit(fx.guest);
	assert_int_equal(fx_destroy(&fx), 0);
}

/* After deinit the ports route nowhere: all-ones, reported as unassigned,
 * and without a devemu context nothing is kept about them. */
static void test_ports_after_deinit(void **state)
{
	u32 v = 0;

	(void)state;
	assert_int_equal(fx_create(&fx, "g", all_regions, NR_ALL), VMM_OK);
	assert_int_equal(inb(0x21), 0x00);	/* IMR after reset */
	vmm_devemu_guest_deinit(fx.guest);
	assert_int_equal(vmm_devemu_io_read(fx.guest, 0x21, 1, &v), VMM_OK);
	assert_int_equal(v, 0xFF);
	assert_false(vmm_vcpu_irq_pending(&fx.vcpu->irq));
	vmm_devemu_set_irq(fx.guest, 4, 1);	/* no controller: a no-op */
	assert_int_equal(fx_destroy(&fx), 0);
}

/* Destroy and create again, several times: every round has fresh devices
 * and its own endpoint; nothing accumulates. */
static void test_recreate(void **state)
{
	u32 endpoints = vmm_vserial_count();

	(void)state;
	for (int round = 0; round < 5; round++) {
		assert_int_equal(fx_create(&fx, "g", all_regions, NR_ALL), VMM_OK);
		assert_int_equal(inb(0x21), 0x00);
		outb(0x21, 0x5A);
		assert_int_equal(inb(0x21), 0x5A);
		arm_all_timers();
		assert_int_equal(vmm_vserial_count(), endpoints + 2);
		assert_int_equal(fx_destroy(&fx), 0);
		assert_int_equal(vmm_timer_next_expiry(), ~0ULL);
	}
	assert_int_equal(vmm_vserial_count(), endpoints);
}

/* Each model declared itself (VMM_EMULATOR): every compatible string of
 * every model in this binary finds that model; an unknown one finds none. */
static void test_find_emulator(void **state)
{
	extern const struct vmm_emulator uart8250_emulator, i8259_emulator, elcr_emulator,
		i8254_emulator, i8254_port61_emulator, mc146818_emulator, i8042_emulator,
		port92_emulator, ioport_sink_emulator, vga_text_emulator, vga_crtc_emulator;
	static const struct vmm_emulator *const models[] = {
		&uart8250_emulator, &i8259_emulator, &elcr_emulator, &i8254_emulator,
		&i8254_port61_emulator, &mc146818_emulator, &i8042_emulator, &port92_emulator,
		&ioport_sink_emulator, &vga_text_emulator, &vga_crtc_emulator,
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(models); i++)
		for (const char *const *c = models[i]->compatible; *c; c++)
			assert_ptr_equal(vmm_devemu_find_emulator(*c), models[i]);
	assert_string_equal(vmm_devemu_find_emulator("intel,8259a")->name, i8259_emulator.name);
	assert_null(vmm_devemu_find_emulator("no-such-device"));
	assert_null(vmm_devemu_find_emulator(""));
	assert_null(vmm_devemu_find_emulator("i8259"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_destroy_all_models),
		T(test_destroy_stops_each_timer),
		T(test_destroy_half_built),
		T(test_destroy_after_failed_probe),
		T(test_deinit_twice),
		T(test_ports_after_deinit),
		T(test_recreate),
		cmocka_unit_test(test_find_emulator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
