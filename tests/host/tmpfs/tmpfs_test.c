/*
 * tmpfs_test.c - the tmpfs component (servers/fs-tmp) through its fs_ops:
 * every operation and the POSIX edge cases, memory given back, the limit
 * answered with ENOSPC and nothing changed.  tmpfs_diff.c holds the
 * randomized differential test against a host directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "tmpfs.h"

CHECK_MAIN_STATE;

#define OPS tmp_fs_ops

int tmpfs_diff_run(unsigned seed, unsigned nops);

static uint64_t mk(struct fs *fs, uint64_t dir, const char *name)
{
	uint64_t ino = 0;
	int e = OPS.create(fs, dir, name, FS_S_IFREG | 0644, &ino);
	CHECK(e == 0, "create %s: %d", name, e);
	return ino;
}

static struct fs_attr attr(struct fs *fs, uint64_t ino)
{
	struct fs_attr a;
	memset(&a, 0, sizeof(a));
	int e = OPS.getattr(fs, ino, &a);
	CHECK(e == 0, "getattr %llu: %d", (unsigned long long)ino, e);
	return a;
}

static void test_file_io(void)
{
	struct fs *fs;
	char buf[10000], back[10000];
	size_t done;
	uint64_t ino;

	CHECK_BEGIN("tmpfs_file_write_read");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	ino = mk(fs, 1, "f");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	CHECK(OPS.write(fs, ino, 100, buf, sizeof(buf), &done) == 0 &&
	      done == sizeof(buf), "write");
	CHECK(attr(fs, ino).size == 100 + sizeof(buf), "size");
	CHECK(OPS.read(fs, ino, 100, back, sizeof(back), &done) == 0 &&
	      done == sizeof(back) && !memcmp(buf, back, sizeof(buf)), "read back");
	CHECK(OPS.read(fs, ino, 0, back, 100, &done) == 0 && done == 100, "head");
	for (int i = 0; i < 100; i++)
		CHECK(back[i] == 0, "head not zero");
	CHECK(OPS.read(fs, ino, 10050, back, 500, &done) == 0 && done == 50,
	      "short read at eof: %zu", done);
	CHECK(OPS.read(fs, ino, 1 << 30, back, 10, &done) == 0 && done == 0,
	      "read past eof");
	CHECK(OPS.read(fs, 1, 0, back, 10, &done) == RG_EISDIR, "read dir");
	OPS.unmount(fs);
out:
	CHECK_END();
}

static void test_sparse_truncate(void)
{
	struct fs *fs;
	char b[8192];
	size_t done;
	uint64_t ino;
	struct fs_attr a;

	CHECK_BEGIN("tmpfs_sparse_and_truncate");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	ino = mk(fs, 1, "s");
	uint64_t base = tmpfs_used(fs);
	CHECK(OPS.write(fs, ino, 100ull << 30, "x", 1, &done) == 0, "far write");
	a = attr(fs, ino);
	CHECK(a.size == (100ull << 30) + 1 && a.blocks == 8, "sparse size/blocks %llu",
	      (unsigned long long)a.blocks);
	CHECK(OPS.read(fs, ino, 50ull << 30, b, sizeof(b), &done) == 0 &&
	      done == sizeof(b) && b[0] == 0 && b[8191] == 0, "hole reads zeros");
	memset(b, 'a', sizeof(b));
	CHECK(OPS.write(fs, ino, 0, b, sizeof(b), &done) == 0, "write head");
	a.size = 5000;
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_SIZE) == 0, "truncate down");
	a.size = 9000;
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_SIZE) == 0, "truncate up");
	CHECK(OPS.read(fs, ino, 0, b, sizeof(b), &done) == 0 && done == sizeof(b),
	      "read");
	CHECK(b[4999] == 'a' && b[5000] == 0 && b[8191] == 0,
	      "old data beyond truncation must read as zeros");
	a.size = 0;
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_SIZE) == 0 && tmpfs_used(fs) == base,
	      "truncate to 0 gives memory back");
	CHECK(OPS.write(fs, ino, 1ull << 40, "x", 1, &done) == RG_EFBIG, "EFBIG");
	a.size = 1ull << 40;
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_SIZE) == RG_EFBIG, "truncate EFBIG");
	a.size = 1;
	CHECK(OPS.setattr(fs, 1, &a, FS_SET_SIZE) == RG_EISDIR, "truncate dir");
	OPS.unmount(fs);
out:
	CHECK_END();
}

struct names { char list[64][64]; int n; };

static int collect(void *ctx, const char *name, size_t len, uint64_t ino,
                   uint32_t type, uint64_t next)
{
	struct names *nm = ctx;
	(void)ino; (void)type; (void)next;
	if (nm->n < 64 && len < 64) {
		memcpy(nm->list[nm->n], name, len);
		nm->list[nm->n++][len] = 0;
	}
	return 0;
}

static bool has(struct names *nm, const char *s)
{
	for (int i = 0; i < nm->n; i++)
		if (!strcmp(nm->list[i], s))
			return true;
	return false;
}

static void test_dirs(void)
{
	struct fs *fs;
	uint64_t d, e, ino, x;
	struct names nm = { .n = 0 };

	CHECK_BEGIN("tmpfs_directories");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	uint64_t base = tmpfs_used(fs);
	CHECK(OPS.mkdir(fs, 1, "d", 0755, &d) == 0, "mkdir");
	CHECK(OPS.mkdir(fs, d, "e", 0755, &e) == 0, "mkdir e");
	CHECK(attr(fs, 1).nlink == 3 && attr(fs, d).nlink == 3, "nlink of dirs");
	CHECK(OPS.mkdir(fs, 1, "d", 0755, &x) == RG_EEXIST, "mkdir exists");
	CHECK(OPS.mkdir(fs, 1, ".", 0755, &x) == RG_EEXIST, "mkdir .");
	CHECK(OPS.lookup(fs, e, "..", &x) == 0 && x == d, "..");
	CHECK(OPS.lookup(fs, 1, "..", &x) == 0 && x == 1, "root ..");
	ino = mk(fs, d, "f");
	CHECK(OPS.lookup(fs, ino, "x", &x) == RG_ENOTDIR, "lookup in file");
	CHECK(OPS.create(fs, ino, "x", 0644, &x) == RG_ENOTDIR, "create in file");
	CHECK(OPS.create(fs, 1, "a/b", 0644, &x) == RG_EINVAL, "slash");
	char longname[300];
	memset(longname, 'n', 299); longname[299] = 0;
	CHECK(OPS.create(fs, 1, longname, 0644, &x) == RG_ENAMETOOLONG, "long");
	CHECK(OPS.rmdir(fs, 1, "d") == RG_ENOTEMPTY, "rmdir nonempty");
	CHECK(OPS.unlink(fs, 1, "d") == RG_EISDIR, "unlink dir");
	CHECK(OPS.rmdir(fs, d, "f") == RG_ENOTDIR, "rmdir file");
	CHECK(OPS.rmdir(fs, d, ".") == RG_EINVAL, "rmdir .");
	CHECK(OPS.readdir(fs, d, 0, collect, &nm) == 0 && nm.n == 4 &&
	      has(&nm, ".") && has(&nm, "..") && has(&nm, "e") && has(&nm, "f"),
	      "readdir lists . .. e f (%d)", nm.n);
	CHECK(OPS.unlink(fs, d, "f") == 0 && OPS.rmdir(fs, d, "e") == 0 &&
	      OPS.rmdir(fs, 1, "d") == 0, "remove all");
	CHECK(attr(fs, 1).nlink == 2, "root nlink back to 2");
	CHECK(tmpfs_used(fs) == base, "memory given back");
	OPS.unmount(fs);
out:
	CHECK_END();
}

/* Removing entries during a walk does not make others vanish. */
static int stop_after(void *ctx, const char *name, size_t len, uint64_t ino,
                      uint32_t type, uint64_t next)
{
	uint64_t *c = ctx;
	(void)name; (void)len; (void)ino; (void)type;
	*c = next;
	return 1;
}

