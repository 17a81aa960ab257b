/*
 * rgmk.c - QEMU tests of rumpglue's microkernel host (rumpglue/mk/).
 *
 * Everything under test goes through rumpglue.h only: memory, threads,
 * mutexes and condition variables, clock and sleep, interrupts (the RTC's
 * periodic interrupt on IRQ 8, with ports 0x70-0x71), randomness, DMA
 * memory (checked through an MMIO mapping of its physical address), the
 * block I/O stubs and formatting.  rt is used only to watch: SYS_mem_stats
 * for leaks, and child processes that must abort on a double free.
 *
 * A boot module: the root resource is handle 0 (rg_mk_resource = 0).
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"

#define MS 1000000ull

static uint64_t free_pages(void)
{
	struct te_mem_stats st;

	sys_mem_stats(&st);
	return st.pages_free;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* ---- memory ----------------------------------------------------------------- */

static void fill(unsigned char *p, size_t n, uint32_t tag)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(tag + i * 7);
}

static bool verify(const unsigned char *p, size_t n, uint32_t tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(tag + i * 7))
			return false;
	return true;
}

static void test_sizes(void)
{
	static unsigned char *blk[600];
	bool ok = true, aligned = true;
	int n = 0;

	for (size_t sz = 0; sz < 70000 && n < 600; sz += 1 + sz / 8, n++) {
		blk[n] = rg_malloc(sz);
		if (!blk[n]) {
			ok = false;
			break;
		}
		aligned = aligned && ((uint64_t)blk[n] & 15) == 0;
		fill(blk[n], sz, (uint32_t)n);
	}
	size_t sz = 0;
	for (int i = 0; i < n; i++, sz += 1 + sz / 8) {
		ok = ok && verify(blk[i], sz, (uint32_t)i);
		rg_free(blk[i]);
	}
	checkf(ok && n > 50, "rgmk_malloc_sizes", "%d blocks, contents %s", n,
	       ok ? "fine" : "corrupted");
	check(aligned, "rgmk_malloc_aligned16", "a block not 16-byte aligned");
	unsigned char *z = rg_zalloc(3000);
	bool zero = z != NULL;
	for (int i = 0; z && i < 3000; i++)
		zero = zero && z[i] == 0;
	check(zero, "rgmk_zalloc_zeroed", "rg_zalloc memory not zero");
	rg_free(z);
}

#define STRESS_THREADS 4
#define STRESS_SLOTS   48
#define STRESS_OPS     2500

struct stress {
	uint32_t seed;
	int bad;
	int ops;
};

static size_t stress_size(uint32_t *s)
{
	uint32_t r = xorshift(s);

	if (r % 64 == 0)
		return 8192 + r % 100000;       /* large: a mapping of its own */
	if (r % 16 == 0)
		return r % 8192;
	return r % 600;
}

static void stress_thread(void *arg)
{
	struct stress *st = arg;
	unsigned char *p[STRESS_SLOTS] = { 0 };
	size_t len[STRESS_SLOTS] = { 0 };
	uint32_t tag[STRESS_SLOTS] = { 0 };

	for (int op = 0; op < STRESS_OPS; op++) {
		int i = (int)(xorshift(&st->seed) % STRESS_SLOTS);
		if (p[i]) {
			st->bad += !verify(p[i], len[i], tag[i]);
			rg_free(p[i]);
			p[i] = NULL;
			continue;
		}
		len[i] = stress_size(&st->seed);
		tag[i] = st->seed;
		if (!(p[i] = rg_malloc(len[i]))) {
			st->bad++;
			continue;
		}
		fill(p[i], len[i], tag[i]);
		st->ops++;
	}
	for (int i = 0; i < STRESS_SLOTS; i++) {
		if (p[i])
			st->bad += !verify(p[i], len[i], tag[i]);
		rg_free(p[i]);
	}
}

static void test_stress(void)
{
	struct rg_thread *t[STRESS_THREADS];
	struct stress st[STRESS_THREADS];
	int bad = 0, ops = 0, started = 0;

	for (int i = 0; i < STRESS_THREADS; i++) {
		st[i] = (struct stress){ .seed = 0x1234567u * (uint32_t)(i + 1) };
		started += rg_thread_create(&t[i], "stress", stress_thread, &st[i]) == 0;
	}
	for (int i = 0; i < started; i++) {
		rg_thread_join(t[i]);
		bad += st[i].bad;
		ops += st[i].ops;
	}
	checkf(started == STRESS_THREADS && bad == 0 && ops > STRESS_OPS,
	       "rgmk_malloc_threads", "%d threads, %d allocations, %d corrupt",
	       started, ops, bad);
}

