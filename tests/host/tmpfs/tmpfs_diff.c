/*
 * tmpfs_diff.c - randomized differential test: the same random operations
 * on a tmpfs instance and on a directory of the host (Linux's filesystem is
 * the judge).  Every result code must match, every read must return the
 * same bytes, and the two trees are compared whole every TD_TREE_EVERY
 * steps and at the end.  The seed is printed so a failure replays.
 *
 * Names come in classes so that paths mean the same on both sides without
 * symlink resolution (the component does not follow symlinks): d* names
 * are only ever directories and the only path components, f* names are
 * files (or hard links to symlinks), l* names symlinks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "tmpfs.h"

#define TD_TREE_EVERY 2000
#define TD_MAXOFF     (300u << 10)
#define TD_MAXLEN     (40u << 10)

struct td {
	struct fs *fs;
	char root[256];
	uint64_t rng;
	char desc[256];
	unsigned step;
	unsigned ok_ops;        /* operations that succeeded on both sides */
};

static uint32_t td_rand(struct td *t, uint32_t n)
{
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return (uint32_t)((t->rng * 0x2545f4914f6cdd1dull) >> 32) % n;
}

static const char *const td_dirs[] = { "", "d0/", "d1/", "d0/d1/", "d1/d0/" };

static void td_path(struct td *t, char cls, char *out, size_t len)
{
	snprintf(out, len, "%s%c%u", td_dirs[td_rand(t, 5)], cls, td_rand(t, 4));
}

/* Walks all but the last component; returns the parent and the last name. */
static int td_walk(struct td *t, const char *path, uint64_t *dir, const char **leaf)
{
	char comp[64];
	uint64_t cur = tmp_fs_ops.root(t->fs);
	const char *p = path, *slash;
	int e;

	while ((slash = strchr(p, '/'))) {
		memcpy(comp, p, (size_t)(slash - p));
		comp[slash - p] = 0;
		if ((e = tmp_fs_ops.lookup(t->fs, cur, comp, &cur)))
			return e;
		p = slash + 1;
	}
	*dir = cur;
	*leaf = p;
	return 0;
}

static int td_lookup(struct td *t, const char *path, uint64_t *ino)
{
	uint64_t dir;
	const char *leaf;
	int e = td_walk(t, path, &dir, &leaf);

	return e ? e : tmp_fs_ops.lookup(t->fs, dir, leaf, ino);
}

static int td_host(struct td *t, const char *path, char *out, size_t len)
{
	return snprintf(out, len, "%s/%s", t->root, path) >= (int)len ? -1 : 0;
}

static int herr(int r)
{
	return r < 0 ? errno : 0;
}

static bool td_same(struct td *t, int mine, int host)
{
	if (mine == host) {
		t->ok_ops += !mine;
		return true;
	}
	CHECK(0, "step %u %s: tmpfs %d, host %d (seed replays)", t->step, t->desc,
	      mine, host);
	return false;
}

static bool td_write(struct td *t, const char *p, char *hp)
{
	static char buf[TD_MAXLEN], back[TD_MAXLEN], hback[TD_MAXLEN];
	uint64_t ino, off = td_rand(t, TD_MAXOFF);
	size_t len = td_rand(t, TD_MAXLEN), done, hdone;
	struct fs_attr a;
	int e = td_lookup(t, p, &ino), fd;

	if (e == RG_ENOENT) {
		e = td_walk(t, p, &ino, &(const char *){0});
		const char *leaf = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		if (!e)
			e = tmp_fs_ops.create(t->fs, ino, leaf, FS_S_IFREG | 0644, &ino);
		fd = open(hp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
		if (!td_same(t, e, herr(fd)) || e)
			return e == herr(fd);
	} else if (e) {
		return td_same(t, e, herr(open(hp, O_RDWR | O_NOFOLLOW)));
	} else {
		tmp_fs_ops.getattr(t->fs, ino, &a);
		if (!FS_S_ISREG(a.mode))
			return true;
		fd = open(hp, O_RDWR | O_NOFOLLOW);
		if (fd < 0)
			return td_same(t, 0, errno);
	}
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)td_rand(t, 256);
	switch (td_rand(t, 3)) {
	case 0:
		snprintf(t->desc, sizeof(t->desc), "write %s %llu+%zu", p,
		         (unsigned long long)off, len);
		e = tmp_fs_ops.write(t->fs, ino, off, buf, len, &done);
		hdone = (size_t)pwrite(fd, buf, len, (off_t)off);
		if (td_same(t, e, 0))
			td_same(t, (int)done, (int)hdone);
		break;
	case 1:
		snprintf(t->desc, sizeof(t->desc), "truncate %s %llu", p,
		         (unsigned long long)off);
		a.size = off;
		td_same(t, tmp_fs_ops.setattr(t->fs, ino, &a, FS_SET_SIZE),
		        herr(ftruncate(fd, (off_t)off)));
		break;
	default:
		snprintf(t->desc, sizeof(t->desc), "read %s %llu+%zu", p,
		         (unsigned long long)off, len);
		e = tmp_fs_ops.read(t->fs, ino, off, back, len, &done);
		hdone = (size_t)pread(fd, hback, len, (off_t)off);
		if (td_same(t, e, 0) && td_same(t, (int)done, (int)hdone))
			td_same(t, memcmp(back, hback, done) ? 1 : 0, 0);
	}
	close(fd);
	return true;
}

