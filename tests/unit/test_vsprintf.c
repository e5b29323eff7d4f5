/*
 * tests/unit/test_vsprintf.c - vmm_snprintf()/vmm_vsnprintf() (kernel/vsprintf.c):
 * every conversion, flag, width/precision form and length modifier, the C99
 * truncation contract, and a table of cases compared against glibc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/printk.h"

/* Some cases deliberately use flag/conversion pairs C leaves ineffective
 * ("%+u", "%#d"), and glibc's snprintf is called with small sizes. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif
#pragma GCC diagnostic ignored "-Wformat-zero-length"

/* Kernel and glibc must print the same text and return the same length. */
#define SAME(fmt, ...) do {							\
	char k_[512], g_[512];							\
	memset(k_, 'K', sizeof(k_));						\
	memset(g_, 'G', sizeof(g_));						\
	int kn_ = vmm_snprintf(k_, sizeof(k_), fmt, ##__VA_ARGS__);		\
	int gn_ = snprintf(g_, sizeof(g_), fmt, ##__VA_ARGS__);			\
	if (kn_ != gn_ || strcmp(k_, g_))					\
		fail_msg("format \"%s\": kernel \"%s\" (%d), glibc \"%s\" (%d)",	\
			 fmt, k_, kn_, g_, gn_);					\
} while (0)

/* The kernel must print exactly 'want' (for behaviour that is our own). */
#define EXPECT(want, fmt, ...) do {						\
	char k_[512];								\
	int kn_ = vmm_snprintf(k_, sizeof(k_), fmt, ##__VA_ARGS__);		\
	if (kn_ != (int)strlen(want) || strcmp(k_, want))			\
		fail_msg("format \"%s\": kernel \"%s\" (%d), expected \"%s\" (%d)",	\
			 fmt, k_, kn_, want, (int)strlen(want));		\
} while (0)

static void test_plain_text(void **state)
{
	(void)state;
	EXPECT("", "");
	EXPECT("hello, world", "hello, world");
	EXPECT("100%", "100%%");
	EXPECT("%a%b%", "%%a%%b%%");
	SAME("tab\there\nnewline");
}

static void test_signed_d_i(void **state)
{
	(void)state;
	EXPECT("0", "%d", 0);
	EXPECT("42", "%d", 42);
	EXPECT("-42", "%d", -42);
	EXPECT("2147483647", "%d", INT_MAX);
	EXPECT("-2147483648", "%d", INT_MIN);
	EXPECT("-7", "%i", -7);
	EXPECT("1 -2 3", "%d %i %d", 1, -2, 3);
	SAME("%d|%i", INT_MIN, INT_MAX);
}

static void test_unsigned_u_x_X_o(void **state)
{
	(void)state;
	EXPECT("0", "%u", 0u);
	EXPECT("4294967295", "%u", UINT_MAX);
	EXPECT("deadbeef", "%x", 0xdeadbeefu);
	EXPECT("DEADBEEF", "%X", 0xdeadbeefu);
	EXPECT("0", "%x", 0u);
	EXPECT("10", "%o", 8u);
	EXPECT("777", "%o", 0777u);
	EXPECT("37777777777", "%o", UINT_MAX);
	/* a negative int through %u/%x is its unsigned value */
	EXPECT("4294967295", "%u", -1);
	EXPECT("ffffffff", "%x", -1);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	/* hh and h truncate to char / short */
	EXPECT("44", "%hhd", 300);
	EXPECT("-128", "%hhd", 128);
	EXPECT("255", "%hhu", -1);
	EXPECT("ff", "%hhx", 0x12ff);
	EXPECT("-1", "%hd", 0xffff);
	EXPECT("2345", "%hx", 0x12345);
	EXPECT("65535", "%hu", -1);
	/* l and ll are 64-bit here */
	EXPECT("-9223372036854775808", "%ld", LONG_MIN);
	EXPECT("9223372036854775807", "%lld", LLONG_MAX);
	EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
	EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT("ffffffffffffffff", "%lx", ULONG_MAX);
	EXPECT("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
	EXPECT("1777777777777777777777", "%llo", ULLONG_MAX);
	/* z t j */
	EXPECT("18446744073709551615", "%zu", SIZE_MAX);
	EXPECT("-5", "%zd", (ssize_t)-5);
	EXPECT("-9", "%td", (ptrdiff_t)-9);
	EXPECT("-9223372036854775808", "%jd", INTMAX_MIN);
	EXPECT("ffffffffffffffff", "%jx", UINTMAX_MAX);
	/* a 64-bit argument consumed with l leaves the next one intact */
	EXPECT("4294967296 7", "%lu %d", 1UL << 32, 7);
	SAME("%hhd %hd %ld %lld %zu %td %jd", 200, 40000, -3L, -4LL, (size_t)5,
	     (ptrdiff_t)-6, (intmax_t)7);
}

static void test_flags(void **state)
{
	(void)state;
	EXPECT("42   |", "%-5d|", 42);
	EXPECT("00042", "%05d", 42);
	EXPECT("-0042", "%05d", -42);
	EXPECT("+42", "%+d", 42);
	EXPECT("-42", "%+d", -42);
	EXPECT("+0", "%+d", 0);
	EXPECT(" 42", "% d", 42);
	EXPECT("-42", "% d", -42);
	EXPECT("+42", "%+ d", 42);	/* + wins over space */
	EXPECT("42   ", "%-05d", 42);	/* - wins over 0 */
	EXPECT("0x2a", "%#x", 42);
	EXPECT("0X2A", "%#X", 42);
	EXPECT("052", "%#o", 42);
	EXPECT("0x00002a", "%#08x", 42);
	EXPECT("0x2a    |", "%-#8x|", 42);
	EXPECT("+0042", "%+05d", 42);
	EXPECT(" 0042", "% 05d", 42);
	/* + and space mean nothing for unsigned conversions */
	EXPECT("42", "%+u", 42u);
	EXPECT("2a", "% x", 42u);
	SAME("%#o", 0u);
	SAME("%#.0o", 0u);
	SAME("%#5o", 8u);
	SAME("%#.5o", 8u);
	SAME("%#08o", 8u);
}

static void test_alt_hex_zero(void **state)
{
	(void)state;
	/* C99 7.19.6.1: "#" adds 0x only to a nonzero result */
	SAME("%#x", 0u);
	SAME("%#X", 0u);
	SAME("%#5x|", 0u);
	SAME("%#.0x|", 0u);
	SAME("%#lx", 0UL);
}

static void test_width_precision(void **state)
{
	(void)state;
	EXPECT("   42", "%5d", 42);
	EXPECT("42", "%1d", 42);
	EXPECT("00042", "%.5d", 42);
	EXPECT("-00042", "%.5d", -42);
	EXPECT("   00042", "%8.5d", 42);
	EXPECT("00042   |", "%-8.5d|", 42);
	EXPECT("     042", "%08.3d", 42);	/* 0 ignored with a precision */
	EXPECT("", "%.0d", 0);			/* no digits for 0 with precision 0 */
	EXPECT("   ", "%3.0d", 0);
	EXPECT("+", "%+.0d", 0);
	EXPECT("", "%.0x", 0u);
	/* * takes width and precision from the arguments */
	EXPECT("   42", "%*d", 5, 42);
	EXPECT("42   |", "%*d|", -5, 42);	/* negative width = '-' flag */
	EXPECT("00042", "%.*d", 5, 42);
	EXPECT("42", "%.*d", -3, 42);		/* negative precision = none */
	EXPECT("   00042", "%*.*d", 8, 5, 42);
	EXPECT("abc  |", "%-*s|", 5, "abc");
	EXPECT("ab", "%.*s", 2, "abcdef");
	EXPECT("abcdef", "%.*s", -1, "abcdef");
	/* output longer than the buffer still reports its full length */
	{
		char buf[16];

		assert_int_equal(vmm_snprintf(buf, sizeof(buf), "%300d", 1), 300);
		assert_string_equal(buf, "               ");
		assert_int_equal(vmm_snprintf(buf, sizeof(buf), "%.200d", 1), 200);
		assert_string_equal(buf, "000000000000000");
	}
}

static void test_char(void **state)
{
	char buf[16];

	(void)state;
	EXPECT("A", "%c", 'A');
	EXPECT("    x", "%5c", 'x');
	EXPECT("x    |", "%-5c|", 'x');
	EXPECT("a%b", "%c%%%c", 'a', 'b');
	EXPECT("\xff", "%c", 0xff);
	/* a NUL character is output and counted like any other */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, sizeof(buf), "a%cb", 0), 3);
	assert_memory_equal(buf, "a\0b\0", 4);
}

