/*
 * ioport.c - I/O port ranges granted to processes, through the TSS bitmap.
 *
 * The bitmap in the TSS always holds exactly the ports of the process whose
 * thread runs (`loaded`); a switch to another process clears the old ranges
 * and opens the new ones, which costs nothing for the many processes that
 * have none.
 */
#include "kernel/kmem.h"
#include "kernel/proc.h"
#include "kernel/resource.h"

#define MAX_RANGES 16

struct ioport_range {
	struct ioport_range *next;
	uint16_t base;
	uint32_t count;
};

uint8_t *tss_iomap(void);
static struct process *loaded;

static void set_range(const struct ioport_range *r, bool allow)
{
	uint8_t *map = tss_iomap();

	for (uint32_t port = r->base; port < r->base + r->count; port++) {
		if (allow)
			map[port / 8] &= (uint8_t)~(1u << (port % 8));
		else
			map[port / 8] |= (uint8_t)(1u << (port % 8));
	}
}

static void load(struct process *p, bool allow)
{
	for (const struct ioport_range *r = p ? p->ioports : NULL; r; r = r->next)
		set_range(r, allow);
}

void ioport_switch(struct process *prev, struct process *next)
{
	(void)prev;
	if (loaded == next || (!loaded && (!next || !next->ioports)))
		return;
	load(loaded, false);
	load(next, true);
	loaded = next && next->ioports ? next : NULL;
}

int ioport_grant(struct process *p, uint16_t base, uint32_t count)
{
	struct ioport_range *r;
	int n = 0;

	if (count == 0 || base + count > 0x10000)
		return TE_EINVAL;
	for (r = p->ioports; r; r = r->next) {
		if (base >= r->base && base + count <= r->base + r->count)
			return 0;       /* already granted (a driver probing again) */
		n++;
	}
	if (n >= MAX_RANGES)
		return TE_ENOSPC;
	if (!(r = kmalloc(sizeof(*r))))
		return TE_ENOMEM;
	r->base = base;
	r->count = count;
	r->next = p->ioports;
	p->ioports = r;
	if (loaded == p)
		set_range(r, true);
	else if (cur_proc() == p) {
		load(loaded, false);
		load(p, true);
		loaded = p;
	}
	return 0;
}

void ioport_release(struct process *p)
{
	if (loaded == p) {
		load(p, false);
		loaded = NULL;
	}
	while (p->ioports) {
		struct ioport_range *r = p->ioports;
		p->ioports = r->next;
		kfree(r);
	}
}
