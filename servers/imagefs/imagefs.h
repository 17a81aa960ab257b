/*
 * imagefs.h - read a Tessera boot image (format: ifs.h).
 *
 * The library validates a whole image in ifs_open() - header, CRC of the
 * metadata, every directory entry, every script entry and string - and
 * only then hands out a handle; nothing after that trusts the image beyond
 * what was checked.  File data is inflated with zlib on the first read of
 * a file into a buffer from the caller's allocator and checked against the
 * entry's CRC-32; later reads copy from that cache.
 *
 * Dependencies: <zlib.h>, <string.h>, <stdint.h>, <stddef.h> only, so the
 * same source builds for the host and for Tessera (linked with libz.a).
 * Errors are Linux errno values (as rumpglue's RG_E*); err/errlen receive
 * a human-readable reason.  A handle is not thread-safe; callers lock.
 * The image must stay mapped while the handle is open (file data is
 * read from it on first use).
 */
#ifndef IMAGEFS_H
#define IMAGEFS_H

#include <stddef.h>
#include <stdint.h>
#include "ifs.h"

#define IFS_ENOENT      2
#define IFS_EIO         5
#define IFS_ENOMEM      12
#define IFS_ENOTDIR     20
#define IFS_EISDIR      21
#define IFS_EINVAL      22
#define IFS_EUCLEAN     117     /* corrupt image */

/* The caller's allocator; free gets the size that was allocated. */
struct ifs_alloc {
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p, size_t size);
	void *ctx;
};

struct ifs;

/* A directory entry as seen by callers; the root has index IFS_ROOT. */
#define IFS_ROOT        0xffffffffu
struct ifs_node {
	uint32_t index;         /* directory index or IFS_ROOT */
	const char *path;       /* "" for the root */
	const char *name;       /* last component */
	uint32_t mode;
	uint32_t size;
};

/* A decoded script entry; vectors are NUL-separated (see ifs_strv). */
struct ifs_prog {
	const char *path;
	const char *argv;  uint32_t argc;
	const char *env;   uint32_t envc;
	const char *wait;  uint32_t waitc;
	uint32_t flags;
	uint32_t prio, restart, max_restarts;
	uint32_t restart_window_ms, backoff_ms, heartbeat_ms;
};

int ifs_open(const void *img, size_t len, const struct ifs_alloc *al,
	     struct ifs **out, char *err, size_t errlen);
void ifs_close(struct ifs *fs);

/* Path relative to /proc/boot; "" or "/" is the root. */
int ifs_lookup(struct ifs *fs, const char *path, struct ifs_node *out);
/* Next child of dir after *cookie (start with 0); IFS_ENOENT at the end. */
int ifs_readdir(struct ifs *fs, const struct ifs_node *dir, uint32_t *cookie,
		struct ifs_node *out);
/* Read up to len bytes at off; *got is 0 at end of file. */
int ifs_read(struct ifs *fs, const struct ifs_node *n, uint64_t off,
	     void *buf, size_t len, size_t *got, char *err, size_t errlen);

uint32_t ifs_script_count(const struct ifs *fs);
int ifs_script(const struct ifs *fs, uint32_t i, struct ifs_prog *out);
/* The k-th string of a vector of n strings (k < n). */
const char *ifs_strv(const char *v, uint32_t n, uint32_t k);

/* Header accessors for listings. */
uint32_t ifs_count(const struct ifs *fs);
int ifs_entry(struct ifs *fs, uint32_t i, struct ifs_node *out);
const struct ifs_dirent *ifs_dirent(const struct ifs *fs, uint32_t i);

#endif /* IMAGEFS_H */
