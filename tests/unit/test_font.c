/*
 * tests/unit/test_font.c - the screen console's font (kernel/font8x16.c):
 * every printable glyph but space has ink, no two glyphs are alike (they
 * differ in two pixels at least, so a screen can be read back), rows 0 and
 * 15 stay blank, any other byte gets the box, and in the source every row's
 * drawing in its comment matches its hex value (read from kernel/font8x16.c,
 * relative to the repository root where `make unit` runs the tests).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/font.h"

#define FONT_SRC "kernel/font8x16.c"
#define NGLYPHS (VMM_FONT_LAST - VMM_FONT_FIRST + 2) /* printable + box */

static const u8 *box(void)
{
	return vmm_font_glyph(0);
}

static bool empty(const u8 *g)
{
	for (int r = 0; r < VMM_FONT_H; r++)
		if (g[r])
			return false;
	return true;
}

static void test_geometry(void **state)
{
	(void)state;
	assert_int_equal(VMM_FONT_W, 8);
	assert_int_equal(VMM_FONT_H, 16);
}

static void test_printable_have_ink(void **state)
{
	(void)state;
	assert_true(empty(vmm_font_glyph(' ')));
	for (int c = VMM_FONT_FIRST + 1; c <= VMM_FONT_LAST; c++)
		if (empty(vmm_font_glyph((u8)c)))
			fail_msg("glyph 0x%02X '%c' has no ink", c, c);
	assert_false(empty(box()));
}

static void test_blank_top_and_bottom_rows(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		const u8 *g = vmm_font_glyph((u8)c);

		if (g[0] || g[VMM_FONT_H - 1])
			fail_msg("glyph of byte 0x%02X has ink in row 0 or %d",
				 c, VMM_FONT_H - 1);
	}
}

static int pixels_apart(const u8 *a, const u8 *b)
{
	int n = 0;

	for (int r = 0; r < VMM_FONT_H; r++)
		n += __builtin_popcount(a[r] ^ b[r]);
	return n;
}

/*
 * Distinct, and by at least two pixels: one wrong pixel on the screen then
 * reads as no glyph at all, never as another character.
 */
static void test_all_distinct(void **state)
{
	const u8 *g[NGLYPHS];

	(void)state;
	for (int i = 0; i < NGLYPHS - 1; i++)
		g[i] = vmm_font_glyph((u8)(VMM_FONT_FIRST + i));
	g[NGLYPHS - 1] = box();
	for (int i = 0; i < NGLYPHS; i++)
		for (int k = 0; k < i; k++)
			if (pixels_apart(g[i], g[k]) < 2)
				fail_msg("glyphs #%d (0x%02X) and #%d (0x%02X) "
					 "differ in %d pixels, fewer than 2 "
					 "(the box is #%d)", k,
					 VMM_FONT_FIRST + k, i, VMM_FONT_FIRST + i,
					 pixels_apart(g[i], g[k]), NGLYPHS - 1);
}

static void test_other_bytes_give_the_box(void **state)
{
	const u8 *b = box();

	(void)state;
	for (int c = 0; c < 256; c++) {
		bool printable = c >= VMM_FONT_FIRST && c <= VMM_FONT_LAST;
		const u8 *g = vmm_font_glyph((u8)c);

		if (printable)
			assert_memory_not_equal(g, b, VMM_FONT_H);
		else
			assert_memory_equal(g, b, VMM_FONT_H);
	}
	/* a hollow box: ink on its edges, none inside */
	assert_int_equal(b[2], 0xFE);
	assert_int_equal(b[7], 0x82);
}

/* ---- the source: every row's drawing matches its value ---- */

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* "0xHH, / * ######## * /" -> value; -1 and *why when it is malformed */
static int parse_row(const char *s, const char **why)
{
	int hi, lo, v, drawn = 0;

	if (s[0] != '0' || s[1] != 'x' || (hi = hexval(s[2])) < 0 ||
	    (lo = hexval(s[3])) < 0 || strncmp(s + 4, ", /* ", 5)) {
		*why = "not 0xHH, /* drawing */";
		return -1;
	}
	v = hi * 16 + lo;
	s += 9;
	for (int i = 0; i < 8; i++) {
		if (s[i] != '.' && s[i] != '#') {
			*why = "the drawing is not 8 of '.' and '#'";
			return -1;
		}
		drawn |= (s[i] == '#') << (7 - i);
	}
	if (strcmp(s + 8, " */\n") && strcmp(s + 8, " */")) {
		*why = "text after the drawing";
		return -1;
	}
	if (drawn != v) {
		*why = "the drawing does not match the value";
		return -1;
	}
	return v;
}

