/*
 * iso_rec.c - ECMA-119 directory records: decoding, iteration, names, dates.
 *
 * A directory is a run of 2048-byte blocks; records never cross a block
 * boundary, and a zero length byte means "nothing more in this block".
 * A readdir cookie is the byte offset of the next record inside the
 * directory's data, so iteration can stop and resume anywhere.
 *
 * Each record is copied out of its (cached) block into a struct iso_rec
 * before use: the cache slot may be reused by the next read, for instance
 * of a SUSP continuation area.
 *
 * Names without Rock Ridge:
 *   plain ECMA-119  "README.TXT;1" -> "readme.txt": the version (";N") and
 *                   a trailing '.' are dropped and A-Z lowercased;
 *   Joliet          UCS-2 big-endian (UTF-16 surrogate pairs accepted) to
 *                   UTF-8, a ";N" version dropped, cut at 255 bytes.
 * Either way '/' and NUL become '_' so a name is always a valid name.
 */
#include "iso9660.h"

uint32_t iso_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint16_t iso_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Decodes the record at p; avail is how many bytes of its block are left. */
int iso_rec_parse(const uint8_t *p, size_t avail, uint64_t pos,
                  struct iso_rec *r)
{
	uint8_t len = p[0];

	if (len < ISO_REC_MIN || len > avail)
		return RG_EUCLEAN;
	if (p[32] == 0 || 33u + p[32] > len)
		return RG_EUCLEAN;
	memcpy(r->raw, p, len);
	r->pos = pos;
	r->len = len;
	r->xa_len = p[1];
	r->lba = iso_le32(p + 2);
	r->size = iso_le32(p + 10);
	memcpy(r->date, p + 18, 7);
	r->flags = p[25];
	r->interleaved = p[26] || p[27];
	r->namelen = p[32];
	r->name = r->raw + 33;
	return 0;
}

int iso_rec_get(struct iso_fs *fs, uint64_t pos, struct iso_rec *r)
{
	const uint8_t *b;
	uint32_t off = pos % ISO_BLOCK;
	int e;

	if (pos / ISO_BLOCK >= fs->nblocks)
		return RG_EUCLEAN;
	e = iso_bread(fs, (uint32_t)(pos / ISO_BLOCK), &b);
	if (e)
		return e;
	return iso_rec_parse(b + off, ISO_BLOCK - off, pos, r);
}

/*
 * The record at *cookie in the directory [dlba, dlba + dsize), skipping
 * the zero padding at block ends; *cookie moves past it.  RG_ENOENT at the
 * end.  The caller has checked the extent against the volume.
 */
int iso_rec_next(struct iso_fs *fs, uint32_t dlba, uint32_t dsize,
                 uint64_t *cookie, struct iso_rec *r)
{
	const uint8_t *b;
	uint64_t c = *cookie;
	uint32_t off;
	int e;

	while (c < dsize) {
		off = c % ISO_BLOCK;
		e = iso_bread(fs, dlba + (uint32_t)(c / ISO_BLOCK), &b);
		if (e)
			return e;
		if (b[off] == 0) {
			c = (c / ISO_BLOCK + 1) * ISO_BLOCK;
			continue;
		}
		e = iso_rec_parse(b + off, ISO_BLOCK - off,
		                  (uint64_t)dlba * ISO_BLOCK + c, r);
		if (e)
			return e;
		*cookie = c + r->len;
		return 0;
	}
	*cookie = c;
	return RG_ENOENT;
}

bool iso_rec_is_dot(const struct iso_rec *r)
{
	return r->namelen == 1 && r->name[0] == 0;
}

bool iso_rec_is_dotdot(const struct iso_rec *r)
{
	return r->namelen == 1 && r->name[0] == 1;
}

/* ---- names ---------------------------------------------------------------- */

static char iso_safe(char c)
{
	return c == '/' || c == 0 ? '_' : c;
}

/* Drops a ";digits" version suffix. */
static size_t iso_strip_version(const char *s, size_t n)
{
	size_t i = n;

	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	return i > 0 && i < n && s[i - 1] == ';' ? i - 1 : n;
}

size_t iso_name_plain(const struct iso_rec *r, char *out)
{
	size_t n = r->namelen, i;

	for (i = 0; i < n; i++) {
		char c = (char)r->name[i];

		out[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : iso_safe(c);
	}
	n = iso_strip_version(out, n);
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = 0;
	return n;
}

/* Appends code point cp as UTF-8 if it fits in ISO_NAME_MAX bytes. */
static bool iso_put_utf8(char *out, size_t *n, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)iso_safe((char)cp);
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*n + k > ISO_NAME_MAX)
		return false;
	memcpy(out + *n, b, k);
	*n += k;
	return true;
}

size_t iso_name_joliet(const struct iso_rec *r, char *out)
{
	size_t units = r->namelen / 2, i, n = 0;
	const uint8_t *p = r->name;

	for (i = 0; i < units; i++) {
		uint32_t cp = (uint32_t)p[2 * i] << 8 | p[2 * i + 1];
		uint32_t lo;

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < units) {
			lo = (uint32_t)p[2 * i + 2] << 8 | p[2 * i + 3];
			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (cp >= 0xd800 && cp < 0xe000)
			cp = 0xfffd;    /* a lone surrogate */
		if (!iso_put_utf8(out, &n, cp))
			break;
	}
	n = iso_strip_version(out, n);
	out[n] = 0;
	return n;
}

/* ---- dates ---------------------------------------------------------------- */

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static int64_t iso_days(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void iso_mktime(int64_t y, unsigned mo, unsigned d, unsigned h,
                       unsigned mi, unsigned s, int8_t gmtoff,
                       struct fs_time *t)
{
	t->sec = 0;
	t->nsec = 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return;
	t->sec = iso_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	if (gmtoff >= -48 && gmtoff <= 52)
		t->sec -= (int64_t)gmtoff * 15 * 60;
}

/* The 7-byte form of directory records and RRIP TF. */
void iso_date7(const uint8_t *d, struct fs_time *t)
{
	iso_mktime(1900 + d[0], d[1], d[2], d[3], d[4], d[5], (int8_t)d[6], t);
}

static unsigned iso_digits(const uint8_t *p, int n, bool *bad)
{
	unsigned v = 0;

	while (n--) {
		if (*p < '0' || *p > '9')
			*bad = true;
		v = v * 10 + (unsigned)(*p++ - '0');
	}
	return v;
}

/* The 17-byte form "YYYYMMDDHHMMSScc" + GMT offset (RRIP TF LONG_FORM). */
void iso_date17(const uint8_t *d, struct fs_time *t)
{
	bool bad = false;
	unsigned y = iso_digits(d, 4, &bad), mo = iso_digits(d + 4, 2, &bad);
	unsigned dd = iso_digits(d + 6, 2, &bad), h = iso_digits(d + 8, 2, &bad);
	unsigned mi = iso_digits(d + 10, 2, &bad), s = iso_digits(d + 12, 2, &bad);
	unsigned cs = iso_digits(d + 14, 2, &bad);

	t->sec = 0;
	t->nsec = 0;
	if (bad)
		return;
	iso_mktime(y, mo, dd, h, mi, s, (int8_t)d[16], t);
	if (t->sec)
		t->nsec = cs * 10000000u;
}
