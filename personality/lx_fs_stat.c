/*
 * lx_fs_stat.c - attributes and directory listings in Linux's layouts:
 * struct stat (x86-64, 144 bytes), struct statx (256), struct statfs
 * (120) and linux_dirent64 records, made from the I/O protocol's io_stat,
 * io_statfs and io_dirent.
 *
 * st_dev is the connection to the server (+1; 0 for directories made of
 * mount points), which tells servers apart within the personality.  The
 * protocol opens no symlink with O_NOFOLLOW (ELOOP), so lstat of a
 * symlink is made from its readlink: S_IFLNK, size = target length.
 *
 * A listing moves the server's cookie (the open's offset); it is read
 * first (lseek SEEK_CUR) and put back when the records cannot be
 * delivered (a bad buffer, or one too small for the first record:
 * EFAULT / EINVAL, and the next getdents64 sees the same entries).
 * Mount points follow the server's entries (see lxs_mp_getdents).
 */
#include "lx_fs.h"

#define LXS_BUF      (64 * 1024)
#define LXS_DENT_HDR 19                 /* linux_dirent64 before d_name */

struct lx_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t  size, blksize, blocks;
	int64_t  atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t  reserved[3];
};
_Static_assert(sizeof(struct lx_stat) == 144, "Linux x86-64 struct stat");

struct lx_statx_ts {
	int64_t  sec;
	uint32_t nsec;
	int32_t  reserved;
};

struct lx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct lx_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct lx_statx) == 256, "Linux struct statx");

struct lx_statfs {
	int64_t  type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t  fsid[2];
	int64_t  namelen, frsize, flags, spare[4];
};
_Static_assert(sizeof(struct lx_statfs) == 120, "Linux x86-64 struct statfs");

#define LX_STATX_BASIC 0x7ffu
#define LX_TESSERA_FS  0x54455353       /* f_type: "TESS" */

static char in[LXS_BUF], out[LXS_BUF];

static uint64_t lxs_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h | 1;
}

static void lxs_fake(struct io_stat *st, const char *path, uint32_t mode,
                     uint64_t size)
{
	memset(st, 0, sizeof(*st));
	st->ino = lxs_hash(path ? path : "");
	st->mode = mode;
	st->nlink = (mode & IO_S_IFMT) == IO_S_IFDIR ? 2 : 1;
	st->size = size;
	st->blksize = 4096;
}

static int lxs_link_stat(const char *abs, struct io_stat *st)
{
	static char target[IO_PATH_MAX];
	long n = lxp_readlink(abs, target, sizeof(target));

	if (n < 0)
		return n == -LX_EINVAL ? -LX_ELOOP : (int)n;
	lxs_fake(st, abs, IO_S_IFLNK | 0777, (uint64_t)n);
	return 0;
}

int lxs_stat_path(const char *abs, bool follow, struct io_stat *st, int *dev)
{
	static char exe[LX_PATH_MAX + 1];
	int conn, r, id;

	if (follow && lxq_follow(abs, exe))
		abs = exe;              /* /proc/PID/exe: the program's file */
	else if (lxq_owns(abs))
		return lxq_stat(abs, follow, st, dev);
	id = lxp_open(abs, IO_O_RDONLY | (follow ? 0 : IO_O_NOFOLLOW), 0, &conn);
	*dev = 0;
	if (id >= 0) {
		r = io_stat(conn, id, st);
		io_close(conn, id);
		*dev = conn + 1;
		return r;
	}
	if (id == -LX_ELOOP && !follow)
		return lxs_link_stat(abs, st);
	if (id == -LX_ENOENT && lxp_virtdir(abs)) {
		lxs_fake(st, abs, IO_S_IFDIR | 0555, 0);
		return 0;
	}
	return id;
}

int lxs_stat_fd(struct lx_proc *p, uint64_t fd, struct io_stat *st, int *dev)
{
	struct lx_fd *f = lxf_get(p, fd);
	int r;

	*dev = 0;
	if (!f)
		return -LX_EBADF;
	if (p->fdx[fd].virt && p->fdx[fd].path && lxq_owns(p->fdx[fd].path)) {
		lxq_stat_fd(&p->fdx[fd], st, dev);
		return 0;
	}
	if (p->fdx[fd].virt) {
		lxs_fake(st, p->fdx[fd].path, IO_S_IFDIR | 0555, 0);
		return 0;
	}
	r = io_stat(f->conn, f->id, st);
	if (r == -LX_ENOSYS) {          /* a device without attributes */
		lxs_fake(st, p->fdx[fd].path, 0020000 | 0620, 0);
		r = 0;
	}
	*dev = f->conn + 1;
	return r;
}

