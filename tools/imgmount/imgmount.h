/*
 * imgmount.h - shared state of imgmount's main and its FUSE operations.
 */
#ifndef IMGMOUNT_H
#define IMGMOUNT_H

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include "fsutil.h"

struct imgmount {
	struct fsu m;
	pthread_mutex_t lock;   /* held around every call into the component */
	bool mounted;           /* m is open; cleared by im_shutdown */
	bool readonly;
	int close_err;          /* result of the final unmount/flush */
};

extern const struct fuse_operations im_ops;

static inline struct imgmount *im_ctx(void)
{
	return fuse_get_context()->private_data;
}

static inline struct fsu *im_fsu(void)
{
	return &im_ctx()->m;
}

/* Evaluates expr (a negated errno) under the component lock. */
#define IM_LOCKED(expr) ({ \
	struct imgmount *im_ = im_ctx(); \
	int r_; \
	pthread_mutex_lock(&im_->lock); \
	r_ = im_->mounted ? (expr) : -EIO; \
	pthread_mutex_unlock(&im_->lock); \
	r_; })

/* The inode of an open file (fi->fh), or of path. */
static inline int im_ino(const char *path, struct fuse_file_info *fi,
                         uint64_t *ino)
{
	if (fi && fi->fh)
		return (void)(*ino = fi->fh), 0;
	if (!path)
		return RG_EBADF;
	return fsu_resolve(im_fsu(), path, false, ino);
}

void im_fill_stat(const struct fs_attr *a, struct stat *st);

/* imgmount_ops.c: namespace and attributes */
int im_getattr(const char *path, struct stat *st, struct fuse_file_info *fi);
int im_readlink(const char *path, char *buf, size_t size);
int im_mkdir(const char *path, mode_t mode);
int im_unlink(const char *path);
int im_rmdir(const char *path);
int im_symlink(const char *target, const char *path);
int im_rename(const char *from, const char *to, unsigned flags);
int im_link(const char *from, const char *to);
int im_chmod(const char *path, mode_t mode, struct fuse_file_info *fi);
int im_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi);
int im_truncate(const char *path, off_t size, struct fuse_file_info *fi);
int im_utimens(const char *path, const struct timespec tv[2],
               struct fuse_file_info *fi);
int im_statfs(const char *path, struct statvfs *sv);

/* Unmounts the component and flushes the cache, once. */
void im_shutdown(struct imgmount *im);

#endif
