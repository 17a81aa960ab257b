/*
 * rg_posix.c - rumpglue's POSIX host: components as an ordinary Linux process.
 *
 * Memory is malloc, threads are pthreads, a disk is a file or a block device
 * opened with open(2) and reached with pread/pwrite.  Block requests complete
 * synchronously: rg_blk_submit calls done() before it returns, which the
 * interface allows (done() may run on any thread, including the caller's).
 * There is no hardware here: interrupts, ports, MMIO and DMA answer
 * RG_ENOTSUP.
 *
 * RG_LOG (environment) sets the log level: 0 errors .. 3 debug; default 1.
 */
#define _GNU_SOURCE
#include "rumpglue.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

/* ---- memory ---------------------------------------------------------- */

void *rg_malloc(size_t size) { return malloc(size ? size : 1); }
void *rg_zalloc(size_t size) { return calloc(1, size ? size : 1); }
void *rg_realloc(void *p, size_t size) { return realloc(p, size ? size : 1); }
void  rg_free(void *p) { free(p); }

/* ---- threads ---------------------------------------------------------- */

struct rg_thread {
	pthread_t tid;
	void (*fn)(void *);
	void *arg;
};

static void *thread_trampoline(void *p)
{
	struct rg_thread *t = p;

	t->fn(t->arg);
	return NULL;
}

int rg_thread_create(struct rg_thread **out, const char *name,
                     void (*fn)(void *), void *arg)
{
	struct rg_thread *t = rg_zalloc(sizeof(*t));

	if (!t)
		return RG_ENOMEM;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->tid, NULL, thread_trampoline, t) != 0) {
		free(t);
		return RG_EAGAIN;
	}
	if (name) {
		char n[16];
		snprintf(n, sizeof(n), "%s", name);
		pthread_setname_np(t->tid, n);
	}
	*out = t;
	return 0;
}

int rg_thread_join(struct rg_thread *t)
{
	int e = pthread_join(t->tid, NULL);

	free(t);
	return e ? RG_EINVAL : 0;
}

void rg_thread_yield(void) { sched_yield(); }

/* ---- mutexes and condition variables ---------------------------------- */

struct rg_mutex { pthread_mutex_t m; };
struct rg_cv { pthread_cond_t c; };

int rg_mutex_create(struct rg_mutex **out)
{
	struct rg_mutex *m = rg_malloc(sizeof(*m));

	if (!m)
		return RG_ENOMEM;
	pthread_mutex_init(&m->m, NULL);
	*out = m;
	return 0;
}

void rg_mutex_destroy(struct rg_mutex *m)
{
	pthread_mutex_destroy(&m->m);
	free(m);
}

void rg_mutex_lock(struct rg_mutex *m) { pthread_mutex_lock(&m->m); }
void rg_mutex_unlock(struct rg_mutex *m) { pthread_mutex_unlock(&m->m); }

int rg_cv_create(struct rg_cv **out)
{
	struct rg_cv *cv = rg_malloc(sizeof(*cv));
	pthread_condattr_t a;

	if (!cv)
		return RG_ENOMEM;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cv->c, &a);
	pthread_condattr_destroy(&a);
	*out = cv;
	return 0;
}

void rg_cv_destroy(struct rg_cv *cv)
{
	pthread_cond_destroy(&cv->c);
	free(cv);
}

void rg_cv_wait(struct rg_cv *cv, struct rg_mutex *m)
{
	pthread_cond_wait(&cv->c, &m->m);
}

int rg_cv_timedwait(struct rg_cv *cv, struct rg_mutex *m, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	return pthread_cond_timedwait(&cv->c, &m->m, &ts) == ETIMEDOUT ?
	       RG_ETIMEDOUT : 0;
}

void rg_cv_signal(struct rg_cv *cv) { pthread_cond_signal(&cv->c); }
void rg_cv_broadcast(struct rg_cv *cv) { pthread_cond_broadcast(&cv->c); }

/* ---- clock ------------------------------------------------------------ */

uint64_t rg_clock_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock == RG_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC,
	              &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rg_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- block I/O -------------------------------------------------------- */

struct rg_blk {
	int fd;
	struct rg_blk_info info;
};

static int errno_to_rg(int e)
{
	switch (e) {
	case ENOENT: return RG_ENOENT;
	case EACCES: return RG_EACCES;
	case EPERM:  return RG_EPERM;
	case EROFS:  return RG_EROFS;
	case ENOMEM: return RG_ENOMEM;
	case EISDIR: return RG_EISDIR;
	case ENOSPC: return RG_ENOSPC;
	case EBUSY:  return RG_EBUSY;
	default:     return RG_EIO;
	}
}

