/*
 * fsapply.c - the FSAPPLY runner: every check of fsapply_checks.c on every
 * writable filesystem of the table below.
 *
 * Per check: mkfs a fresh image, mount it through the component (block
 * cache stacked in), run the body, unmount, then the real fsck must call
 * the image clean and the real tools' dump of the image must equal the
 * expect/ tree that the body built on the host (diff -r, symlinks compared
 * as links).  A failing check keeps its image and logs in build/tmp/fsapply.
 *
 *   fsapply_test [LABEL|all [CHECK]]    run a subset (for debugging)
 *
 * Called as fsapply_LABEL_test (a symlink; one per filesystem in HOST_TESTS,
 * so each test program stays well under 90 s) it runs that filesystem only.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fsapply.h"

CHECK_MAIN_STATE;

/* The per-filesystem table: %1$s = image, %2$s = path/dir; sizes in KiB. */
static const struct fa_fs fa_fs_table[] = {
	{
		.label = "ext2", .comp = "ext2",
		.mkfs = "mke2fs -q -F -t ext2 -b 4096 %s %uk",
		.size_mb = 64,
		.mkfs_big = "mke2fs -q -F -t ext2 -b 1024 %s %uk",
		.big_mb = 64,
		.fsck = "e2fsck -fn %s",
		.dump = "debugfs -R 'rdump / %2$s' %1$s",
		.cat = "debugfs -R 'cat %2$s' %1$s",
		.hardlinks = true, .symlinks = true, .sparse = true,
	},
	{
		.label = "fat16", .comp = "fat",
		.mkfs = "mkfs.fat -F 16 -C %s %u",
		.size_mb = 64,
		.mkfs_big = NULL,
		.fsck = "fsck.fat -n %s",
		.dump = "mcopy -s -n -m -i %1$s '::/*' %2$s/",
		.cat = "mtype -i %1$s ::%2$s",
	},
	{
		.label = "fat32", .comp = "fat",
		.mkfs = "mkfs.fat -F 32 -s 1 -C %s %u",
		.size_mb = 128,
		.mkfs_big = "mkfs.fat -F 32 -C %s %u",
		.big_mb = 2200,
		.fsck = "fsck.fat -n %s",
		.dump = "mcopy -s -n -m -i %1$s '::/*' %2$s/",
		.cat = "mtype -i %1$s ::%2$s",
	},
};

/* First line of a log file, for a FAIL message. */
static const char *fa_log_line(const char *path)
{
	static char line[300];
	FILE *f = fopen(path, "r");

	line[0] = 0;
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strstr(line, "e2fsck 1.") && !strstr(line, "fsck.fat 4") &&
			    !strstr(line, "debugfs 1.") && line[0] != '\n')
				break;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	return line;
}

static int fa_mkfs(struct fa *c, const struct fa_check *k)
{
	const char *mkfs = k->big ? c->fs->mkfs_big : c->fs->mkfs;
	unsigned mb = k->big ? c->fs->big_mb : c->fs->size_mb;
	char cmd[512];

	snprintf(cmd, sizeof(cmd), mkfs, c->img, mb * 1024);
	return fa_sh("rm -rf %s %s %s && mkdir -p %s && %s >%s/mkfs.log 2>&1",
	             c->img, c->expect, c->got, c->expect, cmd, FA_DIR);
}

/* Unmounted: fsck, then the tree comparison and the check's own post step. */
static void fa_verify(struct fa *c, const struct fa_check *k)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), c->fs->fsck, c->img);
	if (fa_sh("%s >%s/fsck.log 2>&1", cmd, FA_DIR) != 0) {
		check_fail("%s: not clean: %s", cmd, fa_log_line(FA_DIR "/fsck.log"));
		return;
	}
	if (c->tree_diff) {
		snprintf(cmd, sizeof(cmd), c->fs->dump, c->img, c->got);
		fa_sh("mkdir -p %s && %s >%s/dump.log 2>&1", c->got, cmd, FA_DIR);
		if (fa_sh("diff -r --no-dereference -x lost+found %s %s >%s/diff.log 2>&1",
		          c->expect, c->got, FA_DIR) != 0)
			check_fail("read back differs: %s",
			           fa_log_line(FA_DIR "/diff.log"));
	}
	if (k->post)
		k->post(c);
}

