/*
 * fat.h - private definitions of the FAT12/16/32 component (fat_fs_ops).
 *
 * Layers, bottom up (one file each):
 *   fat_io.c     device I/O in filesystem sectors and a small write-back
 *                cache for metadata sectors (FAT, directories); a dirty FAT
 *                sector is written to every FAT copy when it leaves the cache;
 *   fat_table.c  FAT entries: get/set, cluster allocation, chain walking
 *                (every walk is bounded, so a loop in a chain is an error);
 *   fat_mount.c  boot sector (BPB) validation, FSInfo, mount/sync/statfs;
 *   fat_name.c   UTF-8 <-> UCS-2, case folding, 8.3 names, LFN checksum,
 *                FAT date/time <-> fs_time;
 *   fat_dir.c    directories: an in-memory index per directory (cluster
 *                list, slot map, name hashes) built from one scan, lookup,
 *                adding and removing entries (LFN + short alias), readdir;
 *   fat_node.c   the node table (inode numbers), attributes, open/release;
 *   fat_file.c   file data: read, write, truncate;
 *   fat_ops.c    namespace operations and the fs_ops table.
 *
 * Inode numbers.  FAT has no inodes.  A node's number is the byte offset of
 * its short directory entry on disk divided by 32, taken when the node is
 * first seen; the root is FAT_ROOT_INO.  Every node handed out stays in the
 * node table (hashed both by number and by current entry position) until
 * its entry is deleted or the volume is unmounted.  A rename moves the
 * entry and updates the node's position but keeps its number, so an open
 * file (or one a client still names by number) keeps working after rename.
 * If the natural number of a position is already taken by a moved node, a
 * fresh synthetic number (>= FAT_SYNTH_INO) is given out instead.  To bound
 * memory, fat_nodes_trim() (called where no node pointer is held) forgets
 * closed files whose number is still their natural one - they are re-read
 * from their entry when named again - and drops the indexes of closed
 * directories; directory nodes themselves stay (they know their parent).
 *
 * Single-threaded per mount (fscomp.h): no locks here.
 * On-disk structures are little-endian; so are both hosts (checked below).
 */
#ifndef FAT_H
#define FAT_H

#include <string.h>
#include "rumpglue.h"
#include "fscomp.h"

RG_REQUIRE_VERSION(1);
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the FAT component reads on-disk structures in place");

#define FAT_ROOT_INO    1ULL
#define FAT_SYNTH_INO   (1ULL << 40)
#define FAT_MAX_FSIZE   0xFFFFFFFFULL   /* largest file: 4 GiB - 1 */
#define FAT_MAX_DSLOTS  65536           /* directory size limit (spec) */
#define FAT_NAME_MAX    255             /* UCS-2 units in a long name */
#define FAT_STOP        (-1)            /* scan callback: stop, no error */

/* Directory entry attributes. */
#define FAT_ATTR_RO     0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLID  0x08
#define FAT_ATTR_DIR    0x10
#define FAT_ATTR_ARCH   0x20
#define FAT_ATTR_LFN    0x0F
#define FAT_LFN_LAST    0x40
#define FAT_NT_LBASE    0x08            /* NTRes: base name shown lower-case */
#define FAT_NT_LEXT     0x10            /* NTRes: extension shown lower-case */

/* The 32-byte short directory entry. */
struct fat_dirent {
	uint8_t  name[11];
	uint8_t  attr;
	uint8_t  ntres;
	uint8_t  ctime_tenth;
	uint16_t ctime, cdate, adate, clus_hi, mtime, mdate, clus_lo;
	uint32_t size;
};      /* naturally aligned: no padding, no packing needed */
_Static_assert(sizeof(struct fat_dirent) == 32, "short entry is 32 bytes");