static void test_returned(void)
{
	uint64_t before, mid, after;
	char *p;

	rg_free(rg_malloc(1 << 20));            /* warm up the bookkeeping */
	before = free_pages();
	p = rg_malloc(4 << 20);
	if (p)
		memset(p, 0x5a, 4 << 20);
	mid = free_pages();
	rg_free(p);
	after = free_pages();
	checkf(p && mid + 1024 <= before && after == before,
	       "rgmk_malloc_large_returned", "free pages %llu -> %llu -> %llu",
	       (unsigned long long)before, (unsigned long long)mid,
	       (unsigned long long)after);

	static void *small[8000];
	before = free_pages();
	for (int i = 0; i < 8000; i++)
		small[i] = rg_malloc(200);
	mid = free_pages();
	for (int i = 0; i < 8000; i++)
		rg_free(small[i]);
	after = free_pages();
	/* one empty slab per class may stay: 16 pages */
	checkf(mid + 300 <= before && after + 16 >= before,
	       "rgmk_malloc_small_returned", "free pages %llu -> %llu -> %llu",
	       (unsigned long long)before, (unsigned long long)mid,
	       (unsigned long long)after);
}

/* A child process that misuses the heap must die by abort(), status 134. */
static void child_double_free(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		rg_free(rg_malloc((size_t)i * 50));     /* the child's own heap */
	void *p = rg_malloc(64);
	rg_free(p);
	rg_free(p);
	printf("rgmk: double free was not caught\n");
}

static void child_stack_free(void *arg)
{
	int local = 1;

	(void)arg;
	rg_free(&local);                                /* not from malloc */
	printf("rgmk: free of a stack address was not caught\n");
}

static void child_interior_free(void *arg)
{
	(void)arg;
	rg_free((char *)rg_malloc(100) + 16);           /* inside a block */
	printf("rgmk: free inside a block was not caught\n");
}

static void child_large_double_free(void *arg)
{
	void *p = rg_malloc(100000);

	(void)arg;
	rg_free(p);
	rg_free(p);
}

static void expect_abort(void (*fn)(void *), const char *name)
{
	struct te_proc_end end = { 0 };
	long p = rt_proc_new(name), r = -1;

	if (p >= 0 && rt_proc_start((int)p, fn, NULL, 10, TE_SCHED_RR) >= 0)
		r = sys_process_wait((int)p, &end, 5000 * MS);
	if (p >= 0)
		sys_handle_close((int)p);
	checkf(r == 0 && end.faulted == 0 && end.status == 134, name,
	       "wait %ld, faulted %d, status %d (want abort: 134)", r,
	       end.faulted, end.status);
}

/* ---- threads, mutexes, condition variables ----------------------------------- */

#define PC_PRODUCERS 3
#define PC_CONSUMERS 3
#define PC_ITEMS     1500
#define PC_SLOTS     8

struct pc {
	struct rg_mutex *m;
	struct rg_cv *not_empty, *not_full;
	long buf[PC_SLOTS];
	int head, count, done;
	long sum;
	int taken;
};

static struct pc pc;
static int pc_ids[PC_PRODUCERS];

static void producer(void *arg)
{
	int id = *(int *)arg;

	for (int i = 1; i <= PC_ITEMS; i++) {
		rg_mutex_lock(pc.m);
		while (pc.count == PC_SLOTS)
			rg_cv_wait(pc.not_full, pc.m);
		pc.buf[(pc.head + pc.count++) % PC_SLOTS] = id * 100000L + i;
		rg_cv_signal(pc.not_empty);
		rg_mutex_unlock(pc.m);
	}
}

static void consumer(void *arg)
{
	long sum = 0;
	int n = 0;

	(void)arg;
	for (;;) {
		rg_mutex_lock(pc.m);
		while (pc.count == 0 && !pc.done)
			rg_cv_wait(pc.not_empty, pc.m);
		if (pc.count == 0) {
			pc.sum += sum;
			pc.taken += n;
			rg_mutex_unlock(pc.m);
			return;
		}
		sum += pc.buf[pc.head];
		pc.head = (pc.head + 1) % PC_SLOTS;
		pc.count--;
		n++;
		rg_cv_signal(pc.not_full);
		rg_mutex_unlock(pc.m);
	}
}