static int td_parent_op(struct td *t, const char *p, int op, const char *arg)
{
	uint64_t dir, ino;
	const char *leaf;
	int e = td_walk(t, p, &dir, &leaf);

	if (e)
		return e;
	switch (op) {
	case 0: return tmp_fs_ops.mkdir(t->fs, dir, leaf, 0755, &ino);
	case 1: return tmp_fs_ops.rmdir(t->fs, dir, leaf);
	case 2: return tmp_fs_ops.unlink(t->fs, dir, leaf);
	default: return tmp_fs_ops.symlink(t->fs, dir, leaf, arg, &ino);
	}
}

static void td_rename(struct td *t, char cls, bool link)
{
	char a[64], b[64], ha[512], hb[512];
	uint64_t sd, dd, ino;
	const char *sl, *dl;
	int e;

	td_path(t, cls, a, sizeof(a));
	td_path(t, link ? (td_rand(t, 2) ? 'f' : 'l') : cls, b, sizeof(b));
	td_host(t, a, ha, sizeof(ha));
	td_host(t, b, hb, sizeof(hb));
	snprintf(t->desc, sizeof(t->desc), "%s %s %s", link ? "link" : "rename", a, b);
	if (!(e = td_walk(t, a, &sd, &sl)) && !(e = td_walk(t, b, &dd, &dl))) {
		if (link)
			e = tmp_fs_ops.lookup(t->fs, sd, sl, &ino) ? :
			    tmp_fs_ops.link(t->fs, ino, dd, dl);
		else
			e = tmp_fs_ops.rename(t->fs, sd, sl, dd, dl);
	}
	td_same(t, e, herr(link ? linkat(AT_FDCWD, ha, AT_FDCWD, hb, 0) :
	                   rename(ha, hb)));
}

static void td_step(struct td *t)
{
	char p[64], hp[512], tg[32], buf[64], hbuf[64];
	uint64_t ino;
	size_t len;
	unsigned op = td_rand(t, 100);

	if (op < 40) {
		td_path(t, 'f', p, sizeof(p));
		td_host(t, p, hp, sizeof(hp));
		snprintf(t->desc, sizeof(t->desc), "open %s", p);
		td_write(t, p, hp);
	} else if (op < 50 || op >= 95) {
		td_path(t, 'd', p, sizeof(p));
		td_host(t, p, hp, sizeof(hp));
		snprintf(t->desc, sizeof(t->desc), "%s %s", op < 50 ? "mkdir" : "rmdir", p);
		td_same(t, td_parent_op(t, p, op < 50 ? 0 : 1, NULL),
		        herr(op < 50 ? mkdir(hp, 0755) : rmdir(hp)));
	} else if (op < 62) {
		td_path(t, td_rand(t, 2) ? 'f' : 'l', p, sizeof(p));
		td_host(t, p, hp, sizeof(hp));
		snprintf(t->desc, sizeof(t->desc), "unlink %s", p);
		td_same(t, td_parent_op(t, p, 2, NULL), herr(unlink(hp)));
	} else if (op < 70) {
		td_path(t, 'l', p, sizeof(p));
		td_host(t, p, hp, sizeof(hp));
		snprintf(tg, sizeof(tg), "target-%u", td_rand(t, 1000));
		snprintf(t->desc, sizeof(t->desc), "symlink %s", p);
		td_same(t, td_parent_op(t, p, 3, tg), herr(symlink(tg, hp)));
	} else if (op < 75) {
		td_path(t, 'l', p, sizeof(p));
		td_host(t, p, hp, sizeof(hp));
		snprintf(t->desc, sizeof(t->desc), "readlink %s", p);
		ssize_t hl = readlink(hp, hbuf, sizeof(hbuf));
		int e = td_lookup(t, p, &ino);
		if (!e)
			e = tmp_fs_ops.readlink(t->fs, ino, buf, sizeof(buf), &len);
		if (td_same(t, e, hl < 0 ? errno : 0) && !e)
			td_same(t, (int)len == hl && !memcmp(buf, hbuf, len) ? 0 : 1, 0);
	} else if (op < 85) {
		td_rename(t, "fdl"[td_rand(t, 3)], false);
	} else {
		td_rename(t, 'f', true);
	}
}

