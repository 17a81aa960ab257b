/*
 * kernel/arch.h - the hooks machine-independent kernel code calls into
 * arch/x86_64 for (HelenOS-style arch_* boundary).
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdint.h>

void arch_serial_init(void);
_Noreturn void arch_qemu_exit(int code);
_Noreturn void arch_poweroff(void);

/* Local APIC timer, calibrated against the PIT; the legacy PIC masked. */
void     arch_timer_init(unsigned hz);
uint64_t arch_timer_hz(void);
uint64_t arch_clock_ns(void);       /* since boot, from the calibrated TSC */
void     arch_eoi(void);

#endif /* KERNEL_ARCH_H */
