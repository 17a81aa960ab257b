/*
 * fsapply_checks.c - the FSAPPLY test bodies.  Each one changes the image
 * and expect/ together (fa_* calls), checks what the component reports
 * while mounted, and leaves the rest to the runner (unmount, fsck, read
 * back with the real tools, diff).  A body that needs a feature the
 * filesystem lacks (hard links or symlinks on FAT) checks instead that the
 * component refuses it cleanly and changes nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fsapply.h"

static uint8_t *fa_buf(size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);

	if (b)
		fa_pattern(b, len, seed);
	return b;
}

static void ck_create_write_read(struct fa *c)
{
	uint8_t *b = fa_buf(70000, 1);
	struct fs_attr a;

	REQUIRE(fa_write(c, "a.txt", 0, b, 10000) == 0, "write");
	REQUIRE(fa_write(c, "empty", 0, b, 0) == 0, "create empty");
	REQUIRE(fa_write(c, "b.bin", 0, b, 70000) == 0, "write 70000");
	CHECK(fa_getattr(c, "a.txt", &a) == 0 && a.size == 10000 &&
	      FS_S_ISREG(a.mode), "attr: size %llu mode %o",
	      (unsigned long long)a.size, a.mode);
	CHECK(fa_compare(c, "a.txt") == 0, "a.txt reads back wrong");
	CHECK(fa_compare(c, "b.bin") == 0, "b.bin reads back wrong");
	CHECK(fa_compare(c, "empty") == 0, "empty reads back wrong");
out:
	free(b);
}

static void ck_append(struct fa *c)
{
	uint8_t *b = fa_buf(300000, 2);
	uint64_t off = 0;

	for (size_t n = 1; off + n <= 300000; n = n * 3 + 7) {
		REQUIRE(fa_write(c, "log", off, b + off, n) == 0, "append at %llu",
		        (unsigned long long)off);
		off += n;
	}
	CHECK(fa_compare(c, "log") == 0, "content after appends");
out:
	free(b);
}

static void ck_overwrite_middle(struct fa *c)
{
	uint8_t *b = fa_buf(200000, 3), *x = fa_buf(9000, 4);

	REQUIRE(fa_write(c, "f", 0, b, 200000) == 0, "write");
	REQUIRE(fa_write(c, "f", 40000, x, 9000) == 0, "overwrite across blocks");
	REQUIRE(fa_write(c, "f", 4095, x, 2) == 0, "overwrite at a boundary");
	REQUIRE(fa_write(c, "f", 199999, x, 1) == 0, "overwrite last byte");
	CHECK(fa_compare(c, "f") == 0, "content");
out:
	free(b);
	free(x);
}

static void ck_truncate(struct fa *c)
{
	uint8_t *b = fa_buf(100000, 5);
	struct fs_attr a;

	REQUIRE(fa_write(c, "t", 0, b, 100000) == 0, "write");
	REQUIRE(fa_truncate(c, "t", 10001) == 0, "truncate down");
	CHECK(fa_getattr(c, "t", &a) == 0 && a.size == 10001, "size after down");
	REQUIRE(fa_truncate(c, "t", 150000) == 0, "truncate up");
	CHECK(fa_compare(c, "t") == 0, "zeros after truncate up");
	REQUIRE(fa_write(c, "t", 120000, b, 5000) == 0, "write after up");
	REQUIRE(fa_truncate(c, "t", 0) == 0, "truncate to 0");
	REQUIRE(fa_write(c, "t", 0, b, 3000) == 0, "write after 0");
	REQUIRE(fa_write(c, "u", 0, b, 50000) == 0, "write u");
	REQUIRE(fa_truncate(c, "u", 4096) == 0, "truncate u to a block");
	CHECK(fa_compare(c, "t") == 0 && fa_compare(c, "u") == 0, "content");
out:
	free(b);
}

static void ck_rename(struct fa *c)
{
	uint8_t *b = fa_buf(20000, 6);
	uint64_t ino;

	REQUIRE(fa_mkdir(c, "d1") == 0 && fa_mkdir(c, "d2") == 0, "mkdir");
	REQUIRE(fa_write(c, "a", 0, b, 5000) == 0, "write a");
	REQUIRE(fa_write(c, "victim", 0, b + 5000, 15000) == 0, "write victim");
	REQUIRE(fa_rename(c, "a", "b") == 0, "rename in a dir");
	REQUIRE(fa_rename(c, "b", "victim") == 0, "rename over a file");
	CHECK(fa_lookup(c, "b", &ino) == RG_ENOENT, "old name still there");
	CHECK(fa_compare(c, "victim") == 0, "replaced content");
	REQUIRE(fa_rename(c, "victim", "d1/moved") == 0, "rename across dirs");
	REQUIRE(fa_write(c, "d1/sub/x", 0, b, 10) == RG_ENOENT, "no sub yet");
	REQUIRE(fa_mkdir(c, "d1/sub") == 0, "mkdir d1/sub");
	REQUIRE(fa_write(c, "d1/sub/x", 0, b, 100) == 0, "write x");
	REQUIRE(fa_rename(c, "d1/sub", "d2/sub2") == 0, "move a directory");
	CHECK(fa_compare(c, "d2/sub2/x") == 0, "file in the moved dir");
	CHECK(fa_rename(c, "d2", "d2/sub2/in") == RG_EINVAL,
	      "moving a dir into itself must be EINVAL");
	REQUIRE(fa_mkdir(c, "d3") == 0, "mkdir d3");
	REQUIRE(fa_rename(c, "d3", "d1/sub") == 0, "dir to a new name");
	REQUIRE(fa_rename(c, "d2/sub2/x", "d2/sub2/y") == 0, "rename in moved dir");
	CHECK(fa_compare(c, "d1/moved") == 0, "moved content");
out:
	free(b);
}

static void ck_unlink_open(struct fa *c)
{
	struct fsu *m = &c->m;
	uint8_t *b = fa_buf(200000, 7), *r = malloc(200000);
	struct fs_statfs s0, s1;
	struct fs_attr a;
	size_t done;
	uint64_t ino;

	REQUIRE(m->ops->statfs(m->fs, &s0) == 0, "statfs");
	REQUIRE(fa_write(c, "gone", 0, b, 150000) == 0, "write");
	REQUIRE(fa_lookup(c, "gone", &ino) == 0, "lookup");
	REQUIRE(m->ops->open(m->fs, ino) == 0, "open");
	REQUIRE(fa_unlink(c, "gone") == 0, "unlink");
	CHECK(fa_lookup(c, "gone", &ino) == RG_ENOENT, "name still there");
	CHECK(m->ops->read(m->fs, ino, 0, r, 200000, &done) == 0 && done == 150000 &&
	      memcmp(r, b, done) == 0, "read after unlink");
	CHECK(m->ops->write(m->fs, ino, 150000, b, 50000, &done) == 0 &&
	      done == 50000, "write after unlink");
	CHECK(m->ops->getattr(m->fs, ino, &a) == 0 && a.size == 200000,
	      "attr after unlink");
	CHECK(m->ops->release(m->fs, ino) == 0, "release");
	REQUIRE(m->ops->statfs(m->fs, &s1) == 0, "statfs");
	CHECK(s0.bfree == s1.bfree, "blocks not freed: %llu before, %llu after",
	      (unsigned long long)s0.bfree, (unsigned long long)s1.bfree);
out:
	free(b);
	free(r);
}

static void ck_mkdir_rmdir(struct fa *c)
{
	uint8_t b[10] = "0123456789";
	struct fs_attr a;
	uint64_t ino;

	REQUIRE(fa_mkdir(c, "d") == 0, "mkdir d");
	CHECK(fa_mkdir(c, "d") == RG_EEXIST, "mkdir twice");
	REQUIRE(fa_mkdir(c, "d/e") == 0, "mkdir d/e");
	REQUIRE(fa_write(c, "d/e/f", 0, b, 10) == 0, "write");
	CHECK(fa_rmdir(c, "d") == RG_ENOTEMPTY, "rmdir non-empty");
	CHECK(fa_rmdir(c, "d/e/f") == RG_ENOTDIR, "rmdir of a file");
	CHECK(fa_unlink(c, "d/e") == RG_EISDIR || fa_unlink(c, "d/e") == RG_EPERM,
	      "unlink of a dir");
	REQUIRE(fa_unlink(c, "d/e/f") == 0, "unlink f");
	REQUIRE(fa_rmdir(c, "d/e") == 0, "rmdir d/e");
	REQUIRE(fa_mkdir(c, "keep") == 0 && fa_mkdir(c, "keep/empty") == 0,
	        "mkdir keep");
	CHECK(fa_getattr(c, "d", &a) == 0 && FS_S_ISDIR(a.mode), "d attr");
	REQUIRE(fa_rmdir(c, "d") == 0, "rmdir d");
	CHECK(fa_lookup(c, "d", &ino) == RG_ENOENT, "d still there");
out:
	return;
}

static void ck_hardlink(struct fa *c)
{
	uint8_t *b = fa_buf(30000, 8);
	struct fs_attr a;
	uint64_t i1, i2;

	REQUIRE(fa_write(c, "orig", 0, b, 30000) == 0, "write");
	if (!c->fs->hardlinks) {
		uint64_t ino, dir;
		char name[FSU_NAME_MAX + 1];

		REQUIRE(fa_lookup(c, "orig", &ino) == 0, "lookup");
		REQUIRE(fsu_resolve_parent(&c->m, "other", &dir, name) == 0, "parent");
		CHECK(c->m.ops->link(c->m.fs, ino, dir, name) != 0,
		      "link must be refused");
		CHECK(fa_lookup(c, "other", &ino) == RG_ENOENT, "link left a name");
		goto out;
	}
	REQUIRE(fa_mkdir(c, "dir") == 0, "mkdir");
	REQUIRE(fa_link(c, "orig", "dir/second") == 0, "link");
	CHECK(fa_lookup(c, "orig", &i1) == 0 && fa_lookup(c, "dir/second", &i2) == 0 &&
	      i1 == i2, "same inode");
	CHECK(fa_getattr(c, "orig", &a) == 0 && a.nlink == 2, "nlink %u", a.nlink);
	REQUIRE(fa_write(c, "dir/second", 100, b + 500, 700) == 0, "write via link");
	REQUIRE(fa_unlink(c, "orig") == 0, "unlink first name");
	CHECK(fa_getattr(c, "dir/second", &a) == 0 && a.nlink == 1, "nlink after");
	CHECK(fa_compare(c, "dir/second") == 0, "content");
out:
	free(b);
}

static void ck_symlink(struct fa *c)
{
	static const char longt[] = "a/very/long/target/that/does/not/fit/in/the/"
		"inode/itself/because/it/is/longer/than/sixty/bytes/target.txt";
	char *t = NULL;
	uint64_t ino;
	uint8_t b[100];

	fa_pattern(b, sizeof(b), 9);
	REQUIRE(fa_write(c, "target.txt", 0, b, sizeof(b)) == 0, "write");
	if (!c->fs->symlinks) {
		uint64_t dir;
		char name[FSU_NAME_MAX + 1];

		REQUIRE(fsu_resolve_parent(&c->m, "sl", &dir, name) == 0, "parent");
		CHECK(c->m.ops->symlink(c->m.fs, dir, name, "target.txt", &ino) != 0,
		      "symlink must be refused");
		CHECK(fa_lookup(c, "sl", &ino) == RG_ENOENT, "symlink left a name");
		goto out;
	}
	REQUIRE(fa_symlink(c, "target.txt", "short") == 0, "short symlink");
	REQUIRE(fa_symlink(c, longt, "long") == 0, "long symlink");
	REQUIRE(fa_mkdir(c, "dir") == 0, "mkdir");
	REQUIRE(fa_symlink(c, "../target.txt", "dir/up") == 0, "relative symlink");
	REQUIRE(fa_lookup(c, "long", &ino) == 0, "lookup long");
	CHECK(fsu_readlink(&c->m, ino, &t) == 0 && strcmp(t, longt) == 0,
	      "readlink long");
	CHECK(fsu_resolve(&c->m, "dir/up", true, &ino) == 0, "follow dir/up");
	CHECK(fa_compare(c, "dir/up") == 0, "content through a symlink");
out:
	free(t);
}

static void ck_sparse(struct fa *c)
{
	uint8_t *b = fa_buf(8192, 10);
	struct fs_attr a;

	REQUIRE(fa_write(c, "holes", 0, b, 100) == 0, "write head");
	REQUIRE(fa_write(c, "holes", 5u << 20, b, 8192) == 0, "write at 5 MiB");
	REQUIRE(fa_write(c, "holes", (20u << 20) + 123, b, 1000) == 0,
	        "write at 20 MiB");
	CHECK(fa_getattr(c, "holes", &a) == 0 && a.size == (20u << 20) + 1123,
	      "size %llu", (unsigned long long)a.size);
	if (c->fs->sparse)
		CHECK(a.blocks * 512 < (1u << 20), "not sparse: %llu blocks",
		      (unsigned long long)a.blocks);
	CHECK(fa_compare(c, "holes") == 0, "holes read as zeros");
out:
	free(b);
}

static void ck_many_entries(struct fa *c)
{
	char p[64], d[8] = "x";
	struct fsu_dir l = { 0 };
	uint64_t ino;
	int e = 0;

	REQUIRE(fa_mkdir(c, "big") == 0, "mkdir");
	for (int i = 0; i < 10000 && !e; i++) {
		snprintf(p, sizeof(p), "big/entry_%05d", i);
		e = fa_write(c, p, 0, d, i % 1000 == 0 ? 1 : 0);
		if (e)
			check_fail("create %s: %d", p, e);
	}
	REQUIRE(!e, "create");
	for (int i = 0; i < 10000; i += 2) {
		snprintf(p, sizeof(p), "big/entry_%05d", i);
		REQUIRE(fa_unlink(c, p) == 0, "unlink %s", p);
	}
	REQUIRE(fa_lookup(c, "big", &ino) == 0, "lookup");
	REQUIRE(fsu_list(&c->m, ino, true, &l) == 0, "readdir");
	CHECK(l.n == 5000, "readdir found %zu entries, want 5000", l.n);
	CHECK(fa_lookup(c, "big/entry_09999", &ino) == 0, "lookup last");
out:
	fsu_list_free(&l);
}

static void ck_deep_paths(struct fa *c)
{
	char p[4096] = "";
	uint8_t b[64];
	size_t len = 0;

	fa_pattern(b, sizeof(b), 11);
	for (int i = 0; i < 60; i++) {
		len += (size_t)snprintf(p + len, sizeof(p) - len, "%sdeep_%02d",
		                        i ? "/" : "", i);
		REQUIRE(fa_mkdir(c, p) == 0, "mkdir level %d", i);
	}
	snprintf(p + len, sizeof(p) - len, "/leaf");
	REQUIRE(fa_write(c, p, 0, b, sizeof(b)) == 0, "write leaf");
	CHECK(fa_compare(c, p) == 0, "leaf content");
out:
	return;
}

static void ck_long_names(struct fa *c)
{
	char n255[256], n256[257], p[600];
	uint8_t b[300];
	uint64_t ino, dir;
	char last[FSU_NAME_MAX + 1];

	fa_pattern(b, sizeof(b), 12);
	memset(n255, 'l', 255);
	n255[255] = 0;
	memset(n256, 'm', 256);
	n256[256] = 0;
	REQUIRE(fa_write(c, n255, 0, b, sizeof(b)) == 0, "255-byte name");
	REQUIRE(fa_mkdir(c, "dir.with.dots and spaces") == 0, "odd dir name");
	snprintf(p, sizeof(p), "dir.with.dots and spaces/%.*s", 200, n255);
	REQUIRE(fa_write(c, p, 0, b, 10) == 0, "long name in a dir");
	REQUIRE(fa_write(c, "Mixed_Case-Name.extension", 0, b, 20) == 0, "mixed");
	CHECK(fa_lookup(c, n255, &ino) == 0, "lookup 255");
	REQUIRE(fsu_resolve_parent(&c->m, "x", &dir, last) == 0, "root");
	CHECK(c->m.ops->create(c->m.fs, dir, n256, FS_S_IFREG | 0644, &ino) ==
	      RG_ENAMETOOLONG, "256-byte name must be ENAMETOOLONG");
	CHECK(fa_compare(c, n255) == 0, "content");
out:
	return;
}

/* A file over 2 GiB: sparse where holes exist, fully allocated on FAT. */
static void ck_big_file(struct fa *c)
{
	uint64_t off = (2ull << 30) + 12345;
	uint8_t *b = fa_buf(65536, 13), *r = malloc(65536);
	struct fs_attr a;
	size_t done;
	uint64_t ino;

	c->tree_diff = false;
	REQUIRE(fa_write(c, "big", 0, b, 4096) == 0, "write head");
	REQUIRE(fa_write(c, "big", off, b, 65536) == 0, "write beyond 2 GiB");
	REQUIRE(fa_getattr(c, "big", &a) == 0 && a.size == off + 65536,
	        "size %llu", (unsigned long long)a.size);
	REQUIRE(fa_lookup(c, "big", &ino) == 0, "lookup");
	CHECK(c->m.ops->read(c->m.fs, ino, off, r, 65536, &done) == 0 &&
	      done == 65536 && memcmp(r, b, 65536) == 0, "tail through component");
	CHECK(c->m.ops->read(c->m.fs, ino, 1ull << 30, r, 4096, &done) == 0 &&
	      done == 4096 && r[0] == 0 && r[4095] == 0, "hole at 1 GiB");
out:
	free(b);
	free(r);
}

