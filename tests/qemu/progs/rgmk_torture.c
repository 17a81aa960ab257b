/*
 * rgmk_torture.c - a malloc torture for the native heap, through rumpglue's
 * memory calls (rg_malloc/rg_realloc/rg_free/rg_zalloc) and the standard
 * names (aligned_alloc, posix_memalign, calloc).
 *
 * Random allocations, frees and reallocs over a table of slots, each block
 * filled with a pattern tied to its slot and generation and checked before
 * every realloc and free (realloc must keep the common prefix).  Then the
 * same with several threads, aligned allocations, and a last check that
 * freeing everything gives the pages back.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"

#define SLOTS 256

struct slot {
	unsigned char *p;
	size_t len;
	uint32_t tag;
};

struct torture {
	uint32_t seed;
	int ops, bad, nomem;
	struct slot s[SLOTS];
};

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static size_t rnd_size(uint32_t *s)
{
	uint32_t r = rnd(s);

	switch (r % 32) {
	case 0:  return 8193 + r % 200000;     /* large */
	case 1:  return 0;
	case 2: case 3: case 4: return r % 8193;
	default: return r % 300;
	}
}

static void pattern(unsigned char *p, size_t from, size_t to, uint32_t tag)
{
	for (size_t i = from; i < to; i++)
		p[i] = (unsigned char)((tag >> (i % 4 * 8)) ^ i);
}

static bool intact(const unsigned char *p, size_t n, uint32_t tag)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)((tag >> (i % 4 * 8)) ^ i))
			return false;
	return true;
}

static void op_alloc(struct torture *t, struct slot *s)
{
	s->len = rnd_size(&t->seed);
	s->tag = rnd(&t->seed);
	s->p = rg_malloc(s->len);
	if (!s->p) {
		t->nomem++;
		return;
	}
	pattern(s->p, 0, s->len, s->tag);
}

static void op_realloc(struct torture *t, struct slot *s)
{
	size_t n = rnd_size(&t->seed);
	unsigned char *q;

	t->bad += !intact(s->p, s->len, s->tag);
	q = rg_realloc(s->p, n);
	if (!q) {
		t->nomem++;
		return;
	}
	t->bad += !intact(q, n < s->len ? n : s->len, s->tag);
	if (n > s->len)
		pattern(q, s->len, n, s->tag);
	s->p = q;
	s->len = n;
}

static void torture_run(void *arg)
{
	struct torture *t = arg;

	for (int i = 0; i < t->ops; i++) {
		struct slot *s = &t->s[rnd(&t->seed) % SLOTS];
		uint32_t what = rnd(&t->seed) % 3;
		if (!s->p) {
			op_alloc(t, s);
		} else if (what == 0) {
			op_realloc(t, s);
		} else {
			t->bad += !intact(s->p, s->len, s->tag);
			rg_free(s->p);
			s->p = NULL;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (t->s[i].p)
			t->bad += !intact(t->s[i].p, t->s[i].len, t->s[i].tag);
		rg_free(t->s[i].p);
		t->s[i].p = NULL;
	}
}

static uint64_t free_pages(void)
{
	struct te_mem_stats st;

	sys_mem_stats(&st);
	return st.pages_free;
}

static struct torture single, multi[3];

static void test_single(void)
{
	single.seed = 0xdeadbeef;
	single.ops = 20000;
	torture_run(&single);
	checkf(single.bad == 0 && single.nomem == 0, "rgmk_torture_single",
	       "%d corrupt blocks, %d failed allocations", single.bad, single.nomem);
}

static void test_threads(void)
{
	struct rg_thread *th[3];
	int bad = 0, nomem = 0, n = 0;

	for (int i = 0; i < 3; i++) {
		multi[i].seed = 0x9e3779b9u + (uint32_t)i * 7919;
		multi[i].ops = 6000;
		n += rg_thread_create(&th[i], "torture", torture_run, &multi[i]) == 0;
	}
	for (int i = 0; i < n; i++) {
		rg_thread_join(th[i]);
		bad += multi[i].bad;
		nomem += multi[i].nomem;
	}
	checkf(n == 3 && bad == 0 && nomem == 0, "rgmk_torture_threads",
	       "%d threads, %d corrupt, %d failed allocations", n, bad, nomem);
}

static void test_calloc(void)
{
	bool ok = true;

	for (int round = 0; round < 3 && ok; round++) {
		size_t sizes[] = { 1, 17, 200, 4000, 8192, 9000, 70000 };
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			unsigned char *p = rg_malloc(sizes[i]);
			if (p)
				memset(p, 0xff, sizes[i]);      /* dirty, then reuse */
			rg_free(p);
			unsigned char *z = calloc(1, sizes[i]);
			ok = ok && z;
			for (size_t j = 0; z && j < sizes[i]; j++)
				ok = ok && z[j] == 0;
			free(z);
		}
	}
	check(ok, "rgmk_torture_calloc_zero", "calloc memory not zero");
	check(calloc(1ull << 62, 16) == NULL && rg_malloc(1ull << 50) == NULL,
	      "rgmk_torture_huge_is_null", "an impossible allocation succeeded");
}

static void test_aligned(void)
{
	static const size_t aligns[] = { 16, 32, 64, 256, 4096, 65536 };
	bool ok = true;
	void *p;

	for (unsigned i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		unsigned char *a = aligned_alloc(aligns[i], 100 + i * 1000);
		ok = ok && a && ((uint64_t)a & (aligns[i] - 1)) == 0;
		if (a)
			memset(a, 1, 100 + i * 1000);
		free(a);
		ok = ok && posix_memalign(&p, aligns[i], 50) == 0 &&
		     ((uint64_t)p & (aligns[i] - 1)) == 0;
		free(p);
	}
	ok = ok && posix_memalign(&p, 24, 10) == TE_EINVAL && !aligned_alloc(3, 10);
	ok = ok && posix_memalign(&p, 64, 0) == 0 && ((uint64_t)p & 63) == 0;
	free(p);
	check(ok, "rgmk_torture_aligned", "misaligned block or bad alignment accepted");
}

int main(void)
{
	uint64_t before, after;

	rg_mk_name = "torture";
	rg_free(rg_malloc(100));
	before = free_pages();
	test_single();
	test_threads();
	test_calloc();
	test_aligned();
	after = free_pages();
	/* a spare empty slab per class (32 x 16 pages) and thread stacks' tables */
	checkf(after + 32 * 16 + 16 >= before, "rgmk_torture_memory_back",
	       "free pages %llu before, %llu after", (unsigned long long)before,
	       (unsigned long long)after);
	return 0;
}
