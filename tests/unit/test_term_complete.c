/*
 * tests/unit/test_term_complete.c - what the terminal's Tab offers
 * (kernel/term_complete.c): command names, subcommands read from usage
 * lines ("a|b|c", "a | b <x> | c"), command names after help, serial
 * endpoint names after vserial, guest names after guest, VCPU names after
 * vcpu (real guests of the scheduler fixture), nothing after a command
 * without words to offer; and the editor completing through it.
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
#include "tests/unit/sched_fixture.h"
#include "kernel/cmd.h"
#include "kernel/term.h"
#include "kernel/term_line.h"
#include "kernel/vserial.h"
#include "kernel/error.h"
#include "kernel/heap.h"
#include "kernel/host_mem.h"

/* meminfo (kernel/cmd.c) reads these; the fixture has its own allocators */
struct vmm_buddy *vmm_host_buddy(void)
{
	static struct vmm_buddy b;
	return &b;
}

struct vmm_heap *vmm_kernel_heap(void)
{
	static struct vmm_heap h;
	return &h;
}

static int nop(int argc, char **argv)
{
	(void)argc; (void)argv;
	return VMM_OK;
}

VMM_CMD(widget, "widget spin|stop|paint <colour> [x]", "test", nop);
VMM_CMD(gadget, "gadget list | send <endpoint> <text> | wipe", "test", nop);
/* stand-ins for kernel/cmd_guest.c's and cmd_vcpu.c's (which drag the whole
 * configuration in; their objects are not pulled from the archive here) */
VMM_CMD(guest, "guest list|kick|destroy", "test", nop);
VMM_CMD(vcpu, "vcpu list|dumpreg", "test", nop);
VMM_CMD(plainword, "plainword <ms>", "test", nop);
/* real commands: vserial (kernel/cmd_vserial.c), help, version, echo */
VMM_CMD_USE(vserial);
VMM_CMD_USE(help);
VMM_CMD_USE(version);
VMM_CMD_USE(echo);

static int group_setup(void **state)
{
	(void)state;
	if (fx_init())
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	return 0;
}

/* The candidates offered for 'prefix' as word 'wi' after 'before' (space-separated). */
static struct term_complete c;
static u32 offer(const char *before, int wi, const char *prefix)
{
	char buf[128];
	char *words[8];
	int n;

	snprintf(buf, sizeof(buf), "%s", before);
	n = term_split(buf, words, 8);
	assert_int_equal(n, wi);
	memset(&c, 0, sizeof(c));
	c.prefix = prefix;
	c.prefix_len = strlen(prefix);
	vmm_term_complete(NULL, wi, words, &c);
	return c.count;
}

static void test_command_names(void **state)
{
	const struct vmm_cmd *cmd;
	u32 n = 0;

	(void)state;
	while (vmm_cmd_sorted(n))
		n++;
	assert_true(n >= 8);
	for (u32 i = 0; (cmd = vmm_cmd_sorted(i)); i++)
		assert_ptr_equal(vmm_cmd_find(cmd->name), cmd);
	assert_int_equal(offer("", 0, ""), n);
	assert_int_equal(offer("", 0, "wid"), 1);
	assert_string_equal(c.common, "widget");
	assert_int_equal(offer("", 0, "ver"), 1);
	assert_string_equal(c.common, "version");
	assert_int_equal(offer("", 0, "zzz"), 0);
	/* help offers the commands again */
	assert_int_equal(offer("help", 1, "gad"), 1);
	assert_string_equal(c.common, "gadget");
	assert_int_equal(offer("help gadget", 2, ""), 0);
}

static void test_subcommands(void **state)
{
	(void)state;
	assert_int_equal(offer("widget", 1, ""), 3);	/* spin stop paint: not <colour>, [x] */
	assert_string_equal(c.common, "");
	assert_int_equal(offer("widget", 1, "s"), 2);
	assert_string_equal(c.common, "s");
	assert_int_equal(offer("widget", 1, "p"), 1);
	assert_string_equal(c.common, "paint");
	assert_int_equal(offer("gadget", 1, ""), 3);	/* list send wipe, across " | " */
	assert_int_equal(offer("gadget", 1, "w"), 1);
	assert_string_equal(c.common, "wipe");
	assert_int_equal(offer("plainword", 1, ""), 0);
	assert_int_equal(offer("nosuchcmd", 1, ""), 0);
	/* the real ones */
	assert_int_equal(offer("vserial", 1, ""), 4);	/* list bind dump send */
	assert_int_equal(offer("echo", 1, ""), 0);
}

static void test_endpoint_names(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("alpha", "uart0");
	struct vmm_vserial *b = vmm_vserial_create("beta", "uart0");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(offer("vserial send", 2, ""), 2);
	assert_int_equal(offer("vserial send", 2, "al"), 1);
	assert_string_equal(c.common, "alpha/uart0");
	vmm_vserial_destroy(a);
	vmm_vserial_destroy(b);
	assert_int_equal(offer("vserial send", 2, ""), 0);
}

static void test_guest_and_vcpu_names(void **state)
{
	(void)state;
	assert_int_equal(offer("guest kick", 2, ""), 1);	/* "all" only */
	assert_non_null(fx_guest("linux0", 1, NULL, NULL));
	assert_non_null(fx_guest("linux1", 2, NULL, NULL));
	assert_int_equal(offer("guest kick", 2, ""), 3);
	assert_int_equal(offer("guest kick", 2, "li"), 2);
	assert_string_equal(c.common, "linux");
	assert_int_equal(offer("guest", 1, "d"), 1);
	assert_string_equal(c.common, "destroy");
	assert_int_equal(offer("vcpu dumpreg", 2, "linux1/"), 2);
	assert_string_equal(c.common, "linux1/vcpu");
	assert_int_equal(offer("vcpu dumpreg", 2, "linux0"), 1);
	assert_string_equal(c.common, "linux0/vcpu0");
}

/* The editor and the terminal's completer together. */
static char screen[4096];
static size_t screen_len;
static void capture(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (screen_len + n < sizeof(screen)) {
		memcpy(screen + screen_len, s, n);
		screen_len += n;
		screen[screen_len] = 0;
	}
}

static void test_through_the_editor(void **state)
{
	static struct term_line l;
	const char *keys = "wid\tpa\tred";

	(void)state;
	term_line_init(&l, VMM_TERM_PROMPT, capture, vmm_term_complete, NULL);
	term_line_start(&l);
	for (const char *k = keys; *k; k++)
		term_line_feed(&l, (u8)*k);
	assert_string_equal(l.buf, "widget paint red");
	screen_len = 0;
	term_line_feed(&l, 0x15);
	for (const char *k = "widget s\t"; *k; k++)
		term_line_feed(&l, (u8)*k);
	assert_string_equal(l.buf, "widget s");
	term_line_feed(&l, '\t');		/* no more in common: a Tab lists them */
	assert_non_null(strstr(screen, "\nspin  stop\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_names),
		cmocka_unit_test(test_subcommands),
		cmocka_unit_test(test_endpoint_names),
		cmocka_unit_test(test_guest_and_vcpu_names),
		cmocka_unit_test(test_through_the_editor),
	};

	return cmocka_run_group_tests_name("term_complete", tests, group_setup, group_teardown);
}
