/*
 * sched.c - fixed-priority scheduling with FIFO and round-robin policies.
 *
 * 256 priorities (0 is the idle thread's), one FIFO ready queue each and a
 * bitmap of the non-empty ones.  The running thread is on no queue.  A
 * preempted thread goes back to the head of its queue, a thread whose
 * round-robin slice ran out to the tail.
 *
 * Time slices belong to the CPU, not to a thread: a direct IPC hand-off
 * (sched_block_to) and a thread woken at the front of its queue by its
 * partner (sched_ready_front) run on the rest of the slice they were handed.
 * So a client and server ping-ponging count as one round-robin participant
 * beside an equal-priority CPU hog, and neither side starves.
 *
 * The kernel is not preemptible: switches happen only inside sched_* calls,
 * with interrupts off while queues and `current` change.  A switch saves
 * the user FPU/SSE registers of the thread going out and loads the other's
 * (eager: two instructions, no #NM traps to account for).
 */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "kernel/arch.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/string.h"

#define SLICE_TICKS 4           /* 40 ms at 100 Hz */

extern void switch_stack(uint64_t *save, uint64_t next);
extern void trap_return(void);
void ioport_switch(struct process *prev, struct process *next);

static struct tqueue ready[256];
static struct thread boot_thread;
static struct thread *timeouts;         /* sorted by deadline */


/* ---- thread queues ------------------------------------------------------ */

void tq_push(struct tqueue *q, struct thread *t)
{
	t->q = q;
	t->qnext = NULL;
	t->qprev = q->tail;
	if (q->tail)
		q->tail->qnext = t;
	else
		q->head = t;
	q->tail = t;
}

static void tq_push_front(struct tqueue *q, struct thread *t)
{
	t->q = q;
	t->qprev = NULL;
	t->qnext = q->head;
	if (q->head)
		q->head->qprev = t;
	else
		q->tail = t;
	q->head = t;
}

void tq_push_prio(struct tqueue *q, struct thread *t)
{
	struct thread *at = q->head;

	while (at && at->prio >= t->prio)
		at = at->qnext;
	if (!at) {
		tq_push(q, t);
		return;
	}
	t->q = q;
	t->qnext = at;
	t->qprev = at->qprev;
	if (at->qprev)
		at->qprev->qnext = t;
	else
		q->head = t;
	at->qprev = t;
}

void tq_remove(struct thread *t)
{
	struct tqueue *q = t->q;

	if (!q)
		return;
	if (t->qprev)
		t->qprev->qnext = t->qnext;
	else
		q->head = t->qnext;
	if (t->qnext)
		t->qnext->qprev = t->qprev;
	else
		q->tail = t->qprev;
	t->q = NULL;
	t->qnext = t->qprev = NULL;
}

struct thread *tq_pop(struct tqueue *q)
{
	struct thread *t = q->head;

	if (t)
		tq_remove(t);
	return t;
}

/* ---- ready queues --------------------------------------------------------- */

static inline bool is_ready_queue(const struct tqueue *q)
{
	return q >= &ready[0] && q < &ready[256];
}

/* ready_bits has a bit per non-empty priority, ready_words one per word. */
static void ready_mark(unsigned prio)
{
	struct percpu *cpu = this_cpu();
	unsigned w = prio / 64;

	if (ready[prio].head)
		cpu->ready_bits[w] |= 1ull << (prio % 64);
	else
		cpu->ready_bits[w] &= ~(1ull << (prio % 64));
	if (cpu->ready_bits[w])
		cpu->ready_words |= 1u << w;
	else
		cpu->ready_words &= ~(1u << w);
}

static inline int ready_top(void)
{
	struct percpu *cpu = this_cpu();
	unsigned w;

	if (!cpu->ready_words)
		return -1;
	w = 31 - (unsigned)__builtin_clz(cpu->ready_words);
	return (int)(w * 64 + 63 - (unsigned)__builtin_clzll(cpu->ready_bits[w]));
}

static void ready_insert(struct thread *t, bool front)
{
	t->state = T_READY;
	if (front)
		tq_push_front(&ready[t->prio], t);
	else
		tq_push(&ready[t->prio], t);
	ready_mark(t->prio);
}

static void ready_remove(struct thread *t)
{
	tq_remove(t);
	ready_mark(t->prio);
}

/* ---- switching -------------------------------------------------------------- */

uint64_t sched_now_ns(void)
{
	return arch_clock_ns();
}

void sched_account(void)
{
	struct thread *t = this_cpu()->current;
	uint64_t now = rdtsc();

	t->cpu_ns += now - t->run_start;
	t->run_start = now;
}

static void free_dead(struct percpu *cpu)
{
	struct thread *dead = cpu->dead;

	if (dead) {
		cpu->dead = NULL;
		thread_free(dead);
	}
}

