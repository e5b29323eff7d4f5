/*
 * kernel/term_line.c - the terminal's line editor (term_line.h): editing
 * keys, escape sequences of the cursor keys, history and tab completion.
 * Everything is bounded: a line never grows past TERM_LINE_MAX (the excess
 * rings the bell), an escape sequence never past TERM_CSI_MAX, and bytes
 * that are neither printable nor a known key are dropped.
 */
#include <string.h>
#include "kernel/term_line.h"
#include "kernel/printk.h"

#define KEY_CTRL(c) ((c) & 0x1F)
#define KEY_ESC 0x1B
#define KEY_DEL 0x7F
#define KEY_BS 0x08

/* Send bytes to the terminal. */
static void out(struct term_line *l, const char *s, size_t n)
{
	if (n)
		l->write(l->ctx, s, n);
}

static void outs(struct term_line *l, const char *s)
{
	out(l, s, strlen(s));
}

/* A refused key: BEL. */
static void bell(struct term_line *l)
{
	l->bells++;
	outs(l, "\a");
}

/* Move the terminal's cursor 'n' columns left ('left') or right. */
static void move_cursor(struct term_line *l, size_t n, bool left)
{
	char seq[24];

	if (!n)
		return;
	vmm_snprintf(seq, sizeof(seq), "\x1b[%u%c", (u32)n, left ? 'D' : 'C');
	outs(l, seq);
}

/*
 * Redraw from column 'from' of the line to its end, clear what is left of
 * an older, longer line, and put the cursor back at l->cur. The terminal's
 * cursor is at 'from' on entry.
 */
static void redraw_from(struct term_line *l, size_t from)
{
	out(l, l->buf + from, l->len - from);
	outs(l, "\x1b[K");
	move_cursor(l, l->len - l->cur, true);
}

/* Redraw the whole line (prompt included) on the current row. */
static void redraw_all(struct term_line *l)
{
	outs(l, "\r");
	outs(l, l->prompt);
	redraw_from(l, 0);
}

void term_line_init(struct term_line *l, const char *prompt, term_write_fn write,
		    term_complete_fn complete, void *ctx)
{
	memset(l, 0, sizeof(*l));
	strncpy(l->prompt, prompt, sizeof(l->prompt) - 1);
	l->write = write;
	l->complete = complete;
	l->ctx = ctx;
	l->hist_pos = -1;
}

void term_line_start(struct term_line *l)
{
	l->len = l->cur = 0;
	l->buf[0] = 0;
	l->esc_state = 0;
	l->hist_pos = -1;
	outs(l, l->prompt);
}

const char *term_line_text(const struct term_line *l)
{
	return l->buf;
}

/* Replace the whole line with 's' (history), cursor at its end. */
static void set_line(struct term_line *l, const char *s)
{
	size_t old_cur = l->cur;

	l->len = strnlen(s, TERM_LINE_MAX);
	memcpy(l->buf, s, l->len);
	l->buf[l->len] = 0;
	l->cur = l->len;
	move_cursor(l, old_cur, true);
	redraw_from(l, 0);
}

/* Insert 'n' bytes at the cursor; false (nothing inserted) when they do not fit. */
static bool insert(struct term_line *l, const char *s, size_t n)
{
	size_t from = l->cur;

	if (l->len + n > TERM_LINE_MAX)
		return false;
	memmove(l->buf + l->cur + n, l->buf + l->cur, l->len - l->cur);
	memcpy(l->buf + l->cur, s, n);
	l->len += n;
	l->cur += n;
	l->buf[l->len] = 0;
	if (l->cur == l->len)
		out(l, s, n);		/* typed at the end: only the new bytes */
	else
		redraw_from(l, from);
	return true;
}

/* Delete the 'n' bytes before the cursor. */
static void delete_back(struct term_line *l, size_t n)
{
	if (n > l->cur)
		n = l->cur;
	if (!n)
		return;
	memmove(l->buf + l->cur - n, l->buf + l->cur, l->len - l->cur);
	l->cur -= n;
	l->len -= n;
	l->buf[l->len] = 0;
	move_cursor(l, n, true);
	redraw_from(l, l->cur);
}

/* Delete from the cursor to the end of the line. */
static void kill_to_end(struct term_line *l)
{
	l->len = l->cur;
	l->buf[l->len] = 0;
	outs(l, "\x1b[K");
}

/* Delete the character under the cursor. */
static void delete_here(struct term_line *l)
{
	if (l->cur == l->len) {
		bell(l);
		return;
	}
	memmove(l->buf + l->cur, l->buf + l->cur + 1, l->len - l->cur - 1);
	l->len--;
	l->buf[l->len] = 0;
	redraw_from(l, l->cur);
}

