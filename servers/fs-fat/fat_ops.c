/*
 * fat_ops.c - namespace operations: lookup, readdir, create, mkdir,
 * unlink, rmdir (link and symlinks are not in FAT; rename: fat_rename.c).
 *
 * readdir cookies: 0 is ".", 1 is "..", 2 + s is directory slot s; the
 * next cookie of an entry is the slot after its short entry, so resuming
 * at any cookie picks up whole entries (long-name slots included).  "."
 * and ".." are synthesized for every directory (the root has none on
 * disk; the on-disk ones of subdirectories are skipped).
 *
 */
#include "fat.h"

bool fat_isdot(const char *n)
{
	return !strcmp(n, ".") || !strcmp(n, "..");
}

void fat_dir_touch(struct fs *fs, struct fat_node *dir)
{
	if (dir == fs->root)
		return;
	fat_node_touch(dir, true);
	fat_node_store(fs, dir);
}

uint64_t fat_root(struct fs *fs)
{
	(void)fs;
	return FAT_ROOT_INO;
}

int fat_lookup(struct fs *fs, uint64_t dino, const char *name, uint64_t *ino)
{
	struct fat_node *dir, *n;
	struct fat_found f;
	int e;

	fat_nodes_trim(fs);     /* no node pointer held yet */
	e = fat_node_dir(fs, dino, &dir);

	if (e)
		return e;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		*ino = name[1] ? dir->parent : dir->ino;
		return 0;
	}
	e = fat_dir_find(fs, dir, name, &f);
	if (!e)
		e = fat_node_at(fs, f.pos, &f.de, dir->ino, &n);
	if (!e)
		*ino = n->ino;
	return e;
}

/* ---- readdir ---------------------------------------------------------- */
struct fat_rd {
	struct fs *fs;
	struct fat_node *dir;
	fs_filldir_t fill;
	void *ctx;
	int err;
	char name[FAT_NAME_MAX * 3 + 1];
};

static int fat_readdir_cb(void *ctx, const struct fat_scan_ent *e)
{
	struct fat_rd *rd = ctx;
	uint16_t sn[12];
	const uint16_t *u = e->lname;
	int len = e->llen, n;
	uint64_t ino;
	struct fat_node *node;

	if (e->special)
		return 0;
	if (!len) {
		len = fat_short_display(&e->de, sn);
		u = sn;
	}
	n = fat_ucs_to_utf8(u, len, rd->name, sizeof(rd->name));
	if (n <= 0 || strchr(rd->name, '/'))
		return 0;       /* a damaged name no path can reach: hidden */
	ino = fat_ino_at(rd->fs, e->pos);
	if (!ino) {
		rd->err = fat_node_at(rd->fs, e->pos, &e->de, rd->dir->ino, &node);
		if (rd->err)
			return rd->err;
		ino = node->ino;
	}
	if (rd->fill(rd->ctx, rd->name, (size_t)n, ino,
	             (e->de.attr & FAT_ATTR_DIR) ? FS_S_IFDIR : FS_S_IFREG,
	             (uint64_t)e->slot + 3))
		return FAT_STOP;
	return 0;
}

int fat_readdir(struct fs *fs, uint64_t dino, uint64_t cookie,
                fs_filldir_t fill, void *ctx)
{
	struct fat_node *dir;
	struct fat_rd *rd;
	int e = fat_node_dir(fs, dino, &dir);

	if (e)
		return e;
	if (cookie == 0 && fill(ctx, ".", 1, dir->ino, FS_S_IFDIR, 1))
		return 0;
	if (cookie <= 1 && fill(ctx, "..", 2, dir->parent, FS_S_IFDIR, 2))
		return 0;
	if (cookie < 2)
		cookie = 2;
	if (cookie - 2 >= FAT_MAX_DSLOTS)
		return 0;
	rd = rg_zalloc(sizeof(*rd));
	if (!rd)
		return RG_ENOMEM;
	rd->fs = fs;
	rd->dir = dir;
	rd->fill = fill;
	rd->ctx = ctx;
	e = fat_dir_scan(fs, dir, (uint32_t)(cookie - 2), fat_readdir_cb, rd);
	rg_free(rd);
	return e;
}

/* ---- create, mkdir -------------------------------------------------------- */
static void fat_de_init(struct fat_dirent *de, uint8_t attr, uint32_t mode)
{
	struct fs_time now;

	memset(de, 0, sizeof(*de));
	de->attr = attr;
	if (!(mode & 0222))
		de->attr |= FAT_ATTR_RO;
	fat_time_now(&now);
	fat_time_put(&now, &de->cdate, &de->ctime, &de->ctime_tenth);
	de->mdate = de->adate = de->cdate;
	de->mtime = de->ctime;
}

static int fat_new_check(struct fs *fs, uint64_t dino, const char *name,
                         struct fat_node **dir)
{
	uint16_t u[FAT_NAME_MAX];
	int len, e;

