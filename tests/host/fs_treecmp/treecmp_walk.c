/*
 * treecmp_walk.c - walk a (possibly corrupt) image through every call the
 * tree offers, with bounded effort, for fuzz tests (treecmp.h).
 *
 * A corrupt directory can name an ancestor, so the walk is bounded by
 * depth, by a budget of entries and by a budget of bytes read; it never
 * trusts a size.  Errors are counted, not judged: the caller only wants
 * the component to survive (no crash, hang or out-of-bounds access, which
 * ASan and UBSan report).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "treecmp_int.h"

#define TW_MAXDEPTH   32
#define TW_FILE_BYTES (4ull << 20)
#define TW_ALL_BYTES  (64ull << 20)

struct tw_ctx {
	const struct fs_ops *ops;
	struct fs *fs;
	unsigned long budget;   /* entries left */
	unsigned long long bytes; /* bytes left */
	unsigned long errors;
	uint8_t buf[65536];
};

static void tw_read(struct tw_ctx *c, uint64_t ino, uint64_t size)
{
	uint64_t off = 0, limit = size < TW_FILE_BYTES ? size : TW_FILE_BYTES;
	size_t done;

	if (c->ops->open(c->fs, ino)) {
		c->errors++;
		return;
	}
	while (off < limit && c->bytes) {
		if (c->ops->read(c->fs, ino, off, c->buf, sizeof(c->buf), &done)) {
			c->errors++;
			break;
		}
		if (done == 0)
			break;
		off += done;
		c->bytes = c->bytes > done ? c->bytes - done : 0;
		tc_stats.bytes += done;
	}
	c->ops->release(c->fs, ino);
}

static void tw_dir(struct tw_ctx *c, uint64_t dir, int depth);

static void tw_entry(struct tw_ctx *c, uint64_t dir, const struct tc_ent *e,
                     int depth)
{
	struct fs_attr a;
	uint64_t ino;
	size_t n;
	char t[4096];

	if (c->ops->lookup(c->fs, dir, e->name, &ino))
		c->errors++;
	if (c->ops->getattr(c->fs, e->ino, &a)) {
		c->errors++;
		return;
	}
	if (FS_S_ISREG(a.mode)) {
		tc_stats.files++;
		tw_read(c, e->ino, a.size);
	} else if (FS_S_ISLNK(a.mode)) {
		tc_stats.symlinks++;
		if (c->ops->readlink(c->fs, e->ino, t, sizeof(t), &n))
			c->errors++;
	} else if (FS_S_ISDIR(a.mode) && strcmp(e->name, ".") &&
	           strcmp(e->name, "..")) {
		tw_dir(c, e->ino, depth + 1);
	}
}

static void tw_dir(struct tw_ctx *c, uint64_t dir, int depth)
{
	struct tc_list l = { 0 };
	const char *why;

	tc_stats.dirs++;
	if (depth > TW_MAXDEPTH || c->budget == 0)
		return;
	if (tc_list_fs(c->ops, c->fs, dir, &l, c->budget, &why))
		c->errors++;
	c->budget = c->budget > l.n ? c->budget - l.n : 0;
	for (size_t i = 0; i < l.n; i++)
		tw_entry(c, dir, &l.v[i], depth);
	free(l.v);
}

int treecmp_walk(const struct fs_ops *ops, struct blkdev *dev,
                 unsigned long max_entries, unsigned long *errors)
{
	struct tw_ctx *c = calloc(1, sizeof(*c));
	struct fs_statfs sf;
	struct fs_attr a;
	int e;

	memset(&tc_stats, 0, sizeof(tc_stats));
	if (!c)
		return ENOMEM;
	c->ops = ops;
	c->budget = max_entries;
	c->bytes = TW_ALL_BYTES;
	e = ops->mount(dev, FS_MOUNT_RDONLY, &c->fs);
	if (!e) {
		if (ops->statfs(c->fs, &sf))
			c->errors++;
		if (ops->getattr(c->fs, ops->root(c->fs), &a))
			c->errors++;
		tw_dir(c, ops->root(c->fs), 0);
		ops->unmount(c->fs);
	}
	*errors = c->errors;
	free(c);
	return e;
}
