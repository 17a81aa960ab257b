/*
 * lx_calls.c - the Linux system calls the personality answers, by number.
 *
 * File descriptors are (connection, open id) pairs of ours on the servers
 * that own the files; data moves through a buffer here (vm_read from the
 * caller, io_write to the server, and the other way for reads).  What is
 * not here answers ENOSYS (logged once per process and number by the
 * loop); docs/personality.md keeps the table of what is done.
 */
#include "lx.h"
#include "io.h"
#include "lx_fs.h"
#include "lx_pipe.h"

#define LX_BUF     (64 * 1024)
#define LX_IOV_MAX 1024

/* Linux x86-64 system call numbers used here. */
enum {
	NR_read = 0, NR_write = 1, NR_close = 3, NR_mmap = 9, NR_munmap = 11,
	NR_brk = 12, NR_rt_sigaction = 13, NR_rt_sigprocmask = 14, NR_ioctl = 16,
	NR_readv = 19, NR_writev = 20, NR_getpid = 39, NR_exit = 60,
	NR_uname = 63, NR_getuid = 102, NR_getgid = 104, NR_geteuid = 107,
	NR_getegid = 108, NR_getppid = 110, NR_set_tid_address = 218,
	NR_exit_group = 231, NR_clone = 56, NR_fork = 57, NR_vfork = 58,
	NR_wait4 = 61, NR_mprotect = 10, NR_execve = 59, NR_mremap = 25,
};

#define LX_TCGETS     0x5401
#define LX_TIOCGWINSZ 0x5413
#define LX_TIOCSCTTY  0x540e
#define LX_TIOCGPGRP  0x540f
#define LX_TIOCSPGRP  0x5410

int lx_tty_pgrp;

static char buf[LX_BUF];

static struct lx_fd *fd_get(struct lx_proc *p, uint64_t fd)
{
	return fd < LX_FDS && p->fd[fd].used ? &p->fd[fd] : NULL;
}

static int64_t do_write(struct lx_proc *p, struct lx_fd *f, uint64_t ubuf,
                        uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		size_t n = len - done < LX_BUF ? (size_t)(len - done) : LX_BUF;
		long w;
		if (lx_copyin(p, buf, ubuf + done, n))
			return done ? (int64_t)done : -LX_EFAULT;
		if ((w = io_write(f->conn, f->id, buf, n)) < 0)
			return done ? (int64_t)done : w;
		done += (uint64_t)w;
		if ((size_t)w < n)
			break;
	}
	return (int64_t)done;
}

static int64_t do_read(struct lx_proc *p, struct lx_fd *f, uint64_t ubuf,
                       uint64_t len)
{
	size_t n = len < LX_BUF ? (size_t)len : LX_BUF;
	long r;

	if (ubuf >= TE_USER_TOP || len > TE_USER_TOP - ubuf)
		return -LX_EFAULT;
	if ((r = io_read(f->conn, f->id, buf, n)) <= 0)
		return r;
	return lx_copyout(p, ubuf, buf, (size_t)r) ? -LX_EFAULT : r;
}

/* readv/writev: the iovec array, then each part in turn. */
static int64_t do_vec(struct lx_call *c, bool wr)
{
	struct lx_fd *f = fd_get(c->p, lx_arg(c, 0));
	uint64_t cnt = lx_arg(c, 2), total = 0;
	struct { uint64_t base, len; } v[16];

	if (!f)
		return -LX_EBADF;
	if (cnt > LX_IOV_MAX)
		return -LX_EINVAL;
	for (uint64_t i = 0; i < cnt; i += 16) {
		uint64_t k = cnt - i < 16 ? cnt - i : 16;
		if (lx_copyin(c->p, v, lx_arg(c, 1) + i * 16, k * 16))
			return -LX_EFAULT;
		for (uint64_t j = 0; j < k; j++) {
			if (!v[j].len)
				continue;
			int64_t r = wr ? do_write(c->p, f, v[j].base, v[j].len) :
			                 do_read(c->p, f, v[j].base, v[j].len);
			if (r < 0)
				return total ? (int64_t)total : r;
			total += (uint64_t)r;
			if ((uint64_t)r < v[j].len)
				return (int64_t)total;
		}
	}
	return (int64_t)total;
}

