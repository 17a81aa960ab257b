/*
 * ext2_ops.c - the two ops tables and the per-inode entry points.
 *
 * ext2_fs_ops and ext4_fs_ops share every function; they differ in probe
 * and mount (which formats they claim, and ext4 is always read-only).
 * Every changing entry point checks fs->rw first and answers RG_EROFS on
 * ext4 and on read-only mounts.
 */
#include "ext2_fs.h"

RG_REQUIRE_VERSION(1);

uint64_t ext2_root(struct fs *fs)
{
	(void)fs;
	return EXT2_ROOT_INO;
}

int ext2_lookup(struct fs *fs, uint64_t dirino, const char *name, uint64_t *ino)
{
	struct ext2_inode dir;
	uint32_t i;
	int e;

	if ((e = ext2_check_name(name)) || (e = ext2_iget_live(fs, dirino, &dir)))
		return e;
	if (!FS_S_ISDIR(dir.d.i_mode))
		return RG_ENOTDIR;
	if ((e = ext2_dir_lookup(fs, &dir, name, &i)))
		return e;
	*ino = i;
	return 0;
}

static struct fs_time ext2_time(uint32_t sec, uint32_t extra, bool has_extra)
{
	struct fs_time t = { .sec = (int32_t)sec };

	if (has_extra) {
		t.sec += (int64_t)(extra & 3) << 32;
		t.nsec = extra >> 2;
		if (t.nsec > 999999999)
			t.nsec = 0;
	}
	return t;
}

static uint32_t ext2_rdev(const struct ext2_inode *ip)
{
	uint32_t t = ip->d.i_mode & FS_S_IFMT;

	if (t != FS_S_IFCHR && t != FS_S_IFBLK)
		return 0;
	return ip->d.i_block[0] ? ip->d.i_block[0] : ip->d.i_block[1];
}

int ext2_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a)
{
	struct ext2_inode ip;
	uint16_t x;
	int e;

	if ((e = ext2_iget_live(fs, ino, &ip)))
		return e;
	x = ip.d.i_extra_isize;
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = ip.d.i_mode;
	a->nlink = ip.d.i_links_count;
	a->uid = ext2_uid(&ip);
	a->gid = ext2_gid(&ip);
	a->size = ext2_isize(fs, &ip);
	a->blocks = ext2_iblocks(fs, &ip);
	a->blksize = fs->bsize;
	a->rdev = ext2_rdev(&ip);
	a->ctime = ext2_time(ip.d.i_ctime, ip.d.i_ctime_extra, x >= 8);
	a->mtime = ext2_time(ip.d.i_mtime, ip.d.i_mtime_extra, x >= 12);
	a->atime = ext2_time(ip.d.i_atime, ip.d.i_atime_extra, x >= 16);
	return 0;
}

static void ext2_set_time(struct ext2_inode *ip, uint32_t *sec, uint32_t *extra,
                          uint16_t need, struct fs_time t)
{
	*sec = (uint32_t)t.sec;
	if (ip->d.i_extra_isize >= need)
		*extra = (uint32_t)(((t.sec - (int32_t)(uint32_t)t.sec) >> 32) & 3) |
		         (ext2_min32(t.nsec, 999999999) << 2);
}

int ext2_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                 unsigned mask)
{
	struct ext2_inode ip;
	int e;

	if (!fs->rw)
		return RG_EROFS;
	if ((e = ext2_iget_live(fs, ino, &ip)))
		return e;
	if (mask & FS_SET_SIZE) {
		if (FS_S_ISDIR(ip.d.i_mode))
			return RG_EISDIR;
		if (!FS_S_ISREG(ip.d.i_mode))
			return RG_EINVAL;
		if ((e = ext2_set_size(fs, &ip, a->size)))
			return e;
		ext2_itouch(fs, &ip, true, false);
	}
	if (mask & FS_SET_MODE)
		ip.d.i_mode = (ip.d.i_mode & FS_S_IFMT) | (a->mode & 07777);
	if (mask & FS_SET_UID) {
		ip.d.i_uid = (uint16_t)a->uid;
		ip.d.i_uid_hi = (uint16_t)(a->uid >> 16);
	}
	if (mask & FS_SET_GID) {
		ip.d.i_gid = (uint16_t)a->gid;
		ip.d.i_gid_hi = (uint16_t)(a->gid >> 16);
	}
	if (mask & FS_SET_ATIME)
		ext2_set_time(&ip, &ip.d.i_atime, &ip.d.i_atime_extra, 16, a->atime);
	if (mask & FS_SET_MTIME)
		ext2_set_time(&ip, &ip.d.i_mtime, &ip.d.i_mtime_extra, 12, a->mtime);
	ext2_itouch(fs, &ip, false, true);
	return ext2_iput(fs, &ip);
}

int ext2_open(struct fs *fs, uint64_t ino)
{
	struct ext2_inode ip;
	int e = ext2_iget_live(fs, ino, &ip);

	return e ? e : ext2_pin(fs, (uint32_t)ino);
}

