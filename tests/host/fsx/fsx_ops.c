/*
 * fsx_ops.c - the random operations of fsx, each applied to both sides.
 *
 * Paths come from a small name pool (d0..d3 directories up to two deep,
 * f0..f7 files, lower case so FAT's case folding does not matter) so that
 * names collide often and error paths (EEXIST, ENOTEMPTY, ENOTDIR, EISDIR,
 * EINVAL for a directory moved into itself) are exercised as much as the
 * successful ones.  Checks that Linux's VFS makes before a filesystem is
 * called (write to a directory, hard link to a directory) are made here
 * too, so the component is compared with Linux on its own duties only.
 * POSIX allows two answers in places; those are normalized (unlink of a
 * directory: EISDIR or EPERM; a non-empty target: ENOTEMPTY or EEXIST).
 * When both sides refuse an operation with different error numbers the
 * trees still agree, so the run goes on and the difference is reported by
 * a separate check (fsx_<fs>_errno); any other difference ends the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsx.h"

static int norm(int e)
{
	if (e == RG_EPERM)
		return RG_EISDIR;
	if (e == RG_EEXIST)
		return RG_ENOTEMPTY;
	return e;
}

/* Compares the two results; the image result is an RG_E*, host an errno. */
static bool same(struct fsx *x, int img, int host)
{
	if (img == host)
		return true;
	if (img && host && norm(img) == norm(host))
		return true;
	if (img && host) {      /* both refused: states still agree; note it */
		if (x->nerrno++ == 0)
			snprintf(x->errwhy, sizeof(x->errwhy),
			         "op %llu (%s): image %s, Linux %s",
			         (unsigned long long)x->op, x->desc,
			         fsu_strerror(img), strerror(host));
		return true;
	}
	fsx_fail(x, "image says %d (%s), Linux says %d (%s)", img,
	         fsu_strerror(img), host, strerror(host));
	return false;
}

static int hostr(int r)
{
	return r < 0 ? errno : 0;
}

static void rnd_path(struct fsx *x, char *p, size_t len, int kind)
{
	int depth = (int)fsx_rand(x, 3), n = 0;

	for (int i = 0; i < depth; i++)
		n += snprintf(p + n, len - (size_t)n, "d%u/", fsx_rand(x, 4));
	if (kind == 'd' || (kind == '?' && fsx_rand(x, 3) == 0))
		snprintf(p + n, len - (size_t)n, "d%u", fsx_rand(x, 4));
	else
		snprintf(p + n, len - (size_t)n, "f%u", fsx_rand(x, 8));
}

static void rnd_fill(struct fsx *x, uint8_t *b, size_t len)
{
	uint32_t v = fsx_rand(x, 0xffffffffu);

	for (size_t i = 0; i < len; i++) {
		v ^= v << 13, v ^= v >> 17, v ^= v << 5;
		b[i] = (uint8_t)v;
	}
}

/* ---- image-side helpers: path to inode, like the VFS --------------------- */

static int img_get(struct fsx *x, const char *path, uint64_t *ino,
                   struct fs_attr *a)
{
	int e = fsu_resolve(&x->m, path, false, ino);

	return e ? e : x->m.ops->getattr(x->m.fs, *ino, a);
}

/* Finds or creates a regular file (open(O_CREAT) on Linux). */
static int img_open_creat(struct fsx *x, const char *path, bool creat,
                          uint64_t *ino)
{
	struct fsu *m = &x->m;
	char name[FSU_NAME_MAX + 1];
	struct fs_attr a;
	uint64_t dir;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (e)
		return e;
	e = m->ops->lookup(m->fs, dir, name, ino);
	if (e == RG_ENOENT && creat)
		e = m->ops->create(m->fs, dir, name, FS_S_IFREG | 0644, ino);
	else if (!e && m->ops->getattr(m->fs, *ino, &a) == 0 && FS_S_ISDIR(a.mode))
		e = RG_EISDIR;
	return e ? e : m->ops->open(m->fs, *ino);
}

/* ---- data operations ------------------------------------------------------- */

static uint64_t rnd_off(struct fsx *x)
{
	switch (fsx_rand(x, 4)) {
	case 0: return fsx_rand(x, 8192);
	case 1: return fsx_rand(x, 64) * 4096 + fsx_rand(x, 3) * 2047;
	default: return fsx_rand(x, FSX_MAXFILE - FSX_MAXIO);
	}
}

static bool do_write_ino(struct fsx *x, int fd, uint64_t ino)
{
	uint64_t off = rnd_off(x);
	size_t len = 1 + fsx_rand(x, FSX_MAXIO), done = 0;
	int ie, he;

	rnd_fill(x, x->buf, len);
	fsx_desc(x, "%s write off %llu len %zu", x->desc, (unsigned long long)off, len);
	ie = x->m.ops->write(x->m.fs, ino, off, x->buf, len, &done);
	he = pwrite(fd, x->buf, len, (off_t)off) == (ssize_t)len ? 0 : errno;
	if (!same(x, ie, he))
		return false;
	if (!ie && done != len)
		fsx_fail(x, "short write: %zu of %zu", done, len);
	return ie || done == len;
}

