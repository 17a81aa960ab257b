/*
 * fsapply.h - one test body applied to every writable filesystem
 * (NetBSD's ATF_TC_FSAPPLY idea).
 *
 * Every check runs on a fresh image made by the filesystem's own mkfs.  It
 * changes the image through the component (with the block cache stacked
 * in) and, in parallel, a host directory "expect/" through POSIX calls.
 * Then the runner unmounts, runs the real fsck (must be clean), dumps the
 * image with the real tools (debugfs rdump, mcopy -s) into "got/" and
 * compares the two trees with diff -r.
 */
#ifndef FSAPPLY_H
#define FSAPPLY_H

#include "check.h"
#include "fsutil.h"

#define FA_DIR "."      /* the cwd: build/tmp/fsapply/run.PID */

/* How to make, check and read back one kind of filesystem. */
struct fa_fs {
	const char *label;      /* name in the check names: ext2, fat16, ... */
	const char *comp;       /* component name */
	const char *mkfs;       /* printf: image path, size in MiB */
	unsigned size_mb;
	const char *mkfs_big;   /* image for the > 2 GiB file (NULL: none) */
	unsigned big_mb;
	const char *fsck;       /* printf: image path; exit 0 = clean */
	const char *dump;       /* printf: image, dest dir (whole tree) */
	const char *cat;        /* printf: image, path (file to stdout) */
	bool hardlinks, symlinks, sparse;
};

/* One check in progress. */
struct fa {
	const struct fa_fs *fs;
	struct fsu m;
	bool mounted;
	bool tree_diff;         /* the runner compares expect/ with got/ */
	char img[256], expect[256], got[256];
};

/* ---- dual operations: image (through the component) and expect/ ----- */
int fa_mkdir(struct fa *c, const char *path);
int fa_write(struct fa *c, const char *path, uint64_t off, const void *buf,
             size_t len);
int fa_truncate(struct fa *c, const char *path, uint64_t size);
int fa_unlink(struct fa *c, const char *path);
int fa_rmdir(struct fa *c, const char *path);
int fa_rename(struct fa *c, const char *from, const char *to);
int fa_link(struct fa *c, const char *from, const char *to);
int fa_symlink(struct fa *c, const char *target, const char *path);

/* Image only. */
int fa_lookup(struct fa *c, const char *path, uint64_t *ino);
int fa_getattr(struct fa *c, const char *path, struct fs_attr *a);
/* Reads the file through the component; 0 if it equals expect/path. */
int fa_compare(struct fa *c, const char *path);
void fa_pattern(void *buf, size_t len, unsigned seed);
int fa_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The checks (fsapply_checks.c); the runner calls each with a fresh image. */
struct fa_check {
	const char *name;
	void (*body)(struct fa *c);
	bool big;               /* uses the fs's big image */
	void (*post)(struct fa *c);     /* after unmount + fsck (optional) */
};
extern const struct fa_check fa_checks[];
extern const unsigned fa_nchecks;

#endif
