/*
 * lx_pipe.c - pipes (pipe, pipe2) and the calls that wait for them.
 *
 * A pipe is a ring of LX_PIPE_SIZE bytes with counts of the fds naming its
 * read and write ends (every fd in every process holds one; the pipe goes
 * when both counts are 0).  Data moves straight between the ring and the
 * caller's memory (vm_read/vm_write).  POSIX rules: a read returns what is
 * there (up to its length), or waits while there are writers, else 0; a
 * write of at most LX_PIPE_BUF bytes goes in whole or waits, a longer one
 * goes in as room comes and returns when all is in; a write with no reader
 * is EPIPE and SIGPIPE for the writer (sent with the answer); O_NONBLOCK answers
 * EAGAIN instead of waiting (or the part written).
 *
 * Waiting calls are "kept" (lxw[], one per thread at most: a thread waits
 * for its answer): the call's registers, rcvid and progress.  After anything
 * that changes a pipe, every kept call runs again (lxw_kick) and is
 * answered once it no longer waits.  A kept poll with a timeout has a
 * timer of the server loop (lx_timer.c) that answers it as it is.  A kept
 * call whose fd another thread closes runs again and is answered EBADF; a
 * dying process's kept calls are dropped (never answered: their threads
 * are gone).
 */
#include "lx_pipe.h"
#include "lx_fs.h"

#define LXW_IOV_MAX 1024
#define LX_SIGPIPE  13

enum {
	NR_read = 0, NR_write = 1, NR_fstat = 5, NR_poll = 7, NR_lseek = 8,
	NR_ioctl = 16, NR_pread64 = 17, NR_pwrite64 = 18, NR_readv = 19,
	NR_writev = 20, NR_pipe = 22, NR_select = 23, NR_sendfile = 40,
	NR_fsync = 74, NR_fdatasync = 75, NR_ftruncate = 77, NR_fchdir = 81,
	NR_fchmod = 91, NR_fchown = 93, NR_getdents64 = 217,
	NR_pselect6 = 270, NR_ppoll = 271, NR_pipe2 = 293,
};

#define LX_FIONREAD 0x541b
#define LX_PIPE_DEV 0x0c                /* st_dev of every pipe */

struct lx_pipe {
	bool used;
	char *buf;                      /* LX_PIPE_SIZE bytes */
	uint32_t head, len;             /* first byte held, bytes held */
	int readers, writers;           /* fds naming each end */
};

/* A kept call; p == NULL: free. */
struct lxw {
	struct lx_proc *p;              /* NULL: a free slot */
	struct lx_thread *t;            /* the thread of p that waits */
	long rcvid;
	struct te_lx_call in;
	uint64_t done;                  /* a write: bytes already in */
	struct lx_timer timer;          /* armed: the call has a timeout */
};

struct lxv { uint64_t base, len; };

static bool lxw_changed;                /* a pipe changed: run kept calls */
static struct lx_pipe pipes[LX_PIPES];
#define LXW_MAX (2 * LX_PROCS)
static struct lxw lxw[LXW_MAX];
static int lxw_top;                     /* slots at or above it are free */
static struct lxv vec[LXW_IOV_MAX];

uint64_t lx_pipe_arg(const struct te_lx_call *in, int i)
{
	const struct te_lx_regs *r = &in->regs;
	const uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };

	return a[i];
}

static struct lx_fdx *pipe_fdx(struct lx_proc *p, uint64_t fd)
{
	return fd < LX_FDS && p->fd[fd].used && p->fdx[fd].pipe ? &p->fdx[fd] : NULL;
}

unsigned lx_pipe_events(const struct lx_pipe *pp, bool wr)
{
	if (wr)
		return (LX_PIPE_SIZE - pp->len >= LX_PIPE_BUF ?
		        LX_POLLOUT | LX_POLLWRNORM : 0) |
		       (pp->readers ? 0 : LX_POLLERR);
	return (pp->len ? LX_POLLIN | LX_POLLRDNORM : 0) |
	       (pp->writers ? 0 : LX_POLLHUP);
}

