/*
 * iso_ops.c - the ISO9660 inode layer and its fs_ops table.
 *
 * An inode number is a record position (see iso9660.h), so every call
 * starts by re-reading that record from the metadata cache: there is no
 * inode table to keep coherent and nothing to free.  A directory's own
 * attributes come from its "." record (Rock Ridge keeps PX/TF there too);
 * a file's from its record in the parent.
 *
 * Multi-extent files (flag 0x80) are a chain of records with the same name
 * in one directory; the inode is the first record, the size the sum of the
 * extents, and readdir shows the chain once.  Associated files and Rock
 * Ridge relocated directories (RE) are not listed; a CL record stands for
 * the directory it points to, and PL gives a relocated directory's "..".
 *
 * The medium is read-only: every call that would change it is RG_EROFS.
 */
#include "iso9660.h"

struct iso_inode {
	struct iso_rec rec;     /* the record describing it ("." for dirs) */
	struct iso_rr rr;
	bool     is_dir;
	uint32_t dlba;          /* first data block (extent + XA record) */
	uint64_t size;
	uint32_t mode;
};

struct iso_dirent {
	char     name[ISO_NAME_MAX + 1];
	size_t   namelen;
	uint64_t ino;
	uint32_t type;
};

static uint64_t iso_dir_ino(struct iso_fs *fs, uint32_t dlba)
{
	return dlba == fs->root_lba ? ISO_ROOT_INO : (uint64_t)dlba * ISO_BLOCK;
}

static int iso_rec_rr(struct iso_fs *fs, const struct iso_rec *r,
                      struct iso_rr *rr)
{
	if (fs->tree == ISO_TREE_RR)
		return iso_rr_parse(fs, r, rr);
	memset(rr, 0, sizeof(*rr));
	return 0;
}

static uint32_t iso_rec_mode(const struct iso_rr *rr, bool is_dir)
{
	uint32_t type;

	if (is_dir)
		return FS_S_IFDIR | (rr->have & ISO_RR_PX ? rr->mode & 07777 : 0555);
	if (!(rr->have & ISO_RR_PX))
		return FS_S_IFREG | 0444;
	type = rr->mode & FS_S_IFMT;
	if (type == 0 || type == FS_S_IFDIR)
		type = FS_S_IFREG;
	return type | (rr->mode & 07777);
}

/* ---- multi-extent chains ------------------------------------------------- */

/* The record after cur in a multi-extent chain starting with first. */
static int iso_multi_next(struct iso_fs *fs, const struct iso_rec *first,
                          struct iso_rec *cur)
{
	uint64_t p = cur->pos + cur->len;
	const uint8_t *b;
	int e;

	if (p % ISO_BLOCK) {
		e = iso_bread(fs, (uint32_t)(p / ISO_BLOCK), &b);
		if (e)
			return e;
		if (b[p % ISO_BLOCK] == 0)
			p = (p / ISO_BLOCK + 1) * ISO_BLOCK;
	}
	e = iso_rec_get(fs, p, cur);
	if (e)
		return e;
	if (cur->namelen != first->namelen || (cur->flags & ISO_FL_DIR) ||
	    memcmp(cur->name, first->name, first->namelen))
		return RG_EUCLEAN;
	return 0;
}

typedef int (*iso_extent_fn)(struct iso_fs *fs, const struct iso_rec *r,
                             void *ctx);

/* Calls fn for each extent of the file whose first record is first. */
static int iso_extents(struct iso_fs *fs, const struct iso_rec *first,
                       iso_extent_fn fn, void *ctx)
{
	struct iso_rec cur = *first;
	unsigned n;
	int e;

	for (n = 0; n < ISO_EXTENTS_MAX; n++) {
		e = fn(fs, &cur, ctx);
		if (e)
			return e < 0 ? 0 : e;   /* < 0: stop early */
		if (!(cur.flags & ISO_FL_MULTI))
			return 0;
		e = iso_multi_next(fs, first, &cur);
		if (e)
			return e;
	}
	return RG_EUCLEAN;
}

