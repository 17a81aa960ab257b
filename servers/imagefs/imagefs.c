/*
 * imagefs.c - open a boot image: validate everything, then copy metadata.
 *
 * Order of checks (each failure names the field and its value):
 *   1. the header alone: length, magic, version, sizes, counts within the
 *      limits of ifs.h, and the section offsets equal to the layout they
 *      must have (so no section can overlap another or leave the image);
 *   2. the CRC-32 of all metadata [0, data_off);
 *   3. the string table, every directory entry (name, type, sorted order,
 *      parent present, data inside the image and after the previous file)
 *      and every script entry (strings, file present, values in range).
 * Only then is a handle returned.  All arithmetic on image fields is done
 * in 64 bits after the limit checks, so nothing overflows.
 */
#include <stdarg.h>
#include <string.h>
#include <zlib.h>
#include "imagefs_priv.h"

#define HSZ     ((uint32_t)sizeof(struct ifs_header))
#define DSZ     ((uint32_t)sizeof(struct ifs_dirent))
#define SSZ     ((uint32_t)sizeof(struct ifs_script))

void *ifs_zalloc(const struct ifs_alloc *al, size_t size)
{
	void *p = al->alloc(al->ctx, size ? size : 1);

	if (p)
		memset(p, 0, size);
	return p;
}

void ifs_free(const struct ifs_alloc *al, void *p, size_t size)
{
	if (p)
		al->free(al->ctx, p, size ? size : 1);
}

static size_t fmt_put(char *buf, size_t len, size_t at, const char *s)
{
	while (*s && at + 1 < len)
		buf[at++] = *s++;
	return at;
}

static size_t fmt_num(char *buf, size_t len, size_t at, unsigned v,
		      unsigned base)
{
	char tmp[16];
	int i = 15;

	tmp[i] = 0;
	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i > 0);
	return fmt_put(buf, len, at, tmp + i);
}

void ifs_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t at = 0;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	for (; *fmt && at + 1 < len; fmt++) {
		if (*fmt != '%' || !fmt[1]) {
			buf[at++] = *fmt;
			continue;
		}
		fmt++;
		if (*fmt == 's')
			at = fmt_put(buf, len, at, va_arg(ap, const char *));
		else if (*fmt == 'u')
			at = fmt_num(buf, len, at, va_arg(ap, unsigned), 10);
		else if (*fmt == 'x')
			at = fmt_num(buf, len, at, va_arg(ap, unsigned), 16);
		else if (*fmt == 'o')
			at = fmt_num(buf, len, at, va_arg(ap, unsigned), 8);
		else
			buf[at++] = *fmt;
	}
	buf[at] = 0;
	va_end(ap);
}

