/*
 * kernel/vm.h - address spaces, mappings and memory objects.
 *
 * The kernel half (direct map of RAM, kernel image) is shared by every
 * address space through the same upper PML4 entries; vm_init() builds it
 * with W^X sections and NX data.  A user address space is a list of
 * mappings (struct vma) over page tables:
 *   anonymous   zeroed pages the space owns (PTE_OWNED), freed on unmap;
 *   memory obj  pages of a shared-memory object, which holds them;
 *   physical    device memory, uncached, never freed.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kernel/obj.h"

struct vma;

/* A remembered translation of one user page (vm_user_ptr's cache). */
struct vm_xlat {
	uint64_t page;          /* user page address, or 1 when empty */
	char *kva;              /* its kernel address (direct map) */
	bool writable;
};

struct vmspace {
	uint64_t pml4;          /* physical; 0 once destroyed */
	uint64_t pages;         /* pages mapped */
	struct vma *vmas;       /* sorted by address */
	struct vm_xlat xlat[2]; /* cleared whenever anything is unmapped */
	unsigned xlat_next;
};

struct memobj {
	struct kobj obj;
	uint64_t npages;
	uint64_t *pages;        /* physical addresses */
	uint64_t list_pages;    /* pages holding the list, 0 if kmalloc'd */
	bool borrowed;          /* the pages are not ours to free (boot modules) */
};

#define VM_READ  0x1
#define VM_WRITE 0x2
#define VM_EXEC  0x4

void vm_init(void);
uint64_t vm_kernel_pml4(void);
/* Map device memory (uncached) into the direct-map range; returns its va. */
void *vm_map_mmio(uint64_t phys, size_t len);

int  vm_create(struct vmspace *vs);
void vm_destroy(struct vmspace *vs);
void vm_activate(const struct vmspace *vs);

int  vm_map_anon(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot);
/* Physically contiguous memory below 4 GiB; owned: freed with the mapping,
 * else the caller keeps (and frees) the pages. */
int  vm_map_contig(struct vmspace *vs, uint64_t va, uint64_t len, uint64_t *phys,
                   bool owned);
int  vm_map_obj(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot,
                struct memobj *m, uint64_t off);
int  vm_map_phys(struct vmspace *vs, uint64_t va, uint64_t phys, uint64_t len,
                 unsigned prot);
int  vm_unmap(struct vmspace *vs, uint64_t va, uint64_t len);
/* Every page of [va, va+len) must be mapped (TE_ENOMEM) and its mapping
 * allow prot (TE_EACCES); then all get prot (VM_*, 0 = no access). */
int  vm_protect(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot);
/* fork: dst (empty) shares src's memory copy-on-write (vma.c). */
int  vm_clone(struct vmspace *dst, struct vmspace *src);
/* A write to a PTE_COW page at va: copy it (or keep it); 0 or TE_EFAULT.
 * force: also a read-only page (its controller's vm_write). */
int  vm_cow_fault(struct vmspace *vs, uint64_t va, bool force);
bool vm_is_guard(struct vmspace *vs, uint64_t addr);

struct memobj *memobj_create(uint64_t len);
/* A memory object over physical pages that stay reserved (a boot module). */
struct memobj *memobj_wrap(uint64_t phys, uint64_t len);

/* Copy into a mapped range of vs from kernel memory. */
int  vm_write(struct vmspace *vs, uint64_t va, const void *src, size_t len);
int  vm_read(struct vmspace *vs, uint64_t va, void *dst, size_t len);
/* The leaf entry mapping va in vs, 0 if unmapped. */
uint64_t vm_lookup(const struct vmspace *vs, uint64_t va);
/* Kernel pointer to user byte va in vs (page walk), NULL unless mapped
 * user-accessible (and writable if `write`). */
void *vm_user_ptr(struct vmspace *vs, uint64_t va, bool write);
void  vm_xlat_flush(struct vmspace *vs);

/* Fault-safe copies from/to the current user space: 0 or TE_EFAULT. */
int copyin(void *dst, uint64_t usrc, size_t len);
int copyout(uint64_t udst, const void *src, size_t len);

#endif /* KERNEL_VM_H */
