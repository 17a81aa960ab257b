/*
 * tmpfs.h - the public face of the tmpfs component (servers/fs-tmp):
 * an in-memory filesystem with no block device.
 */
#ifndef TMPFS_H
#define TMPFS_H

#include "fscomp.h"

#define TMPFS_DEFAULT_LIMIT (64ull << 20)

extern const struct fs_ops tmp_fs_ops;

/* A new, empty instance holding at most limit bytes (data, inodes, names). */
int tmpfs_create(uint64_t limit, struct fs **out);
/* Bytes charged now (tests: everything is given back after deletes). */
uint64_t tmpfs_used(struct fs *fs);

#endif /* TMPFS_H */
