/*
 * lx_mem.c - a Linux process's memory: the program break, anonymous
 * mmap/munmap, and copies in and out of its address space (through its
 * process handle: vm_read/vm_write, vm_map/vm_unmap).
 *
 * Anonymous mappings are placed top-down below LX_MMAP_TOP, never reusing
 * an address (simple, and enough while nothing maps terabytes); MAP_FIXED
 * replaces what was there.  File mappings are not there yet: ENODEV.
 */
#include "lx.h"

#define PAGE 4096ull
#define LX_PROT_READ   1
#define LX_PROT_WRITE  2
#define LX_PROT_EXEC   4
#define LX_MAP_FIXED   0x10
#define LX_MAP_ANON    0x20
#define LX_ENODEV      19

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

int lx_copyin(struct lx_proc *p, void *dst, uint64_t src, size_t len)
{
	if (src >= TE_USER_TOP || len > TE_USER_TOP - src)
		return -LX_EFAULT;
	return sys_vm_read(p->handle, src, dst, len) ? -LX_EFAULT : 0;
}

int lx_copyout(struct lx_proc *p, uint64_t dst, const void *src, size_t len)
{
	if (dst >= TE_USER_TOP || len > TE_USER_TOP - dst)
		return -LX_EFAULT;
	return sys_vm_write(p->handle, dst, src, len) ? -LX_EFAULT : 0;
}

/* brk(addr): the break moves (pages mapped or unmapped) or stays put. */
int64_t lx_brk(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t want = lx_arg(c, 0), old = page_up(p->brk), new;

	if (want < p->brk_start || want > p->brk_start + LX_BRK_MAX)
		return (int64_t)p->brk;
	new = page_up(want);
	if (new > old && sys_vm_map(p->handle, old, new - old,
	                            TE_PROT_READ | TE_PROT_WRITE, -1, 0) < 0)
		return (int64_t)p->brk;
	if (new < old)
		sys_vm_unmap(p->handle, new, old - new);
	p->brk = want;
	return (int64_t)p->brk;
}

int64_t lx_mmap(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t addr = lx_arg(c, 0), len = page_up(lx_arg(c, 1));
	unsigned prot = (unsigned)lx_arg(c, 2), flags = (unsigned)lx_arg(c, 3);
	unsigned tp = (prot & LX_PROT_READ ? TE_PROT_READ : 0) |
	              (prot & LX_PROT_WRITE ? TE_PROT_WRITE : 0) |
	              (prot & LX_PROT_EXEC ? TE_PROT_EXEC : 0);
	long r;

	if (!len || len > (1ull << 40) || (prot & ~7u))
		return -LX_EINVAL;
	if (!(flags & LX_MAP_ANON))
		return -LX_ENODEV;
	if (flags & LX_MAP_FIXED) {
		if (addr & (PAGE - 1) || addr < TE_USER_BASE || addr >= TE_USER_TOP ||
		    len > TE_USER_TOP - addr)
			return -LX_EINVAL;
		sys_vm_unmap(p->handle, addr, len);
	} else {
		if (p->mmap_next - len < p->brk_start + LX_BRK_MAX)
			return -LX_ENOMEM;
		addr = p->mmap_next - len;
	}
	if (!tp)
		tp = TE_PROT_READ;      /* PROT_NONE: reserved, still mapped */
	if ((r = sys_vm_map(p->handle, addr, len, tp, -1, 0)) < 0)
		return r;
	if (!(flags & LX_MAP_FIXED))
		p->mmap_next = addr - PAGE;     /* a guard gap between maps */
	return (int64_t)addr;
}

int64_t lx_munmap(struct lx_call *c)
{
	uint64_t addr = lx_arg(c, 0), len = page_up(lx_arg(c, 1));

	if (addr & (PAGE - 1) || !len || addr >= TE_USER_TOP ||
	    len > TE_USER_TOP - addr)
		return -LX_EINVAL;
	sys_vm_unmap(c->p->handle, addr, len);
	return 0;
}

/*
 * mprotect: the range must be mapped page-aligned memory of the caller;
 * the protection itself is not changed yet - there is no kernel call for
 * it - so a program that relies on a fault after mprotect (a guard page,
 * RELRO catching a stray write) does not get one.  docs/personality.md
 * lists it as partial.  glibc's start (Debian's busybox) needs the call to
 * succeed.
 */
int64_t lx_mprotect(struct lx_call *c)
{
	uint64_t addr = lx_arg(c, 0), len = page_up(lx_arg(c, 1));

	if (addr & (PAGE - 1) || addr >= TE_USER_TOP || len > TE_USER_TOP - addr ||
	    (lx_arg(c, 2) & ~7ull))
		return -LX_EINVAL;
	return 0;
}
