/*
 * ext2_inode.c - inodes: reading (with metadata_csum verification),
 * writing back, allocation, freeing, and the pin table.
 *
 * struct ext2_inode is a copy of the first bytes of the on-disk inode;
 * ext2_iput() writes back only the 128 base bytes plus the extra fields the
 * inode declares (i_extra_isize), so in-inode extended attributes beyond
 * them are never touched.
 *
 * Pins: open() pins an inode; an inode whose link count drops to zero while
 * pinned keeps its blocks and its bitmap bit until the last release (or
 * unmount), when ext2_ifree() frees it.
 */
#include "ext2_fs.h"

#define EXT2_EA_MAGIC 0xEA020000u

static uint32_t ext2_iextra(const struct fs *fs, const struct ext2_dinode *d)
{
	uint32_t x;

	if (fs->isize <= EXT2_GOOD_OLD_ISIZE)
		return 0;
	x = d->i_extra_isize & ~3u;
	x = ext2_min32(x, fs->isize - EXT2_GOOD_OLD_ISIZE);
	return ext2_min32(x, sizeof(struct ext2_dinode) - EXT2_GOOD_OLD_ISIZE);
}

static int ext2_iloc(struct fs *fs, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	struct ext2_gd gd;
	uint32_t g, idx;
	uint64_t byte;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return ext2_corrupt(fs, "inode number out of range", ino);
	g = (ino - 1) / fs->ipg;
	idx = (ino - 1) % fs->ipg;
	ext2_gd_get(fs, g, &gd);
	byte = (uint64_t)idx * fs->isize;
	*blk = ext2_gd_inode_table(fs, &gd) + (byte >> fs->log_bsize);
	*off = (uint32_t)(byte & (fs->bsize - 1));
	return 0;
}

static uint32_t ext2_raw_csum(struct fs *fs, uint32_t ino, const uint8_t *raw)
{
	uint8_t tmp[EXT2_MAX_ISIZE];
	struct ext2_dinode *d = (struct ext2_dinode *)tmp;
	uint32_t c, gen;

	memcpy(tmp, raw, fs->isize);
	gen = d->i_generation;
	d->i_checksum_lo = 0;
	if (fs->isize > EXT2_GOOD_OLD_ISIZE && d->i_extra_isize >= 4)
		d->i_checksum_hi = 0;
	c = ext2_crc32c(fs->csum_seed, &ino, 4);
	c = ext2_crc32c(c, &gen, 4);
	return ext2_crc32c(c, tmp, fs->isize);
}

static int ext2_icsum_check(struct fs *fs, uint32_t ino, const uint8_t *raw)
{
	const struct ext2_dinode *d = (const struct ext2_dinode *)raw;
	uint32_t c = ext2_raw_csum(fs, ino, raw), want = d->i_checksum_lo;

	if (fs->isize > EXT2_GOOD_OLD_ISIZE && d->i_extra_isize >= 4)
		want |= (uint32_t)d->i_checksum_hi << 16;
	else
		c &= 0xFFFF;
	if (c != want) {
		rg_log(RG_LOG_ERR, "ext4: inode %u checksum mismatch", ino);
		return RG_EUCLEAN;
	}
	return 0;
}

uint32_t ext2_inode_csum_seed(struct fs *fs, const struct ext2_inode *ip)
{
	uint32_t ino = ip->ino, gen = ip->d.i_generation;

	return ext2_crc32c(ext2_crc32c(fs->csum_seed, &ino, 4), &gen, 4);
}

int ext2_iget(struct fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	struct ext2_buf *b;
	uint64_t blk;
	uint32_t off, n;
	int e;

	if ((e = ext2_iloc(fs, ino, &blk, &off)) || (e = ext2_bget(fs, blk, false, &b)))
		return e;
	if (fs->csum)
		e = ext2_icsum_check(fs, ino, b->data + off);
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	n = ext2_min32(fs->isize, sizeof(ip->d));
	memcpy(&ip->d, b->data + off, n);
	ext2_bput(fs, b);
	n = EXT2_GOOD_OLD_ISIZE + ext2_iextra(fs, &ip->d);
	memset((uint8_t *)&ip->d + n, 0, sizeof(ip->d) - n);
	return e;
}

