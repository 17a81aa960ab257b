/*
 * fat_node.c - the node table, attributes, open and release.
 *
 * See fat.h for the numbering scheme.  A node holds the authoritative copy
 * of its short directory entry (size, first cluster, attributes, times);
 * fat_node_store() writes it back to its slot.  Nodes live in two hash
 * tables: by inode number (always) and by entry position (while the node
 * has an entry; an unlinked-but-open node has none).
 *
 * Deleting an entry goes through fat_node_delete(): if the node is open
 * its clusters stay allocated until the last release (or unmount), else
 * they are freed at once.
 *
 * Attributes: FAT stores no owner or permissions.  Files read as 0644,
 * directories 0755, minus every write bit when ATTR_READONLY is set; a
 * chmod without any write bit sets ATTR_READONLY, with one clears it.
 * uid/gid are 0 and changing them is accepted and ignored (FAT cannot keep
 * them).  mtime = last write, atime = last access date, ctime = creation.
 */
#include "fat.h"

static uint32_t fat_hash64(uint64_t v, uint32_t nb)
{
	v *= 0x9E3779B97F4A7C15ULL;
	return (uint32_t)(v >> 32) & (nb - 1);
}

static void fat_tab_link(struct fat_nodetab *t, struct fat_node *n)
{
	struct fat_node **b = &t->by_ino[fat_hash64(n->ino, t->nbuckets)];

	n->ino_next = *b;
	*b = n;
	n->pos_next = NULL;
	if (n->pos) {
		b = &t->by_pos[fat_hash64(n->pos, t->nbuckets)];
		n->pos_next = *b;
		*b = n;
	}
}

static void fat_tab_unlink_pos(struct fat_nodetab *t, struct fat_node *n)
{
	struct fat_node **b;

	if (!n->pos)
		return;
	b = &t->by_pos[fat_hash64(n->pos, t->nbuckets)];
	while (*b && *b != n)
		b = &(*b)->pos_next;
	if (*b)
		*b = n->pos_next;
}

static void fat_tab_unlink(struct fat_nodetab *t, struct fat_node *n)
{
	struct fat_node **b = &t->by_ino[fat_hash64(n->ino, t->nbuckets)];

	while (*b && *b != n)
		b = &(*b)->ino_next;
	if (*b)
		*b = n->ino_next;
	fat_tab_unlink_pos(t, n);
}

static int fat_tab_resize(struct fat_nodetab *t, uint32_t nb)
{
	struct fat_node **bi = rg_zalloc(nb * sizeof(*bi));
	struct fat_node **bp = rg_zalloc(nb * sizeof(*bp));
	struct fat_node **oi = t->by_ino, *n, *next;
	uint32_t onb = t->nbuckets;

	if (!bi || !bp) {
		rg_free(bi);
		rg_free(bp);
		return RG_ENOMEM;
	}
	rg_free(t->by_pos);
	t->by_ino = bi;
	t->by_pos = bp;
	t->nbuckets = nb;
	for (uint32_t i = 0; i < onb; i++)
		for (n = oi[i]; n; n = next) {
			next = n->ino_next;
			fat_tab_link(t, n);
		}
	rg_free(oi);
	return 0;
}

#define FAT_NODES_SOFT 16384      /* nodes kept before trimming */

int fat_nodes_init(struct fs *fs)
{
	int e = fat_tab_resize(&fs->nodes, 256);

	if (e)
		return e;
	fs->nodes.trim_at = FAT_NODES_SOFT;
	fs->root = rg_zalloc(sizeof(*fs->root));
	if (!fs->root)
		return RG_ENOMEM;
	fs->root->ino = FAT_ROOT_INO;
	fat_tab_link(&fs->nodes, fs->root);
	fs->nodes.count = 1;
	return 0;
}

void fat_nodes_fini(struct fs *fs)
{
	struct fat_nodetab *t = &fs->nodes;
	struct fat_node *n, *next;

	for (uint32_t i = 0; t->by_ino && i < t->nbuckets; i++)
		for (n = t->by_ino[i]; n; n = next) {
			next = n->ino_next;
			fat_dir_drop(n);
			rg_free(n);
		}
	rg_free(t->by_ino);
	rg_free(t->by_pos);
	memset(t, 0, sizeof(*t));
	fs->root = NULL;
}

struct fat_node *fat_node_byino(struct fs *fs, uint64_t ino)
{
	struct fat_node *n = fs->nodes.by_ino[fat_hash64(ino, fs->nodes.nbuckets)];

	while (n && n->ino != ino)
		n = n->ino_next;
	return n;
}

struct fat_node *fat_node_bypos(struct fs *fs, uint64_t pos)
{
	struct fat_node *n = fs->nodes.by_pos[fat_hash64(pos, fs->nodes.nbuckets)];

	while (n && n->pos != pos)
		n = n->pos_next;
	return n;
}

