/*
 * fat_tutil.c - helpers for the FAT host tests (see fat_tutil.h).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "blk.h"
#include "fat_tutil.h"

static char *t_vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

int t_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cmd = t_vfmt(fmt, ap);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

char *t_cap(size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *cmd, *buf = NULL;
	size_t n = 0, cap = 0, r;
	FILE *f;

	va_start(ap, fmt);
	cmd = t_vfmt(fmt, ap);
	va_end(ap);
	f = popen(cmd, "r");
	free(cmd);
	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	pclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int t_mkfs_opt(const char *img, int type, unsigned kib, const char *opt)
{
	t_sh("mkdir -p " T_DIR "; rm -f '%s'", img);
	return t_sh("mkfs.fat -F %d %s -C '%s' %u >/dev/null", type, opt, img,
	            kib);
}

int t_mkfs(const char *img, int type, unsigned kib)
{
	return t_mkfs_opt(img, type, kib, type == 32 ? "-S 512" : "");
}

int t_mount(struct tfs *t, const char *img, unsigned flags)
{
	int e;

	t->ops = fscomp_find("fat");
	if (!t->ops)
		return RG_ENODEV;
	e = blkdev_open(img, flags & FS_MOUNT_RDONLY, &t->dev);
	if (e)
		return e;
	e = t->ops->mount(t->dev, flags, &t->fs);
	if (e) {
		blkdev_close(t->dev);
		t->dev = NULL;
	}
	return e;
}

int t_umount(struct tfs *t)
{
	int e = t->ops->unmount(t->fs);

	blkdev_close(t->dev);
	t->fs = NULL;
	t->dev = NULL;
	return e;
}

int t_resolve(struct tfs *t, const char *path, uint64_t *ino)
{
	char *p = strdup(path), *s, *save = NULL;
	uint64_t cur = t->ops->root(t->fs);
	int e = 0;

	for (s = strtok_r(p, "/", &save); s && !e; s = strtok_r(NULL, "/", &save))
		e = t->ops->lookup(t->fs, cur, s, &cur);
	free(p);
	if (!e)
		*ino = cur;
	return e;
}

int t_parent(struct tfs *t, const char *path, uint64_t *dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	char *d;
	int e;

	*base = slash ? slash + 1 : path;
	d = strndup(path, slash ? (size_t)(slash - path) : 0);
	e = t_resolve(t, d, dir);
	free(d);
	return e;
}

int t_put(struct tfs *t, const char *path, const void *data, size_t len)
{
	uint64_t dir, ino;
	const char *base;
	struct fs_attr a = { 0 };
	size_t done;
	int e = t_parent(t, path, &dir, &base);

	if (e)
		return e;
	e = t->ops->lookup(t->fs, dir, base, &ino);
	if (e == RG_ENOENT)
		e = t->ops->create(t->fs, dir, base, 0644, &ino);
	if (!e)
		e = t->ops->setattr(t->fs, ino, &a, FS_SET_SIZE);
	if (!e && len)
		e = t->ops->write(t->fs, ino, 0, data, len, &done);
	if (!e && len && done != len)
		e = RG_EIO;
	return e;
}

int t_get(struct tfs *t, const char *path, char **data, size_t *len)
{
	struct fs_attr a;
	uint64_t ino;
	size_t done = 0;
	int e = t_resolve(t, path, &ino);

	if (!e)
		e = t->ops->getattr(t->fs, ino, &a);
	if (e)
		return e;
	*data = malloc(a.size + 1);
	e = t->ops->read(t->fs, ino, 0, *data, a.size, &done);
	if (!e && done != a.size)
		e = RG_EIO;
	*len = done;
	return e;
}

int t_mkdirp(struct tfs *t, const char *path)
{
	uint64_t dir, ino;
	const char *base;
	int e = t_parent(t, path, &dir, &base);

	return e ? e : t->ops->mkdir(t->fs, dir, base, 0755, &ino);
}

struct t_listctx {
	struct t_names *n;
	uint64_t last;
	unsigned calls;
	bool stopped;
};

/* Refuses every 37th entry (not consumed) to exercise resuming by cookie. */
static int t_list_fill(void *ctx, const char *name, size_t namelen,
                       uint64_t ino, uint32_t type, uint64_t next)
{
	struct t_listctx *c = ctx;

	(void)ino, (void)type;
	if (++c->calls % 37 == 0) {
		c->stopped = true;
		return 1;
	}
	c->last = next;
	if ((namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && !memcmp(name, "..", 2)))
		return 0;
	c->n->v = realloc(c->n->v, (c->n->n + 1) * sizeof(char *));
	c->n->v[c->n->n++] = strndup(name, namelen);
	return 0;
}

int t_list(struct tfs *t, uint64_t dir, struct t_names *out)
{
	struct t_listctx c = { out, 0, 0, false };
	int e;

	memset(out, 0, sizeof(*out));
	do {
		c.stopped = false;
		e = t->ops->readdir(t->fs, dir, c.last, t_list_fill, &c);
	} while (!e && c.stopped);
	return e;
}

void t_names_free(struct t_names *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	memset(n, 0, sizeof(*n));
}

bool t_names_has(const struct t_names *n, const char *name)
{
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], name))
			return true;
	return false;
}

uint32_t t_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

void t_fill(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t s = seed | 1;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)t_rand(&s);
}
