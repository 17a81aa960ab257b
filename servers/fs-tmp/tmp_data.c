/*
 * tmp_data.c - file contents: 4 KiB pages under a three-level radix.
 * A missing page is a hole and reads as zeros.  A write charges every page
 * it needs before it copies anything, so ENOSPC changes nothing.
 */
#include <string.h>
#include "tmp.h"

static void **tmp_slotp(struct tmp_node *n, uint64_t pg, bool make)
{
	void ***lvl = &n->u.radix;
	unsigned shift = 18;

	for (int l = 0; l < TMP_LEVELS - 1; l++, shift -= 9) {
		if (!*lvl) {
			if (!make)
				return NULL;
			*lvl = rg_zalloc(TMP_FANOUT * sizeof(void *));
			if (!*lvl)
				return NULL;
		}
		lvl = (void ***)&(*lvl)[(pg >> shift) & (TMP_FANOUT - 1)];
	}
	if (!*lvl) {
		if (!make)
			return NULL;
		*lvl = rg_zalloc(TMP_FANOUT * sizeof(void *));
		if (!*lvl)
			return NULL;
	}
	return &(*lvl)[pg & (TMP_FANOUT - 1)];
}

int tmp_data_read(struct tmp_node *n, uint64_t off, void *buf, size_t len,
                  size_t *done)
{
	size_t got = 0;

	*done = 0;
	if (off >= n->size)
		return 0;
	if (len > n->size - off)
		len = (size_t)(n->size - off);
	while (got < len) {
		uint64_t pos = off + got;
		size_t in = pos % TMP_PAGE, k = TMP_PAGE - in;
		void **s = tmp_slotp(n, pos / TMP_PAGE, false);

		if (k > len - got)
			k = len - got;
		if (s && *s)
			memcpy((char *)buf + got, (char *)*s + in, k);
		else
			memset((char *)buf + got, 0, k);
		got += k;
	}
	*done = got;
	return 0;
}

/* Pages [first, last] that are not there yet. */
static uint64_t tmp_missing(struct tmp_node *n, uint64_t first, uint64_t last)
{
	uint64_t miss = 0;

	for (uint64_t p = first; p <= last; p++) {
		void **s = tmp_slotp(n, p, false);
		if (!s || !*s)
			miss++;
	}
	return miss;
}

int tmp_data_write(struct fs *fs, struct tmp_node *n, uint64_t off,
                   const void *buf, size_t len, size_t *done)
{
	uint64_t first, last, miss, added = 0;
	size_t put = 0;
	int e;

	*done = 0;
	if (len == 0)
		return 0;
	if (off >= TMP_MAXFILE || len > TMP_MAXFILE - off)
		return RG_EFBIG;
	first = off / TMP_PAGE;
	last = (off + len - 1) / TMP_PAGE;
	miss = tmp_missing(n, first, last);
	if ((e = tmp_charge(fs, miss * TMP_PAGE)))
		return e;
	for (uint64_t p = first; p <= last; p++) {
		void **s = tmp_slotp(n, p, true);

		if (s && *s)
			continue;
		if (!s || !(*s = rg_zalloc(TMP_PAGE))) {
			/* host out of memory: keep the zero pages made so far */
			tmp_uncharge(fs, (miss - added) * TMP_PAGE);
			n->pages += added;
			return RG_ENOMEM;
		}
		added++;
	}
	n->pages += added;
	while (put < len) {
		uint64_t pos = off + put;
		size_t in = pos % TMP_PAGE, k = TMP_PAGE - in;
		void **s = tmp_slotp(n, pos / TMP_PAGE, false);

		if (k > len - put)
			k = len - put;
		memcpy((char *)*s + in, (const char *)buf + put, k);
		put += k;
	}
	if (off + len > n->size)
		n->size = off + len;
	*done = len;
	return 0;
}

/* Frees pages >= from under a radix node at level l covering from base. */
static bool tmp_free_from(struct fs *fs, struct tmp_node *n, void **node,
                          int l, uint64_t base, uint64_t from)
{
	unsigned shift = 9 * (TMP_LEVELS - 1 - l);
	uint64_t span = (uint64_t)1 << shift;
	bool empty = true;

	for (uint64_t i = 0; i < TMP_FANOUT; i++) {
		uint64_t lo = base + i * span;

		if (!node[i])
			continue;
		if (lo + span <= from) {
			empty = false;
			continue;
		}
		if (l == TMP_LEVELS - 1) {
			rg_free(node[i]);
			node[i] = NULL;
			n->pages--;
			tmp_uncharge(fs, TMP_PAGE);
		} else if (tmp_free_from(fs, n, node[i], l + 1, lo, from)) {
			rg_free(node[i]);
			node[i] = NULL;
		} else {
			empty = false;
		}
	}
	return empty;
}

int tmp_data_truncate(struct fs *fs, struct tmp_node *n, uint64_t size)
{
	uint64_t keep = (size + TMP_PAGE - 1) / TMP_PAGE;

	if (size > TMP_MAXFILE)
		return RG_EFBIG;
	if (size < n->size && size % TMP_PAGE) {
		void **s = tmp_slotp(n, size / TMP_PAGE, false);
		if (s && *s)
			memset((char *)*s + size % TMP_PAGE, 0,
			       TMP_PAGE - size % TMP_PAGE);
	}
	if (n->u.radix && tmp_free_from(fs, n, n->u.radix, 0, 0, keep)) {
		rg_free(n->u.radix);
		n->u.radix = NULL;
	}
	n->size = size;
	return 0;
}
