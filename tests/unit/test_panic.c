/*
 * tests/unit/test_panic.c - vmm_panic(), BUG_ON() and vmm_fatal_stop()
 * (kernel/panic.c): the message, the register dump, then stopping the CPU
 * or, with on_panic=poweroff, powering off (both faked to longjmp back).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	vmm_panic_set_poweroff(false);
	vmm_printk_set_level(VMM_LOG_DEFAULT);
	return 0;
}

static void assert_console(const char *want)
{
	if (!fake_console_contains(want))
		fail_msg("expected \"%s\" on the console, got:\n%s", want, fake_console_text());
}

static void test_panic_stops_cpu(void **state)
{
	const char *text, *msg, *dump, *stop;

	(void)state;
	assert_true(FAKE_CATCH_STOP(vmm_panic("broken invariant %d in %s\n", 42, "buddy")));
	assert_int_equal(fake_cpu_stop_calls, 1);
	assert_int_equal(fake_power_off_calls, 0);
	text = fake_console_text();
	msg = strstr(text, "\nPANIC on CPU0: broken invariant 42 in buddy\n");
	dump = strstr(text, "fake register dump");
	stop = strstr(text, "CPU0: stopped.\n");
	assert_non_null(msg);
	assert_non_null(dump);
	assert_non_null(stop);
	/* message, then the dump, then the stop line */
	assert_true(msg < dump && dump < stop);
	assert_false(fake_irq_enabled());
}

static void test_panic_poweroff(void **state)
{
	(void)state;
	vmm_panic_set_poweroff(true);
	assert_true(FAKE_CATCH_STOP(vmm_panic("oops\n")));
	assert_int_equal(fake_power_off_calls, 1);
	assert_console("CPU0: stopped (on_panic=poweroff: powering off).\n");
	/* and back to halting */
	vmm_panic_set_poweroff(false);
	fake_console_reset();
	assert_true(FAKE_CATCH_STOP(vmm_fatal_stop()));
	assert_int_equal(fake_power_off_calls, 1);
	assert_int_equal(fake_cpu_stop_calls, 1);
	assert_console("CPU0: stopped.\n");
}

static void test_panic_ignores_log_level(void **state)
{
	(void)state;
	vmm_printk_set_level(VMM_LOG_EMERG);
	assert_true(FAKE_CATCH_STOP(vmm_panic("quiet boot, loud panic\n")));
	assert_console("PANIC on CPU0: quiet boot, loud panic");
	assert_console("CPU0: stopped.");
}

static void test_bug_on(void **state)
{
	volatile int x = 3;

	(void)state;
	assert_false(FAKE_CATCH_STOP(BUG_ON(x != 3)));
	assert_int_equal(fake_console_len(), 0);
	assert_true(FAKE_CATCH_STOP(BUG_ON(x == 3)));
	assert_console("PANIC on CPU0: BUG: x == 3 at tests/unit/test_panic.c:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_panic_stops_cpu, setup),
		cmocka_unit_test_setup(test_panic_poweroff, setup),
		cmocka_unit_test_setup(test_panic_ignores_log_level, setup),
		cmocka_unit_test_setup(test_bug_on, setup),
	};

	return cmocka_run_group_tests_name("panic", tests, NULL, NULL);
}
