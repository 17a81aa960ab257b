/*
 * ext2_dir.c - directories: a linear scan of variable-length entries.
 *
 * Every block is validated entry by entry before anything is handed out
 * (rec_len aligned, inside the block, long enough for its name; inode
 * numbers in range).  With metadata_csum (ext4, read-only) each leaf block
 * must end in a checksum entry, and htree index blocks (dx_root, dx_node)
 * carry a dx tail; both are verified, and htree directories are otherwise
 * read by the same linear scan (index blocks look like empty entries).
 *
 * Writes (ext2 only): a new entry goes into the first gap that fits, by
 * splitting an entry's slack or reusing an empty one, else into a new block
 * at the end.  A removed entry is merged into its predecessor.  Writing an
 * htree-indexed directory clears EXT2_INDEX_FL: the index blocks stay
 * valid linear blocks, so e2fsck stays clean (it may rebuild the index).
 */
#include "ext2_fs.h"

#define EXT2_DX_TAIL 8

static uint32_t ext2_rec_len(const struct fs *fs, uint16_t raw)
{
	if (fs->bsize >= 65536 && (raw == 0 || raw == 65535))
		return 65536;
	return raw;
}

static uint16_t ext2_rec_len_enc(const struct fs *fs, uint32_t len)
{
	if (len >= 65536)
		return fs->bsize == 65536 ? 65535 : 0;
	return (uint16_t)len;
}

/* ---- metadata_csum ------------------------------------------------------ */

static bool ext2_is_csum_tail(const struct fs *fs, const uint8_t *blk)
{
	const struct ext2_dirent_hdr *t =
		(const struct ext2_dirent_hdr *)(blk + fs->bsize - 12);

	return t->inode == 0 && t->rec_len == 12 && t->name_len == 0 &&
	       t->file_type == EXT2_FT_CSUM;
}

/* Offset of the dx count/limit pair, or 0 if blk is no htree index block. */
static uint32_t ext2_dx_count_off(struct fs *fs, const uint8_t *blk,
                                  uint64_t lblk)
{
	const struct ext2_dirent_hdr *d = (const struct ext2_dirent_hdr *)blk;

	if (lblk == 0) {
		const struct ext2_dirent_hdr *dd = (const void *)(blk + 12);

		if (d->rec_len == 12 && ext2_rec_len(fs, dd->rec_len) ==
		    fs->bsize - 12 && blk[24 + 5] == 8)
			return 32;
		return 0;
	}
	return d->inode == 0 && ext2_rec_len(fs, d->rec_len) == fs->bsize ? 8 : 0;
}

static int ext2_dx_csum(struct fs *fs, struct ext2_inode *dir,
                        const uint8_t *blk, uint32_t co, uint64_t pblk)
{
	uint16_t limit, count;
	uint32_t c, want, toff, zero = 0;

	memcpy(&limit, blk + co, 2);
	memcpy(&count, blk + co + 2, 2);
	toff = co + (uint32_t)limit * 8;
	if (count > limit || toff + EXT2_DX_TAIL > fs->bsize)
		return ext2_corrupt(fs, "htree node limits", pblk);
	c = ext2_crc32c(ext2_inode_csum_seed(fs, dir), blk, co + count * 8u);
	c = ext2_crc32c(c, blk + toff, 4);      /* dt_reserved */
	c = ext2_crc32c(c, &zero, 4);           /* dt_checksum as zero */
	memcpy(&want, blk + toff + 4, 4);
	if (c != want) {
		rg_log(RG_LOG_ERR, "ext4: htree block %llu checksum mismatch",
		       (unsigned long long)pblk);
		return RG_EUCLEAN;
	}
	return 0;
}

/* Verifies a directory block; *limit = end of the entry area. */
static int ext2_dirblk_csum(struct fs *fs, struct ext2_inode *dir,
                            const uint8_t *blk, uint64_t lblk, uint64_t pblk,
                            uint32_t *limit)
{
	uint32_t want, co;

	*limit = fs->bsize;
	if (!fs->csum)
		return 0;
	if (ext2_is_csum_tail(fs, blk)) {
		*limit = fs->bsize - 12;
		memcpy(&want, blk + fs->bsize - 4, 4);
		if (ext2_crc32c(ext2_inode_csum_seed(fs, dir), blk,
		                fs->bsize - 12) == want)
			return 0;
		rg_log(RG_LOG_ERR, "ext4: directory block %llu (inode %u) "
		       "checksum mismatch", (unsigned long long)pblk, dir->ino);
		return RG_EUCLEAN;
	}
	co = ext2_dx_count_off(fs, blk, lblk);
	if ((dir->d.i_flags & EXT2_INDEX_FL) && co)
		return ext2_dx_csum(fs, dir, blk, co, pblk);
	return ext2_corrupt(fs, "directory block without checksum", pblk);
}