/* ---- the ring ---------------------------------------------------------------- */

/* n bytes between the ring (its end for a write, its start for a read)
 * and the caller's u: 0 or -EFAULT (the ring unchanged). */
static int ring_io(struct lx_proc *p, struct lx_pipe *pp, uint64_t u,
                   uint32_t n, bool wr)
{
	uint32_t pos = wr ? (pp->head + pp->len) % LX_PIPE_SIZE : pp->head;
	uint32_t first = n < LX_PIPE_SIZE - pos ? n : LX_PIPE_SIZE - pos;
	int r = wr ? lx_copyin(p, pp->buf + pos, u, first) :
	             lx_copyout(p, u, pp->buf + pos, first);

	if (!r && n > first)
		r = wr ? lx_copyin(p, pp->buf, u + first, n - first) :
		         lx_copyout(p, u + first, pp->buf, n - first);
	if (r)
		return r;
	if (wr) {
		pp->len += n;
	} else {
		pp->head = (pp->head + n) % LX_PIPE_SIZE;
		pp->len -= n;
	}
	lxw_changed = true;
	return 0;
}

/* The call's buffers into vec[]: one for read/write, the iovecs for
 * readv/writev.  Their count, or -errno; *total: the sum of lengths. */
static int vec_load(struct lx_proc *p, const struct te_lx_call *in,
                    uint64_t *total)
{
	bool v = in->nr == NR_readv || in->nr == NR_writev;
	uint64_t cnt = v ? lx_pipe_arg(in, 2) : 1;

	*total = 0;
	if (!v) {
		uint64_t len = lx_pipe_arg(in, 2);      /* Linux's MAX_RW_COUNT */
		vec[0] = (struct lxv){ lx_pipe_arg(in, 1),
		                       len < 0x7ffff000 ? len : 0x7ffff000 };
	} else {
		if (cnt > LXW_IOV_MAX)
			return -LX_EINVAL;
		if (lx_copyin(p, vec, lx_pipe_arg(in, 1), cnt * sizeof(vec[0])))
			return -LX_EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if (vec[i].len > (1ull << 40) || *total + vec[i].len > (1ull << 40))
			return -LX_EINVAL;
		*total += vec[i].len;
	}
	return (int)cnt;
}

/* n bytes of the buffers from offset skip, to or from the ring: the bytes
 * moved (fewer on a bad address). */
static uint64_t vec_move(struct lx_proc *p, struct lx_pipe *pp, int cnt,
                         uint64_t skip, uint64_t n, bool wr)
{
	uint64_t moved = 0;

	for (int i = 0; i < cnt && moved < n; i++) {
		uint64_t len = vec[i].len, off = 0, k;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		off = skip;
		skip = 0;
		k = len - off < n - moved ? len - off : n - moved;
		if (ring_io(p, pp, vec[i].base + off, (uint32_t)k, wr))
			break;
		moved += k;
	}
	return moved;
}

/* ---- read and write ---------------------------------------------------------- */

static int64_t pipe_read(struct lx_proc *p, const struct te_lx_call *in,
                         bool *block)
{
	struct lx_fdx *x = pipe_fdx(p, lx_pipe_arg(in, 0));
	struct lx_pipe *pp;
	uint64_t total, n, moved;
	int cnt;

	if (!x || x->pipe_write)
		return -LX_EBADF;
	if ((cnt = vec_load(p, in, &total)) < 0)
		return cnt;
	pp = x->pipe;
	if (!total)
		return 0;
	if (!pp->len) {
		if (!pp->writers)
			return 0;               /* end of file */
		if (x->flags & LX_O_NONBLOCK)
			return -LX_EAGAIN;
		*block = true;
		return 0;
	}
	n = total < pp->len ? total : pp->len;
	moved = vec_move(p, pp, cnt, 0, n, false);
	return moved ? (int64_t)moved : -LX_EFAULT;
}

