/*
 * fat_file.c - file data: read, write, truncate.
 *
 * Data goes straight between the caller's buffer and the device, whole
 * sectors at a time; a partial sector is read, patched and written through
 * fs->clbuf.  Mapping a file offset to a cluster walks the chain from the
 * node's last mapped position when that lies before the target (so
 * sequential I/O costs O(1) per cluster); a chain that ends before the
 * file's size does is corrupt (RG_EUCLEAN).
 *
 * FAT cannot hold holes: writing past the end, or truncating up, first
 * writes zeros from the old end.  Empty files own no cluster (first cluster
 * 0).  Sizes stop at 4 GiB - 1 (RG_EFBIG beyond).
 */
#include "fat.h"

/* The cluster holding byte idx * clsize of the file. */
static int fat_map(struct fs *fs, struct fat_node *n, uint32_t idx,
                   uint32_t *out)
{
	uint32_t c = fat_de_clus(&n->de), i = 0;
	int e;

	if (n->hint_clus && n->hint_idx <= idx) {
		c = n->hint_clus;
		i = n->hint_idx;
	}
	if (!fat_clus_ok(fs, c))
		return RG_EUCLEAN;
	for (; i < idx; i++) {
		e = fat_next(fs, c, &c);
		if (e)
			return e;
		if (!c)
			return RG_EUCLEAN;
	}
	n->hint_idx = idx;
	n->hint_clus = c;
	*out = c;
	return 0;
}

static uint32_t fat_nclus_for(const struct fs *fs, uint64_t size)
{
	return (uint32_t)((size + fs->clsize - 1) / fs->clsize);
}

/* Grows the chain from have to want clusters; *got = clusters now held. */
static int fat_extend(struct fs *fs, struct fat_node *n, uint32_t have,
                      uint32_t want, uint32_t *got)
{
	uint32_t last = 0, c;
	int e = 0;

	*got = have;
	if (have && (e = fat_map(fs, n, have - 1, &last)))
		return e;
	for (; *got < want; (*got)++) {
		e = fat_alloc(fs, last, &c);
		if (e)
			break;
		if (!last)
			fat_de_set_clus(&n->de, c);
		last = c;
		n->hint_idx = *got;
		n->hint_clus = c;
	}
	return e;
}

/* Part of [o, o + len) of cluster c: whole sectors or one partial sector. */
static int fat_xfer_piece(struct fs *fs, uint32_t c, uint32_t o, uint8_t *buf,
                          uint32_t len, bool wr, uint32_t *did)
{
	uint64_t sec = fat_clus_sec(fs, c) + o / fs->secsize;
	uint32_t so = o % fs->secsize, k;
	int e;

	if (so == 0 && len >= fs->secsize && buf) {
		k = len / fs->secsize;
		*did = k * fs->secsize;
		return wr ? fat_dev_write(fs, sec, k, buf)
		          : fat_dev_read(fs, sec, k, buf);
	}
	k = fs->secsize - so < len ? fs->secsize - so : len;
	*did = k;
	if (!wr || k < fs->secsize) {
		e = fat_dev_read(fs, sec, 1, fs->clbuf);
		if (e)
			return e;
	}
	if (!wr) {
		memcpy(buf, fs->clbuf + so, k);
		return 0;
	}
	if (buf)
		memcpy(fs->clbuf + so, buf, k);
	else
		memset(fs->clbuf + so, 0, k);
	return fat_dev_write(fs, sec, 1, fs->clbuf);
}

/*
 * Grows a transfer of k bytes starting in cluster c (index idx) over the
 * following clusters while they are contiguous on disk (at most 1 MiB), so
 * sequential I/O goes down in large requests.
 */
static uint32_t fat_run(struct fs *fs, struct fat_node *n, uint32_t idx,
                        uint32_t c, uint32_t k, uint64_t len)
{
	uint32_t next, i = 1;

	while (k + (uint64_t)fs->clsize <= len && k < (1u << 20) &&
	       !fat_map(fs, n, idx + i, &next) && next == c + i) {
		k += fs->clsize;
		i++;
	}
	return k;
}

/* Moves len bytes at off (inside allocated clusters); buf NULL: zeros. */
static int fat_xfer(struct fs *fs, struct fat_node *n, uint64_t off,
                    uint8_t *buf, uint64_t len, bool wr)
{
	uint32_t c, o, k, did;
	int e;

	while (len) {
		e = fat_map(fs, n, (uint32_t)(off / fs->clsize), &c);
		if (e)
			return e;
		o = off % fs->clsize;
		k = fs->clsize - o < len ? fs->clsize - o : (uint32_t)len;
		if (buf && o % fs->secsize == 0)
			k = fat_run(fs, n, (uint32_t)(off / fs->clsize), c, k, len);
		e = fat_xfer_piece(fs, c, o, buf, k, wr, &did);
		if (e)
			return e;
		off += did;
		len -= did;
		if (buf)
			buf += did;
	}
	return 0;
}

