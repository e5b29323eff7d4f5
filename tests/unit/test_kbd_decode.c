/*
 * tests/unit/test_kbd_decode.c - scancode set 1 to terminal bytes
 * (kernel/kbd_decode.c): every character key with and without Shift and
 * Caps Lock, Ctrl and Alt, every E0 key, the keypad with and without Num
 * Lock, releases, the E1 Pause sequence, the controller's answers, and
 * that no byte sequence makes it write beyond max.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdlib.h>
#include <cmocka.h>

#include "kernel/kbd_decode.h"

/* Feed the scancodes (n of them) and return everything they gave, as a
 * NUL-terminated string in a static buffer (bytes 0 do not occur). */
static const char *feed(struct kbd_decoder *d, const u8 *sc, size_t n)
{
	static char all[256];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		char out[KBD_DECODE_MAX];
		size_t k = kbd_decode(d, sc[i], out, sizeof(out));

		assert_true(k <= sizeof(out));
		assert_true(len + k < sizeof(all));
		memcpy(all + len, out, k);
		len += k;
	}
	all[len] = 0;
	return all;
}

#define FEED(d, ...) feed((d), (const u8[]){ __VA_ARGS__ }, sizeof((const u8[]){ __VA_ARGS__ }))

/* press and release one key without a prefix */
#define TAP(code) (code), (u8)((code) | 0x80)

static const char *row_plain[] = {
	/* 0x02.. */ "1234567890-=",
	/* 0x10.. */ "qwertyuiop[]",
	/* 0x1E.. */ "asdfghjkl;'`",
	/* 0x2B.. */ "\\zxcvbnm,./",
};
static const char *row_shift[] = {
	"!@#$%^&*()_+", "QWERTYUIOP{}", "ASDFGHJKL:\"~", "|ZXCVBNM<>?",
};
static const u8 row_start[] = { 0x02, 0x10, 0x1E, 0x2B };

static void test_every_character_key(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	for (size_t r = 0; r < 4; r++)
		for (size_t i = 0; row_plain[r][i]; i++) {
			u8 code = (u8)(row_start[r] + i);

			assert_string_equal(FEED(&d, TAP(code)), ((char[]){ row_plain[r][i], 0 }));
			/* shifted, either shift key */
			assert_string_equal(FEED(&d, 0x2A, TAP(code), 0xAA),
					    ((char[]){ row_shift[r][i], 0 }));
			assert_string_equal(FEED(&d, 0x36, TAP(code), 0xB6),
					    ((char[]){ row_shift[r][i], 0 }));
		}
	assert_string_equal(FEED(&d, TAP(0x39)), " ");
	assert_string_equal(FEED(&d, 0x2A, TAP(0x39), 0xAA), " ");
	assert_string_equal(FEED(&d, TAP(0x56)), "\\");
	assert_string_equal(FEED(&d, 0x2A, TAP(0x56), 0xAA), "|");
}

static void test_special_keys(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	assert_string_equal(FEED(&d, TAP(0x01)), "\x1b");
	assert_string_equal(FEED(&d, TAP(0x0E)), "\x7f");
	assert_string_equal(FEED(&d, TAP(0x0F)), "\t");
	assert_string_equal(FEED(&d, TAP(0x1C)), "\r");
	/* function keys F1-F10, F11, F12, Scroll Lock: nothing */
	for (u8 f = 0x3B; f <= 0x44; f++)
		assert_string_equal(FEED(&d, TAP(f)), "");
	assert_string_equal(FEED(&d, TAP(0x57), TAP(0x58), TAP(0x46)), "");
	/* and Shift does not change the special keys */
	assert_string_equal(FEED(&d, 0x2A, TAP(0x1C), TAP(0x0E), TAP(0x0F), 0xAA), "\r\x7f\t");
}

static void test_caps_lock(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	assert_string_equal(FEED(&d, TAP(0x3A), TAP(0x1E), TAP(0x02), TAP(0x1A)), "A1[");
	/* Shift with Caps Lock: lower case letters, still shifted symbols */
	assert_string_equal(FEED(&d, 0x2A, TAP(0x1E), TAP(0x02), 0xAA), "a!");
	/* Caps Lock off again; holding it does not repeat the toggle on release */
	assert_string_equal(FEED(&d, TAP(0x3A), TAP(0x1E)), "a");
	/* every letter follows Caps Lock, no other key does */
	assert_string_equal(FEED(&d, TAP(0x3A)), "");
	for (size_t r = 0; r < 4; r++)
		for (size_t i = 0; row_plain[r][i]; i++) {
			char c = row_plain[r][i];
			char want = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;

			assert_string_equal(FEED(&d, TAP((u8)(row_start[r] + i))), ((char[]){ want, 0 }));
		}
}

