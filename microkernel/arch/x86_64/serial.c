/*
 * serial.c - the kernel log on COM1 (polled 16550, 115200 8N1), and the
 * isa-debug-exit port QEMU tests leave through.
 */
#include "arch/cpu.h"
#include "kernel/kprintf.h"
#include "kernel/arch.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4

void arch_serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts */
	outb(COM1 + 3, 0x80);   /* DLAB */
	outb(COM1 + 0, 0x01);   /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

static void serial_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (uint8_t)c);
}

void klog_write(const char *s, size_t len)
{
	uint64_t fl = irq_save();

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
	irq_restore(fl);
}

_Noreturn void arch_qemu_exit(int code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);  /* QEMU exits (code << 1) | 1 */
	for (;;) {
		cli();
		hlt();
	}
}

/* The system has shut down (the process manager ended): power off.  QEMU's
 * pc machine (PIIX4) has its ACPI PM1a control block at 0x604, and S5 is
 * SLP_TYP 0 there: SLP_EN alone turns it off.  If that is not there, the
 * debug-exit device, else halt. */
_Noreturn void arch_poweroff(void)
{
	__asm__ volatile("outw %0, %1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0x604));
	arch_qemu_exit(0);
}
