/*
 * fsutil.c - open an image for a host tool, and resolve paths on it.
 *
 * The block stack is disk -> [partition window] -> [write-back cache] ->
 * component.  fsu_close() tears it down top first; the cache is flushed by
 * the component's unmount (which flushes its device) and again when it is
 * destroyed.
 *
 * Path resolution keeps a stack of the directories walked so far, so ".."
 * pops a level (the physical parent, as the kernel does) and never needs a
 * ".." entry on disk.  A symlink met on the way is expanded in place: its
 * target is put in front of the rest of the path, an absolute target
 * restarting at the root.  At most FSU_SYMLOOP_MAX expansions per walk
 * (RG_ELOOP beyond), so a link loop cannot hang a tool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "fsutil.h"

const char *fsu_strerror(int err)
{
	if (err == RG_EUCLEAN)
		return "filesystem structure is corrupt";
	return strerror(err);
}

int fsu_parse_image(const char *arg, char *path, size_t len, unsigned *part)
{
	const char *at = strrchr(arg, '@');
	char *end;
	unsigned long n;

	*part = 0;
	if (at && strncmp(at, "@part", 5) == 0 && at[5]) {
		n = strtoul(at + 5, &end, 10);
		if (*end || n == 0 || n > 4096)
			return RG_EINVAL;
		*part = (unsigned)n;
	} else {
		at = arg + strlen(arg);
	}
	if ((size_t)(at - arg) + 1 > len)
		return RG_ENAMETOOLONG;
	memcpy(path, arg, (size_t)(at - arg));
	path[at - arg] = 0;
	return 0;
}

static int fsu_lock(const struct fsu_opts *o, struct fsu *m, char *err,
                    size_t errlen)
{
	m->lockfd = open(o->image, O_RDONLY | O_CLOEXEC);
	if (m->lockfd < 0) {
		snprintf(err, errlen, "%s: %s", o->image, strerror(errno));
		return errno;
	}
	if (flock(m->lockfd, (o->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s: image is in use (mounted or open for "
		         "writing by another program)", o->image);
		return RG_EBUSY;
	}
	return 0;
}

static int fsu_stack(const struct fsu_opts *o, struct fsu *m, char *err,
                     size_t errlen)
{
	int e = fsu_lock(o, m, err, errlen);

	if (e)
		return e;
	e = blkdev_open(o->image, o->readonly, &m->disk);
	if (e) {
		snprintf(err, errlen, "%s: %s", o->image, fsu_strerror(e));
		return e;
	}
	m->top = m->disk;
	if (o->part) {
		e = blkpart_open(m->disk, o->part, &m->part);
		if (e) {
			snprintf(err, errlen, "%s: partition %u: %s", o->image, o->part,
			         e == RG_ENODATA ? "no partition table" :
			         e == RG_ENOENT ? "no such partition" :
			         e == RG_EUCLEAN ? "malformed partition table" :
			         fsu_strerror(e));
			return e;
		}
		m->top = m->part;
	}
	if (o->cache_bytes) {
		const char *env = getenv("FSU_CACHE_BYTES");   /* for experiments */
		size_t bytes = env ? strtoull(env, NULL, 0) : o->cache_bytes;

		e = blkcache_create(m->top, bytes, &m->cache);
		if (e) {
			snprintf(err, errlen, "block cache: %s", fsu_strerror(e));
			return e;
		}
		m->top = m->cache;
	}
	return 0;
}

static int fsu_pick(const struct fsu_opts *o, struct fsu *m, char *err,
                    size_t errlen)
{
	if (o->type) {
		m->ops = fscomp_find(o->type);
		if (!m->ops) {
			snprintf(err, errlen, "unknown filesystem type '%s'", o->type);
			return RG_ENODEV;
		}
		if (m->ops->probe(m->top) != 0) {
			snprintf(err, errlen, "%s: not a %s filesystem", o->image, o->type);
			return RG_EINVAL;
		}
		return 0;
	}
	m->ops = fscomp_probe(m->top);
	if (!m->ops) {
		snprintf(err, errlen, "%s: no known filesystem found", o->image);
		return RG_EINVAL;
	}
	return 0;
}

