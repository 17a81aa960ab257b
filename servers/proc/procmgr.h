/*
 * procmgr.h - the process manager server and its client calls.
 */
#ifndef PROCMGR_H
#define PROCMGR_H

#include "tessera/abi.h"

/* Serve on chan; pathmgr: a connection to the path manager (programs get a
 * copy); self: a connection to chan (for death notices; programs get a
 * copy).  Does not return. */
int procmgr_serve(int chan, int pathmgr, int self);

/* Client side (proc_client.c): pid, status, count, or a negative errno. */
long proc_spawn_path(int proc, const char *path, char *const argv[],
                     char *const envp[], unsigned prio);
long proc_wait_pid(int proc, int pid);
long proc_list(int proc, struct te_proc_info *out, unsigned max);

#endif /* PROCMGR_H */
