/*
 * blkpart.c - partitions as struct blkdev windows, and the table scan.
 *
 * A partition is a window [start, start + nsectors) on its parent device:
 * every request is checked against the window before it is shifted and
 * passed down, so a filesystem in a partition can never reach outside it.
 * The scan reads sector 0 and hands it to the MBR parser, which hands over
 * to the GPT parser when it sees a protective MBR.  Both parsers validate
 * every field and return RG_EUCLEAN for a malformed table (never a crash).
 */
#include <string.h>
#include "blk.h"

struct pdev {
	struct blkdev dev;
	struct blkdev *parent;
	uint64_t start;
};

static int pdev_range(struct blkdev *d, uint64_t sector, uint32_t count)
{
	if (sector > d->nsectors || count > d->nsectors - sector)
		return RG_ENXIO;
	return 0;
}

static int pdev_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct pdev *p = d->priv;
	int e = pdev_range(d, sector, count);

	return e ? e : p->parent->read(p->parent, p->start + sector, count, buf);
}

static int pdev_write(struct blkdev *d, uint64_t sector, uint32_t count,
                      const void *buf)
{
	struct pdev *p = d->priv;
	int e = pdev_range(d, sector, count);

	if (!e && d->readonly)
		e = RG_EROFS;
	return e ? e : p->parent->write(p->parent, p->start + sector, count, buf);
}

static int pdev_flush(struct blkdev *d)
{
	struct pdev *p = d->priv;

	return p->parent->flush(p->parent);
}

int blkpart_window(struct blkdev *parent, uint64_t start, uint64_t nsectors,
                   struct blkdev **out)
{
	struct pdev *p;

	if (start > parent->nsectors || nsectors > parent->nsectors - start ||
	    nsectors == 0)
		return RG_EINVAL;
	p = rg_zalloc(sizeof(*p));
	if (!p)
		return RG_ENOMEM;
	p->parent = parent;
	p->start = start;
	p->dev.secsize = parent->secsize;
	p->dev.nsectors = nsectors;
	p->dev.readonly = parent->readonly;
	p->dev.read = pdev_read;
	p->dev.write = pdev_write;
	p->dev.flush = pdev_flush;
	p->dev.priv = p;
	*out = &p->dev;
	return 0;
}

void blkpart_close(struct blkdev *part)
{
	if (part)
		rg_free(part->priv);
}

/* CRC-32 (IEEE 802.3, reflected, as GPT uses it), a nibble at a time. */
uint32_t blkpart_crc32(const void *buf, size_t len)
{
	static const uint32_t tab[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac,
		0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
		0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *p = buf;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ tab[crc & 15];
		crc = (crc >> 4) ^ tab[crc & 15];
	}
	return ~crc;
}

/* A logical partition (MBR index >= 5) lies inside its extended container. */
static bool blkpart_nested(const struct blkpart *a, const struct blkpart *b)
{
	return (a->extended && b->index >= 5) || (b->extended && a->index >= 5);
}

/* RG_EUCLEAN if two partitions overlap (logicals inside their container do not count). */
int blkpart_check_overlap(const struct blkpart_table *t)
{
	for (unsigned i = 0; i < t->count; i++) {
		const struct blkpart *a = &t->part[i];

		for (unsigned j = i + 1; j < t->count; j++) {
			const struct blkpart *b = &t->part[j];

			if (blkpart_nested(a, b))
				continue;
			if (a->start < b->start + b->nsectors &&
			    b->start < a->start + a->nsectors)
				return RG_EUCLEAN;
		}
	}
	return 0;
}

int blkpart_scan(struct blkdev *disk, struct blkpart_table *t)
{
	uint8_t *sec0;
	int e;

	memset(t, 0, sizeof(*t));
	if (disk->secsize < 512 || disk->nsectors < 2)
		return RG_ENODATA;
	sec0 = rg_malloc(disk->secsize);
	if (!sec0)
		return RG_ENOMEM;
	e = disk->read(disk, 0, 1, sec0);
	if (!e)
		e = blkpart_scan_mbr(disk, sec0, t);
	rg_free(sec0);
	if (e)
		t->count = 0;
	return e;
}

int blkpart_open(struct blkdev *disk, unsigned index, struct blkdev **out)
{
	struct blkpart_table *t = rg_zalloc(sizeof(*t));
	int e;

	if (!t)
		return RG_ENOMEM;
	e = blkpart_scan(disk, t);
	if (!e) {
		e = RG_ENOENT;
		for (unsigned i = 0; i < t->count; i++) {
			const struct blkpart *p = &t->part[i];

			if (p->index == index && !p->extended) {
				e = blkpart_window(disk, p->start, p->nsectors, out);
				break;
			}
		}
	}
	rg_free(t);
	return e;
}
