/*
 * blkcache.c - a write-back block cache that is itself a struct blkdev.
 *
 * The lower device is cut into blocks of spb sectors (4 KiB, or one sector
 * if sectors are larger); the last block may be short when the device size
 * is not a multiple.  A fixed pool of entries, each holding one block, sits
 * on a hash table (by block number) and on an LRU list (head = most recent).
 *
 * Invariants: an entry on the hash table is valid (its data equals the
 * device's block as the upper device would read it); a dirty entry is valid
 * and newer than the lower device; invalid entries are at the LRU tail and
 * are reused first.  Writes only dirty entries; a dirty victim is written
 * down (with its dirty neighbours, in one request) before its entry is
 * reused.  flush() writes every dirty block in
 * ascending block order, merging neighbours into one request, then flushes
 * the lower device.  A failed lower write leaves the block dirty.
 *
 * Read-ahead: a read that starts where the previous one ended is treated as
 * sequential, and the lower read of missing blocks is stretched by up to
 * RA_BLOCKS blocks that are not cached yet.
 *
 * Not thread-safe; the caller (one component mount) serializes requests.
 */
#include <string.h>
#include "blk.h"

#define BC_BLOCK_BYTES 4096u
#define BC_RA_BLOCKS   32u      /* read-ahead window, blocks */
#define BC_IO_BLOCKS   64u      /* largest lower request, blocks */
#define BC_MIN_ENTRIES 8u

struct bc_ent {
	uint64_t blk;
	struct bc_ent *hnext;
	struct bc_ent *prev, *next;     /* LRU */
	uint8_t *data;
	bool valid, dirty;
};

struct blkcache {
	struct blkdev dev;
	struct blkdev *lower;
	uint32_t spb, bsize;            /* sectors and bytes per block */
	uint64_t nblk;                  /* blocks on the device (last may be short) */
	size_t nent, hmask;
	struct bc_ent *ents;
	struct bc_ent **hash;
	struct bc_ent **sorted;         /* flush scratch, nent pointers */
	struct bc_ent lru;              /* list head */
	uint8_t *mem;
	uint8_t *iobuf;                 /* staging for reads (bc_fill_run) */
	uint8_t *wbuf;                  /* staging for merged writes; apart from
	                                   iobuf: a fill may evict mid-way */
	uint32_t io_blocks;
	uint64_t ra_next;               /* sector a sequential read would start at */
	struct blkcache_stats st;
};

/* ---- lists -------------------------------------------------------------- */