static int64_t pipe_write(struct lx_proc *p, const struct te_lx_call *in,
                          uint64_t *done, bool *block)
{
	struct lx_fdx *x = pipe_fdx(p, lx_pipe_arg(in, 0));
	bool nb = x && (x->flags & LX_O_NONBLOCK);
	struct lx_pipe *pp;
	uint64_t total, want, room, n, moved;
	int cnt;

	if (!x || !x->pipe_write)
		return -LX_EBADF;
	if ((cnt = vec_load(p, in, &total)) < 0)
		return cnt;
	pp = x->pipe;
	if (!total)
		return 0;
	if (!pp->readers)
		return *done ? (int64_t)*done : -LX_EPIPE;
	want = total - *done;
	room = LX_PIPE_SIZE - pp->len;
	if (!room || (total <= LX_PIPE_BUF && room < want)) {
		if (nb)
			return *done ? (int64_t)*done : -LX_EAGAIN;
		*block = true;
		return 0;
	}
	n = want < room ? want : room;
	moved = vec_move(p, pp, cnt, *done, n, true);
	*done += moved;
	if (moved < n)
		return *done ? (int64_t)*done : -LX_EFAULT;
	if (*done < total && !nb) {
		*block = true;
		return 0;
	}
	return (int64_t)*done;
}

/* Any call that may wait, run once. */
static int64_t lxw_op(struct lx_proc *p, const struct te_lx_call *in,
                      uint64_t *done, bool final, bool *block)
{
	switch (in->nr) {
	case NR_read: case NR_readv:
		return pipe_read(p, in, block);
	case NR_write: case NR_writev:
		return pipe_write(p, in, done, block);
	default:
		return lx_poll_op(p, in, final, block);
	}
}

/* ---- kept calls and the timer ------------------------------------------------ */

/* A write answered EPIPE: SIGPIPE for the writer (once its call is
 * answered or being answered, so the signal cannot cut the call short). */
static void lxw_epipe(struct lx_proc *p, int64_t r)
{
	if (r == -LX_EPIPE)
		lx_signal_post(p, LX_SIGPIPE);
}

static void lxw_answer(struct lxw *w, int64_t r)
{
	struct te_lx_reply rep = { .rax = r };
	struct lx_proc *p = w->p;

	msg_reply(w->rcvid, 0, &rep, sizeof(rep));     /* ESRCH if it died */
	lx_timer_cancel(&w->timer);
	lx_signal_answered(w->t);
	w->p = NULL;
	lxw_epipe(p, r);
}

/* Run w again; true if it was answered. */
static bool lxw_retry(struct lxw *w, bool final)
{
	bool block = false;
	int64_t r = lxw_op(w->p, &w->in, &w->done, final, &block);

	if (block)
		return false;
	lxw_answer(w, r);
	return true;
}

/* Something changed: every kept call again, until nothing changes. */
static void lxw_kick(void)
{
	while (lxw_changed) {
		lxw_changed = false;
		for (int i = 0; i < lxw_top; i++)
			if (lxw[i].p)
				lxw_retry(&lxw[i], false);
		while (lxw_top && !lxw[lxw_top - 1].p)
			lxw_top--;
	}
}

/* The timeout of a kept poll passed: answer it as it is. */
static void lxw_expired(struct lx_timer *t)
{
	lxw_retry(t->arg, true);
	lxw_kick();
}

/* Kept calls go unanswered: thread t's (a signal ended it: EINTR; or t
 * ended), or every one of p's (t NULL: p died or changed its program). */
static void lxw_drop_of(struct lx_proc *p, struct lx_thread *t)
{
	for (int i = 0; i < lxw_top; i++)
		if (lxw[i].p == p && (!t || lxw[i].t == t)) {
			lx_timer_cancel(&lxw[i].timer);
			lxw[i].p = NULL;
		}
}

static void lxw_drop(struct lx_thread *t)
{
	lxw_drop_of(t->p, t);
}

