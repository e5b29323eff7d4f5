/*
 * kernel/vsprintf.c - vmm_vsnprintf(): the printf formatting engine.
 *
 * Supports flags "-0+ #", width and precision (numbers or *), length
 * modifiers hh h l ll z t j, and conversions d i u x X o p s c %. Output is
 * always NUL-terminated when size > 0; the return value is the length the
 * full output would have had, as C99 says.
 */
#include <string.h>
#include "kernel/printk.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

static void put_number(struct out *o, unsigned long long v, bool negative,
		       unsigned int base, bool upper, int flags, int width,
		       int precision)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, prefix_len = 0, zeros, spaces;
	char prefix[3];
	bool zero = v == 0;

	if (zero && precision == 0) {
		n = 0;
	} else {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (negative)
		prefix[prefix_len++] = '-';
	else if (flags & F_PLUS)
		prefix[prefix_len++] = '+';
	else if (flags & F_SPACE)
		prefix[prefix_len++] = ' ';
	if ((flags & F_ALT) && base == 16 && !zero) {	/* C99: 0x only for nonzero */
		prefix[prefix_len++] = '0';
		prefix[prefix_len++] = upper ? 'X' : 'x';
	} else if ((flags & F_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0')) {
		tmp[n++] = '0';
	}

	zeros = precision > n ? precision - n : 0;
	spaces = width - prefix_len - n - zeros;
	if (precision < 0 && (flags & F_ZERO) && !(flags & F_LEFT)) {
		zeros += spaces > 0 ? spaces : 0;
		spaces = 0;
	}
	if (!(flags & F_LEFT))
		pad(o, ' ', spaces);
	for (int i = 0; i < prefix_len; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', spaces);
}

int vmm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int flags = 0, width = 0, precision = -1, lng = 0;
		unsigned long long uv;
		long long sv;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					precision = precision * 10 + (*fmt++ - '0');
			}
		}
		/* length: -2 hh, -1 h, 0 int, 1 long, 2 long long */
		if (*fmt == 'h') {
			lng = -1;
			if (*++fmt == 'h') {
				lng = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			lng = 1;
			if (*++fmt == 'l') {
				lng = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
			lng = 2;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng == 2)
				sv = va_arg(ap, long long);
			else if (lng == 1)
				sv = va_arg(ap, long);
			else
				sv = va_arg(ap, int);
			if (lng == -1)
				sv = (short)sv;
			else if (lng == -2)
				sv = (signed char)sv;
			uv = sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			put_number(&o, uv, sv < 0, 10, false, flags, width, precision);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2)
				uv = va_arg(ap, unsigned long long);
			else if (lng == 1)
				uv = va_arg(ap, unsigned long);
			else
				uv = va_arg(ap, unsigned int);
			if (lng == -1)
				uv = (unsigned short)uv;
			else if (lng == -2)
				uv = (unsigned char)uv;
			put_number(&o, uv, false,
				   *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
				   *fmt == 'X', flags & ~(F_PLUS | F_SPACE),
				   width, precision);
			break;
		case 'p':
			uv = (unsigned long long)(uintptr_t)va_arg(ap, void *);
			put(&o, '0');	/* always 0x and 16 digits, even for NULL */
			put(&o, 'x');
			put_number(&o, uv, false, 16, false, F_ZERO, 16, -1);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			put(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len;

			if (!s)
				s = "(null)";
			len = (int)(precision >= 0 ? strnlen(s, precision) : strlen(s));
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - len);
			for (int i = 0; i < len; i++)
				put(&o, s[i]);
			if (flags & F_LEFT)
				pad(&o, ' ', width - len);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			/* unknown conversion: print it as written */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int vmm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vmm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