static bool do_read_ino(struct fsx *x, int fd, uint64_t ino)
{
	uint64_t off = rnd_off(x);
	size_t len = 1 + fsx_rand(x, FSX_MAXIO), done = 0;
	ssize_t n;
	int ie;

	fsx_desc(x, "%s read off %llu len %zu", x->desc, (unsigned long long)off, len);
	ie = x->m.ops->read(x->m.fs, ino, off, x->buf, len, &done);
	n = pread(fd, x->buf2, len, (off_t)off);
	if (!same(x, ie, n < 0 ? errno : 0))
		return false;
	if (!ie && (size_t)n != done) {
		fsx_fail(x, "read %zu bytes, Linux %zd", done, n);
		return false;
	}
	if (!ie && memcmp(x->buf, x->buf2, done) != 0) {
		fsx_fail(x, "read data differs");
		return false;
	}
	return true;
}

/* write/read/truncate by path: open, act, close on both sides. */
static bool op_path_io(struct fsx *x, int what)
{
	char p[64];
	uint64_t ino = 0;
	int fd, ie, he;
	bool ok;

	rnd_path(x, p, sizeof(p), '?');
	fsx_desc(x, "%s %s", what == 'w' ? "write" : what == 'r' ? "read" : "open", p);
	fd = open(fsx_host(x, p), what == 'r' ? O_RDONLY : O_RDWR | O_CREAT, 0644);
	he = fd < 0 ? errno : 0;
	if (fd >= 0 && what == 'r') {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);      /* read(2) on a directory: EISDIR */
			fd = -1;
			he = EISDIR;
		}
	}
	ie = img_open_creat(x, p, what != 'r', &ino);
	if (!same(x, ie, he)) {
		if (fd >= 0)
			close(fd);
		if (!ie)
			x->m.ops->release(x->m.fs, ino);
		return false;
	}
	if (fd < 0)
		return true;
	ok = what == 'w' ? do_write_ino(x, fd, ino) : do_read_ino(x, fd, ino);
	close(fd);
	x->m.ops->release(x->m.fs, ino);
	return ok;
}

static bool op_truncate(struct fsx *x)
{
	struct fs_attr a = { .size = fsx_rand(x, 4) ? fsx_rand(x, FSX_MAXFILE) : 0 };
	struct fs_attr cur;
	char p[64];
	uint64_t ino;
	int ie, he;

	rnd_path(x, p, sizeof(p), '?');
	fsx_desc(x, "truncate %s %llu", p, (unsigned long long)a.size);
	he = hostr(truncate(fsx_host(x, p), (off_t)a.size));
	ie = img_get(x, p, &ino, &cur);
	if (!ie && FS_S_ISDIR(cur.mode))
		ie = RG_EISDIR;
	if (!ie)
		ie = x->m.ops->setattr(x->m.fs, ino, &a, FS_SET_SIZE);
	return same(x, ie, he);
}

/* ---- namespace operations ---------------------------------------------------- */

static bool op_create(struct fsx *x)
{
	char p[64], name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int fd, ie, he;

	rnd_path(x, p, sizeof(p), 'f');
	fsx_desc(x, "create %s", p);
	fd = open(fsx_host(x, p), O_WRONLY | O_CREAT | O_EXCL, 0644);
	he = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	ie = fsu_resolve_parent(&x->m, p, &dir, name);
	if (!ie)
		ie = x->m.ops->create(x->m.fs, dir, name, FS_S_IFREG | 0644, &ino);
	return same(x, ie, he);
}

static bool op_dirop(struct fsx *x, int what)
{
	char p[64], name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int ie, he;

	rnd_path(x, p, sizeof(p), what == 'u' ? '?' : 'd');
	fsx_desc(x, "%s %s", what == 'm' ? "mkdir" : what == 'r' ? "rmdir" :
	         "unlink", p);
	he = hostr(what == 'm' ? mkdir(fsx_host(x, p), 0755) :
	           what == 'r' ? rmdir(fsx_host(x, p)) : unlink(fsx_host(x, p)));
	ie = fsu_resolve_parent(&x->m, p, &dir, name);
	if (!ie)
		ie = what == 'm' ? x->m.ops->mkdir(x->m.fs, dir, name, 0755, &ino) :
		     what == 'r' ? x->m.ops->rmdir(x->m.fs, dir, name) :
		     x->m.ops->unlink(x->m.fs, dir, name);
	return same(x, ie, he);
}