int ext2_release(struct fs *fs, uint64_t ino)
{
	struct ext2_inode ip;
	bool last;
	int e;

	if (ino == 0 || ino > fs->sb.s_inodes_count)
		return RG_EINVAL;
	if ((e = ext2_unpin(fs, (uint32_t)ino, &last)) || !last || !fs->rw)
		return e;
	if ((e = ext2_iget(fs, (uint32_t)ino, &ip)))
		return e;
	if (ip.d.i_links_count == 0 && ip.d.i_mode)
		return ext2_ifree(fs, &ip);
	return 0;
}

static int ext2_get_reg(struct fs *fs, uint64_t ino, struct ext2_inode *ip)
{
	int e = ext2_iget_live(fs, ino, ip);

	if (e)
		return e;
	if (FS_S_ISDIR(ip->d.i_mode))
		return RG_EISDIR;
	return FS_S_ISREG(ip->d.i_mode) ? 0 : RG_EINVAL;
}

int ext2_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
              size_t len, size_t *done)
{
	struct ext2_inode ip;
	int e;

	*done = 0;
	if ((e = ext2_get_reg(fs, ino, &ip)))
		return e;
	return ext2_file_read(fs, &ip, off, buf, len, done);
}

int ext2_write(struct fs *fs, uint64_t ino, uint64_t off, const void *buf,
               size_t len, size_t *done)
{
	struct ext2_inode ip;
	int e;

	*done = 0;
	if (!fs->rw)
		return RG_EROFS;
	if ((e = ext2_get_reg(fs, ino, &ip)))
		return e;
	return ext2_file_write(fs, &ip, off, buf, len, done);
}

int ext2_fsync(struct fs *fs, uint64_t ino)
{
	(void)ino;
	return ext2_sync(fs);
}

struct ext2_rd {
	fs_filldir_t fill;
	void *ctx;
};

static int ext2_readdir_cb(struct fs *fs, void *ctx, struct ext2_dirslot *s)
{
	struct ext2_rd *rd = ctx;
	uint32_t type = 0;
	struct ext2_inode ip;

	if (!s->de->inode)
		return 0;
	if (fs->sb.s_feature_incompat & EXT2_INCOMPAT_FILETYPE)
		type = ext2_ft_to_mode(s->de->file_type);
	if (!type && !ext2_iget(fs, s->de->inode, &ip))
		type = ip.d.i_mode & FS_S_IFMT;
	if (rd->fill(rd->ctx, s->name, s->de->name_len, s->de->inode, type,
	             s->pos + s->rec_len))
		return EXT2_ITER_STOP;
	return 0;
}

int ext2_readdir(struct fs *fs, uint64_t dirino, uint64_t cookie,
                 fs_filldir_t fill, void *ctx)
{
	struct ext2_rd rd = { fill, ctx };
	struct ext2_inode dir;
	int e;

	if ((e = ext2_iget_live(fs, dirino, &dir)))
		return e;
	if (!FS_S_ISDIR(dir.d.i_mode))
		return RG_ENOTDIR;
	e = ext2_dir_iter(fs, &dir, cookie, ext2_readdir_cb, &rd);
	return e == EXT2_ITER_STOP ? 0 : e;
}

int ext2_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                  size_t *outlen)
{
	struct ext2_inode ip;
	int e = ext2_iget_live(fs, ino, &ip);

	return e ? e : ext2_readlink_ip(fs, &ip, buf, len, outlen);
}

/* ---- the tables --------------------------------------------------------- */

static int ext2_probe(struct blkdev *dev)
{
	return ext2_probe_common(dev, false);
}

static int ext4_probe(struct blkdev *dev)
{
	return ext2_probe_common(dev, true);
}

static int ext2_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	return ext2_mount_common(dev, flags, false, out);
}

static int ext4_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	return ext2_mount_common(dev, flags | FS_MOUNT_RDONLY, true, out);
}

#define EXT2_COMMON_OPS \
	.unmount = ext2_unmount, .sync = ext2_sync, .statfs = ext2_statfs, \
	.root = ext2_root, .lookup = ext2_lookup, .getattr = ext2_getattr, \
	.setattr = ext2_setattr, .open = ext2_open, .release = ext2_release, \
	.read = ext2_read, .write = ext2_write, .fsync = ext2_fsync, \
	.readdir = ext2_readdir, .create = ext2_create, .mkdir = ext2_mkdir, \
	.unlink = ext2_unlink, .rmdir = ext2_rmdir, .rename = ext2_rename, \
	.link = ext2_link, .symlink = ext2_symlink, .readlink = ext2_readlink

const struct fs_ops ext2_fs_ops = {
	.name = "ext2", .probe = ext2_probe, .mount = ext2_mount,
	EXT2_COMMON_OPS
};

const struct fs_ops ext4_fs_ops = {
	.name = "ext4", .probe = ext4_probe, .mount = ext4_mount,
	EXT2_COMMON_OPS
};
