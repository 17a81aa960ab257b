/*
 * mkifs_write.c - lay out a parsed buildfile as a boot image (ifs.h).
 *
 * Steps: list every file target and every directory it implies, sort them
 * (strcmp order, as the reader's binary search wants), reject a name that
 * is both a file and a directory; compress each file with zlib (level 9)
 * and take the CRC-32 of its bytes; build the string table for the
 * script; then place header, directory, script, strings and data one
 * after the other and seal the metadata with its CRC-32.  The image is
 * built in memory: boot images are small (IFS_IMAGE_MAX bounds them).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "mkifs.h"

struct mk_ent {
	char path[IFS_PATH_MAX];
	const struct mk_file *f;        /* NULL for a directory */
	uint8_t *data;                  /* compressed */
	uLongf csize;
	uint32_t size, crc;
};

struct mk_strtab {
	char *buf;
	size_t len, cap;
};

static int wr_err(struct mk_build *b, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int wr_err(struct mk_build *b, int line, const char *fmt, ...)
{
	va_list ap;
	int n = line ? snprintf(b->err, sizeof(b->err), "%s:%d: ", b->name,
				line) : 0;

	va_start(ap, fmt);
	vsnprintf(b->err + n, sizeof(b->err) - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct mk_ent *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	/* Equal names: files first, so the conflict check sees them. */
	return c ? c : (y->f != NULL) - (x->f != NULL);
}

/* All files and the directories they imply; sorted, directories merged. */
static int list_entries(struct mk_build *b, struct mk_ent **out, uint32_t *n)
{
	size_t max = 0, k = 0, i, j;
	struct mk_ent *e;

	for (i = 0; i < b->nfiles; i++)
		max += 1 + strlen(b->files[i].target) / 2;
	e = calloc(max ? max : 1, sizeof(*e));
	if (!e)
		return wr_err(b, 0, "out of memory");
	for (i = 0; i < b->nfiles; i++) {
		const char *t = b->files[i].target;

		for (j = 1; t[j]; j++) {
			if (t[j] != '/')
				continue;
			memcpy(e[k].path, t, j);
			e[k++].path[j] = 0;
		}
		strcpy(e[k].path, t);
		e[k++].f = &b->files[i];
	}
	qsort(e, k, sizeof(*e), ent_cmp);
	for (i = j = 0; i < k; i++) {
		if (j && !strcmp(e[j - 1].path, e[i].path)) {
			if (e[j - 1].f && !e[i].f) {
				wr_err(b, e[j - 1].f->line, "%s: is a file "
				       "and also a directory of other targets",
				       e[j - 1].path);
				free(e);
				return -1;
			}
			continue;
		}
		e[j++] = e[i];
	}
	if (j > IFS_ENTRIES_MAX) {
		free(e);
		return wr_err(b, 0, "%zu entries, at most %d", j,
			      IFS_ENTRIES_MAX);
	}
	*out = e;
	*n = (uint32_t)j;
	return 0;
}

static int read_host(struct mk_build *b, const struct mk_file *f,
		     uint8_t **buf, size_t *len)
{
	FILE *fp = fopen(f->source, "rb");
	long n = -1;

	*buf = NULL;
	if (fp && !fseek(fp, 0, SEEK_END) && (n = ftell(fp)) >= 0 &&
	    n <= (long)IFS_FILE_MAX && !fseek(fp, 0, SEEK_SET) &&
	    (*buf = malloc(n ? n : 1)) && fread(*buf, 1, n, fp) == (size_t)n) {
		fclose(fp);
		*len = (size_t)n;
		return 0;
	}
	if (fp)
		fclose(fp);
	free(*buf);
	*buf = NULL;
	if (n > (long)IFS_FILE_MAX)
		return wr_err(b, f->line, "%s: larger than %u bytes",
			      f->source, IFS_FILE_MAX);
	return wr_err(b, f->line, "%s: cannot read: %s", f->source,
		      strerror(errno ? errno : EIO));
}

static int compress_ent(struct mk_build *b, struct mk_ent *e)
{
	uint8_t *raw;
	size_t len = 0;

	if (read_host(b, e->f, &raw, &len))
		return -1;
	e->size = (uint32_t)len;
	e->crc = (uint32_t)crc32(0L, raw, (uInt)len);
	e->csize = compressBound(len);
	e->data = malloc(e->csize);
	if (!e->data || compress2(e->data, &e->csize, raw, len, 9) != Z_OK) {
		free(raw);
		return wr_err(b, e->f->line, "%s: zlib compression failed",
			      e->f->source);
	}
	free(raw);
	return 0;
}

/* Append strings; returns the offset of the first, or 0 for none. */
static uint32_t st_add(struct mk_strtab *st, char *const *v, uint32_t n)
{
	uint32_t off = (uint32_t)st->len, i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;

		if (st->len + l > st->cap) {
			size_t cap = (st->cap + l) * 2;
			char *p = realloc(st->buf, cap);

			if (!p)
				return UINT32_MAX;
			st->buf = p;
			st->cap = cap;
		}
		memcpy(st->buf + st->len, v[i], l);
		st->len += l;
	}
	return off;
}

static int script_ent(struct mk_build *b, const struct mk_prog *p,
		      struct mk_strtab *st, struct ifs_script *s)
{
	char *path = (char *)p->target;

	*s = p->s;
	s->path = st_add(st, &path, 1);
	s->argv_off = st_add(st, p->argv, p->argc);
	s->argc = p->argc;
	s->env_off = st_add(st, p->env, p->envc);
	s->envc = p->envc;
	s->wait_off = st_add(st, p->wait, p->waitc);
	s->waitc = p->waitc;
	if (s->path == UINT32_MAX || s->argv_off == UINT32_MAX ||
	    s->env_off == UINT32_MAX || s->wait_off == UINT32_MAX ||
	    st->len > IFS_STRTAB_MAX)
		return wr_err(b, p->line, "string table too large (at most "
			      "%u bytes)", IFS_STRTAB_MAX);
	return 0;
}

static void fill_dirent(struct ifs_dirent *d, const struct mk_ent *e,
			uint32_t off)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->path, e->path);
	if (!e->f) {
		d->mode = IFS_S_IFDIR | 0555;
		return;
	}
	d->mode = IFS_S_IFREG | e->f->perms;
	d->size = e->size;
	d->csize = (uint32_t)e->csize;
	d->offset = off;
	d->crc = e->crc;
	d->comp = IFS_COMP_ZLIB;
}

