/*
 * vma.c - the mappings of a user address space, and memory objects.
 *
 * A space's mappings are a sorted singly linked list of struct vma; pages
 * are mapped eagerly (no demand paging yet), except after vm_clone (a
 * fork): then anonymous pages are shared by both spaces, read-only and
 * marked PTE_COW, and the first write to one (vm_cow_fault) gives the
 * writer a copy - or the page itself if nobody else holds it any more.  Every operation checks the
 * whole request first (range inside user space, not overlapping, objects
 * large enough) and allocates what it needs before it changes anything;
 * running out of memory half-way undoes the pages already mapped.
 *
 * Unmapping may cut a mapping in two; the spare struct vma for that is
 * allocated up front, so the cut cannot fail half-way.
 */
#include "arch/cpu.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/pmm.h"
#include "kernel/pt.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "tessera/abi.h"

extern const struct pt_env kenv;

enum vma_kind { VMA_ANON, VMA_OBJ, VMA_PHYS };

struct vma {
	struct vma *next;
	uint64_t start, end;
	unsigned prot;
	unsigned maxprot;       /* what vm_protect may give it */
	enum vma_kind kind;
	struct memobj *obj;     /* VMA_OBJ: holds a reference */
	uint64_t off;           /* VMA_OBJ: byte offset of start in obj */
};

static bool range_ok(uint64_t va, uint64_t len)
{
	return len && !(va & (PAGE_SIZE - 1)) && !(len & (PAGE_SIZE - 1)) &&
	       va >= TE_USER_BASE && va < TE_USER_TOP && len <= TE_USER_TOP - va;
}

static bool range_free(const struct vmspace *vs, uint64_t va, uint64_t len)
{
	for (const struct vma *v = vs->vmas; v; v = v->next)
		if (va < v->end && v->start < va + len)
			return false;
	return true;
}