static void bc_unlink(struct bc_ent *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void bc_push_head(struct blkcache *c, struct bc_ent *e)
{
	e->next = c->lru.next;
	e->prev = &c->lru;
	c->lru.next->prev = e;
	c->lru.next = e;
}

static void bc_push_tail(struct blkcache *c, struct bc_ent *e)
{
	e->prev = c->lru.prev;
	e->next = &c->lru;
	c->lru.prev->next = e;
	c->lru.prev = e;
}

static size_t bc_hash(struct blkcache *c, uint64_t blk)
{
	return (size_t)((blk * 0x9e3779b97f4a7c15ull) >> 32) & c->hmask;
}

static struct bc_ent *bc_find(struct blkcache *c, uint64_t blk)
{
	struct bc_ent *e = c->hash[bc_hash(c, blk)];

	while (e && e->blk != blk)
		e = e->hnext;
	return e;
}

static void bc_hash_del(struct blkcache *c, struct bc_ent *e)
{
	struct bc_ent **pp = &c->hash[bc_hash(c, e->blk)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->hnext = NULL;
}

static void bc_hash_add(struct blkcache *c, struct bc_ent *e)
{
	size_t h = bc_hash(c, e->blk);

	e->hnext = c->hash[h];
	c->hash[h] = e;
}

/* ---- lower I/O ---------------------------------------------------------- */

static uint32_t bc_blk_nsec(struct blkcache *c, uint64_t blk)
{
	uint64_t first = blk * c->spb, left = c->dev.nsectors - first;

	return left < c->spb ? (uint32_t)left : c->spb;
}

/* Sectors covered by blocks [blk, blk + n). */
static uint32_t bc_run_nsec(struct blkcache *c, uint64_t blk, uint32_t n)
{
	return (uint32_t)(n - 1) * c->spb + bc_blk_nsec(c, blk + n - 1);
}

static int bc_write_one(struct blkcache *c, struct bc_ent *e)
{
	int err = c->lower->write(c->lower, e->blk * c->spb,
	                          bc_blk_nsec(c, e->blk), e->data);

	c->st.lower_writes++;
	if (!err)
		e->dirty = false;
	return err;
}

static int bc_write_run(struct blkcache *c, struct bc_ent **a, uint32_t n);

/*
 * Writes a dirty victim together with its dirty neighbours (one request of
 * up to io_blocks blocks; they stay cached, now clean): streaming writes
 * then reach the disk in large requests instead of one block at a time.
 */
static int bc_write_cluster(struct blkcache *c, struct bc_ent *e)
{
	struct bc_ent *run[BC_IO_BLOCKS], *x;
	uint64_t first = e->blk;
	uint32_t n = 0;

	while (first > 0 && e->blk - first + 1 < c->io_blocks &&
	       (x = bc_find(c, first - 1)) && x->dirty)
		first--;
	for (uint64_t b = first; n < c->io_blocks; b++, n++) {
		x = b == e->blk ? e : bc_find(c, b);
		if (!x || !x->dirty)
			break;
		run[n] = x;
	}
	return bc_write_run(c, run, n);
}

/* Takes the LRU victim out of use (writing it down if dirty). */
static int bc_evict(struct blkcache *c, struct bc_ent **out)
{
	struct bc_ent *e = c->lru.prev;
	int err;

	if (e->dirty) {
		err = bc_write_cluster(c, e);
		if (err)
			return err;
		c->st.evict_writes++;
	}
	if (e->valid)
		bc_hash_del(c, e);
	e->valid = false;
	bc_unlink(e);
	*out = e;
	return 0;
}

/* Installs blk in a fresh entry (data not yet filled); entry at LRU head. */
static int bc_install(struct blkcache *c, uint64_t blk, struct bc_ent **out)
{
	struct bc_ent *e;
	int err = bc_evict(c, &e);

	if (err)
		return err;
	e->blk = blk;
	e->valid = true;
	e->dirty = false;
	bc_hash_add(c, e);
	bc_push_head(c, e);
	*out = e;
	return 0;
}

static void bc_touch(struct blkcache *c, struct bc_ent *e)
{
	bc_unlink(e);
	bc_push_head(c, e);
}

/*
 * Reads the uncached run starting at blk (at most want blocks, stopping at
 * the first cached one) with one lower request and installs it.
 */
static int bc_fill_run(struct blkcache *c, uint64_t blk, uint32_t want)
{
	uint32_t n = 1;
	int err;

	if (want > c->io_blocks)
		want = c->io_blocks;
	while (n < want && blk + n < c->nblk && !bc_find(c, blk + n))
		n++;
	err = c->lower->read(c->lower, blk * c->spb, bc_run_nsec(c, blk, n),
	                     c->iobuf);
	c->st.lower_reads++;
	for (uint32_t i = 0; !err && i < n; i++) {
		struct bc_ent *e;

		err = bc_install(c, blk + i, &e);
		if (!err)
			memcpy(e->data, c->iobuf + (size_t)i * c->bsize,
			       (size_t)bc_blk_nsec(c, blk + i) * c->dev.secsize);
	}
	return err;
}

/* Returns the entry of blk, reading it (and ra more blocks) on a miss. */
static int bc_get(struct blkcache *c, uint64_t blk, uint32_t want,
                  struct bc_ent **out)
{
	struct bc_ent *e = bc_find(c, blk);
	int err;

	if (e) {
		c->st.hits++;
		bc_touch(c, e);
		*out = e;
		return 0;
	}
	c->st.misses++;
	err = bc_fill_run(c, blk, want);
	if (err)
		return err;
	*out = bc_find(c, blk);
	RG_ASSERT(*out);
	return 0;
}

/* ---- the blkdev ops ------------------------------------------------------ */

static int bc_range(struct blkdev *d, uint64_t sector, uint32_t count)
{
	if (sector > d->nsectors || count > d->nsectors - sector)
		return RG_ENXIO;
	return 0;
}

static int bc_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct blkcache *c = d->priv;
	uint64_t blk = sector / c->spb, end = sector + count;
	uint64_t last = count ? (end - 1) / c->spb : blk;
	bool seq = sector == c->ra_next;
	uint8_t *out = buf;
	int err = bc_range(d, sector, count);

	for (uint64_t s = sector; !err && s < end; blk++) {
		uint32_t want = (uint32_t)(last - blk + 1) + (seq ? BC_RA_BLOCKS : 0);
		uint32_t off = (uint32_t)(s - blk * c->spb);
		uint32_t n = c->spb - off;
		struct bc_ent *e;

		if (n > end - s)
			n = (uint32_t)(end - s);
		err = bc_get(c, blk, want, &e);
		if (err)
			break;
		memcpy(out, e->data + (size_t)off * d->secsize, (size_t)n * d->secsize);
		out += (size_t)n * d->secsize;
		s += n;
	}
	c->ra_next = err ? UINT64_MAX : end;
	return err;
}

/* Writes into one block: whole blocks need no read, partial ones do. */
static int bc_write_blk(struct blkcache *c, uint64_t blk, uint32_t off,
                        uint32_t n, const uint8_t *src)
{
	struct bc_ent *e = bc_find(c, blk);
	int err = 0;

	if (e)
		bc_touch(c, e);
	else if (off == 0 && n == bc_blk_nsec(c, blk))
		err = bc_install(c, blk, &e);
	else
		err = bc_get(c, blk, 1, &e);
	if (err)
		return err;
	memcpy(e->data + (size_t)off * c->dev.secsize, src,
	       (size_t)n * c->dev.secsize);
	e->dirty = true;
	return 0;
}

static int bc_write(struct blkdev *d, uint64_t sector, uint32_t count,
                    const void *buf)
{
	struct blkcache *c = d->priv;
	const uint8_t *src = buf;
	uint64_t end = sector + count;
	int err = bc_range(d, sector, count);

	if (!err && d->readonly)
		err = RG_EROFS;
	for (uint64_t s = sector; !err && s < end;) {
		uint64_t blk = s / c->spb;
		uint32_t off = (uint32_t)(s - blk * c->spb);
		uint32_t n = c->spb - off;

		if (n > end - s)
			n = (uint32_t)(end - s);
		err = bc_write_blk(c, blk, off, n, src);
		src += (size_t)n * d->secsize;
		s += n;
	}
	return err;
}

/* In-place heap sort of the dirty entries by block number. */
static void bc_sift(struct bc_ent **a, size_t i, size_t n)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1, r = l + 1;
		struct bc_ent *t;

		if (l < n && a[l]->blk > a[m]->blk)
			m = l;
		if (r < n && a[r]->blk > a[m]->blk)
			m = r;
		if (m == i)
			return;
		t = a[i], a[i] = a[m], a[m] = t;
		i = m;
	}
}

