/*
 * kernel/term_detach.c - the detach sequence of a bound terminal
 * (term_detach.h): ESC x q ends the binding, anything else goes through.
 */
#include "kernel/term_detach.h"

#define KEY_ESC 0x1B

static const u8 seq[] = { KEY_ESC, 'x', 'q' };

void term_detach_init(struct term_detach *d)
{
	d->held = 0;
}

bool term_detach_holding(const struct term_detach *d)
{
	return d->held != 0;
}

size_t term_detach_flush(struct term_detach *d, u8 *out)
{
	size_t n = d->held;

	for (size_t i = 0; i < n; i++)
		out[i] = seq[i];
	d->held = 0;
	return n;
}

bool term_detach_feed(struct term_detach *d, u8 c, u8 *out, size_t *n)
{
	*n = 0;
	if (c == seq[d->held]) {
		if (++d->held == sizeof(seq)) {
			d->held = 0;
			return true;
		}
		return false;
	}
	/* the sequence broke off: what was held goes first, then this byte,
	 * unless it starts a new sequence (ESC ESC: the first one goes) */
	*n = term_detach_flush(d, out);
	if (c == seq[0])
		d->held = 1;
	else
		out[(*n)++] = c;
	return false;
}
