/*
 * tests/unit/test_vserial.c - virtual serial endpoints (kernel/vserial.c):
 * creation and lookup, unregistering (out of the list, a bound sink told
 * and detached, the partial line written out, the memory freed), a sink
 * taking the output instead of the console, and the host-to-device path by
 * name (vmm_vserial_send_name) refusing an endpoint that is gone or takes
 * no input; the output ring (wrap-around, dump order, partial lines,
 * control bytes, long lines) and the console line format. The heap is the
 * fixture's counting one (devemu_fixture.h).
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
#include "kernel/vserial.h"
#include "kernel/console.h"
#include "kernel/printk.h"

struct rec_sink {
	struct vmm_vserial_sink sink;
	char out[64];
	u32 n;
	int detached;
	struct vmm_vserial *detached_from;
};

static void rec_putc(struct vmm_vserial_sink *s, u8 c)
{
	struct rec_sink *r = s->priv;

	if (r->n < sizeof(r->out) - 1)
		r->out[r->n++] = (char)c;
}

static void rec_detached(struct vmm_vserial_sink *s, struct vmm_vserial *vs)
{
	struct rec_sink *r = s->priv;

	r->detached++;
	r->detached_from = vs;
}

static void rec_init(struct rec_sink *r)
{
	memset(r, 0, sizeof(*r));
	r->sink = (struct vmm_vserial_sink){ rec_putc, rec_detached, r };
}

static u8 received[2048];
static u32 nr_received;
static u32 dev_room = ~0u;	/* bytes the fake receiver still takes */

/* A fake device receiver: takes bytes while it has room. */
static bool dev_input(void *priv, u8 c)
{
	(void)priv;
	if (!dev_room)
		return false;
	dev_room--;
	if (nr_received < sizeof(received))
		received[nr_received++] = c;
	return true;
}

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	vmm_console_reset();
	nr_received = 0;
	dev_room = ~0u;
	nr_received = 0;
	return 0;
}

static void test_create_find_unregister(void **state)
{
	long live = fx_heap_live;
	u32 count = vmm_vserial_count();
	struct vmm_vserial *a = vmm_vserial_create("ga", "uart0");
	struct vmm_vserial *b = vmm_vserial_create("gb", "uart0");

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(vmm_vserial_count(), count + 2);
	assert_ptr_equal(vmm_vserial_find("ga/uart0"), a);
	assert_ptr_equal(vmm_vserial_find("gb/uart0"), b);
	vmm_vserial_unregister(a);
	assert_null(vmm_vserial_find("ga/uart0"));
	assert_ptr_equal(vmm_vserial_find("gb/uart0"), b);
	assert_int_equal(vmm_vserial_count(), count + 1);
	vmm_vserial_unregister(b);
	assert_int_equal(vmm_vserial_count(), count);
	assert_int_equal(fx_heap_live, live);
	vmm_vserial_unregister(NULL);	/* ignored */
}

/* The line the guest had not finished is written out at unregister. */
static void test_unregister_flushes(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gx", "uart0");

	(void)state;
	vmm_vserial_putc(a, 'h');
	vmm_vserial_putc(a, 'i');
	assert_false(fake_console_contains("gx: hi"));
	vmm_vserial_unregister(a);
	assert_true(fake_console_contains("gx: hi\n"));
}

/* A bound sink gets the bytes instead of the console, and is told when
 * the endpoint goes away; nothing goes to it afterwards. */
static void test_sink_detached_at_unregister(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gs", "uart0");
	struct rec_sink r, other;

	(void)state;
	rec_init(&r);
	rec_init(&other);
	assert_int_equal(vmm_vserial_attach(a, &r.sink), VMM_OK);
	assert_int_equal(vmm_vserial_attach(a, &other.sink), -VMM_EBUSY);
	vmm_vserial_putc(a, 'o');
	vmm_vserial_putc(a, 'k');
	vmm_vserial_putc(a, '\n');
	assert_string_equal(r.out, "ok\n");
	assert_false(fake_console_contains("gs: ok"));
	assert_int_equal(a->bytes_out, 3);
	vmm_vserial_unregister(a);
	assert_int_equal(r.detached, 1);
	assert_ptr_equal(r.detached_from, a);
	assert_int_equal(other.detached, 0);
}

/* Detached by its owner: the console gets the output again, and the sink
 * is not told at unregister. */