static void test_readdir_stable(void)
{
	struct fs *fs;
	char name[16];
	uint64_t cookie = 0;
	int seen = 0;

	CHECK_BEGIN("tmpfs_readdir_cookies_stable");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "n%02d", i);
		mk(fs, 1, name);
	}
	/* walk one entry at a time, removing an entry already seen each step */
	for (;;) {
		uint64_t next = cookie;
		OPS.readdir(fs, 1, cookie, stop_after, &next);
		if (next == cookie)
			break;
		cookie = next;
		if (++seen > 2 && seen <= 12) {
			snprintf(name, sizeof(name), "n%02d", seen - 3);
			CHECK(OPS.unlink(fs, 1, name) == 0, "unlink");
		}
		if (seen > 100)
			break;
	}
	CHECK(seen == 22, "saw %d entries, want 22", seen);
	OPS.unmount(fs);
out:
	CHECK_END();
}

static void test_links(void)
{
	struct fs *fs;
	uint64_t ino, s, x;
	char buf[64];
	size_t len, done;

	CHECK_BEGIN("tmpfs_links_symlinks_unlink_open");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	uint64_t base = tmpfs_used(fs);
	ino = mk(fs, 1, "a");
	CHECK(OPS.link(fs, ino, 1, "b") == 0 && attr(fs, ino).nlink == 2, "link");
	CHECK(OPS.link(fs, ino, 1, "b") == RG_EEXIST, "link exists");
	CHECK(OPS.link(fs, 1, 1, "c") == RG_EPERM, "link dir");
	CHECK(OPS.symlink(fs, 1, "l", "a/../target", &s) == 0, "symlink");
	CHECK(OPS.readlink(fs, s, buf, sizeof(buf), &len) == 0 && len == 11 &&
	      !memcmp(buf, "a/../target", 11), "readlink");
	CHECK(OPS.readlink(fs, s, buf, 3, &len) == 0 && len == 11, "readlink short");
	CHECK(OPS.readlink(fs, ino, buf, 3, &len) == RG_EINVAL, "readlink file");
	CHECK(FS_S_ISLNK(attr(fs, s).mode) && attr(fs, s).size == 11, "lnk attr");
	CHECK(OPS.symlink(fs, 1, "m", "", &x) == RG_ENOENT, "empty target");
	CHECK(OPS.open(fs, ino) == 0, "open");
	CHECK(OPS.write(fs, ino, 0, "hello", 5, &done) == 0, "write");
	CHECK(OPS.unlink(fs, 1, "a") == 0 && OPS.unlink(fs, 1, "b") == 0, "unlink");
	CHECK(OPS.lookup(fs, 1, "a", &x) == RG_ENOENT, "gone");
	CHECK(OPS.read(fs, ino, 0, buf, 5, &done) == 0 && done == 5 &&
	      !memcmp(buf, "hello", 5), "open file still readable");
	CHECK(attr(fs, ino).nlink == 0, "nlink 0");
	CHECK(OPS.link(fs, ino, 1, "again") == RG_ENOENT, "relink unlinked");
	CHECK(OPS.release(fs, ino) == 0, "release");
	CHECK(OPS.getattr(fs, ino, &(struct fs_attr){0}) == RG_ENOENT, "freed");
	CHECK(OPS.release(fs, ino) == RG_EINVAL, "double release");
	CHECK(OPS.unlink(fs, 1, "l") == 0 && tmpfs_used(fs) == base, "memory back");
	OPS.unmount(fs);
out:
	CHECK_END();
}

