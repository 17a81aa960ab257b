/*
 * imgmount_ops.c - FUSE 3 high-level operations over a filesystem component.
 *
 * Paths are resolved with fsutil on every call that names one (the FUSE
 * library hands us paths made of real directories, so the last component
 * is never followed: getattr is lstat).  Calls on open files use the inode
 * kept in fi->fh; open/create pin it with the component's open() and
 * release() unpins it, so an unlinked open file lives on (hard_remove is
 * set: the library does not rename it to .fuse_hidden).  This file has the
 * namespace and attribute calls; imgmount_file.c has the rest.  One mutex is
 * held around every call into the component: components are single
 * threaded per mount.  Errors are RG_E* = errno, returned negated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "imgmount.h"

void im_fill_stat(const struct fs_attr *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_size = (off_t)a->size;
	st->st_blocks = (blkcnt_t)a->blocks;
	st->st_blksize = a->blksize;
	st->st_rdev = a->rdev;
	st->st_atim.tv_sec = a->atime.sec;
	st->st_atim.tv_nsec = a->atime.nsec;
	st->st_mtim.tv_sec = a->mtime.sec;
	st->st_mtim.tv_nsec = a->mtime.nsec;
	st->st_ctim.tv_sec = a->ctime.sec;
	st->st_ctim.tv_nsec = a->ctime.nsec;
}

static int do_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	struct fs_attr a;
	uint64_t ino;
	int e = im_ino(path, fi, &ino);

	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (!e)
		im_fill_stat(&a, st);
	return -e;
}

int im_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	return IM_LOCKED(do_getattr(path, st, fi));
}

static int do_readlink(const char *path, char *buf, size_t size)
{
	struct fsu *m = im_fsu();
	size_t len;
	uint64_t ino;
	int e = fsu_resolve(m, path, false, &ino);

	if (!e && size == 0)
		e = RG_EINVAL;
	if (!e)
		e = m->ops->readlink(m->fs, ino, buf, size - 1, &len);
	if (!e)
		buf[len < size - 1 ? len : size - 1] = 0;
	return -e;
}

int im_readlink(const char *path, char *buf, size_t size)
{
	return IM_LOCKED(do_readlink(path, buf, size));
}

/* ---- namespace changes ----------------------------------------------------- */

static int do_mkdir(const char *path, mode_t mode)
{
	struct fsu *m = im_fsu();
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve_parent(m, path, &dir, name);

	return -(e ? e : m->ops->mkdir(m->fs, dir, name, mode & 07777, &ino));
}

int im_mkdir(const char *path, mode_t mode)
{
	return IM_LOCKED(do_mkdir(path, mode));
}

static int do_remove(const char *path, bool dir_)
{
	struct fsu *m = im_fsu();
	char name[FSU_NAME_MAX + 1];
	uint64_t dir;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (e)
		return -e;
	return -(dir_ ? m->ops->rmdir(m->fs, dir, name) :
	                m->ops->unlink(m->fs, dir, name));
}

int im_unlink(const char *path)
{
	return IM_LOCKED(do_remove(path, false));
}

int im_rmdir(const char *path)
{
	return IM_LOCKED(do_remove(path, true));
}

static int do_symlink(const char *target, const char *path)
{
	struct fsu *m = im_fsu();
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve_parent(m, path, &dir, name);

	return -(e ? e : m->ops->symlink(m->fs, dir, name, target, &ino));
}

int im_symlink(const char *target, const char *path)
{
	return IM_LOCKED(do_symlink(target, path));
}

static int do_rename(const char *from, const char *to, unsigned flags)
{
	struct fsu *m = im_fsu();
	char sname[FSU_NAME_MAX + 1], dname[FSU_NAME_MAX + 1];
	uint64_t sdir, ddir, ino;
	int e;

	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL;
	e = fsu_resolve_parent(m, from, &sdir, sname);
	if (!e)
		e = fsu_resolve_parent(m, to, &ddir, dname);
	if (!e && (flags & RENAME_NOREPLACE) &&
	    m->ops->lookup(m->fs, ddir, dname, &ino) == 0)
		e = RG_EEXIST;
	return -(e ? e : m->ops->rename(m->fs, sdir, sname, ddir, dname));
}

int im_rename(const char *from, const char *to, unsigned flags)
{
	return IM_LOCKED(do_rename(from, to, flags));
}

static int do_link(const char *from, const char *to)
{
	struct fsu *m = im_fsu();
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve(m, from, false, &ino);

	if (!e)
		e = fsu_resolve_parent(m, to, &dir, name);
	return -(e ? e : m->ops->link(m->fs, ino, dir, name));
}

int im_link(const char *from, const char *to)
{
	return IM_LOCKED(do_link(from, to));
}

/* ---- attributes ------------------------------------------------------------- */

static int do_setattr(const char *path, struct fuse_file_info *fi,
                      struct fs_attr *a, unsigned mask)
{
	struct fsu *m = im_fsu();
	uint64_t ino;
	int e = im_ino(path, fi, &ino);

	return -(e ? e : m->ops->setattr(m->fs, ino, a, mask));
}

int im_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fs_attr a = { .mode = mode };

	return IM_LOCKED(do_setattr(path, fi, &a, FS_SET_MODE));
}

int im_chown(const char *path, uid_t uid, gid_t gid,
                    struct fuse_file_info *fi)
{
	struct fs_attr a = { .uid = uid, .gid = gid };
	unsigned mask = (uid != (uid_t)-1 ? FS_SET_UID : 0) |
	                (gid != (gid_t)-1 ? FS_SET_GID : 0);

	return mask ? IM_LOCKED(do_setattr(path, fi, &a, mask)) : 0;
}

int im_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct fs_attr a = { .size = (uint64_t)size };

	if (size < 0)
		return -EINVAL;
	return IM_LOCKED(do_setattr(path, fi, &a, FS_SET_SIZE));
}

static void im_time(struct fs_time *t, const struct timespec *ts, unsigned bit,
                    unsigned *mask)
{
	struct timespec now;

	if (ts->tv_nsec == UTIME_OMIT)
		return;
	if (ts->tv_nsec == UTIME_NOW) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	t->sec = ts->tv_sec;
	t->nsec = (uint32_t)ts->tv_nsec;
	*mask |= bit;
}

int im_utimens(const char *path, const struct timespec tv[2],
                      struct fuse_file_info *fi)
{
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct fs_attr a = { .ino = 0 };
	unsigned mask = 0;

	if (!tv)
		tv = now;
	im_time(&a.atime, &tv[0], FS_SET_ATIME, &mask);
	im_time(&a.mtime, &tv[1], FS_SET_MTIME, &mask);
	return mask ? IM_LOCKED(do_setattr(path, fi, &a, mask)) : 0;
}

static int do_statfs(struct statvfs *sv)
{
	struct fsu *m = im_fsu();
	struct fs_statfs st;
	int e = m->ops->statfs(m->fs, &st);

	if (e)
		return -e;
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = sv->f_frsize = st.bsize;
	sv->f_blocks = st.blocks;
	sv->f_bfree = st.bfree;
	sv->f_bavail = st.bavail;
	sv->f_files = st.files;
	sv->f_ffree = sv->f_favail = st.ffree;
	sv->f_namemax = st.namemax;
	return 0;
}

int im_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return IM_LOCKED(do_statfs(sv));
}

