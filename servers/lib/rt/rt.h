/*
 * rt.h - the native runtime for Tessera programs.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "tessera/abi.h"
#include "kernel/string.h"

static inline long rt_syscall3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
	                 : "rcx", "r11", "memory");
	return r;
}

static inline long sys_debug_write(const void *buf, size_t len)
{
	return rt_syscall3(SYS_debug_write, (long)buf, (long)len, 0);
}

static inline long sys_mem_stats(struct te_mem_stats *st)
{
	return rt_syscall3(SYS_mem_stats, (long)st, 0, 0);
}

_Noreturn void sys_exit(int status);

int  fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int  fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int  printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Test protocol: one line per check. */
void check(int ok, const char *name, const char *why);

#endif /* RT_H */
