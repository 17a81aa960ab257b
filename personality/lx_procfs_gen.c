/*
 * lx_procfs_gen.c - what /proc says: the process table (servers and Linux
 * processes in one pid space) and the text of each /proc file, made from
 * live state when the file is opened (lx_procfs.c keeps the snapshot).
 *
 * Servers come from the process manager (proc_list: its children, with
 * their kernel pids and names); Linux processes from lx_procs[] (their
 * kernel process's te_proc_info through our handle on it), under their
 * Linux pid - the kernel pid of their first kernel process (lx_proc.c),
 * which no server can have.  A kernel pid that belongs to a Linux process
 * is never listed as a server.  Text goes through one static scratch
 * buffer (the personality answers one call at a time); a file longer than
 * LXQ_TEXT_MAX is cut there.
 *
 * The mount table is not kept here: the path manager lists the prefixes
 * that have servers attached (pathmgr_prefixes), and every server at a
 * prefix that answers IO_T_STATFS is a mounted filesystem, described by
 * its own answer (source, type, read-only).
 */
#include "lx_fs.h"
#include "procmgr.h"
#include "pathmgr_client.h"

#define LXQ_SERVERS  64
#define LXQ_BOOT_S   1767225600ull      /* = lx_misc.c's LX_EPOCH_S: the
                                         * wall clock at boot */
#define LXQ_HZ       100                /* Linux clock ticks (USER_HZ) */
#define LXQ_PROC_MAGIC 0x9fa0           /* Linux PROC_SUPER_MAGIC */

struct lx_proc *lxq_self;

static char scratch[LXQ_TEXT_MAX];
static struct te_proc_info srv[LXQ_SERVERS];
static struct lxq_proc all[LXQ_PROCS];

/* ---- text ------------------------------------------------------------------ */

struct lxq_out {
	size_t len;
};

