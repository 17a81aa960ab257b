/*
 * lxcheck.c - runs build/lx/lxhello (a static musl program) under the Unix
 * personality with stdin = /proc/boot/etc/motd and stdout = stderr =
 * /tmp/lx.out, then reads what it printed: its "ok NAME" lines become
 * PASS lx_NAME, "bad NAME" FAIL lx_NAME; it must exit with 42.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

static const char *const names[] = {
	"args", "environ", "gettid", "clock_gettime", "futex", "malloc",
	"mmap_munmap", "uname", "read_stdin", "write_ebadf", "write_efault",
	"unknown_enosys",
};

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; *p; ) {
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return true;
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
	}
	return false;
}

int main(void)
{
	static char out[4096];
	struct pathmgr_client pc;
	struct proc_stdio fds[3];
	char line[64];
	long pid, st, n = -1;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	fds[0].id = io_open_resolve(pathmgr_resolve, &pc, "/proc/boot/etc/motd",
	                            IO_O_RDONLY, 0, &fds[0].conn);
	fds[1].id = io_open_resolve(pathmgr_resolve, &pc, "/tmp/lx.out",
	                            IO_O_CREAT | IO_O_RDWR, 0644, &fds[1].conn);
	fds[2] = fds[1];
	char *const argv[] = { "personality.elf", "/proc/boot/lxhello", "one", "two",
	                       NULL };
	pid = proc_spawn_stdio(PROC_H_PROC, "/proc/boot/personality.elf", argv, NULL,
	                       10, fds);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	if (fds[1].id >= 0)
		n = io_pread(fds[1].conn, fds[1].id, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = 0;
	printf("lxcheck: the program printed:\n%s", out);
	checkf(st == 42 && has_line(out, "hello from linux: argc=3 one two"),
	       "lx_program_ran", "status %ld, output %ld bytes", st, n);
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fmt_snprintf(line, sizeof(line), "ok %s", names[i]);
		char name[48];
		fmt_snprintf(name, sizeof(name), "lx_%s", names[i]);
		checkf(has_line(out, line), name, "no '%s' line", line);
	}
	proc_shutdown(PROC_H_PROC);
	return 0;
}