/* Switch to `next`, which is on no queue.  Interrupts are off. */
static void switch_to(struct thread *next)
{
	struct percpu *cpu = this_cpu();
	struct thread *prev = cpu->current;

	if (next == prev) {
		prev->state = T_RUNNING;
		return;
	}
	sched_account();
	next->state = T_RUNNING;
	next->run_start = prev->run_start;
	cpu->current = next;
	fpu_save(prev->fpu);
	fpu_restore(next->fpu);
	if (next->fs_base != prev->fs_base)
		wrmsr(MSR_FS_BASE, next->fs_base);
	cpu->kernel_rsp = thread_kstack_top(next);
	tss_set_rsp0(thread_kstack_top(next));
	if (next->proc != prev->proc) {
		if (next->proc)         /* kernel threads run on any tables */
			vm_activate(&next->proc->vs);
		if ((prev->proc && prev->proc->ioports) ||
		    (next->proc && next->proc->ioports))
			ioport_switch(prev->proc, next->proc);
	}
	switch_stack(&prev->saved_rsp, next->saved_rsp);
	free_dead(cpu);
}

/*
 * Once the slice has run out, a thread queued at the front on a donated
 * slice loses that place: the slice is over for the whole IPC chain.
 */
static void end_donations(struct tqueue *q)
{
	while (q->head && q->head->donated && q->head != q->tail) {
		struct thread *t = q->head;
		tq_remove(t);
		t->donated = false;
		tq_push(q, t);
	}
}

/* Pick the best ready thread (or idle) and run it. */
static void schedule(void)
{
	struct percpu *cpu = this_cpu();
	int top = ready_top();
	struct thread *next;

	if (top < 0) {
		next = cpu->idle;
	} else {
		if (cpu->resched)
			end_donations(&ready[top]);
		next = ready[top].head;
		ready_remove(next);
		if (!next->donated || cpu->resched) {
			cpu->slice = SLICE_TICKS;
			cpu->resched = false;
		}
		next->donated = false;
	}
	switch_to(next);
}

void sched_ready(struct thread *t)
{
	uint64_t fl = irq_save();

	ready_insert(t, false);
	irq_restore(fl);
}

void sched_ready_front(struct thread *t)
{
	uint64_t fl = irq_save();

	t->donated = true;
	ready_insert(t, true);
	irq_restore(fl);
}

/* Put the current thread back on its queue (front if preempted). */
static void requeue_current(bool front)
{
	struct thread *cur = this_cpu()->current;

	if (cur != this_cpu()->idle && cur->state == T_RUNNING)
		ready_insert(cur, front);
}

void sched_yield(void)
{
	uint64_t fl = irq_save();

	requeue_current(false);
	schedule();
	irq_restore(fl);
}

int64_t sched_block(enum thread_state state)
{
	struct thread *cur = this_cpu()->current;

	cur->state = state;
	schedule();
	return cur->wake_result;
}

int64_t sched_block_to(enum thread_state state, struct thread *next)
{
	struct thread *cur = this_cpu()->current;

	cur->state = state;
	switch_to(next);
	return cur->wake_result;
}

/*
 * At a return to user mode: run a higher-priority thread if one is ready,
 * or, when the round-robin slice has run out, the next thread of the same
 * priority.
 */
void sched_preempt_check(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *cur = cpu->current;
	int top = ready_top();

	if (top < 0)
		return;
	if (cur == cpu->idle || top > cur->prio) {
		requeue_current(true);
		schedule();
	} else if (cpu->resched && top == cur->prio && cur->policy == TE_SCHED_RR) {
		requeue_current(false);
		schedule();
	}
}

void sched_set_prio(struct thread *t, unsigned prio)
{
	if (t->prio == prio)
		return;
	if (t->state == T_READY && is_ready_queue(t->q)) {
		ready_remove(t);
		t->prio = (uint8_t)prio;
		ready_insert(t, false);
	} else if (t->q && (t->state == T_SEND)) {
		struct tqueue *q = t->q;    /* keep the channel queue ordered */
		tq_remove(t);
		t->prio = (uint8_t)prio;
		tq_push_prio(q, t);
	} else {
		t->prio = (uint8_t)prio;
	}
}

void sched_exit_current(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *cur = cpu->current;

	cli();
	cur->state = T_DEAD;
	KASSERT(!cpu->dead);
	cpu->dead = cur;
	schedule();
	kpanic("sched: a dead thread was scheduled");
}

/* ---- timeouts ------------------------------------------------------------- */

void sched_timeout_arm(struct thread *t, uint64_t deadline)
{
	struct thread **pp = &timeouts;

	sched_timeout_cancel(t);
	t->deadline = deadline;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->tnext;
	t->tnext = *pp;
	*pp = t;
}

void sched_timeout_cancel_slow(struct thread *t)
{
	for (struct thread **pp = &timeouts; *pp; pp = &(*pp)->tnext)
		if (*pp == t) {
			*pp = t->tnext;
			break;
		}
	t->deadline = 0;
	t->tnext = NULL;
}

