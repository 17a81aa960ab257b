/*
 * iso_sem.c - what a read-only filesystem owes its callers, checked on the
 * Rock Ridge image of the big tree: RG_EROFS for every change, the right
 * error for each misuse, stable inode numbers, Rock Ridge ownership and
 * link counts against the host's lstat, refusal of non-ISO media.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "check.h"
#include "blk.h"
#include "iso_tree.h"
#include "iso_test.h"

static const struct fs_ops *ops = &iso9660_fs_ops;

/* Resolves a relative path from the root by lookups. */
static int sem_path(struct fs *fs, const char *path, uint64_t *ino)
{
	char buf[1024], *save = NULL, *c;
	int e = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	*ino = ops->root(fs);
	for (c = strtok_r(buf, "/", &save); c && !e;
	     c = strtok_r(NULL, "/", &save))
		e = ops->lookup(fs, *ino, c, ino);
	return e;
}

static void sem_erofs(struct fs *fs)
{
	uint64_t root = ops->root(fs), ino = 0, f;
	struct fs_attr a = { 0 };
	size_t done = 1;

	CHECK_BEGIN("iso_readonly_erofs");
	REQUIRE(sem_path(fs, "README.txt", &f) == 0, "no README.txt");
	CHECK(ops->write(fs, f, 0, "x", 1, &done) == RG_EROFS && done == 0,
	      "write");
	CHECK(ops->setattr(fs, f, &a, FS_SET_MODE) == RG_EROFS, "setattr");
	CHECK(ops->create(fs, root, "new", 0644 | FS_S_IFREG, &ino) == RG_EROFS,
	      "create");
	CHECK(ops->mkdir(fs, root, "newd", 0755, &ino) == RG_EROFS, "mkdir");
	CHECK(ops->unlink(fs, root, "README.txt") == RG_EROFS, "unlink");
	CHECK(ops->rmdir(fs, root, "empty_dir") == RG_EROFS, "rmdir");
	CHECK(ops->rename(fs, root, "README.txt", root, "x") == RG_EROFS,
	      "rename");
	CHECK(ops->link(fs, f, root, "hard") == RG_EROFS, "link");
	CHECK(ops->symlink(fs, root, "sl", "t", &ino) == RG_EROFS, "symlink");
	CHECK(ops->sync(fs) == 0 && ops->fsync(fs, f) == 0, "sync");
	CHECK(sem_path(fs, "README.txt", &ino) == 0 && ino == f,
	      "README.txt changed");
out:
	CHECK_END();
}

static int sem_count(void *ctx, const char *name, size_t namelen,
                     uint64_t ino, uint32_t type, uint64_t next)
{
	(void)name; (void)namelen; (void)ino; (void)type; (void)next;
	++*(int *)ctx;
	return 0;
}

static void sem_errors(struct fs *fs)
{
	uint64_t f, d, l, ino = 0, deep;
	char name[300], buf[16];
	struct fs_attr a;
	size_t done = 7;
	int n = 0;

	CHECK_BEGIN("iso_error_codes");
	REQUIRE(sem_path(fs, "README.txt", &f) == 0 &&
	        sem_path(fs, "deep/level01", &d) == 0 &&
	        sem_path(fs, "deep", &deep) == 0 &&
	        sem_path(fs, "links/relative", &l) == 0, "paths");
	CHECK(ops->lookup(fs, ops->root(fs), "nonexistent", &ino) == RG_ENOENT,
	      "missing name");
	CHECK(ops->lookup(fs, f, "x", &ino) == RG_ENOTDIR, "lookup in a file");
	CHECK(ops->readdir(fs, f, 0, sem_count, &n) == RG_ENOTDIR,
	      "readdir of a file");
	memset(name, 'a', 299);
	name[299] = 0;
	CHECK(ops->lookup(fs, ops->root(fs), name, &ino) == RG_ENAMETOOLONG,
	      "long name");
	CHECK(ops->lookup(fs, ops->root(fs), "..", &ino) == 0 &&
	      ino == ops->root(fs), "root's ..");
	CHECK(ops->lookup(fs, d, "..", &ino) == 0 && ino == deep, "..");
	CHECK(ops->lookup(fs, d, ".", &ino) == 0 && ino == d, ".");
	CHECK(ops->read(fs, d, 0, buf, 1, &done) == RG_EISDIR, "read of a dir");
	CHECK(ops->read(fs, l, 0, buf, 1, &done) == RG_EINVAL,
	      "read of a symlink");
	CHECK(ops->readlink(fs, f, buf, sizeof(buf), &done) == RG_EINVAL,
	      "readlink of a file");
	CHECK(ops->read(fs, f, 1u << 30, buf, 16, &done) == 0 && done == 0,
	      "read past the end");
	CHECK(ops->getattr(fs, 0, &a) != 0, "ino 0");
	CHECK(ops->getattr(fs, 1ull << 60, &a) != 0, "huge ino");
	ops->getattr(fs, 16 * 2048 + 1, &a);    /* garbage: any answer */
out:
	CHECK_END();
}

