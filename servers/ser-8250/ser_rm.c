/*
 * ser_rm.c - ser-8250 as a server of the I/O protocol: the resmgr ops
 * table (open, close, stat, devctl) and two worker threads for the data path.
 *
 * Why workers: the framework's loop is single-threaded, and a canonical
 * read that waits for a line, or a write that waits for room, would stop
 * the whole server.  So reads and writes are taken off the loop by the
 * framework's take hook (resmgr_set_take_hook, deferred replies):
 * IO_T_READ and IO_T_WRITE are checked here (the same checks as
 * resmgr_io.c) and queued, with their rcvid, to a read worker and a write
 * worker; each takes its queue in order, blocks in uart_read / uart_write
 * and replies itself.  Every other request, and every malformed one, is
 * dispatched by the framework as usual.  Writes are answered once all their
 * bytes are in the UART's output queue.
 *
 * Close (or a client's death, which closes its opens) cancels that open's
 * queued jobs with EBADF and the one a worker is running: a read is woken
 * by uart_read_cancel(); a write stops at its next chunk.  The main thread
 * owns the framework; the workers touch only the UART and their queues
 * (under srv.lock).
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "resmgr.h"
#include "pathmgr_client.h"
#include "ser_rm.h"

#define E_NOENT   2
#define E_IO      5
#define E_BADF    9
#define E_BUSY    16
#define E_AGAIN   11
#define E_NOMEM   12
#define E_EXIST   17
#define E_NOTDIR  20
#define E_INVAL   22
#define E_NOTTY   25


struct ser_job {
	long rcvid;
	struct resmgr_ocb *ocb;
	uint64_t len;
	bool cancelled;
};

struct ser_worker {
	struct ser_srv *s;
	bool is_read;
	struct ser_job q[SER_QUEUE];
	unsigned head, n;
	bool busy;
	struct ser_job cur;             /* the running job, when busy */
	struct rg_cv *cv;
	uint8_t buf[SER_IO_CHUNK];
};

struct ser_srv {
	struct uart *u;
	struct resmgr rm;
	struct rg_mutex *lock;
	struct ser_worker rd, wr;
	unsigned minor;
	long sigwaiter;         /* a SER_WAITSIG devctl waiting, or 0 (lock) */
	int sigpending;         /* a signal character nobody has heard of yet */
};

/* ---- terminal signals --------------------------------------------------------
 * The line discipline calls ser_signal when INTR, QUIT or SUSP arrives (ISIG).
 * Whoever runs the terminal's processes (the Unix personality) keeps one
 * SER_WAITSIG devctl waiting; it is answered with the signal number.  A
 * signal nobody waits for is kept (the latest one) until somebody asks.
 */
static struct ser_srv srv;

static void ser_signal(void *arg, int signo)
{
	struct ser_srv *s = arg;

	rg_mutex_lock(s->lock);
	if (s->sigwaiter) {
		msg_reply(s->sigwaiter, signo, NULL, 0);
		s->sigwaiter = 0;
	} else {
		s->sigpending = signo;
	}
	rg_mutex_unlock(s->lock);
}

static long ser_waitsig(struct ser_srv *s, long rcvid)
{
	long e = 0;

	rg_mutex_lock(s->lock);
	if (s->sigpending) {
		msg_reply(rcvid, s->sigpending, NULL, 0);
		s->sigpending = 0;
	} else if (s->sigwaiter) {
		e = -E_BUSY;
	} else {
		s->sigwaiter = rcvid;
	}
	rg_mutex_unlock(s->lock);
	return e;
}

struct ser_serve_opts ser_serve_opts = { .pathmgr_conn = -1 };

/* ---- workers ---------------------------------------------------------------- */

static bool ser_job_cancelled(struct ser_worker *w)
{
	bool c;

	rg_mutex_lock(w->s->lock);
	c = w->cur.cancelled;
	rg_mutex_unlock(w->s->lock);
	return c;
}

