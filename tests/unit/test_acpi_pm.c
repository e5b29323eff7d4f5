/*
 * tests/unit/test_acpi_pm.c - the ACPI PM1 block (devemu/acpi_pm.c) and the
 * reset control register at 0xCF9 (devemu/reset_port.c), driven through
 * vmm_devemu_io_read()/io_write() of a guest built by devemu_fixture.h,
 * with the fixture's still clock (fx_now_ns) moved by hand: PM1 status
 * write-1-to-clear and TMR_STS, enable, PM1 control (SCI_EN, kept and
 * write-only bits), S5 halting only its guest, other sleep types reported
 * once, the PM timer's rate and 2^24 wrap, widths, the reset port.
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

VMM_EMULATOR_USE(acpi_pm_emulator);
VMM_EMULATOR_USE(reset_port_emulator);

#define PM 0x600
#define EVT_STS (PM + 0)
#define EVT_EN (PM + 2)
#define CNT (PM + 4)
#define TMR (PM + 8)
#define NS 1000000000ULL

static const struct fx_region pc_pm[] = {
	{ "uart0", 0x3F8, 8, "ns16550a", 4 },
	{ "acpi_pm", PM, 12, "acpi,pm1", -1 },
	{ "reset", 0xCF9, 1, "pc,reset-port", -1 },
};

static struct fx fx, fx2;

static int setup(void **state)
{
	(void)state;
	fake_console_reset();
	fx_guest_halts = 0;
	fx_guest_resets = 0;
	fx_now_ns = 1000;	/* the device's time 0 */
	return fx_create(&fx, "g", pc_pm, 3) == VMM_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fx_destroy(&fx);
	return 0;
}

static u32 rd(struct fx *f, u16 port, u32 width)
{
	u32 v = 0xDEADBEEF;

	assert_int_equal(vmm_devemu_io_read(f->guest, port, width, &v), VMM_OK);
	return v;
}

static void wr(struct fx *f, u16 port, u32 width, u32 value)
{
	assert_int_equal(vmm_devemu_io_write(f->guest, port, width, value), VMM_OK);
}

/* Expected count after ns of device time, computed in 128 bits. */
static u32 want_ticks(u64 ns)
{
	return (u32)(((unsigned __int128)ns * 3579545 / NS) & 0xFFFFFF);
}

/* Power-on: status, enable 0; control reads SCI_EN; timer 0; reserved all-ones. */
static void test_power_on_state(void **state)
{
	(void)state;
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
	assert_int_equal(rd(&fx, EVT_EN, 2), 0);
	assert_int_equal(rd(&fx, CNT, 2), 1);
	assert_int_equal(rd(&fx, PM + 6, 2), 0xFFFF);
	assert_int_equal(rd(&fx, TMR, 4), 0);
	assert_int_equal(rd(&fx, EVT_STS, 4), 0);	/* status and enable as one dword */
}

/* Enable: 16 bits read back, by word and by byte; widths 8 ignored / all-ones. */
static void test_enable_and_widths(void **state)
{
	(void)state;
	wr(&fx, EVT_EN, 2, 0x0521);
	assert_int_equal(rd(&fx, EVT_EN, 2), 0x0521);
	wr(&fx, EVT_EN + 1, 1, 0x81);
	assert_int_equal(rd(&fx, EVT_EN, 2), 0x8121);
	assert_int_equal(rd(&fx, EVT_EN, 1), 0x21);
	assert_int_equal(rd(&fx, EVT_EN + 1, 1), 0x81);
	/* a dword at 0 writes status (W1C, nothing set) and enable */
	wr(&fx, EVT_STS, 4, 0x12340000);
	assert_int_equal(rd(&fx, EVT_STS, 4), 0x12340000);
	{
		struct vmm_region *r = vmm_aspace_cached(fx.guest->aspace, EVT_EN, true);
		u64 v = 0;

		assert_non_null(r);
		assert_int_equal(vmm_devemu_region_read(r, EVT_EN, 8, &v), VMM_OK);
		assert_true(v == ~0ULL);
		assert_int_equal(vmm_devemu_region_write(r, EVT_EN, 8, 0), VMM_OK);
	}
	assert_int_equal(rd(&fx, EVT_EN, 2), 0x1234);
	/* a dword straddling the end: bytes beyond the block read 0xFF */
	assert_int_equal(rd(&fx, TMR + 2, 4) >> 16, 0xFFFF);
}

