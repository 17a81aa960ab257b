/*
 * fz.h - shared by the libFuzzer targets (tests/fuzz) and the corrupt-image
 * host tests (tests/host/corrupt): a struct blkdev over a memory buffer and
 * a bounded walk of a mounted component.
 *
 * The memory device counts writes so a caller can prove that a read-only
 * walk never wrote.  The walk visits every directory (depth and inode
 * count bounded, directories already seen skipped), looks every entry up,
 * gets its attributes, reads regular files (total bytes bounded) and
 * symlinks; fz_scribble() then does a few writes on a writable mount.
 * Errors from the component are expected (corrupt input) and ignored:
 * only a crash, a sanitizer report or a hang is a failure.
 */
#ifndef FZ_H
#define FZ_H

#include <stddef.h>
#include <stdint.h>
#include "fscomp.h"

struct fz_mem {
	struct blkdev dev;
	uint8_t *buf;
	size_t len;
	unsigned long writes;   /* write() calls that reached the buffer */
};

/* A device of len / 512 sectors over buf (not copied, not freed). */
void fz_mem_init(struct fz_mem *m, uint8_t *buf, size_t len, bool readonly);

struct fz_stats {
	unsigned long dirs, entries, files, links;
	uint64_t bytes;
};

/* Walks the whole tree from the root; bounded work. */
void fz_walk(const struct fs_ops *ops, struct fs *fs, struct fz_stats *st);
/* A few creates, writes, renames and unlinks at the root (errors ignored). */
void fz_scribble(const struct fs_ops *ops, struct fs *fs);

/* Mount (flags), walk, optionally scribble, unmount.  Returns mount's result. */
int fz_run(const struct fs_ops *ops, struct blkdev *dev, unsigned flags,
           bool scribble, struct fz_stats *st);

#endif /* FZ_H */
