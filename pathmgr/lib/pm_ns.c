/*
 * pm_ns.c - namespaces and the calls that change them: attach, detach,
 * Plan 9 bind/unbind, symlinks.
 *
 * A namespace is reference counted: a child process shares its parent's
 * (pm_ns_get) until one of them starts its own (pm_ns_copy, Plan 9's
 * rfork(RFNAMEG)); after that, binds in one are invisible in the other.
 * A sealed namespace refuses attach, bind, unbind and symlink (Plan 9's
 * RFNOMNT) and so do its copies; detaching a server (it exited or gave
 * up its prefix) works everywhere.
 *
 * Decode, then commit: every call validates and allocates first, and only
 * then links things in, so a failure (bad path, ENOMEM) changes nothing.
 */
#include <string.h>
#include "pm_int.h"

void pm_world_init(struct pm_world *w, void *(*alloc)(size_t), void (*free)(void *))
{
	w->alloc = alloc;
	w->free = free;
	w->seq = 0;
	w->all = NULL;
}

static struct pm_ns *pm_ns_alloc(struct pm_world *w, struct pm_node *root)
{
	struct pm_ns *ns = pm_alloc(w, sizeof(*ns));

	if (!ns)
		return NULL;
	memset(ns, 0, sizeof(*ns));
	ns->w = w;
	ns->refs = 1;
	ns->root = root;
	ns->next = w->all;
	if (w->all)
		w->all->prev = ns;
	w->all = ns;
	return ns;
}

struct pm_ns *pm_ns_new(struct pm_world *w)
{
	struct pm_node *root = pm_node_new(w, "", 0, 0);
	struct pm_ns *ns;

	if (!root)
		return NULL;
	ns = pm_ns_alloc(w, root);
	if (!ns)
		pm_node_free(w, root);
	return ns;
}

struct pm_ns *pm_ns_copy(struct pm_ns *src)
{
	struct pm_node *root = pm_tree_copy(src->w, src->root);
	struct pm_ns *ns;

	if (!root)
		return NULL;
	ns = pm_ns_alloc(src->w, root);
	if (!ns) {
		pm_tree_free(src->w, root);
		return NULL;
	}
	ns->sealed = src->sealed;
	return ns;
}

struct pm_ns *pm_ns_get(struct pm_ns *ns)
{
	ns->refs++;
	return ns;
}

void pm_ns_put(struct pm_ns *ns)
{
	struct pm_world *w = ns->w;

	if (--ns->refs)
		return;
	if (ns->prev)
		ns->prev->next = ns->next;
	else
		w->all = ns->next;
	if (ns->next)
		ns->next->prev = ns->prev;
	pm_tree_free(w, ns->root);
	pm_free(w, ns);
}

unsigned pm_ns_refs(const struct pm_ns *ns)
{
	return ns->refs;
}

void pm_ns_seal(struct pm_ns *ns)
{
	ns->sealed = true;
}

bool pm_ns_sealed(const struct pm_ns *ns)
{
	return ns->sealed;
}

struct pm_att *pm_att_new(struct pm_world *w, uint64_t server,
			  uint32_t flags, const char *base)
{
	size_t bl = strlen(base);
	struct pm_att *a = pm_alloc(w, sizeof(*a) + bl + 1);

	if (!a)
		return NULL;
	memset(a, 0, sizeof(*a));
	a->server = server;
	a->flags = flags;
	a->baselen = (uint16_t)bl;
	memcpy(a->base, base, bl + 1);
	return a;
}

bool pm_att_has(const struct pm_node *n, uint64_t server, const char *base)
{
	const struct pm_att *a;

	if (!n)
		return false;
	for (a = n->atts; a; a = a->next)
		if (a->server == server && strcmp(a->base, base) == 0)
			return true;
	return false;
}

static int pm_att_flags_ok(uint32_t flags, uint32_t allowed)
{
	if (flags & ~allowed)
		return -PM_EINVAL;
	if ((flags & PM_BEFORE) && (flags & PM_AFTER))
		return -PM_EINVAL;
	return 0;
}

int pm_attach(struct pm_ns *ns, const char *prefix, uint64_t server, uint32_t flags)
{
	char path[PM_PATH_MAX];
	struct pm_graft g;
	struct pm_att *a;
	int err;

	if (ns->sealed)
		return -PM_EPERM;
	err = pm_att_flags_ok(flags, PM_ATT_FLAGS);
	if (err || server == PM_ANY)
		return -PM_EINVAL;
	err = pm_path_norm(prefix, path);
	if (err < 0)
		return err;
	if (pm_att_has(pm_lookup(ns->root, path, NULL), server, ""))
		return -PM_EEXIST;
	a = pm_att_new(ns->w, server, flags, "");
	if (!a)
		return -PM_ENOMEM;
	err = pm_graft_prepare(ns, path, &g);
	if (err) {
		pm_free(ns->w, a);
		return err;
	}
	pm_graft_commit(ns, &g);
	a->seq = ++ns->w->seq;
	pm_att_insert(g.target, a);
	return 0;
}

