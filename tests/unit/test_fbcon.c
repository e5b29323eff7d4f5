/*
 * tests/unit/test_fbcon.c - the screen console's text model (kernel/fbcon.c)
 * with a fake back end that keeps a copy of the screen: what is written
 * shows where a terminal would show it, scrolling keeps the text in order,
 * the escape sequences of the line editor and of a VT100-like guest act,
 * unknown and broken sequences are swallowed, updates draw only the cells
 * that changed, and no input writes outside the grid.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <cmocka.h>

#include "kernel/fbcon.h"

static fbcon_cell_t cells[FBCON_MAX_COLS * FBCON_MAX_ROWS];
static fbcon_cell_t shown[FBCON_MAX_COLS * FBCON_MAX_ROWS];

struct fake_screen {
	u32 cols, rows;
	fbcon_cell_t scr[FBCON_MAX_COLS * FBCON_MAX_ROWS];
	u64 draws;
	bool out_of_range;
};
static struct fake_screen fs;

static void draw(void *ctx, u32 col, u32 row, fbcon_cell_t cell)
{
	struct fake_screen *f = ctx;

	if (col >= f->cols || row >= f->rows) {
		f->out_of_range = true;
		return;
	}
	f->scr[row * f->cols + col] = cell;
	f->draws++;
}

static struct fbcon con;

static void setup_con(u32 cols, u32 rows)
{
	memset(&fs, 0, sizeof(fs));
	fs.cols = cols;
	fs.rows = rows;
	for (u32 i = 0; i < cols * rows; i++)
		fs.scr[i] = 0;		/* the back end cleared the screen to 0 */
	fbcon_init(&con, cols, rows, cells, shown, 0, draw, &fs);
}

static void put(const char *s)
{
	fbcon_write(&con, s, strlen(s));
	fbcon_update(&con);
}

/* Screen row 'row' as text, trailing blanks dropped (the cursor cell's
 * character counts as it is). */
static const char *line(u32 row)
{
	static char buf[FBCON_MAX_COLS + 1];
	u32 n = 0;

	for (u32 c = 0; c < fs.cols; c++) {
		u8 ch = FBCON_CELL_CH(fs.scr[row * fs.cols + c]);

		buf[n++] = ch ? (char)ch : ' ';
	}
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return buf;
}

static u8 attr_at(u32 col, u32 row)
{
	return FBCON_CELL_ATTR(fs.scr[row * fs.cols + col]);
}

static void test_text_lands_in_rows(void **state)
{
	(void)state;
	setup_con(20, 5);
	put("hello\nworld\n");
	assert_string_equal(line(0), "hello");
	assert_string_equal(line(1), "world");
	assert_string_equal(line(2), "");
	assert_int_equal(con.cx, 0);
	assert_int_equal(con.cy, 2);
	/* the cursor is the cell under it, reversed: black on light grey */
	assert_int_equal(attr_at(0, 2), 0x70);
	assert_int_equal(attr_at(0, 0), FBCON_ATTR_DEFAULT);
}

static void test_scroll_keeps_order(void **state)
{
	char buf[32];

	(void)state;
	setup_con(10, 4);
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "line %d\n", i);
		put(buf);
	}
	assert_string_equal(line(0), "line 7");
	assert_string_equal(line(1), "line 8");
	assert_string_equal(line(2), "line 9");
	assert_string_equal(line(3), "");
	assert_int_equal(con.scrolls, 7);
	assert_false(fs.out_of_range);
}

static void test_long_line_wraps_at_last_column(void **state)
{
	(void)state;
	setup_con(5, 3);
	put("abcde");
	/* the cursor waits after the last column: no empty line yet */
	assert_string_equal(line(0), "abcde");
	assert_int_equal(con.cy, 0);
	put("\n");
	assert_int_equal(con.cy, 1);
	put("abcdefg");
	assert_string_equal(line(1), "abcde");
	assert_string_equal(line(2), "fg");
}

static void test_cr_backspace_tab(void **state)
{
	(void)state;
	setup_con(20, 3);
	put("abc\rX");
	assert_string_equal(line(0), "Xbc");
	put("\b\bY");
	assert_string_equal(line(0), "Ybc");
	put("\rq\tz");
	assert_string_equal(line(0), "qbc     z");
	assert_int_equal(con.cx, 9);
	put("\b\b\b\b\b\b\b\b\b\b\b\b");	/* backspace stops at column 0 */
	assert_int_equal(con.cx, 0);
}

static void test_line_editor_sequences(void **state)
{
	(void)state;
	setup_con(30, 3);
	/* what kernel/console.c does to redraw the input line */
	put("xvisor# versoin");
	put("\r\x1b[K");
	assert_string_equal(line(0), "");
	put("xvisor# version\x1b[3D");
	assert_int_equal(con.cx, 12);
	put("\x1b[2C");
	assert_int_equal(con.cx, 14);
	put("\x1b[K");
	assert_string_equal(line(0), "xvisor# versio");
	put("\x1b[99D");
	assert_int_equal(con.cx, 0);
	put("\x1b[99C");
	assert_int_equal(con.cx, 29);
}

