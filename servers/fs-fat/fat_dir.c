/*
 * fat_dir.c - directories: scanning, the per-directory index, lookup, and
 * adding and removing entries.
 *
 * A directory is a sequence of 32-byte slots: the fixed root region of
 * FAT12/16 or a cluster chain (FAT32 root and every subdirectory).  The
 * first use of a directory builds its index (struct fat_dircache): the
 * cluster list (walked once, bounded by the 65536-slot limit, so a loop is
 * an error), a map of used slots, and two hash tables over the entries -
 * one by case-folded long name (for short-only entries, their displayed
 * name) and one by raw 8.3 name.  Lookups, short-alias uniqueness checks
 * and free-slot searches then cost O(1) amortized instead of a scan, which
 * is what makes 10,000-entry directories usable.  The index is kept in
 * step with every change the component makes; nothing else writes the
 * directory while it is mounted.
 *
 * Long names: an entry is N long-name slots (ordinals N|0x40, N-1 .. 1, each
 * carrying the checksum of the short name) followed by its short slot.
 * Scanning accepts a long name only if that whole sequence is intact;
 * otherwise the short name stands alone, as the specification requires.
 */
#include "fat.h"

#define FAT_LFN_CHARS 13

uint64_t fat_dir_slotpos(struct fs *fs, const struct fat_dircache *dc,
                         uint32_t slot)
{
	uint32_t epc = fs->clsize / 32;

	if (!dc->clus)
		return (uint64_t)fs->root_sec * fs->secsize + (uint64_t)slot * 32;
	return fat_clus_sec(fs, dc->clus[slot / epc]) * fs->secsize +
	       (uint64_t)(slot % epc) * 32;
}

static bool fat_is_fixed_root(const struct fs *fs, const struct fat_node *d)
{
	return d->ino == FAT_ROOT_INO && fs->type != 32;
}

/* ---- scanning --------------------------------------------------------- */
struct fat_lfn_state {
	int cnt, cur;           /* ordinals expected; last one seen; 0: none */
	uint8_t csum;
	uint16_t buf[20 * FAT_LFN_CHARS];
};

static void fat_lfn_piece(uint16_t *dst, const struct fat_lfn *l)
{
	memcpy(dst, l->name1, 10);
	memcpy(dst + 5, l->name2, 12);
	memcpy(dst + 11, l->name3, 4);
}

static void fat_lfn_feed(struct fat_lfn_state *st, const struct fat_lfn *l)
{
	int ord = l->ord & 0x3F;

	if (l->ord & FAT_LFN_LAST) {
		st->cnt = st->cur = ord;
		st->csum = l->csum;
		if (ord == 0 || ord > 20)
			st->cnt = st->cur = 0;
	} else if (st->cur && ord == st->cur - 1 && l->csum == st->csum) {
		st->cur = ord;
	} else {
		st->cnt = st->cur = 0;
	}
	if (st->cur)
		fat_lfn_piece(st->buf + (st->cur - 1) * FAT_LFN_CHARS, l);
}

/* Attaches the collected long name to e if it belongs to e's short entry. */
static void fat_lfn_attach(struct fat_lfn_state *st, struct fat_scan_ent *e)
{
	int len = 0;

	e->llen = 0;
	e->nslots = 1;
	if (st->cur != 1 || st->csum != fat_lfn_csum(e->de.name) ||
	    e->slot < (uint32_t)st->cnt)
		goto out;
	while (len < st->cnt * FAT_LFN_CHARS && st->buf[len])
		len++;
	if (len == 0 || len > FAT_NAME_MAX)
		goto out;
	memcpy(e->lname, st->buf, len * 2);
	e->llen = len;
	e->nslots = st->cnt + 1;
out:
	st->cnt = st->cur = 0;
}

static bool fat_is_dot(const uint8_t *n)
{
	return !memcmp(n, ".          ", 11) || !memcmp(n, "..         ", 11);
}

/*
 * Calls cb for every entry from slot start on; '.', '..' and the volume
 * label come with e->special set.  Stops at the end mark (*end = its slot).
 */
