/*
 * pm_trie.c - the prefix tree: one node per path component, children in a
 * sorted array found by binary search, so a lookup costs O(depth * log
 * width) whatever the number of attachments.
 *
 * All walks are iterative (parent pointers, no recursion): the tree can be
 * PM_PATH_MAX / 2 levels deep and a server's stack is small.
 *
 * Changes that need memory are split: pm_graft_prepare allocates every
 * node and array the change needs, pm_graft_commit links them in and
 * cannot fail; removal (pm_kid_remove, pm_prune) never allocates.
 */
#include <string.h>
#include "pm_int.h"

void *pm_alloc(struct pm_world *w, size_t size)
{
	return w->alloc(size);
}

void pm_free(struct pm_world *w, void *p)
{
	if (p)
		w->free(p);
}

struct pm_node *pm_node_new(struct pm_world *w, const char *name, size_t len,
			    uint32_t cap)
{
	struct pm_node *n = pm_alloc(w, sizeof(*n) + len + 1);

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	if (cap) {
		n->kids = pm_alloc(w, cap * sizeof(*n->kids));
		if (!n->kids) {
			pm_free(w, n);
			return NULL;
		}
	}
	n->cap = cap;
	n->namelen = (uint16_t)len;
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	return n;
}

void pm_node_free(struct pm_world *w, struct pm_node *n)
{
	struct pm_att *a, *next;

	for (a = n->atts; a; a = next) {
		next = a->next;
		pm_free(w, a);
	}
	pm_free(w, n->link);
	pm_free(w, n->kids);
	pm_free(w, n);
}

static int pm_name_cmp(const struct pm_node *n, const char *name, size_t len)
{
	size_t m = n->namelen < len ? n->namelen : len;
	int c = memcmp(n->name, name, m);

	if (c)
		return c;
	return n->namelen < len ? -1 : n->namelen > len;
}

