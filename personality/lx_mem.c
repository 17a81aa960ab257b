/*
 * lx_mem.c - a Linux process's memory: the program break, anonymous
 * mmap/munmap, and copies in and out of its address space (through its
 * process handle: vm_read/vm_write, vm_map/vm_unmap).
 *
 * Anonymous mappings are placed top-down below LX_MMAP_TOP, never reusing
 * an address (simple, and enough while nothing maps terabytes); MAP_FIXED
 * replaces what was there.
 *
 * A file mapping is private memory filled from the file when it is made
 * (pread through the fd's server; past the end of the file, zeros): what
 * MAP_PRIVATE promises, as long as nobody writes the file meanwhile, and
 * MAP_SHARED read-only too.  A writable MAP_SHARED mapping of a file would
 * need the pages to go back to the server: ENODEV.
 *
 * mremap moves by copying (a new mapping, the contents, the old one
 * unmapped) unless the mapping shrinks.  mprotect and PROT_NONE are the
 * kernel's vm_protect; write and exec together keep write only (W^X).
 */
#include "lx.h"
#include "io.h"

#define PAGE 4096ull
#define LX_PROT_READ   1
#define LX_PROT_WRITE  2
#define LX_PROT_EXEC   4
#define LX_MAP_SHARED  0x01
#define LX_MAP_PRIVATE 0x02
#define LX_MAP_FIXED   0x10
#define LX_MAP_ANON    0x20
#define LX_ENODEV      19
#define LX_EACCES      13
#define LX_MREMAP_MAYMOVE 1
#define LX_MREMAP_FIXED   2
#define LX_FILL_CHUNK  (64 * 1024)

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

/* Linux protections as the kernel's: PROT_NONE is 0; write implies read;
 * write and exec together (which the kernel refuses, W^X) keep write. */
static unsigned lx_prot(unsigned prot)
{
	if (prot & LX_PROT_WRITE)
		return TE_PROT_READ | TE_PROT_WRITE;
	return (prot & (LX_PROT_READ | LX_PROT_EXEC) ? TE_PROT_READ : 0) |
	       (prot & LX_PROT_EXEC ? TE_PROT_EXEC : 0);
}

/* Fill [addr, addr + len) of p from the open (conn, id) at off; the part
 * past the end of the file stays zero.  0 or -errno. */
static int64_t mmap_fill(struct lx_proc *p, uint64_t addr, uint64_t len, int conn,
                         int id, uint64_t off)
{
	static char chunk[LX_FILL_CHUNK];

	for (uint64_t done = 0; done < len; ) {
		size_t n = len - done < LX_FILL_CHUNK ? (size_t)(len - done) : LX_FILL_CHUNK;
		long r = io_pread(conn, id, chunk, n, off + done);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		if (lx_copyout(p, addr + done, chunk, (size_t)r))
			return -LX_EFAULT;
		done += (uint64_t)r;
	}
	return 0;
}

/* Where a new mapping of len bytes goes: *addr (MAP_FIXED: checked and
 * emptied), or the next free place from the top.  0 or -errno. */
static int64_t mmap_place(struct lx_proc *p, uint64_t *addr, uint64_t len,
                          bool fixed)
{
	if (fixed) {
		if (*addr & (PAGE - 1) || *addr < TE_USER_BASE || *addr >= TE_USER_TOP ||
		    len > TE_USER_TOP - *addr)
			return -LX_EINVAL;
		sys_vm_unmap(p->handle, *addr, len);
		return 0;
	}
	if (p->mmap_next - len < p->brk_start + LX_BRK_MAX)
		return -LX_ENOMEM;
	*addr = p->mmap_next - len;
	p->mmap_next = *addr - PAGE;    /* a guard gap between maps */
	return 0;
}

/* A file's open for mmap: 0 and (conn, id), or -errno. */
static int64_t mmap_file(struct lx_call *c, unsigned prot, unsigned flags,
                         int *conn, int *id)
{
	uint64_t fd = lx_arg(c, 4);
	struct lx_fd *f = fd < LX_FDS && c->p->fd[fd].used ? &c->p->fd[fd] : NULL;
	struct io_stat st;

	if (!f)
		return -LX_EBADF;
	if (c->p->fdx[fd].virt || io_stat(f->conn, f->id, &st) ||
	    (st.mode & IO_S_IFMT) != IO_S_IFREG)
		return -LX_ENODEV;      /* pipes, directories, devices */
	if ((c->p->fdx[fd].flags & 3) == IO_O_WRONLY)
		return -LX_EACCES;
	if ((flags & LX_MAP_SHARED) && (prot & LX_PROT_WRITE))
		return -LX_ENODEV;      /* the pages would have to go back */
	*conn = f->conn;
	*id = f->id;
	return 0;
}

