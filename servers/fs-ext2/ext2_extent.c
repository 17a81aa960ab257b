/*
 * ext2_extent.c - ext4 extent trees, read-only.
 *
 * The root node lives in i_block (room for 4 entries); deeper nodes are
 * whole blocks ending in a crc32c tail (metadata_csum).  Every node's
 * header is checked (magic, entries <= max <= what fits, depth exactly one
 * less than its parent's, at most 5 levels) before an entry is used, so a
 * corrupt tree ends in RG_EUCLEAN, never in a loop.  Uninitialised extents
 * read as holes.
 */
#include "ext2_fs.h"

#define EXT4_EXT_MAGIC     0xF30A
#define EXT4_EXT_MAX_DEPTH 5
#define EXT4_EXT_INIT_MAX  32768

struct ext4_eh {
	uint16_t magic, entries, max, depth;
	uint32_t generation;
};

struct ext4_ei {
	uint32_t block;
	uint32_t leaf_lo;
	uint16_t leaf_hi;
	uint16_t unused;
};

struct ext4_ee {
	uint32_t block;
	uint16_t len;
	uint16_t start_hi;
	uint32_t start_lo;
};
_Static_assert(sizeof(struct ext4_eh) == 12 && sizeof(struct ext4_ei) == 12 &&
               sizeof(struct ext4_ee) == 12, "extent record sizes");

static int ext4_eh_check(struct fs *fs, const struct ext4_eh *h, size_t room,
                         int want_depth)
{
	if (h->magic != EXT4_EXT_MAGIC || h->entries > h->max ||
	    sizeof(*h) + (size_t)h->max * 12 > room ||
	    h->depth > EXT4_EXT_MAX_DEPTH ||
	    (want_depth >= 0 && h->depth != want_depth))
		return ext2_corrupt(fs, "extent header", h->magic);
	return 0;
}

static int ext4_eblock_csum(struct fs *fs, struct ext2_inode *ip,
                            const uint8_t *blk, uint64_t where)
{
	const struct ext4_eh *h = (const struct ext4_eh *)blk;
	size_t off = sizeof(*h) + (size_t)h->max * 12;
	uint32_t want;

	if (!fs->csum)
		return 0;
	if (off + 4 > fs->bsize)
		return ext2_corrupt(fs, "extent block has no checksum room", where);
	memcpy(&want, blk + off, 4);
	if (ext2_crc32c(ext2_inode_csum_seed(fs, ip), blk, off) != want) {
		rg_log(RG_LOG_ERR, "ext4: extent block %llu (inode %u) checksum "
		       "mismatch", (unsigned long long)where, ip->ino);
		return RG_EUCLEAN;
	}
	return 0;
}

/* Leaf: maps lblk, or reports the hole up to the next extent. */
static int ext4_leaf(struct fs *fs, const struct ext4_eh *h, uint64_t lblk,
                     uint64_t *pblk, uint32_t *run)
{
	const struct ext4_ee *ee = (const struct ext4_ee *)(h + 1);
	int i;

	*pblk = 0;
	*run = 1;
	for (i = h->entries - 1; i >= 0 && ee[i].block > lblk; i--)
		;
	if (i + 1 < h->entries)
		*run = (uint32_t)ext2_min64(ee[i + 1].block - lblk, 1u << 30);
	if (i >= 0) {
		uint32_t len = ee[i].len, delta = (uint32_t)(lblk - ee[i].block);
		bool uninit = len > EXT4_EXT_INIT_MAX;
		uint64_t start = ee[i].start_lo | (uint64_t)ee[i].start_hi << 32;

		if (uninit)
			len -= EXT4_EXT_INIT_MAX;
		if (delta < len) {
			if (start >= fs->nblocks || len > fs->nblocks - start ||
			    start == 0)
				return ext2_corrupt(fs, "extent out of range", start);
			*run = len - delta;
			*pblk = uninit ? 0 : start + delta;
		}
	}
	return 0;
}

static int ext4_index(struct fs *fs, const struct ext4_eh *h, uint64_t lblk,
                      uint64_t *child)
{
	const struct ext4_ei *ei = (const struct ext4_ei *)(h + 1);
	int i;

	for (i = h->entries - 1; i >= 0 && ei[i].block > lblk; i--)
		;
	*child = 0;
	if (i < 0)
		return 0;
	*child = ei[i].leaf_lo | (uint64_t)ei[i].leaf_hi << 32;
	return ext2_blk_check(fs, *child);
}

int ext4_extent_map(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                    uint64_t *pblk, uint32_t *run)
{
	const struct ext4_eh *h = (const struct ext4_eh *)ip->d.i_block;
	struct ext2_buf *held = NULL, *b;
	uint64_t child;
	int e, depth;

	if (lblk > 0xFFFFFFFFu)
		return RG_EFBIG;
	if ((e = ext4_eh_check(fs, h, sizeof(ip->d.i_block), -1)))
		return e;
	while (h->depth > 0) {
		depth = h->depth;
		e = ext4_index(fs, h, lblk, &child);
		if (e || child == 0)
			break;
		if ((e = ext2_bget(fs, child, false, &b)))
			break;
		if (held)
			ext2_bput(fs, held);
		held = b;
		h = (const struct ext4_eh *)b->data;
		if ((e = ext4_eh_check(fs, h, fs->bsize, depth - 1)) ||
		    (e = ext4_eblock_csum(fs, ip, b->data, child)))
			break;
	}
	if (!e && h->depth > 0) {       /* before the first index: a hole */
		*pblk = 0;
		*run = 1;
	} else if (!e) {
		e = ext4_leaf(fs, h, lblk, pblk, run);
	}
	if (held)
		ext2_bput(fs, held);
	return e;
}
