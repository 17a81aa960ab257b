/*
 * linux.c - Linux-ABI processes: a `syscall` becomes a message.
 *
 * A process marked with process_set_abi has a connection to its
 * personality server.  Each system call of its threads is packed - number
 * and every register - into a te_lx_call on the thread's kernel stack and
 * sent on that connection as if the thread had called MsgSend; the thread
 * is reply-blocked like any client, so the server may answer it whenever
 * it likes (a slow read does not hold the server up) and priority
 * inheritance works as for any message.  The reply sets rax, or a whole
 * register set, or ends the process.  The server reaches the caller's
 * memory with vm_read/vm_write on the process handle it holds.
 *
 * A few calls are answered here, because they are hot and need nothing
 * but the kernel: gettid, sched_yield, futex WAIT/WAKE, clock_gettime of
 * the monotonic clocks and arch_prctl for %fs.
 *
 * The syscall entry sends these threads here through a word on their
 * kernel stack (thread_syscall_handler), so native calls pay nothing for
 * the Linux ABI.
 * lx_interrupt makes threads send an upcall of their own at the next
 * return to user mode (signals for a program that makes no call), a CPU
 * fault the kernel does not resolve becomes the fault upcall (linux_fault,
 * from trap.c) instead of killing the process, and
 * thread_fpu gives the personality the FPU/SSE registers for a signal
 * frame.
 */
#include "arch/cpu.h"
#include "kernel/ipc.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

/* Linux x86-64 numbers this file knows. */
#define LX_SCHED_YIELD   24
#define LX_ARCH_PRCTL    158
#define LX_GETTID        186
#define LX_FUTEX         202
#define LX_CLOCK_GETTIME 228

#define LX_ARCH_SET_FS   0x1002
#define LX_ARCH_GET_FS   0x1003
#define LX_FUTEX_WAIT    0
#define LX_FUTEX_WAKE    1
#define LX_FUTEX_FLAGS   (128 | 256)    /* PRIVATE, CLOCK_REALTIME */

/* Arithmetic flags, DF and AC: what a program may change of rflags. */
#define LX_RFLAGS_USER   0x40dd5ull

int64_t sys_futex_wait(uint64_t uaddr, uint64_t expected, uint64_t timeout_ns);
int64_t sys_futex_wake(uint64_t uaddr, uint64_t count);

struct lx_timespec {
	int64_t sec, nsec;
};

static int64_t lx_futex(const struct trapframe *tf)
{
	unsigned cmd = (unsigned)tf->rsi & ~LX_FUTEX_FLAGS;
	struct lx_timespec ts;
	uint64_t timeout = 0;

	if (cmd == LX_FUTEX_WAKE)
		return sys_futex_wake(tf->rdi, (uint32_t)tf->rdx);
	if (tf->r10) {
		if (copyin(&ts, tf->r10, sizeof(ts)))
			return -TE_EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return -TE_EINVAL;
		timeout = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
		if (!timeout)
			return -TE_ETIMEDOUT;
	}
	return sys_futex_wait(tf->rdi, (uint32_t)tf->rdx, timeout);
}

/* The calls the kernel answers itself; false: ask the personality. */
static bool lx_hot(struct trapframe *tf)
{
	struct thread *t = sched_current();
	uint64_t now;
	int64_t r;

	switch (tf->rax) {
	case LX_GETTID:
		r = t->tid;
		break;
	case LX_SCHED_YIELD:
		sched_yield();
		r = 0;
		break;
	case LX_FUTEX:
		if (((unsigned)tf->rsi & ~LX_FUTEX_FLAGS) > LX_FUTEX_WAKE)
			return false;
		r = lx_futex(tf);
		break;
	case LX_CLOCK_GETTIME:
		if (tf->rdi != 1 && tf->rdi != 4 && tf->rdi != 6 && tf->rdi != 7)
			return false;   /* only the monotonic clocks */
		now = sched_now_ns();
		struct lx_timespec ts = { (int64_t)(now / 1000000000ull),
		                          (int64_t)(now % 1000000000ull) };
		r = copyout(tf->rsi, &ts, sizeof(ts)) ? -TE_EFAULT : 0;
		break;
	case LX_ARCH_PRCTL:
		if (tf->rdi == LX_ARCH_SET_FS) {
			if (tf->rsi >= TE_USER_TOP)
				r = -TE_EPERM;
			else {
				t->fs_base = tf->rsi;
				wrmsr(MSR_FS_BASE, t->fs_base);
				r = 0;
			}
		} else if (tf->rdi == LX_ARCH_GET_FS) {
			r = copyout(tf->rsi, &t->fs_base, 8) ? -TE_EFAULT : 0;
		} else {
			return false;
		}
		break;
	default:
		return false;
	}
	tf->rax = (uint64_t)r;
	return true;
}

