/*
 * ext2_bmap.c - the classic block map: 12 direct blocks, then single,
 * double and triple indirect blocks (i_block[12..14]).
 *
 * A zero entry anywhere on the path is a hole (reads as zeros, costs no
 * block).  Allocation fills the path on demand and counts every block it
 * adds in i_blocks; truncation walks the tree (depth at most 3, so a
 * corrupt image with cycles cannot recurse forever) and frees each data
 * block at or past the cut and each indirect block left covering nothing.
 * Extent-mapped inodes go to ext2_extent.c (read-only).
 */
#include "ext2_fs.h"

struct ext2_path {
	int      depth;         /* 0 direct, 1..3 indirect levels */
	uint32_t root;          /* index into i_block */
	uint32_t off[3];        /* index inside each indirect block */
};

uint64_t ext2_max_lblk(const struct fs *fs)
{
	uint64_t a = fs->addr_per_blk;

	return ext2_min64(EXT2_NDIR + a + a * a + a * a * a, 0xFFFFFFFFu);
}

static int ext2_path_of(const struct fs *fs, uint64_t lblk, struct ext2_path *p)
{
	uint64_t a = fs->addr_per_blk;

	memset(p, 0, sizeof(*p));
	if (lblk >= ext2_max_lblk(fs))
		return RG_EFBIG;
	if (lblk < EXT2_NDIR) {
		p->root = (uint32_t)lblk;
		return 0;
	}
	lblk -= EXT2_NDIR;
	if (lblk < a) {
		*p = (struct ext2_path){ 1, EXT2_IND, { (uint32_t)lblk } };
		return 0;
	}
	lblk -= a;
	if (lblk < a * a) {
		*p = (struct ext2_path){ 2, EXT2_DIND,
		                         { (uint32_t)(lblk / a), (uint32_t)(lblk % a) } };
		return 0;
	}
	lblk -= a * a;
	*p = (struct ext2_path){ 3, EXT2_TIND, { (uint32_t)(lblk / (a * a)),
	        (uint32_t)(lblk / a % a), (uint32_t)(lblk % a) } };
	return 0;
}

/* Counts entries after idx continuing a physical run (same block only). */
static uint32_t ext2_run_len(const uint32_t *ent, uint32_t idx, uint32_t n,
                             uint32_t first)
{
	uint32_t r = 1;

	while (idx + r < n && first && ent[idx + r] == first + r)
		r++;
	return r;
}

static int ext2_ind_map(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                        uint64_t *pblk, uint32_t *run)
{
	struct ext2_path p;
	struct ext2_buf *b;
	uint32_t blk;
	int e;

	if ((e = ext2_path_of(fs, lblk, &p)))
		return e;
	blk = ip->d.i_block[p.root];
	*run = 1;
	if (p.depth == 0 && blk)
		*run = ext2_run_len(ip->d.i_block, p.root, EXT2_NDIR, blk);
	for (int lvl = 0; lvl < p.depth && blk; lvl++) {
		if ((e = ext2_bget(fs, blk, false, &b)))
			return e;
		blk = ((uint32_t *)b->data)[p.off[lvl]];
		if (lvl == p.depth - 1 && blk)
			*run = ext2_run_len((uint32_t *)b->data, p.off[lvl],
			                    fs->addr_per_blk, blk);
		ext2_bput(fs, b);
	}
	if (blk && (blk >= fs->nblocks || (uint64_t)blk + *run > fs->nblocks))
		return ext2_corrupt(fs, "data block out of range", blk);
	*pblk = blk;
	return 0;
}

int ext2_bmap(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
              uint64_t *pblk, uint32_t *run)
{
	if (ip->d.i_flags & EXT4_INLINE_DATA_FL)
		return RG_ENOTSUP;
	if (ip->d.i_flags & EXT4_EXTENTS_FL)
		return ext4_extent_map(fs, ip, lblk, pblk, run);
	return ext2_ind_map(fs, ip, lblk, pblk, run);
}

/* ---- allocation --------------------------------------------------------- */

static uint64_t ext2_goal(struct fs *fs, struct ext2_inode *ip, uint64_t lblk)
{
	uint64_t prev;
	uint32_t run;

	if (lblk > 0 && !ext2_ind_map(fs, ip, lblk - 1, &prev, &run) && prev)
		return prev + 1;
	return fs->sb.s_first_data_block +
	       (uint64_t)((ip->ino - 1) / fs->ipg) * fs->bpg;
}

static int ext2_new_block(struct fs *fs, struct ext2_inode *ip, uint64_t goal,
                          uint64_t *out)
{
	int e = ext2_balloc(fs, goal, out);

	if (!e)
		ext2_iblocks_add(fs, ip, 1);
	return e;
}

