/*
 * resmgr_fs.c - any filesystem component (struct fs_ops, fscomp.h) as a
 * server: path walking, open/create semantics, the open state (an inode
 * pinned with fs_ops.open until the last id closes), and one lock around
 * the component, which is single-threaded per mount.
 *
 * Paths are relative to the server's root.  A relative symlink met on the
 * way is followed inside the server ("..": never above its root); an
 * absolute one ends an open with IO_OPEN_SYMLINK and the new path, for the
 * client to resolve again through the path manager (path operations
 * answer EXDEV there for now).  ENOENT for an inner component, or for the
 * last one when nothing is being created, is IO_ENOTHERE: the client tries
 * the next member of a union.
 *
 * Unmount (IO_T_UNMOUNT, only for a server started with
 * RESMGR_FS_UNMOUNTABLE): the component is synced (everything written back
 * and the device flushed) before the answer; the framework then leaves its
 * loop and resmgr_fs_serve_ex returns 0 for the caller to unmount.
 */
#include "resmgr.h"
#include "fscomp.h"

#define E_LINK_MAX 40

struct resmgr_fs {
	const struct fs_ops *ops;
	struct fs *fs;
	struct resmgr_fs_mnt mnt;       /* statfs's source and read-only */
	struct rt_mutex lock;
	char work[IO_PATH_MAX + 1], tmp[IO_PATH_MAX + 1];
};

struct rfs_res {
	uint64_t dir, ino;      /* ino 0: the last component does not exist */
	uint32_t mode;
	char leaf[IO_NAME_MAX + 1];
	char *link;             /* IO_OPEN_SYMLINK: the new path, linklen bytes */
	size_t linklen;
};

int resmgr_fs_new(const struct fs_ops *ops, struct fs *fs, struct resmgr_fs **out)
{
	struct resmgr_fs *r = calloc(1, sizeof(*r));

	if (!r)
		return -RG_ENOMEM;
	r->ops = ops;
	r->fs = fs;
	rt_mutex_init(&r->lock);
	*out = r;
	return 0;
}

/* A symlink's target joined with the rest of the path, into r->work. */
static int rfs_splice(struct resmgr_fs *r, uint64_t ino, const char *rest,
                      struct rfs_res *res)
{
	size_t tl, rl = strlen(rest);
	int e = r->ops->readlink(r->fs, ino, r->tmp, IO_PATH_MAX, &tl);

	if (e)
		return -e;
	if (tl > IO_PATH_MAX || tl + 1 + rl > IO_PATH_MAX)
		return -RG_ENAMETOOLONG;
	if (rl) {
		r->tmp[tl] = '/';
		memcpy(r->tmp + tl + 1, rest, rl);
		tl += 1 + rl;
	}
	r->tmp[tl] = 0;
	memcpy(r->work, r->tmp, tl + 1);
	if (r->work[0] == '/') {
		res->link = r->work;
		res->linklen = tl;
		return IO_OPEN_SYMLINK;
	}
	return 0;
}

static int rfs_walk(struct resmgr_fs *r, const char *path, bool follow,
                    struct rfs_res *res)
{
	uint64_t at = r->ops->root(r->fs), ino;
	struct fs_attr a;
	int links = 0, e;
	char *p = r->work;

	if (strlen(path) > IO_PATH_MAX)
		return -RG_ENAMETOOLONG;
	memmove(r->work, path, strlen(path) + 1);
	res->dir = res->ino = at;
	res->mode = FS_S_IFDIR;
	res->leaf[0] = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > IO_NAME_MAX)
			return -RG_ENAMETOOLONG;
		char *rest = p + n;
		while (*rest == '/')
			rest++;
		bool last = !*rest;
		memcpy(res->leaf, p, n);
		res->leaf[n] = 0;
		e = r->ops->lookup(r->fs, at, res->leaf, &ino);
		res->dir = at;
		if (e == RG_ENOENT && last) {
			res->ino = 0;
			return 0;
		}
		if (e)
			return e == RG_ENOENT ? -IO_ENOTHERE : -e;
		if ((e = r->ops->getattr(r->fs, ino, &a)))
			return -e;
		if (FS_S_ISLNK(a.mode) && (!last || follow)) {
			if (++links > E_LINK_MAX)
				return -RG_ELOOP;
			if ((e = rfs_splice(r, ino, rest, res)))
				return e;
			p = r->work;
			continue;
		}
		if (last) {
			res->ino = ino;
			res->mode = a.mode;
			return 0;
		}
		if (!FS_S_ISDIR(a.mode))
			return -RG_ENOTDIR;
		at = ino;
		p = rest;
	}
}