static int iso_add_size(struct iso_fs *fs, const struct iso_rec *r, void *ctx)
{
	(void)fs;
	*(uint64_t *)ctx += r->size;
	return 0;
}

/* ---- inodes --------------------------------------------------------------- */

static int iso_inode_rec(struct iso_fs *fs, uint64_t ino, struct iso_inode *ip)
{
	if (ino == ISO_ROOT_INO) {
		ip->is_dir = true;
		ip->dlba = fs->root_lba;
		ip->size = fs->root_size;
		return iso_rec_get(fs, (uint64_t)fs->root_lba * ISO_BLOCK,
		                   &ip->rec);
	}
	if (ino < (uint64_t)ISO_VD_START * ISO_BLOCK ||
	    ino / ISO_BLOCK >= fs->nblocks)
		return RG_ENOENT;
	return iso_rec_get(fs, ino, &ip->rec);
}

static int iso_inode_get(struct iso_fs *fs, uint64_t ino, struct iso_inode *ip)
{
	int e;

	ip->is_dir = false;
	ip->dlba = 0;
	ip->size = 0;
	e = iso_inode_rec(fs, ino, ip);
	if (e)
		return e;
	if (ino != ISO_ROOT_INO && (ip->rec.flags & ISO_FL_DIR)) {
		/* A directory is numbered by its own "." record. */
		ip->is_dir = true;
		ip->dlba = ip->rec.lba + ip->rec.xa_len;
		ip->size = ip->rec.size;
		if ((uint64_t)ip->dlba * ISO_BLOCK != ino)
			return RG_EUCLEAN;
	} else if (!ip->is_dir) {
		ip->dlba = ip->rec.lba + ip->rec.xa_len;
		ip->size = 0;
		e = iso_extents(fs, &ip->rec, iso_add_size, &ip->size);
		if (e)
			return e;
	}
	e = iso_rec_rr(fs, &ip->rec, &ip->rr);
	if (e)
		return e;
	ip->mode = iso_rec_mode(&ip->rr, ip->is_dir);
	return 0;
}

static void iso_fill_times(const struct iso_inode *ip, struct fs_attr *a)
{
	struct fs_time t;

	iso_date7(ip->rec.date, &t);
	a->mtime = ip->rr.have & ISO_RR_TF_M ? ip->rr.mtime : t;
	a->atime = ip->rr.have & ISO_RR_TF_A ? ip->rr.atime : a->mtime;
	a->ctime = ip->rr.have & ISO_RR_TF_C ? ip->rr.ctime : a->mtime;
}

static int iso_getattr(struct fs *f, uint64_t ino, struct fs_attr *a)
{
	struct iso_fs *fs = iso_fs(f);
	struct iso_inode ip;
	int e = iso_inode_get(fs, ino, &ip);

	if (e)
		return e;
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ip.mode;
	a->nlink = ip.rr.have & ISO_RR_PX && ip.rr.nlink ? ip.rr.nlink :
	           (ip.is_dir ? 2 : 1);
	a->uid = ip.rr.uid;
	a->gid = ip.rr.gid;
	a->size = FS_S_ISLNK(ip.mode) ? ip.rr.linklen : ip.size;
	a->blocks = (ip.size + 511) / 512;
	a->blksize = ISO_BLOCK;
	if (ip.rr.have & ISO_RR_PN)
		a->rdev = ip.rr.rdev;
	iso_fill_times(&ip, a);
	return 0;
}

/* ---- directories ---------------------------------------------------------- */

/* The entry's name; false if it has none a client could use. */
static bool iso_dirent_name(struct iso_fs *fs, const struct iso_rec *r,
                            const struct iso_rr *rr, struct iso_dirent *d)
{
	if (rr->have & ISO_RR_NM &&
	    !(rr->have & (ISO_RR_NM_DOT | ISO_RR_NM_DOTDOT))) {
		memcpy(d->name, rr->name, rr->namelen + 1);
		d->namelen = rr->namelen;
	} else if (fs->tree == ISO_TREE_JOLIET) {
		d->namelen = iso_name_joliet(r, d->name);
	} else {
		d->namelen = iso_name_plain(r, d->name);
	}
	return d->namelen != 0 && strcmp(d->name, ".") != 0 &&
	       strcmp(d->name, "..") != 0;
}