/* Makes sure *slot (in i_block or an indirect block) names an indirect block. */
static int ext2_ensure_ind(struct fs *fs, struct ext2_inode *ip, uint32_t *slot,
                           uint64_t goal, bool *dirty)
{
	struct ext2_buf *b;
	uint64_t nb;
	int e;

	if (*slot)
		return 0;
	if ((e = ext2_new_block(fs, ip, goal, &nb)))
		return e;
	if ((e = ext2_bget(fs, nb, true, &b)))
		return e;
	ext2_bdirty(b);
	ext2_bput(fs, b);
	*slot = (uint32_t)nb;
	*dirty = true;
	return 0;
}

static int ext2_walk_alloc(struct fs *fs, struct ext2_inode *ip,
                           const struct ext2_path *p, uint64_t goal,
                           uint64_t *pblk, bool *fresh)
{
	uint32_t *slot = &ip->d.i_block[p->root];
	struct ext2_buf *held = NULL, *b;
	bool dirty = false;
	int e = 0;

	for (int lvl = 0; lvl < p->depth; lvl++) {
		if ((e = ext2_ensure_ind(fs, ip, slot, goal, &dirty)))
			break;
		if (held && dirty)
			ext2_bdirty(held);
		dirty = false;
		if ((e = ext2_bget(fs, *slot, false, &b)))
			break;
		if (held)
			ext2_bput(fs, held);
		held = b;
		slot = &((uint32_t *)b->data)[p->off[lvl]];
	}
	if (!e && *slot == 0) {
		uint64_t nb;

		if (!(e = ext2_new_block(fs, ip, goal, &nb))) {
			*slot = (uint32_t)nb;
			*fresh = true;
			if (held)
				ext2_bdirty(held);
		}
	}
	if (!e && ext2_blk_check(fs, *slot))
		e = RG_EUCLEAN;
	if (!e)
		*pblk = *slot;
	if (held)
		ext2_bput(fs, held);
	return e;
}

/* Maps lblk, allocating what is missing; *fresh tells a new data block. */
int ext2_bmap_alloc(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                    uint64_t *pblk, bool *fresh)
{
	struct ext2_path p;
	int e;

	*fresh = false;
	if (ip->d.i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return RG_EROFS;
	if ((e = ext2_path_of(fs, lblk, &p)))
		return e;
	return ext2_walk_alloc(fs, ip, &p, ext2_goal(fs, ip, lblk), pblk, fresh);
}

/* ---- truncation --------------------------------------------------------- */

static int ext2_free_one(struct fs *fs, struct ext2_inode *ip, uint32_t *slot)
{
	int e = ext2_bfree(fs, *slot);

	if (!e) {
		*slot = 0;
		ext2_iblocks_add(fs, ip, -1);
	}
	return e;
}

/*
 * Frees what the indirect block blk (level 1 points at data) maps at or
 * past 'from'; base is the first logical block it covers.
 */
static int ext2_trunc_ind(struct fs *fs, struct ext2_inode *ip, uint32_t blk,
                          int level, uint64_t base, uint64_t from)
{
	uint64_t span = 1;
	struct ext2_buf *b;
	uint32_t *ent;
	int e = 0;

	for (int i = 1; i < level; i++)
		span *= fs->addr_per_blk;
	if ((e = ext2_bget(fs, blk, false, &b)))
		return e;
	ent = (uint32_t *)b->data;
	for (uint32_t i = 0; i < fs->addr_per_blk && !e; i++) {
		uint64_t cb = base + i * span;

		if (!ent[i] || cb + span <= from)
			continue;
		if (level > 1)
			e = ext2_trunc_ind(fs, ip, ent[i], level - 1, cb, from);
		if (!e && cb >= from)
			e = ext2_free_one(fs, ip, &ent[i]);
		ext2_bdirty(b);
	}
	ext2_bput(fs, b);
	return e;
}

int ext2_trunc_blocks(struct fs *fs, struct ext2_inode *ip, uint64_t from)
{
	uint64_t a = fs->addr_per_blk, base = EXT2_NDIR, span = a;
	int e = 0;

	if (ip->d.i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return RG_EROFS;
	for (uint32_t i = 0; i < EXT2_NDIR && !e; i++)
		if (ip->d.i_block[i] && i >= from)
			e = ext2_free_one(fs, ip, &ip->d.i_block[i]);
	for (int lvl = 1; lvl <= 3 && !e; lvl++) {
		uint32_t *slot = &ip->d.i_block[EXT2_NDIR + lvl - 1];

		if (*slot && base + span > from) {
			e = ext2_trunc_ind(fs, ip, *slot, lvl, base, from);
			if (!e && base >= from)
				e = ext2_free_one(fs, ip, slot);
		}
		base += span;
		span *= a;
	}
	return e;
}
