/*
 * kernel/fbcon.c - the screen console's text model (fbcon.h).
 *
 * Output bytes change cells of a grid kept as a ring of rows, so a scroll
 * moves no memory: the top row becomes the new bottom row, cleared. A
 * screen where a redraw is dear scrolls several lines at a time (the
 * jump, fbcon_set_jump): the cursor then carries on that many rows higher,
 * and a redraw serves that many lines of output. What
 * reaches the back end is decided in fbcon_update(): every cell of the
 * changed rows is compared with what the screen shows and drawn only when
 * it differs - a scroll redraws the characters that moved, not the blank
 * parts of the screen. The cursor is the cell under it with foreground and
 * background swapped.
 *
 * Understood: printable ASCII, "\n" (new line, column 0: the console's
 * line end), "\r", "\b", "\t" (to the next multiple of 8), and the escape
 * sequences of the terminal's line editor and of a VT100-like guest
 * console: ESC [ n A/B/C/D (cursor moves), G (column), H/f (position),
 * J (erase in screen), K (erase in line), m (colours: 0, 1, 7, 22, 27,
 * 30-37, 39, 40-47, 49, 90-97, 100-107), ?25 h/l (cursor on/off). Any other
 * sequence is swallowed whole; other control bytes are ignored; a UTF-8
 * sequence shows one box for the character it encodes.
 */
#include <string.h>
#include "kernel/fbcon.h"

enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SKIP_ONE };

#define BLANK(attr) FBCON_CELL(' ', attr)

static fbcon_cell_t *row_ptr(struct fbcon *con, u32 row)
{
	return &con->cells[((con->top + row) % con->rows) * con->cols];
}

/* Screen rows lo..hi changed (none changed: dirty_lo = -1, dirty_hi = 0). */
static void mark(struct fbcon *con, u32 lo, u32 hi)
{
	if (lo < con->dirty_lo)
		con->dirty_lo = lo;
	if (hi > con->dirty_hi)
		con->dirty_hi = hi;
}

static void mark_all(struct fbcon *con)
{
	con->dirty_lo = 0;
	con->dirty_hi = con->rows - 1;
}

void fbcon_init(struct fbcon *con, u32 cols, u32 rows, fbcon_cell_t *cells,
		fbcon_cell_t *shown, fbcon_cell_t shown_as, fbcon_draw_t draw, void *ctx)
{
	memset(con, 0, sizeof(*con));
	con->cols = cols < 1 ? 1 : cols > FBCON_MAX_COLS ? FBCON_MAX_COLS : cols;
	con->rows = rows < 1 ? 1 : rows > FBCON_MAX_ROWS ? FBCON_MAX_ROWS : rows;
	con->cells = cells;
	con->shown = shown;
	con->draw = draw;
	con->ctx = ctx;
	con->attr = FBCON_ATTR_DEFAULT;
	con->cursor_on = true;
	con->jump = 1;
	for (u32 i = 0; i < con->cols * con->rows; i++) {
		cells[i] = BLANK(FBCON_ATTR_DEFAULT);
		shown[i] = shown_as;
	}
	mark_all(con);
}

/* Clear cells [from, to) of screen row 'row' with the current background. */
static void clear_cells(struct fbcon *con, u32 row, u32 from, u32 to)
{
	fbcon_cell_t *r = row_ptr(con, row);
	/* blank in the current background; the foreground does not show */
	fbcon_cell_t b = BLANK((con->attr & 0xF0) | (FBCON_ATTR_DEFAULT & 0x0F));

	if (to > con->cols)
		to = con->cols;
	for (u32 c = from; c < to; c++)
		r[c] = b;
	mark(con, row, row);
}

/* The cursor goes one row down, scrolling at the bottom. */
static void line_feed(struct fbcon *con)
{
	if (con->cy + 1 < con->rows) {
		con->cy++;
		return;
	}
	/* at the bottom: up by 'jump' lines at once, the cursor that much higher */
	for (u32 i = 0; i < con->jump; i++) {
		con->top = (con->top + 1) % con->rows;
		con->scrolls++;
		clear_cells(con, con->rows - 1, 0, con->cols);
	}
	con->cy = con->rows - con->jump;
	mark_all(con);
}

static void put_char(struct fbcon *con, u8 ch)
{
	if (con->cx >= con->cols) {	/* the last column was written: wrap now */
		con->cx = 0;
		line_feed(con);
	}
	row_ptr(con, con->cy)[con->cx] = FBCON_CELL(ch, con->attr);
	mark(con, con->cy, con->cy);
	con->cx++;
}

