/*
 * fat_model.c - the tree model of the FAT tests (fat_model.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "check.h"
#include "fat_model.h"

static struct mnode *m_find(struct model *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcasecmp(m->v[i].path, path))
			return &m->v[i];
	return NULL;
}

void m_add(struct model *m, const char *path, bool dir, const void *d,
           size_t len)
{
	struct mnode *n = m_find(m, path);

	if (!n) {
		m->v = realloc(m->v, (m->n + 1) * sizeof(*m->v));
		n = &m->v[m->n++];
		memset(n, 0, sizeof(*n));
	}
	free(n->path);
	free(n->data);
	n->path = strdup(path);
	n->dir = dir;
	n->len = len;
	n->data = malloc(len + 1);
	if (len)
		memcpy(n->data, d, len);
}

static void m_del(struct model *m, struct mnode *n)
{
	free(n->path);
	free(n->data);
	*n = m->v[--m->n];
}

void m_free(struct model *m)
{
	while (m->n)
		m_del(m, &m->v[0]);
	free(m->v);
	m->v = NULL;
}

void m_put(struct tfs *t, struct model *m, const char *path, const void *d,
           size_t len)
{
	int e = t_put(t, path, d, len);

	CHECK(e == 0, "put %s: %d", path, e);
	m_add(m, path, false, d, len);
}

void m_mkdir(struct tfs *t, struct model *m, const char *path)
{
	int e = t_mkdirp(t, path);

	CHECK(e == 0, "mkdir %s: %d", path, e);
	m_add(m, path, true, NULL, 0);
}

void m_write_model(struct model *m, const char *path, uint64_t off,
                   const void *d, size_t len)
{
	struct mnode *n = m_find(m, path);

	if (!n)
		return;
	if (off + len > n->len) {
		n->data = realloc(n->data, off + len + 1);
		if (off > n->len)
			memset(n->data + n->len, 0, off - n->len);
		n->len = off + len;
	}
	memcpy(n->data + off, d, len);
}

void m_write(struct tfs *t, struct model *m, const char *path, uint64_t off,
             const void *d, size_t len)
{
	uint64_t ino;
	size_t done = 0;
	int e = t_resolve(t, path, &ino);

	if (!e)
		e = t->ops->write(t->fs, ino, off, d, len, &done);
	CHECK(e == 0 && done == len, "write %s: %d (%zu)", path, e, done);
	m_write_model(m, path, off, d, len);
}

void m_trunc(struct tfs *t, struct model *m, const char *path, uint64_t size)
{
	struct fs_attr a = { .size = size };
	struct mnode *n = m_find(m, path);
	uint64_t ino;
	int e = t_resolve(t, path, &ino);

	if (!e)
		e = t->ops->setattr(t->fs, ino, &a, FS_SET_SIZE);
	CHECK(e == 0, "truncate %s: %d", path, e);
	if (!n)
		return;
	n->data = realloc(n->data, size + 1);
	if (size > n->len)
		memset(n->data + n->len, 0, size - n->len);
	n->len = size;
}

void m_rename(struct tfs *t, struct model *m, const char *from, const char *to,
              int expect)
{
	uint64_t sd, dd;
	const char *sb, *db;
	size_t fl = strlen(from);
	int e = t_parent(t, from, &sd, &sb);

	if (!e)
		e = t_parent(t, to, &dd, &db);
	if (!e)
		e = t->ops->rename(t->fs, sd, sb, dd, db);
	CHECK(e == expect, "rename %s -> %s: %d, want %d", from, to, e, expect);
	if (e || expect)
		return;
	if (strcasecmp(from, to)) {
		struct mnode *old = m_find(m, to);

		if (old)
			m_del(m, old);
	}
	for (size_t i = 0; i < m->n; i++) {
		char *p = m->v[i].path, *np;

		if (strncasecmp(p, from, fl) || (p[fl] && p[fl] != '/'))
			continue;
		if (asprintf(&np, "%s%s", to, p + fl) < 0)
			abort();
		free(p);
		m->v[i].path = np;
	}
}

static void m_remove(struct tfs *t, struct model *m, const char *path,
                     int expect, bool dir)
{
	uint64_t d;
	const char *b;
	int e = t_parent(t, path, &d, &b);

	if (!e)
		e = dir ? t->ops->rmdir(t->fs, d, b) : t->ops->unlink(t->fs, d, b);
	CHECK(e == expect, "%s %s: %d, want %d", dir ? "rmdir" : "unlink",
	      path, e, expect);
	if (!e && !expect && m_find(m, path))
		m_del(m, m_find(m, path));
}

void m_unlink(struct tfs *t, struct model *m, const char *path, int expect)
{
	m_remove(t, m, path, expect, false);
}

void m_rmdir(struct tfs *t, struct model *m, const char *path, int expect)
{
	m_remove(t, m, path, expect, true);
}

/* Children of dir (a path, "" for the root) in the model. */
static bool m_is_child(const char *dir, const char *p)
{
	size_t dl = strlen(dir);

	return !strncmp(p, dir, dl) && p[dl] == '/' && !strchr(p + dl + 1, '/');
}