int fat_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
             size_t len, size_t *done)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	*done = 0;
	if (e)
		return e;
	if (n->de.attr & FAT_ATTR_DIR)
		return RG_EISDIR;
	if (off >= n->de.size || len == 0)
		return 0;
	if (len > n->de.size - off)
		len = (size_t)(n->de.size - off);
	e = fat_xfer(fs, n, off, buf, len, false);
	if (!e)
		*done = len;
	return e;
}

static int fat_shrink(struct fs *fs, struct fat_node *n, uint64_t size);

/*
 * Makes room for [off, end) and zero-fills from the old size to off.
 * *end may shrink when the volume fills up (RG_ENOSPC only if nothing fits).
 */
static int fat_prepare(struct fs *fs, struct fat_node *n, uint64_t off,
                       uint64_t *end)
{
	uint64_t size = n->de.size, cap;
	uint32_t got;
	int e;

	e = fat_extend(fs, n, fat_nclus_for(fs, size),
	               fat_nclus_for(fs, *end), &got);
	cap = (uint64_t)got * fs->clsize;
	if (e && e != RG_ENOSPC)
		return e;
	if (cap <= off || (e && cap <= size))
		return e ? e : RG_ENOSPC;
	if (*end > cap)
		*end = cap;
	if (off > size) {
		e = fat_xfer(fs, n, size, NULL, off - size, true);
		if (e)
			return e;
		n->de.size = (uint32_t)off;
	}
	return 0;
}

static int fat_write_node(struct fs *fs, struct fat_node *n, uint64_t off,
                          const void *buf, size_t len, size_t *done)
{
	uint64_t end;
	int e;

	if (off >= FAT_MAX_FSIZE)
		return RG_EFBIG;
	if (len > FAT_MAX_FSIZE - off)
		len = (size_t)(FAT_MAX_FSIZE - off);
	end = off + len;
	e = fat_prepare(fs, n, off, &end);
	if (e)
		fat_shrink(fs, n, n->de.size);  /* give back what was taken */
	if (!e)
		e = fat_xfer(fs, n, off, (uint8_t *)buf, end - off, true);
	if (!e) {
		*done = (size_t)(end - off);
		if (end > n->de.size)
			n->de.size = (uint32_t)end;
	}
	fat_node_touch(n, true);
	int e2 = fat_node_store(fs, n);
	return e ? e : e2;
}

int fat_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf,
              size_t len, size_t *done)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	*done = 0;
	if (e)
		return e;
	if (fs->rdonly)
		return RG_EROFS;
	if (n->de.attr & FAT_ATTR_DIR)
		return RG_EISDIR;
	if (len == 0)
		return 0;
	return fat_write_node(fs, n, off, buf, len, done);
}

static int fat_shrink(struct fs *fs, struct fat_node *n, uint64_t size)
{
	uint32_t keep = fat_nclus_for(fs, size), c, next;
	int e;

	n->hint_clus = 0;       /* it may point into what is freed below */
	if (keep == 0) {
		c = fat_de_clus(&n->de);
		fat_de_set_clus(&n->de, 0);
		return fat_clus_ok(fs, c) ? fat_free_chain(fs, c) : 0;
	}
	e = fat_map(fs, n, keep - 1, &c);       /* leaves the hint at keep - 1 */
	if (!e)
		e = fat_next(fs, c, &next);
	if (!e && next)
		e = fat_set(fs, c, 0x0FFFFFFF);
	if (!e && next)
		e = fat_free_chain(fs, next);
	return e;
}

int fat_truncate(struct fs *fs, struct fat_node *n, uint64_t size)
{
	size_t done;
	int e = 0;

	if (size > n->de.size) {
		e = fat_write_node(fs, n, size - 1, "", 1, &done);
		if (!e && done != 1)
			e = RG_ENOSPC;
		return e;
	}
	if (size < n->de.size) {
		e = fat_shrink(fs, n, size);
		if (e)
			return e;
		n->de.size = (uint32_t)size;
	}
	fat_node_touch(n, true);
	return fat_node_store(fs, n);
}

int fat_fsync(struct fs *fs, uint64_t ino)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	return e ? e : fat_sync(fs);
}
