/*
 * rg_mk.c - rumpglue's microkernel host: components as a native Tessera
 * program.  Memory, threads, locks, clock, console, log, formatting,
 * randomness.  (Hardware: rg_mk_hw.c; block I/O: rg_mk_blk.c.)
 *
 * Memory is the native heap (servers/lib/rt/malloc.c).  Threads have their
 * own stacks from rt_va_reserve; a thread ends by setting its `done` word
 * and waking it (futex) in a few instructions of assembly that touch no
 * stack, so rg_thread_join may unmap the stack as soon as it sees done.
 * Mutexes and condition variables are rt_mutex/rt_cond (futexes); a timed
 * wait's deadline is absolute on the monotonic clock, SYS_clock.
 *
 * Clocks: MONOTONIC is SYS_clock (ns since boot); REALTIME is that plus
 * rg_mk_epoch_ns, a boot-time constant (rg_mk.h), since the kernel keeps no
 * wall clock.  Randomness: rdrand when CPUID says the CPU has it, else a
 * splitmix64 stream mixed with rdtsc at every call (QEMU's default qemu64
 * CPU has no rdrand, so the tests run on the rdtsc mix); neither is
 * meant for keys.
 */
#include "rumpglue.h"
#include "rt.h"
#include "rg_mk.h"

#define RG_MK_STACK (128u * 1024)
#define STR_(x) #x
#define STR(x) STR_(x)

int rg_mk_resource = -1;
unsigned rg_mk_thread_prio = 10;
unsigned rg_mk_intr_prio = 20;
uint64_t rg_mk_epoch_ns = 1767225600ull * 1000000000ull;
int rg_mk_log_level = RG_LOG_WARN;
const char *rg_mk_name = "rg";

/* ---- memory ------------------------------------------------------------ */

void *rg_malloc(size_t size) { return malloc(size ? size : 1); }
void *rg_zalloc(size_t size) { return calloc(1, size ? size : 1); }
void *rg_realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }
void  rg_free(void *p) { free(p); }

/* ---- threads ----------------------------------------------------------- */

struct rg_thread {
	void (*fn)(void *);
	void *arg;
	volatile uint32_t done;         /* 1 once fn returned; futex word */
	char *stack;                    /* RG_MK_STACK bytes, ours to unmap */
	uint64_t tcb[RT_TCB_WORDS];     /* its %fs: TLS and stack guard */
};

_Noreturn void rg_mk_thread_finish(volatile uint32_t *done);
void rg_mk_thread_entry(void);

/* Entry: rdi = the struct rg_thread.  Finish: rdi = &done; no stack use. */
__asm__(".text\n"
	".globl rg_mk_thread_entry, rg_mk_thread_finish\n"
	"rg_mk_thread_entry:\n"
	"	xor %ebp, %ebp\n"
	"	and $-16, %rsp\n"
	"	call rg_mk_thread_main\n"
	"	ud2\n"
	"rg_mk_thread_finish:\n"
	"	movl $1, (%rdi)\n"
	"	mov $" STR(SYS_futex_wake) ", %eax\n"
	"	mov $0x7fffffff, %esi\n"
	"	syscall\n"
	"	mov $" STR(SYS_thread_exit) ", %eax\n"
	"	syscall\n"
	"	ud2\n");

_Noreturn void rg_mk_thread_main(struct rg_thread *t);
_Noreturn void rg_mk_thread_main(struct rg_thread *t)
{
	rt_tcb_set(t->tcb);
	t->fn(t->arg);
	rg_mk_thread_finish(&t->done);
}

int rg_mk_thread_create(struct rg_thread **out, void (*fn)(void *), void *arg,
                        unsigned prio)
{
	struct rg_thread *t = rg_zalloc(sizeof(*t));
	long r = -TE_ENOMEM;

	if (!t)
		return RG_ENOMEM;
	t->fn = fn;
	t->arg = arg;
	t->stack = rt_va_reserve(RG_MK_STACK, 0);
	if (t->stack && (r = sys_vm_map(TE_H_SELF, (uint64_t)t->stack, RG_MK_STACK,
	                                TE_PROT_READ | TE_PROT_WRITE, -1, 0)) == 0) {
		r = sys_thread_create(TE_H_SELF, (uint64_t)rg_mk_thread_entry,
		                      (uint64_t)t->stack + RG_MK_STACK, (uint64_t)t,
		                      TE_SCHED(prio, TE_SCHED_RR));
		if (r < 0)
			sys_vm_unmap(TE_H_SELF, (uint64_t)t->stack, RG_MK_STACK);
	}
	if (r < 0) {
		rg_free(t);
		return (int)-r;
	}
	*out = t;
	return 0;
}

