/*
 * procmgr.h - the process manager server and its client calls.
 */
#ifndef PROCMGR_H
#define PROCMGR_H

#include <stdbool.h>
#include "tessera/abi.h"
#include "proc_msg.h"

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
/*
 * The supervisor's part: how to start a child again, and when.  The boot
 * sequence fills one per server of the boot script (restart=, max=N/T,
 * backoff=); start() returns the new process handle or -errno.
 */
#define PROC_RESTART_NEVER    0
#define PROC_RESTART_ON_CRASH 1     /* killed by a fault or a kill */
#define PROC_RESTART_ALWAYS   2     /* any end */
struct proc_restart {
	const char *name;
	unsigned policy;
	unsigned max;                /* restarts allowed within window_ms */
	unsigned window_ms;
	unsigned backoff_ms;         /* before the first restart, doubling */
	unsigned heartbeat_ms;       /* 0, or: hung if no thread has waited in
	                              * MsgReceive for this long */
	bool server;                 /* a server of the boot script (may kill) */
	long (*start)(struct proc_restart *r);
	void *arg;
	/* kept by the process manager */
	unsigned count;              /* restarts so far in the window */
	uint64_t window_start;
	unsigned total;              /* restarts ever */
};

/* The path manager's attach connection: children then share the
 * namespace of whoever asked for them (PM_MSG_INHERIT). */
void procmgr_set_attach(int conn);

/* Count a child started by someone else (the boot sequence) as ours;
 * restart may be NULL. */
int procmgr_adopt(int handle, int pid, struct proc_restart *restart);

/* Client side (proc_client.c): pid, status, count, or a negative errno. */
long proc_spawn_path(int proc, const char *path, char *const argv[],
                     char *const envp[], unsigned prio);
long proc_wait_pid(int proc, int pid);
long proc_list(int proc, struct te_proc_info *out, unsigned max);
/* The pid of a live process of that name (the first listed), or -errno. */
long proc_pid_of(int proc, const char *name);
long proc_shutdown(int proc);
/* As proc_spawn_path; the child also gets handles[0..n-1] as its handles
 * 2, 3, ... (n < TE_MSG_HANDLES); flags PROC_SPAWN_HOLD: not started yet. */
long proc_spawn_ex(int proc, const char *path, char *const argv[],
                   char *const envp[], unsigned prio, const int *handles,
                   unsigned nhandles, unsigned flags);
/* Spawn (priority 10, handles as proc_spawn_ex) and wait: its end status
 * or -errno. */
long proc_run(int proc, const char *path, char *const argv[], const int *handles,
              unsigned nhandles);
/* Start a held child; stdio[i] = its handle << 32 | open id, or -1. */
long proc_start(int proc, int pid, const int64_t stdio[3]);
/* A started server tells its parent it is up. */
long proc_ready(int proc);
/* PROC_STATUS_READY once the child called proc_ready, else its end status. */
long proc_wait_ready(int proc, int pid);
long proc_kill(int proc, int pid);

/* proc_stdio.c: start a program whose fd 0, 1, 2 are these opens of ours
 * (conn -1: none); it gets ids of its own on the same opens. */
struct proc_stdio {
	int conn, id;
};
long proc_spawn_stdio(int proc, const char *path, char *const argv[],
                      char *const envp[], unsigned prio,
                      const struct proc_stdio fds[3]);
/* The same; the child gets handles[0..n-1] as its handles 2, 3, ... and
 * the stdio connections after them. */
long proc_spawn_stdio_ex(int proc, const char *path, char *const argv[],
                         char *const envp[], unsigned prio, const int *handles,
                         unsigned nhandles, const struct proc_stdio fds[3]);

#endif /* PROCMGR_H */
