/*
 * tests/unit/test_term_line.c - the terminal's line editor
 * (kernel/term_line.c): every editing key, the cursor keys' escape
 * sequences, history, tab completion, the bounded line (excess rings the
 * bell), control bytes and binary garbage. A small screen model in this
 * file interprets what the editor writes (printable bytes, \r, \n, BEL,
 * ESC [ n C/D, ESC [ K) so each test also checks that the row shown on the
 * terminal is the prompt plus the line, with the cursor where the editor
 * thinks it is.
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
#include "kernel/term_line.h"

#define COLS 1024

/* ---- the screen model: one current row, the rows above it as text ---- */
static struct {
	char row[COLS + 1];
	size_t col;
	char above[65536];	/* finished rows, '\n'-separated */
	size_t above_len;
	int bells;
	bool bad;		/* an escape sequence the model does not know */
} scr;

static void scr_reset(void)
{
	memset(&scr, 0, sizeof(scr));
	memset(scr.row, ' ', COLS);
}

static void scr_newline(void)
{
	size_t n = COLS;

	while (n && scr.row[n - 1] == ' ')
		n--;
	if (scr.above_len + n + 1 < sizeof(scr.above)) {
		memcpy(scr.above + scr.above_len, scr.row, n);
		scr.above_len += n;
		scr.above[scr.above_len++] = '\n';
		scr.above[scr.above_len] = 0;
	}
	memset(scr.row, ' ', COLS);
	scr.col = 0;
}

static void scr_write(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			scr.col = 0;
		} else if (c == '\n') {
			scr_newline();
		} else if (c == '\a') {
			scr.bells++;
		} else if (c == 0x1b) {
			unsigned num = 0;
			bool has = false;

			if (i + 1 >= n || s[i + 1] != '[') {
				scr.bad = true;
				return;
			}
			i += 2;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				num = num * 10 + (unsigned)(s[i++] - '0');
				has = true;
			}
			if (!has)
				num = 1;
			if (i >= n) {
				scr.bad = true;
				return;
			}
			if (s[i] == 'C')
				scr.col += num;
			else if (s[i] == 'D')
				scr.col = num > scr.col ? (scr.bad = true, 0) : scr.col - num;
			else if (s[i] == 'K')
				memset(scr.row + scr.col, ' ', COLS - scr.col);
			else
				scr.bad = true;
		} else if (c >= 0x20 && c < 0x7f) {
			if (scr.col < COLS)
				scr.row[scr.col] = (char)c;
			scr.col++;
		} else {
			scr.bad = true;	/* the editor must never echo other bytes */
		}
	}
}

/* The current row without trailing blanks. */
static const char *scr_row(void)
{
	static char r[COLS + 1];
	size_t n = COLS;

	memcpy(r, scr.row, COLS);
	while (n && r[n - 1] == ' ')
		n--;
	r[n] = 0;
	return r;
}

/* ---- completion: commands, then guest names after "guest <verb>" ---- */
static const char *cmds[] = { "help", "heap", "host", "guest", "version", "vserial", "vcpu" };
static const char *guests[] = { "linux0", "linux1", "counter" };
static int complete_calls;

static void complete_cb(void *ctx, int wi, char **words, struct term_complete *c)
{
	(void)ctx;
	complete_calls++;
	if (wi == 0) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			term_complete_add(c, cmds[i]);
	} else if (wi == 2 && !strcmp(words[0], "guest")) {
		for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
			term_complete_add(c, guests[i]);
	}
}

static struct term_line L;

static int setup(void **state)
{
	(void)state;
	scr_reset();
	complete_calls = 0;
	term_line_init(&L, "xvisor# ", scr_write, complete_cb, NULL);
	term_line_start(&L);
	return 0;
}

/* Feed a string; returns the status of the last byte. */
static enum term_line_status feed(const char *s)
{
	enum term_line_status st = TERM_LINE_MORE;

	for (; *s; s++)
		st = term_line_feed(&L, (unsigned char)*s);
	return st;
}

/* The editor's line, and the screen agreeing with it. */
static void check_line(const char *want, size_t cur)
{
	char shown[COLS + 1];

	assert_string_equal(L.buf, want);
	assert_int_equal(L.len, strlen(want));
	assert_int_equal(L.cur, cur);
	size_t n = (size_t)snprintf(shown, sizeof(shown), "xvisor# %s", want);

	while (n && shown[n - 1] == ' ')	/* the model's row has no trailing blanks */
		shown[--n] = 0;
	assert_string_equal(scr_row(), shown);
	assert_int_equal(scr.col, strlen("xvisor# ") + cur);
	assert_false(scr.bad);
}