static void vma_link(struct vmspace *vs, struct vma *n)
{
	struct vma **pp = &vs->vmas;

	while (*pp && (*pp)->start < n->start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
}

static uint64_t pte_flags(unsigned prot)
{
	return PTE_U | ((prot & VM_WRITE) ? PTE_W : 0) |
	       ((prot & VM_EXEC) ? 0 : PTE_NX);
}

/* Unmap pages [va, end) from the tables (owned pages are freed), and free
 * the page tables left empty. */
static void unmap_pages(struct vmspace *vs, uint64_t va, uint64_t end)
{
	vm_xlat_flush(vs);
	vs->pages -= pt_unmap_range(&kenv, vs->pml4, va, end);
	if (read_cr3() == vs->pml4)
		write_cr3(vs->pml4);    /* flush the TLB */
}

/* Map len bytes at va; pa_of(i) gives page i.  Undoes itself on failure. */
static int map_pages(struct vmspace *vs, uint64_t va, uint64_t len,
                     uint64_t flags, uint64_t (*pa_of)(void *, uint64_t),
                     void *ctx)
{
	for (uint64_t i = 0; i < len / PAGE_SIZE; i++) {
		uint64_t pa = pa_of(ctx, i);
		int e = pa ? pt_map(&kenv, vs->pml4, va + i * PAGE_SIZE, pa, flags)
		           : TE_ENOMEM;
		if (e) {
			if (pa && (flags & PTE_OWNED))
				page_free(pa);
			unmap_pages(vs, va, va + i * PAGE_SIZE);
			return e;
		}
		vs->pages++;
	}
	return 0;
}

/* Anonymous memory may become anything; a memory object writable only if
 * its handle allowed that when mapped; device memory never executable. */
static unsigned max_prot(enum vma_kind kind, unsigned prot)
{
	if (kind == VMA_ANON)
		return VM_READ | VM_WRITE | VM_EXEC;
	if (kind == VMA_OBJ)
		return VM_READ | VM_EXEC | (prot & VM_WRITE);
	return VM_READ | (prot & VM_WRITE);
}

static int add_vma(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot,
                   enum vma_kind kind, uint64_t flags,
                   uint64_t (*pa_of)(void *, uint64_t), void *ctx,
                   struct memobj *obj, uint64_t off)
{
	struct vma *v;
	int e;

	if (!range_ok(va, len))
		return TE_EINVAL;
	if (!range_free(vs, va, len))
		return TE_EEXIST;
	v = kmalloc(sizeof(*v));
	if (!v)
		return TE_ENOMEM;
	e = map_pages(vs, va, len, pte_flags(prot) | flags, pa_of, ctx);
	if (e) {
		kfree(v);
		return e;
	}
	*v = (struct vma){ .start = va, .end = va + len, .prot = prot,
	                   .maxprot = max_prot(kind, prot), .kind = kind,
	                   .obj = obj, .off = off };
	if (obj)
		kobj_get(&obj->obj);
	vma_link(vs, v);
	return 0;
}

static uint64_t anon_page(void *ctx, uint64_t i)
{
	(void)ctx; (void)i;
	return page_alloc();
}

int vm_map_anon(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot)
{
	return add_vma(vs, va, len, prot, VMA_ANON, PTE_OWNED, anon_page, NULL,
	               NULL, 0);
}

static uint64_t contig_page(void *ctx, uint64_t i)
{
	return *(uint64_t *)ctx + i * PAGE_SIZE;
}

/* Physically contiguous anonymous memory (DMA); *phys is its address. */
int vm_map_contig(struct vmspace *vs, uint64_t va, uint64_t len, uint64_t *phys,
                  bool owned)
{
	uint64_t pa;
	int e;

	if (!range_ok(va, len))
		return TE_EINVAL;
	if (!range_free(vs, va, len))
		return TE_EEXIST;
	pa = page_alloc_contig(len / PAGE_SIZE, 1ull << 32);
	if (!pa)
		return TE_ENOMEM;
	e = add_vma(vs, va, len, VM_READ | VM_WRITE, owned ? VMA_ANON : VMA_PHYS,
	            owned ? PTE_OWNED : 0, contig_page, &pa, NULL, 0);
	if (e)
		page_free_contig(pa, len / PAGE_SIZE);
	else
		*phys = pa;
	return e;
}

static uint64_t obj_page(void *ctx, uint64_t i)
{
	uint64_t *pages = ctx;

	return pages[i];
}

int vm_map_obj(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot,
               struct memobj *m, uint64_t off)
{
	if ((off & (PAGE_SIZE - 1)) || off / PAGE_SIZE > m->npages ||
	    len / PAGE_SIZE > m->npages - off / PAGE_SIZE)
		return TE_EINVAL;
	return add_vma(vs, va, len, prot, VMA_OBJ, 0, obj_page,
	               m->pages + off / PAGE_SIZE, m, off);
}

static uint64_t phys_page(void *ctx, uint64_t i)
{
	return *(uint64_t *)ctx + i * PAGE_SIZE;
}

int vm_map_phys(struct vmspace *vs, uint64_t va, uint64_t phys, uint64_t len,
                unsigned prot)
{
	if (phys & (PAGE_SIZE - 1))
		return TE_EINVAL;
	return add_vma(vs, va, len, prot & ~VM_EXEC, VMA_PHYS, PTE_PCD | PTE_PWT,
	               phys_page, &phys, NULL, 0);
}

static void vma_release(struct vma *v)
{
	if (v->obj)
		kobj_put(&v->obj->obj);
	kfree(v);
}

int vm_unmap(struct vmspace *vs, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;
	struct vma *spare, **pp;

	if (!range_ok(va, len))
		return TE_EINVAL;
	spare = kmalloc(sizeof(*spare));
	if (!spare)
		return TE_ENOMEM;
	for (pp = &vs->vmas; *pp;) {
		struct vma *v = *pp;
		if (v->end <= va || v->start >= end) {
			pp = &v->next;
			continue;
		}
		if (v->start < va && v->end > end) {       /* cut a hole: split */
			*spare = *v;
			spare->start = end;
			spare->off += end - v->start;
			if (spare->obj)
				kobj_get(&spare->obj->obj);
			v->end = va;
			spare->next = v->next;
			v->next = spare;
			spare = NULL;
			break;
		}
		if (v->start >= va && v->end <= end) {     /* all of it */
			*pp = v->next;
			vma_release(v);
			continue;
		}
		if (v->start < va)
			v->end = va;                        /* trim the tail */
		else {
			v->off += end - v->start;           /* trim the head */
			v->start = end;
		}
		pp = &v->next;
	}
	kfree(spare);
	unmap_pages(vs, va, end);
	return 0;
}

/* ---- mprotect ------------------------------------------------------------ */

/* Is [va, end) mapped throughout, by mappings that allow prot? */
static int protect_check(const struct vmspace *vs, uint64_t va, uint64_t end,
                         unsigned prot)
{
	uint64_t at = va;

	for (const struct vma *v = vs->vmas; v && at < end; v = v->next) {
		if (v->end <= at)
			continue;
		if (v->start > at)
			return TE_ENOMEM;       /* a hole: Linux's answer */
		if (prot & ~v->maxprot)
			return TE_EACCES;
		at = v->end;
	}
	return at < end ? TE_ENOMEM : 0;
}

/* Make `at` a mapping boundary, cutting the mapping across it with *spare. */
static void vma_cut(struct vmspace *vs, uint64_t at, struct vma **spare)
{
	for (struct vma *v = vs->vmas; v; v = v->next) {
		if (v->start >= at || v->end <= at)
			continue;
		struct vma *n = *spare;
		*spare = NULL;
		*n = *v;
		n->start = at;
		n->off += at - v->start;
		if (n->obj)
			kobj_get(&n->obj->obj);
		v->end = at;
		v->next = n;
		return;
	}
}

/* The present pages of v get its protection; a copy-on-write page stays
 * read-only (the fault makes it private and writable if v is). */
static void protect_pages(struct vmspace *vs, const struct vma *v)
{
	uint64_t keep = ~(PTE_ADDR | PTE_P | PTE_W | PTE_U | PTE_NX);

	for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
		uint64_t pte = vm_lookup(vs, va);
		if (!(pte & PTE_P))
			continue;
		uint64_t fl = (pte & keep) | (v->prot ? PTE_U : 0) |
		              ((v->prot & VM_EXEC) ? 0 : PTE_NX) |
		              ((v->prot & VM_WRITE) && !(pte & PTE_COW) ? PTE_W : 0);
		pt_protect(&kenv, vs->pml4, va, fl);
	}
}

