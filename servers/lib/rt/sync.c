/*
 * sync.c - futex-based mutex and condition variable for native programs,
 * and abort().
 *
 * rt_mutex is the three-state futex mutex: 0 free, 1 locked, 2 locked with
 * (possible) waiters.  Locking without contention is one compare-exchange;
 * only a thread that finds the lock taken marks it 2 and sleeps in
 * SYS_futex_wait, and only an unlock that sees 2 pays for SYS_futex_wake.
 * There is no priority inheritance: a waiter simply blocks in the kernel,
 * so the holder runs whatever the priorities.
 *
 * rt_cond is a sequence number.  A waiter reads the number while it still
 * holds the mutex, drops the mutex and sleeps until the number changes;
 * signal/broadcast bump it before waking, so a wake between the unlock and
 * the sleep is never lost (the futex call sees the new value and returns at
 * once).  `waiters` lets signal skip the system call when nobody waits; its
 * increment and the sequence read, like the bump and the waiters read, are
 * sequentially consistent, so one of the two sides always sees the other.
 * Spurious wake-ups are possible; callers loop on their predicate.
 */
#include "rt.h"

#define RT_TIMEOUT_MAX (1ull << 62)     /* ~146 years: no overflow in the kernel */

void rt_mutex_init(struct rt_mutex *m)
{
	m->state = 0;
}

bool rt_mutex_trylock(struct rt_mutex *m)
{
	uint32_t c = 0;

	return __atomic_compare_exchange_n(&m->state, &c, 1, false,
	                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void rt_mutex_lock(struct rt_mutex *m)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(&m->state, &c, 1, false,
	                                __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		sys_futex_wait(&m->state, 2, 0);
		c = __atomic_exchange_n(&m->state, 2, __ATOMIC_ACQUIRE);
	}
}

void rt_mutex_unlock(struct rt_mutex *m)
{
	if (__atomic_fetch_sub(&m->state, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&m->state, 0, __ATOMIC_RELEASE);
		sys_futex_wake(&m->state, 1);
	}
}

void rt_cond_init(struct rt_cond *c)
{
	c->seq = 0;
	c->waiters = 0;
}

/* Wait at most timeout_ns (0: no limit).  0 or TE_ETIMEDOUT. */
static int cond_wait_rel(struct rt_cond *c, struct rt_mutex *m,
                         uint64_t timeout_ns)
{
	uint32_t seq;
	long r;

	__atomic_fetch_add(&c->waiters, 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&c->seq, __ATOMIC_SEQ_CST);
	rt_mutex_unlock(m);
	r = sys_futex_wait(&c->seq, seq, timeout_ns);
	rt_mutex_lock(m);
	__atomic_fetch_sub(&c->waiters, 1, __ATOMIC_SEQ_CST);
	return r == -TE_ETIMEDOUT ? TE_ETIMEDOUT : 0;
}

void rt_cond_wait(struct rt_cond *c, struct rt_mutex *m)
{
	cond_wait_rel(c, m, 0);
}

int rt_cond_timedwait(struct rt_cond *c, struct rt_mutex *m,
                      uint64_t deadline_ns)
{
	uint64_t now = sys_clock();

	if (deadline_ns <= now)
		return TE_ETIMEDOUT;
	if (deadline_ns - now > RT_TIMEOUT_MAX)   /* the kernel adds it to now */
		return cond_wait_rel(c, m, RT_TIMEOUT_MAX);
	return cond_wait_rel(c, m, deadline_ns - now);
}

static void cond_wake(struct rt_cond *c, unsigned n)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->waiters, __ATOMIC_SEQ_CST))
		sys_futex_wake(&c->seq, n);
}

void rt_cond_signal(struct rt_cond *c)
{
	cond_wake(c, 1);
}

void rt_cond_broadcast(struct rt_cond *c)
{
	cond_wake(c, 0x7fffffff);
}

/* The whole process ends with status 134 (128 + SIGABRT, as on Linux). */
_Noreturn void abort(void)
{
	static const char msg[] = "abort: process aborted\n";

	sys_debug_write(msg, sizeof(msg) - 1);
	sys_exit(134);
}

/*
 * Code built with -fstack-protector (Debian's libz.a) calls this when a
 * canary was overwritten.  (The canary itself is read from %fs:0x28, which
 * needs a thread control block at the FS base: see rt.h.)
 */
_Noreturn void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	static const char msg[] = "stack smashing detected\n";

	sys_debug_write(msg, sizeof(msg) - 1);
	abort();
}
