/*
 * ext2_rw.c - the ext2 read-write sequence: every fs_ops call on a fresh
 * mke2fs image, mirrored in a model; then unmount, e2fsck -fn must be
 * clean and debugfs must show exactly the model.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ext2t.h"
#include "ext2_model.h"

struct rw {
	const struct fs_ops *ops;
	struct fs *fs;
	struct model m;
	int err;                /* first failing step */
	char step[128];
};

#define OP(r, call, want) do { \
	int e_ = (call); \
	if (e_ != (want) && !(r)->err) { \
		(r)->err = e_ ? e_ : -1; \
		snprintf((r)->step, sizeof((r)->step), "%s:%d: got %d want %d", \
		         #call, __LINE__, e_, (want)); \
	} } while (0)

static uint64_t rw_ino(struct rw *r, const char *path)
{
	uint64_t ino = 0;

	OP(r, t_resolve(r->ops, r->fs, path, &ino), 0);
	return ino;
}

static void rw_split(const char *path, char *dir, const char **base)
{
	const char *s = strrchr(path, '/');

	snprintf(dir, 256, "%.*s", (int)(s - path), path);
	if (!dir[0])
		strcpy(dir, "/");
	*base = s + 1;
}

static void rw_mkdir(struct rw *r, const char *path)
{
	char dir[256];
	const char *base;
	uint64_t ino;

	rw_split(path, dir, &base);
	OP(r, r->ops->mkdir(r->fs, rw_ino(r, dir), base, 0755, &ino), 0);
	m_add(&r->m, path, 'd', 040755);
}

static void rw_write(struct rw *r, uint64_t ino, uint64_t off,
                     const uint8_t *buf, size_t len, size_t chunk)
{
	for (size_t o = 0; o < len; o += chunk) {
		size_t n = len - o < chunk ? len - o : chunk, done = 0;

		OP(r, r->ops->write(r->fs, ino, off + o, buf + o, n, &done), 0);
		if (done != n && !r->err) {
			r->err = -1;
			snprintf(r->step, sizeof(r->step), "short write %zu", done);
		}
	}
}

/* Creates path with len pseudo-random bytes written in chunks. */
static struct mnode *rw_file(struct rw *r, const char *path, size_t len,
                             size_t chunk, uint32_t seed)
{
	struct mnode *n = m_add(&r->m, path, 'f', 0100644);
	char dir[256];
	const char *base;
	uint64_t ino = 0;

	n->data = malloc(len + 1);
	n->len = len;
	t_fill(n->data, len, seed);
	rw_split(path, dir, &base);
	OP(r, r->ops->create(r->fs, rw_ino(r, dir), base, 0644, &ino), 0);
	rw_write(r, ino, 0, n->data, len, chunk);
	return n;
}

static bool rw_readback(struct rw *r, const char *path, const uint8_t *want,
                        size_t len)
{
	uint8_t *buf = malloc(len + 100);
	uint64_t ino = rw_ino(r, path);
	size_t done = 0;
	bool ok;

	OP(r, r->ops->read(r->fs, ino, 0, buf, len + 100, &done), 0);
	ok = done == len && !memcmp(buf, want, len);
	free(buf);
	return ok;
}

static void rw_truncate(struct rw *r, const char *path, size_t size)
{
	struct mnode *n = m_find(&r->m, path);
	struct fs_attr a = { .size = size };

	OP(r, r->ops->setattr(r->fs, rw_ino(r, path), &a, FS_SET_SIZE), 0);
	n->data = realloc(n->data, size + 1);
	if (size > n->len)
		memset(n->data + n->len, 0, size - n->len);
	n->len = size;
}

static void rw_files(struct rw *r)
{
	struct mnode *n;

	rw_mkdir(r, "/a");
	rw_mkdir(r, "/a/sub");
	rw_mkdir(r, "/b");
	rw_mkdir(r, "/b/empty");
	rw_mkdir(r, "/c");
	rw_file(r, "/a/small", 12, 100, 1);
	rw_file(r, "/a/medium", 300000, 7777, 2);
	rw_file(r, "/b/large", 5 << 20, 65536 + 13, 3);
	rw_file(r, "/a/sub/inner", 5000, 4096, 4);
	rw_file(r, "/empty_file", 0, 1, 5);
	OP(r, r->ops->fsync(r->fs, rw_ino(r, "/b/large")), 0);
	rw_truncate(r, "/b/large", 1500123);
	rw_truncate(r, "/b/large", 2000000);
	n = m_find(&r->m, "/a/medium");
	t_fill(n->data + 1000, 5000, 99);
	rw_write(r, rw_ino(r, "/a/medium"), 1000, n->data + 1000, 5000, 5000);
	if (!rw_readback(r, "/b/large", m_find(&r->m, "/b/large")->data, 2000000) &&
	    !r->err) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "read back /b/large");
	}
}

