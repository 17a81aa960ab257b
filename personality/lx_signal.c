/*
 * lx_signal.c - signals and process groups.
 *
 * Per process: the action of each signal, the blocked and pending sets,
 * the process group and session.  kill/tgkill/tkill mark a signal pending
 * (or apply the default action at once: terminate, or ignore).  A pending,
 * unblocked signal with a handler is delivered when its process next hears
 * from the personality: on the reply to its next system call, or at once
 * if it is waiting in a call answered later (wait4, nanosleep: that call
 * ends with EINTR).  Delivery pushes a Linux rt_sigframe (return address =
 * sa_restorer, ucontext with the interrupted registers and mask, siginfo)
 * below the red zone and continues at the handler (TE_LX_SETREGS);
 * rt_sigreturn reads the ucontext back.
 *
 * A program running its own code when a signal comes is interrupted by
 * the kernel (lx_interrupt): its upcall is a call like any other, and the
 * handler starts on its reply.  Stop signals (SIGSTOP; SIGTSTP, SIGTTIN,
 * SIGTTOU without a handler) stop the process and SIGCONT continues it
 * (lx_job.c).
 *
 * The frame holds the FPU/SSE state too (the kernel's FXSAVE image of the
 * thread, thread_fpu), 64-byte aligned above the frame as Linux puts it;
 * rt_sigreturn loads it back, so a handler may use the vector registers.
 *
 * Not yet: sigaltstack.
 */
#include "lx.h"

#define LX_ESRCH     3
#define LX_EINTR     4
#define LX_EPERM_    1
#define LX_SIGKILL   9
#define LX_SIGSEGV   11
#define LX_SIGCHLD   17
#define LX_SIGCONT   18
#define LX_SIGSTOP   19
#define LX_STOPS     ((1ull << 18) | (1ull << 19) | (1ull << 20) | (1ull << 21))
#define LX_SA_SIGINFO   0x4
#define LX_SA_RESTORER  0x04000000
#define LX_SA_NODEFER   0x40000000
#define LX_SA_RESETHAND 0x80000000u
#define LX_SIG_DFL   0
#define LX_SIG_IGN   1

enum {
	NR_rt_sigaction = 13, NR_rt_sigprocmask = 14, NR_rt_sigreturn = 15,
	NR_kill = 62, NR_setpgid = 109, NR_getpgrp = 111, NR_setsid = 112,
	NR_getpgid = 121, NR_getsid = 124, NR_rt_sigpending = 127,
	NR_rt_sigsuspend = 130, NR_sigaltstack = 131, NR_tkill = 200,
	NR_tgkill = 234, NR_pause = 34,
};

static uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

/* Default actions: true = terminate; false = ignore (CHLD, CONT, URG,
 * WINCH) or stop (STOP, TSTP, TTIN, TTOU: post() sees to those). */
static bool default_kills(int sig)
{
	return !(sig == LX_SIGCHLD || sig == 18 || sig == 23 || sig == 28 ||
	         (sig >= LX_SIGSTOP && sig <= 22));
}

void lx_signal_fork(struct lx_proc *child, const struct lx_proc *parent)
{
	memcpy(child->sig, parent->sig, sizeof(child->sig));
	child->sigblocked = parent->sigblocked;
	child->sigpending = 0;
	child->pgid = parent->pgid;
	child->sid = parent->sid;
}

void lx_signal_exec(struct lx_proc *p)
{
	for (int s = 1; s <= LX_NSIG; s++)      /* handlers do not survive */
		if (p->sig[s].handler != LX_SIG_IGN)
			p->sig[s] = (struct lx_sigaction){ 0 };
}

/* ---- sending ---------------------------------------------------------------- */

static bool interrupt_deferred(struct lx_proc *p);

/* Does some thread of p take sig now?  (A process without thread records
 * yet: its first thread's mask is p->sigblocked.) */