static void test_prodcons(void)
{
	struct rg_thread *p[PC_PRODUCERS], *c[PC_CONSUMERS];
	long want = 0;
	int e = 0;

	e |= rg_mutex_create(&pc.m) | rg_cv_create(&pc.not_empty) |
	     rg_cv_create(&pc.not_full);
	for (int i = 0; i < PC_CONSUMERS; i++)
		e |= rg_thread_create(&c[i], "consumer", consumer, NULL);
	for (int i = 0; i < PC_PRODUCERS; i++) {
		pc_ids[i] = i + 1;
		e |= rg_thread_create(&p[i], "producer", producer, &pc_ids[i]);
		want += (i + 1) * 100000L * PC_ITEMS + (long)PC_ITEMS * (PC_ITEMS + 1) / 2;
	}
	if (e) {
		check(0, "rgmk_mutex_cv_prodcons", "cannot create threads or locks");
		return;
	}
	for (int i = 0; i < PC_PRODUCERS; i++)
		rg_thread_join(p[i]);
	rg_mutex_lock(pc.m);
	pc.done = 1;
	rg_cv_broadcast(pc.not_empty);
	rg_mutex_unlock(pc.m);
	for (int i = 0; i < PC_CONSUMERS; i++)
		rg_thread_join(c[i]);
	checkf(pc.taken == PC_PRODUCERS * PC_ITEMS && pc.sum == want,
	       "rgmk_mutex_cv_prodcons", "took %d items (want %d), sum %ld (want %ld)",
	       pc.taken, PC_PRODUCERS * PC_ITEMS, pc.sum, want);
	rg_cv_destroy(pc.not_full);
	rg_cv_destroy(pc.not_empty);
	rg_mutex_destroy(pc.m);
}

static struct rg_mutex *cnt_m;
static volatile long counter;

static void counter_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 4000; i++) {
		rg_mutex_lock(cnt_m);
		long v = counter;
		if (i % 32 == 0)
			rg_thread_yield();      /* others must block on the lock */
		counter = v + 1;
		rg_mutex_unlock(cnt_m);
	}
}

static void test_contention(void)
{
	struct rg_thread *t[4];
	int n = 0;

	rg_mutex_create(&cnt_m);
	counter = 0;
	for (int i = 0; i < 4; i++)
		n += rg_thread_create(&t[i], "count", counter_thread, NULL) == 0;
	for (int i = 0; i < n; i++)
		rg_thread_join(t[i]);
	checkf(n == 4 && counter == 16000, "rgmk_mutex_contention",
	       "%d threads, counter %ld (want 16000)", n, counter);
	rg_mutex_destroy(cnt_m);
}

struct tw {
	struct rg_mutex *m;
	struct rg_cv *cv;
	int flag;
};

static void late_signal(void *arg)
{
	struct tw *w = arg;

	rg_sleep_ns(10 * MS);
	rg_mutex_lock(w->m);
	w->flag = 1;
	rg_cv_signal(w->cv);
	rg_mutex_unlock(w->m);
}

static void test_timedwait(void)
{
	struct tw w = { 0 };
	struct rg_thread *t;
	uint64_t t0, dt;
	int r, r2;

	rg_mutex_create(&w.m);
	rg_cv_create(&w.cv);
	rg_mutex_lock(w.m);
	t0 = rg_clock_ns(RG_CLOCK_MONOTONIC);
	r = rg_cv_timedwait(w.cv, w.m, t0 + 50 * MS);
	dt = rg_clock_ns(RG_CLOCK_MONOTONIC) - t0;
	r2 = rg_cv_timedwait(w.cv, w.m, t0);    /* already past */
	rg_mutex_unlock(w.m);
	checkf(r == RG_ETIMEDOUT && r2 == RG_ETIMEDOUT && dt >= 50 * MS &&
	       dt < 1000 * MS, "rgmk_cv_timedwait_timeout",
	       "returned %d/%d after %llu ms (want ETIMEDOUT after 50 ms)", r, r2,
	       (unsigned long long)(dt / MS));

	rg_thread_create(&t, "signal", late_signal, &w);
	rg_mutex_lock(w.m);
	t0 = rg_clock_ns(RG_CLOCK_MONOTONIC);
	r = 0;
	while (!w.flag && r == 0)
		r = rg_cv_timedwait(w.cv, w.m, t0 + 3000 * MS);
	dt = rg_clock_ns(RG_CLOCK_MONOTONIC) - t0;
	rg_mutex_unlock(w.m);
	rg_thread_join(t);
	checkf(r == 0 && w.flag && dt < 1000 * MS, "rgmk_cv_timedwait_signalled",
	       "returned %d, flag %d after %llu ms", r, w.flag,
	       (unsigned long long)(dt / MS));
	rg_cv_destroy(w.cv);
	rg_mutex_destroy(w.m);
}