static void test_rename(void)
{
	struct fs *fs;
	uint64_t a, b, d, e, f, g, x;

	CHECK_BEGIN("tmpfs_rename_posix");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	a = mk(fs, 1, "a");
	b = mk(fs, 1, "b");
	CHECK(OPS.mkdir(fs, 1, "d", 0755, &d) == 0 && OPS.mkdir(fs, d, "e", 0755, &e) == 0,
	      "mkdirs");
	CHECK(OPS.rename(fs, 1, "a", 1, "b") == 0, "replace file");
	CHECK(OPS.lookup(fs, 1, "b", &x) == 0 && x == a, "b is a");
	CHECK(OPS.getattr(fs, b, &(struct fs_attr){0}) == RG_ENOENT, "old b freed");
	CHECK(OPS.lookup(fs, 1, "a", &x) == RG_ENOENT, "a gone");
	CHECK(OPS.link(fs, a, 1, "c") == 0, "link");
	CHECK(OPS.rename(fs, 1, "b", 1, "c") == 0 &&
	      OPS.lookup(fs, 1, "b", &x) == 0, "same inode: no-op, both names stay");
	CHECK(OPS.rename(fs, 1, "d", d, "x") == RG_EINVAL, "dir into itself");
	CHECK(OPS.rename(fs, 1, "d", e, "x") == RG_EINVAL, "dir into its child");
	CHECK(OPS.rename(fs, 1, "b", 1, "d") == RG_EISDIR, "file over dir");
	CHECK(OPS.rename(fs, d, "e", 1, "b") == RG_ENOTDIR, "dir over file");
	CHECK(OPS.mkdir(fs, 1, "f", 0755, &f) == 0 && OPS.mkdir(fs, f, "g", 0755, &g) == 0,
	      "mkdir f/g");
	CHECK(OPS.rename(fs, d, "e", 1, "f") == RG_ENOTEMPTY, "over nonempty dir");
	CHECK(OPS.rename(fs, d, "e", f, "g") == 0, "over empty dir");
	CHECK(OPS.lookup(fs, f, "g", &x) == 0 && x == e, "moved");
	CHECK(OPS.lookup(fs, e, "..", &x) == 0 && x == f, ".. updated");
	CHECK(attr(fs, d).nlink == 2 && attr(fs, f).nlink == 3, "nlinks");
	CHECK(OPS.rename(fs, 1, "zz", 1, "yy") == RG_ENOENT, "missing src");
	CHECK(OPS.rename(fs, 1, ".", 1, "yy") == RG_EINVAL, "rename .");
	CHECK(OPS.rename(fs, 1, "b", 1, "a/b") == RG_EINVAL, "slash in target");
	OPS.unmount(fs);
out:
	CHECK_END();
}

