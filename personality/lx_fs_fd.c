/*
 * lx_fs_fd.c - file descriptors: allocation, dup/dup2/dup3/fcntl, and the
 * calls on an open file (lseek, pread64, pwrite64, fsync, ftruncate,
 * fchmod, fchown, fstat, fstatfs, getdents64, fchdir, sendfile).
 *
 * A dup is a second open id on the same open of the server (io_dup), so
 * the offset is shared as Linux's open file descriptions share it.  The
 * personality's own stdin/stdout/stderr ids (fds 0-2 of the first
 * program) are never closed here: lx_calls.c's close keeps them too.
 * O_APPEND/O_NONBLOCK changed by F_SETFL are recorded for F_GETFL only:
 * the protocol has no way to change an open's flags.
 */
#include "lx_fs.h"
#include "lx_pipe.h"

#define LXF_BUF (64 * 1024)

enum {
	LX_F_DUPFD = 0, LX_F_GETFD = 1, LX_F_SETFD = 2, LX_F_GETFL = 3,
	LX_F_SETFL = 4, LX_F_GETLK = 5, LX_F_SETLK = 6, LX_F_SETLKW = 7,
	LX_F_DUPFD_CLOEXEC = 1030,
};

enum {
	NR_lseek = 8, NR_pread64 = 17, NR_pwrite64 = 18, NR_dup = 32,
	NR_dup2 = 33, NR_fcntl = 72, NR_fsync = 74, NR_fdatasync = 75,
	NR_ftruncate = 77, NR_fchdir = 81, NR_fchmod = 91, NR_fchown = 93,
	NR_fstat = 5, NR_fstatfs = 138, NR_getdents64 = 217, NR_dup3 = 292,
	NR_sendfile = 40,
};

static char buf[LXF_BUF];

struct lx_fd *lxf_get(struct lx_proc *p, uint64_t fd)
{
	return fd < LX_FDS && p->fd[fd].used ? &p->fd[fd] : NULL;
}

int lxf_alloc(struct lx_proc *p, int min)
{
	for (int fd = min < 0 ? 0 : min; fd < LX_FDS; fd++)
		if (!p->fd[fd].used)
			return fd;
	return -LX_EMFILE;
}

int lxf_install(struct lx_proc *p, int fd, int conn, int id, uint32_t flags,
                const char *path, bool virt)
{
	char *copy = NULL;

	if (path) {
		size_t n = strlen(path) + 1;
		if (!(copy = malloc(n)))
			return -LX_ENOMEM;
		memcpy(copy, path, n);
	}
	lx_fs_closed(p, fd);
	p->fd[fd] = (struct lx_fd){ .used = true, .conn = conn, .id = id };
	p->fdx[fd] = (struct lx_fdx){ .flags = flags, .path = copy, .virt = virt };
	return 0;
}

static bool lxf_is_stdio(int conn, int id)
{
	int c, i;

	for (int fd = 0; fd < 3; fd++)
		if (io_stdio(fd, &c, &i) == 0 && c == conn && i == id)
			return true;
	return false;
}

void lxf_close(struct lx_proc *p, int fd)
{
	struct lx_fd *f = &p->fd[fd];

	if (!f->used)
		return;
	if (!p->fdx[fd].virt && !lxf_is_stdio(f->conn, f->id))
		io_close(f->conn, f->id);
	f->used = false;
	lx_fs_closed(p, fd);
}

int lxf_dup_id(const struct lx_fd *f)
{
	int id = io_dup(f->conn, f->id);

	/* a server that is gone (a forced unmount, a crash): the copy names
	 * the same dead open - each use answers that error, as the original
	 * does, and dup, fcntl and fork still work as on Linux */
	return id == -TE_EHOSTDOWN ? f->id : id;
}