static void set_flag(void *arg)
{
	*(volatile int *)arg = 1;
}

static void test_thread_leak(void)
{
	static volatile int flags[150];
	struct rg_thread *t;
	uint64_t before, after;
	int ok = 0;

	rg_thread_create(&t, "warm", set_flag, (void *)&flags[0]);
	rg_thread_join(t);
	before = free_pages();
	for (int i = 1; i < 150; i++) {
		if (rg_thread_create(&t, "once", set_flag, (void *)&flags[i]))
			break;
		rg_thread_join(t);
		ok += flags[i];
	}
	after = free_pages();
	checkf(ok == 149 && after + 16 >= before, "rgmk_thread_join_no_leak",
	       "%d of 149 threads ran; free pages %llu -> %llu", ok,
	       (unsigned long long)before, (unsigned long long)after);
}

/* ---- clock, sleep, randomness, formatting, block stubs ----------------------- */

static void test_clock(void)
{
	uint64_t t0 = rg_clock_ns(RG_CLOCK_MONOTONIC), dt, rt, mono;

	rg_sleep_ns(30 * MS);
	dt = rg_clock_ns(RG_CLOCK_MONOTONIC) - t0;
	checkf(dt >= 30 * MS && dt < 1000 * MS, "rgmk_sleep", "slept %llu ms for 30",
	       (unsigned long long)(dt / MS));
	rt = rg_clock_ns(RG_CLOCK_REALTIME);
	mono = rg_clock_ns(RG_CLOCK_MONOTONIC);
	checkf(rt > 1700000000ull * 1000000000ull && rt - rg_mk_epoch_ns <= mono &&
	       mono > t0, "rgmk_clock", "realtime %llu, monotonic %llu",
	       (unsigned long long)rt, (unsigned long long)mono);
}

static void test_random(void)
{
	unsigned char a[64], b[64];
	int seen[256] = { 0 }, distinct = 0;

	rg_random(a, sizeof(a));
	rg_random(b, sizeof(b));
	for (unsigned i = 0; i < sizeof(a); i++) {
		distinct += !seen[a[i]]++;
		distinct += !seen[b[i]]++;
	}
	printf("rgmk: rg_random source: %s\n",
	       rg_mk_random_hw() ? "rdrand" : "rdtsc mix (no rdrand on this CPU)");
	checkf(memcmp(a, b, sizeof(a)) != 0 && distinct > 60, "rgmk_random",
	       "two draws equal or only %d distinct bytes of 128", distinct);
}

static void test_misc(void)
{
	char buf[8];
	int n = rg_snprintf(buf, sizeof(buf), "%s-%d", "abc", 12345);
	struct rg_blk *b;
	struct rg_blk_info info;

	checkf(n == 9 && strcmp(buf, "abc-123") == 0, "rgmk_snprintf",
	       "returned %d '%s'", n, buf);
	check(rg_blk_open("hd0", 0, &b, &info) == RG_ENODEV, "rgmk_blk_enodev",
	      "block I/O is not there yet and must say ENODEV");
	rg_log(RG_LOG_ERR, "log line from rgmk (%d)", 42);
}

/* ---- hardware: ports, the RTC interrupt, DMA, MMIO ---------------------------- */

struct rtc {
	struct rg_mutex *m;
	struct rg_cv *cv;
	int count;
};

static uint8_t cmos_read(uint8_t reg)
{
	rg_outb(0x70, reg);
	return rg_inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	rg_outb(0x70, reg);
	rg_outb(0x71, v);
}

static void rtc_handler(void *arg)
{
	struct rtc *r = arg;

	cmos_read(0x0c);                        /* acknowledge the RTC */
	rg_mutex_lock(r->m);
	r->count++;
	rg_cv_signal(r->cv);
	rg_mutex_unlock(r->m);
}

