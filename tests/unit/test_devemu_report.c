/*
 * tests/unit/test_devemu_report.c - accesses nothing answers (devemu/
 * devemu.c, issue 10): unassigned ports and guest-physical memory read
 * all-ones and drop writes; reports stay bounded however many a guest
 * makes (the first 16 ports one by one, then a count at most once a second
 * and at guest halt/shutdown; memory: the first access, then the count);
 * a strict guest (unassigned_io = "halt") is stopped instead.
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

static struct fx fx;

static int setup_pc(void **state)
{
	(void)state;
	fx_now_ns = 0;
	if (fx_create(&fx, "scan", fx_pc_regions, FX_PC_NR_REGIONS) != VMM_OK)
		return -1;
	fake_console_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_destroy(&fx);
	return 0;
}

/* A scan of 100 ports: 16 lines, not 100; the count at the guest's end. */
static void test_port_scan_bounded(void **state)
{
	u32 v;

	(void)state;
	for (u32 p = 0x1000; p < 0x1000 + 100; p++) {
		v = 0;
		assert_int_equal(vmm_devemu_io_read(fx.guest, (u16)p, 1, &v), VMM_OK);
		assert_int_equal(v, 0xFF);
	}
	assert_int_equal(vmm_devemu_io_write(fx.guest, 0x1000, 4, 0), VMM_OK);	/* seen: silent */
	assert_int_equal(fake_console_count("of unassigned port 0x"), 16);
	assert_true(fake_console_contains("guest scan: read of unassigned port 0x100f (reads all-ones, "
					  "writes ignored; reported once; further ports only counted)"));
	assert_false(fake_console_contains("more unassigned ports"));	/* the clock stood still */
	vmm_devemu_guest_report(fx.guest);
	assert_true(fake_console_contains("guest scan: 84 more unassigned ports accessed (84 in all after the first 16;"));
	fake_console_reset();
	vmm_devemu_guest_report(fx.guest);	/* nothing new: nothing said */
	assert_int_equal(fake_console_len(), 0);
}

/* The count comes during a long scan too, at most once a second. */
static void test_port_summary_once_a_second(void **state)
{
	u32 v;

	(void)state;
	for (u32 p = 0x2000; p < 0x2000 + 20; p++)
		vmm_devemu_io_read(fx.guest, (u16)p, 2, &v);
	assert_int_equal(fake_console_count("more unassigned ports"), 0);
	fx_now_ns += 1000000000ULL;
	vmm_devemu_io_read(fx.guest, 0x3000, 2, &v);
	assert_true(fake_console_contains("guest scan: 5 more unassigned ports accessed (5 in all after the first 16;"));
	vmm_devemu_io_read(fx.guest, 0x3001, 2, &v);
	assert_int_equal(fake_console_count("more unassigned ports"), 1);
	vmm_devemu_guest_report(fx.guest);
	assert_true(fake_console_contains("guest scan: 1 more unassigned ports accessed (6 in all"));
}

/* Unassigned memory: all-ones of the access's width, writes dropped, one report and a count. */
static void test_unassigned_memory(void **state)
{
	u64 v = 0;

	(void)state;
	assert_int_equal(vmm_devemu_mmio_read(fx.guest, 0x40000000, 4, &v), VMM_OK);
	assert_int_equal(v, 0xFFFFFFFFULL);
	assert_int_equal(vmm_devemu_mmio_read(fx.guest, 0xA0000, 8, &v), VMM_OK);
	assert_true(v == ~0ULL);
	assert_int_equal(vmm_devemu_unassigned_read(fx.guest, 0xC0000, 2, &v), VMM_OK);
	assert_int_equal(v, 0xFFFF);
	assert_int_equal(vmm_devemu_mmio_write(fx.guest, 0xA0000, 4, 0), VMM_OK);
	assert_int_equal(fake_console_count("unassigned memory"), 1);
	assert_true(fake_console_contains("guest scan: read of unassigned memory at GPA 0x40000000 (reads all-ones"));
	vmm_devemu_guest_report(fx.guest);
	assert_true(fake_console_contains("guest scan: 4 accesses to unassigned memory in all"));
}

/* unassigned_io = "halt": ports and memory stop the guest (-VMM_EACCESS). */
static void test_strict_guest(void **state)
{
	u64 v;
	u32 p;

	(void)state;
	fx.cfg->strict_io = true;
	assert_int_equal(vmm_devemu_mmio_read(fx.guest, 0x40000000, 4, &v), -VMM_EACCESS);
	assert_int_equal(vmm_devemu_unassigned_write(fx.guest, 0x40000000), -VMM_EACCESS);
	assert_int_equal(vmm_devemu_io_read(fx.guest, 0x1000, 1, &p), -VMM_EACCESS);
	assert_true(fake_console_contains("guest scan: read of unassigned memory at GPA 0x40000000: the guest is strict"));
	assert_true(fake_console_contains("guest scan: read of unassigned port 0x1000: the guest is strict"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_pc, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_port_scan_bounded),
		T(test_port_summary_once_a_second),
		T(test_unassigned_memory),
		T(test_strict_guest),
	};

	return cmocka_run_group_tests_name("devemu_report", tests, NULL, NULL);
}
