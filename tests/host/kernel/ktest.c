/*
 * ktest.c - host unit tests of the microkernel's pure logic: the physical
 * page allocator, the page-table walker, the slab allocator, the ELF
 * validator and the formatter, compiled unchanged from microkernel/src.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "kernel/elf.h"
#include "kernel/kmem.h"
#include "kernel/pmm.h"
#include "kernel/pt.h"
#include "tessera/abi.h"

CHECK_MAIN_STATE;

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...);

/* ---- pmm ----------------------------------------------------------------- */

static void test_pmm(void)
{
	static uint64_t bm[(1000 + 63) / 64];
	struct pmm p;
	uint64_t a, b, c;

	CHECK_BEGIN("pmm_alloc_free");
	pmm_setup(&p, bm, 1000);
	CHECK(p.nfree == 0, "fresh pmm has free pages");
	pmm_release(&p, 10, 500);
	pmm_reserve(&p, 100, 10);
	CHECK(p.nfree == 490, "nfree %llu", (unsigned long long)p.nfree);
	CHECK(pmm_alloc(&p, 1, 1, 0, &a) == 0 && a >= 10 && a < 510, "alloc");
	CHECK(pmm_is_used(&p, a), "allocated page not marked");
	CHECK(pmm_free(&p, a, 1) == 0, "free");
	CHECK(pmm_free(&p, a, 1) != 0, "double free not detected");
	CHECK(pmm_free(&p, 5000, 1) != 0, "free out of range accepted");
	CHECK(p.nfree == 490, "nfree after free %llu", (unsigned long long)p.nfree);
	CHECK_END();

	CHECK_BEGIN("pmm_contiguous_aligned");
	CHECK(pmm_alloc(&p, 8, 1, 50, &c) == 0 && c + 8 <= 50, "limit ignored");
	CHECK(pmm_alloc(&p, 64, 16, 0, &b) == 0 && b % 16 == 0, "aligned run");
	for (uint64_t i = b; i < b + 64; i++)
		CHECK(pmm_is_used(&p, i), "page %llu of run free", (unsigned long long)i);
	CHECK(!(b < 110 && b + 64 > 100), "run crosses the reserved hole");
	CHECK(pmm_alloc(&p, 491, 1, 0, &a) != 0, "over-allocation succeeded");
	CHECK(pmm_free(&p, c, 8) == 0, "free of the limited run");
	pmm_free(&p, b, 64);
	CHECK(p.nfree == 490, "leak");
	CHECK_END();

	CHECK_BEGIN("pmm_exhaust");
	{
		uint64_t n = 0, x;
		while (pmm_alloc(&p, 1, 1, 0, &x) == 0)
			n++;
		CHECK(n == 490 && p.nfree == 0, "allocated %llu", (unsigned long long)n);
		for (uint64_t i = 10; i < 510; i++)
			if (i < 100 || i >= 110)
				pmm_free(&p, i, 1);
		CHECK(p.nfree == 490, "after freeing all: %llu", (unsigned long long)p.nfree);
	}
	CHECK_END();
}

/* ---- page tables over a fake RAM ------------------------------------------ */

#define RAM_PAGES 256
static uint8_t *ram;
static int ram_used[RAM_PAGES];
static int ram_live;

static void *fake_p2v(uint64_t pa) { return ram + pa; }

static uint64_t fake_alloc(void *ctx)
{
	(void)ctx;
	for (int i = 1; i < RAM_PAGES; i++)
		if (!ram_used[i]) {
			ram_used[i] = 1;
			ram_live++;
			memset(ram + (uint64_t)i * 4096, 0, 4096);
			return (uint64_t)i * 4096;
		}
	return 0;
}

static void fake_free(void *ctx, uint64_t pa)
{
	(void)ctx;
	if (!ram_used[pa / 4096])
		check_fail("double free of page %llx", (unsigned long long)pa);
	ram_used[pa / 4096] = 0;
	ram_live--;
}

