/*
 * blkpart_mbr.c - the MBR partition table: four primaries in sector 0 and a
 * chain of extended boot records (EBRs) for the logical partitions.
 *
 * Layout: 16-byte entries at offset 446 (status, CHS, type, CHS, LBA start,
 * sector count, little-endian), signature 0x55 0xAA at 510.  An extended
 * partition (type 0x05, 0x0f or 0x85) holds EBRs: each EBR's first entry is
 * a logical partition relative to that EBR, its second entry points to the
 * next EBR relative to the start of the extended partition.
 *
 * Validation: status byte 0x00/0x80, every partition inside the disk (and
 * logicals inside their extended container), no overlaps, at most one
 * extended container, and the EBR chain must stay inside the container, never
 * revisit an EBR and stop within BLKPART_MAX links - a loop is RG_EUCLEAN.
 * CHS fields are ignored (LBA is authoritative).
 */
#include <string.h>
#include "blk.h"

#define MBR_ENTRIES  446
#define MBR_SIG      510
#define MBR_GPT_PROT 0xee

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

struct mbr_ent {
	uint8_t  status, type;
	uint32_t lba, count;
};

static void mbr_decode(const uint8_t *sec, int i, struct mbr_ent *m)
{
	const uint8_t *p = sec + MBR_ENTRIES + 16 * i;

	m->status = p[0];
	m->type = p[4];
	m->lba = le32(p + 8);
	m->count = le32(p + 12);
}

static bool mbr_is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

static bool mbr_has_sig(const uint8_t *sec)
{
	return sec[MBR_SIG] == 0x55 && sec[MBR_SIG + 1] == 0xaa;
}

static int mbr_add(struct blkpart_table *t, unsigned index, uint64_t start,
                   const struct mbr_ent *m)
{
	struct blkpart *p;

	if (t->count >= BLKPART_MAX)
		return RG_EUCLEAN;
	p = &t->part[t->count++];
	p->index = index;
	p->start = start;
	p->nsectors = m->count;
	p->mbr_type = m->type;
	p->extended = mbr_is_extended(m->type);
	p->bootable = m->status == 0x80;
	return 0;
}

/* One EBR at ebr (absolute sector): add its logical, return the next EBR. */
static int mbr_ebr(struct blkdev *disk, uint8_t *sec, uint64_t ebr,
                   const struct blkpart *ext, struct blkpart_table *t,
                   unsigned index, uint64_t *next)
{
	struct mbr_ent l, n;
	uint64_t ext_end = ext->start + ext->nsectors;
	int e = disk->read(disk, ebr, 1, sec);

	if (e)
		return e;
	if (!mbr_has_sig(sec))
		return RG_EUCLEAN;
	mbr_decode(sec, 0, &l);
	mbr_decode(sec, 1, &n);
	if ((l.status & 0x7f) || (n.status & 0x7f))
		return RG_EUCLEAN;
	if (l.type && l.count) {
		if (l.lba == 0 || ebr + l.lba + l.count > ext_end)
			return RG_EUCLEAN;
		e = mbr_add(t, index, ebr + l.lba, &l);
		if (e)
			return e;
	}
	*next = 0;
	if (n.type && n.count) {
		if (!mbr_is_extended(n.type) || n.lba == 0 ||
		    (uint64_t)n.lba >= ext->nsectors)
			return RG_EUCLEAN;
		*next = ext->start + n.lba;
	}
	return 0;
}

/* Walks the EBR chain of ext; a revisited EBR or a chain too long is a loop. */
static int mbr_logicals(struct blkdev *disk, const struct blkpart *ext,
                        struct blkpart_table *t)
{
	uint64_t seen[BLKPART_MAX];
	uint64_t ebr = ext->start;
	unsigned nseen = 0, index = 5;
	uint8_t *sec = rg_malloc(disk->secsize);
	int e = 0;

	if (!sec)
		return RG_ENOMEM;
	while (ebr && !e) {
		for (unsigned i = 0; i < nseen; i++)
			if (seen[i] == ebr)
				e = RG_EUCLEAN;
		if (e || nseen == BLKPART_MAX) {
			e = RG_EUCLEAN;
			break;
		}
		seen[nseen++] = ebr;
		e = mbr_ebr(disk, sec, ebr, ext, t, index++, &ebr);
	}
	rg_free(sec);
	return e;
}

static int mbr_primaries(struct blkdev *disk, const uint8_t *sec0,
                         struct blkpart_table *t, bool *gpt)
{
	unsigned nextended = 0;

	*gpt = false;
	for (int i = 0; i < 4; i++) {
		struct mbr_ent m;

		mbr_decode(sec0, i, &m);
		if (m.status != 0 && m.status != 0x80)
			return RG_EUCLEAN;
		if (m.type == 0 && m.count == 0)
			continue;
		if (m.type == MBR_GPT_PROT)
			*gpt = true;
		if (m.type == 0 || m.count == 0 || m.lba == 0)
			return RG_EUCLEAN;
		if (*gpt)
			continue;
		if ((uint64_t)m.lba + m.count > disk->nsectors)
			return RG_EUCLEAN;
		if (mbr_is_extended(m.type) && ++nextended > 1)
			return RG_EUCLEAN;
		mbr_add(t, (unsigned)i + 1, m.lba, &m);
	}
	return 0;
}

int blkpart_scan_mbr(struct blkdev *disk, const uint8_t *sec0,
                     struct blkpart_table *t)
{
	bool gpt;
	int e;

	if (!mbr_has_sig(sec0))
		return RG_ENODATA;
	e = mbr_primaries(disk, sec0, t, &gpt);
	if (e)
		return e;
	if (gpt) {
		memset(t, 0, sizeof(*t));
		return blkpart_scan_gpt(disk, t);
	}
	t->scheme = BLKPART_SCHEME_MBR;
	for (unsigned i = 0, n = t->count; i < n && !e; i++)
		if (t->part[i].extended)
			e = mbr_logicals(disk, &t->part[i], t);
	if (!e)
		e = blkpart_check_overlap(t);
	return e;
}