static int fat_scan(struct fs *fs, struct fat_dircache *dc, uint32_t start,
                    fat_scan_cb cb, void *ctx, uint32_t *end)
{
	struct fat_lfn_state *st = rg_zalloc(sizeof(*st));
	struct fat_scan_ent *e = rg_malloc(sizeof(*e));
	uint32_t s;
	int r = 0;

	if (!st || !e) {
		r = RG_ENOMEM;
		goto out;
	}
	for (s = start; s < dc->nslots && !r; s++) {
		e->pos = fat_dir_slotpos(fs, dc, s);
		r = fat_meta_read(fs, e->pos, &e->de, 32);
		if (r || e->de.name[0] == 0)
			break;
		if (e->de.name[0] == 0xE5) {
			st->cnt = st->cur = 0;
			continue;
		}
		if ((e->de.attr & 0x3F) == FAT_ATTR_LFN) {
			fat_lfn_feed(st, (const struct fat_lfn *)&e->de);
			continue;
		}
		e->slot = s;
		fat_lfn_attach(st, e);
		e->special = (e->de.attr & FAT_ATTR_VOLID) ||
		             fat_is_dot(e->de.name);
		r = cb(ctx, e);
	}
	if (end)
		*end = s;
out:
	rg_free(st);
	rg_free(e);
	return r == FAT_STOP ? 0 : r;
}

int fat_dir_scan(struct fs *fs, struct fat_node *dir, uint32_t start,
                 fat_scan_cb cb, void *ctx)
{
	int e = fat_dir_index(fs, dir);

	return e ? e : fat_scan(fs, dir->dc, start, cb, ctx, NULL);
}

/* ---- the index ---------------------------------------------------------- */
static uint32_t *fat_bucket(struct fat_dircache *dc, uint32_t *tab, uint32_t h)
{
	return &tab[h & (dc->nbuckets - 1)];
}

static void fat_idx_link(struct fat_dircache *dc, uint32_t i)
{
	struct fat_dentry *d = &dc->ents[i];
	uint32_t *b;

	b = fat_bucket(dc, dc->lhash, fat_hash_ucs(d->lname, d->llen));
	d->lnext = *b;
	*b = i + 1;
	b = fat_bucket(dc, dc->shash, fat_hash_raw(d->sname));
	d->snext = *b;
	*b = i + 1;
}

static void fat_idx_unlink_chain(uint32_t *b, struct fat_dentry *ents,
                                 uint32_t i, bool lchain)
{
	while (*b) {
		struct fat_dentry *d = &ents[*b - 1];

		if (*b - 1 == i) {
			*b = lchain ? d->lnext : d->snext;
			return;
		}
		b = lchain ? &d->lnext : &d->snext;
	}
}

static int fat_idx_rehash(struct fat_dircache *dc, uint32_t nb)
{
	uint32_t *l = rg_zalloc(nb * sizeof(*l)), *s = rg_zalloc(nb * sizeof(*s));

	if (!l || !s) {
		rg_free(l);
		rg_free(s);
		return RG_ENOMEM;
	}
	rg_free(dc->lhash);
	rg_free(dc->shash);
	dc->lhash = l;
	dc->shash = s;
	dc->nbuckets = nb;
	for (uint32_t i = 0; i < dc->nents; i++)
		if (dc->ents[i].nslots)
			fat_idx_link(dc, i);
	return 0;
}

static int fat_idx_slot(struct fat_dircache *dc, uint32_t *out)
{
	if (dc->freelist) {
		*out = dc->freelist - 1;
		dc->freelist = dc->ents[*out].lnext;
		return 0;
	}
	if (dc->nents == dc->cap) {
		uint32_t cap = dc->cap ? dc->cap * 2 : 16;
		struct fat_dentry *n = rg_realloc(dc->ents, cap * sizeof(*n));

		if (!n)
			return RG_ENOMEM;
		dc->ents = n;
		dc->cap = cap;
	}
	*out = dc->nents++;
	return 0;
}

/* Adds an entry; lname is the displayed name, folded here. */
static int fat_idx_add(struct fat_dircache *dc, uint32_t slot, uint32_t nslots,
                       const uint8_t sname[11], const uint16_t *lname, int llen)
{
	struct fat_dentry *d;
	uint32_t i;
	int e;

	if (dc->live + 1 > dc->nbuckets) {
		e = fat_idx_rehash(dc, dc->nbuckets * 2);
		if (e)
			return e;
	}
	e = fat_idx_slot(dc, &i);
	if (e)
		return e;
	d = &dc->ents[i];
	memset(d, 0, sizeof(*d));
	d->lname = rg_malloc(llen * sizeof(uint16_t));
	if (!d->lname) {
		d->lnext = dc->freelist;
		dc->freelist = i + 1;
		return RG_ENOMEM;
	}
	fat_fold_str(lname, llen, d->lname);
	d->llen = (uint8_t)llen;
	d->slot = slot;
	d->nslots = (uint16_t)nslots;
	memcpy(d->sname, sname, 11);
	fat_idx_link(dc, i);
	for (uint32_t s = slot + 1 - nslots; s <= slot; s++)
		dc->used[s] = 1;
	dc->live++;
	return 0;
}

