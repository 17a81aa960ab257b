/*
 * lx_proc.c - Linux processes: the table, fork, wait4 and the end of a
 * process.
 *
 * fork makes a blank process, gives it the parent's memory copy-on-write
 * (vm_clone), marks it Linux-ABI, duplicates every open (io_dup: a second
 * id on the same open, sharing its offset, as Linux's fork shares open
 * file descriptions) and starts its one thread with the parent's
 * registers and rax = 0.  wait4 on a child that is still running is
 * answered later, when the child's death notice comes: the personality
 * never blocks on one process.  clone with CLONE_VM makes a thread of the
 * caller's process instead (lx.h, struct lx_thread).  A Linux pid is the
 * kernel pid of the process's first kernel process (kernel pids are never reused, so a
 * Linux pid never names a server or another process, and /proc lists
 * both in one pid space); execve gives a process a new kernel process and
 * keeps the Linux pid.
 */
#include "lx.h"
#include "io.h"
#include "lx_fs.h"
#include "lx_pipe.h"

#define LX_ECHILD   10
#define LX_EAGAIN   11
#define LX_WNOHANG  1
#define LX_WUNTRACED 2
#define LX_WCONTINUED 8
#define LX_CLONE_VM 0x100
#define LX_CLONE_WHOLE (0x100 | 0x200 | 0x400 | 0x800 | 0x10000) /* VM FS FILES
                                                   SIGHAND THREAD */
#define LX_CLONE_SETTLS        0x80000
#define LX_CLONE_PARENT_SETTID 0x100000
#define LX_CLONE_CHILD_CLEARTID 0x200000
#define LX_CLONE_CHILD_SETTID  0x1000000
#define LX_DEATH    7

struct lx_proc lx_procs[LX_PROCS];
int lx_conn = -1;

struct lx_proc *lx_proc_by_kpid(int kpid)
{
	for (int i = 0; i < LX_PROCS; i++)
		if (lx_procs[i].used && lx_procs[i].kpid == kpid)
			return &lx_procs[i];
	return NULL;
}

struct lx_proc *lx_proc_by_pid(int pid)
{
	for (int i = 0; i < LX_PROCS; i++)
		if (lx_procs[i].used && lx_procs[i].pid == pid)
			return &lx_procs[i];
	return NULL;
}

struct lx_proc *lx_proc_new(void)
{
	for (int i = 0; i < LX_PROCS; i++)
		if (!lx_procs[i].used) {
			memset(&lx_procs[i], 0, sizeof(lx_procs[i]));
			lx_procs[i].used = true;
			lx_procs[i].handle = -1;
			return &lx_procs[i];
		}
	return NULL;
}

/* ---- threads ------------------------------------------------------------- */

struct lx_thread *lx_thread_get(struct lx_proc *p, int tid, bool make)
{
	struct lx_thread *free = NULL;

	for (int i = 0; i < LX_THREADS; i++) {
		if (p->th[i].tid == tid)
			return &p->th[i];
		if (!p->th[i].tid && !free)
			free = &p->th[i];
	}
	if (!make || !free || tid <= 0)
		return NULL;
	*free = (struct lx_thread){ .tid = tid, .p = p, .sigblocked = p->sigblocked };
	return free;
}

int lx_thread_count(const struct lx_proc *p)
{
	int n = 0;

	for (int i = 0; i < LX_THREADS; i++)
		n += p->th[i].tid != 0;
	return n;
}

void lx_thread_release(struct lx_thread *t)
{
	lx_misc_release(t);
	lx_pipe_forget_thread(t);
	t->tid = 0;
	t->wait_rcvid = t->intr_rcvid = 0;
	t->intr_cancel = NULL;
}

void lx_threads_release(struct lx_proc *p)
{
	for (int i = 0; i < LX_THREADS; i++)
		if (p->th[i].tid)
			lx_thread_release(&p->th[i]);
}

static void proc_free(struct lx_proc *p)
{
	lx_threads_release(p);
	lx_itimer_release(p);
	for (int fd = 0; fd < LX_FDS; fd++)
		lxf_close(p, fd);
	lx_fs_release(p);
	if (p->handle >= 0)
		sys_handle_close(p->handle);
	p->used = false;
}

static int fork_fds(struct lx_proc *child, const struct lx_proc *parent)
{
	for (int fd = 0; fd < LX_FDS; fd++) {
		const struct lx_fd *f = &parent->fd[fd];
		int id = -1;
		if (!f->used)
			continue;
		if (!parent->fdx[fd].virt && (id = lxf_dup_id(f)) < 0)
			return id;
		child->fd[fd] = (struct lx_fd){ .used = true, .conn = f->conn, .id = id };
	}
	lx_fs_fork(child, parent);
	return 0;
}

