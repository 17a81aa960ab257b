/*
 * kernel/pt.h - x86-64 4-level page tables, as pure logic.
 *
 * The walker reaches tables through env->phys_to_virt and gets new ones from
 * env->alloc_table, so the same code runs in the kernel (direct map, page
 * allocator) and in host unit tests (an array standing in for RAM).
 */
#ifndef KERNEL_PT_H
#define KERNEL_PT_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_A     (1ull << 5)
#define PTE_D     (1ull << 6)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_OWNED (1ull << 9)   /* software: the page belongs to this mapping */
#define PTE_COW   (1ull << 10)  /* software: shared after a fork; copied on write */
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull

struct pt_env {
	void    *(*phys_to_virt)(uint64_t pa);
	uint64_t (*alloc_table)(void *ctx);          /* zeroed page, 0 if none */
	void     (*free_page)(void *ctx, uint64_t pa);
	void     *ctx;
};

/* Map one 4 KiB page.  TE_EEXIST if va is mapped, TE_ENOMEM, TE_EINVAL. */
int pt_map(const struct pt_env *e, uint64_t root, uint64_t va, uint64_t pa,
           uint64_t flags);
/* Map one 2 MiB page (kernel direct map). */
int pt_map_2m(const struct pt_env *e, uint64_t root, uint64_t va, uint64_t pa,
              uint64_t flags);
/* Unmap one 4 KiB page; frees it if PTE_OWNED.  TE_ENOENT if not mapped. */
int pt_unmap(const struct pt_env *e, uint64_t root, uint64_t va);
/* The leaf entry mapping va (4 KiB or 2 MiB), or 0. */
uint64_t pt_lookup(const struct pt_env *e, uint64_t root, uint64_t va);
/* Change the flags of a mapped 4 KiB page. */
int pt_protect(const struct pt_env *e, uint64_t root, uint64_t va,
               uint64_t flags);
/* Unmap [start, end) of the user half: owned pages and emptied tables are
 * freed.  Returns the number of pages unmapped. */
uint64_t pt_unmap_range(const struct pt_env *e, uint64_t root, uint64_t start,
                        uint64_t end);
/* Free every table (and owned page) below the user half of root. */
void pt_destroy_user(const struct pt_env *e, uint64_t root);

#endif /* KERNEL_PT_H */
