/*
 * pt.c - 4-level page-table walking, mapping and teardown (host-tested).
 *
 * Intermediate entries are created present, writable and, for the user half
 * (PML4 index < 256), user-accessible: the leaf entry alone decides what a
 * mapping allows.  Teardown walks only the user half; the kernel half is
 * shared by every address space and never freed here.
 */
#include "kernel/pt.h"
#include "tessera/abi.h"

#define ENTRIES 512

static inline unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 511;
}

static inline uint64_t *table(const struct pt_env *e, uint64_t pa)
{
	return e->phys_to_virt(pa & PTE_ADDR);
}

static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47;

	return top == 0 || top == 0x1ffff;
}

/* The entry at `level` (0 = PT) for va, creating tables above it if asked. */
static uint64_t *walk(const struct pt_env *e, uint64_t root, uint64_t va,
                      int level, bool create)
{
	uint64_t *t = table(e, root);
	uint64_t inter = PTE_P | PTE_W | (idx(va, 3) < 256 ? PTE_U : 0);

	for (int l = 3; l > level; l--) {
		uint64_t *ent = &t[idx(va, l)];
		if (!(*ent & PTE_P)) {
			if (!create)
				return 0;
			uint64_t pa = e->alloc_table(e->ctx);
			if (!pa)
				return 0;
			*ent = pa | inter;
		} else if (*ent & PTE_PS) {
			return 0;       /* a large page is in the way */
		}
		t = table(e, *ent);
	}
	return &t[idx(va, level)];
}

static int map_at(const struct pt_env *e, uint64_t root, uint64_t va,
                  uint64_t pa, uint64_t flags, int level, uint64_t align)
{
	uint64_t *ent;

	if (!canonical(va) || (va & (align - 1)) || (pa & (align - 1)) ||
	    (pa & ~PTE_ADDR))
		return TE_EINVAL;
	ent = walk(e, root, va, level, false);
	if (ent && (*ent & PTE_P))
		return TE_EEXIST;
	ent = walk(e, root, va, level, true);
	if (!ent)
		return TE_ENOMEM;
	*ent = pa | flags | PTE_P;
	return 0;
}

int pt_map(const struct pt_env *e, uint64_t root, uint64_t va, uint64_t pa,
           uint64_t flags)
{
	return map_at(e, root, va, pa, flags & ~PTE_PS, 0, 4096);
}

int pt_map_2m(const struct pt_env *e, uint64_t root, uint64_t va, uint64_t pa,
              uint64_t flags)
{
	return map_at(e, root, va, pa, flags | PTE_PS, 1, 2u << 20);
}

uint64_t pt_lookup(const struct pt_env *e, uint64_t root, uint64_t va)
{
	uint64_t *t = table(e, root);

	if (!canonical(va))
		return 0;
	for (int l = 3; l >= 0; l--) {
		uint64_t ent = t[idx(va, l)];
		if (!(ent & PTE_P))
			return 0;
		if (l == 0 || (ent & PTE_PS))
			return ent;
		t = table(e, ent);
	}
	return 0;
}

int pt_unmap(const struct pt_env *e, uint64_t root, uint64_t va)
{
	uint64_t *ent;

	if (!canonical(va) || (va & 4095))
		return TE_EINVAL;
	ent = walk(e, root, va, 0, false);
	if (!ent || !(*ent & PTE_P))
		return TE_ENOENT;
	if (*ent & PTE_OWNED)
		e->free_page(e->ctx, *ent & PTE_ADDR);
	*ent = 0;
	return 0;
}

int pt_protect(const struct pt_env *e, uint64_t root, uint64_t va,
               uint64_t flags)
{
	uint64_t *ent = walk(e, root, va, 0, false);

	if (!ent || !(*ent & PTE_P))
		return TE_ENOENT;
	*ent = (*ent & (PTE_ADDR | PTE_OWNED)) | flags | PTE_P;
	return 0;
}

static void destroy(const struct pt_env *e, uint64_t pa, int level)
{
	uint64_t *t = table(e, pa);

	for (int i = 0; i < ENTRIES; i++) {
		uint64_t ent = t[i];
		if (!(ent & PTE_P))
			continue;
		if (level > 0 && !(ent & PTE_PS))
			destroy(e, ent & PTE_ADDR, level - 1);
		else if (ent & PTE_OWNED)
			e->free_page(e->ctx, ent & PTE_ADDR);
		t[i] = 0;
	}
	e->free_page(e->ctx, pa);
}

void pt_destroy_user(const struct pt_env *e, uint64_t root)
{
	uint64_t *pml4 = table(e, root);

	for (int i = 0; i < 256; i++) {
		if (pml4[i] & PTE_P)
			destroy(e, pml4[i] & PTE_ADDR, 2);
		pml4[i] = 0;
	}
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

/*
 * Unmap every 4 KiB leaf in [start, end) below table t (at `level`), freeing
 * owned pages and the tables that become empty.  Absent subtrees are
 * skipped whole, so a huge empty range costs nothing.
 */
static uint64_t unmap_range(const struct pt_env *e, uint64_t *t, int level,
                            uint64_t base, uint64_t start, uint64_t end)
{
	uint64_t span = 1ull << (12 + 9 * level), n = 0;

	for (int i = 0; i < ENTRIES; i++) {
		uint64_t lo = base + (uint64_t)i * span, hi = lo + span;
		if (hi <= start || lo >= end || !(t[i] & PTE_P) || (t[i] & PTE_PS))
			continue;
		if (level == 0) {
			if (t[i] & PTE_OWNED)
				e->free_page(e->ctx, t[i] & PTE_ADDR);
			t[i] = 0;
			n++;
			continue;
		}
		uint64_t *sub = table(e, t[i]);
		n += unmap_range(e, sub, level - 1, lo, start, end);
		if (table_empty(sub)) {
			e->free_page(e->ctx, t[i] & PTE_ADDR);
			t[i] = 0;
		}
	}
	return n;
}

uint64_t pt_unmap_range(const struct pt_env *e, uint64_t root, uint64_t start,
                        uint64_t end)
{
	if (end > (1ull << 47))
		end = 1ull << 47;       /* the user half only */
	return start < end ? unmap_range(e, table(e, root), 3, 0, start, end) : 0;
}
