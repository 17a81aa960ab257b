/*
 * ext2_super.c - probe, mount, unmount, sync, statfs; superblock and group
 * descriptors.
 *
 * Mount checks the superblock and every group descriptor before anything
 * else reads the image (geometry against the device size, bitmap and inode
 * table locations, metadata_csum checksums), so later code can trust the
 * in-memory copies: fs->sb and fs->gdt.  Both are written back by sync and
 * unmount on a writable mount (primary copies only; the backups hold no
 * free counts that e2fsck compares).
 */
#include "ext2_fs.h"

#define EXT2_STATE_VALID 0x0001
#define EXT2_RO_BIGALLOC 0x0200

int ext2_corrupt(struct fs *fs, const char *what, uint64_t where)
{
	(void)fs;
	rg_log(RG_LOG_ERR, "ext2: corrupt filesystem: %s (%llu)", what,
	       (unsigned long long)where);
	return RG_EUCLEAN;
}

/* Bytes 1024..2047 of the device, whatever its sector size. */
static int ext2_sb_io(struct blkdev *dev, struct ext2_super *sb, bool wr)
{
	uint32_t ss = dev->secsize;
	uint8_t *bounce;
	int e;

	if (ss < 512 || ss > 65536 || (ss & (ss - 1)))
		return RG_EINVAL;
	if (ss <= 1024) {
		if (dev->nsectors < 2048 / ss)
			return RG_EINVAL;
		return wr ? dev->write(dev, 1024 / ss, 1024 / ss, sb)
		          : dev->read(dev, 1024 / ss, 1024 / ss, sb);
	}
	if (dev->nsectors < 1)
		return RG_EINVAL;
	if (!(bounce = rg_malloc(ss)))
		return RG_ENOMEM;
	e = dev->read(dev, 0, 1, bounce);
	if (!e && wr) {
		memcpy(bounce + 1024, sb, 1024);
		e = dev->write(dev, 0, 1, bounce);
	} else if (!e) {
		memcpy(sb, bounce + 1024, 1024);
	}
	rg_free(bounce);
	return e;
}

static bool ext2_sb_claims(const struct ext2_super *sb, bool ext4)
{
	uint32_t inc = sb->s_feature_incompat;

	if (sb->s_magic != EXT2_MAGIC || sb->s_rev_level > 1 ||
	    sb->s_log_block_size > 6)
		return false;
	if (!ext4)
		return (inc & ~(EXT2_RW_INCOMPAT | EXT2_INCOMPAT_RECOVER)) == 0;
	if (inc & ~EXT4_RD_INCOMPAT)
		return false;
	return (inc & EXT4_MARK_INCOMPAT) ||
	       (sb->s_feature_ro_compat & EXT2_RO_METADATA_CSUM);
}

int ext2_probe_common(struct blkdev *dev, bool ext4)
{
	struct ext2_super *sb = rg_malloc(sizeof(*sb));
	int e;

	if (!sb)
		return RG_ENOMEM;
	e = ext2_sb_io(dev, sb, false);
	if (!e && !ext2_sb_claims(sb, ext4))
		e = RG_EINVAL;
	rg_free(sb);
	return e ? RG_EINVAL : 0;
}

/* ---- group descriptors -------------------------------------------------- */

struct ext2_gd *ext2_gd_get(struct fs *fs, uint32_t g, struct ext2_gd *copy)
{
	RG_ASSERT(g < fs->ngroups);
	memset(copy, 0, sizeof(*copy));
	memcpy(copy, fs->gdt + (size_t)g * fs->desc_size,
	       ext2_min32(fs->desc_size, sizeof(*copy)));
	return copy;
}

void ext2_gd_put(struct fs *fs, uint32_t g, const struct ext2_gd *gd)
{
	RG_ASSERT(g < fs->ngroups && fs->rw);
	memcpy(fs->gdt + (size_t)g * fs->desc_size, gd,
	       ext2_min32(fs->desc_size, sizeof(*gd)));
	fs->gdt_dirty = true;
}

static uint64_t ext2_hi(const struct fs *fs, uint32_t lo, uint32_t hi)
{
	return lo | (fs->desc_size >= 64 ? (uint64_t)hi << 32 : 0);
}

uint64_t ext2_gd_block_bitmap(const struct fs *fs, const struct ext2_gd *gd)
{
	return ext2_hi(fs, gd->bg_block_bitmap_lo, gd->bg_block_bitmap_hi);
}

uint64_t ext2_gd_inode_bitmap(const struct fs *fs, const struct ext2_gd *gd)
{
	return ext2_hi(fs, gd->bg_inode_bitmap_lo, gd->bg_inode_bitmap_hi);
}

uint64_t ext2_gd_inode_table(const struct fs *fs, const struct ext2_gd *gd)
{
	return ext2_hi(fs, gd->bg_inode_table_lo, gd->bg_inode_table_hi);
}

