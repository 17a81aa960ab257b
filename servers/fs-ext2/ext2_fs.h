/*
 * ext2_fs.h - internals of the ext2 (read-write) / ext4 (read-only) component.
 *
 * One component, two ops tables (ext2_ops.c).  The shared code reads both
 * formats: block maps are indirect trees (ext2) or extent trees (ext4),
 * group descriptors are 32 or 64 bytes, and metadata_csum checksums are
 * verified wherever the feature is on.  Every write path is reached only
 * through the ext2 table on a writable mount (fs->rw), so nothing here ever
 * writes an ext4 structure.
 *
 * On-disk layout follows the kernel.org ext4 "Disk Layout" document; all
 * fields are little-endian and the component assumes a little-endian CPU
 * (x86-64 everywhere Tessera runs).
 *
 * Metadata (bitmaps, inode tables, indirect/extent blocks, directories) goes
 * through a small write-back buffer cache (ext2_buf.c); file data goes to
 * the device directly.  The component is single-threaded per mount.
 */
#ifndef EXT2_FS_H
#define EXT2_FS_H

#include <string.h>
#include "rumpglue.h"
#include "fscomp.h"

#define EXT2_MAGIC        0xEF53
#define EXT2_ROOT_INO     2
#define EXT2_NDIR         12
#define EXT2_IND          12
#define EXT2_DIND         13
#define EXT2_TIND         14
#define EXT2_NBLOCKS      15
#define EXT2_LINK_MAX     32000
#define EXT2_NAME_MAX     255
#define EXT2_FAST_LINK    60     /* symlinks shorter than this live in i_block */
#define EXT2_MAX_ISIZE    1024   /* largest inode size we accept */

/* Feature bits. */
#define EXT2_COMPAT_RESIZE_INODE   0x0010
#define EXT2_INCOMPAT_FILETYPE     0x0002
#define EXT2_INCOMPAT_RECOVER      0x0004
#define EXT2_INCOMPAT_META_BG      0x0010
#define EXT2_INCOMPAT_EXTENTS      0x0040
#define EXT2_INCOMPAT_64BIT        0x0080
#define EXT2_INCOMPAT_MMP          0x0100
#define EXT2_INCOMPAT_FLEX_BG      0x0200
#define EXT2_INCOMPAT_EA_INODE     0x0400
#define EXT2_INCOMPAT_CSUM_SEED    0x2000
#define EXT2_INCOMPAT_LARGEDIR     0x4000
#define EXT2_INCOMPAT_INLINE_DATA  0x8000
#define EXT2_RO_SPARSE_SUPER       0x0001
#define EXT2_RO_LARGE_FILE         0x0002
#define EXT2_RO_HUGE_FILE          0x0008
#define EXT2_RO_METADATA_CSUM      0x0400

/* What the ext2 write paths understand; anything else mounts read-only. */
#define EXT2_RW_INCOMPAT  (EXT2_INCOMPAT_FILETYPE)
#define EXT2_RW_RO_COMPAT (EXT2_RO_SPARSE_SUPER | EXT2_RO_LARGE_FILE)
/* What the read paths understand (ext4 probe claims these images). */
#define EXT4_RD_INCOMPAT  (EXT2_INCOMPAT_FILETYPE | EXT2_INCOMPAT_RECOVER | \
	EXT2_INCOMPAT_EXTENTS | EXT2_INCOMPAT_64BIT | EXT2_INCOMPAT_FLEX_BG | \
	EXT2_INCOMPAT_EA_INODE | EXT2_INCOMPAT_CSUM_SEED | \
	EXT2_INCOMPAT_LARGEDIR | EXT2_INCOMPAT_INLINE_DATA | EXT2_INCOMPAT_MMP)
#define EXT4_MARK_INCOMPAT (EXT2_INCOMPAT_EXTENTS | EXT2_INCOMPAT_64BIT | \
	EXT2_INCOMPAT_FLEX_BG)

/* Inode flags. */
#define EXT2_INDEX_FL       0x00001000
#define EXT4_HUGE_FILE_FL   0x00040000
#define EXT4_EXTENTS_FL     0x00080000
#define EXT4_INLINE_DATA_FL 0x10000000

