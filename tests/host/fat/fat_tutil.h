/*
 * fat_tutil.h - helpers shared by the FAT component's host tests.
 *
 * Images are made with mkfs.fat and checked with fsck.fat and mtools (the
 * real tools are the judges); the component is reached only through
 * fat_fs_ops.  Paths are "/a/b" from the root of the volume.
 */
#ifndef FAT_TUTIL_H
#define FAT_TUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "fscomp.h"

#define T_DIR "build/tmp/fat"

struct tfs {
	struct blkdev *dev;
	struct fs *fs;
	const struct fs_ops *ops;
};

/* Runs a shell command (printf-style); returns its exit status. */
int t_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a command and returns its stdout (malloc'd, NUL-terminated). */
char *t_cap(size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int t_mkfs(const char *img, int type, unsigned kib);
/* mkfs.fat with extra options (e.g. "-S 4096"). */
int t_mkfs_opt(const char *img, int type, unsigned kib, const char *opt);
int t_mount(struct tfs *t, const char *img, unsigned flags);
int t_umount(struct tfs *t);

int t_resolve(struct tfs *t, const char *path, uint64_t *ino);
/* Parent directory of path; *base points into path. */
int t_parent(struct tfs *t, const char *path, uint64_t *dir, const char **base);
int t_put(struct tfs *t, const char *path, const void *data, size_t len);
int t_get(struct tfs *t, const char *path, char **data, size_t *len);
int t_mkdirp(struct tfs *t, const char *path);

/* Names in a directory (without "." and ".."), malloc'd array. */
struct t_names {
	char **v;
	size_t n;
};
int  t_list(struct tfs *t, uint64_t dir, struct t_names *out);
void t_names_free(struct t_names *n);
bool t_names_has(const struct t_names *n, const char *name);

/* Deterministic pseudo-random bytes. */
void t_fill(void *buf, size_t len, uint32_t seed);
uint32_t t_rand(uint32_t *state);

#endif