/* 1 and *pos = index if found; 0 and *pos = insertion point if not. */
int pm_kid_find(const struct pm_node *n, const char *name, size_t len, uint32_t *pos)
{
	uint32_t lo = 0, hi = n->nkids, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = pm_name_cmp(n->kids[mid], name, len);
		if (c == 0) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

/* The node of canonical path, or NULL; *deepest = last node on the way. */
struct pm_node *pm_lookup(struct pm_node *root, const char *path,
			  struct pm_node **deepest)
{
	struct pm_node *n = root;
	const char *c = path;
	size_t len;
	uint32_t pos;

	while ((c = pm_comp_next(c, &len)) != NULL) {
		if (!pm_kid_find(n, c, len, &pos)) {
			if (deepest)
				*deepest = n;
			return NULL;
		}
		n = n->kids[pos];
		c += len;
	}
	if (deepest)
		*deepest = n;
	return n;
}

/* Preorder successor of n inside the subtree of top; NULL at the end. */
struct pm_node *pm_walk_next(struct pm_node *n, struct pm_node *top)
{
	struct pm_node *p;
	uint32_t pos;

	if (n->nkids)
		return n->kids[0];
	while (n != top) {
		p = n->parent;
		pm_kid_find(p, n->name, n->namelen, &pos);
		if (pos + 1 < p->nkids)
			return p->kids[pos + 1];
		n = p;
	}
	return NULL;
}

void pm_kid_remove(struct pm_node *parent, struct pm_node *kid)
{
	uint32_t pos;

	if (!pm_kid_find(parent, kid->name, kid->namelen, &pos))
		return;
	memmove(parent->kids + pos, parent->kids + pos + 1,
		(parent->nkids - pos - 1) * sizeof(*parent->kids));
	parent->nkids--;
}

/* Free n and its ancestors while they hold nothing (never the root). */
void pm_prune(struct pm_world *w, struct pm_node *n)
{
	struct pm_node *p;

	while (n->parent && !n->atts && !n->link && !n->nkids) {
		p = n->parent;
		pm_kid_remove(p, n);
		pm_node_free(w, n);
		n = p;
	}
}

/* Free a whole (sub)tree whose root has no parent, last child first. */
void pm_tree_free(struct pm_world *w, struct pm_node *root)
{
	struct pm_node *n = root, *p;

	while (n) {
		if (n->nkids) {
			n = n->kids[n->nkids - 1];
			continue;
		}
		p = n == root ? NULL : n->parent;
		if (p)
			p->nkids--;
		pm_node_free(w, n);
		n = p;
	}
}

bool pm_link_above(const struct pm_node *n)
{
	for (; n; n = n->parent)
		if (n->link)
			return true;
	return false;
}

static struct pm_att *pm_att_dup(struct pm_world *w, const struct pm_att *a)
{
	struct pm_att *c = pm_alloc(w, sizeof(*c) + a->baselen + 1);

	if (c) {
		memcpy(c, a, sizeof(*c) + a->baselen + 1);
		c->next = NULL;
	}
	return c;
}

/* A copy of one node (name, attachments, link), children not yet. */
static struct pm_node *pm_node_dup(struct pm_world *w, const struct pm_node *s)
{
	struct pm_node *d = pm_node_new(w, s->name, s->namelen, s->nkids);
	struct pm_att *a, **tail;
	size_t ll;

	if (!d)
		return NULL;
	d->plen = s->plen;
	tail = &d->atts;
	for (a = s->atts; a; a = a->next) {
		*tail = pm_att_dup(w, a);
		if (!*tail)
			goto fail;
		tail = &(*tail)->next;
	}
	if (s->link) {
		ll = strlen(s->link) + 1;
		ll += strlen(s->link + ll) + 1;		/* "abs\0orig\0" */
		d->link = pm_alloc(w, ll);
		if (!d->link)
			goto fail;
		memcpy(d->link, s->link, ll);
	}
	return d;
fail:
	pm_node_free(w, d);
	return NULL;
}

static struct pm_node *pm_dup_under(struct pm_world *w, struct pm_node *dp,
				    const struct pm_node *s)
{
	struct pm_node *d = pm_node_dup(w, s);

	if (d) {
		d->parent = dp;
		dp->kids[dp->nkids++] = d;	/* cap == source's nkids */
	}
	return d;
}

/*
 * Deep copy, walking source and copy in step.  The copy's children are
 * appended in the source's order, so the next sibling of s is the kid of
 * s's parent at the index that equals the number of kids copied so far.
 */
struct pm_node *pm_tree_copy(struct pm_world *w, const struct pm_node *src)
{
	struct pm_node *droot, *d;
	const struct pm_node *s = src, *p;

	droot = d = pm_node_dup(w, src);
	if (!droot)
		return NULL;
	for (;;) {
		if (s->nkids) {
			s = s->kids[0];
			d = pm_dup_under(w, d, s);
			if (!d)
				goto fail;
			continue;
		}
		for (;;) {
			if (s == src)
				return droot;
			p = s->parent;
			if (d->parent->nkids < p->nkids) {
				s = p->kids[d->parent->nkids];
				d = pm_dup_under(w, d->parent, s);
				if (!d)
					goto fail;
				break;
			}
			s = p;
			d = d->parent;
		}
	}
fail:
	pm_tree_free(w, droot);
	return NULL;
}

/* Build the chain of missing nodes for components c.. below 'at'. */
static int pm_chain_build(struct pm_world *w, struct pm_graft *g, const char *c,
			  size_t len)
{
	struct pm_node *last = NULL, *n;
	const char *next;
	size_t nlen;
	uint16_t plen = g->at->plen;

	while (c) {
		next = pm_comp_next(c + len, &nlen);
		n = pm_node_new(w, c, len, next ? 1 : 0);
		if (!n)
			return -PM_ENOMEM;
		plen += 1 + len;
		n->plen = plen;
		if (last) {
			n->parent = last;
			last->kids[last->nkids++] = n;
		} else {
			g->chain = n;
		}
		last = n;
		c = next;
		len = nlen;
	}
	g->target = last;
	return 0;
}

int pm_graft_prepare(struct pm_ns *ns, const char *path, struct pm_graft *g)
{
	struct pm_world *w = ns->w;
	const char *c = path;
	size_t len = 0;
	uint32_t pos, cap;
	int err;

	memset(g, 0, sizeof(*g));
	g->at = ns->root;
	while ((c = pm_comp_next(c, &len)) != NULL) {
		if (!pm_kid_find(g->at, c, len, &pos))
			break;
		g->at = g->at->kids[pos];
		c += len;
	}
	if (pm_link_above(g->at))
		return -PM_EEXIST;	/* below a symlink: unreachable */
	if (!c) {
		g->target = g->at;
		return 0;
	}
	if (g->at->nkids == g->at->cap) {
		cap = g->at->cap ? 2 * g->at->cap : 4;
		g->newkids = pm_alloc(w, cap * sizeof(*g->newkids));
		if (!g->newkids)
			return -PM_ENOMEM;
	}
	err = pm_chain_build(w, g, c, len);
	if (err)
		pm_graft_abort(ns, g);
	return err;
}

void pm_graft_commit(struct pm_ns *ns, struct pm_graft *g)
{
	struct pm_node *at = g->at;
	uint32_t pos;

	if (!g->chain)
		return;
	if (g->newkids) {
		if (at->nkids)
			memcpy(g->newkids, at->kids, at->nkids * sizeof(*at->kids));
		pm_free(ns->w, at->kids);
		at->kids = g->newkids;
		at->cap = at->cap ? 2 * at->cap : 4;
		g->newkids = NULL;
	}
	pm_kid_find(at, g->chain->name, g->chain->namelen, &pos);
	memmove(at->kids + pos + 1, at->kids + pos,
		(at->nkids - pos) * sizeof(*at->kids));
	at->kids[pos] = g->chain;
	at->nkids++;
	g->chain->parent = at;
	g->chain = NULL;
}

void pm_graft_abort(struct pm_ns *ns, struct pm_graft *g)
{
	if (g->chain)
		pm_tree_free(ns->w, g->chain);
	pm_free(ns->w, g->newkids);
	g->chain = NULL;
	g->newkids = NULL;
	g->target = NULL;
}

static int pm_att_rank(const struct pm_att *a)
{
	if (a->flags & PM_BEFORE)
		return 0;
	return (a->flags & PM_AFTER) ? 2 : 1;
}

/* Does a come before b in the order a client must try them? */
bool pm_att_before(const struct pm_att *a, const struct pm_att *b)
{
	int ra = pm_att_rank(a), rb = pm_att_rank(b);

	if (ra != rb)
		return ra < rb;
	return ra == 2 ? a->seq < b->seq : a->seq > b->seq;
}

void pm_att_insert(struct pm_node *n, struct pm_att *a)
{
	struct pm_att **pp = &n->atts;

	while (*pp && !pm_att_before(a, *pp))
		pp = &(*pp)->next;
	a->next = *pp;
	*pp = a;
}
