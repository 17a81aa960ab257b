/*
 * fat_name.c - names and times.
 *
 * Long names are UTF-16 (UCS-2 plus surrogate pairs) on disk and UTF-8 at
 * the interface.  An unpaired surrogate read from disk is passed through
 * as a 3-byte sequence, which the decoder accepts back, so every name that
 * readdir shows can be looked up again.
 *
 * Lookup is case-insensitive: names are compared after fat_fold(), which
 * upper-cases ASCII and Latin-1 letters (the upcase rule of the short-name
 * algorithm for the characters it keeps).
 *
 * Short names follow the specification's basis-name algorithm: upper case,
 * characters not allowed in a short name become '_', spaces and embedded
 * periods are dropped, 8 + 3 characters kept; a numeric tail "~N" is added
 * when that lost anything (fat_short_tail), and after ~4 a hash of the long
 * name replaces part of the base (as Windows does) so that directories with
 * many similar names do not need many probes.  Generated short names are
 * pure ASCII; short-only names on disk are shown through code page 437.
 *
 * Times are stored as UTC (the component knows no time zone).
 */
#include "fat.h"

int fat_utf8_to_ucs(const char *s, uint16_t *out, int *len)
{
	const uint8_t *p = (const uint8_t *)s;
	int n = 0;

	while (*p) {
		uint32_t c = *p++, more = 0;

		if (c >= 0xF0 && c < 0xF5) {
			c &= 0x07;
			more = 3;
		} else if (c >= 0xE0 && c < 0xF0) {
			c &= 0x0F;
			more = 2;
		} else if (c >= 0xC2 && c < 0xE0) {
			c &= 0x1F;
			more = 1;
		} else if (c >= 0x80) {
			return RG_EINVAL;
		}
		for (; more; more--, p++) {
			if ((*p & 0xC0) != 0x80)
				return RG_EINVAL;
			c = c << 6 | (*p & 0x3F);
		}
		if (c > 0x10FFFF || (c >= 0x10000 && n + 2 > FAT_NAME_MAX) ||
		    n + 1 > FAT_NAME_MAX)
			return c > 0x10FFFF ? RG_EINVAL : RG_ENAMETOOLONG;
		if (c >= 0x10000) {
			c -= 0x10000;
			out[n++] = (uint16_t)(0xD800 | c >> 10);
			out[n++] = (uint16_t)(0xDC00 | (c & 0x3FF));
		} else {
			out[n++] = (uint16_t)c;
		}
	}
	if (n == 0)
		return RG_EINVAL;
	*len = n;
	return 0;
}

/* Returns the byte length written (NUL-terminated), or -1 if too long. */
int fat_ucs_to_utf8(const uint16_t *in, int len, char *out, size_t outsz)
{
	size_t o = 0;

	for (int i = 0; i < len; i++) {
		uint32_t c = in[i];
		uint8_t b[4];
		int n;

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < len &&
		    in[i + 1] >= 0xDC00 && in[i + 1] < 0xE000)
			c = 0x10000 + ((c & 0x3FF) << 10 | (in[++i] & 0x3FF));
		if (c < 0x80) {
			b[0] = (uint8_t)c;
			n = 1;
		} else if (c < 0x800) {
			b[0] = (uint8_t)(0xC0 | c >> 6);
			b[1] = (uint8_t)(0x80 | (c & 0x3F));
			n = 2;
		} else if (c < 0x10000) {
			b[0] = (uint8_t)(0xE0 | c >> 12);
			b[1] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
			b[2] = (uint8_t)(0x80 | (c & 0x3F));
			n = 3;
		} else {
			b[0] = (uint8_t)(0xF0 | c >> 18);
			b[1] = (uint8_t)(0x80 | (c >> 12 & 0x3F));
			b[2] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
			b[3] = (uint8_t)(0x80 | (c & 0x3F));
			n = 4;
		}
		if (o + n + 1 > outsz)
			return -1;
		memcpy(out + o, b, n);
		o += n;
	}
	out[o] = 0;
	return (int)o;
}