static void test_vt100_cursor_and_erase(void **state)
{
	(void)state;
	setup_con(10, 4);
	put("aaaa\nbbbbbb\ncccc\ndddd");
	put("\x1b[2;3H");		/* row 2, column 3 (1-based) */
	assert_int_equal(con.cy, 1);
	assert_int_equal(con.cx, 2);
	put("X\x1b[1K");		/* erase start of line to the cursor */
	assert_string_equal(line(1), "    bb");
	put("\x1b[A\x1b[2K");
	assert_string_equal(line(0), "");
	put("\x1b[B\x1b[B\x1b[G\x1b[J");
	assert_string_equal(line(2), "");
	assert_string_equal(line(3), "");
	assert_string_equal(line(1), "    bb");
	put("\x1b[2J");
	for (u32 r = 0; r < 4; r++)
		assert_string_equal(line(r), "");
	put("\x1b[99;99H");		/* clamped to the screen */
	assert_int_equal(con.cy, 3);
	assert_int_equal(con.cx, 9);
	put("\x1b[H");
	assert_int_equal(con.cy, 0);
	assert_int_equal(con.cx, 0);
}

static void test_colours(void **state)
{
	(void)state;
	setup_con(20, 3);
	put("\x1b[1;31mR\x1b[0mN\x1b[44mB\x1b[7mV\x1b[m\x1b[92mG\x1b[39mD\n");
	assert_int_equal(attr_at(0, 0), 0x0C);	/* bright red on black */
	assert_int_equal(attr_at(1, 0), 0x07);
	assert_int_equal(attr_at(2, 0), 0x17);	/* light grey on blue */
	assert_int_equal(attr_at(3, 0), 0x71);	/* reversed */
	assert_int_equal(attr_at(4, 0), 0x0A);	/* bright green */
	assert_int_equal(attr_at(5, 0), 0x0F);	/* 39 keeps bright: default grey, bold */
	assert_string_equal(line(0), "RNBVGD");
}

static void test_cursor_hide_show(void **state)
{
	(void)state;
	setup_con(10, 2);
	put("ab");
	assert_int_equal(attr_at(2, 0), 0x70);
	put("\x1b[?25l");
	assert_int_equal(attr_at(2, 0), 0x07);
	put("\x1b[?25h");
	assert_int_equal(attr_at(2, 0), 0x70);
}

static void test_unknown_sequences_swallowed(void **state)
{
	(void)state;
	setup_con(40, 3);
	put("a\x1b[12;34;56;78;90;12zb\x1b(Bc\x1b" "7d\x1b[>0qe\x1b]x");
	assert_string_equal(line(0), "abcdex");
}

static void test_utf8_one_box_per_character(void **state)
{
	(void)state;
	setup_con(20, 2);
	put("a\xc3\xa9" "b\xe2\x94\x80" "c\xf0\x9f\x98\x80" "d\xc3" "e");
	assert_string_equal(line(0), "a\x7f" "b\x7f" "c\x7f" "d\x7f" "e");
}

static void test_update_draws_only_changes(void **state)
{
	u64 before;

	(void)state;
	setup_con(80, 25);
	fbcon_update(&con);		/* first update: every cell differs from 0 */
	assert_int_equal(fs.draws, 80 * 25);
	before = fs.draws;
	put("hello");
	/* five characters and the cursor moved from column 0 to 5 */
	assert_int_equal(fs.draws - before, 6);
	before = fs.draws;
	fbcon_update(&con);
	assert_int_equal(fs.draws - before, 0);
	/* a scroll redraws the moved characters and the cursor, not the blanks */
	put("\n");
	for (int i = 0; i < 23; i++)
		put("\n");
	before = fs.draws;
	put("\n");
	assert_true(fs.draws - before <= 5 + 2);
}

static void test_huge_parameters_and_garbage(void **state)
{
	char junk[4096];

	(void)state;
	setup_con(16, 4);
	put("\x1b[4294967295;4294967295H\x1b[99999999999999999999A\x1b[;;;;;;;;;;;;;;m");
	assert_true(con.cx < 16 && con.cy < 4);
	srand(15);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)(rand() & 0xFF);
		fbcon_write(&con, junk, sizeof(junk));
		fbcon_update(&con);
		assert_true(con.cx <= con.cols);
		assert_true(con.cy < con.rows);
	}
	assert_false(fs.out_of_range);
}

static void test_grid_is_clamped(void **state)
{
	(void)state;
	memset(&fs, 0, sizeof(fs));
	fs.cols = FBCON_MAX_COLS;
	fs.rows = FBCON_MAX_ROWS;
	fbcon_init(&con, 100000, 100000, cells, shown, 0, draw, &fs);
	assert_int_equal(con.cols, FBCON_MAX_COLS);
	assert_int_equal(con.rows, FBCON_MAX_ROWS);
	fbcon_init(&con, 0, 0, cells, shown, 0, draw, &fs);
	assert_int_equal(con.cols, 1);
	assert_int_equal(con.rows, 1);
	put("abc\ndef\n");
	assert_false(fs.out_of_range);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lands_in_rows),
		cmocka_unit_test(test_scroll_keeps_order),
		cmocka_unit_test(test_long_line_wraps_at_last_column),
		cmocka_unit_test(test_cr_backspace_tab),
		cmocka_unit_test(test_line_editor_sequences),
		cmocka_unit_test(test_vt100_cursor_and_erase),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_cursor_hide_show),
		cmocka_unit_test(test_unknown_sequences_swallowed),
		cmocka_unit_test(test_utf8_one_box_per_character),
		cmocka_unit_test(test_update_draws_only_changes),
		cmocka_unit_test(test_huge_parameters_and_garbage),
		cmocka_unit_test(test_grid_is_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