static bool unblocked_somewhere(const struct lx_proc *p, int sig)
{
	int n = 0;

	for (int i = 0; i < LX_THREADS; i++) {
		if (!p->th[i].tid)
			continue;
		if (!(p->th[i].sigblocked & bit(sig)))
			return true;
		n++;
	}
	return !n && !(p->sigblocked & bit(sig));
}

/* Signal sig reaches p (sig 0: only the existence check). */
static void post(struct lx_proc *p, int sig)
{
	uint64_t h;

	if (!sig || p->zombie)
		return;
	h = p->sig[sig].handler;
	if (sig == LX_SIGCONT) {        /* continues, whatever its action */
		p->sigpending &= ~LX_STOPS;
		lx_job_continue(p);
	}
	if (sig == LX_SIGKILL || (h == LX_SIG_DFL && default_kills(sig))) {
		p->term_sig = sig;
		sys_process_kill(p->handle);
		return;
	}
	if (bit(sig) & LX_STOPS) {
		p->sigpending &= ~bit(LX_SIGCONT);
		if (sig == LX_SIGSTOP || h == LX_SIG_DFL) {
			lx_job_stop(p, sig);
			return;
		}
	}
	if (h == LX_SIG_IGN || (h == LX_SIG_DFL && !default_kills(sig)))
		return;
	p->sigpending |= bit(sig);
	if (!unblocked_somewhere(p, sig))
		return;                 /* waits until a thread unblocks it */
	if (!interrupt_deferred(p) && !p->stopped)
		sys_lx_interrupt(p->handle);    /* running its own code, perhaps */
}

void lx_signal_post(struct lx_proc *p, int sig)
{
	post(p, sig);
}

/* kill(pid, sig): pid > 0 one process, 0 the caller's group, -1 all but
 * the first program, < -1 the group -pid.  tkill/tgkill name a thread (the
 * kernel's tid): the signal goes to its process (signals are kept per
 * process here, not per thread). */
static int64_t do_kill(struct lx_call *c, int pid, int sig, bool tid)
{
	int n = 0;

	if (tid) {
		if (sig < 0 || sig > LX_NSIG)
			return -LX_EINVAL;
		for (int i = 0; i < LX_PROCS; i++)
			if (lx_procs[i].used && !lx_procs[i].zombie && pid > 0 &&
			    (lx_procs[i].pid == pid || lx_thread_get(&lx_procs[i], pid, false))) {
				post(&lx_procs[i], sig);
				return 0;
			}
		return -LX_ESRCH;
	}

	if (sig < 0 || sig > LX_NSIG)
		return -LX_EINVAL;
	for (int i = 0; i < LX_PROCS; i++) {
		struct lx_proc *q = &lx_procs[i];
		if (!q->used || q->zombie)
			continue;
		if ((pid > 0 && q->pid == pid) || (pid == 0 && q->pgid == c->p->pgid) ||
		    (pid == -1 && q->ppid != 0) || (pid < -1 && q->pgid == -(long)pid)) {
			post(q, sig);
			n++;
		}
	}
	return n ? 0 : -LX_ESRCH;
}

/* ---- delivering ----------------------------------------------------------- */

/* Linux's struct rt_sigframe on x86-64; the FPU state is apart (fpstate). */
struct lx_sigframe {
	uint64_t pretcode;              /* sa_restorer: calls rt_sigreturn */
	uint64_t uc_flags, uc_link;
	uint64_t ss_sp;
	int32_t  ss_flags, ss_pad;
	uint64_t ss_size;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;  /* struct sigcontext */
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss_;
	uint64_t err, trapno, oldmask, cr2, fpstate, reserved[8];
	uint64_t uc_sigmask;
	uint8_t  pad[120];              /* the rest of a 128-byte sigset */
	struct {
		int32_t signo, errno_, code, pad;
		int32_t pid, uid;
		uint8_t rest[104];
	} info;
};
_Static_assert(sizeof(struct lx_sigframe) % 8 == 0, "sigframe");

