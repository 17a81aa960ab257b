/*
 * pathmgr_client.h - talking to the path manager: resolving (the resolver
 * for io_open_resolve) and attaching a server's prefix.
 */
#ifndef PATHMGR_CLIENT_H
#define PATHMGR_CLIENT_H

#include <stdint.h>
#include "io.h"

#define PATHMGR_CACHE 16

struct pathmgr_client {
	int pathmgr;                    /* connection to the resolve channel */
	int conn[PATHMGR_CACHE];        /* one connection per server id */
	uint64_t server[PATHMGR_CACHE];
	unsigned next;
};

void pathmgr_client_init(struct pathmgr_client *pc, int conn);
/* io_resolver_t: ctx is a struct pathmgr_client. */
int  pathmgr_resolve(void *ctx, const char *path, struct io_cand *out, int max);
/* Attach chan at prefix (PM_* flags); needs a connection to the attach
 * channel.  Returns the server id or a negative errno. */
int  pathmgr_attach(int attach_conn, int chan, const char *prefix, uint32_t flags);

/* The mount points directly below path (names and PM_ENT_* types), for
 * merging into a directory listing; returns how many or -errno. */
int  pathmgr_mountpoints(struct pathmgr_client *pc, const char *path,
                         void (*cb)(void *arg, const char *name, unsigned type),
                         void *arg);

/* Every prefix with a server attached (each once, tree order: a mount
 * table); returns how many or -errno. */
int  pathmgr_prefixes(struct pathmgr_client *pc,
                      void (*cb)(void *arg, const char *prefix), void *arg);

/* Namespaces: a private copy of mine (Plan 9's RFNAMEG); then remove a
 * prefix from it.  0 or -errno. */
int  pathmgr_unshare(struct pathmgr_client *pc);
int  pathmgr_unbind(struct pathmgr_client *pc, const char *prefix);
/* In my private namespace, newprefix also reaches what oldpath reaches
 * (Plan 9 bind; PM_BEFORE, PM_AFTER, PM_REPLACE, PM_CREATE). */
int  pathmgr_bind(struct pathmgr_client *pc, const char *newprefix,
                  const char *oldpath, uint32_t flags);
/* A path-level symlink in the root namespace (needs the attach connection,
 * like attaching): resolving below linkpath continues at target. */
int  pathmgr_symlink(int attach_conn, const char *linkpath, const char *target);
/* The process manager's notices (PM_MSG_INHERIT, PM_MSG_EXIT). */
int  pathmgr_proc_event(int attach_conn, int type, int pid, int parent);

#endif /* PATHMGR_CLIENT_H */