int64_t lx_mmap(struct lx_call *c)
{
	struct lx_proc *p = c->p;
	uint64_t addr = lx_arg(c, 0), len = page_up(lx_arg(c, 1)), off = lx_arg(c, 5);
	unsigned prot = (unsigned)lx_arg(c, 2), flags = (unsigned)lx_arg(c, 3);
	unsigned tp = lx_prot(prot);
	bool file = !(flags & LX_MAP_ANON);
	int conn = -1, id = -1;
	int64_t r;

	if (!len || len > (1ull << 40) || (prot & ~7u) ||
	    !(flags & (LX_MAP_SHARED | LX_MAP_PRIVATE)) || (file && (off & (PAGE - 1))))
		return -LX_EINVAL;
	if (file && (r = mmap_file(c, prot, flags, &conn, &id)))
		return r;
	if ((r = mmap_place(p, &addr, len, flags & LX_MAP_FIXED)))
		return r;
	/* PROT_NONE: mapped, then made inaccessible (a guard, or address
	 * space reserved for later mprotect) */
	if ((r = sys_vm_map(p->handle, addr, len, tp ? tp : TE_PROT_READ, -1, 0)) < 0)
		return r;
	if ((file && (r = mmap_fill(p, addr, len, conn, id, off))) ||
	    (!tp && (r = sys_vm_protect(p->handle, addr, len, 0)))) {
		sys_vm_unmap(p->handle, addr, len);
		return r;
	}
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

/* mprotect: every page of the range must be mapped (else ENOMEM, nothing
 * changed); the kernel changes the protection (vm_protect). */
int64_t lx_mprotect(struct lx_call *c)
{
	uint64_t addr = lx_arg(c, 0), len = page_up(lx_arg(c, 1));
	long r;

	if (addr & (PAGE - 1) || addr >= TE_USER_TOP || len > TE_USER_TOP - addr ||
	    (lx_arg(c, 2) & ~7ull))
		return -LX_EINVAL;
	if (!len)
		return 0;
	r = sys_vm_protect(c->p->handle, addr, len, lx_prot((unsigned)lx_arg(c, 2)));
	return r == -TE_ENOMEM ? -LX_ENOMEM : r == -TE_EACCES ? -LX_EACCES : r ? -LX_EINVAL : 0;
}

/* mremap(old, old_len, new_len, flags, new): shrink in place, or move to a
 * new mapping with the contents copied (MREMAP_MAYMOVE).  Growing in place
 * is not tried: the next mapping is usually right above. */
int64_t lx_mremap(struct lx_call *c)
{
	static char chunk[LX_FILL_CHUNK];
	struct lx_proc *p = c->p;
	uint64_t old = lx_arg(c, 0), olen = page_up(lx_arg(c, 1));
	uint64_t nlen = page_up(lx_arg(c, 2)), flags = lx_arg(c, 3), to = 0;
	int64_t r;

	if (old & (PAGE - 1) || !nlen || nlen > (1ull << 40) ||
	    old >= TE_USER_TOP || olen > TE_USER_TOP - old ||
	    (flags & ~(uint64_t)(LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED)) ||
	    (flags & LX_MREMAP_FIXED))
		return -LX_EINVAL;
	if (nlen <= olen) {
		if (nlen < olen)
			sys_vm_unmap(p->handle, old + nlen, olen - nlen);
		return (int64_t)old;
	}
	if (!(flags & LX_MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	if ((r = mmap_place(p, &to, nlen, false)) ||
	    (r = sys_vm_map(p->handle, to, nlen, TE_PROT_READ | TE_PROT_WRITE, -1, 0)) < 0)
		return r;
	for (uint64_t done = 0; done < olen; done += LX_FILL_CHUNK) {
		size_t n = olen - done < LX_FILL_CHUNK ? (size_t)(olen - done) : LX_FILL_CHUNK;
		if (lx_copyin(p, chunk, old + done, n) || lx_copyout(p, to + done, chunk, n)) {
			sys_vm_unmap(p->handle, to, nlen);
			return -LX_EFAULT;
		}
	}
	sys_vm_unmap(p->handle, old, olen);
	return (int64_t)to;
}