static void test_ctrl(void **state)
{
	struct kbd_decoder d;
	const char *letters = "abcdefghijklmnopqrstuvwxyz";

	(void)state;
	kbd_decode_init(&d);
	/* every letter, left Ctrl and right Ctrl (E0 1D) */
	for (size_t r = 0; r < 4; r++)
		for (size_t i = 0; row_plain[r][i]; i++) {
			char c = row_plain[r][i];
			u8 code = (u8)(row_start[r] + i);
			char want[2] = { 0, 0 };

			if (!strchr(letters, c) && !strchr("[\\]", c))
				continue;
			want[0] = strchr(letters, c) ? (char)(c - 'a' + 1) : (char)(c - '[' + 0x1B);
			assert_string_equal(FEED(&d, 0x1D, TAP(code), 0x9D), want);
			assert_string_equal(FEED(&d, 0xE0, 0x1D, TAP(code), 0xE0, 0x9D), want);
			/* Shift and Caps Lock do not change a control character */
			assert_string_equal(FEED(&d, 0x2A, 0x1D, TAP(code), 0x9D, 0xAA), want);
		}
	assert_string_equal(FEED(&d, 0x1D, TAP(0x2E), 0x9D), "\x03");	/* Ctrl-C */
	/* Ctrl with a digit or other symbol: nothing; Ctrl-Enter still Enter */
	assert_string_equal(FEED(&d, 0x1D, TAP(0x02), TAP(0x0C), TAP(0x39), TAP(0x1C), 0x9D), "\r");
	/* after the release, plain again; releasing right Ctrl keeps left Ctrl */
	assert_string_equal(FEED(&d, TAP(0x2E)), "c");
	assert_string_equal(FEED(&d, 0x1D, 0xE0, 0x1D, 0xE0, 0x9D, TAP(0x2E), 0x9D, TAP(0x2E)), "\x03" "c");
}

static void test_alt(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	assert_string_equal(FEED(&d, 0x38, TAP(0x2D), 0xB8), "\x1bx");		/* left Alt */
	assert_string_equal(FEED(&d, 0xE0, 0x38, TAP(0x2D), 0xE0, 0xB8), "\x1bx");	/* AltGr */
	assert_string_equal(FEED(&d, 0x38, 0x2A, TAP(0x2D), 0xAA, 0xB8), "\x1bX");
	assert_string_equal(FEED(&d, 0x38, 0x1D, TAP(0x2E), 0x9D, 0xB8), "\x1b\x03");
	/* Alt does not touch Enter, the arrows or the keypad */
	assert_string_equal(FEED(&d, 0x38, TAP(0x1C), 0xE0, 0x4B, 0xB8), "\r\x1b[D");
	assert_string_equal(FEED(&d, TAP(0x2D)), "x");
	/* releasing right Alt keeps left Alt */
	assert_string_equal(FEED(&d, 0x38, 0xE0, 0x38, 0xE0, 0xB8, TAP(0x10), 0xB8, TAP(0x10)), "\x1bqq");
}

static void test_extended_keys(void **state)
{
	static const struct { u8 code; const char *want; } keys[] = {
		{ 0x48, "\x1b[A" }, { 0x50, "\x1b[B" }, { 0x4D, "\x1b[C" }, { 0x4B, "\x1b[D" },
		{ 0x47, "\x1b[H" }, { 0x4F, "\x1b[F" }, { 0x53, "\x1b[3~" }, { 0x52, "\x1b[2~" },
		{ 0x49, "\x1b[5~" }, { 0x51, "\x1b[6~" }, { 0x1C, "\r" }, { 0x35, "/" },
		/* Windows keys, menu, power keys, media keys: nothing */
		{ 0x5B, "" }, { 0x5C, "" }, { 0x5D, "" }, { 0x5E, "" }, { 0x5F, "" },
		{ 0x63, "" }, { 0x10, "" }, { 0x22, "" }, { 0x20, "" },
	};
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_string_equal(FEED(&d, 0xE0, keys[i].code, 0xE0, (u8)(keys[i].code | 0x80)),
				    keys[i].want);
		/* the same with Shift, Ctrl and Num Lock off: unchanged */
		assert_string_equal(FEED(&d, 0x2A, 0x1D, TAP(0x45), 0xE0, keys[i].code,
					 0xE0, (u8)(keys[i].code | 0x80), TAP(0x45), 0x9D, 0xAA),
				    keys[i].want);
	}
	/* the prefix applies to one byte only */
	assert_string_equal(FEED(&d, 0xE0, 0x48, 0x48), "\x1b[A" "8");
}

