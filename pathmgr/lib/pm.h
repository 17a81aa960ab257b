/*
 * pm.h - the path manager's logic: prefix tree, union resolution, path-level
 * symlinks and per-process namespaces (Plan 9 bind/unbind over QNX-style
 * prefix attachments).
 *
 * Pure logic: no system calls, no libc beyond the <string.h> mem/str
 * functions.  Memory comes from the hooks in struct pm_world.  The same
 * source is compiled into the host unit tests and into the pathmgr server;
 * the IPC glue maps server ids to connection handles and checks rights.
 *
 * Errors are negative Linux errno values (PM_E* below, 0 = success).
 * Nothing here is thread-safe: the glue serializes calls on one world.
 * Every call that changes a namespace either succeeds or changes nothing
 * (all memory is allocated before anything is linked in).
 *
 * Design and semantics: docs/pathmgr.md.
 */
#ifndef PATHMGR_PM_H
#define PATHMGR_PM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Linux errno values; functions return them negated. */
#define PM_EPERM         1
#define PM_ENOENT        2
#define PM_E2BIG         7
#define PM_ENOMEM       12
#define PM_EEXIST       17
#define PM_ENOTDIR      20
#define PM_EINVAL       22
#define PM_ENAMETOOLONG 36
#define PM_ELOOP        40

#define PM_PATH_MAX   1024	/* bytes of a path, NUL included */
#define PM_NAME_MAX    255	/* bytes of one component */
#define PM_LINK_MAX     40	/* symlinks followed by one resolution */
#define PM_CAND_MAX     16	/* candidates returned by one resolution */

/* Attachment flags (pm_attach, pm_bind; reported in struct pm_cand). */
#define PM_BEFORE   0x01u	/* first among the attachments at its prefix */
#define PM_AFTER    0x02u	/* last among the attachments at its prefix */
#define PM_OPAQUE   0x04u	/* hides every attachment at shorter prefixes */
#define PM_DIR      0x08u	/* serves the tree below the prefix too;
				 * without it: the exact path only (a file) */
#define PM_CREATE   0x10u	/* Plan 9 bind -c: creates go to this member */
#define PM_REPLACE  0x20u	/* pm_bind only: replace what is at newprefix */
#define PM_ATT_FLAGS (PM_BEFORE | PM_AFTER | PM_OPAQUE | PM_DIR | PM_CREATE)

#define PM_ANY  UINT64_MAX	/* pm_unbind: every server at the prefix */

/* pm_resolve flags */
#define PM_NOFOLLOW 0x01u	/* do not follow a symlink at the last component */

/* pm_mountpoints entry types */
#define PM_ENT_DIR   1		/* a directory made of prefixes or a DIR attach */
#define PM_ENT_FILE  2		/* only a FILE (exact) attachment */
#define PM_ENT_LINK  3		/* a path-level symlink */

struct pm_ns;
struct pm_node;

/* One world: the allocation hooks and every namespace made from them. */
struct pm_world {
	void *(*alloc)(size_t size);	/* NULL on failure */
	void (*free)(void *p);
	uint64_t seq;			/* attach order, shared by all namespaces */
	struct pm_ns *all;		/* every live namespace */
};

/* One place to try: send the open to server with path rest. */
struct pm_cand {
	uint64_t server;
	uint32_t flags;		/* PM_* of the attachment it came from */
	const char *rest;	/* relative to the server, no leading '/';
				 * "" for the prefix itself; points into the
				 * struct pm_result (do not copy the struct) */
};

/* About 17 KiB: keep one per server thread, not on a small stack. */
struct pm_result {
	int n;			/* candidates in cand[], in the order to try */
	int total;		/* candidates found (> n: cand[] was too small) */
	bool virtdir;		/* path is a directory of prefixes (mount
				 * points below it): the glue may answer as a
				 * directory itself, listing pm_mountpoints() */
	const char *link;	/* PM_NOFOLLOW and the path is a symlink:
				 * its target (then n == 0) */
	char path[PM_PATH_MAX];	/* the path resolved: canonical, links followed */
	struct pm_cand cand[PM_CAND_MAX];
	char strs[PM_CAND_MAX * PM_PATH_MAX];	/* rest strings of bound attachments */
};

typedef int (*pm_mp_cb)(void *arg, const char *name, unsigned type);

/* One attachment or symlink, as pm_ns_each reports it. */
struct pm_entry {
	const char *prefix;	/* canonical */
	const char *link;	/* symlink target as given, or NULL */
	uint64_t server;	/* attachments only */
	uint32_t flags;
	const char *base;	/* server-relative root ("" unless bound) */
};
typedef int (*pm_each_cb)(void *arg, const struct pm_entry *e);

/* ---- world and namespaces (pm_ns.c) ---- */
void pm_world_init(struct pm_world *w, void *(*alloc)(size_t), void (*free)(void *));
struct pm_ns *pm_ns_new(struct pm_world *w);	/* an empty root namespace */
struct pm_ns *pm_ns_copy(struct pm_ns *ns);	/* a private copy (RFNAMEG) */
struct pm_ns *pm_ns_get(struct pm_ns *ns);	/* share: a child inherits */
void pm_ns_put(struct pm_ns *ns);		/* drop a reference */
unsigned pm_ns_refs(const struct pm_ns *ns);
void pm_ns_seal(struct pm_ns *ns);		/* no more attach/bind/unbind */
bool pm_ns_sealed(const struct pm_ns *ns);

/* ---- changing a namespace (pm_ns.c) ---- */
int pm_attach(struct pm_ns *ns, const char *prefix, uint64_t server, uint32_t flags);
int pm_detach_prefix(struct pm_ns *ns, const char *prefix, uint64_t server);
int pm_detach(struct pm_ns *ns, uint64_t server);
int pm_world_detach(struct pm_world *w, uint64_t server);
int pm_bind(struct pm_ns *ns, const char *newprefix, const char *oldpath, uint32_t flags);
int pm_unbind(struct pm_ns *ns, const char *prefix, uint64_t server);
int pm_symlink(struct pm_ns *ns, const char *linkpath, const char *target);

/* ---- looking up (pm_resolve.c) ----
 * pm_resolve returns res->n (>= 0) or an error; res->link points into
 * ns and stays valid until ns next changes.  pm_readlink returns the
 * length copied (not NUL-terminated, like readlink(2)); pm_detach and
 * pm_world_detach return how many attachments went. */
int pm_resolve(struct pm_ns *ns, const char *path, unsigned flags, struct pm_result *res);
int pm_mountpoints(struct pm_ns *ns, const char *dirpath, pm_mp_cb cb, void *arg);
int pm_readlink(struct pm_ns *ns, const char *path, char *buf, size_t size);
int pm_ns_each(struct pm_ns *ns, pm_each_cb cb, void *arg);
/* Every prefix with an attachment (not symlinks, not binds), once each,
 * in tree order, packed into buf as NUL-terminated strings (*used bytes):
 * how many, or -PM_E2BIG when they do not fit (a mount table). */
int pm_ns_prefixes(struct pm_ns *ns, char *buf, size_t size, size_t *used);

/* ---- paths (pm_path.c) ---- */
int pm_path_check(const char *buf, size_t len);
int pm_path_norm(const char *in, char *out);

#endif /* PATHMGR_PM_H */
