/*
 * kernel/term_line.h - the management terminal's line editor: pure code
 * that turns the bytes typed on a terminal into an edited command line
 * (insert, delete, cursor keys, Ctrl-A/E/U/W/K, Ctrl-C, history, tab
 * completion through a callback) and the bytes that redraw it. No I/O of
 * its own: output goes through a write callback, so the unit tests drive
 * it byte by byte.
 */
#ifndef KERNEL_TERM_LINE_H
#define KERNEL_TERM_LINE_H

#include "kernel/types.h"

#define TERM_LINE_MAX 255		/* characters in a line (excess: bell) */
#define TERM_HIST_MAX 16		/* lines remembered */
#define TERM_PROMPT_MAX 32
#define TERM_CSI_MAX 8			/* parameter bytes of an escape sequence */

/* what term_line_feed() says about the byte it was given */
enum term_line_status {
	TERM_LINE_MORE = 0,	/* keep feeding */
	TERM_LINE_DONE = 1,	/* Enter: the line is in term_line_text() */
	TERM_LINE_CANCEL = 2,	/* Ctrl-C: the line was dropped */
};

struct term_line;

/* Collects the candidates of a completion (term_complete_add()). */
struct term_complete {
	const char *prefix;		/* the word being completed */
	size_t prefix_len;
	u32 count;			/* candidates that match the prefix */
	size_t common_len;		/* length of their longest common prefix */
	char common[TERM_LINE_MAX + 1];
	struct term_line *listing;	/* non-NULL: print each match instead */
	u32 listed;
};

/*
 * Completion callback: word 'word_index' (0 = the command) of the line is
 * being completed; words[0..word_index-1] are the words before it (NUL
 * terminated copies). Call term_complete_add(c, name) for every candidate
 * (the ones that do not start with the prefix are ignored).
 */
typedef void (*term_complete_fn)(void *ctx, int word_index, char **words,
				 struct term_complete *c);
typedef void (*term_write_fn)(void *ctx, const char *s, size_t n);

struct term_line {
	char buf[TERM_LINE_MAX + 1];
	size_t len, cur;
	char prompt[TERM_PROMPT_MAX];
	term_write_fn write;
	term_complete_fn complete;
	void *ctx;
	/* escape sequences: 0 none, 1 after ESC, 2 in CSI (ESC [), 3 after ESC O */
	int esc_state;
	char csi[TERM_CSI_MAX + 1];
	size_t csi_len;
	bool last_cr;			/* a '\n' right after '\r' is the same Enter */
	/* history: hist[(hist_head - 1 - i) % MAX] is the i-th most recent */
	char hist[TERM_HIST_MAX][TERM_LINE_MAX + 1];
	u32 hist_count, hist_head;
	int hist_pos;			/* -1: editing the new line */
	char saved[TERM_LINE_MAX + 1];	/* the new line while browsing history */
	u64 bells;			/* refused keys (full line, no match...) */
};

void term_line_init(struct term_line *l, const char *prompt, term_write_fn write,
		    term_complete_fn complete, void *ctx);
/* Start a new, empty line: print the prompt. */
void term_line_start(struct term_line *l);
/* Feed one received byte (0..255). */
enum term_line_status term_line_feed(struct term_line *l, u8 c);
/* The line after TERM_LINE_DONE (NUL-terminated; valid until the next feed). */
const char *term_line_text(const struct term_line *l);
/* Add a line to the history (empty lines and repeats of the last are not). */
void term_line_history_add(struct term_line *l, const char *line);
/* For a completion callback: one candidate. */
void term_complete_add(struct term_complete *c, const char *name);
/*
 * Split 'line' (modified in place) into at most 'max' words at spaces and
 * tabs, like vmm_cmd_exec_line(); returns the number of words, or -1 when
 * there are more than 'max'.
 */
int term_split(char *line, char **words, int max);

#endif
