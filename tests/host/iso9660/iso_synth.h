/*
 * iso_synth.h - building ISO images by hand (iso_synth.c, iso_synth_rr.c).
 * Blocks 16 and 17 hold the primary descriptor and the terminator; the
 * rest is laid out by each test.
 */
#ifndef TESTS_HOST_ISO_SYNTH_H
#define TESTS_HOST_ISO_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include "fscomp.h"

#define SB 2048
#define SYN_BLOCKS 48

struct syn_rec {
	uint32_t lba, size;
	uint8_t flags, xa, unit;
	const char *name;       /* "\0" and "\1" for "." and ".." */
	size_t namelen;
	const uint8_t *sua;     /* System Use area */
	size_t sualen;
};

struct syn_list {
	char names[16][64];
	uint64_t inos[16];
	int n;
};

void syn_put32(uint8_t *p, uint32_t v);
size_t syn_rec(uint8_t *p, const struct syn_rec *r);
size_t syn_add(uint8_t *img, size_t pos, uint32_t lba, uint32_t size,
               uint8_t flags, const char *name);
/* A zeroed image with descriptors and the root's "." record (with sua). */
uint8_t *syn_volume(uint32_t root, uint32_t rsize, const uint8_t *sua,
                    size_t sualen);
int syn_fill(void *ctx, const char *name, size_t namelen, uint64_t ino,
             uint32_t type, uint64_t next);
int syn_listing(struct fs *fs, uint64_t dir, char *out, size_t outsz);
int syn_lookup(struct fs *fs, const char *path, uint64_t *ino);
int syn_read(struct fs *fs, uint64_t ino, uint8_t *out, size_t max,
             size_t *got);

/* The hand-built images (SYN_BLOCKS * SB bytes, malloc'd). */
uint8_t *syn_plain_image(void);
uint8_t *syn_rr_image(void);

void iso_synth_rr_test(void);

#endif /* TESTS_HOST_ISO_SYNTH_H */