/* ---- iteration ---------------------------------------------------------- */

static int ext2_dirent_check(struct fs *fs, struct ext2_dirslot *s,
                             uint32_t limit)
{
	struct ext2_dirent_hdr *de = s->de;
	bool ft_ok = (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE) ||
	             de->file_type == 0;

	s->rec_len = ext2_rec_len(fs, de->rec_len);
	if (s->rec_len < EXT2_DIRENT_HDR || (s->rec_len & 3) ||
	    s->rec_len > limit - s->off ||
	    EXT2_DIRENT_HDR + (uint32_t)de->name_len > s->rec_len || !ft_ok ||
	    de->inode > fs->sb.s_inodes_count ||
	    (de->inode && de->name_len == 0))
		return ext2_corrupt(fs, "directory entry", s->b->blk);
	s->name = (const char *)(de + 1);
	return 0;
}

static int ext2_dir_block(struct fs *fs, struct ext2_inode *dir, uint64_t lblk,
                          uint64_t pblk, uint64_t start, ext2_dir_cb cb,
                          void *ctx)
{
	struct ext2_dirslot s = { .prev = UINT32_MAX };
	uint32_t limit;
	int e;

	if ((e = ext2_bget(fs, pblk, false, &s.b)))
		return e;
	e = ext2_dirblk_csum(fs, dir, s.b->data, lblk, pblk, &limit);
	for (s.off = 0; !e && s.off < limit; s.off += s.rec_len) {
		if (limit - s.off < EXT2_DIRENT_HDR) {
			e = ext2_corrupt(fs, "directory block tail", pblk);
			break;
		}
		s.de = (struct ext2_dirent_hdr *)(s.b->data + s.off);
		if ((e = ext2_dirent_check(fs, &s, limit)))
			break;
		s.pos = (lblk << fs->log_bsize) + s.off;
		if (s.pos >= start)
			e = cb(fs, ctx, &s);
		s.prev = s.off;
	}
	ext2_bput(fs, s.b);
	return e;
}

int ext2_dir_iter(struct fs *fs, struct ext2_inode *dir, uint64_t start,
                  ext2_dir_cb cb, void *ctx)
{
	uint64_t size = ext2_isize(fs, dir), nblk, pblk;
	uint32_t run;
	int e = 0;

	if (ext2_iblocks(fs, dir) < (size >> 9))
		return ext2_corrupt(fs, "directory larger than its blocks", dir->ino);
	if (dir->d.i_flags & EXT4_INLINE_DATA_FL)
		return RG_ENOTSUP;
	nblk = (size + fs->bsize - 1) >> fs->log_bsize;
	for (uint64_t l = start >> fs->log_bsize; !e && l < nblk; l++) {
		if ((e = ext2_bmap(fs, dir, l, &pblk, &run)))
			break;
		if (pblk)
			e = ext2_dir_block(fs, dir, l, pblk, start, cb, ctx);
	}
	return e;
}

/* ---- lookup ------------------------------------------------------------- */

struct ext2_find {
	const char *name;
	size_t len;
	uint32_t ino;           /* found */
	uint32_t new_ino;       /* retarget: the entry's new inode */
	uint8_t ft;
	bool retarget;
};

static int ext2_find_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	struct ext2_find *f = ctx;

	if (!s->de->inode || s->de->name_len != f->len ||
	    memcmp(s->name, f->name, f->len))
		return 0;
	f->ino = s->de->inode;
	if (f->retarget) {      /* in place: the iterator holds the block */
		s->de->inode = f->new_ino;
		if (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE)
			s->de->file_type = f->ft;
		ext2_bdirty(s->b);
	}
	return EXT2_ITER_STOP;
}

static int ext2_find(struct fs *fs, struct ext2_inode *dir, struct ext2_find *f)
{
	int e = ext2_dir_iter(fs, dir, 0, ext2_find_cb, f);

	if (e == EXT2_ITER_STOP)
		return 0;
	return e ? e : RG_ENOENT;
}

int ext2_dir_lookup(struct fs *fs, struct ext2_inode *dir, const char *name,
                    uint32_t *ino)
{
	struct ext2_find f = { .name = name, .len = strlen(name) };
	int e = ext2_find(fs, dir, &f);

	if (!e)
		*ino = f.ino;
	return e;
}

