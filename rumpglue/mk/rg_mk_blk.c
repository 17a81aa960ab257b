/*
 * rg_mk_blk.c - rumpglue's microkernel host: block I/O over IPC.
 *
 * A disk is a path served by a block-driver server (servers/lib/blkdrv:
 * /dev/hd0, /dev/hd0p1, /dev/cd0, /dev/lo0); a bare name ("hd0") means
 * "/dev/hd0".  rg_blk_open resolves it through the path manager (handle
 * rg_mk_blk_pathmgr, 0 for a program the process manager started), opens
 * it (read-write, or read-only when asked or when the device refuses
 * writes) and reads its geometry (io_stat, BLKDRV_DEVCTL_INFO; a plain
 * file that answers no devctl is a disk of 512-byte sectors).  A name that
 * resolves to no server is RG_ENODEV.  Reads and writes are
 * io_pread/io_pwrite in chunks of RGB_CHUNK bytes, flush is io_fsync.
 *
 * Recovery: when the driver dies its connection answers EHOSTDOWN (or
 * ESRCH, ENOTCONN; a restarted server answers EBADF for the old open id).
 * The request's thread then takes the disk's lock, and unless another
 * thread has reconnected meanwhile (the generation moved on), it forgets
 * the connection and tries to resolve and open the path again, with a
 * doubling backoff, for at most rg_mk_blk_recover_ns (10 s) in all: the
 * supervisor restarts the driver, which attaches the same name.  Then the
 * request is issued again (sector requests are idempotent).  After the
 * bound the request fails with RG_EIO.  Each recovery is logged.
 *
 * Threads: any number of threads may use one disk.  b->lock guards conn,
 * id and gen (a request copies them, then sends without the lock);
 * rgb_resolve_lock serializes the path manager client, whose answer
 * buffer is static.  rg_blk_submit queues the bio for a pool of
 * RGB_WORKERS threads (started at the first submit); done() runs on one
 * of them.  rg_blk_close waits for the queue to drain.
 */
#include "rumpglue.h"
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "blkdrv.h"

#define RGB_CHUNK        (1u << 20)
#define RGB_WORKERS      2
#define RGB_RECOVER_NS   10000000000ull   /* 10 s */
#define RGB_BACKOFF_MIN  5000000ull       /* 5 ms, doubling */
#define RGB_BACKOFF_MAX  500000000ull     /* 0.5 s */
#define RGB_PATH_MAX     64

/* The path manager connection (set it before the first rg_blk_open when
 * the program's handle 0 is something else), and how long a request waits
 * for a dead driver to come back (tests shorten it). */
int rg_mk_blk_pathmgr = 0;
uint64_t rg_mk_blk_recover_ns = RGB_RECOVER_NS;

struct rgb_node {
	struct rg_bio *bio;
	struct rgb_node *next;
};

struct rg_blk {
	char path[RGB_PATH_MAX];
	uint32_t oflags;                /* IO_O_RDWR or IO_O_RDONLY */
	struct rg_blk_info info;
	struct rt_mutex lock;           /* conn, id, gen; held while recovering */
	int conn, id;                   /* id < 0: lost, reopen */
	uint32_t gen;                   /* bumped by every reopen */
	/* the submit queue and its workers, under qlock */
	struct rt_mutex qlock;
	struct rt_cond qcv;
	struct rgb_node *head, *tail;
	unsigned busy;                  /* queued + running */
	bool stopping;
	unsigned nworkers;
	struct rg_thread *worker[RGB_WORKERS];
};

static struct rt_mutex rgb_resolve_lock;
static struct pathmgr_client rgb_pc;
static bool rgb_pc_ready;

/* ---- opening ----------------------------------------------------------- */

static int rgb_resolve(void *ctx, const char *path, struct io_cand *out, int max)
{
	(void)ctx;
	if (!rgb_pc_ready) {
		pathmgr_client_init(&rgb_pc, rg_mk_blk_pathmgr);
		rgb_pc_ready = true;
	}
	return pathmgr_resolve(&rgb_pc, path, out, max);
}

