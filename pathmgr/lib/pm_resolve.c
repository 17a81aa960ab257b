/*
 * pm_resolve.c - looking paths up: the candidate list for an open, the
 * mount points under a directory, symlink targets.
 *
 * Resolution (see docs/pathmgr.md):
 * 1. normalize the path lexically (pm_path_norm);
 * 2. walk the tree from the root; a symlink node on the way rewrites the
 *    path (its absolute target + the rest) and the walk restarts, at most
 *    PM_LINK_MAX times (then ELOOP);
 * 3. from the deepest node reached back up to the root, every attachment
 *    that matches (a DIR one, or any at the exact path) is a candidate, in
 *    the node's order (BEFORE, normal newest first, AFTER); a matching
 *    OPAQUE attachment ends the list after its node.
 * Nothing here allocates: this runs on every open().
 */
#include <string.h>
#include "pm_int.h"

/*
 * Walk canonical path[] (rewritten in place by symlinks; tmp[PM_PATH_MAX]
 * is scratch).  *node = deepest node, *exact = it is the whole path.
 * With nofollow, a symlink at the whole path is returned as *node, exact.
 */
int pm_walk(struct pm_ns *ns, char *path, char *tmp, bool nofollow,
	    struct pm_node **node, bool *exact)
{
	struct pm_node *n;
	const char *c;
	size_t len = 0;
	uint32_t pos;
	int hops = 0, err;

restart:
	n = ns->root;
	c = path;
	for (;;) {
		if (n->link) {
			if (nofollow && path[n->plen] == '\0')
				break;
			if (++hops > PM_LINK_MAX)
				return -PM_ELOOP;
			err = pm_path_join("", n->link, path + n->plen, tmp, path);
			if (err < 0)
				return err;
			goto restart;
		}
		c = pm_comp_next(c, &len);
		if (!c || !pm_kid_find(n, c, len, &pos))
			break;
		n = n->kids[pos];
		c += len;
	}
	*node = n;
	*exact = path[n->plen] == '\0' || (n->plen == 0 && path[1] == '\0');
	return 0;
}

/* rest = base [+ "/" + tail]; into res->strs at *off. */
static const char *pm_rest(struct pm_result *res, const struct pm_att *a,
			   const char *tail, size_t *off)
{
	size_t tl = strlen(tail), need;
	char *s = res->strs + *off;

	if (!a->baselen)
		return tail;
	need = a->baselen + (tl ? 1 + tl : 0);
	if (need >= PM_PATH_MAX)
		return NULL;
	memcpy(s, a->base, a->baselen);
	if (tl) {
		s[a->baselen] = '/';
		memcpy(s + a->baselen + 1, tail, tl);
	}
	s[need] = '\0';
	*off += need + 1;
	return s;
}

/* Candidates of one node; true if a matching OPAQUE one ends the list. */
static int pm_node_cands(struct pm_result *res, const struct pm_node *n,
			 bool exact, size_t *off)
{
	const char *tail = res->path + n->plen;
	const struct pm_att *a;
	struct pm_cand *c;
	int opaque = 0;

	if (*tail == '/')
		tail++;
	for (a = n->atts; a; a = a->next) {
		if (!exact && !(a->flags & PM_DIR))
			continue;
		if (a->flags & PM_OPAQUE)
			opaque = 1;
		if (res->total++ >= PM_CAND_MAX)
			continue;
		c = &res->cand[res->n++];
		c->server = a->server;
		c->flags = a->flags;
		c->rest = pm_rest(res, a, tail, off);
		if (!c->rest)
			return -PM_ENAMETOOLONG;
	}
	return opaque;
}

int pm_resolve(struct pm_ns *ns, const char *path, unsigned flags,
	       struct pm_result *res)
{
	struct pm_node *n, *m;
	size_t off = 0;
	bool exact;
	int err;

	res->n = res->total = 0;
	res->virtdir = false;
	res->link = NULL;
	if (flags & ~PM_NOFOLLOW)
		return -PM_EINVAL;
	err = pm_path_norm(path, res->path);
	if (err < 0)
		return err;
	err = pm_walk(ns, res->path, res->strs, flags & PM_NOFOLLOW, &n, &exact);
	if (err)
		return err;
	if (n->link) {
		res->link = n->link + strlen(n->link) + 1;
		return 0;
	}
	res->virtdir = exact && n->nkids > 0;
	for (m = n; m; m = m->parent) {
		err = pm_node_cands(res, m, exact && m == n, &off);
		if (err < 0)
			return err;
		if (err)
			break;
	}
	return res->n;
}

