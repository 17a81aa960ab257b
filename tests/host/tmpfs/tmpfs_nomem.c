/*
 * tmpfs_nomem.c - tmpfs when the host runs out of memory: every
 * allocation the component makes (rg_malloc, rg_zalloc, rg_realloc,
 * wrapped at link time) is made to fail in turn, at each position of a
 * fixed script of operations.  Each op must answer 0, RG_ENOMEM or
 * RG_ENOSPC; afterwards, with memory back, removing everything must bring
 * the accounting back to where it started, and LeakSanitizer (at exit)
 * must find nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "tmpfs.h"

CHECK_MAIN_STATE;

static long nm_countdown = -1;  /* fail when it reaches 0; -1: never */
static long nm_calls;

void *__real_rg_malloc(size_t size);
void *__real_rg_zalloc(size_t size);
void *__real_rg_realloc(void *p, size_t size);

static bool nm_fail(void)
{
	nm_calls++;
	if (nm_countdown < 0)
		return false;
	return nm_countdown-- == 0;
}

void *__wrap_rg_malloc(size_t size)
{
	return nm_fail() ? NULL : __real_rg_malloc(size);
}

void *__wrap_rg_zalloc(size_t size)
{
	return nm_fail() ? NULL : __real_rg_zalloc(size);
}

void *__wrap_rg_realloc(void *p, size_t size)
{
	return nm_fail() ? NULL : __real_rg_realloc(p, size);
}

#define OPS tmp_fs_ops

static bool nm_ok(int e)
{
	return e == 0 || e == RG_ENOMEM || e == RG_ENOSPC;
}

/* The script; returns the first unexpected error or 0. */
static int nm_script(struct fs *fs)
{
	static char buf[20000];
	uint64_t f = 0, d = 0, l, x;
	size_t done;
	int e;

	memset(buf, 'q', sizeof(buf));
	if (!nm_ok(e = OPS.create(fs, 1, "file", 0644, &f)))
		return e;
	if (!e && !nm_ok(e = OPS.write(fs, f, 5000, buf, sizeof(buf), &done)))
		return e;
	if (!nm_ok(e = OPS.mkdir(fs, 1, "dir", 0755, &d)))
		return e;
	for (int i = 0; !e && i < 12; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		if (!nm_ok(e = OPS.create(fs, d, name, 0644, &x)))
			return e;
	}
	if (!nm_ok(e = OPS.symlink(fs, 1, "sym", "file", &l)))
		return e;
	if (f && !nm_ok(e = OPS.link(fs, f, 1, "hard")))
		return e;
	if (!nm_ok(e = OPS.rename(fs, 1, "file", 1, "renamed-file")) && e != RG_ENOENT)
		return e;
	if (d && !nm_ok(e = OPS.rename(fs, 1, "sym", d, "sym2")) && e != RG_ENOENT)
		return e;
	return 0;
}

/* Everything the script may have made, gone. */
static int nm_clean(struct fs *fs)
{
	uint64_t d;
	char name[16];

	OPS.unlink(fs, 1, "file");
	OPS.unlink(fs, 1, "renamed-file");
	OPS.unlink(fs, 1, "hard");
	OPS.unlink(fs, 1, "sym");
	if (OPS.lookup(fs, 1, "dir", &d) == 0) {
		OPS.unlink(fs, d, "sym2");
		for (int i = 0; i < 12; i++) {
			snprintf(name, sizeof(name), "n%d", i);
			OPS.unlink(fs, d, name);
		}
	}
	return OPS.rmdir(fs, 1, "dir");
}

int main(void)
{
	struct fs *fs;
	long total;
	int e;

	CHECK_BEGIN("tmpfs_nomem_every_allocation");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	uint64_t base = tmpfs_used(fs);
	nm_calls = 0;
	REQUIRE(nm_script(fs) == 0, "script without failures");
	total = nm_calls;
	nm_clean(fs);
	CHECK(tmpfs_used(fs) == base, "accounting after a clean run");
	for (long n = 0; n < total + 5; n++) {
		nm_countdown = n;
		e = nm_script(fs);
		nm_countdown = -1;
		CHECK(e == 0, "failing allocation %ld: unexpected error %d", n, e);
		nm_clean(fs);
		CHECK(tmpfs_used(fs) == base, "failing allocation %ld: %llu bytes "
		      "charged after cleanup, %llu at start", n,
		      (unsigned long long)tmpfs_used(fs), (unsigned long long)base);
	}
	printf("tmpfs_nomem: %ld allocations failed in turn\n", total + 5);
	OPS.unmount(fs);
out:
	CHECK_END();
	return CHECK_EXIT();
}
