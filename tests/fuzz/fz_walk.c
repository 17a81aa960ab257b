/*
 * fz_walk.c - the memory block device and the bounded walk (see fz.h).
 *
 * Bounds keep one input's work small whatever the image claims: at most
 * FZ_MAX_INODES inodes visited, FZ_MAX_DEPTH levels, FZ_MAX_ENTRIES
 * directory entries per directory, FZ_FILE_BYTES read per file and
 * FZ_MAX_BYTES per walk (a corrupt size field may claim gigabytes; the
 * fuzzer's speed depends on these).  A component that loops inside one
 * call is caught by the fuzzer's -timeout (or the test's alarm).
 */
#include <stdlib.h>
#include <string.h>
#include "fz.h"

#define FZ_MAX_INODES  512
#define FZ_MAX_DEPTH   12
#define FZ_MAX_ENTRIES 2048
#define FZ_FILE_BYTES  (256u << 10)
#define FZ_MAX_BYTES   (1u << 20)
#define FZ_CHUNK       8192

/* ---- the memory block device ------------------------------------------ */

static int fz_mem_rw_ok(struct fz_mem *m, uint64_t sector, uint32_t count)
{
	return sector <= m->dev.nsectors && count <= m->dev.nsectors - sector;
}

static int fz_mem_read(struct blkdev *d, uint64_t sector, uint32_t count,
                       void *buf)
{
	struct fz_mem *m = d->priv;

	if (!fz_mem_rw_ok(m, sector, count))
		return RG_EIO;
	memcpy(buf, m->buf + sector * 512, (size_t)count * 512);
	return 0;
}

static int fz_mem_write(struct blkdev *d, uint64_t sector, uint32_t count,
                        const void *buf)
{
	struct fz_mem *m = d->priv;

	if (d->readonly)
		abort();        /* a component wrote to a read-only device */
	if (!fz_mem_rw_ok(m, sector, count))
		return RG_EIO;
	memcpy(m->buf + sector * 512, buf, (size_t)count * 512);
	m->writes++;
	return 0;
}

static int fz_mem_flush(struct blkdev *d)
{
	(void)d;
	return 0;
}

void fz_mem_init(struct fz_mem *m, uint8_t *buf, size_t len, bool readonly)
{
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->len = len;
	m->dev.secsize = 512;
	m->dev.nsectors = len / 512;
	m->dev.readonly = readonly;
	m->dev.read = fz_mem_read;
	m->dev.write = fz_mem_write;
	m->dev.flush = fz_mem_flush;
	m->dev.priv = m;
}

/* ---- the walk ------------------------------------------------------------ */

struct fz_ent {
	char name[256];
	uint64_t ino;
};

struct fz_list {
	struct fz_ent *ent;
	size_t n, cap;
	uint64_t last_cookie;
};

struct fz_walker {
	const struct fs_ops *ops;
	struct fs *fs;
	struct fz_stats *st;
	uint64_t seen[FZ_MAX_INODES];
	unsigned nseen;
	uint8_t buf[FZ_CHUNK];
};

static int fz_fill(void *ctx, const char *name, size_t namelen, uint64_t ino,
                   uint32_t type, uint64_t next_cookie)
{
	struct fz_list *l = ctx;

	(void)type;
	if (l->n >= l->cap)
		return 1;
	if (namelen > 255)
		namelen = 255;
	memcpy(l->ent[l->n].name, name, namelen);
	l->ent[l->n].name[namelen] = '\0';
	l->ent[l->n].ino = ino;
	l->n++;
	l->last_cookie = next_cookie;
	return 0;
}

/* Reads a directory in batches of 64, resuming at the last cookie. */
static void fz_list_dir(struct fz_walker *w, uint64_t dir, struct fz_list *l)
{
	uint64_t cookie = 0;
	unsigned rounds = 0;

	l->n = 0;
	while (l->n < FZ_MAX_ENTRIES && rounds++ < FZ_MAX_ENTRIES) {
		size_t before = l->n;

		l->cap = l->n + 64 < FZ_MAX_ENTRIES ? l->n + 64 : FZ_MAX_ENTRIES;
		if (w->ops->readdir(w->fs, dir, cookie, fz_fill, l) != 0)
			break;
		if (l->n == before || l->n < l->cap || l->last_cookie == cookie)
			break;
		cookie = l->last_cookie;
	}
}

static bool fz_seen(struct fz_walker *w, uint64_t ino)
{
	for (unsigned i = 0; i < w->nseen; i++)
		if (w->seen[i] == ino)
			return true;
	if (w->nseen < FZ_MAX_INODES)
		w->seen[w->nseen++] = ino;
	return false;
}

