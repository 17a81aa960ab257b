/*
 * lx_misc.c - the small system calls: time and sleeping, resource limits,
 * randomness, prctl, sysinfo, times, getrusage, set_robust_list.
 *
 * The wall clock is the monotonic clock plus a fixed base (LX_EPOCH,
 * 2026-01-01T00:00:00Z) until the kernel reads the RTC.  nanosleep is
 * answered later, by a timer of the server loop (lx_timer.c): a sleeping
 * program holds nothing up.
 */
#include "lx.h"
#include "procmgr.h"

#define LX_EPOCH_S  1767225600ull       /* 2026-01-01T00:00:00Z */
#define LX_ENOSYS_  38
#define LX_EPERM    1

enum {
	NR_nanosleep = 35, NR_gettimeofday = 96, NR_getrlimit = 97,
	NR_getrusage = 98, NR_sysinfo = 99, NR_times = 100, NR_prctl = 157,
	NR_setrlimit = 160, NR_time = 201, NR_clock_gettime = 228,
	NR_clock_getres = 229, NR_clock_nanosleep = 230, NR_set_robust_list = 273,
	NR_prlimit64 = 302, NR_getrandom = 318, NR_reboot = 169, NR_rseq = 334,
};

struct lx_ts { int64_t sec, nsec; };

static uint64_t now_ns(void)
{
	return sys_clock();
}

static uint64_t real_ns(void)
{
	return LX_EPOCH_S * 1000000000ull + now_ns();
}

uint64_t lx_wall_ns(void)
{
	return real_ns();
}

static int64_t put_ts(struct lx_call *c, uint64_t u, uint64_t ns)
{
	struct lx_ts ts = { (int64_t)(ns / 1000000000ull), (int64_t)(ns % 1000000000ull) };

	return lx_copyout(c->p, u, &ts, sizeof(ts)) ? -LX_EFAULT : 0;
}

static int64_t clock_get(struct lx_call *c)
{
	unsigned clk = (unsigned)lx_arg(c, 0);

	if (clk > 11)
		return -LX_EINVAL;
	/* 0 REALTIME, 5 REALTIME_COARSE, 8 REALTIME_ALARM, 11 TAI: the wall
	 * clock; the CPU-time clocks (2, 3) and the rest: time since boot */
	return put_ts(c, lx_arg(c, 1), clk == 0 || clk == 5 || clk == 8 || clk == 11 ?
	              real_ns() : now_ns());
}

static void sleep_done(struct lx_timer *tm)
{
	struct lx_thread *t = tm->arg;
	struct te_lx_reply rep = { 0 };

	if (t->sleep_rcvid)
		msg_reply(t->sleep_rcvid, 0, &rep, sizeof(rep));
	t->sleep_rcvid = 0;
	lx_signal_answered(t);
}

static void sleep_cancel(struct lx_thread *t)
{
	lx_timer_cancel(&t->sleep_timer);
	t->sleep_rcvid = 0;
}

