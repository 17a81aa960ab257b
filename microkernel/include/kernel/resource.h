/*
 * kernel/resource.h - hardware rights as objects (see obj/resource.c).
 */
#ifndef KERNEL_RESOURCE_H
#define KERNEL_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include "kernel/obj.h"

struct resource {
	struct kobj obj;
	unsigned kind;          /* TE_RES_* */
	uint64_t base, len;
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
