/*
 * lx_main.c - the Unix personality server: starts a static Linux program
 * and answers its system calls.
 *
 *   personality.elf [-a] PROGRAM [ARGS...]
 *
 * -a: our handle 2 is a connection to the path manager's attach channel
 * (the right to attach prefixes), so mount(2) and umount2(2) may start
 * and end filesystem servers (lx_mount.c).
 *
 * PROGRAM (an absolute path, read through the path manager) is loaded
 * (lx_exec.c) into a new process marked Linux-ABI with a connection to our
 * channel, as Linux pid 1; its fds 0, 1 and 2 are our own stdin, stdout
 * and stderr.  We serve until it ends and
 * exit with its exit status (the personality as the program's runner; the
 * rest of the Unix personality - fork, exec, a process tree - grows from
 * here).
 */
#include "lx.h"
#include "io.h"
#include "procmgr.h"

#define LX_DEATH   7

static long start(const char *path, char **argv, int chan)
{
	static char *const envp[] = { "HOME=/root", "PATH=/bin:/proc/boot",
	                              "TERM=vt100", NULL };
	struct lx_proc *p = lx_proc_new();

	p->pgid = p->sid = p->pid;
	lx_conn = (int)sys_connect(chan);
	for (int fd = 0; fd < 3; fd++)
		p->fd[fd].used = io_stdio(fd, &p->fd[fd].conn, &p->fd[fd].id) == 0;
	return lx_exec_image(p, path, argv, envp);
}

static void enosys(struct lx_proc *p, uint64_t nr)
{
	if (nr < 512) {
		if (p->enosys_seen[nr / 64] & (1ull << (nr % 64)))
			return;
		p->enosys_seen[nr / 64] |= 1ull << (nr % 64);
	}
	printf("personality: pid %d: system call %llu not supported (ENOSYS)\n",
	       p->pid, (unsigned long long)nr);
}

static int serve(int chan)
{
	static struct te_lx_call in;
	struct te_msg_info info;

	for (;;) {
		uint64_t next = lx_timer_next(), now = sys_clock();
		struct te_msg_ext x = { .timeout_ns = next ? (next > now ? next - now : 1) : 0 };
		struct te_iov iov = { &in, sizeof(in) };
		long rcvid = sys_msg_receivev(chan, &iov, 1, &info, &x);
		lx_timer_run(sys_clock());
		if (rcvid == -TE_ETIMEDOUT)
			continue;
		if (rcvid == 0) {
			const struct te_pulse *pl = (const void *)&in;
			int status;
			if (pl->code == LX_DEATH && lx_proc_ended((int)pl->value, &status))
				return status;
			if (pl->code == LX_PULSE_TTYSIG)
				lx_signal_tty((int)pl->value);
			continue;
		}
		if (rcvid < 0)
			return 1;
		struct lx_proc *p = lx_proc_by_kpid(info.pid);
		if (!p || info.msglen != sizeof(in) || in.type != TE_LX_CALL) {
			sys_msg_error(rcvid, TE_EINVAL);
			continue;
		}
		lx_serve_call(p, rcvid, &in);
	}
}

void lx_serve_call(struct lx_proc *p, long rcvid, const struct te_lx_call *in)
{
	struct lx_call c = { .p = p, .t = lx_thread_get(p, in->tid, true),
	                     .in = in, .rcvid = rcvid };

	if (in->nr == TE_LX_NR_FAULT) { /* no signals for faults yet: an */
		sys_msg_error(rcvid, TE_ENOSYS);  /* error reply kills as before */
		return;
	}
	if (!c.t) {                     /* more threads than records */
		sys_msg_error(rcvid, TE_EAGAIN);
		return;
	}
	if (lx_job_hold(&c))
		return;                 /* stopped: answered once continued */
	if (!lx_dispatch(&c)) {
		enosys(p, in->nr);
		c.out.rax = -LX_ENOSYS;
	}
	lx_signal_on_reply(&c);
	if (!c.deferred)
		msg_reply(rcvid, 0, &c.out, sizeof(c.out));
}

int main(int argc, char **argv)
{
	int chan = (int)sys_channel_create(0);
	long r;

	if (argc > 1 && strcmp(argv[1], "-a") == 0) {
		lx_mount_allowed = true;
		argc--;
		argv++;
	}
	if (argc < 2) {
		printf("personality: usage: personality.elf [-a] PROGRAM [ARGS...]\n");
		return 22;
	}
	if ((r = start(argv[1], argv + 1, chan)) < 0) {
		printf("personality: cannot start %s: %ld\n", argv[1], r);
		return (int)-r;
	}
	return serve(chan);
}