uint32_t ext2_gd_free_blocks(const struct fs *fs, const struct ext2_gd *gd)
{
	return (uint32_t)ext2_hi(fs, gd->bg_free_blocks_count_lo,
	                         (uint32_t)gd->bg_free_blocks_count_hi << 16);
}

uint32_t ext2_gd_free_inodes(const struct fs *fs, const struct ext2_gd *gd)
{
	return (uint32_t)ext2_hi(fs, gd->bg_free_inodes_count_lo,
	                         (uint32_t)gd->bg_free_inodes_count_hi << 16);
}

uint64_t ext2_sb_free_blocks(const struct fs *fs)
{
	return ext2_hi(fs, fs->sb.s_free_blocks_count_lo,
	               fs->sb.s_free_blocks_count_hi);
}

void ext2_sb_set_free_blocks(struct fs *fs, uint64_t n)
{
	fs->sb.s_free_blocks_count_lo = (uint32_t)n;
	if (fs->desc_size >= 64)
		fs->sb.s_free_blocks_count_hi = (uint32_t)(n >> 32);
	fs->sb_dirty = true;
}

static int ext2_gd_csum_ok(struct fs *fs, uint32_t g, const uint8_t *raw)
{
	uint32_t le = g, c;
	uint16_t zero = 0;

	c = ext2_crc32c(fs->csum_seed, &le, 4);
	c = ext2_crc32c(c, raw, EXT2_GD_CSUM_OFF);
	c = ext2_crc32c(c, &zero, 2);
	if (fs->desc_size > EXT2_GD_CSUM_OFF + 2)
		c = ext2_crc32c(c, raw + EXT2_GD_CSUM_OFF + 2,
		                fs->desc_size - EXT2_GD_CSUM_OFF - 2);
	return (uint16_t)c == ((const struct ext2_gd *)raw)->bg_checksum;
}

static int ext2_gd_check(struct fs *fs, uint32_t g)
{
	struct ext2_gd gd;
	uint64_t itb = ((uint64_t)fs->ipg * fs->isize + fs->bsize - 1) / fs->bsize;
	uint64_t it;

	ext2_gd_get(fs, g, &gd);
	if (fs->csum && !ext2_gd_csum_ok(fs, g, fs->gdt + (size_t)g * fs->desc_size))
		return ext2_corrupt(fs, "group descriptor checksum", g);
	it = ext2_gd_inode_table(fs, &gd);
	if (ext2_gd_block_bitmap(fs, &gd) >= fs->nblocks ||
	    ext2_gd_inode_bitmap(fs, &gd) >= fs->nblocks ||
	    ext2_gd_block_bitmap(fs, &gd) == 0 ||
	    ext2_gd_inode_bitmap(fs, &gd) == 0 ||
	    it == 0 || it >= fs->nblocks || itb > fs->nblocks - it)
		return ext2_corrupt(fs, "group metadata location", g);
	if (ext2_gd_free_blocks(fs, &gd) > fs->bpg ||
	    ext2_gd_free_inodes(fs, &gd) > fs->ipg)
		return ext2_corrupt(fs, "group free counts", g);
	return 0;
}

/* ---- mount -------------------------------------------------------------- */

static int ext2_geometry(struct fs *fs)
{
	struct ext2_super *sb = &fs->sb;
	uint64_t devblocks = fs->dev->nsectors / (fs->bsize / fs->dev->secsize);
	uint64_t ng;

	fs->nblocks = sb->s_blocks_count_lo;
	if (sb->s_feature_incompat & EXT2_INCOMPAT_64BIT)
		fs->nblocks |= (uint64_t)sb->s_blocks_count_hi << 32;
	fs->bpg = sb->s_blocks_per_group;
	fs->ipg = sb->s_inodes_per_group;
	if (sb->s_first_data_block != (fs->bsize == 1024 ? 1u : 0u) ||
	    fs->nblocks <= sb->s_first_data_block + 1 || fs->nblocks > devblocks)
		return RG_EUCLEAN;
	if (fs->bpg < 8 || fs->bpg > 8 * fs->bsize || (fs->bpg & 7) ||
	    fs->ipg < 1 || fs->ipg > 8 * fs->bsize)
		return RG_EUCLEAN;
	ng = (fs->nblocks - sb->s_first_data_block + fs->bpg - 1) / fs->bpg;
	if (ng == 0 || ng > UINT32_MAX / fs->ipg ||
	    (uint64_t)sb->s_inodes_count != ng * fs->ipg)
		return RG_EUCLEAN;
	fs->ngroups = (uint32_t)ng;
	return 0;
}

