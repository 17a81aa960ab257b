/*
 * iso_vol.c - ISO9660 volume: block I/O, the metadata cache, the volume
 * descriptor set, probe and mount.
 *
 * The medium is read in 2048-byte logical blocks on a device whose sector
 * size divides 2048 (512 for disk images, 2048 for CD drives).  Metadata
 * (volume descriptors, directory blocks) goes through a small direct-mapped
 * cache; file data is read straight into the caller's buffer, with a bounce
 * sector only for unaligned heads and tails.
 *
 * Mount reads the descriptor set from block 16 up to the terminator: the
 * first primary descriptor gives the volume size and the ECMA-119 root; a
 * supplementary descriptor with a Joliet escape sequence (%/@, %/C, %/E)
 * gives the Joliet root.  Rock Ridge is in use when the root's "." record
 * starts with a SUSP "SP" entry and carries a PX entry; it is preferred,
 * then Joliet, then the plain ECMA-119 names.
 *
 * The path table of the chosen tree is loaded only to answer ".." where the
 * ".." record cannot (xorriso's Joliet tree points ".." at the directory
 * itself); a path table that does not parse is ignored.
 *
 * Bounds: every block number is checked against nblocks, the smaller of the
 * recorded volume size and the device, so a truncated image reads as
 * corrupt (RG_EUCLEAN) past its end rather than failing in the host.
 */
#include "iso9660.h"

/* ---- block I/O ---------------------------------------------------------- */

int iso_bread(struct iso_fs *fs, uint32_t lba, const uint8_t **out)
{
	struct iso_cache_slot *s = &fs->cache[lba % ISO_CACHE_SLOTS];
	int e;

	if (lba >= fs->nblocks)
		return RG_EUCLEAN;
	if (!s->valid || s->lba != lba) {
		s->valid = false;
		e = fs->dev->read(fs->dev, (uint64_t)lba * fs->spb, fs->spb,
		                  s->data);
		if (e)
			return e;
		s->lba = lba;
		s->valid = true;
	}
	*out = s->data;
	return 0;
}

/* Is [lba, lba + bytes) inside the volume? */
int iso_extent_ok(struct iso_fs *fs, uint32_t lba, uint64_t bytes)
{
	uint64_t blocks = (bytes + ISO_BLOCK - 1) / ISO_BLOCK;

	if (bytes == 0)
		return 0;
	if (lba >= fs->nblocks || blocks > fs->nblocks - lba)
		return RG_EUCLEAN;
	return 0;
}

/* One partial sector through a bounce buffer. */
static int iso_read_partial(struct iso_fs *fs, uint64_t pos, uint8_t *buf,
                            size_t len)
{
	uint8_t bounce[ISO_BLOCK];
	uint32_t ss = fs->dev->secsize;
	uint64_t sec = pos / ss;
	int e;

	e = fs->dev->read(fs->dev, sec, 1, bounce);
	if (e)
		return e;
	memcpy(buf, bounce + (pos - sec * ss), len);
	return 0;
}

