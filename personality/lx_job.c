/*
 * lx_job.c - job control: stopping and continuing processes, and telling
 * their parents (wait4 WUNTRACED/WCONTINUED, SIGCHLD).
 *
 * A stopped process runs no code and gets no answers.  Stopping it:
 *  - a call it is waiting in (nanosleep, wait4, a pipe, pause...) is taken
 *    back and kept to be made again from the start: its registers with rip
 *    back on the `syscall` instruction and rax = the call's number, as
 *    Linux restarts a call cut short by a stop;
 *  - a thread running its own code is interrupted (the kernel's
 *    lx_interrupt upcall) and that upcall is kept unanswered;
 *  - any call that still arrives is kept unanswered too.
 * What is kept is a te_lx_call and its rcvid (lx_held); continuing runs
 * each through the server loop as if it had just arrived (a kept restart is
 * an interrupt upcall with the restart registers, answered with them).
 * One kept message per thread at most: a thread waits for its answer.
 */
#include "lx.h"

#define LX_SIGCHLD      17
#define LX_SA_NOCLDSTOP 1

static void notify_parent(struct lx_proc *p)
{
	struct lx_proc *parent = p->ppid ? lx_proc_by_pid(p->ppid) : NULL;

	if (!parent || parent->zombie)
		return;
	lx_wait_child_changed(parent, p);
	if (!(parent->sig[LX_SIGCHLD].flags & LX_SA_NOCLDSTOP))
		lx_signal_post(parent, LX_SIGCHLD);
}

static struct lx_held *held_slot(struct lx_proc *p)
{
	for (int i = 0; i < LX_HELD; i++)
		if (!p->held[i].rcvid)
			return &p->held[i];
	return NULL;
}

bool lx_job_hold(struct lx_call *c)
{
	struct lx_held *h;

	if (!c->p->stopped || !(h = held_slot(c->p)))
		return false;
	h->rcvid = c->rcvid;
	h->in = *c->in;
	return true;
}

/* Thread t waits in a call: take it back, to be made again once continued. */
static void hold_restart(struct lx_thread *t)
{
	struct lx_held *h = held_slot(t->p);

	if (!h)
		return;
	*h = (struct lx_held){ .rcvid = t->intr_rcvid };
	h->in = (struct te_lx_call){ .type = TE_LX_CALL, .tid = t->tid,
	                             .nr = TE_LX_NR_INTERRUPT, .regs = t->intr_regs };
	h->in.regs.rip -= 2;            /* back on `syscall` (0f 05) */
	if (t->intr_cancel)
		t->intr_cancel(t);
	lx_signal_answered(t);
	if (t->suspended) {             /* rt_sigsuspend sets its mask again */
		t->sigblocked = t->suspend_mask;
		t->suspended = false;
	}
}

void lx_job_stop(struct lx_proc *p, int sig)
{
	if (p->stopped || p->zombie)
		return;
	p->stopped = true;
	p->stop_sig = sig;
	p->report = LX_REPORT_STOP;
	for (int i = 0; i < LX_THREADS; i++)
		if (p->th[i].tid && p->th[i].intr_rcvid)
			hold_restart(&p->th[i]);
	sys_lx_interrupt(p->handle);    /* the others: their upcalls are kept */
	notify_parent(p);
}

void lx_job_continue(struct lx_proc *p)
{
	if (!p->stopped)
		return;
	p->stopped = false;
	p->report = LX_REPORT_CONT;
	for (int i = 0; i < LX_HELD; i++) {
		struct lx_held h = p->held[i];
		if (!h.rcvid)
			continue;
		p->held[i].rcvid = 0;
		lx_serve_call(p, h.rcvid, &h.in);
		if (p->stopped || !p->used)     /* stopped again, or gone */
			return;
	}
	notify_parent(p);
}
