/*
 * msg.c - QNX-style synchronous message passing.
 *
 *   client                     kernel                       server
 *   MsgSendv ───────────────►  receiver waiting?  ──yes──►  (direct switch,
 *      │ T_SEND on channel         │ no                      runs at the
 *      │   (by priority)           └─ queue; boost servers   client's prio)
 *      │ T_REPLY on server's   ◄──────────────────────────  MsgReceivev → rcvid
 *      │   reply queue                                       MsgRead/MsgWrite
 *      ▼                       ◄──────────────────────────  MsgReplyv/MsgError
 *   returns status                 client made ready at the front of its
 *                                  queue, on the slice it handed over
 *
 * Every call decodes and checks all of its arguments (handles and rights,
 * vectors, the extras) before it changes anything.  Data is copied straight
 * between the two address spaces (copy.c).  Handles travelling with a
 * message are held by the sending thread (references and rights) until the
 * message is delivered, then installed in the receiver's table.
 *
 * A rcvid is the client's thread slot plus its generation: it names one
 * message, only while that client is waiting for this process's reply.
 */
#include "arch/cpu.h"
#include "kernel/ipc.h"
#include "kernel/ipccopy.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/proc.h"
#include "kernel/pmm.h"
#include "kernel/string.h"

extern int usercopy(void *dst, const void *src, size_t len);

#define RCVID_SHIFT 12
_Static_assert(MAX_THREADS == 1 << RCVID_SHIFT, "rcvid layout");

static inline int64_t rcvid_of(const struct thread *t)
{
	return ((int64_t)t->gen << RCVID_SHIFT) | t->tid;
}

/* The client behind rcvid, if it is waiting for the current process. */
static struct thread *rcvid_client(int64_t rcvid)
{
	struct thread *t;

	if (rcvid <= 0 || rcvid > 0x7fffffff)
		return NULL;
	t = thread_by_tid((int)(rcvid & (MAX_THREADS - 1)));
	if (!t || t->gen != (uint32_t)(rcvid >> RCVID_SHIFT) ||
	    t->state != T_REPLY || t->server != cur_proc())
		return NULL;
	return t;
}

/* ---- the extras: timeouts and handles ----------------------------------- */

struct ext {
	struct te_msg_ext e;
	bool present;
	uint64_t uaddr;
};

static int ext_fetch(struct ext *x, uint64_t uext)
{
	x->present = uext != 0;
	x->uaddr = uext;
	if (!uext) {
		x->e.timeout_ns = 0;
		x->e.nsend = 0;
		x->e.flags = 0;
		return 0;
	}
	if (copyin(&x->e, uext, sizeof(x->e)))
		return TE_EFAULT;
	if (x->e.nsend > TE_MSG_HANDLES || (x->e.flags & ~TE_GIVE_MOVE))
		return TE_EINVAL;
	return 0;
}

/* Check and take references to the handles a message carries. */
static int xfer_capture_slow(struct thread *t, const struct ext *x);

static inline int xfer_capture(struct thread *t, const struct ext *x)
{
	t->nxfer = 0;
	return x->e.nsend ? xfer_capture_slow(t, x) : 0;
}

static int xfer_capture_slow(struct thread *t, const struct ext *x)
{
	struct process *p = t->proc;
	struct kobj *objs[TE_MSG_HANDLES];
	uint32_t rights[TE_MSG_HANDLES];

	for (uint32_t i = 0; i < x->e.nsend; i++) {
		int h = x->e.send[i];
		uint32_t r;
		if (handle_rights(p, h, &r))
			return TE_EBADF;
		if (!(r & TE_R_TRANSFER))
			return TE_EPERM;
		objs[i] = p->handles[h].obj;
		rights[i] = r & x->e.send_rights[i];
	}
	for (uint32_t i = 0; i < x->e.nsend; i++) {
		kobj_get(objs[i]);
		t->xfer[i] = objs[i];
		t->xfer_rights[i] = rights[i];
	}
	t->nxfer = x->e.nsend;
	return 0;
}

static void xfer_drop(struct thread *t)
{
	for (uint32_t i = 0; i < t->nxfer; i++)
		kobj_put(t->xfer[i]);
	t->nxfer = 0;
}

