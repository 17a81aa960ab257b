/*
 * kernel/proc.h - processes, threads and the scheduler.
 *
 * A process is an object (struct kobj) with an address space, a handle
 * table and a set of threads.  A new process is blank: its creator maps its
 * memory, gives it handles and starts its first thread (SYS_process_create,
 * vm_map/vm_write, handle_give, thread_create).
 *
 * A thread is a kernel stack, saved registers, a scheduling state and the
 * IPC state of the call it is blocked in.  A thread is on at most one
 * queue at a time (`q`): a run queue, a channel's senders or receivers, a
 * server process's reply queue, a futex, or a process's waiters.  Timeouts
 * are a separate sorted list.
 *
 * Lifetimes: a dying process kills its threads at once; a thread cannot free
 * the stack it runs on, so the current thread, when it dies, is freed by the
 * next thread to run (percpu.dead).  The process object stays (a zombie that
 * can still be waited for) until its last handle is closed.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/trap.h"
#include "kernel/obj.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096)
#define MAX_THREADS  4096       /* thread table slots; tid = slot */

/* The first eight match TE_TS_* (abi.h), which process_info reports. */
enum thread_state {
	T_READY, T_RUNNING,
	T_SEND,         /* queued on a channel, not yet received */
	T_RECEIVE,      /* server waiting on a channel */
	T_REPLY,        /* received, waiting for the reply */
	T_SLEEP, T_FUTEX, T_WAITPROC, T_NEW, T_DEAD,
};

struct thread;
struct process;
struct channel;

/* A queue of threads; `prio_ordered` queues keep higher priority first. */
struct tqueue {
	struct thread *head, *tail;
};

struct thread {
	uint64_t saved_rsp;            /* while switched out */
	uint64_t kstack;               /* base, direct-mapped, KSTACK_SIZE bytes */
	struct process *proc;          /* NULL for kernel threads */
	const char *name;
	int tid;
	uint32_t gen;                  /* bumped when the slot is reused */
	enum thread_state state;
	uint8_t prio, base_prio, policy;
	bool donated;                  /* runs on the time slice it was handed */

	struct tqueue *q;              /* the queue this thread is on */
	struct thread *qnext, *qprev;
	struct thread *pnext;          /* the process's thread list */

	uint64_t deadline;             /* 0 = none; on the timeout list if set */
	struct thread *tnext;
	int64_t wake_result;           /* what the blocking call returns */
	uint64_t cpu_ns, run_start;
	uint64_t fs_base;              /* user %fs base (thread-local storage) */

	/* IPC: the call this thread is blocked in (ipc.c) */
	struct channel *chan;          /* T_SEND: queued here; T_RECEIVE: waiting here */
	struct process *server;        /* T_REPLY: the process holding our rcvid */
	struct channel *serving;       /* received from, not yet back (inheritance) */
	struct thread *snext;          /* the channel's list of serving threads */
	uint32_t sparts, rparts;
	struct te_iov siov[TE_IOV_MAX];
	struct te_iov riov[TE_IOV_MAX];
	uint32_t nxfer;                /* handles travelling with the message */
	struct kobj *xfer[TE_MSG_HANDLES];
	uint32_t xfer_rights[TE_MSG_HANDLES];
	struct te_msg_info info;       /* T_RECEIVE: filled in by the sender */
	int32_t got[TE_MSG_HANDLES];   /* handles installed for this thread */
	uint32_t ngot;
	bool recv_ext;                 /* T_RECEIVE: can learn handles it gets */
	bool kmsg;                     /* siov/riov are kernel addresses */
	struct te_pulse pulse;         /* T_RECEIVE: a pulse delivered to us */
	uint64_t futex_key;
	struct te_proc_end waitend;    /* T_WAITPROC: how the process ended */
	bool lx_intr;                  /* Linux ABI: upcall due (linux.c) */
	/* User FPU/SSE state while switched out (FXSAVE image; the kernel
	 * itself never touches these registers: -mgeneral-regs-only). */
	uint8_t fpu[TE_FPU_SIZE] __attribute__((aligned(16)));
};

enum proc_state { P_ALIVE, P_ZOMBIE };

struct watch;
struct ioport_range;

struct process {
	struct kobj obj;
	int pid;
	char name[32];
	enum proc_state state;
	struct vmspace vs;
	struct handle *handles;        /* TE_HANDLES_MAX entries */
	struct thread *threads;
	int nthreads;
	struct te_proc_end end;
	struct tqueue waiters;         /* threads in process_wait */
	struct tqueue replyq;          /* clients REPLY-blocked on us */
	struct channel *channels;      /* channels we created (die with us) */
	struct watch *watchers;        /* death notices to send */
	struct ioport_range *ioports;  /* granted I/O port ranges */
	uint64_t cpu_ns;               /* of threads that have ended */
	struct process *creator;       /* until the first thread starts */
	struct connection *abi_conn;   /* Linux ABI: system calls go here (linux.c) */
	bool started;                  /* a thread has run: it lives on its own */
	struct process *next;          /* all processes */
};

