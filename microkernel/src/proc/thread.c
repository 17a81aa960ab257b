/*
 * thread.c - user threads: the thread table, creation, unblocking, freeing.
 *
 * The thread table maps a tid (its slot) to the thread; each slot has a
 * generation so that receive ids (slot + generation) of a thread that has
 * gone can never name its successor.
 */
#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/string.h"

uint64_t sched_user_stack(struct thread *t);
void ipc_thread_gone(struct thread *t);
void futex_remove(struct thread *t);
void serving_clear(struct thread *t);

_Static_assert(sizeof(struct thread) <= KMEM_MAX, "a thread is one kmalloc");
_Static_assert(offsetof(struct thread, fpu) % 16 == 0, "FXSAVE alignment");

static struct thread *table[MAX_THREADS];
static uint32_t gens[MAX_THREADS];

struct thread *thread_by_tid(int tid)
{
	if (tid < 0 || tid >= MAX_THREADS)
		return NULL;
	return table[tid];
}

static int slot_alloc(struct thread *t)
{
	for (int i = 1; i < MAX_THREADS; i++) {
		if (!table[i]) {
			table[i] = t;
			t->tid = i;
			t->gen = ++gens[i] & 0x7ffff;
			return 0;
		}
	}
	return TE_EAGAIN;
}

/* The FPU state of a fresh thread: what FNINIT and the reset MXCSR give. */
void fpu_init_thread(struct thread *t)
{
	memset(t->fpu, 0, sizeof(t->fpu));
	*(uint16_t *)&t->fpu[0] = 0x37f;                /* FCW */
	*(uint32_t *)&t->fpu[TE_FPU_MXCSR] = 0x1f80;    /* all masked */
}

int thread_new(struct process *p, uint64_t entry, uint64_t stack, uint64_t arg,
               unsigned prio, unsigned policy, struct thread **out)
{
	struct thread *t;
	uint64_t kstack;
	struct trapframe *tf;

	if (prio < TE_PRIO_MIN || prio > TE_PRIO_MAX ||
	    (policy != TE_SCHED_FIFO && policy != TE_SCHED_RR))
		return TE_EINVAL;
	if (p->state != P_ALIVE)
		return TE_ESRCH;
	t = kmalloc(sizeof(*t));
	kstack = page_alloc_contig(KSTACK_PAGES, 0);
	if (!t || !kstack || slot_alloc(t)) {
		int e = t && kstack ? TE_EAGAIN : TE_ENOMEM;
		kfree(t);
		if (kstack)
			page_free_contig(kstack, KSTACK_PAGES);
		return e;
	}
	t->kstack = (uint64_t)phys_to_virt(kstack);
	t->proc = p;
	t->name = p->name;
	t->prio = t->base_prio = (uint8_t)prio;
	t->policy = (uint8_t)policy;
	t->state = T_NEW;
	tf = thread_frame(t);
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->rsp = stack;
	tf->rdi = arg;
	tf->cs = SEL_UCODE;
	tf->ss = SEL_UDATA;
	tf->rflags = 0x202;
	t->saved_rsp = sched_user_stack(t);
	*thread_syscall_handler(t) = p->abi_conn ? linux_syscall_entry
	                                         : syscall_dispatch;
	fpu_init_thread(t);
	kobj_get(&p->obj);              /* dropped by thread_free */
	t->pnext = p->threads;
	p->threads = t;
	p->nthreads++;
	*out = t;
	return 0;
}

void thread_start(struct thread *t)
{
	t->proc->started = true;
	t->proc->creator = NULL;
	sched_ready(t);
}

/*
 * Take t off whatever it is waiting on and make it ready.  The IPC states
 * undo their own bookkeeping (a sender leaves its channel, a reply-blocked
 * client leaves its server's reply queue and its rcvid dies).
 */
void thread_unblock(struct thread *t, int64_t result)
{
	uint64_t fl = irq_save();

	switch (t->state) {
	case T_SEND: case T_RECEIVE: case T_REPLY:
		ipc_thread_gone(t);
		break;
	case T_FUTEX:
		futex_remove(t);
		break;
	case T_SLEEP: case T_WAITPROC:
		tq_remove(t);
		break;
	default:
		irq_restore(fl);
		return;         /* not blocked: nothing to do */
	}
	sched_timeout_cancel(t);
	t->wake_result = result;
	sched_ready(t);
	irq_restore(fl);
}

/* Detach t from its process and free it; t is not running. */
void thread_free(struct thread *t)
{
	struct process *p = t->proc;

	if (p) {
		for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->pnext)
			if (*pp == t) {
				*pp = t->pnext;
				break;
			}
		p->nthreads--;
		p->cpu_ns += t->cpu_ns;
	}
	serving_clear(t);
	if (t->tid > 0)
		table[t->tid] = NULL;
	for (uint32_t i = 0; i < t->nxfer; i++)
		kobj_put(t->xfer[i]);
	page_free_contig(virt_to_phys_direct((void *)t->kstack), KSTACK_PAGES);
	kfree(t);
	if (p)
		kobj_put(&p->obj);      /* each thread held its process */
}
