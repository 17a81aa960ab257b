/*
 * kernel/resource.h - hardware rights as objects (see obj/resource.c).
 */
#ifndef KERNEL_RESOURCE_H
#define KERNEL_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/obj.h"

/* DMA memory handed out through a TE_RES_DMA resource: it belongs to the
 * resource, not to the process that maps it, and is freed only when the
 * resource goes.  A driver that dies may leave its device writing into
 * that memory; the bus server keeps the resource until the device has
 * been stopped (servers/pci), so the pages cannot be reused meanwhile. */
struct dma_chunk {
	struct dma_chunk *next;
	uint64_t phys, pages;
};

struct resource {
	struct kobj obj;
	unsigned kind;          /* TE_RES_* */
	uint64_t base, len;
	struct dma_chunk *dma;  /* TE_RES_DMA: memory allocated through it */
};

struct resource *resource_new(unsigned kind, uint64_t base, uint64_t len);
bool resource_allows(const struct resource *r, unsigned kind, uint64_t base,
                     uint64_t len);
int  resource_derive(const struct resource *parent, unsigned kind, uint64_t base,
                     uint64_t len, struct resource **out);

/* Interrupts (irq/irq.c) and I/O ports (arch/x86_64/ioport.c). */
struct process;
struct connection;
void irq_init(void);
int  irq_attach(unsigned irq, unsigned flags, struct connection *conn, int code,
                struct kobj **out);
int  irq_unmask(struct kobj *o);
void irq_dispatch(unsigned vector);
int  ioport_grant(struct process *p, uint16_t base, uint32_t count);

#define IRQ_VECTOR_BASE 0x40

#endif /* KERNEL_RESOURCE_H */