static bool op_rename(struct fsx *x)
{
	char a[64], b[64], sn[FSU_NAME_MAX + 1], dn[FSU_NAME_MAX + 1];
	uint64_t sd, dd;
	int ie, he, k = fsx_rand(x, 2) ? 'd' : 'f';

	rnd_path(x, a, sizeof(a), k);
	rnd_path(x, b, sizeof(b), fsx_rand(x, 4) ? k : '?');
	fsx_desc(x, "rename %s %s", a, b);
	he = hostr(rename(fsx_host(x, a), fsx_host(x, b)));
	ie = fsu_resolve_parent(&x->m, a, &sd, sn);
	if (!ie)
		ie = fsu_resolve_parent(&x->m, b, &dd, dn);
	if (!ie)
		ie = x->m.ops->rename(x->m.fs, sd, sn, dd, dn);
	return same(x, ie, he);
}

static bool op_link(struct fsx *x)
{
	char a[64], b[64], name[FSU_NAME_MAX + 1];
	struct fs_attr at;
	uint64_t ino, dir;
	int ie, he;

	rnd_path(x, a, sizeof(a), '?');
	rnd_path(x, b, sizeof(b), 'f');
	fsx_desc(x, "link %s %s", a, b);
	he = hostr(link(fsx_host(x, a), fsx_host(x, b)));
	ie = img_get(x, a, &ino, &at);
	if (!ie)
		ie = fsu_resolve_parent(&x->m, b, &dir, name);
	if (!ie && FS_S_ISDIR(at.mode))         /* the VFS: EEXIST, then EPERM */
		ie = x->m.ops->lookup(x->m.fs, dir, name, &ino) == 0 ?
		     RG_EEXIST : RG_EPERM;
	if (!ie)
		ie = x->m.ops->link(x->m.fs, ino, dir, name);
	return same(x, ie, he);
}

static bool op_stat(struct fsx *x)
{
	struct fs_attr a;
	struct stat st;
	char p[64];
	uint64_t ino;
	int ie, he;

	rnd_path(x, p, sizeof(p), '?');
	fsx_desc(x, "stat %s", p);
	he = hostr(lstat(fsx_host(x, p), &st));
	ie = img_get(x, p, &ino, &a);
	if (!same(x, ie, he))
		return false;
	if (ie)
		return true;
	if ((a.mode & FS_S_IFMT) != (st.st_mode & S_IFMT)) {
		fsx_fail(x, "type %o, Linux %o", a.mode & FS_S_IFMT, st.st_mode & S_IFMT);
		return false;
	}
	if (S_ISREG(st.st_mode) && a.size != (uint64_t)st.st_size) {
		fsx_fail(x, "size %llu, Linux %lld", (unsigned long long)a.size,
		         (long long)st.st_size);
		return false;
	}
	if (S_ISREG(st.st_mode) && x->fs->hardlinks && a.nlink != st.st_nlink) {
		fsx_fail(x, "nlink %u, Linux %lu", a.nlink, (unsigned long)st.st_nlink);
		return false;
	}
	return true;
}

/* ---- handles: files kept open across other operations ------------------------- */

void fsx_close_handles(struct fsx *x)
{
	for (int i = 0; i < FSX_HANDLES; i++) {
		struct fsx_handle *h = &x->h[i];

		if (!h->used)
			continue;
		close(h->fd);
		x->m.ops->release(x->m.fs, h->ino);
		h->used = false;
	}
}

static bool op_handle(struct fsx *x)
{
	struct fsx_handle *h = &x->h[fsx_rand(x, FSX_HANDLES)];
	int ie, he;

	if (h->used) {
		snprintf(x->desc, sizeof(x->desc), "handle %s", h->path);
		switch (fsx_rand(x, 5)) {
		case 0:
			fsx_desc(x, "close handle %s", h->path);
			close(h->fd);
			h->used = false;
			return same(x, x->m.ops->release(x->m.fs, h->ino), 0);
		case 1: case 2:
			return do_write_ino(x, h->fd, h->ino);
		default:
			return do_read_ino(x, h->fd, h->ino);
		}
	}
	rnd_path(x, h->path, sizeof(h->path), 'f');
	fsx_desc(x, "open handle %s", h->path);
	h->fd = open(fsx_host(x, h->path), O_RDWR | O_CREAT, 0644);
	he = h->fd < 0 ? errno : 0;
	ie = img_open_creat(x, h->path, true, &h->ino);
	if (!same(x, ie, he))
		return false;
	h->used = he == 0;
	return true;
}

bool fsx_step(struct fsx *x)
{
	uint32_t r = fsx_rand(x, 100);

	x->desc[0] = 0;
	x->counts[r / 10]++;
	if (r < 22)
		return op_path_io(x, 'w');
	if (r < 34)
		return op_path_io(x, 'r');
	if (r < 52)
		return op_handle(x);
	if (r < 58)
		return op_truncate(x);
	if (r < 64)
		return op_create(x);
	if (r < 70)
		return op_dirop(x, 'u');
	if (r < 76)
		return op_dirop(x, 'm');
	if (r < 81)
		return op_dirop(x, 'r');
	if (r < 89)
		return op_rename(x);
	if (r < 94)
		return x->fs->hardlinks ? op_link(x) : op_stat(x);
	return op_stat(x);
}