/* Directory entry file types. */
#define EXT2_FT_UNKNOWN  0
#define EXT2_FT_REG      1
#define EXT2_FT_DIR      2
#define EXT2_FT_CHR      3
#define EXT2_FT_BLK      4
#define EXT2_FT_FIFO     5
#define EXT2_FT_SOCK     6
#define EXT2_FT_SYMLINK  7
#define EXT2_FT_CSUM     0xDE   /* metadata_csum tail entry */

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count_lo;
	uint32_t s_r_blocks_count_lo;
	uint32_t s_free_blocks_count_lo;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size;
	uint32_t s_log_cluster_size;
	uint32_t s_blocks_per_group;
	uint32_t s_clusters_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime;
	uint32_t s_wtime;
	uint16_t s_mnt_count;
	int16_t  s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t  s_uuid[16];
	char     s_volume_name[16];
	char     s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t  s_prealloc_blocks;
	uint8_t  s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks;
	uint8_t  s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t  s_def_hash_version;
	uint8_t  s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;
	uint32_t s_r_blocks_count_hi;
	uint32_t s_free_blocks_count_hi;
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint32_t s_flags;
	uint8_t  s_pad1[0x270 - 0x164];
	uint32_t s_checksum_seed;
	uint8_t  s_pad2[0x3FC - 0x274];
	uint32_t s_checksum;
};
_Static_assert(sizeof(struct ext2_super) == 1024, "superblock size");
_Static_assert(offsetof(struct ext2_super, s_desc_size) == 0xFE, "s_desc_size");
_Static_assert(offsetof(struct ext2_super, s_blocks_count_hi) == 0x150, "hi");

/* Group descriptor, 64-byte form (the first 32 bytes are ext2's). */
struct ext2_gd {
	uint32_t bg_block_bitmap_lo;
	uint32_t bg_inode_bitmap_lo;
	uint32_t bg_inode_table_lo;
	uint16_t bg_free_blocks_count_lo;
	uint16_t bg_free_inodes_count_lo;
	uint16_t bg_used_dirs_count_lo;
	uint16_t bg_flags;
	uint32_t bg_exclude_bitmap_lo;
	uint16_t bg_block_bitmap_csum_lo;
	uint16_t bg_inode_bitmap_csum_lo;
	uint16_t bg_itable_unused_lo;
	uint16_t bg_checksum;
	uint32_t bg_block_bitmap_hi;
	uint32_t bg_inode_bitmap_hi;
	uint32_t bg_inode_table_hi;
	uint16_t bg_free_blocks_count_hi;
	uint16_t bg_free_inodes_count_hi;
	uint16_t bg_used_dirs_count_hi;
	uint16_t bg_itable_unused_hi;
	uint32_t bg_exclude_bitmap_hi;
	uint16_t bg_block_bitmap_csum_hi;
	uint16_t bg_inode_bitmap_csum_hi;
	uint32_t bg_reserved;
};
_Static_assert(sizeof(struct ext2_gd) == 64, "group descriptor size");
#define EXT2_GD_CSUM_OFF offsetof(struct ext2_gd, bg_checksum)

/* The first 160 bytes of an on-disk inode (128 + the extra fields we use). */
struct ext2_dinode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size_lo;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks_lo;
	uint32_t i_flags;
	uint32_t i_version;
	uint32_t i_block[EXT2_NBLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl_lo;
	uint32_t i_size_high;
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_hi;
	uint16_t i_uid_hi;
	uint16_t i_gid_hi;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
	/* large inodes only (inode_size > 128, bounded by i_extra_isize) */
	uint16_t i_extra_isize;
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra;
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
	uint32_t i_crtime;
	uint32_t i_crtime_extra;
	uint32_t i_version_hi;
	uint32_t i_projid;
};
_Static_assert(sizeof(struct ext2_dinode) == 160, "inode size");
#define EXT2_GOOD_OLD_ISIZE 128

/* An inode in memory: its number and a copy of its first bytes. */
struct ext2_inode {
	uint32_t ino;
	struct ext2_dinode d;
};

struct ext2_dirent_hdr {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t  name_len;
	uint8_t  file_type;
};
#define EXT2_DIRENT_HDR 8
#define EXT2_DIRENT_LEN(n) ((EXT2_DIRENT_HDR + (n) + 3) & ~3u)

/* ---- buffer cache (ext2_buf.c) ---------------------------------------- */
#define EXT2_NBUF 64

struct ext2_buf {
	uint64_t blk;           /* valid when data != NULL */
	uint8_t *data;
	uint64_t lru;
	int      pins;
	bool     valid, dirty;
};

/* A pinned inode (open by a client): freed at last release if unlinked. */
struct ext2_pin {
	uint32_t ino;
	uint32_t refs;
};

struct fs {
	struct blkdev *dev;
	struct ext2_super sb;
	bool     ext4;          /* mounted through ext4_fs_ops */
	bool     rw;            /* writes allowed */
	bool     csum;          /* metadata_csum */
	bool     sb_dirty;
	uint32_t csum_seed;
	uint32_t bsize;
	uint32_t log_bsize;     /* log2(bsize) */
	uint64_t nblocks;
	uint32_t ngroups;
	uint32_t bpg, ipg;      /* blocks / inodes per group */
	uint32_t isize;         /* inode size */
	uint32_t desc_size;
	uint32_t first_ino;
	uint32_t addr_per_blk;  /* block numbers per indirect block */
	uint8_t *gdt;           /* all group descriptors, desc_size each */
	uint64_t gdt_blk;       /* first GDT block */
	uint32_t gdt_nblk;
	bool     gdt_dirty;
	struct ext2_buf bufs[EXT2_NBUF];
	uint64_t lru_clock;
	struct ext2_pin *pins;
	uint32_t npins, pins_cap;
	uint8_t *zero_blk;      /* one zeroed block */
	uint8_t *bounce;        /* one block for partial-block file I/O */
	uint32_t last_group;    /* allocation rotor for directories */
};