static u32 par(const struct fbcon *con, u32 i, u32 dflt)
{
	return i < con->npar && con->par[i] ? con->par[i] : dflt;
}

static void sgr(struct fbcon *con)
{
	static const u8 ansi_to_vga[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };
	u8 fg = con->attr & 0x0F, bg = con->attr >> 4;

	if (!con->npar)
		con->npar = 1, con->par[0] = 0;
	for (u32 i = 0; i < con->npar; i++) {
		u32 p = con->par[i];

		if (p == 0)
			fg = FBCON_ATTR_DEFAULT & 0x0F, bg = FBCON_ATTR_DEFAULT >> 4;
		else if (p == 1)
			fg |= 8;
		else if (p == 22)
			fg &= 7;
		else if (p == 7 || p == 27) {
			u8 t = fg;	/* reverse video (27 undoes it the same way) */

			fg = bg;
			bg = t;
		} else if (p >= 30 && p <= 37)
			fg = (u8)((fg & 8) | ansi_to_vga[p - 30]);
		else if (p == 39)
			fg = (u8)((fg & 8) | (FBCON_ATTR_DEFAULT & 7));
		else if (p >= 40 && p <= 47)
			bg = ansi_to_vga[p - 40];
		else if (p == 49)
			bg = FBCON_ATTR_DEFAULT >> 4;
		else if (p >= 90 && p <= 97)
			fg = (u8)(8 | ansi_to_vga[p - 90]);
		else if (p >= 100 && p <= 107)
			bg = (u8)(8 | ansi_to_vga[p - 100]);
	}
	con->attr = (u8)((bg << 4) | (fg & 0x0F));
}

static void csi_final(struct fbcon *con, u8 c, bool private)
{
	u32 n = par(con, 0, 1);

	if (private) {
		if (con->npar && con->par[0] == 25 && (c == 'h' || c == 'l')) {
			con->cursor_on = c == 'h';
			mark(con, con->cy, con->cy);
		}
		return;
	}
	switch (c) {
	case 'A': con->cy = n > con->cy ? 0 : con->cy - n; break;
	case 'B': con->cy = con->cy + n >= con->rows ? con->rows - 1 : con->cy + n; break;
	case 'C': con->cx = con->cx + n >= con->cols ? con->cols - 1 : con->cx + n; break;
	case 'D':
		if (con->cx >= con->cols)
			con->cx = con->cols - 1;
		con->cx = n > con->cx ? 0 : con->cx - n;
		break;
	case 'G': con->cx = n > con->cols ? con->cols - 1 : n - 1; break;
	case 'H':
	case 'f':
		con->cy = par(con, 0, 1) > con->rows ? con->rows - 1 : par(con, 0, 1) - 1;
		con->cx = par(con, 1, 1) > con->cols ? con->cols - 1 : par(con, 1, 1) - 1;
		break;
	case 'J': {
		u32 mode = con->npar ? con->par[0] : 0;

		if (mode == 0) {
			clear_cells(con, con->cy, con->cx, con->cols);
			for (u32 r = con->cy + 1; r < con->rows; r++)
				clear_cells(con, r, 0, con->cols);
		} else if (mode == 1) {
			for (u32 r = 0; r < con->cy; r++)
				clear_cells(con, r, 0, con->cols);
			clear_cells(con, con->cy, 0, con->cx + 1);
		} else {
			for (u32 r = 0; r < con->rows; r++)
				clear_cells(con, r, 0, con->cols);
		}
		break;
	}
	case 'K': {
		u32 mode = con->npar ? con->par[0] : 0;

		if (mode == 0)
			clear_cells(con, con->cy, con->cx, con->cols);
		else if (mode == 1)
			clear_cells(con, con->cy, 0, con->cx + 1);
		else
			clear_cells(con, con->cy, 0, con->cols);
		break;
	}
	case 'm': sgr(con); break;
	default: break;		/* a sequence this console does not do */
	}
}

