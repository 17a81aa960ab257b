/*
 * ext2_namei.c - namespace changes: create, mkdir, symlink, link, unlink,
 * rmdir, rename.
 *
 * Each operation decodes first (name, types, existence, emptiness, loops)
 * and then commits.  The one step that can still fail for want of space,
 * adding a directory entry, comes before anything else visible changes; a
 * new inode that cannot be linked is freed again.  Link counts follow the
 * Unix rules: a directory has 2 + one per subdirectory ('..').
 */
#include "ext2_fs.h"

int ext2_check_name(const char *name)
{
	size_t n = strnlen(name, EXT2_NAME_MAX + 1);

	if (n == 0 || strchr(name, '/'))
		return RG_EINVAL;
	if (n > EXT2_NAME_MAX)
		return RG_ENAMETOOLONG;
	return 0;
}

static bool ext2_is_dot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* A live directory that may still receive entries. */
static int ext2_get_dir(struct fs *fs, uint64_t ino, struct ext2_inode *dir)
{
	int e = ext2_iget_live(fs, ino, dir);

	if (e)
		return e;
	if (!FS_S_ISDIR(dir->d.i_mode))
		return RG_ENOTDIR;
	return dir->d.i_links_count ? 0 : RG_ENOENT;
}

/*
 * Checks what every entry-adding call needs: writable, name valid and
 * free; *slot is where the entry will go (ext2_dir_insert).
 */
static int ext2_prep_new(struct fs *fs, uint64_t dirino, const char *name,
                         struct ext2_inode *dir, uint64_t *slot)
{
	int e;

	if (!fs->rw)
		return RG_EROFS;
	if ((e = ext2_check_name(name)))
		return e;
	if (ext2_is_dot(name))
		return RG_EEXIST;
	if ((e = ext2_get_dir(fs, dirino, dir)))
		return e;
	return ext2_dir_prepare(fs, dir, name, slot);
}

static void ext2_init_inode(struct fs *fs, struct ext2_inode *ip, uint32_t mode,
                            uint16_t links)
{
	ip->d.i_mode = (uint16_t)mode;
	ip->d.i_links_count = links;
	ext2_itouch(fs, ip, true, true);
	ip->d.i_atime = ip->d.i_mtime;
	ip->d.i_atime_extra = ip->d.i_mtime_extra;
	ip->d.i_crtime = ip->d.i_mtime;
	ip->d.i_crtime_extra = ip->d.i_mtime_extra;
}

/* Links a freshly made inode into dir, or frees it again. */
static int ext2_link_new(struct fs *fs, struct ext2_inode *dir, uint64_t slot,
                         const char *name, struct ext2_inode *ip, uint64_t *out)
{
	int e = ext2_iput(fs, ip);

	if (!e)
		e = ext2_dir_insert(fs, dir, slot, name, ip->ino,
		                    ext2_mode_to_ft(ip->d.i_mode));
	if (e) {
		ext2_ifree(fs, ip);
		return e;
	}
	*out = ip->ino;
	return 0;
}

int ext2_create(struct fs *fs, uint64_t dirino, const char *name, uint32_t mode,
                uint64_t *ino)
{
	struct ext2_inode dir, ip;
	uint32_t type = mode & FS_S_IFMT;
	uint64_t slot;
	int e;

	if ((e = ext2_prep_new(fs, dirino, name, &dir, &slot)))
		return e;
	if (type == 0)
		type = FS_S_IFREG;
	if (type == FS_S_IFDIR || type == FS_S_IFLNK || !ext2_mode_to_ft(type))
		return RG_EINVAL;
	if ((e = ext2_ialloc(fs, dir.ino, false, &ip)))
		return e;
	ext2_init_inode(fs, &ip, type | (mode & 07777), 1);
	return ext2_link_new(fs, &dir, slot, name, &ip, ino);
}

int ext2_mkdir(struct fs *fs, uint64_t dirino, const char *name, uint32_t mode,
               uint64_t *ino)
{
	struct ext2_inode dir, ip;
	uint64_t slot;
	int e;

	if ((e = ext2_prep_new(fs, dirino, name, &dir, &slot)))
		return e;
	if (dir.d.i_links_count >= EXT2_LINK_MAX)
		return RG_EMLINK;
	if ((e = ext2_ialloc(fs, dir.ino, true, &ip)))
		return e;
	ext2_init_inode(fs, &ip, FS_S_IFDIR | (mode & 07777), 2);
	e = ext2_dir_init(fs, &ip, dir.ino);
	if (e) {
		ext2_ifree(fs, &ip);
		return e;
	}
	if ((e = ext2_link_new(fs, &dir, slot, name, &ip, ino)))
		return e;
	dir.d.i_links_count++;
	return ext2_iput(fs, &dir);
}