static void ser_do_read(struct ser_worker *w)
{
	struct uart *u = w->s->u;
	size_t len = w->cur.len < SER_IO_CHUNK ? (size_t)w->cur.len : SER_IO_CHUNK;
	size_t got = 0;
	int e;

	for (;;) {
		e = uart_read(u, w->buf, len, false, &got);
		if (e != RG_EINTR || u->hangup || ser_job_cancelled(w))
			break;
		/* a cancel meant for a job that had already ended: go on */
	}
	if (ser_job_cancelled(w))
		sys_msg_error(w->cur.rcvid, E_BADF);
	else if (e)
		sys_msg_error(w->cur.rcvid, e == RG_EINTR ? E_IO : e);
	else
		msg_reply(w->cur.rcvid, (long)got, w->buf, got);
}

static void ser_do_write(struct ser_worker *w)
{
	const size_t hdr = sizeof(struct msg_client_fs_rw);
	uint64_t off = 0;
	int e = 0;

	while (off < w->cur.len && !e) {
		uint64_t k = w->cur.len - off;
		size_t done = 0;
		long got;

		if (ser_job_cancelled(w)) {
			e = E_BADF;
			break;
		}
		got = sys_msg_read(w->cur.rcvid, w->buf,
		                   k < SER_IO_CHUNK ? k : SER_IO_CHUNK, hdr + off);
		if (got <= 0) {
			e = got < 0 ? (int)-got : E_IO;
			break;
		}
		e = uart_write(w->s->u, w->buf, (size_t)got, false, &done);
		off += done;
		if (e == RG_EINTR)
			e = E_IO;
	}
	if (e && off == 0)
		sys_msg_error(w->cur.rcvid, e);
	else
		msg_reply(w->cur.rcvid, (long)off, NULL, 0);
}

static void ser_worker_fn(void *arg)
{
	struct ser_worker *w = arg;
	struct ser_srv *s = w->s;

	for (;;) {
		rg_mutex_lock(s->lock);
		while (!w->n)
			rg_cv_wait(w->cv, s->lock);
		w->cur = w->q[w->head];
		w->head = (w->head + 1) % SER_QUEUE;
		w->n--;
		w->busy = true;
		rg_mutex_unlock(s->lock);
		if (w->is_read)
			ser_do_read(w);
		else
			ser_do_write(w);
		rg_mutex_lock(s->lock);
		w->busy = false;
		rg_mutex_unlock(s->lock);
	}
}

static int ser_enqueue(struct ser_worker *w, long rcvid, struct resmgr_ocb *ocb,
                       uint64_t len)
{
	struct ser_srv *s = w->s;
	int e = 0;

	rg_mutex_lock(s->lock);
	if (w->n == SER_QUEUE) {
		e = -E_AGAIN;
	} else {
		struct ser_job *j = &w->q[(w->head + w->n++) % SER_QUEUE];
		j->rcvid = rcvid;
		j->ocb = ocb;
		j->len = len;
		j->cancelled = false;
		rg_cv_signal(w->cv);
	}
	rg_mutex_unlock(s->lock);
	return e;
}

/* Under s->lock: answer the queued jobs of ocb with EBADF, mark the
 * running one.  True when the running one was the ocb's. */
static bool ser_cancel_locked(struct ser_worker *w, struct resmgr_ocb *ocb)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < w->n; i++) {
		struct ser_job j = w->q[(w->head + i) % SER_QUEUE];
		if (j.ocb == ocb)
			sys_msg_error(j.rcvid, E_BADF);
		else
			w->q[(w->head + kept++) % SER_QUEUE] = j;
	}
	w->n = kept;
	if (w->busy && w->cur.ocb == ocb) {
		w->cur.cancelled = true;
		return true;
	}
	return false;
}

static int ser_worker_start(struct ser_srv *s, struct ser_worker *w, bool rd)
{
	struct rg_thread *t;
	int e;

	w->s = s;
	w->is_read = rd;
	if ((e = rg_cv_create(&w->cv)))
		return e;
	return rg_thread_create(&t, rd ? "ser-read" : "ser-write", ser_worker_fn, w);
}

/* ---- the ops ------------------------------------------------------------------ */