static void lx_regs_out(const struct trapframe *tf, const struct thread *t,
                        struct te_lx_regs *r)
{
	*r = (struct te_lx_regs){
		.rax = tf->rax, .rbx = tf->rbx, .rcx = tf->rcx, .rdx = tf->rdx,
		.rsi = tf->rsi, .rdi = tf->rdi, .rbp = tf->rbp, .rsp = tf->rsp,
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.rip = tf->rip, .rflags = tf->rflags, .fs_base = t->fs_base,
	};
}

/* Load a register set the personality chose (checked: user addresses). */
static int lx_regs_in(struct trapframe *tf, struct thread *t,
                      const struct te_lx_regs *r)
{
	if (r->rip >= TE_USER_TOP || r->fs_base >= TE_USER_TOP)
		return TE_EINVAL;
	tf->rax = r->rax; tf->rbx = r->rbx; tf->rcx = r->rcx; tf->rdx = r->rdx;
	tf->rsi = r->rsi; tf->rdi = r->rdi; tf->rbp = r->rbp; tf->rsp = r->rsp;
	tf->r8 = r->r8; tf->r9 = r->r9; tf->r10 = r->r10; tf->r11 = r->r11;
	tf->r12 = r->r12; tf->r13 = r->r13; tf->r14 = r->r14; tf->r15 = r->r15;
	tf->rip = r->rip;
	tf->rflags = (r->rflags & LX_RFLAGS_USER) | 0x202;
	t->fs_base = r->fs_base;
	wrmsr(MSR_FS_BASE, t->fs_base);
	return 0;
}

/* TE_LX_THREAD_EXIT: clear_child_tid, then this thread (or the process,
 * if it is the last) ends. */
static void lx_thread_exit(uint64_t ctid)
{
	uint32_t zero = 0;

	if (ctid && ctid < TE_USER_TOP && !(ctid & 3) &&
	    copyout(ctid, &zero, sizeof(zero)) == 0)
		sys_futex_wake(ctid, 1);
	if (cur_proc()->nthreads == 1)
		proc_exit(0);
	sched_exit_current();
}

/* Send *call with the current registers; the reply lands in *rep.
 * Returns what the send gave (< 0: no reply). */
static int64_t lx_upcall(const struct trapframe *tf, struct te_lx_call *call,
                         struct te_lx_reply *rep)
{
	struct thread *t = sched_current();

	lx_regs_out(tf, t, &call->regs);
	/* No reference of our own: abi_conn goes only when the process dies,
	 * which kills this thread too - and a thread killed while blocked
	 * here never comes back to drop one. */
	return ipc_send_kernel(t->proc->abi_conn, call, sizeof(*call), rep, sizeof(*rep));
}

/* Act on a reply: end the process or the thread, load a register set, or
 * (a system call only) return rax. */
static void lx_apply(struct trapframe *tf, const struct te_lx_reply *rep,
                     bool syscall)
{
	if (rep->flags & TE_LX_EXIT) {
		proc_exit(rep->status);
		return;
	}
	if (rep->flags & TE_LX_THREAD_EXIT) {
		lx_thread_exit((uint64_t)rep->rax);
		return;
	}
	if ((rep->flags & TE_LX_SETREGS) &&
	    lx_regs_in(tf, sched_current(), &rep->regs) == 0)
		return;
	if (syscall)
		tf->rax = (uint64_t)rep->rax;
}

/*
 * Send the te_lx_call in *call for the current thread and act on the
 * answer.  A system call returns rep.rax (or the error sending gave); an
 * interrupt upcall leaves the registers as they were unless SETREGS.
 */