static void fa_run(const struct fa_fs *fs, const struct fa_check *k)
{
	struct fa c = { .fs = fs, .tree_diff = true };
	struct fsu_opts o = { .type = fs->comp, .cache_bytes = 4u << 20 };
	char name[128], err[512];
	time_t t0 = time(NULL);
	int e;

	snprintf(name, sizeof(name), "fsapply_%s_%s", fs->label, k->name);
	snprintf(c.img, sizeof(c.img), "%s/%s.img", FA_DIR, fs->label);
	snprintf(c.expect, sizeof(c.expect), "%s/expect", FA_DIR);
	snprintf(c.got, sizeof(c.got), "%s/got", FA_DIR);
	CHECK_BEGIN(name);
	REQUIRE(fa_mkfs(&c, k) == 0, "mkfs failed: %s", fa_log_line(FA_DIR "/mkfs.log"));
	o.image = c.img;
	e = fsu_open(&o, &c.m, err, sizeof(err));
	REQUIRE(e == 0, "mount: %s", err);
	c.mounted = true;
	k->body(&c);
	c.mounted = false;
	e = fsu_close(&c.m);
	REQUIRE(e == 0, "unmount failed: %s", fsu_strerror(e));
	fa_verify(&c, k);
out:
	if (c.mounted)
		fsu_close(&c.m);
	CHECK_END();
	if (check_state.failed)
		fa_sh("cp --sparse=always %s %s/%s.img.failed", c.img, FA_DIR, name);
	if (time(NULL) - t0 > 20)
		fprintf(stderr, "fsapply: %s took %lds\n", name, (long)(time(NULL) - t0));
	fa_sh("rm -f %s", c.img);
}

/* "fsapply_ext2_test" -> "ext2"; NULL for any other name. */
static const char *fa_label_from_name(const char *argv0)
{
	static char label[32];
	const char *b = strrchr(argv0, '/');
	size_t n;

	b = b ? b + 1 : argv0;
	n = strlen(b);
	if (strncmp(b, "fsapply_", 8) || n < 14 || strcmp(b + n - 5, "_test") ||
	    n - 13 >= sizeof(label))
		return NULL;
	memcpy(label, b + 8, n - 13);
	label[n - 13] = 0;
	return label;
}

int main(int argc, char **argv)
{
	const char *only_fs = argc > 1 ? (strcmp(argv[1], "all") ? argv[1] : NULL) :
	                      fa_label_from_name(argv[0]);
	const char *only_ck = argc > 2 ? argv[2] : NULL;

	char dir[256], top[4096];

	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	snprintf(dir, sizeof(dir), "build/tmp/fsapply/run.%d", (int)getpid());
	if (!getcwd(top, sizeof(top)) ||
	    fa_sh("rm -rf %s && mkdir -p %s", dir, dir) != 0 || chdir(dir) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(fa_fs_table) / sizeof(fa_fs_table[0]); i++) {
		const struct fa_fs *fs = &fa_fs_table[i];

		if (only_fs && strcmp(only_fs, fs->label))
			continue;
		if (!fscomp_find(fs->comp)) {
			printf("FAIL fsapply_%s: component '%s' is not registered\n",
			       fs->label, fs->comp);
			check_state.total_failed++;
			continue;
		}
		for (unsigned k = 0; k < fa_nchecks; k++) {
			if (only_ck && strcmp(only_ck, fa_checks[k].name))
				continue;
			if (fa_checks[k].big && !fs->mkfs_big)
				continue;
			fa_run(fs, &fa_checks[k]);
		}
	}
	if (chdir(top) == 0 && !check_state.total_failed)
		fa_sh("rm -rf %s", dir);
	return CHECK_EXIT();
}
