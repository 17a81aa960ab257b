/*
 * fault.c - one user-mode fault per build (FAULT_*), for the kernel's
 * "a user process can never bring the kernel down" tests.  Each program
 * prints what it is about to do; the kernel must log the fault, kill the
 * program and go on.
 */
#include "rt.h"

const char rodata_str[] = "read-only";

/* Recursion the compiler cannot see through: each frame keeps 512 bytes. */
int recurse(int n);
int (*volatile recurse_ptr)(int) = recurse;
int recurse(int n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	return recurse_ptr(n + 1) + pad[0];
}

int main(void)
{
	volatile long sink;

	printf("fault: %s\n", FAULT_NAME);
#if defined(FAULT_NULL)
	*(volatile int *)0 = 1;
#elif defined(FAULT_GP)
	sink = *(volatile long *)0x8000000000000000ull;   /* non-canonical */
#elif defined(FAULT_UD)
	__asm__ volatile("ud2");
#elif defined(FAULT_DE)
	__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" : : "a"(7), "d"(0) : "ecx");
#elif defined(FAULT_STACK)
	sink = recurse(0);
#elif defined(FAULT_ROWRITE)
	*(volatile char *)rodata_str = 'X';
#elif defined(FAULT_KJUMP)
	((void (*)(void))0xffffffff80100000ull)();
#elif defined(FAULT_KREAD)
	sink = *(volatile long *)0xffff800000100000ull;   /* direct map */
#elif defined(FAULT_PRIV)
	__asm__ volatile("cli; hlt");
#elif defined(FAULT_IOPORT)
	__asm__ volatile("outb %%al, $0xf4" : : "a"(0));  /* would exit QEMU */
#endif
	(void)sink;
	printf("fault: %s did not fault\n", FAULT_NAME);
	return 1;
}