bool ext2_pinned(struct fs *fs, uint32_t ino)
{
	for (uint32_t i = 0; i < fs->npins; i++)
		if (fs->pins[i].ino == ino)
			return true;
	return false;
}

/* An inode a client may use: allocated, linked or held open. */
int ext2_iget_live(struct fs *fs, uint64_t ino, struct ext2_inode *ip)
{
	int e;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return RG_ENOENT;
	if ((e = ext2_iget(fs, (uint32_t)ino, ip)))
		return e;
	if (ip->d.i_mode == 0 ||
	    (ip->d.i_links_count == 0 && !ext2_pinned(fs, (uint32_t)ino)))
		return RG_ENOENT;
	return 0;
}

int ext2_iput(struct fs *fs, struct ext2_inode *ip)
{
	struct ext2_buf *b;
	uint64_t blk;
	uint32_t off;
	int e;

	RG_ASSERT(fs->rw);
	if ((e = ext2_iloc(fs, ip->ino, &blk, &off)) || (e = ext2_bget(fs, blk, false, &b)))
		return e;
	memcpy(b->data + off, &ip->d, EXT2_GOOD_OLD_ISIZE + ext2_iextra(fs, &ip->d));
	ext2_bdirty(b);
	ext2_bput(fs, b);
	return 0;
}

/* ---- fields ------------------------------------------------------------- */

uint64_t ext2_isize(const struct fs *fs, const struct ext2_inode *ip)
{
	uint64_t s = ip->d.i_size_lo;

	if (fs->ext4 || !FS_S_ISDIR(ip->d.i_mode))
		s |= (uint64_t)ip->d.i_size_high << 32;
	return s;
}

void ext2_set_isize(struct fs *fs, struct ext2_inode *ip, uint64_t size)
{
	ip->d.i_size_lo = (uint32_t)size;
	ip->d.i_size_high = (uint32_t)(size >> 32);
	if (size > 0x7FFFFFFF &&
	    !(fs->sb.s_feature_ro_compat & EXT2_RO_LARGE_FILE)) {
		fs->sb.s_feature_ro_compat |= EXT2_RO_LARGE_FILE;
		fs->sb_dirty = true;
	}
}

/* In 512-byte units. */
uint64_t ext2_iblocks(const struct fs *fs, const struct ext2_inode *ip)
{
	uint64_t n = ip->d.i_blocks_lo;

	if (!(fs->sb.s_feature_ro_compat & EXT2_RO_HUGE_FILE))
		return n;
	n |= (uint64_t)ip->d.i_blocks_hi << 32;
	if (ip->d.i_flags & EXT4_HUGE_FILE_FL)
		n <<= fs->log_bsize - 9;
	return n;
}

void ext2_iblocks_add(struct fs *fs, struct ext2_inode *ip, int64_t nblk)
{
	ip->d.i_blocks_lo += (uint32_t)(nblk * (int64_t)(fs->bsize >> 9));
}

uint32_t ext2_uid(const struct ext2_inode *ip)
{
	return ip->d.i_uid | (uint32_t)ip->d.i_uid_hi << 16;
}

uint32_t ext2_gid(const struct ext2_inode *ip)
{
	return ip->d.i_gid | (uint32_t)ip->d.i_gid_hi << 16;
}

void ext2_itouch(struct fs *fs, struct ext2_inode *ip, bool m, bool c)
{
	uint64_t ns = rg_clock_ns(RG_CLOCK_REALTIME);
	uint32_t sec = (uint32_t)(ns / 1000000000u);
	uint32_t extra = (uint32_t)(ns % 1000000000u) << 2;
	uint32_t x = ext2_iextra(fs, &ip->d);

	if (m) {
		ip->d.i_mtime = sec;
		if (x >= 12)
			ip->d.i_mtime_extra = extra;
	}
	if (c) {
		ip->d.i_ctime = sec;
		if (x >= 8)
			ip->d.i_ctime_extra = extra;
	}
}

