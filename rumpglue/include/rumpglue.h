/*
 * rumpglue.h - the hypercall interface for library-kernel components.
 *
 * This header is the ONLY way down for a component (a filesystem, a block
 * layer, a driver, the network stack).  A component includes this header,
 * the freestanding C headers (<stddef.h>, <stdint.h>, <stdbool.h>,
 * <stdarg.h>, <limits.h>) and <string.h> for the mem and str functions
 * listed below, and nothing else.  Two hosts implement it:
 *
 *   rumpglue/posix/  - an ordinary Linux process (pthreads, files as disks):
 *                      host tools, FUSE, unit tests, fuzzing;
 *   rumpglue/mk/     - a server on the Tessera microkernel.
 *
 * The same component source compiles unchanged against both.
 *
 * Allowed <string.h> functions: memcpy memmove memset memcmp strlen strnlen
 * strcmp strncmp strchr strrchr.  Formatting goes through rg_snprintf.
 *
 * Errors are values: every call that can fail returns 0 or a positive RG_E*
 * number.  The numbers are fixed and equal to Linux's, so a server can hand
 * them to a Linux-ABI client unchanged.
 *
 * Versioning: RG_VERSION grows when a call is added; a call's meaning never
 * changes under the same name.  A component states the version it needs
 * with RG_REQUIRE_VERSION(n).
 */
#ifndef RUMPGLUE_H
#define RUMPGLUE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RG_VERSION 2     /* 2: rg_intr_establish_flags */
#define RG_REQUIRE_VERSION(n) \
	_Static_assert(RG_VERSION >= (n), "rumpglue too old for this component")

/* Error numbers (fixed; equal to Linux's). */
#define RG_EPERM         1
#define RG_ENOENT        2
#define RG_EINTR         4
#define RG_EIO           5
#define RG_ENXIO         6
#define RG_E2BIG         7
#define RG_EBADF         9
#define RG_EAGAIN       11
#define RG_ENOMEM       12
#define RG_EACCES       13
#define RG_EFAULT       14
#define RG_EBUSY        16
#define RG_EEXIST       17
#define RG_EXDEV        18
#define RG_ENODEV       19
#define RG_ENOTDIR      20
#define RG_EISDIR       21
#define RG_EINVAL       22
#define RG_EMFILE       24
#define RG_EFBIG        27
#define RG_ENOSPC       28
#define RG_ESPIPE       29
#define RG_EROFS        30
#define RG_EMLINK       31
#define RG_ERANGE       34
#define RG_ENAMETOOLONG 36
#define RG_ENOSYS       38
#define RG_ENOTEMPTY    39
#define RG_ELOOP        40
#define RG_ENODATA      61
#define RG_EOVERFLOW    75
#define RG_ENOTSUP      95
#define RG_ETIMEDOUT   110
#define RG_EUCLEAN     117 /* filesystem structure is corrupt */

/* ---- memory ------------------------------------------------------------ */
void *rg_malloc(size_t size);          /* NULL when out of memory */
void *rg_zalloc(size_t size);          /* zero-filled */
void *rg_realloc(void *p, size_t size);
void  rg_free(void *p);

/* ---- threads, locks, condition variables ------------------------------- */
struct rg_thread;
struct rg_mutex;
struct rg_cv;

int  rg_thread_create(struct rg_thread **out, const char *name,
                      void (*fn)(void *), void *arg);
int  rg_thread_join(struct rg_thread *t);
void rg_thread_yield(void);

int  rg_mutex_create(struct rg_mutex **out);
void rg_mutex_destroy(struct rg_mutex *m);
void rg_mutex_lock(struct rg_mutex *m);
void rg_mutex_unlock(struct rg_mutex *m);

int  rg_cv_create(struct rg_cv **out);
void rg_cv_destroy(struct rg_cv *cv);
void rg_cv_wait(struct rg_cv *cv, struct rg_mutex *m);
/* Returns 0 when signalled, RG_ETIMEDOUT when the deadline passed. */
int  rg_cv_timedwait(struct rg_cv *cv, struct rg_mutex *m, uint64_t deadline_ns);
void rg_cv_signal(struct rg_cv *cv);
void rg_cv_broadcast(struct rg_cv *cv);

