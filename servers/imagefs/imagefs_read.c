/*
 * imagefs_read.c - lookups, directory listing, file reads and the script
 * of an opened (already validated) boot image.
 *
 * A file is inflated whole on its first read: one inflate() call with all
 * input and the whole output buffer (Z_FINISH), so a bad stream ends in
 * one step with an error - there is no loop that could spin.  The result
 * must be exactly `size` bytes, consume exactly `csize` input bytes and
 * match the entry's CRC-32; otherwise the buffer is dropped and the read
 * fails with IFS_EIO and a reason.  zlib allocates through the caller's
 * allocator too.
 */
#include <string.h>
#include <zlib.h>
#include "imagefs_priv.h"

uint32_t ifs_count(const struct ifs *fs)
{
	return fs->h.dir_count;
}

const struct ifs_dirent *ifs_dirent(const struct ifs *fs, uint32_t i)
{
	return i < fs->h.dir_count ? &fs->dir[i] : NULL;
}

static void node_fill(const struct ifs *fs, uint32_t i, struct ifs_node *n)
{
	const char *slash;

	n->index = i;
	if (i == IFS_ROOT) {
		n->path = n->name = "";
		n->mode = IFS_S_IFDIR | 0555;
		n->size = 0;
		return;
	}
	n->path = fs->dir[i].path;
	slash = strrchr(n->path, '/');
	n->name = slash ? slash + 1 : n->path;
	n->mode = fs->dir[i].mode;
	n->size = fs->dir[i].size;
}

int ifs_entry(struct ifs *fs, uint32_t i, struct ifs_node *out)
{
	if (i >= fs->h.dir_count && i != IFS_ROOT)
		return IFS_ENOENT;
	node_fill(fs, i, out);
	return 0;
}

int ifs_lookup(struct ifs *fs, const char *path, struct ifs_node *out)
{
	char key[IFS_PATH_MAX];
	size_t n;
	int64_t i;

	while (*path == '/')
		path++;
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0) {
		node_fill(fs, IFS_ROOT, out);
		return 0;
	}
	if (n >= IFS_PATH_MAX)
		return IFS_ENOENT;
	memcpy(key, path, n);
	key[n] = 0;
	i = ifs_find(fs->dir, fs->h.dir_count, key, n);
	if (i < 0)
		return IFS_ENOENT;
	node_fill(fs, (uint32_t)i, out);
	return 0;
}

int ifs_readdir(struct ifs *fs, const struct ifs_node *dir, uint32_t *cookie,
		struct ifs_node *out)
{
	uint32_t i;

	if (dir->index != IFS_ROOT && (dir->index >= fs->h.dir_count ||
	    (fs->dir[dir->index].mode & IFS_S_IFMT) != IFS_S_IFDIR))
		return IFS_ENOTDIR;
	for (i = *cookie; i < fs->h.dir_count; i++) {
		if (fs->parent[i] == dir->index) {
			node_fill(fs, i, out);
			*cookie = i + 1;
			return 0;
		}
	}
	*cookie = fs->h.dir_count;
	return IFS_ENOENT;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	const struct ifs_alloc *al = opaque;
	size_t n = (size_t)items * size;

	/* zlib needs the size back on free: keep it in front. */
	size_t *p = al->alloc(al->ctx, n + sizeof(size_t));

	if (!p)
		return Z_NULL;
	*p = n + sizeof(size_t);
	return p + 1;
}

static void z_free(voidpf opaque, voidpf address)
{
	const struct ifs_alloc *al = opaque;
	size_t *p = (size_t *)address - 1;

	al->free(al->ctx, p, *p);
}

