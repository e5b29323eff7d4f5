/*
 * tests/unit/test_cmd.c - the command table (kernel/cmd.c): the vmm_cmds
 * section walked in name order, its check (names unique, usage and summary
 * given), word splitting and dispatch in vmm_cmd_exec_line(), ';'-separated
 * scripts in vmm_cmd_exec_script(), and the commands help, echo, version,
 * meminfo, heap, loglevel, host, shutdown and poweroff (arch_power_off() is
 * faked and longjmps back). The commands come from the kernel archive
 * through VMM_CMD_USE(); the test declares one of its own with VMM_CMD().
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
#include "kernel/cmd.h"
#include "kernel/heap.h"
#include "kernel/host_mem.h"
#include "kernel/version.h"
#include "kernel/error.h"
#include "kernel/printk.h"
#include "kernel/arch_info.h"

/* link the commands under test from the archive (kernel/cmd.h) */
VMM_CMD_USE(help);
VMM_CMD_USE(echo);
VMM_CMD_USE(version);
VMM_CMD_USE(meminfo);
VMM_CMD_USE(heap);
VMM_CMD_USE(loglevel);
VMM_CMD_USE(host);
VMM_CMD_USE(shutdown);
VMM_CMD_USE(poweroff);
VMM_CMD_USE(echo);		/* naming one twice is fine */

/* every command this binary has, in name order ("probe" is the test's) */
static const char *const all_names[] = {
	"echo", "heap", "help", "host", "loglevel", "meminfo", "poweroff", "probe",
	"shutdown", "version",
};

static u8 *ram;

/* meminfo reads the host page allocator and the kernel heap: give them RAM. */
static int group_setup(void **state)
{
	static struct vmm_boot_info bi;
	static const struct vmm_phys_range resv[] = { { 0, 0, "none" } };

	(void)state;
	ram = aligned_alloc(2 * MiB, 4 * MiB);
	if (!ram)
		return -1;
	bi.nr_mem = 1;
	bi.mem[0] = (struct vmm_mem_range){ (uintptr_t)ram, 4 * MiB, VMM_MEM_USABLE };
	if (vmm_host_mem_init(&bi, resv, 0))
		return -1;
	vmm_heap_setup();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	return 0;
}

/* Run one line (copied: exec_line splits it in place). */
static int run(const char *line)
{
	char buf[1024];

	assert_true(strlen(line) < sizeof(buf));
	strcpy(buf, line);
	return vmm_cmd_exec_line(buf);
}

static void assert_console_is(const char *want)
{
	if (strcmp(fake_console_text(), want))
		fail_msg("console:\n\"%s\"\nexpected:\n\"%s\"", fake_console_text(), want);
}

static void assert_console(const char *want)
{
	if (!fake_console_contains(want))
		fail_msg("expected \"%s\" on the console, got:\n%s", want, fake_console_text());
}

static void test_echo(void **state)
{
	(void)state;
	assert_int_equal(run("echo hello world"), VMM_OK);
	assert_console_is("hello world\n");
	fake_console_reset();
	assert_int_equal(run("  echo\t  spaced \t out  "), VMM_OK);
	assert_console_is("spaced out\n");
	fake_console_reset();
	assert_int_equal(run("echo"), VMM_OK);
	assert_console_is("\n");
	fake_console_reset();
	assert_int_equal(run("echo 100% %s %d"), VMM_OK);	/* no format injection */
	assert_console_is("100% %s %d\n");
}

static void test_exec_line_splits_in_place(void **state)
{
	char line[] = "echo a  b";

	(void)state;
	assert_int_equal(vmm_cmd_exec_line(line), VMM_OK);
	assert_console_is("a b\n");
	/* the separators were replaced by NULs */
	assert_string_equal(line, "echo");
	assert_string_equal(line + 5, "a");
	assert_string_equal(line + 8, "b");
}