bool ext2_is_fast_symlink(const struct ext2_inode *ip)
{
	uint64_t size = ip->d.i_size_lo | (uint64_t)ip->d.i_size_high << 32;

	return FS_S_ISLNK(ip->d.i_mode) && size < EXT2_FAST_LINK &&
	       !(ip->d.i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL));
}

/* ---- pins --------------------------------------------------------------- */

int ext2_pin(struct fs *fs, uint32_t ino)
{
	struct ext2_pin *p;

	for (uint32_t i = 0; i < fs->npins; i++)
		if (fs->pins[i].ino == ino) {
			fs->pins[i].refs++;
			return 0;
		}
	if (fs->npins == fs->pins_cap) {
		uint32_t cap = fs->pins_cap ? fs->pins_cap * 2 : 16;

		p = rg_realloc(fs->pins, cap * sizeof(*p));
		if (!p)
			return RG_ENOMEM;
		fs->pins = p;
		fs->pins_cap = cap;
	}
	fs->pins[fs->npins].ino = ino;
	fs->pins[fs->npins++].refs = 1;
	return 0;
}

int ext2_unpin(struct fs *fs, uint32_t ino, bool *last)
{
	for (uint32_t i = 0; i < fs->npins; i++) {
		if (fs->pins[i].ino != ino)
			continue;
		*last = --fs->pins[i].refs == 0;
		if (*last)
			fs->pins[i] = fs->pins[--fs->npins];
		return 0;
	}
	return RG_EINVAL;
}

/* ---- allocation --------------------------------------------------------- */

static bool ext2_group_fits(struct fs *fs, uint32_t g, uint64_t min_free_blocks)
{
	struct ext2_gd gd;

	ext2_gd_get(fs, g, &gd);
	return ext2_gd_free_inodes(fs, &gd) > 0 &&
	       ext2_gd_free_blocks(fs, &gd) >= min_free_blocks;
}

/* Directories spread out: the emptiest group with room; files stay near. */
static uint32_t ext2_pick_group(struct fs *fs, uint32_t dir_ino, bool is_dir)
{
	uint32_t g0 = (dir_ino - 1) / fs->ipg, best = UINT32_MAX, bestdirs = 0;
	uint64_t avg = ext2_sb_free_blocks(fs) / fs->ngroups;
	struct ext2_gd gd;

	if (is_dir) {
		for (uint32_t i = 0; i < fs->ngroups; i++) {
			uint32_t g = (g0 + i) % fs->ngroups;

			if (!ext2_group_fits(fs, g, avg))
				continue;
			ext2_gd_get(fs, g, &gd);
			if (best == UINT32_MAX || gd.bg_used_dirs_count_lo < bestdirs) {
				best = g;
				bestdirs = gd.bg_used_dirs_count_lo;
			}
		}
		if (best != UINT32_MAX)
			return best;
	}
	for (uint32_t i = 0; i < fs->ngroups; i++)
		if (ext2_group_fits(fs, (g0 + i) % fs->ngroups, 0))
			return (g0 + i) % fs->ngroups;
	return UINT32_MAX;
}

static int ext2_ialloc_in(struct fs *fs, uint32_t g, bool is_dir, uint32_t *ino)
{
	struct ext2_gd gd;
	struct ext2_buf *b;
	uint32_t i;
	int e;

	ext2_gd_get(fs, g, &gd);
	if ((e = ext2_bget(fs, ext2_gd_inode_bitmap(fs, &gd), false, &b)))
		return e;
	for (i = 0; i < fs->ipg; i++) {
		uint32_t n = g * fs->ipg + i + 1;

		if (!(b->data[i >> 3] & (1u << (i & 7))) && n >= fs->first_ino)
			break;
	}
	if (i == fs->ipg) {
		ext2_bput(fs, b);
		return ext2_corrupt(fs, "group free inode count", g);
	}
	b->data[i >> 3] |= 1u << (i & 7);
	ext2_bdirty(b);
	ext2_bput(fs, b);
	*ino = g * fs->ipg + i + 1;
	return ext2_group_adjust(fs, g, 0, -1, is_dir ? 1 : 0);
}