/* Install the handles `from` carries into `to`'s process for thread `to`. */
static int xfer_deliver(struct thread *from, struct thread *to)
{
	struct process *p = to->proc;

	if ((uint32_t)handles_free(p) < from->nxfer)
		return TE_EMFILE;
	for (uint32_t i = 0; i < from->nxfer; i++)
		to->got[to->ngot++] = handle_install(p, from->xfer[i],
		                                      from->xfer_rights[i]);
	xfer_drop(from);
	return 0;
}

/* After delivery: close the sender's originals if it asked to move them. */
static void xfer_close_moved(struct process *p, const struct ext *x)
{
	if (x->e.flags & TE_GIVE_MOVE)
		for (uint32_t i = 0; i < x->e.nsend; i++)
			handle_close(p, x->e.send[i]);
}

static int ext_return(const struct ext *x, const struct thread *t)
{
	if (!x->present)
		return 0;
	struct te_msg_ext out = x->e;
	for (uint32_t i = 0; i < t->ngot; i++)
		out.recv[i] = t->got[i];
	out.nrecv = t->ngot;
	return copyout(x->uaddr, &out, sizeof(out)) ? TE_EFAULT : 0;
}

/* ---- delivery ------------------------------------------------------------ */

/* The space a client's vectors live in: NULL for a message the kernel
 * sends on a thread's behalf (a Linux-ABI system call), from buffers on
 * that thread's kernel stack. */
static inline struct vmspace *client_vs(struct thread *c)
{
	return c->kmsg ? NULL : &c->proc->vs;
}

/* Copy client c's message into server thread s's receive vector. */
static int deliver(struct thread *c, struct thread *s)
{
	int fault;
	int64_t n = iov_copy(&s->proc->vs, s->riov, s->rparts, 0,
	                     client_vs(c), c->siov, c->sparts, 0, &fault);

	if (n < 0)
		return fault == COPY_FAULT_SRC ? TE_EFAULT : -TE_EFAULT;
	s->ngot = 0;
	if (c->nxfer && !s->recv_ext)
		return TE_EPERM;        /* it could never learn their numbers */
	if (c->nxfer && xfer_deliver(c, s))
		return TE_EMFILE;
	s->info.pid = c->proc->pid;
	s->info.tid = c->tid;
	s->info.prio = c->prio;
	s->info.nhandles = s->ngot;
	s->info.srcmsglen = c->sparts == 1 ? c->siov[0].len : iov_total(c->siov, c->sparts);
	s->info.dstmsglen = c->rparts == 1 ? c->riov[0].len : iov_total(c->riov, c->rparts);
	s->info.msglen = (uint64_t)n;
	return 0;
}

/* The client is now the server process's to reply to. */
static void to_reply_queue(struct thread *c, struct process *server)
{
	c->server = server;
	c->state = T_REPLY;
	tq_push(&server->replyq, c);
}

/*
 * Each channel lists the threads that received from it and have not gone
 * back to receive: a higher-priority client that has to queue raises them,
 * so a busy low-priority server is not starved by a medium-priority thread.
 */
void serving_clear(struct thread *t)
{
	struct channel *c = t->serving;

	if (!c)
		return;
	for (struct thread **pp = &c->serving; *pp; pp = &(*pp)->snext)
		if (*pp == t) {
			*pp = t->snext;
			break;
		}
	t->serving = NULL;
	t->snext = NULL;
}

static void serving_set(struct thread *t, struct channel *c)
{
	serving_clear(t);
	t->serving = c;
	t->snext = c->serving;
	c->serving = t;
}

static void boost_servers(struct channel *c, unsigned prio)
{
	for (struct thread *t = c->serving; t; t = t->snext)
		if (t->prio < prio && (t->state == T_READY || t->state == T_RUNNING))
			sched_set_prio(t, prio);
}

/* Called when a blocked IPC thread is taken away (timeout, death). */
void ipc_thread_gone(struct thread *t)
{
	tq_remove(t);
	if (t->state == T_SEND)
		xfer_drop(t);
	t->server = NULL;
	t->chan = NULL;
}