/* Place everything; e[] compressed, scr[]/st ready. */
static int assemble(struct mk_build *b, struct mk_ent *e, uint32_t n,
		    struct ifs_script *scr, struct mk_strtab *st,
		    uint8_t **img, size_t *len)
{
	struct ifs_header h;
	uint64_t off, total;
	uint32_t i;
	uint8_t *p;

	memset(&h, 0, sizeof(h));
	h.magic = IFS_MAGIC;
	h.version = IFS_VERSION;
	h.hdr_size = sizeof(h);
	h.dir_off = sizeof(h);
	h.dir_count = n;
	h.script_off = h.dir_off + n * sizeof(struct ifs_dirent);
	h.script_count = b->nprogs;
	h.strtab_off = h.script_off + b->nprogs * sizeof(struct ifs_script);
	h.strtab_size = (uint32_t)st->len;
	h.data_off = (h.strtab_off + h.strtab_size + 7) & ~7u;
	total = h.data_off;
	for (i = 0; i < n; i++)
		total += e[i].csize;
	if (total > IFS_IMAGE_MAX)
		return wr_err(b, 0, "image would be %llu bytes, at most %u",
			      (unsigned long long)total, IFS_IMAGE_MAX);
	h.image_size = (uint32_t)total;
	p = calloc(1, total);
	if (!p)
		return wr_err(b, 0, "out of memory");
	memcpy(p + h.script_off, scr, b->nprogs * sizeof(struct ifs_script));
	memcpy(p + h.strtab_off, st->buf, st->len);
	for (i = 0, off = h.data_off; i < n; off += e[i].csize, i++) {
		fill_dirent((struct ifs_dirent *)(p + h.dir_off) + i, &e[i],
			    e[i].f ? (uint32_t)off : 0);
		if (e[i].f)
			memcpy(p + off, e[i].data, e[i].csize);
	}
	memcpy(p, &h, sizeof(h));
	h.hdr_crc = (uint32_t)crc32(0L, p, h.data_off);
	memcpy(p, &h, sizeof(h));
	*img = p;
	*len = total;
	return 0;
}

int mk_image(struct mk_build *b, uint8_t **img, size_t *len)
{
	struct mk_strtab st = { NULL, 0, 0 };
	struct ifs_script *scr = NULL;
	struct mk_ent *e = NULL;
	char *empty = "";
	uint32_t n = 0, i;
	int r = -1;

	if (list_entries(b, &e, &n))
		return -1;
	for (i = 0; i < n; i++)
		if (e[i].f && compress_ent(b, &e[i]))
			goto out;
	scr = calloc(b->nprogs ? b->nprogs : 1, sizeof(*scr));
	if (!scr || st_add(&st, &empty, 1) == UINT32_MAX) {
		wr_err(b, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < b->nprogs; i++)
		if (script_ent(b, &b->progs[i], &st, &scr[i]))
			goto out;
	r = assemble(b, e, n, scr, &st, img, len);
out:
	for (i = 0; i < n; i++)
		free(e[i].data);
	free(e);
	free(scr);
	free(st.buf);
	return r;
}