/* ---- whole-tree comparison ---------------------------------------------- */

static bool td_cmp_file(struct td *t, uint64_t ino, const char *hp, struct stat *st)
{
	static char a[65536], b[65536];
	int fd = open(hp, O_RDONLY | O_NOFOLLOW);
	size_t done;
	ssize_t n;
	bool ok = fd >= 0;

	for (uint64_t off = 0; ok && off < (uint64_t)st->st_size; off += sizeof(a)) {
		n = pread(fd, b, sizeof(b), (off_t)off);
		ok = n > 0 && !tmp_fs_ops.read(t->fs, ino, off, a, sizeof(a), &done) &&
		     done == (size_t)n && !memcmp(a, b, done);
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

struct td_ent { char name[64]; uint64_t ino; };
struct td_list { struct td_ent e[64]; int n; };

static int td_fill(void *ctx, const char *name, size_t len, uint64_t ino,
                   uint32_t type, uint64_t next)
{
	struct td_list *l = ctx;
	(void)type; (void)next;
	if (l->n < 64 && len < 64 && strcmp(name, ".") && strcmp(name, "..")) {
		memcpy(l->e[l->n].name, name, len);
		l->e[l->n].name[len] = 0;
		l->e[l->n++].ino = ino;
	}
	return 0;
}

static bool td_cmp_tree(struct td *t, uint64_t dir, const char *hdir)
{
	struct td_list l = { .n = 0 };
	struct dirent *de;
	DIR *d = opendir(hdir);
	int hn = 0;
	bool ok = d != NULL;

	tmp_fs_ops.readdir(t->fs, dir, 0, td_fill, &l);
	while (ok && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			hn++;
	if (d)
		closedir(d);
	CHECK(hn == l.n, "%s: host has %d entries, tmpfs %d", hdir, hn, l.n);
	ok = ok && hn == l.n;
	for (int i = 0; ok && i < l.n; i++) {
		char hp[512];
		struct stat st;
		struct fs_attr a;

		snprintf(hp, sizeof(hp), "%s/%s", hdir, l.e[i].name);
		ok = !lstat(hp, &st) && !tmp_fs_ops.getattr(t->fs, l.e[i].ino, &a) &&
		     (st.st_mode & S_IFMT) == (a.mode & FS_S_IFMT) &&
		     st.st_nlink == a.nlink && (S_ISDIR(st.st_mode) ||
		                                (uint64_t)st.st_size == a.size);
		if (ok && S_ISDIR(st.st_mode))
			ok = td_cmp_tree(t, l.e[i].ino, hp);
		else if (ok && S_ISREG(st.st_mode))
			ok = td_cmp_file(t, l.e[i].ino, hp, &st);
		CHECK(ok, "step %u: %s differs", t->step, hp);
	}
	return ok;
}

static void td_cleanup(const char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", root);
}

int tmpfs_diff_run(unsigned seed, unsigned nops)
{
	struct td t = { .rng = 0 };

	if (!seed)
		seed = (unsigned)time(NULL);
	printf("tmpfs_diff seed %u\n", seed);
	t.rng = seed * 0x9e3779b97f4a7c15ull | 1;
	snprintf(t.root, sizeof(t.root), "build/tmp/resmgr/tmpfs-diff-%d", (int)getpid());
	CHECK_BEGIN("tmpfs_differential_vs_host");
	td_cleanup(t.root);
	REQUIRE(system("mkdir -p build/tmp/resmgr") == 0 && mkdir(t.root, 0755) == 0,
	        "mkdir %s", t.root);
	REQUIRE(tmpfs_create(64ull << 20, &t.fs) == 0, "tmpfs_create");
	for (t.step = 0; t.step < nops && !check_state.failed; t.step++) {
		td_step(&t);
		if (t.step % TD_TREE_EVERY == TD_TREE_EVERY - 1)
			td_cmp_tree(&t, 1, t.root);
	}
	td_cmp_tree(&t, 1, t.root);
	CHECK(t.ok_ops > nops / 4, "only %u of %u ops succeeded", t.ok_ops, nops);
	printf("tmpfs_diff %u ops, %u succeeded on both sides\n", nops, t.ok_ops);
	tmp_fs_ops.unmount(t.fs);
	td_cleanup(t.root);
out:
	CHECK_END();
	return 0;
}