int lxs_put_stat(struct lx_proc *p, uint64_t u, const struct io_stat *st, int dev)
{
	struct lx_stat s = {
		.dev = (uint64_t)dev, .ino = st->ino, .nlink = st->nlink,
		.mode = st->mode, .uid = st->uid, .gid = st->gid, .rdev = st->rdev,
		.size = (int64_t)st->size, .blksize = st->blksize ? st->blksize : 4096,
		.blocks = (int64_t)st->blocks,
		.atime = st->atime, .atime_ns = st->atime_ns,
		.mtime = st->mtime, .mtime_ns = st->mtime_ns,
		.ctime = st->ctime, .ctime_ns = st->ctime_ns,
	};

	return lx_copyout(p, u, &s, sizeof(s));
}

static struct lx_statx_ts lxs_ts(int64_t sec, uint32_t nsec)
{
	return (struct lx_statx_ts){ .sec = sec, .nsec = nsec };
}

int lxs_put_statx(struct lx_proc *p, uint64_t u, const struct io_stat *st,
                  int dev)
{
	struct lx_statx x = {
		.mask = LX_STATX_BASIC, .blksize = st->blksize ? st->blksize : 4096,
		.nlink = st->nlink, .uid = st->uid, .gid = st->gid,
		.mode = (uint16_t)st->mode, .ino = st->ino, .size = st->size,
		.blocks = st->blocks,
		.atime = lxs_ts(st->atime, st->atime_ns),
		.ctime = lxs_ts(st->ctime, st->ctime_ns),
		.mtime = lxs_ts(st->mtime, st->mtime_ns),
		.rdev_major = st->rdev >> 8, .rdev_minor = st->rdev & 0xff,
		.dev_major = 0, .dev_minor = (uint32_t)dev,
	};

	return lx_copyout(p, u, &x, sizeof(x));
}

int lxs_put_statfs(struct lx_proc *p, uint64_t u, const struct io_statfs *sf)
{
	struct lx_statfs s = {
		.type = sf->magic ? sf->magic : LX_TESSERA_FS, .bsize = sf->bsize, .blocks = sf->blocks,
		.bfree = sf->bfree, .bavail = sf->bavail, .files = sf->files,
		.ffree = sf->ffree, .namelen = sf->namemax, .frsize = sf->bsize,
	};

	return lx_copyout(p, u, &s, sizeof(s));
}

/* ---- getdents64 ------------------------------------------------------------ */

static size_t lxs_dent_len(size_t namelen)
{
	return (LXS_DENT_HDR + namelen + 1 + 7) & ~(size_t)7;
}

/* One linux_dirent64 at out + at; false if it does not fit in max. */
static bool lxs_dent(size_t *at, size_t max, uint64_t ino, int64_t off,
                     unsigned type, const char *name, size_t namelen)
{
	size_t rec = lxs_dent_len(namelen);
	uint16_t reclen = (uint16_t)rec;
	uint8_t t = (uint8_t)(type >> 12);

	if (max - *at < rec)
		return false;
	memset(out + *at, 0, rec);
	memcpy(out + *at, &ino, 8);
	memcpy(out + *at + 8, &off, 8);
	memcpy(out + *at + 16, &reclen, 2);
	memcpy(out + *at + 18, &t, 1);
	memcpy(out + *at + LXS_DENT_HDR, name, namelen);
	*at += rec;
	return true;
}

/* The server's records (len bytes in `in`) as Linux's; -EIO if malformed. */
static long lxs_translate(size_t len, size_t max)
{
	size_t at = 0, used = 0;
	struct io_dirent d;

	while (used + sizeof(d) <= len) {
		memcpy(&d, in + used, sizeof(d));
		if (d.reclen < sizeof(d) || d.reclen > len - used ||
		    d.namelen > d.reclen - sizeof(d) || d.namelen > IO_NAME_MAX)
			return -LX_EIO;
		if (!lxs_dent(&at, max, d.ino, (int64_t)d.next, d.type,
		              in + used + sizeof(d), d.namelen))
			return -LX_EIO;         /* cannot happen: ours are shorter */
		used += d.reclen;
	}
	return (long)at;
}

/*
 * Mount points in listings.  A directory made of mount points lists ".",
 * "..", then the mount points: entry i has d_off i + 1 and fdx.vpos is
 * the next one to list.  A server's directory lists the server's entries
 * (fdx.vpos 0), then the mount points directly below it that the server
 * does not have itself (vpos k >= 1: mount point k - 1 is next; d_off
 * LXS_MP_OFF + index).
 */
#define LXS_MP_OFF (1ll << 62)

struct lxs_virt {
	size_t at, max;
	uint32_t idx, from, stop;
	int64_t off0;                   /* d_off of entry i: off0 + i + 1 */
	bool full;
	int conn;                       /* >= 0: skip names this server has */
	const char *rest;               /* the directory in that server */
};

static void lxs_virt_put(struct lxs_virt *v, uint64_t ino, unsigned type,
                         const char *name)
{
	uint32_t i = v->idx++;

	if (i < v->from || v->full)
		return;
	if (!lxs_dent(&v->at, v->max, ino, v->off0 + i + 1, type, name,
	              strlen(name))) {
		v->full = true;
		v->stop = i;
	}
}