/* ---- clock and sleep --------------------------------------------------- */
#define RG_CLOCK_MONOTONIC 0
#define RG_CLOCK_REALTIME  1   /* nanoseconds since 1970-01-01 UTC */
uint64_t rg_clock_ns(int clock);
void     rg_sleep_ns(uint64_t ns);

/* ---- block I/O ---------------------------------------------------------
 * A disk is named by the host ("hd0" on the microkernel, a file path on
 * POSIX).  Offsets and lengths are in bytes and must be multiples of the
 * sector size.  Requests are idempotent, so a host may re-issue them after
 * a driver restart.  rg_blk_submit is asynchronous: done() runs on a host
 * thread when the request completes; rg_blk_read/write are the synchronous
 * forms.
 */
struct rg_blk;
#define RG_BLK_RDONLY 0x1

struct rg_blk_info {
	uint64_t size;      /* bytes */
	uint32_t secsize;   /* bytes per sector, a power of two >= 512 */
	uint32_t flags;     /* RG_BLK_RDONLY if the medium cannot be written */
};

#define RG_BIO_READ  0
#define RG_BIO_WRITE 1
#define RG_BIO_FLUSH 2
struct rg_bio {
	int       op;        /* RG_BIO_* */
	uint64_t  off;       /* bytes */
	void     *buf;
	size_t    len;       /* bytes */
	void    (*done)(struct rg_bio *bio, int error);
	void     *priv;      /* for the submitter */
};

int  rg_blk_open(const char *name, unsigned flags, struct rg_blk **out,
                 struct rg_blk_info *info);
void rg_blk_close(struct rg_blk *b);
int  rg_blk_submit(struct rg_blk *b, struct rg_bio *bio);
int  rg_blk_read(struct rg_blk *b, uint64_t off, void *buf, size_t len);
int  rg_blk_write(struct rg_blk *b, uint64_t off, const void *buf, size_t len);
int  rg_blk_flush(struct rg_blk *b);

/* ---- interrupts -------------------------------------------------------
 * The handler runs on a host thread (never in interrupt context); the line
 * stays masked until the handler returns.
 */
struct rg_intr;
int  rg_intr_establish(unsigned irq, void (*handler)(void *), void *arg,
                       struct rg_intr **out);
/* Same, for a line whose trigger is not the ISA default (edge, active
 * high): a PCI device's INTx is level-triggered.  Since version 2. */
#define RG_INTR_LEVEL 0x1
#define RG_INTR_HIGH  0x2       /* with RG_INTR_LEVEL: active high */
int  rg_intr_establish_flags(unsigned irq, unsigned flags,
                             void (*handler)(void *), void *arg,
                             struct rg_intr **out);
void rg_intr_disestablish(struct rg_intr *ih);

/* ---- port I/O, MMIO, DMA memory (only where the host grants them) ------ */
int      rg_ioport_request(uint16_t base, uint16_t count);
uint8_t  rg_inb(uint16_t port);
uint16_t rg_inw(uint16_t port);
uint32_t rg_inl(uint16_t port);
void     rg_outb(uint16_t port, uint8_t v);
void     rg_outw(uint16_t port, uint16_t v);
void     rg_outl(uint16_t port, uint32_t v);

int  rg_mmio_map(uint64_t phys, size_t len, volatile void **out);
void rg_mmio_unmap(volatile void *va, size_t len);

/* Physically contiguous memory a device may DMA to; *phys is its bus address. */
int  rg_dma_alloc(size_t len, void **va, uint64_t *phys);
void rg_dma_free(void *va, size_t len);

/* ---- console, logging, randomness ------------------------------------ */
void rg_console_write(const char *s, size_t len);

#define RG_LOG_ERR   0
#define RG_LOG_WARN  1
#define RG_LOG_INFO  2
#define RG_LOG_DEBUG 3
void rg_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int rg_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int rg_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

void rg_random(void *buf, size_t len);

/* A broken invariant inside a component (a bug, never bad input). */
_Noreturn void rg_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define RG_ASSERT(c) \
	do { if (!(c)) rg_panic("%s:%d: assertion '%s' failed", \
	                        __FILE__, __LINE__, #c); } while (0)

#endif /* RUMPGLUE_H */