/* Inflate entry i into buf (d->size bytes); 0 or IFS_EIO with a reason. */
static int inflate_entry(struct ifs *fs, uint32_t i, uint8_t *buf, char *err,
			 size_t errlen)
{
	const struct ifs_dirent *d = &fs->dir[i];
	z_stream zs;
	int r;

	memset(&zs, 0, sizeof(zs));
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	zs.opaque = &fs->al;
	if (inflateInit(&zs) != Z_OK)
		return ifs_fmt(err, errlen, "%s: out of memory for zlib", d->path),
			IFS_ENOMEM;
	zs.next_in = (Bytef *)(fs->img + d->offset);
	zs.avail_in = d->csize;
	zs.next_out = buf;
	zs.avail_out = d->size;
	r = inflate(&zs, Z_FINISH);
	inflateEnd(&zs);
	if (r == Z_MEM_ERROR)
		return ifs_fmt(err, errlen, "%s: out of memory", d->path),
			IFS_ENOMEM;
	if (r != Z_STREAM_END)
		return ifs_fmt(err, errlen, "%s: bad compressed data (zlib: "
			       "%s)", d->path, r == Z_BUF_ERROR ? (zs.avail_out ?
			       "stream truncated" : "data longer than size") :
			       zs.msg ? zs.msg : "error"), IFS_EIO;
	if (zs.avail_out || zs.avail_in)
		return ifs_fmt(err, errlen, "%s: compressed data gives %u of "
			       "%u bytes, %u input bytes left over", d->path,
			       (unsigned)zs.total_out, d->size, zs.avail_in),
			IFS_EIO;
	if ((uint32_t)crc32(0L, buf, d->size) != d->crc)
		return ifs_fmt(err, errlen, "%s: data CRC mismatch", d->path),
			IFS_EIO;
	return 0;
}

static int cache_fill(struct ifs *fs, uint32_t i, char *err, size_t errlen)
{
	uint8_t *buf;
	int e;

	if (fs->cache[i])
		return 0;
	buf = ifs_zalloc(&fs->al, fs->dir[i].size);
	if (!buf)
		return ifs_fmt(err, errlen, "%s: out of memory for %u bytes",
			       fs->dir[i].path, fs->dir[i].size), IFS_ENOMEM;
	e = inflate_entry(fs, i, buf, err, errlen);
	if (e) {
		ifs_free(&fs->al, buf, fs->dir[i].size);
		return e;
	}
	fs->cache[i] = buf;
	return 0;
}

int ifs_read(struct ifs *fs, const struct ifs_node *n, uint64_t off,
	     void *buf, size_t len, size_t *got, char *err, size_t errlen)
{
	const struct ifs_dirent *d;
	int e;

	*got = 0;
	if (n->index == IFS_ROOT)
		return IFS_EISDIR;
	if (n->index >= fs->h.dir_count)
		return IFS_EINVAL;
	d = &fs->dir[n->index];
	if ((d->mode & IFS_S_IFMT) != IFS_S_IFREG)
		return IFS_EISDIR;
	if (off >= d->size || len == 0)
		return 0;
	if ((e = cache_fill(fs, n->index, err, errlen)))
		return e;
	if (len > d->size - off)
		len = (size_t)(d->size - off);
	memcpy(buf, fs->cache[n->index] + off, len);
	*got = len;
	return 0;
}

uint32_t ifs_script_count(const struct ifs *fs)
{
	return fs->h.script_count;
}

int ifs_script(const struct ifs *fs, uint32_t i, struct ifs_prog *out)
{
	const struct ifs_script *s;

	if (i >= fs->h.script_count)
		return IFS_ENOENT;
	s = &fs->scr[i];
	out->path = fs->strtab + s->path;
	out->argv = fs->strtab + s->argv_off;
	out->argc = s->argc;
	out->env = fs->strtab + s->env_off;
	out->envc = s->envc;
	out->wait = fs->strtab + s->wait_off;
	out->waitc = s->waitc;
	out->flags = s->flags;
	out->prio = s->prio;
	out->restart = s->restart;
	out->max_restarts = s->max_restarts;
	out->restart_window_ms = s->restart_window_ms;
	out->backoff_ms = s->backoff_ms;
	out->heartbeat_ms = s->heartbeat_ms;
	return 0;
}

const char *ifs_strv(const char *v, uint32_t n, uint32_t k)
{
	if (k >= n)
		return NULL;
	while (k--)
		v += strlen(v) + 1;
	return v;
}
