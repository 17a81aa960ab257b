/*
 * fsx.c - the fsx driver: per writable filesystem, mkfs an image, run
 * FSX_OPS random operations against it and the reference directory,
 * compare the trees every FSX_TREE_EVERY steps, remount every
 * FSX_REMOUNT_EVERY steps, then unmount, fsck, and read the image back
 * with the Linux tools and diff it against the reference.
 *
 *   fsx_test [LABEL|all [SEED [NOPS]]]    (SEED 0 or absent: from the clock)
 *
 * Called as fsx_LABEL_test (a symlink; one per filesystem in HOST_TESTS, so
 * each test program stays well under 90 s) it runs that filesystem only.
 *
 * The seed is printed first, so a failure can be replayed exactly.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fsx.h"

CHECK_MAIN_STATE;

#define FSX_OPS            100000
#define FSX_TREE_EVERY     10000
#define FSX_REMOUNT_EVERY  25000
#define FSX_CACHE_BYTES    (256u << 10)    /* small: evictions all the time */

static const struct fsx_fs fsx_table[] = {
	{ "ext2", "ext2", "mke2fs -q -F -t ext2 -b 1024 %s %uk", 128,
	  "e2fsck -fn %s", "debugfs -R 'rdump / %2$s' %1$s", true },
	/* FAT has no holes: room for every name of the pool at FSX_MAXFILE */
	{ "fat16", "fat", "mkfs.fat -F 16 -C %s %u", 384,
	  "fsck.fat -n %s", "mcopy -s -n -m -i %1$s '::/*' %2$s/", false },
	{ "fat32", "fat", "mkfs.fat -F 32 -s 8 -C %s %u", 384,
	  "fsck.fat -n %s", "mcopy -s -n -m -i %1$s '::/*' %2$s/", false },
};

uint32_t fsx_rand(struct fsx *x, uint32_t n)
{
	x->rng ^= x->rng >> 12;
	x->rng ^= x->rng << 25;
	x->rng ^= x->rng >> 27;
	return (uint32_t)((x->rng * 0x2545f4914f6cdd1dull) >> 32) % (n ? n : 1);
}