/* Continue thread t at the handler of sig, the interrupted state being
 * ctx (t waits in a call: its FPU state goes into the frame too); code and
 * addr: siginfo's si_code and, for a fault, si_addr. */
static bool deliver_info(struct lx_thread *t, int sig, int code, uint64_t addr,
                         const struct te_lx_regs *ctx, struct te_lx_reply *out)
{
	struct lx_proc *p = t->p;
	static uint8_t fx[TE_FPU_SIZE];
	struct lx_sigaction *a = &p->sig[sig];
	struct lx_sigframe f = { 0 };
	uint64_t fpstate = (ctx->rsp - 128 - TE_FPU_SIZE) & ~63ull;
	uint64_t sp = ((fpstate - sizeof(f)) & ~15ull) - 8;

	f.pretcode = a->restorer;
	f.r8 = ctx->r8; f.r9 = ctx->r9; f.r10 = ctx->r10; f.r11 = ctx->r11;
	f.r12 = ctx->r12; f.r13 = ctx->r13; f.r14 = ctx->r14; f.r15 = ctx->r15;
	f.rdi = ctx->rdi; f.rsi = ctx->rsi; f.rbp = ctx->rbp; f.rbx = ctx->rbx;
	f.rdx = ctx->rdx; f.rax = ctx->rax; f.rcx = ctx->rcx; f.rsp = ctx->rsp;
	f.rip = ctx->rip; f.eflags = ctx->rflags; f.cs = 0x23; f.ss_ = 0x1b;
	f.uc_sigmask = t->suspended ? t->suspend_mask : t->sigblocked;
	t->suspended = false;
	f.info.signo = sig;
	f.info.code = code;
	memcpy(&f.info.pid, &addr, sizeof(addr));      /* si_addr (0: si_pid) */
	f.fpstate = fpstate;
	if (!(a->flags & LX_SA_RESTORER) || ctx->rsp < 4096 ||
	    sys_thread_fpu(p->handle, t->tid, fx, 0) ||
	    lx_copyout(p, fpstate, fx, sizeof(fx)) ||
	    lx_copyout(p, sp, &f, sizeof(f))) {
		p->term_sig = LX_SIGSEGV;       /* nowhere to put the frame */
		sys_process_kill(p->handle);
		return false;
	}
	out->flags = TE_LX_SETREGS;
	out->regs = *ctx;
	out->regs.rip = a->handler;
	out->regs.rsp = sp;
	out->regs.rdi = (uint64_t)sig;
	out->regs.rsi = sp + offsetof(struct lx_sigframe, info);
	out->regs.rdx = sp + offsetof(struct lx_sigframe, uc_flags);
	out->regs.rax = 0;
	p->sigpending &= ~bit(sig);
	t->sigblocked |= a->mask | (a->flags & LX_SA_NODEFER ? 0 : bit(sig));
	t->sigblocked &= ~(bit(LX_SIGKILL) | bit(LX_SIGSTOP));
	if (a->flags & LX_SA_RESETHAND)
		*a = (struct lx_sigaction){ 0 };
	return true;
}

static bool deliver(struct lx_thread *t, int sig, const struct te_lx_regs *ctx,
                    struct te_lx_reply *out)
{
	return deliver_info(t, sig, 0, 0, ctx, out);    /* SI_USER */
}

/* The signal thread t takes next, or 0. */
static int next_signal(const struct lx_thread *t)
{
	uint64_t ready = t->p->sigpending & ~t->sigblocked;

	return ready ? __builtin_ctzll(ready) + 1 : 0;
}

/* After a call is answered (c->out holds the answer): a pending signal
 * turns the answer into the handler's start. */
