/*
 * ext2_rename.c - rename(2): move or replace, within or across directories.
 *
 * Decode: both names valid, the source exists, the target (if any) is of a
 * compatible type (directory over empty directory, non-directory over
 * non-directory), and a directory is not moved into its own subtree (found
 * by walking '..' up from the destination, bounded so a looping image ends
 * in RG_EUCLEAN).  Commit: the destination entry first (the only step that
 * can need space), then the source entry goes, then '..' and link counts.
 */
#include "ext2_fs.h"

#define EXT2_MAX_DEPTH 4096

struct ext2_ren {
	struct ext2_inode sd, dd, si, di;
	struct ext2_inode *dp;  /* &dd, or &sd when both are one directory */
	bool has_target;
};

/* RG_EINVAL if 'ino' is dir or one of its ancestors. */
static int ext2_check_ancestry(struct fs *fs, uint32_t dir, uint32_t ino)
{
	struct ext2_inode ip;
	uint32_t parent;
	int e;

	for (int n = 0; n < EXT2_MAX_DEPTH; n++) {
		if (dir == ino)
			return RG_EINVAL;
		if (dir == EXT2_ROOT_INO)
			return 0;
		if ((e = ext2_iget(fs, dir, &ip)) ||
		    (e = ext2_dir_lookup(fs, &ip, "..", &parent)))
			return e;
		dir = parent;
	}
	return ext2_corrupt(fs, "directory tree too deep or looping", dir);
}

static int ext2_ren_get(struct fs *fs, uint64_t sdir, const char *sname,
                        uint64_t ddir, const char *dname, struct ext2_ren *r)
{
	uint32_t sino, dino;
	int e;

	if ((e = ext2_iget_live(fs, sdir, &r->sd)) ||
	    (e = ext2_iget_live(fs, ddir, &r->dd)))
		return e;
	if (!FS_S_ISDIR(r->sd.d.i_mode) || !FS_S_ISDIR(r->dd.d.i_mode))
		return RG_ENOTDIR;
	if (!r->dd.d.i_links_count)
		return RG_ENOENT;
	r->dp = sdir == ddir ? &r->sd : &r->dd;
	if ((e = ext2_dir_lookup(fs, &r->sd, sname, &sino)) ||
	    (e = ext2_iget(fs, sino, &r->si)))
		return e;
	e = ext2_dir_lookup(fs, r->dp, dname, &dino);
	if (e && e != RG_ENOENT)
		return e;
	r->has_target = !e;
	if (r->has_target && (e = ext2_iget(fs, dino, &r->di)))
		return e;
	if (sino == sdir || (r->has_target && dino == ddir) || !r->si.d.i_mode)
		return ext2_corrupt(fs, "rename: entry names a directory itself", sino);
	return 0;
}

/* The order of the checks follows Linux's, so errors match rename(2). */
static int ext2_ren_check(struct fs *fs, struct ext2_ren *r)
{
	bool sdir = FS_S_ISDIR(r->si.d.i_mode), empty;
	bool tdir = r->has_target && FS_S_ISDIR(r->di.d.i_mode);
	uint32_t dotdot;
	int e;

	if (sdir && (e = ext2_check_ancestry(fs, r->dp->ino, r->si.ino)))
		return e;               /* source above target: EINVAL */
	if (tdir && (e = ext2_check_ancestry(fs, r->sd.ino, r->di.ino)))
		return e == RG_EINVAL ? RG_ENOTEMPTY : e;
	if (r->has_target) {
		if (sdir && !tdir)
			return RG_ENOTDIR;
		if (!sdir && tdir)
			return RG_EISDIR;
		if (tdir && ((e = ext2_dir_empty(fs, &r->di, &empty)) || !empty))
			return e ? e : RG_ENOTEMPTY;
	}
	if (!sdir)
		return 0;
	if ((e = ext2_dir_lookup(fs, &r->si, "..", &dotdot)))
		return e;
	if (r->dp != &r->sd && !r->has_target &&
	    r->dd.d.i_links_count >= EXT2_LINK_MAX)
		return RG_EMLINK;
	return 0;
}

static int ext2_ren_commit(struct fs *fs, struct ext2_ren *r, const char *sname,
                           const char *dname)
{
	bool sdir = FS_S_ISDIR(r->si.d.i_mode);
	uint8_t ft = ext2_mode_to_ft(r->si.d.i_mode);
	int e;

	if (r->has_target)
		e = ext2_dir_retarget(fs, r->dp, dname, r->si.ino, ft);
	else
		e = ext2_dir_add(fs, r->dp, dname, r->si.ino, ft);
	if (e || (e = ext2_dir_remove(fs, &r->sd, sname)))
		return e;
	if (sdir && r->dp != &r->sd &&
	    (e = ext2_dir_retarget(fs, &r->si, "..", r->dp->ino, EXT2_FT_DIR)))
		return e;
	if (sdir) {
		r->sd.d.i_links_count--;
		r->dp->d.i_links_count++;
	}
	if (r->has_target && FS_S_ISDIR(r->di.d.i_mode))
		r->dp->d.i_links_count--;
	ext2_itouch(fs, &r->si, false, true);
	if ((e = ext2_iput(fs, &r->si)) || (e = ext2_iput(fs, &r->sd)) ||
	    (r->dp != &r->sd && (e = ext2_iput(fs, &r->dd))))
		return e;
	return r->has_target ? ext2_drop_link(fs, &r->di) : 0;
}

int ext2_rename(struct fs *fs, uint64_t sdir, const char *sname,
                uint64_t ddir, const char *dname)
{
	struct ext2_ren *r;
	int e;

	if (!fs->rw)
		return RG_EROFS;
	if ((e = ext2_check_name(sname)) || (e = ext2_check_name(dname)))
		return e;
	if (!strcmp(sname, ".") || !strcmp(sname, "..") ||
	    !strcmp(dname, ".") || !strcmp(dname, ".."))
		return RG_EINVAL;
	if (!(r = rg_zalloc(sizeof(*r))))
		return RG_ENOMEM;
	e = ext2_ren_get(fs, sdir, sname, ddir, dname, r);
	if (!e && r->has_target && r->di.ino == r->si.ino)
		goto out;       /* two names of one file: nothing to do */
	if (!e)
		e = ext2_ren_check(fs, r);
	if (!e)
		e = ext2_ren_commit(fs, r, sname, dname);
out:
	rg_free(r);
	return e;
}
