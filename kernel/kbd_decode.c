/*
 * kernel/kbd_decode.c - scancode set 1 to terminal bytes (kbd_decode.h):
 * the US layout's tables, the modifier and lock state, the E0 (extended
 * key) and E1 (Pause) prefixes.
 */
#include <string.h>
#include "kernel/kbd_decode.h"

#define SC_RELEASE 0x80
#define SC_E0 0xE0
#define SC_E1 0xE1
#define E1_TAIL 2		/* E1 1D 45 (make), E1 9D C5 (break): 2 bytes after each E1 */

/* set 1 make codes with a meaning here */
#define SC_ESC 0x01
#define SC_BACKSPACE 0x0E
#define SC_TAB 0x0F
#define SC_ENTER 0x1C
#define SC_CTRL 0x1D
#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_ALT 0x38
#define SC_CAPS 0x3A
#define SC_NUM 0x45
#define SC_KP_FIRST 0x47	/* KP7 .. KP. */
#define SC_KP_LAST 0x53
#define SC_KP_SLASH 0x35	/* after E0 */

#define KEY_ESC 0x1B
#define KEY_DEL 0x7F

/* The main block, US layout: unshifted and shifted character, 0 = none. */
static const char plain[0x59] = {
	[0x02] = '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=',
	[0x10] = 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']',
	[0x1E] = 'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`',
	[0x2B] = '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/',
	[0x37] = '*',		/* keypad * */
	[0x39] = ' ',
	[0x4A] = '-',		/* keypad - */
	[0x4E] = '+',		/* keypad + */
	[0x56] = '\\',		/* the 102nd key of ISO keyboards */
};
static const char shifted[0x59] = {
	[0x02] = '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',
	[0x10] = 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}',
	[0x1E] = 'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~',
	[0x2B] = '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?',
	[0x37] = '*',
	[0x39] = ' ',
	[0x4A] = '-',
	[0x4E] = '+',
	[0x56] = '|',
};

/* The keypad 7 8 9 - 4 5 6 + 1 2 3 0 . : with Num Lock, and without. */
static const char kp_digit[SC_KP_LAST - SC_KP_FIRST + 1] = {
	'7', '8', '9', 0, '4', '5', '6', 0, '1', '2', '3', '0', '.',
};
static const char *const kp_nav[SC_KP_LAST - SC_KP_FIRST + 1] = {
	"\x1b[H", "\x1b[A", "\x1b[5~", NULL, "\x1b[D", NULL, "\x1b[C", NULL,
	"\x1b[F", "\x1b[B", "\x1b[6~", "\x1b[2~", "\x1b[3~",
};

void kbd_decode_init(struct kbd_decoder *d)
{
	memset(d, 0, sizeof(*d));
	d->num_lock = true;
}

/* Copy s (n bytes) to out if it all fits; the number copied. */
static size_t emit(const char *s, size_t n, char *out, size_t max)
{
	if (n > max)
		return 0;
	memcpy(out, s, n);
	return n;
}

static size_t emit_str(const char *s, char *out, size_t max)
{
	return s ? emit(s, strlen(s), out, max) : 0;
}

static bool is_letter_code(u8 code)
{
	return plain[code] >= 'a' && plain[code] <= 'z';
}

/* A key of the main block or the grey keypad operators: its character
 * with the modifiers, Alt as an ESC before it. */
static size_t main_key(struct kbd_decoder *d, u8 code, char *out, size_t max)
{
	bool shift = d->lshift || d->rshift;
	bool ctrl = d->lctrl || d->rctrl;
	char buf[2];
	size_t n = 0;
	char c;

	if (is_letter_code(code) && d->caps_lock)
		shift = !shift;
	c = shift ? shifted[code] : plain[code];
	if (!c)
		return 0;
	if (ctrl) {
		if (is_letter_code(code))
			c = (char)(plain[code] - 'a' + 1);
		else if (plain[code] == '[' || plain[code] == '\\' || plain[code] == ']')
			c = (char)(plain[code] - '[' + KEY_ESC);
		else
			return 0;	/* no control character for this key */
	}
	if (d->lalt || d->ralt)
		buf[n++] = KEY_ESC;
	buf[n++] = c;
	return emit(buf, n, out, max);
}