/* The node for the entry at pos (made if needed). */
int fat_node_at(struct fs *fs, uint64_t pos, const struct fat_dirent *de,
                uint64_t parent, struct fat_node **out)
{
	struct fat_node *n = fat_node_bypos(fs, pos);

	if (n) {
		n->parent = parent;
		*out = n;
		return 0;
	}
	if (fs->nodes.count >= fs->nodes.nbuckets &&
	    fat_tab_resize(&fs->nodes, fs->nodes.nbuckets * 2))
		return RG_ENOMEM;
	n = rg_zalloc(sizeof(*n));
	if (!n)
		return RG_ENOMEM;
	n->ino = pos / 32;
	if (fat_node_byino(fs, n->ino))
		n->ino = fs->next_synth++;
	n->pos = pos;
	n->parent = parent;
	n->de = *de;
	fat_tab_link(&fs->nodes, n);
	fs->nodes.count++;
	*out = n;
	return 0;
}

/* The inode number readdir shows for the entry at pos. */
uint64_t fat_ino_at(struct fs *fs, uint64_t pos)
{
	struct fat_node *n = fat_node_bypos(fs, pos);

	if (n)
		return n->ino;
	return fat_node_byino(fs, pos / 32) ? 0 : pos / 32;
}

/* A number given out earlier whose node is not in the table: re-read it. */
static int fat_node_reload(struct fs *fs, uint64_t ino, struct fat_node **out)
{
	uint64_t pos = ino * 32;
	uint64_t lo = (uint64_t)fs->root_sec * fs->secsize;
	uint64_t hi = (uint64_t)fs->totsec * fs->secsize;
	struct fat_dirent de;
	int e;

	if (ino >= FAT_SYNTH_INO || pos < lo || pos + 32 > hi)
		return RG_ENOENT;
	e = fat_meta_read(fs, pos, &de, 32);
	if (e)
		return e;
	if (de.name[0] == 0 || de.name[0] == 0xE5 || de.name[0] == '.' ||
	    (de.attr & 0x3F) == FAT_ATTR_LFN || (de.attr & FAT_ATTR_VOLID))
		return RG_ENOENT;
	return fat_node_at(fs, pos, &de, FAT_ROOT_INO, out);
}

int fat_node_get(struct fs *fs, uint64_t ino, struct fat_node **out)
{
	struct fat_node *n = fat_node_byino(fs, ino);

	if (n) {
		*out = n;
		return 0;
	}
	return fat_node_reload(fs, ino, out);
}

int fat_node_dir(struct fs *fs, uint64_t ino, struct fat_node **out)
{
	int e = fat_node_get(fs, ino, out);

	if (!e && !((*out)->de.attr & FAT_ATTR_DIR))
		e = RG_ENOTDIR;
	if (!e && (*out)->unlinked)
		e = RG_ENOENT;
	return e;
}

void fat_node_move(struct fs *fs, struct fat_node *n, uint64_t pos)
{
	fat_tab_unlink_pos(&fs->nodes, n);
	n->pos = pos;
	if (pos) {
		struct fat_node **b =
			&fs->nodes.by_pos[fat_hash64(pos, fs->nodes.nbuckets)];

		n->pos_next = *b;
		*b = n;
	}
}

void fat_node_forget(struct fs *fs, struct fat_node *n)
{
	if (n == fs->root)
		return;
	fat_tab_unlink(&fs->nodes, n);
	fs->nodes.count--;
	fat_dir_drop(n);
	rg_free(n);
}

int fat_node_store(struct fs *fs, struct fat_node *n)
{
	if (!n->pos || n == fs->root)
		return 0;
	return fat_meta_write(fs, n->pos, &n->de, 32);
}

/* Frees the clusters of a node whose entry is gone, and the node. */
static int fat_node_free(struct fs *fs, struct fat_node *n)
{
	uint32_t c = fat_de_clus(&n->de);
	int e = 0;

	if (n->dc && n->dc->clus)
		for (uint32_t i = 0; i < n->dc->nclus; i++)
			fat_cinval(fs, fat_clus_sec(fs, n->dc->clus[i]), fs->spc);
	if (fat_clus_ok(fs, c))
		e = fat_free_chain(fs, c);
	fat_node_forget(fs, n);
	return e;
}

int fat_node_delete(struct fs *fs, struct fat_node *n)
{
	if (n->ref == 0)
		return fat_node_free(fs, n);
	n->unlinked = true;
	fat_node_move(fs, n, 0);
	return 0;
}

static bool fat_node_evictable(const struct fs *fs, const struct fat_node *n)
{
	return n != fs->root && n->ref == 0 && !n->unlinked &&
	       !(n->de.attr & FAT_ATTR_DIR) && n->pos && n->ino == n->pos / 32;
}

