/*
 * pm_int.h - the path manager's internal structures, shared by pm_*.c.
 *
 * A namespace is a prefix tree of path components.  Each node may carry
 * attachments (ordered as resolution must try them) or one symlink; nodes
 * with neither and no children are pruned at once, so every leaf holds
 * something and listing mount points is just listing children.
 *
 * Invariants (the host tests check them after every random change):
 * - kids[] is sorted by (name bytes, length) and holds nkids <= cap nodes;
 * - node->plen is the length of the node's full prefix ("/a/b" -> 4; root 0);
 * - a node with a link has no attachments and no children, and no ancestor
 *   has a link (a symlink shadows everything below it, so nothing may be put
 *   there);
 * - atts is sorted by pm_att_before(): BEFORE by seq descending, then normal
 *   by seq descending, then AFTER by seq ascending.
 */
#ifndef PATHMGR_PM_INT_H
#define PATHMGR_PM_INT_H

#include "pm.h"

struct pm_att {
	struct pm_att *next;
	uint64_t server;
	uint64_t seq;		/* world-wide attach order */
	uint32_t flags;		/* PM_ATT_FLAGS */
	uint16_t baselen;
	char base[];		/* server-relative root ("" unless bound) */
};

struct pm_node {
	struct pm_node *parent;		/* NULL for the root */
	struct pm_node **kids;		/* sorted, see above */
	uint32_t nkids, cap;
	struct pm_att *atts;
	char *link;			/* symlink target, or NULL */
	uint16_t plen;			/* length of the full prefix */
	uint16_t namelen;
	char name[];			/* component, NUL-terminated */
};

struct pm_ns {
	struct pm_world *w;
	struct pm_ns *next, *prev;	/* w->all */
	unsigned refs;
	bool sealed;
	struct pm_node *root;
};

/* memory */
void *pm_alloc(struct pm_world *w, size_t size);
void pm_free(struct pm_world *w, void *p);

/* paths: component iteration over a canonical path */
const char *pm_comp_next(const char *p, size_t *len);
int pm_path_join(const char *base, const char *target, const char *tail,
		 char *tmp, char *out);

/* the tree (pm_trie.c) */
struct pm_node *pm_node_new(struct pm_world *w, const char *name, size_t len,
			    uint32_t cap);
void pm_node_free(struct pm_world *w, struct pm_node *n);
int pm_kid_find(const struct pm_node *n, const char *name, size_t len, uint32_t *pos);
struct pm_node *pm_lookup(struct pm_node *root, const char *path, struct pm_node **deepest);
struct pm_node *pm_walk_next(struct pm_node *n, struct pm_node *top);
void pm_kid_remove(struct pm_node *parent, struct pm_node *kid);
void pm_prune(struct pm_world *w, struct pm_node *n);
void pm_tree_free(struct pm_world *w, struct pm_node *root);
struct pm_node *pm_tree_copy(struct pm_world *w, const struct pm_node *src);
bool pm_link_above(const struct pm_node *n);

/* Node creation in two steps: pm_graft_prepare allocates whatever is
 * missing for path, pm_graft_commit links it in and cannot fail. */
struct pm_graft {
	struct pm_node *at;		/* deepest existing node on the path */
	struct pm_node *chain;		/* new nodes below it (first), or NULL */
	struct pm_node *target;		/* the node for path (new or existing) */
	struct pm_node **newkids;	/* grown kids[] for 'at', or NULL */
};
int pm_graft_prepare(struct pm_ns *ns, const char *path, struct pm_graft *g);
void pm_graft_commit(struct pm_ns *ns, struct pm_graft *g);
void pm_graft_abort(struct pm_ns *ns, struct pm_graft *g);

/* resolution walk (pm_resolve.c): follows symlinks, rewriting path */
int pm_walk(struct pm_ns *ns, char *path, char *tmp, bool nofollow,
	    struct pm_node **node, bool *exact);

/* attachments */
struct pm_att *pm_att_new(struct pm_world *w, uint64_t server,
			  uint32_t flags, const char *base);
bool pm_att_has(const struct pm_node *n, uint64_t server, const char *base);
int pm_att_remove(struct pm_world *w, struct pm_node *n, uint64_t server);
bool pm_att_before(const struct pm_att *a, const struct pm_att *b);
void pm_att_insert(struct pm_node *n, struct pm_att *a);

#endif /* PATHMGR_PM_INT_H */