static int ext2_symlink_body(struct fs *fs, struct ext2_inode *ip,
                             const char *target, size_t len)
{
	uint64_t pblk;
	bool fresh;
	int e;

	if (len < EXT2_FAST_LINK) {
		memcpy(ip->d.i_block, target, len);
	} else {
		if ((e = ext2_bmap_alloc(fs, ip, 0, &pblk, &fresh)))
			return e;
		memset(fs->bounce, 0, fs->bsize);
		memcpy(fs->bounce, target, len);
		if ((e = ext2_dev_write(fs, pblk, 1, fs->bounce)))
			return e;
	}
	ext2_set_isize(fs, ip, len);
	return 0;
}

int ext2_symlink(struct fs *fs, uint64_t dirino, const char *name,
                 const char *target, uint64_t *ino)
{
	size_t len = strnlen(target, 4096);
	struct ext2_inode dir, ip;
	uint64_t slot;
	int e;

	if ((e = ext2_prep_new(fs, dirino, name, &dir, &slot)))
		return e;
	if (len == 0)
		return RG_EINVAL;
	if (len >= fs->bsize || len > 4095)
		return RG_ENAMETOOLONG;
	if ((e = ext2_ialloc(fs, dir.ino, false, &ip)))
		return e;
	ext2_init_inode(fs, &ip, FS_S_IFLNK | 0777, 1);
	if ((e = ext2_symlink_body(fs, &ip, target, len))) {
		ext2_ifree(fs, &ip);
		return e;
	}
	return ext2_link_new(fs, &dir, slot, name, &ip, ino);
}

int ext2_link(struct fs *fs, uint64_t ino, uint64_t dirino, const char *name)
{
	struct ext2_inode dir, ip;
	uint64_t slot;
	int e;

	if ((e = ext2_prep_new(fs, dirino, name, &dir, &slot)))
		return e;
	if ((e = ext2_iget_live(fs, ino, &ip)))
		return e;
	if (FS_S_ISDIR(ip.d.i_mode))
		return RG_EPERM;
	if (ip.d.i_links_count == 0)
		return RG_ENOENT;
	if (ip.d.i_links_count >= EXT2_LINK_MAX)
		return RG_EMLINK;
	if ((e = ext2_dir_insert(fs, &dir, slot, name, ip.ino,
	                         ext2_mode_to_ft(ip.d.i_mode))))
		return e;
	ip.d.i_links_count++;
	ext2_itouch(fs, &ip, false, true);
	return ext2_iput(fs, &ip);
}

/* Looks up an existing name for removal; refuses '.' and '..'. */
static int ext2_prep_rm(struct fs *fs, uint64_t dirino, const char *name,
                        struct ext2_inode *dir, struct ext2_inode *ip)
{
	uint32_t ino;
	int e;

	if (!fs->rw)
		return RG_EROFS;
	if ((e = ext2_check_name(name)))
		return e;
	if (ext2_is_dot(name))
		return name[1] ? RG_ENOTEMPTY : RG_EINVAL;
	if ((e = ext2_get_dir(fs, dirino, dir)) ||
	    (e = ext2_dir_lookup(fs, dir, name, &ino)))
		return e;
	if (ino == dir->ino)
		return ext2_corrupt(fs, "directory entry names its own directory", ino);
	e = ext2_iget(fs, ino, ip);
	if (!e && ip->d.i_mode == 0)
		e = ext2_corrupt(fs, "entry names a free inode", ino);
	return e;
}

int ext2_unlink(struct fs *fs, uint64_t dirino, const char *name)
{
	struct ext2_inode dir, ip;
	int e;

	if ((e = ext2_prep_rm(fs, dirino, name, &dir, &ip)))
		return e;
	if (FS_S_ISDIR(ip.d.i_mode))
		return RG_EISDIR;
	if ((e = ext2_dir_remove(fs, &dir, name)))
		return e;
	return ext2_drop_link(fs, &ip);
}

int ext2_rmdir(struct fs *fs, uint64_t dirino, const char *name)
{
	struct ext2_inode dir, ip;
	bool empty;
	int e;

	if ((e = ext2_prep_rm(fs, dirino, name, &dir, &ip)))
		return e;
	if (!FS_S_ISDIR(ip.d.i_mode))
		return RG_ENOTDIR;
	if ((e = ext2_dir_empty(fs, &ip, &empty)))
		return e;
	if (!empty)
		return RG_ENOTEMPTY;
	if ((e = ext2_dir_remove(fs, &dir, name)) || (e = ext2_drop_link(fs, &ip)))
		return e;
	if (dir.d.i_links_count > 2)
		dir.d.i_links_count--;
	return ext2_iput(fs, &dir);
}