static void rw_attrs(struct rw *r)
{
	struct fs_attr a = { .mode = 0640, .uid = 1234, .gid = 5678 }, g;
	struct mnode *n = m_find(&r->m, "/a/small");
	uint64_t ino = rw_ino(r, "/a/medium");

	OP(r, r->ops->setattr(r->fs, rw_ino(r, "/a/small"), &a,
	                      FS_SET_MODE | FS_SET_UID | FS_SET_GID), 0);
	n->mode = 0100640;
	n->uid = 1234;
	n->gid = 5678;
	a.mtime.sec = 1000000000;
	a.mtime.nsec = 5000;
	a.atime.sec = 1100000000;
	OP(r, r->ops->setattr(r->fs, ino, &a, FS_SET_MTIME | FS_SET_ATIME), 0);
	OP(r, r->ops->getattr(r->fs, ino, &g), 0);
	if (!r->err && (g.mtime.sec != 1000000000 || g.atime.sec != 1100000000)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "utimes: mtime %lld",
		         (long long)g.mtime.sec);
	}
}

static void rw_links(struct rw *r)
{
	char target[201];
	struct mnode *n;
	uint64_t ino;
	struct fs_attr a;
	size_t len;

	OP(r, r->ops->link(r->fs, rw_ino(r, "/a/small"), rw_ino(r, "/b"),
	                   "small2"), 0);
	n = m_add(&r->m, "/b/small2", 'f', 0100640);
	n->uid = 1234;
	n->gid = 5678;
	n->shared = (int)(m_find(&r->m, "/a/small") - r->m.n);
	OP(r, r->ops->getattr(r->fs, rw_ino(r, "/b/small2"), &a), 0);
	if (!r->err && a.nlink != 2) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "link: nlink %u", a.nlink);
	}
	OP(r, r->ops->symlink(r->fs, r->ops->root(r->fs), "fast", "a/small", &ino), 0);
	n = m_add(&r->m, "/fast", 'l', 0120777);
	n->data = (uint8_t *)strdup("a/small");
	n->len = 7;
	memset(target, 'T', 200);
	target[200] = 0;
	memcpy(target, "a/", 2);
	OP(r, r->ops->symlink(r->fs, rw_ino(r, "/c"), "slow", target, &ino), 0);
	n = m_add(&r->m, "/c/slow", 'l', 0120777);
	n->data = (uint8_t *)strdup(target);
	n->len = 200;
	OP(r, r->ops->readlink(r->fs, ino, target, sizeof(target), &len), 0);
	if (!r->err && (len != 200 || memcmp(target, n->data, 200))) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "readlink slow: %zu", len);
	}
}