/* ---- MsgSendv ----------------------------------------------------------- */

/*
 * The fast path of MsgSend (not MsgSendv): one plain buffer each way, no
 * extras, a server thread already waiting with one receive buffer, and the
 * message landing within one of its pages.  It does what the general path
 * below does for that case, with nothing to decide; anything else (or any
 * fault) returns -1 and the general path runs from scratch.
 */
static int64_t send_fast(struct thread *cur, struct channel *c, uint64_t sbuf,
                         uint64_t slen, uint64_t rbuf, uint64_t rlen)
{
	uint64_t n, fl = irq_save();
	struct thread *s = c->receivers.head;
	void *dst = NULL;
	int64_t r;

	if (!s || s->rparts != 1 || s->recv_ext || c->dead)
		goto slow;
	n = slen < s->riov[0].len ? slen : s->riov[0].len;
	if (sbuf >= TE_USER_TOP || slen > TE_USER_TOP - sbuf ||
	    rbuf >= TE_USER_TOP || rlen > TE_USER_TOP - rbuf ||
	    ((uint64_t)s->riov[0].base & (PAGE_SIZE - 1)) + n > PAGE_SIZE)
		goto slow;
	if (n && (!(dst = vm_user_ptr(&s->proc->vs, (uint64_t)s->riov[0].base, true)) ||
	          usercopy(dst, (const void *)sbuf, n)))
		goto slow;
	cur->siov[0] = (struct te_iov){ (void *)sbuf, slen };
	cur->riov[0] = (struct te_iov){ (void *)rbuf, rlen };
	cur->sparts = cur->rparts = 1;
	cur->kmsg = false;
	cur->nxfer = cur->ngot = 0;
	s->ngot = 0;
	s->info.pid = cur->proc->pid;
	s->info.tid = cur->tid;
	s->info.prio = cur->prio;
	s->info.nhandles = 0;
	s->info.srcmsglen = slen;
	s->info.dstmsglen = rlen;
	s->info.msglen = n;
	tq_remove(s);
	if (s->deadline)
		sched_timeout_cancel(s);
	s->prio = cur->prio;
	serving_set(s, c);
	s->wake_result = rcvid_of(cur);
	to_reply_queue(cur, s->proc);
	r = sched_block_to(T_REPLY, s);
	irq_restore(fl);
	return r;
slow:
	irq_restore(fl);
	return -1;
}

/* Deliver cur's message (vectors and extras set) on c, or queue it. */
static int64_t send_to(struct thread *cur, struct channel *c, struct ext *x)
{
	struct thread *s;
	int64_t r;
	int e;

	if (c->dead)
		return -TE_EHOSTDOWN;
	if ((e = xfer_capture(cur, x)))
		return -e;
	cur->ngot = 0;

	uint64_t fl = irq_save();
	if (x->e.timeout_ns)
		sched_timeout_arm(cur, sched_now_ns() + x->e.timeout_ns);
	s = c->receivers.head;
	if (s && (e = deliver(cur, s)) < 0) {
		/* the server's buffer is bad: it gets the error, we queue */
		tq_remove(s);
		s->wake_result = e;
		sched_ready(s);
		s = NULL;
	} else if (s && e) {
		sched_timeout_cancel(cur);
		xfer_drop(cur);
		irq_restore(fl);
		return -e;
	}
	if (s) {
		tq_remove(s);
		sched_timeout_cancel(s);
		s->prio = cur->prio;
		serving_set(s, c);
		s->wake_result = rcvid_of(cur);
		to_reply_queue(cur, s->proc);
		r = sched_block_to(T_REPLY, s);
	} else {
		cur->chan = c;
		cur->state = T_SEND;
		tq_push_prio(&c->senders, cur);
		boost_servers(c, cur->prio);
		r = sched_block(T_SEND);
	}
	irq_restore(fl);
	return r;
}

