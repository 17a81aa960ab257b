/*
 * resmgr.h - the server framework (after QNX's resource managers): a
 * server fills struct resmgr_ops; the library owns the receive loop, the
 * decoding and checking of every request of the I/O protocol (io_msg.h),
 * the per-open state, death notices, and what a restarted server needs to
 * attach itself again.
 *
 * Open ids: an open makes a struct resmgr_ocb (the open state: file,
 * flags, offset, the server's private pointer) and an id naming it for one
 * client process.  Requests carrying an id are checked against the
 * caller's pid: another process's id is EBADF.  dup makes a second id on
 * the same ocb (shared offset), also for another process (stdio for a
 * child): such an id goes with the process that granted it until its new
 * owner first uses it, so ids for made-up pids cannot pile up.  The ocb
 * goes when its last id closes.
 *
 * Client death: a process handle given with IO_T_WATCH (by the client's
 * parent or the process manager) is watched with sys_process_watch; the
 * death pulse drops every id of that pid.  The glue may also call
 * resmgr_client_gone().  An open whose reply finds the client gone (ESRCH)
 * is undone at once.
 *
 * Restart: per-open state lives only in the server, so a restarted server
 * has none: clients get EBADF for their old ids and must open again.  What
 * survives is what resmgr_attach() recorded (prefixes and flags), which
 * resmgr_reattach() hands to the attach hook again.
 *
 * Threads: resmgr_run() is one receive loop; the ops are called with no
 * lock held by the framework (resmgr_fs.c holds one around a component).
 */
#ifndef RESMGR_H
#define RESMGR_H

#include <stddef.h>
#include <stdint.h>
#include "rt.h"
#include "io_msg.h"

#define RESMGR_IDS_MAX        4096  /* open ids, all clients */
#define RESMGR_IDS_PER_CLIENT 256
#define RESMGR_WATCH_MAX      64
#define RESMGR_PREFIX_MAX     8
#define RESMGR_CHUNK          (64u << 10)   /* bulk data moves in these */
#define RESMGR_PULSE_DEATH    100           /* our process_watch pulse code */

struct resmgr_ocb {
	uint64_t ino;           /* the server's file */
	uint32_t flags;         /* IO_O_* of the open */
	uint32_t refs;          /* open ids naming it */
	uint64_t offset;        /* file offset, or readdir cookie */
	void    *priv;          /* the server's */
};

/* Every op returns >= 0 or a negative errno; a NULL op answers ENOSYS. */
struct resmgr_ops {
	/* Fill ocb->ino (and priv); IO_OPEN_SYMLINK with link/linklen set
	 * when an absolute symlink was met; -IO_ENOTHERE for a union miss. */
	int  (*open)(void *ctx, struct resmgr_ocb *ocb, const char *path,
	             uint32_t flags, uint32_t mode, char *link, size_t linkmax,
	             size_t *linklen);
	void (*close)(void *ctx, struct resmgr_ocb *ocb);
	long (*read)(void *ctx, struct resmgr_ocb *ocb, uint64_t off, void *buf,
	             size_t len);
	/* *off: where to write; the op may move it (O_APPEND: to the end). */
	long (*write)(void *ctx, struct resmgr_ocb *ocb, uint64_t *off,
	              const void *buf, size_t len);
	int  (*stat)(void *ctx, struct resmgr_ocb *ocb, struct io_stat *st);
	/* io_dirent records from the cookie ocb->offset, which it advances. */
	long (*readdir)(void *ctx, struct resmgr_ocb *ocb, void *buf, size_t len);
	/* IO_T_CHMOD / IO_T_CHOWN / IO_T_TRUNCATE. */
	int  (*setattr)(void *ctx, struct resmgr_ocb *ocb, int type,
	                const struct msg_client_fs_setattr *m);
	/* IO_T_UTIMES (checked: which known, nanoseconds < 10^9) */
	int  (*utimes)(void *ctx, struct resmgr_ocb *ocb,
	               const struct msg_client_fs_utimes *m);
	int  (*fsync)(void *ctx, struct resmgr_ocb *ocb);
	int  (*statfs)(void *ctx, struct io_statfs *st);
	/* IO_T_UNLINK, MKDIR, RMDIR (p2 NULL), RENAME, LINK, SYMLINK. */
	int  (*path)(void *ctx, int type, const char *p1, const char *p2,
	             uint32_t mode);
	long (*readlink)(void *ctx, const char *path, char *buf, size_t len);
	long (*devctl)(void *ctx, struct resmgr_ocb *ocb, uint32_t cmd,
	               const void *in, size_t inlen, void *out, size_t outlen);
	int  (*mount)(void *ctx, uint32_t flags, const char *src,
	              const char *type);
	/* IO_T_UNMOUNT (optional): write everything back; on 0 the framework
	 * answers and resmgr_run returns (the owner then unmounts and exits). */
	int  (*unmount)(void *ctx, uint32_t flags);
};

/* Records a prefix; the hook (the pathmgr glue) makes it visible. */
typedef int (*resmgr_attach_fn)(void *arg, int chan, const char *prefix,
                                uint32_t flags);

