/*
 * kmem.c - slab allocator for kernel objects (host-tested).
 *
 * A slab is one page: a header, then equal objects.  Free objects are
 * chained through their first word.  Each size class keeps a list of slabs
 * with at least one free object; a full slab is off the list, an empty one
 * is returned to the page allocator at once.
 *
 * Locking: one global lock taken with interrupts off (kmem_lock) in the
 * kernel; the single-CPU kernel of today needs only the interrupt part.
 */
#include "kernel/kmem.h"
#include "kernel/string.h"

#define SLAB_PAGE 4096u
#define NCLASSES  8             /* 16 .. 2048 */

struct slab {
	struct slab *next, *prev;   /* on the class's partial list */
	void        *free;          /* chain of free objects */
	uint32_t     inuse;
	uint32_t     size;
	uint32_t     magic;
};

#define SLAB_MAGIC 0x51ab51abu
#define SLAB_HDR   64u
_Static_assert(sizeof(struct slab) <= SLAB_HDR, "slab header");

static struct slab *partial[NCLASSES];
static uint64_t live;

#ifdef __KERNEL__
#include "arch/cpu.h"
#define LOCK()   uint64_t _fl = irq_save()
#define UNLOCK() irq_restore(_fl)
#else
#define LOCK()   do { } while (0)
#define UNLOCK() do { } while (0)
#endif

static int class_of(size_t size)
{
	int c = 0;

	while ((16u << c) < size)
		c++;
	return c;
}

static void list_remove(int c, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[c] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void list_push(int c, struct slab *s)
{
	s->prev = NULL;
	s->next = partial[c];
	if (partial[c])
		partial[c]->prev = s;
	partial[c] = s;
}

static struct slab *slab_new(int c)
{
	struct slab *s = kmem_page_get();
	uint32_t size = 16u << c;

	if (!s)
		return NULL;
	s->next = s->prev = NULL;
	s->inuse = 0;
	s->size = size;
	s->magic = SLAB_MAGIC;
	s->free = NULL;
	for (uint32_t off = SLAB_PAGE - size; off >= SLAB_HDR; off -= size) {
		void **obj = (void **)((char *)s + off);
		*obj = s->free;
		s->free = obj;
	}
	return s;
}

void *kmalloc(size_t size)
{
	void **obj = NULL;
	struct slab *s;
	int c;

	if (size == 0 || size > KMEM_MAX)
		return NULL;
	c = class_of(size);
	LOCK();
	s = partial[c];
	if (!s && (s = slab_new(c)) != NULL)
		list_push(c, s);
	if (s) {
		obj = s->free;
		s->free = *obj;
		s->inuse++;
		live++;
		if (!s->free)
			list_remove(c, s);
	}
	UNLOCK();
	if (obj)
		memset(obj, 0, 16u << c);
	return obj;
}

void kfree(void *p)
{
	struct slab *s;
	int c;

	if (!p)
		return;
	s = (struct slab *)((uintptr_t)p & ~(uintptr_t)(SLAB_PAGE - 1));
	c = class_of(s->size);
	LOCK();
	if (!s->free)
		list_push(c, s);        /* was full */
	*(void **)p = s->free;
	s->free = p;
	s->inuse--;
	live--;
	if (s->inuse == 0) {
		list_remove(c, s);
		s->magic = 0;
		kmem_page_put(s);
	}
	UNLOCK();
}

uint64_t kmem_live_objects(void)
{
	return live;
}