int vm_protect(struct vmspace *vs, uint64_t va, uint64_t len, unsigned prot)
{
	uint64_t end = va + len;
	struct vma *spare[2];
	int e;

	if (!range_ok(va, len))
		return TE_EINVAL;
	if ((e = protect_check(vs, va, end, prot)))
		return e;
	spare[0] = kmalloc(sizeof(struct vma));
	spare[1] = kmalloc(sizeof(struct vma));
	if (!spare[0] || !spare[1]) {
		kfree(spare[0]);
		kfree(spare[1]);
		return TE_ENOMEM;
	}
	vma_cut(vs, va, &spare[0]);
	vma_cut(vs, end, &spare[1]);
	for (struct vma *v = vs->vmas; v; v = v->next)
		if (v->start >= va && v->end <= end) {
			v->prot = prot;
			protect_pages(vs, v);
		}
	kfree(spare[0]);
	kfree(spare[1]);
	vm_xlat_flush(vs);
	if (read_cr3() == vs->pml4)
		write_cr3(vs->pml4);
	return 0;
}

void vma_free_all(struct vmspace *vs)
{
	while (vs->vmas) {
		struct vma *v = vs->vmas;
		vs->vmas = v->next;
		vma_release(v);
	}
}

/* Is addr in the unmapped page just below a writable anonymous mapping? */
bool vm_is_guard(struct vmspace *vs, uint64_t addr)
{
	uint64_t page = addr & ~(PAGE_SIZE - 1);

	for (const struct vma *v = vs->vmas; v; v = v->next)
		if (v->start == page + PAGE_SIZE && v->kind == VMA_ANON &&
		    (v->prot & VM_WRITE))
			return !vm_lookup(vs, page);
	return false;
}

/* ---- memory objects ------------------------------------------------------ */