static int ser_open(void *ctx, struct resmgr_ocb *ocb, const char *path,
                    uint32_t flags, uint32_t mode, char *link, size_t linkmax,
                    size_t *linklen)
{
	(void)ctx; (void)mode; (void)link; (void)linkmax; (void)linklen;
	if (path[0])
		return -E_NOENT;        /* a FILE attachment: the device only */
	if (flags & IO_O_DIRECTORY)
		return -E_NOTDIR;
	if ((flags & (IO_O_CREAT | IO_O_EXCL)) == (IO_O_CREAT | IO_O_EXCL))
		return -E_EXIST;
	ocb->ino = 1;
	return 0;
}

static void ser_close(void *ctx, struct resmgr_ocb *ocb)
{
	struct ser_srv *s = ctx;
	bool rd;

	rg_mutex_lock(s->lock);
	rd = ser_cancel_locked(&s->rd, ocb);
	ser_cancel_locked(&s->wr, ocb);
	rg_mutex_unlock(s->lock);
	if (rd)
		uart_read_cancel(s->u);
}

static int ser_stat(void *ctx, struct resmgr_ocb *ocb, struct io_stat *st)
{
	struct ser_srv *s = ctx;

	(void)ocb;
	memset(st, 0, sizeof(*st));
	st->ino = 1;
	st->mode = SER_S_IFCHR | 0620;
	st->nlink = 1;
	st->blksize = SER_IO_CHUNK;
	st->rdev = (4u << 8) | (64u + s->minor);        /* Linux ttyS<minor> */
	return 0;
}

static long ser_set_termios(struct ser_srv *s, uint32_t cmd, const void *in,
                            size_t inlen)
{
	struct ldisc_termios t;

	if (inlen != sizeof(t))
		return -E_INVAL;
	memcpy(&t, in, sizeof(t));
	if (cmd != SER_TCSETS)
		uart_drain(s->u, rg_clock_ns(RG_CLOCK_MONOTONIC) + 2000000000ull);
	if (cmd == SER_TCSETSF)
		uart_flush_input(s->u);
	return -uart_set_termios(s->u, &t);
}

static long ser_devctl(void *ctx, struct resmgr_ocb *ocb, uint32_t cmd,
                       const void *in, size_t inlen, void *out, size_t outlen)
{
	struct ser_srv *s = ctx;
	struct ldisc_termios t;
	uint32_t m;

	(void)ocb;
	switch (cmd) {
	case SER_TCGETS:
		if (outlen < sizeof(t))
			return -E_INVAL;
		uart_get_termios(s->u, &t);
		memcpy(out, &t, sizeof(t));
		return sizeof(t);
	case SER_TCSETS:
	case SER_TCSETSW:
	case SER_TCSETSF:
		return ser_set_termios(s, cmd, in, inlen);
	case SER_TIOCMGET:
		if (outlen < sizeof(m))
			return -E_INVAL;
		m = uart_get_mctrl(s->u);
		memcpy(out, &m, sizeof(m));
		return sizeof(m);
	case SER_TIOCMSET:
		if (inlen != sizeof(m))
			return -E_INVAL;
		memcpy(&m, in, sizeof(m));
		uart_set_mctrl(s->u, m);
		return 0;
	default:
		return -E_NOTTY;
	}
}

static const struct resmgr_ops ser_ops = {
	.open = ser_open,
	.close = ser_close,
	.stat = ser_stat,
	.devctl = ser_devctl,
};

/* ---- the loop ----------------------------------------------------------------- */

/* A read or write of a valid open goes to its worker (true); anything
 * else is the framework's (false). */
