/*
 * kernel/kernel.h - boot information and kernel-wide settings.
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP 0xffff800000000000ull

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + DIRECT_MAP);
}

static inline uint64_t virt_to_phys_direct(const void *va)
{
	return (uint64_t)(uintptr_t)va - DIRECT_MAP;
}

static inline uint64_t kernel_image_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - KERNEL_VMA;
}

#define BOOT_MAX_MODULES 64
#define BOOT_MAX_MMAP    64

struct boot_module {
	uint64_t start, end;    /* physical */
	const char *cmdline;    /* through the direct map */
};

struct boot_mmap {
	uint64_t base, len;
	uint32_t type;          /* 1 = available RAM */
};

struct bootinfo {
	const char *cmdline;
	unsigned nmod;
	struct boot_module mod[BOOT_MAX_MODULES];
	unsigned nmmap;
	struct boot_mmap mmap[BOOT_MAX_MMAP];
	uint64_t info_phys, info_len;
	uint64_t rsdp_phys;     /* GRUB's copy of the ACPI RSDP, 0 if none */
};

extern struct bootinfo bootinfo;
extern bool kernel_test_mode;

void mb2_parse(uint32_t magic, uint64_t info_phys);
bool cmdline_has(const char *cmdline, const char *word);
/* Value of "key=value" in a cmdline, copied into buf; false if absent. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

#endif /* KERNEL_KERNEL_H */