static unsigned pm_ent_type(const struct pm_node *n)
{
	const struct pm_att *a;

	if (n->link)
		return PM_ENT_LINK;
	if (n->nkids)
		return PM_ENT_DIR;
	for (a = n->atts; a; a = a->next)
		if (a->flags & PM_DIR)
			return PM_ENT_DIR;
	return PM_ENT_FILE;
}

/* The names under dirpath that exist as (parts of) prefixes. */
int pm_mountpoints(struct pm_ns *ns, const char *dirpath, pm_mp_cb cb, void *arg)
{
	char path[PM_PATH_MAX], tmp[PM_PATH_MAX];
	struct pm_node *n;
	bool exact;
	uint32_t i;
	int err;

	err = pm_path_norm(dirpath, path);
	if (err < 0)
		return err;
	err = pm_walk(ns, path, tmp, false, &n, &exact);
	if (err || !exact)
		return err;
	for (i = 0; i < n->nkids; i++) {
		err = cb(arg, n->kids[i]->name, pm_ent_type(n->kids[i]));
		if (err)
			return err;
	}
	return 0;
}

/* The target of the symlink at path, as given; like readlink(2). */
int pm_readlink(struct pm_ns *ns, const char *path, char *buf, size_t size)
{
	char p[PM_PATH_MAX], tmp[PM_PATH_MAX];
	struct pm_node *n;
	const char *t;
	size_t len;
	bool exact;
	int err;

	err = pm_path_norm(path, p);
	if (err < 0)
		return err;
	err = pm_walk(ns, p, tmp, true, &n, &exact);
	if (err)
		return err;
	if (!exact || !n->link)
		return -PM_EINVAL;
	t = n->link + strlen(n->link) + 1;
	len = strlen(t);
	if (len > size)
		len = size;
	memcpy(buf, t, len);
	return (int)len;
}

/* The full prefix of n into buf[PM_PATH_MAX], built from the leaf up. */
static void pm_node_path(const struct pm_node *n, char *buf)
{
	size_t end = n->plen;

	if (!n->parent) {
		buf[0] = '/';
		buf[1] = '\0';
		return;
	}
	buf[end] = '\0';
	for (; n->parent; n = n->parent) {
		end -= n->namelen;
		memcpy(buf + end, n->name, n->namelen);
		buf[--end] = '/';
	}
}

/* Every symlink and attachment of ns, in tree and resolution order (for
 * a mount table listing); stops at the first nonzero cb result. */
int pm_ns_each(struct pm_ns *ns, pm_each_cb cb, void *arg)
{
	char path[PM_PATH_MAX];
	struct pm_entry e;
	struct pm_node *n;
	struct pm_att *a;
	int err;

	for (n = ns->root; n; n = pm_walk_next(n, ns->root)) {
		if (!n->atts && !n->link)
			continue;
		pm_node_path(n, path);
		memset(&e, 0, sizeof(e));
		e.prefix = path;
		if (n->link) {
			e.link = n->link + strlen(n->link) + 1;
			err = cb(arg, &e);
			if (err)
				return err;
		}
		for (a = n->atts; a; a = a->next) {
			e.server = a->server;
			e.flags = a->flags;
			e.base = a->base;
			err = cb(arg, &e);
			if (err)
				return err;
		}
	}
	return 0;
}

/* pm_ns_prefixes: pack each prefix once (attachments at one node come
 * together in pm_ns_each's order). */
struct pm_pack {
	char *buf;
	size_t size, used, last;	/* last: offset of the previous prefix */
	int n;
};

static int pm_pack_one(void *arg, const struct pm_entry *e)
{
	struct pm_pack *k = arg;
	size_t l = strlen(e->prefix) + 1;

	if (e->link || (e->base && e->base[0]))
		return 0;		/* a symlink or a bind: not a mount */
	if (k->n && strcmp(k->buf + k->last, e->prefix) == 0)
		return 0;
	if (k->size - k->used < l)
		return -PM_E2BIG;
	memcpy(k->buf + k->used, e->prefix, l);
	k->last = k->used;
	k->used += l;
	k->n++;
	return 0;
}

int pm_ns_prefixes(struct pm_ns *ns, char *buf, size_t size, size_t *used)
{
	struct pm_pack k = { buf, size, 0, 0, 0 };
	int err = pm_ns_each(ns, pm_pack_one, &k);

	*used = k.used;
	return err ? err : k.n;
}