static void test_prompt_and_typing(void **state)
{
	assert_string_equal(scr_row(), "xvisor#");
	assert_int_equal(scr.col, 8);
	assert_int_equal(feed("help"), TERM_LINE_MORE);
	check_line("help", 4);
	assert_int_equal(feed("\r"), TERM_LINE_DONE);
	assert_string_equal(term_line_text(&L), "help");
	assert_string_equal(scr.above, "xvisor# help\n");
}

static void test_enter_variants(void **state)
{
	/* CR LF is one Enter; LF alone is one; CR CR is two */
	assert_int_equal(feed("a\r"), TERM_LINE_DONE);
	term_line_start(&L);
	assert_int_equal(term_line_feed(&L, '\n'), TERM_LINE_MORE);	/* the LF of CR LF */
	assert_int_equal(term_line_feed(&L, '\n'), TERM_LINE_DONE);
	assert_string_equal(term_line_text(&L), "");
	term_line_start(&L);
	assert_int_equal(feed("b\n"), TERM_LINE_DONE);
	assert_string_equal(term_line_text(&L), "b");
}

static void test_backspace_and_delete(void **state)
{
	feed("helpx\x7f");
	check_line("help", 4);
	feed("\x08\x08");
	check_line("he", 2);
	feed("\x7f\x7f");
	check_line("", 0);
	assert_int_equal(scr.bells, 0);
	feed("\x7f");			/* nothing to delete: bell */
	assert_int_equal(scr.bells, 1);
	check_line("", 0);
	feed("abc\x01\x04");		/* Ctrl-D deletes under the cursor */
	check_line("bc", 0);
	feed("\x1b[3~");		/* the Delete key */
	check_line("c", 0);
}

static void test_cursor_keys(void **state)
{
	feed("vesion");
	feed("\x1b[D\x1b[D\x1b[D\x1b[D");
	check_line("vesion", 2);
	feed("r");
	check_line("version", 3);
	feed("\x1b[C\x1b[C");
	check_line("version", 5);
	feed("\x1bOD");			/* application-mode cursor key */
	check_line("version", 4);
	feed("\x1b[C\x1b[C\x1b[C");
	check_line("version", 7);
	assert_int_equal(scr.bells, 0);
	feed("\x1b[C");			/* past the end: bell */
	assert_int_equal(scr.bells, 1);
	feed("\x02\x02");		/* Ctrl-B */
	check_line("version", 5);
	feed("\x06");			/* Ctrl-F */
	check_line("version", 6);
	feed("\x1b[H");
	check_line("version", 0);
	feed("\x1b[D");			/* before the start: bell */
	assert_int_equal(scr.bells, 2);
	feed("\x1b[F");
	check_line("version", 7);
	feed("\x1b[1~");
	check_line("version", 0);
	feed("\x1b[4~");
	check_line("version", 7);
}

static void test_ctrl_a_e_u_w_k(void **state)
{
	feed("guest  list all");
	feed("\x01");
	check_line("guest  list all", 0);
	feed("\x05");
	check_line("guest  list all", 15);
	feed("\x17");			/* Ctrl-W: "all" */
	check_line("guest  list ", 12);
	feed("\x17");			/* "list " */
	check_line("guest  ", 7);
	feed("\x17");			/* "guest  " */
	check_line("", 0);
	feed("\x17");
	check_line("", 0);
	feed("vcpu list x");
	feed("\x1b[D\x1b[D");		/* cursor before " x" */
	feed("\x15");			/* Ctrl-U: from the start to the cursor */
	check_line(" x", 0);
	feed("\x05\x1b[D\x1b[D\x0b");	/* Ctrl-K: from the cursor to the end */
	check_line("", 0);
	feed("abc\x0c");		/* Ctrl-L redraws */
	check_line("abc", 3);
}

static void test_ctrl_c_cancels(void **state)
{
	feed("guest destroy linux0");
	assert_int_equal(feed("\x03"), TERM_LINE_CANCEL);
	assert_string_equal(term_line_text(&L), "");
	assert_string_equal(scr.above, "xvisor# guest destroy linux0^C\n");
	term_line_start(&L);
	check_line("", 0);
	/* Ctrl-C inside an unfinished escape sequence still cancels */
	feed("abc\x1b[");
	assert_int_equal(feed("\x03"), TERM_LINE_CANCEL);
}