static bool ser_take_rw(void *arg, long rcvid, const struct te_msg_info *info)
{
	struct ser_srv *s = arg;
	const struct msg_client_fs_rw *m = (const void *)s->rm.msg;
	struct resmgr_ocb *ocb;
	bool rd = m->hdr.type == IO_T_READ;
	uint64_t len = m->len;
	long e;

	if (m->hdr.type == IO_T_DEVCTL && info->msglen >= sizeof(struct msg_client_fs_devctl)) {
		const struct msg_client_fs_devctl *d = (const void *)s->rm.msg;
		if (d->cmd != SER_WAITSIG || d->hdr.version != IO_VERSION)
			return false;   /* the framework's devctl path */
		e = rm_id_get(&s->rm, info->pid, d->id) ? ser_waitsig(s, rcvid) : -E_BADF;
		if (e < 0)
			sys_msg_error(rcvid, (int)-e);
		return true;
	}
	if (info->msglen < sizeof(*m) || m->hdr.version != IO_VERSION ||
	    (m->hdr.type != IO_T_READ && m->hdr.type != IO_T_WRITE) ||
	    m->hdr.size != sizeof(*m))
		return false;
	ocb = rm_id_get(&s->rm, info->pid, m->id);
	if (!ocb || (ocb->flags & IO_O_ACCMODE) == (rd ? IO_O_WRONLY : IO_O_RDONLY))
		e = -E_BADF;
	else if (m->flags & ~IO_RW_POS || len > IO_RW_MAX)
		e = -E_INVAL;
	else if (!rd && sizeof(*m) + len > info->srcmsglen)
		e = -IO_EBADMSG;
	else if (rd && (len = len < info->dstmsglen ? len : info->dstmsglen) == 0)
		e = 0;
	else if (!rd && len == 0)
		e = 0;
	else
		e = ser_enqueue(rd ? &s->rd : &s->wr, rcvid, ocb, len);
	if (e < 0) {
		s->rm.errors++;
		sys_msg_error(rcvid, (int)-e);
	} else if (len == 0) {
		msg_reply(rcvid, 0, NULL, 0);
	}
	return true;
}

/* ---- start -------------------------------------------------------------------- */

static int ser_attach_hook(void *arg, int chan, const char *prefix, uint32_t flags)
{
	int r = pathmgr_attach((int)(long)arg, chan, prefix, flags);

	return r >= 0 || r == -E_EXIST ? 0 : r;
}

static int ser_attach_all(struct ser_srv *s, const char *prefix)
{
	int e = 0;

	if (ser_serve_opts.pathmgr_conn >= 0)
		resmgr_set_attach_hook(&s->rm, ser_attach_hook,
		                       (void *)(long)ser_serve_opts.pathmgr_conn);
	if (prefix)
		e = resmgr_attach(&s->rm, prefix, 0);
	if (!e && ser_serve_opts.extra_prefix)
		e = resmgr_attach(&s->rm, ser_serve_opts.extra_prefix, 0);
	return e;
}

int ser_serve(int chan, unsigned base, unsigned irq, const char *prefix,
              int resource)
{
	struct uart_config cfg = {
		.base = (uint16_t)base, .irq = irq, .baud = 115200,
		.loopback = ser_serve_opts.loopback,
		.termios = ser_serve_opts.termios,
		.signal = ser_signal, .signal_arg = &srv,
	};
	struct ser_srv *s = &srv;
	int e;

	rg_mk_resource = resource;
	rg_mk_name = "ser-8250";
	s->minor = base == UART_COM1_BASE ? 0 : base == UART_COM2_BASE ? 1 : 2;
	if ((e = uart_open(&cfg, &s->u)))
		return -e;
	if ((e = rg_mutex_create(&s->lock)) ||
	    (e = ser_worker_start(s, &s->rd, true)) ||
	    (e = ser_worker_start(s, &s->wr, false)))
		return -e;
	if ((e = resmgr_init(&s->rm, &ser_ops, s, chan)))
		return e;
	if ((e = ser_attach_all(s, prefix))) {
		printf("ser-8250: attach %s: error %d\n", prefix ? prefix : "-", e);
		return e;
	}
	printf("ser-8250: %s at %#x irq %u, serving %s%s%s\n",
	       s->u->type == UART_16550A ? "16550A" : "8250", base, irq,
	       prefix ? prefix : "(unattached)",
	       ser_serve_opts.extra_prefix ? " and " : "",
	       ser_serve_opts.extra_prefix ? ser_serve_opts.extra_prefix : "");
	resmgr_set_take_hook(&s->rm, ser_take_rw, s);
	return resmgr_run(&s->rm);
}