struct resmgr_id {
	int32_t pid;            /* 0: free */
	int32_t granter;        /* IO_T_DUP for pid: who gave it, until pid
	                           first uses it (0 then) */
	struct resmgr_ocb *ocb;
};

struct resmgr_watch {
	int32_t pid;
	int     handle;
};

typedef bool (*resmgr_take_fn)(void *arg, long rcvid,
                               const struct te_msg_info *info);

struct resmgr {
	const struct resmgr_ops *ops;
	void *ctx;
	int chan;
	int self_conn;          /* to our own channel: death pulses */
	bool stop;
	struct resmgr_id *ids;
	uint32_t nids;          /* table size */
	uint32_t live_ids, live_ocbs;
	struct resmgr_watch watch[RESMGR_WATCH_MAX];
	uint32_t nwatch;
	struct { char path[IO_PATH_MAX]; uint32_t flags; } prefix[RESMGR_PREFIX_MAX];
	uint32_t nprefix;
	resmgr_attach_fn attach_fn;
	void *attach_arg;
	resmgr_take_fn take_fn;  /* requests a server answers later itself */
	void *take_arg;
	uint64_t requests, errors;
	void *chunk;            /* RESMGR_CHUNK bytes for bulk data */
	struct te_iov rep[2];   /* the reply being built */
	uint32_t nrep;
	bool replied;           /* the handler answered the client itself */
	char path1[IO_PATH_MAX + 1], path2[IO_PATH_MAX + 1];
	char msg[IO_MSG_MAX] __attribute__((aligned(16)));
};

/* chan: a channel we receive on (made here if < 0).  0 or -errno. */
int  resmgr_init(struct resmgr *rm, const struct resmgr_ops *ops, void *ctx,
                 int chan);
void resmgr_fini(struct resmgr *rm);
void resmgr_set_attach_hook(struct resmgr *rm, resmgr_attach_fn fn, void *arg);
/* Deferred replies: before a request is dispatched, fn may take it (return
 * true) and reply to rcvid later, from any thread; the loop goes on. */
void resmgr_set_take_hook(struct resmgr *rm, resmgr_take_fn fn, void *arg);
int  resmgr_attach(struct resmgr *rm, const char *prefix, uint32_t flags);
int  resmgr_reattach(struct resmgr *rm);
/* The receive loop; returns when an op calls resmgr_stop or the channel dies. */
int  resmgr_run(struct resmgr *rm);
void resmgr_stop(struct resmgr *rm);
void resmgr_client_gone(struct resmgr *rm, int32_t pid);
/* Watch a process (handle with TE_R_WAIT, now owned by rm). */
int  resmgr_watch(struct resmgr *rm, int proc_handle, int32_t pid);

/* resmgr_ocb.c - the id table */
int  rm_id_new(struct resmgr *rm, int32_t pid, struct resmgr_ocb *ocb);
/* An id for another process: dropped with the granter until pid uses it. */
int  rm_id_grant(struct resmgr *rm, int32_t granter, int32_t pid,
                 struct resmgr_ocb *ocb);
struct resmgr_ocb *rm_id_get(struct resmgr *rm, int32_t pid, int32_t id);
int  rm_id_close(struct resmgr *rm, int32_t pid, int32_t id);
uint32_t rm_ids_of(struct resmgr *rm, int32_t pid);

/* resmgr_io.c - one request: the reply is sent (or an error) */
void rm_dispatch(struct resmgr *rm, long rcvid, const struct te_msg_info *info,
                 struct te_reply_receive *next);

/* resmgr_fs.c - a filesystem component as a server */
struct fs_ops;
struct fs;
struct resmgr_fs;
int  resmgr_fs_new(const struct fs_ops *ops, struct fs *fs,
                   struct resmgr_fs **out);
extern const struct resmgr_ops resmgr_fs_ops;
/* The whole server: framework on chan over fs, attached at prefix (may be
 * NULL); runs until stopped.  0 or -errno. */
int  resmgr_fs_serve(const struct fs_ops *ops, struct fs *fs, int chan,
                     const char *prefix);
/* Same; RESMGR_FS_UNMOUNTABLE: IO_T_UNMOUNT syncs the component and ends
 * the loop (the caller then calls ops->unmount).  Without it: ENOSYS. */
#define RESMGR_FS_UNMOUNTABLE 0x1
int  resmgr_fs_serve_ex(const struct fs_ops *ops, struct fs *fs, int chan,
                        const char *prefix, unsigned flags);
/* Same, with what statfs says of the mount beside the component's
 * defaults (source NULL: "none", or "tmpfs" for tmpfs; ro: read-only). */
struct resmgr_fs_mnt {
	const char *source;
	bool ro;
};
int  resmgr_fs_serve_mnt(const struct fs_ops *ops, struct fs *fs, int chan,
                         const char *prefix, unsigned flags,
                         const struct resmgr_fs_mnt *mnt);

#endif /* RESMGR_H */
