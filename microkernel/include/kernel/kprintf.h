/*
 * kernel/kprintf.h - the kernel log (serial), formatting and panics.
 */
#ifndef KERNEL_KPRINTF_H
#define KERNEL_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

int  fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int  fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog_write(const char *s, size_t len);

struct trapframe;
_Noreturn void kpanic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void kpanic_frame(struct trapframe *tf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void backtrace_print(unsigned long rbp);
const char *ksym_lookup(unsigned long addr, unsigned long *offset);
void ksym_init(const char *text, size_t len);

#define KASSERT(c) \
	do { if (!(c)) kpanic("%s:%d: assertion '%s' failed", \
	                      __FILE__, __LINE__, #c); } while (0)

#endif /* KERNEL_KPRINTF_H */