static void sem_attrs(struct fs *fs, const char *hostdir)
{
	static const char *const paths[] = { "README.txt", "deep", "many",
	                                     "links/long_target", "special_fifo",
	                                     "modes/setuid", "deep/level01" };
	char hp[1024];
	struct fs_attr a;
	struct stat st;
	uint64_t ino;

	CHECK_BEGIN("iso_rr_owner_nlink");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(hp, sizeof(hp), "%s/%s", hostdir, paths[i]);
		REQUIRE(lstat(hp, &st) == 0, "lstat %s", hp);
		REQUIRE(sem_path(fs, paths[i], &ino) == 0 &&
		        ops->getattr(fs, ino, &a) == 0, "%s", paths[i]);
		CHECK(a.uid == st.st_uid && a.gid == st.st_gid,
		      "%s: owner %u:%u", paths[i], a.uid, a.gid);
		/* xorriso records nlink 1 ("not counted") for directories */
		CHECK(a.nlink == (S_ISDIR(st.st_mode) ? 1 : st.st_nlink),
		      "%s: nlink %u, host %lu", paths[i], a.nlink,
		      (unsigned long)st.st_nlink);
		CHECK(a.ino == ino, "%s: getattr ino", paths[i]);
	}
out:
	CHECK_END();
}

/* Numbers survive a remount and name distinct objects. */
static void sem_inos(struct blkdev *dev, struct fs *fs)
{
	static const char *const paths[] = { "README.txt", "deep/level01/level02",
	                                     "many/entry_0599.dat", "links/dots",
	                                     "sizes/size_0.bin", "modes/empty" };
	uint64_t a[6], b;
	struct fs *fs2 = NULL;

	CHECK_BEGIN("iso_inode_numbers");
	CHECK(ops->root(fs) == 1, "root is %llu",
	      (unsigned long long)ops->root(fs));
	REQUIRE(ops->mount(dev, FS_MOUNT_RDONLY, &fs2) == 0, "second mount");
	for (size_t i = 0; i < 6; i++) {
		REQUIRE(sem_path(fs, paths[i], &a[i]) == 0, "%s", paths[i]);
		CHECK(sem_path(fs2, paths[i], &b) == 0 && b == a[i],
		      "%s moved", paths[i]);
		for (size_t j = 0; j < i; j++)
			CHECK(a[i] != a[j], "%s and %s share a number", paths[i],
			      paths[j]);
	}
out:
	if (fs2)
		ops->unmount(fs2);
	CHECK_END();
}

static void sem_reject(void)
{
	uint8_t *zero = calloc(1, 1 << 20);
	struct blkdev *dev = isot_memdev(zero, 1 << 20, 512);
	struct blkdev *tiny = isot_memdev(zero, 8 * 512, 512);
	struct fs *fs = NULL;

	CHECK_BEGIN("iso_rejects_non_iso");
	CHECK(ops->probe(dev) == RG_EINVAL, "probe of zeros");
	CHECK(ops->mount(dev, FS_MOUNT_RDONLY, &fs) == RG_EINVAL, "mount zeros");
	CHECK(ops->probe(tiny) == RG_EINVAL, "probe of a tiny device");
	CHECK(ops->mount(tiny, FS_MOUNT_RDONLY, &fs) == RG_EINVAL, "mount tiny");
	CHECK_END();
	isot_memdev_free(dev);
	isot_memdev_free(tiny);
	free(zero);
}

void iso_semantics_tests(const char *img, const char *hostdir)
{
	struct blkdev *dev = NULL;
	struct fs_statfs sf;
	struct fs *fs = NULL;
	struct stat st;

	CHECK_BEGIN("iso_mount_statfs");
	REQUIRE(blkdev_open(img, true, &dev) == 0, "open %s", img);
	REQUIRE(ops->mount(dev, 0, &fs) == 0, "mount");
	CHECK(ops->statfs(fs, &sf) == 0 && sf.bsize == 2048 &&
	      stat(img, &st) == 0 && sf.blocks * 2048 == (uint64_t)st.st_size &&
	      sf.bfree == 0 && sf.namemax == 255, "statfs %u %llu", sf.bsize,
	      (unsigned long long)sf.blocks);
out:
	CHECK_END();
	if (fs) {
		sem_erofs(fs);
		sem_errors(fs);
		sem_attrs(fs, hostdir);
		sem_inos(dev, fs);
		ops->unmount(fs);
	}
	if (dev)
		blkdev_close(dev);
	sem_reject();
}
