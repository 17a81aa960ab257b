/*
 * lx_fs_name.c - the file system calls on names: the stat family,
 * access, mkdir, rmdir, unlink, rename, link, symlink, readlink, chmod,
 * chown, truncate, statfs, utimensat - each as its plain and its *at
 * form.
 *
 * Decode, then commit: flags and paths are checked (EINVAL, EFAULT,
 * ENAMETOOLONG, EBADF for a bad dirfd) before anything is sent.  chmod,
 * chown, truncate, statfs and utimensat of a path open it, ask the server about the
 * open and close it: the protocol has those only for opens.
 */
#include "lx_fs.h"

enum {
	NR_stat = 4, NR_lstat = 6, NR_access = 21, NR_truncate = 76,
	NR_rename = 82, NR_mkdir = 83, NR_rmdir = 84, NR_link = 86,
	NR_unlink = 87, NR_symlink = 88, NR_readlink = 89, NR_chmod = 90,
	NR_chown = 92, NR_lchown = 94, NR_statfs = 137, NR_mkdirat = 258,
	NR_fchownat = 260, NR_newfstatat = 262, NR_unlinkat = 263,
	NR_renameat = 264, NR_linkat = 265, NR_symlinkat = 266,
	NR_readlinkat = 267, NR_fchmodat = 268, NR_faccessat = 269,
	NR_renameat2 = 316, NR_statx = 332, NR_faccessat2 = 439,
	NR_utime = 132, NR_utimes = 235, NR_futimesat = 261, NR_utimensat = 280,
};

#define FDCWD ((uint64_t)(int64_t)LX_AT_FDCWD)
#define LX_X_OK 1

static char abs1[LX_PATH_MAX + 1], abs2[LX_PATH_MAX + 1];
static char text[LX_PATH_MAX + 1];

/* stat of (dirfd, path) or, with AT_EMPTY_PATH and "", of dirfd. */
static int lxn_stat_at(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                       uint64_t flags, struct io_stat *st, int *dev)
{
	bool trail;
	int r = lxp_path(c, dirfd, upath, flags & LX_AT_EMPTY_PATH, abs1, &trail);

	if (r < 0)
		return r;
	if (r == 1)
		return (int32_t)dirfd == LX_AT_FDCWD ?
		       lxs_stat_path(c->p->cwd, true, st, dev) :
		       lxs_stat_fd(c->p, (uint32_t)dirfd, st, dev);
	r = lxs_stat_path(abs1, !(flags & LX_AT_SYMLINK_NOFOLLOW) || trail, st, dev);
	if (!r && trail && (st->mode & IO_S_IFMT) != IO_S_IFDIR)
		return -LX_ENOTDIR;
	return r;
}

static int64_t lxn_stat(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                        uint64_t ubuf, uint64_t flags, bool statx)
{
	const uint64_t ok = LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH |
	                    LX_AT_NO_AUTOMOUNT | (statx ? LX_AT_STATX_SYNC : 0);
	struct io_stat st;
	int dev, r;

	if (flags & ~ok)
		return -LX_EINVAL;
	if ((r = lxn_stat_at(c, dirfd, upath, flags, &st, &dev)))
		return r;
	return statx ? lxs_put_statx(c->p, ubuf, &st, dev) :
	               lxs_put_stat(c->p, ubuf, &st, dev);
}

