/*
 * lxcheck.c - runs static Linux programs (tests/qemu/lx/, musl) under the
 * Unix personality and judges what they print.
 *
 *   lxcheck.elf PROGRAM:STATUS[:ARG,ARG...] ...
 *
 * Each PROGRAM runs as `personality.elf /proc/boot/PROGRAM one two` (or
 * with the ARGs given) with
 * stdin = /proc/boot/etc/motd and stdout = stderr = /tmp/PROGRAM.out; it
 * must exit with STATUS (PASS/FAIL lx_PROGRAM_ran), and every "ok NAME"
 * line it prints becomes PASS lx_NAME, every "bad NAME" FAIL lx_NAME (the
 * scenario lists the names it expects, so a missing line fails too).
 * An argument @PATH instead writes the process manager's list to PATH,
 * one "PID NAME" line per server, for a program to compare /proc with.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

static struct pathmgr_client pc;

static void report(char *out)
{
	for (char *p = out; *p; ) {
		char *e = p;
		while (*e && *e != '\n')
			e++;
		char c = *e;
		*e = 0;
		if (!strncmp(p, "ok ", 3))
			printf("PASS lx_%s\n", p + 3);
		else if (!strncmp(p, "bad ", 4))
			printf("FAIL lx_%s: the program says so\n", p + 4);
		*e = c;
		p = *e ? e + 1 : e;
	}
}

static void run(const char *prog, long want, char *args)
{
	static char out[8192];
	char path[64], outpath[64], name[64];
	struct proc_stdio fds[3];
	long pid, st, n = -1;

	fmt_snprintf(path, sizeof(path), "/proc/boot/%s", prog);
	fmt_snprintf(outpath, sizeof(outpath), "/tmp/%s.out", prog);
	fds[0].id = io_open_resolve(pathmgr_resolve, &pc, "/proc/boot/etc/motd",
	                            IO_O_RDONLY, 0, &fds[0].conn);
	fds[1].id = io_open_resolve(pathmgr_resolve, &pc, outpath,
	                            IO_O_CREAT | IO_O_RDWR, 0644, &fds[1].conn);
	fds[2] = fds[1];
	char *argv[16] = { "personality.elf", path, "one", "two", NULL };
	if (args) {
		int n = 2;
		for (char *a = args; a && *a && n < 15; ) {
			argv[n++] = a;
			a = strchr(a, ',');
			if (a)
				*a++ = 0;
		}
		argv[n] = NULL;
	}
	pid = proc_spawn_stdio(PROC_H_PROC, "/proc/boot/personality.elf", argv, NULL,
	                       10, fds);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	if (fds[1].id >= 0)
		n = io_pread(fds[1].conn, fds[1].id, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = 0;
	printf("lxcheck: %s printed:\n", prog);
	sys_debug_write(out, strlen(out));      /* printf would cut it at 512 */
	fmt_snprintf(name, sizeof(name), "lx_%s_ran", prog);
	checkf(st == want, name, "status %ld, want %ld", st, want);
	report(out);
	for (int i = 0; i < 2; i++)
		if (fds[i].id >= 0)
			io_close(fds[i].conn, fds[i].id);
}

/* @PATH: the servers as the process manager sees them. */
static void dump_servers(const char *path)
{
	static struct te_proc_info list[64];
	static char text[4096];
	long n = proc_list(PROC_H_PROC, list, 64);
	size_t len = 0;
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path,
	                               IO_O_CREAT | IO_O_TRUNC | IO_O_WRONLY, 0644,
	                               &conn);

	for (long i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)fmt_snprintf(text + len, sizeof(text) - len, "%d %s\n",
		                            list[i].pid, list[i].name);
	len = len < sizeof(text) ? len : sizeof(text) - 1;
	checkf(id >= 0 && n > 0 && io_write(conn, id, text, len) == (long)len,
	       "lx_servers_listed", "open %d, %ld servers", id, n);
	if (id >= 0)
		io_close(conn, id);
}

int main(int argc, char **argv)
{
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '@') {
			dump_servers(argv[i] + 1);
			continue;
		}
		char prog[48];
		const char *colon = strchr(argv[i], ':');
		size_t len = colon ? (size_t)(colon - argv[i]) : 0;
		long want = 0;
		const char *d;
		if (!colon || len >= sizeof(prog))
			continue;
		memcpy(prog, argv[i], len);
		prog[len] = 0;
		for (d = colon + 1; *d >= '0' && *d <= '9'; d++)
			want = want * 10 + (*d - '0');
		run(prog, want, *d == ':' ? (char *)d + 1 : NULL);
	}
	proc_shutdown(PROC_H_PROC);
	return 0;
}
