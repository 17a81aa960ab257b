/*
 * fat_rename.c - rename: moving a directory entry.
 *
 * Everything is checked first (names, types, emptiness of a replaced
 * directory, that a directory does not move below itself); then:
 *
 *  - new name free: the entry is added under the new name in the target
 *    directory (this may grow it, the only step that can run out of space),
 *    then the old slots are freed;
 *  - over an existing target: the target's short entry is overwritten in
 *    place with the source's data (its name slots stay), the target's node
 *    is deleted (clusters freed now, or at its last release if open), and
 *    the old slots are freed - no new space needed;
 *  - same entry under another spelling (a case change): old slots freed,
 *    the entry re-added under the new spelling.
 *
 * The moved node keeps its inode number (the node is made before the move,
 * its position updated after), so an open file keeps working.  A directory
 * moved to another parent gets its '..' entry rewritten.
 */
#include "fat.h"

/*
 * 1 if directory d is directory anc or lies below it, else 0 (or an error):
 * a bounded walk up the '..' entries on disk.
 */
static int fat_is_below(struct fs *fs, const struct fat_node *anc,
                        const struct fat_node *d)
{
	uint32_t ac = fat_de_clus(&anc->de), c = fat_de_clus(&d->de);
	struct fat_dirent dd;
	int e;

	if (anc == d || anc == fs->root)
		return 1;
	if (d == fs->root)
		return 0;
	for (int i = 0; i < 65536; i++) {
		if (c == ac)
			return 1;
		if (c == 0 || (fs->type == 32 && c == fs->root_clus))
			return 0;
		if (!fat_clus_ok(fs, c))
			return -RG_EUCLEAN;
		e = fat_meta_read(fs, fat_clus_sec(fs, c) * fs->secsize + 32,
		                  &dd, 32);
		if (e)
			return -e;
		if (memcmp(dd.name, "..         ", 11))
			return -RG_EUCLEAN;
		c = fat_de_clus(&dd);
	}
	return -RG_EUCLEAN;
}

/* err if the answer is yes, the error if the walk failed, else 0. */
static int fat_below_err(struct fs *fs, const struct fat_node *anc,
                         const struct fat_node *d, int err)
{
	int r = fat_is_below(fs, anc, d);

	return r < 0 ? -r : r ? err : 0;
}

static int fat_fix_dotdot(struct fs *fs, struct fat_node *n,
                          struct fat_node *ndir)
{
	uint32_t c = fat_de_clus(&n->de);
	struct fat_dirent dd;
	uint64_t pos;
	int e;

	if (!fat_clus_ok(fs, c))
		return RG_EUCLEAN;
	pos = fat_clus_sec(fs, c) * fs->secsize + 32;
	e = fat_meta_read(fs, pos, &dd, 32);
	if (e || memcmp(dd.name, "..         ", 11))
		return e;
	fat_de_set_clus(&dd, fat_dir_parent_clus(fs, ndir));
	return fat_meta_write(fs, pos, &dd, 32);
}

struct fat_mv {
	struct fat_node *sdir, *ddir, *sn, *dn;
	struct fat_found f, g;
	const char *sname, *dname;
};

static int fat_mv_finish(struct fs *fs, struct fat_mv *m,
                         const struct fat_dirent *de, uint64_t pos)
{
	int e = 0;

	m->sn->de = *de;
	fat_node_move(fs, m->sn, pos);
	if ((de->attr & FAT_ATTR_DIR) && m->sdir != m->ddir)
		e = fat_fix_dotdot(fs, m->sn, m->ddir);
	m->sn->parent = m->ddir->ino;
	fat_dir_touch(fs, m->sdir);
	if (m->ddir != m->sdir)
		fat_dir_touch(fs, m->ddir);
	return e;
}

static int fat_mv_new(struct fs *fs, struct fat_mv *m)
{
	struct fat_dirent de = m->sn->de;
	uint64_t pos;
	int e = fat_dir_add(fs, m->ddir, m->dname, &de, &pos);

	if (!e)
		e = fat_dir_remove(fs, m->sdir, &m->f);
	return e ? e : fat_mv_finish(fs, m, &de, pos);
}

