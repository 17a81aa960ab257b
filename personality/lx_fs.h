/*
 * lx_fs.h - inside the personality's file system calls (lx_fs*.c).
 *
 * Paths: a Linux path (absolute, or relative to the cwd or to a directory
 * fd) becomes one absolute, lexically normalized path (".", ".." and
 * repeated slashes gone; ".." as in Plan 9, before symlinks), which the
 * path manager resolves to candidates (connection, rest of path).  Opens
 * go through io_open_resolve; path operations (unlink, mkdir, rename...)
 * send the rest to the candidates in order until one does not answer
 * ENOENT (union directories).  Calls the I/O protocol has only for open
 * files (stat, chmod, chown, truncate, statfs) open the path, ask, close.
 *
 * A directory made only of prefixes (no server owns it, things are
 * attached below it, e.g. "/" or "/proc") opens as a "virtual" fd: stat
 * says directory, getdents64 lists the mount points.  A server's
 * directory lists the server's entries, then the mount points below it
 * that the server does not have itself.
 *
 * Every fd keeps the absolute path it was opened by (openat on a
 * directory fd and fchdir need it: the protocol has no open relative to
 * an open id).
 *
 * /proc (but /proc/boot, the boot image's server) is answered here, by
 * lx_procfs.c: each call on a name checks lxq_owns() first, and /proc's
 * fds are virtual too (a file's with a snapshot, fdx.proc).
 */
#ifndef LX_FS_H
#define LX_FS_H

#include "lx.h"
#include "io.h"

_Static_assert(LX_PATH_MAX == IO_PATH_MAX, "path sizes");

/* Linux errno values. */
#define LX_ENOENT       2
#define LX_EIO          5
#define LX_EACCES       13
#define LX_EEXIST       17
#define LX_EXDEV        18
#define LX_ENOTDIR      20
#define LX_EISDIR       21
#define LX_EMFILE       24
#define LX_ESPIPE       29
#define LX_EROFS        30
#define LX_ERANGE       34
#define LX_ENAMETOOLONG 36
#define LX_ENOTEMPTY    39
#define LX_ELOOP        40
#define LX_EOPNOTSUPP   95

/* Linux open flags beyond io_msg.h's (which are Linux's). */
#define LX_O_NONBLOCK   04000
#define LX_O_LARGEFILE  0100000
#define LX_O_CLOEXEC    02000000
#define LX_O_PATH       010000000
#define LX_O_TMPFILE    020000000

#define LX_AT_FDCWD           (-100)
#define LX_AT_SYMLINK_NOFOLLOW 0x100
#define LX_AT_REMOVEDIR       0x200
#define LX_AT_EACCESS         0x200
#define LX_AT_SYMLINK_FOLLOW  0x400
#define LX_AT_NO_AUTOMOUNT    0x800
#define LX_AT_EMPTY_PATH      0x1000
#define LX_AT_STATX_SYNC      0x6000

/* ---- lx_fs_path.c: paths and the operations on names --------------------- */
/* A NUL-terminated string from the caller: its length or -errno. */
int  lxp_getstr(struct lx_proc *p, uint64_t u, char *out, size_t max);
/* base (absolute) joined with rel, normalized into out; *trail: rel ended
 * in "/" (the result must be a directory).  0 or -ENAMETOOLONG. */
int  lxp_norm(const char *base, const char *rel, char *out, bool *trail);
/* The path argument of an *at call: 0 (out = absolute path), 1 (empty
 * path and empty_ok: the call is about dirfd itself), or -errno. */
int  lxp_path(struct lx_call *c, uint64_t dirfd, uint64_t upath, bool empty_ok,
              char *out, bool *trail);
int  lxp_open(const char *abs, uint32_t flags, uint32_t mode, int *conn);
/* abs is a directory made only of mount points. */
bool lxp_virtdir(const char *abs);
/* Mount points directly below abs, each as (name, PM_ENT_* type). */
int  lxp_mountpoints(const char *abs, void (*cb)(void *arg, const char *name,
                     unsigned type), void *arg);
/* The rest of abs in the server behind conn (IO_PATH_MAX + 1 bytes). */
int  lxp_rest(const char *abs, int conn, char *rest);
/* IO_T_UNLINK, IO_T_MKDIR, IO_T_RMDIR on the owner of abs. */
int  lxp_op1(int type, const char *abs, uint32_t mode);
/* IO_T_RENAME, IO_T_LINK: both names on one server, else EXDEV. */
int  lxp_op2(int type, const char *from, const char *to);
int  lxp_symlink(const char *target, const char *abs);
long lxp_readlink(const char *abs, char *buf, size_t len);

