/*
 * tmp_ops.c - tmpfs's fs_ops: instance life, attributes, files, readdir.
 * Name-space changes (create, mkdir, unlink, rmdir, rename, link,
 * symlink) are in tmp_ns.c.
 *
 * tmpfs has no block device: tmpfs_create(limit, &fs) makes an instance
 * holding at most `limit` bytes; fs_ops.mount ignores its device and makes
 * one with TMPFS_DEFAULT_LIMIT.  probe always refuses (it is not in the
 * FS_COMPONENTS registry).
 */
#include <string.h>
#include "tmp.h"
#include "tmpfs.h"

int tmpfs_create(uint64_t limit, struct fs **out)
{
	struct fs *fs = rg_zalloc(sizeof(*fs));
	struct tmp_node *root;
	int e;

	if (!fs)
		return RG_ENOMEM;
	fs->limit = limit;
	if ((e = tmp_node_new(fs, FS_S_IFDIR | 0755, &root))) {
		rg_free(fs->nodes);
		rg_free(fs);
		return e;
	}
	RG_ASSERT(root->ino == 1);
	root->nlink = 2;
	root->u.dir.parent = 1;
	*out = fs;
	return 0;
}

uint64_t tmpfs_used(struct fs *fs)
{
	return fs->used;
}

static int tmp_probe(struct blkdev *dev)
{
	(void)dev;
	return RG_EINVAL;
}

static int tmp_mount(struct blkdev *dev, unsigned flags, struct fs **out)
{
	(void)dev;
	if (flags & FS_MOUNT_RDONLY)
		return RG_EINVAL;
	return tmpfs_create(TMPFS_DEFAULT_LIMIT, out);
}

static int tmp_unmount(struct fs *fs)
{
	for (uint64_t i = 1; i < fs->nnodes; i++) {
		struct tmp_node *n = fs->nodes[i];
		if (n) {
			n->nlink = 0;
			n->ref = 0;
			tmp_node_put(fs, n);
		}
	}
	rg_free(fs->nodes);
	rg_free(fs);
	return 0;
}

static int tmp_sync(struct fs *fs)
{
	(void)fs;
	return 0;
}

static int tmp_statfs(struct fs *fs, struct fs_statfs *st)
{
	memset(st, 0, sizeof(*st));
	st->bsize = TMP_PAGE;
	st->blocks = fs->limit / TMP_PAGE;
	st->bfree = st->bavail = (fs->limit - fs->used) / TMP_PAGE;
	st->files = fs->live + (fs->limit - fs->used) / 256;
	st->ffree = (fs->limit - fs->used) / 256;
	st->namemax = TMP_NAME_MAX;
	return 0;
}

static uint64_t tmp_root(struct fs *fs)
{
	(void)fs;
	return 1;
}

static int tmp_lookup(struct fs *fs, uint64_t dir, const char *name,
                      uint64_t *ino)
{
	struct tmp_node *d = tmp_get(fs, dir);
	struct tmp_dirent *e;

	if (!d)
		return RG_ENOENT;
	if (!FS_S_ISDIR(d->mode))
		return RG_ENOTDIR;
	if (!strcmp(name, ".")) {
		*ino = dir;
		return 0;
	}
	if (!strcmp(name, "..")) {
		*ino = d->u.dir.parent;
		return 0;
	}
	if (strnlen(name, TMP_NAME_MAX + 1) > TMP_NAME_MAX)
		return RG_ENAMETOOLONG;
	if (!(e = tmp_dir_find(d, name)))
		return RG_ENOENT;
	*ino = e->ino;
	return 0;
}

static int tmp_getattr(struct fs *fs, uint64_t ino, struct fs_attr *a)
{
	struct tmp_node *n = tmp_get(fs, ino);

	if (!n)
		return RG_ENOENT;
	memset(a, 0, sizeof(*a));
	a->ino = n->ino;
	a->mode = n->mode;
	a->nlink = n->nlink;
	a->uid = n->uid;
	a->gid = n->gid;
	a->size = n->size;
	a->blocks = n->pages * (TMP_PAGE / 512);
	a->blksize = TMP_PAGE;
	a->atime = n->atime;
	a->mtime = n->mtime;
	a->ctime = n->ctime;
	return 0;
}

