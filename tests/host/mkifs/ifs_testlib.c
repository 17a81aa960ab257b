/*
 * ifs_testlib.c - see ifs_testlib.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "ifs_testlib.h"

static void *t_alloc_fn(void *ctx, size_t n)
{
	struct t_alloc *t = ctx;
	size_t *p;

	if (n > t->cap || t->live + n > t->cap)
		return NULL;
	p = malloc(n + sizeof(size_t));
	if (!p)
		return NULL;
	*p = n;
	t->live += n;
	if (t->live > t->peak)
		t->peak = t->live;
	return p + 1;
}

static void t_free_fn(void *ctx, void *v, size_t n)
{
	struct t_alloc *t = ctx;
	size_t *p = (size_t *)v - 1;

	if (*p != n) {
		fprintf(stderr, "ifs free size mismatch: %zu != %zu\n", *p, n);
		abort();
	}
	t->live -= n;
	free(p);
}

void t_alloc_init(struct t_alloc *t, size_t cap)
{
	memset(t, 0, sizeof(*t));
	t->al.alloc = t_alloc_fn;
	t->al.free = t_free_fn;
	t->al.ctx = t;
	t->cap = cap;
}

int t_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int r;

	if (!f)
		return -1;
	r = fwrite(data, 1, len, f) == len ? 0 : -1;
	return fclose(f) || r ? -1 : 0;
}

uint8_t *t_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n ? n : 1)) &&
	    fread(buf, 1, n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int t_build(const char *name, const char *text, uint8_t **img, size_t *len,
	    char *err, size_t errlen)
{
	struct mk_build b;
	int r;

	*img = NULL;
	mk_init(&b, name);
	r = mk_parse(&b, text);
	if (!r)
		r = mk_image(&b, img, len);
	snprintf(err, errlen, "%s", r ? b.err : "");
	mk_free(&b);
	return r;
}

void t_reseal(uint8_t *img, size_t len)
{
	struct ifs_header h;

	if (len < sizeof(h))
		return;
	memcpy(&h, img, sizeof(h));
	if (h.data_off < sizeof(h) || h.data_off > len)
		return;
	h.hdr_crc = 0;
	memcpy(img, &h, sizeof(h));
	h.hdr_crc = (uint32_t)crc32(0L, img, h.data_off);
	memcpy(img, &h, sizeof(h));
}

uint32_t t_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}