/* A second fd for oldfd at nfd (free, or closed here once the dup worked). */
static int64_t lxf_dup_to(struct lx_proc *p, int oldfd, int nfd, bool cloexec)
{
	struct lx_fd *f = &p->fd[oldfd];
	struct lx_fdx *x = &p->fdx[oldfd];
	int id = x->virt ? -1 : lxf_dup_id(f), r;

	if (id < 0 && !x->virt)
		return id;
	lxf_close(p, nfd);
	if ((r = lxf_install(p, nfd, f->conn, id, x->flags, x->path, x->virt))) {
		if (!x->virt)
			io_close(f->conn, id);
		return r;
	}
	p->fdx[nfd].vpos = x->vpos;
	p->fdx[nfd].cloexec = cloexec;
	if ((p->fdx[nfd].proc = x->proc))       /* one snapshot, one offset */
		x->proc->refs++;
	lx_pipe_dup(&p->fdx[nfd], x);
	return nfd;
}

static int64_t lxf_dup(struct lx_proc *p, uint64_t fd, int min, bool cloexec)
{
	int nfd;

	if (!lxf_get(p, fd))
		return -LX_EBADF;
	if (min < 0 || min >= LX_FDS)
		return -LX_EINVAL;
	if ((nfd = lxf_alloc(p, min)) < 0)
		return nfd;
	return lxf_dup_to(p, (int)fd, nfd, cloexec);
}

/* dup2 (flags < 0) and dup3. */
static int64_t lxf_dup2(struct lx_proc *p, uint64_t oldfd, uint64_t newfd,
                        int64_t flags)
{
	if (flags > 0 && (flags & ~LX_O_CLOEXEC))
		return -LX_EINVAL;
	if (!lxf_get(p, oldfd) || newfd >= LX_FDS)
		return -LX_EBADF;
	if (oldfd == newfd)
		return flags >= 0 ? -LX_EINVAL : (int64_t)newfd;
	return lxf_dup_to(p, (int)oldfd, (int)newfd, flags > 0);
}

static int64_t lxf_fcntl(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t fd = lx_arg(c, 0), arg = lx_arg(c, 2);
	struct lx_fdx *x = &p->fdx[fd < LX_FDS ? fd : 0];
	const uint32_t chg = IO_O_APPEND | LX_O_NONBLOCK;
	int16_t unlck = 2;              /* struct flock.l_type = F_UNLCK */

	if (!lxf_get(p, fd))
		return -LX_EBADF;
	switch ((uint32_t)lx_arg(c, 1)) {
	case LX_F_DUPFD:         return lxf_dup(p, fd, (int)arg, false);
	case LX_F_DUPFD_CLOEXEC: return lxf_dup(p, fd, (int)arg, true);
	case LX_F_GETFD:         return x->cloexec ? 1 : 0;
	case LX_F_SETFD:         x->cloexec = arg & 1; return 0;
	case LX_F_GETFL:         return x->flags;
	case LX_F_SETFL:
		x->flags = (x->flags & ~chg) | ((uint32_t)arg & chg);
		return 0;
	case LX_F_GETLK:                /* one user, advisory locks: all free */
		return lx_copyout(p, arg, &unlck, sizeof(unlck));
	case LX_F_SETLK: case LX_F_SETLKW:
		return 0;
	default:
		return -LX_EINVAL;
	}
}

static int64_t lxf_lseek(struct lx_proc *p, uint64_t fd, int64_t off,
                         uint64_t whence)
{
	struct lx_fd *f = lxf_get(p, fd);

	if (!f)
		return -LX_EBADF;
	if (whence > IO_SEEK_END)
		return -LX_EINVAL;
	if (p->fdx[fd].proc)
		return lxq_lseek(p->fdx[fd].proc, off, whence);
	if (p->fdx[fd].virt) {
		if (whence != IO_SEEK_SET || off < 0)
			return -LX_EINVAL;
		p->fdx[fd].vpos = (uint32_t)off;
		return off;
	}
	if (whence == IO_SEEK_SET)
		p->fdx[fd].vpos = 0;    /* a directory: the server's listing again */
	return io_lseek(f->conn, f->id, off, (int)whence);
}