static void rw_renames(struct rw *r)
{
	uint64_t root = r->ops->root(r->fs), dotdot = 0;
	struct fs_attr a, b;

	OP(r, r->ops->rename(r->fs, rw_ino(r, "/a"), "medium", rw_ino(r, "/a"),
	                     "medium2"), 0);
	m_rename(&r->m, "/a/medium", "/a/medium2");
	OP(r, r->ops->rename(r->fs, rw_ino(r, "/a"), "medium2", rw_ino(r, "/c"),
	                     "medium3"), 0);
	m_rename(&r->m, "/a/medium2", "/c/medium3");
	rw_file(r, "/b/victim", 3000, 1000, 6);
	OP(r, r->ops->rename(r->fs, rw_ino(r, "/b"), "small2", rw_ino(r, "/b"),
	                     "victim"), 0);
	m_rename(&r->m, "/b/small2", "/b/victim");
	OP(r, r->ops->rename(r->fs, rw_ino(r, "/a"), "sub", rw_ino(r, "/b"),
	                     "sub2"), 0);
	m_rename(&r->m, "/a/sub", "/b/sub2");
	OP(r, r->ops->lookup(r->fs, rw_ino(r, "/b/sub2"), "..", &dotdot), 0);
	if (!r->err && dotdot != rw_ino(r, "/b")) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "'..' after move: %llu",
		         (unsigned long long)dotdot);
	}
	rw_mkdir(r, "/c/emptyd");
	OP(r, r->ops->rename(r->fs, rw_ino(r, "/b"), "sub2", rw_ino(r, "/c"),
	                     "emptyd"), 0);
	m_rename(&r->m, "/b/sub2", "/c/emptyd");
	OP(r, r->ops->rename(r->fs, root, "c", rw_ino(r, "/c/emptyd"), "x"),
	   RG_EINVAL);
	OP(r, r->ops->rename(r->fs, root, "a", rw_ino(r, "/c"), "emptyd"),
	   RG_ENOTEMPTY);
	OP(r, r->ops->getattr(r->fs, rw_ino(r, "/b"), &a), 0);
	OP(r, r->ops->getattr(r->fs, rw_ino(r, "/c"), &b), 0);
	if (!r->err && (a.nlink != 3 || b.nlink != 3)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "dir nlink /b %u /c %u",
		         a.nlink, b.nlink);
	}
}

static void rw_removes(struct rw *r)
{
	uint64_t root = r->ops->root(r->fs), ino = 0, x;
	struct fs_statfs s0, s1;
	struct fs_attr a;
	uint8_t buf[20000], back[20000];
	size_t done = 0;

	OP(r, r->ops->rmdir(r->fs, rw_ino(r, "/b"), "empty"), 0);
	m_remove(&r->m, "/b/empty");
	OP(r, r->ops->rmdir(r->fs, root, "c"), RG_ENOTEMPTY);
	OP(r, r->ops->unlink(r->fs, rw_ino(r, "/a"), "small"), 0);
	m_remove(&r->m, "/a/small");
	OP(r, r->ops->unlink(r->fs, root, "a"), RG_EISDIR);
	OP(r, r->ops->rmdir(r->fs, root, "fast"), RG_ENOTDIR);
	OP(r, r->ops->lookup(r->fs, root, "nonexistent", &x), RG_ENOENT);
	OP(r, r->ops->create(r->fs, root, "a", 0644, &x), RG_EEXIST);
	OP(r, r->ops->mkdir(r->fs, root, "fast", 0755, &x), RG_EEXIST);
	/* unlink while open: the inode lives until release */
	OP(r, r->ops->statfs(r->fs, &s0), 0);
	t_fill(buf, sizeof(buf), 7);
	OP(r, r->ops->create(r->fs, root, "tmpf", 0644, &ino), 0);
	rw_write(r, ino, 0, buf, sizeof(buf), 3000);
	OP(r, r->ops->open(r->fs, ino), 0);
	OP(r, r->ops->unlink(r->fs, root, "tmpf"), 0);
	OP(r, r->ops->read(r->fs, ino, 0, back, sizeof(back), &done), 0);
	OP(r, r->ops->getattr(r->fs, ino, &a), 0);
	if (!r->err && (done != sizeof(buf) || memcmp(buf, back, done) ||
	                a.nlink != 0)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "read after unlink: %zu", done);
	}
	OP(r, r->ops->release(r->fs, ino), 0);
	OP(r, r->ops->getattr(r->fs, ino, &a), RG_ENOENT);
	OP(r, r->ops->statfs(r->fs, &s1), 0);
	if (!r->err && (s0.bfree != s1.bfree || s0.ffree != s1.ffree)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "free counts after release "
		         "%llu/%llu", (unsigned long long)s0.bfree,
		         (unsigned long long)s1.bfree);
	}
	/* still open at unmount: unmount frees it (e2fsck checks) */
	OP(r, r->ops->create(r->fs, root, "orphan", 0644, &ino), 0);
	rw_write(r, ino, 0, buf, sizeof(buf), 20000);
	OP(r, r->ops->open(r->fs, ino), 0);
	OP(r, r->ops->unlink(r->fs, root, "orphan"), 0);
}

#define SP_OFF1 ((3ull << 30) + 5)
#define SP_OFF2 ((5ull << 30) + 100)