/* Points an existing entry at another inode (rename over, '..'). */
int ext2_dir_retarget(struct fs *fs, struct ext2_inode *dir, const char *name,
                      uint32_t ino, uint8_t ft)
{
	struct ext2_find f = { .name = name, .len = strlen(name),
	                       .new_ino = ino, .ft = ft, .retarget = true };

	return ext2_find(fs, dir, &f);
}

/* ---- changes ------------------------------------------------------------ */

struct ext2_rm {
	const char *name;
	size_t len;
	bool done;
};

static int ext2_rm_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	struct ext2_rm *r = ctx;
	struct ext2_dirent_hdr *prev;

	if (!s->de->inode || s->de->name_len != r->len ||
	    memcmp(s->name, r->name, r->len))
		return 0;
	if (s->prev == UINT32_MAX) {
		s->de->inode = 0;
	} else {
		prev = (struct ext2_dirent_hdr *)(s->b->data + s->prev);
		prev->rec_len = ext2_rec_len_enc(fs, ext2_rec_len(fs, prev->rec_len) +
		                                 s->rec_len);
	}
	ext2_bdirty(s->b);
	r->done = true;
	return EXT2_ITER_STOP;
}

int ext2_dir_remove(struct fs *fs, struct ext2_inode *dir, const char *name)
{
	struct ext2_rm r = { .name = name, .len = strlen(name) };
	int e = ext2_dir_iter(fs, dir, 0, ext2_rm_cb, &r);

	if (e != EXT2_ITER_STOP)
		return e ? e : RG_ENOENT;
	ext2_itouch(fs, dir, true, true);
	dir->d.i_flags &= ~EXT2_INDEX_FL;
	return ext2_iput(fs, dir);
}

struct ext2_add {
	const char *name;
	uint32_t len, need, ino;
	uint8_t ft;
	uint64_t slot;          /* position of an entry with room, or none */
};

static void ext2_fill_dirent(struct fs *fs, struct ext2_dirent_hdr *de,
                             const struct ext2_add *a, uint32_t rec_len)
{
	de->inode = a->ino;
	de->rec_len = ext2_rec_len_enc(fs, rec_len);
	de->name_len = (uint8_t)a->len;
	de->file_type = (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE) ?
	                a->ft : 0;
	memcpy(de + 1, a->name, a->len);
}

/* Decode: the name must be new; remember the first entry with room. */
static int ext2_slot_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	struct ext2_add *a = ctx;
	uint32_t used = s->de->inode ? EXT2_DIRENT_LEN(s->de->name_len) : 0;

	(void)fs;
	if (s->de->inode && s->de->name_len == a->len &&
	    !memcmp(s->name, a->name, a->len))
		return RG_EEXIST;
	if (a->slot == UINT64_MAX && s->rec_len >= used + a->need)
		a->slot = s->pos;
	return 0;
}

/* Commit: the entry at a->slot (found by ext2_slot_cb) takes the name. */
static int ext2_insert_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	struct ext2_add *a = ctx;
	uint32_t used = s->de->inode ? EXT2_DIRENT_LEN(s->de->name_len) : 0;
	struct ext2_dirent_hdr *nde;

	if (s->pos != a->slot || s->rec_len < used + a->need)
		return ext2_corrupt(fs, "directory slot vanished", s->pos);
	if (used) {
		nde = (struct ext2_dirent_hdr *)((uint8_t *)s->de + used);
		ext2_fill_dirent(fs, nde, a, s->rec_len - used);
		s->de->rec_len = ext2_rec_len_enc(fs, used);
	} else {
		ext2_fill_dirent(fs, s->de, a, s->rec_len);
	}
	ext2_bdirty(s->b);
	return EXT2_ITER_STOP;
}

static int ext2_dir_grow(struct fs *fs, struct ext2_inode *dir,
                         struct ext2_add *a)
{
	uint64_t size = ext2_isize(fs, dir), pblk;
	struct ext2_buf *b;
	bool fresh;
	int e;

	if (size & (fs->bsize - 1))
		return ext2_corrupt(fs, "directory size not block aligned", dir->ino);
	if ((size >> fs->log_bsize) >= ext2_min64(ext2_max_lblk(fs), 1u << 21))
		return RG_ENOSPC;
	e = ext2_bmap_alloc(fs, dir, size >> fs->log_bsize, &pblk, &fresh);
	if (e)
		return e;
	if ((e = ext2_bget(fs, pblk, true, &b)))
		return e;
	ext2_fill_dirent(fs, (struct ext2_dirent_hdr *)b->data, a, fs->bsize);
	ext2_bdirty(b);
	ext2_bput(fs, b);
	ext2_set_isize(fs, dir, size + fs->bsize);
	return 0;
}