/* One byte of an escape sequence. */
static void feed_escape(struct fbcon *con, u8 c)
{
	if (con->esc == ESC_SKIP_ONE) {
		con->esc = ESC_NONE;
		return;
	}
	if (con->esc == ESC_START) {
		if (c == '[') {
			con->esc = ESC_CSI;
			con->npar = 0;
			con->priv = false;
		} else if (c == '(' || c == ')' || c == '#' || c == '%') {
			con->esc = ESC_SKIP_ONE;	/* charset and the like: one more byte */
		} else {
			con->esc = ESC_NONE;		/* ESC + one byte: swallowed */
		}
		return;
	}
	/* ESC_CSI: parameters, then one final byte 0x40..0x7E */
	if (c >= '0' && c <= '9') {
		if (!con->npar)
			con->par[con->npar++] = 0;
		if (con->npar <= ARRAY_SIZE(con->par)) {
			u32 *p = &con->par[con->npar - 1];

			if (*p <= 9999)		/* a huge number stays huge, not wrapped */
				*p = *p * 10 + (u32)(c - '0');
		}
	} else if (c == ';') {
		if (!con->npar)
			con->par[con->npar++] = 0;
		if (con->npar < ARRAY_SIZE(con->par))
			con->par[con->npar++] = 0;
		else
			con->npar = ARRAY_SIZE(con->par) + 1;	/* too many: the rest ignored */
	} else if (c == '?' && !con->npar) {
		con->priv = true;
	} else if (c >= 0x40 && c <= 0x7E) {
		u32 row = con->cy;

		if (con->npar > ARRAY_SIZE(con->par))
			con->npar = ARRAY_SIZE(con->par);
		csi_final(con, c, con->priv);
		mark(con, row < con->cy ? row : con->cy, row > con->cy ? row : con->cy);
		con->esc = ESC_NONE;
	} else if (c < 0x20) {
		con->esc = ESC_NONE;	/* a control byte ends it: not a sequence after all */
	}
	/* intermediate bytes 0x20..0x2F and others: part of the sequence */
}

/* One byte of output. */
static void feed(struct fbcon *con, u8 c)
{
	u32 row = con->cy;

	if (con->esc != ESC_NONE) {
		feed_escape(con, c);
		return;
	}
	if (con->utf8_left) {
		if ((c & 0xC0) == 0x80) {
			con->utf8_left--;
			return;
		}
		con->utf8_left = 0;	/* a broken sequence: take c as it is */
	}
	if (c >= 0x20 && c <= 0x7E) {
		put_char(con, c);
		return;
	}
	if (c >= 0x80) {
		/* UTF-8: one box per character, its continuation bytes swallowed */
		if ((c & 0xE0) == 0xC0)
			con->utf8_left = 1;
		else if ((c & 0xF0) == 0xE0)
			con->utf8_left = 2;
		else if ((c & 0xF8) == 0xF0)
			con->utf8_left = 3;
		put_char(con, FBCON_CH_UNKNOWN);
		return;
	}
	switch (c) {
	case '\n':
		con->cx = 0;
		line_feed(con);
		break;
	case '\r':
		con->cx = 0;
		break;
	case '\b':
		if (con->cx >= con->cols)
			con->cx = con->cols - 1;
		if (con->cx)
			con->cx--;
		break;
	case '\t':
		if (con->cx >= con->cols) {
			con->cx = 0;
			line_feed(con);
		}
		con->cx = (con->cx + 8) & ~7u;
		if (con->cx > con->cols)
			con->cx = con->cols;
		break;
	case 0x1B:
		con->esc = ESC_START;
		break;
	default:
		break;		/* BEL and the other control bytes: nothing to show */
	}
	mark(con, row < con->cy ? row : con->cy, row > con->cy ? row : con->cy);
}

void fbcon_set_jump(struct fbcon *con, u32 lines)
{
	con->jump = lines < 1 ? 1 : lines >= con->rows ? (con->rows > 1 ? con->rows - 1 : 1) : lines;
}

void fbcon_write(struct fbcon *con, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		feed(con, (u8)s[i]);
}

/* What screen cell (col, row) should look like: the cursor reversed. */
static fbcon_cell_t wanted(struct fbcon *con, const fbcon_cell_t *r, u32 col, u32 row)
{
	fbcon_cell_t c = r[col];

	if (con->cursor_on && row == con->cy && col == con->cx) {
		u8 a = FBCON_CELL_ATTR(c);

		c = FBCON_CELL(FBCON_CELL_CH(c), (u8)((a << 4) | (a >> 4)));
	}
	return c;
}

void fbcon_update(struct fbcon *con)
{
	/* the cursor's old place is redrawn too */
	mark(con, con->ccy, con->ccy);
	mark(con, con->cy, con->cy);
	for (u32 row = con->dirty_lo; row <= con->dirty_hi && row < con->rows; row++) {
		const fbcon_cell_t *r = row_ptr(con, row);
		fbcon_cell_t *shown = &con->shown[row * con->cols];

		for (u32 col = 0; col < con->cols; col++) {
			fbcon_cell_t c = wanted(con, r, col, row);

			if (c != shown[col]) {
				shown[col] = c;
				con->draw(con->ctx, col, row, c);
				con->drawn++;
			}
		}
	}
	con->ccy = con->cy;
	con->dirty_lo = (u32)-1;
	con->dirty_hi = 0;
}