static void test_source_drawings_match(void **state)
{
	FILE *f = fopen(FONT_SRC, "r");
	char line[256];
	int lineno = 0, glyph = -1, row = 0, rows_seen = 0;
	bool in_array = false, done = false;
	u8 parsed[NGLYPHS][VMM_FONT_H];

	(void)state;
	if (!f)
		fail_msg("cannot open %s (the test runs from the repository root)",
			 FONT_SRC);
	while (!done && fgets(line, sizeof(line), f)) {
		const char *s = skip_ws(line), *why = NULL;
		unsigned int code;

		lineno++;
		if (!in_array) {
			in_array = strstr(line, "font_rows[") && strstr(line, "= {");
			continue;
		}
		if (!strncmp(s, "/* box", 6) ||
		    sscanf(s, "/* 0x%2x ", &code) == 1) {
			if (glyph >= 0 && row != VMM_FONT_H)
				fail_msg("%s:%d: glyph #%d has %d rows, not %d",
					 FONT_SRC, lineno, glyph, row,
					 VMM_FONT_H);
			glyph++;
			row = 0;
			if (glyph >= NGLYPHS)
				fail_msg("%s:%d: more than %d glyphs", FONT_SRC,
					 lineno, NGLYPHS);
			if (s[3] == 'b' ? glyph != NGLYPHS - 1 :
					  (int)code != VMM_FONT_FIRST + glyph)
				fail_msg("%s:%d: glyph #%d named out of order: %s",
					 FONT_SRC, lineno, glyph, s);
		} else if (!strcmp(s, "{\n") || !strcmp(s, "},\n")) {
			continue;
		} else if (!strncmp(s, "};", 2)) {
			done = true;
		} else if (s[0] == '0') {
			int v = parse_row(s, &why);

			if (v < 0)
				fail_msg("%s:%d: %s: %s", FONT_SRC, lineno, why, s);
			if (glyph < 0 || row >= VMM_FONT_H)
				fail_msg("%s:%d: row outside a 16-row glyph",
					 FONT_SRC, lineno);
			parsed[glyph][row++] = (u8)v;
			rows_seen++;
		} else {
			fail_msg("%s:%d: unexpected line in the font: %s",
				 FONT_SRC, lineno, s);
		}
	}
	fclose(f);
	if (!done || glyph != NGLYPHS - 1 || row != VMM_FONT_H)
		fail_msg("%s: font array ended after glyph #%d row %d (%s)",
			 FONT_SRC, glyph, row, done ? "closed" : "not closed");
	assert_int_equal(rows_seen, NGLYPHS * VMM_FONT_H);
	/* what was parsed is what the kernel draws */
	for (int i = 0; i < NGLYPHS - 1; i++)
		assert_memory_equal(parsed[i],
				    vmm_font_glyph((u8)(VMM_FONT_FIRST + i)),
				    VMM_FONT_H);
	assert_memory_equal(parsed[NGLYPHS - 1], box(), VMM_FONT_H);
}

/* the parser itself refuses a drawing that disagrees with its value */
static void test_row_parser(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_int_equal(parse_row("0x3C, /* ..####.. */\n", &why), 0x3C);
	assert_int_equal(parse_row("0xFF, /* ######## */", &why), 0xFF);
	assert_int_equal(parse_row("0x3C, /* ..###... */\n", &why), -1);
	assert_string_equal(why, "the drawing does not match the value");
	assert_int_equal(parse_row("0x3C, /* ..##x#.. */\n", &why), -1);
	assert_int_equal(parse_row("0x3C /* ..####.. */\n", &why), -1);
	assert_int_equal(parse_row("0x3C, /* ..####.. */ x\n", &why), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_printable_have_ink),
		cmocka_unit_test(test_blank_top_and_bottom_rows),
		cmocka_unit_test(test_all_distinct),
		cmocka_unit_test(test_other_bytes_give_the_box),
		cmocka_unit_test(test_row_parser),
		cmocka_unit_test(test_source_drawings_match),
	};

	return cmocka_run_group_tests_name("font", tests, NULL, NULL);
}
