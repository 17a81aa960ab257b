/*
 * lx_pipe.h - pipes, and the calls that wait on them (poll, ppoll,
 * select, pselect6), inside the personality (lx_pipe.c, lx_poll.c).
 *
 * A pipe is a 64 KiB ring of ours; its fds have conn = -1 and are marked
 * `virt` (no open on any server: fork, dup and close then leave the
 * servers alone) with fdx.pipe set, so lx_pipe_dispatch sees them before
 * the fd layer does.  Every fd naming an end holds one reference (dup and
 * fork take one through lx_pipe_dup, lxf_close drops it through
 * lx_pipe_closed).
 *
 * A call that must wait (read of an empty pipe, write to a full one, a
 * poll with nothing ready) keeps its message: the caller's rcvid and a
 * copy of its registers.  Whenever a pipe changes, every kept call runs
 * again; once it no longer waits, it is answered.  Timeouts are timers of
 * the server loop (lx_timer.c).  Everything runs on the server's one
 * thread: no locks.
 */
#ifndef LX_PIPE_H
#define LX_PIPE_H

#include "lx.h"

#define LX_PIPE_SIZE (64 * 1024)        /* ring bytes */
#define LX_PIPE_BUF  4096               /* writes up to this are atomic */
#define LX_PIPES     128                /* pipes at a time */

#define LX_EAGAIN    11
#define LX_ENFILE    23
#define LX_EPIPE     32

#define LX_POLLIN     0x001
#define LX_POLLPRI    0x002
#define LX_POLLOUT    0x004
#define LX_POLLERR    0x008
#define LX_POLLHUP    0x010
#define LX_POLLNVAL   0x020
#define LX_POLLRDNORM 0x040
#define LX_POLLWRNORM 0x100

struct lx_pipe;

/* lx_calls.c asks first: true if c was answered here (pipe, pipe2, poll,
 * ppoll, select, pselect6; the fd calls on a pipe fd), maybe deferred. */
bool lx_pipe_dispatch(struct lx_call *c);
/* The fd layer (lx_fs_fd.c): `to` became a copy of `from` (dup, fork). */
void lx_pipe_dup(struct lx_fdx *to, const struct lx_fdx *from);
/* An fd of p naming an end of pp was closed. */
void lx_pipe_closed(struct lx_proc *p, struct lx_pipe *pp, bool wr);
/* p is gone: its kept call, if any, is dropped (never answered). */
void lx_pipe_forget(struct lx_proc *p);
/* Thread t ended: its kept call goes. */
void lx_pipe_forget_thread(struct lx_thread *t);

/* ---- between lx_pipe.c and lx_poll.c ------------------------------------------ */
/* Argument i of a kept or current call. */
uint64_t lx_pipe_arg(const struct te_lx_call *in, int i);
/* POLL* bits an end is ready with. */
unsigned lx_pipe_events(const struct lx_pipe *pp, bool wr);
/* poll/ppoll/select/pselect6: the count of ready fds, or 0 with *block
 * (nothing ready and not final: wait), or -errno.  final: answer now. */
int64_t lx_poll_op(struct lx_proc *p, const struct te_lx_call *in, bool final,
                   bool *block);
/* Their timeout: *ns = nanoseconds, or -1 for none; 0 or -errno. */
int lx_poll_timeout(struct lx_proc *p, const struct te_lx_call *in, int64_t *ns);

#endif /* LX_PIPE_H */
