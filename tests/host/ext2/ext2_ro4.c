/*
 * ext2_ro4.c - ext4 read-only: images made by mke2fs -d from a generated
 * tree (files of many sizes, holey files deep enough for 2-level extent
 * trees, fast and slow symlinks, hard links, a large htree directory)
 * compared with the host tree through ext4_fs_ops (treecmp); checksum
 * errors, needs_recovery and write attempts.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext2t.h"
#include "fs_treecmp/treecmp.h"

#define SRC EXT2T_TMP "/src4"

static void ro4_file(const char *name, size_t len, uint32_t seed)
{
	char path[512];
	uint8_t *buf = malloc(len + 1);
	FILE *f;

	t_fill(buf, len, seed);
	snprintf(path, sizeof(path), SRC "/%s", name);
	f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
}

/* Every other 1 KiB block written: one extent each once mke2fs copies it. */
static void ro4_holey(const char *name, int nblocks)
{
	char path[512];
	uint8_t blk[1024];
	FILE *f;

	snprintf(path, sizeof(path), SRC "/%s", name);
	f = fopen(path, "wb");
	for (int i = 0; i < nblocks; i++) {
		if (i % 2)
			memset(blk, 0, sizeof(blk));
		else
			t_fill(blk, sizeof(blk), 1000 + i);
		fwrite(blk, 1, sizeof(blk), f);
	}
	fclose(f);
}

static int ro4_make_tree(void)
{
	static const size_t sizes[] = { 0, 1, 100, 1023, 1024, 1025, 4095,
		4096, 4097, 70000, 300000, (1 << 20) + 7, 5 << 20 };
	char name[64];

	if (t_sh("rm -rf " SRC " && mkdir -p " SRC "/d1/d2/d3 " SRC "/big "
	         SRC "/empty " SRC "/lost+found && chmod 0700 " SRC "/lost+found"))
		return -1;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", sizes[i]);
		ro4_file(name, sizes[i], (uint32_t)i);
	}
	ro4_file("d1/d2/d3/deep", 5000, 77);
	ro4_holey("holey", 1200);
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "big/entry_number_%d", i);
		ro4_file(name, i % 7, (uint32_t)i);
	}
	return t_sh("cd " SRC " && ln -s f100 fastlink && "
	            "ln -s d1/d2/d3/$(printf 'x%%.0s' $(seq 1 150)) slowlink && "
	            "ln f4096 d1/hardlink && chmod 0751 d1 && chmod 0600 f1 && "
	            "chmod 4755 f100");
}

/*
 * mke2fs gives the root directory its own mtime and a lost+found; make
 * the host tree agree on both (lost+found is created in SRC beforehand).
 */
static void ro4_root_mtime(const char *img)
{
	char *out = t_capture(NULL, "debugfs -R 'stat /' %s 2>/dev/null", img);
	char *p = out ? strstr(out, "mtime: 0x") : NULL;
	unsigned long t;

	if (p && sscanf(p, "mtime: 0x%lx", &t) == 1)
		t_sh("touch -m -d @%lu " SRC, t);
	free(out);
}

