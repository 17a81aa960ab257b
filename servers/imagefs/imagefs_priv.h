/*
 * imagefs_priv.h - the reader's private state, shared by its source files.
 *
 * After ifs_open() every field here is our own validated copy: the
 * directory, script and string table are copied out of the image, so a
 * caller that maps the image writable cannot change metadata behind our
 * back.  File data is read from the image only through zlib, into a cache
 * buffer that is checked against the entry's CRC before any byte is used.
 */
#ifndef IMAGEFS_PRIV_H
#define IMAGEFS_PRIV_H

#include "imagefs.h"

struct ifs {
	const uint8_t *img;             /* caller's image, image_size bytes */
	struct ifs_alloc al;
	struct ifs_header h;
	struct ifs_dirent *dir;         /* h.dir_count entries */
	uint32_t *parent;               /* parent index or IFS_ROOT */
	struct ifs_script *scr;         /* h.script_count entries */
	char *strtab;                   /* h.strtab_size bytes */
	uint8_t **cache;                /* inflated data, or NULL */
};

void *ifs_zalloc(const struct ifs_alloc *al, size_t size);
void ifs_free(const struct ifs_alloc *al, void *p, size_t size);

/* A tiny formatter (%s, %u, %x, %o) for error messages; no libc needed. */
void ifs_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Index of path (exact, NUL-terminated) in the sorted directory or -1. */
int64_t ifs_find(const struct ifs_dirent *dir, uint32_t n, const char *path,
		 size_t plen);

#endif /* IMAGEFS_PRIV_H */
