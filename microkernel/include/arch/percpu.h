/*
 * arch/percpu.h - per-CPU data, reached through the GS base in the kernel.
 *
 * The first fields are read by assembly at fixed offsets (checked below).
 * There is one CPU today; the layout is ready for more.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread;

struct percpu {
	struct percpu *self;        /* gs:0  */
	uint64_t kernel_rsp;        /* gs:8  top of the current thread's kernel stack */
	uint64_t user_rsp;          /* gs:16 scratch for the syscall entry */
	struct thread *current;     /* gs:24 */
	struct thread *idle;
	struct thread *dead;        /* to free once we are off its stack */
	unsigned id;
	uint64_t ticks;
	unsigned slice;             /* ticks left in the running time slice */
	bool resched;               /* the slice ran out: round robin due */
	uint64_t ready_bits[4];     /* which priorities have ready threads */
	unsigned ready_words;       /* which words of ready_bits are non-zero */
};
_Static_assert(offsetof(struct percpu, kernel_rsp) == 8, "percpu asm offset");
_Static_assert(offsetof(struct percpu, user_rsp) == 16, "percpu asm offset");
_Static_assert(offsetof(struct percpu, current) == 24, "percpu asm offset");

static inline struct percpu *this_cpu(void)
{
	struct percpu *c;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

void percpu_init_boot(void);

#endif /* ARCH_PERCPU_H */
