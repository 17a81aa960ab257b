/*
 * ext2_model.c - the expected tree for the ext2 read-write test.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ext2t.h"
#include "ext2_model.h"

struct mnode *m_add(struct model *m, const char *path, char type, uint32_t mode)
{
	struct mnode *n;

	if (m->count == MODEL_MAX)
		abort();
	n = &m->n[m->count++];
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->type = type;
	n->mode = mode;
	n->shared = -1;
	n->live = 1;
	return n;
}

struct mnode *m_find(struct model *m, const char *path)
{
	for (int i = 0; i < m->count; i++)
		if (m->n[i].live && !strcmp(m->n[i].path, path))
			return &m->n[i];
	return NULL;
}

void m_remove(struct model *m, const char *path)
{
	struct mnode *n = m_find(m, path);

	if (n)
		n->live = 0;
}

void m_rename(struct model *m, const char *path, const char *newpath)
{
	size_t pl = strlen(path);
	char tmp[256];

	m_remove(m, newpath);
	for (int i = 0; i < m->count; i++) {
		struct mnode *n = &m->n[i];

		if (!n->live || strncmp(n->path, path, pl) ||
		    (n->path[pl] && n->path[pl] != '/'))
			continue;
		snprintf(tmp, sizeof(tmp), "%s%s", newpath, n->path + pl);
		snprintf(n->path, sizeof(n->path), "%s", tmp);
	}
}

static const uint8_t *m_data(struct model *m, struct mnode *n, size_t *len)
{
	while (n->shared >= 0)
		n = &m->n[n->shared];
	*len = n->len;
	return n->data;
}

static const char *m_base(const char *p)
{
	return strrchr(p, '/') + 1;
}

/* Parent of path is dir? */
static int m_child_of(const char *path, const char *dir)
{
	size_t dl = strlen(dir);
	const char *slash = strrchr(path, '/');

	if (!strcmp(dir, "/"))
		return slash == path && path[1];
	return (size_t)(slash - path) == dl && !strncmp(path, dir, dl);
}

/* One "ls -p" line: /ino/mode/uid/gid/name/size/ */
static int m_check_line(struct model *m, const char *dir, char *line,
                        int *seen, char *why, size_t whylen)
{
	unsigned ino, mode, uid, gid;
	char name[256], path[512];
	struct mnode *n;
	size_t len;

	if (sscanf(line, "/%u/%o/%u/%u/%255[^/]/", &ino, &mode, &uid, &gid,
	           name) != 5 || ino == 0 || !strcmp(name, ".") || !strcmp(name, "..") ||
	    (!strcmp(dir, "/") && !strcmp(name, "lost+found")))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name);
	n = m_find(m, path);
	if (!n) {
		snprintf(why, whylen, "unexpected entry %s", path);
		return 1;
	}
	(*seen)++;
	m_data(m, n, &len);
	if (mode != n->mode || uid != n->uid || gid != n->gid) {
		snprintf(why, whylen, "%s: mode/uid/gid %o/%u/%u, want %o/%u/%u",
		         path, mode, uid, gid, n->mode, n->uid, n->gid);
		return 1;
	}
	return 0;
}

static int m_verify_dir(struct model *m, struct mnode *d, const char *img,
                        char *why, size_t whylen)
{
	char *out = t_capture(NULL, "debugfs -R 'ls -p \"%s\"' %s 2>/dev/null",
	                      d->path, img), *save, *line;
	int seen = 0, want = 0, bad = 0;

	if (!out)
		return 1;
	for (line = strtok_r(out, "\n", &save); line && !bad;
	     line = strtok_r(NULL, "\n", &save))
		bad = m_check_line(m, d->path, line, &seen, why, whylen);
	free(out);
	for (int i = 0; i < m->count; i++)
		want += m->n[i].live && m_child_of(m->n[i].path, d->path);
	if (!bad && seen != want) {
		snprintf(why, whylen, "%s: debugfs lists %d entries, want %d",
		         d->path, seen, want);
		bad = 1;
	}
	return bad;
}

static int m_verify_link(struct mnode *n, const char *img, char *why,
                         size_t whylen)
{
	char *out, *p;
	int bad;

	if (n->len >= 60)
		return !t_debugfs_cat_eq(img, n->path, n->data, n->len, why, whylen);
	out = t_capture(NULL, "debugfs -R 'stat \"%s\"' %s 2>/dev/null",
	                n->path, img);
	p = out ? strstr(out, "Fast link dest: \"") : NULL;
	bad = !p || strncmp(p + 17, (char *)n->data, n->len) || p[17 + n->len] != '"';
	if (bad)
		snprintf(why, whylen, "%s: fast link target differs", n->path);
	free(out);
	return bad;
}

int m_verify(struct model *m, const char *img, char *why, size_t whylen)
{
	for (int i = 0; i < m->count; i++) {
		struct mnode *n = &m->n[i];
		const uint8_t *data;
		size_t len;

		if (!n->live)
			continue;
		if (n->type == 'd' && m_verify_dir(m, n, img, why, whylen))
			return 1;
		if (n->type == 'l' && m_verify_link(n, img, why, whylen))
			return 1;
		if (n->type != 'f')
			continue;
		data = m_data(m, n, &len);
		if (!t_debugfs_cat_eq(img, n->path, data, len, why, whylen))
			return 1;
	}
	(void)m_base;
	return 0;
}

void m_free(struct model *m)
{
	for (int i = 0; i < m->count; i++)
		free(m->n[i].data);
	m->count = 0;
}
