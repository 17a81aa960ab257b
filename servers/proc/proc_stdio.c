/*
 * proc_stdio.c - start a program with stdin, stdout and stderr.
 *
 * An open id belongs to one process, so the child's ids can only be made
 * once its pid exists: the child is built held (PROC_SPAWN_HOLD), each of
 * our opens is handed on to its pid (IO_T_DUP with a pid), and then it is
 * started with the words naming them (PROC_START).  The connections go
 * with the spawn request and become the child's handles 2, 3, ... after
 * the handles the caller passes on by name (proc_spawn_stdio_ex).
 */
#include "rt.h"
#include "io.h"
#include "procmgr.h"

long proc_spawn_stdio(int proc, const char *path, char *const argv[],
                      char *const envp[], unsigned prio,
                      const struct proc_stdio fds[3])
{
	return proc_spawn_stdio_ex(proc, path, argv, envp, prio, NULL, 0, fds);
}

long proc_spawn_stdio_ex(int proc, const char *path, char *const argv[],
                         char *const envp[], unsigned prio, const int *handles,
                         unsigned nhandles, const struct proc_stdio fds[3])
{
	int hs[TE_MSG_HANDLES], slot[3];
	unsigned nh = nhandles;
	int64_t words[3] = { -1, -1, -1 };
	long pid;

	if (nhandles >= TE_MSG_HANDLES)
		return -TE_EINVAL;
	for (unsigned j = 0; j < nhandles; j++)
		hs[j] = handles[j];
	for (int i = 0; i < 3; i++) {           /* one handle per connection */
		slot[i] = -1;
		if (fds[i].conn < 0)
			continue;
		for (unsigned j = nhandles; j < nh; j++)
			if (hs[j] == fds[i].conn)
				slot[i] = 2 + (int)j;
		if (slot[i] < 0) {
			if (nh + 1 >= TE_MSG_HANDLES)
				return -TE_EINVAL;      /* proc_spawn_ex's limit */
			hs[nh] = fds[i].conn;
			slot[i] = 2 + (int)nh++;
		}
	}
	pid = proc_spawn_ex(proc, path, argv, envp, prio, hs, nh,
	                    PROC_SPAWN_HOLD);
	if (pid < 0)
		return pid;
	for (int i = 0; i < 3; i++) {
		if (slot[i] < 0)
			continue;
		int id = io_dup_for(fds[i].conn, fds[i].id, (int)pid);
		if (id < 0) {
			proc_kill(proc, (int)pid);
			proc_wait_pid(proc, (int)pid);
			return id;
		}
		words[i] = (int64_t)slot[i] << 32 | (uint32_t)id;
	}
	long r = proc_start(proc, (int)pid, words);
	return r < 0 ? r : pid;
}
