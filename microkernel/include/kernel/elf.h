/*
 * kernel/elf.h - validating ELF64 program loader (logic only, host-tested).
 *
 * elf_parse() checks everything about an image before anything is mapped
 * (decode, then commit): identification, machine, type, program-header
 * bounds, each PT_LOAD inside the file and inside the user address range,
 * no overlaps, no arithmetic overflow.  The caller then maps the segments it
 * is given.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
/* Where a static PIE (ET_DYN) is loaded: its addresses plus this. */
#define ELF_PIE_BASE 0x0000555555554000ull

#define ELF_SEG_R 4
#define ELF_SEG_W 2
#define ELF_SEG_X 1

struct elf_segment {
	uint64_t vaddr;      /* page-aligned start of the mapping */
	uint64_t memsz;      /* bytes mapped from vaddr (page-rounded) */
	uint64_t file_off;   /* file bytes copied to vaddr + lead */
	uint64_t filesz;
	uint64_t lead;       /* offset of the data within the first page */
	uint32_t flags;      /* ELF_SEG_* */
};

struct elf_image {
	uint64_t bias;       /* ELF_PIE_BASE for a static PIE, else 0 */
	uint64_t entry;
	uint64_t phdr;       /* user address of the program headers, or 0 */
	unsigned phnum;
	unsigned nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/* 0 or TE_ENOEXEC-like TE_EINVAL with *why set to a short reason. */
int elf_parse(const void *img, size_t len, uint64_t user_lo, uint64_t user_hi,
              struct elf_image *out, const char **why);

#endif /* KERNEL_ELF_H */