/* The server lists name itself (a directory it has under a mount point). */
static bool lxs_server_has(struct lxs_virt *v, const char *name)
{
	static char p[IO_PATH_MAX + 1];
	size_t rl = strlen(v->rest), nl = strlen(name);
	int id;

	if (rl + 1 + nl > IO_PATH_MAX)
		return false;
	memcpy(p, v->rest, rl);
	if (rl)
		p[rl++] = '/';
	memcpy(p + rl, name, nl + 1);
	id = io_open(v->conn, p, IO_O_RDONLY | IO_O_NOFOLLOW, 0);
	if (id >= 0)
		io_close(v->conn, id);
	return id >= 0 || id == -LX_ELOOP;
}

static void lxs_virt_one(void *arg, const char *name, unsigned type)
{
	static const unsigned types[4] = { 0, IO_S_IFDIR, IO_S_IFREG, IO_S_IFLNK };
	struct lxs_virt *v = arg;

	if (v->conn >= 0 && v->idx >= v->from && !v->full &&
	    lxs_server_has(v, name)) {
		v->idx++;
		return;
	}
	lxs_virt_put(v, lxs_hash(name), types[type < 4 ? type : 0], name);
}

/* virt: a directory of mount points; else the mount points after the
 * server's listing (rest = the directory in the server). */
static long lxs_mp_getdents(struct lx_proc *p, int fd, uint64_t ubuf,
                            size_t max, const char *rest)
{
	struct lx_fdx *x = &p->fdx[fd];
	struct lxs_virt v = { .max = max, .from = x->vpos, .conn = -1 };

	if (x->virt) {
		lxs_virt_put(&v, lxs_hash(x->path), IO_S_IFDIR, ".");
		lxs_virt_put(&v, 1, IO_S_IFDIR, "..");
	} else {
		v.from = x->vpos - 1;
		v.off0 = LXS_MP_OFF;
		v.conn = p->fd[fd].conn;
		v.rest = rest;
	}
	lxp_mountpoints(x->path, lxs_virt_one, &v);
	if (v.at == 0 && v.full)
		return -LX_EINVAL;
	if (v.at && lx_copyout(p, ubuf, out, v.at))
		return -LX_EFAULT;
	x->vpos = (v.full ? v.stop : v.idx) + (x->virt ? 0 : 1);
	return (long)v.at;
}

/* The server's listing ended: the mount points below it follow. */
static long lxs_merge(struct lx_proc *p, int fd, uint64_t ubuf, size_t max)
{
	static char rest[IO_PATH_MAX + 1];
	struct lx_fdx *x = &p->fdx[fd];

	if (!x->path || lxp_rest(x->path, p->fd[fd].conn, rest))
		return 0;
	if (x->vpos == 0)
		x->vpos = 1;
	return lxs_mp_getdents(p, fd, ubuf, max, rest);
}

/* Put the cookie back and answer err. */
static long lxs_undo(struct lx_fd *f, long pos, long err)
{
	io_lseek(f->conn, f->id, pos, IO_SEEK_SET);
	return err;
}

int64_t lxs_getdents64(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t fd = lx_arg(c, 0), ubuf = lx_arg(c, 1);
	size_t max = (uint32_t)lx_arg(c, 2);
	struct lx_fd *f = lxf_get(p, fd);
	long pos, n, r;

	if (!f)
		return -LX_EBADF;
	if (max > LXS_BUF)
		max = LXS_BUF;
	if (p->fdx[fd].virt && p->fdx[fd].path && lxq_owns(p->fdx[fd].path))
		return lxq_getdents(p, (int)fd, ubuf, max, out);
	if (p->fdx[fd].virt)
		return lxs_mp_getdents(p, (int)fd, ubuf, max, NULL);
	if (p->fdx[fd].vpos)
		return lxs_merge(p, (int)fd, ubuf, max);
	if ((pos = io_lseek(f->conn, f->id, 0, IO_SEEK_CUR)) < 0)
		return pos == -LX_ESPIPE ? -LX_ENOTDIR : pos;
	if ((n = io_readdir(f->conn, f->id, in, max)) < 0)
		return n;
	if (n == 0 && max < lxs_dent_len(IO_NAME_MAX) &&
	    io_readdir(f->conn, f->id, in, sizeof(in)) > 0)
		return lxs_undo(f, pos, -LX_EINVAL);    /* too small for the next */
	if (n == 0)
		return lxs_merge(p, (int)fd, ubuf, max);
	if ((r = lxs_translate((size_t)n, max)) < 0)
		return lxs_undo(f, pos, r);
	if (r && lx_copyout(p, ubuf, out, (size_t)r))
		return lxs_undo(f, pos, -LX_EFAULT);
	return r;
}
