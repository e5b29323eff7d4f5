/*
 * kernel/fbcon.h - the screen console's text model (kernel/fbcon.c): a grid
 * of character cells, the cursor, the escape sequences the terminal and a
 * bound guest send, scrolling, and drawing only the cells that changed.
 *
 * It draws nothing itself: a back end (arch/x86_64/screen.c: pixels with
 * the built-in font, or VGA text cells) gets draw(col, row, cell) for each
 * cell whose look changed since the last fbcon_update(). Pure code: the
 * unit tests drive it with a fake back end.
 */
#ifndef KERNEL_FBCON_H
#define KERNEL_FBCON_H

#include "kernel/types.h"

/* A cell: character in bits 7:0, attribute in bits 15:8 (VGA style:
 * foreground colour in 11:8, background in 15:12, colours 0..15 of the
 * 16-colour PC palette). Characters outside 0x20..0x7E are shown as the
 * font's box; FBCON_CH_UNKNOWN is the one the model stores for them. */
typedef u16 fbcon_cell_t;
#define FBCON_CELL(ch, attr) ((fbcon_cell_t)((u8)(ch) | ((u16)(u8)(attr) << 8)))
#define FBCON_CELL_CH(c) ((u8)((c) & 0xFF))
#define FBCON_CELL_ATTR(c) ((u8)((c) >> 8))
#define FBCON_CH_UNKNOWN 0x7F
#define FBCON_ATTR_DEFAULT 0x07		/* light grey on black */

/* The largest grid: 3840 / 8 x 2160 / 16 cells (a bigger screen shows its
 * top-left part, with a scaled font it is smaller anyway). */
#define FBCON_MAX_COLS 480
#define FBCON_MAX_ROWS 135

typedef void (*fbcon_draw_t)(void *ctx, u32 col, u32 row, fbcon_cell_t cell);

struct fbcon {
	u32 cols, rows;
	u32 cx, cy;		/* cursor; cx == cols: the next character wraps */
	u32 top;		/* the grid is a ring of rows: screen row r is row (top + r) % rows */
	u32 jump;		/* lines scrolled at once at the bottom (1..rows-1) */
	u8 attr;		/* attribute of what is written now */
	u8 esc;			/* escape parser state */
	u8 npar;
	u8 utf8_left;		/* continuation bytes still to swallow */
	bool priv;		/* ESC [ ? ...: a private mode */
	u32 par[4];
	u32 dirty_lo, dirty_hi;	/* screen rows changed since the last update (lo > hi: none) */
	bool cursor_on;		/* shown (ESC [ ? 25 h / l) */
	u32 ccy;		/* the row where the last update drew the cursor */
	fbcon_draw_t draw;
	void *ctx;
	fbcon_cell_t *cells;	/* rows * cols, the ring */
	fbcon_cell_t *shown;	/* rows * cols, what the back end shows, by screen row */
	u64 drawn;		/* cells drawn (statistics) */
	u64 scrolls;		/* lines scrolled */
};

/*
 * Set up a console of cols x rows (clamped to the maxima) over the two
 * arrays of FBCON_MAX_COLS * FBCON_MAX_ROWS cells the caller owns. The
 * screen is taken as showing 'shown_as' everywhere (the back end cleared it
 * to that); the first update draws what differs.
 */
void fbcon_init(struct fbcon *con, u32 cols, u32 rows, fbcon_cell_t *cells,
		fbcon_cell_t *shown, fbcon_cell_t shown_as, fbcon_draw_t draw, void *ctx);
/* Scroll 'lines' lines at a time when the bottom is reached (default 1;
 * clamped to 1..rows-1). */
void fbcon_set_jump(struct fbcon *con, u32 lines);
/* Take n bytes of console output ("\n" ends a line and goes to column 0). */
void fbcon_write(struct fbcon *con, const char *s, size_t n);
/* Draw every cell whose look changed (and the cursor). */
void fbcon_update(struct fbcon *con);

#endif