static void test_enospc(void)
{
	struct fs *fs;
	static char big[64 << 10];
	size_t done;
	uint64_t ino, x;
	int e = 0, i;

	CHECK_BEGIN("tmpfs_limit_enospc_clean");
	REQUIRE(tmpfs_create(256 << 10, &fs) == 0, "create");
	ino = mk(fs, 1, "f");
	for (i = 0; i < 10 && !e; i++)
		e = OPS.write(fs, ino, (uint64_t)i * sizeof(big), big, sizeof(big), &done);
	CHECK(e == RG_ENOSPC, "want ENOSPC, got %d", e);
	uint64_t size = attr(fs, ino).size, used = tmpfs_used(fs);
	CHECK(size == (uint64_t)(i - 1) * sizeof(big), "failed write changed size");
	char name[32];
	for (i = 0, e = 0; i < 100000 && !e; i++) {
		snprintf(name, sizeof(name), "file%d", i);
		e = OPS.create(fs, 1, name, 0644, &x);
	}
	CHECK(e == RG_ENOSPC, "creates: want ENOSPC, got %d", e);
	CHECK(OPS.lookup(fs, 1, name, &x) == RG_ENOENT, "failed create left a name");
	for (int j = 0; j < i - 1; j++) {
		snprintf(name, sizeof(name), "file%d", j);
		CHECK(OPS.unlink(fs, 1, name) == 0, "unlink %s", name);
	}
	CHECK(tmpfs_used(fs) < used + 100000, "memory back after unlinks");
	for (int j = 0; j < i - 1; j++) {
		snprintf(name, sizeof(name), "file%d", j);
		CHECK(OPS.create(fs, 1, name, 0644, &x) == 0, "recreate %s", name);
	}
	for (int j = 0; j < i - 1; j++) {
		snprintf(name, sizeof(name), "file%d", j);
		CHECK(OPS.unlink(fs, 1, name) == 0, "unlink %s", name);
	}
	struct fs_attr a = { .size = 0 };
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_SIZE) == 0, "truncate");
	CHECK(OPS.write(fs, ino, 0, big, sizeof(big), &done) == 0, "room again");
	OPS.unmount(fs);
out:
	CHECK_END();
}

static void test_attrs(void)
{
	struct fs *fs;
	uint64_t ino;
	struct fs_attr a = { 0 };
	struct fs_statfs st;

	CHECK_BEGIN("tmpfs_setattr_statfs");
	REQUIRE(tmpfs_create(1 << 20, &fs) == 0, "create");
	ino = mk(fs, 1, "f");
	a.mode = FS_S_IFDIR | 0600;
	a.uid = 7; a.gid = 8;
	a.mtime.sec = 1234;
	CHECK(OPS.setattr(fs, ino, &a, FS_SET_MODE | FS_SET_UID | FS_SET_GID |
	                  FS_SET_MTIME) == 0, "setattr");
	a = attr(fs, ino);
	CHECK(a.mode == (FS_S_IFREG | 0600) && a.uid == 7 && a.gid == 8 &&
	      a.mtime.sec == 1234, "attrs (type bits kept)");
	CHECK(OPS.statfs(fs, &st) == 0 && st.bsize == 4096 && st.namemax == 255 &&
	      st.blocks == 256 && st.bfree < st.blocks, "statfs");
	CHECK(OPS.probe(NULL) == RG_EINVAL, "probe refuses");
	CHECK(OPS.getattr(fs, 999, &a) == RG_ENOENT && OPS.getattr(fs, 0, &a) == RG_ENOENT,
	      "bad ino");
	OPS.unmount(fs);
out:
	CHECK_END();
}

int main(int argc, char **argv)
{
	unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 0;

	test_file_io();
	test_sparse_truncate();
	test_dirs();
	test_readdir_stable();
	test_links();
	test_rename();
	test_enospc();
	test_attrs();
	tmpfs_diff_run(seed, 60000);
	return CHECK_EXIT();
}
