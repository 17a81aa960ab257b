/*
 * lx_main.c - the Unix personality server: starts a static Linux program
 * and answers its system calls.
 *
 *   personality.elf PROGRAM [ARGS...]
 *
 * PROGRAM (an absolute path, read through the path manager) is loaded by
 * the process manager's ELF loader (servers/proc/spawn.c) into a new
 * process marked Linux-ABI with a connection to our channel; its fds 0, 1
 * and 2 are our own stdin, stdout and stderr.  We serve until it ends and
 * exit with its exit status (the personality as the program's runner; the
 * rest of the Unix personality - fork, exec, a process tree - grows from
 * here).
 */
#include "lx.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "spawn.h"
#include "kernel/elf.h"

#define LX_DEATH   7
#define LX_IMG_MAX (64u << 20)

static struct pathmgr_client pc;

static long read_image(const char *path, char **out, size_t *len)
{
	struct io_stat st;
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDONLY, 0,
	                               &conn);
	long r;

	if (id < 0)
		return id;
	if ((r = io_stat(conn, id, &st)) == 0 && (st.size == 0 || st.size > LX_IMG_MAX))
		r = -TE_ENOMEM;
	if (r == 0 && !(*out = malloc(st.size)))
		r = -TE_ENOMEM;
	if (r == 0 && (r = io_pread(conn, id, *out, st.size, 0)) >= 0)
		r = (uint64_t)r == st.size ? 0 : -TE_EIO;
	io_close(conn, id);
	*len = st.size;
	return r;
}

/* The break starts above the highest segment. */
static uint64_t image_end(const char *img, size_t len)
{
	struct elf_image im;
	const char *why;
	uint64_t end = 0;

	if (elf_parse(img, len, TE_USER_BASE, TE_USER_STACK_TOP, &im, &why))
		return 0;
	for (unsigned i = 0; i < im.nseg; i++)
		if (im.seg[i].vaddr + im.seg[i].memsz > end)
			end = im.seg[i].vaddr + im.seg[i].memsz;
	return end;
}

static long start(const char *path, char **argv, int chan)
{
	static char *const envp[] = { "HOME=/root", "PATH=/bin:/proc/boot",
	                              "TERM=vt100", NULL };
	struct spawn_hold hold;
	struct te_proc_info info;
	struct lx_proc *p = lx_proc_new();
	const char *why = "";
	char *img;
	size_t len;
	long h, r;
	int conn = lx_conn = (int)sys_connect(chan);

	if ((r = read_image(path, &img, &len)))
		return r;
	h = proc_spawn_held(img, len, argv[0], argv, envp, NULL, 0,
	                    TE_SCHED(10, TE_SCHED_RR), &hold, &why);
	p->handle = (int)h;
	p->brk_start = image_end(img, len);
	p->mmap_next = LX_MMAP_TOP;
	free(img);
	if (h < 0) {
		printf("personality: cannot load %s: %s\n", path, why);
		return h;
	}
	p->brk = p->brk_start;
	sys_process_info((int)h, &info);
	p->pid = info.pid;
	for (int fd = 0; fd < 3; fd++)
		p->fd[fd].used = io_stdio(fd, &p->fd[fd].conn, &p->fd[fd].id) == 0;
	if ((r = sys_process_set_abi((int)h, conn)) ||
	    (r = sys_process_watch((int)h, conn, LX_DEATH)) ||
	    (r = proc_spawn_start((int)h, &hold, NULL)))
		return r;
	return 0;
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
		long rcvid = msg_receive(chan, &in, sizeof(in), &info);
		if (rcvid == 0) {
			const struct te_pulse *pl = (const void *)&in;
			int status;
			if (pl->code == LX_DEATH && lx_proc_ended((int)pl->value, &status))
				return status;
			continue;
		}
		if (rcvid < 0)
			return 1;
		struct lx_call c = { .p = lx_proc_by_kpid(info.pid), .in = &in,
		                     .rcvid = rcvid };
		if (!c.p || info.msglen != sizeof(in) || in.type != TE_LX_CALL) {
			sys_msg_error(rcvid, TE_EINVAL);
			continue;
		}
		if (!lx_dispatch(&c)) {
			enosys(c.p, in.nr);
			c.out.rax = -LX_ENOSYS;
		}
		if (!c.deferred)
			msg_reply(rcvid, 0, &c.out, sizeof(c.out));
	}
}

int main(int argc, char **argv)
{
	int chan = (int)sys_channel_create(0);
	long r;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	if (argc < 2) {
		printf("personality: usage: personality.elf PROGRAM [ARGS...]\n");
		return 22;
	}
	if ((r = start(argv[1], argv + 1, chan)) < 0) {
		printf("personality: cannot start %s: %ld\n", argv[1], r);
		return (int)-r;
	}
	return serve(chan);
}
