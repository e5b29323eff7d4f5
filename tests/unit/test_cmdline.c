/*
 * tests/unit/test_cmdline.c - the kernel command line (kernel/cmdline.c):
 * key=value words, bare flags, quoted values with spaces, the last
 * occurrence winning, -VMM_ENOENT, -VMM_ERANGE with the cut value, and
 * vmm_cmdline_foreach().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_arch.h"
#include "kernel/cmdline.h"
#include "kernel/error.h"

/* vmm_cmdline_get() into a 64-byte buffer must give 'want'. */
#define GET_OK(cmdline, key, want) do {						\
	char v_[64];								\
	memset(v_, 'Z', sizeof(v_));						\
	int n_ = vmm_cmdline_get(cmdline, key, v_, sizeof(v_));			\
	if (n_ != (int)strlen(want) || strcmp(v_, want))			\
		fail_msg("get(\"%s\", \"%s\") = %d \"%.64s\", expected %d \"%s\"",	\
			 cmdline, key, n_, v_, (int)strlen(want), want);	\
} while (0)

#define GET_ERR(cmdline, key, err) do {						\
	char v_[64] = "untouched";						\
	const char *cl_ = (cmdline);						\
	int n_ = vmm_cmdline_get(cl_, key, v_, sizeof(v_));			\
	if (n_ != (err))							\
		fail_msg("get(\"%s\", \"%s\") = %d, expected %d",		\
			 cl_ ? cl_ : "(NULL)", key, n_, (err));			\
	assert_string_equal(v_, "untouched");					\
} while (0)

static void test_key_value(void **state)
{
	(void)state;
	GET_OK("loglevel=7", "loglevel", "7");
	GET_OK("a=1 b=2 c=3", "a", "1");
	GET_OK("a=1 b=2 c=3", "b", "2");
	GET_OK("a=1 b=2 c=3", "c", "3");
	GET_OK("   a=1   ", "a", "1");
	GET_OK("a=1\tb=two\nc=three", "b", "two");
	GET_OK("a=1\tb=two\nc=three", "c", "three");
	GET_OK("path=/boot/x.elf", "path", "/boot/x.elf");
	GET_OK("a=b=c", "a", "b=c");		/* only the first '=' splits */
	GET_OK("a= b=2", "a", "");		/* empty value */
	GET_OK("a=", "a", "");
	GET_OK("on_panic=poweroff testfault=pf", "testfault", "pf");
}

static void test_bare_flags(void **state)
{
	(void)state;
	assert_true(vmm_cmdline_has("quiet", "quiet"));
	assert_true(vmm_cmdline_has("a=1 quiet b=2", "quiet"));
	assert_true(vmm_cmdline_has("a=1 quiet b=2", "a"));	/* with a value too */
	assert_true(vmm_cmdline_has("a= quiet", "a"));
	assert_false(vmm_cmdline_has("quiet", "quie"));		/* no prefixes */
	assert_false(vmm_cmdline_has("quiet", "quiet2"));
	assert_false(vmm_cmdline_has("quiet=1", "q"));
	assert_false(vmm_cmdline_has("x=quiet", "quiet"));	/* values are not keys */
	assert_false(vmm_cmdline_has("", "quiet"));
	assert_false(vmm_cmdline_has(NULL, "quiet"));
	assert_false(vmm_cmdline_has("a=\"quiet b\"", "b"));	/* inside quotes */
	/* a bare flag has no value to get */
	GET_ERR("quiet", "quiet", -VMM_ENOENT);
	GET_ERR("a=1 quiet", "quiet", -VMM_ENOENT);
}

static void test_quoted_values(void **state)
{
	(void)state;
	GET_OK("bootcmd=\"echo hi; help\" x=1", "bootcmd", "echo hi; help");
	GET_OK("bootcmd=\"echo hi; help\" x=1", "x", "1");
	GET_OK("a=\"\" b=2", "a", "");
	GET_OK("a=\"k=v with = signs\"", "a", "k=v with = signs");
	GET_OK("a=\"tab\there\"", "a", "tab\there");
	GET_OK("a=\"unterminated value", "a", "unterminated value");
	GET_OK("a=\"x\"y b=1", "b", "1");	/* text glued to the quote is its own word */
	GET_OK("a=\"one\" a=\"two words\"", "a", "two words");
	/* a quote inside an unquoted value is just a character */
	GET_OK("a=x\"y", "a", "x\"y");
}

/* GRUB 2 passes a word with spaces as "key=a b": the quotes enclose it all */
static void test_grub_quoted_word(void **state)
{
	char v[64];
	const char *cl = "loglevel=3 \"bootcmd=guest kick all; poweroff\" on_panic=poweroff";

	(void)state;
	assert_int_equal(vmm_cmdline_get(cl, "bootcmd", v, sizeof(v)), 24);
	assert_string_equal(v, "guest kick all; poweroff");
	assert_int_equal(vmm_cmdline_get(cl, "loglevel", v, sizeof(v)), 1);
	assert_string_equal(v, "3");
	assert_int_equal(vmm_cmdline_get(cl, "on_panic", v, sizeof(v)), 8);
	assert_true(vmm_cmdline_has(cl, "bootcmd"));
	assert_false(vmm_cmdline_has(cl, "guest"));
	/* an unterminated quote runs to the end of the line */
	assert_int_equal(vmm_cmdline_get("\"dtb=a b", "dtb", v, sizeof(v)), 3);
	assert_string_equal(v, "a b");
}

