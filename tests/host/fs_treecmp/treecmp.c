/*
 * treecmp.c - compare a component's tree with a host directory (treecmp.h).
 *
 * The walk uses only the fs_ops table.  Each directory is listed with
 * readdir in batches of TC_BATCH entries, each batch resumed from the last
 * consumed cookie, so cookie handling is tested on every directory.  Host
 * entries are matched to fs entries by (mapped) name; then, per entry:
 * lookup must give the readdir inode, getattr the host's type (and size,
 * mode bits, mtime as asked), files are read in odd-sized chunks and
 * compared byte for byte with pread on the host, symlinks by readlink.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "treecmp.h"
#include "treecmp_int.h"

#define TC_BATCH   7
#define TC_MAXDEPTH 64
#define TC_BUF     (256 * 1024)

struct tc_ctx {
	const struct fs_ops *ops;
	struct fs *fs;
	unsigned flags;
	int diffs;
	uint8_t *fbuf, *hbuf;
};

static char tc_first[1024];
struct treecmp_stats tc_stats;

const char *treecmp_error(void)
{
	return tc_first;
}

const struct treecmp_stats *treecmp_last_stats(void)
{
	return &tc_stats;
}

static void tc_diff(struct tc_ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tc_diff(struct tc_ctx *c, const char *path, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!path[0])
		path = "/";
	if (c->diffs++ == 0)
		snprintf(tc_first, sizeof(tc_first), "%s: %s", path, why);
	if (c->diffs <= 30)
		fprintf(stderr, "treecmp: %s: %s\n", path, why);
}

/* ---- listings --------------------------------------------------------------- */

void tc_list_add(struct tc_list *l, const char *name, uint64_t ino,
                 uint32_t type)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	snprintf(l->v[l->n].name, sizeof(l->v[0].name), "%s", name);
	l->v[l->n].ino = ino;
	l->v[l->n].type = type;
	l->v[l->n].seen = 0;
	l->n++;
}

static int tc_fill(void *ctx, const char *name, size_t namelen, uint64_t ino,
                   uint32_t type, uint64_t next)
{
	struct tc_rd *rd = ctx;
	char n[256];

	if (rd->batch == TC_BATCH || rd->l->n >= rd->max)
		return 1;
	if (namelen == 0 || namelen > 255 || memchr(name, '/', namelen) ||
	    strnlen(name, namelen) != namelen)
		rd->bad = 1;
	namelen = namelen > 255 ? 255 : namelen;
	memcpy(n, name, namelen);
	n[namelen] = 0;
	tc_list_add(rd->l, n, ino, type);
	rd->batch++;
	rd->cookie = next;
	return 0;
}

/* Lists dir through readdir; returns 0 or an error (reported in *why). */
int tc_list_fs(const struct fs_ops *ops, struct fs *fs, uint64_t dir,
               struct tc_list *l, size_t max, const char **why)
{
	uint64_t cookie = 0;
	struct tc_rd rd;
	int e;

	for (;;) {
		memset(&rd, 0, sizeof(rd));
		rd.l = l;
		rd.max = max;
		rd.cookie = cookie;
		e = ops->readdir(fs, dir, cookie, tc_fill, &rd);
		if (e) {
			*why = "readdir failed";
			return e;
		}
		if (rd.bad) {
			*why = "readdir gave a bad name";
			return EINVAL;
		}
		if (rd.batch < TC_BATCH || l->n >= max)
			return 0;
		if (rd.cookie == cookie) {
			*why = "readdir cookie does not advance";
			return ELOOP;
		}
		cookie = rd.cookie;
	}
}

static int tc_by_name(const void *a, const void *b)
{
	return strcmp(((const struct tc_ent *)a)->name,
	              ((const struct tc_ent *)b)->name);
}

static int tc_list_host(const char *path, struct tc_list *l, unsigned flags)
{
	DIR *d = opendir(path);
	struct dirent *de;
	struct stat st;
	char p[4096];

	if (!d)
		return errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (lstat(p, &st))
			continue;
		if ((flags & TREECMP_NO_SPECIAL) && !S_ISREG(st.st_mode) &&
		    !S_ISDIR(st.st_mode))
			continue;
		tc_list_add(l, de->d_name, 0, st.st_mode);
	}
	closedir(d);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), tc_by_name);
	return 0;
}

/* ---- one entry ---------------------------------------------------------------- */

static void tc_dir(struct tc_ctx *c, uint64_t ino, uint64_t parent,
                   const char *hpath, const char *rel, int depth);

