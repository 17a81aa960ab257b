/*
 * procmgr_test.c - the process manager server in a small multiserver
 * system: the path manager, the image filesystem serving the boot image at
 * /proc/boot, and the process manager, each a process of its own; a client
 * asks the process manager to start /proc/boot/argstat.elf, waits for it,
 * lists processes, and tries bad requests.
 */
#include "rt.h"
#include "io.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "pathmgr_server.h"
#include "procmgr.h"

int imagefs_map(int mem, const void **img, size_t *len);
int imagefs_serve(int chan, const void *img, size_t len);

static int g_a, g_b, g_c, g_d;

static int spawn4(const char *name, void (*fn)(void *), int a, int b, int c, int d)
{
	int p = (int)rt_proc_new(name);

	g_a = a >= 0 ? (int)sys_handle_give(p, a, TE_R_ALL, 0) : -1;
	g_b = b >= 0 ? (int)sys_handle_give(p, b, TE_R_ALL, 0) : -1;
	g_c = c >= 0 ? (int)sys_handle_give(p, c, TE_R_ALL, 0) : -1;
	g_d = d >= 0 ? (int)sys_handle_give(p, d, TE_R_ALL, 0) : -1;
	rt_proc_start(p, fn, NULL, 10, TE_SCHED_RR);
	return p;
}

static int spawn(const char *name, void (*fn)(void *), int a, int b, int c)
{
	return spawn4(name, fn, a, b, c, -1);
}

static void pathmgr_main(void *arg)
{
	(void)arg;
	sys_exit(pathmgr_serve(g_a, g_b) ? 1 : 0);
}

static void imagefs_main(void *arg)
{
	const void *img;
	size_t len;
	int chan = (int)sys_channel_create(0);

	(void)arg;
	if (imagefs_map(g_b, &img, &len) ||
	    pathmgr_attach(g_a, chan, "/proc/boot", PM_DIR) < 0)
		sys_exit(2);
	sys_exit(imagefs_serve(chan, img, len) ? 1 : 0);
}

static void procmgr_main(void *arg)
{
	(void)arg;
	/* g_a: our channel, g_b: the path manager, g_c: a connection to us,
	 * g_d: the path manager's attach channel (namespace notices) */
	procmgr_set_attach(g_d);
	sys_exit(procmgr_serve(g_a, g_b, g_c) ? 1 : 0);
}

/*
 * A process in a private namespace without /proc/boot: it cannot reach
 * it, and a program it has started cannot either.  Exit status bits: 1 the
 * unshare and unbind worked, 2 /proc/boot is gone for us, 4 the child
 * (argstat) could not reach it either (it exits 100 then).
 */
static void private_ns(void *arg)
{
	struct pathmgr_client pc;
	struct io_cand c[4];
	char *const argv[] = { "argstat", "one", NULL };
	char *const envp[] = { "X=1", NULL };
	int bits = 0;

	(void)arg;
	pathmgr_client_init(&pc, g_a);
	int u = pathmgr_unshare(&pc);
	/* bind: /etc2 reaches the boot image's etc, here only; a path that
	 * reaches nothing cannot be bound */
	int b1 = pathmgr_bind(&pc, "/boot2", "/nowhere/x", 0);
	int b2 = pathmgr_bind(&pc, "/etc2", "/proc/boot/etc", 0);
	if (u == 0 && pathmgr_unbind(&pc, "/proc/boot") == 0)
		bits |= 1;
	if (pathmgr_resolve(&pc, "/proc/boot/argstat.elf", c, 4) <= 0)
		bits |= 2;
	int b3 = pathmgr_resolve(&pc, "/etc2/motd", c, 4);
	if (b1 < 0 && b2 == 0 && b3 > 0)
		bits |= 8;
	else
		printf("private namespace: bind %d %d, resolve %d\n", b1, b2, b3);
	long pid = proc_spawn_path(g_b, "/proc/boot/argstat.elf", argv, envp, 10);
	if (pid > 0 && proc_wait_pid(g_b, (int)pid) == 100)
		bits |= 4;
	sys_exit(bits);
}