static void test_fake_shifts_and_print_screen(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	/* Num Lock on: the keyboard wraps a grey arrow in E0 2A .. E0 AA */
	assert_string_equal(FEED(&d, 0xE0, 0x2A, 0xE0, 0x4B, 0xE0, 0xCB, 0xE0, 0xAA), "\x1b[D");
	assert_string_equal(FEED(&d, TAP(0x1E)), "a");		/* no shift left on */
	/* with Shift held it sends E0 AA first: the real Shift stays down */
	assert_string_equal(FEED(&d, 0x2A, 0xE0, 0xAA, 0xE0, 0x4B, 0xE0, 0xCB, 0xE0, 0x2A,
				 TAP(0x1E), 0xAA), "\x1b[D" "A");
	assert_string_equal(FEED(&d, 0x36, 0xE0, 0xB6, TAP(0x1E), 0xB6, TAP(0x1E)), "Aa");
	/* Print Screen: E0 2A E0 37, E0 B7 E0 AA; Ctrl-Break E0 46 E0 C6 */
	assert_string_equal(FEED(&d, 0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA), "");
	assert_string_equal(FEED(&d, 0x1D, 0xE0, 0x46, 0xE0, 0xC6, 0x9D), "");
	assert_string_equal(FEED(&d, TAP(0x1E)), "a");
}

static void test_keypad(void **state)
{
	/* KP7 KP8 KP9 KP- KP4 KP5 KP6 KP+ KP1 KP2 KP3 KP0 KP. KP* */
	static const u8 kp[] = { 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E,
				 0x4F, 0x50, 0x51, 0x52, 0x53, 0x37 };
	static const char *digits = "789-456+1230.*";
	static const char *nav[] = { "\x1b[H", "\x1b[A", "\x1b[5~", "-", "\x1b[D", "",
				     "\x1b[C", "+", "\x1b[F", "\x1b[B", "\x1b[6~",
				     "\x1b[2~", "\x1b[3~", "*" };
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	assert_true(d.num_lock);
	for (size_t i = 0; i < sizeof(kp); i++) {
		assert_string_equal(FEED(&d, TAP(kp[i])), ((char[]){ digits[i], 0 }));
		/* Shift inverts Num Lock */
		assert_string_equal(FEED(&d, 0x2A, TAP(kp[i]), 0xAA), nav[i]);
	}
	assert_string_equal(FEED(&d, TAP(0x45)), "");	/* Num Lock off */
	for (size_t i = 0; i < sizeof(kp); i++) {
		assert_string_equal(FEED(&d, TAP(kp[i])), nav[i]);
		assert_string_equal(FEED(&d, 0x36, TAP(kp[i]), 0xB6), ((char[]){ digits[i], 0 }));
	}
	/* keypad Enter and / (E0) */
	assert_string_equal(FEED(&d, 0xE0, 0x1C, 0xE0, 0x9C, 0xE0, 0x35, 0xE0, 0xB5), "\r/");
	/* plain 0x35 is the main block's / and ? */
	assert_string_equal(FEED(&d, TAP(0x35), 0x2A, TAP(0x35), 0xAA), "/?");
}

static void test_releases_give_nothing(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	for (unsigned sc = 0x81; sc < 0xE0; sc++)
		assert_string_equal(FEED(&d, (u8)sc), "");
	for (unsigned sc = 0x80; sc <= 0xFF; sc++)
		assert_string_equal(FEED(&d, 0xE0, (u8)sc), "");
	/* releasing keys that are not down changes nothing */
	assert_string_equal(FEED(&d, TAP(0x1E)), "a");
	/* a held key repeats as repeated make codes */
	assert_string_equal(FEED(&d, 0x1E, 0x1E, 0x1E, 0x9E), "aaa");
	/* a held Shift repeats too and stays down */
	assert_string_equal(FEED(&d, 0x2A, 0x2A, 0x2A, 0x1E, 0xAA, 0x1E), "Aa");
}

static void test_pause_swallowed(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	/* Pause: E1 1D 45 E1 9D C5: no Ctrl stuck, no Num Lock toggled */
	assert_string_equal(FEED(&d, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5), "");
	assert_false(d.lctrl);
	assert_true(d.num_lock);
	assert_string_equal(FEED(&d, TAP(0x2E), TAP(0x4F)), "c1");
	/* twice in a row, then a key */
	assert_string_equal(FEED(&d, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5,
				 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, TAP(0x2E)), "c");
}

static void test_controller_answers_ignored(void **state)
{
	static const u8 answers[] = { 0xFA, 0xFE, 0xAA, 0xEE, 0x00, 0xFF };
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	for (size_t i = 0; i < sizeof(answers); i++) {
		assert_string_equal(FEED(&d, answers[i]), "");
		/* an answer between a prefix and its key ends the prefix */
		assert_string_equal(FEED(&d, TAP(0x1E)), "a");
	}
	assert_string_equal(FEED(&d, 0xE0, 0xFA, 0x48), "8");
	assert_string_equal(FEED(&d, 0xE0, 0x00, 0x48), "8");
	/* the self-test answer 0xAA is also Left Shift's release */
	assert_string_equal(FEED(&d, 0x2A, 0xAA, TAP(0x1E)), "a");
	/* an overrun inside Shift does not lose the Shift */
	assert_string_equal(FEED(&d, 0x2A, 0x00, 0xFF, TAP(0x1E), 0xAA), "A");
}

