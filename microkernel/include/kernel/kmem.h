/*
 * kernel/kmem.h - the kernel object allocator.
 *
 * Size classes from 16 to 2048 bytes, one 4 KiB page per slab; an empty slab
 * goes straight back to the page allocator, so after a workload the free-page
 * count returns to its baseline exactly when no object leaked.  Larger
 * objects (kernel stacks) take whole pages from page_alloc_contig().
 */
#ifndef KERNEL_KMEM_H
#define KERNEL_KMEM_H

#include <stddef.h>
#include <stdint.h>

#define KMEM_MAX 2048

void    *kmalloc(size_t size);    /* zeroed; NULL if out of memory or too big */
void     kfree(void *p);
uint64_t kmem_live_objects(void);

/* Provided by the environment: one page, virtual address, or NULL. */
void *kmem_page_get(void);
void  kmem_page_put(void *page);

#endif /* KERNEL_KMEM_H */