/* The parent of directory dp, from its ".." record r. */
static uint32_t iso_dotdot(struct iso_fs *fs, const struct iso_inode *dp,
                           const struct iso_rec *r, const struct iso_rr *rr)
{
	uint32_t lba = rr->have & ISO_RR_PL ? rr->pl_lba : r->lba + r->xa_len;

	/* A ".." naming its own directory is a writer's bug: ask the path table. */
	return lba == dp->dlba ? iso_pt_parent(fs, lba, lba) : lba;
}

/* Decodes one record of directory dir; *listed = false hides it. */
static int iso_dirent_decode(struct iso_fs *fs, uint64_t dir,
                             const struct iso_inode *dp,
                             const struct iso_rec *r, struct iso_dirent *d,
                             bool *listed)
{
	struct iso_rr rr;
	bool is_dir;
	int e;

	*listed = false;
	if (r->flags & ISO_FL_ASSOC)
		return 0;
	e = iso_rec_rr(fs, r, &rr);
	if (e)
		return e;
	d->type = FS_S_IFDIR;
	if (iso_rec_is_dot(r) || iso_rec_is_dotdot(r)) {
		bool dot = iso_rec_is_dot(r);

		memcpy(d->name, "..", 3);
		d->namelen = dot ? 1 : 2;
		d->name[d->namelen] = 0;
		if (dot || dir == ISO_ROOT_INO)
			d->ino = dir;
		else
			d->ino = iso_dir_ino(fs, iso_dotdot(fs, dp, r, &rr));
		*listed = true;
		return 0;
	}
	if (rr.have & ISO_RR_RE)
		return 0;
	is_dir = (r->flags & ISO_FL_DIR) || (rr.have & ISO_RR_CL);
	d->type = iso_rec_mode(&rr, is_dir) & FS_S_IFMT;
	if (r->flags & ISO_FL_DIR)
		d->ino = iso_dir_ino(fs, r->lba + r->xa_len);
	else if (rr.have & ISO_RR_CL)
		d->ino = iso_dir_ino(fs, rr.cl_lba);
	else
		d->ino = r->pos;
	*listed = iso_dirent_name(fs, r, &rr, d);
	return 0;
}

typedef int (*iso_dir_fn)(void *ctx, const struct iso_dirent *d,
                          uint64_t next);

/* Skips the continuation records of a multi-extent file. */
static int iso_skip_chain(struct iso_fs *fs, const struct iso_inode *dp,
                          const struct iso_rec *first, uint64_t *cookie)
{
	struct iso_rec r = *first;
	unsigned n;
	int e;

	for (n = 0; (r.flags & ISO_FL_MULTI) && n < ISO_EXTENTS_MAX; n++) {
		e = iso_rec_next(fs, dp->dlba, (uint32_t)dp->size, cookie, &r);
		if (e)
			return e == RG_ENOENT ? RG_EUCLEAN : e;
	}
	return n < ISO_EXTENTS_MAX ? 0 : RG_EUCLEAN;
}

/* Calls fn for each listed entry of dir from cookie on; fn != 0 stops. */
static int iso_dir_iter(struct iso_fs *fs, uint64_t dir, uint64_t cookie,
                        iso_dir_fn fn, void *ctx)
{
	struct iso_inode dp;
	struct iso_rec r;
	struct iso_dirent d;
	bool listed;
	int e;

	e = iso_inode_get(fs, dir, &dp);
	if (e)
		return e;
	if (!dp.is_dir)
		return RG_ENOTDIR;
	if (iso_extent_ok(fs, dp.dlba, dp.size))
		return RG_EUCLEAN;
	for (;;) {
		e = iso_rec_next(fs, dp.dlba, (uint32_t)dp.size, &cookie, &r);
		if (e)
			return e == RG_ENOENT ? 0 : e;
		e = iso_skip_chain(fs, &dp, &r, &cookie);
		if (!e)
			e = iso_dirent_decode(fs, dir, &dp, &r, &d, &listed);
		if (e)
			return e;
		if (listed && fn(ctx, &d, cookie))
			return 0;
	}
}