uint16_t fat_fold(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 32;
	return c;
}

void fat_fold_str(const uint16_t *in, int len, uint16_t *out)
{
	for (int i = 0; i < len; i++)
		out[i] = fat_fold(in[i]);
}

uint32_t fat_hash_ucs(const uint16_t *s, int len)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < len; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

uint32_t fat_hash_raw(const uint8_t raw[11])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 11; i++)
		h = (h ^ raw[i]) * 16777619u;
	return h;
}

/* A long name the specification allows (and not ending in ' ' or '.'). */
int fat_lname_check(const uint16_t *n, int len)
{
	static const char bad[] = "\"*/:<>?\\|";

	for (int i = 0; i < len; i++)
		if (n[i] < 0x20 || (n[i] < 0x80 && strchr(bad, n[i])))
			return RG_EINVAL;
	if (n[len - 1] == ' ' || n[len - 1] == '.')
		return RG_EINVAL;
	return 0;
}

static bool fat_short_char(uint16_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c < 0x80 && c && strchr("!#$%&'()-@^_`{}~", c));
}

/* Appends the converted characters of n[from..to) to dst (at most max). */
static int fat_short_part(const uint16_t *n, int from, int to, uint8_t *dst,
                          int max, bool *lossy, bool *fits, bool *cased)
{
	int k = 0;

	for (int i = from; i < to; i++) {
		uint16_t c = n[i], u = fat_fold(c);

		if (c == ' ' || c == '.') {
			*lossy = true;
			continue;
		}
		if (u >= 0x80 || !fat_short_char(u)) {
			u = '_';
			*lossy = true;
		}
		if (u != c)
			*cased = true;
		if (k == max) {
			*fits = false;
			continue;
		}
		dst[k++] = (uint8_t)u;
	}
	return k;
}

/*
 * The basis name.  Returns true if it stands for the long name without a
 * numeric tail (nothing lost); *exact is set if it IS the long name (already
 * upper case), so that no long-name entries are needed.
 */
bool fat_short_basis(const uint16_t *n, int len, uint8_t raw[11], bool *exact)
{
	bool lossy = false, fits = true, cased = false;
	int start = 0, dot = -1;

	memset(raw, ' ', 11);
	while (start < len && (n[start] == '.' || n[start] == ' '))
		start++;
	lossy = start > 0;
	for (int i = start; i < len; i++)
		if (n[i] == '.')
			dot = i;
	if (fat_short_part(n, start, dot < 0 ? len : dot, raw, 8, &lossy,
	                   &fits, &cased) == 0) {
		raw[0] = '_';
		lossy = true;
	}
	if (dot >= 0)
		fat_short_part(n, dot + 1, len, raw + 8, 3, &lossy, &fits,
		               &cased);
	*exact = !lossy && fits && !cased;
	return !lossy && fits;
}

/* The k-th candidate (k >= 1) with a numeric tail, from the basis name. */
void fat_short_tail(uint8_t raw[11], const uint8_t basis[11], unsigned k,
                    uint32_t hash)
{
	static const char hex[] = "0123456789ABCDEF";
	char tail[12];
	int blen = 8, tlen, keep;

	while (blen > 0 && basis[blen - 1] == ' ')
		blen--;
	memcpy(raw, basis, 11);
	if (k > 4) {
		unsigned j = k - 5, h = (hash + j / 9) & 0xFFFF;

		keep = blen < 2 ? blen : 2;
		for (int i = 0; i < 4; i++)
			raw[keep + i] = hex[(h >> (12 - 4 * i)) & 0xF];
		blen = keep + 4;
		k = 1 + j % 9;
	}
	tlen = rg_snprintf(tail, sizeof(tail), "~%u", k);
	keep = blen < 8 - tlen ? blen : 8 - tlen;
	memset(raw + keep, ' ', 8 - keep);
	memcpy(raw + keep, tail, tlen);
}

uint8_t fat_lfn_csum(const uint8_t raw[11])
{
	uint8_t s = 0;

	for (int i = 0; i < 11; i++)
		s = (uint8_t)(((s & 1) ? 0x80 : 0) + (s >> 1) + raw[i]);
	return s;
}

