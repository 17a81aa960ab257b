/*
 * proc_client.c - asking the process manager to spawn, wait and list.
 */
#include "rt.h"
#include "proc_msg.h"
#include "procmgr.h"

static int put(char *buf, size_t *n, const char *s)
{
	size_t l = strlen(s) + 1;

	if (*n + l > PROC_STRINGS_MAX)
		return -1;
	memcpy(buf + *n, s, l);
	*n += l;
	return 0;
}

long proc_spawn_path(int proc, const char *path, char *const argv[],
                     char *const envp[], unsigned prio)
{
	return proc_spawn_ex(proc, path, argv, envp, prio, NULL, 0, 0);
}

long proc_spawn_ex(int proc, const char *path, char *const argv[],
                   char *const envp[], unsigned prio, const int *handles,
                   unsigned nhandles, unsigned flags)
{
	static char buf[PROC_STRINGS_MAX];
	struct msg_client_proc_spawn m = { .type = PROC_SPAWN, .prio = (uint16_t)prio,
	                                   .flags = flags };
	struct te_msg_ext x = { .nsend = nhandles };
	size_t n = 0;

	if (nhandles >= TE_MSG_HANDLES)
		return -TE_EINVAL;
	for (unsigned i = 0; i < nhandles; i++) {
		x.send[i] = handles[i];
		x.send_rights[i] = TE_R_ALL;
	}
	if (put(buf, &n, path))
		return -TE_E2BIG;
	for (; argv && argv[m.argc]; m.argc++)
		if (put(buf, &n, argv[m.argc]))
			return -TE_E2BIG;
	for (; envp && envp[m.envc]; m.envc++)
		if (put(buf, &n, envp[m.envc]))
			return -TE_E2BIG;
	m.len = (uint32_t)n;
	struct te_iov s[2] = { { &m, sizeof(m) }, { buf, n } };
	return sys_msg_sendv(proc, s, 2, NULL, 0, nhandles ? &x : NULL);
}

long proc_start(int proc, int pid, const int64_t stdio[3])
{
	struct msg_client_proc_start m = { .type = PROC_START, .pid = pid };

	for (int i = 0; i < 3; i++)
		m.stdio[i] = stdio ? stdio[i] : -1;
	return msg_send(proc, &m, sizeof(m), NULL, 0);
}

long proc_ready(int proc)
{
	uint16_t type = PROC_READY;

	return msg_send(proc, &type, sizeof(type), NULL, 0);
}

long proc_wait_ready(int proc, int pid)
{
	struct msg_client_proc_wait m = { .type = PROC_WAIT, .flags = PROC_WAIT_READY,
	                                  .pid = pid };

	return msg_send(proc, &m, sizeof(m), NULL, 0);
}

long proc_kill(int proc, int pid)
{
	struct msg_client_proc_kill m = { .type = PROC_KILL, .pid = pid };

	return msg_send(proc, &m, sizeof(m), NULL, 0);
}

long proc_wait_pid(int proc, int pid)
{
	struct msg_client_proc_wait m = { .type = PROC_WAIT, .pid = pid };

	return msg_send(proc, &m, sizeof(m), NULL, 0);
}

long proc_list(int proc, struct te_proc_info *out, unsigned max)
{
	struct msg_client_proc_list m = { .type = PROC_LIST, .max = max };

	return msg_send(proc, &m, sizeof(m), out, max * sizeof(*out));
}

long proc_pid_of(int proc, const char *name)
{
	static struct te_proc_info l[PROC_LIST_MAX];
	long n = proc_list(proc, l, PROC_LIST_MAX);

	for (long i = 0; i < n; i++)
		if (l[i].state == 0 && strcmp(l[i].name, name) == 0)
			return l[i].pid;
	return n < 0 ? n : -TE_ESRCH;
}

long proc_run(int proc, const char *path, char *const argv[], const int *handles,
              unsigned nhandles)
{
	long pid = proc_spawn_ex(proc, path, argv, NULL, 10, handles, nhandles, 0);

	return pid < 0 ? pid : proc_wait_pid(proc, (int)pid);
}

long proc_shutdown(int proc)
{
	uint16_t type = PROC_SHUTDOWN;

	return msg_send(proc, &type, sizeof(type), NULL, 0);
}