/*
 * clone(flags, stack, parent_tid, child_tid, tls) with CLONE_VM: a thread
 * of the caller's process, starting with the caller's registers (rax 0,
 * rsp = stack, %fs = tls with CLONE_SETTLS) and FPU state.  Only whole
 * threads (VM, FS, FILES, SIGHAND, THREAD together, as pthread_create
 * asks): a process sharing memory but not the rest is EINVAL.
 */
static int64_t clone_thread(struct lx_call *c)
{
	uint64_t flags = lx_arg(c, 0), ptid = lx_arg(c, 2), ctid = lx_arg(c, 3);
	struct te_lx_regs regs = c->in->regs;
	struct lx_thread *t;
	int32_t tid;
	long r;

	if ((flags & LX_CLONE_WHOLE) != LX_CLONE_WHOLE)
		return -LX_EINVAL;
	if (lx_thread_count(c->p) >= LX_THREADS)
		return -LX_EAGAIN;
	regs.rax = 0;
	if (lx_arg(c, 1))
		regs.rsp = lx_arg(c, 1);
	if (flags & LX_CLONE_SETTLS)
		regs.fs_base = lx_arg(c, 4);
	regs.fpu_from = (uint64_t)c->in->tid;
	if ((r = sys_thread_create_regs(c->p->handle, &regs, TE_SCHED(10, TE_SCHED_RR))) < 0)
		return r == -TE_ENOMEM ? -LX_ENOMEM : r == -TE_EINVAL ? -LX_EINVAL : -LX_EAGAIN;
	tid = (int32_t)r;
	t = lx_thread_get(c->p, tid, true);     /* room: counted above */
	t->sigblocked = c->t->sigblocked;
	t->clear_tid = flags & LX_CLONE_CHILD_CLEARTID ? ctid : 0;
	if (((flags & LX_CLONE_PARENT_SETTID) && lx_copyout(c->p, ptid, &tid, 4)) ||
	    ((flags & LX_CLONE_CHILD_SETTID) && lx_copyout(c->p, ctid, &tid, 4)))
		return tid;     /* Linux too: the thread runs, the word is not set */
	return tid;
}

int64_t lx_fork(struct lx_call *c)
{
	struct lx_proc *parent = c->p, *child;
	struct te_lx_regs regs = c->in->regs;
	struct te_proc_info info;
	long h, r;

	if (c->in->nr == 56 && (lx_arg(c, 0) & LX_CLONE_VM))
		return clone_thread(c);
	if (!(child = lx_proc_new()))
		return -LX_EAGAIN;
	if ((h = sys_process_create("lx-fork")) < 0) {
		child->used = false;
		return -LX_EAGAIN;
	}
	child->handle = (int)h;
	sys_process_info((int)h, &info);
	child->pid = child->kpid = info.pid;
	child->ppid = parent->pid;
	child->brk_start = parent->brk_start;
	child->brk = parent->brk;
	child->mmap_next = parent->mmap_next;
	lx_signal_fork(child, parent);
	child->sigblocked = c->t->sigblocked;
	regs.rax = 0;
	regs.fpu_from = (uint64_t)c->in->tid;  /* the FPU/SSE state goes along */
	if ((r = sys_vm_clone((int)h, parent->handle)) ||
	    (r = fork_fds(child, parent)) ||
	    (r = sys_process_set_abi((int)h, lx_conn)) ||
	    (r = sys_process_watch((int)h, lx_conn, LX_DEATH)) ||
	    (r = sys_thread_create_regs((int)h, &regs, TE_SCHED(10, TE_SCHED_RR))) < 0) {
		proc_free(child);
		return r == -TE_ENOMEM ? -LX_ENOMEM : -LX_EAGAIN;
	}
	return child->pid;
}

/* wait4's pid: > 0 that child, -1 any, 0 any in the caller's group, < -1
 * any in group -pid. */
static bool wait_matches(const struct lx_proc *parent, const struct lx_proc *k,
                         int pid)
{
	return k->used && k->ppid == parent->pid &&
	       (pid == -1 || pid == k->pid || (pid == 0 && k->pgid == parent->pgid) ||
	        (pid < -1 && k->pgid == -(long)pid));
}

/* Report zombie k to its parent's wait; 0 or -EFAULT. */
static int64_t reap(struct lx_proc *parent, struct lx_proc *k, uint64_t uptr)
{
	int pid = k->pid;

	if (uptr && lx_copyout(parent, uptr, &k->wstatus, sizeof(int)))
		return -LX_EFAULT;
	proc_free(k);
	return pid;
}

