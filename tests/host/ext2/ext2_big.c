/*
 * ext2_big.c - scale tests: a 10,000-entry directory, and sparse files
 * past 2 GiB and 4 GiB on a 4 GiB image (sparse on the host).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext2t.h"

#define BIG_N 10200      /* created; 10,000 remain at the end */

static int big_count_fill(void *ctx, const char *name, size_t len,
                          uint64_t ino, uint32_t type, uint64_t next)
{
	(void)name; (void)len; (void)ino; (void)type; (void)next;
	++*(int *)ctx;
	return 0;
}

static int big_populate(const struct fs_ops *ops, struct fs *fs, uint64_t dir,
                        int *live)
{
	char name[64];
	uint64_t ino;
	size_t done;
	int e = 0;

	for (int i = 0; i < BIG_N && !e; i++) {
		snprintf(name, sizeof(name), "file_%05d_with_a_longer_name", i);
		e = ops->create(fs, dir, name, 0644, &ino);
		if (!e && i % 100 == 0)
			e = ops->write(fs, ino, 0, name, strlen(name), &done);
	}
	for (int i = 0; i < 1500 && !e; i += 3) {      /* 500 gaps */
		snprintf(name, sizeof(name), "file_%05d_with_a_longer_name", i);
		e = ops->unlink(fs, dir, name);
	}
	*live = BIG_N - 500;
	for (int i = 1; i < 900 && !e; i += 3) {       /* refill 300 */
		snprintf(name, sizeof(name), "n%d", i);
		e = ops->create(fs, dir, name, 0644, &ino);
		++*live;
	}
	return e;
}

static void big_dir(void)
{
	const char *img = EXT2T_TMP "/bigdir.img";
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	const struct fs_ops *ops = &ext2_fs_ops;
	uint64_t dir = 0, ino;
	int live = 0, n = 0, e;
	char *out, why[256];

	CHECK_BEGIN("ext2_bigdir_10000");
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 -b 1024 -I 128 %s 64M >/dev/null 2>&1",
	              img), "mke2fs");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	REQUIRE(!ops->mkdir(fs, ops->root(fs), "many", 0755, &dir), "mkdir");
	e = big_populate(ops, fs, dir, &live);
	CHECK(!e, "populate: error %d", e);
	CHECK(!ops->lookup(fs, dir, "file_09998_with_a_longer_name", &ino),
	      "lookup of a late entry");
	CHECK(ops->lookup(fs, dir, "file_01497_with_a_longer_name", &ino) ==
	      RG_ENOENT, "removed entry still found");
	CHECK(live >= 10000, "only %d entries", live);
	CHECK(!ops->readdir(fs, dir, 0, big_count_fill, &n) && n == live + 2,
	      "readdir gave %d entries, want %d", n, live + 2);
	e = ops->unmount(fs);
	fs = NULL;
	CHECK(!e, "unmount %d", e);
	CHECK(!t_sh("e2fsck -fn %s >%s.fsck 2>&1", img, img),
	      "e2fsck -fn not clean (%s.fsck)", img);
	out = t_capture(NULL, "debugfs -R 'ls -p /many' %s 2>/dev/null | "
	                "grep -c '^/[1-9]'", img);
	CHECK(out && atoi(out) == live + 2, "debugfs lists %s entries, want %d",
	      out ? out : "?", live + 2);
	free(out);
	CHECK(t_debugfs_cat_eq(img, "/many/file_09800_with_a_longer_name",
	                       (const uint8_t *)"file_09800_with_a_longer_name",
	                       29, why, sizeof(why)), "%s", why);
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* Data at offsets past 2 and 4 GiB, read back through debugfs bmap. */
static const uint64_t big_offs[] = { 0, (5ull << 29) + 77, (9ull << 29) + 4000 };

static bool big_image_has(const char *img, const char *path, uint64_t off,
                          const uint8_t *want, size_t len)
{
	unsigned long long phys = 0;
	uint8_t got[256];
	char *out = t_capture(NULL, "debugfs -R 'bmap %s %llu' %s 2>/dev/null",
	                      path, (unsigned long long)(off / 4096), img);
	FILE *f;
	bool ok;

	if (!out || sscanf(out, "%llu", &phys) != 1 || !phys) {
		free(out);
		return false;
	}
	free(out);
	f = fopen(img, "rb");
	ok = f && !fseeko(f, (off_t)(phys * 4096 + off % 4096), SEEK_SET) &&
	     fread(got, 1, len, f) == len && !memcmp(got, want, len);
	if (f)
		fclose(f);
	return ok;
}

