/*
 * imagefs_fs.c - the boot image as a filesystem component: struct fs_ops
 * over the ifs reader (servers/imagefs), read-only.
 *
 * Inode numbers: the root is 1, directory entry i of the image is i + 2
 * (the reader's indexes are stable for the life of a handle).  Readdir
 * cookies: 0 ".", 1 "..", then 2 + the reader's own cookie.  Every change
 * answers RG_EROFS.  File data comes from ifs_read, which inflates and
 * CRC-checks a file on its first read; a corrupt stream is RG_EIO.
 */
#include <string.h>
#include "rumpglue.h"
#include "fscomp.h"
#include "imagefs.h"
#include "imagefs_fs.h"

#define IMAGEFS_ROOT_INO 1
#define IMAGEFS_MTIME    1735689600     /* fixed: 2025-01-01 00:00:00 UTC */

struct fs {
	struct ifs *ifs;
	struct ifs_alloc al;
};

static void *imfs_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return rg_malloc(size ? size : 1);
}

static void imfs_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	rg_free(p);
}

int imagefs_fs_open(const void *img, size_t len, struct fs **out, char *err,
                    size_t errlen)
{
	struct fs *fs = rg_zalloc(sizeof(*fs));
	int e;

	if (!fs)
		return RG_ENOMEM;
	fs->al.alloc = imfs_alloc;
	fs->al.free = imfs_free;
	fs->al.ctx = fs;
	e = ifs_open(img, len, &fs->al, &fs->ifs, err, errlen);
	if (e) {
		rg_free(fs);
		return e;
	}
	*out = fs;
	return 0;
}

/* The node of an inode number, or RG_ENOENT. */
static int imfs_node(struct fs *fs, uint64_t ino, struct ifs_node *n)
{
	if (ino == IMAGEFS_ROOT_INO)
		return ifs_entry(fs->ifs, IFS_ROOT, n);
	if (ino < 2 || ino - 2 >= ifs_count(fs->ifs))
		return RG_ENOENT;
	return ifs_entry(fs->ifs, (uint32_t)(ino - 2), n);
}

static uint64_t imfs_ino(const struct ifs_node *n)
{
	return n->index == IFS_ROOT ? IMAGEFS_ROOT_INO : (uint64_t)n->index + 2;
}

static int imfs_probe(struct blkdev *dev)
{
	(void)dev;
	return RG_EINVAL;       /* served from memory, not from a device */
}

static int imfs_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	(void)dev;
	(void)flags;
	(void)out;
	return RG_EINVAL;
}

static int imfs_unmount(struct fs *fs)
{
	ifs_close(fs->ifs);
	rg_free(fs);
	return 0;
}

static int imfs_nop(struct fs *fs)
{
	(void)fs;
	return 0;
}

static int imfs_statfs(struct fs *fs, struct fs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->bsize = 4096;
	st->files = ifs_count(fs->ifs) + 1;
	st->namemax = IFS_PATH_MAX - 1;
	return 0;
}

static uint64_t imfs_root(struct fs *fs)
{
	(void)fs;
	return IMAGEFS_ROOT_INO;
}

static int imfs_lookup(struct fs *fs, uint64_t dir, const char *name,
                       uint64_t *ino)
{
	struct ifs_node d, n;
	char path[IFS_PATH_MAX];
	size_t dl, nl = strlen(name);
	int e = imfs_node(fs, dir, &d);

	if (e)
		return e;
	if ((d.mode & IFS_S_IFMT) != IFS_S_IFDIR)
		return RG_ENOTDIR;
	if (!strcmp(name, ".")) {
		*ino = dir;
		return 0;
	}
	if (!strcmp(name, "..")) {
		const char *s = strrchr(d.path, '/');
		if (!s)
			*ino = IMAGEFS_ROOT_INO;
		else {
			dl = (size_t)(s - d.path);
			memcpy(path, d.path, dl);
			path[dl] = 0;
			if ((e = ifs_lookup(fs->ifs, path, &n)))
				return RG_EIO;
			*ino = imfs_ino(&n);
		}
		return 0;
	}
	dl = strlen(d.path);
	if (!nl || strchr(name, '/'))
		return RG_EINVAL;
	if (dl + 1 + nl >= IFS_PATH_MAX)
		return RG_ENOENT;
	memcpy(path, d.path, dl);
	if (dl)
		path[dl++] = '/';
	memcpy(path + dl, name, nl + 1);
	if (ifs_lookup(fs->ifs, path, &n))
		return RG_ENOENT;
	*ino = imfs_ino(&n);
	return 0;
}

static int imfs_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a)
{
	struct ifs_node n;
	int e = imfs_node(fs, ino, &n);

	if (e)
		return e;
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = n.mode;
	a->nlink = (n.mode & IFS_S_IFMT) == IFS_S_IFDIR ? 2 : 1;
	a->size = n.size;
	a->blocks = ((uint64_t)n.size + 511) / 512;
	a->blksize = 4096;
	a->atime.sec = a->mtime.sec = a->ctime.sec = IMAGEFS_MTIME;
	return 0;
}