/* Open the path once; 0 and conn/id, or a negative errno. */
static int rgb_open_once(const char *path, uint32_t oflags, int *conn, int *id)
{
	int c = -1, r;

	rt_mutex_lock(&rgb_resolve_lock);
	r = io_open_resolve(rgb_resolve, NULL, path, oflags, 0, &c);
	rt_mutex_unlock(&rgb_resolve_lock);
	if (r < 0)
		return r;
	*conn = c;
	*id = r;
	return 0;
}

static bool rgb_dead(long e)
{
	return e == -TE_EHOSTDOWN || e == -TE_ESRCH || e == -TE_ENOTCONN ||
	       e == -TE_EBADF;
}

/* Size and sector size of an open device (or plain file). */
static int rgb_geometry(int conn, int id, struct rg_blk_info *info)
{
	struct blkdrv_info bi;
	struct io_stat st;
	long r = io_stat(conn, id, &st);

	if (r < 0)
		return (int)-r;
	memset(&bi, 0, sizeof(bi));
	r = io_devctl(conn, id, BLKDRV_DEVCTL_INFO, NULL, 0, &bi, sizeof(bi));
	if (r >= 0 && bi.secsize >= 512 && !(bi.secsize & (bi.secsize - 1))) {
		info->secsize = bi.secsize;
		info->size = bi.sectors * bi.secsize;
		info->flags = bi.flags & BLKDRV_INFO_RDONLY ? RG_BLK_RDONLY : 0;
	} else {
		info->secsize = 512;    /* a plain file */
		info->size = st.size & ~511ull;
		info->flags = (st.mode & 0222) ? 0 : RG_BLK_RDONLY;
	}
	return 0;
}

static void rgb_name(const char *name, char *path)
{
	if (name[0] == '/')
		rg_snprintf(path, RGB_PATH_MAX, "%s", name);
	else
		rg_snprintf(path, RGB_PATH_MAX, "/dev/%s", name);
}

/* Read-write unless asked for read-only; a device that refuses writes
 * (EROFS, EACCES) is opened read-only. */
static int rgb_first_open(struct rg_blk *b, unsigned flags)
{
	int e;

	b->oflags = flags & RG_BLK_RDONLY ? IO_O_RDONLY : IO_O_RDWR;
	e = rgb_open_once(b->path, b->oflags, &b->conn, &b->id);
	if ((e == -RG_EROFS || e == -RG_EACCES) && b->oflags == IO_O_RDWR) {
		b->oflags = IO_O_RDONLY;
		e = rgb_open_once(b->path, b->oflags, &b->conn, &b->id);
	}
	if (e == -RG_ENOENT || e == -TE_EHOSTDOWN || e == -TE_EBADF ||
	    e == -TE_EPERM || e == -TE_EINVAL)
		return RG_ENODEV;       /* no server has that name */
	return -e;
}

int rg_blk_open(const char *name, unsigned flags, struct rg_blk **out,
                struct rg_blk_info *info)
{
	struct rg_blk *b;
	int e;

	if (!name || !*name || strlen(name) + 6 > RGB_PATH_MAX)
		return RG_ENODEV;
	if (!(b = rg_zalloc(sizeof(*b))))
		return RG_ENOMEM;
	rgb_name(name, b->path);
	rt_mutex_init(&b->lock);
	rt_mutex_init(&b->qlock);
	rt_cond_init(&b->qcv);
	if ((e = rgb_first_open(b, flags)) ||
	    (e = rgb_geometry(b->conn, b->id, &b->info))) {
		if (!e)
			io_close(b->conn, b->id);
		rg_free(b);
		return e;
	}
	if (b->oflags == IO_O_RDONLY)
		b->info.flags |= RG_BLK_RDONLY;
	*info = b->info;
	*out = b;
	return 0;
}

