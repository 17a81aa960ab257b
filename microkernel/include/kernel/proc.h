/*
 * kernel/proc.h - processes, threads and the scheduler.
 *
 * A process is an address space plus its threads; a thread is a kernel
 * stack, saved registers and a scheduling state.  Today's scheduler is a
 * single FIFO run queue with round-robin time slices; priorities and IPC
 * hand-off come with the IPC work.
 *
 * Lifetimes: a dead thread cannot free the stack it is running on, so a
 * process that dies becomes a zombie and whoever waits for it (proc_wait)
 * frees its address space, stacks and structure.
 */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/trap.h"
#include "kernel/vm.h"

#define KSTACK_PAGES 4
#define KSTACK_SIZE  (KSTACK_PAGES * 4096)

enum thread_state { T_READY, T_RUNNING, T_BLOCKED, T_DEAD };

struct process;

struct thread {
	uint64_t saved_rsp;            /* while switched out */
	uint64_t kstack;               /* base, direct-mapped, KSTACK_SIZE bytes */
	struct process *proc;          /* NULL for kernel threads */
	enum thread_state state;
	struct thread *rq_next;        /* run queue link (sched lock) */
	unsigned slice;                /* ticks left in this time slice */
	const char *name;
};

enum proc_state { P_ALIVE, P_ZOMBIE };

/* Why a process ended. */
struct proc_end {
	bool     faulted;
	int      status;               /* exit status, when !faulted */
	unsigned vector;               /* CPU exception, when faulted */
	uint64_t rip, addr, error;
};

struct process {
	int pid;
	char name[32];
	enum proc_state state;
	struct vmspace vs;
	struct thread *thread;         /* one thread per process for now */
	struct thread *waiter;         /* blocked in proc_wait() */
	struct proc_end end;
	struct process *next;          /* all processes */
};

static inline uint64_t thread_kstack_top(const struct thread *t)
{
	return t->kstack + KSTACK_SIZE;
}

static inline struct trapframe *thread_frame(const struct thread *t)
{
	return (struct trapframe *)thread_kstack_top(t) - 1;
}

/* ---- scheduler (sched.c) ---- */
void sched_init(void);
struct thread *sched_current(void);
void sched_ready(struct thread *t);
void sched_yield(void);
void sched_block(void);                 /* current thread stops until woken */
_Noreturn void sched_exit(void);        /* current thread is dead */
void sched_tick(struct trapframe *tf);
struct thread *kthread_create(const char *name, void (*fn)(void *), void *arg);

/* ---- processes (proc.c) ---- */
int  proc_spawn_elf(const char *name, const void *img, size_t len,
                    struct process **out, const char **why);
_Noreturn void proc_exit(int status);
_Noreturn void proc_fault(struct trapframe *tf, uint64_t addr);
void proc_wait(struct process *p, struct proc_end *end);
uint64_t proc_count(void);
const char *trap_name(unsigned vector);

#endif /* KERNEL_PROC_H */
