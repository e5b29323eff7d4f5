/*
 * kernel/kbd_decode.h - a PC keyboard's scancodes (set 1: what an i8042
 * delivers with translation on, as firmware leaves it) turned into the
 * bytes a serial terminal would send for the same keys, so the hypervisor's
 * terminal (kernel/term.c, kernel/term_line.c) reads the keyboard exactly
 * as it reads COM1. Pure code (unit-tested), no hardware.
 *
 * US layout. Shift, Caps Lock (letters only), Ctrl (Ctrl-letter gives
 * 0x01-0x1A, Ctrl-[ \ ] give 0x1B-0x1D, other Ctrl-printables give nothing),
 * Alt sends ESC before the key (as xterm's metaSendsEscape). Enter and
 * keypad Enter give '\r', Backspace 0x7F, Tab '\t', Esc 0x1B. Arrows give
 * ESC [ A/B/C/D, Home ESC [ H, End ESC [ F, Insert/Delete/PgUp/PgDn
 * ESC [ 2/3/5/6 ~. The keypad gives digits and '.' with Num Lock on (Shift
 * inverts it, as on a PC), the navigation keys with it off. Key releases
 * only change the modifier state; the function keys, the Windows keys,
 * Print Screen, Pause (the E1 sequence) and the keyboard's fake shifts
 * around the grey keys give nothing, and so do the controller's answers
 * (0xFA, 0xFE, 0xEE, 0x00, 0xFF; 0xAA is also Left Shift's release and
 * releases it).
 */
#ifndef KERNEL_KBD_DECODE_H
#define KERNEL_KBD_DECODE_H

#include "kernel/types.h"

/* the longest output of one scancode: Alt + ESC [ 3 ~ */
#define KBD_DECODE_MAX 5

struct kbd_decoder {
	u8 prefix;		/* 0, or 0xE0 after the extended-key prefix */
	u8 e1_skip;		/* bytes of a Pause (E1) sequence still to swallow */
	bool lshift, rshift, lctrl, rctrl, lalt, ralt;
	bool caps_lock, num_lock;
};

/* The state of a keyboard with no key down: Caps Lock off, Num Lock on
 * (what PC firmware turns on at boot by default). */
void kbd_decode_init(struct kbd_decoder *d);
/*
 * Feed one byte read from the controller. The bytes the key gives go to
 * out[]; returns their number (0 for a prefix, a release, a modifier, a
 * key without a meaning here). A key whose bytes do not all fit in max
 * gives nothing (never half an escape sequence); out is never written
 * beyond max.
 */
size_t kbd_decode(struct kbd_decoder *d, u8 scancode, char *out, size_t max);

#endif
