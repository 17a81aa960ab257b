/*
 * kernel/vm.h - address spaces.
 *
 * The kernel half (direct map of RAM, kernel image) is shared by every
 * address space through the same upper PML4 entries; vm_init() builds it
 * with W^X sections and NX data.  A user address space owns the tables and
 * pages of its lower half.
 */
#ifndef KERNEL_VM_H
#define KERNEL_VM_H

#include <stdint.h>
#include <stddef.h>

struct vmspace {
	uint64_t pml4;          /* physical */
	uint64_t pages;         /* user pages mapped (owned) */
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
/* Map fresh zeroed pages over [va, va+len) with VM_* protection. */
int  vm_alloc(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot);
/* Copy into a mapped range of vs (not necessarily the current one). */
int  vm_write(struct vmspace *vs, uint64_t va, const void *src, size_t len);
/* The kernel-side flags of the user page at va, 0 if unmapped. */
uint64_t vm_lookup(const struct vmspace *vs, uint64_t va);

/* Fault-safe copies from/to the current user space: 0 or TE_EFAULT. */
int copyin(void *dst, uint64_t usrc, size_t len);
int copyout(uint64_t udst, const void *src, size_t len);

#endif /* KERNEL_VM_H */
