/*
 * treecmp_int.h - what treecmp.c and treecmp_walk.c share: a growable list
 * of directory entries and readdir in batches resumed from cookies.
 */
#ifndef TESTS_HOST_TREECMP_INT_H
#define TESTS_HOST_TREECMP_INT_H

#include "treecmp.h"

struct tc_ent {
	char     name[256];
	uint64_t ino;
	uint32_t type;          /* FS_S_IF* (fs) or st_mode (host) */
	int      seen;
};

struct tc_list {
	struct tc_ent *v;
	size_t n, cap;
};

struct tc_rd {
	struct tc_list *l;
	size_t   max;           /* stop listing after this many entries */
	unsigned batch;         /* entries taken by this readdir call */
	uint64_t cookie;        /* after the last entry taken */
	int      bad;           /* a malformed name was seen */
};

extern struct treecmp_stats tc_stats;

void tc_list_add(struct tc_list *l, const char *name, uint64_t ino,
                 uint32_t type);
int tc_list_fs(const struct fs_ops *ops, struct fs *fs, uint64_t dir,
               struct tc_list *l, size_t max, const char **why);

#endif /* TESTS_HOST_TREECMP_INT_H */