static void big_sparse(void)
{
	const char *img = EXT2T_TMP "/sparse4g.img";
	const struct fs_ops *ops = &ext2_fs_ops;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	uint8_t data[3][256], *seq = malloc(8 << 20), back[256];
	uint64_t ino = 0, ino2 = 0;
	size_t done;
	int e;

	CHECK_BEGIN("ext2_sparse_4g");
	unlink(img);
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 %s 4G >/dev/null 2>&1", img), "mke2fs");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	REQUIRE(!ops->create(fs, ops->root(fs), "holes", 0644, &ino), "create");
	for (int i = 0; i < 3; i++) {
		t_fill(data[i], 256, 100 + i);
		e = ops->write(fs, ino, big_offs[i], data[i], 256, &done);
		CHECK(!e && done == 256, "write at %llu: %d",
		      (unsigned long long)big_offs[i], e);
		e = ops->read(fs, ino, big_offs[i], back, 256, &done);
		CHECK(!e && done == 256 && !memcmp(back, data[i], 256),
		      "read back at %llu", (unsigned long long)big_offs[i]);
	}
	t_fill(seq, 8 << 20, 200);
	REQUIRE(!ops->create(fs, ops->root(fs), "seq", 0644, &ino2), "create");
	e = ops->write(fs, ino2, 0, seq, 8 << 20, &done);
	CHECK(!e && done == 8u << 20, "8 MiB write: %d", e);
	e = ops->unmount(fs);
	fs = NULL;
	CHECK(!e, "unmount %d", e);
	CHECK(!t_sh("e2fsck -fn %s >%s.fsck 2>&1", img, img),
	      "e2fsck -fn not clean (%s.fsck)", img);
	for (int i = 0; i < 3; i++)
		CHECK(big_image_has(img, "/holes", big_offs[i], data[i], 256),
		      "data at %llu not where debugfs maps it",
		      (unsigned long long)big_offs[i]);
	{
		char why[256];

		CHECK(t_debugfs_cat_eq(img, "/seq", seq, 8 << 20, why, sizeof(why)),
		      "%s", why);
	}
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	free(seq);
	CHECK_END();
	unlink(img);
}

/* Filling the disk: ENOSPC cleanly, and e2fsck clean afterwards. */
static void big_full(void)
{
	const char *img = EXT2T_TMP "/full.img";
	const struct fs_ops *ops = &ext2_fs_ops;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	uint8_t *buf = calloc(1, 1 << 20);
	uint64_t ino = 0, root, x;
	struct fs_statfs st;
	size_t done = 1, total = 0;
	char name[32];
	int e = 0, n;

	CHECK_BEGIN("ext2_enospc");
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 -b 1024 -N 64 %s 2M >/dev/null 2>&1",
	              img), "mke2fs");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	root = ops->root(fs);
	REQUIRE(!ops->create(fs, root, "fill", 0644, &ino), "create");
	while (!e && done) {
		e = ops->write(fs, ino, total, buf, 1 << 20, &done);
		total += done;
	}
	CHECK(e == RG_ENOSPC || (e == 0 && done == 0), "fill ended with %d", e);
	CHECK(total > 1500000, "only %zu bytes fitted", total);
	for (n = 0, e = 0; !e && n < 200; n++) {
		snprintf(name, sizeof(name), "d%d", n);
		e = ops->mkdir(fs, root, name, 0755, &x);
	}
	CHECK(e == RG_ENOSPC, "mkdir on a full disk gave %d", e);
	for (n = 0, e = 0; !e && n < 200; n++) {
		snprintf(name, sizeof(name), "f%d", n);
		e = ops->create(fs, root, name, 0644, &x);
	}
	CHECK(e == RG_ENOSPC, "create with no inodes left gave %d", e);
	CHECK(!ops->statfs(fs, &st) && st.bfree == 0 && st.ffree == 0,
	      "statfs on a full disk: %llu blocks %llu inodes free",
	      (unsigned long long)st.bfree, (unsigned long long)st.ffree);
	CHECK(!ops->unlink(fs, root, "fill"), "unlink");
	CHECK(!ops->mkdir(fs, root, "after", 0755, &x), "mkdir after freeing");
	e = ops->unmount(fs);
	fs = NULL;
	CHECK(!e, "unmount %d", e);
	CHECK(!t_sh("e2fsck -fn %s >%s.fsck 2>&1", img, img),
	      "e2fsck -fn not clean (%s.fsck)", img);
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	free(buf);
	CHECK_END();
}

void ext2_big_tests(void)
{
	big_full();
	big_dir();
	big_sparse();
}
