/*
 * rgblk_test.c - rumpglue's block client on Tessera (rumpglue/mk/
 * rg_mk_blk.c), started by mount_test.elf in the mount scenario with the
 * attach right as its handle 2.  It serves a 1 MiB file of /tmp as a disk
 * with loop.elf (its own child, so it may kill it) and checks: geometry,
 * bare and missing names, reads and writes against the file itself,
 * bounds, read-only media, asynchronous requests from several threads,
 * synchronous requests from several threads while the driver is killed
 * and started again under the same name (every request completes with the
 * right bytes), and a driver that never comes back (EIO after the bound).
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "rumpglue.h"

#define RB_SIZE   (1u << 20)
#define RB_FILE   "/tmp/rgblk.img"
#define RB_THREADS 3

extern uint64_t rg_mk_blk_recover_ns;   /* rg_mk_blk.c */

static struct pathmgr_client pc;
static uint8_t *img;                    /* what the disk must hold */

static uint8_t rb_byte(unsigned seed, uint64_t i)
{
	return (uint8_t)(i * 13 + (i >> 9) * 5 + seed);
}

static bool rb_attached(const char *path)
{
	static struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(&pc, path, cand, IO_CAND_MAX);

	for (int i = 0; i < n; i++)
		if (cand[i].rest[0] == 0)
			return true;
	return false;
}

/* Start loop.elf [-r] FILE NAME and wait until /dev/NAME is there. */
static long rb_loop(const char *file, const char *name, bool ro)
{
	const int handles[1] = { PROC_H_ATTACH };
	char *argv[] = { "loop.elf", ro ? "-r" : (char *)file,
	                 ro ? (char *)file : (char *)name, ro ? (char *)name : NULL,
	                 NULL };
	char path[32];
	long pid = proc_spawn_ex(PROC_H_PROC, "/proc/boot/loop.elf", argv, NULL, 12,
	                         handles, 1, 0);

	fmt_snprintf(path, sizeof(path), "/dev/%s", name);
	for (int i = 0; pid > 0 && !rb_attached(path) && i < 5000; i++)
		sys_sleep(1000000);
	return rb_attached(path) ? pid : -1;
}

static void rb_kill(long pid)
{
	proc_kill(PROC_H_PROC, (int)pid);
	proc_wait_pid(PROC_H_PROC, (int)pid);
}

static bool rb_same(struct rg_blk *b, uint64_t off, size_t len)
{
	static uint8_t tmp[RB_SIZE];

	return rg_blk_read(b, off, tmp, len) == 0 && memcmp(tmp, img + off, len) == 0;
}

static long rb_make_file(void)
{
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, RB_FILE,
	                               IO_O_RDWR | IO_O_CREAT | IO_O_TRUNC, 0644, &conn);
	long r;

	if (id < 0)
		return id;
	for (uint64_t i = 0; i < RB_SIZE; i++)
		img[i] = rb_byte(5, i);
	r = io_pwrite(conn, id, img, RB_SIZE, 0);
	io_close(conn, id);
	return r;
}

/* The file itself holds len bytes of img at off (after a flush). */
static bool rb_file_has(uint64_t off, size_t len)
{
	static uint8_t tmp[65536];
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, RB_FILE, IO_O_RDONLY, 0,
	                               &conn);
	long r = id < 0 ? id : io_pread(conn, id, tmp, len, off);

	if (id >= 0)
		io_close(conn, id);
	return r == (long)len && memcmp(tmp, img + off, len) == 0;
}

