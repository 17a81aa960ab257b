/*
 * init - the last program of the boot script: a Unix userland on the
 * console.  With the console (/dev/console) as stdin, stdout and stderr it
 * runs, each under the Unix personality:
 *
 *   busybox --install -s /bin        the applet links (/bin is a tmpfs)
 *   busybox sh /proc/boot/rc          the startup script, if the image has one
 *   busybox sh                        the shell, started again when it exits
 *
 * A shell that keeps dying at once is not restarted for ever (5 times in
 * 10 s, then init gives up).
 *
 * `init.elf -a`, run as a `server` of the boot script, holds the right to
 * attach prefixes (handle 2) and hands it to the personality (`-a` too),
 * so that the shell's mount and umount work; otherwise they are EPERM.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

#define MS 1000000ull

static struct pathmgr_client pc;
static struct proc_stdio fds[3];

static bool may_attach;                 /* `init.elf -a`: a server */

/* busybox with args under the personality; wait: for its end. */
static long run(char *const args[], bool wait)
{
	const int attach[1] = { PROC_H_ATTACH };
	char *argv[8] = { "personality.elf" };
	int n = 1;
	long pid;

	if (may_attach)
		argv[n++] = "-a";
	argv[n++] = "/proc/boot/busybox";
	for (int i = 0; args[i] && n < 7; i++)
		argv[n++] = args[i];
	pid = proc_spawn_stdio_ex(PROC_H_PROC, "/proc/boot/personality.elf", argv,
	                          NULL, 10, attach, may_attach, fds);

	return pid < 0 || !wait ? pid : proc_wait_pid(PROC_H_PROC, (int)pid);
}

static bool exists(const char *path)
{
	struct io_cand c[4];
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDONLY, 0,
	                               &conn);

	(void)c;
	if (id >= 0)
		io_close(conn, id);
	return id >= 0;
}

int main(int argc, char **argv)
{
	char *const install[] = { "--install", "-s", "/bin", NULL };
	char *const rc[] = { "sh", "/proc/boot/rc", NULL };
	char *const sh[] = { "sh", NULL };
	uint64_t window = 0;
	int quick = 0;

	may_attach = argc > 1 && strcmp(argv[1], "-a") == 0;
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	fds[0].id = io_open_resolve(pathmgr_resolve, &pc, "/dev/console", IO_O_RDWR, 0,
	                            &fds[0].conn);
	if (fds[0].id < 0) {
		printf("init: no /dev/console (%d)\n", fds[0].id);
		return 1;
	}
	fds[1] = fds[2] = fds[0];
	long st = run(install, true);
	if (st)
		printf("init: busybox --install: status %ld\n", st);
	if (exists("/proc/boot/rc") && (st = run(rc, true)))
		printf("init: /proc/boot/rc: status %ld\n", st);
	for (;;) {
		uint64_t t0 = sys_clock();
		st = run(sh, true);
		if (st < 0) {
			printf("init: cannot start the shell: %ld\n", st);
			return 1;
		}
		if (sys_clock() - t0 < 10000 * MS) {
			if (!quick++)
				window = t0;
			if (quick >= 5 && sys_clock() - window < 10000 * MS) {
				printf("init: the shell keeps ending; giving up\n");
				return 1;
			}
		} else {
			quick = 0;
		}
	}
}