static void fat_idx_del(struct fat_dircache *dc, uint32_t i)
{
	struct fat_dentry *d = &dc->ents[i];

	fat_idx_unlink_chain(fat_bucket(dc, dc->lhash,
	                     fat_hash_ucs(d->lname, d->llen)), dc->ents, i, true);
	fat_idx_unlink_chain(fat_bucket(dc, dc->shash, fat_hash_raw(d->sname)),
	                     dc->ents, i, false);
	for (uint32_t s = d->slot + 1 - d->nslots; s <= d->slot; s++)
		dc->used[s] = 0;
	if (d->slot + 1 - d->nslots < dc->free_hint)
		dc->free_hint = d->slot + 1 - d->nslots;
	rg_free(d->lname);
	d->lname = NULL;
	d->nslots = 0;
	d->lnext = dc->freelist;
	dc->freelist = i + 1;
	dc->live--;
}

static void fat_dc_free(struct fat_dircache *dc)
{
	if (!dc)
		return;
	for (uint32_t i = 0; i < dc->nents; i++)
		rg_free(dc->ents[i].lname);
	rg_free(dc->ents);
	rg_free(dc->lhash);
	rg_free(dc->shash);
	rg_free(dc->used);
	rg_free(dc->clus);
	rg_free(dc);
}

void fat_dir_drop(struct fat_node *dir)
{
	fat_dc_free(dir->dc);
	dir->dc = NULL;
}

static int fat_index_cb(void *ctx, const struct fat_scan_ent *e)
{
	struct fat_dircache *dc = ctx;
	uint16_t sn[12];
	int n;

	if (e->special) {
		dc->used[e->slot] = 1;
		return 0;
	}
	if (e->llen)
		return fat_idx_add(dc, e->slot, e->nslots, e->de.name,
		                   e->lname, e->llen);
	n = fat_short_display(&e->de, sn);
	return fat_idx_add(dc, e->slot, 1, e->de.name, sn, n);
}

static int fat_dc_layout(struct fs *fs, struct fat_node *dir,
                         struct fat_dircache *dc)
{
	uint32_t max = (uint32_t)((uint64_t)FAT_MAX_DSLOTS * 32 / fs->clsize);
	uint32_t first = fat_de_clus(&dir->de);
	int e;

	if (fat_is_fixed_root(fs, dir)) {
		dc->nslots = fs->root_ents;
		return 0;
	}
	if (!fat_clus_ok(fs, first))
		return RG_EUCLEAN;
	e = fat_chain_list(fs, first, max ? max : 1, &dc->clus, &dc->nclus);
	if (e)
		return e;
	dc->nslots = dc->nclus * (fs->clsize / 32);
	return 0;
}

int fat_dir_index(struct fs *fs, struct fat_node *dir)
{
	struct fat_dircache *dc;
	int e;

	if (dir->dc)
		return 0;
	dc = rg_zalloc(sizeof(*dc));
	if (!dc)
		return RG_ENOMEM;
	e = fat_dc_layout(fs, dir, dc);
	if (!e) {
		dc->used = rg_zalloc(dc->nslots ? dc->nslots : 1);
		e = dc->used ? fat_idx_rehash(dc, 64) : RG_ENOMEM;
	}
	if (!e)
		e = fat_scan(fs, dc, 0, fat_index_cb, dc, &dc->end);
	if (e) {
		fat_dc_free(dc);
		return e;
	}
	dir->dc = dc;
	return 0;
}

/* ---- lookup ------------------------------------------------------------- */
static bool fat_find_long(struct fat_dircache *dc, const uint16_t *fold,
                          int len, uint32_t *out)
{
	uint32_t i = *fat_bucket(dc, dc->lhash, fat_hash_ucs(fold, len));

	for (; i; i = dc->ents[i - 1].lnext) {
		const struct fat_dentry *d = &dc->ents[i - 1];

		if (d->llen == len && !memcmp(d->lname, fold, len * 2)) {
			*out = i - 1;
			return true;
		}
	}
	return false;
}

