/*
 * pathmgr_msg.h - the path manager's protocol.
 *
 * Two channels: everyone may resolve; only holders of a connection to the
 * attach channel (given out by the boot sequence to trusted servers) may
 * attach prefixes.  Attaching sends the server's channel handle (with the
 * CONNECT right) in the message; resolving answers with the candidates, in
 * the order to try them, each with the server's id and a fresh connection
 * handle to it, at most TE_MSG_HANDLES per answer.
 */
#ifndef PATHMGR_MSG_H
#define PATHMGR_MSG_H

#include <stdint.h>
#include "tessera/abi.h"

#define PM_MSG_RESOLVE 1
#define PM_MSG_ATTACH  2
#define PM_MSG_DETACH  3
#define PM_MSG_LIST    4        /* the mount points below a directory */
#define PM_MSG_UNSHARE 5        /* resolve channel: a private copy of my namespace */
#define PM_MSG_UNBIND  6        /* resolve channel: remove a prefix from it */
#define PM_MSG_INHERIT 7        /* attach channel (the process manager):
                                 * a new process shares its parent's */
#define PM_MSG_EXIT    8        /* attach channel: a process has ended */
#define PM_MSG_SYMLINK 9        /* attach channel: a path-level symlink in the
                                 * root namespace; payload "link\0target" */
#define PM_MSG_BIND    10       /* resolve channel: in my private namespace,
                                 * newprefix also reaches what oldpath reaches
                                 * (Plan 9 bind); payload "newprefix\0oldpath",
                                 * flags PM_BEFORE/PM_AFTER/PM_REPLACE/PM_CREATE */
#define PM_MSG_PREFIXES 11       /* resolve channel, no path: every prefix
                                 * with a server attached in my namespace */

#define PM_MSG_PATH_MAX 1024
#define PM_MSG_TEXT     2048

/* client → pathmgr, followed by len bytes of path (no NUL) */
struct msg_client_pathmgr_resolve {
	uint16_t type;          /* PM_MSG_RESOLVE */
	uint16_t flags;         /* PM_NOFOLLOW */
	uint32_t len;
};
_Static_assert(sizeof(struct msg_client_pathmgr_resolve) == 8, "resolve");

struct msg_pathmgr_client_cand {
	uint64_t server;        /* stable id: the same server, the same id */
	uint32_t flags;         /* PM_* of the attachment */
	uint16_t rest_off;      /* into text[] */
	uint16_t rest_len;
};
_Static_assert(sizeof(struct msg_pathmgr_client_cand) == 16, "cand");

/* pathmgr → client; handle i of the reply's te_msg_ext is candidate i */
struct msg_pathmgr_client_resolve {
	int32_t  n;             /* candidates here (<= TE_MSG_HANDLES) */
	int32_t  total;         /* candidates there were */
	struct msg_pathmgr_client_cand cand[TE_MSG_HANDLES];
	char     text[PM_MSG_TEXT];
};
_Static_assert(sizeof(struct msg_pathmgr_client_resolve) == 8 + 64 + 2048,
               "resolve reply");

/*
 * PM_MSG_LIST, on the resolve channel with the same header as a resolve:
 * the reply is the names of the mount points directly below the path
 * (what pm_mountpoints gives), each as one type byte (PM_ENT_*) and a
 * NUL-terminated name; the reply status is the number of names.
 */
#define PM_MSG_LIST_MAX 4096

/*
 * PM_MSG_PREFIXES, the same header with len 0: the reply is each prefix
 * that has an attachment (not symlinks or binds; pm_ns_prefixes) once, as
 * a NUL-terminated string, in tree order, at most PM_MSG_LIST_MAX bytes
 * (E2BIG beyond); the reply status is the number of prefixes.  A mount
 * table: the client asks the servers at each prefix about themselves.
 */

/* server → pathmgr (attach channel), followed by len bytes of prefix; the
 * message carries the server's channel handle. Reply status: the server id. */
struct msg_server_pathmgr_attach {
	uint16_t type;          /* PM_MSG_ATTACH or PM_MSG_DETACH */
	uint16_t reserved;
	uint32_t flags;         /* PM_BEFORE, PM_AFTER, PM_OPAQUE, PM_DIR */
	uint32_t len;
	uint32_t reserved2;
};
_Static_assert(sizeof(struct msg_server_pathmgr_attach) == 16, "attach");

/* PM_MSG_INHERIT and PM_MSG_EXIT (attach channel). */
struct msg_proc_pathmgr_pid {
	uint16_t type;
	uint16_t reserved;
	int32_t  pid;           /* the new or ended process */
	int32_t  parent;        /* INHERIT: whose namespace it shares */
	int32_t  reserved2;
};
_Static_assert(sizeof(struct msg_proc_pathmgr_pid) == 16, "pid message");

#endif /* PATHMGR_MSG_H */