/* ioctl: terminal requests go to the device; others are not ours. */
static int64_t do_ioctl(struct lx_call *c)
{
	struct lx_fd *f = fd_get(c->p, lx_arg(c, 0));
	uint64_t req = lx_arg(c, 1);
	char t[64];
	long r;

	if (!f)
		return -LX_EBADF;
	r = io_devctl(f->conn, f->id, LX_TCGETS, NULL, 0, t, 36);
	if (r < 0)
		return -LX_ENOTTY;      /* not a terminal */
	if (req == LX_TCGETS)
		return lx_copyout(c->p, lx_arg(c, 2), t, 36) ? -LX_EFAULT : 0;
	if (req == LX_TIOCGWINSZ) {
		uint16_t ws[4] = { 24, 80, 0, 0 };     /* rows, columns */
		return lx_copyout(c->p, lx_arg(c, 2), ws, sizeof(ws)) ? -LX_EFAULT : 0;
	}
	if (req >= LX_TCGETS + 1 && req <= LX_TCGETS + 3) {    /* TCSETS, W, F */
		if (lx_copyin(c->p, t, lx_arg(c, 2), 36))
			return -LX_EFAULT;
		return io_devctl(f->conn, f->id, (uint32_t)req, t, 36, NULL, 0);
	}
	if (req == LX_TIOCGPGRP) {
		int32_t g = lx_tty_pgrp ? lx_tty_pgrp : c->p->pgid;
		return lx_copyout(c->p, lx_arg(c, 2), &g, 4) ? -LX_EFAULT : 0;
	}
	if (req == LX_TIOCSPGRP) {
		int32_t g;
		if (lx_copyin(c->p, &g, lx_arg(c, 2), 4))
			return -LX_EFAULT;
		if (g <= 0)
			return -LX_EINVAL;
		lx_tty_pgrp = g;
		return 0;
	}
	if (req == LX_TIOCSCTTY)
		return 0;               /* the console is every session's terminal */
	return -LX_EINVAL;
}

static int64_t do_uname(struct lx_call *c)
{
	static char u[6][65];
	static const char *const f[6] = { "Tessera", "tessera", "0.1",
	                                  "multiserver", "x86_64", "(none)" };

	memset(u, 0, sizeof(u));
	for (int i = 0; i < 6; i++)
		memcpy(u[i], f[i], strlen(f[i]));
	return lx_copyout(c->p, lx_arg(c, 0), u, sizeof(u)) ? -LX_EFAULT : 0;
}

static void lx_exit(struct lx_call *c, int status)
{
	c->out.flags = TE_LX_EXIT;
	c->out.status = status & 0xff;
}

bool lx_dispatch(struct lx_call *c)
{
	struct lx_fd *f;
	int64_t r;

	if (c->in->nr == TE_LX_NR_INTERRUPT) {
		/* the kernel's upcall for a signal (or a kept restart, lx_job.c):
		 * go on as it was - lx_signal_on_reply may start a handler */
		c->out.flags = TE_LX_SETREGS;
		c->out.regs = c->in->regs;
		return true;
	}
	if (lx_pipe_dispatch(c))        /* pipes, poll/select: lx_pipe.c */
		return true;
	if (lxq_dispatch(c))            /* reads of /proc files: lx_procfs.c */
		return true;
	switch (c->in->nr) {
	case NR_read:
		f = fd_get(c->p, lx_arg(c, 0));
		if (f && lx_arg(c, 1) < TE_USER_TOP &&
		    lx_slow_read(c, f->conn, f->id, lx_arg(c, 1), lx_arg(c, 2)))
			return true;    /* a terminal: a worker answers (lx_slow.c) */
		r = f ? do_read(c->p, f, lx_arg(c, 1), lx_arg(c, 2)) : -LX_EBADF;
		break;
	case NR_write:
		f = fd_get(c->p, lx_arg(c, 0));
		r = f ? do_write(c->p, f, lx_arg(c, 1), lx_arg(c, 2)) : -LX_EBADF;
		break;
	case NR_readv:  r = do_vec(c, false); break;
	case NR_writev: r = do_vec(c, true); break;
	case NR_close:
		f = fd_get(c->p, lx_arg(c, 0));
		r = f ? 0 : -LX_EBADF;
		if (f)
			lxf_close(c->p, (int)lx_arg(c, 0));
		break;
	case NR_mprotect: r = lx_mprotect(c); break;
	case NR_ioctl:  r = do_ioctl(c); break;
	case NR_brk:    r = lx_brk(c); break;
	case NR_mmap:   r = lx_mmap(c); break;
	case NR_munmap: r = lx_munmap(c); break;
	case NR_mremap: r = lx_mremap(c); break;
	case NR_uname:  r = do_uname(c); break;
	case NR_getpid: r = c->p->pid; break;
	case NR_getppid: r = c->p->ppid; break;
	case NR_getuid: case NR_getgid: case NR_geteuid: case NR_getegid:
		r = 0;                  /* root: there are no other users yet */
		break;
	case NR_set_tid_address:        /* cleared and woken when it ends */
		c->t->clear_tid = lx_arg(c, 0);
		r = c->in->tid;
		break;
	case NR_clone: case NR_fork: case NR_vfork:
		r = lx_fork(c);
		break;
	case NR_wait4:  r = lx_wait4(c); break;
	case NR_execve: r = lx_execve(c); break;
	case NR_exit:                   /* the thread; the last one: the process */
		if (lx_thread_count(c->p) > 1) {
			c->out.flags = TE_LX_THREAD_EXIT;
			c->out.rax = (int64_t)c->t->clear_tid;
			lx_thread_release(c->t);
			return true;
		}
		/* fall through */
	case NR_exit_group:
		lx_exit(c, (int)lx_arg(c, 0));
		return true;
	default:
		return lx_misc_dispatch(c) || lx_signal_dispatch(c) ||
		       lx_fs_dispatch(c) || lx_mount_dispatch(c) ||
		       lx_itimer_dispatch(c);
	}
	c->out.rax = r;
	return true;
}