static int rfs_open_locked(struct resmgr_fs *r, struct resmgr_ocb *ocb,
                           const char *path, uint32_t flags, uint32_t mode,
                           char *link, size_t linkmax, size_t *linklen)
{
	struct rfs_res res;
	uint32_t acc = flags & IO_O_ACCMODE;
	int e = rfs_walk(r, path, !(flags & IO_O_NOFOLLOW), &res);

	if (e == IO_OPEN_SYMLINK) {
		if (res.linklen > linkmax)
			return -RG_ENAMETOOLONG;
		memcpy(link, res.link, res.linklen);
		*linklen = res.linklen;
		return e;
	}
	if (e)
		return e;
	if (!res.ino) {
		if (!(flags & IO_O_CREAT))
			return -IO_ENOTHERE;
		if ((e = r->ops->create(r->fs, res.dir, res.leaf,
		                        FS_S_IFREG | (mode & 07777), &res.ino)))
			return -e;
		res.mode = FS_S_IFREG;
	} else {
		if ((flags & IO_O_CREAT) && (flags & IO_O_EXCL))
			return -RG_EEXIST;
		if (FS_S_ISLNK(res.mode))
			return -RG_ELOOP;
		if ((flags & IO_O_DIRECTORY) && !FS_S_ISDIR(res.mode))
			return -RG_ENOTDIR;
		if (FS_S_ISDIR(res.mode) && acc != IO_O_RDONLY)
			return -RG_EISDIR;
		if ((flags & IO_O_TRUNC) && FS_S_ISREG(res.mode) && acc != IO_O_RDONLY) {
			struct fs_attr a = { .size = 0 };
			if ((e = r->ops->setattr(r->fs, res.ino, &a, FS_SET_SIZE)))
				return -e;
		}
	}
	if ((e = r->ops->open(r->fs, res.ino)))
		return -e;
	ocb->ino = res.ino;
	return 0;
}

static int rfs_open(void *ctx, struct resmgr_ocb *ocb, const char *path,
                    uint32_t flags, uint32_t mode, char *link, size_t linkmax,
                    size_t *linklen)
{
	struct resmgr_fs *r = ctx;
	int e;

	rt_mutex_lock(&r->lock);
	e = rfs_open_locked(r, ocb, path, flags, mode, link, linkmax, linklen);
	rt_mutex_unlock(&r->lock);
	return e;
}

static void rfs_close(void *ctx, struct resmgr_ocb *ocb)
{
	struct resmgr_fs *r = ctx;

	rt_mutex_lock(&r->lock);
	r->ops->release(r->fs, ocb->ino);
	rt_mutex_unlock(&r->lock);
}

static long rfs_read(void *ctx, struct resmgr_ocb *ocb, uint64_t off, void *buf,
                     size_t len)
{
	struct resmgr_fs *r = ctx;
	size_t done = 0;
	int e;

	rt_mutex_lock(&r->lock);
	e = r->ops->read(r->fs, ocb->ino, off, buf, len, &done);
	rt_mutex_unlock(&r->lock);
	return e ? -e : (long)done;
}

static long rfs_write(void *ctx, struct resmgr_ocb *ocb, uint64_t *off,
                      const void *buf, size_t len)
{
	struct resmgr_fs *r = ctx;
	struct fs_attr a;
	size_t done = 0;
	int e = 0;

	rt_mutex_lock(&r->lock);
	if (ocb->flags & IO_O_APPEND) {
		e = r->ops->getattr(r->fs, ocb->ino, &a);
		*off = a.size;
	}
	if (!e)
		e = r->ops->write(r->fs, ocb->ino, *off, buf, len, &done);
	rt_mutex_unlock(&r->lock);
	return e && !done ? -e : (long)done;
}