/* The PM timer: 3579545 Hz of virtual time, read-only, 24 bits, wraps. */
static void test_timer_rate_and_wrap(void **state)
{
	static const u64 at[] = { 1, 279, 280, 1000000, NS / 3, NS, 2 * NS + 123456789,
				  3 * NS, 4686968000ULL, 4686969000ULL, 3600 * NS, 86400 * 365 * NS,
				  ~0ULL - 2000 };

	(void)state;
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		fx_now_ns = 1000 + at[i];
		if (fx_now_ns < at[i])
			continue;
		assert_int_equal(rd(&fx, TMR, 4), want_ticks(at[i]));
	}
	/* rate over 3 simulated seconds: exactly 3 * 3579545 ticks, seen mod 2^24 */
	fx_now_ns = 1000 + 5 * NS;
	{
		u32 a = rd(&fx, TMR, 4);

		fx_now_ns += 3 * NS;
		assert_int_equal((rd(&fx, TMR, 4) - a) & 0xFFFFFF, 3 * 3579545 & 0xFFFFFF);
	}
	/* wrap at 2^24: 16777216 ticks = 4.686969 s */
	fx_now_ns = 1000 + 4686968000ULL;	/* 16777212.x ticks */
	assert_int_equal(rd(&fx, TMR, 4), 16777212);
	fx_now_ns = 1000 + 4686968500ULL;
	assert_int_equal(rd(&fx, TMR, 4), 16777214);
	fx_now_ns = 1000 + 4686970000ULL;	/* 16777220.x */
	assert_int_equal(rd(&fx, TMR, 4), 4);
	/* read-only; byte and word reads give the parts of the same count */
	wr(&fx, TMR, 4, 0x123456);
	assert_int_equal(rd(&fx, TMR, 4), 4);
	fx_now_ns = 1000 + NS;	/* 3579545 = 0x369E99 */
	assert_int_equal(rd(&fx, TMR, 2), 0x9E99);
	assert_int_equal(rd(&fx, TMR + 2, 1), 0x36);
	assert_int_equal(rd(&fx, TMR + 3, 1), 0);
}

/* TMR_STS: set when bit 23 toggles, write 1 clears, write 0 keeps. */
static void test_tmr_sts(void **state)
{
	(void)state;
	fx_now_ns = 1000 + 2 * NS;	/* 7159090 ticks: bit 23 still 0 */
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
	fx_now_ns = 1000 + 3 * NS;	/* 10738635: bit 23 set */
	assert_int_equal(rd(&fx, EVT_STS, 2), 1);
	wr(&fx, EVT_STS, 2, 0);
	assert_int_equal(rd(&fx, EVT_STS, 2), 1);
	wr(&fx, EVT_STS, 2, 0xFFFE);
	assert_int_equal(rd(&fx, EVT_STS, 1), 1);
	wr(&fx, EVT_STS, 1, 1);
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
	fx_now_ns = 1000 + 4 * NS;	/* bit 23 still set: no new toggle */
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
	fx_now_ns = 1000 + 5 * NS;	/* wrapped: bit 23 back to 0 */
	assert_int_equal(rd(&fx, EVT_STS, 2), 1);
	/* a write that clears it also counts a toggle due before it */
	wr(&fx, EVT_STS, 2, 1);
	fx_now_ns = 1000 + 7 * NS;	/* 25056815 - 2^24 = 8279599: bit 23 set */
	wr(&fx, EVT_STS, 2, 1);
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
	/* reset: counting from 0 again, status clear */
	vmm_devemu_guest_reset(fx.guest);
	assert_int_equal(rd(&fx, TMR, 4), 0);
	assert_int_equal(rd(&fx, EVT_STS, 2), 0);
}

/* PM1 control: SCI_EN always 1, BM_RLD and SLP_TYP kept, GBL_RLS/SLP_EN read 0. */
static void test_control_bits(void **state)
{
	(void)state;
	wr(&fx, CNT, 2, 0x0000);
	assert_int_equal(rd(&fx, CNT, 2), 0x0001);
	wr(&fx, CNT, 2, 0x1C06);	/* SLP_TYP 7, GBL_RLS, BM_RLD, no SLP_EN */
	assert_int_equal(rd(&fx, CNT, 2), 0x1C03);
	assert_int_equal(rd(&fx, CNT + 1, 1), 0x1C);
	wr(&fx, CNT, 1, 0x00);	/* low byte only */
	assert_int_equal(rd(&fx, CNT, 2), 0x1C01);
	assert_int_equal(fx_guest_halts, 0);
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_RUNNING);
	assert_false(fake_console_contains("ACPI"));
}

/* S5: only that guest halted, with the message; a second guest runs on. */
static void test_s5_halts_only_its_guest(void **state)
{
	(void)state;
	fx_guest_halts = 0;
	assert_int_equal(fx_create(&fx2, "other", pc_pm, 3), VMM_OK);
	wr(&fx, CNT, 2, (5 << 10) | (1 << 13) | 1);
	assert_int_equal(fx_guest_halts, 1);
	assert_string_equal(fx_halt_reason, "ACPI S5: powered off");
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_HALTED);
	assert_int_equal(fx2.vcpu->state, VMM_VCPU_STATE_RUNNING);
	assert_true(fake_console_contains("guest g: ACPI S5: powered off\n"));
	assert_false(fake_console_contains("guest other:"));
	/* the fixture's heap is shared: take both guests down by hand */
	vmm_devemu_guest_deinit(fx2.guest);
	vmm_aspace_deinit(fx2.guest);
	vmm_devemu_guest_deinit(fx.guest);
	vmm_aspace_deinit(fx.guest);
	fx_heap_free_all();
	free(fx2.cfg);
	free(fx2.guest);
	free(fx2.vcpu);
	free(fx.cfg);
	free(fx.guest);
	free(fx.vcpu);
	memset(&fx, 0, sizeof(fx));
	memset(&fx2, 0, sizeof(fx2));
}