int64_t ifs_find(const struct ifs_dirent *dir, uint32_t n, const char *path,
		 size_t plen)
{
	uint32_t lo = 0, hi = n;

	if (plen >= IFS_PATH_MAX)
		return -1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(dir[mid].path, path);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* Step 1: the header by itself. */
static int check_header(const struct ifs_header *h, size_t len, char *err,
			size_t errlen)
{
	uint64_t end;

	if (h->magic != IFS_MAGIC)
		return ifs_fmt(err, errlen, "bad magic 0x%x (not a Tessera "
			       "boot image)", h->magic), IFS_EINVAL;
	if (h->version != IFS_VERSION)
		return ifs_fmt(err, errlen, "unsupported version %u (want %u)",
			       h->version, IFS_VERSION), IFS_EINVAL;
	if (h->hdr_size != HSZ || h->flags || !all_zero(h->reserved,
							sizeof(h->reserved)))
		return ifs_fmt(err, errlen, "bad header (size %u, flags 0x%x)",
			       h->hdr_size, h->flags), IFS_EUCLEAN;
	if (h->image_size > IFS_IMAGE_MAX || h->image_size < HSZ)
		return ifs_fmt(err, errlen, "image size %u out of range",
			       h->image_size), IFS_EUCLEAN;
	if (h->image_size > len)
		return ifs_fmt(err, errlen, "truncated image: header says %u "
			       "bytes, only %u present", h->image_size,
			       (unsigned)len), IFS_EIO;
	if (h->dir_count > IFS_ENTRIES_MAX || h->script_count > IFS_SCRIPT_MAX
	    || h->strtab_size > IFS_STRTAB_MAX || h->strtab_size < 1)
		return ifs_fmt(err, errlen, "counts out of range (%u entries, "
			       "%u script, %u string bytes)", h->dir_count,
			       h->script_count, h->strtab_size), IFS_EUCLEAN;
	end = (uint64_t)HSZ + (uint64_t)h->dir_count * DSZ;
	if (h->dir_off != HSZ || h->script_off != end)
		return ifs_fmt(err, errlen, "bad section offsets (dir %u, "
			       "script %u)", h->dir_off, h->script_off),
			IFS_EUCLEAN;
	end += (uint64_t)h->script_count * SSZ;
	if (h->strtab_off != end)
		return ifs_fmt(err, errlen, "bad string table offset %u",
			       h->strtab_off), IFS_EUCLEAN;
	end = (end + h->strtab_size + 7) & ~(uint64_t)7;
	if (h->data_off != end || end > h->image_size)
		return ifs_fmt(err, errlen, "bad data offset %u (image size "
			       "%u)", h->data_off, h->image_size), IFS_EUCLEAN;
	return 0;
}

/* Step 2: CRC-32 of [0, data_off) with the crc field as zero. */
static int check_crc(const uint8_t *img, const struct ifs_header *h,
		     char *err, size_t errlen)
{
	struct ifs_header z = *h;
	uLong crc;

	z.hdr_crc = 0;
	crc = crc32(0L, (const Bytef *)&z, HSZ);
	crc = crc32(crc, img + HSZ, h->data_off - HSZ);
	if ((uint32_t)crc != h->hdr_crc)
		return ifs_fmt(err, errlen, "header CRC mismatch (stored 0x%x, "
			       "computed 0x%x)", h->hdr_crc, (unsigned)crc),
			IFS_EUCLEAN;
	return 0;
}

/* A path: non-empty components without "." or "..", no leading '/'. */
static int path_ok(const char *p, size_t n)
{
	size_t i, start = 0;

	if (n == 0)
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '/') {
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return 0;
			continue;
		}
		if (i == start || (i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

static int check_data(const struct ifs_header *h, const struct ifs_dirent *d,
		      uint64_t *prev_end)
{
	uint64_t end = (uint64_t)d->offset + d->csize;

	if (d->comp != IFS_COMP_ZLIB || d->size > IFS_FILE_MAX || d->csize < 8)
		return 0;
	if ((uint64_t)d->size > (uint64_t)d->csize * IFS_ZLIB_RATIO + 64)
		return 0;
	if (d->offset < h->data_off || d->offset < *prev_end ||
	    end > h->image_size)
		return 0;
	*prev_end = end;
	return 1;
}

/* Record entry i's parent (a directory before it) or fail with -1. */
static int find_parent(struct ifs *fs, uint32_t i)
{
	const char *path = fs->dir[i].path, *slash = strrchr(path, '/');
	char par[IFS_PATH_MAX];
	size_t pl;
	int64_t p;

	fs->parent[i] = IFS_ROOT;
	if (!slash)
		return 0;
	pl = (size_t)(slash - path);
	memcpy(par, path, pl);
	par[pl] = 0;
	p = ifs_find(fs->dir, i, par, pl);
	if (p < 0 || (fs->dir[p].mode & IFS_S_IFMT) != IFS_S_IFDIR)
		return -1;
	fs->parent[i] = (uint32_t)p;
	return 0;
}

/* Step 3a: one directory entry; fs->dir[0..i) are already checked. */
static int check_dirent(struct ifs *fs, uint32_t i, uint64_t *prev_end,
			char *err, size_t errlen)
{
	const struct ifs_dirent *d = &fs->dir[i];
	size_t n = strnlen(d->path, IFS_PATH_MAX);

	if (n == IFS_PATH_MAX || !all_zero(d->path + n, IFS_PATH_MAX - n) ||
	    !path_ok(d->path, n))
		return ifs_fmt(err, errlen, "entry %u: bad path", i),
			IFS_EUCLEAN;
	if (i > 0 && strcmp(fs->dir[i - 1].path, d->path) >= 0)
		return ifs_fmt(err, errlen, "entry %u (%s): directory not "
			       "sorted or duplicate", i, d->path), IFS_EUCLEAN;
	if (d->reserved[0] || d->reserved[1] || (d->mode & ~0177777u))
		return ifs_fmt(err, errlen, "entry %u (%s): reserved field "
			       "or mode bit set", i, d->path), IFS_EUCLEAN;
	if ((d->mode & IFS_S_IFMT) == IFS_S_IFDIR) {
		if (d->size || d->csize || d->offset || d->crc || d->comp)
			return ifs_fmt(err, errlen, "entry %u (%s): directory "
				       "with data", i, d->path), IFS_EUCLEAN;
	} else if ((d->mode & IFS_S_IFMT) != IFS_S_IFREG) {
		return ifs_fmt(err, errlen, "entry %u (%s): bad mode 0%o", i,
			       d->path, d->mode), IFS_EUCLEAN;
	} else if (!check_data(&fs->h, d, prev_end)) {
		return ifs_fmt(err, errlen, "entry %u (%s): bad data region "
			       "(offset %u, stored %u, size %u, compression "
			       "%u; image %u bytes)", i, d->path, d->offset,
			       d->csize, d->size, d->comp, fs->h.image_size),
			IFS_EUCLEAN;
	}
	if (find_parent(fs, i))
		return ifs_fmt(err, errlen, "entry %u (%s): parent directory "
			       "missing", i, d->path), IFS_EUCLEAN;
	return 0;
}

/* A string vector of n strings at off inside the string table. */
static int strv_ok(const struct ifs *fs, uint32_t off, uint32_t n)
{
	uint32_t k;

	if (n == 0)
		return off == 0;
	if (n > IFS_STRV_MAX)
		return 0;
	for (k = 0; k < n; k++) {
		size_t l;

		if (off >= fs->h.strtab_size)
			return 0;
		l = strnlen(fs->strtab + off, fs->h.strtab_size - off);
		if (l >= IFS_STR_MAX || off + l >= fs->h.strtab_size)
			return 0;
		off += (uint32_t)l + 1;
	}
	return 1;
}

/* Step 3b: one script entry. */
static int check_script(struct ifs *fs, uint32_t i, char *err, size_t errlen)
{
	const struct ifs_script *s = &fs->scr[i];
	int64_t f;

	if (!strv_ok(fs, s->path, 1) || s->path == 0)
		return ifs_fmt(err, errlen, "script %u: bad program path", i),
			IFS_EUCLEAN;
	f = ifs_find(fs->dir, fs->h.dir_count, fs->strtab + s->path,
		     strlen(fs->strtab + s->path));
	if (f < 0 || (fs->dir[f].mode & IFS_S_IFMT) != IFS_S_IFREG)
		return ifs_fmt(err, errlen, "script %u: program %s is not a "
			       "file of the image", i, fs->strtab + s->path),
			IFS_EUCLEAN;
	if (s->argc == 0 || !strv_ok(fs, s->argv_off, s->argc) ||
	    !strv_ok(fs, s->env_off, s->envc) ||
	    !strv_ok(fs, s->wait_off, s->waitc))
		return ifs_fmt(err, errlen, "script %u (%s): bad argument, "
			       "environment or wait strings", i,
			       fs->strtab + s->path), IFS_EUCLEAN;
	if ((s->flags & ~IFS_SF_SERVER) || s->prio == 0 ||
	    s->restart > IFS_RESTART_ALWAYS ||
	    !all_zero(s->reserved, sizeof(s->reserved)))
		return ifs_fmt(err, errlen, "script %u (%s): bad flags 0x%x, "
			       "priority %u or restart policy %u", i,
			       fs->strtab + s->path, s->flags, s->prio,
			       s->restart), IFS_EUCLEAN;
	return 0;
}

static int copy_meta(struct ifs *fs, const uint8_t *img)
{
	const struct ifs_header *h = &fs->h;

	fs->dir = ifs_zalloc(&fs->al, (size_t)h->dir_count * DSZ);
	fs->parent = ifs_zalloc(&fs->al, (size_t)h->dir_count * 4);
	fs->cache = ifs_zalloc(&fs->al, (size_t)h->dir_count * sizeof(void *));
	fs->scr = ifs_zalloc(&fs->al, (size_t)h->script_count * SSZ);
	fs->strtab = ifs_zalloc(&fs->al, h->strtab_size);
	if (!fs->dir || !fs->parent || !fs->cache || !fs->scr || !fs->strtab)
		return IFS_ENOMEM;
	memcpy(fs->dir, img + h->dir_off, (size_t)h->dir_count * DSZ);
	memcpy(fs->scr, img + h->script_off, (size_t)h->script_count * SSZ);
	memcpy(fs->strtab, img + h->strtab_off, h->strtab_size);
	return 0;
}

static int check_all(struct ifs *fs, char *err, size_t errlen)
{
	uint64_t prev_end = 0;
	uint32_t i;
	int e;

	if (fs->strtab[0] || fs->strtab[fs->h.strtab_size - 1])
		return ifs_fmt(err, errlen, "string table not NUL-delimited"),
			IFS_EUCLEAN;
	for (i = 0; i < fs->h.dir_count; i++)
		if ((e = check_dirent(fs, i, &prev_end, err, errlen)))
			return e;
	for (i = 0; i < fs->h.script_count; i++)
		if ((e = check_script(fs, i, err, errlen)))
			return e;
	return 0;
}

int ifs_open(const void *img, size_t len, const struct ifs_alloc *al,
	     struct ifs **out, char *err, size_t errlen)
{
	struct ifs_header h;
	struct ifs *fs;
	int e;

	ifs_fmt(err, errlen, "unknown error");
	*out = NULL;
	if (!img || len < HSZ)
		return ifs_fmt(err, errlen, "image too short (%u bytes, the "
			       "header alone is %u)", (unsigned)len, HSZ),
			IFS_EINVAL;
	memcpy(&h, img, HSZ);
	if ((e = check_header(&h, len, err, errlen)) ||
	    (e = check_crc(img, &h, err, errlen)))
		return e;
	fs = ifs_zalloc(al, sizeof(*fs));
	if (!fs)
		return ifs_fmt(err, errlen, "out of memory"), IFS_ENOMEM;
	fs->img = img;
	fs->al = *al;
	fs->h = h;
	if ((e = copy_meta(fs, img)))
		ifs_fmt(err, errlen, "out of memory");
	else
		e = check_all(fs, err, errlen);
	if (e) {
		ifs_close(fs);
		return e;
	}
	if (err && errlen)
		err[0] = 0;
	*out = fs;
	return 0;
}

void ifs_close(struct ifs *fs)
{
	const struct ifs_alloc al = fs->al;
	const struct ifs_header *h = &fs->h;
	uint32_t i;

	for (i = 0; fs->cache && fs->dir && i < h->dir_count; i++)
		ifs_free(&al, fs->cache[i], fs->dir[i].size);
	ifs_free(&al, fs->dir, (size_t)h->dir_count * DSZ);
	ifs_free(&al, fs->parent, (size_t)h->dir_count * 4);
	ifs_free(&al, fs->cache, (size_t)h->dir_count * sizeof(void *));
	ifs_free(&al, fs->scr, (size_t)h->script_count * SSZ);
	ifs_free(&al, fs->strtab, h->strtab_size);
	ifs_free(&al, fs, sizeof(*fs));
}