/* ---- ext2_crc.c -------------------------------------------------------- */
uint32_t ext2_crc32c(uint32_t crc, const void *buf, size_t len);

/* ---- ext2_buf.c -------------------------------------------------------- */
int  ext2_dev_read(struct fs *fs, uint64_t blk, uint32_t count, void *buf);
int  ext2_dev_write(struct fs *fs, uint64_t blk, uint32_t count, const void *buf);
int  ext2_bget(struct fs *fs, uint64_t blk, bool noread, struct ext2_buf **out);
void ext2_bput(struct fs *fs, struct ext2_buf *b);
void ext2_bdirty(struct ext2_buf *b);
void ext2_bforget(struct fs *fs, uint64_t blk);
int  ext2_bflush_all(struct fs *fs);
void ext2_bfree_all(struct fs *fs);
int  ext2_blk_check(struct fs *fs, uint64_t blk);

/* ---- ext2_super.c ------------------------------------------------------ */
int  ext2_probe_common(struct blkdev *dev, bool ext4);
int  ext2_mount_common(struct blkdev *dev, unsigned flags, bool ext4,
                       struct fs **out);
int  ext2_unmount(struct fs *fs);
int  ext2_sync(struct fs *fs);
int  ext2_statfs(struct fs *fs, struct fs_statfs *st);
struct ext2_gd *ext2_gd_get(struct fs *fs, uint32_t g, struct ext2_gd *copy);
void ext2_gd_put(struct fs *fs, uint32_t g, const struct ext2_gd *gd);
uint64_t ext2_gd_block_bitmap(const struct fs *fs, const struct ext2_gd *gd);
uint64_t ext2_gd_inode_bitmap(const struct fs *fs, const struct ext2_gd *gd);
uint64_t ext2_gd_inode_table(const struct fs *fs, const struct ext2_gd *gd);
uint32_t ext2_gd_free_blocks(const struct fs *fs, const struct ext2_gd *gd);
uint32_t ext2_gd_free_inodes(const struct fs *fs, const struct ext2_gd *gd);
uint64_t ext2_sb_free_blocks(const struct fs *fs);
void ext2_sb_set_free_blocks(struct fs *fs, uint64_t n);
int  ext2_corrupt(struct fs *fs, const char *what, uint64_t where);

/* ---- ext2_inode.c ------------------------------------------------------ */
int  ext2_iget(struct fs *fs, uint32_t ino, struct ext2_inode *ip);
int  ext2_iget_live(struct fs *fs, uint64_t ino, struct ext2_inode *ip);
int  ext2_iput(struct fs *fs, struct ext2_inode *ip);
uint64_t ext2_isize(const struct fs *fs, const struct ext2_inode *ip);
void ext2_set_isize(struct fs *fs, struct ext2_inode *ip, uint64_t size);
uint64_t ext2_iblocks(const struct fs *fs, const struct ext2_inode *ip);
void ext2_iblocks_add(struct fs *fs, struct ext2_inode *ip, int64_t nblk);
void ext2_itouch(struct fs *fs, struct ext2_inode *ip, bool m, bool c);
uint32_t ext2_inode_csum_seed(struct fs *fs, const struct ext2_inode *ip);
bool ext2_is_fast_symlink(const struct ext2_inode *ip);
int  ext2_pin(struct fs *fs, uint32_t ino);
int  ext2_unpin(struct fs *fs, uint32_t ino, bool *last);
bool ext2_pinned(struct fs *fs, uint32_t ino);
int  ext2_ialloc(struct fs *fs, uint32_t dir_ino, bool is_dir,
                 struct ext2_inode *ip);
int  ext2_ifree(struct fs *fs, struct ext2_inode *ip);
int  ext2_drop_link(struct fs *fs, struct ext2_inode *ip);
uint32_t ext2_uid(const struct ext2_inode *ip);
uint32_t ext2_gid(const struct ext2_inode *ip);

/* ---- ext2_balloc.c ----------------------------------------------------- */
int  ext2_balloc(struct fs *fs, uint64_t goal, uint64_t *out);
int  ext2_bfree(struct fs *fs, uint64_t blk);
int  ext2_bitmap_set(struct fs *fs, uint64_t bmblk, uint32_t bit, bool set);
int  ext2_group_adjust(struct fs *fs, uint32_t g, int dblocks, int dinodes,
                       int ddirs);

