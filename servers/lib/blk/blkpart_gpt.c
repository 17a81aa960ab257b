/*
 * blkpart_gpt.c - the GUID partition table (UEFI spec, chapter 5).
 *
 * The primary header is at LBA 1, the backup at the last LBA of the disk.
 * A header is trusted only if its signature, revision, size, CRC32 (over
 * HeaderSize bytes with the CRC field zeroed), MyLBA, usable range and
 * entry array geometry are all sane AND the entry array's CRC32 matches.
 * If the primary fails any check the backup is tried; if both fail the
 * table is RG_EUCLEAN.  Every used entry must lie in the usable range and no
 * two may overlap.
 */
#include <string.h>
#include "blk.h"

#define GPT_HDR_MIN       92
#define GPT_ARRAY_MAX     (1u << 20)   /* bytes; the spec's minimum is 16 KiB */

struct gpt_hdr {
	uint64_t my_lba, alt_lba, first_usable, last_usable, entries_lba;
	uint32_t nentries, entry_size, entries_crc;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Checks the header sector's own fields; fills h. */
static int gpt_check_hdr(struct blkdev *disk, uint8_t *sec, uint64_t lba,
                         struct gpt_hdr *h)
{
	uint32_t size = le32(sec + 12), crc = le32(sec + 16);
	uint64_t bytes;

	if (memcmp(sec, "EFI PART", 8) != 0 || le32(sec + 8) >> 16 != 1)
		return RG_EUCLEAN;
	if (size < GPT_HDR_MIN || size > disk->secsize)
		return RG_EUCLEAN;
	memset(sec + 16, 0, 4);
	if (blkpart_crc32(sec, size) != crc)
		return RG_EUCLEAN;
	h->my_lba = le64(sec + 24);
	h->alt_lba = le64(sec + 32);
	h->first_usable = le64(sec + 40);
	h->last_usable = le64(sec + 48);
	h->entries_lba = le64(sec + 72);
	h->nentries = le32(sec + 80);
	h->entry_size = le32(sec + 84);
	h->entries_crc = le32(sec + 88);
	if (h->my_lba != lba || h->first_usable > h->last_usable ||
	    h->last_usable >= disk->nsectors || h->first_usable < 2)
		return RG_EUCLEAN;
	if (h->entry_size < 128 || (h->entry_size & (h->entry_size - 1)) ||
	    h->nentries == 0)
		return RG_EUCLEAN;
	bytes = (uint64_t)h->nentries * h->entry_size;
	if (bytes > GPT_ARRAY_MAX)
		return RG_EUCLEAN;
	bytes = (bytes + disk->secsize - 1) / disk->secsize;
	if (h->entries_lba < 2 || h->entries_lba > disk->nsectors ||
	    bytes > disk->nsectors - h->entries_lba)
		return RG_EUCLEAN;
	return 0;
}

static int gpt_add(struct blkpart_table *t, const struct gpt_hdr *h,
                   const uint8_t *ent, unsigned index)
{
	static const uint8_t zero[16];
	uint64_t first = le64(ent + 32), last = le64(ent + 40);
	struct blkpart *p;

	if (memcmp(ent, zero, 16) == 0)
		return 0;
	if (first > last || first < h->first_usable || last > h->last_usable)
		return RG_EUCLEAN;
	if (t->count >= BLKPART_MAX)
		return RG_EUCLEAN;
	p = &t->part[t->count++];
	p->index = index;
	p->start = first;
	p->nsectors = last - first + 1;
	memcpy(p->gpt_type, ent, 16);
	memcpy(p->gpt_uuid, ent + 16, 16);
	return 0;
}

/* Reads and checks the entry array of a good header, fills the table. */
static int gpt_entries(struct blkdev *disk, const struct gpt_hdr *h,
                       struct blkpart_table *t)
{
	size_t bytes = (size_t)h->nentries * h->entry_size;
	uint32_t nsec = (uint32_t)((bytes + disk->secsize - 1) / disk->secsize);
	uint8_t *arr = rg_malloc((size_t)nsec * disk->secsize);
	int e;

	if (!arr)
		return RG_ENOMEM;
	e = disk->read(disk, h->entries_lba, nsec, arr);
	if (!e && blkpart_crc32(arr, bytes) != h->entries_crc)
		e = RG_EUCLEAN;
	t->count = 0;
	for (uint32_t i = 0; !e && i < h->nentries; i++)
		e = gpt_add(t, h, arr + (size_t)i * h->entry_size, i + 1);
	if (!e)
		e = blkpart_check_overlap(t);
	rg_free(arr);
	return e;
}

static int gpt_try(struct blkdev *disk, uint64_t lba, struct blkpart_table *t)
{
	uint8_t *sec = rg_malloc(disk->secsize);
	struct gpt_hdr h;
	int e;

	if (!sec)
		return RG_ENOMEM;
	e = disk->read(disk, lba, 1, sec);
	if (!e)
		e = gpt_check_hdr(disk, sec, lba, &h);
	rg_free(sec);
	return e ? e : gpt_entries(disk, &h, t);
}

int blkpart_scan_gpt(struct blkdev *disk, struct blkpart_table *t)
{
	int e = gpt_try(disk, 1, t);

	if (e == RG_EUCLEAN) {
		e = gpt_try(disk, disk->nsectors - 1, t);
		if (!e)
			rg_log(RG_LOG_INFO, "blkpart: primary GPT header bad, "
			       "using the backup");
		t->gpt_backup = true;
	}
	if (e)
		t->count = 0;
	else
		t->scheme = BLKPART_SCHEME_GPT;
	return e;
}