static void test_string(void **state)
{
	(void)state;
	EXPECT("hello", "%s", "hello");
	EXPECT("", "%s", "");
	EXPECT("     hello", "%10s", "hello");
	EXPECT("hello     |", "%-10s|", "hello");
	EXPECT("hel", "%.3s", "hello");
	EXPECT("", "%.0s", "hello");
	EXPECT("        he", "%10.2s", "hello");
	EXPECT("hello", "%2s", "hello");	/* width never cuts */
	EXPECT("[a][bc]", "[%s][%s]", "a", "bc");
	/* precision bounds the read: the array need not be NUL-terminated */
	{
		static const char unterminated[3] = { 'x', 'y', 'z' };

		EXPECT("xyz", "%.3s", unterminated);
	}
}

static void test_null_string(void **state)
{
	const char *volatile null = NULL;	/* hide the NULL from -Wformat */

	(void)state;
	EXPECT("(null)", "%s", null);
	EXPECT("  (null)", "%8s", null);
	EXPECT("(null)  |", "%-8s|", null);
	EXPECT("<(null)>", "<%s>", null);
}

static void test_pointer(void **state)
{
	(void)state;
	/* %p is always 0x and 16 hex digits, so columns line up */
	EXPECT("0x0000000000001234", "%p", (void *)0x1234);
	EXPECT("0x0000000000000000", "%p", (void *)0);
	EXPECT("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	EXPECT("0x00007fffdeadbeef", "%p", (void *)0x7fffdeadbeefULL);
	EXPECT("[0x0000000000000010]", "[%p]", (void *)16);
}

static void test_percent_and_unknown(void **state)
{
	char buf[16];

	(void)state;
	EXPECT("%", "%%");
	EXPECT("50% off", "%d%% off", 50);
	/* an unknown conversion is printed as written */
	EXPECT("%y", "%y");
	EXPECT("a%qb", "a%qb");
	/* a lone '%' at the end prints nothing and stops cleanly */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, sizeof(buf), "abc%"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(vmm_snprintf(buf, sizeof(buf), "abc%-5"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(vmm_snprintf(buf, sizeof(buf), "abc%ll"), 3);
	assert_string_equal(buf, "abc");
	/* the arguments after a %% are still matched correctly */
	EXPECT("% 1 2", "%% %d %d", 1, 2);
}

static void test_truncation(void **state)
{
	char buf[32];

	(void)state;
	/* the return value is the full length; the buffer is cut and terminated */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 5, "hello world"), 11);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'Z');		/* nothing past 'size' is written */

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 6, "hello"), 5);	/* exact fit */
	assert_string_equal(buf, "hello");
	assert_int_equal(buf[6], 'Z');

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 5, "hello"), 5);	/* one short */
	assert_string_equal(buf, "hell");

	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 1, "hello"), 5);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 'Z');

	/* size 0: nothing is written at all, even the NUL */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 0, "hello %d", 42), 8);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(vmm_snprintf(NULL, 0, "%s-%d", "abc", -12345), 10);

	/* cut inside padding and inside a number */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(vmm_snprintf(buf, 4, "%8d", 12345), 8);
	assert_string_equal(buf, "   ");
	assert_int_equal(vmm_snprintf(buf, 4, "%d", -12345), 6);
	assert_string_equal(buf, "-12");
}