static void test_last_occurrence_wins(void **state)
{
	(void)state;
	GET_OK("a=1 b=2 a=3", "a", "3");
	GET_OK("a=1 a=2 a=3 a=4", "a", "4");
	GET_OK("a=\"x y\" a=z", "a", "z");
	GET_OK("a=long-value a=", "a", "");
	/* a later bare word does not remove an earlier value */
	GET_OK("a=1 a", "a", "1");
}

static void test_not_found(void **state)
{
	(void)state;
	GET_ERR("", "a", -VMM_ENOENT);
	GET_ERR("   ", "a", -VMM_ENOENT);
	GET_ERR(NULL, "a", -VMM_ENOENT);
	GET_ERR("b=1 c=2", "a", -VMM_ENOENT);
	GET_ERR("loglevel=7", "log", -VMM_ENOENT);
	GET_ERR("loglevel=7", "loglevel7", -VMM_ENOENT);
	GET_ERR("loglevel=7", "level", -VMM_ENOENT);
	GET_ERR("x=\"a=1\"", "a", -VMM_ENOENT);
}

static void test_value_too_long(void **state)
{
	char v[8];

	(void)state;
	/* fits exactly: 5 characters + NUL in 6 bytes */
	assert_int_equal(vmm_cmdline_get("a=hello", "a", v, 6), 5);
	assert_string_equal(v, "hello");
	/* one byte short: cut, terminated, -VMM_ERANGE */
	memset(v, 'Z', sizeof(v));
	assert_int_equal(vmm_cmdline_get("a=hello", "a", v, 5), -VMM_ERANGE);
	assert_string_equal(v, "hell");
	assert_int_equal(v[5], 'Z');		/* nothing written past 'size' */
	memset(v, 'Z', sizeof(v));
	assert_int_equal(vmm_cmdline_get("x=1 a=\"hello world\"", "a", v, 4), -VMM_ERANGE);
	assert_string_equal(v, "hel");
	memset(v, 'Z', sizeof(v));
	assert_int_equal(vmm_cmdline_get("a=hello", "a", v, 1), -VMM_ERANGE);
	assert_string_equal(v, "");
	/* size 0: nothing is written at all */
	memset(v, 'Z', sizeof(v));
	assert_int_equal(vmm_cmdline_get("a=hello", "a", v, 0), -VMM_ERANGE);
	assert_int_equal(v[0], 'Z');
	assert_int_equal(vmm_cmdline_get("a=hello", "a", NULL, 0), -VMM_ERANGE);
	/* an empty value fits in one byte */
	assert_int_equal(vmm_cmdline_get("a=", "a", v, 1), 0);
	assert_string_equal(v, "");
	/* absent beats too long */
	assert_int_equal(vmm_cmdline_get("a=hello", "b", v, 1), -VMM_ENOENT);
}

static void test_long_cmdline(void **state)
{
	static char line[4096], want[2048];
	char val[2048];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "opt%d=%d ", i, i * 7);
	memset(want, 'v', 1500);
	want[1500] = 0;
	snprintf(line + n, sizeof(line) - n, "big=\"%s\" last", want);
	assert_int_equal(vmm_cmdline_get(line, "opt0", val, sizeof(val)), 1);
	assert_string_equal(val, "0");
	assert_int_equal(vmm_cmdline_get(line, "opt99", val, sizeof(val)), 3);
	assert_string_equal(val, "693");
	assert_int_equal(vmm_cmdline_get(line, "big", val, sizeof(val)), 1500);
	assert_string_equal(val, want);
	assert_true(vmm_cmdline_has(line, "last"));
	assert_false(vmm_cmdline_has(line, "opt100"));
}

struct seen {
	int count;
	char keys[16][32];
	void *user;
};

static void collect(const char *key, size_t keylen, void *user)
{
	struct seen *s = user;

	assert_true(s->count < 16);
	assert_true(keylen < sizeof(s->keys[0]));
	memcpy(s->keys[s->count], key, keylen);
	s->keys[s->count][keylen] = 0;
	s->count++;
}

static void test_foreach(void **state)
{
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	vmm_cmdline_foreach("loglevel=7 quiet bootcmd=\"echo a b; help\" x= \tlast",
			    collect, &s);
	assert_int_equal(s.count, 5);
	assert_string_equal(s.keys[0], "loglevel");
	assert_string_equal(s.keys[1], "quiet");
	assert_string_equal(s.keys[2], "bootcmd");
	assert_string_equal(s.keys[3], "x");
	assert_string_equal(s.keys[4], "last");
	/* repeated keys are reported each time */
	memset(&s, 0, sizeof(s));
	vmm_cmdline_foreach("a=1 a=2 a", collect, &s);
	assert_int_equal(s.count, 3);
	/* nothing to report */
	memset(&s, 0, sizeof(s));
	vmm_cmdline_foreach("", collect, &s);
	vmm_cmdline_foreach("  \t\n ", collect, &s);
	vmm_cmdline_foreach(NULL, collect, &s);
	assert_int_equal(s.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_value),
		cmocka_unit_test(test_bare_flags),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_grub_quoted_word),
		cmocka_unit_test(test_last_occurrence_wins),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_value_too_long),
		cmocka_unit_test(test_long_cmdline),
		cmocka_unit_test(test_foreach),
	};

	return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