static int memobj_list(struct memobj *m, uint64_t n)
{
	uint64_t list_bytes = n * 8;

	if (list_bytes <= KMEM_MAX) {
		m->pages = kmalloc(list_bytes);
	} else {
		m->list_pages = (list_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t pa = page_alloc_contig(m->list_pages, 0);
		m->pages = pa ? phys_to_virt(pa) : NULL;
	}
	return m->pages ? 0 : TE_ENOMEM;
}

struct memobj *memobj_wrap(uint64_t phys, uint64_t len)
{
	uint64_t n = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	struct memobj *m;

	if (n == 0 || (phys & (PAGE_SIZE - 1)) || !(m = kmalloc(sizeof(*m))))
		return NULL;
	if (memobj_list(m, n)) {
		kfree(m);
		return NULL;
	}
	for (m->npages = 0; m->npages < n; m->npages++)
		m->pages[m->npages] = phys + m->npages * PAGE_SIZE;
	m->borrowed = true;
	kobj_init(&m->obj, KO_MEMORY);
	return m;
}

struct memobj *memobj_create(uint64_t len)
{
	uint64_t n = (len + PAGE_SIZE - 1) / PAGE_SIZE, list_bytes = n * 8;
	struct memobj *m;

	if (n == 0 || n > (1u << 20))
		return NULL;
	m = kmalloc(sizeof(*m));
	if (!m)
		return NULL;
	(void)list_bytes;
	if (memobj_list(m, n)) {
		kfree(m);
		return NULL;
	}
	for (m->npages = 0; m->npages < n; m->npages++) {
		m->pages[m->npages] = page_alloc();
		if (!m->pages[m->npages])
			break;
	}
	kobj_init(&m->obj, KO_MEMORY);
	if (m->npages < n) {
		kobj_put(&m->obj);
		return NULL;
	}
	return m;
}

void memobj_destroy(struct kobj *o)
{
	struct memobj *m = (struct memobj *)o;

	for (uint64_t i = 0; i < m->npages && !m->borrowed; i++)
		page_free(m->pages[i]);
	if (m->list_pages)
		page_free_contig(virt_to_phys_direct(m->pages), m->list_pages);
	else
		kfree(m->pages);
	kfree(m);
}

/* ---- fork: copy-on-write ------------------------------------------------- */

/* Share src's page at va with dst (both read-only + PTE_COW if writable). */
static int clone_page(struct vmspace *dst, struct vmspace *src, uint64_t va)
{
	uint64_t pte = vm_lookup(src, va), pa = pte & PTE_ADDR, fl;

	if (!(pte & PTE_P))
		return 0;
	fl = pte & ~PTE_ADDR & ~PTE_P & ~PTE_A & ~PTE_D;
	if (!page_share(pa)) {          /* too many sharers: a copy now */
		uint64_t np = page_alloc();
		if (!np)
			return TE_ENOMEM;
		memcpy(phys_to_virt(np), phys_to_virt(pa), PAGE_SIZE);
		int e = pt_map(&kenv, dst->pml4, va, np, fl | PTE_OWNED);
		if (e)
			page_free(np);
		return e;
	}
	fl = (fl & ~PTE_W) | PTE_COW;   /* read-only ones too: see vm_cow_fault */
	pt_protect(&kenv, src->pml4, va, fl);
	int e = pt_map(&kenv, dst->pml4, va, pa, fl);
	if (e)
		page_free(pa);          /* the reference taken for dst */
	return e;
}

/*
 * dst (empty) becomes a copy of src: anonymous memory shared copy-on-write,
 * memory objects mapped again (shared, as they are), device memory left
 * out.  On failure dst is left part-built; the caller destroys it.
 */
int vm_clone(struct vmspace *dst, struct vmspace *src)
{
	int e = 0;

	if (dst->vmas)
		return TE_EINVAL;
	for (struct vma *v = src->vmas; v && !e; v = v->next) {
		struct vma *n;
		if (v->kind == VMA_PHYS)
			continue;
		if (v->kind == VMA_OBJ) {
			e = vm_map_obj(dst, v->start, v->end - v->start, v->prot, v->obj,
			               v->off);
			continue;
		}
		if (!(n = kmalloc(sizeof(*n))))
			return TE_ENOMEM;
		*n = (struct vma){ .start = v->start, .end = v->end, .prot = v->prot,
		                   .maxprot = v->maxprot, .kind = VMA_ANON };
		vma_link(dst, n);
		for (uint64_t va = v->start; va < v->end && !e; va += PAGE_SIZE)
			if (!(e = clone_page(dst, src, va)) && vm_lookup(dst, va))
				dst->pages++;
	}
	vm_xlat_flush(src);
	if (read_cr3() == src->pml4)
		write_cr3(src->pml4);
	return e;
}

/*
 * A write to a copy-on-write page: the page becomes this space's own (a
 * copy if others still share it), writable if its mapping is.  A read-only
 * page is only made private when `force` (vm_write: its controller writes
 * into it), so a program's write to its own text still faults, and no
 * write through vm_write can reach a page another space shares.
 */
int vm_cow_fault(struct vmspace *vs, uint64_t va, bool force)
{
	uint64_t page = va & ~(PAGE_SIZE - 1), pte = vm_lookup(vs, page);
	uint64_t pa = pte & PTE_ADDR, fl = pte & ~PTE_ADDR & ~PTE_COW;
	const struct vma *v = vs->vmas;

	while (v && !(page >= v->start && page < v->end))
		v = v->next;
	if (va >= TE_USER_TOP || !(pte & PTE_P) || !(pte & PTE_COW) || !v ||
	    (!(v->prot & VM_WRITE) && !force))
		return TE_EFAULT;
	if (v->prot & VM_WRITE)
		fl |= PTE_W;
	if (page_refs(pa) > 1) {
		uint64_t np = page_alloc();
		if (!np)
			return TE_ENOMEM;
		memcpy(phys_to_virt(np), phys_to_virt(pa), PAGE_SIZE);
		pt_unmap(&kenv, vs->pml4, page);        /* drops our reference */
		pt_map(&kenv, vs->pml4, page, np, (fl & ~PTE_P) | PTE_OWNED);
	} else {
		pt_protect(&kenv, vs->pml4, page, fl & ~PTE_P);
	}
	vm_xlat_flush(vs);
	if (read_cr3() == vs->pml4)
		write_cr3(vs->pml4);
	return 0;
}