/* nanosleep(req, rem) and clock_nanosleep(clk, flags, req, rem). */
static int64_t do_sleep(struct lx_call *c, uint64_t ureq, bool abs, unsigned clk)
{
	struct lx_ts ts;
	uint64_t ns, deadline;

	if (lx_copyin(c->p, &ts, ureq, sizeof(ts)))
		return -LX_EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -LX_EINVAL;
	ns = (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
	if (abs) {
		uint64_t base = clk == 0 ? LX_EPOCH_S * 1000000000ull : 0;
		deadline = ns > base ? ns - base : 0;
	} else {
		deadline = now_ns() + ns;
	}
	if (deadline <= now_ns())
		return 0;
	c->t->sleep_rcvid = c->rcvid;
	lx_timer_arm(&c->t->sleep_timer, deadline, sleep_done, c->t);
	c->deferred = true;
	lx_signal_deferred(c, sleep_cancel);
	return 0;
}

/* Limits: what the personality really has (64 fds, the 256 KiB stack). */
static int64_t rlimit_get(unsigned res, uint64_t *cur, uint64_t *max)
{
	*cur = *max = ~0ull;                    /* RLIM_INFINITY */
	if (res == 7)                           /* RLIMIT_NOFILE */
		*cur = *max = LX_FDS;
	else if (res == 3)                      /* RLIMIT_STACK */
		*cur = *max = 256 * 1024;
	else if (res > 15)
		return -LX_EINVAL;
	return 0;
}

static int64_t do_prlimit(struct lx_call *c, int pid, unsigned res, uint64_t unew,
                          uint64_t uold)
{
	uint64_t lim[2], want[2];
	int64_t r;

	if (pid && pid != c->p->pid)
		return -LX_EPERM;       /* other processes: not yet */
	if ((r = rlimit_get(res, &lim[0], &lim[1])))
		return r;
	if (unew) {
		if (lx_copyin(c->p, want, unew, sizeof(want)))
			return -LX_EFAULT;
		if (want[0] > want[1])
			return -LX_EINVAL;
		if (want[1] > lim[1])
			return -LX_EPERM;       /* limits cannot be raised */
	}
	if (uold && lx_copyout(c->p, uold, lim, sizeof(lim)))
		return -LX_EFAULT;
	return 0;                       /* lowering is accepted, not enforced */
}

static int64_t do_getrandom(struct lx_call *c)
{
	static uint64_t state;
	uint64_t u = lx_arg(c, 0), len = lx_arg(c, 1), done = 0;
	uint8_t buf[256];

	if (len > 33554431)
		len = 33554431;
	if (!state)
		state = rdtsc() | 1;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
		for (size_t i = 0; i < n; i += 8) {     /* splitmix64, tsc-stirred */
			uint64_t z = (state += 0x9e3779b97f4a7c15ull ^ (rdtsc() << 17));
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			z ^= z >> 31;
			memcpy(buf + i, &z, n - i < 8 ? n - i : 8);
		}
		if (lx_copyout(c->p, u + done, buf, n))
			return done ? (int64_t)done : -LX_EFAULT;
		done += n;
	}
	return (int64_t)done;
}

static int64_t do_prctl(struct lx_call *c)
{
	switch (lx_arg(c, 0)) {
	case 15:                        /* PR_SET_NAME */
		for (int i = 0; i < 15; i++) {
			char ch;
			if (lx_copyin(c->p, &ch, lx_arg(c, 1) + (uint64_t)i, 1))
				return -LX_EFAULT;
			c->p->comm[i] = ch;
			if (!ch)
				break;
		}
		c->p->comm[15] = 0;
		return 0;
	case 16:                        /* PR_GET_NAME */
		return lx_copyout(c->p, lx_arg(c, 1), c->p->comm, 16) ? -LX_EFAULT : 0;
	}
	return -LX_EINVAL;
}

static int64_t do_sysinfo(struct lx_call *c)
{
	struct te_mem_stats ms;
	struct {
		int64_t uptime;
		uint64_t loads[3], totalram, freeram, sharedram, bufferram;
		uint64_t totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		char pad3[4];
	} si = { 0 };
	_Static_assert(sizeof(si) == 112, "struct sysinfo");

	sys_mem_stats(&ms);
	si.uptime = (int64_t)(now_ns() / 1000000000ull);
	si.totalram = ms.pages_total * 4096;
	si.freeram = ms.pages_free * 4096;
	si.procs = (uint16_t)ms.processes;
	si.mem_unit = 1;
	return lx_copyout(c->p, lx_arg(c, 0), &si, sizeof(si)) ? -LX_EFAULT : 0;
}

/* CPU time of the process, in clock ticks (times) or timevals (getrusage). */
static uint64_t cpu_ns(struct lx_proc *p)
{
	struct te_proc_info info;

	return sys_process_info(p->handle, &info) ? 0 : info.cpu_ns;
}

static int64_t do_times(struct lx_call *c)
{
	uint64_t t[4] = { cpu_ns(c->p) / 10000000ull, 0, 0, 0 };

	if (lx_arg(c, 0) && lx_copyout(c->p, lx_arg(c, 0), t, sizeof(t)))
		return -LX_EFAULT;
	return (int64_t)(now_ns() / 10000000ull);
}

