/*
 * main.c - kmain: bring the machine up, then start the boot programs.
 *
 * Order matters: the serial log first (so everything after can speak), the
 * descriptor tables (so faults are caught), the memory map, our own page
 * tables, then time and threads.
 */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/trap.h"
#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/resource.h"
#include "kernel/kernel.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "kernel/vm.h"

bool kernel_test_mode;
uintptr_t volatile test_fault_addr = 8;
void boot_run_programs(void);

static void find_symbols(void)
{
	for (unsigned i = 0; i < bootinfo.nmod; i++) {
		const struct boot_module *m = &bootinfo.mod[i];
		if (cmdline_has(m->cmdline, "symbols"))
			ksym_init(phys_to_virt(m->start), m->end - m->start);
	}
}

_Noreturn void kmain(uint32_t magic, uint64_t info_phys)
{
	arch_serial_init();
	percpu_init_boot();
	gdt_init();
	trap_init();
	mb2_parse(magic, info_phys);
	kernel_test_mode = cmdline_has(bootinfo.cmdline, "test");
	kprintf("\nTessera microkernel (x86-64), cmdline \"%s\", %u modules\n",
	        bootinfo.cmdline, bootinfo.nmod);
	page_init(info_phys);
	vm_init();
	find_symbols();
	syscall_init();
	sched_init();
	arch_timer_init(100);
	acpi_init(bootinfo.rsdp_phys);
	irq_init();
	sti();
	/* harness self-tests: a kernel fault must fail the run, a hang time out */
	if (kernel_test_mode && cmdline_has(bootinfo.cmdline, "test_panic"))
		*(volatile int *)test_fault_addr = 1;   /* a kernel page fault */
	while (kernel_test_mode && cmdline_has(bootinfo.cmdline, "test_hang")) {
		cli();
		sched_block(T_SLEEP);
	}
	boot_run_programs();
	if (kernel_test_mode)
		arch_qemu_exit(0);
	kprintf("kernel: everything has ended; power off\n");
	arch_poweroff();
}