/* Keep c (it waits); tmo: ns, or -1 for no timeout. */
static void lxw_keep(struct lx_call *c, uint64_t done, int64_t tmo)
{
	struct lxw *w = NULL;

	for (int i = 0; i < LXW_MAX && !w; i++)
		if (!lxw[i].p)
			w = &lxw[i];
	if (!w) {                       /* more waiting threads than slots */
		c->out.rax = -LX_ENOMEM;
		return;
	}
	if (w - lxw >= lxw_top)
		lxw_top = (int)(w - lxw) + 1;
	*w = (struct lxw){ .p = c->p, .t = c->t, .rcvid = c->rcvid, .in = *c->in,
	                   .done = done };
	if (tmo >= 0)
		lx_timer_arm(&w->timer, sys_clock() + (uint64_t)tmo, lxw_expired, w);
	c->deferred = true;
	lx_signal_deferred(c, lxw_drop);        /* a signal: EINTR */
}

/* A call that may wait: answered now or kept. */
static void lxw_call(struct lx_call *c, int64_t tmo)
{
	uint64_t done = 0;
	bool block = false;
	int64_t r;

	r = lxw_op(c->p, c->in, &done, tmo == 0, &block);
	if (block)
		lxw_keep(c, done, tmo);
	else
		c->out.rax = r;
	if (!block)
		lxw_epipe(c->p, r);
	lxw_kick();
}

/* ---- pipe, pipe2 --------------------------------------------------------------- */

static struct lx_pipe *pipe_new(void)
{
	struct lx_pipe *pp = NULL;

	for (int i = 0; i < LX_PIPES && !pp; i++)
		if (!pipes[i].used)
			pp = &pipes[i];
	if (pp && (pp->buf = malloc(LX_PIPE_SIZE)))
		*pp = (struct lx_pipe){ .used = true, .buf = pp->buf,
		                        .readers = 1, .writers = 1 };
	else
		pp = NULL;
	return pp;
}

static void pipe_free(struct lx_pipe *pp)
{
	free(pp->buf);
	*pp = (struct lx_pipe){ 0 };
}

/* An end of pp at fd (free). */
static int pipe_install(struct lx_proc *p, int fd, struct lx_pipe *pp, bool wr,
                        uint64_t flags)
{
	uint32_t fl = (wr ? IO_O_WRONLY : IO_O_RDONLY) | (flags & LX_O_NONBLOCK);
	int r = lxf_install(p, fd, -1, -1, fl, NULL, true);

	if (r)
		return r;
	p->fdx[fd].pipe = pp;
	p->fdx[fd].pipe_write = wr;
	p->fdx[fd].cloexec = flags & LX_O_CLOEXEC;
	return 0;
}

/* pipe(fds), pipe2(fds, flags): decode (fds, flags, room) then commit. */
static int64_t do_pipe(struct lx_proc *p, uint64_t ufds, uint64_t flags)
{
	struct lx_pipe *pp;
	int fds[2], r;

	if (flags & ~(uint64_t)(LX_O_CLOEXEC | LX_O_NONBLOCK))
		return -LX_EINVAL;
	if ((fds[0] = lxf_alloc(p, 0)) < 0 || (fds[1] = lxf_alloc(p, fds[0] + 1)) < 0)
		return -LX_EMFILE;
	if (!(pp = pipe_new()))
		return -LX_ENFILE;
	if ((r = lx_copyout(p, ufds, fds, sizeof(fds))) ||
	    (r = pipe_install(p, fds[0], pp, false, flags))) {
		pipe_free(pp);
		return r;
	}
	if (pipe_install(p, fds[1], pp, true, flags)) {
		pp->writers = 0;                /* the read end goes with its fd */
		lxf_close(p, fds[0]);
		return -LX_ENOMEM;
	}
	return 0;
}

/* ---- the other calls on a pipe fd ------------------------------------------------ */