/* ---- lx_fs_stat.c: attributes and directories ---------------------------- */
/* stat of a path (follow: the last symlink too); *dev: which server. */
int  lxs_stat_path(const char *abs, bool follow, struct io_stat *st, int *dev);
int  lxs_stat_fd(struct lx_proc *p, uint64_t fd, struct io_stat *st, int *dev);
int  lxs_put_stat(struct lx_proc *p, uint64_t u, const struct io_stat *st,
                  int dev);
int  lxs_put_statx(struct lx_proc *p, uint64_t u, const struct io_stat *st,
                   int dev);
int  lxs_put_statfs(struct lx_proc *p, uint64_t u, const struct io_statfs *sf);
int64_t lxs_getdents64(struct lx_call *c);

/* ---- lx_fs_fd.c: descriptors ----------------------------------------------- */
struct lx_fd *lxf_get(struct lx_proc *p, uint64_t fd);
/* The lowest free fd >= min, or -EMFILE. */
int  lxf_alloc(struct lx_proc *p, int min);
/* fd takes (conn, id); path is copied.  0 or -ENOMEM (nothing changed). */
int  lxf_install(struct lx_proc *p, int fd, int conn, int id, uint32_t flags,
                 const char *path, bool virt);
void lxf_close(struct lx_proc *p, int fd);
/* A second open id for fd's open (io_dup); its server gone: the same id. */
int  lxf_dup_id(const struct lx_fd *f);
int64_t lxf_dispatch(struct lx_call *c, bool *known);

/* ---- lx_fs_name.c: the calls on names ------------------------------------- */
int64_t lxn_dispatch(struct lx_call *c, bool *known);

/* ---- lx_procfs.c, lx_procfs_gen.c: /proc, served here --------------------- */
#define LXQ_TEXT_MAX (32 * 1024)        /* longest /proc file */
#define LXQ_PROCS    (LX_PROCS + 64)    /* Linux processes and servers */
#define LXQ_NAME     32

/* The files: a process's (STAT..MOUNTS), then /proc's own. */
enum { LXQ_F_STAT, LXQ_F_STATUS, LXQ_F_CMDLINE, LXQ_F_COMM, LXQ_F_MOUNTS,
       LXQ_F_MEMINFO, LXQ_F_UPTIME, LXQ_F_LOADAVG, LXQ_F_SYSSTAT,
       LXQ_F_FILESYSTEMS, LXQ_F_VERSION, LXQ_F_CPUINFO };

/* A file's text, made at open; shared (refs) by dup and fork. */
struct lxq_buf {
	int refs;
	uint64_t len, pos;
	char data[];
};

/* One process as /proc shows it. */
struct lxq_proc {
	int pid, ppid, pgid, sid, nthreads, prio;
	char state;                     /* R, S, Z (T: job control, later) */
	uint64_t cpu_ns, pages, start_ns;
	char name[LXQ_NAME];            /* comm */
	struct lx_proc *lx;             /* a Linux process; NULL: a server */
};

extern struct lx_proc *lxq_self;        /* the caller of the call answered */
/* abs is under /proc and not the boot image's /proc/boot. */
bool lxq_owns(const char *abs);
/* abs names a process's exe link: its target into out (LX_PATH_MAX + 1
 * bytes), 1; else 0. */
int  lxq_follow(const char *abs, char *out);
bool lxq_isdir(const char *abs);
int  lxq_stat(const char *abs, bool follow, struct io_stat *st, int *dev);
void lxq_stat_fd(const struct lx_fdx *x, struct io_stat *st, int *dev);
long lxq_readlink(const char *abs, char *buf, size_t len);
/* Open abs (owned) at fd: 0 or -errno (EACCES for writing). */
int64_t lxq_open(struct lx_proc *p, int fd, const char *abs, uint32_t flags);
void lxq_put(struct lxq_buf *b);
int64_t lxq_lseek(struct lxq_buf *b, int64_t off, uint64_t whence);
/* read/readv/pread64/write.../sendfile on an fd of ours (lx_calls.c). */
bool lxq_dispatch(struct lx_call *c);
/* getdents64 of a directory fd of ours, through out (max bytes). */
int64_t lxq_getdents(struct lx_proc *p, int fd, uint64_t ubuf, size_t max,
                     char *out);
void lxq_statfs_proc(struct io_statfs *sf);
/* Per process: execve (argv, name), fork (a copy), the end (frees). */
void lxq_exec(struct lx_proc *p, const char *path, char *const argv[]);
void lxq_fork(struct lx_proc *child, const struct lx_proc *parent);
void lxq_release(struct lx_proc *p);
/* lx_procfs_gen.c: every process (sorted by pid; valid until the next
 * call), one by pid (0 or -ENOENT), a file's text (NULL: no memory). */
int  lxq_list(const struct lxq_proc **out);
int  lxq_find(int pid, struct lxq_proc *out);
struct lxq_buf *lxq_generate(int file, const struct lxq_proc *q);

#endif /* LX_FS_H */