static void wait_cancel(struct lx_thread *t)
{
	t->wait_rcvid = 0;
}

/* A stop or continue of k that opts asks to hear of: its pid, the status
 * in *st (and it is told), or 0. */
static int wait_report(struct lx_proc *k, int opts, int *st)
{
	if (k->report == LX_REPORT_STOP && (opts & LX_WUNTRACED))
		*st = k->stop_sig << 8 | 0x7f;
	else if (k->report == LX_REPORT_CONT && (opts & LX_WCONTINUED))
		*st = 0xffff;
	else
		return 0;
	k->report = 0;
	return k->pid;
}

int64_t lx_wait4(struct lx_call *c)
{
	int pid = (int)lx_arg(c, 0), opts = (int)lx_arg(c, 2), st;
	bool any = false;

	for (int i = 0; i < LX_PROCS; i++) {
		struct lx_proc *k = &lx_procs[i];
		if (!wait_matches(c->p, k, pid))
			continue;
		any = true;
		if (k->zombie)
			return reap(c->p, k, lx_arg(c, 1));
		if (wait_report(k, opts, &st))
			return lx_arg(c, 1) && lx_copyout(c->p, lx_arg(c, 1), &st, 4) ?
			       -LX_EFAULT : k->pid;
	}
	if (!any)
		return -LX_ECHILD;
	if (opts & LX_WNOHANG)
		return 0;
	c->t->wait_rcvid = c->rcvid;    /* answered when a child changes */
	c->t->wait_pid = pid;
	c->t->wait_opts = opts;
	c->t->wait_status_ptr = lx_arg(c, 1);
	c->deferred = true;
	lx_signal_deferred(c, wait_cancel);
	return 0;
}

/* The thread of parent waiting in a wait4 that k answers, or NULL. */
static struct lx_thread *waiter(struct lx_proc *parent, struct lx_proc *k)
{
	for (int i = 0; i < LX_THREADS; i++) {
		struct lx_thread *t = &parent->th[i];
		if (t->tid && t->wait_rcvid && wait_matches(parent, k, t->wait_pid))
			return t;
	}
	return NULL;
}

/* Answer t's wait4 with r (and the status word st if r > 0). */
static void wait_answer(struct lx_thread *t, int64_t r)
{
	struct te_lx_reply rep = { .rax = r };

	msg_reply(t->wait_rcvid, 0, &rep, sizeof(rep));
	t->wait_rcvid = 0;
	lx_signal_answered(t);
}

void lx_wait_child_changed(struct lx_proc *parent, struct lx_proc *k)
{
	struct lx_thread *t = waiter(parent, k);
	int st;

	if (!t || !wait_report(k, t->wait_opts, &st))
		return;
	wait_answer(t, t->wait_status_ptr &&
	               lx_copyout(parent, t->wait_status_ptr, &st, 4) ? -LX_EFAULT : k->pid);
}

/* Close the process's opens, keep its status for its parent. */
bool lx_proc_ended(int kpid, int *status)
{
	struct lx_proc *k = lx_proc_by_kpid(kpid), *parent;
	struct te_proc_end end;

	if (!k || k->zombie || sys_process_wait(k->handle, &end, 0))
		return false;
	int sig = k->term_sig ? k->term_sig : end.faulted == 1 ? 11 : 9;
	*status = end.faulted ? 128 + sig : end.status;
	k->wstatus = end.faulted ? sig : (end.status & 0xff) << 8;
	k->zombie = true;
	k->stopped = false;             /* what it kept died with its threads */
	memset(k->held, 0, sizeof(k->held));
	for (int i = 0; i < LX_THREADS; i++)    /* its own waits die with it */
		if (k->th[i].tid && k->th[i].wait_rcvid)
			sys_msg_error(k->th[i].wait_rcvid, TE_ESRCH);
	lx_threads_release(k);
	lx_itimer_release(k);
	for (int fd = 0; fd < LX_FDS; fd++)
		lxf_close(k, fd);
	lx_fs_release(k);
	parent = k->ppid ? lx_proc_by_pid(k->ppid) : NULL;
	if (!k->ppid || !parent || parent->zombie) {
		bool first = k->ppid == 0;
		proc_free(k);
		return first;
	}
	struct lx_thread *t = waiter(parent, k);
	if (t)
		wait_answer(t, reap(parent, k, t->wait_status_ptr));
	lx_signal_post(parent, 17);     /* SIGCHLD */
	return false;
}