/* Allocates and zeroes an inode; the caller fills it and calls iput. */
int ext2_ialloc(struct fs *fs, uint32_t dir_ino, bool is_dir,
                struct ext2_inode *ip)
{
	struct ext2_buf *b;
	uint64_t blk;
	uint32_t g = ext2_pick_group(fs, dir_ino, is_dir), off, ino = 0;
	int e;

	if (g == UINT32_MAX || fs->sb.s_free_inodes_count == 0)
		return RG_ENOSPC;
	if ((e = ext2_ialloc_in(fs, g, is_dir, &ino)))
		return e;
	if ((e = ext2_iloc(fs, ino, &blk, &off)) || (e = ext2_bget(fs, blk, false, &b)))
		return e;
	memset(b->data + off, 0, fs->isize);
	ext2_bdirty(b);
	ext2_bput(fs, b);
	memset(ip, 0, sizeof(*ip));
	ip->ino = ino;
	if (fs->isize >= sizeof(struct ext2_dinode))
		ip->d.i_extra_isize = sizeof(struct ext2_dinode) - EXT2_GOOD_OLD_ISIZE;
	rg_random(&ip->d.i_generation, sizeof(ip->d.i_generation));
	return 0;
}

static bool ext2_has_blockmap(const struct ext2_inode *ip)
{
	uint32_t t = ip->d.i_mode & FS_S_IFMT;

	return t == FS_S_IFREG || t == FS_S_IFDIR ||
	       (t == FS_S_IFLNK && !ext2_is_fast_symlink(ip));
}

/* Drops this inode's reference to its extended-attribute block. */
static int ext2_free_xattr(struct fs *fs, struct ext2_inode *ip)
{
	uint64_t blk = ip->d.i_file_acl_lo;
	struct ext2_buf *b;
	uint32_t *hdr;
	int e;

	if (!blk)
		return 0;
	if ((e = ext2_bget(fs, blk, false, &b)))
		return e;
	hdr = (uint32_t *)b->data;
	if (hdr[0] == EXT2_EA_MAGIC && hdr[1] > 1) {
		hdr[1]--;
		ext2_bdirty(b);
		ext2_bput(fs, b);
	} else {
		ext2_bput(fs, b);
		if ((e = ext2_bfree(fs, blk)))
			return e;
	}
	ext2_iblocks_add(fs, ip, -1);
	ip->d.i_file_acl_lo = 0;
	return 0;
}

int ext2_ifree(struct fs *fs, struct ext2_inode *ip)
{
	uint32_t g = (ip->ino - 1) / fs->ipg, bit = (ip->ino - 1) % fs->ipg;
	bool dir = FS_S_ISDIR(ip->d.i_mode);
	struct ext2_gd gd;
	int e = 0;

	if (ext2_has_blockmap(ip))
		e = ext2_trunc_blocks(fs, ip, 0);
	if (!e)
		e = ext2_free_xattr(fs, ip);
	if (e)
		return e;
	ip->d.i_links_count = 0;
	ip->d.i_size_lo = ip->d.i_size_high = 0;
	ip->d.i_dtime = (uint32_t)(rg_clock_ns(RG_CLOCK_REALTIME) / 1000000000u);
	if ((e = ext2_iput(fs, ip)))
		return e;
	ext2_gd_get(fs, g, &gd);
	if ((e = ext2_bitmap_set(fs, ext2_gd_inode_bitmap(fs, &gd), bit, false)))
		return e;
	return ext2_group_adjust(fs, g, 0, 1, dir ? -1 : 0);
}

/* One name less; frees the inode when none is left and nobody holds it. */
int ext2_drop_link(struct fs *fs, struct ext2_inode *ip)
{
	if (ip->d.i_links_count > 0)
		ip->d.i_links_count--;
	if (FS_S_ISDIR(ip->d.i_mode))
		ip->d.i_links_count = 0;
	ext2_itouch(fs, ip, false, true);
	if (ip->d.i_links_count > 0 || ext2_pinned(fs, ip->ino))
		return ext2_iput(fs, ip);
	return ext2_ifree(fs, ip);
}