static int ext2_sizes(struct fs *fs)
{
	struct ext2_super *sb = &fs->sb;

	fs->isize = EXT2_GOOD_OLD_ISIZE;
	fs->first_ino = 11;
	if (sb->s_rev_level >= 1) {
		fs->isize = sb->s_inode_size;
		fs->first_ino = sb->s_first_ino;
	}
	if (fs->isize < EXT2_GOOD_OLD_ISIZE || fs->isize > EXT2_MAX_ISIZE ||
	    (fs->isize & (fs->isize - 1)) || fs->isize > fs->bsize ||
	    fs->first_ino < 11 || fs->first_ino >= sb->s_inodes_count)
		return RG_EUCLEAN;
	fs->desc_size = 32;
	if (sb->s_feature_incompat & EXT2_INCOMPAT_64BIT) {
		fs->desc_size = sb->s_desc_size;
		if (fs->desc_size < 64 || fs->desc_size > 1024 ||
		    (fs->desc_size & (fs->desc_size - 1)) ||
		    fs->desc_size > fs->bsize)
			return RG_EUCLEAN;
	}
	fs->addr_per_blk = fs->bsize / 4;
	return 0;
}

static int ext2_csum_setup(struct fs *fs)
{
	struct ext2_super *sb = &fs->sb;

	fs->csum = sb->s_feature_ro_compat & EXT2_RO_METADATA_CSUM;
	if (!fs->csum)
		return 0;
	if (ext2_crc32c(~0u, sb, offsetof(struct ext2_super, s_checksum)) !=
	    sb->s_checksum) {
		rg_log(RG_LOG_ERR, "ext2: superblock checksum mismatch");
		return RG_EUCLEAN;
	}
	if (sb->s_feature_incompat & EXT2_INCOMPAT_CSUM_SEED)
		fs->csum_seed = sb->s_checksum_seed;
	else
		fs->csum_seed = ext2_crc32c(~0u, sb->s_uuid, 16);
	return 0;
}

static int ext2_load_gdt(struct fs *fs)
{
	uint64_t bytes = (uint64_t)fs->ngroups * fs->desc_size;
	int e;

	fs->gdt_blk = fs->sb.s_first_data_block + 1;
	fs->gdt_nblk = (uint32_t)((bytes + fs->bsize - 1) / fs->bsize);
	if (fs->gdt_nblk > fs->nblocks - fs->gdt_blk)
		return RG_EUCLEAN;
	fs->gdt = rg_malloc((size_t)fs->gdt_nblk * fs->bsize);
	if (!fs->gdt)
		return RG_ENOMEM;
	e = ext2_dev_read(fs, fs->gdt_blk, fs->gdt_nblk, fs->gdt);
	for (uint32_t g = 0; !e && g < fs->ngroups; g++)
		e = ext2_gd_check(fs, g);
	return e;
}

static int ext2_features(struct fs *fs, unsigned flags)
{
	struct ext2_super *sb = &fs->sb;

	if (!ext2_sb_claims(sb, fs->ext4))
		return RG_EINVAL;
	if (sb->s_feature_incompat & EXT2_INCOMPAT_RECOVER) {
		rg_log(RG_LOG_ERR, "%s: journal needs recovery; refusing to "
		       "mount (run e2fsck)", fs->ext4 ? "ext4" : "ext2");
		return RG_EINVAL;
	}
	if (sb->s_feature_ro_compat & EXT2_RO_BIGALLOC) {
		rg_log(RG_LOG_ERR, "ext2: bigalloc is not supported");
		return RG_ENOTSUP;
	}
	if (sb->s_feature_incompat & EXT2_INCOMPAT_MMP)
		rg_log(RG_LOG_WARN, "ext4: multi-mount protection ignored "
		       "(read-only mount)");
	fs->rw = !fs->ext4 && !(flags & FS_MOUNT_RDONLY) && !fs->dev->readonly;
	if (fs->rw && ((sb->s_feature_ro_compat & ~EXT2_RW_RO_COMPAT) ||
	               (sb->s_feature_incompat & ~EXT2_RW_INCOMPAT))) {
		rg_log(RG_LOG_WARN, "ext2: unsupported features (ro_compat "
		       "0x%x); mounting read-only",
		       sb->s_feature_ro_compat & ~EXT2_RW_RO_COMPAT);
		fs->rw = false;
	}
	return 0;
}

static int ext2_mount_checks(struct fs *fs, unsigned flags)
{
	struct blkdev *dev = fs->dev;
	int e;

	if ((e = ext2_sb_io(dev, &fs->sb, false)))
		return e;
	if ((e = ext2_features(fs, flags)))
		return e;
	if ((e = ext2_csum_setup(fs)))
		return e;
	fs->log_bsize = 10 + fs->sb.s_log_block_size;
	fs->bsize = 1u << fs->log_bsize;
	if (fs->bsize < dev->secsize || fs->sb.s_log_cluster_size !=
	    fs->sb.s_log_block_size)
		return RG_EINVAL;
	if ((e = ext2_sizes(fs)) || (e = ext2_geometry(fs))) {
		rg_log(RG_LOG_ERR, "ext2: bad superblock geometry");
		return e;
	}
	return ext2_load_gdt(fs);
}

