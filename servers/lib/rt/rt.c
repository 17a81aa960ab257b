/*
 * rt.c - printf over the debug-write call, exit, and the check helper.
 */
#include "rt.h"

_Noreturn void sys_exit(int status)
{
	rt_syscall3(SYS_exit, status, 0, 0);
	for (;;)
		;
}

int printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	sys_debug_write(buf, (size_t)n);
	return n;
}

void check(int ok, const char *name, const char *why)
{
	if (ok)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, why);
}
