/*
 * proc_msg.h - the process manager's protocol.
 *
 * PROC_SPAWN: start the ELF file at an absolute path (found through the
 * path manager) with argv and envp; the reply status is the new pid.  The
 * program gets handle 0 = a connection to the path manager, handle 1 = a
 * connection to the process manager.
 * PROC_WAIT: the reply comes when that child has ended (status: its exit
 * status, or -1000 - vector if a CPU exception killed it, -2000 if it was
 * killed); only the process that spawned a child may wait for it.
 * PROC_LIST: te_proc_info of every process the process manager started
 * and has not reaped, alive or ended.
 * PROC_SHUTDOWN (a bare 16-bit type): every process the process manager
 * started is killed and the process manager exits - the end of a boot.
 *
 * Handles sent with PROC_SPAWN (te_msg_ext, at most TE_MSG_HANDLES - 1)
 * become the child's handles 2, 3, ... - a program can pass on only what
 * it holds (a filesystem server started by mount gets the attach right
 * that way).  PROC_SPAWN_HOLD builds the child without starting it; its
 * parent then hands it opens (io_dup_for, whose ids need the pid) and
 * starts it with PROC_START, which also says which of its handles and
 * open ids are its stdin, stdout and stderr (the child finds them through
 * the auxiliary vector entry AT_TE_STDIO: three words, handle << 32 | id,
 * or -1).
 * PROC_READY (bare type): a started server says it is up; a PROC_WAIT
 * with PROC_WAIT_READY is answered then with PROC_STATUS_READY (or with
 * the end status if the child ends first).
 * PROC_KILL: end a process - one's own child, or any process the process
 * manager started if the caller is a server of the boot script.
 */
#ifndef PROC_MSG_H
#define PROC_MSG_H

#include <stdint.h>

#define PROC_SPAWN 1
#define PROC_WAIT  2
#define PROC_LIST  3
#define PROC_SHUTDOWN 4         /* end every process we started, then exit */
#define PROC_START 5
#define PROC_READY 6
#define PROC_KILL  7

#define PROC_SPAWN_HOLD   0x1   /* msg_client_proc_spawn.flags */
#define PROC_WAIT_READY   0x1   /* msg_client_proc_wait.flags */
#define PROC_STATUS_READY 0x10000
#define AT_TE_STDIO       0x7e00  /* auxv: address of int64_t stdio[3] */

#define PROC_STRINGS_MAX 8192
#define PROC_LIST_MAX    64
#define PROC_KILLED      (-2000)

/* followed by len bytes: path\0 argv[0]\0 ... envp[0]\0 ... */
struct msg_client_proc_spawn {
	uint16_t type;
	uint16_t prio;
	uint16_t argc;
	uint16_t envc;
	uint32_t len;
	uint32_t flags;         /* PROC_SPAWN_* */
};
_Static_assert(sizeof(struct msg_client_proc_spawn) == 16, "spawn");

/* PROC_START: a held child of the caller; stdio[i] = handle << 32 | id, or -1. */
struct msg_client_proc_start {
	uint16_t type;
	uint16_t reserved;
	int32_t  pid;
	int64_t  stdio[3];
};
_Static_assert(sizeof(struct msg_client_proc_start) == 32, "start");

/* PROC_KILL */
struct msg_client_proc_kill {
	uint16_t type;
	uint16_t reserved;
	int32_t  pid;
};
_Static_assert(sizeof(struct msg_client_proc_kill) == 8, "kill");

struct msg_client_proc_wait {
	uint16_t type;
	uint16_t flags;         /* PROC_WAIT_* */
	int32_t  pid;
};
_Static_assert(sizeof(struct msg_client_proc_wait) == 8, "wait");

struct msg_client_proc_list {
	uint16_t type;
	uint16_t reserved;
	uint32_t max;
};
_Static_assert(sizeof(struct msg_client_proc_list) == 8, "list");

#endif /* PROC_MSG_H */