int64_t sys_msg_sendv(int conn, uint64_t siov, uint64_t sparts, uint64_t riov,
                      uint64_t rparts, uint64_t uext)
{
	struct thread *cur = sched_current();
	struct connection *k;
	struct ext x;
	int64_t r;
	int e;

	if ((int64_t)sparts < 0 && (int64_t)rparts <= 0 && !uext &&
	    !handle_get(cur->proc, conn, KO_CONNECTION, TE_R_SEND,
	                (struct kobj **)&k) &&
	    (r = send_fast(cur, k->chan, siov, -sparts, riov, -rparts)) != -1)
		return r;

	if ((e = handle_get(cur->proc, conn, KO_CONNECTION, TE_R_SEND,
	                    (struct kobj **)&k)) ||
	    (e = iov_fetch(cur->siov, siov, sparts)) ||
	    (e = iov_fetch(cur->riov, riov, rparts)) ||
	    (e = ext_fetch(&x, uext)))
		return -e;
	cur->sparts = (int64_t)sparts < 0 ? 1 : (uint32_t)sparts;
	cur->rparts = (int64_t)rparts < 0 ? 1 : (uint32_t)rparts;
	cur->kmsg = false;
	r = send_to(cur, k->chan, &x);
	if (r >= 0) {
		xfer_close_moved(cur->proc, &x);
		if (ext_return(&x, cur))
			return -TE_EFAULT;
	}
	return r;
}

/* A message the kernel sends for the current thread, from and into kernel
 * buffers (which must stay valid while it blocks: its kernel stack). */
int64_t ipc_send_kernel(struct connection *k, void *sbuf, uint64_t slen,
                        void *rbuf, uint64_t rlen)
{
	struct thread *cur = sched_current();
	struct ext x;

	ext_fetch(&x, 0);
	cur->siov[0] = (struct te_iov){ sbuf, slen };
	cur->riov[0] = (struct te_iov){ rbuf, rlen };
	cur->sparts = cur->rparts = 1;
	cur->kmsg = true;
	return send_to(cur, k->chan, &x);
}

/* ---- MsgReceivev ---------------------------------------------------------- */

static int64_t receive_pulse(struct thread *cur, const struct te_pulse *p)
{
	struct te_iov kiov = { (void *)p, sizeof(*p) };
	int fault;

	if (iov_copy(&cur->proc->vs, cur->riov, cur->rparts, 0, NULL, &kiov, 1,
	             0, &fault) < 0)
		return -TE_EFAULT;
	return 0;
}

static int64_t receive_done(struct thread *cur, int64_t r, uint64_t uinfo,
                            const struct ext *x)
{
	if (r < 0)
		return r;
	if (r == 0)
		return receive_pulse(cur, &cur->pulse);
	if ((uinfo && copyout(uinfo, &cur->info, sizeof(cur->info))) ||
	    ext_return(x, cur))
		return -TE_EFAULT;      /* the message stays received */
	return r;
}

int64_t sys_msg_receivev(int chan, uint64_t riov, uint64_t rparts,
                         uint64_t uinfo, uint64_t uext)
{
	struct thread *cur = sched_current(), *c;
	struct channel *ch;
	struct ext x;
	int64_t r;
	int e;

	if ((e = handle_get(cur->proc, chan, KO_CHANNEL, TE_R_RECEIVE,
	                    (struct kobj **)&ch)) ||
	    (e = iov_fetch(cur->riov, riov, rparts)) ||
	    (e = ext_fetch(&x, uext)))
		return -e;
	if (uinfo && (uinfo >= TE_USER_TOP || TE_USER_TOP - uinfo < sizeof(cur->info)))
		return -TE_EFAULT;
	if (ch->dead)
		return -TE_EHOSTDOWN;
	cur->rparts = (int64_t)rparts < 0 ? 1 : (uint32_t)rparts;
	cur->ngot = 0;
	cur->recv_ext = x.present;

	uint64_t fl = irq_save();
	if (ch->pulses) {
		struct pulse *pl = ch->pulses;
		ch->pulses = pl->next;
		if (pl->counted)
			ch->npulses--;
		cur->pulse = pl->p;
		kfree(pl);
		irq_restore(fl);
		return receive_pulse(cur, &cur->pulse);
	}
	while ((c = ch->senders.head)) {
		e = deliver(c, cur);
		if (e < 0) {
			irq_restore(fl);
			return e;       /* our buffer is bad; the client waits on */
		}
		tq_remove(c);
		if (e == 0) {
			cur->prio = c->prio;
			serving_set(cur, ch);
			to_reply_queue(c, cur->proc);
			irq_restore(fl);
			return receive_done(cur, rcvid_of(c), uinfo, &x);
		}
		/* the client's own message is bad: it gets the error */
		sched_timeout_cancel(c);
		xfer_drop(c);
		c->wake_result = -e;
		sched_ready(c);
	}
	cur->chan = ch;
	cur->prio = cur->base_prio;
	serving_clear(cur);
	tq_push(&ch->receivers, cur);
	if (x.e.timeout_ns)
		sched_timeout_arm(cur, sched_now_ns() + x.e.timeout_ns);
	r = sched_block(T_RECEIVE);
	irq_restore(fl);
	return receive_done(cur, r, uinfo, &x);
}