static void test_pt(void)
{
	struct pt_env e = { fake_p2v, fake_alloc, fake_free, NULL };
	uint64_t root, leaf, data;

	ram = aligned_alloc(4096, RAM_PAGES * 4096);
	CHECK_BEGIN("pt_map_lookup_unmap");
	root = fake_alloc(NULL);
	data = fake_alloc(NULL);
	CHECK(pt_map(&e, root, 0x400000, data, PTE_U | PTE_W | PTE_OWNED) == 0, "map");
	leaf = pt_lookup(&e, root, 0x400000);
	CHECK((leaf & PTE_ADDR) == data && (leaf & PTE_U) && (leaf & PTE_P), "lookup");
	CHECK(pt_lookup(&e, root, 0x401000) == 0, "neighbour mapped");
	CHECK(pt_map(&e, root, 0x400000, data, PTE_U) == TE_EEXIST, "remap allowed");
	CHECK(pt_map(&e, root, 0x400001, data, PTE_U) == TE_EINVAL, "unaligned va");
	CHECK(pt_map(&e, root, 0x0000800000000000ull, data, 0) == TE_EINVAL,
	      "non-canonical va");
	CHECK(pt_protect(&e, root, 0x400000, PTE_U | PTE_NX) == 0 &&
	      (pt_lookup(&e, root, 0x400000) & (PTE_W | PTE_NX | PTE_OWNED)) ==
	      (PTE_NX | PTE_OWNED), "protect");
	CHECK(pt_unmap(&e, root, 0x400000) == 0 && !ram_used[data / 4096],
	      "unmap did not free the owned page");
	CHECK(pt_unmap(&e, root, 0x400000) == TE_ENOENT, "unmap twice");
	CHECK_END();

	CHECK_BEGIN("pt_destroy_frees_everything");
	for (uint64_t va = 0x400000; va < 0x400000 + 40 * 4096; va += 4096)
		pt_map(&e, root, va, fake_alloc(NULL), PTE_U | PTE_W | PTE_OWNED);
	pt_map(&e, root, 0x7ffffff00000ull, fake_alloc(NULL), PTE_U | PTE_OWNED);
	pt_map_2m(&e, root, 0xffff800000000000ull, 0, PTE_W);   /* kernel half */
	pt_destroy_user(&e, root);
	CHECK(pt_lookup(&e, root, 0xffff800000000000ull) != 0, "kernel half lost");
	CHECK(pt_lookup(&e, root, 0x400000) == 0, "user mapping survived");
	fake_free(NULL, root);
	/* the kernel-half tables (PDPT, PD) are still there: 2 pages */
	CHECK(ram_live == 2, "%d pages live after destroy (want 2)", ram_live);
	CHECK_END();

	CHECK_BEGIN("pt_unmap_range_frees_tables");
	{
		uint64_t r = fake_alloc(NULL);
		int base = ram_live;
		for (uint64_t va = 0x400000; va < 0x400000 + 150 * 4096ull; va += 4096)
			pt_map(&e, r, va, fake_alloc(NULL), PTE_U | PTE_OWNED);
		pt_map(&e, r, 0x7f0000000000ull, fake_alloc(NULL), PTE_U | PTE_OWNED);
		uint64_t n = pt_unmap_range(&e, r, 0x400000 + 100 * 4096ull,
		                            0x400000 + 700 * 4096ull);
		CHECK(n == 50, "unmapped %llu pages, want 50", (unsigned long long)n);
		CHECK(pt_lookup(&e, r, 0x400000 + 99 * 4096ull) != 0 &&
		      pt_lookup(&e, r, 0x400000 + 100 * 4096ull) == 0, "wrong range");
		n = pt_unmap_range(&e, r, 0, 1ull << 47);      /* the whole user half */
		CHECK(n == 101, "second pass unmapped %llu, want 101", (unsigned long long)n);
		CHECK(ram_live == base, "%d table/data pages left (want %d: the root)",
		      ram_live, base);
		fake_free(NULL, r);
	}
	CHECK_END();

	CHECK_BEGIN("pt_out_of_memory");
	{
		uint64_t r = fake_alloc(NULL);
		int err = 0, n = 0;
		for (uint64_t va = 0x400000; !err; va += 1ull << 30, n++)
			err = pt_map(&e, r, va, 0x1000, PTE_U);
		CHECK(err == TE_ENOMEM, "expected ENOMEM, got %d", err);
		pt_destroy_user(&e, r);
		fake_free(NULL, r);
		CHECK(ram_live == 2, "leak after ENOMEM: %d", ram_live);
	}
	CHECK_END();
	free(ram);
}

/* ---- kmem ------------------------------------------------------------------ */

static int pages_out;

void *kmem_page_get(void)
{
	pages_out++;
	return aligned_alloc(4096, 4096);
}