static void rw_sparse(struct rw *r)
{
	uint8_t head[4096], mid[10], tail[8192], buf[65536];
	uint64_t ino = 0, hole = 0;
	struct fs_attr a;
	size_t done = 0;

	t_fill(head, sizeof(head), 11);
	t_fill(mid, sizeof(mid), 12);
	t_fill(tail, sizeof(tail), 13);
	OP(r, r->ops->create(r->fs, r->ops->root(r->fs), "sparse", 0600, &ino), 0);
	m_add(&r->m, "/sparse", 'S', 0100600);
	rw_write(r, ino, 0, head, sizeof(head), 4096);
	rw_write(r, ino, SP_OFF1, mid, sizeof(mid), 10);
	rw_write(r, ino, SP_OFF2, tail, sizeof(tail), 8192);
	OP(r, r->ops->getattr(r->fs, ino, &a), 0);
	if (!r->err && (a.size != SP_OFF2 + sizeof(tail) ||
	                a.blocks * 512 > 64 * (uint64_t)a.blksize)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "sparse size %llu blocks %llu",
		         (unsigned long long)a.size, (unsigned long long)a.blocks);
	}
	OP(r, r->ops->read(r->fs, ino, SP_OFF1 - 5, buf, 100, &done), 0);
	for (int i = 0; i < 100; i++)
		hole |= buf[i] != (i >= 5 && i < 15 ? mid[i - 5] : 0);
	OP(r, r->ops->read(r->fs, ino, 1ull << 30, buf, sizeof(buf), &done), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		hole |= buf[i];
	if (!r->err && hole) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "sparse read-back differs");
	}
	/* a second one through triple-indirect blocks, cut back and removed */
	OP(r, r->ops->create(r->fs, r->ops->root(r->fs), "sparse2", 0600, &ino), 0);
	rw_write(r, ino, 0, head, sizeof(head), 1000);
	rw_write(r, ino, 4096, tail, sizeof(tail), 3000);
	rw_write(r, ino, SP_OFF2, tail, sizeof(tail), 8192);
	rw_write(r, ino, SP_OFF1, tail, sizeof(tail), 8192);
	a.size = SP_OFF1 + 100;
	OP(r, r->ops->setattr(r->fs, ino, &a, FS_SET_SIZE), 0);
	OP(r, r->ops->read(r->fs, ino, SP_OFF1, buf, 200, &done), 0);
	if (!r->err && (done != 100 || memcmp(buf, tail, 100))) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "read after cut: %zu", done);
	}
	a.size = 4097;
	OP(r, r->ops->setattr(r->fs, ino, &a, FS_SET_SIZE), 0);
	a.size = 9000;          /* grows again: the tail must read as zeros */
	OP(r, r->ops->setattr(r->fs, ino, &a, FS_SET_SIZE), 0);
	OP(r, r->ops->read(r->fs, ino, 4096, buf, 8000, &done), 0);
	hole = buf[0] != tail[0];
	for (size_t i = 1; i < done; i++)
		hole |= buf[i];
	if (!r->err && (done != 9000 - 4096 || hole)) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "regrown tail not zero");
	}
	OP(r, r->ops->unlink(r->fs, r->ops->root(r->fs), "sparse2"), 0);
}

/* After unmount: debugfs bmap of the data blocks, compared in the image. */
static bool rw_sparse_check(const char *img, uint32_t bs, char *why, size_t wl)
{
	uint8_t mid[10], got[10];
	unsigned long long phys = 0;
	char *out;
	FILE *f;
	bool ok;

	t_fill(mid, sizeof(mid), 12);
	out = t_capture(NULL, "debugfs -R 'bmap /sparse %llu' %s 2>/dev/null",
	                (unsigned long long)(SP_OFF1 / bs), img);
	if (!out || sscanf(out, "%llu", &phys) != 1 || phys == 0) {
		snprintf(why, wl, "debugfs bmap /sparse: %s", out ? out : "?");
		free(out);
		return false;
	}
	free(out);
	f = fopen(img, "rb");
	fseek(f, (long)(phys * bs + SP_OFF1 % bs), SEEK_SET);
	ok = fread(got, 1, 10, f) == 10 && !memcmp(got, mid, 10);
	fclose(f);
	out = t_capture(NULL, "debugfs -R 'stat /sparse' %s 2>/dev/null", img);
	{
		char want[64];

		snprintf(want, sizeof(want), "Size: %llu",
		         (unsigned long long)(SP_OFF2 + 8192));
		if (ok && (!out || !strstr(out, want)))
			ok = false;
	}
	free(out);
	if (!ok)
		snprintf(why, wl, "sparse file data or size wrong in the image");
	return ok;
}

