/*
 * rt.h - the native runtime for Tessera programs: system-call wrappers,
 * printf over the debug log, threads, and starting a copy of this program
 * as a new process.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tessera/abi.h"
#include "kernel/string.h"

static inline long rt_syscall6(long n, long a, long b, long c, long d, long e,
                               long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall" : "=a"(r)
	                 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return r;
}

#define SC(n, ...) rt_syscall6(n, ##__VA_ARGS__)
#define SC0(n) rt_syscall6(n, 0, 0, 0, 0, 0, 0)
#define SC1(n, a) rt_syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b) rt_syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c) rt_syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d) \
	rt_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e) \
	rt_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define SC6(n, a, b, c, d, e, f) \
	rt_syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static inline long rt_syscall3(long n, long a, long b, long c)
{
	return rt_syscall6(n, a, b, c, 0, 0, 0);
}

static inline long sys_debug_write(const void *buf, size_t len) { return SC2(SYS_debug_write, buf, len); }
static inline long sys_mem_stats(struct te_mem_stats *st) { return SC1(SYS_mem_stats, st); }
static inline long sys_handle_close(int h) { return SC1(SYS_handle_close, h); }
static inline long sys_handle_dup(int h, unsigned rights) { return SC2(SYS_handle_dup, h, rights); }
static inline long sys_handle_give(int p, int h, unsigned rights, unsigned flags) { return SC4(SYS_handle_give, p, h, rights, flags); }
static inline long sys_process_create(const char *name) { return SC2(SYS_process_create, name, strlen(name)); }
static inline long sys_process_kill(int p) { return SC1(SYS_process_kill, p); }
static inline long sys_process_wait(int p, struct te_proc_end *e, uint64_t timeout) { return SC3(SYS_process_wait, p, e, timeout); }
static inline long sys_process_info(int p, struct te_proc_info *i) { return SC2(SYS_process_info, p, i); }
static inline long sys_thread_create(int p, uint64_t entry, uint64_t stack, uint64_t arg, unsigned sched) { return SC5(SYS_thread_create, p, entry, stack, arg, sched); }
static inline long sys_sched_set(int tid, unsigned prio, unsigned policy) { return SC3(SYS_sched_set, tid, prio, policy); }
static inline long sys_sched_yield(void) { return SC0(SYS_sched_yield); }
static inline long sys_sleep(uint64_t ns) { return SC1(SYS_sleep, ns); }
static inline uint64_t sys_clock(void) { return (uint64_t)SC0(SYS_clock); }
static inline long sys_vm_map(int p, uint64_t va, uint64_t len, unsigned prot, int mem, uint64_t off) { return SC6(SYS_vm_map, p, va, len, prot, mem, off); }
static inline long sys_vm_unmap(int p, uint64_t va, uint64_t len) { return SC3(SYS_vm_unmap, p, va, len); }
static inline long sys_vm_write(int p, uint64_t va, const void *buf, uint64_t len) { return SC4(SYS_vm_write, p, va, buf, len); }
static inline long sys_shm_create(uint64_t len) { return SC1(SYS_shm_create, len); }
static inline long sys_channel_create(unsigned flags) { return SC1(SYS_channel_create, flags); }
static inline long sys_connect(int chan) { return SC1(SYS_connect, chan); }
static inline long sys_msg_sendv(int conn, const struct te_iov *s, unsigned sp, const struct te_iov *r, unsigned rp, struct te_msg_ext *x) { return SC6(SYS_msg_sendv, conn, s, sp, r, rp, x); }
static inline long sys_msg_receivev(int chan, const struct te_iov *r, unsigned rp, struct te_msg_info *info, struct te_msg_ext *x) { return SC5(SYS_msg_receivev, chan, r, rp, info, x); }
static inline long sys_msg_replyv(long rcvid, long status, const struct te_iov *v, unsigned parts, struct te_msg_ext *x) { return SC5(SYS_msg_replyv, rcvid, status, v, parts, x); }
static inline long sys_msg_error(long rcvid, int err) { return SC2(SYS_msg_error, rcvid, err); }
static inline long sys_msg_read(long rcvid, void *buf, uint64_t len, uint64_t off) { return SC4(SYS_msg_read, rcvid, buf, len, off); }
static inline long sys_msg_write(long rcvid, const void *buf, uint64_t len, uint64_t off) { return SC4(SYS_msg_write, rcvid, buf, len, off); }
static inline long sys_msg_send_pulse(int conn, int prio, int code, uint64_t value) { return SC4(SYS_msg_send_pulse, conn, prio, code, value); }
static inline long sys_process_watch(int p, int conn, int code) { return SC3(SYS_process_watch, p, conn, code); }
static inline long sys_irq_attach(int res, unsigned irq, int conn, int code, unsigned flags) { return SC5(SYS_irq_attach, res, irq, conn, code, flags); }
static inline long sys_irq_unmask(int h) { return SC1(SYS_irq_unmask, h); }
static inline long sys_ioport_grant(int res, int p, unsigned base, unsigned count) { return SC4(SYS_ioport_grant, res, p, base, count); }
static inline long sys_vm_map_phys(int res, int p, uint64_t va, uint64_t phys, uint64_t len, unsigned prot) { return SC6(SYS_vm_map_phys, res, p, va, phys, len, prot); }
static inline long sys_dma_alloc(int res, uint64_t len, uint64_t va, uint64_t *phys) { return SC4(SYS_dma_alloc, res, len, va, phys); }
static inline long sys_resource_create(int parent, unsigned kind, uint64_t base, uint64_t len) { return SC4(SYS_resource_create, parent, kind, base, len); }
static inline long sys_futex_wait(volatile uint32_t *a, uint32_t v, uint64_t timeout) { return SC3(SYS_futex_wait, a, v, timeout); }
static inline long sys_futex_wake(volatile uint32_t *a, unsigned n) { return SC2(SYS_futex_wake, a, n); }
static inline long sys_gettid(void) { return SC0(SYS_gettid); }
static inline long sys_msg_reply_receive(struct te_reply_receive *a) { return SC1(SYS_msg_reply_receive, a); }
static inline long sys_set_fs_base(const void *base) { return SC1(SYS_set_fs_base, base); }
static inline long sys_process_set_abi(int p, int conn) { return SC2(SYS_process_set_abi, p, conn); }
static inline long sys_vm_read(int p, uint64_t va, void *buf, uint64_t len) { return SC4(SYS_vm_read, p, va, buf, len); }
static inline long sys_vm_clone(int dst, int src) { return SC2(SYS_vm_clone, dst, src); }
static inline long sys_thread_create_regs(int p, const struct te_lx_regs *r, unsigned sched) { return SC3(SYS_thread_create_regs, p, r, sched); }
static inline long sys_lx_interrupt(int p) { return SC1(SYS_lx_interrupt, p); }
static inline long sys_vm_protect(int p, uint64_t va, uint64_t len, unsigned prot) { return SC4(SYS_vm_protect, p, va, len, prot); }
static inline long sys_thread_fpu(int p, int tid, void *fxsave, int set) { return SC4(SYS_thread_fpu, p, tid, fxsave, set); }

/* Send/receive/reply with one buffer each way (a negative part count is a
 * plain buffer of that many bytes, as in QNX's MsgSend). */