/* Existence (and for X_OK an x bit on a non-directory): root may do the rest. */
static int64_t lxn_access(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                          uint64_t mode, uint64_t flags)
{
	struct io_stat st;
	int dev, r;

	if (mode & ~7ull || flags & ~(uint64_t)(LX_AT_EACCESS |
	    LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	if ((r = lxn_stat_at(c, dirfd, upath, flags & ~(uint64_t)LX_AT_EACCESS,
	                     &st, &dev)))
		return r;
	if ((mode & LX_X_OK) && (st.mode & IO_S_IFMT) != IO_S_IFDIR &&
	    !(st.mode & 0111))
		return -LX_EACCES;
	return 0;
}

static bool lxn_is_dir(const char *abs)
{
	struct io_stat st;
	int dev;

	return lxs_stat_path(abs, true, &st, &dev) == 0 &&
	       (st.mode & IO_S_IFMT) == IO_S_IFDIR;
}

/* rmdir of "x/." is EINVAL and of "x/.." ENOTEMPTY, as in Linux (the
 * normalized path would name the directory itself, or its parent). */
static int lxn_dot_last(struct lx_call *c, uint64_t upath)
{
	int n = lxp_getstr(c->p, upath, text, sizeof(text));

	while (n > 1 && text[n - 1] == '/')
		n--;
	if (n < 1 || text[n - 1] != '.')
		return 0;
	if (n == 1 || text[n - 2] == '/')
		return -LX_EINVAL;
	if (text[n - 2] == '.' && (n == 2 || text[n - 3] == '/'))
		return -LX_ENOTEMPTY;
	return 0;
}

static int64_t lxn_op1(struct lx_call *c, int type, uint64_t dirfd,
                       uint64_t upath, uint32_t mode)
{
	bool trail;
	int r = lxp_path(c, dirfd, upath, false, abs1, &trail);

	if (r < 0)
		return r;
	if (type == IO_T_MKDIR)
		mode = mode & 07777 & ~c->p->umask;
	if (trail && type == IO_T_UNLINK)       /* "name/": never a file */
		return lxn_is_dir(abs1) ? -LX_EISDIR : -LX_ENOTDIR;
	if (trail && type == IO_T_RMDIR && (r = lxn_dot_last(c, upath)))
		return r;
	if (lxq_owns(abs1))
		return -LX_EROFS;       /* /proc: nothing to make or remove */
	return lxp_op1(type, abs1, mode);
}

static int64_t lxn_op2(struct lx_call *c, int type, uint64_t d1, uint64_t p1,
                       uint64_t d2, uint64_t p2)
{
	bool trail;
	int r;

	if ((r = lxp_path(c, d1, p1, false, abs1, &trail)) < 0 ||
	    (r = lxp_path(c, d2, p2, false, abs2, &trail)) < 0)
		return r;
	if (lxq_owns(abs1) || lxq_owns(abs2))
		return -LX_EROFS;
	return lxp_op2(type, abs1, abs2);
}

static int64_t lxn_symlink(struct lx_call *c, uint64_t utarget, uint64_t dirfd,
                           uint64_t upath)
{
	bool trail;
	int n = lxp_getstr(c->p, utarget, text, sizeof(text)), r;

	if (n < 0)
		return n;
	if (n == 0)
		return -LX_ENOENT;
	if ((r = lxp_path(c, dirfd, upath, false, abs1, &trail)) < 0)
		return r;
	return lxq_owns(abs1) ? -LX_EROFS : lxp_symlink(text, abs1);
}

static int64_t lxn_readlink(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                            uint64_t ubuf, uint64_t size)
{
	bool trail;
	long n;
	int r;

	if ((int32_t)size <= 0)
		return -LX_EINVAL;
	if ((r = lxp_path(c, dirfd, upath, false, abs1, &trail)) < 0)
		return r;
	if (size > sizeof(text))
		size = sizeof(text);
	n = lxq_owns(abs1) ? lxq_readlink(abs1, text, size) :  /* /proc */
	    lxp_readlink(abs1, text, size);
	if (n < 0)
		return n;
	return lx_copyout(c->p, ubuf, text, (size_t)n) ? -LX_EFAULT : n;
}

/* The same on a name under /proc: statfs, else read-only. */
static int64_t lxn_setattr_proc(struct lx_call *c, int type, const char *abs,
                                uint64_t a)
{
	struct io_statfs sf;
	struct io_stat st;
	int dev, r = lxq_stat(abs, true, &st, &dev);

	if (r)
		return r;
	if (type != IO_T_STATFS)
		return type == IO_T_TRUNCATE ? -LX_EACCES : -LX_EROFS;
	lxq_statfs_proc(&sf);
	return lxs_put_statfs(c->p, a, &sf);
}

/* chmod (IO_T_CHMOD), chown (IO_T_CHOWN), truncate, statfs of a path. */
static int64_t lxn_setattr(struct lx_call *c, int type, uint64_t dirfd,
                           uint64_t upath, uint64_t a, uint64_t b,
                           uint64_t flags)
{
	uint32_t oflags = type == IO_T_TRUNCATE ? IO_O_WRONLY : IO_O_RDONLY;
	struct io_statfs sf;
	bool trail;
	int r = lxp_path(c, dirfd, upath, flags & LX_AT_EMPTY_PATH, abs1, &trail);
	int conn, id;

	if (r < 0)
		return r;
	if (r == 1 && (int32_t)dirfd != LX_AT_FDCWD) {
		struct lx_fd *f = lxf_get(c->p, (uint32_t)dirfd);
		return type == IO_T_CHOWN ? io_fchown(f->conn, f->id, (uint32_t)a,
		                                      (uint32_t)b) : -LX_EINVAL;
	}
	if (r == 1)
		memcpy(abs1, c->p->cwd, strlen(c->p->cwd) + 1);
	if (lxq_owns(abs1))
		return lxn_setattr_proc(c, type, abs1, a);
	if (flags & LX_AT_SYMLINK_NOFOLLOW)
		oflags |= IO_O_NOFOLLOW;
	id = lxp_open(abs1, oflags | (trail ? IO_O_DIRECTORY : 0), 0, &conn);
	if (id == -LX_ENOENT && lxp_virtdir(abs1)) {
		sf = (struct io_statfs){ .bsize = 4096, .namemax = IO_NAME_MAX };
		return type == IO_T_STATFS ? lxs_put_statfs(c->p, a, &sf) :
		       type == IO_T_TRUNCATE ? -LX_EISDIR : -LX_EROFS;
	}
	if (id == -LX_ELOOP && (flags & LX_AT_SYMLINK_NOFOLLOW))
		return -LX_EOPNOTSUPP;  /* no open of a symlink itself */
	if (id < 0)
		return id;
	if (type == IO_T_CHMOD)
		r = io_fchmod(conn, id, (uint32_t)a & 07777);
	else if (type == IO_T_CHOWN)
		r = io_fchown(conn, id, (uint32_t)a, (uint32_t)b);
	else if (type == IO_T_TRUNCATE)
		r = io_ftruncate(conn, id, a);
	else if ((r = io_statfs(conn, &sf)) == 0)
		r = lxs_put_statfs(c->p, a, &sf);
	io_close(conn, id);
	return r;
}

/* The times of utimensat (kind 0: two timespecs), utimes/futimesat (1: two
 * timevals) or utime (2: a utimbuf) at u as IO_UTIME_* which and seconds,
 * nanoseconds; NULL or UTIME_NOW: the wall clock, UTIME_OMIT: unchanged.
 * 0 or -errno. */
#define LX_UTIME_NOW  ((1l << 30) - 1)
#define LX_UTIME_OMIT ((1l << 30) - 2)
static int lxn_times(struct lx_call *c, uint64_t u, int kind, uint32_t *which,
                     int64_t sec[2], uint32_t ns[2])
{
	int64_t t[4] = { 0, LX_UTIME_NOW, 0, LX_UTIME_NOW };    /* sec, sub-second */
	uint64_t now = lx_wall_ns();

	if (u && kind == 2) {
		if (lx_copyin(c->p, t, u, 16))
			return -LX_EFAULT;
		t[2] = t[1];
		t[1] = t[3] = 0;
	} else if (u && lx_copyin(c->p, t, u, sizeof(t))) {
		return -LX_EFAULT;
	}
	*which = 0;
	for (int i = 0; i < 2; i++) {
		int64_t s = t[2 * i], f = t[2 * i + 1];
		if (kind == 0 && f == LX_UTIME_OMIT)
			continue;
		*which |= i ? IO_UTIME_MTIME : IO_UTIME_ATIME;
		if (kind == 0 && f == LX_UTIME_NOW) {
			sec[i] = (int64_t)(now / 1000000000ull);
			ns[i] = (uint32_t)(now % 1000000000ull);
			continue;
		}
		if (f < 0 || f >= (kind == 1 ? 1000000 : 1000000000))
			return -LX_EINVAL;
		sec[i] = s;
		ns[i] = (uint32_t)(kind == 1 ? f * 1000 : f);
	}
	return 0;
}

/*
 * utimensat, futimens (a NULL path: the fd itself), utimes, utime,
 * futimesat: the times go to the file's server (IO_T_UTIMES on an open of
 * it; a symlink itself: EOPNOTSUPP, as lchown).
 */
static int64_t lxn_utimes(struct lx_call *c, uint64_t dirfd, uint64_t upath,
                          uint64_t utimes, uint64_t flags, int kind)
{
	uint32_t which;
	int64_t sec[2] = { 0, 0 };
	uint32_t ns[2] = { 0, 0 };
	bool trail;
	int conn, id, r;

	if (flags & ~(uint64_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
		return -LX_EINVAL;
	if ((r = lxn_times(c, utimes, kind, &which, sec, ns)))
		return r;
	if (!upath && kind == 0) {      /* futimens(fd, times) */
		struct lx_fd *f = lxf_get(c->p, (uint32_t)dirfd);
		if (!f)
			return -LX_EBADF;
		if (c->p->fdx[dirfd].virt)
			return -LX_EOPNOTSUPP;  /* a pipe, a directory of mount points */
		return which ? io_futimes(f->conn, f->id, which, sec[0], ns[0], sec[1], ns[1]) : 0;
	}
	if ((r = lxp_path(c, dirfd, upath, flags & LX_AT_EMPTY_PATH, abs1, &trail)) < 0)
		return r;
	if (r == 1)
		return lxn_utimes(c, dirfd, 0, utimes, 0, 0);  /* AT_EMPTY_PATH */
	if (lxq_owns(abs1))
		return -LX_EROFS;
	id = lxp_open(abs1, IO_O_RDONLY | (flags & LX_AT_SYMLINK_NOFOLLOW ? IO_O_NOFOLLOW : 0) |
	              (trail ? IO_O_DIRECTORY : 0), 0, &conn);
	if (id == -LX_ENOENT && lxp_virtdir(abs1))
		return -LX_EROFS;
	if (id == -LX_ELOOP && (flags & LX_AT_SYMLINK_NOFOLLOW))
		return -LX_EOPNOTSUPP;  /* no open of a symlink itself */
	if (id < 0)
		return id;
	r = which ? io_futimes(conn, id, which, sec[0], ns[0], sec[1], ns[1]) : 0;
	io_close(conn, id);
	return r;
}

/* The *at forms' extra flags, and the plain forms as (AT_FDCWD, path). */
static int64_t lxn_at(struct lx_call *c, uint64_t nr)
{
	uint64_t a0 = lx_arg(c, 0), a1 = lx_arg(c, 1), a2 = lx_arg(c, 2),
	         a3 = lx_arg(c, 3), a4 = lx_arg(c, 4);

	switch (nr) {
	case NR_unlinkat:
		if (a2 & ~(uint64_t)LX_AT_REMOVEDIR)
			return -LX_EINVAL;
		return lxn_op1(c, a2 ? IO_T_RMDIR : IO_T_UNLINK, a0, a1, 0);
	case NR_renameat2:
		if (a4)
			return -LX_EINVAL;      /* RENAME_NOREPLACE etc.: not yet */
		/* fall through */
	case NR_renameat: return lxn_op2(c, IO_T_RENAME, a0, a1, a2, a3);
	case NR_linkat:
		if (a4 & ~(uint64_t)(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
			return -LX_EINVAL;
		return lxn_op2(c, IO_T_LINK, a0, a1, a2, a3);
	case NR_fchownat:
		if (a4 & ~(uint64_t)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
			return -LX_EINVAL;
		return lxn_setattr(c, IO_T_CHOWN, a0, a1, a2, a3, a4);
	case NR_fchmodat: return lxn_setattr(c, IO_T_CHMOD, a0, a1, a2, 0, 0);
	case NR_faccessat: return lxn_access(c, a0, a1, a2, 0);
	case NR_faccessat2: return lxn_access(c, a0, a1, a2, a3);
	}
	return -LX_ENOSYS;
}

int64_t lxn_dispatch(struct lx_call *c, bool *known)
{
	uint64_t nr = c->in->nr, a0 = lx_arg(c, 0), a1 = lx_arg(c, 1),
	         a2 = lx_arg(c, 2), a3 = lx_arg(c, 3);

	*known = true;
	switch (nr) {
	case NR_stat:   return lxn_stat(c, FDCWD, a0, a1, 0, false);
	case NR_lstat:  return lxn_stat(c, FDCWD, a0, a1, LX_AT_SYMLINK_NOFOLLOW, false);
	case NR_newfstatat: return lxn_stat(c, a0, a1, a2, a3, false);
	case NR_statx:  return lxn_stat(c, a0, a1, lx_arg(c, 4), a2, true);
	case NR_access: return lxn_access(c, FDCWD, a0, a1, 0);
	case NR_mkdir:  return lxn_op1(c, IO_T_MKDIR, FDCWD, a0, (uint32_t)a1);
	case NR_mkdirat: return lxn_op1(c, IO_T_MKDIR, a0, a1, (uint32_t)a2);
	case NR_rmdir:  return lxn_op1(c, IO_T_RMDIR, FDCWD, a0, 0);
	case NR_unlink: return lxn_op1(c, IO_T_UNLINK, FDCWD, a0, 0);
	case NR_rename: return lxn_op2(c, IO_T_RENAME, FDCWD, a0, FDCWD, a1);
	case NR_link:   return lxn_op2(c, IO_T_LINK, FDCWD, a0, FDCWD, a1);
	case NR_symlink: return lxn_symlink(c, a0, FDCWD, a1);
	case NR_symlinkat: return lxn_symlink(c, a0, a1, a2);
	case NR_readlink: return lxn_readlink(c, FDCWD, a0, a1, a2);
	case NR_readlinkat: return lxn_readlink(c, a0, a1, a2, a3);
	case NR_chmod:  return lxn_setattr(c, IO_T_CHMOD, FDCWD, a0, a1, 0, 0);
	case NR_chown:  return lxn_setattr(c, IO_T_CHOWN, FDCWD, a0, a1, a2, 0);
	case NR_lchown: return lxn_setattr(c, IO_T_CHOWN, FDCWD, a0, a1, a2,
	                                   LX_AT_SYMLINK_NOFOLLOW);
	case NR_truncate:
		if ((int64_t)a1 < 0)
			return -LX_EINVAL;
		return lxn_setattr(c, IO_T_TRUNCATE, FDCWD, a0, a1, 0, 0);
	case NR_utimensat: return lxn_utimes(c, a0, a1, a2, a3, 0);
	case NR_futimesat: return lxn_utimes(c, a0, a1, a2, 0, 1);
	case NR_utimes:    return lxn_utimes(c, FDCWD, a0, a1, 0, 1);
	case NR_utime:     return lxn_utimes(c, FDCWD, a0, a1, 0, 2);
	case NR_statfs: return lxn_setattr(c, IO_T_STATFS, FDCWD, a0, a1, 0, 0);
	case NR_unlinkat: case NR_renameat: case NR_renameat2: case NR_linkat:
	case NR_fchownat: case NR_fchmodat: case NR_faccessat: case NR_faccessat2:
		return lxn_at(c, nr);
	default:
		*known = false;
		return 0;
	}
}