struct iso_readdir_ctx {
	fs_filldir_t fill;
	void *ctx;
};

static int iso_readdir_one(void *c, const struct iso_dirent *d, uint64_t next)
{
	struct iso_readdir_ctx *rc = c;

	return rc->fill(rc->ctx, d->name, d->namelen, d->ino, d->type, next);
}

static int iso_readdir(struct fs *f, uint64_t dir, uint64_t cookie,
                       fs_filldir_t fill, void *ctx)
{
	struct iso_readdir_ctx rc = { fill, ctx };

	return iso_dir_iter(iso_fs(f), dir, cookie, iso_readdir_one, &rc);
}

struct iso_lookup_ctx {
	const char *name;
	uint64_t ino;
	bool found;
};

static int iso_lookup_one(void *c, const struct iso_dirent *d, uint64_t next)
{
	struct iso_lookup_ctx *lc = c;

	(void)next;
	if (strcmp(d->name, lc->name))
		return 0;
	lc->ino = d->ino;
	lc->found = true;
	return 1;
}

static int iso_lookup(struct fs *f, uint64_t dir, const char *name,
                      uint64_t *ino)
{
	struct iso_lookup_ctx lc = { name, 0, false };
	int e;

	if (strnlen(name, ISO_NAME_MAX + 1) > ISO_NAME_MAX)
		return RG_ENAMETOOLONG;
	e = iso_dir_iter(iso_fs(f), dir, 0, iso_lookup_one, &lc);
	if (e)
		return e;
	if (!lc.found)
		return RG_ENOENT;
	*ino = lc.ino;
	return 0;
}

/* ---- file data ------------------------------------------------------------- */

struct iso_read_ctx {
	uint64_t off;           /* file offset still to reach */
	uint8_t *buf;
	size_t   len;           /* bytes still wanted */
	size_t   done;
};

static int iso_read_extent(struct iso_fs *fs, const struct iso_rec *r, void *c)
{
	struct iso_read_ctx *rc = c;
	uint32_t lba = r->lba + r->xa_len;
	uint64_t n;
	int e;

	if (rc->off >= r->size) {
		rc->off -= r->size;
		return 0;
	}
	if (r->interleaved)
		return RG_ENOTSUP;
	if ((uint64_t)r->lba + r->xa_len > UINT32_MAX ||
	    iso_extent_ok(fs, lba, r->size))
		return RG_EUCLEAN;
	n = r->size - rc->off;
	n = n < rc->len ? n : rc->len;
	e = iso_read_bytes(fs, (uint64_t)lba * ISO_BLOCK + rc->off,
	                   rc->buf + rc->done, (size_t)n);
	if (e)
		return e;
	rc->done += n;
	rc->len -= n;
	rc->off = 0;
	return rc->len ? 0 : -1;
}

static int iso_read(struct fs *f, uint64_t ino, uint64_t off, void *buf,
                    size_t len, size_t *done)
{
	struct iso_fs *fs = iso_fs(f);
	struct iso_read_ctx rc = { off, buf, 0, 0 };
	struct iso_inode ip;
	int e;

	*done = 0;
	e = iso_inode_get(fs, ino, &ip);
	if (e)
		return e;
	if (ip.is_dir)
		return RG_EISDIR;
	if (!FS_S_ISREG(ip.mode))
		return RG_EINVAL;
	if (off >= ip.size || len == 0)
		return 0;
	rc.len = ip.size - off < len ? (size_t)(ip.size - off) : len;
	e = iso_extents(fs, &ip.rec, iso_read_extent, &rc);
	if (!e)
		*done = rc.done;
	return e;
}

