/*
 * tests/guests/lib/tlib.c - the freestanding library of C test guests
 * (tlib.h). No 64-bit division (no libgcc on the 32-bit side): 64-bit
 * values print in hex only.
 */
#include "tlib.h"

int t_failures;

#define LSR 5
#define LSR_THRE 0x20

void t_putc(char c)
{
	/* wait for room, bounded: a UART that never says so is written anyway */
	for (int i = 0; i < 100000 && !(inb(T_COM1 + LSR) & LSR_THRE); i++)
		;
	outb(T_COM1, (u8)c);
}

void t_puts(const char *s)
{
	while (*s)
		t_putc(*s++);
}

size_t t_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int t_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int t_memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

/* Print v in base 10 or 16 (64-bit values: base 16 only), padded to width. */
static int put_num(u64 v, unsigned base, int width, char pad, int neg)
{
	char buf[24];
	int n = 0, out = 0;

	do {
		unsigned d = base == 16 ? (unsigned)(v & 15) : (unsigned)((u32)v % 10);

		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v = base == 16 ? v >> 4 : (u32)v / 10;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n) {
		t_putc(pad);
		out++;
	}
	while (n) {
		t_putc(buf[--n]);
		out++;
	}
	return out;
}

int t_vprintf(const char *fmt, va_list ap)
{
	int out = 0;

	for (; *fmt; fmt++) {
		int width = 0, longs = 0;
		char pad = ' ';

		if (*fmt != '%') {
			t_putc(*fmt);
			out++;
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			t_puts(s ? s : "(null)");
			out += (int)t_strlen(s ? s : "(null)");
			break;
		}
		case 'c':
			t_putc((char)va_arg(ap, int));
			out++;
			break;
		case 'd': {
			int v = va_arg(ap, int);

			out += put_num(v < 0 ? (u32)-(unsigned)v : (u32)v, 10, width, pad, v < 0);
			break;
		}
		case 'u':
			out += put_num(va_arg(ap, unsigned), 10, width, pad, 0);
			break;
		case 'x':
			out += put_num(longs >= 2 ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width,
				       pad, 0);
			break;
		case 'p':
			t_puts("0x");
			out += 2 + put_num((u32)(uintptr_t)va_arg(ap, void *), 16, 8, '0', 0);
			break;
		case '%':
			t_putc('%');
			out++;
			break;
		default:
			t_putc('?');
			out++;
			if (!*fmt)
				return out;
		}
	}
	return out;
}

int t_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = t_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void t_pass(const char *name)
{
	t_printf("PASS %s\n", name);
}

static void vfail(const char *name, const char *fmt, va_list ap)
{
	t_printf("FAIL %s: ", name);
	t_vprintf(fmt, ap);
	t_putc('\n');
	t_failures++;
}

void t_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

int t_check(int cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		t_pass(name);
		return 1;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
	return 0;
}

void t_exit(u32 status)
{
	outb(T_DEBUG_EXIT_PORT, (u8)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

const struct mb_mmap_entry *mb_mmap_next(const struct mb_info *info, const struct mb_mmap_entry *e)
{
	u32 start = info->mmap_addr, end = info->mmap_addr + info->mmap_length;
	u32 next = e ? (u32)(uintptr_t)e + e->size + 4 : start;

	if (next < start || next + sizeof(*e) > end)
		return NULL;
	return (const struct mb_mmap_entry *)(uintptr_t)next;
}

/* The command line's next word starting at *p: its start, its length in *n. */
static const char *next_word(const char **p, size_t *n)
{
	const char *s = *p;

	while (*s == ' ')
		s++;
	*n = 0;
	while (s[*n] && s[*n] != ' ')
		(*n)++;
	*p = s + *n;
	return *n ? s : NULL;
}

int t_cmdline_has(const struct mb_info *info, const char *w)
{
	const char *p, *s;
	size_t n, wl = t_strlen(w);

	if (!(info->flags & MB_INFO_CMDLINE) || !info->cmdline)
		return 0;
	p = (const char *)(uintptr_t)info->cmdline;
	while ((s = next_word(&p, &n)))
		if (n == wl && !t_memcmp(s, w, n))
			return 1;
	return 0;
}

u32 t_cmdline_uint(const struct mb_info *info, const char *key, u32 def)
{
	const char *p, *s;
	size_t n, kl = t_strlen(key);

	if (!(info->flags & MB_INFO_CMDLINE) || !info->cmdline)
		return def;
	p = (const char *)(uintptr_t)info->cmdline;
	while ((s = next_word(&p, &n))) {
		u32 v = 0;

		if (n <= kl || t_memcmp(s, key, kl))
			continue;
		for (size_t i = kl; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			v = v * 10 + (u32)(s[i] - '0');
		return v;
	}
	return def;
}
