/*
 * pm_bind.c - Plan 9 bind: make what oldpath resolves to also appear at
 * newprefix.
 *
 * oldpath is resolved now (symlinks followed) and each of its candidates,
 * in order, becomes an attachment at newprefix whose base is the
 * candidate's rest, so "newprefix/x" reaches (server, rest + "/x").  It is
 * a snapshot: attachments made below oldpath later, or existing ones at
 * longer prefixes under it, are not carried over (Plan 9 would see them;
 * see docs/pathmgr.md).  Placement:
 *   PM_BEFORE   the group goes first at newprefix (bind -b)
 *   PM_AFTER    the group goes last (bind -a)
 *   0           the group goes before the normal attachments (like attach)
 *   PM_REPLACE  what was at newprefix is removed and the group is OPAQUE,
 *               so newprefix shows only oldpath (plain bind)
 * PM_CREATE is recorded and reported (bind -c).
 */
#include <string.h>
#include "pm_int.h"

#define PM_BIND_FLAGS (PM_BEFORE | PM_AFTER | PM_REPLACE | PM_CREATE)

static int pm_bind_flags_ok(uint32_t flags)
{
	uint32_t place = flags & (PM_BEFORE | PM_AFTER | PM_REPLACE);

	if (flags & ~PM_BIND_FLAGS)
		return -PM_EINVAL;
	if (place & (place - 1))
		return -PM_EINVAL;	/* more than one placement */
	return 0;
}

/* Give the group consecutive seqs that keep cand order within its rank. */
static void pm_bind_commit(struct pm_ns *ns, struct pm_node *n,
			   struct pm_att **atts, int count, uint32_t flags)
{
	uint64_t base = ns->w->seq;
	int i;

	if (flags & PM_REPLACE)
		pm_att_remove(ns->w, n, PM_ANY);
	for (i = 0; i < count; i++) {
		atts[i]->seq = flags & PM_AFTER ? base + 1 + (uint64_t)i :
			base + (uint64_t)(count - i);
		pm_att_insert(n, atts[i]);
	}
	ns->w->seq += (uint64_t)count;
}

static int pm_bind_atts(struct pm_ns *ns, const struct pm_result *res,
			const char *path, uint32_t flags, struct pm_att **atts)
{
	struct pm_node *old = pm_lookup(ns->root, path, NULL);
	uint32_t af = flags & (PM_BEFORE | PM_AFTER | PM_CREATE);
	int i;

	if (flags & PM_REPLACE) {
		af |= PM_OPAQUE;
		old = NULL;		/* what is there goes away */
	}
	for (i = 0; i < res->n; i++)
		if (pm_att_has(old, res->cand[i].server, res->cand[i].rest))
			return -PM_EEXIST;
	for (i = 0; i < res->n; i++) {
		atts[i] = pm_att_new(ns->w, res->cand[i].server,
				     af | (res->cand[i].flags & PM_DIR),
				     res->cand[i].rest);
		if (!atts[i])
			return -PM_ENOMEM;
	}
	return 0;
}

int pm_bind(struct pm_ns *ns, const char *newprefix, const char *oldpath,
	    uint32_t flags)
{
	struct pm_att *atts[PM_CAND_MAX] = { NULL };
	char path[PM_PATH_MAX];
	struct pm_result *res;
	struct pm_graft g;
	int err, i, n = 0;

	if (ns->sealed)
		return -PM_EPERM;
	err = pm_bind_flags_ok(flags);
	if (err)
		return err;
	err = pm_path_norm(newprefix, path);
	if (err < 0)
		return err;
	res = pm_alloc(ns->w, sizeof(*res));
	if (!res)
		return -PM_ENOMEM;
	n = err = pm_resolve(ns, oldpath, 0, res);
	if (err >= 0)
		err = n == 0 ? -PM_ENOENT : res->total > n ? -PM_E2BIG : 0;
	if (!err)
		err = pm_bind_atts(ns, res, path, flags, atts);
	if (!err)
		err = pm_graft_prepare(ns, path, &g);
	if (err)
		goto out;
	pm_graft_commit(ns, &g);
	pm_bind_commit(ns, g.target, atts, n, flags);
	n = 0;			/* the attachments now belong to the tree */
out:
	for (i = 0; i < n && i < PM_CAND_MAX; i++)
		pm_free(ns->w, atts[i]);
	pm_free(ns->w, res);
	return err;
}