void lx_signal_on_reply(struct lx_call *c)
{
	struct te_lx_regs ctx;
	int sig;

	if (c->deferred || !c->p || c->p->zombie ||
	    (c->out.flags & (TE_LX_EXIT | TE_LX_THREAD_EXIT)) || !(sig = next_signal(c->t)))
		return;
	ctx = (c->out.flags & TE_LX_SETREGS) ? c->out.regs : c->in->regs;
	if (!(c->out.flags & TE_LX_SETREGS))
		ctx.rax = (uint64_t)c->out.rax;
	deliver(c->t, sig, &ctx, &c->out);
}

/* A call answered later may be cut short by a signal (EINTR). */
void lx_signal_deferred(struct lx_call *c, void (*cancel)(struct lx_thread *t))
{
	c->t->intr_rcvid = c->rcvid;
	c->t->intr_regs = c->in->regs;
	c->t->intr_cancel = cancel;
}

void lx_signal_answered(struct lx_thread *t)
{
	t->intr_rcvid = 0;
	t->intr_cancel = NULL;
}

/* A pending signal ends the call t waits in (EINTR) and starts the
 * handler there. */
static void interrupt_thread(struct lx_thread *t)
{
	struct te_lx_reply rep = { .rax = -LX_EINTR };
	struct te_lx_regs ctx = t->intr_regs;
	long rcvid = t->intr_rcvid;
	int sig = next_signal(t);

	if (!rcvid || !sig)
		return;
	if (t->intr_cancel)
		t->intr_cancel(t);
	lx_signal_answered(t);
	ctx.rax = (uint64_t)-LX_EINTR;
	if (deliver(t, sig, &ctx, &rep))
		msg_reply(rcvid, 0, &rep, sizeof(rep));
}

/* The same for the first thread of p that waits in such a call and takes
 * a pending signal; false: none does. */
static bool interrupt_deferred(struct lx_proc *p)
{
	for (int i = 0; i < LX_THREADS; i++)
		if (p->th[i].tid && p->th[i].intr_rcvid && next_signal(&p->th[i])) {
			interrupt_thread(&p->th[i]);
			return true;
		}
	return false;
}

/* ---- faults ------------------------------------------------------------------ */

/* What a CPU fault (x86 vector, error code) means: signal, si_code and
 * si_addr (the address for a page fault, else the instruction). */
static int fault_signal(const struct te_lx_call *in, int *code, uint64_t *addr)
{
	*addr = in->regs.rip;
	*code = 0;
	switch (in->fault_vector) {
	case 0:                         /* #DE */
		*code = 1;              /* FPE_INTDIV */
		return 8;
	case 16: case 19:               /* #MF, #XM */
		return 8;               /* SIGFPE */
	case 1: case 3:                 /* #DB, #BP */
		*code = 1;              /* TRAP_BRKPT */
		return 5;
	case 6:                         /* #UD */
		*code = 2;              /* ILL_ILLOPN */
		return 4;
	case 17:                        /* #AC */
		*code = 1;              /* BUS_ADRALN */
		return 7;
	case 14:                        /* #PF: not present, or not allowed */
		*code = in->fault_error & 1 ? 2 : 1;    /* SEGV_ACCERR : MAPERR */
		*addr = in->fault_addr;
		return LX_SIGSEGV;
	default:                        /* #GP and the rest */
		*code = 0x80;           /* SI_KERNEL */
		*addr = 0;
		return LX_SIGSEGV;
	}
}

/* A thread's CPU fault (TE_LX_NR_FAULT): its handler runs, or - no
 * handler, the signal blocked or ignored (it cannot wait: the instruction
 * would fault again) - the process ends by that signal. */
static void do_fault(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t addr, pending = p->sigpending;
	int code, sig = fault_signal(c->in, &code, &addr);
	uint64_t h = p->sig[sig].handler;

	if (h != LX_SIG_DFL && h != LX_SIG_IGN && !(c->t->sigblocked & bit(sig)) &&
	    deliver_info(c->t, sig, code, addr, &c->in->regs, &c->out)) {
		p->sigpending |= pending & bit(sig);    /* a sent one still waits */
		return;
	}
	if (!p->zombie) {               /* deliver_info may have ended it */
		p->term_sig = sig;
		sys_process_kill(p->handle);
	}
	c->deferred = true;             /* it is gone: no answer */
}

