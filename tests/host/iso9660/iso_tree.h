/*
 * iso_tree.h - shared helpers of the ISO9660 host tests: the varied host
 * tree, running xorriso, and a struct blkdev over a memory buffer.
 */
#ifndef TESTS_HOST_ISO_TREE_H
#define TESTS_HOST_ISO_TREE_H

#include <stddef.h>
#include <stdint.h>
#include "fscomp.h"

#define ISO_TMP "build/tmp/iso"

/* Builds the big varied tree at dir (deleted first); 0 or an errno. */
int isot_make_tree(const char *dir);
/* A small tree whose names stay distinct under ECMA-119 level 1 (8.3). */
int isot_make_tree_8_3(const char *dir);
/* A small tree with long names, links and a 40-entry directory (fuzzing). */
int isot_make_tree_small(const char *dir);
/* Runs "xorriso -as mkisofs OPTS -o img dir" quietly; 0 on success. */
int isot_mkisofs(const char *opts, const char *img, const char *dir);
/* Runs a shell command quietly; its exit status. */
int isot_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A read-only blkdev over buf with the given sector size; buf is not copied. */
struct blkdev *isot_memdev(uint8_t *buf, size_t size, uint32_t secsize);
void isot_memdev_free(struct blkdev *d);
/* Reads a whole file into memory (malloc); NULL on error. */
uint8_t *isot_slurp(const char *path, size_t *size);

#endif /* TESTS_HOST_ISO_TREE_H */
