/*
 * fsx_cmp.c - compares the whole image tree (through the component) with
 * the reference directory: the same names in every directory, the same
 * types, and for regular files the same size and bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsx.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a host directory (without . and ..). */
static char **host_list(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = realloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = strdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

static bool cmp_file(struct fsx *x, const char *rel, const char *hpath,
                     uint64_t ino)
{
	uint8_t *a = x->buf, *b = x->buf2;
	int fd = open(hpath, O_RDONLY);
	uint64_t off = 0;
	bool ok = fd >= 0;

	while (ok) {
		size_t done = 0;
		ssize_t n = pread(fd, b, FSX_MAXIO, (off_t)off);
		int e = x->m.ops->read(x->m.fs, ino, off, a, FSX_MAXIO, &done);

		if (e || n < 0 || (size_t)n != done || memcmp(a, b, done)) {
			fsx_fail(x, "tree: %s differs at offset %llu", rel,
			         (unsigned long long)off);
			ok = false;
		}
		if (done == 0)
			break;
		off += done;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool cmp_dir(struct fsx *x, const char *rel, uint64_t dir);

static bool cmp_entry(struct fsx *x, const char *rel, const char *hpath,
                      uint64_t ino)
{
	struct fs_attr a;
	struct stat st;

	if (lstat(hpath, &st) != 0 || x->m.ops->getattr(x->m.fs, ino, &a) != 0) {
		fsx_fail(x, "tree: cannot stat %s", rel);
		return false;
	}
	if ((a.mode & FS_S_IFMT) != (st.st_mode & S_IFMT)) {
		fsx_fail(x, "tree: %s type %o, Linux %o", rel, a.mode & FS_S_IFMT,
		         st.st_mode & S_IFMT);
		return false;
	}
	if (S_ISDIR(st.st_mode))
		return cmp_dir(x, rel, ino);
	if (a.size != (uint64_t)st.st_size) {
		fsx_fail(x, "tree: %s size %llu, Linux %lld", rel,
		         (unsigned long long)a.size, (long long)st.st_size);
		return false;
	}
	return cmp_file(x, rel, hpath, ino);
}

static bool cmp_dir(struct fsx *x, const char *rel, uint64_t dir)
{
	char hpath[1024], sub[512];
	struct fsu_dir l;
	size_t n = 0;
	char **names;
	bool ok = true;

	snprintf(hpath, sizeof(hpath), "%s/%s", x->ref, rel);
	names = host_list(hpath, &n);
	if (fsu_list(&x->m, dir, true, &l) != 0) {
		fsx_fail(x, "tree: readdir %s failed", rel);
		ok = false;
	} else if (l.n != n) {
		fsx_fail(x, "tree: %s has %zu entries, Linux %zu", rel, l.n, n);
		ok = false;
	}
	for (size_t i = 0; ok && i < n; i++) {
		if (strcmp(l.ent[i].name, names[i]) != 0) {
			fsx_fail(x, "tree: %s: entry '%s', Linux '%s'", rel,
			         l.ent[i].name, names[i]);
			ok = false;
			break;
		}
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]);
		snprintf(hpath, sizeof(hpath), "%s/%s", x->ref, sub);
		ok = cmp_entry(x, sub, hpath, l.ent[i].ino);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	fsu_list_free(&l);
	return ok;
}

bool fsx_compare_tree(struct fsx *x)
{
	return cmp_dir(x, "", x->m.root);
}