/* Every buffer size from 0 to past the end gives glibc's bytes and length. */
static void test_truncation_all_sizes_vs_glibc(void **state)
{
	static const char fmt[] = "[%-6s|%+05d|%#x|%c|%.3s|%lu]";
	(void)state;

	for (size_t size = 0; size < 48; size++) {
		char k[64], g[64];
		int kn, gn;

		memset(k, 'Z', sizeof(k));
		memset(g, 'Z', sizeof(g));
		kn = vmm_snprintf(k, size, fmt, "ab", 42, 255u, 'q', "truncated", 123456789UL);
		gn = snprintf(g, size, fmt, "ab", 42, 255u, 'q', "truncated", 123456789UL);
		if (kn != gn || memcmp(k, g, sizeof(k)))
			fail_msg("size %zu: kernel \"%.*s\" (%d), glibc \"%.*s\" (%d)", size,
				 (int)sizeof(k), k, kn, (int)sizeof(g), g, gn);
	}
}

static int call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_vsnprintf_va_list(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(call_vsnprintf(buf, sizeof(buf), "%s=%d (%#x)", "irq", 33, 33u), 13);
	assert_string_equal(buf, "irq=33 (0x21)");
	assert_int_equal(call_vsnprintf(buf, 4, "%s", "abcdef"), 6);
	assert_string_equal(buf, "abc");
}