static void test_unknown_command(void **state)
{
	(void)state;
	assert_int_equal(run("frobnicate the widget"), -VMM_ENOENT);
	assert_console_is("error: unknown command 'frobnicate' (try 'help')\n");
	fake_console_reset();
	assert_int_equal(run("ECHO x"), -VMM_ENOENT);		/* names are case-sensitive */
	assert_console("unknown command 'ECHO'");
	fake_console_reset();
	assert_int_equal(run("echo;"), -VMM_ENOENT);		/* ';' is not special here */
	assert_console("unknown command 'echo;'");
}

static void test_too_many_words(void **state)
{
	char line[256] = "echo";

	(void)state;
	/* 16 words (the command and 15 arguments) are fine */
	for (int i = 1; i < VMM_CMD_MAX_ARGS; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " w%d", i);
	assert_int_equal(run(line), VMM_OK);
	assert_console("w1 w2");
	assert_console("w15\n");
	/* a 17th word is refused before anything runs */
	fake_console_reset();
	strcat(line, " w16");
	assert_int_equal(run(line), -VMM_ERANGE);
	assert_console_is("error: more than 16 words in one command\n");
	/* trailing blanks after 16 words do not count as a word */
	fake_console_reset();
	line[strlen(line) - 4] = 0;
	strcat(line, "    \t ");
	assert_int_equal(run(line), VMM_OK);
}

static void test_empty_lines(void **state)
{
	(void)state;
	assert_int_equal(run(""), VMM_OK);
	assert_int_equal(run("   "), VMM_OK);
	assert_int_equal(run(" \t \t"), VMM_OK);
	assert_int_equal(fake_console_len(), 0);
}

static void test_help(void **state)
{
	const char *out, *prev = NULL;

	(void)state;
	assert_int_equal(run("help"), VMM_OK);
	/* one line per command: usage padded to 24 columns, then summary;
	 * in name order */
	out = fake_console_text();
	for (size_t i = 0; i < ARRAY_SIZE(all_names); i++) {
		const struct vmm_cmd *c = vmm_cmd_find(all_names[i]);
		const char *at;
		char want[160];

		assert_non_null(c);
		assert_string_equal(c->name, all_names[i]);
		assert_non_null(c->exec);
		snprintf(want, sizeof(want), "  %-24s %s\n", c->usage, c->summary);
		at = strstr(out, want);
		if (!at)
			fail_msg("help lacks \"%s\":\n%s", want, out);
		if (prev && at < prev)
			fail_msg("help lists %s before the one ahead of it in name order:\n%s",
				 all_names[i - 1], out);
		prev = at;
	}
	assert_int_equal(fake_console_count("\n"), ARRAY_SIZE(all_names));
	/* help for one command */
	fake_console_reset();
	assert_int_equal(run("help echo"), VMM_OK);
	assert_console_is("usage: echo [text...]\n  print the text\n");
	fake_console_reset();
	assert_int_equal(run("help nosuch"), -VMM_ENOENT);
	assert_console_is("help: no command 'nosuch'\n");
}

/* The table in name order, each with a usage starting with its name and a
 * summary; nothing but the linked-in commands, each once. */
static void test_table_sorted_and_complete(void **state)
{
	(void)state;
	assert_int_equal(vmm_cmd_check(), VMM_OK);
	assert_int_equal(vmm_cmd_count(), ARRAY_SIZE(all_names));
	for (u32 i = 0; i < ARRAY_SIZE(all_names); i++) {
		const struct vmm_cmd *c = vmm_cmd_sorted(i);

		assert_non_null(c);
		assert_string_equal(c->name, all_names[i]);
		assert_true(strlen(c->summary) > 0);
		assert_int_equal(strncmp(c->usage, c->name, strlen(c->name)), 0);
		assert_true(c->usage[strlen(c->name)] == 0 || c->usage[strlen(c->name)] == ' ');
		assert_non_null(c->file);
		assert_ptr_equal(vmm_cmd_find(c->name), c);
	}
	assert_null(vmm_cmd_sorted(ARRAY_SIZE(all_names)));
	assert_null(vmm_cmd_sorted(1000));
	assert_string_equal(vmm_cmd_find("help")->file, "kernel/cmd_help.c");
	assert_string_equal(vmm_cmd_find("probe")->file, "tests/unit/test_cmd.c");
}

