/*
 * tests/unit/test_term_detach.c - the detach sequence of a terminal bound
 * to a guest console (kernel/term_detach.c): ESC x q detaches; every other
 * byte, and a prefix that breaks off, reaches the guest unchanged and in
 * order; a held prefix can be given up (a lone ESC for the guest).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/term_detach.h"

/* Feed 'in' (n bytes); what the guest gets goes to 'out'; returns the index
 * of the byte that completed the sequence, or -1. */
static int feed_all(struct term_detach *d, const char *in, size_t n, char *out, size_t *out_len)
{
	*out_len = 0;
	for (size_t i = 0; i < n; i++) {
		u8 buf[TERM_DETACH_HELD + 1];
		size_t k;

		if (term_detach_feed(d, (u8)in[i], buf, &k))
			return (int)i;
		assert_true(k <= sizeof(buf));
		memcpy(out + *out_len, buf, k);
		*out_len += k;
	}
	return -1;
}

static void test_plain_bytes_pass(void **state)
{
	struct term_detach d;
	char out[64];
	size_t n;

	(void)state;
	term_detach_init(&d);
	assert_int_equal(feed_all(&d, "ls -l\r\x03q", 8, out, &n), -1);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "ls -l\r\x03q", 8);
	assert_false(term_detach_holding(&d));
}

static void test_sequence_detaches(void **state)
{
	struct term_detach d;
	char out[64];
	size_t n;

	(void)state;
	term_detach_init(&d);
	assert_int_equal(feed_all(&d, "ab\x1bxqcd", 7, out, &n), 4);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ab", 2);
	assert_false(term_detach_holding(&d));
}

/* Prefixes that break off go through: cursor keys (ESC [ A), ESC x y,
 * ESC ESC x q (the first ESC goes, the rest detaches). */
static void test_broken_prefixes_pass(void **state)
{
	struct term_detach d;
	char out[64];
	size_t n;

	(void)state;
	term_detach_init(&d);
	assert_int_equal(feed_all(&d, "\x1b[A\x1bxy", 6, out, &n), -1);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "\x1b[A\x1bxy", 6);
	assert_int_equal(feed_all(&d, "\x1b\x1bxq", 4, out, &n), 3);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0x1b);
	assert_int_equal(feed_all(&d, "\x1bx\x1bxq", 5, out, &n), 4);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x1bx", 2);
}

/* A held prefix given up: it goes to the guest, the state starts over. */
static void test_flush_held(void **state)
{
	struct term_detach d;
	char out[64];
	u8 held[TERM_DETACH_HELD];
	size_t n;

	(void)state;
	term_detach_init(&d);
	assert_int_equal(feed_all(&d, "\x1bx", 2, out, &n), -1);
	assert_int_equal(n, 0);
	assert_true(term_detach_holding(&d));
	assert_int_equal(term_detach_flush(&d, held), 2);
	assert_memory_equal(held, "\x1bx", 2);
	assert_false(term_detach_holding(&d));
	assert_int_equal(term_detach_flush(&d, held), 0);
	assert_int_equal(feed_all(&d, "q", 1, out, &n), -1);	/* no longer part of it */
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_pass),
		cmocka_unit_test(test_sequence_detaches),
		cmocka_unit_test(test_broken_prefixes_pass),
		cmocka_unit_test(test_flush_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