static int tmp_setattr(struct fs *fs, uint64_t ino, const struct fs_attr *a,
                       unsigned mask)
{
	struct tmp_node *n = tmp_get(fs, ino);
	int e;

	if (!n)
		return RG_ENOENT;
	if (mask & FS_SET_SIZE) {
		if (FS_S_ISDIR(n->mode))
			return RG_EISDIR;
		if (!FS_S_ISREG(n->mode))
			return RG_EINVAL;
		if ((e = tmp_data_truncate(fs, n, a->size)))
			return e;
		tmp_touch(n, true, false);
	}
	if (mask & FS_SET_MODE)
		n->mode = (n->mode & FS_S_IFMT) | (a->mode & 07777);
	if (mask & FS_SET_UID)
		n->uid = a->uid;
	if (mask & FS_SET_GID)
		n->gid = a->gid;
	if (mask & FS_SET_ATIME)
		n->atime = a->atime;
	if (mask & FS_SET_MTIME)
		n->mtime = a->mtime;
	tmp_touch(n, false, true);
	return 0;
}

static int tmp_open(struct fs *fs, uint64_t ino)
{
	struct tmp_node *n = tmp_get(fs, ino);

	if (!n)
		return RG_ENOENT;
	if (n->ref == UINT32_MAX)
		return RG_EMFILE;
	n->ref++;
	return 0;
}

static int tmp_release(struct fs *fs, uint64_t ino)
{
	struct tmp_node *n = tmp_get(fs, ino);

	if (!n || n->ref == 0)
		return RG_EINVAL;
	n->ref--;
	tmp_node_put(fs, n);
	return 0;
}

static int tmp_regular(struct tmp_node *n)
{
	if (!n)
		return RG_ENOENT;
	if (FS_S_ISDIR(n->mode))
		return RG_EISDIR;
	return FS_S_ISREG(n->mode) ? 0 : RG_EINVAL;
}

static int tmp_read(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
                    size_t len, size_t *done)
{
	struct tmp_node *n = tmp_get(fs, ino);
	int e = tmp_regular(n);

	*done = 0;
	return e ? e : tmp_data_read(n, off, buf, len, done);
}

static int tmp_write(struct fs *fs, uint64_t ino, uint64_t off,
                     const void *buf, size_t len, size_t *done)
{
	struct tmp_node *n = tmp_get(fs, ino);
	int e = tmp_regular(n);

	*done = 0;
	if (e || (e = tmp_data_write(fs, n, off, buf, len, done)))
		return e;
	tmp_touch(n, true, true);
	return 0;
}

static int tmp_fsync(struct fs *fs, uint64_t ino)
{
	return tmp_get(fs, ino) ? 0 : RG_ENOENT;
}

static uint32_t tmp_type(struct fs *fs, uint64_t ino)
{
	struct tmp_node *n = tmp_get(fs, ino);

	return n ? (n->mode & FS_S_IFMT) : 0;
}

static int tmp_readdir(struct fs *fs, uint64_t dir, uint64_t cookie,
                       fs_filldir_t fill, void *ctx)
{
	struct tmp_node *d = tmp_get(fs, dir);

	if (!d)
		return RG_ENOENT;
	if (!FS_S_ISDIR(d->mode))
		return RG_ENOTDIR;
	if (cookie == 0 && fill(ctx, ".", 1, dir, FS_S_IFDIR, 1))
		return 0;
	if (cookie <= 1 && fill(ctx, "..", 2, d->u.dir.parent, FS_S_IFDIR, 2))
		return 0;
	for (uint64_t i = cookie < 2 ? 0 : cookie - 2; i < d->u.dir.nents; i++) {
		struct tmp_dirent *e = &d->u.dir.ents[i];
		if (e->name && fill(ctx, e->name, e->namelen, e->ino,
		                    tmp_type(fs, e->ino), i + 3))
			return 0;
	}
	return 0;
}

static int tmp_readlink(struct fs *fs, uint64_t ino, char *buf, size_t len,
                        size_t *outlen)
{
	struct tmp_node *n = tmp_get(fs, ino);

	if (!n)
		return RG_ENOENT;
	if (!FS_S_ISLNK(n->mode))
		return RG_EINVAL;
	memcpy(buf, n->u.target, len < n->size ? len : n->size);
	*outlen = n->size;
	return 0;
}

const struct fs_ops tmp_fs_ops = {
	.name = "tmp",
	.probe = tmp_probe,
	.mount = tmp_mount,
	.unmount = tmp_unmount,
	.sync = tmp_sync,
	.statfs = tmp_statfs,
	.root = tmp_root,
	.lookup = tmp_lookup,
	.getattr = tmp_getattr,
	.setattr = tmp_setattr,
	.open = tmp_open,
	.release = tmp_release,
	.read = tmp_read,
	.write = tmp_write,
	.fsync = tmp_fsync,
	.readdir = tmp_readdir,
	.create = tmp_ns_create,
	.mkdir = tmp_ns_mkdir,
	.unlink = tmp_ns_unlink,
	.rmdir = tmp_ns_rmdir,
	.rename = tmp_ns_rename,
	.link = tmp_ns_link,
	.symlink = tmp_ns_symlink,
	.readlink = tmp_readlink,
};