/* A make code without a prefix. */
static size_t plain_make(struct kbd_decoder *d, u8 code, char *out, size_t max)
{
	switch (code) {
	case SC_LSHIFT: d->lshift = true; return 0;
	case SC_RSHIFT: d->rshift = true; return 0;
	case SC_CTRL: d->lctrl = true; return 0;
	case SC_ALT: d->lalt = true; return 0;
	case SC_CAPS: d->caps_lock = !d->caps_lock; return 0;
	case SC_NUM: d->num_lock = !d->num_lock; return 0;
	case SC_ESC: return emit("\x1b", 1, out, max);
	case SC_BACKSPACE: return emit("\x7f", 1, out, max);
	case SC_TAB: return emit("\t", 1, out, max);
	case SC_ENTER: return emit("\r", 1, out, max);
	default:
		break;
	}
	if (code >= SC_KP_FIRST && code <= SC_KP_LAST && kp_digit[code - SC_KP_FIRST]) {
		bool digits = d->num_lock != (d->lshift || d->rshift);

		if (digits)
			return emit(&kp_digit[code - SC_KP_FIRST], 1, out, max);
		return emit_str(kp_nav[code - SC_KP_FIRST], out, max);
	}
	if (code < sizeof(plain))
		return main_key(d, code, out, max);
	return 0;		/* function keys and the rest */
}

/* A make code after E0: the grey keys. */
static size_t extended_make(struct kbd_decoder *d, u8 code, char *out, size_t max)
{
	switch (code) {
	case SC_CTRL: d->rctrl = true; return 0;
	case SC_ALT: d->ralt = true; return 0;
	case SC_ENTER: return emit("\r", 1, out, max);		/* keypad Enter */
	case SC_KP_SLASH: return emit("/", 1, out, max);
	case 0x47: return emit_str("\x1b[H", out, max);	/* Home */
	case 0x48: return emit_str("\x1b[A", out, max);	/* Up */
	case 0x49: return emit_str("\x1b[5~", out, max);	/* Page Up */
	case 0x4B: return emit_str("\x1b[D", out, max);	/* Left */
	case 0x4D: return emit_str("\x1b[C", out, max);	/* Right */
	case 0x4F: return emit_str("\x1b[F", out, max);	/* End */
	case 0x50: return emit_str("\x1b[B", out, max);	/* Down */
	case 0x51: return emit_str("\x1b[6~", out, max);	/* Page Down */
	case 0x52: return emit_str("\x1b[2~", out, max);	/* Insert */
	case 0x53: return emit_str("\x1b[3~", out, max);	/* Delete */
	default:
		/* the fake shifts (E0 2A, E0 36), Print Screen, Windows and
		 * media keys */
		return 0;
	}
}

/* A release: only the modifiers care. */
static void release(struct kbd_decoder *d, u8 code, bool extended)
{
	switch (code) {
	case SC_LSHIFT:
		if (!extended)		/* E0 AA is a fake shift, not the key */
			d->lshift = false;
		break;
	case SC_RSHIFT:
		if (!extended)
			d->rshift = false;
		break;
	case SC_CTRL:
		if (extended)
			d->rctrl = false;
		else
			d->lctrl = false;
		break;
	case SC_ALT:
		if (extended)
			d->ralt = false;
		else
			d->lalt = false;
		break;
	default:
		break;
	}
}

size_t kbd_decode(struct kbd_decoder *d, u8 sc, char *out, size_t max)
{
	bool extended;

	switch (sc) {
	case 0x00:		/* key detection error or overrun */
	case 0xFF:
	case 0xFA:		/* acknowledge */
	case 0xFE:		/* resend */
	case 0xEE:		/* echo */
		d->prefix = 0;
		return 0;
	default:
		break;
	}
	if (d->e1_skip) {
		d->e1_skip--;
		return 0;
	}
	if (sc == SC_E1) {
		d->prefix = 0;
		d->e1_skip = E1_TAIL;
		return 0;
	}
	if (sc == SC_E0) {
		d->prefix = SC_E0;
		return 0;
	}
	extended = d->prefix == SC_E0;
	d->prefix = 0;
	if (sc & SC_RELEASE) {
		/* 0xAA is also the keyboard's self-test answer: releasing a
		 * shift nobody holds changes nothing */
		release(d, sc & ~SC_RELEASE, extended);
		return 0;
	}
	return extended ? extended_make(d, sc, out, max) : plain_make(d, sc, out, max);
}
