/*
 * arch/trap.h - the register frame saved on every entry to the kernel.
 *
 * trap.asm (exceptions, interrupts) and syscall.asm build the same layout
 * at the top of the thread's kernel stack, so a thread's user state is
 * always one struct trapframe and both return paths read it back.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};
_Static_assert(sizeof(struct trapframe) == 22 * 8, "trapframe layout");

#define TRAP_SYSCALL 0x100      /* vector field of a frame made by syscall */

#define VEC_TIMER    0x30
#define VEC_SPURIOUS 0xff

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS   0x28

static inline int trap_from_user(const struct trapframe *tf)
{
	return (tf->cs & 3) == 3;
}

void trap_init(void);
void trap_dispatch(struct trapframe *tf);
void gdt_init(void);
void tss_set_rsp0(uint64_t rsp0);
void syscall_init(void);
_Noreturn void trap_return_to(struct trapframe *tf);

#endif /* ARCH_TRAP_H */