/* S5 by a byte write of the high byte (SLP_TYP and SLP_EN both live there). */
static void test_s5_by_byte(void **state)
{
	(void)state;
	wr(&fx, CNT + 1, 1, 0x34);	/* 0x3400: SLP_EN | SLP_TYP 5 */
	assert_int_equal(fx_guest_halts, 1);
	assert_string_equal(fx_halt_reason, "ACPI S5: powered off");
	/* through a dword at the enable register covering the control too */
	fx_guest_halts = 0;
	fx_destroy(&fx);
	assert_int_equal(fx_create(&fx, "g", pc_pm, 3), VMM_OK);
	wr(&fx, EVT_EN, 4, 0x34000000);
	assert_int_equal(fx_guest_halts, 1);
}

/* Other sleep types: one line each (once until reset), nothing else. */
static void test_other_sleep_types_reported(void **state)
{
	(void)state;
	for (u32 typ = 0; typ < 8; typ++) {
		if (typ == 5)
			continue;
		wr(&fx, CNT, 2, (typ << 10) | (1 << 13));
	}
	assert_int_equal(fx_guest_halts, 0);
	assert_int_equal(fx_guest_resets, 0);
	assert_int_equal(fx.vcpu->state, VMM_VCPU_STATE_RUNNING);
	assert_true(fake_console_contains("guest g: ACPI: sleep type 1 requested, not supported, ignored\n"));
	assert_true(fake_console_contains("guest g: ACPI: sleep type 7 requested, not supported, ignored\n"));
	assert_false(fake_console_contains("sleep type 5"));
	fake_console_reset();
	wr(&fx, CNT, 2, (3 << 10) | (1 << 13));
	assert_false(fake_console_contains("sleep type"));
	vmm_devemu_guest_reset(fx.guest);
	wr(&fx, CNT, 2, (3 << 10) | (1 << 13));
	assert_true(fake_console_contains("guest g: ACPI: sleep type 3 requested, not supported, ignored\n"));
	assert_int_equal(fx_guest_halts, 0);
}

/* Port 0xCF9: 6 (or 2 then 4) resets through the warm path; bits 1, 3 read back. */
static void test_reset_port(void **state)
{
	(void)state;
	assert_int_equal(rd(&fx, 0xCF9, 1), 0);
	wr(&fx, 0xCF9, 1, 0x02);
	assert_int_equal(fx_guest_resets, 0);
	assert_int_equal(rd(&fx, 0xCF9, 1), 0x02);
	wr(&fx, 0xCF9, 1, 0x0A);
	assert_int_equal(rd(&fx, 0xCF9, 1), 0x0A);
	assert_int_equal(fx_guest_resets, 0);
	wr(&fx, 0xCF9, 1, 0x06);
	assert_int_equal(fx_guest_resets, 1);
	assert_true(fake_console_contains("guest g: reset through port 0xCF9 (hard reset)\n"));
	wr(&fx, 0xCF9, 1, 0x02);
	wr(&fx, 0xCF9, 1, 0x04);
	assert_int_equal(fx_guest_resets, 2);
	assert_true(fake_console_contains("guest g: reset through port 0xCF9 (soft reset)\n"));
	assert_int_equal(fx_guest_halts, 0);
	vmm_devemu_guest_reset(fx.guest);
	assert_int_equal(rd(&fx, 0xCF9, 1), 0);
}

/* Region checks: 12 ports for the PM block, 1 for the reset port. */
static void test_bad_regions_refused(void **state)
{
	static const struct fx_region pm11[] = { { "pm", PM, 11, "acpi,pm1", -1 } };
	static const struct fx_region rst2[] = { { "rst", 0xCF9, 2, "pc,reset-port", -1 } };

	(void)state;
	fx_destroy(&fx);
	fake_console_reset();
	assert_int_not_equal(fx_create(&fx, "b", pm11, 1), VMM_OK);
	assert_true(fake_console_contains("guest b: acpi,pm1: region pm must be 12 I/O ports (it is 11 ports)"));
	fx_destroy(&fx);
	assert_int_not_equal(fx_create(&fx, "b", rst2, 1), VMM_OK);
	assert_true(fake_console_contains("guest b: pc,reset-port: region rst must be 1 I/O port (it is 2 ports)"));
}

/* Allocation failure in probe: refused, nothing leaked (fx_destroy checks). */
static void test_probe_enomem(void **state)
{
	(void)state;
	fx_destroy(&fx);
	for (long n = 1; n < 12; n++) {
		fx_heap_fail_nth(n);
		(void)fx_create(&fx, "m", pc_pm, 3);
		fx_destroy(&fx);
	}
	assert_int_equal(fx_create(&fx, "m", pc_pm, 3), VMM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_on_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_and_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_rate_and_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmr_sts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_halts_only_its_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_by_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_sleep_types_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_regions_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_enomem, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