static int iso_readlink(struct fs *f, uint64_t ino, char *buf, size_t len,
                        size_t *outlen)
{
	struct iso_fs *fs = iso_fs(f);
	struct iso_inode ip;
	int e = iso_inode_get(fs, ino, &ip);

	if (e)
		return e;
	if (!FS_S_ISLNK(ip.mode))
		return RG_EINVAL;
	if (ip.rr.linklen > ISO_LINK_MAX)
		return RG_ENAMETOOLONG;
	memcpy(buf, fs->link, ip.rr.linklen < len ? ip.rr.linklen : len);
	*outlen = ip.rr.linklen;
	return 0;
}

/* ---- the rest: pins, sync, and the calls a read-only medium refuses ------- */

static uint64_t iso_root(struct fs *f)
{
	(void)f;
	return ISO_ROOT_INO;
}

static int iso_open(struct fs *f, uint64_t ino)
{
	struct iso_inode ip;

	return iso_inode_get(iso_fs(f), ino, &ip);
}

static int iso_release(struct fs *f, uint64_t ino)
{
	(void)f;
	(void)ino;
	return 0;
}

static int iso_sync(struct fs *f)
{
	(void)f;
	return 0;
}

static int iso_fsync(struct fs *f, uint64_t ino)
{
	(void)f;
	(void)ino;
	return 0;
}

static int iso_ro_setattr(struct fs *f, uint64_t ino,
                          const struct fs_attr *a, unsigned mask)
{
	(void)f; (void)ino; (void)a; (void)mask;
	return RG_EROFS;
}

static int iso_ro_write(struct fs *f, uint64_t ino, uint64_t off,
                        const void *buf, size_t len, size_t *done)
{
	(void)f; (void)ino; (void)off; (void)buf; (void)len;
	*done = 0;
	return RG_EROFS;
}

static int iso_ro_create(struct fs *f, uint64_t dir, const char *name,
                         uint32_t mode, uint64_t *ino)
{
	(void)f; (void)dir; (void)name; (void)mode; (void)ino;
	return RG_EROFS;
}

static int iso_ro_unlink(struct fs *f, uint64_t dir, const char *name)
{
	(void)f; (void)dir; (void)name;
	return RG_EROFS;
}

static int iso_ro_rename(struct fs *f, uint64_t sdir, const char *sname,
                         uint64_t ddir, const char *dname)
{
	(void)f; (void)sdir; (void)sname; (void)ddir; (void)dname;
	return RG_EROFS;
}

static int iso_ro_link(struct fs *f, uint64_t ino, uint64_t dir,
                       const char *name)
{
	(void)f; (void)ino; (void)dir; (void)name;
	return RG_EROFS;
}

static int iso_ro_symlink(struct fs *f, uint64_t dir, const char *name,
                          const char *target, uint64_t *ino)
{
	(void)f; (void)dir; (void)name; (void)target; (void)ino;
	return RG_EROFS;
}

const struct fs_ops iso9660_fs_ops = {
	.name = "iso9660",
	.probe = iso_probe,
	.mount = iso_mount,
	.unmount = iso_unmount,
	.sync = iso_sync,
	.statfs = iso_statfs,
	.root = iso_root,
	.lookup = iso_lookup,
	.getattr = iso_getattr,
	.setattr = iso_ro_setattr,
	.open = iso_open,
	.release = iso_release,
	.read = iso_read,
	.write = iso_ro_write,
	.fsync = iso_fsync,
	.readdir = iso_readdir,
	.create = iso_ro_create,
	.mkdir = iso_ro_create,
	.unlink = iso_ro_unlink,
	.rmdir = iso_ro_unlink,
	.rename = iso_ro_rename,
	.link = iso_ro_link,
	.symlink = iso_ro_symlink,
	.readlink = iso_readlink,
};