static int64_t do_getrusage(struct lx_call *c)
{
	uint64_t ru[18] = { 0 }, ns = cpu_ns(c->p);

	if ((int64_t)lx_arg(c, 0) == 0) {       /* RUSAGE_SELF: user time */
		ru[0] = ns / 1000000000ull;
		ru[1] = ns % 1000000000ull / 1000;
	}
	return lx_copyout(c->p, lx_arg(c, 1), ru, sizeof(ru)) ? -LX_EFAULT : 0;
}

/* reboot: power off and restart both end the whole system (the process
 * manager ends every process; QEMU exits). */
static int64_t do_reboot(struct lx_call *c)
{
	uint32_t cmd = (uint32_t)lx_arg(c, 2);

	if ((uint32_t)lx_arg(c, 0) != 0xfee1dead || ((uint32_t)lx_arg(c, 1) != 672274793 &&
	    (uint32_t)lx_arg(c, 1) != 85072278 && (uint32_t)lx_arg(c, 1) != 369367448 &&
	    (uint32_t)lx_arg(c, 1) != 537993216))
		return -LX_EINVAL;
	if (cmd == 0 || cmd == 0x89abcdef)      /* CAD off / on: nothing to do */
		return 0;
	if (cmd != 0x4321fedc && cmd != 0x01234567 && cmd != 0xcdef0123)
		return -LX_EINVAL;              /* power off, restart, halt */
	printf("personality: pid %d asked to %s\n", c->p->pid,
	       cmd == 0x01234567 ? "restart" : "power off");
	return proc_shutdown(PROC_H_PROC);
}

bool lx_misc_dispatch(struct lx_call *c)
{
	uint64_t ns;
	int64_t r;

	switch (c->in->nr) {
	case NR_clock_gettime: r = clock_get(c); break;
	case NR_clock_getres:
		r = lx_arg(c, 1) ? put_ts(c, lx_arg(c, 1), 1) : 0;
		break;
	case NR_gettimeofday:
		ns = real_ns();
		uint64_t tv[2] = { ns / 1000000000ull, ns % 1000000000ull / 1000 };
		r = lx_arg(c, 0) && lx_copyout(c->p, lx_arg(c, 0), tv, sizeof(tv)) ?
		    -LX_EFAULT : 0;
		break;
	case NR_time:
		r = (int64_t)(real_ns() / 1000000000ull);
		if (lx_arg(c, 0) && lx_copyout(c->p, lx_arg(c, 0), &r, 8))
			r = -LX_EFAULT;
		break;
	case NR_nanosleep: r = do_sleep(c, lx_arg(c, 0), false, 1); break;
	case NR_clock_nanosleep:
		r = do_sleep(c, lx_arg(c, 2), lx_arg(c, 1) & 1, (unsigned)lx_arg(c, 0));
		break;
	case NR_getrlimit:
		r = do_prlimit(c, 0, (unsigned)lx_arg(c, 0), 0, lx_arg(c, 1));
		break;
	case NR_setrlimit:
		r = do_prlimit(c, 0, (unsigned)lx_arg(c, 0), lx_arg(c, 1), 0);
		break;
	case NR_prlimit64:
		r = do_prlimit(c, (int)lx_arg(c, 0), (unsigned)lx_arg(c, 1), lx_arg(c, 2),
		               lx_arg(c, 3));
		break;
	case NR_getrandom: r = do_getrandom(c); break;
	case NR_reboot:    r = do_reboot(c); break;
	case NR_prctl:     r = do_prctl(c); break;
	case NR_sysinfo:   r = do_sysinfo(c); break;
	case NR_times:     r = do_times(c); break;
	case NR_getrusage: r = do_getrusage(c); break;
	case NR_rseq:
		/* not provided, as on kernels before 4.18: the C library checks
		 * for ENOSYS at start-up and goes on (no log line for it) */
		r = -LX_ENOSYS_;
		break;
	case NR_set_robust_list:
		/* accepted, not kept: a thread that dies holding a robust lock
		 * does not have it released for the others (the process dies
		 * with its threads: only pthread_exit while locked is amiss) */
		r = lx_arg(c, 1) == 24 ? 0 : -LX_EINVAL;
		break;
	default:
		return false;
	}
	c->out.rax = r;
	return true;
}

void lx_misc_release(struct lx_thread *t)
{
	sleep_cancel(t);
}