/* vmm_cmd_check_table() refuses a name twice and a missing usage/summary. */
static void test_check_table(void **state)
{
	static const struct vmm_cmd a = { "alpha", "alpha", "first", NULL, "a.c" };
	static const struct vmm_cmd b = { "beta", "beta <x>", "second", NULL, "b.c" };
	static const struct vmm_cmd a2 = { "alpha", "alpha", "again", NULL, "c.c" };
	static const struct vmm_cmd nousage = { "gamma", "", "no usage", NULL, "d.c" };
	static const struct vmm_cmd nosummary = { "delta", "delta", NULL, NULL, "e.c" };
	struct vmm_cmd ok_a = a, ok_b = b, dup = a2;
	const struct vmm_cmd *t[3];

	(void)state;
	ok_a.exec = ok_b.exec = dup.exec = vmm_cmd_find("echo")->exec;
	t[0] = &ok_a;
	t[1] = &ok_b;
	assert_int_equal(vmm_cmd_check_table(t, t + 2), VMM_OK);
	assert_int_equal(vmm_cmd_check_table(t, t), VMM_OK);		/* empty */
	assert_int_equal(fake_console_len(), 0);
	/* the same name twice: both files named */
	t[2] = &dup;
	assert_int_equal(vmm_cmd_check_table(t, t + 3), -VMM_EEXIST);
	assert_console_is("cmd: command 'alpha' declared twice (a.c and c.c)\n");
	/* no usage, no summary, no function */
	fake_console_reset();
	t[2] = &nousage;
	assert_int_equal(vmm_cmd_check_table(t, t + 3), -VMM_EINVALID);
	assert_console_is("cmd: command 'gamma' (d.c) lacks a usage, summary or function\n");
	fake_console_reset();
	t[2] = &nosummary;
	assert_int_equal(vmm_cmd_check_table(t, t + 3), -VMM_EINVALID);
	assert_console("'delta' (e.c) lacks");
	fake_console_reset();
	t[0] = &a;	/* no function */
	assert_int_equal(vmm_cmd_check_table(t, t + 1), -VMM_EINVALID);
	assert_console("'alpha' (a.c) lacks");
}

static void test_find(void **state)
{
	(void)state;
	assert_non_null(vmm_cmd_find("echo"));
	assert_null(vmm_cmd_find("ech"));
	assert_null(vmm_cmd_find("echoo"));
	assert_null(vmm_cmd_find(""));
	assert_ptr_equal(vmm_cmd_find("meminfo"), vmm_cmd_find("meminfo"));
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(run("version"), VMM_OK);
	assert_console_is(VMM_NAME " " VMM_VERSION " (" VMM_BUILD_ID ")\n");
	/* extra words are ignored */
	fake_console_reset();
	assert_int_equal(run("version please"), VMM_OK);
	assert_console(VMM_NAME " " VMM_VERSION);
}

static void test_meminfo(void **state)
{
	struct vmm_buddy *b = vmm_host_buddy();
	struct vmm_heap *h = vmm_kernel_heap();
	char want[200];
	void *p = vmm_malloc(100), *q = vmm_malloc(30000);

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(run("meminfo"), VMM_OK);
	snprintf(want, sizeof(want), "pages: %llu KiB managed, %llu KiB free, %u zones\n",
		 (unsigned long long)(b->total_pages * 4), (unsigned long long)(b->free_pages * 4),
		 b->nr_zones);
	assert_console(want);
	snprintf(want, sizeof(want), "heap: 2 objects, 30100 bytes in use, %llu pages held\n",
		 (unsigned long long)h->pages_taken);
	assert_console(want);
	snprintf(want, sizeof(want), "in use: %llu pages outside the heap, 2 heap objects, 0 vserial endpoints\n",
		 (unsigned long long)(b->total_pages - b->free_pages - h->pages_taken));
	assert_console(want);
	/* 4 MiB of RAM, one state page: 1023 pages = 4092 KiB */
	assert_console("pages: 4092 KiB managed");
	vmm_free(p);
	vmm_free(q);
	fake_console_reset();
	assert_int_equal(run("meminfo"), VMM_OK);
	assert_console("heap: 0 objects, 0 bytes in use");
	assert_console("in use: 0 pages outside the heap, 0 heap objects");
	/* a block taken past the heap (a guest's RAM, an EPT table) shows */
	{
		physical_addr_t pa = vmm_host_page_alloc(1);

		assert_true(pa);
		fake_console_reset();
		assert_int_equal(run("meminfo"), VMM_OK);
		assert_console("in use: 2 pages outside the heap, 0 heap objects");
		vmm_host_page_free(pa);
	}
}

