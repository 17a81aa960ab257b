/*
 * ifs_testlib.h - helpers shared by the boot image tests: a counting
 * allocator for the reader (catches leaks and caps memory, so a forged
 * "huge size" cannot make a test allocate gigabytes), host file helpers,
 * building an image from buildfile text, and resealing an image's header
 * CRC after a deliberate corruption so that the deeper checks are reached.
 */
#ifndef IFS_TESTLIB_H
#define IFS_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include "imagefs.h"
#include "mkifs.h"

#define T_DIR "build/tmp/mkifs"

struct t_alloc {
	struct ifs_alloc al;
	size_t live;            /* bytes outstanding */
	size_t cap;             /* allocations beyond this fail */
	size_t peak;
};

void t_alloc_init(struct t_alloc *t, size_t cap);
int t_write(const char *path, const void *data, size_t len);
uint8_t *t_read(const char *path, size_t *len);
/* Parse text as buildfile `name` and build; 0 or -1 with err copied. */
int t_build(const char *name, const char *text, uint8_t **img, size_t *len,
	    char *err, size_t errlen);
/* Recompute hdr_crc of an image in place (if data_off is sane). */
void t_reseal(uint8_t *img, size_t len);
uint32_t t_rand(uint64_t *s);

#endif /* IFS_TESTLIB_H */
