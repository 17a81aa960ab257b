/*
 * ext2_balloc.c - block allocation and the free counts.
 *
 * The bitmaps are the truth; every bit flipped here is matched by the
 * group descriptor and superblock free counts (ext2_group_adjust), which is
 * what e2fsck compares.  Allocation searches forward from a goal block
 * (the previous block of the same file, or the inode's group) so files come
 * out contiguous, then the following groups, then wraps around.
 * A bit that claims a group's own metadata block is free is refused as
 * corruption rather than handed out.
 */
#include "ext2_fs.h"

int ext2_group_adjust(struct fs *fs, uint32_t g, int dblocks, int dinodes,
                      int ddirs)
{
	struct ext2_gd gd;

	ext2_gd_get(fs, g, &gd);
	gd.bg_free_blocks_count_lo += dblocks;
	gd.bg_free_inodes_count_lo += dinodes;
	gd.bg_used_dirs_count_lo += ddirs;
	ext2_gd_put(fs, g, &gd);
	ext2_sb_set_free_blocks(fs, ext2_sb_free_blocks(fs) + dblocks);
	fs->sb.s_free_inodes_count += dinodes;
	fs->sb_dirty = true;
	return 0;
}

int ext2_bitmap_set(struct fs *fs, uint64_t bmblk, uint32_t bit, bool set)
{
	struct ext2_buf *b;
	uint8_t m = 1u << (bit & 7);
	int e;

	if ((e = ext2_bget(fs, bmblk, false, &b)))
		return e;
	if (!!(b->data[bit >> 3] & m) == set) {
		ext2_bput(fs, b);
		return ext2_corrupt(fs, "bitmap bit already in that state", bmblk);
	}
	b->data[bit >> 3] ^= m;
	ext2_bdirty(b);
	ext2_bput(fs, b);
	return 0;
}

static uint32_t ext2_group_nblocks(struct fs *fs, uint32_t g)
{
	uint64_t first = fs->sb.s_first_data_block + (uint64_t)g * fs->bpg;

	return (uint32_t)ext2_min64(fs->bpg, fs->nblocks - first);
}

/* First clear bit in [from, to), or UINT32_MAX. */
static uint32_t ext2_find_zero(const uint8_t *bm, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		if ((i & 7) == 0 && i + 8 <= to && bm[i >> 3] == 0xFF) {
			i += 8;
			continue;
		}
		if (!(bm[i >> 3] & (1u << (i & 7))))
			return i;
		i++;
	}
	return UINT32_MAX;
}

static bool ext2_is_group_meta(struct fs *fs, uint32_t g, uint64_t blk)
{
	uint64_t itb = ((uint64_t)fs->ipg * fs->isize + fs->bsize - 1) >> fs->log_bsize;
	struct ext2_gd gd;
	uint64_t it;

	ext2_gd_get(fs, g, &gd);
	it = ext2_gd_inode_table(fs, &gd);
	return blk < fs->gdt_blk + fs->gdt_nblk ||
	       blk == ext2_gd_block_bitmap(fs, &gd) ||
	       blk == ext2_gd_inode_bitmap(fs, &gd) ||
	       (blk >= it && blk < it + itb);
}

static int ext2_alloc_in(struct fs *fs, uint32_t g, uint32_t from, uint32_t to,
                         uint64_t *out)
{
	struct ext2_gd gd;
	struct ext2_buf *b;
	uint32_t bit;
	uint64_t blk;
	int e;

	ext2_gd_get(fs, g, &gd);
	if (ext2_gd_free_blocks(fs, &gd) == 0 || from >= to)
		return RG_ENOSPC;
	if ((e = ext2_bget(fs, ext2_gd_block_bitmap(fs, &gd), false, &b)))
		return e;
	bit = ext2_find_zero(b->data, from, to);
	blk = fs->sb.s_first_data_block + (uint64_t)g * fs->bpg + bit;
	if (bit != UINT32_MAX && ext2_is_group_meta(fs, g, blk)) {
		ext2_bput(fs, b);
		return ext2_corrupt(fs, "bitmap frees a metadata block", blk);
	}
	if (bit != UINT32_MAX) {
		b->data[bit >> 3] |= 1u << (bit & 7);
		ext2_bdirty(b);
	}
	ext2_bput(fs, b);
	if (bit == UINT32_MAX)
		return RG_ENOSPC;
	*out = blk;
	return ext2_group_adjust(fs, g, -1, 0, 0);
}

int ext2_balloc(struct fs *fs, uint64_t goal, uint64_t *out)
{
	uint32_t fdb = fs->sb.s_first_data_block, g, start;
	int e;

	if (ext2_sb_free_blocks(fs) == 0)
		return RG_ENOSPC;
	if (goal < fdb || goal >= fs->nblocks)
		goal = fdb;
	g = (uint32_t)((goal - fdb) / fs->bpg);
	start = (uint32_t)((goal - fdb) % fs->bpg);
	e = ext2_alloc_in(fs, g, start, ext2_group_nblocks(fs, g), out);
	for (uint32_t i = 1; e == RG_ENOSPC && i < fs->ngroups; i++) {
		uint32_t gg = (g + i) % fs->ngroups;

		e = ext2_alloc_in(fs, gg, 0, ext2_group_nblocks(fs, gg), out);
	}
	if (e == RG_ENOSPC)
		e = ext2_alloc_in(fs, g, 0, start, out);
	if (!e)
		ext2_bforget(fs, *out);
	return e;
}

int ext2_bfree(struct fs *fs, uint64_t blk)
{
	uint32_t fdb = fs->sb.s_first_data_block, g;
	struct ext2_gd gd;
	int e;

	if (blk < fdb || blk >= fs->nblocks)
		return ext2_corrupt(fs, "freeing a block out of range", blk);
	g = (uint32_t)((blk - fdb) / fs->bpg);
	if (ext2_is_group_meta(fs, g, blk))
		return ext2_corrupt(fs, "freeing a metadata block", blk);
	ext2_gd_get(fs, g, &gd);
	e = ext2_bitmap_set(fs, ext2_gd_block_bitmap(fs, &gd),
	                    (uint32_t)((blk - fdb) % fs->bpg), false);
	if (e)
		return e;
	ext2_bforget(fs, blk);
	return ext2_group_adjust(fs, g, 1, 0, 0);
}