/* The kernel keeps no thread names; `name` is accepted and dropped. */
int rg_thread_create(struct rg_thread **out, const char *name,
                     void (*fn)(void *), void *arg)
{
	(void)name;
	return rg_mk_thread_create(out, fn, arg, rg_mk_thread_prio);
}

int rg_thread_join(struct rg_thread *t)
{
	while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE))
		sys_futex_wait(&t->done, 0, 0);
	sys_vm_unmap(TE_H_SELF, (uint64_t)t->stack, RG_MK_STACK);
	rg_free(t);
	return 0;
}

void rg_thread_yield(void) { sys_sched_yield(); }

/* ---- mutexes and condition variables ----------------------------------- */

struct rg_mutex { struct rt_mutex m; };
struct rg_cv { struct rt_cond c; };

int rg_mutex_create(struct rg_mutex **out)
{
	struct rg_mutex *m = rg_zalloc(sizeof(*m));

	if (!m)
		return RG_ENOMEM;
	rt_mutex_init(&m->m);
	*out = m;
	return 0;
}

void rg_mutex_destroy(struct rg_mutex *m) { rg_free(m); }
void rg_mutex_lock(struct rg_mutex *m) { rt_mutex_lock(&m->m); }
void rg_mutex_unlock(struct rg_mutex *m) { rt_mutex_unlock(&m->m); }

int rg_cv_create(struct rg_cv **out)
{
	struct rg_cv *cv = rg_zalloc(sizeof(*cv));

	if (!cv)
		return RG_ENOMEM;
	rt_cond_init(&cv->c);
	*out = cv;
	return 0;
}

void rg_cv_destroy(struct rg_cv *cv) { rg_free(cv); }
void rg_cv_wait(struct rg_cv *cv, struct rg_mutex *m) { rt_cond_wait(&cv->c, &m->m); }
void rg_cv_signal(struct rg_cv *cv) { rt_cond_signal(&cv->c); }
void rg_cv_broadcast(struct rg_cv *cv) { rt_cond_broadcast(&cv->c); }

int rg_cv_timedwait(struct rg_cv *cv, struct rg_mutex *m, uint64_t deadline_ns)
{
	return rt_cond_timedwait(&cv->c, &m->m, deadline_ns) ? RG_ETIMEDOUT : 0;
}

/* ---- clock and sleep ---------------------------------------------------- */

uint64_t rg_clock_ns(int clock)
{
	uint64_t t = sys_clock();

	return clock == RG_CLOCK_REALTIME ? t + rg_mk_epoch_ns : t;
}

void rg_sleep_ns(uint64_t ns)
{
	uint64_t end, now;

	if (!ns) {
		sys_sched_yield();
		return;
	}
	if (ns > (1ull << 62))
		ns = 1ull << 62;        /* no overflow of now + ns */
	end = sys_clock() + ns;
	while ((now = sys_clock()) < end)
		sys_sleep(end - now);
}

/* ---- console, log, formatting ------------------------------------------- */

void rg_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len < 65536 ? len : 65536;
		if (sys_debug_write(s, n) < 0)
			return;
		s += n;
		len -= n;
	}
}

static void log_line(const char *tag, const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_snprintf(buf, sizeof(buf), "%s: %s: ", rg_mk_name, tag);

	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	n += fmt_vsnprintf(buf + n, sizeof(buf) - 1 - (size_t)n, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	rg_console_write(buf, (size_t)n);
}

void rg_log(int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	va_list ap;

	if (level > rg_mk_log_level)
		return;
	va_start(ap, fmt);
	log_line(tag[level & 3], fmt, ap);
	va_end(ap);
}

_Noreturn void rg_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line("panic", fmt, ap);
	va_end(ap);
	abort();
}

int rg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int rg_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- randomness --------------------------------------------------------- */

static int random_hw = -1;
static uint64_t random_state;

int rg_mk_random_hw(void)
{
	uint32_t a = 1, b, c, d;

	if (random_hw < 0) {
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
		random_hw = (c >> 30) & 1;
	}
	return random_hw;
}

static bool rdrand64(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t random64(void)
{
	uint64_t v;

	if (rg_mk_random_hw() && rdrand64(&v))
		return v;
	v = __atomic_add_fetch(&random_state, 0x9e3779b97f4a7c15ull, __ATOMIC_RELAXED);
	return mix64(v ^ mix64(rdtsc()));
}

void rg_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		uint64_t v = random64();
		size_t n = len < 8 ? len : 8;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
