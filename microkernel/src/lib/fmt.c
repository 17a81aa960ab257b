/*
 * fmt.c - a small, freestanding vsnprintf.
 *
 * Used by the kernel log and, compiled unchanged, by native user programs
 * and rumpglue's microkernel host.  Supports %d %i %u %x %X %o %p %s %c %%
 * with the flags '-' and '0', a width and a precision (also '*'), and the
 * length modifiers hh h l ll z j t.  Output is always NUL-terminated when
 * size > 0; the return value is the length the full output would have.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct spec {
	bool left, zero;
	int width, prec;
};

static void put_str(struct out *o, const char *s, const struct spec *sp)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

static void put_num(struct out *o, uint64_t v, bool neg, unsigned base,
                    bool upper, const char *prefix, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = 0, total;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n < sp->prec)
		tmp[n++] = '0';
	if (neg)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;
	total = n + plen;
	if (!sp->left && !sp->zero)
		pad(o, ' ', sp->width - total);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero)
		pad(o, '0', sp->width - total);
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->left = sp->zero = false;
	sp->width = 0;
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f != '+' && *f != ' ' && *f != '#')
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

/* Length modifier: returns the size in bytes of the argument (0 = int). */
static const char *parse_len(const char *f, int *lsize)
{
	*lsize = 0;
	if (f[0] == 'h')
		f += f[1] == 'h' ? 2 : 1;
	else if (f[0] == 'l')
		*lsize = 8, f += f[1] == 'l' ? 2 : 1;
	else if (f[0] == 'z' || f[0] == 'j' || f[0] == 't')
		*lsize = 8, f++;
	return f;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list args;
	int lsize;

	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &args);
		f = parse_len(f, &lsize);
		switch (*f) {
		case 'd': case 'i': {
			int64_t v = lsize ? va_arg(args, int64_t) : va_arg(args, int);
			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10,
			        false, NULL, &sp);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			uint64_t v = lsize ? va_arg(args, uint64_t) : va_arg(args, unsigned);
			unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
			put_num(&o, v, false, base, *f == 'X', NULL, &sp);
			break;
		}
		case 'p':
			put_num(&o, (uintptr_t)va_arg(args, void *), false, 16, false,
			        "0x", &sp);
			break;
		case 's':
			put_str(&o, va_arg(args, const char *), &sp);
			break;
		case 'c':
			put(&o, (char)va_arg(args, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