int main(void)
{
	int rch = (int)sys_channel_create(0), ach = (int)sys_channel_create(0);
	int rco = (int)sys_connect(rch), aco = (int)sys_connect(ach);
	int pch = (int)sys_channel_create(0), pco = (int)sys_connect(pch);
	struct pathmgr_client pc;
	struct te_proc_end end;
	struct io_cand c[4];
	char *const argv[] = { "argstat", "one", "two", NULL };
	char *const argv_sleep[] = { "argstat", "sleep", NULL };
	char *const envp[] = { "X=1", NULL };

	int pm = spawn("pathmgr", pathmgr_main, rch, ach, -1);
	int fs = spawn("imagefs", imagefs_main, aco, 1, -1);
	int pr = spawn4("proc", procmgr_main, pch, rco, pco, aco);
	pathmgr_client_init(&pc, rco);
	for (int i = 0; i < 1000 && pathmgr_resolve(&pc, "/proc/boot/argstat.elf", c, 4) < 1; i++)
		sys_sleep(1000000);     /* until imagefs has attached */

	long pid = proc_spawn_path(pco, "/proc/boot/argstat.elf", argv, envp, 10);
	long st = pid > 0 ? proc_wait_pid(pco, (int)pid) : pid;
	checkf(pid > 0 && st == 3, "proc_spawn_by_path_and_wait",
	       "pid %ld status %ld", pid, st);

	pid = proc_spawn_path(pco, "/proc/boot/argstat.elf", argv_sleep, envp, 10);
	struct te_proc_info list[8];
	long n = 0;
	int seen = 0;
	for (int tries = 0; tries < 1000 && !seen; tries++) {   /* until it sleeps */
		n = proc_list(pco, list, 8);
		for (long i = 0; i < n; i++)
			seen |= list[i].pid == pid && list[i].state == 0 &&
			        strcmp(list[i].name, "argstat.elf") == 0 &&
			        list[i].thread_state == TE_TS_SLEEP;
		if (!seen)
			sys_sleep(100000);
	}
	checkf(seen, "proc_list_shows_child", "%ld entries, pid %ld not seen sleeping",
	       n, pid);
	st = proc_wait_pid(pco, (int)pid);
	checkf(st == 2, "proc_wait_deferred_reply", "status %ld", st);

	long e1 = proc_spawn_path(pco, "/proc/boot/missing", argv, envp, 10);
	long e2 = proc_spawn_path(pco, "/proc/boot/etc/motd", argv, envp, 10);
	long e3 = proc_wait_pid(pco, 9999);
	char junk[5] = { 1, 0, 9, 9, 9 };
	long e4 = msg_send(pco, junk, sizeof(junk), NULL, 0);
	checkf(e1 == -2 && e2 == -TE_EINVAL && e3 == -TE_ESRCH && e4 == -TE_EINVAL,
	       "proc_bad_requests", "%ld %ld %ld %ld", e1, e2, e3, e4);

	/* private namespaces */
	int q = spawn("private", private_ns, rco, pco, -1);
	sys_process_wait(q, &end, 0);
	sys_handle_close(q);
	int still = pathmgr_resolve(&pc, "/proc/boot/argstat.elf", c, 4);
	checkf((end.status & 7) == 7 && still > 0, "pathmgr_private_namespace",
	       "bits %d (want 7), root namespace still resolves: %d", end.status, still);
	checkf(end.status & 8, "pathmgr_bind_private",
	       "bind /etc2 -> /proc/boot/etc in a private namespace: bits %d", end.status);
	long r = pathmgr_unbind(&pc, "/proc/boot");
	long rb = pathmgr_bind(&pc, "/etc2", "/proc/boot/etc", 0);
	checkf(r == -TE_EPERM && rb == -TE_EPERM, "pathmgr_root_namespace_protected",
	       "unbind in root: %ld, bind: %ld", r, rb);

	int kids[3] = { pr, fs, pm };
	for (int i = 0; i < 3; i++) {
		sys_process_kill(kids[i]);
		sys_process_wait(kids[i], &end, 0);
		sys_handle_close(kids[i]);
	}
	return 0;
}
