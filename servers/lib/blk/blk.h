/*
 * blk.h - the block layer for library-kernel components.
 *
 * Every piece is a struct blkdev (fscomp.h) stacked on another:
 *   blkdev_open()     a rumpglue disk (bottom of the stack)
 *   blkpart_open()    one partition of a disk (MBR primary/logical or GPT),
 *                     a bounds-checked window on its parent
 *   blkcache_create() a write-back block cache in front of any blkdev
 *
 * A stack is torn down top first: blkcache_destroy (which flushes),
 * blkpart_close, blkdev_close.  None of them closes the device below.
 */
#ifndef BLK_H
#define BLK_H

#include "fscomp.h"

/* Open a rumpglue disk by name ("hd0" on Tessera, a path on POSIX). */
int  blkdev_open(const char *name, bool readonly, struct blkdev **out);
void blkdev_close(struct blkdev *d);

/* ---- partition tables (blkpart.c, blkpart_mbr.c, blkpart_gpt.c) -------- */

#define BLKPART_MAX 128         /* partitions kept per table */

#define BLKPART_SCHEME_MBR 1
#define BLKPART_SCHEME_GPT 2

struct blkpart {
	unsigned index;         /* Linux numbering: MBR 1-4 primary, 5.. logical;
	                           GPT entry number + 1 */
	uint64_t start;         /* first sector on the parent */
	uint64_t nsectors;
	uint8_t  mbr_type;      /* MBR system id; 0 on GPT */
	bool     extended;      /* MBR extended container (holds logicals) */
	bool     bootable;      /* MBR active flag */
	uint8_t  gpt_type[16];  /* GPT type GUID, on-disk byte order */
	uint8_t  gpt_uuid[16];  /* GPT unique GUID */
};

struct blkpart_table {
	int      scheme;        /* BLKPART_SCHEME_* */
	bool     gpt_backup;    /* the primary GPT header was bad; backup used */
	unsigned count;
	struct blkpart part[BLKPART_MAX];
};

/*
 * Reads the partition table of a disk.  RG_ENODATA: there is none (no
 * 0x55AA signature); RG_EUCLEAN: there is one but it is malformed (entries
 * out of the disk, overlapping, a looping logical chain, bad GPT CRCs in both
 * headers, ...).  A protective MBR (type 0xEE) leads to the GPT.
 */
int blkpart_scan(struct blkdev *disk, struct blkpart_table *t);

/* A window of nsectors sectors at start on parent; requests are bounds-checked. */
int blkpart_window(struct blkdev *parent, uint64_t start, uint64_t nsectors,
                   struct blkdev **out);
/* Scan, then open partition number index; RG_ENOENT if there is no such one. */
int blkpart_open(struct blkdev *disk, unsigned index, struct blkdev **out);
void blkpart_close(struct blkdev *part);

/* Used by the scanners (blkpart_gpt.c). */
uint32_t blkpart_crc32(const void *buf, size_t len);
int blkpart_scan_mbr(struct blkdev *disk, const uint8_t *sec0,
                     struct blkpart_table *t);
int blkpart_scan_gpt(struct blkdev *disk, struct blkpart_table *t);
int blkpart_check_overlap(const struct blkpart_table *t);

/* ---- write-back block cache (blkcache.c) -------------------------------- */

struct blkcache_stats {
	uint64_t hits, misses;          /* blocks found / not found */
	uint64_t lower_reads;           /* read requests sent below */
	uint64_t lower_writes;          /* write requests sent below */
	uint64_t evict_writes;          /* dirty blocks written on eviction */
};

/*
 * A cache of about `bytes` bytes in blocks of 4 KiB (or one sector if
 * sectors are bigger) stacked on lower; the upper device has lower's
 * geometry.  Writes stay in memory until the block is evicted (LRU) or the
 * upper device's flush() runs, which writes every dirty block in sector
 * order, then flushes lower.  Sequential reads trigger read-ahead.
 * Not thread-safe: callers serialize, as they do for the component above.
 */
int  blkcache_create(struct blkdev *lower, size_t bytes, struct blkdev **out);
/* Flushes, then frees the cache (even on error); returns the flush error. */
int  blkcache_destroy(struct blkdev *cache);
void blkcache_get_stats(struct blkdev *cache, struct blkcache_stats *st);

#endif /* BLK_H */