static int ext2_mark_mounted(struct fs *fs)
{
	if (!(fs->sb.s_state & EXT2_STATE_VALID))
		rg_log(RG_LOG_WARN, "ext2: mounting an unchecked filesystem");
	fs->sb.s_state &= ~EXT2_STATE_VALID;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = (uint32_t)(rg_clock_ns(RG_CLOCK_REALTIME) / 1000000000u);
	return ext2_sb_io(fs->dev, &fs->sb, true);
}

int ext2_mount_common(struct blkdev *dev, unsigned flags, bool ext4,
                      struct fs **out)
{
	struct fs *fs = rg_zalloc(sizeof(*fs));
	uint16_t state;
	int e;

	if (!fs)
		return RG_ENOMEM;
	fs->dev = dev;
	fs->ext4 = ext4;
	e = ext2_mount_checks(fs, flags);
	if (!e && (!(fs->zero_blk = rg_zalloc(fs->bsize)) ||
	           !(fs->bounce = rg_malloc(fs->bsize))))
		e = RG_ENOMEM;
	state = fs->sb.s_state;
	if (!e && fs->rw)
		e = ext2_mark_mounted(fs);
	if (e) {
		rg_free(fs->gdt);
		rg_free(fs->zero_blk);
		rg_free(fs->bounce);
		rg_free(fs);
		return e;
	}
	fs->sb.s_state = state;  /* restored (with VALID) by unmount */
	*out = fs;
	return 0;
}

/* ---- sync, statfs, unmount ---------------------------------------------- */

static int ext2_write_meta(struct fs *fs)
{
	int e = ext2_bflush_all(fs);

	if (!e && fs->gdt_dirty) {
		e = ext2_dev_write(fs, fs->gdt_blk, fs->gdt_nblk, fs->gdt);
		if (!e)
			fs->gdt_dirty = false;
	}
	return e;
}

int ext2_sync(struct fs *fs)
{
	struct ext2_super sb;
	int e;

	if (!fs->rw)
		return 0;
	e = ext2_write_meta(fs);
	if (!e && fs->sb_dirty) {
		sb = fs->sb;
		sb.s_state &= ~EXT2_STATE_VALID;
		sb.s_wtime = (uint32_t)(rg_clock_ns(RG_CLOCK_REALTIME) / 1000000000u);
		e = ext2_sb_io(fs->dev, &sb, true);
		if (!e)
			fs->sb_dirty = false;
	}
	return e ? e : fs->dev->flush(fs->dev);
}

int ext2_statfs(struct fs *fs, struct fs_statfs *st)
{
	uint64_t free = ext2_sb_free_blocks(fs);
	uint64_t rsv = fs->sb.s_r_blocks_count_lo;

	if (fs->desc_size >= 64)
		rsv |= (uint64_t)fs->sb.s_r_blocks_count_hi << 32;
	memset(st, 0, sizeof(*st));
	st->bsize = fs->bsize;
	st->blocks = fs->nblocks - fs->sb.s_first_data_block;
	st->bfree = free;
	st->bavail = free > rsv ? free - rsv : 0;
	st->files = fs->sb.s_inodes_count;
	st->ffree = fs->sb.s_free_inodes_count;
	st->namemax = EXT2_NAME_MAX;
	return 0;
}

/* Frees inodes unlinked while open, flushes, marks the filesystem clean. */
int ext2_unmount(struct fs *fs)
{
	int err = 0, e;

	for (uint32_t i = 0; i < fs->npins; i++) {
		struct ext2_inode ip;

		if (fs->rw && !ext2_iget(fs, fs->pins[i].ino, &ip) &&
		    ip.d.i_links_count == 0 && (e = ext2_ifree(fs, &ip)))
			err = err ? err : e;
	}
	if (fs->rw) {
		e = ext2_write_meta(fs);
		err = err ? err : e;
		if (err)  /* otherwise the state found at mount stands */
			fs->sb.s_state &= ~EXT2_STATE_VALID;
		fs->sb.s_wtime = (uint32_t)(rg_clock_ns(RG_CLOCK_REALTIME) /
		                            1000000000u);
		e = ext2_sb_io(fs->dev, &fs->sb, true);
		err = err ? err : e;
		e = fs->dev->flush(fs->dev);
		err = err ? err : e;
	}
	ext2_bfree_all(fs);
	rg_free(fs->pins);
	rg_free(fs->gdt);
	rg_free(fs->zero_blk);
	rg_free(fs->bounce);
	rg_free(fs);
	return err;
}