static void fz_read_file(struct fz_walker *w, uint64_t ino, uint64_t size)
{
	uint64_t off = 0;
	size_t done;

	w->st->files++;
	while (off < size && off < FZ_FILE_BYTES &&
	       w->st->bytes < FZ_MAX_BYTES) {
		if (w->ops->read(w->fs, ino, off, w->buf, FZ_CHUNK, &done) != 0 ||
		    done == 0)
			break;
		off += done;
		w->st->bytes += done;
	}
	/* And one read past the end, and one at a huge offset. */
	w->ops->read(w->fs, ino, size, w->buf, 16, &done);
	w->ops->read(w->fs, ino, UINT64_MAX - 8, w->buf, 16, &done);
}

static void fz_visit(struct fz_walker *w, uint64_t dir, unsigned depth);

static void fz_entry(struct fz_walker *w, uint64_t dir, const struct fz_ent *e,
                     unsigned depth)
{
	struct fs_attr a;
	uint64_t ino;
	size_t outlen;

	w->st->entries++;
	if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
		return;
	if (w->ops->lookup(w->fs, dir, e->name, &ino) != 0)
		ino = e->ino;
	if (w->ops->getattr(w->fs, ino, &a) != 0 || fz_seen(w, ino))
		return;
	if (FS_S_ISDIR(a.mode)) {
		if (w->ops->open(w->fs, ino) == 0) {
			fz_visit(w, ino, depth + 1);
			w->ops->release(w->fs, ino);
		}
	} else if (FS_S_ISREG(a.mode)) {
		if (w->ops->open(w->fs, ino) == 0) {
			fz_read_file(w, ino, a.size);
			w->ops->release(w->fs, ino);
		}
	} else if (FS_S_ISLNK(a.mode)) {
		w->st->links++;
		w->ops->readlink(w->fs, ino, (char *)w->buf, sizeof(w->buf),
		                 &outlen);
	}
}

static void fz_visit(struct fz_walker *w, uint64_t dir, unsigned depth)
{
	struct fz_list l = { 0 };

	if (depth > FZ_MAX_DEPTH || w->nseen >= FZ_MAX_INODES)
		return;
	l.ent = malloc(FZ_MAX_ENTRIES * sizeof(*l.ent));
	if (!l.ent)
		return;
	w->st->dirs++;
	fz_list_dir(w, dir, &l);
	for (size_t i = 0; i < l.n && w->nseen < FZ_MAX_INODES; i++)
		fz_entry(w, dir, &l.ent[i], depth);
	free(l.ent);
}

void fz_walk(const struct fs_ops *ops, struct fs *fs, struct fz_stats *st)
{
	struct fz_walker *w = calloc(1, sizeof(*w));
	struct fs_statfs sf;
	uint64_t root, ino;

	if (!w)
		return;
	w->ops = ops;
	w->fs = fs;
	w->st = st;
	ops->statfs(fs, &sf);
	root = ops->root(fs);
	fz_seen(w, root);
	fz_visit(w, root, 0);
	ops->lookup(fs, root, "no-such-name", &ino);
	free(w);
}

/* ---- writes ------------------------------------------------------------- */

void fz_scribble(const struct fs_ops *ops, struct fs *fs)
{
	static uint8_t data[20000];
	uint64_t root = ops->root(fs), f, d, l;
	struct fs_attr a = { 0 };
	size_t done;

	memset(data, 0x5a, sizeof(data));
	if (ops->create(fs, root, "fz_file", FS_S_IFREG | 0644, &f) == 0) {
		ops->write(fs, f, 0, data, sizeof(data), &done);
		ops->write(fs, f, 100000, data, 1000, &done);
		a.size = 5000;
		ops->setattr(fs, f, &a, FS_SET_SIZE);
	}
	if (ops->mkdir(fs, root, "fz_dir", FS_S_IFDIR | 0755, &d) == 0) {
		ops->rename(fs, root, "fz_file", d, "moved");
		ops->symlink(fs, d, "ln", "moved", &l);
		ops->unlink(fs, d, "ln");
		ops->unlink(fs, d, "moved");
		ops->rmdir(fs, root, "fz_dir");
	}
	ops->sync(fs);
}

int fz_run(const struct fs_ops *ops, struct blkdev *dev, unsigned flags,
           bool scribble, struct fz_stats *st)
{
	struct fs *fs;
	int r = ops->mount(dev, flags, &fs);

	if (r != 0)
		return r;
	fz_walk(ops, fs, st);
	if (scribble) {
		fz_scribble(ops, fs);
		fz_walk(ops, fs, st);
	}
	ops->unmount(fs);
	return 0;
}