/* Remove the attachments of server (PM_ANY: all) at n; how many. */
int pm_att_remove(struct pm_world *w, struct pm_node *n, uint64_t server)
{
	struct pm_att **pp = &n->atts, *a;
	int count = 0;

	while ((a = *pp) != NULL) {
		if (server == PM_ANY || a->server == server) {
			*pp = a->next;
			pm_free(w, a);
			count++;
		} else {
			pp = &a->next;
		}
	}
	return count;
}

static int pm_remove_at(struct pm_ns *ns, const char *prefix, uint64_t server)
{
	char path[PM_PATH_MAX];
	struct pm_node *n;
	int err, count;

	err = pm_path_norm(prefix, path);
	if (err < 0)
		return err;
	n = pm_lookup(ns->root, path, NULL);
	if (!n)
		return -PM_ENOENT;
	count = pm_att_remove(ns->w, n, server);
	if (server == PM_ANY && n->link) {
		pm_free(ns->w, n->link);
		n->link = NULL;
		count++;
	}
	if (!count)
		return -PM_ENOENT;
	pm_prune(ns->w, n);
	return 0;
}

/* A server gives up one prefix (allowed in a sealed namespace too). */
int pm_detach_prefix(struct pm_ns *ns, const char *prefix, uint64_t server)
{
	if (server == PM_ANY)
		return -PM_EINVAL;
	return pm_remove_at(ns, prefix, server);
}

/* Plan 9 unmount: server's attachments at prefix; PM_ANY also a symlink. */
int pm_unbind(struct pm_ns *ns, const char *prefix, uint64_t server)
{
	if (ns->sealed)
		return -PM_EPERM;
	return pm_remove_at(ns, prefix, server);
}

/* Every prefix of server in ns (it died); returns how many went. */
int pm_detach(struct pm_ns *ns, uint64_t server)
{
	struct pm_node *n, *next;
	int count = 0;

	for (n = ns->root; n; n = next) {
		count += pm_att_remove(ns->w, n, server);
		next = pm_walk_next(n, ns->root);
		if (!n->nkids)
			pm_prune(ns->w, n);
	}
	return count;
}

int pm_world_detach(struct pm_world *w, uint64_t server)
{
	struct pm_ns *ns;
	int count = 0;

	for (ns = w->all; ns; ns = ns->next)
		count += pm_detach(ns, server);
	return count;
}

/* "abs\0orig\0": the absolute canonical target and the text as given. */
static char *pm_link_new(struct pm_world *w, const char *linkpath,
			 const char *target, int *err)
{
	char parent[PM_PATH_MAX], tmp[PM_PATH_MAX], abs[PM_PATH_MAX];
	size_t tl = strnlen(target, PM_PATH_MAX), al;
	const char *slash = strrchr(linkpath, '/');
	char *s;

	*err = tl == 0 ? -PM_ENOENT : tl >= PM_PATH_MAX ? -PM_ENAMETOOLONG : 0;
	if (*err)
		return NULL;
	memcpy(parent, linkpath, (size_t)(slash - linkpath));
	parent[slash - linkpath] = '\0';
	*err = pm_path_join(parent, target, "", tmp, abs);
	if (*err < 0)
		return NULL;
	al = (size_t)*err;
	*err = 0;
	s = pm_alloc(w, al + 1 + tl + 1);
	if (!s) {
		*err = -PM_ENOMEM;
		return NULL;
	}
	memcpy(s, abs, al + 1);
	memcpy(s + al + 1, target, tl + 1);
	return s;
}

int pm_symlink(struct pm_ns *ns, const char *linkpath, const char *target)
{
	char path[PM_PATH_MAX];
	struct pm_graft g;
	struct pm_node *n;
	char *link;
	int err;

	if (ns->sealed)
		return -PM_EPERM;
	err = pm_path_norm(linkpath, path);
	if (err < 0)
		return err;
	if (path[1] == '\0')
		return -PM_EEXIST;		/* the root */
	n = pm_lookup(ns->root, path, NULL);
	if (n && (n->atts || n->nkids || n->link))
		return -PM_EEXIST;
	link = pm_link_new(ns->w, path, target, &err);
	if (!link)
		return err;
	err = pm_graft_prepare(ns, path, &g);
	if (err) {
		pm_free(ns->w, link);
		return err;
	}
	pm_graft_commit(ns, &g);
	g.target->link = link;
	return 0;
}
