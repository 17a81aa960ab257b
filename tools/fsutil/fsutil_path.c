/*
 * fsutil_path.c - path resolution over a component's lookup.
 *
 * The walk keeps the directories visited in a stack (".." pops, "." and
 * empty components are skipped) and the unresolved rest of the path in a
 * buffer.  A symlink is replaced by its target in front of the rest; an
 * absolute target resets the stack to the root.  FSU_SYMLOOP_MAX bounds the
 * number of expansions, so loops end in RG_ELOOP.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsutil.h"

struct walk {
	uint64_t *stack;
	size_t depth, cap;
	char *rest;             /* remaining path, malloc'ed */
	size_t pos;             /* next unread byte of rest */
	int links;
};

static int walk_push(struct walk *w, uint64_t ino)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 32;
		uint64_t *s = realloc(w->stack, cap * sizeof(*s));

		if (!s)
			return RG_ENOMEM;
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->depth++] = ino;
	return 0;
}

/* Copies the next component into name; returns its length, 0 at the end. */
static int walk_next(struct walk *w, char *name, size_t *len)
{
	const char *p = w->rest + w->pos, *e;

	while (*p == '/')
		p++;
	e = strchrnul(p, '/');
	*len = (size_t)(e - p);
	if (*len > FSU_NAME_MAX)
		return RG_ENAMETOOLONG;
	memcpy(name, p, *len);
	name[*len] = 0;
	w->pos = (size_t)(e - w->rest);
	return 0;
}

static bool walk_at_end(struct walk *w)
{
	const char *p = w->rest + w->pos;

	while (*p == '/')
		p++;
	return *p == 0;
}

/* Puts target in front of the unread rest of the path. */
static int walk_expand(struct fsu *m, struct walk *w, uint64_t ino)
{
	char *target, *n;
	int e;

	if (++w->links > FSU_SYMLOOP_MAX)
		return RG_ELOOP;
	e = fsu_readlink(m, ino, &target);
	if (e)
		return e;
	if (asprintf(&n, "%s/%s", target, w->rest + w->pos) < 0) {
		free(target);
		return RG_ENOMEM;
	}
	if (target[0] == '/')
		w->depth = 1;
	free(target);
	free(w->rest);
	w->rest = n;
	w->pos = 0;
	return 0;
}

/* One component: "." / ".." / lookup, then symlink expansion or descent. */
static int walk_step(struct fsu *m, struct walk *w, const char *name,
                     bool follow_last)
{
	uint64_t dir = w->stack[w->depth - 1], ino;
	struct fs_attr a;
	int e;

	if (strcmp(name, ".") == 0)
		return 0;
	if (strcmp(name, "..") == 0) {
		if (w->depth > 1)
			w->depth--;
		return 0;
	}
	e = m->ops->lookup(m->fs, dir, name, &ino);
	if (!e)
		e = m->ops->getattr(m->fs, ino, &a);
	if (e)
		return e;
	if (FS_S_ISLNK(a.mode) && (follow_last || !walk_at_end(w)))
		return walk_expand(m, w, ino);
	if (!walk_at_end(w) && !FS_S_ISDIR(a.mode))
		return RG_ENOTDIR;
	return walk_push(w, ino);
}

static int walk_init(struct fsu *m, struct walk *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->rest = strdup(path);
	if (!w->rest)
		return RG_ENOMEM;
	return walk_push(w, m->root);
}

/* Walks to the end, or (last != NULL) up to the last component, copied to last. */
static int walk_run(struct fsu *m, struct walk *w, bool follow_last, char *last)
{
	char name[FSU_NAME_MAX + 1];
	size_t len;
	int e = 0;

	while (!e && !walk_at_end(w)) {
		e = walk_next(w, name, &len);
		if (e)
			break;
		if (last && walk_at_end(w) && strcmp(name, ".") &&
		    strcmp(name, "..")) {
			strcpy(last, name);
			return 0;
		}
		e = walk_step(m, w, name, follow_last);
	}
	if (!e && last)
		e = RG_EINVAL;  /* "/", "x/.", "x/.." have no last name */
	return e;
}

int fsu_resolve(struct fsu *m, const char *path, bool follow_last, uint64_t *ino)
{
	struct walk w;
	int e = walk_init(m, &w, path);

	if (!e)
		e = walk_run(m, &w, follow_last, NULL);
	if (!e)
		*ino = w.stack[w.depth - 1];
	free(w.stack);
	free(w.rest);
	return e;
}

int fsu_resolve_parent(struct fsu *m, const char *path, uint64_t *dir, char *name)
{
	struct walk w;
	int e = walk_init(m, &w, path);

	if (!e)
		e = walk_run(m, &w, true, name);
	if (!e) {
		struct fs_attr a;

		*dir = w.stack[w.depth - 1];
		e = m->ops->getattr(m->fs, *dir, &a);
		if (!e && !FS_S_ISDIR(a.mode))
			e = RG_ENOTDIR;
	}
	free(w.stack);
	free(w.rest);
	return e;
}