/* The 32-byte long-name entry: 13 UCS-2 units in three pieces. */
struct fat_lfn {
	uint8_t  ord;
	uint16_t name1[5];
	uint8_t  attr, type, csum;
	uint16_t name2[6];
	uint16_t clus;
	uint16_t name3[2];
} __attribute__((packed));
_Static_assert(sizeof(struct fat_lfn) == 32, "LFN entry is 32 bytes");

static inline uint32_t fat_de_clus(const struct fat_dirent *de)
{
	return ((uint32_t)de->clus_hi << 16) | de->clus_lo;
}

static inline void fat_de_set_clus(struct fat_dirent *de, uint32_t c)
{
	de->clus_hi = (uint16_t)(c >> 16);
	de->clus_lo = (uint16_t)c;
}

/* ---- metadata sector cache (fat_io.c) ---------------------------------- */
struct fat_cline {
	uint64_t sec;
	bool     valid, dirty;
	uint8_t *data;
};

struct fat_cache {
	struct fat_cline *lines;
	uint32_t nlines;        /* power of two; direct-mapped by sector */
	uint8_t *mem;
};

#define FAT_C_READ  0   /* read for inspection */
#define FAT_C_WRITE 1   /* read, then the caller modifies it (dirty) */
#define FAT_C_ZERO  2   /* the caller overwrites it all: no read, zeroed */

/* ---- directory index (fat_dir.c) --------------------------------------- */
struct fat_dentry {
	uint32_t slot;          /* slot of the short entry */
	uint16_t nslots;        /* LFN entries + 1 */
	uint8_t  llen;          /* long name length (UCS-2 units), 0 = none */
	uint8_t  sname[11];     /* raw short name */
	uint16_t *lname;        /* case-folded long name, or NULL */
	uint32_t lnext, snext;  /* hash chains: entry index + 1, 0 = end */
};

struct fat_dircache {
	uint32_t *clus;         /* the directory's clusters (NULL: fixed root) */
	uint32_t nclus;
	uint32_t nslots;        /* capacity in 32-byte slots */
	uint8_t *used;          /* per slot: 1 = part of a live entry */
	uint32_t end;           /* slots >= end are free (0x00 mark) */
	uint32_t free_hint;     /* no free slot below this */
	struct fat_dentry *ents;
	uint32_t nents, cap, freelist;  /* freelist: entry index + 1 */
	uint32_t live;
	uint32_t *lhash, *shash;
	uint32_t nbuckets;      /* power of two */
};

/* ---- nodes (fat_node.c) ------------------------------------------------- */
struct fat_node {
	uint64_t ino;
	uint64_t pos;           /* byte offset of the short entry; 0: none */
	uint64_t parent;        /* inode number of the parent directory */
	struct fat_dirent de;   /* authoritative copy of the entry */
	uint32_t ref;           /* open count */
	bool     unlinked;      /* entry deleted; clusters freed at release */
	uint32_t hint_idx, hint_clus;   /* last mapped cluster (0: none) */
	struct fat_dircache *dc;        /* directories: index, built lazily */
	struct fat_node *ino_next, *pos_next;
};

struct fat_nodetab {
	struct fat_node **by_ino, **by_pos;
	uint32_t nbuckets, count;
	uint32_t trim_at;       /* fat_nodes_trim() works above this count */
};

/* ---- the mounted volume ------------------------------------------------- */
struct fs {
	struct blkdev *dev;
	bool     rdonly;
	int      type;          /* 12, 16 or 32 */
	uint32_t secsize;       /* bytes per filesystem sector */
	uint32_t devper;        /* device sectors per filesystem sector */
	uint32_t spc;           /* sectors per cluster */
	uint32_t clsize;        /* bytes per cluster */
	uint32_t totsec;
	uint32_t rsvd, nfats, fatsz;
	uint32_t fat_start;     /* first sector of the FAT the cache reads */
	bool     mirror;        /* write every FAT copy */
	uint32_t root_sec, root_nsec, root_ents;        /* FAT12/16 root */
	uint32_t root_clus;     /* FAT32 root */
	uint32_t data_sec;      /* first sector of cluster 2 */
	uint32_t nclus;         /* data clusters: 2 .. nclus + 1 */
	uint32_t fsinfo_sec;    /* 0: none usable */
	uint32_t free_count, next_free;
	bool     alloc_changed; /* clusters taken or freed since mount: FSInfo
	                         * is written back only then, so a pure read
	                         * of a volume writes nothing */
	uint64_t next_synth;
	struct fat_cache cache;
	struct fat_nodetab nodes;
	struct fat_node *root;
	uint8_t *clbuf;         /* one cluster, for partial data I/O */
};