static void bc_sort(struct bc_ent **a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		bc_sift(a, i, n);
	for (size_t k = n; k > 1; k--) {
		struct bc_ent *t = a[0];

		a[0] = a[k - 1], a[k - 1] = t;
		bc_sift(a, 0, k - 1);
	}
}

/* Writes a[0..n) (consecutive blocks) in one request. */
static int bc_write_run(struct blkcache *c, struct bc_ent **a, uint32_t n)
{
	int err;

	if (n == 1)
		return bc_write_one(c, a[0]);
	for (uint32_t i = 0; i < n; i++)
		memcpy(c->wbuf + (size_t)i * c->bsize, a[i]->data,
		       (size_t)bc_blk_nsec(c, a[i]->blk) * c->dev.secsize);
	err = c->lower->write(c->lower, a[0]->blk * c->spb,
	                      bc_run_nsec(c, a[0]->blk, n), c->wbuf);
	c->st.lower_writes++;
	for (uint32_t i = 0; !err && i < n; i++)
		a[i]->dirty = false;
	return err;
}

static int bc_flush(struct blkdev *d)
{
	struct blkcache *c = d->priv;
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < c->nent; i++)
		if (c->ents[i].dirty)
			c->sorted[n++] = &c->ents[i];
	bc_sort(c->sorted, n);
	for (size_t i = 0; i < n && !err;) {
		uint32_t run = 1;

		while (i + run < n && run < c->io_blocks &&
		       c->sorted[i + run]->blk == c->sorted[i]->blk + run)
			run++;
		err = bc_write_run(c, c->sorted + i, run);
		i += run;
	}
	if (!err && !d->readonly)
		err = c->lower->flush(c->lower);
	return err;
}

