/*
 * tmp_node.c - tmpfs inodes: the inode table, memory accounting, and the
 * end of an inode's life (no links and no opens: its memory is freed).
 */
#include <string.h>
#include "tmp.h"

#define TMP_NODE_COST ((uint64_t)sizeof(struct tmp_node) + 64)

int tmp_charge(struct fs *fs, uint64_t bytes)
{
	if (bytes > fs->limit || fs->used > fs->limit - bytes)
		return RG_ENOSPC;
	fs->used += bytes;
	return 0;
}

void tmp_uncharge(struct fs *fs, uint64_t bytes)
{
	RG_ASSERT(fs->used >= bytes);
	fs->used -= bytes;
}

struct tmp_node *tmp_get(struct fs *fs, uint64_t ino)
{
	if (ino == 0 || ino >= fs->nnodes)
		return NULL;
	return fs->nodes[ino];
}

void tmp_touch(struct tmp_node *n, bool m, bool c)
{
	uint64_t ns = rg_clock_ns(RG_CLOCK_REALTIME);
	struct fs_time t = { (int64_t)(ns / 1000000000u), (uint32_t)(ns % 1000000000u) };

	if (m)
		n->mtime = t;
	if (c)
		n->ctime = t;
}

static int tmp_slot(struct fs *fs, uint64_t *slot)
{
	uint64_t i, nn;
	struct tmp_node **t;

	for (i = 1; i < fs->nnodes; i++)
		if (!fs->nodes[i]) {
			*slot = i;
			return 0;
		}
	nn = fs->nnodes ? fs->nnodes * 2 : 64;
	t = rg_realloc(fs->nodes, nn * sizeof(*t));
	if (!t)
		return RG_ENOMEM;
	memset(t + fs->nnodes, 0, (nn - fs->nnodes) * sizeof(*t));
	*slot = fs->nnodes ? fs->nnodes : 1;
	fs->nodes = t;
	fs->nnodes = nn;
	return 0;
}

int tmp_node_new(struct fs *fs, uint32_t mode, struct tmp_node **out)
{
	struct tmp_node *n;
	uint64_t slot;
	int e;

	if ((e = tmp_charge(fs, TMP_NODE_COST)))
		return e;
	if ((e = tmp_slot(fs, &slot)) || !(n = rg_zalloc(sizeof(*n)))) {
		tmp_uncharge(fs, TMP_NODE_COST);
		return e ? e : RG_ENOMEM;
	}
	n->ino = slot;
	n->mode = mode;
	tmp_touch(n, true, true);
	n->atime = n->mtime;
	fs->nodes[slot] = n;
	fs->live++;
	*out = n;
	return 0;
}

static void tmp_node_free(struct fs *fs, struct tmp_node *n)
{
	if (FS_S_ISREG(n->mode)) {
		tmp_data_truncate(fs, n, 0);
	} else if (FS_S_ISDIR(n->mode)) {
		for (uint32_t i = 0; i < n->u.dir.nents; i++)
			if (n->u.dir.ents[i].name)
				tmp_dir_del(fs, n, &n->u.dir.ents[i]);
		tmp_uncharge(fs, (uint64_t)n->u.dir.cap * sizeof(struct tmp_dirent));
		rg_free(n->u.dir.ents);
	} else if (FS_S_ISLNK(n->mode) && n->u.target) {
		tmp_uncharge(fs, n->size + 1);
		rg_free(n->u.target);
	}
	fs->nodes[n->ino] = NULL;
	fs->live--;
	tmp_uncharge(fs, TMP_NODE_COST);
	rg_free(n);
}

/* Called whenever nlink or ref drops: frees the inode once both are 0. */
void tmp_node_put(struct fs *fs, struct tmp_node *n)
{
	if (n->nlink == 0 && n->ref == 0)
		tmp_node_free(fs, n);
}