/* ---- table of integer cases against glibc ---- */

static const char *const signed_formats[] = {
	"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%.3d", "%8.3d", "%-8.3d|",
	"%+08d", "% 08d", "%.0d", "%+.0d", "%-+6d|", "%- 6d|", "%012d", "%1d", "%+.3d",
	"%0-5d|", "%.10d",
};

static const int signed_values[] = {
	0, 1, -1, 7, -7, 42, -42, 999, -1000, 123456, INT_MAX, INT_MIN, INT_MIN + 1,
};

static void test_table_signed_vs_glibc(void **state)
{
	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(signed_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(signed_values); v++)
			SAME(signed_formats[f], signed_values[v]);
}

static const char *const unsigned_formats[] = {
	"%u", "%x", "%X", "%o", "%#x", "%#X", "%#o", "%8x", "%-8x|", "%08x", "%#08x",
	"%#8x", "%-#8x|", "%.4x", "%#.4x", "%#.4o", "%10.6u", "%#010o", "%#.0x", "%#.0o",
	"%.0u", "%3o", "%#3o", "%#12X",
};

static const unsigned int unsigned_values[] = {
	0, 1, 7, 8, 9, 15, 16, 255, 256, 0777, 01000, 0xdeadbeef, 0x80000000u, UINT_MAX,
};

static void test_table_unsigned_vs_glibc(void **state)
{
	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(unsigned_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(unsigned_values); v++)
			SAME(unsigned_formats[f], unsigned_values[v]);
}

static const char *const long_formats[] = {
	"%lld", "%llu", "%llx", "%#llx", "%llo", "%#llo", "%+lld", "% lld", "%25lld",
	"%-25lld|", "%025lld", "%.20lld", "%#020llx", "%ld", "%lu", "%lx", "%zu", "%zx",
};

static const long long long_values[] = {
	0, 1, -1, 4294967296LL, -4294967296LL, LLONG_MAX, LLONG_MIN, 0x0123456789abcdefLL,
};

static void test_table_long_vs_glibc(void **state)
{
	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(long_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(long_values); v++)
			SAME(long_formats[f], long_values[v]);
}

static const char *const string_formats[] = {
	"%s", "%10s", "%-10s|", "%.2s", "%.0s", "%10.4s", "%-10.4s|", "%3s", "%.20s",
};

static const char *const string_values[] = {
	"", "a", "hello", "a longer string with spaces", "tab\tnewline\n",
};

static void test_table_string_char_vs_glibc(void **state)
{
	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(string_formats); f++)
		for (size_t v = 0; v < ARRAY_SIZE(string_values); v++)
			SAME(string_formats[f], string_values[v]);
	SAME("%c%c%c", 'x', 'y', 'z');
	SAME("%3c|%-3c|", 'a', 'b');
	SAME("%*c|%-*c|", 4, 'a', 2, 'b');
	SAME("%5s|%-5d|%5x|%c", "ab", -3, 0xabcu, '!');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_signed_d_i),
		cmocka_unit_test(test_unsigned_u_x_X_o),
		cmocka_unit_test(test_length_modifiers),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_alt_hex_zero),
		cmocka_unit_test(test_width_precision),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_percent_and_unknown),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_all_sizes_vs_glibc),
		cmocka_unit_test(test_vsnprintf_va_list),
		cmocka_unit_test(test_table_signed_vs_glibc),
		cmocka_unit_test(test_table_unsigned_vs_glibc),
		cmocka_unit_test(test_table_long_vs_glibc),
		cmocka_unit_test(test_table_string_char_vs_glibc),
	};

	return cmocka_run_group_tests_name("vsprintf", tests, NULL, NULL);
}