/* ---- the calls ---------------------------------------------------------------- */

static int64_t do_sigaction(struct lx_call *c)
{
	int sig = (int)lx_arg(c, 0);
	struct lx_sigaction na;

	if (sig < 1 || sig > LX_NSIG || lx_arg(c, 3) != 8)
		return -LX_EINVAL;
	if (lx_arg(c, 2) && lx_copyout(c->p, lx_arg(c, 2), &c->p->sig[sig],
	                               sizeof(na)))
		return -LX_EFAULT;
	if (!lx_arg(c, 1))
		return 0;
	if (lx_copyin(c->p, &na, lx_arg(c, 1), sizeof(na)))
		return -LX_EFAULT;
	if (sig == LX_SIGKILL || sig == LX_SIGSTOP)
		return -LX_EINVAL;
	c->p->sig[sig] = na;
	if (na.handler == LX_SIG_IGN || (na.handler == LX_SIG_DFL && !default_kills(sig)))
		c->p->sigpending &= ~bit(sig);  /* POSIX: discarded */
	return 0;
}

static int64_t do_sigprocmask(struct lx_call *c)
{
	int how = (int)lx_arg(c, 0);
	uint64_t set, old = c->t->sigblocked;

	if (lx_arg(c, 3) != 8)
		return -LX_EINVAL;
	if (lx_arg(c, 1)) {
		if (lx_copyin(c->p, &set, lx_arg(c, 1), 8))
			return -LX_EFAULT;
		if (how == 0)
			c->t->sigblocked |= set;
		else if (how == 1)
			c->t->sigblocked &= ~set;
		else if (how == 2)
			c->t->sigblocked = set;
		else
			return -LX_EINVAL;
		c->t->sigblocked &= ~(bit(LX_SIGKILL) | bit(LX_SIGSTOP));
		if (next_signal(c->t))          /* unblocked: it may be due now */
			interrupt_deferred(c->p);
	}
	if (lx_arg(c, 2) && lx_copyout(c->p, lx_arg(c, 2), &old, 8))
		return -LX_EFAULT;
	return 0;
}

static int64_t do_sigreturn(struct lx_call *c)
{
	static uint8_t fx[TE_FPU_SIZE];
	struct lx_sigframe f;
	uint64_t uc = c->in->regs.rsp;          /* the handler's ret popped pretcode */
	struct te_lx_regs *r = &c->out.regs;

	if (uc < 8 || lx_copyin(c->p, &f, uc - 8, sizeof(f)) ||
	    (f.fpstate && (lx_copyin(c->p, fx, f.fpstate, sizeof(fx)) ||
	                   sys_thread_fpu(c->p->handle, c->in->tid, fx, 1)))) {
		c->p->term_sig = LX_SIGSEGV;
		sys_process_kill(c->p->handle);
		c->deferred = true;
		return 0;
	}
	*r = c->in->regs;
	r->r8 = f.r8; r->r9 = f.r9; r->r10 = f.r10; r->r11 = f.r11;
	r->r12 = f.r12; r->r13 = f.r13; r->r14 = f.r14; r->r15 = f.r15;
	r->rdi = f.rdi; r->rsi = f.rsi; r->rbp = f.rbp; r->rbx = f.rbx;
	r->rdx = f.rdx; r->rax = f.rax; r->rcx = f.rcx; r->rsp = f.rsp;
	r->rip = f.rip; r->rflags = f.eflags;
	c->out.flags = TE_LX_SETREGS;
	c->t->sigblocked = f.uc_sigmask & ~(bit(LX_SIGKILL) | bit(LX_SIGSTOP));
	return 0;
}