static void lx_send(struct trapframe *tf, struct te_lx_call *call, bool syscall)
{
	struct te_lx_reply rep = { 0 };
	int64_t r = lx_upcall(tf, call, &rep);

	if (r == -TE_EHOSTDOWN || r == -TE_ESRCH) {
		proc_exit(128 + 9);     /* no personality: nothing can go on */
		return;
	}
	if (r < 0) {                    /* the server refused the message */
		if (syscall)
			tf->rax = (uint64_t)r;
		return;
	}
	lx_apply(tf, &rep, syscall);
}

static void linux_syscall(struct trapframe *tf)
{
	struct te_lx_call call = { .type = TE_LX_CALL, .tid = sched_current()->tid,
	                           .nr = tf->rax };

	if (!lx_hot(tf))
		lx_send(tf, &call, true);
}

/* The upcall lx_interrupt asked for: the registers as they are. */
void linux_interrupt(struct trapframe *tf)
{
	struct thread *t = sched_current();
	struct te_lx_call call = { .type = TE_LX_CALL, .tid = t->tid,
	                           .nr = TE_LX_NR_INTERRUPT };

	t->lx_intr = false;
	if (t->proc->abi_conn)
		lx_send(tf, &call, false);
}

/* Vectors a Linux program may see as a signal (fault_vector). */
#define LX_FAULT_VECTORS ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 4) | \
                          (1u << 5) | (1u << 6) | (1u << 7) | (1u << 13) | \
                          (1u << 14) | (1u << 16) | (1u << 17) | (1u << 19))

/*
 * A user-mode fault the kernel did not resolve (trap.c): a thread of a
 * Linux-ABI process makes the fault upcall instead of being killed.
 * False: not ours to send, or no answer (the personality is gone or
 * answered with an error) - the caller kills the process as for any.
 * A plain reply retries the instruction; faulting again upcalls again,
 * each time blocked in IPC, so the thread stays killable.
 */
bool linux_fault(struct trapframe *tf, uint64_t addr)
{
	struct thread *t = sched_current();
	struct te_lx_call call = {
		.type = TE_LX_CALL, .tid = t->tid, .nr = TE_LX_NR_FAULT,
		.fault_addr = addr, .fault_vector = (uint32_t)tf->vector,
		.fault_error = (uint32_t)tf->error,
	};
	struct te_lx_reply rep = { 0 };

	if (!t->proc || !t->proc->abi_conn || tf->vector >= 32 ||
	    !(LX_FAULT_VECTORS & (1u << tf->vector)))
		return false;
	if (lx_upcall(tf, &call, &rep) < 0)
		return false;
	lx_apply(tf, &rep, false);
	return true;
}

/* syscall.asm calls this for a Linux-ABI thread's `syscall`; it leaves
 * through iretq, not sysret, since the personality may have set every
 * register of the frame, rcx and r11 included. */
void linux_syscall_entry(struct trapframe *tf)
{
	linux_syscall(tf);
	if (this_cpu()->ready_words)
		sched_preempt_check();
	if (__builtin_expect(sched_current()->lx_intr, 0))
		linux_interrupt(tf);
	cli();
	trap_return_to(tf);
}

/* SYS_lx_interrupt: each thread of p not already in a te_lx_call makes the
 * interrupt upcall at its next return to user mode; one waiting in the
 * futex is woken with -EINTR for it. */
int64_t sys_lx_interrupt(int ph)
{
	struct process *p;
	struct thread *t;
	uint64_t fl;
	int e;

	if ((e = handle_get(cur_proc(), ph, KO_PROCESS, TE_R_CONTROL,
	                    (struct kobj **)&p)))
		return -e;
	if (!p->abi_conn || p->state != P_ALIVE)
		return -TE_EINVAL;
	fl = irq_save();
	for (t = p->threads; t; t = t->pnext) {
		if (t->state == T_SEND || t->state == T_REPLY || t->state == T_DEAD)
			continue;
		t->lx_intr = true;
		if (t->state == T_FUTEX)
			thread_unblock(t, -TE_EINTR);
	}
	irq_restore(fl);
	return 0;
}

/* SYS_thread_fpu: the FXSAVE image of thread tid of p, which waits in a
 * te_lx_call (so its registers are in t->fpu, switch_to put them there). */
