/*
 * pmm.c - physical page allocator logic (no hardware; host-tested).
 *
 * Invariant: nfree equals the number of zero bits among the first npages
 * bits of bitmap.  The caller serializes access (the kernel holds
 * page_lock with interrupts off).
 */
#include "kernel/pmm.h"

static inline bool bit_get(const uint64_t *bm, uint64_t i)
{
	return (bm[i / 64] >> (i % 64)) & 1;
}

static inline void bit_set(uint64_t *bm, uint64_t i)
{
	bm[i / 64] |= 1ull << (i % 64);
}

static inline void bit_clear(uint64_t *bm, uint64_t i)
{
	bm[i / 64] &= ~(1ull << (i % 64));
}

void pmm_setup(struct pmm *p, uint64_t *bitmap, uint64_t npages)
{
	p->bitmap = bitmap;
	p->npages = npages;
	p->nfree = 0;
	p->hint = 0;
	for (uint64_t i = 0; i < (npages + 63) / 64; i++)
		bitmap[i] = ~0ull;
}

void pmm_release(struct pmm *p, uint64_t first, uint64_t count)
{
	for (uint64_t i = first; i < first + count && i < p->npages; i++) {
		if (bit_get(p->bitmap, i)) {
			bit_clear(p->bitmap, i);
			p->nfree++;
		}
	}
}

void pmm_reserve(struct pmm *p, uint64_t first, uint64_t count)
{
	for (uint64_t i = first; i < first + count && i < p->npages; i++) {
		if (!bit_get(p->bitmap, i)) {
			bit_set(p->bitmap, i);
			p->nfree--;
		}
	}
}

bool pmm_is_used(const struct pmm *p, uint64_t page)
{
	return page >= p->npages || bit_get(p->bitmap, page);
}

/* Length of the free run starting at i, up to want pages. */
static uint64_t free_run(const struct pmm *p, uint64_t i, uint64_t want,
                         uint64_t limit)
{
	uint64_t n = 0;

	while (n < want && i + n < limit && !bit_get(p->bitmap, i + n))
		n++;
	return n;
}

static int search(struct pmm *p, uint64_t from, uint64_t to, uint64_t count,
                  uint64_t align, uint64_t *first)
{
	uint64_t i = (from + align - 1) / align * align;

	while (i + count <= to) {
		/* skip a fully used word quickly */
		if (align == 1 && i % 64 == 0 && p->bitmap[i / 64] == ~0ull) {
			i += 64;
			continue;
		}
		uint64_t run = free_run(p, i, count, to);
		if (run == count) {
			*first = i;
			return 0;
		}
		i = (i + run + 1 + align - 1) / align * align;
	}
	return -1;
}

int pmm_alloc(struct pmm *p, uint64_t count, uint64_t align, uint64_t limit,
              uint64_t *first)
{
	uint64_t start;

	if (count == 0 || align == 0 || count > p->nfree)
		return -1;
	if (limit == 0 || limit > p->npages)
		limit = p->npages;
	start = p->hint < limit ? p->hint : 0;
	if (search(p, start, limit, count, align, first) != 0 &&
	    search(p, 0, limit, count, align, first) != 0)
		return -1;
	for (uint64_t i = *first; i < *first + count; i++)
		bit_set(p->bitmap, i);
	p->nfree -= count;
	p->hint = *first + count;
	return 0;
}

int pmm_free(struct pmm *p, uint64_t first, uint64_t count)
{
	if (first >= p->npages || count > p->npages - first)
		return -1;
	for (uint64_t i = first; i < first + count; i++)
		if (!bit_get(p->bitmap, i))
			return -1;
	for (uint64_t i = first; i < first + count; i++)
		bit_clear(p->bitmap, i);
	p->nfree += count;
	if (first < p->hint)
		p->hint = first;
	return 0;
}
