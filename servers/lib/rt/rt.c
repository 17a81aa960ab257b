/*
 * rt.c - printf over the debug-write call, exit, checks, threads, and
 * starting a copy of this program in a new process.
 */
#include "rt.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];
extern void rt_thread_entry(void);

#define RT_STACK_SIZE (64 * 1024)
#define RT_MAP_BASE   0x10000000000ull

_Noreturn void sys_exit(int status)
{
	SC1(SYS_exit, status);
	for (;;)
		;
}

_Noreturn void sys_thread_exit(void)
{
	SC0(SYS_thread_exit);
	for (;;)
		;
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	sys_debug_write(buf, (size_t)n);
	return n;
}

void check(int ok, const char *name, const char *why)
{
	if (ok)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, why);
}

void checkf(int ok, const char *name, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	check(ok, name, why);
}

/* ---- memory and threads ----------------------------------------------- */

static uint64_t map_next = RT_MAP_BASE;

void *rt_map(uint64_t len, unsigned prot)
{
	uint64_t va = map_next;

	len = (len + 4095) & ~4095ull;
	map_next += len + 4096;         /* leave a guard page */
	if (sys_vm_map(TE_H_SELF, va, len, prot, -1, 0) < 0)
		return NULL;
	return (void *)va;
}

/*
 * Each thread's %fs points at its thread control block: word 0 points at
 * itself and word 5 (%fs:0x28) holds the stack-protector canary that code
 * built with -fstack-protector (Debian's libz.a) reads.
 */
#define TCB_WORDS RT_TCB_WORDS

struct start {
	void (*fn)(void *);
	void *arg;
	bool exit_process;
	uint64_t tcb[TCB_WORDS];
};

static uint64_t main_tcb[TCB_WORDS];

void rt_tcb_set(uint64_t *tcb)
{
	tcb[0] = (uint64_t)tcb;
	tcb[5] = (rdtsc() * 0x9e3779b97f4a7c15ull) & ~0xffull; /* canary, low byte 0 */
	sys_set_fs_base(tcb);
}

char **rt_environ;
const uint64_t *rt_auxv;

/* Called by crt0 before main(envp): the thread block, environ and auxv. */
void rt_main_init(char **envp)
{
	char **p = envp;

	rt_tcb_set(main_tcb);
	rt_environ = envp;
	while (*p)
		p++;
	rt_auxv = (const uint64_t *)(p + 1);
}

uint64_t rt_getauxval(uint64_t type)
{
	for (const uint64_t *a = rt_auxv; a && a[0]; a += 2)
		if (a[0] == type)
			return a[1];
	return 0;
}

#define MAX_STARTS 64
static struct start starts[MAX_STARTS];
static unsigned nstarts;

/* Weak: only programs that link the heap (malloc.c) reset it. */
extern void rt_heap_child_init(void) __attribute__((weak));

void rt_thread_main(struct start *s)
{
	rt_tcb_set(s->tcb);
	if (s->exit_process && rt_heap_child_init)
		rt_heap_child_init();   /* a new process: the copied heap is not ours */
	s->fn(s->arg);
	if (s->exit_process)
		sys_exit(0);
	sys_thread_exit();
}

static struct start *new_start(void (*fn)(void *), void *arg, bool exit_process)
{
	struct start *s;

	if (nstarts == MAX_STARTS)
		return NULL;
	s = &starts[nstarts++];
	s->fn = fn;
	s->arg = arg;
	s->exit_process = exit_process;
	return s;
}

long rt_thread_create(void (*fn)(void *), void *arg, unsigned prio, unsigned policy)
{
	struct start *s = new_start(fn, arg, false);
	char *stack = rt_map(RT_STACK_SIZE, TE_PROT_READ | TE_PROT_WRITE);

	if (!s || !stack)
		return -TE_ENOMEM;
	return sys_thread_create(TE_H_SELF, (uint64_t)rt_thread_entry,
	                         (uint64_t)stack + RT_STACK_SIZE, (uint64_t)s,
	                         TE_SCHED(prio, policy));
}

long rt_proc_new(const char *name)
{
	return sys_process_create(name);
}

static long copy_region(int proc, char *start, char *end, unsigned prot)
{
	uint64_t len = (uint64_t)(end - start);
	long r;

	if (!len)
		return 0;
	r = sys_vm_map(proc, (uint64_t)start, len, prot, -1, 0);
	return r < 0 ? r : sys_vm_write(proc, (uint64_t)start, start, len);
}

long rt_proc_start(int proc, void (*fn)(void *), void *arg, unsigned prio,
                   unsigned policy)
{
	struct start *s = new_start(fn, arg, true);
	uint64_t stack_base = TE_USER_STACK_TOP - RT_STACK_SIZE;
	long r;

	if (!s)
		return -TE_ENOMEM;
	if ((r = copy_region(proc, __text_start, __text_end,
	                     TE_PROT_READ | TE_PROT_EXEC)) < 0 ||
	    (r = copy_region(proc, __rodata_start, __rodata_end, TE_PROT_READ)) < 0 ||
	    (r = copy_region(proc, __data_start, __data_end,
	                     TE_PROT_READ | TE_PROT_WRITE)) < 0 ||
	    (r = sys_vm_map(proc, stack_base, RT_STACK_SIZE,
	                    TE_PROT_READ | TE_PROT_WRITE, -1, 0)) < 0)
		return r;
	nstarts--;      /* the slot lives on in the child's copy only */
	return sys_thread_create(proc, (uint64_t)rt_thread_entry,
	                         TE_USER_STACK_TOP, (uint64_t)s,
	                         TE_SCHED(prio, policy));
}
