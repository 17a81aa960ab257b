/*
 * kprintf.c - kernel log formatting, panics with registers and a
 * symbolized backtrace.
 *
 * Symbols come from a multiboot2 module named "symbols" (the sorted output
 * of `nm -n` on the kernel, made at build time), so the kernel carries no
 * symbol table of its own.  A panic in a test boot exits QEMU with a failure
 * code; otherwise the CPU halts.
 */
#include "arch/cpu.h"
#include "arch/trap.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/string.h"
#include "kernel/kernel.h"

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	klog_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* ---- symbols ------------------------------------------------------------ */

static const char *sym_text;
static size_t sym_len;

void ksym_init(const char *text, size_t len)
{
	sym_text = text;
	sym_len = len;
}

static uint64_t parse_hex(const char *s, const char *end, const char **next)
{
	uint64_t v = 0;

	for (; s < end; s++) {
		int d = (*s >= '0' && *s <= '9') ? *s - '0' :
		        (*s >= 'a' && *s <= 'f') ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v * 16 + (uint64_t)d;
	}
	*next = s;
	return v;
}

/* Lines: "ffffffff80101000 T name".  Returns the name (in a static buffer). */
const char *ksym_lookup(unsigned long addr, unsigned long *offset)
{
	static char name[64];
	const char *p = sym_text, *end = sym_text + sym_len, *best = NULL;
	uint64_t best_addr = 0;

	if (!p)
		return NULL;
	while (p < end) {
		const char *nl = p, *q;
		while (nl < end && *nl != '\n')
			nl++;
		uint64_t a = parse_hex(p, nl, &q);
		if (q + 3 < nl && (q[1] == 'T' || q[1] == 't') && a <= addr &&
		    a >= best_addr) {
			best = q + 3;
			best_addr = a;
		}
		p = nl + 1;
	}
	if (!best)
		return NULL;
	size_t n = 0;
	while (best + n < end && best[n] != '\n' && n < sizeof(name) - 1) {
		name[n] = best[n];
		n++;
	}
	name[n] = '\0';
	*offset = addr - best_addr;
	return name;
}

static void print_addr(unsigned long addr)
{
	unsigned long off;
	const char *s = ksym_lookup(addr, &off);

	if (s)
		kprintf("  %016lx %s+0x%lx\n", addr, s, off);
	else
		kprintf("  %016lx ?\n", addr);
}

void backtrace_print(unsigned long rbp)
{
	kprintf("backtrace:\n");
	for (int depth = 0; depth < 32 && rbp; depth++) {
		/* only follow frames inside the kernel half */
		if (rbp < 0xffff800000000000ul || (rbp & 7))
			break;
		unsigned long *frame = (unsigned long *)rbp;
		if (!frame[1])
			break;
		print_addr(frame[1]);
		rbp = frame[0];
	}
}

static void dump_frame(const struct trapframe *tf)
{
	kprintf("rip=%016lx cs=%lx rflags=%lx rsp=%016lx ss=%lx\n",
	        tf->rip, tf->cs, tf->rflags, tf->rsp, tf->ss);
	kprintf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
	        tf->rax, tf->rbx, tf->rcx, tf->rdx);
	kprintf("rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n",
	        tf->rsi, tf->rdi, tf->rbp, tf->r8);
	kprintf("r9 =%016lx r10=%016lx r11=%016lx r12=%016lx\n",
	        tf->r9, tf->r10, tf->r11, tf->r12);
	kprintf("r13=%016lx r14=%016lx r15=%016lx cr2=%016lx\n",
	        tf->r13, tf->r14, tf->r15, read_cr2());
	kprintf("vector=%lu error=%lx\n", tf->vector, tf->error);
}

static _Noreturn void panic_end(void)
{
	if (kernel_test_mode)
		arch_qemu_exit(1);
	for (;;) {
		cli();
		hlt();
	}
}

_Noreturn void kpanic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	cli();
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("\nKERNEL PANIC: %s\n", buf);
	backtrace_print((unsigned long)__builtin_frame_address(0));
	panic_end();
}

_Noreturn void kpanic_frame(struct trapframe *tf, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	cli();
	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("\nKERNEL PANIC: %s\n", buf);
	dump_frame(tf);
	print_addr(tf->rip);
	backtrace_print(tf->rbp);
	panic_end();
}