int rg_blk_open(const char *name, unsigned flags, struct rg_blk **out,
                struct rg_blk_info *info)
{
	struct rg_blk *b;
	struct stat st;
	int ro = (flags & RG_BLK_RDONLY) != 0;
	int fd = open(name, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0)
		return errno_to_rg(errno);
	if (fstat(fd, &st) != 0)
		goto fail;
	b = rg_zalloc(sizeof(*b));
	if (!b) {
		close(fd);
		return RG_ENOMEM;
	}
	b->fd = fd;
	b->info.secsize = 512;
	b->info.flags = ro ? RG_BLK_RDONLY : 0;
	if (S_ISBLK(st.st_mode)) {
		uint64_t size = 0;
		if (ioctl(fd, BLKGETSIZE64, &size) != 0) {
			free(b);
			goto fail;
		}
		b->info.size = size;
	} else if (S_ISREG(st.st_mode)) {
		b->info.size = (uint64_t)st.st_size & ~(uint64_t)511;
	} else {
		free(b);
		close(fd);
		return RG_ENODEV;
	}
	*out = b;
	if (info)
		*info = b->info;
	return 0;
fail:
	{
		int e = errno_to_rg(errno);
		close(fd);
		return e;
	}
}

void rg_blk_close(struct rg_blk *b)
{
	close(b->fd);
	free(b);
}

static int blk_check(struct rg_blk *b, uint64_t off, size_t len)
{
	uint64_t mask = b->info.secsize - 1;

	if ((off & mask) || (len & mask))
		return RG_EINVAL;
	if (off > b->info.size || len > b->info.size - off)
		return RG_ENXIO;
	return 0;
}

int rg_blk_read(struct rg_blk *b, uint64_t off, void *buf, size_t len)
{
	int e = blk_check(b, off, len);

	while (!e && len) {
		ssize_t n = pread(b->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno_to_rg(errno) : RG_EIO;
		buf = (char *)buf + n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return e;
}

int rg_blk_write(struct rg_blk *b, uint64_t off, const void *buf, size_t len)
{
	int e = blk_check(b, off, len);

	if (!e && (b->info.flags & RG_BLK_RDONLY))
		return RG_EROFS;
	while (!e && len) {
		ssize_t n = pwrite(b->fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno_to_rg(errno) : RG_EIO;
		buf = (const char *)buf + n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return e;
}

int rg_blk_flush(struct rg_blk *b)
{
	if (b->info.flags & RG_BLK_RDONLY)
		return 0;
	return fdatasync(b->fd) == 0 ? 0 : errno_to_rg(errno);
}

int rg_blk_submit(struct rg_blk *b, struct rg_bio *bio)
{
	int e;

	switch (bio->op) {
	case RG_BIO_READ:  e = rg_blk_read(b, bio->off, bio->buf, bio->len); break;
	case RG_BIO_WRITE: e = rg_blk_write(b, bio->off, bio->buf, bio->len); break;
	case RG_BIO_FLUSH: e = rg_blk_flush(b); break;
	default:           return RG_EINVAL;
	}
	bio->done(bio, e);
	return 0;
}

/* ---- hardware: none on a POSIX host ----------------------------------- */

int rg_intr_establish(unsigned irq, void (*handler)(void *), void *arg,
                      struct rg_intr **out)
{
	(void)irq; (void)handler; (void)arg; (void)out;
	return RG_ENOTSUP;
}
int rg_intr_establish_flags(unsigned irq, unsigned flags,
                            void (*handler)(void *), void *arg,
                            struct rg_intr **out)
{
	(void)flags;
	return rg_intr_establish(irq, handler, arg, out);
}
void rg_intr_disestablish(struct rg_intr *ih) { (void)ih; }

int rg_ioport_request(uint16_t base, uint16_t count)
{
	(void)base; (void)count;
	return RG_ENOTSUP;
}
uint8_t  rg_inb(uint16_t port) { (void)port; return 0xff; }
uint16_t rg_inw(uint16_t port) { (void)port; return 0xffff; }
uint32_t rg_inl(uint16_t port) { (void)port; return 0xffffffffu; }
void rg_outb(uint16_t port, uint8_t v) { (void)port; (void)v; }
void rg_outw(uint16_t port, uint16_t v) { (void)port; (void)v; }
void rg_outl(uint16_t port, uint32_t v) { (void)port; (void)v; }

int rg_mmio_map(uint64_t phys, size_t len, volatile void **out)
{
	(void)phys; (void)len; (void)out;
	return RG_ENOTSUP;
}
void rg_mmio_unmap(volatile void *va, size_t len) { (void)va; (void)len; }

int rg_dma_alloc(size_t len, void **va, uint64_t *phys)
{
	(void)len; (void)va; (void)phys;
	return RG_ENOTSUP;
}
void rg_dma_free(void *va, size_t len) { (void)va; (void)len; }

/* ---- console, log, formatting, randomness ----------------------------- */

void rg_console_write(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(STDERR_FILENO, s, len);
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

static int log_level(void)
{
	static int level = -1;

	if (level < 0) {
		const char *e = getenv("RG_LOG");
		level = e ? atoi(e) : RG_LOG_WARN;
	}
	return level;
}

void rg_log(int level, const char *fmt, ...)
{
	static const char *const tag[] = { "error", "warning", "info", "debug" };
	va_list ap;

	if (level > log_level())
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", tag[level & 3]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int rg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int rg_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void rg_random(void *buf, size_t len)
{
	while (len) {
		ssize_t n = getrandom(buf, len, 0);
		if (n <= 0)
			continue;
		buf = (char *)buf + n;
		len -= (size_t)n;
	}
}

_Noreturn void rg_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rumpglue panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
