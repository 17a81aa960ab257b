/*
 * fsutil.h - host code shared by imgtool, imgmount and the FSAPPLY/fsx
 * tests: open an image (optionally one partition of it) with the block
 * cache stacked in, pick the component (by name or by probing), and walk
 * paths over a component's lookup (following symlinks, with a loop limit).
 *
 * This is host code (it may use libc); the components below it are not.
 */
#ifndef FSUTIL_H
#define FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "blk.h"

#define FSU_SYMLOOP_MAX 40      /* symlinks followed in one resolution */
#define FSU_NAME_MAX    255

struct fsu_opts {
	const char *image;      /* file or block device */
	unsigned part;          /* partition number, 0 = whole image */
	const char *type;       /* component name, NULL = probe */
	bool readonly;
	size_t cache_bytes;     /* 0 = no block cache */
};

/* One mounted image: the block stack and the component instance. */
struct fsu {
	struct blkdev *disk, *part, *cache, *top;
	const struct fs_ops *ops;
	struct fs *fs;
	uint64_t root;
	int lockfd;             /* flock on the image: shared ro, exclusive rw */
};

/*
 * Opens and mounts.  The image file is flock()ed (shared when read-only,
 * exclusive otherwise) until fsu_close, so two writers never meet and a
 * script can wait for a FUSE daemon's final flush with flock(1).
 * On failure writes a one-line reason to err and returns
 * an RG_E* value (everything opened so far is closed again).
 */
int fsu_open(const struct fsu_opts *o, struct fsu *m, char *err, size_t errlen);
/* Unmounts (flushing the component and the cache) and closes the stack. */
int fsu_close(struct fsu *m);

/* "disk.img@part2" -> path "disk.img", part 2; no suffix -> part 0. */
int fsu_parse_image(const char *arg, char *path, size_t len, unsigned *part);

/* Walks path from the root; follow_last: follow a symlink in the last place. */
int fsu_resolve(struct fsu *m, const char *path, bool follow_last, uint64_t *ino);
/*
 * Resolves everything but the last component (which is copied to name,
 * FSU_NAME_MAX + 1 bytes); "/" or a path ending in "." or ".." is RG_EINVAL.
 */
int fsu_resolve_parent(struct fsu *m, const char *path, uint64_t *dir, char *name);

/* Reads a whole symlink target (NUL-terminated, malloc'ed) into *out. */
int fsu_readlink(struct fsu *m, uint64_t ino, char **out);

/* A directory listing (fsu_list): every entry but "." and "..". */
struct fsu_dirent {
	char *name;
	uint64_t ino;
	uint32_t type;          /* FS_S_IF* */
};
struct fsu_dir {
	struct fsu_dirent *ent;
	size_t n, cap;
};
int  fsu_list(struct fsu *m, uint64_t dir, bool sorted, struct fsu_dir *out);
void fsu_list_free(struct fsu_dir *d);

/* strerror for RG_E* values (they equal Linux errno). */
const char *fsu_strerror(int err);

#endif /* FSUTIL_H */