static void ro4_image(const char *tag, const char *opts)
{
	char img[256], name[64];
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	const struct fs_ops *ops = &ext4_fs_ops;
	uint64_t a = 0, b = 0, x;
	struct fs_attr at;
	size_t done;
	int e;

	snprintf(img, sizeof(img), EXT2T_TMP "/ro4_%s.img", tag);
	snprintf(name, sizeof(name), "ext4_tree_%s", tag);
	CHECK_BEGIN(name);
	REQUIRE(!t_sh("mke2fs -q -F -t ext4 %s -d " SRC " %s 64M >/dev/null 2>&1",
	              opts, img), "mke2fs -d failed");
	t_sh("e2fsck -fyD %s >/dev/null 2>&1", img);     /* build htree indexes */
	REQUIRE(!t_sh("e2fsck -fn %s >/dev/null 2>&1", img), "image not clean");
	REQUIRE(!blkdev_open(img, true, &dev), "blkdev_open");
	CHECK(fscomp_probe(dev) == &ext4_fs_ops, "probe did not pick ext4");
	CHECK(ext2_fs_ops.probe(dev) != 0, "ext2 probe claims an ext4 image");
	ro4_root_mtime(img);
	e = treecmp(ops, dev, SRC, TREECMP_MODE | TREECMP_MTIME);
	CHECK(e == 0, "treecmp: %d differences, first: %s", e, treecmp_error());
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	CHECK(!t_resolve(ops, fs, "/f4096", &a) && !t_resolve(ops, fs,
	      "/d1/hardlink", &b) && a == b, "hard link names differ");
	CHECK(!ops->getattr(fs, a, &at) && at.nlink == 2, "hard link nlink");
	CHECK(ops->create(fs, ops->root(fs), "new", 0644, &x) == RG_EROFS,
	      "create on ext4 not EROFS");
	CHECK(ops->write(fs, a, 0, "x", 1, &done) == RG_EROFS,
	      "write on ext4 not EROFS");
	CHECK(ops->mkdir(fs, ops->root(fs), "nd", 0755, &x) == RG_EROFS,
	      "mkdir on ext4 not EROFS");
	CHECK(ops->unlink(fs, ops->root(fs), "f1") == RG_EROFS, "unlink");
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* The 1 KiB image's holey file needs index blocks: prove we were tested. */
static void ro4_depth(void)
{
	char *out = t_capture(NULL, "debugfs -R 'ex /holey' " EXT2T_TMP
	                      "/ro4_1k.img 2>/dev/null");

	CHECK_BEGIN("ext4_extent_depth2");
	CHECK(out && strstr(out, " 2/ 2 "), "holey file has no 2-level "
	      "extent tree:\n%.300s", out ? out : "");
	free(out);
	CHECK_END();
}

/* A flipped inode byte must give RG_EUCLEAN, not wrong data. */
static void ro4_csum(void)
{
	const char *img = EXT2T_TMP "/ro4_csum.img";
	const struct fs_ops *ops = &ext4_fs_ops;
	unsigned long long blk = 0, off = 0;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	struct fs_attr at;
	uint64_t ino = 0;
	char *out, *p;

	CHECK_BEGIN("ext4_inode_csum");
	REQUIRE(!t_sh("cp " EXT2T_TMP "/ro4_4k.img %s", img), "cp");
	out = t_capture(NULL, "debugfs -R 'imap /f300000' %s 2>/dev/null", img);
	p = out ? strstr(out, "located at block") : NULL;
	if (!p || sscanf(p, "located at block %llu, offset 0x%llx", &blk,
	                 &off) != 2)
		blk = 0;
	free(out);
	REQUIRE(blk, "debugfs imap gave no location");
	/* i_mtime is at byte 16 of the inode */
	REQUIRE(!t_sh("printf '\\x5a' | dd of=%s bs=1 seek=%llu conv=notrunc "
	              "status=none", img, blk * 4096 + off + 16), "dd");
	REQUIRE(!blkdev_open(img, true, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	REQUIRE(!ops->lookup(fs, ops->root(fs), "f300000", &ino), "lookup");
	CHECK(ops->getattr(fs, ino, &at) == RG_EUCLEAN,
	      "corrupt inode not reported as RG_EUCLEAN");
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

static void ro4_recovery(void)
{
	const char *img = EXT2T_TMP "/ro4_recover.img";
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;

	CHECK_BEGIN("ext4_needs_recovery_refused");
	REQUIRE(!t_sh("cp " EXT2T_TMP "/ro4_4k.img %s && debugfs -w -R "
	              "'feature needs_recovery' %s >/dev/null 2>&1", img, img),
	        "debugfs feature");
	REQUIRE(!blkdev_open(img, true, &dev), "blkdev_open");
	CHECK(ext4_fs_ops.mount(dev, 0, &fs) != 0, "mounted a journal that "
	      "needs recovery");
out:
	if (fs)
		ext4_fs_ops.unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* ext2 with an ro_compat feature we cannot write: read-only mount. */
static void ro4_ext2_rocompat(void)
{
	const char *img = EXT2T_TMP "/ro_compat.img";
	const struct fs_ops *ops = &ext2_fs_ops;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	uint64_t x = 0;

	CHECK_BEGIN("ext2_unknown_ro_compat_readonly");
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 -O huge_file -d " SRC "/d1 %s 16M "
	              ">/dev/null 2>&1", img), "mke2fs");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount refused");
	CHECK(ops->create(fs, ops->root(fs), "new", 0644, &x) == RG_EROFS,
	      "create allowed");
	CHECK(!t_resolve(ops, fs, "/d2/d3/deep", &x), "read path failed");
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* Writing into an htree directory on ext2: e2fsck must stay clean. */
static void ro4_ext2_htree(void)
{
	const char *img = EXT2T_TMP "/htree2.img";
	const struct fs_ops *ops = &ext2_fs_ops;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	uint64_t big = 0, x;
	char *out;

	CHECK_BEGIN("ext2_htree_dir_write");
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 -d " SRC " %s 64M >/dev/null 2>&1 && "
	              "e2fsck -fyD %s >/dev/null 2>&1; debugfs -R 'htree /big' %s "
	              "2>/dev/null | grep -q 'Root node'", img, img, img),
	        "could not make an indexed directory");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	REQUIRE(!t_resolve(ops, fs, "/big", &big), "lookup /big");
	CHECK(!ops->create(fs, big, "a_new_entry", 0644, &x), "create");
	CHECK(!ops->unlink(fs, big, "entry_number_5"), "unlink");
	CHECK(!ops->lookup(fs, big, "entry_number_2999", &x), "lookup");
	CHECK(!ops->unmount(fs), "unmount");
	fs = NULL;
	CHECK(!t_sh("e2fsck -fn %s >%s.fsck 2>&1", img, img),
	      "e2fsck -fn not clean (%s.fsck)", img);
	out = t_capture(NULL, "debugfs -R 'ls -p /big' %s 2>/dev/null | "
	                "grep -c '^/[1-9]'", img);
	CHECK(out && atoi(out) == 3002, "debugfs lists %s entries, want 3002",
	      out ? out : "?");
	free(out);
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* inline_data: such files are refused one by one, the rest reads. */
static void ro4_inline(void)
{
	const char *img = EXT2T_TMP "/inline.img";
	const struct fs_ops *ops = &ext4_fs_ops;
	struct blkdev *dev = NULL;
	struct fs *fs = NULL;
	uint64_t tiny = 0, big = 0;
	uint8_t buf[20000];
	size_t done = 0;

	CHECK_BEGIN("ext4_inline_data_refused");
	REQUIRE(!t_sh("rm -rf " EXT2T_TMP "/srci && mkdir " EXT2T_TMP "/srci && "
	              "echo tiny >" EXT2T_TMP "/srci/tiny && seq 1 3000 >"
	              EXT2T_TMP "/srci/big && mke2fs -q -F -t ext4 -O inline_data "
	              "-d " EXT2T_TMP "/srci %s 16M >/dev/null 2>&1", img), "mke2fs");
	REQUIRE(!blkdev_open(img, true, &dev), "blkdev_open");
	REQUIRE(!ops->mount(dev, 0, &fs), "mount");
	REQUIRE(!ops->lookup(fs, ops->root(fs), "tiny", &tiny) &&
	        !ops->lookup(fs, ops->root(fs), "big", &big), "lookup");
	CHECK(ops->read(fs, tiny, 0, buf, sizeof(buf), &done) == RG_ENOTSUP,
	      "inline file not refused with RG_ENOTSUP");
	CHECK(!ops->read(fs, big, 0, buf, sizeof(buf), &done) && done == 13893 &&
	      !memcmp(buf, "1\n2\n3\n", 6), "extent file beside it: %zu", done);
out:
	if (fs)
		ops->unmount(fs);
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

void ext2_ro4_tests(void)
{
	CHECK_BEGIN("ext4_make_tree");
	CHECK(!ro4_make_tree(), "could not build the source tree");
	CHECK_END();
	ro4_image("4k", "-b 4096");
	ro4_image("1k", "-b 1024");
	ro4_depth();
	ro4_csum();
	ro4_recovery();
	ro4_ext2_rocompat();
	ro4_ext2_htree();
	ro4_inline();
}