static void test_never_beyond_max(void **state)
{
	struct kbd_decoder d;
	char out[KBD_DECODE_MAX + 8];

	(void)state;
	/* a key that does not fit gives nothing, never half a sequence */
	kbd_decode_init(&d);
	memset(out, 'Z', sizeof(out));
	assert_int_equal(kbd_decode(&d, 0xE0, out, 3), 0);
	assert_int_equal(kbd_decode(&d, 0x53, out, 3), 0);		/* Delete: 4 bytes */
	assert_int_equal(out[0], 'Z');
	assert_int_equal(kbd_decode(&d, 0xE0, out, 4), 0);
	assert_int_equal(kbd_decode(&d, 0x53, out, 4), 4);
	assert_memory_equal(out, "\x1b[3~", 4);
	assert_int_equal(kbd_decode(&d, 0x1E, out, 0), 0);
	assert_int_equal(kbd_decode(&d, 0x38, out, 1), 0);		/* Alt down */
	assert_int_equal(kbd_decode(&d, 0x1E, out, 1), 0);		/* ESC a: 2 bytes */
	assert_int_equal(kbd_decode(&d, 0x1E, out, 2), 2);
	assert_memory_equal(out, "\x1b" "a", 2);
	/* a modifier still counts when there is no room */
	assert_int_equal(kbd_decode(&d, 0xB8, out, 0), 0);
	assert_int_equal(kbd_decode(&d, 0x2A, out, 0), 0);
	assert_int_equal(kbd_decode(&d, 0x1E, out, 1), 1);
	assert_int_equal(out[0], 'A');

	/* random bytes (garbage, a confused controller) with every max: the
	 * bytes beyond max stay untouched, every output byte is one the
	 * terminal understands (no 0, nothing above 0x7F) */
	srand(15);
	kbd_decode_init(&d);
	for (int i = 0; i < 200000; i++) {
		u8 sc = (u8)(rand() & 0xFF);
		size_t max = (size_t)(rand() % (KBD_DECODE_MAX + 2));
		size_t k;

		memset(out, 'Z', sizeof(out));
		k = kbd_decode(&d, sc, out, max);
		assert_true(k <= max);
		for (size_t j = max; j < sizeof(out); j++)
			assert_int_equal(out[j], 'Z');
		for (size_t j = 0; j < k; j++)
			assert_true(out[j] > 0 && (unsigned char)out[j] <= 0x7F);
	}
	/* every (prefix, byte) pair, every modifier state: at most KBD_DECODE_MAX */
	for (unsigned mods = 0; mods < 64; mods++)
		for (unsigned pre = 0; pre < 3; pre++)
			for (unsigned sc = 0; sc < 256; sc++) {
				char big[64];

				kbd_decode_init(&d);
				d.lshift = mods & 1; d.rctrl = mods & 2; d.lalt = mods & 4;
				d.caps_lock = mods & 8; d.num_lock = mods & 16; d.ralt = mods & 32;
				if (pre == 1)
					kbd_decode(&d, 0xE0, big, sizeof(big));
				if (pre == 2)
					kbd_decode(&d, 0xE1, big, sizeof(big));
				assert_true(kbd_decode(&d, (u8)sc, big, sizeof(big)) <= KBD_DECODE_MAX);
			}
}

/* The typed line the system test types: "version" and Enter. */
static void test_typing_a_command(void **state)
{
	struct kbd_decoder d;

	(void)state;
	kbd_decode_init(&d);
	assert_string_equal(FEED(&d, TAP(0x2F), TAP(0x12), TAP(0x13), TAP(0x1F), TAP(0x17),
				 TAP(0x18), TAP(0x31), TAP(0x1C)), "version\r");
	/* ESC x q, the detach sequence of a bound terminal */
	assert_string_equal(FEED(&d, TAP(0x01), TAP(0x2D), TAP(0x10)), "\x1bxq");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_character_key),
		cmocka_unit_test(test_special_keys),
		cmocka_unit_test(test_caps_lock),
		cmocka_unit_test(test_ctrl),
		cmocka_unit_test(test_alt),
		cmocka_unit_test(test_extended_keys),
		cmocka_unit_test(test_fake_shifts_and_print_screen),
		cmocka_unit_test(test_keypad),
		cmocka_unit_test(test_releases_give_nothing),
		cmocka_unit_test(test_pause_swallowed),
		cmocka_unit_test(test_controller_answers_ignored),
		cmocka_unit_test(test_never_beyond_max),
		cmocka_unit_test(test_typing_a_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