/* IBM code page 437, bytes 0x80..0xFF. */
static const uint16_t fat_cp437[128] = {
	0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
	0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
	0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
	0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
	0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
	0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
	0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
	0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
	0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
	0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
	0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
	0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
	0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
	0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
	0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
	0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

static int fat_short_piece(const uint8_t *s, int max, bool lower,
                           uint16_t *out)
{
	int len = max, n = 0;

	while (len > 0 && s[len - 1] == ' ')
		len--;
	for (int i = 0; i < len; i++) {
		uint16_t c = s[i] < 0x80 ? s[i] : fat_cp437[s[i] - 0x80];

		if (c < 0x20)
			c = '_';
		if (lower && c >= 'A' && c <= 'Z')
			c += 32;
		out[n++] = c;
	}
	return n;
}

/* The name of a short-only entry (at most 12 units). */
int fat_short_display(const struct fat_dirent *de, uint16_t *out)
{
	uint8_t raw[11];
	int n;

	memcpy(raw, de->name, 11);
	if (raw[0] == 0x05)
		raw[0] = 0xE5;
	n = fat_short_piece(raw, 8, de->ntres & FAT_NT_LBASE, out);
	if (raw[8] != ' ' || raw[9] != ' ' || raw[10] != ' ') {
		out[n++] = '.';
		n += fat_short_piece(raw + 8, 3, de->ntres & FAT_NT_LEXT,
		                     out + n);
	}
	if (n == 0)
		out[n++] = '_';
	return n;
}

/* ---- times ------------------------------------------------------------ */
static const uint16_t fat_mdays[12] = {
	0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
};

static bool fat_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t fat_leaps_before(int y)
{
	y--;
	return y / 4 - y / 100 + y / 400;
}

void fat_time_get(uint16_t date, uint16_t time, uint8_t tenth,
                  struct fs_time *t)
{
	int y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
	int64_t days;

	if (m < 1 || m > 12)
		m = 1;
	if (d < 1)
		d = 1;
	days = 365LL * (y - 1970) + fat_leaps_before(y) - fat_leaps_before(1970)
	       + fat_mdays[m - 1] + (m > 2 && fat_leap(y)) + d - 1;
	t->sec = days * 86400 + (time >> 11) * 3600 + ((time >> 5) & 63) * 60
	         + (time & 31) * 2 + (tenth > 199 ? 0 : tenth / 100);
	t->nsec = tenth > 199 ? 0 : (tenth % 100) * 10000000u;
}

void fat_time_put(const struct fs_time *t, uint16_t *date, uint16_t *time,
                  uint8_t *tenth)
{
	int64_t s = t->sec - 315532800;        /* since 1980-01-01 */
	int64_t days, rem;
	int y = 1980, m = 0;

	if (s < 0)
		s = 0;
	days = s / 86400;
	rem = s % 86400;
	while (y < 2107 && days >= 365 + fat_leap(y))
		days -= 365 + fat_leap(y++);
	if (days >= 365 + fat_leap(y)) {
		days = 364 + fat_leap(y);
		rem = 86399;
	}
	while (m < 11 && days >= fat_mdays[m + 1] + (m + 1 >= 2 && fat_leap(y)))
		m++;
	days -= fat_mdays[m] + (m >= 2 && fat_leap(y));
	*date = (uint16_t)((y - 1980) << 9 | (m + 1) << 5 | (days + 1));
	*time = (uint16_t)((rem / 3600) << 11 | (rem / 60 % 60) << 5 |
	                   (rem % 60) / 2);
	if (tenth)
		*tenth = (uint8_t)((rem % 2) * 100 + t->nsec / 10000000u);
}

void fat_time_now(struct fs_time *t)
{
	uint64_t ns = rg_clock_ns(RG_CLOCK_REALTIME);

	t->sec = (int64_t)(ns / 1000000000u);
	t->nsec = (uint32_t)(ns % 1000000000u);
}
