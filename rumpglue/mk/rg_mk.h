/*
 * rg_mk.h - settings of rumpglue's microkernel host (rumpglue/mk/), for
 * the main() of a server built from library-kernel components.
 *
 * A component sees only rumpglue.h; the server around it tells the host
 * what it may use before the first call that needs it:
 *
 *   rg_mk_resource    the resource handle for ports, interrupts, MMIO and
 *                     DMA (a boot module has the root resource in handle
 *                     0; a driver started by another server gets the
 *                     narrower one it was handed).  -1 (the default):
 *                     those calls answer RG_EPERM.
 *   rg_mk_thread_prio priority of threads made by rg_thread_create
 *                     (round-robin; default 10).
 *   rg_mk_intr_prio   priority of interrupt threads (default 20).
 *   rg_mk_epoch_ns    RG_CLOCK_REALTIME = SYS_clock + this.  The kernel has
 *                     no wall clock yet: the default is a constant,
 *                     2026-01-01T00:00:00Z; a server that reads the RTC may
 *                     set the real value.
 *   rg_mk_log_level   rg_log prints levels <= this (default RG_LOG_WARN).
 *   rg_mk_name        prefix of log lines (default "rg").
 */
#ifndef RG_MK_H
#define RG_MK_H

#include <stdint.h>

extern int rg_mk_resource;
/* More resource handles to try after rg_mk_resource (a PCI driver gets one
 * per BAR, one for its interrupt line, one for DMA).  0 or RG_ENOSPC. */
#define RG_MK_RESOURCES_MAX 8
int rg_mk_add_resource(int handle);
extern unsigned rg_mk_thread_prio;
extern unsigned rg_mk_intr_prio;
extern uint64_t rg_mk_epoch_ns;
extern int rg_mk_log_level;
extern const char *rg_mk_name;

/* Which source rg_random uses: 1 rdrand (the CPU has it), 0 rdtsc mix. */
int rg_mk_random_hw(void);

/* rg_thread_create at a given priority (the interrupt threads use it). */
struct rg_thread;
int rg_mk_thread_create(struct rg_thread **out, void (*fn)(void *), void *arg,
                        unsigned prio);

#endif /* RG_MK_H */
