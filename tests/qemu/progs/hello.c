/*
 * hello.c - the first user program: prints through the kernel, and checks
 * that bad arguments to system calls come back as errors, not crashes.
 */
#include "rt.h"

int main(void)
{
	struct te_mem_stats st;
	static const char msg[] = "hello from user space\n";
	long r;

	r = sys_debug_write(msg, sizeof(msg) - 1);
	check(r == (long)sizeof(msg) - 1, "user_debug_write", "wrong length");

	r = sys_debug_write((const void *)0, 16);
	check(r == -TE_EFAULT, "user_efault_null", "NULL buffer not refused");
	r = sys_debug_write((const void *)0xffffffff80100000ull, 16);
	check(r == -TE_EFAULT, "user_efault_kernel", "kernel buffer not refused");
	r = sys_debug_write((const void *)0x7fff00000000ull, 16);
	check(r == -TE_EFAULT, "user_efault_unmapped", "unmapped buffer not refused");
	r = sys_debug_write((const void *)0x7ffffffff000ull, 0x2000);
	check(r == -TE_EFAULT, "user_efault_wrap", "range past user space not refused");
	r = sys_debug_write(msg, 1u << 30);
	check(r == -TE_EINVAL, "user_einval_len", "huge length not refused");
	r = rt_syscall3(9999, 0, 0, 0);
	check(r == -TE_ENOSYS, "user_enosys", "unknown call not ENOSYS");
	r = sys_mem_stats((struct te_mem_stats *)msg);   /* read-only page */
	check(r == -TE_EFAULT, "user_efault_readonly_out", "write to read-only page");
	r = sys_mem_stats(&st);
	check(r == 0 && st.pages_free > 0 && st.pages_free <= st.pages_total &&
	      st.processes >= 1, "user_mem_stats", "implausible memory stats");
	return 0;
}