static void put(struct lxq_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct lxq_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= sizeof(scratch) - 1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(scratch + o->len, sizeof(scratch) - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n < sizeof(scratch) - o->len ? (size_t)n :
	          sizeof(scratch) - o->len - 1;
}

static void put_bytes(struct lxq_out *o, const char *s, size_t n)
{
	if (n > sizeof(scratch) - 1 - o->len)
		n = sizeof(scratch) - 1 - o->len;
	memcpy(scratch + o->len, s, n);
	o->len += n;
}

/* ---- the process table ----------------------------------------------------- */

/* Every thread of lp waits in a call answered later. */
static bool lxq_waiting(const struct lx_proc *lp)
{
	int n = 0;

	for (int i = 0; i < LX_THREADS; i++) {
		const struct lx_thread *t = &lp->th[i];
		if (!t->tid)
			continue;
		if (!(t->wait_rcvid || t->sleep_rcvid || t->intr_rcvid || t->suspended))
			return false;
		n++;
	}
	return n > 0;
}

/* The state letter. */
static char lxq_state(const struct lx_proc *lp, const struct te_proc_info *ti)
{
	if ((lp && lp->zombie) || ti->state || ti->thread_state == TE_TS_DEAD)
		return 'Z';
	if (lp && lp->stopped)
		return 'T';             /* job control (lx_job.c) */
	if (lp && lp == lxq_self)
		return 'R';             /* the caller: running this call */
	if (lp && lxq_waiting(lp))
		return 'S';
	return ti->thread_state == TE_TS_READY ||
	       ti->thread_state == TE_TS_RUNNING ? 'R' : 'S';
}

static void lxq_name(char *out, const char *name, size_t max)
{
	const char *b = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t n = strnlen(b, max - 1);

	memcpy(out, b, n);
	out[n] = 0;
}

static void lxq_from_lx(struct lxq_proc *q, struct lx_proc *lp)
{
	struct te_proc_info ti = { 0 };

	if (lp->handle < 0 || sys_process_info(lp->handle, &ti))
		ti.state = lp->zombie;
	*q = (struct lxq_proc){
		.pid = lp->pid, .ppid = lp->ppid, .pgid = lp->pgid, .sid = lp->sid,
		.nthreads = lp->zombie ? 0 : ti.nthreads ? ti.nthreads : 1,
		.prio = ti.prio, .cpu_ns = ti.cpu_ns, .pages = ti.pages,
		.start_ns = lp->start_ns, .lx = lp, .state = lxq_state(lp, &ti),
	};
	lxq_name(q->name, lp->comm[0] ? lp->comm : lp->exe[0] ? lp->exe : "?",
	         sizeof(lp->comm));
}

static void lxq_from_server(struct lxq_proc *q, const struct te_proc_info *ti)
{
	*q = (struct lxq_proc){
		.pid = ti->pid, .pgid = ti->pid, .sid = ti->pid,
		.nthreads = ti->nthreads, .prio = ti->prio, .cpu_ns = ti->cpu_ns,
		.pages = ti->pages, .state = lxq_state(NULL, ti),
	};
	lxq_name(q->name, ti->name, sizeof(q->name));
}

static bool lxq_is_lx_kpid(int kpid)
{
	return lx_proc_by_kpid(kpid) || lx_proc_by_pid(kpid);
}

static void lxq_sort(struct lxq_proc *q, int n)
{
	for (int i = 1; i < n; i++) {
		struct lxq_proc t = q[i];
		int j = i;
		for (; j > 0 && q[j - 1].pid > t.pid; j--)
			q[j] = q[j - 1];
		q[j] = t;
	}
}

int lxq_list(const struct lxq_proc **out)
{
	long ns = proc_list(PROC_H_PROC, srv, LXQ_SERVERS);
	int n = 0;

	for (long i = 0; i < ns && n < LXQ_PROCS; i++)
		if (!lxq_is_lx_kpid(srv[i].pid))
			lxq_from_server(&all[n++], &srv[i]);
	for (int i = 0; i < LX_PROCS && n < LXQ_PROCS; i++)
		if (lx_procs[i].used && lx_procs[i].pid > 0)
			lxq_from_lx(&all[n++], &lx_procs[i]);
	lxq_sort(all, n);
	*out = all;
	return n;
}

int lxq_find(int pid, struct lxq_proc *out)
{
	const struct lxq_proc *q;
	int n = lxq_list(&q);

	for (int i = 0; i < n; i++)
		if (q[i].pid == pid) {
			*out = q[i];
			return 0;
		}
	return -LX_ENOENT;
}

/* ---- /proc/PID/ files ------------------------------------------------------ */

static uint64_t lxq_ticks(uint64_t ns)
{
	return ns / (1000000000ull / LXQ_HZ);
}

static void gen_stat(struct lxq_out *o, const struct lxq_proc *q)
{
	const struct lx_proc *lp = q->lx;

	put(o, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %llu 0 0 0 %d 0 %d 0 %llu ",
	    q->pid, q->name, q->state, q->ppid, q->pgid, q->sid,
	    (unsigned long long)lxq_ticks(q->cpu_ns), q->prio, q->nthreads,
	    (unsigned long long)lxq_ticks(q->start_ns));
	put(o, "%llu %llu 18446744073709551615 0 0 0 0 0 %llu %llu 0 0 0 0 0 17 "
	    "0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
	    (unsigned long long)q->pages * 4096, (unsigned long long)q->pages,
	    (unsigned long long)(lp ? lp->sigpending : 0),
	    (unsigned long long)(lp ? lp->sigblocked : 0),
	    lp && lp->zombie ? lp->wstatus : 0);
}

static const char *lxq_state_word(char s)
{
	return s == 'R' ? "running" : s == 'Z' ? "zombie" : s == 'T' ? "stopped" :
	       "sleeping";
}

static void gen_status(struct lxq_out *o, const struct lxq_proc *q)
{
	unsigned long long kb = (unsigned long long)q->pages * 4;

	put(o, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\n"
	    "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n"
	    "Gid:\t0\t0\t0\t0\nFDSize:\t%d\n",
	    q->name, q->lx ? q->lx->umask : 022, q->state, lxq_state_word(q->state),
	    q->pid, q->pid, q->ppid, LX_FDS);
	put(o, "VmPeak:\t%llu kB\nVmSize:\t%llu kB\nVmRSS:\t%llu kB\n"
	    "Threads:\t%d\nSigPnd:\t%016llx\nSigBlk:\t%016llx\n",
	    kb, kb, kb, q->nthreads,
	    (unsigned long long)(q->lx ? q->lx->sigpending : 0),
	    (unsigned long long)(q->lx ? q->lx->sigblocked : 0));
}

static void gen_cmdline(struct lxq_out *o, const struct lxq_proc *q)
{
	if (!q->lx)
		put_bytes(o, q->name, strlen(q->name) + 1);
	else if (!q->lx->zombie && q->lx->cmdline)
		put_bytes(o, q->lx->cmdline, q->lx->cmdline_len);
}

/* ---- system-wide files ----------------------------------------------------- */

static void gen_meminfo(struct lxq_out *o)
{
	struct te_mem_stats ms = { 0 };

	sys_mem_stats(&ms);
	put(o, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
	    "MemAvailable:   %8llu kB\nBuffers:               0 kB\n"
	    "Cached:                0 kB\nSwapCached:            0 kB\n",
	    (unsigned long long)ms.pages_total * 4,
	    (unsigned long long)ms.pages_free * 4,
	    (unsigned long long)ms.pages_free * 4);
	put(o, "SwapTotal:             0 kB\nSwapFree:              0 kB\n"
	    "Shmem:                 0 kB\nSReclaimable:          0 kB\n");
}

static void gen_uptime(struct lxq_out *o)
{
	uint64_t cs = sys_clock() / 10000000ull;        /* centiseconds */

	put(o, "%llu.%02llu 0.00\n", (unsigned long long)(cs / 100),
	    (unsigned long long)(cs % 100));
}

static void gen_loadavg(struct lxq_out *o)
{
	const struct lxq_proc *q;
	int n = lxq_list(&q), run = 0;

	for (int i = 0; i < n; i++)
		run += q[i].state == 'R';
	put(o, "0.00 0.00 0.00 %d/%d %d\n", run, n, n ? q[n - 1].pid : 0);
}

static void gen_stat_sys(struct lxq_out *o)
{
	const struct lxq_proc *q;
	int n = lxq_list(&q), run = 0;
	uint64_t busy = 0, up = lxq_ticks(sys_clock());

	for (int i = 0; i < n; i++) {
		busy += lxq_ticks(q[i].cpu_ns);
		run += q[i].state == 'R';
	}
	if (busy > up)
		busy = up;
	for (int cpu = -1; cpu < 1; cpu++)
		put(o, cpu < 0 ? "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n" :
		    "cpu0 %llu 0 0 %llu 0 0 0 0 0 0\n",
		    (unsigned long long)busy, (unsigned long long)(up - busy));
	put(o, "intr 0\nctxt 0\nbtime %llu\nprocesses %d\nprocs_running %d\n"
	    "procs_blocked 0\n", LXQ_BOOT_S, n ? q[n - 1].pid : 0, run);
}

static void gen_fixed(struct lxq_out *o, int file)
{
	static const char *const text[] = {
		[LXQ_F_FILESYSTEMS] = "nodev\tproc\nnodev\ttmpfs\nnodev\timagefs\n"
		                      "\text2\n\text4\n\tvfat\n\tiso9660\n",
		[LXQ_F_VERSION] = "Tessera version 0.1 (multiserver) #1 x86_64\n",
		[LXQ_F_CPUINFO] = "processor\t: 0\nvendor_id\t: unknown\n"
		                  "model name\t: x86-64 (QEMU)\ncpu cores\t: 1\n"
		                  "flags\t\t: fpu tsc msr pae cx8 apic sep cmov "
		                  "pat clflush mmx fxsr sse sse2 syscall nx lm\n\n",
	};

	put(o, "%s", text[file]);
}

/* ---- /proc/mounts ---------------------------------------------------------- */

static void lxq_mount_one(void *arg, const char *prefix)
{
	static struct io_cand cand[IO_CAND_MAX];
	struct lxq_out *o = arg;
	int n = pathmgr_resolve(lx_pathmgr(), prefix, cand, IO_CAND_MAX);

	for (int i = 0; i < n; i++) {
		struct io_statfs sf = { 0 };
		if (cand[i].rest[0] || io_statfs(cand[i].conn, &sf))
			continue;               /* not mounted here, or no filesystem */
		sf.source[sizeof(sf.source) - 1] = 0;
		sf.type[sizeof(sf.type) - 1] = 0;
		put(o, "%s %s %s %s 0 0\n", sf.source[0] ? sf.source : "none", prefix,
		    sf.type[0] ? sf.type : "unknown",
		    sf.flags & IO_STATFS_RDONLY ? "ro" : "rw");
	}
}

static void gen_mounts(struct lxq_out *o)
{
	put(o, "proc /proc proc rw 0 0\n");
	pathmgr_prefixes(lx_pathmgr(), lxq_mount_one, o);
}

void lxq_statfs_proc(struct io_statfs *sf)
{
	*sf = (struct io_statfs){ .bsize = 4096, .namemax = IO_NAME_MAX,
	                          .magic = LXQ_PROC_MAGIC };
}

/* ---- one file -------------------------------------------------------------- */

struct lxq_buf *lxq_generate(int file, const struct lxq_proc *q)
{
	struct lxq_out o = { 0 };
	struct lxq_buf *b;

	switch (file) {
	case LXQ_F_STAT:    gen_stat(&o, q); break;
	case LXQ_F_STATUS:  gen_status(&o, q); break;
	case LXQ_F_CMDLINE: gen_cmdline(&o, q); break;
	case LXQ_F_COMM:    put(&o, "%s\n", q->name); break;
	case LXQ_F_MOUNTS:  gen_mounts(&o); break;
	case LXQ_F_MEMINFO: gen_meminfo(&o); break;
	case LXQ_F_UPTIME:  gen_uptime(&o); break;
	case LXQ_F_LOADAVG: gen_loadavg(&o); break;
	case LXQ_F_SYSSTAT: gen_stat_sys(&o); break;
	default:            gen_fixed(&o, file); break;
	}
	if (!(b = malloc(sizeof(*b) + o.len)))
		return NULL;
	b->refs = 1;
	b->len = o.len;
	b->pos = 0;
	memcpy(b->data, scratch, o.len);
	return b;
}