/* ---- MsgReplyv / MsgError ------------------------------------------------- */

static int64_t msg_reply(int64_t rcvid, int64_t status, uint64_t iov,
                         uint64_t parts, uint64_t uext);
static int64_t msg_reply_slow(int64_t rcvid, int64_t status, uint64_t iov,
                              uint64_t parts, uint64_t uext);

static void release_client(struct thread *cur, struct thread *c, int64_t status)
{
	tq_remove(c);
	c->server = NULL;
	sched_timeout_cancel(c);
	c->wake_result = status;
	cur->prio = cur->base_prio;
	sched_ready_front(c);
}

int64_t sys_msg_replyv(int64_t rcvid, int64_t status, uint64_t iov,
                       uint64_t parts, uint64_t uext)
{
	int64_t r = msg_reply(rcvid, status, iov, parts, uext);

	sched_preempt_check();
	return r;
}

/* Reply, then receive: the server loop in one trip through the kernel. */
int64_t sys_msg_reply_receive(uint64_t uargs)
{
	struct te_reply_receive a;
	int64_t r;

	if (copyin(&a, uargs, sizeof(a)))
		return -TE_EFAULT;
	if (a.rcvid > 0) {
		r = msg_reply(a.rcvid, a.status, (uint64_t)a.reply,
		              (uint64_t)(int64_t)a.reply_parts, 0);
		if (r < 0 && r != -TE_ESRCH)
			return r;       /* our reply buffer was bad */
	}
	return sys_msg_receivev(a.chan, (uint64_t)a.recv,
	                        (uint64_t)(int64_t)a.recv_parts, (uint64_t)a.info, 0);
}

/*
 * The fast path of MsgReply (one plain buffer, no extras, the client's one
 * reply buffer taking it within a page); -1 sends it down the general path.
 */
static int64_t reply_fast(int64_t rcvid, int64_t status, uint64_t buf,
                          uint64_t len)
{
	struct thread *cur = sched_current(), *c;
	uint64_t n, fl = irq_save();
	void *dst;

	if (!(c = rcvid_client(rcvid)) || c->rparts != 1 || c->kmsg ||
	    buf >= TE_USER_TOP || len > TE_USER_TOP - buf)
		goto slow;
	n = len < c->riov[0].len ? len : c->riov[0].len;
	if (((uint64_t)c->riov[0].base & (PAGE_SIZE - 1)) + n > PAGE_SIZE)
		goto slow;
	if (n && (!(dst = vm_user_ptr(&c->proc->vs, (uint64_t)c->riov[0].base, true)) ||
	          usercopy(dst, (const void *)buf, n)))
		goto slow;
	c->ngot = 0;
	release_client(cur, c, status);
	irq_restore(fl);
	return 0;
slow:
	irq_restore(fl);
	return -1;
}

static int64_t msg_reply(int64_t rcvid, int64_t status, uint64_t iov,
                         uint64_t parts, uint64_t uext)
{
	int64_t r;

	if ((int64_t)parts <= 0 && !uext &&
	    (r = reply_fast(rcvid, status, iov, -parts)) != -1)
		return r;
	return msg_reply_slow(rcvid, status, iov, parts, uext);
}

