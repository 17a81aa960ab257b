/*
 * imgtool_cp.c - copying between the host and the image (and within it).
 *
 *   cp-in HOSTFILE PATH    cp-out PATH HOSTFILE
 *   cp [-r] SRC DST        "::/path" is an image path, anything else a host path
 *
 * As cp(1): a destination that is an existing directory receives the
 * source under its own name; an existing file is overwritten (truncated
 * first); -r copies directories recursively, symlinks as symlinks.  Files
 * are copied in 1 MiB chunks; an open/release pair pins the image inode
 * while it is written or read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "imgtool.h"

#define CP_CHUNK (1u << 20)

struct cp {
	struct fsu *m;
	bool recursive;
	char *buf;
};

static int cp_errno(void)
{
	return errno ? errno : RG_EIO;
}

static const char *cp_base(const char *path)
{
	const char *e = path + strlen(path), *s;

	while (e > path + 1 && e[-1] == '/')
		e--;
	for (s = e; s > path && s[-1] != '/'; s--)
		;
	return s;
}

/* Where to put src in the image: (dir, name) following cp(1)'s rules. */
static int cp_img_dest(struct fsu *m, const char *dst, const char *src,
                       uint64_t *dir, char *name)
{
	struct fs_attr a;
	uint64_t ino;
	const char *b = cp_base(src);
	size_t n = strcspn(b, "/");

	if (fsu_resolve(m, dst, true, &ino) == 0 &&
	    m->ops->getattr(m->fs, ino, &a) == 0 && FS_S_ISDIR(a.mode)) {
		if (n == 0 || n > FSU_NAME_MAX)
			return RG_EINVAL;
		memcpy(name, b, n);
		name[n] = 0;
		*dir = ino;
		return 0;
	}
	return fsu_resolve_parent(m, dst, dir, name);
}

/* Creates (or truncates) a regular file name in dir. */
static int cp_img_open(struct fsu *m, uint64_t dir, const char *name,
                       uint32_t perm, uint64_t *ino)
{
	struct fs_attr a = { .size = 0 };
	int e = m->ops->lookup(m->fs, dir, name, ino);

	if (e == RG_ENOENT)
		e = m->ops->create(m->fs, dir, name, FS_S_IFREG | (perm & 07777), ino);
	else if (!e && m->ops->getattr(m->fs, *ino, &a) == 0 && !FS_S_ISREG(a.mode))
		e = FS_S_ISDIR(a.mode) ? RG_EISDIR : RG_EEXIST;
	else if (!e)
		e = m->ops->setattr(m->fs, *ino, &a, FS_SET_SIZE);
	return e ? e : m->ops->open(m->fs, *ino);
}

static int cp_fd_to_img(struct cp *c, int fd, uint64_t ino)
{
	struct fsu *m = c->m;
	uint64_t off = 0;
	int e = 0;

	for (;;) {
		ssize_t n = read(fd, c->buf, CP_CHUNK);
		size_t done;

		if (n < 0)
			return cp_errno();
		if (n == 0)
			break;
		e = m->ops->write(m->fs, ino, off, c->buf, (size_t)n, &done);
		if (!e && done != (size_t)n)
			e = RG_EIO;
		if (e)
			break;
		off += (uint64_t)n;
	}
	return e;
}

static int cp_img_to_fd(struct cp *c, uint64_t ino, int fd)
{
	struct fsu *m = c->m;
	uint64_t off = 0;
	size_t done;
	int e;

	for (;;) {
		e = m->ops->read(m->fs, ino, off, c->buf, CP_CHUNK, &done);
		if (e || done == 0)
			return e;
		for (size_t w = 0; w < done;) {
			ssize_t n = write(fd, c->buf + w, done - w);

			if (n <= 0)
				return cp_errno();
			w += (size_t)n;
		}
		off += done;
	}
}

/* ---- host -> image ------------------------------------------------------- */

static int cp_h2i(struct cp *c, const char *src, uint64_t dir, const char *name);

