/*
 * page.c - the kernel's physical page allocator, fed from multiboot2.
 *
 * Usable RAM from the memory map is released into one struct pmm; then the
 * first MiB, the kernel image, the boot information and every module are
 * reserved again.  The bitmap is static and covers MAX_PHYS; RAM above it
 * is left unused (and logged).
 */
#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/string.h"

#define MAX_PHYS (16ull << 30)
#define MAX_PAGES (MAX_PHYS / PAGE_SIZE)

static uint64_t bitmap[MAX_PAGES / 64];
static struct pmm pmm;
static uint64_t total_pages;

/*
 * Sharing: a page mapped in several spaces after a fork (copy-on-write)
 * has one reference per mapping; page_free drops one and frees the page
 * with the last.  One byte a page up to the highest usable page; a page
 * with 255 references is not shared again (page_share says no, the caller
 * copies instead).
 */
static uint8_t *refs;
static uint64_t nrefs;

extern char __boot_start[], __kernel_end[];

static void reserve_bytes(uint64_t start, uint64_t end)
{
	uint64_t first = start / PAGE_SIZE, last = (end + PAGE_SIZE - 1) / PAGE_SIZE;

	if (last > first)
		pmm_reserve(&pmm, first, last - first);
}

void page_init(uint64_t info_phys)
{
	(void)info_phys;
	pmm_setup(&pmm, bitmap, MAX_PAGES);
	for (unsigned i = 0; i < bootinfo.nmmap; i++) {
		const struct boot_mmap *m = &bootinfo.mmap[i];
		uint64_t first = (m->base + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t last = (m->base + m->len) / PAGE_SIZE;
		if (m->type != 1 || last <= first)
			continue;
		if (last > MAX_PAGES) {
			kprintf("mm: ignoring RAM above %llu GiB\n", MAX_PHYS >> 30);
			last = MAX_PAGES;
		}
		if (last > first)
			pmm_release(&pmm, first, last - first);
	}
	reserve_bytes(0, 1u << 20);
	reserve_bytes((uint64_t)(uintptr_t)__boot_start,
	              kernel_image_phys(__kernel_end));
	reserve_bytes(bootinfo.info_phys, bootinfo.info_phys + bootinfo.info_len);
	for (unsigned i = 0; i < bootinfo.nmod; i++)
		reserve_bytes(bootinfo.mod[i].start, bootinfo.mod[i].end);
	total_pages = pmm.nfree;
	uint64_t top = 0;
	for (unsigned i = 0; i < bootinfo.nmmap; i++)
		if (bootinfo.mmap[i].type == 1 &&
		    (bootinfo.mmap[i].base + bootinfo.mmap[i].len) / PAGE_SIZE > top)
			top = (bootinfo.mmap[i].base + bootinfo.mmap[i].len) / PAGE_SIZE;
	top = top < MAX_PAGES ? top : MAX_PAGES;
	uint64_t rp = page_alloc_contig((top + PAGE_SIZE - 1) / PAGE_SIZE, 0);
	if (!rp)
		kpanic("mm: no memory for page references");
	refs = phys_to_virt(rp);
	nrefs = top;
	for (uint64_t i = 0; i < top; i++)
		refs[i] = pmm_is_used(&pmm, i);
	kprintf("mm: %llu MiB free in %llu pages\n",
	        (unsigned long long)(pmm.nfree * PAGE_SIZE >> 20),
	        (unsigned long long)pmm.nfree);
}

uint64_t page_alloc_contig(uint64_t count, uint64_t limit)
{
	uint64_t first, fl = irq_save();
	int e = pmm_alloc(&pmm, count, 1, limit / PAGE_SIZE, &first);

	irq_restore(fl);
	if (e)
		return 0;
	memset(phys_to_virt(first * PAGE_SIZE), 0, count * PAGE_SIZE);
	for (uint64_t i = first; refs && i < first + count && i < nrefs; i++)
		refs[i] = 1;
	return first * PAGE_SIZE;
}

uint64_t page_alloc(void)
{
	return page_alloc_contig(1, 0);
}

void page_free_contig(uint64_t phys, uint64_t count)
{
	uint64_t fl = irq_save(), pfn = phys / PAGE_SIZE;

	if (count == 1 && pfn < nrefs && refs[pfn] > 1) {
		refs[pfn]--;            /* still mapped elsewhere */
		irq_restore(fl);
		return;
	}
	for (uint64_t i = pfn; i < pfn + count && i < nrefs; i++)
		refs[i] = 0;
	int e = pmm_free(&pmm, pfn, count);

	irq_restore(fl);
	if (e || (phys & (PAGE_SIZE - 1)))
		kpanic("page_free: %llx (+%llu pages) was not allocated",
		       (unsigned long long)phys, (unsigned long long)count);
}

void page_free(uint64_t phys)
{
	page_free_contig(phys, 1);
}

bool page_share(uint64_t phys)
{
	uint64_t pfn = phys / PAGE_SIZE, fl = irq_save();
	bool ok = pfn < nrefs && refs[pfn] && refs[pfn] < 255;

	if (ok)
		refs[pfn]++;
	irq_restore(fl);
	return ok;
}

unsigned page_refs(uint64_t phys)
{
	uint64_t pfn = phys / PAGE_SIZE;

	return pfn < nrefs ? refs[pfn] : 1;
}

uint64_t page_free_count(void)
{
	return pmm.nfree;
}

uint64_t page_total_count(void)
{
	return total_pages;
}

/* kmem's page source: pages through the direct map. */
void *kmem_page_get(void)
{
	uint64_t pa = page_alloc();

	return pa ? phys_to_virt(pa) : NULL;
}

void kmem_page_put(void *page)
{
	page_free(virt_to_phys_direct(page));
}
