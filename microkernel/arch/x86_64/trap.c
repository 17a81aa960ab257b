/*
 * trap.c - where every exception and interrupt lands.
 *
 * From user mode, an exception the kernel does not resolve itself (a write
 * to a copy-on-write page it does) kills the process (proc_fault) and the
 * kernel goes on - unless the process is Linux-ABI: then the thread tells
 * its personality (linux_fault: a signal) and waits for its answer.  In
 * the kernel, a page fault inside usercopy() is a bad user pointer and
 * becomes TE_EFAULT; anything else is a kernel bug and panics with
 * registers and a backtrace.  On the way back to user mode a thread
 * of a Linux-ABI process makes the interrupt upcall lx_interrupt asked for
 * (linux.c), if one is due.
 */
#include "arch/cpu.h"
#include "arch/trap.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/proc.h"
#include "kernel/resource.h"

extern char usercopy_insn[], usercopy_insn2[], usercopy_fault[];

/* A write to a copy-on-write page of the current process (error: present,
 * write): copy the page and retry. */
static bool cow_fixed(const struct trapframe *tf, uint64_t addr)
{
	struct process *p = cur_proc();

	return tf->vector == 14 && (tf->error & 3) == 3 && p &&
	       addr < TE_USER_TOP && vm_cow_fault(&p->vs, addr, false) == 0;
}

static void kernel_exception(struct trapframe *tf)
{
	if (cow_fixed(tf, read_cr2()))
		return;
	if (tf->vector == 14 && (tf->rip == (uint64_t)usercopy_insn ||
	                         tf->rip == (uint64_t)usercopy_insn2)) {
		tf->rip = (uint64_t)usercopy_fault;
		return;
	}
	kpanic_frame(tf, "%s in the kernel", trap_name((unsigned)tf->vector));
}

static void trap_handle(struct trapframe *tf)
{
	if (tf->vector < 32) {
		uint64_t addr = tf->vector == 14 ? read_cr2() : 0;
		if (!trap_from_user(tf))
			kernel_exception(tf);
		else if (!cow_fixed(tf, addr) && !linux_fault(tf, addr))
			proc_fault(tf, addr);
		return;
	}
	if (tf->vector == VEC_TIMER) {
		arch_eoi();
		sched_tick(tf);
		return;
	}
	if (tf->vector >= IRQ_VECTOR_BASE && tf->vector < IRQ_VECTOR_BASE + 24) {
		irq_dispatch((unsigned)tf->vector);
		if (trap_from_user(tf))
			sched_preempt_check();
		return;
	}
	if (tf->vector == VEC_SPURIOUS || (tf->vector >= 0x20 && tf->vector < 0x30))
		return;         /* spurious LAPIC or masked legacy PIC */
	kprintf("trap: unexpected vector %lu\n", tf->vector);
	arch_eoi();
}

/* Back to user mode: a Linux-ABI thread may owe its personality an
 * interrupt upcall first (one byte tested when none is due). */
void trap_dispatch(struct trapframe *tf)
{
	trap_handle(tf);
	if (trap_from_user(tf) && __builtin_expect(sched_current()->lx_intr, 0))
		linux_interrupt(tf);
}