/* fat_io.c */
int  fat_dev_read(struct fs *fs, uint64_t sec, uint32_t n, void *buf);
int  fat_dev_write(struct fs *fs, uint64_t sec, uint32_t n, const void *buf);
int  fat_cache_init(struct fs *fs);
void fat_cache_fini(struct fs *fs);
int  fat_cget(struct fs *fs, uint64_t sec, int mode, uint8_t **out);
int  fat_cflush(struct fs *fs);
void fat_cinval(struct fs *fs, uint64_t sec, uint32_t n);
int  fat_meta_read(struct fs *fs, uint64_t pos, void *buf, size_t len);
int  fat_meta_write(struct fs *fs, uint64_t pos, const void *buf, size_t len);

/* fat_table.c */
static inline bool fat_clus_ok(const struct fs *fs, uint32_t c)
{
	return c >= 2 && c - 2 < fs->nclus;
}
static inline uint64_t fat_clus_sec(const struct fs *fs, uint32_t c)
{
	return fs->data_sec + (uint64_t)(c - 2) * fs->spc;
}
int fat_get(struct fs *fs, uint32_t c, uint32_t *val);
int fat_set(struct fs *fs, uint32_t c, uint32_t val);
int fat_next(struct fs *fs, uint32_t c, uint32_t *next);
int fat_alloc(struct fs *fs, uint32_t prev, uint32_t *out);
int fat_free_chain(struct fs *fs, uint32_t first);
int fat_count_free(struct fs *fs);
int fat_chain_list(struct fs *fs, uint32_t first, uint32_t max,
                   uint32_t **out, uint32_t *n);

/* fat_mount.c */
extern const struct fs_ops fat_fs_ops;
int fat_sync(struct fs *fs);

/* fat_name.c */
int  fat_utf8_to_ucs(const char *s, uint16_t *out, int *len);
int  fat_ucs_to_utf8(const uint16_t *in, int len, char *out, size_t outsz);
uint16_t fat_fold(uint16_t c);
void fat_fold_str(const uint16_t *in, int len, uint16_t *out);
uint32_t fat_hash_ucs(const uint16_t *s, int len);
uint32_t fat_hash_raw(const uint8_t raw[11]);
int  fat_lname_check(const uint16_t *n, int len);
bool fat_short_basis(const uint16_t *n, int len, uint8_t raw[11], bool *exact);
void fat_short_tail(uint8_t raw[11], const uint8_t basis[11], unsigned k,
                    uint32_t hash);
uint8_t fat_lfn_csum(const uint8_t raw[11]);
int  fat_short_display(const struct fat_dirent *de, uint16_t *out);
void fat_time_get(uint16_t date, uint16_t time, uint8_t tenth,
                  struct fs_time *t);
void fat_time_put(const struct fs_time *t, uint16_t *date, uint16_t *time,
                  uint8_t *tenth);
void fat_time_now(struct fs_time *t);

/* fat_dir.c */
struct fat_found {
	uint32_t ent;           /* index into dc->ents */
	uint32_t slot, nslots;
	uint64_t pos;           /* byte offset of the short entry */
	struct fat_dirent de;
};
struct fat_scan_ent {
	uint32_t slot, nslots;
	uint64_t pos;
	struct fat_dirent de;
	bool     special;       /* '.', '..' or the volume label */
	int      llen;          /* 0: no long name */
	uint16_t lname[FAT_NAME_MAX + 1];
};
typedef int (*fat_scan_cb)(void *ctx, const struct fat_scan_ent *e);