static void test_sink_detach(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gd", "uart0");
	struct rec_sink r;

	(void)state;
	rec_init(&r);
	assert_int_equal(vmm_vserial_attach(a, &r.sink), VMM_OK);
	vmm_vserial_putc(a, 'x');
	vmm_vserial_detach(a, &r.sink);
	vmm_vserial_putc(a, 'y');
	vmm_vserial_putc(a, '\n');
	assert_string_equal(r.out, "x");
	assert_true(fake_console_contains("gd: y\n"));
	vmm_vserial_unregister(a);
	assert_int_equal(r.detached, 0);
}

/* Host bytes by name: to the device's input; refused once it is gone. */
static void test_send_name(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gn", "uart0");
	struct vmm_vserial *b = vmm_vserial_create("gn", "hvc");

	(void)state;
	vmm_vserial_set_input(a, dev_input, NULL);
	assert_int_equal(vmm_vserial_send_name("gn/uart0", (const u8 *)"abc", 3), 3);
	assert_int_equal(nr_received, 3);
	assert_memory_equal(received, "abc", 3);
	assert_int_equal(a->bytes_in, 3);
	assert_int_equal(vmm_vserial_send_name("gn/hvc", (const u8 *)"a", 1), -VMM_ENOSYS);
	assert_int_equal(vmm_vserial_send_name("gn/nothing", (const u8 *)"a", 1), -VMM_ENOENT);
	vmm_vserial_unregister(a);
	assert_int_equal(vmm_vserial_send_name("gn/uart0", (const u8 *)"d", 1), -VMM_ENOENT);
	assert_int_equal(nr_received, 3);
	vmm_vserial_unregister(b);
}

static void count_one(struct vmm_vserial *vs, void *arg)
{
	(void)vs;
	(*(u32 *)arg)++;
}

static void test_for_each(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("ge", "a");
	struct vmm_vserial *b = vmm_vserial_create("ge", "b");
	u32 seen = 0;

	(void)state;
	assert_int_equal(vmm_vserial_for_each(count_one, &seen), vmm_vserial_count());
	assert_int_equal(seen, vmm_vserial_count());
	vmm_vserial_unregister(a);
	vmm_vserial_unregister(b);
}

static void puts_vs(struct vmm_vserial *vs, const char *s)
{
	while (*s)
		vmm_vserial_putc(vs, (u8)*s++);
}

/* The lines vmm_vserial_lines() makes, joined with '\n' after each. */
static char joined[8192];
static size_t joined_len;

static void join_line(const char *text, size_t len, void *arg)
{
	(*(u32 *)arg)++;
	memcpy(joined + joined_len, text, len);
	joined_len += len;
	joined[joined_len++] = '\n';
	joined[joined_len] = 0;
}

static u32 dump(const char *name, u64 *total)
{
	static u8 buf[VMM_VSERIAL_RING];
	int n = vmm_vserial_recent(name, buf, sizeof(buf), total);
	u32 calls = 0, lines;

	assert_true(n >= 0);
	joined_len = 0;
	joined[0] = 0;
	lines = vmm_vserial_lines(buf, (size_t)n, *total > (u64)n, join_line, &calls);
	assert_int_equal(lines, calls);
	return lines;
}

/* The console shows "<guest>: <text>" per line, never through printk's
 * level; control bytes as '.', '\r' dropped, an empty line as "<guest>: ". */
static void test_console_format(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gf", "uart0");

	(void)state;
	vmm_printk_set_level(VMM_LOG_EMERG);	/* guest output is not a log message */
	puts_vs(a, "Hello\r\n\n\x1b[2Jtab\there\x7f\n");
	assert_string_equal(fake_console_text(), "gf: Hello\ngf: \ngf: .[2Jtab\there.\n");
	vmm_printk_set_level(VMM_LOG_DEFAULT);
	vmm_vserial_unregister(a);
}

/* A line longer than VMM_VSERIAL_LINE_MAX leaves in pieces of that size. */
static void test_console_long_line(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gl", "uart0");
	char want[VMM_VSERIAL_LINE_MAX + 1];

	(void)state;
	for (u32 i = 0; i < VMM_VSERIAL_LINE_MAX + 5; i++)
		vmm_vserial_putc(a, 'L');
	vmm_vserial_putc(a, '\n');
	memset(want, 'L', VMM_VSERIAL_LINE_MAX);
	want[VMM_VSERIAL_LINE_MAX] = 0;
	assert_int_equal(fake_console_count("gl: "), 2);
	assert_true(fake_console_contains(want));
	assert_true(fake_console_contains("\ngl: LLLLL\n"));
	vmm_vserial_unregister(a);
}