static void test_history(void **state)
{
	const char *lines[] = { "help", "version", "version", "", "guest list" };

	for (size_t i = 0; i < 5; i++) {
		feed(lines[i]);
		assert_int_equal(feed("\r"), TERM_LINE_DONE);
		term_line_history_add(&L, term_line_text(&L));
		term_line_start(&L);
	}
	assert_int_equal(L.hist_count, 3);	/* repeat and empty line left out */
	feed("par");
	feed("\x1b[A");
	check_line("guest list", 10);
	feed("\x1b[A");
	check_line("version", 7);
	feed("\x10");			/* Ctrl-P */
	check_line("help", 4);
	assert_int_equal(scr.bells, 0);
	feed("\x1b[A");			/* oldest: bell */
	assert_int_equal(scr.bells, 1);
	check_line("help", 4);
	feed("\x1b[B\x0e");		/* down, Ctrl-N */
	check_line("guest list", 10);
	feed("\x1b[B");			/* back to the line being typed */
	check_line("par", 3);
	feed("\x1b[B");
	assert_int_equal(scr.bells, 2);
	/* edit a recalled line and run it */
	feed("\x15\x1b[A\x1b[A x");
	check_line("version x", 9);
	assert_int_equal(feed("\r"), TERM_LINE_DONE);
	assert_string_equal(term_line_text(&L), "version x");
}

static void test_history_wraps(void **state)
{
	char line[32];

	for (int i = 0; i < TERM_HIST_MAX + 5; i++) {
		snprintf(line, sizeof(line), "echo %d", i);
		term_line_history_add(&L, line);
	}
	assert_int_equal(L.hist_count, TERM_HIST_MAX);
	for (int i = 0; i < TERM_HIST_MAX; i++)
		feed("\x1b[A");
	snprintf(line, sizeof(line), "echo %d", 5);
	check_line(line, strlen(line));
	feed("\x1b[A");
	assert_int_equal(scr.bells, 1);
}

static void test_completion_unique(void **state)
{
	feed("ver\t");
	check_line("version ", 8);
	assert_int_equal(complete_calls, 1);
	term_line_start(&L);
	scr_reset();
	term_line_start(&L);
	feed("guest kick lin\t");
	check_line("guest kick linux", 16);	/* common part of linux0/linux1 */
	feed("1\x1b[D\x1b[D");
	feed("\x05" "c\t");			/* "linux1c": no match */
	assert_int_equal(scr.bells, 1);
	feed("\x7f \t");			/* nothing offered for a fourth word */
	assert_int_equal(scr.bells, 2);
	check_line("guest kick linux1 ", 18);
	feed("\x17" "c\t");
	check_line("guest kick counter ", 19);
}

static void test_completion_lists(void **state)
{
	feed("h\t");				/* help heap host: nothing more in common */
	check_line("h", 1);
	assert_non_null(strstr(scr.above, "help  heap  host\n"));
	feed("o\t");
	check_line("host ", 5);
	feed("\x15v\t");			/* version vserial vcpu */
	assert_non_null(strstr(scr.above, "version  vserial  vcpu\n"));
	check_line("v", 1);
	feed("x\t");
	assert_int_equal(scr.bells, 1);
	feed("\x15\x05 \t");			/* empty word: every command */
	assert_non_null(strstr(scr.above, "help  heap  host  guest  version  vserial  vcpu\n"));
	feed("\x15" "echo a\t");		/* nothing offered after echo */
	assert_int_equal(scr.bells, 2);
	check_line("echo a", 6);
}

static void test_completion_mid_line(void **state)
{
	/* completing in the middle inserts there, without a second blank */
	feed("vers list");
	feed("\x01\x1b[C\x1b[C\x1b[C\x1b[C\t");
	check_line("version list", 7);
}

static void test_no_completer(void **state)
{
	term_line_init(&L, "> ", scr_write, NULL, NULL);
	feed("ab\t");
	assert_int_equal(scr.bells, 1);
	assert_string_equal(L.buf, "ab");
}

