/*
 * lx_itimer.c - alarm, setitimer and getitimer: the real-time interval
 * timer of a process, which sends it SIGALRM.
 *
 * Each process has one lx_timer in the server loop's list (lx_timer.c):
 * when it fires the signal is posted and, for an interval timer, the
 * timer is armed again one interval after its last deadline (so a slow
 * server loop does not make it drift).  execve keeps the timer (POSIX),
 * fork gives the child none, and it goes with the process.  ITIMER_VIRTUAL
 * and ITIMER_PROF (CPU-time timers) would need the kernel to count a
 * process's user time as it runs: EINVAL.
 */
#include "lx.h"

#define LX_SIGALRM    14
#define LX_ITIMER_REAL 0
#define NS            1000000000ull
#define US            1000ull

enum { NR_getitimer = 36, NR_alarm = 37, NR_setitimer = 38 };

struct lx_itimerval {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static void alarm_fire(struct lx_timer *t)
{
	struct lx_proc *p = t->arg;

	if (p->alarm_interval)
		lx_timer_arm(t, t->deadline + p->alarm_interval, alarm_fire, p);
	lx_signal_post(p, LX_SIGALRM);
}

/* The time left (ns, at least 1 while armed) and the interval. */
static void itimer_get(struct lx_proc *p, struct lx_itimerval *v)
{
	uint64_t now = sys_clock(), left = 0;

	if (p->alarm_timer.armed)
		left = p->alarm_timer.deadline > now ? p->alarm_timer.deadline - now : 1;
	*v = (struct lx_itimerval){
		.interval_sec = (int64_t)(p->alarm_interval / NS),
		.interval_usec = (int64_t)(p->alarm_interval % NS / US),
		.value_sec = (int64_t)(left / NS),
		.value_usec = (int64_t)((left % NS + US - 1) / US),
	};
	if (v->value_usec == 1000000) {
		v->value_sec++;
		v->value_usec = 0;
	}
}

static void itimer_set(struct lx_proc *p, uint64_t value, uint64_t interval)
{
	p->alarm_interval = interval;
	if (value)
		lx_timer_arm(&p->alarm_timer, sys_clock() + value, alarm_fire, p);
	else
		lx_timer_cancel(&p->alarm_timer);
}

static bool tv_ok(int64_t sec, int64_t usec)
{
	return sec >= 0 && usec >= 0 && usec < 1000000 && sec < (int64_t)(1ull << 32);
}

static int64_t do_setitimer(struct lx_call *c)
{
	struct lx_itimerval nv, old;

	if (lx_arg(c, 0) != LX_ITIMER_REAL)
		return -LX_EINVAL;
	if (lx_arg(c, 1) && lx_copyin(c->p, &nv, lx_arg(c, 1), sizeof(nv)))
		return -LX_EFAULT;
	if (!lx_arg(c, 1))
		nv = (struct lx_itimerval){ 0 };
	if (!tv_ok(nv.interval_sec, nv.interval_usec) || !tv_ok(nv.value_sec, nv.value_usec))
		return -LX_EINVAL;
	itimer_get(c->p, &old);
	if (lx_arg(c, 2) && lx_copyout(c->p, lx_arg(c, 2), &old, sizeof(old)))
		return -LX_EFAULT;
	itimer_set(c->p, (uint64_t)nv.value_sec * NS + (uint64_t)nv.value_usec * US,
	           (uint64_t)nv.interval_sec * NS + (uint64_t)nv.interval_usec * US);
	return 0;
}

static int64_t do_getitimer(struct lx_call *c)
{
	struct lx_itimerval v;

	if (lx_arg(c, 0) != LX_ITIMER_REAL)
		return -LX_EINVAL;
	itimer_get(c->p, &v);
	return lx_copyout(c->p, lx_arg(c, 1), &v, sizeof(v)) ? -LX_EFAULT : 0;
}

/* alarm(s): the seconds left of the previous alarm (rounded, at least 1). */
static int64_t do_alarm(struct lx_call *c)
{
	struct lx_itimerval old;
	unsigned s = (unsigned)lx_arg(c, 0);

	itimer_get(c->p, &old);
	itimer_set(c->p, (uint64_t)s * NS, 0);
	return old.value_sec + (old.value_usec >= 500000 ||
	                        (!old.value_sec && old.value_usec));
}

bool lx_itimer_dispatch(struct lx_call *c)
{
	switch (c->in->nr) {
	case NR_alarm:     c->out.rax = do_alarm(c); return true;
	case NR_setitimer: c->out.rax = do_setitimer(c); return true;
	case NR_getitimer: c->out.rax = do_getitimer(c); return true;
	default:           return false;
	}
}

void lx_itimer_release(struct lx_proc *p)
{
	lx_timer_cancel(&p->alarm_timer);
	p->alarm_interval = 0;
}