/* Dump: oldest first, the partial last line included, control bytes as the
 * console shows them; an unknown endpoint is refused. */
static void test_ring_dump_order(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gr", "uart0");
	u64 total;

	(void)state;
	assert_int_equal(dump("gr/uart0", &total), 0);
	assert_int_equal(total, 0);
	puts_vs(a, "first\r\nsecond\x07\nthird, no end");
	assert_int_equal(dump("gr/uart0", &total), 3);
	assert_int_equal(total, 7 + 8 + 13);
	assert_string_equal(joined, "first\nsecond.\nthird, no end\n");
	/* the partial line is still the console's: not written yet */
	assert_false(fake_console_contains("third"));
	assert_int_equal(vmm_vserial_recent("gr/none", (u8 *)joined, 4, NULL), -VMM_ENOENT);
	/* at most max bytes, the most recent ones */
	assert_int_equal(vmm_vserial_recent("gr/uart0", (u8 *)joined, 6, NULL), 6);
	assert_memory_equal(joined, "no end", 6);
	vmm_vserial_unregister(a);
}

/* Past VMM_VSERIAL_RING bytes the oldest go; the line cut by the wrap is
 * dropped from the dump, the rest are whole and in order. A sink bound to
 * the endpoint does not stop the ring. */
static void test_ring_wrap(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gw", "uart0");
	struct rec_sink r;
	char line[32];
	u64 total;
	u32 lines;

	(void)state;
	rec_init(&r);
	for (u32 i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %04u\n", i);	/* 10 bytes */
		puts_vs(a, line);
		if (i == 500)
			assert_int_equal(vmm_vserial_attach(a, &r.sink), VMM_OK);
	}
	lines = dump("gw/uart0", &total);
	assert_int_equal(total, 10000);
	/* 4096 bytes: 6 bytes of line 0590, then lines 0591-0999 */
	assert_int_equal(lines, 409);
	assert_memory_equal(joined, "line 0591\nline 0592\n", 20);
	assert_string_equal(joined + joined_len - 10, "line 0999\n");
	assert_false(fake_console_contains("gw: line 0501"));
	assert_true(fake_console_contains("gw: line 0500\n"));
	vmm_vserial_unregister(a);
}

/* Lines in the dump are cut like the console's; a ring without any line
 * end (all of it one long line) is shown, not dropped. */
static void test_ring_long_line(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gk", "uart0");
	u64 total;

	(void)state;
	for (u32 i = 0; i < VMM_VSERIAL_RING + 100; i++)
		vmm_vserial_putc(a, 'k');
	assert_int_equal(dump("gk/uart0", &total), (VMM_VSERIAL_RING + VMM_VSERIAL_LINE_MAX - 1) /
						   VMM_VSERIAL_LINE_MAX);
	assert_int_equal(joined_len, VMM_VSERIAL_RING + (VMM_VSERIAL_RING + VMM_VSERIAL_LINE_MAX - 1) /
							       VMM_VSERIAL_LINE_MAX);
	assert_int_equal(joined[VMM_VSERIAL_LINE_MAX], '\n');
	vmm_vserial_unregister(a);
}

/* A receiver that is full: the bytes wait in the input queue, in order,
 * and move on as it has room; a full queue takes what fits. */
static void test_input_queue(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gq", "uart0");
	u8 big[VMM_VSERIAL_INQ + 10];

	(void)state;
	vmm_vserial_set_input(a, dev_input, NULL);
	dev_room = 2;
	assert_int_equal(vmm_vserial_send_name("gq/uart0", (const u8 *)"hello", 5), 5);
	assert_int_equal(nr_received, 2);
	vmm_vserial_input_ready(a);		/* still full: nothing moves */
	assert_int_equal(nr_received, 2);
	dev_room = 1;
	vmm_vserial_input_ready(a);
	assert_int_equal(nr_received, 3);
	dev_room = ~0u;
	vmm_vserial_input_ready(a);
	assert_int_equal(nr_received, 5);
	assert_memory_equal(received, "hello", 5);
	assert_int_equal(a->bytes_in, 5);
	/* a receiver that takes nothing: the queue fills, the rest is refused */
	dev_room = 0;
	memset(big, 'x', sizeof(big));
	assert_int_equal(vmm_vserial_send(a, big, sizeof(big)), VMM_VSERIAL_INQ);
	assert_int_equal(vmm_vserial_send_name("gq/uart0", big, 1), 0);
	dev_room = ~0u;
	vmm_vserial_input_ready(a);
	assert_int_equal(nr_received, 5 + VMM_VSERIAL_INQ);
	vmm_vserial_unregister(a);
}

