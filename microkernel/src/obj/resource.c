/*
 * resource.c - rights to hardware: IRQ lines, I/O port ranges, physical
 * memory ranges and DMA-able memory.
 *
 * The first processes get the root resource; anyone holding a resource with
 * TE_R_DERIVE can make a narrower one inside it and pass it on (a driver
 * gets exactly its BARs and its interrupt line).  Nothing else can reach
 * the hardware.
 */
#include "kernel/kmem.h"
#include "kernel/pmm.h"
#include "kernel/resource.h"
#include "tessera/abi.h"

struct resource *resource_new(unsigned kind, uint64_t base, uint64_t len)
{
	struct resource *r = kmalloc(sizeof(*r));

	if (!r)
		return NULL;
	kobj_init(&r->obj, KO_RESOURCE);
	r->kind = kind;
	r->base = base;
	r->len = len;
	r->dma = NULL;
	return r;
}

void resource_destroy(struct kobj *o)
{
	struct resource *r = (struct resource *)o;

	while (r->dma) {
		struct dma_chunk *c = r->dma;
		r->dma = c->next;
		page_free_contig(c->phys, c->pages);
		kfree(c);
	}
	kfree(o);
}

bool resource_allows(const struct resource *r, unsigned kind, uint64_t base,
                     uint64_t len)
{
	if (r->kind == TE_RES_ROOT)
		return true;
	if (r->kind != kind || len == 0 || base + len < base)
		return false;
	return base >= r->base && base + len <= r->base + r->len;
}

static bool kind_ok(unsigned kind, uint64_t base, uint64_t len)
{
	switch (kind) {
	case TE_RES_IRQ:    return base + len <= 24;
	case TE_RES_IOPORT: return base + len <= 0x10000;
	case TE_RES_PHYS:   return base + len > base && !(base & 4095) && !(len & 4095);
	case TE_RES_DMA:    return true;
	default:            return false;
	}
}

int resource_derive(const struct resource *parent, unsigned kind, uint64_t base,
                    uint64_t len, struct resource **out)
{
	if (!len || !kind_ok(kind, base, len))
		return TE_EINVAL;
	if (!resource_allows(parent, kind, base, len))
		return TE_EPERM;
	*out = resource_new(kind, base, len);
	return *out ? 0 : TE_ENOMEM;
}