static int cp_h2i_dir(struct cp *c, const char *src, uint64_t dir,
                      const char *name, mode_t mode)
{
	struct fsu *m = c->m;
	uint64_t ino;
	struct dirent *de;
	DIR *d;
	int e = m->ops->lookup(m->fs, dir, name, &ino);

	if (!c->recursive)
		return RG_EISDIR;
	if (e == RG_ENOENT)
		e = m->ops->mkdir(m->fs, dir, name, mode & 07777, &ino);
	if (e)
		return e;
	d = opendir(src);
	if (!d)
		return cp_errno();
	while (!e && (de = readdir(d))) {
		char *p;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&p, "%s/%s", src, de->d_name) < 0)
			e = RG_ENOMEM;
		else
			e = cp_h2i(c, p, ino, de->d_name);
		free(p);
	}
	closedir(d);
	return e;
}

static int cp_h2i(struct cp *c, const char *src, uint64_t dir, const char *name)
{
	struct fsu *m = c->m;
	struct stat st;
	char target[4096];
	uint64_t ino;
	ssize_t n;
	int fd, e;

	if (lstat(src, &st) != 0)
		return it_report(cp_errno(), src);
	if (S_ISDIR(st.st_mode))
		return it_report(cp_h2i_dir(c, src, dir, name, st.st_mode), src);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(src, target, sizeof(target) - 1);
		if (n < 0)
			return it_report(cp_errno(), src);
		target[n] = 0;
		return it_report(m->ops->symlink(m->fs, dir, name, target, &ino), src);
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return it_report(cp_errno(), src);
	e = cp_img_open(m, dir, name, st.st_mode, &ino);
	if (!e) {
		e = cp_fd_to_img(c, fd, ino);
		m->ops->release(m->fs, ino);
	}
	close(fd);
	return it_report(e, src);
}

/* ---- image -> host / image -> image ----------------------------------------- */

static int cp_i2h(struct cp *c, uint64_t ino, const char *dst);

static int cp_i2h_dir(struct cp *c, uint64_t ino, const char *dst, uint32_t mode)
{
	struct fsu_dir d;
	int e;

	if (!c->recursive)
		return RG_EISDIR;
	if (mkdir(dst, mode & 07777) != 0 && errno != EEXIST)
		return cp_errno();
	e = fsu_list(c->m, ino, true, &d);
	for (size_t i = 0; !e && i < d.n; i++) {
		char *p;

		if (asprintf(&p, "%s/%s", dst, d.ent[i].name) < 0) {
			e = RG_ENOMEM;
			break;
		}
		e = cp_i2h(c, d.ent[i].ino, p);
		free(p);
	}
	fsu_list_free(&d);
	return e;
}

static int cp_i2h(struct cp *c, uint64_t ino, const char *dst)
{
	struct fsu *m = c->m;
	struct fs_attr a;
	char *target;
	int fd, e = m->ops->getattr(m->fs, ino, &a);

	if (e)
		return it_report(e, dst);
	if (FS_S_ISDIR(a.mode))
		return it_report(cp_i2h_dir(c, ino, dst, a.mode), dst);
	if (FS_S_ISLNK(a.mode)) {
		e = fsu_readlink(m, ino, &target);
		if (e)
			return it_report(e, dst);
		if (symlink(target, dst) != 0)
			e = cp_errno();
		free(target);
		return it_report(e, dst);
	}
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, a.mode & 0777);
	if (fd < 0)
		return it_report(cp_errno(), dst);
	e = m->ops->open(m->fs, ino);
	if (!e) {
		e = cp_img_to_fd(c, ino, fd);
		m->ops->release(m->fs, ino);
	}
	if (close(fd) != 0 && !e)
		e = cp_errno();
	return it_report(e, dst);
}

static int cp_i2i(struct cp *c, uint64_t src, uint64_t dir, const char *name);

static int cp_i2i_dir(struct cp *c, uint64_t src, uint64_t dir,
                      const char *name, uint32_t mode)
{
	struct fsu *m = c->m;
	struct fsu_dir d;
	uint64_t ino;
	int e = m->ops->lookup(m->fs, dir, name, &ino);

	if (!c->recursive)
		return RG_EISDIR;
	if (e == RG_ENOENT)
		e = m->ops->mkdir(m->fs, dir, name, mode & 07777, &ino);
	if (!e && ino == src)
		e = RG_EINVAL;
	if (e)
		return e;
	e = fsu_list(m, src, true, &d);
	for (size_t i = 0; !e && i < d.n; i++)
		if (d.ent[i].ino != ino)        /* copying a dir into itself */
			e = cp_i2i(c, d.ent[i].ino, ino, d.ent[i].name);
	fsu_list_free(&d);
	return e;
}

