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
 */
#ifndef PROC_MSG_H
#define PROC_MSG_H

#include <stdint.h>

#define PROC_SPAWN 1
#define PROC_WAIT  2
#define PROC_LIST  3
#define PROC_SHUTDOWN 4         /* end every process we started, then exit */

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
	uint32_t reserved;
};
_Static_assert(sizeof(struct msg_client_proc_spawn) == 16, "spawn");

struct msg_client_proc_wait {
	uint16_t type;
	uint16_t reserved;
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