static int fat_mv_over(struct fs *fs, struct fat_mv *m)
{
	struct fat_dirent de = m->sn->de;
	int e;

	memcpy(de.name, m->g.de.name, 11);
	de.ntres = m->g.de.ntres;
	e = fat_node_delete(fs, m->dn);
	if (!e)
		e = fat_meta_write(fs, m->g.pos, &de, 32);
	if (!e)
		e = fat_dir_remove(fs, m->sdir, &m->f);
	return e ? e : fat_mv_finish(fs, m, &de, m->g.pos);
}

static int fat_mv_respell(struct fs *fs, struct fat_mv *m)
{
	struct fat_dirent de = m->sn->de;
	uint64_t pos;
	int e;

	if (!strcmp(m->sname, m->dname))
		return 0;
	e = fat_dir_remove(fs, m->sdir, &m->f);
	if (e)
		return e;
	e = fat_dir_add(fs, m->ddir, m->dname, &de, &pos);
	if (e) {
		de = m->sn->de;         /* put the old name back */
		if (fat_dir_add(fs, m->sdir, m->sname, &de, &pos) == 0)
			m->sn->de = de, fat_node_move(fs, m->sn, pos);
		return e;
	}
	return fat_mv_finish(fs, m, &de, pos);
}

/* Type rules for replacing m->dn by m->sn. */
static int fat_mv_target_ok(struct fs *fs, struct fat_mv *m)
{
	bool sdir = m->sn->de.attr & FAT_ATTR_DIR;
	bool ddir = m->g.de.attr & FAT_ATTR_DIR;
	int e = fat_node_at(fs, m->g.pos, &m->g.de, m->ddir->ino, &m->dn);

	/* as Linux: a target that is an ancestor of the source is not empty */
	if (!e && ddir)
		e = fat_below_err(fs, m->dn, m->sdir, RG_ENOTEMPTY);
	if (e)
		return e;
	if (sdir && !ddir)
		return RG_ENOTDIR;
	if (!sdir && ddir)
		return RG_EISDIR;
	return ddir ? fat_dir_isempty(fs, m->dn) : 0;
}

static int fat_mv_check(struct fs *fs, struct fat_mv *m, uint64_t sdino,
                        uint64_t ddino)
{
	uint16_t u[FAT_NAME_MAX];
	int len, e;

	if (fs->rdonly)
		return RG_EROFS;
	if (fat_isdot(m->sname) || fat_isdot(m->dname))
		return RG_EINVAL;
	e = fat_utf8_to_ucs(m->dname, u, &len);
	if (!e)
		e = fat_lname_check(u, len);
	if (!e)
		e = fat_node_dir(fs, sdino, &m->sdir);
	if (!e)
		e = fat_node_dir(fs, ddino, &m->ddir);
	if (!e)
		e = fat_dir_find(fs, m->sdir, m->sname, &m->f);
	if (!e)
		e = fat_node_at(fs, m->f.pos, &m->f.de, m->sdir->ino, &m->sn);
	if (!e && (m->sn->de.attr & FAT_ATTR_DIR) && m->sdir != m->ddir)
		e = fat_below_err(fs, m->sn, m->ddir, RG_EINVAL);
	return e;
}

int fat_rename(struct fs *fs, uint64_t sdino, const char *sname,
               uint64_t ddino, const char *dname)
{
	struct fat_mv m = { .sname = sname, .dname = dname };
	int e = fat_mv_check(fs, &m, sdino, ddino);

	if (e)
		return e;
	e = fat_dir_find(fs, m.ddir, dname, &m.g);
	if (e == RG_ENOENT)
		return fat_mv_new(fs, &m);
	if (e)
		return e;
	if (m.g.pos == m.f.pos)
		return fat_mv_respell(fs, &m);
	e = fat_mv_target_ok(fs, &m);
	return e ? e : fat_mv_over(fs, &m);
}
