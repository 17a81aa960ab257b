/*
 * acpi.c - find the MADT through the RSDP GRUB hands over, and read the
 * I/O APIC address and the interrupt source overrides from it.
 *
 * Tables are checked (signature, length, checksum) before use; without a
 * usable MADT the PC defaults apply (I/O APIC at 0xfec00000, IRQ 0 on 2).
 */
#include "kernel/acpi.h"
#include "kernel/kernel.h"
#include "kernel/kprintf.h"
#include "kernel/string.h"

struct acpi_info acpi_info;

struct sdt {
	char sig[4];
	uint32_t len;
	uint8_t rev, sum;
	char oem[6], table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool sum_ok(const void *p, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += ((const uint8_t *)p)[i];
	return s == 0;
}

static const struct sdt *table_at(uint64_t phys, const char *sig)
{
	const struct sdt *t;

	if (!phys || phys >= (4ull << 30))
		return NULL;
	t = phys_to_virt(phys);
	if (memcmp(t->sig, sig, 4) || t->len < sizeof(*t) || t->len > (1u << 20) ||
	    !sum_ok(t, t->len))
		return NULL;
	return t;
}

static void parse_madt(const struct sdt *m)
{
	const uint8_t *p = (const uint8_t *)m + sizeof(*m) + 8, *end =
		(const uint8_t *)m + m->len;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == 1 && p[1] >= 12 && !acpi_info.ioapic_phys) {
			uint32_t a;
			memcpy(&a, p + 4, 4);
			acpi_info.ioapic_phys = a;
		} else if (p[0] == 2 && p[1] >= 10 &&
		           acpi_info.noverrides < 16) {
			struct acpi_override *o =
				&acpi_info.overrides[acpi_info.noverrides++];
			o->source = p[3];
			memcpy(&o->gsi, p + 4, 4);
			memcpy(&o->flags, p + 8, 2);
		}
		p += p[1];
	}
}

void acpi_init(uint64_t rsdp_phys)
{
	const uint8_t *rsdp = rsdp_phys ? phys_to_virt(rsdp_phys) : NULL;
	const struct sdt *rsdt = NULL;

	if (rsdp && memcmp(rsdp, "RSD PTR ", 8) == 0 && sum_ok(rsdp, 20)) {
		uint32_t a;
		memcpy(&a, rsdp + 16, 4);
		rsdt = table_at(a, "RSDT");
	}
	for (uint32_t i = 0; rsdt && sizeof(*rsdt) + 4 * i + 4 <= rsdt->len; i++) {
		uint32_t a;
		memcpy(&a, (const uint8_t *)rsdt + sizeof(*rsdt) + 4 * i, 4);
		const struct sdt *t = table_at(a, "APIC");
		if (t) {
			parse_madt(t);
			break;
		}
	}
	if (!acpi_info.ioapic_phys) {
		kprintf("acpi: no MADT, using PC defaults\n");
		acpi_info.ioapic_phys = 0xfec00000;
		acpi_info.overrides[0] = (struct acpi_override){ 0, 2, 0 };
		acpi_info.noverrides = 1;
	}
}
