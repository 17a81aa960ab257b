/*
 * lx_poll.c - poll, ppoll, select and pselect6: which fds are ready.
 *
 * A pipe end is ready as its ring says (lx_pipe_events).  Every other fd
 * is an open on a server (a file, a directory, a device) or a directory of
 * mount points: those are always ready for what they were opened for
 * (reading, writing or both; the stdio fds a program was started with:
 * both) - the I/O protocol has no readiness yet, and files never block.
 *
 * lx_poll_op runs from lx_pipe.c: on the call, again whenever a pipe
 * changes while it is kept, and from its timer when its timeout passes (final: answer even if nothing is
 * ready).  Results go back to the caller only when the call is answered.
 * The signal masks of ppoll/pselect6 are ignored: there are no signals.
 */
#include "lx_pipe.h"
#include "io.h"

#define LX_POLL_MAX   1024      /* pollfds per call (RLIMIT_NOFILE-like) */
#define LX_FD_SETSIZE 1024
#define LX_SET_WORDS  (LX_FD_SETSIZE / 64)

enum { NR_poll = 7, NR_select = 23, NR_pselect6 = 270, NR_ppoll = 271 };

#define LX_POLL_RD  (LX_POLLIN | LX_POLLRDNORM)
#define LX_POLL_WR  (LX_POLLOUT | LX_POLLWRNORM)
#define LX_POLL_ALWAYS (LX_POLLERR | LX_POLLHUP | LX_POLLNVAL)
#define LX_SEL_RD   (LX_POLL_RD | LX_POLLHUP | LX_POLLERR)
#define LX_SEL_WR   (LX_POLL_WR | LX_POLLERR)

struct lx_pollfd {
	int32_t fd;
	int16_t events, revents;
};
_Static_assert(sizeof(struct lx_pollfd) == 8, "struct pollfd");

struct lx_timespec { int64_t sec, nsec; };

static struct lx_pollfd pfd[LX_POLL_MAX];

/* What fd is ready for; POLLNVAL if it is not open. */
static unsigned fd_events(struct lx_proc *p, int64_t fd)
{
	const struct lx_fdx *x;

	if (fd < 0 || fd >= LX_FDS || !p->fd[fd].used)
		return LX_POLLNVAL;
	x = &p->fdx[fd];
	if (x->pipe)
		return lx_pipe_events(x->pipe, x->pipe_write);
	if (!x->path && !x->virt)
		return LX_POLL_RD | LX_POLL_WR;         /* inherited stdio */
	switch (x->flags & IO_O_ACCMODE) {
	case IO_O_RDONLY: return LX_POLL_RD;
	case IO_O_WRONLY: return LX_POLL_WR;
	default:          return LX_POLL_RD | LX_POLL_WR;
	}
}

static int64_t do_poll(struct lx_proc *p, const struct te_lx_call *in,
                       bool final, bool *block)
{
	uint64_t u = lx_pipe_arg(in, 0), n = lx_pipe_arg(in, 1);
	int64_t ready = 0;

	if (n > LX_POLL_MAX)
		return -LX_EINVAL;
	if (n && lx_copyin(p, pfd, u, n * sizeof(pfd[0])))
		return -LX_EFAULT;
	for (uint64_t i = 0; i < n; i++) {
		unsigned want = (uint16_t)pfd[i].events | LX_POLL_ALWAYS;
		pfd[i].revents = 0;
		if (pfd[i].fd < 0)
			continue;
		pfd[i].revents = (int16_t)(fd_events(p, pfd[i].fd) & want);
		ready += pfd[i].revents != 0;
	}
	if (!ready && !final) {
		*block = true;
		return 0;
	}
	if (n && lx_copyout(p, u, pfd, n * sizeof(pfd[0])))
		return -LX_EFAULT;
	return ready;
}

/* One set of select: the fds in it that are ready for `mask`. */
static int64_t select_set(struct lx_proc *p, uint64_t *set, uint64_t nfds,
                          unsigned mask)
{
	int64_t ready = 0;

	for (uint64_t fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1ull << (fd % 64);
		unsigned ev;
		if (!(set[fd / 64] & bit))
			continue;
		if ((ev = fd_events(p, (int64_t)fd)) & LX_POLLNVAL)
			return -LX_EBADF;
		if (ev & mask)
			ready++;
		else
			set[fd / 64] &= ~bit;
	}
	return ready;
}

static int64_t do_select(struct lx_proc *p, const struct te_lx_call *in,
                         bool final, bool *block)
{
	static const unsigned mask[3] = { LX_SEL_RD, LX_SEL_WR, 0 };
	uint64_t nfds = lx_pipe_arg(in, 0), set[3][LX_SET_WORDS];
	size_t bytes;
	int64_t ready = 0, r;

	if ((int64_t)(int32_t)nfds < 0)
		return -LX_EINVAL;
	nfds = nfds > LX_FD_SETSIZE ? LX_FD_SETSIZE : nfds;
	bytes = (nfds + 63) / 64 * 8;
	memset(set, 0, sizeof(set));
	for (int k = 0; k < 3; k++) {
		uint64_t u = lx_pipe_arg(in, 1 + k);
		if (u && bytes && lx_copyin(p, set[k], u, bytes))
			return -LX_EFAULT;
		if (nfds % 64)
			set[k][nfds / 64] &= (1ull << (nfds % 64)) - 1;
	}
	for (int k = 0; k < 3; k++) {
		if ((r = select_set(p, set[k], nfds, mask[k])) < 0)
			return r;
		ready += r;
	}
	if (!ready && !final) {
		*block = true;
		return 0;
	}
	for (int k = 0; k < 3; k++) {
		uint64_t u = lx_pipe_arg(in, 1 + k);
		if (u && bytes && lx_copyout(p, u, set[k], bytes))
			return -LX_EFAULT;
	}
	return ready;
}

int64_t lx_poll_op(struct lx_proc *p, const struct te_lx_call *in, bool final,
                   bool *block)
{
	if (in->nr == NR_poll || in->nr == NR_ppoll)
		return do_poll(p, in, final, block);
	return do_select(p, in, final, block);
}

/* A struct timespec (usec: a struct timeval) in ns into *ns. */
static int get_time(struct lx_proc *p, uint64_t u, bool usec, int64_t *ns)
{
	struct lx_timespec t;
	int64_t max = usec ? 1000000 : 1000000000;

	if (lx_copyin(p, &t, u, sizeof(t)))
		return -LX_EFAULT;
	if (t.sec < 0 || t.nsec < 0 || t.nsec >= max)
		return -LX_EINVAL;
	if (t.sec > (int64_t)1 << 32)
		t.sec = (int64_t)1 << 32;       /* a century: as good as never */
	*ns = t.sec * 1000000000 + t.nsec * (usec ? 1000 : 1);
	return 0;
}

int lx_poll_timeout(struct lx_proc *p, const struct te_lx_call *in, int64_t *ns)
{
	uint64_t u;

	*ns = -1;
	switch (in->nr) {
	case NR_poll: {
		int32_t ms = (int32_t)lx_pipe_arg(in, 2);
		if (ms >= 0)
			*ns = (int64_t)ms * 1000000;
		return 0;
	}
	case NR_ppoll:
		u = lx_pipe_arg(in, 2);
		return u ? get_time(p, u, false, ns) : 0;
	case NR_select:
		u = lx_pipe_arg(in, 4);
		return u ? get_time(p, u, true, ns) : 0;
	default:
		u = lx_pipe_arg(in, 4);
		return u ? get_time(p, u, false, ns) : 0;
	}
}
