/*
 * tests/unit/test_printk.c - vmm_printk() (kernel/printk.c): filtering by
 * the console log level, clamping of the level, a whole line reaching the
 * console at once, and the "..." marking of an over-long message. (Lines
 * split over several calls: test_console.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/printk.h"
#include "kernel/console.h"
#include "kernel/arch_cpu.h"

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	vmm_console_reset();
	vmm_printk_set_level(VMM_LOG_DEFAULT);
	return 0;
}

static void test_default_level(void **state)
{
	(void)state;
	assert_int_equal(vmm_printk_get_level(), VMM_LOG_INFO);
	assert_int_equal(vmm_info("info %d\n", 1), 7);
	assert_int_equal(vmm_err("err\n"), 4);
	assert_int_equal(vmm_emerg("emerg\n"), 6);
	assert_int_equal(vmm_debug("debug\n"), 0);	/* filtered */
	assert_string_equal(fake_console_text(), "info 1\nerr\nemerg\n");
}

static void test_level_filtering(void **state)
{
	(void)state;
	for (int level = VMM_LOG_EMERG; level <= VMM_LOG_DEBUG; level++) {
		vmm_printk_set_level(level);
		assert_int_equal(vmm_printk_get_level(), level);
		for (int msg = VMM_LOG_EMERG; msg <= VMM_LOG_DEBUG; msg++) {
			fake_console_reset();
			int n = vmm_printk(msg, "m%d\n", msg);

			if (msg <= level) {
				assert_int_equal(n, 3);
				assert_int_equal(fake_console_len(), 3);
			} else {
				assert_int_equal(n, 0);
				assert_int_equal(fake_console_len(), 0);
			}
		}
	}
}

static void test_level_clamped(void **state)
{
	(void)state;
	vmm_printk_set_level(-3);
	assert_int_equal(vmm_printk_get_level(), VMM_LOG_EMERG);
	assert_int_equal(vmm_emerg("x"), 1);
	assert_int_equal(vmm_err("y"), 0);
	vmm_printk_set_level(99);
	assert_int_equal(vmm_printk_get_level(), VMM_LOG_DEBUG);
	assert_int_equal(vmm_debug("z"), 1);
}

static void test_long_message_cut(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	/* 511 characters fit the 512-byte buffer as they are */
	assert_int_equal(vmm_info("%.510s\n", big), 511);
	assert_int_equal(fake_console_len(), 511);
	assert_int_equal(strspn(fake_console_text(), "q"), 510);
	/* one more and the end is replaced by "...\n" */
	fake_console_reset();
	assert_int_equal(vmm_info("%.512s", big), 511);
	assert_int_equal(fake_console_len(), 511);
	assert_int_equal(strspn(fake_console_text(), "q"), 507);
	assert_string_equal(fake_console_text() + 507, "...\n");
	fake_console_reset();
	assert_int_equal(vmm_info("%s", big), 511);
	assert_string_equal(fake_console_text() + 507, "...\n");
	assert_true(fake_irq_enabled());
}

static int call_vprintk(int level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmm_vprintk(level, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vprintk_and_irq_state(void **state)
{
	(void)state;
	assert_int_equal(call_vprintk(VMM_LOG_ERR, "%s=%d\n", "rc", -3), 6);
	assert_string_equal(fake_console_text(), "rc=-3\n");
	assert_true(fake_irq_enabled());
	/* called with interrupts off, they stay off */
	arch_cpu_irq_save();
	assert_int_equal(vmm_err("x"), 1);
	assert_false(fake_irq_enabled());
	vmm_console_flush();
	assert_string_equal(fake_console_text(), "rc=-3\nx");
	assert_false(fake_irq_enabled());
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_default_level),
		T(test_level_filtering),
		T(test_level_clamped),
		T(test_long_message_cut),
		T(test_vprintk_and_irq_state),
	};

	return cmocka_run_group_tests_name("printk", tests, NULL, NULL);
}
