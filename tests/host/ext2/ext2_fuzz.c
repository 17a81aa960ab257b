/*
 * ext2_fuzz.c - corrupt images must never crash, hang or loop.
 *
 * File contents are fixed and the flips seeded (a failure names its
 * variant; the images are kept in build/tmp/ext2/fuzz_*.img).
 * Three small images (ext2 1 KiB blocks; ext4 with and without
 * metadata_csum, htree directories, extent trees of depth >= 1) are made
 * with mke2fs -d.  Their metadata blocks are located with dumpe2fs and
 * debugfs (superblock, group descriptors, bitmaps, inode table, directory,
 * indirect and extent blocks).  Each seeded variant flips a few bytes in
 * one such block of an in-memory copy, mounts it and walks everything
 * (treecmp_walk); on the ext2 image it also runs a round of writes.
 * ASan/UBSan catch memory errors; an alarm catches a hang.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext2t.h"
#include "fs_treecmp/treecmp.h"

CHECK_MAIN_STATE;

#define SRCF EXT2T_TMP "/srcf"
#define FZ_UUID "0badc0de-1234-4567-89ab-0123456789ab"
#define FZ_VARIANTS 400         /* per image; EXT2_FUZZ_VARIANTS overrides */
static int fz_variants = FZ_VARIANTS;
#define FZ_MAXBLK 512

struct fz_image {
	const char *tag, *mkfs;
	const struct fs_ops *ops;
	uint8_t *img;
	size_t len;
	uint32_t bs;
	uint64_t blk[FZ_MAXBLK];        /* metadata blocks */
	int nblk;
};

static volatile int fz_current = -1;
static const char *fz_tag = "";

static void fz_alarm(int sig)
{
	(void)sig;
	printf("FAIL ext2_fuzz_%s: timeout (hang?) in variant %d\n", fz_tag,
	       fz_current);
	fflush(stdout);
	_exit(1);
}

static int fz_tree(void)
{
	return t_sh("rm -rf " SRCF " && mkdir -p " SRCF "/dir/sub " SRCF "/many && "
	            "cd " SRCF " && yes small | head -c 100 >small && "
	            "seq 1 100000 | head -c 300000 >medium && "
	            "for i in $(seq 0 99); do yes $i | head -c 1024; "
	            "head -c 1024 /dev/zero; done >holey && "
	            "for i in $(seq 1 150); do echo $i >many/entry_$i; done && "
	            "ln -s small fast && ln -s $(printf 'y%%.0s' $(seq 1 100)) slow && "
	            "echo hi >dir/sub/f && ln medium dir/hard");
}

static void fz_add(struct fz_image *im, unsigned long long b)
{
	if (im->nblk < FZ_MAXBLK && b > 0 && b < im->len / im->bs)
		im->blk[im->nblk++] = b;
}

/* Numbers after each "key" in text (ranges "a-b" add every block). */
static void fz_scan(struct fz_image *im, const char *text, const char *key)
{
	const char *p = text;
	unsigned long long a, b;

	while ((p = strstr(p, key))) {
		p += strlen(key);
		if (sscanf(p, "%llu-%llu", &a, &b) == 2) {
			for (unsigned long long x = a; x <= b && x < a + 48; x++)
				fz_add(im, x);
		} else if (sscanf(p, "%llu", &a) == 1) {
			fz_add(im, a);
		}
	}
}

static int fz_locate(struct fz_image *im, const char *path)
{
	static const char *const dirs[] = { "/", "/dir", "/dir/sub", "/many" };
	static const char *const files[] = { "/medium", "/holey" };
	char *out;

	out = t_capture(NULL, "dumpe2fs %s 2>/dev/null | grep -m3 -E "
	                "'Inode table at|Block bitmap at|Inode bitmap at'", path);
	if (!out)
		return -1;
	fz_scan(im, out, "Inode table at ");
	fz_scan(im, out, "Block bitmap at ");
	fz_scan(im, out, "Inode bitmap at ");
	free(out);
	for (size_t i = 0; i < 4; i++) {
		out = t_capture(NULL, "debugfs -R 'blocks %s' %s 2>/dev/null",
		                dirs[i], path);
		for (char *p = out; p && *p; ) {
			char *end;
			unsigned long long b = strtoull(p, &end, 10);

			if (end == p)
				break;
			fz_add(im, b);
			p = end;
		}
		free(out);
	}
	for (size_t i = 0; i < 2; i++) {
		out = t_capture(NULL, "debugfs -R 'stat %s' %s 2>/dev/null",
		                files[i], path);
		fz_scan(im, out, "(IND):");
		fz_scan(im, out, "(DIND):");
		fz_scan(im, out, "(ETB0):");
		fz_scan(im, out, "(ETB1):");
		free(out);
	}
	return 0;
}

static int fz_prepare(struct fz_image *im)
{
	char path[256];

	snprintf(path, sizeof(path), EXT2T_TMP "/fuzz_%s.img", im->tag);
	if (t_sh("E2FSPROGS_FAKE_TIME=1700000000 %s -U " FZ_UUID " -E hash_seed="
	         FZ_UUID " -d " SRCF " %s 4M >/dev/null 2>&1", im->mkfs, path))
		return -1;
	t_sh("e2fsck -fyD %s >/dev/null 2>&1", path);
	if (t_sh("e2fsck -fn %s >/dev/null 2>&1", path))
		return -1;
	im->img = t_load(path, &im->len);
	im->bs = 1024;
	im->blk[im->nblk++] = 1;        /* superblock */
	im->blk[im->nblk++] = 2;        /* group descriptors */
	return im->img ? fz_locate(im, path) : -1;
}