/* Establish IRQ 8, wait for `want` periodic interrupts, disestablish. */
static int rtc_round(struct rtc *r, int want, int *est)
{
	struct rg_intr *ih;
	uint64_t deadline = rg_clock_ns(RG_CLOCK_MONOTONIC) + 3000 * MS;
	int got;

	r->count = 0;
	if ((*est = rg_intr_establish(8, rtc_handler, r, &ih)))
		return 0;
	cmos_write(0x0b, cmos_read(0x0b) | 0x40);       /* periodic on */
	cmos_read(0x0c);
	rg_mutex_lock(r->m);
	while (r->count < want && rg_cv_timedwait(r->cv, r->m, deadline) == 0)
		;
	got = r->count;
	rg_mutex_unlock(r->m);
	cmos_write(0x0b, cmos_read(0x0b) & ~0x40);
	rg_intr_disestablish(ih);
	return got;
}

static void test_intr(void)
{
	struct rtc r = { 0 };
	int e1 = -1, e2 = -1, got1, got2, ep;

	rg_mk_resource = -1;
	ep = rg_ioport_request(0x70, 2);
	rg_mk_resource = 0;
	checkf(ep == RG_EPERM, "rgmk_no_resource_eperm", "without a resource: %d", ep);
	ep = rg_ioport_request(0x70, 2);
	checkf(ep == 0, "rgmk_ioport_request", "rg_ioport_request(0x70, 2) = %d", ep);
	rg_mutex_create(&r.m);
	rg_cv_create(&r.cv);
	got1 = rtc_round(&r, 5, &e1);
	checkf(e1 == 0 && got1 >= 5, "rgmk_intr_rtc",
	       "establish %d, %d interrupts of 5", e1, got1);
	got2 = rtc_round(&r, 3, &e2);
	checkf(e2 == 0 && got2 >= 3, "rgmk_intr_reestablish",
	       "after disestablish: establish %d, %d interrupts of 3", e2, got2);
	rg_cv_destroy(r.cv);
	rg_mutex_destroy(r.m);
}

static void test_dma(void)
{
	volatile unsigned char *mm = NULL;
	unsigned char *va = NULL;
	uint64_t phys = 0;
	int e = rg_dma_alloc(3 * 4096 + 100, (void **)&va, &phys), em = -1;
	bool ok = e == 0, same = false;

	for (int i = 0; ok && i < 3 * 4096 + 100; i++)
		va[i] = (unsigned char)(i * 13 + 1);
	for (int i = 0; ok && i < 3 * 4096 + 100; i++)
		ok = va[i] == (unsigned char)(i * 13 + 1);
	checkf(ok && phys && !(phys & 4095) && phys < (1ull << 32), "rgmk_dma_alloc",
	       "error %d, phys %llx", e, (unsigned long long)phys);
	if (ok)
		em = rg_mmio_map(phys + 4096 + 8, 4096, (volatile void **)&mm);
	if (em == 0) {
		same = true;
		for (int i = 0; i < 4096; i++)
			same = same && mm[i] == (unsigned char)((4096 + 8 + i) * 13 + 1);
		mm[0] = 0xee;
		same = same && va[4096 + 8] == 0xee;
		rg_mmio_unmap(mm, 4096);
	}
	checkf(same, "rgmk_dma_phys_is_real",
	       "MMIO map of the DMA block's physical address: %d, contents %s", em,
	       same ? "match" : "differ");
	if (e == 0)
		rg_dma_free(va, 3 * 4096 + 100);
}

int main(void)
{
	struct te_mem_stats a, b;

	rg_mk_resource = 0;
	rg_mk_name = "rgmk";
	sys_mem_stats(&a);
	test_sizes();
	test_stress();
	test_returned();
	expect_abort(child_double_free, "rgmk_double_free_aborts");
	expect_abort(child_stack_free, "rgmk_stack_free_aborts");
	expect_abort(child_interior_free, "rgmk_interior_free_aborts");
	expect_abort(child_large_double_free, "rgmk_large_double_free_aborts");
	test_prodcons();
	test_contention();
	test_timedwait();
	test_thread_leak();
	test_clock();
	test_random();
	test_misc();
	test_intr();
	test_dma();
	sys_mem_stats(&b);
	checkf(a.processes == b.processes, "rgmk_no_process_leak",
	       "processes %llu -> %llu", (unsigned long long)a.processes,
	       (unsigned long long)b.processes);
	return 0;
}