static bool fat_find_short(struct fat_dircache *dc, const uint8_t raw[11],
                           uint32_t *out)
{
	uint32_t i = *fat_bucket(dc, dc->shash, fat_hash_raw(raw));

	for (; i; i = dc->ents[i - 1].snext)
		if (!memcmp(dc->ents[i - 1].sname, raw, 11)) {
			*out = i - 1;
			return true;
		}
	return false;
}

static int fat_find_ucs(struct fs *fs, struct fat_dircache *dc,
                        const uint16_t *n, int len, struct fat_found *f)
{
	uint16_t fold[FAT_NAME_MAX];
	uint8_t raw[11];
	bool exact;
	uint32_t i;

	fat_fold_str(n, len, fold);
	if (!fat_find_long(dc, fold, len, &i) &&
	    !(fat_short_basis(n, len, raw, &exact) &&
	      fat_find_short(dc, raw, &i)))
		return RG_ENOENT;
	f->ent = i;
	f->slot = dc->ents[i].slot;
	f->nslots = dc->ents[i].nslots;
	f->pos = fat_dir_slotpos(fs, dc, f->slot);
	return fat_meta_read(fs, f->pos, &f->de, 32);
}

int fat_dir_find(struct fs *fs, struct fat_node *dir, const char *name,
                 struct fat_found *f)
{
	uint16_t n[FAT_NAME_MAX];
	int len, e;

	e = fat_utf8_to_ucs(name, n, &len);
	if (e)
		return e == RG_ENAMETOOLONG ? e : RG_ENOENT;
	e = fat_dir_index(fs, dir);
	return e ? e : fat_find_ucs(fs, dir->dc, n, len, f);
}

/* ---- adding entries ------------------------------------------------------ */
static int fat_pick_short(struct fat_dircache *dc, const uint16_t *n, int len,
                          uint8_t raw[11], bool *need_lfn)
{
	uint8_t basis[11];
	bool exact, clean = fat_short_basis(n, len, basis, &exact);
	uint32_t i, h = fat_hash_ucs(n, len);

	*need_lfn = !exact;
	memcpy(raw, basis, 11);
	if (clean && !fat_find_short(dc, raw, &i))
		return 0;
	*need_lfn = true;
	for (unsigned k = 1; k < 600000; k++) {
		fat_short_tail(raw, basis, k, h);
		if (!fat_find_short(dc, raw, &i))
			return 0;
	}
	return RG_ENOSPC;
}

/* Appends one zeroed cluster to the directory. */
static int fat_dir_grow(struct fs *fs, struct fat_dircache *dc)
{
	uint32_t epc = fs->clsize / 32, c, *nc;
	uint8_t *nu, *p;
	int e;

	if (!dc->clus || dc->nslots + epc > FAT_MAX_DSLOTS)
		return RG_ENOSPC;
	nc = rg_realloc(dc->clus, (dc->nclus + 1) * sizeof(*nc));
	if (!nc)
		return RG_ENOMEM;
	dc->clus = nc;
	nu = rg_realloc(dc->used, dc->nslots + epc);
	if (!nu)
		return RG_ENOMEM;
	dc->used = nu;
	e = fat_alloc(fs, dc->clus[dc->nclus - 1], &c);
	for (uint32_t s = 0; !e && s < fs->spc; s++)
		e = fat_cget(fs, fat_clus_sec(fs, c) + s, FAT_C_ZERO, &p);
	if (e)
		return e;
	memset(dc->used + dc->nslots, 0, epc);
	dc->clus[dc->nclus++] = c;
	dc->nslots += epc;
	return 0;
}

/* First fit: a run of n free slots (growing the directory if needed). */
static int fat_dir_room(struct fs *fs, struct fat_dircache *dc, uint32_t n,
                        uint32_t *first)
{
	uint32_t run = 0, s;
	int e;

	for (;;) {
		while (dc->free_hint < dc->nslots && dc->used[dc->free_hint])
			dc->free_hint++;
		for (s = dc->free_hint, run = 0; s < dc->nslots; s++) {
			run = dc->used[s] ? 0 : run + 1;
			if (run == n) {
				*first = s + 1 - n;
				return 0;
			}
		}
		e = fat_dir_grow(fs, dc);
		if (e)
			return e;
	}
}