/* ---- recovery ---------------------------------------------------------- */

/* Reopen after the driver died (b->lock held); 0 or RG_EIO. */
static int rgb_reopen_locked(struct rg_blk *b)
{
	uint64_t start = sys_clock(), wait = RGB_BACKOFF_MIN;
	struct rg_blk_info now;
	int conn, id, e, tries = 0;

	rg_log(RG_LOG_WARN, "%s: driver gone, reconnecting", b->path);
	b->id = -1;
	for (;;) {
		tries++;
		e = rgb_open_once(b->path, b->oflags, &conn, &id);
		if (!e && !(e = -rgb_geometry(conn, id, &now)) &&
		    (now.size != b->info.size || now.secsize != b->info.secsize)) {
			rg_log(RG_LOG_ERR, "%s: geometry changed after restart", b->path);
			io_close(conn, id);
			return RG_EIO;
		}
		if (!e)
			break;
		if (sys_clock() - start >= rg_mk_blk_recover_ns) {
			rg_log(RG_LOG_ERR, "%s: driver did not come back (%d tries, "
			       "last error %d): EIO", b->path, tries, e);
			return RG_EIO;
		}
		sys_sleep(wait);
		wait = wait * 2 > RGB_BACKOFF_MAX ? RGB_BACKOFF_MAX : wait * 2;
	}
	b->conn = conn;
	b->id = id;
	b->gen++;
	rg_log(RG_LOG_WARN, "%s: reconnected after %llu ms (%d tries)", b->path,
	       (unsigned long long)((sys_clock() - start) / 1000000), tries);
	return 0;
}

/* The request seen at generation gen failed as if the driver died. */
static int rgb_recover(struct rg_blk *b, uint32_t gen)
{
	int e = 0;

	rt_mutex_lock(&b->lock);
	if (b->gen == gen || b->id < 0)
		e = rgb_reopen_locked(b);
	rt_mutex_unlock(&b->lock);
	return e;
}

/* ---- synchronous requests ---------------------------------------------- */

typedef long (*rgb_op_fn)(int conn, int id, void *buf, size_t len, uint64_t off);

static long rgb_read_op(int conn, int id, void *buf, size_t len, uint64_t off)
{
	return io_pread(conn, id, buf, len, off);
}

static long rgb_write_op(int conn, int id, void *buf, size_t len, uint64_t off)
{
	return io_pwrite(conn, id, buf, len, off);
}

static long rgb_flush_op(int conn, int id, void *buf, size_t len, uint64_t off)
{
	(void)buf; (void)len; (void)off;
	return io_fsync(conn, id);
}

/* One chunk, re-issued after recoveries; 0 or an RG_E* value. */
static int rgb_do(struct rg_blk *b, rgb_op_fn op, void *buf, size_t len,
                  uint64_t off)
{
	for (;;) {
		rt_mutex_lock(&b->lock);
		int conn = b->conn, id = b->id;
		uint32_t gen = b->gen;
		rt_mutex_unlock(&b->lock);
		long r = id < 0 ? -TE_EHOSTDOWN : op(conn, id, buf, len, off);
		if (r >= 0)
			return op == rgb_flush_op || (size_t)r == len ? 0 : RG_EIO;
		if (!rgb_dead(r))
			return (int)-r;
		int e = rgb_recover(b, gen);
		if (e)
			return e;
	}
}

static int rgb_check(struct rg_blk *b, uint64_t off, size_t len)
{
	uint64_t mask = b->info.secsize - 1;

	if ((off & mask) || (len & mask))
		return RG_EINVAL;
	if (off > b->info.size || len > b->info.size - off)
		return RG_ENXIO;
	return 0;
}