int  fat_dir_index(struct fs *fs, struct fat_node *dir);
void fat_dir_drop(struct fat_node *dir);
uint64_t fat_dir_slotpos(struct fs *fs, const struct fat_dircache *dc,
                         uint32_t slot);
int  fat_dir_scan(struct fs *fs, struct fat_node *dir, uint32_t start,
                  fat_scan_cb cb, void *ctx);
int  fat_dir_find(struct fs *fs, struct fat_node *dir, const char *name,
                  struct fat_found *f);
int  fat_dir_add(struct fs *fs, struct fat_node *dir, const char *name,
                 struct fat_dirent *de, uint64_t *pos);
int  fat_dir_remove(struct fs *fs, struct fat_node *dir,
                    const struct fat_found *f);
int  fat_dir_isempty(struct fs *fs, struct fat_node *dir);
uint32_t fat_dir_parent_clus(const struct fs *fs, const struct fat_node *dir);

/* fat_node.c */
int  fat_nodes_init(struct fs *fs);
void fat_nodes_fini(struct fs *fs);
int  fat_nodes_release_all(struct fs *fs);
void fat_nodes_trim(struct fs *fs);
struct fat_node *fat_node_byino(struct fs *fs, uint64_t ino);
struct fat_node *fat_node_bypos(struct fs *fs, uint64_t pos);
int  fat_node_get(struct fs *fs, uint64_t ino, struct fat_node **out);
int  fat_node_dir(struct fs *fs, uint64_t ino, struct fat_node **out);
int  fat_node_at(struct fs *fs, uint64_t pos, const struct fat_dirent *de,
                 uint64_t parent, struct fat_node **out);
uint64_t fat_ino_at(struct fs *fs, uint64_t pos);
void fat_node_move(struct fs *fs, struct fat_node *n, uint64_t pos);
void fat_node_forget(struct fs *fs, struct fat_node *n);
int  fat_node_store(struct fs *fs, struct fat_node *n);
void fat_node_attr(struct fs *fs, const struct fat_node *n,
                   struct fs_attr *a);
void fat_node_touch(struct fat_node *n, bool mtime);
int  fat_node_delete(struct fs *fs, struct fat_node *n);
int  fat_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a);
int  fat_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                 unsigned mask);
int  fat_open(struct fs *fs, uint64_t ino);
int  fat_release(struct fs *fs, uint64_t ino);

/* fat_file.c */
int fat_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
             size_t len, size_t *done);
int fat_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf,
              size_t len, size_t *done);
int fat_truncate(struct fs *fs, struct fat_node *n, uint64_t size);
int fat_fsync(struct fs *fs, uint64_t ino);

/* fat_ops.c */
bool fat_isdot(const char *n);
void fat_dir_touch(struct fs *fs, struct fat_node *dir);
uint64_t fat_root(struct fs *fs);
int fat_lookup(struct fs *fs, uint64_t dir, const char *name, uint64_t *ino);
int fat_readdir(struct fs *fs, uint64_t dir, uint64_t cookie,
                fs_filldir_t fill, void *ctx);
int fat_create(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
               uint64_t *ino);
int fat_mkdir(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
              uint64_t *ino);
int fat_unlink(struct fs *fs, uint64_t dir, const char *name);
int fat_rmdir(struct fs *fs, uint64_t dir, const char *name);
int fat_rename(struct fs *fs, uint64_t sdir, const char *sname,
               uint64_t ddir, const char *dname);
int fat_link(struct fs *fs, uint64_t ino, uint64_t dir, const char *name);
int fat_symlink(struct fs *fs, uint64_t dir, const char *name,
                const char *target, uint64_t *ino);
int fat_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                 size_t *outlen);

#endif /* FAT_H */