static void test_poweroff(void **state)
{
	bool stopped;

	(void)state;
	stopped = FAKE_CATCH_STOP(run("poweroff"));
	assert_true(stopped);
	assert_int_equal(fake_power_off_calls, 1);
	assert_console_is("powering off\n");
}

/* "shutdown" is the name for it; "poweroff" stays as an alias. */
static void test_shutdown(void **state)
{
	bool stopped;

	(void)state;
	stopped = FAKE_CATCH_STOP(run("shutdown"));
	assert_true(stopped);
	assert_int_equal(fake_power_off_calls, 1);
	assert_console_is("powering off\n");
	assert_ptr_equal(vmm_cmd_find("shutdown")->exec, vmm_cmd_find("poweroff")->exec);
}

static void test_heap_info(void **state)
{
	struct vmm_heap *h = vmm_kernel_heap();
	void *p = vmm_malloc(100);
	char want[160];

	(void)state;
	assert_non_null(p);
	assert_int_equal(run("heap info"), VMM_OK);
	snprintf(want, sizeof(want), "heap: 1 objects, 100 bytes in use, %llu pages held (%llu KiB)\n",
		 (unsigned long long)h->pages_taken, (unsigned long long)h->pages_taken * 4);
	assert_console_is(want);
	vmm_free(p);
	fake_console_reset();
	assert_int_equal(run("heap"), -VMM_EINVALID);
	assert_console_is("usage: heap info\n");
	fake_console_reset();
	assert_int_equal(run("heap info more"), -VMM_EINVALID);
	assert_console_is("usage: heap info\n");
}

static void test_loglevel(void **state)
{
	int old = vmm_printk_get_level();

	(void)state;
	assert_int_equal(run("loglevel"), VMM_OK);
	{
		char want[32];

		snprintf(want, sizeof(want), "loglevel: %d\n", old);
		assert_console_is(want);
	}
	fake_console_reset();
	assert_int_equal(run("loglevel 3"), VMM_OK);
	assert_int_equal(vmm_printk_get_level(), 3);
	assert_console_is("loglevel: 3\n");
	/* bad values change nothing */
	static const char *const bad[] = { "loglevel 8", "loglevel -1", "loglevel x", "loglevel 3x",
					   "loglevel 1 2", "loglevel 99999999999999999999" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		fake_console_reset();
		assert_int_equal(run(bad[i]), -VMM_EINVALID);
		assert_console_is("usage: loglevel [0..7]\n");
		assert_int_equal(vmm_printk_get_level(), 3);
	}
	vmm_printk_set_level(old);
}

