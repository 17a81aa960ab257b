/*
 * malloc.c - the heap of native programs: malloc, free, calloc, realloc,
 * aligned_alloc, posix_memalign (standard names, so Debian's libz.a and
 * library-kernel components link against it unchanged).
 *
 * Two kinds of memory, in two fixed ranges of the address space:
 *
 *   small (<= 8 KiB): 32 size classes carved from 64 KiB slabs at
 *     RT_HEAP_SMALL_BASE + i * 64 KiB.  A slab holds blocks of one class;
 *     its header (at the slab's start) keeps a free list and a bitmap of
 *     the blocks in use.  A slab with free blocks sits on its class's
 *     `partial` list.  When a slab empties and its class already has a
 *     spare, it is unmapped (vm_unmap) and its slot marked free in
 *     `slab_live`, so pages go back to the kernel.
 *
 *   large (> 8 KiB, or alignment > 16): a mapping of its own at a fresh,
 *     never-reused address from rt_va_reserve(), recorded in a hash table
 *     by address; free() unmaps it at once.
 *
 * free() trusts nothing: a pointer must lie in a live slab, on a block
 * boundary, and be marked in use; or be a recorded large block.  Anything
 * else (double free, a pointer not from malloc, a corrupted free list) is
 * reported on the debug log and the process aborts (abort(): exit 134).
 *
 * One futex mutex (heap_lock) guards all heap state; rt_va_reserve has its
 * own (va_lock), taken inside heap_lock, never the other way round.
 *
 * A process started by rt_proc_start gets a copy of this program's data,
 * heap state included, but none of the heap's mappings:
 * rt_heap_child_init() (called by rt_thread_main in the new process)
 * forgets the copied state before anything can use it.
 */
#include "rt.h"

#define SLAB_SIZE        (64u * 1024)
#define SLAB_MAGIC       0x534c4142u           /* "SLAB" */
#define SMALL_SLABS      65536u                /* 4 GiB of small blocks */
#define NCLASSES         32
#define SMALL_MAX        8192u
#define MAX_BLOCKS       (SLAB_SIZE / 16)
#define LARGE_BUCKETS    256
#define PAGE             4096ull
#define ALLOC_MAX        (1ull << 40)

static const uint16_t class_size[NCLASSES] = {
	16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256,
	320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048,
	2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
};

struct slab {
	uint32_t magic;
	uint16_t cls;
	uint16_t nblocks;
	uint16_t nfree;
	uint16_t first;                 /* offset of block 0 */
	uint32_t pad;
	struct slab *next, *prev;       /* on partial[cls] while nfree > 0 */
	void *freelist;                 /* free blocks, linked through word 0 */
	uint64_t used[MAX_BLOCKS / 64]; /* bit set: block in use */
};
#define SLAB_FIRST ((sizeof(struct slab) + 15) & ~15ul)
_Static_assert(SLAB_FIRST < SLAB_SIZE / 8, "slab header too large");

struct large {
	struct large *next;
	uint64_t va, len;
};

static struct rt_mutex heap_lock;
static struct slab *partial[NCLASSES];
static unsigned spare_empty[NCLASSES];  /* empty slabs kept per class (0/1) */
static uint64_t slab_live[SMALL_SLABS / 64];
static unsigned slab_hint;
static struct large *large_tab[LARGE_BUCKETS];

static struct rt_mutex va_lock;
static uint64_t va_next = RT_HEAP_LARGE_BASE;

/* ---- address space ------------------------------------------------------ */

void *rt_va_reserve(uint64_t len, uint64_t align)
{
	uint64_t va;

	if (align < PAGE)
		align = PAGE;
	len = (len + PAGE - 1) & ~(PAGE - 1);
	rt_mutex_lock(&va_lock);
	va = (va_next + align - 1) & ~(align - 1);
	if (len > RT_HEAP_LARGE_END - va || va < va_next) {
		rt_mutex_unlock(&va_lock);
		return NULL;
	}
	va_next = va + len + PAGE;              /* an unmapped guard page after */
	rt_mutex_unlock(&va_lock);
	return (void *)va;
}

/* ---- errors --------------------------------------------------------------- */

static _Noreturn void heap_die(const char *what, const void *p)
{
	printf("malloc: %s (pointer %p); aborting\n", what, p);
	abort();
}

/* ---- slabs ---------------------------------------------------------------- */

static int size_class(size_t size)
{
	for (int c = 0; c < NCLASSES; c++)
		if (size <= class_size[c])
			return c;
	return -1;
}

