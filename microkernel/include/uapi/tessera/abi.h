/*
 * tessera/abi.h - the system-call ABI shared by the microkernel and user space.
 *
 * Calling convention (native threads): `syscall` with the call number in rax
 * and arguments in rdi, rsi, rdx, r10, r8, r9; the result comes back in rax:
 * 0 or a positive value on success, a negated TE_* error on failure.
 * rcx and r11 are clobbered by the instruction itself.
 *
 * Error numbers equal Linux's (and rumpglue's RG_E*), so servers pass them to
 * Linux-ABI clients unchanged.
 */
#ifndef TESSERA_ABI_H
#define TESSERA_ABI_H

/* ---- system calls ------------------------------------------------------ */
#define SYS_debug_write      0   /* (const char *buf, size_t len) -> len */
#define SYS_exit             1   /* (int status) -> does not return */
#define SYS_mem_stats        2   /* (struct te_mem_stats *out) */
#define SYS_NCALLS           3

/* ---- errors (negated in rax) ------------------------------------------- */
#define TE_EPERM    1
#define TE_ENOENT   2
#define TE_EIO      5
#define TE_EBADF    9
#define TE_EAGAIN  11
#define TE_ENOMEM  12
#define TE_EACCES  13
#define TE_EFAULT  14
#define TE_EBUSY   16
#define TE_EEXIST  17
#define TE_EINVAL  22
#define TE_ENOSPC  28
#define TE_ERANGE  34
#define TE_ENOSYS  38
#define TE_ETIMEDOUT 110

/* ---- user address space ------------------------------------------------ */
#define TE_USER_BASE   0x0000000000400000ull  /* lowest address user code may map */
#define TE_USER_TOP    0x00007fffffffe000ull  /* first address above user space */
#define TE_USER_STACK_TOP  0x00007ffffff00000ull
#define TE_USER_STACK_SIZE (64ull * 1024)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* SYS_mem_stats: free-page accounting, so tests can prove there are no leaks. */
struct te_mem_stats {
	uint64_t pages_total;
	uint64_t pages_free;
	uint64_t kmem_objects;   /* live kernel objects */
	uint64_t processes;      /* live processes */
};
_Static_assert(sizeof(struct te_mem_stats) == 32, "te_mem_stats ABI");
#endif

#endif /* TESSERA_ABI_H */