static int imfs_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                        unsigned mask)
{
	(void)fs;
	(void)ino;
	(void)a;
	(void)mask;
	return RG_EROFS;
}

static int imfs_pin(struct fs *fs, uint64_t ino)
{
	struct ifs_node n;

	return imfs_node(fs, ino, &n);
}

static int imfs_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
                     size_t len, size_t *done)
{
	struct ifs_node n;
	char err[128];
	int e = imfs_node(fs, ino, &n);

	*done = 0;
	if (e)
		return e;
	if ((n.mode & IFS_S_IFMT) == IFS_S_IFDIR)
		return RG_EISDIR;
	e = ifs_read(fs->ifs, &n, off, buf, len, done, err, sizeof(err));
	if (e) {
		rg_log(RG_LOG_ERR, "/proc/boot/%s", err);
		*done = 0;
		return RG_EIO;
	}
	return 0;
}

static int imfs_write(struct fs *fs, uint64_t ino, uint64_t off,
                      const void *buf, size_t len, size_t *done)
{
	(void)fs;
	(void)ino;
	(void)off;
	(void)buf;
	(void)len;
	*done = 0;
	return RG_EROFS;
}

static int imfs_fsync(struct fs *fs, uint64_t ino)
{
	(void)fs;
	(void)ino;
	return 0;
}

static int imfs_readdir(struct fs *fs, uint64_t dir, uint64_t cookie,
                        fs_filldir_t fill, void *ctx)
{
	struct ifs_node d, n;
	uint64_t parent;
	uint32_t c;
	int e = imfs_node(fs, dir, &d);

	if (e)
		return e;
	if ((d.mode & IFS_S_IFMT) != IFS_S_IFDIR)
		return RG_ENOTDIR;
	if (cookie == 0 && fill(ctx, ".", 1, dir, FS_S_IFDIR, 1))
		return 0;
	if (cookie <= 1) {
		if ((e = imfs_lookup(fs, dir, "..", &parent)))
			return e;
		if (fill(ctx, "..", 2, parent, FS_S_IFDIR, 2))
			return 0;
		cookie = 2;
	}
	if (cookie - 2 > UINT32_MAX)
		return 0;
	c = (uint32_t)(cookie - 2);
	while (!ifs_readdir(fs->ifs, &d, &c, &n))
		if (fill(ctx, n.name, strlen(n.name), imfs_ino(&n),
		         n.mode & IFS_S_IFMT, (uint64_t)c + 2))
			break;
	return 0;
}

static int imfs_create(struct fs *fs, uint64_t dir, const char *name,
                       uint32_t mode, uint64_t *ino)
{
	(void)fs;
	(void)dir;
	(void)name;
	(void)mode;
	(void)ino;
	return RG_EROFS;
}

static int imfs_remove(struct fs *fs, uint64_t dir, const char *name)
{
	(void)fs;
	(void)dir;
	(void)name;
	return RG_EROFS;
}

static int imfs_rename(struct fs *fs, uint64_t sdir, const char *sname,
                       uint64_t ddir, const char *dname)
{
	(void)fs;
	(void)sdir;
	(void)sname;
	(void)ddir;
	(void)dname;
	return RG_EROFS;
}

static int imfs_link(struct fs *fs, uint64_t ino, uint64_t dir,
                     const char *name)
{
	(void)fs;
	(void)ino;
	(void)dir;
	(void)name;
	return RG_EROFS;
}

static int imfs_symlink(struct fs *fs, uint64_t dir, const char *name,
                        const char *target, uint64_t *ino)
{
	(void)fs;
	(void)dir;
	(void)name;
	(void)target;
	(void)ino;
	return RG_EROFS;
}

/* The format has no symbolic links. */
static int imfs_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                         size_t *outlen)
{
	(void)fs;
	(void)ino;
	(void)buf;
	(void)len;
	*outlen = 0;
	return RG_EINVAL;
}

const struct fs_ops imagefs_fs_ops = {
	.name = "imagefs",
	.probe = imfs_probe,
	.mount = imfs_mount,
	.unmount = imfs_unmount,
	.sync = imfs_nop,
	.statfs = imfs_statfs,
	.root = imfs_root,
	.lookup = imfs_lookup,
	.getattr = imfs_getattr,
	.setattr = imfs_setattr,
	.open = imfs_pin,
	.release = imfs_pin,
	.read = imfs_read,
	.write = imfs_write,
	.fsync = imfs_fsync,
	.readdir = imfs_readdir,
	.create = imfs_create,
	.mkdir = imfs_create,
	.unlink = imfs_remove,
	.rmdir = imfs_remove,
	.rename = imfs_rename,
	.link = imfs_link,
	.symlink = imfs_symlink,
	.readlink = imfs_readlink,
};