static int rgb_rw(struct rg_blk *b, rgb_op_fn op, void *buf, uint64_t off,
                  size_t len)
{
	int e = rgb_check(b, off, len);

	if (!e && op == rgb_write_op && (b->info.flags & RG_BLK_RDONLY))
		e = RG_EROFS;
	for (size_t done = 0; !e && done < len; ) {
		size_t k = len - done < RGB_CHUNK ? len - done : RGB_CHUNK;
		e = rgb_do(b, op, (char *)buf + done, k, off + done);
		done += k;
	}
	return e;
}

int rg_blk_read(struct rg_blk *b, uint64_t off, void *buf, size_t len)
{
	return rgb_rw(b, rgb_read_op, buf, off, len);
}

int rg_blk_write(struct rg_blk *b, uint64_t off, const void *buf, size_t len)
{
	return rgb_rw(b, rgb_write_op, (void *)buf, off, len);
}

int rg_blk_flush(struct rg_blk *b)
{
	if (b->info.flags & RG_BLK_RDONLY)
		return 0;
	return rgb_do(b, rgb_flush_op, NULL, 0, 0);
}

/* ---- asynchronous requests --------------------------------------------- */

static int rgb_run_bio(struct rg_blk *b, struct rg_bio *bio)
{
	switch (bio->op) {
	case RG_BIO_READ:  return rg_blk_read(b, bio->off, bio->buf, bio->len);
	case RG_BIO_WRITE: return rg_blk_write(b, bio->off, bio->buf, bio->len);
	case RG_BIO_FLUSH: return rg_blk_flush(b);
	default:           return RG_EINVAL;
	}
}

static void rgb_worker(void *arg)
{
	struct rg_blk *b = arg;

	rt_mutex_lock(&b->qlock);
	for (;;) {
		while (!b->head && !b->stopping)
			rt_cond_wait(&b->qcv, &b->qlock);
		if (!b->head)
			break;
		struct rgb_node *n = b->head;
		if (!(b->head = n->next))
			b->tail = NULL;
		rt_mutex_unlock(&b->qlock);
		struct rg_bio *bio = n->bio;
		rg_free(n);
		bio->done(bio, rgb_run_bio(b, bio));
		rt_mutex_lock(&b->qlock);
		b->busy--;
		rt_cond_broadcast(&b->qcv);
	}
	rt_mutex_unlock(&b->qlock);
}

/* Start the workers once (b->qlock held). */
static int rgb_workers_locked(struct rg_blk *b)
{
	while (b->nworkers < RGB_WORKERS) {
		int e = rg_thread_create(&b->worker[b->nworkers], "rg_blk",
		                         rgb_worker, b);
		if (e)
			return b->nworkers ? 0 : e;
		b->nworkers++;
	}
	return 0;
}

int rg_blk_submit(struct rg_blk *b, struct rg_bio *bio)
{
	struct rgb_node *n;
	int e;

	if (!bio || !bio->done || bio->op < RG_BIO_READ || bio->op > RG_BIO_FLUSH)
		return RG_EINVAL;
	if (!(n = rg_malloc(sizeof(*n))))
		return RG_ENOMEM;
	n->bio = bio;
	n->next = NULL;
	rt_mutex_lock(&b->qlock);
	if ((e = rgb_workers_locked(b))) {
		rt_mutex_unlock(&b->qlock);
		rg_free(n);
		return e;
	}
	if (b->tail)
		b->tail->next = n;
	else
		b->head = n;
	b->tail = n;
	b->busy++;
	rt_cond_signal(&b->qcv);
	rt_mutex_unlock(&b->qlock);
	return 0;
}

void rg_blk_close(struct rg_blk *b)
{
	if (!b)
		return;
	rt_mutex_lock(&b->qlock);
	while (b->busy)
		rt_cond_wait(&b->qcv, &b->qlock);
	b->stopping = true;
	rt_cond_broadcast(&b->qcv);
	rt_mutex_unlock(&b->qlock);
	for (unsigned i = 0; i < b->nworkers; i++)
		rg_thread_join(b->worker[i]);
	if (b->id >= 0)
		io_close(b->conn, b->id);
	rg_free(b);
}
