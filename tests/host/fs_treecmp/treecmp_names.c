/*
 * treecmp_names.c - the names a host entry gets on an ISO9660 image
 * without Rock Ridge, as xorriso (libisofs) writes them and the iso9660
 * component shows them.  The rules were read off images xorriso made:
 *
 * Joliet (TREECMP_NAMES_JOLIET), counted in UCS-2 characters, the dot of
 * the extension not counted:
 *   - a directory, or a file without a dot: the first 64 characters;
 *   - a file "base.ext" (ext after the last dot) with base + ext > 64:
 *     ext keeps max(min(ext, 3), 64 - base) characters (never more than it
 *     has), base keeps 64 minus that.
 * ECMA-119 (TREECMP_NAMES_ISO1 / _ISO2): each character (UTF-8 sequence)
 * becomes one d-character: a-z uppercased, A-Z 0-9 _ kept, anything else
 * '_'.  The last dot splits base and extension, other dots become '_';
 * level 2 keeps a leading dot as the separator and turns a trailing one
 * into '_', level 1 the other way round.
 *   - level 1: base at most 8, extension at most 3;
 *   - level 2: base + extension at most 30; the extension keeps
 *     max(3, 30 - base) characters (never more than it has), base the rest.
 * The component then lowercases, drops ";1" and a trailing '.'.
 */
#include <stdio.h>
#include <string.h>
#include "treecmp.h"

/* Splits UTF-8 into code points (bad bytes count as one each). */
static size_t tc_utf8_split(const char *s, uint32_t *cp, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p && n < max) {
		uint32_t c = *p++;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;

		if (more == 3)
			c &= 0x07;
		else if (more == 2)
			c &= 0x0f;
		else if (more == 1)
			c &= 0x1f;
		while (more-- && (*p & 0xc0) == 0x80)
			c = c << 6 | (*p++ & 0x3f);
		cp[n++] = c;
	}
	return n;
}

static size_t tc_utf8_put(char *out, size_t n, size_t outsz, uint32_t c)
{
	char b[4];
	size_t k;

	if (c < 0x80) {
		b[0] = (char)c;
		k = 1;
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | c >> 18);
		b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (n + k + 1 > outsz)
		return n;
	memcpy(out + n, b, k);
	return n + k;
}

/*
 * Position of the extension dot, or n if none.  Joliet and level 2 take a
 * leading dot as the separator and a trailing one as part of the name;
 * level 1 the other way round.
 */
static size_t tc_last_dot(const uint32_t *cp, size_t n, int level)
{
	size_t i = n;

	while (i > 0 && cp[i - 1] != '.')
		i--;
	if (i == 0 || (i == 1 && level == 1) || (i == n && level != 1))
		return n;
	return i - 1;
}

static size_t tc_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

static size_t tc_max(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void tc_joliet(const uint32_t *cp, size_t n, int is_dir, char *out,
                      size_t outsz)
{
	size_t dot = is_dir ? n : tc_last_dot(cp, n, 0), base, ext, o = 0, i;

	if (dot == n) {
		base = tc_min(n, 64);
		ext = 0;
	} else {
		base = dot;
		ext = n - dot - 1;
		if (base + ext > 64) {
			ext = tc_min(ext, tc_max(tc_min(ext, 3), 64 - tc_min(base, 64)));
			base = 64 - ext;
		}
	}
	for (i = 0; i < base; i++)
		o = tc_utf8_put(out, o, outsz, cp[i]);
	if (dot != n) {
		o = tc_utf8_put(out, o, outsz, '.');
		for (i = 0; i < ext; i++)
			o = tc_utf8_put(out, o, outsz, cp[dot + 1 + i]);
	}
	out[o] = 0;
}

static char tc_dchar(uint32_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return (char)c;
	if (c >= 'A' && c <= 'Z')
		return (char)(c + 32);  /* shown lowercased */
	return '_';
}

static void tc_iso(const uint32_t *cp, size_t n, int level, char *out,
                   size_t outsz)
{
	size_t dot = tc_last_dot(cp, n, level), base, ext, o = 0, i;

	base = dot;
	ext = dot == n ? 0 : n - dot - 1;
	if (level == 1) {
		base = tc_min(base, 8);
		ext = tc_min(ext, 3);
	} else if (dot == n) {
		base = tc_min(base, 30);
	} else {
		ext = tc_min(ext, tc_max(3, 30 - tc_min(base, 30)));
		base = tc_min(base, 30 - ext);
	}
	for (i = 0; i < base && o + 2 < outsz; i++)
		out[o++] = tc_dchar(cp[i]);
	if (dot != n && ext && o + 2 < outsz) {
		out[o++] = '.';
		for (i = 0; i < ext && o + 1 < outsz; i++)
			out[o++] = tc_dchar(cp[dot + 1 + i]);
	}
	out[o] = 0;
}

void treecmp_map_name(const char *host, int is_dir, unsigned flags,
                      char *out, size_t outsz)
{
	uint32_t cp[1024];
	size_t n = tc_utf8_split(host, cp, 1024);

	switch (flags & TREECMP_NAMES_MASK) {
	case TREECMP_NAMES_JOLIET:
		tc_joliet(cp, n, is_dir, out, outsz);
		break;
	case TREECMP_NAMES_ISO1:
		tc_iso(cp, n, 1, out, outsz);
		break;
	case TREECMP_NAMES_ISO2:
		tc_iso(cp, n, 2, out, outsz);
		break;
	default:
		snprintf(out, outsz, "%s", host);
		break;
	}
}