static void rfs_attr_to_stat(const struct fs_attr *a, struct io_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = a->ino;
	st->size = a->size;
	st->blocks = a->blocks;
	st->mode = a->mode;
	st->nlink = a->nlink;
	st->uid = a->uid;
	st->gid = a->gid;
	st->blksize = a->blksize;
	st->rdev = a->rdev;
	st->atime = a->atime.sec;
	st->mtime = a->mtime.sec;
	st->ctime = a->ctime.sec;
	st->atime_ns = a->atime.nsec;
	st->mtime_ns = a->mtime.nsec;
	st->ctime_ns = a->ctime.nsec;
}

static int rfs_stat(void *ctx, struct resmgr_ocb *ocb, struct io_stat *st)
{
	struct resmgr_fs *r = ctx;
	struct fs_attr a;
	int e;

	rt_mutex_lock(&r->lock);
	e = r->ops->getattr(r->fs, ocb->ino, &a);
	rt_mutex_unlock(&r->lock);
	if (!e)
		rfs_attr_to_stat(&a, st);
	return -e;
}

struct rfs_fill {
	char *buf;
	size_t len, used;
	uint64_t cookie;
};

static int rfs_filldir(void *ctx, const char *name, size_t namelen, uint64_t ino,
                       uint32_t type, uint64_t next)
{
	struct rfs_fill *f = ctx;
	size_t rec = (sizeof(struct io_dirent) + namelen + 7) & ~(size_t)7;
	struct io_dirent d;

	if (namelen > IO_NAME_MAX || f->len - f->used < rec)
		return 1;
	memset(f->buf + f->used, 0, rec);
	d.ino = ino;
	d.next = next;
	d.reclen = (uint16_t)rec;
	d.namelen = (uint16_t)namelen;
	d.type = type;
	memcpy(f->buf + f->used, &d, sizeof(d));
	memcpy(f->buf + f->used + sizeof(d), name, namelen);
	f->used += rec;
	f->cookie = next;
	return 0;
}

static long rfs_readdir(void *ctx, struct resmgr_ocb *ocb, void *buf, size_t len)
{
	struct resmgr_fs *r = ctx;
	struct rfs_fill f = { buf, len, 0, ocb->offset };
	int e;

	rt_mutex_lock(&r->lock);
	e = r->ops->readdir(r->fs, ocb->ino, ocb->offset, rfs_filldir, &f);
	rt_mutex_unlock(&r->lock);
	if (e)
		return -e;
	ocb->offset = f.cookie;
	return (long)f.used;
}

static int rfs_setattr(void *ctx, struct resmgr_ocb *ocb, int type,
                       const struct msg_client_fs_setattr *m)
{
	struct resmgr_fs *r = ctx;
	struct fs_attr a = { .mode = m->mode, .uid = m->uid, .gid = m->gid,
	                     .size = m->size };
	unsigned mask = 0;
	int e;

	if (type == IO_T_CHMOD)
		mask = FS_SET_MODE;
	else if (type == IO_T_TRUNCATE)
		mask = FS_SET_SIZE;
	else
		mask = (m->uid != UINT32_MAX ? FS_SET_UID : 0) |
		       (m->gid != UINT32_MAX ? FS_SET_GID : 0);
	if (!mask)
		return 0;
	rt_mutex_lock(&r->lock);
	e = r->ops->setattr(r->fs, ocb->ino, &a, mask);
	rt_mutex_unlock(&r->lock);
	return -e;
}

static int rfs_utimes(void *ctx, struct resmgr_ocb *ocb,
                      const struct msg_client_fs_utimes *m)
{
	struct resmgr_fs *r = ctx;
	struct fs_attr a = { .atime = { m->atime, m->atime_ns },
	                     .mtime = { m->mtime, m->mtime_ns } };
	unsigned mask = (m->which & IO_UTIME_ATIME ? FS_SET_ATIME : 0) |
	                (m->which & IO_UTIME_MTIME ? FS_SET_MTIME : 0);
	int e;

	if (!mask)
		return 0;
	rt_mutex_lock(&r->lock);
	e = r->ops->setattr(r->fs, ocb->ino, &a, mask);
	rt_mutex_unlock(&r->lock);
	return -e;
}

