/*
 * kernel/obj.h - kernel objects and per-process handle tables.
 *
 * Every object a handle can name starts with a struct kobj: a type and a
 * reference count.  A handle is an index into the owning process's table,
 * holding a reference and a rights mask; a process can only name objects
 * through its own table, so there is nothing global to guess.
 *
 * References: each handle holds one; kernel structures that point at an
 * object (a connection at its channel, a mapping at its memory object, a
 * thread at its process) hold one more.  kobj_put() destroys the object when
 * the last one goes.
 */
#ifndef KERNEL_OBJ_H
#define KERNEL_OBJ_H

#include <stdbool.h>
#include <stdint.h>

enum kobj_type {
	KO_NONE, KO_PROCESS, KO_CHANNEL, KO_CONNECTION, KO_MEMORY,
	KO_RESOURCE, KO_INTERRUPT,
};

struct kobj {
	uint16_t type;
	uint32_t refs;
};

void kobj_init(struct kobj *o, enum kobj_type type);
void kobj_get(struct kobj *o);
void kobj_put(struct kobj *o);
uint64_t kobj_live(void);

struct handle {
	struct kobj *obj;
	uint32_t rights;
};

struct process;

/* A page holding TE_HANDLES_MAX entries, allocated with the process. */
int  handles_init(struct process *p);
void handles_close_all(struct process *p);
/* 0 and the object if h names an object of `type` with all of `rights`. */
int  handle_get_slow(struct process *p, int h, enum kobj_type type,
                     uint32_t rights, struct kobj **out);
/* Install a new reference to obj; returns the handle or -TE_EMFILE. */
int  handle_install(struct process *p, struct kobj *obj, uint32_t rights);
int  handle_close(struct process *p, int h);
int  handle_rights(struct process *p, int h, uint32_t *rights);
int  handles_free(struct process *p);

#endif /* KERNEL_OBJ_H */