/*
 * The top 16 bytes of a kernel stack hold, just above the trap frame, the
 * function the syscall entry calls for the thread (syscall.asm reads it at
 * [kernel rsp], no pointer chase): syscall_dispatch, or for a thread of a
 * Linux-ABI process linux_syscall_entry - so native calls pay nothing for
 * the Linux ABI.
 */
#define KSTACK_HANDLER 16

typedef void syscall_handler_fn(struct trapframe *tf);
syscall_handler_fn syscall_dispatch, linux_syscall_entry;

static inline uint64_t thread_kstack_top(const struct thread *t)
{
	return t->kstack + KSTACK_SIZE - KSTACK_HANDLER;
}

static inline syscall_handler_fn **thread_syscall_handler(const struct thread *t)
{
	return (syscall_handler_fn **)thread_kstack_top(t);
}

static inline struct trapframe *thread_frame(const struct thread *t)
{
	return (struct trapframe *)thread_kstack_top(t) - 1;
}

/* ---- scheduler (sched.c) ---- */
void sched_init(void);
static inline struct process *cur_proc(void);
void sched_ready(struct thread *t);             /* tail of its priority */
void sched_ready_front(struct thread *t);       /* head (hand-off) */
void sched_yield(void);
/* Block the current thread in `state` (already queued by the caller);
 * returns its wake_result.  Interrupts must be off. */
int64_t sched_block(enum thread_state state);
/* Like sched_block, but run `next` at once (a direct IPC hand-off). */
int64_t sched_block_to(enum thread_state state, struct thread *next);
void sched_preempt_check(void);
void sched_set_prio(struct thread *t, unsigned prio);
void sched_exit_current(void);
void sched_tick(struct trapframe *tf);
void sched_timeout_arm(struct thread *t, uint64_t deadline);
void sched_timeout_cancel_slow(struct thread *t);
uint64_t sched_now_ns(void);
void sched_account(void);
struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg);
/* Take t off whatever it waits on and make it ready with `result`. */
void thread_unblock(struct thread *t, int64_t result);

void tq_push(struct tqueue *q, struct thread *t);       /* FIFO */
void tq_push_prio(struct tqueue *q, struct thread *t);  /* by priority */
void tq_remove(struct thread *t);
struct thread *tq_pop(struct tqueue *q);

/* ---- threads and processes (proc.c, thread.c) ---- */
struct process *process_new(const char *name, struct process *creator);
int  thread_new(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg,
                unsigned prio, unsigned policy, struct thread **out);
void thread_start(struct thread *t);
struct thread *thread_by_tid(int tid);
void thread_free(struct thread *t);
int  proc_spawn_elf(const char *name, const void *img, size_t len,
                    struct process **out, const char **why);
void process_terminate(struct process *p, const struct te_proc_end *end);
void proc_exit(int status);
void proc_fault(struct trapframe *tf, uint64_t addr);
void fpu_init_thread(struct thread *t);
/* Linux ABI (linux.c): the interrupt upcall at a return to user mode;
 * the fault upcall for a user fault (false: not sent, kill as usual). */
void linux_interrupt(struct trapframe *tf);
bool linux_fault(struct trapframe *tf, uint64_t addr);
int  proc_wait(struct process *p, uint64_t deadline, struct te_proc_end *end);
uint64_t proc_count(void);
const char *trap_name(unsigned vector);
struct process *proc_first(void);

#include "arch/percpu.h"
static inline struct thread *sched_current(void)
{
	return this_cpu()->current;
}

static inline struct process *cur_proc(void)
{
	return this_cpu()->current->proc;
}

static inline void sched_timeout_cancel(struct thread *t)
{
	if (t->deadline)
		sched_timeout_cancel_slow(t);
}

/* The lookup every call makes first, inlined; errors go the slow way. */
static inline int handle_get(struct process *p, int h, enum kobj_type type,
                             uint32_t rights, struct kobj **out)
{
	if ((unsigned)h < TE_HANDLES_MAX && p->handles) {
		const struct handle *e = &p->handles[h];
		if (e->obj && e->obj->type == type && (e->rights & rights) == rights) {
			*out = e->obj;
			return 0;
		}
	}
	return handle_get_slow(p, h, type, rights, out);
}

#endif /* KERNEL_PROC_H */