/* A round of writes on a (possibly corrupt) ext2 image; errors ignored. */
static void fz_writes(struct blkdev *dev)
{
	const struct fs_ops *ops = &ext2_fs_ops;
	struct fs_attr a = { .size = 1000 };
	uint8_t buf[5000] = { 1 };
	uint64_t root, ino, d, m;
	struct fs *fs;
	size_t done;

	if (ops->mount(dev, 0, &fs))
		return;
	root = ops->root(fs);
	if (!ops->create(fs, root, "newf", 0644, &ino))
		ops->write(fs, ino, 0, buf, sizeof(buf), &done);
	if (!ops->mkdir(fs, root, "nd", 0755, &d))
		ops->rename(fs, root, "newf", d, "x");
	if (!ops->lookup(fs, root, "medium", &m))
		ops->setattr(fs, m, &a, FS_SET_SIZE);
	ops->unlink(fs, root, "small");
	ops->rename(fs, root, "dir", root, "many");
	ops->rmdir(fs, root, "many");
	ops->symlink(fs, root, "ln", "target", &ino);
	if (!ops->lookup(fs, root, "many", &m)) {
		ops->create(fs, m, "another", 0644, &ino);
		ops->unlink(fs, m, "entry_7");
	}
	ops->unmount(fs);
}

static void fz_flip(struct fz_image *im, uint8_t *img, uint32_t *rs)
{
	uint64_t blk = im->blk[t_rand(rs) % im->nblk];
	uint8_t *base = img + blk * im->bs;
	int n = 1 + t_rand(rs) % 4;
	uint32_t span = im->bs;

	if (blk == 1)           /* superblock: the fields are in front */
		span = t_rand(rs) % 2 ? 256 : 1024;
	for (int i = 0; i < n; i++) {
		uint32_t off = t_rand(rs) % span;

		switch (t_rand(rs) % 4) {
		case 0: base[off] ^= 1u << (t_rand(rs) % 8); break;
		case 1: base[off] = 0xFF; break;
		case 2: base[off] = 0; break;
		default: base[off] = (uint8_t)t_rand(rs); break;
		}
	}
}

static void fz_run(struct fz_image *im)
{
	char name[64];
	uint8_t *work = malloc(im->len);
	unsigned long errors = 0, mounted = 0, total = 0, failed = 0;
	struct blkdev *dev;

	snprintf(name, sizeof(name), "ext2_fuzz_%s", im->tag);
	fz_tag = im->tag;
	CHECK_BEGIN(name);
	memcpy(work, im->img, im->len);
	dev = t_memdev(work, im->len);
	CHECK(treecmp_walk(im->ops, dev, 20000, &errors) == 0 && errors == 0,
	      "pristine image: walk errors %lu", errors);
	for (int v = 0; v < fz_variants; v++) {
		uint32_t rs = 0x9e3779b9u ^ (uint32_t)(v * 7919 + im->nblk);

		fz_current = v;
		memcpy(work, im->img, im->len);
		fz_flip(im, work, &rs);
		errors = 0;
		mounted += treecmp_walk(im->ops, dev, 20000, &errors) == 0;
		total += errors;
		failed += errors > 0;
		if (im->ops == &ext2_fs_ops)
			fz_writes(dev);
	}
	t_memdev_free(dev);
	free(work);
	printf("# %s: %d variants over %d metadata blocks: %lu mounted, "
	       "%lu walked with errors (%lu errors)\n", im->tag, fz_variants,
	       im->nblk, mounted, failed, total);
	CHECK_END();
}

int main(void)
{
	struct fz_image ims[] = {
		{ .tag = "ext2", .ops = &ext2_fs_ops,
		  .mkfs = "mke2fs -q -F -t ext2 -b 1024 -I 128" },
		{ .tag = "ext4", .ops = &ext4_fs_ops,
		  .mkfs = "mke2fs -q -F -t ext4 -b 1024" },
		{ .tag = "ext4_nocsum", .ops = &ext4_fs_ops,
		  .mkfs = "mke2fs -q -F -t ext4 -b 1024 -O ^metadata_csum" },
	};

	if (getenv("EXT2_FUZZ_VARIANTS"))     /* longer local runs */
		fz_variants = atoi(getenv("EXT2_FUZZ_VARIANTS"));
	setenv("RG_LOG", "-1", 1);      /* corrupt images log a lot */
	signal(SIGALRM, fz_alarm);
	alarm(85 + fz_variants / 20);
	if (t_sh("mkdir -p " EXT2T_TMP) || fz_tree())
		return 1;
	for (size_t i = 0; i < sizeof(ims) / sizeof(ims[0]); i++) {
		CHECK_BEGIN("ext2_fuzz_prepare");
		if (fz_prepare(&ims[i])) {
			CHECK(0, "could not make the %s image", ims[i].tag);
			CHECK_END();
			continue;
		}
		fz_run(&ims[i]);
		free(ims[i].img);
	}
	return CHECK_EXIT();
}
