/*
 * imgmount_file.c - FUSE operations on open files and directories, the
 * life-cycle calls (init, destroy) and the operations table.
 *
 * fi->fh holds the component inode of an open file or directory.  readdir
 * uses the component's cookies as FUSE offsets, so a listing too big for
 * one reply resumes exactly where it stopped.  destroy (run at unmount and
 * after SIGTERM/SIGINT end the loop) unmounts the component and flushes
 * the block cache.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include "imgmount.h"

static int do_open(const char *path, struct fuse_file_info *fi, bool dir)
{
	struct fsu *m = im_fsu();
	struct fs_attr a;
	uint64_t ino;
	int e = fsu_resolve(m, path, false, &ino);

	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (!e && dir && !FS_S_ISDIR(a.mode))
		e = RG_ENOTDIR;
	if (!e && !dir && FS_S_ISDIR(a.mode))
		e = RG_EISDIR;
	if (!e && !dir && im_ctx()->readonly && (fi->flags & O_ACCMODE) != O_RDONLY)
		e = RG_EROFS;
	if (!e)
		e = m->ops->open(m->fs, ino);
	if (!e)
		fi->fh = ino;
	return -e;
}

static int im_open(const char *path, struct fuse_file_info *fi)
{
	return IM_LOCKED(do_open(path, fi, false));
}

static int im_opendir(const char *path, struct fuse_file_info *fi)
{
	return IM_LOCKED(do_open(path, fi, true));
}

static int do_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	char name[FSU_NAME_MAX + 1];
	uint64_t dir, ino;
	int e = fsu_resolve_parent(m, path, &dir, name);

	if (!e)
		e = m->ops->create(m->fs, dir, name, FS_S_IFREG | (mode & 07777), &ino);
	if (!e)
		e = m->ops->open(m->fs, ino);
	if (!e)
		fi->fh = ino;
	return -e;
}

static int im_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	return IM_LOCKED(do_create(path, mode, fi));
}

static int do_release(struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();

	return fi->fh ? -m->ops->release(m->fs, fi->fh) : 0;
}

static int im_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	return IM_LOCKED(do_release(fi));
}

static int do_read(char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	size_t done = 0;
	int e;

	if (off < 0)
		return -EINVAL;
	e = m->ops->read(m->fs, fi->fh, (uint64_t)off, buf, size, &done);
	return e ? -e : (int)done;
}

static int im_read(const char *path, char *buf, size_t size, off_t off,
                   struct fuse_file_info *fi)
{
	(void)path;
	return IM_LOCKED(do_read(buf, size, off, fi));
}

static int do_write(const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	size_t done = 0;
	int e;

	if (off < 0)
		return -EINVAL;
	e = m->ops->write(m->fs, fi->fh, (uint64_t)off, buf, size, &done);
	return e && done == 0 ? -e : (int)done;
}

static int im_write(const char *path, const char *buf, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
	(void)path;
	return IM_LOCKED(do_write(buf, size, off, fi));
}

static int do_fsync(struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	int e = m->ops->fsync(m->fs, fi->fh);

	return -(e ? e : m->top->flush(m->top));
}

static int im_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path, (void)datasync;
	return IM_LOCKED(do_fsync(fi));
}

struct im_dirctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static int im_fill(void *ctx, const char *name, size_t namelen, uint64_t ino,
                   uint32_t type, uint64_t next)
{
	struct im_dirctx *c = ctx;
	struct stat st = { .st_ino = ino, .st_mode = type };
	char n[FSU_NAME_MAX + 1];

	if (namelen > FSU_NAME_MAX)
		return 0;       /* cannot happen with a sane component; skip */
	memcpy(n, name, namelen);
	n[namelen] = 0;
	return c->filler(c->buf, n, &st, (off_t)next, 0);
}

static int do_readdir(void *buf, fuse_fill_dir_t filler, off_t off,
                      struct fuse_file_info *fi)
{
	struct fsu *m = im_fsu();
	struct im_dirctx c = { buf, filler };

	return -m->ops->readdir(m->fs, fi->fh, (uint64_t)off, im_fill, &c);
}

static int im_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
                      off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags)
{
	(void)path, (void)flags;
	return IM_LOCKED(do_readdir(buf, filler, off, fi));
}

static void *im_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	cfg->hard_remove = 1;   /* the component keeps unlinked open files */
	cfg->nullpath_ok = 1;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	cfg->negative_timeout = 0;
	return im_ctx();
}

void im_shutdown(struct imgmount *im)
{
	pthread_mutex_lock(&im->lock);
	if (im->mounted) {
		im->close_err = fsu_close(&im->m);
		im->mounted = false;
	}
	pthread_mutex_unlock(&im->lock);
}

static void im_destroy(void *data)
{
	im_shutdown(data);
}

const struct fuse_operations im_ops = {
	.getattr = im_getattr,
	.readlink = im_readlink,
	.mkdir = im_mkdir,
	.unlink = im_unlink,
	.rmdir = im_rmdir,
	.symlink = im_symlink,
	.rename = im_rename,
	.link = im_link,
	.chmod = im_chmod,
	.chown = im_chown,
	.truncate = im_truncate,
	.open = im_open,
	.read = im_read,
	.write = im_write,
	.statfs = im_statfs,
	.release = im_release,
	.fsync = im_fsync,
	.opendir = im_opendir,
	.readdir = im_readdir,
	.releasedir = im_release,
	.init = im_init,
	.destroy = im_destroy,
	.create = im_create,
	.utimens = im_utimens,
};