static void test_host_info(void **state)
{
	struct vmm_buddy *b = vmm_host_buddy();
	char want[160];

	(void)state;
	fake_nr_host_cpus = 3;
	fake_host_cpu_ids[0] = 0;
	fake_host_cpu_ids[1] = 2;
	fake_host_cpu_ids[2] = ARCH_HOST_CPU_NO_ID;
	fake_host_cpu_online[1] = true;
	fake_host_cpu_online[2] = false;
	assert_int_equal(run("host info"), VMM_OK);
	assert_console("host: FakeVendor fake CPU (host unit test)\n");
	assert_console("host: 3 CPUs, 2 online (index:APIC id): cpu0:0 cpu1:2 cpu2:?(off)\n");
	snprintf(want, sizeof(want), "host: memory %llu KiB managed, %llu KiB free\n",
		 (unsigned long long)b->total_pages * 4, (unsigned long long)b->free_pages * 4);
	assert_console(want);
	assert_console("host: console fake console (host unit test)\n");
	assert_int_equal(fake_console_count("\n"), 4);
	fake_nr_host_cpus = 1;
	fake_host_cpu_online[1] = false;
	fake_console_reset();
	assert_int_equal(run("host"), -VMM_EINVALID);
	assert_console_is("host: which subcommand?\nusage: host info | cpu stats | irq stats | reboot\n");
	fake_console_reset();
	assert_int_equal(run("host bogus"), -VMM_EINVALID);
	assert_console_is("host: unknown subcommand 'bogus'\nusage: host info | cpu stats | irq stats | reboot\n");
	fake_console_reset();
	assert_int_equal(run("host cpu"), -VMM_EINVALID);
	assert_console_is("host cpu: expected 'stats', got 'nothing'\n"
			  "usage: host info | cpu stats | irq stats | reboot\n");
	fake_console_reset();
	assert_int_equal(run("host irq stats now"), -VMM_EINVALID);
	assert_console_is("host irq stats: unexpected argument 'now'\n"
			  "usage: host info | cpu stats | irq stats | reboot\n");
	fake_console_reset();
	assert_int_equal(run("host reboot now"), -VMM_EINVALID);
	assert_console_is("host reboot: unexpected argument 'now'\n"
			  "usage: host info | cpu stats | irq stats | reboot\n");
	assert_int_equal(fake_reboot_calls, 0);
}

/* "host reboot" says so and calls arch_reboot() (faked: it longjmps back). */
static void test_host_reboot(void **state)
{
	(void)state;
	assert_true(FAKE_CATCH_STOP(run("host reboot")));
	assert_int_equal(fake_reboot_calls, 1);
	assert_console_is("host: rebooting\n");
}

static void test_script(void **state)
{
	(void)state;
	assert_int_equal(vmm_cmd_exec_script("bootcmd", "echo a; echo b;echo c"), VMM_OK);
	/* blanks after a ';' are not part of the next command */
	assert_console_is("bootcmd> echo a\na\nbootcmd> echo b\nb\nbootcmd> echo c\nc\n");
	/* a single command, no ';' */
	fake_console_reset();
	assert_int_equal(vmm_cmd_exec_script("test", "version"), VMM_OK);
	assert_console("test> version\n" VMM_NAME);
}

static void test_script_empty_parts(void **state)
{
	(void)state;
	assert_int_equal(vmm_cmd_exec_script("bootcmd", ""), VMM_OK);
	assert_int_equal(fake_console_len(), 0);
	/* empty commands between separators are skipped without an echo */
	assert_int_equal(vmm_cmd_exec_script("bootcmd", ";;echo x;  ;"), VMM_OK);
	assert_console_is("bootcmd> echo x\nx\n");
}

static void test_script_errors_continue(void **state)
{
	(void)state;
	/* a failing command does not stop the script; its code is returned */
	assert_int_equal(vmm_cmd_exec_script("bootcmd", "bogus; echo after"), -VMM_ENOENT);
	assert_console("error: unknown command 'bogus'");
	assert_console("bootcmd> echo after\nafter\n");
	/* the last failure's code wins */
	fake_console_reset();
	assert_int_equal(vmm_cmd_exec_script("bootcmd",
		"echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; help nosuch; echo ok"),
		-VMM_ENOENT);
	assert_console("more than 16 words");
	assert_console("help: no command 'nosuch'");
	assert_console("ok\n");
	fake_console_reset();
	assert_int_equal(vmm_cmd_exec_script("bootcmd", "bogus; echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16"),
			 -VMM_ERANGE);
}

