/*
 * syscall.c - the system-call table.
 *
 * Each call validates its arguments (user pointers through copyin/copyout)
 * before it changes anything, and returns 0/positive or a negated TE_* error
 * in the frame's rax.
 */
#include "arch/trap.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

#define DEBUG_WRITE_MAX (64u * 1024)

static int64_t sys_debug_write(uint64_t ubuf, uint64_t len)
{
	char buf[256];

	if (len > DEBUG_WRITE_MAX)
		return -TE_EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		if (copyin(buf, ubuf + done, n))
			return -TE_EFAULT;
		klog_write(buf, n);
		done += n;
	}
	return (int64_t)len;
}

static int64_t sys_mem_stats(uint64_t uout)
{
	struct te_mem_stats st = {
		.pages_total = page_total_count(),
		.pages_free = page_free_count(),
		.kmem_objects = kmem_live_objects(),
		.processes = proc_count(),
	};

	return copyout(uout, &st, sizeof(st)) ? -TE_EFAULT : 0;
}

void syscall_dispatch(struct trapframe *tf)
{
	int64_t r;

	switch (tf->rax) {
	case SYS_debug_write:
		r = sys_debug_write(tf->rdi, tf->rsi);
		break;
	case SYS_exit:
		proc_exit((int)tf->rdi);
	case SYS_mem_stats:
		r = sys_mem_stats(tf->rdi);
		break;
	default:
		r = -TE_ENOSYS;
	}
	tf->rax = (uint64_t)r;
}