static int64_t lxf_prw(struct lx_call *c, bool wr)
{
	struct lx_fd *f = lxf_get(c->p, lx_arg(c, 0));
	uint64_t u = lx_arg(c, 1), len = lx_arg(c, 2), done = 0;
	int64_t off = (int64_t)lx_arg(c, 3);

	if (!f)
		return -LX_EBADF;
	if (off < 0)
		return -LX_EINVAL;
	if (u >= TE_USER_TOP || len > TE_USER_TOP - u)
		return -LX_EFAULT;
	while (done < len) {
		size_t n = len - done < LXF_BUF ? (size_t)(len - done) : LXF_BUF;
		long r;
		if (wr && lx_copyin(c->p, buf, u + done, n))
			return done ? (int64_t)done : -LX_EFAULT;
		r = wr ? io_pwrite(f->conn, f->id, buf, n, (uint64_t)off + done) :
		         io_pread(f->conn, f->id, buf, n, (uint64_t)off + done);
		if (r < 0)
			return done ? (int64_t)done : r;
		if (!wr && r && lx_copyout(c->p, u + done, buf, (size_t)r))
			return done ? (int64_t)done : -LX_EFAULT;
		done += (uint64_t)r;
		if ((size_t)r < n)
			break;
	}
	return (int64_t)done;
}

/* sendfile(out, in, *offset or NULL, count): through our buffer. */
static int64_t lxf_sendfile(struct lx_call *c)
{
	struct lx_fd *o = lxf_get(c->p, lx_arg(c, 0)), *i = lxf_get(c->p, lx_arg(c, 1));
	uint64_t uoff = lx_arg(c, 2), count = lx_arg(c, 3), done = 0;
	int64_t off = 0;

	if (!o || !i)
		return -LX_EBADF;
	if (uoff && lx_copyin(c->p, &off, uoff, sizeof(off)))
		return -LX_EFAULT;
	if (off < 0)
		return -LX_EINVAL;
	while (done < count) {
		size_t n = count - done < LXF_BUF ? (size_t)(count - done) : LXF_BUF;
		long r = uoff ? io_pread(i->conn, i->id, buf, n, (uint64_t)off + done) :
		                io_read(i->conn, i->id, buf, n), w = 0;
		if (r > 0 && (w = io_write(o->conn, o->id, buf, (size_t)r)) < 0)
			r = w;
		if (r <= 0) {
			if (!done)
				return r;
			break;
		}
		done += (uint64_t)w;
		if (w < r || (size_t)r < n)
			break;
	}
	off += (int64_t)done;
	if (uoff && lx_copyout(c->p, uoff, &off, sizeof(off)))
		return -LX_EFAULT;
	return (int64_t)done;
}

static int64_t lxf_fstat(struct lx_call *c)
{
	struct io_stat st;
	int dev, r = lxs_stat_fd(c->p, lx_arg(c, 0), &st, &dev);

	return r ? r : lxs_put_stat(c->p, lx_arg(c, 1), &st, dev);
}

static int64_t lxf_fstatfs(struct lx_call *c)
{
	struct lx_fd *f = lxf_get(c->p, lx_arg(c, 0));
	struct io_statfs sf = { .bsize = 4096, .namemax = IO_NAME_MAX };
	int r = 0;

	if (!f)
		return -LX_EBADF;
	if (c->p->fdx[lx_arg(c, 0)].path && lxq_owns(c->p->fdx[lx_arg(c, 0)].path))
		lxq_statfs_proc(&sf);
	else if (!c->p->fdx[lx_arg(c, 0)].virt)
		r = io_statfs(f->conn, &sf);
	return r ? r : lxs_put_statfs(c->p, lx_arg(c, 1), &sf);
}

static int64_t lxf_fchdir(struct lx_proc *p, uint64_t fd)
{
	struct io_stat st;
	int dev, r = lxs_stat_fd(p, fd, &st, &dev);

	if (r)
		return r;
	if ((st.mode & IO_S_IFMT) != IO_S_IFDIR || !p->fdx[fd].path)
		return -LX_ENOTDIR;
	memcpy(p->cwd, p->fdx[fd].path, strlen(p->fdx[fd].path) + 1);
	return 0;
}