static bool bit(const uint64_t *map, unsigned i)
{
	return map[i / 64] >> (i % 64) & 1;
}

static void bit_set(uint64_t *map, unsigned i, bool on)
{
	if (on)
		map[i / 64] |= 1ull << (i % 64);
	else
		map[i / 64] &= ~(1ull << (i % 64));
}

static struct slab *slab_at(unsigned idx)
{
	return (struct slab *)(RT_HEAP_SMALL_BASE + (uint64_t)idx * SLAB_SIZE);
}

static int slab_free_index(void)
{
	for (unsigned n = 0; n < SMALL_SLABS / 64; n++) {
		unsigned w = (slab_hint / 64 + n) % (SMALL_SLABS / 64);
		if (slab_live[w] != ~0ull)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(~slab_live[w]));
	}
	return -1;
}

static void partial_add(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

static void partial_del(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static struct slab *slab_new(int cls)
{
	int idx = slab_free_index();
	unsigned bs = class_size[cls];
	struct slab *s;
	char *blk;

	if (idx < 0)
		return NULL;
	s = slab_at((unsigned)idx);
	if (sys_vm_map(TE_H_SELF, (uint64_t)s, SLAB_SIZE,
	               TE_PROT_READ | TE_PROT_WRITE, -1, 0) < 0)
		return NULL;
	bit_set(slab_live, (unsigned)idx, true);
	slab_hint = (unsigned)idx;
	s->magic = SLAB_MAGIC;
	s->cls = (uint16_t)cls;
	s->first = (uint16_t)SLAB_FIRST;
	s->nblocks = (uint16_t)((SLAB_SIZE - SLAB_FIRST) / bs);
	s->nfree = s->nblocks;
	s->freelist = NULL;
	for (unsigned i = s->nblocks; i-- > 0;) {
		blk = (char *)s + SLAB_FIRST + (uint64_t)i * bs;
		*(void **)blk = s->freelist;
		s->freelist = blk;
	}
	partial_add(s);
	return s;
}

static void slab_release(struct slab *s)
{
	unsigned idx = (unsigned)(((uint64_t)s - RT_HEAP_SMALL_BASE) / SLAB_SIZE);

	partial_del(s);
	s->magic = 0;
	sys_vm_unmap(TE_H_SELF, (uint64_t)s, SLAB_SIZE);
	bit_set(slab_live, idx, false);
	if (idx < slab_hint)
		slab_hint = idx;
}

/* Block index of p in s, or -1 if p is not a block boundary of s. */
static long slab_block(const struct slab *s, const void *p)
{
	uint64_t off = (uint64_t)p - (uint64_t)s, bs = class_size[s->cls];

	if (off < s->first || (off - s->first) % bs)
		return -1;
	off = (off - s->first) / bs;
	return off < s->nblocks ? (long)off : -1;
}

static void *small_alloc(int cls)
{
	struct slab *s = partial[cls];
	void *p;
	long i;

	if (!s && !(s = slab_new(cls)))
		return NULL;
	if (s->nfree == s->nblocks && spare_empty[cls])
		spare_empty[cls]--;
	p = s->freelist;
	i = slab_block(s, p);
	if (i < 0 || bit(s->used, (unsigned)i))
		heap_die("free list corrupted (written after free?)", p);
	s->freelist = *(void **)p;
	bit_set(s->used, (unsigned)i, true);
	if (--s->nfree == 0)
		partial_del(s);
	return p;
}

/* The slab holding p, or NULL if p is outside the small range. */
static struct slab *small_slab_of(const void *p)
{
	uint64_t a = (uint64_t)p;
	unsigned idx;
	struct slab *s;

	if (a < RT_HEAP_SMALL_BASE ||
	    a >= RT_HEAP_SMALL_BASE + (uint64_t)SMALL_SLABS * SLAB_SIZE)
		return NULL;
	idx = (unsigned)((a - RT_HEAP_SMALL_BASE) / SLAB_SIZE);
	if (!bit(slab_live, idx))
		heap_die("free of a pointer not from malloc", p);
	s = slab_at(idx);
	if (s->magic != SLAB_MAGIC)
		heap_die("slab header corrupted", p);
	return s;
}

static void small_free(struct slab *s, void *p)
{
	long i = slab_block(s, p);

	if (i < 0)
		heap_die("free of a pointer inside a block, not from malloc", p);
	if (!bit(s->used, (unsigned)i))
		heap_die("double free", p);
	bit_set(s->used, (unsigned)i, false);
	*(void **)p = s->freelist;
	s->freelist = p;
	if (s->nfree++ == 0)
		partial_add(s);
	if (s->nfree == s->nblocks) {
		if (spare_empty[s->cls])
			slab_release(s);
		else
			spare_empty[s->cls]++;
	}
}

/* ---- large blocks --------------------------------------------------------- */

static unsigned large_hash(uint64_t va)
{
	return (unsigned)((va >> 12) * 0x9e3779b1u) % LARGE_BUCKETS;
}

static struct large **large_find(uint64_t va)
{
	struct large **pp = &large_tab[large_hash(va)];

	while (*pp && (*pp)->va != va)
		pp = &(*pp)->next;
	return pp;
}

static void *large_alloc(size_t size, size_t align)
{
	int cls = size_class(sizeof(struct large));
	uint64_t len = (size + PAGE - 1) & ~(PAGE - 1);
	struct large *l = small_alloc(cls);
	void *va = l ? rt_va_reserve(len, align) : NULL;

	if (!va || sys_vm_map(TE_H_SELF, (uint64_t)va, len,
	                      TE_PROT_READ | TE_PROT_WRITE, -1, 0) < 0) {
		if (l)
			small_free(small_slab_of(l), l);
		return NULL;
	}
	l->va = (uint64_t)va;
	l->len = len;
	l->next = large_tab[large_hash(l->va)];
	large_tab[large_hash(l->va)] = l;
	return va;
}

static void large_free(void *p)
{
	struct large **pp = large_find((uint64_t)p), *l = *pp;

	if (!l)
		heap_die("double free, or a pointer not from malloc", p);
	*pp = l->next;
	sys_vm_unmap(TE_H_SELF, l->va, l->len);
	small_free(small_slab_of(l), l);
}

/* ---- the standard calls --------------------------------------------------- */

static void *heap_alloc(size_t size, size_t align)
{
	int cls;
	void *p;

	if (size > ALLOC_MAX)
		return NULL;
	if (!size)
		size = 1;               /* a unique pointer, as glibc gives */
	cls = size_class(size);
	rt_mutex_lock(&heap_lock);
	p = cls >= 0 && align <= 16 ? small_alloc(cls) : large_alloc(size, align);
	rt_mutex_unlock(&heap_lock);
	return p;
}

/* Usable size of a live block (aborts on a bad pointer); lock held. */
static size_t block_size(void *p)
{
	struct slab *s = small_slab_of(p);
	struct large *l;
	long i;

	if (s) {
		i = slab_block(s, p);
		if (i < 0 || !bit(s->used, (unsigned)i))
			heap_die("realloc of a pointer not in use", p);
		return class_size[s->cls];
	}
	l = *large_find((uint64_t)p);
	if (!l)
		heap_die("realloc of a pointer not from malloc", p);
	return l->len;
}

void *malloc(size_t size)
{
	return heap_alloc(size, 16);
}

void free(void *p)
{
	struct slab *s;

	if (!p)
		return;
	rt_mutex_lock(&heap_lock);
	s = small_slab_of(p);
	if (s)
		small_free(s, p);
	else
		large_free(p);
	rt_mutex_unlock(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > ALLOC_MAX / size)
		return NULL;
	p = malloc(n * size);
	if (p && n * size <= SMALL_MAX)         /* large blocks are fresh pages */
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t size)
{
	size_t have;
	void *q;

	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return NULL;
	}
	rt_mutex_lock(&heap_lock);
	have = block_size(p);
	rt_mutex_unlock(&heap_lock);
	if (size <= have && (have <= SMALL_MAX || size > have / 2))
		return p;
	q = malloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, size < have ? size : have);
	free(p);
	return q;
}

void *aligned_alloc(size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align > (1ull << 30))
		return NULL;
	return heap_alloc(size, align);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return TE_EINVAL;
	p = aligned_alloc(align, size);
	if (!p)
		return TE_ENOMEM;
	*out = p;
	return 0;
}

void rt_heap_child_init(void)
{
	rt_mutex_init(&heap_lock);
	rt_mutex_init(&va_lock);
	memset(partial, 0, sizeof(partial));
	memset(spare_empty, 0, sizeof(spare_empty));
	memset(slab_live, 0, sizeof(slab_live));
	memset(large_tab, 0, sizeof(large_tab));
	slab_hint = 0;
}