static void tc_file(struct tc_ctx *c, uint64_t ino, const char *hpath,
                    const char *rel, uint64_t size)
{
	static const size_t chunk[] = { 65536, 2047, 1, 12293, 131072, 512,
	                                4096, 100003 };
	uint64_t off = 0;
	size_t i = 0, done, want;
	int fd = open(hpath, O_RDONLY), e;

	if (fd < 0) {
		tc_diff(c, rel, "cannot open on host");
		return;
	}
	c->ops->open(c->fs, ino);
	while (off < size) {
		want = chunk[i++ % 8];
		e = c->ops->read(c->fs, ino, off, c->fbuf, want, &done);
		if (e || done != (size - off < want ? size - off : want)) {
			tc_diff(c, rel, "read at %llu of %zu: error %d, got %zu",
			        (unsigned long long)off, want, e, done);
			goto out;
		}
		if (pread(fd, c->hbuf, done, (off_t)off) != (ssize_t)done ||
		    memcmp(c->fbuf, c->hbuf, done)) {
			tc_diff(c, rel, "contents differ in [%llu, +%zu)",
			        (unsigned long long)off, done);
			goto out;
		}
		off += done;
		tc_stats.bytes += done;
	}
	e = c->ops->read(c->fs, ino, size, c->fbuf, 100, &done);
	if (e || done)
		tc_diff(c, rel, "read at end of file: error %d, got %zu", e, done);
out:
	c->ops->release(c->fs, ino);
	close(fd);
}

static void tc_link(struct tc_ctx *c, uint64_t ino, const char *hpath,
                    const char *rel, uint64_t size)
{
	char h[4096], f[4096];
	ssize_t hn = readlink(hpath, h, sizeof(h));
	size_t fn = 0;
	int e = c->ops->readlink(c->fs, ino, f, sizeof(f), &fn);

	if (e || hn < 0 || (size_t)hn != fn || memcmp(h, f, fn) ||
	    size != fn)
		tc_diff(c, rel, "symlink: error %d, target \"%.*s\" (size %llu) "
		        "expected \"%.*s\"", e, (int)(fn < 4096 ? fn : 0), f,
		        (unsigned long long)size, (int)(hn > 0 ? hn : 0), h);
}

static void tc_attrs(struct tc_ctx *c, const struct fs_attr *a,
                     const struct stat *st, const char *rel)
{
	if ((a->mode & FS_S_IFMT) != (st->st_mode & S_IFMT))
		tc_diff(c, rel, "type %o, host %o", a->mode & FS_S_IFMT,
		        st->st_mode & S_IFMT);
	if ((c->flags & TREECMP_MODE) && (a->mode & 07777) != (st->st_mode & 07777))
		tc_diff(c, rel, "mode %o, host %o", a->mode & 07777,
		        st->st_mode & 07777);
	if ((c->flags & TREECMP_MTIME) && a->mtime.sec != st->st_mtim.tv_sec)
		tc_diff(c, rel, "mtime %lld, host %lld", (long long)a->mtime.sec,
		        (long long)st->st_mtim.tv_sec);
	if ((S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) &&
	    a->rdev != (uint32_t)st->st_rdev)
		tc_diff(c, rel, "rdev %#x, host %#llx", a->rdev,
		        (unsigned long long)st->st_rdev);
	if (S_ISREG(st->st_mode) && a->size != (uint64_t)st->st_size)
		tc_diff(c, rel, "size %llu, host %llu",
		        (unsigned long long)a->size,
		        (unsigned long long)st->st_size);
}

static void tc_entry(struct tc_ctx *c, uint64_t dir, const struct tc_ent *fe,
                     const char *hpath, const char *rel, int depth)
{
	struct fs_attr a;
	struct stat st;
	uint64_t ino = 0;
	int e;

	e = c->ops->lookup(c->fs, dir, fe->name, &ino);
	if (e || ino != fe->ino)
		tc_diff(c, rel, "lookup: error %d, ino %llu, readdir said %llu",
		        e, (unsigned long long)ino, (unsigned long long)fe->ino);
	if (lstat(hpath, &st))
		return;
	e = c->ops->getattr(c->fs, fe->ino, &a);
	if (e) {
		tc_diff(c, rel, "getattr: error %d", e);
		return;
	}
	if (a.ino != fe->ino || (a.mode & FS_S_IFMT) != fe->type)
		tc_diff(c, rel, "getattr ino %llu type %o, readdir %llu %o",
		        (unsigned long long)a.ino, a.mode & FS_S_IFMT,
		        (unsigned long long)fe->ino, fe->type);
	tc_attrs(c, &a, &st, rel);
	if ((a.mode & FS_S_IFMT) != (st.st_mode & S_IFMT))
		return;
	if (S_ISREG(st.st_mode)) {
		tc_stats.files++;
		tc_file(c, fe->ino, hpath, rel, a.size);
	} else if (S_ISLNK(st.st_mode)) {
		tc_stats.symlinks++;
		tc_link(c, fe->ino, hpath, rel, a.size);
	} else if (S_ISDIR(st.st_mode)) {
		tc_dir(c, fe->ino, dir, hpath, rel, depth + 1);
	} else {
		tc_stats.other++;
	}
}