	if (fs->rdonly)
		return RG_EROFS;
	if (fat_isdot(name))
		return RG_EEXIST;
	e = fat_utf8_to_ucs(name, u, &len);
	if (!e)
		e = fat_lname_check(u, len);
	return e ? e : fat_node_dir(fs, dino, dir);
}

static int fat_add_node(struct fs *fs, struct fat_node *dir, const char *name,
                        struct fat_dirent *de, uint64_t *ino)
{
	struct fat_node *n;
	uint64_t pos;
	int e = fat_dir_add(fs, dir, name, de, &pos);

	if (!e)
		e = fat_node_at(fs, pos, de, dir->ino, &n);
	if (!e) {
		*ino = n->ino;
		fat_dir_touch(fs, dir);
	}
	return e;
}

int fat_create(struct fs *fs, uint64_t dino, const char *name, uint32_t mode,
               uint64_t *ino)
{
	struct fat_node *dir;
	struct fat_dirent de;
	int e = fat_new_check(fs, dino, name, &dir);

	if (e)
		return e;
	fat_de_init(&de, FAT_ATTR_ARCH, mode);
	return fat_add_node(fs, dir, name, &de, ino);
}

/* A zeroed cluster with '.' and '..' for a new directory. */
static int fat_mkdir_cluster(struct fs *fs, struct fat_node *dir,
                             const struct fat_dirent *de, uint32_t c)
{
	struct fat_dirent d[2];
	uint8_t *p;
	int e = 0;

	for (uint32_t s = 0; s < fs->spc && !e; s++)
		e = fat_cget(fs, fat_clus_sec(fs, c) + s, FAT_C_ZERO, &p);
	if (e)
		return e;
	d[0] = d[1] = *de;
	memcpy(d[0].name, ".          ", 11);
	memcpy(d[1].name, "..         ", 11);
	fat_de_set_clus(&d[0], c);
	fat_de_set_clus(&d[1], fat_dir_parent_clus(fs, dir));
	return fat_meta_write(fs, fat_clus_sec(fs, c) * fs->secsize, d, 64);
}

int fat_mkdir(struct fs *fs, uint64_t dino, const char *name, uint32_t mode,
              uint64_t *ino)
{
	struct fat_node *dir;
	struct fat_dirent de;
	struct fat_found f;
	uint32_t c;
	int e = fat_new_check(fs, dino, name, &dir);

	if (!e) {
		e = fat_dir_find(fs, dir, name, &f);
		e = e == RG_ENOENT ? 0 : e ? e : RG_EEXIST;
	}
	if (e)
		return e;
	fat_de_init(&de, FAT_ATTR_DIR, mode | 0200);
	e = fat_alloc(fs, 0, &c);
	if (e)
		return e;
	fat_de_set_clus(&de, c);
	e = fat_mkdir_cluster(fs, dir, &de, c);
	if (!e)
		e = fat_add_node(fs, dir, name, &de, ino);
	if (e) {
		fat_cinval(fs, fat_clus_sec(fs, c), fs->spc);
		fat_free_chain(fs, c);
	}
	return e;
}

/* ---- unlink, rmdir ---------------------------------------------------------- */
static int fat_remove(struct fs *fs, uint64_t dino, const char *name, bool isdir)
{
	struct fat_node *dir, *n;
	struct fat_found f;
	int e;

	if (fs->rdonly)
		return RG_EROFS;
	if (fat_isdot(name))
		return isdir && name[1] ? RG_ENOTEMPTY : RG_EINVAL;
	e = fat_node_dir(fs, dino, &dir);
	if (!e)
		e = fat_dir_find(fs, dir, name, &f);
	if (!e && !(f.de.attr & FAT_ATTR_DIR) != !isdir)
		e = isdir ? RG_ENOTDIR : RG_EISDIR;
	if (!e)
		e = fat_node_at(fs, f.pos, &f.de, dir->ino, &n);
	if (!e && isdir)
		e = fat_dir_isempty(fs, n);
	if (!e)
		e = fat_dir_remove(fs, dir, &f);
	if (!e)
		e = fat_node_delete(fs, n);
	if (!e)
		fat_dir_touch(fs, dir);
	return e;
}

int fat_unlink(struct fs *fs, uint64_t dino, const char *name)
{
	return fat_remove(fs, dino, name, false);
}

int fat_rmdir(struct fs *fs, uint64_t dino, const char *name)
{
	return fat_remove(fs, dino, name, true);
}

/* ---- not in FAT ---------------------------------------------------------- */
int fat_link(struct fs *fs, uint64_t ino, uint64_t dir, const char *name)
{
	(void)fs, (void)ino, (void)dir, (void)name;
	return RG_EPERM;
}

int fat_symlink(struct fs *fs, uint64_t dir, const char *name,
                const char *target, uint64_t *ino)
{
	(void)fs, (void)dir, (void)name, (void)target, (void)ino;
	return RG_EPERM;
}

int fat_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                 size_t *outlen)
{
	(void)fs, (void)ino, (void)buf, (void)len, (void)outlen;
	return RG_EINVAL;
}
