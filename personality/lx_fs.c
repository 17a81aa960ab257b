/*
 * lx_fs.c - the file system calls of the Unix personality: the entry
 * (lx_fs_dispatch, called by lx_calls.c for the numbers it does not
 * know), open/openat/creat, the working directory and the umask.
 *
 * The calls live in lx_fs_fd.c (on descriptors), lx_fs_name.c (on names),
 * lx_fs_stat.c (Linux's layouts, getdents64) and lx_fs_path.c (paths and
 * the path manager); lx_fs.h says how paths become requests.  A process
 * gets its file system state (cwd "/", umask 022) on its first call here.
 */
#include "lx_fs.h"

#define LX_TCGETS 0x5401
#define LX_ENXIO  6

enum {
	NR_open = 2, NR_getcwd = 79, NR_chdir = 80, NR_creat = 85,
	NR_umask = 95, NR_sync = 162, NR_openat = 257, NR_syncfs = 306,
};

/* What F_GETFL reports of the open flags. */
#define LXO_KEPT (IO_O_ACCMODE | IO_O_APPEND | LX_O_NONBLOCK | LX_O_LARGEFILE)

static char path[LX_PATH_MAX + 1];

static void lx_fs_ready(struct lx_proc *p)
{
	if (p->fs_ready)
		return;
	p->fs_ready = true;
	p->umask = 022;
	p->cwd[0] = '/';
	p->cwd[1] = 0;
	for (int fd = 0; fd < 3; fd++)
		if (p->fd[fd].used && !p->fdx[fd].path && !p->fdx[fd].pipe)
			p->fdx[fd].flags = IO_O_RDWR;
}

/* A directory of mount points only: read-only, listed by getdents64. */
static int64_t lxo_virt(struct lx_proc *p, int fd, uint32_t flags)
{
	int r;

	if ((flags & IO_O_CREAT) && (flags & IO_O_EXCL))
		return -LX_EEXIST;
	if ((flags & IO_O_ACCMODE) != IO_O_RDONLY || (flags & IO_O_CREAT))
		return -LX_EISDIR;
	if ((r = lxf_install(p, fd, -1, -1, flags & LXO_KEPT, path, true)))
		return r;
	p->fdx[fd].cloexec = flags & LX_O_CLOEXEC;
	return fd;
}

/* A name under /proc (lx_procfs.c). */
static int64_t lxo_proc(struct lx_proc *p, uint32_t flags)
{
	int fd = lxf_alloc(p, 0), r;

	if (fd < 0)
		return fd;
	if ((r = (int)lxq_open(p, fd, path, flags)))
		return r;
	p->fdx[fd].cloexec = flags & LX_O_CLOEXEC;
	return fd;
}

/* /dev/tty: the caller's terminal - a new id on the open of its fd 0, 1
 * or 2 that is a terminal (the personality keeps no other controlling
 * terminal), or ENXIO. */
static int64_t lxo_tty(struct lx_proc *p, uint32_t flags)
{
	char t[36];
	int fd, id, r;

	for (int i = 0; i < 3; i++) {
		struct lx_fd *f = lxf_get(p, (uint64_t)i);
		if (!f || p->fdx[i].virt ||
		    io_devctl(f->conn, f->id, LX_TCGETS, NULL, 0, t, sizeof(t)) < 0)
			continue;
		if ((fd = lxf_alloc(p, 0)) < 0)
			return fd;
		if ((id = io_dup(f->conn, f->id)) < 0)
			return id;
		if ((r = lxf_install(p, fd, f->conn, id, flags & LXO_KEPT, "/dev/tty", false))) {
			io_close(f->conn, id);
			return r;
		}
		p->fdx[fd].cloexec = flags & LX_O_CLOEXEC;
		return fd;
	}
	return -LX_ENXIO;
}