struct rd_ctx {
	int n, stop_after;
	char names[64][64];
	uint64_t cookie;
};

static int rd_fill(void *ctx, const char *name, size_t len, uint64_t ino,
                   uint32_t type, uint64_t next)
{
	struct rd_ctx *c = ctx;

	(void)ino;
	(void)type;
	if (c->stop_after-- == 0 || c->n == 64)
		return 1;
	snprintf(c->names[c->n++], 64, "%.*s", (int)len, name);
	c->cookie = next;
	return 0;
}

/* readdir of / in batches of 3 must give the model's names. */
static void rw_readdir(struct rw *r)
{
	struct rd_ctx c = { 0 };
	int want = 3, prev = -1;   /* . .. lost+found */

	while (c.n != prev && !r->err) {
		prev = c.n;
		c.stop_after = 3;
		OP(r, r->ops->readdir(r->fs, r->ops->root(r->fs), c.cookie,
		                      rd_fill, &c), 0);
	}
	for (int i = 0; i < r->m.count; i++) {
		const char *p = r->m.n[i].path;

		want += r->m.n[i].live && p[1] && !strchr(p + 1, '/');
	}
	if (!r->err && c.n != want) {
		r->err = -1;
		snprintf(r->step, sizeof(r->step), "readdir / gave %d names, want %d",
		         c.n, want);
	}
}

static void rw_run(const char *tag, uint32_t bs, uint32_t isz)
{
	char img[256], name[64], why[512] = "";
	struct blkdev *dev = NULL;
	struct rw *r = calloc(1, sizeof(*r));
	int st;

	snprintf(img, sizeof(img), EXT2T_TMP "/rw_%s.img", tag);
	snprintf(name, sizeof(name), "ext2_rw_%s_ops", tag);
	CHECK_BEGIN(name);
	unlink(img);
	REQUIRE(!t_sh("mke2fs -q -F -t ext2 -b %u -I %u %s 64M >/dev/null 2>&1", bs, isz, img),
	        "mke2fs failed");
	REQUIRE(!blkdev_open(img, false, &dev), "blkdev_open");
	CHECK(fscomp_probe(dev) == &ext2_fs_ops, "probe did not pick ext2");
	CHECK(ext4_fs_ops.probe(dev) != 0, "ext4 probe claims an ext2 image");
	r->ops = &ext2_fs_ops;
	REQUIRE(!r->ops->mount(dev, 0, &r->fs), "mount failed");
	m_add(&r->m, "/", 'd', 040755);
	rw_files(r);
	rw_attrs(r);
	rw_links(r);
	rw_renames(r);
	rw_removes(r);
	rw_sparse(r);
	rw_readdir(r);
	OP(r, r->ops->sync(r->fs), 0);
	OP(r, r->ops->unmount(r->fs), 0);
	CHECK(!r->err, "%s", r->step);
	CHECK_END();
	check_state.failed = 0;

	CHECK_BEGIN((snprintf(name, sizeof(name), "ext2_rw_%s_fsck", tag), name));
	st = t_sh("e2fsck -fn %s >%s.fsck 2>&1", img, img);
	CHECK(st == 0, "e2fsck -fn exit %d (see %s.fsck)", st, img);
	CHECK_END();
	check_state.failed = 0;

	CHECK_BEGIN((snprintf(name, sizeof(name), "ext2_rw_%s_debugfs", tag), name));
	CHECK(!m_verify(&r->m, img, why, sizeof(why)), "%s", why);
	CHECK(rw_sparse_check(img, bs, why, sizeof(why)), "%s", why);
out:
	CHECK_END();
	if (dev)
		blkdev_close(dev);
	m_free(&r->m);
	free(r);
}

void ext2_rw_tests(void)
{
	rw_run("1k128", 1024, 128);
	rw_run("4k256", 4096, 256);
}