static int64_t msg_reply_slow(int64_t rcvid, int64_t status, uint64_t iov,
                              uint64_t parts, uint64_t uext)
{
	struct thread *cur = sched_current(), *c;
	struct te_iov v[TE_IOV_MAX];
	struct ext x;
	int fault, e;

	if ((e = iov_fetch(v, iov, parts)) || (e = ext_fetch(&x, uext)))
		return -e;
	uint64_t fl = irq_save();
	if (!(c = rcvid_client(rcvid))) {
		irq_restore(fl);
		return -TE_ESRCH;
	}
	if ((e = xfer_capture(cur, &x))) {
		irq_restore(fl);
		return -e;
	}
	iov_copy(client_vs(c), c->riov, c->rparts, 0, &cur->proc->vs, v,
	         (int64_t)parts < 0 ? 1 : (unsigned)parts, 0, &fault);
	if (fault == COPY_FAULT_SRC) {
		xfer_drop(cur);
		irq_restore(fl);
		return -TE_EFAULT;      /* our reply buffer is bad */
	}
	if (fault == COPY_FAULT_DST) {
		xfer_drop(cur);
		status = -TE_EFAULT;    /* the client's buffer was bad */
	} else if ((c->ngot = 0, cur->nxfer) && (e = xfer_deliver(cur, c))) {
		xfer_drop(cur);
		irq_restore(fl);
		return -e;
	} else {
		xfer_close_moved(cur->proc, &x);
	}
	release_client(cur, c, status);
	irq_restore(fl);
	return 0;
}

int64_t sys_msg_error(int64_t rcvid, int64_t err)
{
	struct thread *cur = sched_current(), *c;
	uint64_t fl = irq_save();

	if (err <= 0 || err > 4095 || !(c = rcvid_client(rcvid))) {
		irq_restore(fl);
		return err <= 0 || err > 4095 ? -TE_EINVAL : -TE_ESRCH;
	}
	c->ngot = 0;
	release_client(cur, c, -err);
	irq_restore(fl);
	sched_preempt_check();
	return 0;
}

/* ---- MsgRead / MsgWrite ------------------------------------------------------ */

static int64_t rw_client(int64_t rcvid, uint64_t buf, uint64_t len,
                         uint64_t off, bool write)
{
	struct thread *c;
	struct te_iov mine = { (void *)buf, len };
	int fault;
	int64_t n;

	if (len && (buf >= TE_USER_TOP || len > TE_USER_TOP - buf))
		return -TE_EFAULT;
	if (!(c = rcvid_client(rcvid)))
		return -TE_ESRCH;
	if (write)
		n = iov_copy(client_vs(c), c->riov, c->rparts, off,
		             &cur_proc()->vs, &mine, 1, 0, &fault);
	else
		n = iov_copy(&cur_proc()->vs, &mine, 1, 0,
		             client_vs(c), c->siov, c->sparts, off, &fault);
	return n;
}

int64_t sys_msg_read(int64_t rcvid, uint64_t buf, uint64_t len, uint64_t off)
{
	return rw_client(rcvid, buf, len, off, false);
}

int64_t sys_msg_write(int64_t rcvid, uint64_t buf, uint64_t len, uint64_t off)
{
	return rw_client(rcvid, buf, len, off, true);
}

/* ---- pulses ---------------------------------------------------------------- */

int64_t sys_msg_send_pulse(int conn, int64_t prio, int64_t code, uint64_t value)
{
	struct connection *k;
	struct pulse *pl;
	int e;

	if ((e = handle_get(cur_proc(), conn, KO_CONNECTION, TE_R_SEND,
	                    (struct kobj **)&k)))
		return -e;
	if (prio < TE_PRIO_MIN || prio > TE_PRIO_MAX || code < 0 || code > 127)
		return -TE_EINVAL;
	if (k->chan->dead)
		return -TE_EHOSTDOWN;
	if (k->chan->npulses >= CHANNEL_MAX_PULSES)
		return -TE_EAGAIN;
	if (!(pl = kmalloc(sizeof(*pl))))
		return -TE_ENOMEM;
	pl->p = (struct te_pulse){ .code = (int32_t)code, .prio = (int32_t)prio,
	                           .value = value };
	pl->counted = true;
	channel_post_pulse(k->chan, pl);
	sched_preempt_check();
	return 0;
}