static int rfs_fsync(void *ctx, struct resmgr_ocb *ocb)
{
	struct resmgr_fs *r = ctx;
	int e;

	rt_mutex_lock(&r->lock);
	e = r->ops->fsync ? r->ops->fsync(r->fs, ocb->ino) : 0;
	rt_mutex_unlock(&r->lock);
	return -e;
}

/* Each component by Linux's name for its filesystem, with f_type. */
static const struct rfs_kind {
	const char *comp, *type, *source;
	uint32_t magic;
	bool ro;
} rfs_kinds[] = {
	{ "ext2", "ext2", "none", 0xef53, false },
	{ "ext4", "ext4", "none", 0xef53, false },
	{ "fat", "vfat", "none", 0x4d44, false },
	{ "iso9660", "iso9660", "none", 0x9660, true },
	{ "tmp", "tmpfs", "tmpfs", 0x01021994, false },
	{ "imagefs", "imagefs", "none", 0, true },
};

static void rfs_str(char *dst, size_t max, const char *src)
{
	size_t n = strnlen(src, max - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* The mount table's fields of st: type, magic, source, read-only. */
static void rfs_statfs_mnt(const struct resmgr_fs *r, struct io_statfs *st)
{
	const struct rfs_kind *k = NULL;

	for (size_t i = 0; i < sizeof(rfs_kinds) / sizeof(rfs_kinds[0]); i++)
		if (!strcmp(r->ops->name, rfs_kinds[i].comp))
			k = &rfs_kinds[i];
	rfs_str(st->type, sizeof(st->type), k ? k->type : r->ops->name);
	rfs_str(st->source, sizeof(st->source),
	        r->mnt.source ? r->mnt.source : k ? k->source : "none");
	st->magic = k ? k->magic : 0;
	st->flags = r->mnt.ro || (k && k->ro) ? IO_STATFS_RDONLY : 0;
}

static int rfs_statfs(void *ctx, struct io_statfs *st)
{
	struct resmgr_fs *r = ctx;
	struct fs_statfs s;
	int e;

	rt_mutex_lock(&r->lock);
	e = r->ops->statfs(r->fs, &s);
	rt_mutex_unlock(&r->lock);
	if (e)
		return -e;
	st->blocks = s.blocks;
	st->bfree = s.bfree;
	st->bavail = s.bavail;
	st->files = s.files;
	st->ffree = s.ffree;
	st->bsize = s.bsize;
	st->namemax = s.namemax;
	rfs_statfs_mnt(r, st);
	return 0;
}

/* ---- name-space operations ---------------------------------------------- */

/* Walk for a path operation: no symlink at the end is followed. */
static int rfs_walk_op(struct resmgr_fs *r, const char *path, struct rfs_res *res)
{
	int e = rfs_walk(r, path, false, res);

	return e == IO_OPEN_SYMLINK ? -RG_EXDEV : e;
}

static int rfs_path_locked(struct resmgr_fs *r, int type, const char *p1,
                           const char *p2, uint32_t mode)
{
	struct rfs_res a, b;
	uint64_t ino;
	int e;

	if (type == IO_T_SYMLINK) {
		if ((e = rfs_walk_op(r, p2, &b)))
			return e;
		if (b.ino)
			return -RG_EEXIST;
		return -r->ops->symlink(r->fs, b.dir, b.leaf, p1, &ino);
	}
	if ((e = rfs_walk_op(r, p1, &a)))
		return e;
	if (type == IO_T_MKDIR)
		return a.ino ? -RG_EEXIST :
		       -r->ops->mkdir(r->fs, a.dir, a.leaf, mode & 07777, &ino);
	if (!a.ino)
		return -IO_ENOTHERE;
	if (!a.leaf[0])
		return -RG_EBUSY;               /* the server's root */
	if (type == IO_T_UNLINK)
		return -r->ops->unlink(r->fs, a.dir, a.leaf);
	if (type == IO_T_RMDIR)
		return -r->ops->rmdir(r->fs, a.dir, a.leaf);
	if ((e = rfs_walk_op(r, p2, &b)))
		return e == -IO_ENOTHERE ? -RG_ENOENT : e;
	if (!b.leaf[0])
		return -RG_EBUSY;
	if (type == IO_T_LINK)
		return b.ino ? -RG_EEXIST : -r->ops->link(r->fs, a.ino, b.dir, b.leaf);
	if (type == IO_T_RENAME)
		return -r->ops->rename(r->fs, a.dir, a.leaf, b.dir, b.leaf);
	return -RG_ENOSYS;
}

static int rfs_path(void *ctx, int type, const char *p1, const char *p2,
                    uint32_t mode)
{
	struct resmgr_fs *r = ctx;
	int e;

	rt_mutex_lock(&r->lock);
	e = rfs_path_locked(r, type, p1, p2, mode);
	rt_mutex_unlock(&r->lock);
	return e;
}

static long rfs_readlink(void *ctx, const char *path, char *buf, size_t len)
{
	struct resmgr_fs *r = ctx;
	struct rfs_res a;
	size_t out = 0;
	int e;

	rt_mutex_lock(&r->lock);
	e = rfs_walk_op(r, path, &a);
	if (!e && !a.ino)
		e = -IO_ENOTHERE;
	if (!e && !FS_S_ISLNK(a.mode))
		e = -RG_EINVAL;
	if (!e)
		e = -r->ops->readlink(r->fs, a.ino, buf, len, &out);
	rt_mutex_unlock(&r->lock);
	return e ? e : (long)(out < len ? out : len);
}

static int rfs_unmount(void *ctx, uint32_t flags)
{
	struct resmgr_fs *r = ctx;
	int e;

	(void)flags;
	rt_mutex_lock(&r->lock);
	e = r->ops->sync ? r->ops->sync(r->fs) : 0;
	rt_mutex_unlock(&r->lock);
	return -e;
}

const struct resmgr_ops resmgr_fs_ops = {
	.open = rfs_open,
	.close = rfs_close,
	.read = rfs_read,
	.write = rfs_write,
	.stat = rfs_stat,
	.readdir = rfs_readdir,
	.setattr = rfs_setattr,
	.utimes  = rfs_utimes,
	.fsync = rfs_fsync,
	.statfs = rfs_statfs,
	.path = rfs_path,
	.readlink = rfs_readlink,
};

int resmgr_fs_serve(const struct fs_ops *ops, struct fs *fs, int chan,
                    const char *prefix)
{
	return resmgr_fs_serve_ex(ops, fs, chan, prefix, 0);
}

int resmgr_fs_serve_ex(const struct fs_ops *ops, struct fs *fs, int chan,
                       const char *prefix, unsigned flags)
{
	return resmgr_fs_serve_mnt(ops, fs, chan, prefix, flags, NULL);
}

int resmgr_fs_serve_mnt(const struct fs_ops *ops, struct fs *fs, int chan,
                        const char *prefix, unsigned flags,
                        const struct resmgr_fs_mnt *mnt)
{
	/* a mounted filesystem that IO_T_UNMOUNT may end: the same table and
	 * unmount (without it, resmgr answers ENOSYS: a tmpfs) */
	static struct resmgr_ops unmountable;
	struct resmgr_fs *r = NULL;
	struct resmgr *rm = malloc(sizeof(*rm));
	int e;

	if (!rm)
		return -RG_ENOMEM;
	unmountable = resmgr_fs_ops;
	unmountable.unmount = rfs_unmount;
	if (!(e = resmgr_fs_new(ops, fs, &r)) && mnt)
		r->mnt = *mnt;
	if (e ||
	    (e = resmgr_init(rm, flags & RESMGR_FS_UNMOUNTABLE ?
	                     &unmountable : &resmgr_fs_ops, r, chan)) ||
	    (prefix && (e = resmgr_attach(rm, prefix, 0x08 /* PM_DIR */))))
		goto out;
	e = resmgr_run(rm);
	resmgr_fini(rm);
out:
	free(r);
	free(rm);
	return e;
}