/* Ctrl-W: the word before the cursor and the blanks after it. */
static void delete_word(struct term_line *l)
{
	size_t i = l->cur;

	while (i && l->buf[i - 1] == ' ')
		i--;
	while (i && l->buf[i - 1] != ' ')
		i--;
	delete_back(l, l->cur - i);
}

static void cursor_to(struct term_line *l, size_t pos)
{
	if (pos < l->cur)
		move_cursor(l, l->cur - pos, true);
	else
		move_cursor(l, pos - l->cur, false);
	l->cur = pos;
}

void term_line_history_add(struct term_line *l, const char *line)
{
	const char *last;

	if (!line[0])
		return;
	if (l->hist_count) {
		last = l->hist[(l->hist_head + TERM_HIST_MAX - 1) % TERM_HIST_MAX];
		if (!strcmp(last, line))
			return;
	}
	strncpy(l->hist[l->hist_head], line, TERM_LINE_MAX);
	l->hist[l->hist_head][TERM_LINE_MAX] = 0;
	l->hist_head = (l->hist_head + 1) % TERM_HIST_MAX;
	if (l->hist_count < TERM_HIST_MAX)
		l->hist_count++;
}

/* Up (older, dir = 1) or down (newer, dir = -1) in the history. */
static void history_move(struct term_line *l, int dir)
{
	int pos = l->hist_pos + dir;

	if (pos < -1 || pos >= (int)l->hist_count) {
		bell(l);
		return;
	}
	if (l->hist_pos == -1)
		memcpy(l->saved, l->buf, l->len + 1);
	l->hist_pos = pos;
	if (pos == -1)
		set_line(l, l->saved);
	else
		set_line(l, l->hist[(l->hist_head + TERM_HIST_MAX - 1 - (u32)pos) % TERM_HIST_MAX]);
}

int term_split(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return n;
}

void term_complete_add(struct term_complete *c, const char *name)
{
	size_t i;

	if (strncmp(name, c->prefix, c->prefix_len))
		return;
	if (c->listing) {
		struct term_line *l = c->listing;

		outs(l, c->listed++ ? "  " : "\n");
		outs(l, name);
		return;
	}
	if (!c->count++) {
		c->common_len = strnlen(name, TERM_LINE_MAX);
		memcpy(c->common, name, c->common_len);
		c->common[c->common_len] = 0;
		return;
	}
	for (i = 0; i < c->common_len && c->common[i] == name[i]; i++)
		;
	c->common_len = i;
	c->common[i] = 0;
}

#define TERM_COMPLETE_WORDS 16

/*
 * Tab: complete the word that ends at the cursor. One match: the rest of
 * it and a space; several: what they share, or, when they share nothing
 * more, the list of them under the line; none: the bell.
 */