static void test_script_overlong_command(void **state)
{
	char script[1024];
	char cmd[VMM_CMD_LINE_MAX + 10];

	(void)state;
	/* 256 characters: too long, skipped with a message, the rest still runs */
	memset(cmd, 'x', VMM_CMD_LINE_MAX);
	memcpy(cmd, "echo ", 5);
	cmd[VMM_CMD_LINE_MAX] = 0;
	snprintf(script, sizeof(script), "echo first;%s;echo last", cmd);
	assert_int_equal(vmm_cmd_exec_script("bootcmd", script), -VMM_ERANGE);
	assert_console("bootcmd: command longer than 255 characters skipped\n");
	assert_console("first\n");
	assert_console("last\n");
	assert_false(fake_console_contains("xxxxxxxxxx"));	/* never echoed or run */
	/* 255 characters is the longest command that runs */
	fake_console_reset();
	cmd[VMM_CMD_LINE_MAX - 1] = 0;
	assert_int_equal(vmm_cmd_exec_script("bootcmd", cmd), VMM_OK);
	assert_int_equal(fake_console_count(cmd + 5), 2);	/* echoed, then printed */
	/* a too-long command at the very end */
	fake_console_reset();
	cmd[VMM_CMD_LINE_MAX - 1] = 'x';
	snprintf(script, sizeof(script), "echo a;%s", cmd);
	assert_int_equal(vmm_cmd_exec_script("bootcmd", script), -VMM_ERANGE);
	assert_console("a\n");
	assert_console("longer than 255 characters skipped");
}

static void test_script_poweroff_stops(void **state)
{
	bool stopped;

	(void)state;
	stopped = FAKE_CATCH_STOP(vmm_cmd_exec_script("bootcmd", "echo before; poweroff; echo after"));
	assert_true(stopped);
	assert_int_equal(fake_power_off_calls, 1);
	assert_console("before\n");
	assert_console("powering off\n");
	assert_false(fake_console_contains("after"));
}


/* ---- a command declared by the test itself ---- */

static int seen_argc;
static char seen_argv[VMM_CMD_MAX_ARGS + 1][32];
static bool seen_null_end;

static int cmd_probe(int argc, char **argv)
{
	seen_argc = argc;
	for (int i = 0; i < argc && i <= VMM_CMD_MAX_ARGS; i++)
		snprintf(seen_argv[i], sizeof(seen_argv[i]), "%s", argv[i]);
	seen_null_end = argv[argc] == NULL;
	return -VMM_EBUSY;	/* a distinctive code, passed up unchanged */
}

VMM_CMD(probe, "probe [args...]", "test command recording its arguments", cmd_probe);

static void test_declared_command(void **state)
{
	(void)state;
	assert_ptr_equal(vmm_cmd_find("probe"), &vmm_cmd_probe);
	/* runs with its words, argv NULL-terminated, its code returned as is */
	assert_int_equal(run("probe  one\ttwo three"), -VMM_EBUSY);
	assert_int_equal(seen_argc, 4);
	assert_string_equal(seen_argv[0], "probe");
	assert_string_equal(seen_argv[1], "one");
	assert_string_equal(seen_argv[2], "two");
	assert_string_equal(seen_argv[3], "three");
	assert_true(seen_null_end);
	assert_int_equal(vmm_cmd_exec_script("bootcmd", "probe x; echo y"), -VMM_EBUSY);
	assert_int_equal(seen_argc, 2);
	/* listed by help, with its own usage */
	fake_console_reset();
	assert_int_equal(run("help"), VMM_OK);
	assert_console("  probe [args...]          test command recording its arguments\n");
	fake_console_reset();
	assert_int_equal(run("help probe"), VMM_OK);
	assert_console_is("usage: probe [args...]\n  test command recording its arguments\n");
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_echo),
		T(test_exec_line_splits_in_place),
		T(test_unknown_command),
		T(test_too_many_words),
		T(test_empty_lines),
		T(test_help),
		T(test_find),
		T(test_version),
		T(test_meminfo),
		T(test_poweroff),
		T(test_script),
		T(test_script_empty_parts),
		T(test_script_errors_continue),
		T(test_script_overlong_command),
		T(test_script_poweroff_stops),
		T(test_shutdown),
		T(test_heap_info),
		T(test_loglevel),
		T(test_host_info),
		T(test_host_reboot),
		T(test_declared_command),
		T(test_table_sorted_and_complete),
		T(test_check_table),
	};

	return cmocka_run_group_tests_name("cmd", tests, group_setup, group_teardown);
}