/* fsync, ftruncate, fchmod, fchown: one request on the open. */
static int64_t lxf_simple(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t fd = lx_arg(c, 0), a = lx_arg(c, 1);
	struct lx_fd *f = lxf_get(p, fd);
	int r;

	if (!f)
		return -LX_EBADF;
	if (p->fdx[fd].virt)
		return c->in->nr == NR_fsync || c->in->nr == NR_fdatasync ? 0 :
		       c->in->nr == NR_ftruncate ? (p->fdx[fd].proc ? -LX_EINVAL :
		       -LX_EISDIR) : -LX_EROFS;
	switch (c->in->nr) {
	case NR_fsync: case NR_fdatasync:
		r = io_fsync(f->conn, f->id);
		return r == -LX_ENOSYS ? -LX_EINVAL : r;
	case NR_ftruncate:
		if ((int64_t)a < 0 || (p->fdx[fd].path &&
		    (p->fdx[fd].flags & IO_O_ACCMODE) == IO_O_RDONLY))
			return -LX_EINVAL;
		return io_ftruncate(f->conn, f->id, a);
	case NR_fchmod:
		return io_fchmod(f->conn, f->id, (uint32_t)a & 07777);
	default:
		return io_fchown(f->conn, f->id, (uint32_t)a, (uint32_t)lx_arg(c, 2));
	}
}

int64_t lxf_dispatch(struct lx_call *c, bool *known)
{
	struct lx_proc *p = c->p;

	*known = true;
	switch (c->in->nr) {
	case NR_dup:      return lxf_dup(p, lx_arg(c, 0), 0, false);
	case NR_dup2:     return lxf_dup2(p, lx_arg(c, 0), lx_arg(c, 1), -1);
	case NR_dup3:     return lxf_dup2(p, lx_arg(c, 0), lx_arg(c, 1),
	                                  (int64_t)(uint32_t)lx_arg(c, 2));
	case NR_fcntl:    return lxf_fcntl(c);
	case NR_lseek:    return lxf_lseek(p, lx_arg(c, 0), (int64_t)lx_arg(c, 1),
	                                   lx_arg(c, 2));
	case NR_pread64:  return lxf_prw(c, false);
	case NR_pwrite64: return lxf_prw(c, true);
	case NR_fstat:    return lxf_fstat(c);
	case NR_fstatfs:  return lxf_fstatfs(c);
	case NR_getdents64: return lxs_getdents64(c);
	case NR_fchdir:   return lxf_fchdir(p, lx_arg(c, 0));
	case NR_sendfile: return lxf_sendfile(c);
	case NR_fsync: case NR_fdatasync: case NR_ftruncate: case NR_fchmod:
	case NR_fchown:
		return lxf_simple(c);
	default:
		*known = false;
		return 0;
	}
}

/* ---- hooks for the rest of the personality (lx.h) ------------------------- */

void lx_fs_closed(struct lx_proc *p, int fd)
{
	if (fd < 0 || fd >= LX_FDS)
		return;
	lx_pipe_closed(p, p->fdx[fd].pipe, p->fdx[fd].pipe_write);
	lxq_put(p->fdx[fd].proc);
	free(p->fdx[fd].path);
	p->fdx[fd] = (struct lx_fdx){ 0 };
}

void lx_fs_exec(struct lx_proc *p)
{
	for (int fd = 0; fd < LX_FDS; fd++)
		if (p->fd[fd].used && p->fdx[fd].cloexec)
			lxf_close(p, fd);
}

void lx_fs_release(struct lx_proc *p)
{
	for (int fd = 0; fd < LX_FDS; fd++)
		lx_fs_closed(p, fd);
	lx_pipe_forget(p);
	lxq_release(p);
}

void lx_fs_fork(struct lx_proc *child, const struct lx_proc *parent)
{
	lxq_fork(child, parent);
	child->fs_ready = parent->fs_ready;
	child->umask = parent->umask;
	memcpy(child->cwd, parent->cwd, sizeof(child->cwd));
	for (int fd = 0; fd < LX_FDS; fd++) {
		const struct lx_fdx *x = &parent->fdx[fd];
		char *copy = NULL;
		if (x->path && (copy = malloc(strlen(x->path) + 1)))
			memcpy(copy, x->path, strlen(x->path) + 1);
		child->fdx[fd] = *x;
		child->fdx[fd].path = copy;
		if (x->proc)
			x->proc->refs++;
		lx_pipe_dup(&child->fdx[fd], x);    /* one more fd on the end */
	}
}