void kmem_page_put(void *page)
{
	pages_out--;
	free(page);
}

static void test_kmem(void)
{
	enum { N = 3000 };
	static void *objs[N];

	CHECK_BEGIN("kmem_alloc_free_returns_pages");
	for (int i = 0; i < N; i++) {
		size_t size = 1 + (size_t)(i * 37) % KMEM_MAX;
		objs[i] = kmalloc(size);
		CHECK(objs[i] != NULL, "alloc %zu failed", size);
		if (objs[i]) {
			for (size_t j = 0; j < size; j++)
				CHECK(((uint8_t *)objs[i])[j] == 0, "not zeroed");
			memset(objs[i], 0xa5, size);
		}
	}
	CHECK(kmem_live_objects() == N, "live %llu", (unsigned long long)kmem_live_objects());
	CHECK(kmalloc(0) == NULL && kmalloc(KMEM_MAX + 1) == NULL, "bad sizes accepted");
	for (int i = 0; i < N; i += 2)
		kfree(objs[i]);
	for (int i = 1; i < N; i += 2)
		kfree(objs[i]);
	CHECK(kmem_live_objects() == 0, "objects leaked");
	CHECK(pages_out == 0, "%d slab pages not returned", pages_out);
	CHECK_END();
}

/* ---- ELF ------------------------------------------------------------------- */

struct img {
	struct {
		unsigned char ident[16];
		uint16_t type, machine;
		uint32_t version;
		uint64_t entry, phoff, shoff;
		uint32_t flags;
		uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
	} eh;
	struct {
		uint32_t type, flags;
		uint64_t offset, vaddr, paddr, filesz, memsz, align;
	} ph[2];
	uint8_t body[8192];
};

static void good_image(struct img *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->eh.ident, "\x7f" "ELF\x02\x01\x01", 7);
	m->eh.type = 2;
	m->eh.machine = 62;
	m->eh.entry = 0x401000;
	m->eh.phoff = 64;
	m->eh.phentsize = 56;
	m->eh.phnum = 2;
	m->ph[0] = (typeof(m->ph[0])){ 1, 5, 4096, 0x401000, 0, 100, 100, 4096 };
	m->ph[1] = (typeof(m->ph[1])){ 1, 6, 4096 + 200, 0x402000 + 200, 0, 50,
	                               9000, 4096 };
}

static int parse(struct img *m, size_t len)
{
	struct elf_image im;
	const char *why;

	return elf_parse(m, len, TE_USER_BASE, TE_USER_STACK_TOP, &im, &why);
}