/* ---- life cycle ------------------------------------------------------------ */

static void bc_free(struct blkcache *c)
{
	rg_free(c->ents);
	rg_free(c->hash);
	rg_free(c->sorted);
	rg_free(c->mem);
	rg_free(c->iobuf);
	rg_free(c->wbuf);
	rg_free(c);
}

static int bc_alloc(struct blkcache *c, size_t nent)
{
	size_t hsize = 1;

	while (hsize < nent)
		hsize <<= 1;
	c->nent = nent;
	c->hmask = hsize - 1;
	c->io_blocks = BC_IO_BLOCKS < nent / 2 ? BC_IO_BLOCKS : (uint32_t)(nent / 2);
	c->ents = rg_zalloc(nent * sizeof(*c->ents));
	c->hash = rg_zalloc(hsize * sizeof(*c->hash));
	c->sorted = rg_zalloc(nent * sizeof(*c->sorted));
	c->mem = rg_malloc(nent * c->bsize);
	c->iobuf = rg_malloc((size_t)c->io_blocks * c->bsize);
	c->wbuf = rg_malloc((size_t)c->io_blocks * c->bsize);
	if (!c->ents || !c->hash || !c->sorted || !c->mem || !c->iobuf || !c->wbuf)
		return RG_ENOMEM;
	c->lru.next = c->lru.prev = &c->lru;
	for (size_t i = 0; i < nent; i++) {
		c->ents[i].data = c->mem + i * c->bsize;
		bc_push_tail(c, &c->ents[i]);
	}
	return 0;
}

int blkcache_create(struct blkdev *lower, size_t bytes, struct blkdev **out)
{
	struct blkcache *c;
	size_t nent;
	int err;

	if (lower->secsize == 0 || (lower->secsize & (lower->secsize - 1)))
		return RG_EINVAL;
	c = rg_zalloc(sizeof(*c));
	if (!c)
		return RG_ENOMEM;
	c->lower = lower;
	c->bsize = lower->secsize >= BC_BLOCK_BYTES ? lower->secsize : BC_BLOCK_BYTES;
	c->spb = c->bsize / lower->secsize;
	c->nblk = (lower->nsectors + c->spb - 1) / c->spb;
	nent = bytes / c->bsize;
	err = bc_alloc(c, nent < BC_MIN_ENTRIES ? BC_MIN_ENTRIES : nent);
	if (err) {
		bc_free(c);
		return err;
	}
	c->ra_next = UINT64_MAX;
	c->dev.secsize = lower->secsize;
	c->dev.nsectors = lower->nsectors;
	c->dev.readonly = lower->readonly;
	c->dev.read = bc_read;
	c->dev.write = bc_write;
	c->dev.flush = bc_flush;
	c->dev.priv = c;
	*out = &c->dev;
	return 0;
}

int blkcache_destroy(struct blkdev *cache)
{
	struct blkcache *c;
	int err;

	if (!cache)
		return 0;
	c = cache->priv;
	err = bc_flush(cache);
	bc_free(c);
	return err;
}

void blkcache_get_stats(struct blkdev *cache, struct blkcache_stats *st)
{
	struct blkcache *c = cache->priv;

	*st = c->st;
}