/* A polled endpoint (the hypercall console): bytes wait until getc takes them. */
static void test_polled_getc(void **state)
{
	struct vmm_vserial *h = vmm_vserial_create("gp", "hvc");
	struct rec_sink r;

	(void)state;
	rec_init(&r);
	assert_int_equal(vmm_vserial_send_name("gp/hvc", (const u8 *)"a", 1), -VMM_ENOSYS);
	assert_int_equal(vmm_vserial_attach_name("gp/hvc", &r.sink), -VMM_ENOSYS);
	vmm_vserial_set_input_polled(h);
	assert_int_equal(vmm_vserial_getc(h), -1);
	assert_int_equal(vmm_vserial_send_name("gp/hvc", (const u8 *)"hi", 2), 2);
	assert_int_equal(vmm_vserial_getc(h), 'h');
	assert_int_equal(vmm_vserial_getc(h), 'i');
	assert_int_equal(vmm_vserial_getc(h), -1);
	assert_int_equal(vmm_vserial_attach_name("gp/hvc", &r.sink), VMM_OK);
	vmm_vserial_detach_sink(&r.sink);
	assert_null(h->sink);
	vmm_vserial_unregister(h);
}

/* Attach by name: unknown, output-only and already bound endpoints are refused. */
static void test_attach_name(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("ga", "uart0");
	struct vmm_vserial *h = vmm_vserial_create("ga", "hvc");
	struct rec_sink r, r2;

	(void)state;
	rec_init(&r);
	rec_init(&r2);
	vmm_vserial_set_input(a, dev_input, NULL);
	assert_int_equal(vmm_vserial_attach_name("ga/none", &r.sink), -VMM_ENOENT);
	assert_int_equal(vmm_vserial_attach_name("ga/hvc", &r.sink), -VMM_ENOSYS);
	assert_int_equal(vmm_vserial_attach_name("ga/uart0", &r.sink), VMM_OK);
	assert_int_equal(vmm_vserial_attach_name("ga/uart0", &r2.sink), -VMM_EBUSY);
	vmm_vserial_putc(a, 'z');
	assert_int_equal(r.n, 1);
	vmm_vserial_detach(a, &r.sink);
	vmm_vserial_unregister(a);
	vmm_vserial_unregister(h);
}

/* Muted: other endpoints' lines stay off the console, in the ring, counted. */
static void test_mute(void **state)
{
	struct vmm_vserial *a = vmm_vserial_create("gm", "uart0");
	u8 buf[32];

	(void)state;
	vmm_vserial_mute(true);
	for (const char *p = "one\ntwo\n"; *p; p++)
		vmm_vserial_putc(a, (u8)*p);
	assert_false(fake_console_contains("gm:"));
	assert_int_equal(a->lines_muted, 2);
	assert_int_equal(vmm_vserial_recent("gm/uart0", buf, sizeof(buf), NULL), 8);
	vmm_vserial_mute(false);
	for (const char *p = "three\n"; *p; p++)
		vmm_vserial_putc(a, (u8)*p);
	assert_true(fake_console_contains("gm: three\n"));
	vmm_vserial_mute(true);		/* a new binding counts from 0 */
	assert_int_equal(a->lines_muted, 0);
	vmm_vserial_mute(false);
	vmm_vserial_unregister(a);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_find_unregister),
		T(test_unregister_flushes),
		T(test_sink_detached_at_unregister),
		T(test_sink_detach),
		T(test_send_name),
		T(test_input_queue),
		T(test_attach_name),
		T(test_polled_getc),
		T(test_mute),
		T(test_for_each),
		T(test_console_format),
		T(test_console_long_line),
		T(test_ring_dump_order),
		T(test_ring_wrap),
		T(test_ring_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