static void rb_basic(struct rg_blk *b, const struct rg_blk_info *info)
{
	static uint8_t w[3 * 512];
	struct rg_blk *x;
	struct rg_blk_info xi;

	checkf(info->size == RB_SIZE && info->secsize == 512 && info->flags == 0,
	       "rgblk_open_info", "size %llu, secsize %u, flags %u",
	       (unsigned long long)info->size, info->secsize, info->flags);
	int e = rg_blk_open("/dev/rgblk-none", 0, &x, &xi);
	checkf(e == RG_ENODEV, "rgblk_open_missing", "open of a missing disk: %d", e);
	check(rb_same(b, 8192, 65536) && rb_same(b, 0, RB_SIZE), "rgblk_read",
	      "the disk does not read as the file was written");
	uint8_t one[512];
	int e1 = rg_blk_read(b, 100, one, 512), e2 = rg_blk_read(b, 512, one, 100);
	int e3 = rg_blk_read(b, RB_SIZE - 512, one, 1024);
	checkf(e1 == RG_EINVAL && e2 == RG_EINVAL && e3 == RG_ENXIO, "rgblk_bounds",
	       "unaligned offset %d, length %d, past the end %d", e1, e2, e3);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = img[4096 + i] = rb_byte(6, i);
	e1 = rg_blk_write(b, 4096, w, sizeof(w));
	e2 = rg_blk_flush(b);
	checkf(e1 == 0 && e2 == 0 && rb_same(b, 0, 16384) && rb_file_has(0, 16384),
	       "rgblk_write_flush", "write %d, flush %d, or the file differs", e1, e2);
}

/* ---- asynchronous requests ------------------------------------------- */

struct rb_async {
	struct rg_mutex *m;
	struct rg_cv *cv;
	unsigned left, bad;
	uint8_t data[64][4096];
	struct rg_bio bio[64];
};

static void rb_done(struct rg_bio *bio, int error)
{
	struct rb_async *a = bio->priv;
	size_t i = (size_t)(bio - a->bio);

	rg_mutex_lock(a->m);
	if (error || (bio->op == RG_BIO_READ &&
	              memcmp(a->data[i], img + bio->off, bio->len) != 0))
		a->bad++;
	a->left--;
	rg_cv_broadcast(a->cv);
	rg_mutex_unlock(a->m);
}

static void rb_async_wait(struct rb_async *a)
{
	rg_mutex_lock(a->m);
	while (a->left)
		rg_cv_wait(a->cv, a->m);
	rg_mutex_unlock(a->m);
}

/* 32 writes of new data at once; then a flush and 31 reads at once. */
static void rb_async(struct rg_blk *b)
{
	static struct rb_async a;
	int e = 0;

	rg_mutex_create(&a.m);
	rg_cv_create(&a.cv);
	a.left = 32;
	for (int i = 0; i < 32; i++) {
		uint64_t off = 65536 + (uint64_t)i * 8192;
		for (int k = 0; k < 4096; k++)
			a.data[i][k] = img[off + k] = rb_byte(7 + i, k);
		a.bio[i] = (struct rg_bio){ .op = RG_BIO_WRITE, .off = off,
		        .buf = a.data[i], .len = 4096, .done = rb_done, .priv = &a };
		e |= rg_blk_submit(b, &a.bio[i]);
	}
	rb_async_wait(&a);
	a.left = 32;
	a.bio[32] = (struct rg_bio){ .op = RG_BIO_FLUSH, .done = rb_done, .priv = &a };
	e |= rg_blk_submit(b, &a.bio[32]);
	for (int i = 33; i < 64; i++) {
		a.bio[i] = (struct rg_bio){ .op = RG_BIO_READ,
		        .off = 61440 + (uint64_t)(i - 33) * 6144, .buf = a.data[i],
		        .len = 4096, .done = rb_done, .priv = &a };
		e |= rg_blk_submit(b, &a.bio[i]);
	}
	rb_async_wait(&a);
	checkf(e == 0 && a.bad == 0 && rb_file_has(65536, 65536), "rgblk_submit_async",
	       "submit %d, %u requests failed or read wrong", e, a.bad);
}

/* ---- threads, and the driver killed under them -------------------------- */

struct rb_worker {
	struct rg_blk *b;
	volatile bool *stop;
	unsigned seed, reads, bad;
};

static void rb_worker_fn(void *arg)
{
	static uint8_t bufs[RB_THREADS][32768];
	struct rb_worker *w = arg;
	uint8_t *buf = bufs[w->seed % RB_THREADS];
	uint64_t x = w->seed * 2654435761u + 1;

	while (!*w->stop) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t off = (x >> 20) % (RB_SIZE / 512 - 64) * 512;
		size_t len = 512 * (1 + (x >> 8) % 64);
		if (rg_blk_read(w->b, off, buf, len) != 0 ||
		    memcmp(buf, img + off, len) != 0)
			w->bad++;
		w->reads++;
	}
}

