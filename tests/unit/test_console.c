/*
 * tests/unit/test_console.c - the host console writer (kernel/console.c)
 * and printk through it: whole lines only. Two "CPUs" of the fake arch
 * print halves of lines in turn, and guest lines (vserial) come in between:
 * the console sees each line whole. Also: the pending buffer cut when full,
 * vmm_console_flush() for a prompt, the lockless (panic) mode, and the
 * terminal's input line kept below other lines once someone types.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "tests/unit/devemu_fixture.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/vserial.h"

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	vmm_console_reset();
	vmm_printk_set_level(VMM_LOG_DEFAULT);
	return 0;
}

/* Halves of lines from CPU0 and CPU1 in turn: the console gets whole lines. */
static void test_two_cpus_halves(void **state)
{
	(void)state;
	fake_cpu_id = 0;
	vmm_emerg("cpu0 first ");
	fake_cpu_id = 1;
	vmm_emerg("cpu1 first ");
	fake_cpu_id = 0;
	vmm_emerg("half\ncpu0 second ");
	fake_cpu_id = 1;
	vmm_emerg("half\n");
	fake_cpu_id = 0;
	vmm_emerg("half\n");
	assert_string_equal(fake_console_text(),
			    "cpu0 first half\ncpu1 first half\ncpu0 second half\n");
}

/* A guest line comes between the halves of a hypervisor line: it is
 * written before the hypervisor line, never inside it. */
static void test_guest_line_between_halves(void **state)
{
	struct vmm_vserial *vs = vmm_vserial_create("g1", "uart0");

	(void)state;
	fake_cpu_id = 0;
	vmm_info("guest g1: started ");
	fake_cpu_id = 1;
	for (const char *p = "Hello\n"; *p; p++)
		vmm_vserial_putc(vs, (u8)*p);
	fake_cpu_id = 0;
	vmm_info("(1 VCPU)\n");
	assert_string_equal(fake_console_text(), "g1: Hello\nguest g1: started (1 VCPU)\n");
	/* and on the same CPU too */
	fake_console_reset();
	vmm_info("a ");
	vmm_vserial_putc(vs, 'x');
	vmm_vserial_putc(vs, '\n');
	vmm_info("b\n");
	assert_string_equal(fake_console_text(), "g1: x\na b\n");
	vmm_vserial_unregister(vs);
}

/* A partial line that fills the pending buffer is written, cut, with '\n'. */
static void test_pending_full(void **state)
{
	char big[VMM_CONSOLE_PENDING_MAX + 11];

	(void)state;
	memset(big, 'p', sizeof(big));
	vmm_console_write(big, sizeof(big));
	assert_int_equal(fake_console_len(), VMM_CONSOLE_PENDING_MAX + 1);
	assert_int_equal(fake_console_text()[VMM_CONSOLE_PENDING_MAX], '\n');
	vmm_console_write("\n", 1);
	assert_int_equal(fake_console_len(), VMM_CONSOLE_PENDING_MAX + 1 + 11 + 1);
}

/* Several lines and a partial one in one write; flush shows a prompt. */
static void test_multi_line_and_flush(void **state)
{
	(void)state;
	vmm_console_write("one\ntwo\nprompt> ", 16);
	assert_string_equal(fake_console_text(), "one\ntwo\n");
	vmm_console_flush();
	assert_string_equal(fake_console_text(), "one\ntwo\nprompt> ");
	vmm_console_flush();	/* nothing pending: nothing written */
	assert_int_equal(fake_console_len(), 16);
	vmm_console_write_line("gx", "text", 4);
	assert_string_equal(fake_console_text(), "one\ntwo\nprompt> gx: text\n");
	assert_true(fake_irq_enabled());
}

/* Panic: no lock, and nothing waits for the end of a line. This test runs
 * last (lockless mode stays on). */
static void test_lockless_writes_at_once(void **state)
{
	(void)state;
	vmm_emerg("pending ");
	vmm_printk_break_lock();
	vmm_emerg("\nPANIC on CPU%u: ", 0u);
	assert_string_equal(fake_console_text(), "pending \nPANIC on CPU0: ");
}

/* Before the first key the console is a plain log: the prompt stays where
 * it is, the first line after it starts on its own line, no escape
 * sequence, no redraw. */
static void test_input_line_not_interactive(void **state)
{
	(void)state;
	vmm_console_input("xvisor# ", 8, "xvisor# ", 8, 8, false);
	vmm_emerg("log line\n");
	vmm_emerg("another\n");
	assert_string_equal(fake_console_text(), "xvisor# \nlog line\nanother\n");
}

/* Once someone types: a log line and a guest line each take the input line
 * away and draw it again after themselves, cursor put back where it was. */
static void test_input_line_redrawn(void **state)
{
	struct vmm_vserial *vs = vmm_vserial_create("g2", "uart0");

	(void)state;
	vmm_console_input("xvisor# gue", 11, "xvisor# guest", 13, 11, true);
	vmm_emerg("log\n");
	for (const char *p = "hi\n"; *p; p++)
		vmm_vserial_putc(vs, (u8)*p);
	assert_string_equal(fake_console_text(),
			    "xvisor# gue"
			    "\r\x1b[Klog\nxvisor# guest\x1b[2D"
			    "\r\x1b[Kg2: hi\nxvisor# guest\x1b[2D");
	vmm_vserial_destroy(vs);
}

/* A command runs (no input line): its output is plain; raw bytes too. */
static void test_input_line_none_while_command_runs(void **state)
{
	(void)state;
	vmm_console_input("\n", 1, "", 0, 0, true);
	vmm_emerg("out\n");
	vmm_console_write_raw("\x1b[1mraw", 7);
	assert_string_equal(fake_console_text(), "\nout\n\x1b[1mraw");
	/* a log line after raw bytes that left a line open: on its own line */
	vmm_emerg("log\n");
	vmm_console_write_raw("done\n", 5);
	vmm_emerg("log2\n");
	assert_string_equal(fake_console_text(), "\nout\n\x1b[1mraw\nlog\ndone\nlog2\n");
}

/* The cursor at the end: nothing to move back; panic mode: no redraws. */
static void test_input_line_cursor_end_and_panic(void **state)
{
	(void)state;
	vmm_console_input("", 0, "xvisor# ab", 10, 10, true);
	vmm_emerg("x\n");
	vmm_console_break_lock();
	vmm_emerg("panic\n");
	assert_string_equal(fake_console_text(), "\r\x1b[Kx\nxvisor# abpanic\n");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_two_cpus_halves),
		T(test_guest_line_between_halves),
		T(test_pending_full),
		T(test_multi_line_and_flush),
		T(test_input_line_not_interactive),
		T(test_input_line_redrawn),
		T(test_input_line_none_while_command_runs),
		T(test_input_line_cursor_end_and_panic),	/* lockless from here on */
		T(test_lockless_writes_at_once),
	};

	return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