static void test_long_line_bounded(void **state)
{
	char big[TERM_LINE_MAX + 100];

	/* blanks, so that what is typed after them is the command word */
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	feed(big);
	assert_int_equal(L.len, TERM_LINE_MAX);
	assert_int_equal(scr.bells, 99);
	assert_int_equal(L.buf[TERM_LINE_MAX], 0);
	/* inserting in the middle of a full line is refused too */
	feed("\x01y");
	assert_int_equal(scr.bells, 100);
	assert_int_equal(L.buf[0], ' ');
	/* a completion that does not fit: bell, line unchanged */
	feed("\x05\x7f\x7f\x7f\x7f" " ver\t");
	assert_int_equal(scr.bells, 101);
	assert_int_equal(L.len, TERM_LINE_MAX);
	feed("\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f" " ver");
	feed("\t");
	assert_int_equal(scr.bells, 101);
	assert_int_equal(L.len, TERM_LINE_MAX);	/* "version " exactly fits */
	assert_string_equal(L.buf + TERM_LINE_MAX - 8, "version ");
	assert_int_equal(feed("\r"), TERM_LINE_DONE);
	assert_int_equal(strlen(term_line_text(&L)), TERM_LINE_MAX);
	assert_false(scr.bad);
}

static void test_control_bytes_dropped(void **state)
{
	/* every control byte that is not a key, and DEL-less high bytes */
	for (int c = 0; c < 0x20; c++) {
		if (c == '\r' || c == '\n' || c == 3 || c == 0x1b || c == '\t' ||
		    c == 8 || c == 1 || c == 2 || c == 4 || c == 5 || c == 6 ||
		    c == 0x0b || c == 0x0c || c == 0x0e || c == 0x10 || c == 0x15 || c == 0x17)
			continue;
		assert_int_equal(term_line_feed(&L, (u8)c), TERM_LINE_MORE);
	}
	for (int c = 0x80; c < 0x100; c++)
		assert_int_equal(term_line_feed(&L, (u8)c), TERM_LINE_MORE);
	check_line("", 0);
	/* broken and unknown escape sequences do not eat the next line */
	feed("\x1b[99999999999999999999Z");	/* too long: dropped, rest typed */
	feed("\x15\x1bx\x1b[5~\x1b[Z\x1bO\x01ok");
	check_line("ok", 2);
}

static void test_random_garbage(void **state)
{
	unsigned seed = 12345;

	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 2000; i++) {
			seed = seed * 1103515245u + 12345u;
			enum term_line_status st = term_line_feed(&L, (u8)(seed >> 16));

			assert_true(L.len <= TERM_LINE_MAX);
			assert_true(L.cur <= L.len);
			assert_int_equal(L.buf[L.len], 0);
			if (st != TERM_LINE_MORE) {
				if (st == TERM_LINE_DONE)
					term_line_history_add(&L, term_line_text(&L));
				term_line_start(&L);
			}
		}
		/* after any garbage, Ctrl-C and a fresh line bring the editor back */
		term_line_feed(&L, 3);
		term_line_start(&L);
		scr_reset();
		term_line_start(&L);
		feed("version");
		check_line("version", 7);
		assert_int_equal(feed("\r"), TERM_LINE_DONE);
		assert_string_equal(term_line_text(&L), "version");
		term_line_start(&L);
	}
}

static void test_split(void **state)
{
	char line[] = "  guest\tkick  linux0 ";
	char *w[4];

	assert_int_equal(term_split(line, w, 4), 3);
	assert_string_equal(w[0], "guest");
	assert_string_equal(w[1], "kick");
	assert_string_equal(w[2], "linux0");
	char line2[] = "a b c d e";
	assert_int_equal(term_split(line2, w, 4), -1);
	char line3[] = "   ";
	assert_int_equal(term_split(line3, w, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_prompt_and_typing, setup),
		cmocka_unit_test_setup(test_enter_variants, setup),
		cmocka_unit_test_setup(test_backspace_and_delete, setup),
		cmocka_unit_test_setup(test_cursor_keys, setup),
		cmocka_unit_test_setup(test_ctrl_a_e_u_w_k, setup),
		cmocka_unit_test_setup(test_ctrl_c_cancels, setup),
		cmocka_unit_test_setup(test_history, setup),
		cmocka_unit_test_setup(test_history_wraps, setup),
		cmocka_unit_test_setup(test_completion_unique, setup),
		cmocka_unit_test_setup(test_completion_lists, setup),
		cmocka_unit_test_setup(test_completion_mid_line, setup),
		cmocka_unit_test_setup(test_no_completer, setup),
		cmocka_unit_test_setup(test_long_line_bounded, setup),
		cmocka_unit_test_setup(test_control_bytes_dropped, setup),
		cmocka_unit_test_setup(test_random_garbage, setup),
		cmocka_unit_test_setup(test_split, setup),
	};

	return cmocka_run_group_tests_name("term_line", tests, NULL, NULL);
}
