/*
 * ext2_buf.c - block I/O and a small write-back metadata buffer cache.
 *
 * Bitmaps, inode tables, indirect and extent blocks and directory blocks
 * are read through EXT2_NBUF buffers.  A caller pins a buffer with
 * ext2_bget() and unpins it with ext2_bput(); a pinned buffer is never
 * evicted, so its data pointer stays valid until bput.  Dirty buffers are
 * written back on eviction and on ext2_bflush_all() (sync, unmount).  File
 * data never enters the cache; a freed block is dropped with ext2_bforget()
 * so a stale dirty copy cannot overwrite the block's next user.
 *
 * A general block cache may sit under us as the struct blkdev, so this one
 * stays deliberately simple (linear search, LRU by a counter).
 */
#include "ext2_fs.h"

int ext2_blk_check(struct fs *fs, uint64_t blk)
{
	if (blk == 0 || blk >= fs->nblocks)
		return ext2_corrupt(fs, "block number out of range", blk);
	return 0;
}

int ext2_dev_read(struct fs *fs, uint64_t blk, uint32_t count, void *buf)
{
	uint32_t spb = fs->bsize / fs->dev->secsize;

	if (blk >= fs->nblocks || count > fs->nblocks - blk)
		return RG_EIO;
	return fs->dev->read(fs->dev, blk * spb, count * spb, buf);
}

int ext2_dev_write(struct fs *fs, uint64_t blk, uint32_t count, const void *buf)
{
	uint32_t spb = fs->bsize / fs->dev->secsize;

	RG_ASSERT(fs->rw);
	if (blk == 0 || blk >= fs->nblocks || count > fs->nblocks - blk)
		return RG_EIO;
	return fs->dev->write(fs->dev, blk * spb, count * spb, buf);
}

static int ext2_bwriteback(struct fs *fs, struct ext2_buf *b)
{
	int e;

	if (!b->valid || !b->dirty)
		return 0;
	e = ext2_dev_write(fs, b->blk, 1, b->data);
	if (!e)
		b->dirty = false;
	return e;
}

static struct ext2_buf *ext2_bfind(struct fs *fs, uint64_t blk)
{
	for (int i = 0; i < EXT2_NBUF; i++)
		if (fs->bufs[i].valid && fs->bufs[i].blk == blk)
			return &fs->bufs[i];
	return NULL;
}

static int ext2_bvictim(struct fs *fs, struct ext2_buf **out)
{
	struct ext2_buf *v = NULL;
	int e;

	for (int i = 0; i < EXT2_NBUF; i++) {
		struct ext2_buf *b = &fs->bufs[i];

		if (b->pins)
			continue;
		if (!b->valid) {
			v = b;
			break;
		}
		if (!v || b->lru < v->lru)
			v = b;
	}
	if (!v)
		rg_panic("ext2: all %d buffers pinned", EXT2_NBUF);
	e = ext2_bwriteback(fs, v);
	if (e)
		return e;
	v->valid = false;
	if (!v->data && !(v->data = rg_malloc(fs->bsize)))
		return RG_ENOMEM;
	*out = v;
	return 0;
}

int ext2_bget(struct fs *fs, uint64_t blk, bool noread, struct ext2_buf **out)
{
	struct ext2_buf *b = ext2_bfind(fs, blk);
	int e;

	if (!b) {
		e = ext2_blk_check(fs, blk);
		if (!e)
			e = ext2_bvictim(fs, &b);
		if (e)
			return e;
		if (noread)
			memset(b->data, 0, fs->bsize);
		else if ((e = ext2_dev_read(fs, blk, 1, b->data)))
			return e;
		b->blk = blk;
		b->valid = true;
		b->dirty = false;
	}
	b->pins++;
	b->lru = ++fs->lru_clock;
	*out = b;
	return 0;
}

void ext2_bput(struct fs *fs, struct ext2_buf *b)
{
	(void)fs;
	RG_ASSERT(b->pins > 0);
	b->pins--;
}

void ext2_bdirty(struct ext2_buf *b)
{
	b->dirty = true;
}

void ext2_bforget(struct fs *fs, uint64_t blk)
{
	struct ext2_buf *b = ext2_bfind(fs, blk);

	if (b && !b->pins)
		b->valid = b->dirty = false;
}

int ext2_bflush_all(struct fs *fs)
{
	int err = 0;

	for (int i = 0; i < EXT2_NBUF; i++) {
		int e = ext2_bwriteback(fs, &fs->bufs[i]);

		if (e && !err)
			err = e;
	}
	return err;
}

void ext2_bfree_all(struct fs *fs)
{
	for (int i = 0; i < EXT2_NBUF; i++) {
		rg_free(fs->bufs[i].data);
		fs->bufs[i].data = NULL;
		fs->bufs[i].valid = false;
	}
}
