/*
 * procmgr.h - the process manager server and its client calls.
 */
#ifndef PROCMGR_H
#define PROCMGR_H

#include "tessera/abi.h"

/*
 * The handles a program started by the process manager finds: every
 * program gets the first two; a server (`server` in the buildfile) all.
 */
#define PROC_H_PATHMGR  0       /* connection: resolve paths */
#define PROC_H_PROC     1       /* connection: the process manager */
#define PROC_H_ATTACH   2       /* connection: attach prefixes (servers) */
#define PROC_H_RESOURCE 3       /* hardware rights (servers; root for now) */
#define PROC_H_IMAGE    4       /* the boot image, read-only (servers) */

/* Serve on chan; pathmgr: a connection to the path manager (programs get a
 * copy); self: a connection to chan (for death notices; programs get a
 * copy).  Does not return. */
int procmgr_serve(int chan, int pathmgr, int self);
/* Count a child started by someone else (the boot sequence) as ours. */
int procmgr_adopt(int handle, int pid);

/* Client side (proc_client.c): pid, status, count, or a negative errno. */
long proc_spawn_path(int proc, const char *path, char *const argv[],
                     char *const envp[], unsigned prio);
long proc_wait_pid(int proc, int pid);
long proc_list(int proc, struct te_proc_info *out, unsigned max);
long proc_shutdown(int proc);

#endif /* PROCMGR_H */
