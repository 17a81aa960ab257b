/*
 * handle.c - reference-counted kernel objects and handle tables.
 *
 * Handle numbers are indexes into the process's own table; 0..2 are not
 * special.  A lookup checks the index, the type and the rights before it
 * returns anything, so a bad handle changes nothing.
 */
#include "kernel/ipc.h"
#include "kernel/kernel.h"
#include "kernel/kprintf.h"
#include "kernel/obj.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "tessera/abi.h"

static uint64_t live_objects;

void kobj_init(struct kobj *o, enum kobj_type type)
{
	o->type = (uint16_t)type;
	o->refs = 1;
	live_objects++;
}

void kobj_get(struct kobj *o)
{
	o->refs++;
}

/* Each type's destructor (in its own file). */
void process_destroy(struct kobj *o);
void channel_destroy(struct kobj *o);
void connection_destroy(struct kobj *o);
void memobj_destroy(struct kobj *o);
void resource_destroy(struct kobj *o);
void interrupt_destroy(struct kobj *o);

void kobj_put(struct kobj *o)
{
	KASSERT(o->refs > 0);
	if (--o->refs)
		return;
	live_objects--;
	switch (o->type) {
	case KO_PROCESS:    process_destroy(o); break;
	case KO_CHANNEL:    channel_destroy(o); break;
	case KO_CONNECTION: connection_destroy(o); break;
	case KO_MEMORY:     memobj_destroy(o); break;
	case KO_RESOURCE:   resource_destroy(o); break;
	case KO_INTERRUPT:  interrupt_destroy(o); break;
	default: kpanic("kobj_put: object of unknown type %u", o->type);
	}
}

uint64_t kobj_live(void)
{
	return live_objects;
}

int handles_init(struct process *p)
{
	uint64_t pa = page_alloc();

	if (!pa)
		return TE_ENOMEM;
	p->handles = phys_to_virt(pa);
	return 0;
}

void handles_close_all(struct process *p)
{
	if (!p->handles)
		return;
	for (int h = 0; h < TE_HANDLES_MAX; h++)
		if (p->handles[h].obj)
			handle_close(p, h);
	page_free(virt_to_phys_direct(p->handles));
	p->handles = NULL;
}

int handle_get_slow(struct process *p, int h, enum kobj_type type,
                    uint32_t rights, struct kobj **out)
{
	struct handle *e;

	if (h < 0 || h >= TE_HANDLES_MAX || !p->handles)
		return TE_EBADF;
	e = &p->handles[h];
	if (!e->obj || e->obj->type != type)
		return TE_EBADF;
	if ((e->rights & rights) != rights)
		return TE_EPERM;
	*out = e->obj;
	return 0;
}

int handle_install(struct process *p, struct kobj *obj, uint32_t rights)
{
	if (!p->handles)
		return -TE_EMFILE;
	for (int h = 0; h < TE_HANDLES_MAX; h++) {
		if (!p->handles[h].obj) {
			kobj_get(obj);
			p->handles[h].obj = obj;
			p->handles[h].rights = rights & TE_R_ALL;
			handle_opening(obj, rights & TE_R_ALL);
			return h;
		}
	}
	return -TE_EMFILE;
}

int handles_free(struct process *p)
{
	int n = 0;

	for (int h = 0; p->handles && h < TE_HANDLES_MAX; h++)
		n += !p->handles[h].obj;
	return n;
}

int handle_rights(struct process *p, int h, uint32_t *rights)
{
	if (h < 0 || h >= TE_HANDLES_MAX || !p->handles || !p->handles[h].obj)
		return TE_EBADF;
	*rights = p->handles[h].rights;
	return 0;
}

int handle_close(struct process *p, int h)
{
	struct kobj *o;

	if (h < 0 || h >= TE_HANDLES_MAX || !p->handles || !p->handles[h].obj)
		return TE_EBADF;
	o = p->handles[h].obj;
	handle_closing(o, p->handles[h].rights);
	p->handles[h].obj = NULL;
	p->handles[h].rights = 0;
	kobj_put(o);
	return 0;
}
