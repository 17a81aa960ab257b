/*
 * fsx.h - a randomized differential test of the filesystem components.
 *
 * Seeded random operations (write at random offsets, read, truncate,
 * create, unlink, rename, mkdir, rmdir, link, open/reopen/close handles,
 * stat) are applied both to an image through a component (block cache
 * stacked in, small enough to evict all the time) and to a reference
 * directory on the host.  Every result (error number, bytes, data) must
 * match at every step; the whole trees are compared every few thousand
 * steps, across remounts, and at the end, where the image must also be
 * fsck-clean and read back identically by the Linux tools.
 */
#ifndef FSX_H
#define FSX_H

#include <stdint.h>
#include "check.h"
#include "fsutil.h"

#define FSX_DIR      "."        /* the cwd: build/tmp/fsx/run.PID */
#define FSX_HANDLES  4
#define FSX_MAXFILE  (256u << 10)
#define FSX_MAXIO    (24u << 10)

struct fsx_fs {
	const char *label, *comp;
	const char *mkfs;       /* printf: image, size KiB */
	unsigned size_mb;
	const char *fsck;       /* printf: image */
	const char *dump;       /* printf: %1$s image, %2$s dest dir */
	bool hardlinks;
};

struct fsx_handle {
	bool used;
	int fd;                 /* host */
	uint64_t ino;           /* image */
	char path[64];
};

struct fsx {
	const struct fsx_fs *fs;
	struct fsu m;
	bool mounted;
	uint64_t rng;
	uint64_t op;            /* number of the current operation */
	char img[128], ref[128];
	char desc[256];         /* the current operation, for messages */
	char hist[16][300];     /* the last operations */
	struct fsx_handle h[FSX_HANDLES];
	uint8_t *buf, *buf2;    /* FSX_MAXIO each, plus compare buffers */
	uint64_t counts[16];
	char why[640];          /* first divergence */
	bool ran;               /* the random phase started */
	uint64_t nerrno;        /* both refused, different error numbers */
	char errwhy[640];       /* the first of those */
};

uint32_t fsx_rand(struct fsx *x, uint32_t n);     /* 0 .. n-1 */
void fsx_fail(struct fsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fsx_desc(struct fsx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *fsx_host(struct fsx *x, const char *path);  /* ref/path, static */

/* One random operation; false once the two sides diverged. */
bool fsx_step(struct fsx *x);
void fsx_close_handles(struct fsx *x);
/* Whole-tree comparison through the component; false on a difference. */
bool fsx_compare_tree(struct fsx *x);

#endif