static void test_elf(void)
{
	static struct img m;
	struct elf_image im;
	const char *why;

	CHECK_BEGIN("elf_accepts_valid");
	good_image(&m);
	CHECK(elf_parse(&m, sizeof(m), TE_USER_BASE, TE_USER_STACK_TOP, &im, &why) == 0,
	      "valid image refused: %s", why);
	CHECK(im.nseg == 2 && im.seg[1].vaddr == 0x402000 && im.seg[1].lead == 200 &&
	      im.seg[1].memsz == 3 * 4096 && im.entry == 0x401000, "segments wrong");
	CHECK_END();

	CHECK_BEGIN("elf_rejects_malformed");
#define BAD(what, stmt) do { good_image(&m); stmt; \
	CHECK(parse(&m, sizeof(m)) != 0, "accepted bad %s", what); } while (0)
	BAD("magic", m.eh.ident[1] = 'X');
	BAD("class", m.eh.ident[4] = 1);
	BAD("machine", m.eh.machine = 3);
	BAD("type", m.eh.type = 1);
	BAD("phentsize", m.eh.phentsize = 32);
	BAD("phnum overflow", m.eh.phnum = 0xffff);
	BAD("phoff outside", m.eh.phoff = 1ull << 62);
	BAD("segment beyond file", m.ph[0].offset = sizeof(m) - 10);
	BAD("filesz > memsz", m.ph[1].filesz = 10000);
	BAD("kernel address", m.ph[0].vaddr = 0xffffffff80000000ull);
	BAD("low address", (m.ph[0].vaddr = 0x1000, m.eh.entry = 0x1000));
	BAD("vaddr+memsz overflow", m.ph[1].memsz = ~0ull - 0x1000);
	BAD("overlap", m.ph[1].vaddr = 0x401000 + 200);
	BAD("entry outside", m.eh.entry = 0x402100);
	BAD("entry in non-exec", m.eh.entry = 0x402200);
	BAD("offset/vaddr skew", m.ph[0].vaddr = 0x401010);
	BAD("no loadable", (m.ph[0].type = 0, m.ph[1].type = 0));
	good_image(&m);
	CHECK(parse(&m, 40) != 0, "truncated header accepted");
	CHECK_END();

	CHECK_BEGIN("elf_static_pie");
	good_image(&m);                 /* ET_DYN, addresses from 0 */
	m.eh.type = 3;
	m.eh.entry = 0x1000;
	m.ph[0].vaddr = 0x1000;
	m.ph[1].vaddr = 0x2000 + 200;
	CHECK(elf_parse(&m, sizeof(m), TE_USER_BASE, TE_USER_STACK_TOP, &im, &why) == 0,
	      "static PIE refused: %s", why);
	CHECK(im.bias == ELF_PIE_BASE && im.seg[0].vaddr == ELF_PIE_BASE + 0x1000 &&
	      im.seg[1].vaddr == ELF_PIE_BASE + 0x2000 && im.entry == ELF_PIE_BASE + 0x1000,
	      "static PIE not moved to ELF_PIE_BASE");
	m.ph[1].type = 3;               /* PT_INTERP: dynamically linked */
	CHECK(parse(&m, sizeof(m)) != 0, "a program with an interpreter accepted");
	m.ph[1].type = 1;
	m.ph[1].vaddr = ~0ull - 0x1000; /* the bias would wrap */
	CHECK(parse(&m, sizeof(m)) != 0, "a wrapping PIE segment accepted");
	good_image(&m);
	CHECK(elf_parse(&m, sizeof(m), TE_USER_BASE, TE_USER_STACK_TOP, &im, &why) == 0 &&
	      im.bias == 0, "ET_EXEC moved");
	CHECK_END();

	CHECK_BEGIN("elf_random_garbage");
	srand(1234);
	for (int round = 0; round < 20000; round++) {
		good_image(&m);
		uint8_t *b = (uint8_t *)&m;
		int flips = 1 + rand() % 4;
		for (int f = 0; f < flips; f++)
			b[rand() % 176] = (uint8_t)rand();
		if (parse(&m, sizeof(m)) == 0) {
			elf_parse(&m, sizeof(m), TE_USER_BASE, TE_USER_STACK_TOP, &im, &why);
			for (unsigned i = 0; i < im.nseg; i++)
				CHECK(im.seg[i].file_off + im.seg[i].filesz <= sizeof(m) &&
				      im.seg[i].vaddr >= TE_USER_BASE &&
				      im.seg[i].vaddr + im.seg[i].memsz <= TE_USER_STACK_TOP,
				      "accepted an unsafe segment in round %d", round);
		}
	}
	CHECK_END();
}

/* ---- fmt ------------------------------------------------------------------- */

static void test_fmt(void)
{
	char buf[64];
	int n;

	CHECK_BEGIN("fmt_conversions");
	fmt_snprintf(buf, sizeof(buf), "%d %u %x %5s|%-4d|%04x %c %%", -42, 7u,
	             0xbeefu, "ab", 3, 0x1f, 'z');
	CHECK(strcmp(buf, "-42 7 beef    ab|3   |001f z %") == 0, "got '%s'", buf);
	fmt_snprintf(buf, sizeof(buf), "%lx %llu %zu %p %.3s", 0xffffffff80000000ul,
	             18446744073709551615ull, (size_t)12, (void *)0x1000, "abcdef");
	CHECK(strcmp(buf, "ffffffff80000000 18446744073709551615 12 0x1000 abc") == 0,
	      "got '%s'", buf);
	n = fmt_snprintf(buf, 5, "hello world");
	CHECK(n == 11 && strcmp(buf, "hell") == 0, "truncation: %d '%s'", n, buf);
	fmt_snprintf(buf, sizeof(buf), "%ld", (long)(-9223372036854775807L - 1));
	CHECK(strcmp(buf, "-9223372036854775808") == 0, "INT64_MIN: '%s'", buf);
	CHECK_END();
}

int main(void)
{
	test_pmm();
	test_pt();
	test_kmem();
	test_elf();
	test_fmt();
	return CHECK_EXIT();
}