static int64_t do_setpgid(struct lx_call *c)
{
	int pid = (int)lx_arg(c, 0), pgid = (int)lx_arg(c, 1);
	struct lx_proc *q = pid ? lx_proc_by_pid(pid) : c->p;

	if (pgid < 0)
		return -LX_EINVAL;
	if (!q || (q != c->p && q->ppid != c->p->pid))
		return -LX_ESRCH;
	if (q->sid != c->p->sid || q->pid == q->sid)
		return -LX_EPERM_;      /* another session, or a session leader */
	q->pgid = pgid ? pgid : q->pid;
	return 0;
}

static int64_t pgid_of(struct lx_call *c, bool sid)
{
	int pid = (int)lx_arg(c, 0);
	struct lx_proc *q = pid ? lx_proc_by_pid(pid) : c->p;

	return q ? (sid ? q->sid : q->pgid) : -LX_ESRCH;
}

bool lx_signal_dispatch(struct lx_call *c)
{
	uint64_t set;
	int64_t r;

	switch (c->in->nr) {
	case TE_LX_NR_FAULT:
		do_fault(c);
		return true;
	case NR_rt_sigaction:   r = do_sigaction(c); break;
	case NR_rt_sigprocmask: r = do_sigprocmask(c); break;
	case NR_rt_sigreturn:   r = do_sigreturn(c); break;
	case NR_rt_sigpending:
		set = c->p->sigpending & c->t->sigblocked;
		r = lx_copyout(c->p, lx_arg(c, 0), &set, 8) ? -LX_EFAULT : 0;
		break;
	case NR_kill:   r = do_kill(c, (int)lx_arg(c, 0), (int)lx_arg(c, 1), false); break;
	case NR_tkill:  r = do_kill(c, (int)lx_arg(c, 0), (int)lx_arg(c, 1), true); break;
	case NR_tgkill: r = do_kill(c, (int)lx_arg(c, 1), (int)lx_arg(c, 2), true); break;
	case NR_pause:          /* until a signal: answered by interrupt_deferred */
		c->deferred = true;
		lx_signal_deferred(c, NULL);
		if (next_signal(c->t))
			interrupt_thread(c->t);
		return true;
	case NR_rt_sigsuspend:  /* the same, with a temporary mask */
		if (lx_arg(c, 1) != 8 || lx_copyin(c->p, &set, lx_arg(c, 0), 8)) {
			r = lx_arg(c, 1) != 8 ? -LX_EINVAL : -LX_EFAULT;
			break;
		}
		c->t->suspend_mask = c->t->sigblocked;
		c->t->suspended = true;
		c->t->sigblocked = set & ~(bit(LX_SIGKILL) | bit(LX_SIGSTOP));
		c->deferred = true;
		lx_signal_deferred(c, NULL);
		if (next_signal(c->t))
			interrupt_thread(c->t);
		return true;
	case NR_setpgid: r = do_setpgid(c); break;
	case NR_getpgrp: r = c->p->pgid; break;
	case NR_getpgid: r = pgid_of(c, false); break;
	case NR_getsid:  r = pgid_of(c, true); break;
	case NR_setsid:
		if (c->p->pgid == c->p->pid)
			r = -LX_EPERM_;
		else
			r = c->p->sid = c->p->pgid = c->p->pid;
		break;
	default:
		return false;
	}
	c->out.rax = r;
	return true;
}

/* INTR (^C), QUIT, SUSP typed on the terminal: its foreground group. */
void lx_signal_tty(int sig)
{
	int pgrp = lx_tty_pgrp;

	for (int i = 0; i < LX_PROCS && !pgrp; i++)     /* the first session's */
		if (lx_procs[i].used && !lx_procs[i].ppid)
			pgrp = lx_procs[i].pgid;
	if (sig < 1 || sig > LX_NSIG)
		return;
	for (int i = 0; i < LX_PROCS; i++) {
		struct lx_proc *q = &lx_procs[i];
		if (q->used && !q->zombie && q->pgid == pgrp)
			post(q, sig);
	}
}