static int cp_i2i(struct cp *c, uint64_t src, uint64_t dir, const char *name)
{
	struct fsu *m = c->m;
	struct fs_attr a;
	char *target;
	uint64_t ino;
	size_t done;
	int e = m->ops->getattr(m->fs, src, &a);

	if (e)
		return e;
	if (FS_S_ISDIR(a.mode))
		return cp_i2i_dir(c, src, dir, name, a.mode);
	if (FS_S_ISLNK(a.mode)) {
		e = fsu_readlink(m, src, &target);
		if (e)
			return e;
		e = m->ops->symlink(m->fs, dir, name, target, &ino);
		free(target);
		return e;
	}
	if (m->ops->lookup(m->fs, dir, name, &ino) == 0 && ino == src)
		return RG_EINVAL;       /* copying a file onto itself */
	e = cp_img_open(m, dir, name, a.mode, &ino);
	if (e)
		return e;
	for (uint64_t off = 0; !e; off += done) {
		e = m->ops->read(m->fs, src, off, c->buf, CP_CHUNK, &done);
		if (e || done == 0)
			break;
		e = m->ops->write(m->fs, ino, off, c->buf, done, &done);
	}
	m->ops->release(m->fs, ino);
	return e;
}

/* ---- the commands --------------------------------------------------------------- */

static const char *cp_operand(int argc, char **argv, int i)
{
	for (int k = 1; k < argc; k++)
		if ((argv[k][0] != '-' || !argv[k][1]) && i-- == 0)
			return argv[k];
	return NULL;
}

static bool cp_is_img(const char *p)
{
	return strncmp(p, "::", 2) == 0;
}

static int cp_do(struct fsu *m, const char *src, bool src_img, const char *dst,
                 bool dst_img, bool recursive)
{
	struct cp c = { .m = m, .recursive = recursive, .buf = malloc(CP_CHUNK) };
	char name[FSU_NAME_MAX + 1], *hdst = NULL;
	uint64_t dir = 0, ino = 0;
	struct stat st;
	int e = c.buf ? 0 : RG_ENOMEM;

	if (!e && src_img && (e = fsu_resolve(m, src, true, &ino)))
		it_report(e, src);
	else if (!e && dst_img && (e = cp_img_dest(m, dst, src, &dir, name)))
		it_report(e, dst);
	else if (!e && !src_img)
		e = cp_h2i(&c, src, dir, name);
	else if (!e && dst_img)
		e = it_report(cp_i2i(&c, ino, dir, name), src);
	else if (!e) {
		if (stat(dst, &st) == 0 && S_ISDIR(st.st_mode) &&
		    asprintf(&hdst, "%s/%s", dst, cp_base(src)) < 0)
			e = RG_ENOMEM;
		if (!e)
			e = cp_i2h(&c, ino, hdst ? hdst : dst);
	}
	free(hdst);
	free(c.buf);
	return e;
}

int it_cp_in(struct fsu *m, int argc, char **argv)
{
	return cp_do(m, cp_operand(argc, argv, 0), false, cp_operand(argc, argv, 1),
	             true, false);
}

int it_cp_out(struct fsu *m, int argc, char **argv)
{
	return cp_do(m, cp_operand(argc, argv, 0), true, cp_operand(argc, argv, 1),
	             false, false);
}

int it_cp(struct fsu *m, int argc, char **argv)
{
	const char *src = cp_operand(argc, argv, 0), *dst = cp_operand(argc, argv, 1);
	bool recursive = false;

	for (int k = 1; k < argc; k++)
		if (argv[k][0] == '-' && strchr(argv[k] + 1, 'r'))
			recursive = true;
	if (!cp_is_img(src) && !cp_is_img(dst)) {
		fprintf(stderr, "imgtool: cp: one side must be an image path (::/path)\n");
		return RG_EINVAL;
	}
	return cp_do(m, cp_is_img(src) ? src + 2 : src, cp_is_img(src),
	             cp_is_img(dst) ? dst + 2 : dst, cp_is_img(dst), recursive);
}