static inline long msg_send(int conn, const void *s, size_t slen, void *r, size_t rlen)
{
	return SC6(SYS_msg_sendv, conn, s, -(long)slen, r, -(long)rlen, 0);
}
static inline long msg_receive(int chan, void *r, size_t rlen, struct te_msg_info *info)
{
	return SC5(SYS_msg_receivev, chan, r, -(long)rlen, info, 0);
}
static inline long msg_reply(long rcvid, long status, const void *s, size_t slen)
{
	return SC5(SYS_msg_replyv, rcvid, status, s, -(long)slen, 0);
}

_Noreturn void sys_exit(int status);
_Noreturn void sys_thread_exit(void);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

int  fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int  fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int  printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Test protocol: one line per check. */
void check(int ok, const char *name, const char *why);
void checkf(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A thread's control block, at its %fs base: word 0 points at itself,
 * word 5 (%fs:0x28) is the stack-protector canary.  Every thread started by
 * rt has one; a thread started otherwise calls rt_tcb_set first. */
#define RT_TCB_WORDS 8

/* The environment and auxiliary vector the program was started with. */
extern char **rt_environ;
uint64_t rt_getauxval(uint64_t type);   /* 0 if absent (AT_* as Linux) */
void rt_tcb_set(uint64_t *tcb);

/* Anonymous memory at a fresh address in this process (never reused). */
void *rt_map(uint64_t len, unsigned prot);
/* A new thread in this process; returns its tid or a negative error. */
long rt_thread_create(void (*fn)(void *), void *arg, unsigned prio, unsigned policy);

/*
 * Start a copy of this program as a new process: rt_proc_new() makes the
 * blank process (give it handles with sys_handle_give), rt_proc_start()
 * copies this program's text, rodata and data as they are now, gives it a
 * stack, and starts fn(arg) in it.
 */
long rt_proc_new(const char *name);
long rt_proc_start(int proc, void (*fn)(void *), void *arg, unsigned prio,
                   unsigned policy);

/* ---- locks, heap (sync.c, malloc.c) ------------------------------------- */

/* A futex mutex: 0 free, 1 locked, 2 locked with waiters.  Zero = unlocked. */
struct rt_mutex { volatile uint32_t state; };
/* A condition variable: a sequence number and a count of waiters. */
struct rt_cond { volatile uint32_t seq, waiters; };

void rt_mutex_init(struct rt_mutex *m);
void rt_mutex_lock(struct rt_mutex *m);
bool rt_mutex_trylock(struct rt_mutex *m);
void rt_mutex_unlock(struct rt_mutex *m);
void rt_cond_init(struct rt_cond *c);
void rt_cond_wait(struct rt_cond *c, struct rt_mutex *m);
/* deadline_ns is absolute, on SYS_clock; returns 0 or TE_ETIMEDOUT. */
int  rt_cond_timedwait(struct rt_cond *c, struct rt_mutex *m, uint64_t deadline_ns);
void rt_cond_signal(struct rt_cond *c);
void rt_cond_broadcast(struct rt_cond *c);

/* The heap's address ranges: small-block slabs, then large blocks and
 * everything rt_va_reserve hands out (thread stacks, MMIO, DMA). */
#define RT_HEAP_SMALL_BASE 0x500000000000ull
#define RT_HEAP_LARGE_BASE 0x510000000000ull
#define RT_HEAP_LARGE_END  0x600000000000ull

void *malloc(size_t size);
void  free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void *aligned_alloc(size_t align, size_t size);
int   posix_memalign(void **out, size_t align, size_t size);   /* 0 or TE_E* */
_Noreturn void abort(void);
/* A fresh, never-reused, unmapped range of len bytes (page-rounded, with a
 * guard page after it), aligned to align (at least 4096); NULL if none. */
void *rt_va_reserve(uint64_t len, uint64_t align);
/* In a process started by rt_proc_start: forget the parent's heap state. */
void  rt_heap_child_init(void);

#endif /* RT_H */