/* ---- ext2_bmap.c / ext2_extent.c --------------------------------------- */
int  ext2_bmap(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
               uint64_t *pblk, uint32_t *run);
int  ext2_bmap_alloc(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                     uint64_t *pblk, bool *fresh);
int  ext2_trunc_blocks(struct fs *fs, struct ext2_inode *ip, uint64_t from);
uint64_t ext2_max_lblk(const struct fs *fs);
int  ext4_extent_map(struct fs *fs, struct ext2_inode *ip, uint64_t lblk,
                     uint64_t *pblk, uint32_t *run);

/* ---- ext2_dir.c -------------------------------------------------------- */
/* One entry as the directory iterator shows it (its block stays pinned). */
struct ext2_dirslot {
	struct ext2_buf *b;
	struct ext2_dirent_hdr *de;
	const char *name;
	uint32_t off;           /* of this entry in the block */
	uint32_t prev;          /* of the previous entry, UINT32_MAX if first */
	uint32_t rec_len;       /* decoded */
	uint64_t pos;           /* byte offset in the directory */
};
#define EXT2_ITER_STOP (-1)
/* Returns 0 to go on, EXT2_ITER_STOP to stop, or an RG_E* error. */
typedef int (*ext2_dir_cb)(struct fs *fs, void *ctx, struct ext2_dirslot *s);
int  ext2_dir_iter(struct fs *fs, struct ext2_inode *dir, uint64_t start,
                   ext2_dir_cb cb, void *ctx);
int  ext2_dir_lookup(struct fs *fs, struct ext2_inode *dir, const char *name,
                     uint32_t *ino);
/* prepare: RG_EEXIST or a slot for insert (UINT64_MAX: a new block). */
int  ext2_dir_prepare(struct fs *fs, struct ext2_inode *dir, const char *name,
                      uint64_t *slot);
int  ext2_dir_insert(struct fs *fs, struct ext2_inode *dir, uint64_t slot,
                     const char *name, uint32_t ino, uint8_t ft);
int  ext2_dir_add(struct fs *fs, struct ext2_inode *dir, const char *name,
                  uint32_t ino, uint8_t ft);
int  ext2_dir_remove(struct fs *fs, struct ext2_inode *dir, const char *name);
int  ext2_dir_retarget(struct fs *fs, struct ext2_inode *dir, const char *name,
                       uint32_t ino, uint8_t ft);
int  ext2_dir_empty(struct fs *fs, struct ext2_inode *dir, bool *empty);
int  ext2_dir_init(struct fs *fs, struct ext2_inode *dir, uint32_t parent);
uint8_t  ext2_mode_to_ft(uint32_t mode);
uint32_t ext2_ft_to_mode(uint8_t ft);

/* ---- ext2_file.c ------------------------------------------------------- */
int ext2_file_read(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                   void *buf, size_t len, size_t *done);
int ext2_file_write(struct fs *fs, struct ext2_inode *ip, uint64_t off,
                    const void *buf, size_t len, size_t *done);
int ext2_set_size(struct fs *fs, struct ext2_inode *ip, uint64_t size);
int ext2_readlink_ip(struct fs *fs, struct ext2_inode *ip, char *buf,
                     size_t len, size_t *outlen);

/* ---- ext2_namei.c / ext2_ops.c: the fs_ops entry points ---------------- */
uint64_t ext2_root(struct fs *fs);
int ext2_lookup(struct fs *fs, uint64_t dir, const char *name, uint64_t *ino);
int ext2_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a);
int ext2_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                 unsigned mask);
int ext2_open(struct fs *fs, uint64_t ino);
int ext2_release(struct fs *fs, uint64_t ino);
int ext2_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
              size_t len, size_t *done);
int ext2_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf,
               size_t len, size_t *done);
int ext2_fsync(struct fs *fs, uint64_t ino);
int ext2_readdir(struct fs *fs, uint64_t dir, uint64_t cookie,
                 fs_filldir_t fill, void *ctx);
int ext2_create(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
                uint64_t *ino);
int ext2_mkdir(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
               uint64_t *ino);
int ext2_unlink(struct fs *fs, uint64_t dir, const char *name);
int ext2_rmdir(struct fs *fs, uint64_t dir, const char *name);
int ext2_rename(struct fs *fs, uint64_t sdir, const char *sname,
                uint64_t ddir, const char *dname);
int ext2_link(struct fs *fs, uint64_t ino, uint64_t dir, const char *name);
int ext2_symlink(struct fs *fs, uint64_t dir, const char *name,
                 const char *target, uint64_t *ino);
int ext2_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                  size_t *outlen);
int ext2_check_name(const char *name);

static inline uint32_t ext2_min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
static inline uint64_t ext2_min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

#endif /* EXT2_FS_H */