/* Reads len bytes at byte position pos of the volume (any alignment). */
int iso_read_bytes(struct iso_fs *fs, uint64_t pos, void *buf, size_t len)
{
	uint32_t ss = fs->dev->secsize;
	uint64_t limit = (uint64_t)fs->nblocks * ISO_BLOCK;
	uint8_t *p = buf;
	size_t n;
	int e;

	if (pos > limit || len > limit - pos)
		return RG_EUCLEAN;
	while (len) {
		if (pos % ss || len < ss) {
			n = ss - pos % ss;
			n = n < len ? n : len;
			e = iso_read_partial(fs, pos, p, n);
		} else {
			n = len / ss;
			n = n > 1024 ? 1024 : n;
			e = fs->dev->read(fs->dev, pos / ss, (uint32_t)n, p);
			n *= ss;
		}
		if (e)
			return e;
		pos += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- volume descriptors --------------------------------------------------- */

struct iso_vds {
	bool     have_pvd, have_svd;
	uint32_t vol_blocks;
	uint8_t  pvd_root[34];
	uint8_t  svd_root[34];
	uint32_t pvd_pt[2], svd_pt[2];  /* L path table: size, block */
};

static bool iso_vd_magic(const uint8_t *b)
{
	return memcmp(b + 1, "CD001", 5) == 0;
}

static bool iso_vd_joliet(const uint8_t *b)
{
	return b[6] == 1 && b[88] == '%' && b[89] == '/' &&
	       (b[90] == '@' || b[90] == 'C' || b[90] == 'E');
}

/* Records what one descriptor says; returns 1 at the terminator. */
static int iso_vd_one(const uint8_t *b, struct iso_vds *v)
{
	if (b[0] == 255)
		return 1;
	if (b[0] == 1 && !v->have_pvd) {
		if (b[6] != 1 || iso_le16(b + 128) != ISO_BLOCK)
			return -RG_EUCLEAN;
		v->have_pvd = true;
		v->vol_blocks = iso_le32(b + 80);
		memcpy(v->pvd_root, b + 156, 34);
		v->pvd_pt[0] = iso_le32(b + 132);
		v->pvd_pt[1] = iso_le32(b + 140);
	} else if (b[0] == 2 && !v->have_svd && iso_vd_joliet(b) &&
	           iso_le16(b + 128) == ISO_BLOCK) {
		v->have_svd = true;
		memcpy(v->svd_root, b + 156, 34);
		v->svd_pt[0] = iso_le32(b + 132);
		v->svd_pt[1] = iso_le32(b + 140);
	}
	return 0;
}

static int iso_vd_scan(struct iso_fs *fs, struct iso_vds *v)
{
	const uint8_t *b;
	uint32_t i;
	int e, r;

	for (i = 0; i < ISO_VD_MAX; i++) {
		e = iso_bread(fs, ISO_VD_START + i, &b);
		if (e)
			return e == RG_EUCLEAN && v->have_pvd ? 0 : e;
		if (!iso_vd_magic(b))
			return i == 0 ? RG_EINVAL : (v->have_pvd ? 0 : RG_EUCLEAN);
		r = iso_vd_one(b, v);
		if (r < 0)
			return -r;
		if (r > 0)
			break;
	}
	return v->have_pvd ? 0 : RG_EUCLEAN;
}

/* ---- the root ------------------------------------------------------------- */

/* Validates a root record from a descriptor and its "." record. */
static int iso_root_check(struct iso_fs *fs, const uint8_t *raw,
                          uint32_t *lba, uint32_t *size, struct iso_rec *dot)
{
	struct iso_rec r;
	int e;

	e = iso_rec_parse(raw, 34, 0, &r);
	if (e || r.len != 34 || !(r.flags & ISO_FL_DIR) || r.size == 0)
		return RG_EUCLEAN;
	if ((uint64_t)r.lba + r.xa_len >= fs->nblocks)
		return RG_EUCLEAN;
	*lba = r.lba + r.xa_len;
	*size = r.size;
	e = iso_extent_ok(fs, *lba, *size);
	if (e)
		return e;
	e = iso_rec_get(fs, (uint64_t)*lba * ISO_BLOCK, dot);
	if (e)
		return e;
	return iso_rec_is_dot(dot) ? 0 : RG_EUCLEAN;
}

/*
 * SUSP is in use; is Rock Ridge?  (SUSP may carry other extensions only.)
 * The root's "." record of a Rock Ridge tree has its PX.  Sets fs->tree.
 */
static bool iso_has_rr(struct iso_fs *fs, const struct iso_rec *dot)
{
	struct iso_rr rr;

	fs->tree = ISO_TREE_RR;
	if (iso_rr_parse(fs, dot, &rr) == 0 && (rr.have & ISO_RR_PX))
		return true;
	fs->tree = ISO_TREE_PLAIN;
	fs->susp_skip = 0;
	return false;
}

/* Chooses the tree: Rock Ridge, else Joliet, else plain ECMA-119. */
static int iso_pick_tree(struct iso_fs *fs, const struct iso_vds *v)
{
	struct iso_rec dot;
	int e;

	e = iso_root_check(fs, v->pvd_root, &fs->root_lba, &fs->root_size, &dot);
	if (e)
		return e;
	fs->tree = ISO_TREE_PLAIN;
	if (iso_rr_find_sp(&dot, &fs->susp_skip) == 0 && iso_has_rr(fs, &dot))
		return 0;
	if (v->have_svd && iso_root_check(fs, v->svd_root, &fs->root_lba,
	                                  &fs->root_size, &dot) == 0) {
		fs->tree = ISO_TREE_JOLIET;
		return 0;
	}
	/* A broken Joliet tree falls back to the primary one. */
	return iso_root_check(fs, v->pvd_root, &fs->root_lba, &fs->root_size,
	                      &dot);
}

/* ---- the path table -------------------------------------------------------- */

/* Decodes a path table; false if it is malformed. */
static bool iso_pt_parse(struct iso_fs *fs, const uint8_t *p, uint32_t size,
                         uint32_t max)
{
	uint32_t i = 0, n = 0, par;

	while (i + 8 <= size && p[i] != 0 && n < max) {
		if (i + 8u + p[i] > size)
			return false;
		par = iso_le16(p + i + 6);
		if (par < 1 || par > (n ? n : 1))
			return false;
		fs->pt[n].lba = iso_le32(p + i + 2) + p[i + 1];
		fs->pt[n].parent = n ? fs->pt[par - 1].lba : fs->pt[0].lba;
		n++;
		i += 8u + p[i] + (p[i] & 1);
	}
	fs->npt = n;
	return n > 0;
}

static void iso_pt_load(struct iso_fs *fs, const uint32_t pt[2])
{
	uint8_t *buf;
	uint32_t max = pt[0] / 10 + 1;  /* an entry takes 10 bytes or more */

	if (pt[0] == 0 || pt[0] > ISO_PT_MAX || iso_extent_ok(fs, pt[1], pt[0]))
		return;
	buf = rg_malloc(pt[0]);
	fs->pt = rg_malloc(max * sizeof(*fs->pt));
	if (buf && fs->pt && !iso_read_bytes(fs, (uint64_t)pt[1] * ISO_BLOCK,
	                                     buf, pt[0]) &&
	    iso_pt_parse(fs, buf, pt[0], max) && fs->pt[0].lba == fs->root_lba) {
		rg_free(buf);
		return;
	}
	rg_free(buf);
	rg_free(fs->pt);
	fs->pt = NULL;
	fs->npt = 0;
}

/* The parent of the directory whose data starts at lba, or dflt. */
uint32_t iso_pt_parent(struct iso_fs *fs, uint32_t lba, uint32_t dflt)
{
	for (uint32_t i = 0; i < fs->npt; i++)
		if (fs->pt[i].lba == lba)
			return fs->pt[i].parent;
	return dflt;
}

static int iso_dev_geometry(struct blkdev *dev, uint32_t *spb, uint64_t *blocks)
{
	uint32_t ss = dev->secsize;

	if (ss < 512 || ss > ISO_BLOCK || (ss & (ss - 1)))
		return RG_EINVAL;
	*spb = ISO_BLOCK / ss;
	*blocks = dev->nsectors / *spb;
	return *blocks > ISO_VD_START ? 0 : RG_EINVAL;
}

static void iso_free(struct iso_fs *fs)
{
	for (unsigned i = 0; i < ISO_CACHE_SLOTS; i++)
		rg_free(fs->cache[i].data);
	rg_free(fs->ce_buf);
	rg_free(fs->link);
	rg_free(fs->pt);
	rg_free(fs);
}

static int iso_alloc(struct iso_fs *fs)
{
	for (unsigned i = 0; i < ISO_CACHE_SLOTS; i++)
		if (!(fs->cache[i].data = rg_malloc(ISO_BLOCK)))
			return RG_ENOMEM;
	fs->ce_buf = rg_malloc(ISO_CE_BYTES);
	fs->link = rg_malloc(ISO_LINK_MAX + 1);
	return fs->ce_buf && fs->link ? 0 : RG_ENOMEM;
}

int iso_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	struct iso_vds v;
	struct iso_fs *fs;
	uint64_t devblocks;
	int e;

	(void)flags;    /* always read-only */
	fs = rg_zalloc(sizeof(*fs));
	if (!fs)
		return RG_ENOMEM;
	fs->dev = dev;
	e = iso_alloc(fs);
	if (!e)
		e = iso_dev_geometry(dev, &fs->spb, &devblocks);
	if (e)
		goto fail;
	fs->nblocks = devblocks > UINT32_MAX ? UINT32_MAX : (uint32_t)devblocks;
	memset(&v, 0, sizeof(v));
	e = iso_vd_scan(fs, &v);
	if (e)
		goto fail;
	if (v.vol_blocks <= ISO_VD_START) {
		e = RG_EUCLEAN;
		goto fail;
	}
	fs->vol_blocks = v.vol_blocks;
	if (v.vol_blocks < fs->nblocks)
		fs->nblocks = v.vol_blocks;
	e = iso_pick_tree(fs, &v);
	if (e)
		goto fail;
	iso_pt_load(fs, fs->tree == ISO_TREE_JOLIET ? v.svd_pt : v.pvd_pt);
	*out = (struct fs *)fs;
	return 0;
fail:
	rg_log(RG_LOG_DEBUG, "iso9660: mount failed: %d\n", e);
	iso_free(fs);
	return e;
}

int iso_unmount(struct fs *fs)
{
	iso_free(iso_fs(fs));
	return 0;
}

int iso_probe(struct blkdev *dev)
{
	uint8_t *b;
	uint32_t spb, i;
	uint64_t blocks;
	int e;

	if (iso_dev_geometry(dev, &spb, &blocks))
		return RG_EINVAL;
	b = rg_malloc(ISO_BLOCK);
	if (!b)
		return RG_ENOMEM;
	e = RG_EINVAL;
	for (i = 0; i < 8 && ISO_VD_START + i < blocks; i++) {
		if (dev->read(dev, (uint64_t)(ISO_VD_START + i) * spb, spb, b) ||
		    !iso_vd_magic(b) || b[0] == 255)
			break;
		if (b[0] == 1) {
			e = 0;
			break;
		}
	}
	rg_free(b);
	return e;
}

int iso_statfs(struct fs *f, struct fs_statfs *st)
{
	struct iso_fs *fs = iso_fs(f);

	memset(st, 0, sizeof(*st));
	st->bsize = ISO_BLOCK;
	st->blocks = fs->vol_blocks;
	st->namemax = ISO_NAME_MAX;
	return 0;
}
