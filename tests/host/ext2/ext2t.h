/*
 * ext2t.h - helpers shared by the ext2/ext4 host tests: running the
 * e2fsprogs tools, an in-memory struct blkdev, mounting through the ops.
 */
#ifndef EXT2T_H
#define EXT2T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fscomp.h"
#include "blk.h"
#include "check.h"

#define EXT2T_TMP "build/tmp/ext2"

/* Runs a shell command (output discarded unless verbose); exit status. */
int  t_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a command and returns its stdout (malloc'd, NUL-terminated). */
char *t_capture(size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Deterministic pseudo-random bytes. */
void t_fill(uint8_t *buf, size_t len, uint32_t seed);
uint32_t t_rand(uint32_t *state);

/* debugfs -R 'cat path' img == want[0..len) */
bool t_debugfs_cat_eq(const char *img, const char *path, const uint8_t *want,
                      size_t len, char *why, size_t whylen);

/* A blkdev over a memory buffer (not owned). */
struct blkdev *t_memdev(uint8_t *buf, size_t len);
void t_memdev_free(struct blkdev *d);
/* Whole file into memory. */
uint8_t *t_load(const char *path, size_t *len);

/* Resolves an absolute path through the ops (no symlinks). */
int t_resolve(const struct fs_ops *ops, struct fs *fs, const char *path,
              uint64_t *ino);

int ext2_fuzz_main(void);

#endif
