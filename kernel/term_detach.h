/*
 * kernel/term_detach.h - the key sequence that ends a terminal's binding
 * to a guest console: ESC, then 'x', then 'q'. Pure code (unit-tested):
 * every other byte, and a prefix of the sequence that does not go on, is
 * passed through to the guest unchanged and in order.
 */
#ifndef KERNEL_TERM_DETACH_H
#define KERNEL_TERM_DETACH_H

#include "kernel/types.h"

#define TERM_DETACH_HELD 2	/* at most ESC 'x' wait for the next key */

struct term_detach {
	u8 held;		/* bytes of the sequence seen so far: 0, 1 or 2 */
};

void term_detach_init(struct term_detach *d);
/*
 * Feed one typed byte. The bytes for the guest go to out[] (at most
 * TERM_DETACH_HELD + 1), their number to *n. True: the whole sequence was
 * typed, detach (nothing in out).
 */
bool term_detach_feed(struct term_detach *d, u8 c, u8 *out, size_t *n);
/* A prefix is held (the caller gives it a time limit). */
bool term_detach_holding(const struct term_detach *d);
/* Give up waiting: the held bytes go to out[]; returns their number. */
size_t term_detach_flush(struct term_detach *d, u8 *out);

#endif