static void complete(struct term_line *l)
{
	static struct term_complete c;	/* big (a line); the terminal is one thread */
	char before[TERM_LINE_MAX + 1], prefix[TERM_LINE_MAX + 1];
	char *words[TERM_COMPLETE_WORDS];
	size_t start = l->cur;
	int nw;

	if (!l->complete) {
		bell(l);
		return;
	}
	while (start && l->buf[start - 1] != ' ' && l->buf[start - 1] != '\t')
		start--;
	memcpy(prefix, l->buf + start, l->cur - start);
	prefix[l->cur - start] = 0;
	memcpy(before, l->buf, start);
	before[start] = 0;
	nw = term_split(before, words, TERM_COMPLETE_WORDS);
	if (nw < 0) {
		bell(l);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.prefix = prefix;
	c.prefix_len = strlen(prefix);
	l->complete(l->ctx, nw, words, &c);
	if (!c.count) {
		bell(l);
		return;
	}
	if (c.count == 1) {
		char rest[TERM_LINE_MAX + 2];
		size_t n = c.common_len - c.prefix_len;

		memcpy(rest, c.common + c.prefix_len, n);
		if (l->cur == l->len || l->buf[l->cur] != ' ')
			rest[n++] = ' ';
		if (!insert(l, rest, n))
			bell(l);
		return;
	}
	if (c.common_len > c.prefix_len) {
		if (!insert(l, c.common + c.prefix_len, c.common_len - c.prefix_len))
			bell(l);
		return;
	}
	/* several, nothing more in common: list them, then the line again */
	memset(&c, 0, sizeof(c));
	c.prefix = prefix;
	c.prefix_len = strlen(prefix);
	c.listing = l;
	l->complete(l->ctx, nw, words, &c);
	outs(l, "\n");
	redraw_all(l);
}

/* The final byte of "ESC [ params final" or "ESC O final". */
static void escape_final(struct term_line *l, u8 c)
{
	int param = 0;

	for (size_t i = 0; i < l->csi_len && l->csi[i] >= '0' && l->csi[i] <= '9'; i++)
		param = param * 10 + (l->csi[i] - '0');
	switch (c) {
	case 'A': history_move(l, 1); break;
	case 'B': history_move(l, -1); break;
	case 'C':
		if (l->cur < l->len)
			cursor_to(l, l->cur + 1);
		else
			bell(l);
		break;
	case 'D':
		if (l->cur)
			cursor_to(l, l->cur - 1);
		else
			bell(l);
		break;
	case 'H': cursor_to(l, 0); break;
	case 'F': cursor_to(l, l->len); break;
	case '~':
		if (param == 1 || param == 7)
			cursor_to(l, 0);
		else if (param == 4 || param == 8)
			cursor_to(l, l->len);
		else if (param == 3)
			delete_here(l);
		break;
	default:
		break;			/* a key this editor does not know: ignored */
	}
}

/* A byte inside an escape sequence. */
static void feed_escape(struct term_line *l, u8 c)
{
	if (l->esc_state == 1) {
		if (c == '[') {
			l->esc_state = 2;
			l->csi_len = 0;
		} else if (c == 'O') {
			l->esc_state = 3;
			l->csi_len = 0;
		} else {
			l->esc_state = 0;	/* ESC + key: dropped */
		}
		return;
	}
	if (c >= 0x40 && c <= 0x7E) {
		l->esc_state = 0;
		escape_final(l, c);
		return;
	}
	if (c >= 0x20 && c <= 0x3F && l->csi_len < TERM_CSI_MAX) {
		l->csi[l->csi_len++] = (char)c;
		return;
	}
	/* not a sequence (a control byte, or one too long): dropped */
	l->esc_state = 0;
}

enum term_line_status term_line_feed(struct term_line *l, u8 c)
{
	bool was_cr = l->last_cr;

	l->last_cr = false;
	if (l->esc_state) {
		if (c == KEY_CTRL('C') || c == KEY_ESC) {
			l->esc_state = 0;	/* these end a broken sequence and count */
		} else {
			feed_escape(l, c);
			return TERM_LINE_MORE;
		}
	}
	switch (c) {
	case '\r':
	case '\n':
		if (c == '\n' && was_cr)
			return TERM_LINE_MORE;
		l->last_cr = c == '\r';
		outs(l, "\n");
		l->hist_pos = -1;
		return TERM_LINE_DONE;
	case KEY_CTRL('C'):
		outs(l, "^C\n");
		l->len = l->cur = 0;
		l->buf[0] = 0;
		return TERM_LINE_CANCEL;
	case KEY_ESC:
		l->esc_state = 1;
		return TERM_LINE_MORE;
	case KEY_DEL:
	case KEY_BS:
		if (l->cur)
			delete_back(l, 1);
		else
			bell(l);
		return TERM_LINE_MORE;
	case KEY_CTRL('A'): cursor_to(l, 0); return TERM_LINE_MORE;
	case KEY_CTRL('E'): cursor_to(l, l->len); return TERM_LINE_MORE;
	case KEY_CTRL('B'): escape_final(l, 'D'); return TERM_LINE_MORE;
	case KEY_CTRL('F'): escape_final(l, 'C'); return TERM_LINE_MORE;
	case KEY_CTRL('P'): history_move(l, 1); return TERM_LINE_MORE;
	case KEY_CTRL('N'): history_move(l, -1); return TERM_LINE_MORE;
	case KEY_CTRL('D'): delete_here(l); return TERM_LINE_MORE;
	case KEY_CTRL('K'): kill_to_end(l); return TERM_LINE_MORE;
	case KEY_CTRL('U'): delete_back(l, l->cur); return TERM_LINE_MORE;
	case KEY_CTRL('W'): delete_word(l); return TERM_LINE_MORE;
	case KEY_CTRL('L'): redraw_all(l); return TERM_LINE_MORE;
	case '\t': complete(l); return TERM_LINE_MORE;
	default:
		break;
	}
	if (c >= 0x20 && c < 0x7F) {
		char ch = (char)c;

		if (!insert(l, &ch, 1))
			bell(l);
	}
	/* other control bytes and bytes >= 0x80: dropped */
	return TERM_LINE_MORE;
}