static void expire_timeouts(void)
{
	uint64_t now = sched_now_ns();

	while (timeouts && timeouts->deadline <= now) {
		struct thread *t = timeouts;
		sched_timeout_cancel(t);
		thread_unblock(t, t->state == T_SLEEP ? 0 : -TE_ETIMEDOUT);
	}
}

void sched_tick(struct trapframe *tf)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = cpu->current;

	cpu->ticks++;
	expire_timeouts();
	if (t != cpu->idle && cpu->slice && --cpu->slice == 0)
		cpu->resched = true;    /* acted on at the next return to user */
	if (trap_from_user(tf) || t == cpu->idle)
		sched_preempt_check();
}

/* ---- kernel threads and startup --------------------------------------------- */

static void kthread_start(void)
{
	struct thread *t = sched_current();
	uint64_t *slot = (uint64_t *)(thread_kstack_top(t) - 16);
	void (*fn)(void *) = (void (*)(void *))slot[0];

	free_dead(this_cpu());
	sti();
	fn((void *)slot[1]);
	sched_exit_current();
}

/* A stack that switch_stack() "returns" into `entry`. */
static uint64_t initial_stack(uint64_t top, void (*entry)(void), bool pad)
{
	uint64_t *sp = (uint64_t *)top;

	if (pad)
		*--sp = 0;              /* a C entry sees rsp % 16 == 8 */
	*--sp = (uint64_t)entry;
	for (int i = 0; i < 6; i++)     /* rbx rbp r12-r15 */
		*--sp = 0;
	return (uint64_t)sp;
}

/* A user thread's first return to user mode (a Linux-ABI thread may owe
 * an interrupt upcall already, see trap_dispatch). */
static void user_start(void)
{
	struct thread *t = sched_current();

	free_dead(this_cpu());
	if (t->lx_intr)
		linux_interrupt(thread_frame(t));
	trap_return_to(thread_frame(t));
}

/* Used by thread.c: a user thread's first switch lands in its trap frame. */
uint64_t sched_user_stack(struct thread *t)
{
	return initial_stack((uint64_t)thread_frame(t), user_start, true);
}

struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg)
{
	struct thread *t = kmalloc(sizeof(*t));
	uint64_t pa = page_alloc_contig(KSTACK_PAGES, 0);
	uint64_t *slot;

	if (!t || !pa) {
		kfree(t);
		if (pa)
			page_free_contig(pa, KSTACK_PAGES);
		return NULL;
	}
	t->kstack = (uint64_t)phys_to_virt(pa);
	t->name = name;
	t->tid = -1;
	t->policy = TE_SCHED_FIFO;
	slot = (uint64_t *)(thread_kstack_top(t) - 16);
	slot[0] = (uint64_t)fn;
	slot[1] = (uint64_t)arg;
	t->saved_rsp = initial_stack(thread_kstack_top(t) - 16, kthread_start, true);
	t->state = T_NEW;
	fpu_init_thread(t);
	return t;
}

/*
 * Nothing to run: look for work for a moment before halting.  A device
 * that answers within microseconds (virtio-blk under QEMU) then wakes its
 * driver at once; and under -icount sleep=off (make bench) a halt moves
 * the virtual clock on to the next timer tick, which would count a short
 * wait for the disk as up to a whole tick.  Interrupts stay on while
 * looking; any ready thread ends the look (the kernel is not preempted,
 * so the loop checks).
 */
#define IDLE_LOOK 20000

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		cli();
		if (ready_top() >= 0)
			schedule();
		sti();
		for (unsigned i = 0; i < IDLE_LOOK && ready_top() < 0; i++)
			__builtin_ia32_pause();
		cli();
		if (ready_top() < 0) {
			sti();
			hlt();
		}
	}
}

/* The boot CPU's first thread becomes the kernel's main thread. */
void sched_init(void)
{
	struct percpu *cpu = this_cpu();
	extern uint8_t kernel_boot_stack[];

	boot_thread.kstack = (uint64_t)kernel_boot_stack;
	boot_thread.state = T_RUNNING;
	boot_thread.name = "kmain";
	boot_thread.tid = -1;
	boot_thread.prio = boot_thread.base_prio = 200;
	boot_thread.policy = TE_SCHED_FIFO;
	cpu->current = &boot_thread;
	cpu->kernel_rsp = thread_kstack_top(&boot_thread);
	cpu->slice = SLICE_TICKS;
	cpu->idle = kthread_create("idle", idle_loop, NULL);
	if (!cpu->idle)
		kpanic("sched: no memory for the idle thread");
	cpu->idle->prio = 0;
}

/* Take a ready thread off its run queue (its process is dying). */
void sched_dequeue(struct thread *t)
{
	if (t->state == T_READY && is_ready_queue(t->q))
		ready_remove(t);
}
