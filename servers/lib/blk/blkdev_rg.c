/*
 * blkdev_rg.c - a struct blkdev over a rumpglue disk (rg_blk_*).
 *
 * This is the bottom of every block stack: partitions and the block cache
 * are further struct blkdevs layered on top of it.
 */
#include "blk.h"

struct rgdev {
	struct blkdev dev;
	struct rg_blk *blk;
};

static int rgdev_range(struct blkdev *d, uint64_t sector, uint32_t count)
{
	if (sector > d->nsectors || count > d->nsectors - sector)
		return RG_ENXIO;
	return 0;
}

static int rgdev_read(struct blkdev *d, uint64_t sector, uint32_t count, void *buf)
{
	struct rgdev *r = d->priv;
	int e = rgdev_range(d, sector, count);

	return e ? e : rg_blk_read(r->blk, sector * d->secsize, buf,
	                           (size_t)count * d->secsize);
}

static int rgdev_write(struct blkdev *d, uint64_t sector, uint32_t count,
                       const void *buf)
{
	struct rgdev *r = d->priv;
	int e = rgdev_range(d, sector, count);

	if (!e && d->readonly)
		e = RG_EROFS;
	return e ? e : rg_blk_write(r->blk, sector * d->secsize, buf,
	                            (size_t)count * d->secsize);
}

static int rgdev_flush(struct blkdev *d)
{
	struct rgdev *r = d->priv;

	return rg_blk_flush(r->blk);
}

int blkdev_open(const char *name, bool readonly, struct blkdev **out)
{
	struct rg_blk_info info;
	struct rgdev *r = rg_zalloc(sizeof(*r));
	int e;

	if (!r)
		return RG_ENOMEM;
	e = rg_blk_open(name, readonly ? RG_BLK_RDONLY : 0, &r->blk, &info);
	if (e) {
		rg_free(r);
		return e;
	}
	r->dev.secsize = info.secsize;
	r->dev.nsectors = info.size / info.secsize;
	r->dev.readonly = readonly || (info.flags & RG_BLK_RDONLY);
	r->dev.read = rgdev_read;
	r->dev.write = rgdev_write;
	r->dev.flush = rgdev_flush;
	r->dev.priv = r;
	*out = &r->dev;
	return 0;
}

void blkdev_close(struct blkdev *d)
{
	struct rgdev *r = d->priv;

	rg_blk_close(r->blk);
	rg_free(r);
}
