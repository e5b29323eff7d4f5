/*
 * tests/unit/test_isa_debug_exit.c - the test-exit port (devemu/
 * isa_debug_exit.c) driven as the VMX I/O exit handler drives it, through
 * vmm_devemu_io_write()/io_read() of a guest built by devemu_fixture.h:
 * the status (V << 1) | 1 for every width, the line printed, the guest's
 * VCPUs halted with that reason, no effect on a second guest, all-ones
 * reads, and the region sizes it refuses.
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
#include "kernel/printk.h"

VMM_EMULATOR_USE(isa_debug_exit_emulator);

static const struct fx_region one_port[] = {
	{ "uart0", 0x3F8, 8, "ns16550a", 4 },
	{ "debug_exit", 0xF4, 1, "isa-debug-exit", -1 },
};

static const struct fx_region four_ports[] = {
	{ "debug_exit", 0x501, 4, "isa-debug-exit", -1 },
};

static struct fx fx;

static int teardown(void **state)
{
	(void)state;
	fx_destroy(&fx);
	return 0;
}

/* A byte write of 0 at 0xF4: status 1, printed, VCPU halted with the reason. */
static void test_write_zero_status_one(void **state)
{
	(void)state;
	fake_console_reset();
	fx_guest_halts = 0;
	assert_int_equal(fx_create(&fx, "t", one_port, 2), VMM_OK);
	assert_int_equal(vmm_devemu_io_write(fx.guest, 0xF4, 1, 0), VMM_OK);
	assert_int_equal(fx_guest_halts, 1);
	assert_string_equal(fx_halt_reason, "isa-debug-exit: status 1");
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_HALTED);
	assert_true(fake_console_contains("guest t: isa-debug-exit: status 1\n"));
}

/* The value is cut to the access width, then shifted: 0xFF -> 511, etc. */
static void test_status_per_width(void **state)
{
	static const struct { u32 width, value; const char *want; } c[] = {
		{ 1, 0x1FF, "isa-debug-exit: status 511" },	/* byte access: 0xFF */
		{ 2, 0x12345, "isa-debug-exit: status 18059" },	/* 0x2345 */
		{ 4, 0xFFFFFFFF, "isa-debug-exit: status 8589934591" },
		{ 4, 0x31, "isa-debug-exit: status 99" },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fx_guest_halts = 0;
		assert_int_equal(fx_create(&fx, "w", four_ports, 1), VMM_OK);
		assert_int_equal(vmm_devemu_io_write(fx.guest, 0x501, c[i].width, c[i].value), VMM_OK);
		assert_int_equal(fx_guest_halts, 1);
		assert_string_equal(fx_halt_reason, c[i].want);
		fx_destroy(&fx);
	}
	/* any port of the region, not only the first */
	fx_guest_halts = 0;
	assert_int_equal(fx_create(&fx, "w", four_ports, 1), VMM_OK);
	assert_int_equal(vmm_devemu_io_write(fx.guest, 0x504, 1, 3), VMM_OK);
	assert_string_equal(fx_halt_reason, "isa-debug-exit: status 7");
}

/* Reads: all-ones, and nothing ends. */
static void test_read_all_ones(void **state)
{
	u32 v = 0;

	(void)state;
	fx_guest_halts = 0;
	assert_int_equal(fx_create(&fx, "r", four_ports, 1), VMM_OK);
	assert_int_equal(vmm_devemu_io_read(fx.guest, 0x502, 2, &v), VMM_OK);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(fx_guest_halts, 0);
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_RUNNING);
}

/* A guest without the device: the port is unassigned, nothing ends. */
static void test_absent_device_ends_nothing(void **state)
{
	(void)state;
	fx_guest_halts = 0;
	assert_int_equal(fx_create(&fx, "n", fx_pc_regions, FX_PC_NR_REGIONS), VMM_OK);
	assert_int_equal(vmm_devemu_io_write(fx.guest, 0xF4, 1, 0), VMM_OK);
	assert_int_equal(fx_guest_halts, 0);
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_RUNNING);
}

/* Only 1..4 I/O ports: 5 ports and a memory region are refused with a message. */
static void test_bad_regions_refused(void **state)
{
	static const struct fx_region five[] = { { "dx", 0xF4, 5, "isa-debug-exit", -1 } };
	static const struct fx_region mem[] = { { "dx", 0x100000, 4, "isa-debug-exit", -1 } };

	(void)state;
	fake_console_reset();
	assert_int_not_equal(fx_create(&fx, "b", five, 1), VMM_OK);
	fx_destroy(&fx);
	assert_true(fake_console_contains("guest b: isa-debug-exit: region dx must be 1 to 4 I/O ports (it is 5 ports)"));
	assert_int_not_equal(fx_create(&fx, "b", mem, 1), VMM_OK);
	assert_true(fake_console_contains("(it is 4 bytes of memory)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_write_zero_status_one, teardown),
		cmocka_unit_test_teardown(test_status_per_width, teardown),
		cmocka_unit_test_teardown(test_read_all_ones, teardown),
		cmocka_unit_test_teardown(test_absent_device_ends_nothing, teardown),
		cmocka_unit_test_teardown(test_bad_regions_refused, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