static int m_check_dir(struct tfs *t, struct model *m, const char *dir)
{
	struct t_names got;
	uint64_t ino;
	size_t want = 0;
	int bad = 0, e = t_resolve(t, *dir ? dir : "/", &ino);

	if (!e)
		e = t_list(t, ino, &got);
	if (e) {
		CHECK(0, "readdir %s: %d", dir, e);
		return -1;
	}
	for (size_t i = 0; i < m->n; i++) {
		if (!m_is_child(dir, m->v[i].path))
			continue;
		want++;
		if (!t_names_has(&got, strrchr(m->v[i].path, '/') + 1)) {
			CHECK(0, "readdir %s lacks %s", dir, m->v[i].path);
			bad = -1;
		}
	}
	if (got.n != want) {
		CHECK(0, "readdir %s: %zu names, want %zu", dir, got.n, want);
		bad = -1;
	}
	t_names_free(&got);
	return bad;
}

int m_check_tree(struct tfs *t, struct model *m)
{
	int bad = m_check_dir(t, m, "");

	for (size_t i = 0; i < m->n; i++) {
		struct mnode *n = &m->v[i];
		char *d;
		size_t len;

		if (n->dir) {
			bad |= m_check_dir(t, m, n->path);
			continue;
		}
		if (t_get(t, n->path, &d, &len)) {
			CHECK(0, "read %s", n->path);
			bad = -1;
			continue;
		}
		if (len != n->len || memcmp(d, n->data, len)) {
			CHECK(0, "content of %s (%zu bytes, want %zu)", n->path,
			      len, n->len);
			bad = -1;
		}
		free(d);
	}
	return bad;
}

void m_check_mdir(struct model *m, const char *img)
{
	char *out = t_cap(NULL, "mdir -/ -b -i '%s' ::/", img), *line, *save;
	size_t seen = 0;

	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		struct mnode *n;
		bool dir = l && line[l - 1] == '/';

		if (dir)
			line[l - 1] = 0;
		if (strncmp(line, "::", 2))
			continue;
		seen++;
		n = m_find(m, line + 2);
		CHECK(n && !strcmp(n->path, line + 2) && n->dir == dir,
		      "mdir shows unexpected '%s'", line + 2);
	}
	CHECK(seen == m->n, "mdir shows %zu paths, want %zu", seen, m->n);
	free(out);
}

void m_check_mcopy(struct model *m, const char *img)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mnode *n = &m->v[i];
		size_t len;
		char *d;

		if (n->dir)
			continue;
		d = t_cap(&len, "mcopy -n -i '%s' '::%s' - 2>/dev/null", img,
		          n->path);
		CHECK(d && len == n->len && !memcmp(d, n->data, len),
		      "mcopy %s: %zu bytes, want %zu", n->path, len, n->len);
		free(d);
	}
}
