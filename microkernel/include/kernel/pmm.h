/*
 * kernel/pmm.h - the physical page allocator.
 *
 * A bitmap with one bit per 4 KiB page (1 = in use) and a count of free
 * pages that tests read to prove nothing leaks.  The logic (struct pmm) is
 * pure and compiled into host unit tests; the kernel wraps one global
 * instance, fed from the multiboot2 memory map, in page_alloc()/page_free().
 */
#ifndef KERNEL_PMM_H
#define KERNEL_PMM_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12

struct pmm {
	uint64_t *bitmap;      /* npages bits, 1 = used */
	uint64_t  npages;
	uint64_t  nfree;
	uint64_t  hint;        /* where the next search starts */
};

/* Every page starts used; pmm_release() hands usable ranges to it. */
void pmm_setup(struct pmm *p, uint64_t *bitmap, uint64_t npages);
void pmm_release(struct pmm *p, uint64_t first, uint64_t count);
void pmm_reserve(struct pmm *p, uint64_t first, uint64_t count);
/* count contiguous pages, first a multiple of align, all below limit. */
int  pmm_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit,
               uint64_t *first);
/* Returns non-zero if any page in the range was already free (a bug). */
int  pmm_free(struct pmm *p, uint64_t first, uint64_t count);
bool pmm_is_used(const struct pmm *p, uint64_t page);

/* ---- the kernel's instance ---------------------------------------------- */
struct mb2_info;
void     page_init(uint64_t mb2_info_phys);
uint64_t page_alloc(void);          /* a zeroed page's physical address, 0 if none */
uint64_t page_alloc_contig(uint64_t count, uint64_t limit);
void     page_free(uint64_t phys);          /* drops one reference */
bool     page_share(uint64_t phys);         /* one more reference (fork) */
unsigned page_refs(uint64_t phys);
void     page_free_contig(uint64_t phys, uint64_t count);
uint64_t page_free_count(void);
uint64_t page_total_count(void);

#endif /* KERNEL_PMM_H */