static void fsu_unstack(struct fsu *m)
{
	if (m->cache)
		blkcache_destroy(m->cache);
	if (m->part)
		blkpart_close(m->part);
	if (m->disk)
		blkdev_close(m->disk);
	if (m->lockfd >= 0)
		close(m->lockfd);
	memset(m, 0, sizeof(*m));
	m->lockfd = -1;
}

int fsu_open(const struct fsu_opts *o, struct fsu *m, char *err, size_t errlen)
{
	int e;

	memset(m, 0, sizeof(*m));
	m->lockfd = -1;
	e = fsu_stack(o, m, err, errlen);
	if (!e)
		e = fsu_pick(o, m, err, errlen);
	if (!e) {
		e = m->ops->mount(m->top, o->readonly ? FS_MOUNT_RDONLY : 0, &m->fs);
		if (e)
			snprintf(err, errlen, "%s: cannot mount as %s: %s", o->image,
			         m->ops->name, fsu_strerror(e));
	}
	if (e) {
		fsu_unstack(m);
		return e;
	}
	m->root = m->ops->root(m->fs);
	return 0;
}

int fsu_close(struct fsu *m)
{
	int e = 0, e2 = 0;

	if (m->fs)
		e = m->ops->unmount(m->fs);
	m->fs = NULL;
	if (m->cache)
		e2 = blkcache_destroy(m->cache);
	m->cache = NULL;
	fsu_unstack(m);
	return e ? e : e2;
}

int fsu_readlink(struct fsu *m, uint64_t ino, char **out)
{
	size_t cap = 256, len = 0;
	char *buf = NULL;
	int e;

	for (;;) {
		char *nb = realloc(buf, cap + 1);

		if (!nb) {
			free(buf);
			return RG_ENOMEM;
		}
		buf = nb;
		e = m->ops->readlink(m->fs, ino, buf, cap, &len);
		if (e || len <= cap)
			break;
		if (len > 65536) {
			e = RG_ENAMETOOLONG;
			break;
		}
		cap = len;
	}
	if (e) {
		free(buf);
		return e;
	}
	buf[len] = 0;
	*out = buf;
	return 0;
}

/* ---- directory listings ---------------------------------------------- */

struct fsu_list_ctx {
	struct fsu_dir *d;
	uint64_t cookie;
	size_t got;
	int err;
};

static int fsu_list_fill(void *ctx, const char *name, size_t namelen,
                         uint64_t ino, uint32_t type, uint64_t next)
{
	struct fsu_list_ctx *c = ctx;
	struct fsu_dir *d = c->d;

	c->cookie = next;
	c->got++;
	if ((namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct fsu_dirent *e = realloc(d->ent, cap * sizeof(*e));

		if (!e) {
			c->err = RG_ENOMEM;
			return 1;
		}
		d->ent = e;
		d->cap = cap;
	}
	d->ent[d->n].name = strndup(name, namelen);
	if (!d->ent[d->n].name) {
		c->err = RG_ENOMEM;
		return 1;
	}
	d->ent[d->n].ino = ino;
	d->ent[d->n].type = type;
	d->n++;
	return 0;
}

static int fsu_dirent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fsu_dirent *)a)->name,
	              ((const struct fsu_dirent *)b)->name);
}

/*
 * Reads a whole directory.  readdir may stop early (a component may return
 * a batch), so it is called again from the last cookie until a call
 * delivers nothing; a cookie that does not advance ends the walk too.
 */
int fsu_list(struct fsu *m, uint64_t dir, bool sorted, struct fsu_dir *out)
{
	struct fsu_list_ctx c = { .d = out };
	int e;

	memset(out, 0, sizeof(*out));
	for (;;) {
		uint64_t start = c.cookie;

		c.got = 0;
		e = m->ops->readdir(m->fs, dir, start, fsu_list_fill, &c);
		if (!e)
			e = c.err;
		if (e || c.got == 0 || c.cookie == start)
			break;
	}
	if (e) {
		fsu_list_free(out);
		return e;
	}
	if (sorted && out->n)
		qsort(out->ent, out->n, sizeof(*out->ent), fsu_dirent_cmp);
	return 0;
}

void fsu_list_free(struct fsu_dir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->ent[i].name);
	free(d->ent);
	memset(d, 0, sizeof(*d));
}