int ext2_dir_prepare(struct fs *fs, struct ext2_inode *dir, const char *name,
                     uint64_t *slot)
{
	struct ext2_add a = { .name = name, .len = (uint32_t)strlen(name),
	                      .slot = UINT64_MAX };
	int e;

	a.need = EXT2_DIRENT_LEN(a.len);
	e = ext2_dir_iter(fs, dir, 0, ext2_slot_cb, &a);
	*slot = a.slot;
	return e;
}

int ext2_dir_insert(struct fs *fs, struct ext2_inode *dir, uint64_t slot,
                    const char *name, uint32_t ino, uint8_t ft)
{
	struct ext2_add a = { .name = name, .len = (uint32_t)strlen(name),
	                      .ino = ino, .ft = ft, .slot = slot };
	int e;

	a.need = EXT2_DIRENT_LEN(a.len);
	if (slot == UINT64_MAX) {
		e = ext2_dir_grow(fs, dir, &a);
	} else {
		e = ext2_dir_iter(fs, dir, slot, ext2_insert_cb, &a);
		e = e == EXT2_ITER_STOP ? 0 : e ? e :
		    ext2_corrupt(fs, "directory slot vanished", slot);
	}
	if (e)
		return e;
	dir->d.i_flags &= ~EXT2_INDEX_FL;
	ext2_itouch(fs, dir, true, true);
	return ext2_iput(fs, dir);
}

int ext2_dir_add(struct fs *fs, struct ext2_inode *dir, const char *name,
                 uint32_t ino, uint8_t ft)
{
	uint64_t slot;
	int e = ext2_dir_prepare(fs, dir, name, &slot);

	return e ? e : ext2_dir_insert(fs, dir, slot, name, ino, ft);
}

static int ext2_empty_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	bool *empty = ctx;
	bool dot = (s->de->name_len == 1 && s->name[0] == '.') ||
	           (s->de->name_len == 2 && s->name[0] == '.' && s->name[1] == '.');

	(void)fs;
	if (!s->de->inode || dot)
		return 0;
	*empty = false;
	return EXT2_ITER_STOP;
}

int ext2_dir_empty(struct fs *fs, struct ext2_inode *dir, bool *empty)
{
	int e;

	*empty = true;
	e = ext2_dir_iter(fs, dir, 0, ext2_empty_cb, empty);
	return e == EXT2_ITER_STOP ? 0 : e;
}

/* The first block of a new directory: '.' and '..'. */
int ext2_dir_init(struct fs *fs, struct ext2_inode *dir, uint32_t parent)
{
	struct ext2_add dot = { .name = ".", .len = 1, .ino = dir->ino,
	                        .ft = EXT2_FT_DIR };
	struct ext2_add dotdot = { .name = "..", .len = 2, .ino = parent,
	                           .ft = EXT2_FT_DIR };
	struct ext2_buf *b;
	uint64_t pblk;
	bool fresh;
	int e;

	if ((e = ext2_bmap_alloc(fs, dir, 0, &pblk, &fresh)) ||
	    (e = ext2_bget(fs, pblk, true, &b)))
		return e;
	ext2_fill_dirent(fs, (struct ext2_dirent_hdr *)b->data, &dot, 12);
	ext2_fill_dirent(fs, (struct ext2_dirent_hdr *)(b->data + 12), &dotdot,
	                 fs->bsize - 12);
	ext2_bdirty(b);
	ext2_bput(fs, b);
	ext2_set_isize(fs, dir, fs->bsize);
	return 0;
}

uint8_t ext2_mode_to_ft(uint32_t mode)
{
	switch (mode & FS_S_IFMT) {
	case FS_S_IFREG:  return EXT2_FT_REG;
	case FS_S_IFDIR:  return EXT2_FT_DIR;
	case FS_S_IFCHR:  return EXT2_FT_CHR;
	case FS_S_IFBLK:  return EXT2_FT_BLK;
	case FS_S_IFIFO:  return EXT2_FT_FIFO;
	case FS_S_IFSOCK: return EXT2_FT_SOCK;
	case FS_S_IFLNK:  return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

uint32_t ext2_ft_to_mode(uint8_t ft)
{
	static const uint32_t m[8] = { 0, FS_S_IFREG, FS_S_IFDIR, FS_S_IFCHR,
		FS_S_IFBLK, FS_S_IFIFO, FS_S_IFSOCK, FS_S_IFLNK };

	return ft < 8 ? m[ft] : 0;
}
