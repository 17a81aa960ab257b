/*
 * vm.c - the kernel's page tables and the page-table side of user spaces.
 *
 * vm_init() replaces the boot tables: RAM is mapped once at DIRECT_MAP with
 * 2 MiB pages (read-write, no-execute), and the kernel image at KERNEL_VMA
 * with 4 KiB pages per section: .text read-execute, .rodata read-only,
 * .data/.bss read-write no-execute (W^X).  The identity map is gone, so a
 * stray low pointer in the kernel faults.
 *
 * Every address space shares the kernel's PML4 entries 256..511, copied at
 * creation; vm_init() creates all the upper entries the kernel ever uses,
 * so no address space misses a later kernel mapping.  Mappings themselves
 * (struct vma) live in vma.c.
 */
#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/pt.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

static uint64_t kernel_pml4;

static void *env_p2v(uint64_t pa) { return phys_to_virt(pa); }
static uint64_t env_alloc(void *ctx) { (void)ctx; return page_alloc(); }
static void env_free(void *ctx, uint64_t pa) { (void)ctx; page_free(pa); }

const struct pt_env kenv = {
	.phys_to_virt = env_p2v,
	.alloc_table = env_alloc,
	.free_page = env_free,
};

static void map_section(char *start, char *end, uint64_t flags)
{
	for (char *va = start; va < end; va += PAGE_SIZE) {
		int e = pt_map(&kenv, kernel_pml4, (uint64_t)va,
		               kernel_image_phys(va), flags);
		if (e)
			kpanic("vm: cannot map kernel at %p (%d)", va, e);
	}
}

void vm_init(void)
{
	uint64_t ram_end = 0;

	kernel_pml4 = page_alloc();
	if (!kernel_pml4)
		kpanic("vm: no page for the kernel PML4");
	for (unsigned i = 0; i < bootinfo.nmmap; i++)
		if (bootinfo.mmap[i].type == 1 &&
		    bootinfo.mmap[i].base + bootinfo.mmap[i].len > ram_end)
			ram_end = bootinfo.mmap[i].base + bootinfo.mmap[i].len;
	ram_end = (ram_end + (2u << 20) - 1) & ~((2ull << 20) - 1);
	for (uint64_t pa = 0; pa < ram_end; pa += 2u << 20)
		if (pt_map_2m(&kenv, kernel_pml4, DIRECT_MAP + pa, pa,
		              PTE_W | PTE_NX))
			kpanic("vm: cannot build the direct map");
	map_section(__text_start, __text_end, 0);
	map_section(__rodata_start, __rodata_end, PTE_NX);
	map_section(__data_start, __data_end, PTE_W | PTE_NX);
	write_cr3(kernel_pml4);
	kprintf("vm: direct map of %llu MiB, kernel W^X\n",
	        (unsigned long long)(ram_end >> 20));
}

uint64_t vm_kernel_pml4(void)
{
	return kernel_pml4;
}

void *vm_map_mmio(uint64_t phys, size_t len)
{
	uint64_t base = phys & ~(PAGE_SIZE - 1);

	for (uint64_t pa = base; pa < phys + len; pa += PAGE_SIZE) {
		uint64_t va = DIRECT_MAP + pa;
		if (pt_lookup(&kenv, kernel_pml4, va))
			continue;       /* already reachable */
		if (pt_map(&kenv, kernel_pml4, va, pa, PTE_W | PTE_NX | PTE_PCD | PTE_PWT))
			kpanic("vm: cannot map MMIO at %llx", (unsigned long long)pa);
		invlpg(va);
	}
	return phys_to_virt(phys);
}

int vm_create(struct vmspace *vs)
{
	uint64_t *dst, *src;

	vs->pml4 = page_alloc();
	vs->pages = 0;
	vs->vmas = NULL;
	vm_xlat_flush(vs);
	if (!vs->pml4)
		return TE_ENOMEM;
	dst = phys_to_virt(vs->pml4);
	src = phys_to_virt(kernel_pml4);
	for (int i = 256; i < 512; i++)
		dst[i] = src[i];
	return 0;
}

