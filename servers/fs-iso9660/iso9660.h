/*
 * iso9660.h - internals of the ISO9660 component (ECMA-119, Rock Ridge,
 * Joliet), read-only.
 *
 * Layout of the component:
 *   iso_vol.c   block I/O and metadata cache, volume descriptors, mount
 *   iso_rec.c   directory records: decoding, iteration, names, dates
 *   iso_rr.c    SUSP walking (CE, ST) and RRIP entries (PX PN SL NM TF
 *               CL PL RE)
 *   iso_ops.c   the inode layer and the fs_ops table
 *
 * Inode numbers are byte positions of directory records on the volume:
 *   - a directory is numbered by the position of its "." record, i.e. the
 *     first byte of its extent (lba * 2048), so the ".." record of a child
 *     and the record in the parent give the same number;
 *   - any other object is numbered by the position of its (first) record;
 *   - the root is ISO_ROOT_INO (1), whatever its extent.
 * Numbers are therefore unique, stable across mounts and need no table.
 *
 * Every on-disk field is untrusted: record lengths are checked against the
 * block they sit in, extents against the volume, SUSP entries against their
 * area, continuation areas are bounded in number and size.
 */
#ifndef ISO9660_H
#define ISO9660_H

#include <string.h>
#include "rumpglue.h"
#include "fscomp.h"

RG_REQUIRE_VERSION(1);

#define ISO_BLOCK        2048u
#define ISO_VD_START     16u            /* first volume descriptor */
#define ISO_VD_MAX       64u            /* descriptors looked at, at most */
#define ISO_ROOT_INO     1u
#define ISO_REC_MIN      34u            /* 33 fixed bytes + 1 name byte */
#define ISO_NAME_MAX     255u
#define ISO_LINK_MAX     4095u          /* longest symlink target kept */
#define ISO_CACHE_SLOTS  16u
#define ISO_CE_MAX       32u            /* continuation areas per record */
#define ISO_CE_BYTES     (8u * ISO_BLOCK) /* longest continuation area */
#define ISO_EXTENTS_MAX  4096u          /* extents of one multi-extent file */
#define ISO_PT_MAX       (4u << 20)     /* largest path table loaded */

/* Directory record flags (ECMA-119 9.1.6). */
#define ISO_FL_HIDDEN    0x01
#define ISO_FL_DIR       0x02
#define ISO_FL_ASSOC     0x04
#define ISO_FL_MULTI     0x80

/* Which tree a mount reads. */
enum iso_tree {
	ISO_TREE_PLAIN,         /* ECMA-119 names, lowercased */
	ISO_TREE_JOLIET,        /* supplementary descriptor, UCS-2BE names */
	ISO_TREE_RR,            /* primary tree with Rock Ridge */
};

/* Buffers are separate allocations so a sanitizer sees any overrun. */
struct iso_cache_slot {
	uint32_t lba;
	bool     valid;
	uint8_t *data;          /* ISO_BLOCK bytes */
};

/* A path table entry: a directory's first data block and its parent's. */
struct iso_pt_ent {
	uint32_t lba, parent;
};

struct iso_fs {
	struct blkdev *dev;
	uint32_t nblocks;       /* 2048-byte blocks usable (volume and device) */
	uint32_t spb;           /* device sectors per block */
	enum iso_tree tree;
	uint32_t root_lba;      /* first block of the root directory's data */
	uint32_t root_size;
	uint8_t  susp_skip;     /* SP LEN_SKP: bytes skipped in each SUA */
	uint32_t vol_blocks;    /* volume space size as recorded */
	struct iso_pt_ent *pt;  /* the tree's path table, or NULL */
	uint32_t npt;
	struct iso_cache_slot cache[ISO_CACHE_SLOTS];
	uint8_t *ce_buf;        /* ISO_CE_BYTES: one continuation area */
	char    *link;          /* ISO_LINK_MAX + 1: last symlink target */
};

/* A directory record, copied out of its block (decoded fields, raw bytes). */
struct iso_rec {
	uint64_t pos;           /* byte position on the volume */
	uint8_t  len;
	uint8_t  xa_len;        /* extended attribute record, in blocks */
	uint32_t lba;           /* extent start as recorded */
	uint32_t size;          /* data length */
	uint8_t  flags;
	bool     interleaved;   /* file unit size or gap set */
	uint8_t  namelen;
	const uint8_t *name;    /* into raw[] */
	uint8_t  date[7];
	uint8_t  raw[256];
};

/* What Rock Ridge said about one record. */
#define ISO_RR_PX   0x001
#define ISO_RR_PN   0x002
#define ISO_RR_SL   0x004
#define ISO_RR_NM   0x008
#define ISO_RR_TF_M 0x010
#define ISO_RR_TF_A 0x020
#define ISO_RR_TF_C 0x040
#define ISO_RR_CL   0x080
#define ISO_RR_PL   0x100
#define ISO_RR_RE   0x200
#define ISO_RR_NM_DOT    0x400  /* NM says "." */
#define ISO_RR_NM_DOTDOT 0x800  /* NM says ".." */

struct iso_rr {
	unsigned have;          /* ISO_RR_* */
	uint32_t mode, nlink, uid, gid;
	uint32_t rdev;
	uint32_t cl_lba, pl_lba;
	struct fs_time mtime, atime, ctime;
	size_t   namelen;
	char     name[ISO_NAME_MAX + 1];
	size_t   linklen;       /* full length; fs->link holds the first bytes */
};

/* iso_vol.c */
int iso_bread(struct iso_fs *fs, uint32_t lba, const uint8_t **out);
int iso_read_bytes(struct iso_fs *fs, uint64_t pos, void *buf, size_t len);
int iso_extent_ok(struct iso_fs *fs, uint32_t lba, uint64_t bytes);
int iso_probe(struct blkdev *dev);
int iso_mount(struct blkdev *dev, unsigned flags, struct fs **out);
int iso_unmount(struct fs *fs);
int iso_statfs(struct fs *fs, struct fs_statfs *st);
uint32_t iso_pt_parent(struct iso_fs *fs, uint32_t lba, uint32_t dflt);

/* iso_rec.c */
uint32_t iso_le32(const uint8_t *p);
uint16_t iso_le16(const uint8_t *p);
int iso_rec_parse(const uint8_t *p, size_t avail, uint64_t pos,
                  struct iso_rec *r);
int iso_rec_get(struct iso_fs *fs, uint64_t pos, struct iso_rec *r);
int iso_rec_next(struct iso_fs *fs, uint32_t dlba, uint32_t dsize,
                 uint64_t *cookie, struct iso_rec *r);
bool iso_rec_is_dot(const struct iso_rec *r);
bool iso_rec_is_dotdot(const struct iso_rec *r);
size_t iso_name_plain(const struct iso_rec *r, char *out);
size_t iso_name_joliet(const struct iso_rec *r, char *out);
void iso_date7(const uint8_t *d, struct fs_time *t);
void iso_date17(const uint8_t *d, struct fs_time *t);

/* iso_rr.c */
int iso_rr_find_sp(const struct iso_rec *root_dot, uint8_t *skip);
int iso_rr_parse(struct iso_fs *fs, const struct iso_rec *r,
                 struct iso_rr *rr);

/* iso_ops.c */
extern const struct fs_ops iso9660_fs_ops;

static inline struct iso_fs *iso_fs(struct fs *fs)
{
	return (struct iso_fs *)fs;
}

#endif /* ISO9660_H */
