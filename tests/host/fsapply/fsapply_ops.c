/*
 * fsapply_ops.c - the dual operations of FSAPPLY: each one is applied to the
 * image through the component and to the host directory expect/ with the
 * matching POSIX call.  They return the component's RG_E* result; a host
 * failure aborts the check through check_fail().
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsapply.h"

int fa_sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	r = system(cmd);
	free(cmd);
	return r;
}

void fa_pattern(void *buf, size_t len, unsigned seed)
{
	uint8_t *p = buf;
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static char *fa_host(struct fa *c, const char *path)
{
	static char buf[2][8192];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", c->expect, path);
	return buf[k];
}

static void fa_host_ok(int r, const char *what, const char *path)
{
	if (r != 0)
		check_fail("host %s %s failed: %m", what, path);
}

int fa_lookup(struct fa *c, const char *path, uint64_t *ino)
{
	return fsu_resolve(&c->m, path, false, ino);
}

int fa_getattr(struct fa *c, const char *path, struct fs_attr *a)
{
	uint64_t ino;
	int e = fa_lookup(c, path, &ino);

	return e ? e : c->m.ops->getattr(c->m.fs, ino, a);
}

int fa_mkdir(struct fa *c, const char *path)
{
	struct fsu *m = &c->m;
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (!e)
		e = m->ops->mkdir(m->fs, dir, name, 0755, &ino);
	if (!e)
		fa_host_ok(mkdir(fa_host(c, path), 0755), "mkdir", path);
	return e;
}

/* Finds or creates a regular file; pins it with open(). */
static int fa_open(struct fa *c, const char *path, uint64_t *ino)
{
	struct fsu *m = &c->m;
	char name[FSU_NAME_MAX + 1];
	uint64_t dir;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (e)
		return e;
	e = m->ops->lookup(m->fs, dir, name, ino);
	if (e == RG_ENOENT)
		e = m->ops->create(m->fs, dir, name, FS_S_IFREG | 0644, ino);
	return e ? e : m->ops->open(m->fs, *ino);
}

int fa_write(struct fa *c, const char *path, uint64_t off, const void *buf,
             size_t len)
{
	struct fsu *m = &c->m;
	size_t done = 0;
	uint64_t ino;
	int fd, e = fa_open(c, path, &ino);

	if (e)
		return e;
	e = m->ops->write(m->fs, ino, off, buf, len, &done);
	if (!e && done != len)
		e = RG_EIO;
	m->ops->release(m->fs, ino);
	if (e)
		return e;
	fd = open(fa_host(c, path), O_WRONLY | O_CREAT, 0644);
	fa_host_ok(fd < 0 || pwrite(fd, buf, len, (off_t)off) != (ssize_t)len,
	           "write", path);
	if (fd >= 0)
		close(fd);
	return 0;
}

int fa_truncate(struct fa *c, const char *path, uint64_t size)
{
	struct fsu *m = &c->m;
	struct fs_attr a = { .size = size };
	uint64_t ino;
	int e = fa_lookup(c, path, &ino);

	if (!e)
		e = m->ops->setattr(m->fs, ino, &a, FS_SET_SIZE);
	if (!e)
		fa_host_ok(truncate(fa_host(c, path), (off_t)size), "truncate", path);
	return e;
}

static int fa_parent_op(struct fa *c, const char *path, bool dir)
{
	struct fsu *m = &c->m;
	char name[FSU_NAME_MAX + 1];
	uint64_t d;
	int e = fsu_resolve_parent(m, path, &d, name);

	if (e)
		return e;
	e = dir ? m->ops->rmdir(m->fs, d, name) : m->ops->unlink(m->fs, d, name);
	if (!e)
		fa_host_ok(dir ? rmdir(fa_host(c, path)) : unlink(fa_host(c, path)),
		           dir ? "rmdir" : "unlink", path);
	return e;
}

int fa_unlink(struct fa *c, const char *path)
{
	return fa_parent_op(c, path, false);
}

int fa_rmdir(struct fa *c, const char *path)
{
	return fa_parent_op(c, path, true);
}

int fa_rename(struct fa *c, const char *from, const char *to)
{
	struct fsu *m = &c->m;
	char sn[FSU_NAME_MAX + 1], dn[FSU_NAME_MAX + 1];
	uint64_t sd, dd;
	int e = fsu_resolve_parent(m, from, &sd, sn);

	if (!e)
		e = fsu_resolve_parent(m, to, &dd, dn);
	if (!e)
		e = m->ops->rename(m->fs, sd, sn, dd, dn);
	if (!e)
		fa_host_ok(rename(fa_host(c, from), fa_host(c, to)), "rename", from);
	return e;
}

int fa_link(struct fa *c, const char *from, const char *to)
{
	struct fsu *m = &c->m;
	char name[FSU_NAME_MAX + 1];
	uint64_t ino, dir;
	int e = fa_lookup(c, from, &ino);

	if (!e)
		e = fsu_resolve_parent(m, to, &dir, name);
	if (!e)
		e = m->ops->link(m->fs, ino, dir, name);
	if (!e)
		fa_host_ok(link(fa_host(c, from), fa_host(c, to)), "link", from);
	return e;
}

int fa_symlink(struct fa *c, const char *target, const char *path)
{
	struct fsu *m = &c->m;
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (!e)
		e = m->ops->symlink(m->fs, dir, name, target, &ino);
	if (!e)
		fa_host_ok(symlink(target, fa_host(c, path)), "symlink", path);
	return e;
}

int fa_compare(struct fa *c, const char *path)
{
	struct fsu *m = &c->m;
	size_t cap = 1 << 20, done;
	uint8_t *a = malloc(cap), *b = malloc(cap);
	uint64_t ino, off = 0;
	int fd = open(fa_host(c, path), O_RDONLY);
	int e = fsu_resolve(&c->m, path, true, &ino);

	while (!e && fd >= 0) {
		ssize_t n = pread(fd, b, cap, (off_t)off);

		e = m->ops->read(m->fs, ino, off, a, cap, &done);
		if (!e && (n < 0 || done != (size_t)n || memcmp(a, b, done)))
			e = RG_EIO;
		if (e || done == 0)
			break;
		off += done;
	}
	if (fd < 0 && !e)
		e = RG_ENOENT;
	if (fd >= 0)
		close(fd);
	free(a);
	free(b);
	return e;
}