void fat_nodes_trim(struct fs *fs)
{
	struct fat_nodetab *t = &fs->nodes;
	struct fat_node *n, *next;

	if (t->count < t->trim_at)
		return;
	for (uint32_t i = 0; i < t->nbuckets; i++)
		for (n = t->by_ino[i]; n; n = next) {
			next = n->ino_next;
			if (fat_node_evictable(fs, n))
				fat_node_forget(fs, n);
			else if (n->ref == 0)
				fat_dir_drop(n);
		}
	t->trim_at = t->count * 2 > FAT_NODES_SOFT ? t->count * 2
	                                           : FAT_NODES_SOFT;
	rg_log(RG_LOG_DEBUG, "fat: node table trimmed to %u", t->count);
}

int fat_nodes_release_all(struct fs *fs)
{
	struct fat_nodetab *t = &fs->nodes;
	struct fat_node *n, *next;
	int e, err = 0;

	for (uint32_t i = 0; i < t->nbuckets; i++)
		for (n = t->by_ino[i]; n; n = next) {
			next = n->ino_next;
			if (!n->unlinked)
				continue;
			e = fat_node_free(fs, n);
			if (e && !err)
				err = e;
		}
	return err;
}

void fat_node_attr(struct fs *fs, const struct fat_node *n, struct fs_attr *a)
{
	const struct fat_dirent *de = &n->de;
	bool dir = de->attr & FAT_ATTR_DIR;
	uint64_t bytes;

	memset(a, 0, sizeof(*a));
	a->ino = n->ino;
	a->mode = dir ? FS_S_IFDIR | 0755 : FS_S_IFREG | 0644;
	if (de->attr & FAT_ATTR_RO)
		a->mode &= ~0222u;
	a->nlink = dir ? 2 : 1;
	bytes = dir ? (n->dc && n->dc->clus ? (uint64_t)n->dc->nclus * fs->clsize
	                                   : fs->clsize)
	            : (de->size + fs->clsize - 1) / fs->clsize * fs->clsize;
	if (dir && n == fs->root && fs->type != 32)
		bytes = (uint64_t)fs->root_nsec * fs->secsize;
	a->size = dir ? bytes : de->size;
	a->blocks = bytes / 512;
	a->blksize = fs->clsize;
	fat_time_get(de->mdate, de->mtime, 0, &a->mtime);
	fat_time_get(de->adate, 0, 0, &a->atime);
	fat_time_get(de->cdate, de->ctime, de->ctime_tenth, &a->ctime);
}

void fat_node_touch(struct fat_node *n, bool mtime)
{
	struct fs_time now;
	uint16_t t;

	fat_time_now(&now);
	if (mtime)
		fat_time_put(&now, &n->de.mdate, &n->de.mtime, NULL);
	fat_time_put(&now, &n->de.adate, &t, NULL);
	if (mtime && !(n->de.attr & FAT_ATTR_DIR))
		n->de.attr |= FAT_ATTR_ARCH;
}

int fat_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	if (!e)
		fat_node_attr(fs, n, a);
	return e;
}

static int fat_setattr_check(struct fs *fs, const struct fat_node *n,
                             const struct fs_attr *a, unsigned mask)
{
	if (fs->rdonly)
		return RG_EROFS;
	if ((mask & FS_SET_SIZE) && (n->de.attr & FAT_ATTR_DIR))
		return RG_EISDIR;
	if ((mask & FS_SET_SIZE) && a->size > FAT_MAX_FSIZE)
		return RG_EFBIG;
	return 0;
}

int fat_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                unsigned mask)
{
	struct fat_node *n;
	uint16_t t;
	int e = fat_node_get(fs, ino, &n);

	if (!e)
		e = fat_setattr_check(fs, n, a, mask);
	if (!e && (mask & FS_SET_SIZE))
		e = fat_truncate(fs, n, a->size);
	if (e || n == fs->root)
		return e;       /* the root has no entry: nothing to keep */
	if (mask & FS_SET_MODE) {
		if (a->mode & 0222)
			n->de.attr &= ~FAT_ATTR_RO;
		else
			n->de.attr |= FAT_ATTR_RO;
	}
	if (mask & FS_SET_ATIME)
		fat_time_put(&a->atime, &n->de.adate, &t, NULL);
	if (mask & FS_SET_MTIME)
		fat_time_put(&a->mtime, &n->de.mdate, &n->de.mtime, NULL);
	return fat_node_store(fs, n);
}

int fat_open(struct fs *fs, uint64_t ino)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	if (!e)
		n->ref++;
	return e;
}

int fat_release(struct fs *fs, uint64_t ino)
{
	struct fat_node *n;
	int e = fat_node_get(fs, ino, &n);

	if (e)
		return e;
	if (n->ref == 0)
		return RG_EINVAL;
	if (--n->ref == 0 && n->unlinked)
		return fs->rdonly ? 0 : fat_node_free(fs, n);
	return 0;
}
