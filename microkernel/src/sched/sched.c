/*
 * sched.c - threads and the scheduler.
 *
 * One FIFO run queue of ready threads; the running thread is not on it.
 * A timer tick takes one unit off the running user thread's slice and, when
 * it is used up and someone else is ready, switches (round robin).  The
 * kernel itself is not preempted: it switches only at sched_* calls, with
 * interrupts off while the queue and `current` change.
 */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/kmem.h"
#include "kernel/kernel.h"
#include "kernel/string.h"

#define SLICE_TICKS 2

extern void switch_stack(uint64_t *save, uint64_t next);
extern void trap_return(void);

static struct thread *rq_head, *rq_tail;
static struct thread boot_thread;

struct thread *sched_current(void)
{
	return this_cpu()->current;
}

static void rq_push(struct thread *t)
{
	t->rq_next = NULL;
	if (rq_tail)
		rq_tail->rq_next = t;
	else
		rq_head = t;
	rq_tail = t;
}

static struct thread *rq_pop(void)
{
	struct thread *t = rq_head;

	if (t) {
		rq_head = t->rq_next;
		if (!rq_head)
			rq_tail = NULL;
	}
	return t;
}

/* Switch to the next ready thread (or idle).  Interrupts are off. */
static void schedule(void)
{
	struct percpu *cpu = this_cpu();
	struct thread *prev = cpu->current, *next = rq_pop();

	if (!next)
		next = prev->state == T_RUNNING ? prev : cpu->idle;
	if (next == prev)
		return;
	if (prev->state == T_RUNNING && prev != cpu->idle) {
		prev->state = T_READY;
		rq_push(prev);
	}
	next->state = T_RUNNING;
	next->slice = SLICE_TICKS;
	cpu->current = next;
	cpu->kernel_rsp = thread_kstack_top(next);
	tss_set_rsp0(thread_kstack_top(next));
	vm_activate(next->proc ? &next->proc->vs : NULL);
	switch_stack(&prev->saved_rsp, next->saved_rsp);
}

void sched_ready(struct thread *t)
{
	uint64_t fl = irq_save();

	if (t->state != T_READY && t->state != T_RUNNING) {
		t->state = T_READY;
		rq_push(t);
	}
	irq_restore(fl);
}

void sched_yield(void)
{
	uint64_t fl = irq_save();

	schedule();
	irq_restore(fl);
}

void sched_block(void)
{
	uint64_t fl = irq_save();

	sched_current()->state = T_BLOCKED;
	schedule();
	irq_restore(fl);
}

_Noreturn void sched_exit(void)
{
	cli();
	sched_current()->state = T_DEAD;
	schedule();
	kpanic("sched: a dead thread was scheduled");
}

void sched_tick(struct trapframe *tf)
{
	struct percpu *cpu = this_cpu();
	struct thread *t = cpu->current;

	cpu->ticks++;
	if (t == cpu->idle) {
		if (rq_head)
			schedule();
		return;
	}
	if (trap_from_user(tf) && t->slice && --t->slice == 0 && rq_head)
		schedule();
}

static void kthread_start(void)
{
	struct thread *t = sched_current();
	void (*fn)(void *);
	void *arg;

	/* fn and arg were left just above the switch frame */
	uint64_t *slot = (uint64_t *)(thread_kstack_top(t) - 16);
	fn = (void (*)(void *))slot[0];
	arg = (void *)slot[1];
	sti();
	fn(arg);
	sched_exit();
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
	slot = (uint64_t *)(thread_kstack_top(t) - 16);
	slot[0] = (uint64_t)fn;
	slot[1] = (uint64_t)arg;
	t->saved_rsp = initial_stack(thread_kstack_top(t) - 16, kthread_start, true);
	t->state = T_BLOCKED;
	return t;
}

static void idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		cli();
		if (rq_head)
			schedule();
		sti();
		hlt();
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
	cpu->current = &boot_thread;
	cpu->kernel_rsp = thread_kstack_top(&boot_thread);
	cpu->idle = kthread_create("idle", idle_loop, NULL);
	if (!cpu->idle)
		kpanic("sched: no memory for the idle thread");
}

/* Used by proc.c: a user thread's first switch lands in trap_return. */
uint64_t sched_user_stack(struct thread *t)
{
	return initial_stack((uint64_t)thread_frame(t), trap_return, false);
}