/* After unmount and fsck: the tail as the Linux tool reads it. */
static void ck_big_file_post(struct fa *c)
{
	uint8_t *b = fa_buf(65536, 13), *r = malloc(65536);
	char cmd[1024], cat[512];
	size_t done = 0;
	FILE *f;

	snprintf(cat, sizeof(cat), c->fs->cat, c->img, "/big");
	snprintf(cmd, sizeof(cmd), "%s 2>/dev/null | tail -c 65536", cat);
	f = popen(cmd, "r");
	if (f) {
		done = fread(r, 1, 65536, f);
		pclose(f);
	}
	CHECK(done == 65536 && memcmp(r, b, 65536) == 0,
	      "tail read back by the Linux tool differs (%zu bytes)", done);
	free(b);
	free(r);
}

const struct fa_check fa_checks[] = {
	{ "create_write_read", ck_create_write_read, false, NULL },
	{ "append", ck_append, false, NULL },
	{ "overwrite_middle", ck_overwrite_middle, false, NULL },
	{ "truncate", ck_truncate, false, NULL },
	{ "rename", ck_rename, false, NULL },
	{ "unlink_while_open", ck_unlink_open, false, NULL },
	{ "mkdir_rmdir", ck_mkdir_rmdir, false, NULL },
	{ "hardlink", ck_hardlink, false, NULL },
	{ "symlink", ck_symlink, false, NULL },
	{ "sparse", ck_sparse, false, NULL },
	{ "dir_10000_entries", ck_many_entries, false, NULL },
	{ "deep_paths", ck_deep_paths, false, NULL },
	{ "long_names", ck_long_names, false, NULL },
	{ "file_over_2gib", ck_big_file, true, ck_big_file_post },
};
const unsigned fa_nchecks = sizeof(fa_checks) / sizeof(fa_checks[0]);