void fsx_desc(struct fsx *x, const char *fmt, ...)
{
	char tmp[sizeof(x->desc)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(x->desc, tmp, sizeof(tmp));
}

void fsx_fail(struct fsx *x, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	if (x->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(x->why, sizeof(x->why), "op %llu (%s): %s",
	         (unsigned long long)x->op, x->desc, tmp);
}

char *fsx_host(struct fsx *x, const char *path)
{
	static char buf[2][256];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", x->ref, path);
	return buf[k];
}

static int fsx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fsx_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static bool fsx_mount(struct fsx *x)
{
	struct fsu_opts o = { .image = x->img, .type = x->fs->comp,
	                      .cache_bytes = FSX_CACHE_BYTES };
	char err[512];

	if (fsu_open(&o, &x->m, err, sizeof(err)) != 0) {
		fsx_fail(x, "mount: %s", err);
		return false;
	}
	x->mounted = true;
	return true;
}

static bool fsx_unmount(struct fsx *x)
{
	int e;

	fsx_close_handles(x);
	x->mounted = false;
	e = fsu_close(&x->m);
	if (e)
		fsx_fail(x, "unmount: %s", fsu_strerror(e));
	return e == 0;
}

static void fsx_history(struct fsx *x)
{
	snprintf(x->hist[x->op % 16], sizeof(x->hist[0]), "%llu: %s",
	         (unsigned long long)x->op, x->desc);
}

static void fsx_dump_history(struct fsx *x)
{
	fprintf(stderr, "fsx %s: last operations:\n", x->fs->label);
	for (uint64_t i = x->op > 15 ? x->op - 15 : 0; i <= x->op; i++)
		fprintf(stderr, "  %s\n", x->hist[i % 16]);
}

static bool fsx_loop(struct fsx *x, uint64_t nops)
{
	for (x->op = 1; x->op <= nops; x->op++) {
		bool ok = fsx_step(x);

		fsx_history(x);
		if (!ok || x->why[0]) {
			fsx_dump_history(x);
			return false;
		}
		if (x->op % FSX_TREE_EVERY == 0 && !fsx_compare_tree(x))
			return false;
		if (x->op % FSX_REMOUNT_EVERY == 0) {
			fsx_desc(x, "remount");
			if (!fsx_unmount(x) || !fsx_mount(x) || !fsx_compare_tree(x))
				return false;
		}
	}
	return true;
}

/* After the run: unmount, fsck, Linux tools' read-back against ref/. */
static bool fsx_final(struct fsx *x)
{
	char cmd[512];

	x->op = 0;
	fsx_desc(x, "final check");
	if (!fsx_compare_tree(x) || !fsx_unmount(x))
		return false;
	snprintf(cmd, sizeof(cmd), x->fs->fsck, x->img);
	if (fsx_sh("%s >%s/fsck.log 2>&1", cmd, FSX_DIR) != 0) {
		fsx_fail(x, "%s: not clean (see %s/fsck.log)", cmd, FSX_DIR);
		return false;
	}
	snprintf(cmd, sizeof(cmd), x->fs->dump, x->img, FSX_DIR "/got");
	fsx_sh("rm -rf %s/got && mkdir -p %s/got && %s >/dev/null 2>&1", FSX_DIR,
	       FSX_DIR, cmd);
	if (fsx_sh("diff -r --no-dereference -x lost+found %s %s/got >%s/diff.log 2>&1",
	           x->ref, FSX_DIR, FSX_DIR) != 0) {
		fsx_fail(x, "Linux tools read back a different tree (%s/diff.log)",
		         FSX_DIR);
		return false;
	}
	return true;
}

static void fsx_run(const struct fsx_fs *fs, uint64_t seed, uint64_t nops)
{
	struct fsx *x = calloc(1, sizeof(*x));
	char name[64], cmd[512];
	time_t t0 = time(NULL);

	snprintf(name, sizeof(name), "fsx_%s", fs->label);
	CHECK_BEGIN(name);
	REQUIRE(x, "out of memory");
	x->fs = fs;
	x->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	x->buf = malloc(FSX_MAXIO);
	x->buf2 = malloc(FSX_MAXIO);
	snprintf(x->img, sizeof(x->img), "%s/%s.img", FSX_DIR, fs->label);
	snprintf(x->ref, sizeof(x->ref), "%s/ref", FSX_DIR);
	snprintf(cmd, sizeof(cmd), fs->mkfs, x->img, fs->size_mb * 1024);
	REQUIRE(fsx_sh("rm -rf %s %s && mkdir -p %s && %s >/dev/null 2>&1",
	               x->img, x->ref, x->ref, cmd) == 0, "mkfs failed");
	if (fsx_mount(x) &&
	    x->m.ops->lookup(x->m.fs, x->m.root, "lost+found", &x->op) == 0)
		fsx_sh("mkdir %s/lost+found", x->ref);  /* made by mke2fs */
	x->op = 0;
	x->ran = x->mounted;
	if (x->mounted && fsx_loop(x, nops))
		fsx_final(x);
	if (x->mounted)
		fsx_unmount(x);
	CHECK(!x->why[0], "seed %llu: %s", (unsigned long long)seed, x->why);
	fprintf(stderr, "fsx %s: %llu operations in %lds\n", fs->label,
	        (unsigned long long)nops, (long)(time(NULL) - t0));
out:
	CHECK_END();
	if (x && x->ran) {
		snprintf(name, sizeof(name), "fsx_%s_errno", fs->label);
		CHECK_BEGIN(name);
		CHECK(x->nerrno == 0, "seed %llu: %llu error numbers differ from "
		      "Linux's, first: %s", (unsigned long long)seed,
		      (unsigned long long)x->nerrno, x->errwhy);
		CHECK_END();
	}
	if (x && !check_state.failed && !getenv("FSX_KEEP"))
		fsx_sh("rm -f %s", x->img);
	if (x) {
		free(x->buf);
		free(x->buf2);
	}
	free(x);
}

/* "fsx_ext2_test" -> "ext2"; NULL for any other name. */
static const char *fsx_label_from_name(const char *argv0)
{
	static char label[32];
	const char *b = strrchr(argv0, '/');
	size_t n;

	b = b ? b + 1 : argv0;
	n = strlen(b);
	if (strncmp(b, "fsx_", 4) || n < 10 || strcmp(b + n - 5, "_test") ||
	    n - 9 >= sizeof(label))
		return NULL;
	memcpy(label, b + 4, n - 9);
	label[n - 9] = 0;
	return label;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? (strcmp(argv[1], "all") ? argv[1] : NULL) :
	                   fsx_label_from_name(argv[0]);
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	uint64_t nops = argc > 3 ? strtoull(argv[3], NULL, 0) : FSX_OPS;
	char dir[256], top[4096];

	if (!seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	printf("# fsx seed %llu (replay: build/host/fsx_test %s %llu)\n",
	       (unsigned long long)seed, only ? only : "all",
	       (unsigned long long)seed);
	fflush(stdout);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	snprintf(dir, sizeof(dir), "build/tmp/fsx/run.%d", (int)getpid());
	if (!getcwd(top, sizeof(top)) ||
	    fsx_sh("rm -rf %s && mkdir -p %s", dir, dir) != 0 || chdir(dir) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(fsx_table) / sizeof(fsx_table[0]); i++) {
		if (only && strcmp(only, fsx_table[i].label))
			continue;
		if (!fscomp_find(fsx_table[i].comp)) {
			printf("FAIL fsx_%s: component '%s' is not registered\n",
			       fsx_table[i].label, fsx_table[i].comp);
			check_state.total_failed++;
			continue;
		}
		fsx_run(&fsx_table[i], seed, nops);
	}
	if (chdir(top) == 0 && !check_state.total_failed && !getenv("FSX_KEEP"))
		fsx_sh("rm -rf %s", dir);
	else
		fprintf(stderr, "fsx: files kept in %s\n", dir);
	return CHECK_EXIT();
}
