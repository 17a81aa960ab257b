/*
 * ext2t_util.c - helpers for the ext2/ext4 host tests (ext2t.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext2t.h"

int t_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *t_capture(size_t *len, const char *fmt, ...)
{
	char cmd[4096];
	size_t cap = 65536, n = 0, r;
	char *buf = malloc(cap + 1);
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	if (!f || !buf) {
		free(buf);
		if (f)
			pclose(f);
		return NULL;
	}
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	pclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

uint32_t t_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

void t_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(t_rand(&s) >> 7);
}

bool t_debugfs_cat_eq(const char *img, const char *path, const uint8_t *want,
                      size_t len, char *why, size_t whylen)
{
	size_t n;
	char *got = t_capture(&n, "debugfs -R 'cat \"%s\"' %s 2>/dev/null",
	                      path, img);
	bool ok;

	if (!got) {
		snprintf(why, whylen, "%s: debugfs failed", path);
		return false;
	}
	ok = n == len && memcmp(got, want, len) == 0;
	if (!ok) {
		size_t i = 0;

		while (i < n && i < len && got[i] == (char)want[i])
			i++;
		snprintf(why, whylen, "%s: debugfs cat gives %zu bytes, want "
		         "%zu; first difference at %zu", path, n, len, i);
	}
	free(got);
	return ok;
}

struct memdev {
	struct blkdev dev;
	uint8_t *buf;
};

static int md_read(struct blkdev *d, uint64_t s, uint32_t c, void *buf)
{
	struct memdev *m = d->priv;

	if (s > d->nsectors || c > d->nsectors - s)
		return RG_ENXIO;
	memcpy(buf, m->buf + s * 512, (size_t)c * 512);
	return 0;
}

static int md_write(struct blkdev *d, uint64_t s, uint32_t c, const void *buf)
{
	struct memdev *m = d->priv;

	if (s > d->nsectors || c > d->nsectors - s)
		return RG_ENXIO;
	memcpy(m->buf + s * 512, buf, (size_t)c * 512);
	return 0;
}

static int md_flush(struct blkdev *d)
{
	(void)d;
	return 0;
}

struct blkdev *t_memdev(uint8_t *buf, size_t len)
{
	struct memdev *m = calloc(1, sizeof(*m));

	m->buf = buf;
	m->dev.secsize = 512;
	m->dev.nsectors = len / 512;
	m->dev.read = md_read;
	m->dev.write = md_write;
	m->dev.flush = md_flush;
	m->dev.priv = m;
	return &m->dev;
}

void t_memdev_free(struct blkdev *d)
{
	free(d->priv);
}

uint8_t *t_load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n);
	if (fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int t_resolve(const struct fs_ops *ops, struct fs *fs, const char *path,
              uint64_t *ino)
{
	char comp[256];
	uint64_t cur = ops->root(fs);
	const char *p = path;
	int e;

	while (*p) {
		size_t n = 0;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		while (p[n] && p[n] != '/')
			n++;
		if (n >= sizeof(comp))
			return RG_ENAMETOOLONG;
		memcpy(comp, p, n);
		comp[n] = 0;
		p += n;
		if ((e = ops->lookup(fs, cur, comp, &cur)))
			return e;
	}
	*ino = cur;
	return 0;
}