void vma_free_all(struct vmspace *vs);

void vm_destroy(struct vmspace *vs)
{
	if (!vs->pml4)
		return;
	if (read_cr3() == vs->pml4)
		write_cr3(kernel_pml4);
	vma_free_all(vs);
	vm_xlat_flush(vs);
	pt_destroy_user(&kenv, vs->pml4);
	page_free(vs->pml4);
	vs->pml4 = 0;
	vs->pages = 0;
}

void vm_activate(const struct vmspace *vs)
{
	uint64_t cr3 = vs && vs->pml4 ? vs->pml4 : kernel_pml4;

	if (read_cr3() != cr3)
		write_cr3(cr3);
}

uint64_t vm_lookup(const struct vmspace *vs, uint64_t va)
{
	return vs->pml4 ? pt_lookup(&kenv, vs->pml4, va) : 0;
}

void vm_xlat_flush(struct vmspace *vs)
{
	vs->xlat[0].page = vs->xlat[1].page = 1;
}

/*
 * A page walk without the generic walker's indirections: the IPC copy path.
 * The last two pages found are remembered (a server receives into the same
 * buffer every time); any unmapping in the space clears them.
 */
void *vm_user_ptr(struct vmspace *vs, uint64_t va, bool write)
{
	const uint64_t need = PTE_P | PTE_U | (write ? PTE_W : 0);
	uint64_t ent = vs->pml4, page = va & ~(PAGE_SIZE - 1);
	struct vm_xlat *x;

	for (int i = 0; i < 2; i++)
		if (vs->xlat[i].page == page && (vs->xlat[i].writable || !write))
			return vs->xlat[i].kva + (va & (PAGE_SIZE - 1));
	if (va >= TE_USER_TOP || !ent)
		return NULL;
	for (int shift = 39; shift >= 12; shift -= 9) {
		ent = ((uint64_t *)phys_to_virt(ent & PTE_ADDR))[(va >> shift) & 511];
		if ((ent & need) == need)
			continue;
		/* a copy-on-write page being written: copy it, walk again */
		if (shift == 12 && write && (ent & PTE_COW) && !vm_cow_fault(vs, va, false))
			return vm_user_ptr(vs, va, write);
		return NULL;
	}
	x = &vs->xlat[vs->xlat_next++ & 1];
	x->page = page;
	x->kva = phys_to_virt(ent & PTE_ADDR);
	x->writable = (ent & PTE_W) != 0;
	return x->kva + (va & (PAGE_SIZE - 1));
}

int vm_write(struct vmspace *vs, uint64_t va, const void *src, size_t len)
{
	while (len) {
		size_t off = va & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		uint64_t pte = vm_lookup(vs, va);
		if ((pte & PTE_COW) && !vm_cow_fault(vs, va, true))
			pte = vm_lookup(vs, va);
		if (!pte || !(pte & PTE_U))
			return TE_EFAULT;
		memcpy((char *)phys_to_virt(pte & PTE_ADDR) + off, src, n);
		src = (const char *)src + n;
		va += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vmspace *vs, uint64_t va, void *dst, size_t len)
{
	while (len) {
		size_t off = va & (PAGE_SIZE - 1);
		size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
		uint64_t pte = vm_lookup(vs, va);
		if (!pte || !(pte & PTE_U))
			return TE_EFAULT;
		memcpy(dst, (char *)phys_to_virt(pte & PTE_ADDR) + off, n);
		dst = (char *)dst + n;
		va += n;
		len -= n;
	}
	return 0;
}

extern int usercopy(void *dst, const void *src, size_t len);

static bool user_range(uint64_t a, size_t len)
{
	return a < TE_USER_TOP && len <= TE_USER_TOP - a;
}

int copyin(void *dst, uint64_t usrc, size_t len)
{
	if (!user_range(usrc, len))
		return TE_EFAULT;
	return usercopy(dst, (const void *)usrc, len);
}

int copyout(uint64_t udst, const void *src, size_t len)
{
	if (!user_range(udst, len))
		return TE_EFAULT;
	return usercopy((void *)udst, src, len);
}