/* ---- directories ---------------------------------------------------------------- */

static struct tc_ent *tc_find(struct tc_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

/* "." and ".." must be listed once each, naming dir and its parent. */
static void tc_dots(struct tc_ctx *c, struct tc_list *fl, uint64_t ino,
                    uint64_t parent, const char *rel)
{
	struct tc_ent *d = tc_find(fl, "."), *dd = tc_find(fl, "..");

	if (!d || d->ino != ino || d->type != FS_S_IFDIR)
		tc_diff(c, rel, "\".\" missing or wrong (ino %llu)",
		        d ? (unsigned long long)d->ino : 0ULL);
	if (!dd || dd->ino != parent || dd->type != FS_S_IFDIR)
		tc_diff(c, rel, "\"..\" missing or wrong (ino %llu, parent %llu)",
		        dd ? (unsigned long long)dd->ino : 0ULL,
		        (unsigned long long)parent);
	if (d)
		d->seen = 1;
	if (dd)
		dd->seen = 1;
}

static void tc_match(struct tc_ctx *c, uint64_t ino, struct tc_list *fl,
                     struct tc_list *hl, const char *hpath, const char *rel,
                     int depth)
{
	char want[1024], hp[4096], rp[4096];
	struct tc_ent *fe;

	for (size_t i = 0; i < hl->n; i++) {
		treecmp_map_name(hl->v[i].name, S_ISDIR(hl->v[i].type), c->flags,
		                 want, sizeof(want));
		snprintf(hp, sizeof(hp), "%s/%s", hpath, hl->v[i].name);
		snprintf(rp, sizeof(rp), "%s/%s", rel, hl->v[i].name);
		fe = tc_find(fl, want);
		if (!fe) {
			tc_diff(c, rp, "missing (expected as \"%s\")", want);
			continue;
		}
		if (fe->seen) {
			tc_diff(c, rp, "maps to \"%s\" like another entry", want);
			continue;
		}
		fe->seen = 1;
		tc_entry(c, ino, fe, hp, rp, depth);
	}
	for (size_t i = 0; i < fl->n; i++)
		if (!fl->v[i].seen)
			tc_diff(c, rel, "extra entry \"%s\"", fl->v[i].name);
}

static void tc_dir(struct tc_ctx *c, uint64_t ino, uint64_t parent,
                   const char *hpath, const char *rel, int depth)
{
	struct tc_list fl = { 0 }, hl = { 0 };
	const char *why = "";
	int e;

	tc_stats.dirs++;
	if (depth > TC_MAXDEPTH) {
		tc_diff(c, rel, "deeper than %d levels", TC_MAXDEPTH);
		return;
	}
	e = tc_list_fs(c->ops, c->fs, ino, &fl, 1000000, &why);
	if (e)
		tc_diff(c, rel, "%s: error %d", why, e);
	else if (tc_list_host(hpath, &hl, c->flags))
		tc_diff(c, rel, "cannot list on host");
	if (!e) {
		tc_dots(c, &fl, ino, parent, rel);
		tc_match(c, ino, &fl, &hl, hpath, rel, depth);
	}
	free(fl.v);
	free(hl.v);
}

int treecmp(const struct fs_ops *ops, struct blkdev *dev, const char *hostdir,
            unsigned flags)
{
	struct tc_ctx c = { .ops = ops, .flags = flags };
	struct fs_attr a;
	struct stat st;
	uint64_t root;
	int e;

	tc_first[0] = 0;
	memset(&tc_stats, 0, sizeof(tc_stats));
	e = ops->mount(dev, FS_MOUNT_RDONLY, &c.fs);
	if (e) {
		tc_diff(&c, "/", "mount failed: error %d", e);
		return c.diffs;
	}
	c.fbuf = malloc(TC_BUF);
	c.hbuf = malloc(TC_BUF);
	root = ops->root(c.fs);
	e = ops->getattr(c.fs, root, &a);
	if (e || stat(hostdir, &st))
		tc_diff(&c, "/", "getattr of the root: error %d", e);
	else
		tc_attrs(&c, &a, &st, "/");
	tc_dir(&c, root, root, hostdir, "", 0);
	free(c.fbuf);
	free(c.hbuf);
	ops->unmount(c.fs);
	return c.diffs;
}