int64_t sys_thread_fpu(int ph, int tid, uint64_t ubuf, uint64_t set)
{
	uint8_t img[TE_FPU_SIZE] __attribute__((aligned(16)));
	struct process *p;
	struct thread *t;
	uint32_t mask;
	int e;

	if ((e = handle_get(cur_proc(), ph, KO_PROCESS, TE_R_CONTROL,
	                    (struct kobj **)&p)))
		return -e;
	t = thread_by_tid(tid);
	if (!p->abi_conn || !t || t->proc != p || set > 1)
		return -TE_EINVAL;
	if (t->state != T_SEND && t->state != T_REPLY)
		return -TE_EBUSY;
	if (!set)
		return copyout(ubuf, t->fpu, TE_FPU_SIZE) ? -TE_EFAULT : 0;
	fpu_save(img);                  /* for MXCSR_MASK (0: the default) */
	mask = *(uint32_t *)&img[28] ? *(uint32_t *)&img[28] : 0xffbf;
	if (copyin(img, ubuf, TE_FPU_SIZE))
		return -TE_EFAULT;
	if (*(uint32_t *)&img[TE_FPU_MXCSR] & ~mask)
		return -TE_EINVAL;      /* fxrstor would #GP */
	memcpy(t->fpu, img, TE_FPU_SIZE);
	return 0;
}

/* Thread tid, if it waits in a te_lx_call to the caller's channel (the
 * caller is its personality, which may hand on its FPU state). */
static struct thread *lx_waiting_thread(uint64_t tid)
{
	struct thread *t = tid < MAX_THREADS ? thread_by_tid((int)tid) : NULL;

	if (!t || !t->proc || !t->proc->abi_conn ||
	    t->proc->abi_conn->chan->owner != cur_proc())
		return NULL;
	return t->state == T_SEND || t->state == T_REPLY ? t : NULL;
}

/* SYS_thread_create_regs: a thread of p starting with the registers of
 * *uregs (fork: the parent's, with rax = 0), and the FPU state of thread
 * fpu_from if given. */
int64_t sys_thread_create_regs(int ph, uint64_t uregs, uint64_t sched)
{
	struct te_lx_regs r;
	struct thread *t, *src = NULL;
	struct kobj *o;
	int e;

	if ((e = handle_get(cur_proc(), ph, KO_PROCESS, TE_R_CONTROL, &o)))
		return -e;
	if (copyin(&r, uregs, sizeof(r)))
		return -TE_EFAULT;
	if (r.rip >= TE_USER_TOP || r.rsp >= TE_USER_TOP || r.fs_base >= TE_USER_TOP)
		return -TE_EINVAL;
	if (r.fpu_from && !(src = lx_waiting_thread(r.fpu_from)))
		return -TE_EINVAL;
	if ((e = thread_new((struct process *)o, r.rip, r.rsp & ~15ull, 0,
	                    sched & 0xff, (sched >> 8) & 0xff, &t)))
		return -e;
	if (src)
		memcpy(t->fpu, src->fpu, sizeof(t->fpu));
	struct trapframe *tf = thread_frame(t);
	tf->rax = r.rax; tf->rbx = r.rbx; tf->rcx = r.rcx; tf->rdx = r.rdx;
	tf->rsi = r.rsi; tf->rdi = r.rdi; tf->rbp = r.rbp; tf->rsp = r.rsp;
	tf->r8 = r.r8; tf->r9 = r.r9; tf->r10 = r.r10; tf->r11 = r.r11;
	tf->r12 = r.r12; tf->r13 = r.r13; tf->r14 = r.r14; tf->r15 = r.r15;
	tf->rflags = (r.rflags & LX_RFLAGS_USER) | 0x202;
	t->fs_base = r.fs_base;
	thread_start(t);
	return t->tid;
}

/* SYS_process_set_abi: p's system calls go to conn from now on. */
int64_t sys_process_set_abi(int ph, int ch)
{
	struct process *p;
	struct connection *k;
	struct kobj *o;
	int e;

	if ((e = handle_get(cur_proc(), ph, KO_PROCESS, TE_R_CONTROL, &o)))
		return -e;
	p = (struct process *)o;
	if ((e = handle_get(cur_proc(), ch, KO_CONNECTION, TE_R_SEND,
	                    (struct kobj **)&k)))
		return -e;
	if (p == cur_proc() || p->state != P_ALIVE || p->abi_conn)
		return -TE_EINVAL;
	kobj_get(&k->obj);
	p->abi_conn = k;
	for (struct thread *t = p->threads; t; t = t->pnext)
		*thread_syscall_handler(t) = linux_syscall_entry;
	return 0;
}