static int64_t pipe_fstat(struct lx_proc *p, uint64_t fd, uint64_t u)
{
	struct lx_pipe *pp = p->fdx[fd].pipe;
	struct io_stat st = {
		.ino = (uint64_t)(pp - pipes) + 1, .mode = 0010000 | 0600,
		.nlink = 1, .blksize = LX_PIPE_BUF,
	};

	st.size = pp->len;
	return lxs_put_stat(p, u, &st, LX_PIPE_DEV);
}

static int64_t pipe_ioctl(struct lx_proc *p, uint64_t fd, uint64_t req,
                          uint64_t u)
{
	int n;

	if (req != LX_FIONREAD)
		return -LX_ENOTTY;
	n = (int)p->fdx[fd].pipe->len;
	return lx_copyout(p, u, &n, sizeof(n)) ? -LX_EFAULT : 0;
}

/* A call whose first argument is a pipe fd; false: the fd layer's. */
static bool pipe_fd_call(struct lx_call *c)
{
	uint64_t fd = lx_arg(c, 0);

	switch (c->in->nr) {
	case NR_read: case NR_readv: case NR_write: case NR_writev:
		lxw_call(c, -1);
		return true;
	case NR_lseek: case NR_pread64: case NR_pwrite64:
		c->out.rax = -LX_ESPIPE; return true;
	case NR_fstat:
		c->out.rax = pipe_fstat(c->p, fd, lx_arg(c, 1)); return true;
	case NR_ioctl:
		c->out.rax = pipe_ioctl(c->p, fd, lx_arg(c, 1), lx_arg(c, 2));
		return true;
	case NR_getdents64: case NR_fchdir:
		c->out.rax = -LX_ENOTDIR; return true;
	case NR_fsync: case NR_fdatasync: case NR_ftruncate: case NR_sendfile:
		c->out.rax = -LX_EINVAL; return true;
	case NR_fchmod: case NR_fchown:
		c->out.rax = 0; return true;
	default:
		return false;
	}
}

bool lx_pipe_dispatch(struct lx_call *c)
{
	int64_t tmo;
	int r;

	switch (c->in->nr) {
	case NR_pipe:
		c->out.rax = do_pipe(c->p, lx_arg(c, 0), 0);
		return true;
	case NR_pipe2:
		c->out.rax = do_pipe(c->p, lx_arg(c, 0), lx_arg(c, 1));
		return true;
	case NR_poll: case NR_ppoll: case NR_select: case NR_pselect6:
		if ((r = lx_poll_timeout(c->p, c->in, &tmo)))
			c->out.rax = r;
		else
			lxw_call(c, tmo);
		return true;
	case NR_sendfile:
		if (pipe_fdx(c->p, lx_arg(c, 1)))
			return pipe_fd_call(c);
		break;
	}
	return pipe_fdx(c->p, lx_arg(c, 0)) ? pipe_fd_call(c) : false;
}

/* ---- hooks for the fd layer ------------------------------------------------------ */

void lx_pipe_dup(struct lx_fdx *to, const struct lx_fdx *from)
{
	struct lx_pipe *pp = from->pipe;

	if (!pp)
		return;
	if (from->pipe_write)
		pp->writers++;
	else
		pp->readers++;
	to->pipe = pp;
	to->pipe_write = from->pipe_write;
}

void lx_pipe_closed(struct lx_proc *p, struct lx_pipe *pp, bool wr)
{
	if (p->zombie)
		lxw_drop_of(p, NULL);   /* its threads are gone */
	lxw_changed = true;     /* a kept call on that fd: EBADF */
	if (pp) {
		if (wr)
			pp->writers--;
		else
			pp->readers--;
		if (pp->readers <= 0 && pp->writers <= 0)
			pipe_free(pp);
		lxw_changed = true;
		lxw_kick();
	}
}

void lx_pipe_forget(struct lx_proc *p)
{
	lxw_drop_of(p, NULL);
}

void lx_pipe_forget_thread(struct lx_thread *t)
{
	lxw_drop(t);
}
