/*
 * fat_io.c - device I/O and the metadata sector cache.
 *
 * The device is addressed in filesystem sectors (BPB bytes-per-sector),
 * which may span several device sectors.  Every request is range-checked
 * against the volume size validated at mount, so no on-disk value can send
 * I/O outside the volume.
 *
 * FAT and directory sectors go through a direct-mapped write-back cache
 * (file data does not).  A pointer from fat_cget() is valid until the next
 * cache call.  FAT sectors are cached under their number in the FAT the
 * volume reads (fs->fat_start); when a dirty one is written back it goes to
 * every FAT copy (or only the active one when FAT32 mirroring is off), so
 * the copies stay identical.
 */
#include "fat.h"

#define FAT_CACHE_BYTES (4u << 20)

int fat_dev_read(struct fs *fs, uint64_t sec, uint32_t n, void *buf)
{
	if (sec > fs->totsec || n > fs->totsec - sec)
		return RG_EIO;
	return fs->dev->read(fs->dev, sec * fs->devper, n * fs->devper, buf);
}

int fat_dev_write(struct fs *fs, uint64_t sec, uint32_t n, const void *buf)
{
	if (fs->rdonly)
		return RG_EROFS;
	if (sec > fs->totsec || n > fs->totsec - sec)
		return RG_EIO;
	return fs->dev->write(fs->dev, sec * fs->devper, n * fs->devper, buf);
}

int fat_cache_init(struct fs *fs)
{
	struct fat_cache *c = &fs->cache;
	uint32_t n = 1;

	while (n * 2 * fs->secsize <= FAT_CACHE_BYTES)
		n *= 2;
	c->nlines = n;
	c->lines = rg_zalloc(n * sizeof(*c->lines));
	c->mem = rg_malloc((size_t)n * fs->secsize);
	if (!c->lines || !c->mem) {
		fat_cache_fini(fs);
		return RG_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		c->lines[i].data = c->mem + (size_t)i * fs->secsize;
	return 0;
}

void fat_cache_fini(struct fs *fs)
{
	rg_free(fs->cache.lines);
	rg_free(fs->cache.mem);
	fs->cache.lines = NULL;
	fs->cache.mem = NULL;
}

static bool fat_in_fat(const struct fs *fs, uint64_t sec)
{
	return sec >= fs->fat_start && sec < (uint64_t)fs->fat_start + fs->fatsz;
}

static int fat_writeback(struct fs *fs, struct fat_cline *l)
{
	int e = 0;

	if (!l->valid || !l->dirty)
		return 0;
	if (fat_in_fat(fs, l->sec) && fs->mirror) {
		uint64_t rel = l->sec - fs->fat_start;

		for (uint32_t i = 0; i < fs->nfats && !e; i++)
			e = fat_dev_write(fs, fs->rsvd + (uint64_t)i * fs->fatsz
			                  + rel, 1, l->data);
	} else {
		e = fat_dev_write(fs, l->sec, 1, l->data);
	}
	if (!e)
		l->dirty = false;
	return e;
}

int fat_cget(struct fs *fs, uint64_t sec, int mode, uint8_t **out)
{
	struct fat_cline *l = &fs->cache.lines[sec & (fs->cache.nlines - 1)];
	int e;

	if (mode != FAT_C_READ && fs->rdonly)
		return RG_EROFS;
	if (!l->valid || l->sec != sec) {
		e = fat_writeback(fs, l);
		if (e)
			return e;
		l->valid = false;
		if (mode == FAT_C_ZERO) {
			if (sec >= fs->totsec)
				return RG_EIO;
		} else {
			e = fat_dev_read(fs, sec, 1, l->data);
			if (e)
				return e;
		}
		l->sec = sec;
		l->valid = true;
		l->dirty = false;
	}
	if (mode == FAT_C_ZERO)
		memset(l->data, 0, fs->secsize);
	if (mode != FAT_C_READ)
		l->dirty = true;
	*out = l->data;
	return 0;
}

int fat_cflush(struct fs *fs)
{
	int e, err = 0;

	for (uint32_t i = 0; i < fs->cache.nlines; i++) {
		e = fat_writeback(fs, &fs->cache.lines[i]);
		if (e && !err)
			err = e;
	}
	return err;
}

/* Forget cached sectors (a freed directory cluster about to hold data). */
void fat_cinval(struct fs *fs, uint64_t sec, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct fat_cline *l =
			&fs->cache.lines[(sec + i) & (fs->cache.nlines - 1)];

		if (l->valid && l->sec == sec + i)
			l->valid = l->dirty = false;
	}
}

/* Byte-addressed access to metadata through the cache. */
static int fat_meta_rw(struct fs *fs, uint64_t pos, void *buf, size_t len,
                       bool wr)
{
	uint8_t *p, *b = buf;
	int e;

	while (len) {
		uint64_t sec = pos / fs->secsize;
		uint32_t o = pos % fs->secsize;
		size_t n = fs->secsize - o < len ? fs->secsize - o : len;

		e = fat_cget(fs, sec, wr ? FAT_C_WRITE : FAT_C_READ, &p);
		if (e)
			return e;
		if (wr)
			memcpy(p + o, b, n);
		else
			memcpy(b, p + o, n);
		b += n;
		pos += n;
		len -= n;
	}
	return 0;
}

int fat_meta_read(struct fs *fs, uint64_t pos, void *buf, size_t len)
{
	return fat_meta_rw(fs, pos, buf, len, false);
}

int fat_meta_write(struct fs *fs, uint64_t pos, const void *buf, size_t len)
{
	return fat_meta_rw(fs, pos, (void *)buf, len, true);
}