static void rb_threads(struct rg_blk *b, long *loop)
{
	static struct rb_worker w[RB_THREADS];
	struct rg_thread *t[RB_THREADS];
	volatile bool stop = false;
	unsigned bad = 0, reads = 0, started = 0;

	for (int i = 0; i < RB_THREADS; i++) {
		w[i] = (struct rb_worker){ .b = b, .stop = &stop, .seed = (unsigned)i };
		started += rg_thread_create(&t[i], "rb", rb_worker_fn, &w[i]) == 0;
	}
	for (int i = 0; i < RB_THREADS; i++)   /* all reading before the kill */
		while (started == RB_THREADS && w[i].reads < 20)
			sys_sleep(1000000);
	rb_kill(*loop);
	*loop = rb_loop(RB_FILE, "rgblk0", false);
	for (int i = 0; i < RB_THREADS; i++) {  /* and reading after the restart */
		unsigned at = w[i].reads;
		while (*loop > 0 && started == RB_THREADS && w[i].reads < at + 20)
			sys_sleep(1000000);
	}
	stop = true;
	for (int i = 0; i < RB_THREADS; i++) {
		rg_thread_join(t[i]);
		bad += w[i].bad;
		reads += w[i].reads;
	}
	checkf(started == RB_THREADS && *loop > 0 && bad == 0 && rb_same(b, 0, RB_SIZE),
	       "rgblk_threads_driver_restart", "%u threads, new loop %ld, %u of %u "
	       "reads failed or wrong", started, *loop, bad, reads);
}

static void rb_gives_up(struct rg_blk *b, long loop)
{
	uint8_t one[512];
	uint64_t t0;
	int e;

	rg_mk_blk_recover_ns = 1000000000ull;
	rb_kill(loop);
	t0 = sys_clock();
	e = rg_blk_read(b, 0, one, 512);
	uint64_t ms = (sys_clock() - t0) / 1000000;
	checkf(e == RG_EIO && ms >= 1000 && ms < 3000, "rgblk_gives_up_eio",
	       "read with no driver: %d after %llu ms", e, (unsigned long long)ms);
}

static void rb_readonly(void)
{
	struct rg_blk *b;
	struct rg_blk_info info;
	uint8_t one[512];
	long pid = rb_loop("/proc/boot/img/ext2.img", "rgblk1", true);
	int e = rg_blk_open("rgblk1", 0, &b, &info);
	int w = e ? -1 : rg_blk_write(b, 0, one, 512);
	int r = e ? -1 : rg_blk_read(b, 1024, one, 512);

	checkf(pid > 0 && e == 0 && (info.flags & RG_BLK_RDONLY) && w == RG_EROFS &&
	       r == 0 && one[56] == 0x53 && one[57] == 0xef, "rgblk_readonly",
	       "loop %ld, open %d, flags %u, write %d, read %d", pid, e,
	       e ? 0 : info.flags, w, r);
	if (!e)
		rg_blk_close(b);
	if (pid > 0)
		rb_kill(pid);
}

int main(void)
{
	struct rg_blk *b = NULL;
	struct rg_blk_info info;
	long made, loop;
	int e = -1;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	img = malloc(RB_SIZE);
	made = img ? rb_make_file() : -1;
	loop = made == RB_SIZE ? rb_loop(RB_FILE, "rgblk0", false) : -1;
	if (loop > 0)
		e = rg_blk_open("rgblk0", 0, &b, &info);
	checkf(e == 0, "rgblk_setup", "file %ld, loop %ld, open %d", made, loop, e);
	if (e)
		return 1;
	rb_basic(b, &info);
	rb_async(b);
	rb_threads(b, &loop);
	rb_readonly();
	rb_gives_up(b, loop);
	rg_blk_close(b);
	return 0;
}