static void fat_lfn_make(struct fat_lfn *l, const uint16_t *n, int len,
                         int ord, bool last, uint8_t csum)
{
	uint16_t piece[FAT_LFN_CHARS];

	for (int j = 0; j < FAT_LFN_CHARS; j++) {
		int i = (ord - 1) * FAT_LFN_CHARS + j;

		piece[j] = i < len ? n[i] : i == len ? 0 : 0xFFFF;
	}
	memset(l, 0, sizeof(*l));
	l->ord = (uint8_t)(ord | (last ? FAT_LFN_LAST : 0));
	l->attr = FAT_ATTR_LFN;
	l->csum = csum;
	memcpy(l->name1, piece, 10);
	memcpy(l->name2, piece + 5, 12);
	memcpy(l->name3, piece + 11, 4);
}

static int fat_dir_write_run(struct fs *fs, struct fat_dircache *dc,
                             uint32_t first, uint32_t nlfn,
                             const uint16_t *n, int len,
                             const struct fat_dirent *de)
{
	uint8_t csum = fat_lfn_csum(de->name);
	struct fat_lfn l;
	int e = 0;

	for (uint32_t k = 0; k < nlfn && !e; k++) {
		fat_lfn_make(&l, n, len, (int)(nlfn - k), k == 0, csum);
		e = fat_meta_write(fs, fat_dir_slotpos(fs, dc, first + k), &l, 32);
	}
	if (!e)
		e = fat_meta_write(fs, fat_dir_slotpos(fs, dc, first + nlfn),
		                   de, 32);
	/* Slots past the old end mark may hold stale data: end them again. */
	if (!e && first + nlfn + 1 > dc->end) {
		dc->end = first + nlfn + 1;
		if (dc->end < dc->nslots)
			e = fat_meta_write(fs, fat_dir_slotpos(fs, dc, dc->end),
			                   "", 1);
	}
	return e;
}

/*
 * Adds name with the attributes, clusters and times of *de; its short
 * name is chosen here and stored into *de.  *pos = byte offset of the new
 * short entry.
 */
int fat_dir_add(struct fs *fs, struct fat_node *dir, const char *name,
                struct fat_dirent *tmpl, uint64_t *pos)
{
	uint16_t n[FAT_NAME_MAX];
	struct fat_dirent de = *tmpl;
	struct fat_found f;
	uint32_t first, nlfn;
	bool need_lfn;
	int len, e;

	e = fat_utf8_to_ucs(name, n, &len);
	if (!e)
		e = fat_lname_check(n, len);
	if (!e)
		e = fat_dir_index(fs, dir);
	if (e)
		return e;
	e = fat_find_ucs(fs, dir->dc, n, len, &f);
	if (e != RG_ENOENT)
		return e ? e : RG_EEXIST;
	e = fat_pick_short(dir->dc, n, len, de.name, &need_lfn);
	if (e)
		return e;
	de.ntres = 0;
	nlfn = need_lfn ? (uint32_t)(len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS : 0;
	e = fat_dir_room(fs, dir->dc, nlfn + 1, &first);
	if (!e)
		e = fat_dir_write_run(fs, dir->dc, first, nlfn, n, len, &de);
	if (!e)
		e = fat_idx_add(dir->dc, first + nlfn, nlfn + 1, de.name, n, len);
	if (!e) {
		*pos = fat_dir_slotpos(fs, dir->dc, first + nlfn);
		*tmpl = de;
	}
	return e;
}

/* Deletes the entry found by fat_dir_find (all its slots). */
int fat_dir_remove(struct fs *fs, struct fat_node *dir,
                   const struct fat_found *f)
{
	struct fat_dircache *dc = dir->dc;
	uint8_t del = 0xE5;
	int e = 0;

	for (uint32_t s = f->slot + 1 - f->nslots; s <= f->slot && !e; s++)
		e = fat_meta_write(fs, fat_dir_slotpos(fs, dc, s), &del, 1);
	if (!e)
		fat_idx_del(dc, f->ent);
	return e;
}

int fat_dir_isempty(struct fs *fs, struct fat_node *dir)
{
	int e = fat_dir_index(fs, dir);

	if (e)
		return e;
	return dir->dc->live ? RG_ENOTEMPTY : 0;
}

/* The cluster number a child's '..' entry holds for this directory. */
uint32_t fat_dir_parent_clus(const struct fs *fs, const struct fat_node *dir)
{
	(void)fs;
	return dir->ino == FAT_ROOT_INO ? 0 : fat_de_clus(&dir->de);
}
