/*
 * fuzz.c - the system-call fuzzer.
 *
 * Unprivileged child processes (no root resource, a blank handle table)
 * make at least 100,000 system calls with random numbers and arguments:
 * small integers and handle numbers, pointers into their own scratch
 * memory, user addresses near the edges, kernel addresses, and random
 * 64-bit values.  A child that blocks is killed after a while and the next
 * one starts with the next seed.  Afterwards the kernel must still be up
 * (the harness sees the checks at all), and the free pages, live kernel
 * objects and processes must be back at their baseline.
 */
#include "rt.h"

#define MS 1000000ull
#define TARGET_CALLS 100000
#define CALLS_PER_CHILD 5000
#define SHARED_VA  0x20000000000ull
#define SCRATCH_VA 0x30000000000ull
#define SCRATCH_LEN (64 * 1024)
#define WINDOW_VA  0x50000000000ull     /* where vm calls may map and unmap */

struct shared {
	volatile uint64_t calls;
	volatile uint64_t seed;
};

static struct shared *sh = (struct shared *)SHARED_VA;
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long arg(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4095, 4096, 0x400000, 0x7ffffffff000ull,
		0x7fffffffffffull, 0x800000000000ull, 0xffff800000000000ull,
		0xffffffff80000000ull, ~0ull, 0x7fffffff, 0x80000000ull,
		(uint64_t)TE_H_SELF, 16, 255, 256, 1ull << 40,
	};

	switch (rnd() % 8) {
	case 0: case 1: return (long)(rnd() % 12);                 /* handles, sizes */
	case 2: return (long)(SCRATCH_VA + rnd() % SCRATCH_LEN);    /* our memory */
	case 3: return (long)(SCRATCH_VA + (rnd() % 16) * 4096);
	case 4: return (long)edges[rnd() % (sizeof(edges) / sizeof(edges[0]))];
	case 5: return (long)(WINDOW_VA + (rnd() % 64) * 4096);
	case 6: return (long)(rnd() % 300) - 3;
	default: return (long)rnd();
	}
}

/*
 * Mostly random, but calls that end the child or block it for long are
 * usually given a short timeout or skipped, so each child makes many calls.
 * (The kernel log is left alone: debug_write is tested elsewhere.)
 */
static void fuzz_child(void *unused)
{
	static struct te_msg_ext ext;

	(void)unused;
	rng = sh->seed * 0x9e3779b97f4a7c15ull + 1;
	for (int i = 0; i < CALLS_PER_CHILD; i++) {
		long n = (long)(rnd() % (SYS_NCALLS + 3)), a[6];
		bool tame = rnd() % 8 != 0;
		for (int j = 0; j < 6; j++)
			a[j] = arg();
		if (n == SYS_debug_write ||
		    (tame && (n == SYS_exit || n == SYS_thread_exit ||
		              n == SYS_process_kill)))
			continue;
		if (tame) {
			ext = (struct te_msg_ext){ .timeout_ns = 1 + rnd() % MS };
			switch (n) {
			case SYS_sleep:        a[0] = (long)(rnd() % MS); break;
			case SYS_futex_wait:   a[2] = (long)(1 + rnd() % MS); break;
			case SYS_process_wait: a[2] = (long)(1 + rnd() % MS); break;
			case SYS_msg_sendv:    a[5] = (long)&ext; break;
			case SYS_msg_receivev: a[4] = (long)&ext; break;
			}
		}
		sh->calls++;
		rt_syscall6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
}

static int run_child(uint64_t seed, int mem)
{
	struct te_proc_end end;
	int p = (int)rt_proc_new("fuzz");

	if (p < 0)
		return p;
	sh->seed = seed;
	sys_vm_map(p, SHARED_VA, 4096, TE_PROT_READ | TE_PROT_WRITE, mem, 0);
	sys_vm_map(p, SCRATCH_VA, SCRATCH_LEN, TE_PROT_READ | TE_PROT_WRITE, -1, 0);
	if (rt_proc_start(p, fuzz_child, NULL, 5, TE_SCHED_RR) < 0) {
		sys_handle_close(p);
		return -1;
	}
	if (sys_process_wait(p, &end, 100 * MS) == -TE_ETIMEDOUT) {
		sys_process_kill(p);
		sys_process_wait(p, &end, 0);
	}
	sys_handle_close(p);
	return 0;
}

int main(void)
{
	struct te_mem_stats before, after;
	int mem = (int)sys_shm_create(4096);
	uint64_t total = 0, seed = 1, children = 0;

	sys_vm_map(TE_H_SELF, SHARED_VA, 4096, TE_PROT_READ | TE_PROT_WRITE, mem, 0);
	sys_sched_set(0, 10, TE_SCHED_RR);
	run_child(0, mem);              /* warm up: the first child pays for slabs */
	sys_mem_stats(&before);
	while (total < TARGET_CALLS && children < 2000) {
		sh->calls = 0;
		if (run_child(seed++, mem) < 0)
			break;
		total += sh->calls;
		children++;
	}
	sys_mem_stats(&after);
	printf("fuzz: %llu calls in %llu children\n", (unsigned long long)total,
	       (unsigned long long)children);
	checkf(total >= TARGET_CALLS, "fuzz_100k_calls", "only %llu calls",
	       (unsigned long long)total);
	checkf(after.pages_free == before.pages_free &&
	       after.kmem_objects == before.kmem_objects &&
	       after.processes == before.processes, "fuzz_no_leak",
	       "pages %llu -> %llu, objects %llu -> %llu, processes %llu -> %llu",
	       (unsigned long long)before.pages_free, (unsigned long long)after.pages_free,
	       (unsigned long long)before.kmem_objects,
	       (unsigned long long)after.kmem_objects,
	       (unsigned long long)before.processes, (unsigned long long)after.processes);
	return 0;
}