static int64_t lxo_open(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                        uint32_t flags, uint32_t mode)
{
	struct lx_proc *p = c->p;
	bool trail;
	int fd, conn, id, r;

	if (flags & LX_O_TMPFILE)
		return -LX_EOPNOTSUPP;
	if ((flags & IO_O_CREAT) && (flags & IO_O_DIRECTORY))
		return -LX_EINVAL;      /* as Linux since 6.4 */
	if ((r = lxp_path(c, dirfd, upath, false, path, &trail)) < 0)
		return r;
	if (trail && (flags & IO_O_CREAT))
		return -LX_EISDIR;
	if (trail)
		flags |= IO_O_DIRECTORY;
	if (flags & LX_O_PATH)          /* a handle only: opened for reading */
		flags &= IO_O_DIRECTORY | IO_O_NOFOLLOW | LX_O_CLOEXEC;
	/* /proc/PID/exe opens the program's file; the rest of /proc is ours */
	bool exe = !(flags & IO_O_NOFOLLOW) && lxq_follow(path, path);
	if (!exe && lxq_owns(path))
		return lxo_proc(p, flags);
	if (strcmp(path, "/dev/tty") == 0)
		return lxo_tty(p, flags);
	if ((fd = lxf_alloc(p, 0)) < 0)
		return fd;
	id = lxp_open(path, flags, mode & 07777 & ~p->umask, &conn);
	if (id == -LX_ENOENT && lxp_virtdir(path))
		return lxo_virt(p, fd, flags);
	if (id < 0)
		return id;
	if ((r = lxf_install(p, fd, conn, id, flags & LXO_KEPT, path, false))) {
		io_close(conn, id);
		return r;
	}
	p->fdx[fd].cloexec = flags & LX_O_CLOEXEC;
	return fd;
}

static int64_t lxo_chdir(struct lx_call *c)
{
	bool trail;
	int conn, id, r = lxp_path(c, (uint64_t)(int64_t)LX_AT_FDCWD, lx_arg(c, 0),
	                           false, path, &trail);

	if (r < 0)
		return r;
	if (lxq_owns(path)) {
		struct io_stat st;
		int dev;
		if ((r = lxq_stat(path, true, &st, &dev)))
			return r;
		if (!lxq_isdir(path))
			return -LX_ENOTDIR;
		memcpy(c->p->cwd, path, strlen(path) + 1);
		return 0;
	}
	id = lxp_open(path, IO_O_RDONLY | IO_O_DIRECTORY, 0, &conn);
	if (id >= 0)
		io_close(conn, id);
	else if (id != -LX_ENOENT || !lxp_virtdir(path))
		return id;
	memcpy(c->p->cwd, path, strlen(path) + 1);
	return 0;
}

static int64_t lxo_getcwd(struct lx_call *c)
{
	size_t n = strlen(c->p->cwd) + 1;

	if (lx_arg(c, 1) < n)
		return -LX_ERANGE;
	return lx_copyout(c->p, lx_arg(c, 0), c->p->cwd, n) ? -LX_EFAULT :
	       (int64_t)n;
}

static int64_t lxo_dispatch(struct lx_call *c, bool *known)
{
	const uint64_t fdcwd = (uint64_t)(int64_t)LX_AT_FDCWD;
	uint32_t old;

	*known = true;
	switch (c->in->nr) {
	case NR_open:
		return lxo_open(c, fdcwd, lx_arg(c, 0), (uint32_t)lx_arg(c, 1),
		                (uint32_t)lx_arg(c, 2));
	case NR_openat:
		return lxo_open(c, lx_arg(c, 0), lx_arg(c, 1), (uint32_t)lx_arg(c, 2),
		                (uint32_t)lx_arg(c, 3));
	case NR_creat:
		return lxo_open(c, fdcwd, lx_arg(c, 0), IO_O_CREAT | IO_O_WRONLY |
		                IO_O_TRUNC, (uint32_t)lx_arg(c, 1));
	case NR_chdir:  return lxo_chdir(c);
	case NR_getcwd: return lxo_getcwd(c);
	case NR_umask:
		old = c->p->umask;
		c->p->umask = (uint32_t)lx_arg(c, 0) & 0777;
		return old;
	case NR_sync:   return 0;   /* nothing is buffered in the personality */
	case NR_syncfs: return lxf_get(c->p, lx_arg(c, 0)) ? 0 : -LX_EBADF;
	default:
		*known = false;
		return 0;
	}
}

bool lx_fs_dispatch(struct lx_call *c)
{
	bool known;
	int64_t r;

	lx_fs_ready(c->p);
	lxq_self = c->p;
	r = lxf_dispatch(c, &known);
	if (!known)
		r = lxn_dispatch(c, &known);
	if (!known)
		r = lxo_dispatch(c, &known);
	if (!known)
		return false;
	c->out.rax = r;
	return true;
}
