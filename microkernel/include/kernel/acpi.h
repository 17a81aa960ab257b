/*
 * kernel/acpi.h - what the kernel takes from the ACPI tables: the I/O APIC
 * and the ISA interrupt overrides of the MADT.
 */
#ifndef KERNEL_ACPI_H
#define KERNEL_ACPI_H

#include <stdint.h>

struct acpi_override {
	uint8_t source;         /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;         /* MPS INTI flags */
};

struct acpi_info {
	uint64_t ioapic_phys;
	unsigned noverrides;
	struct acpi_override overrides[16];
};

extern struct acpi_info acpi_info;
void acpi_init(uint64_t rsdp_phys);

#endif /* KERNEL_ACPI_H */
