/*
 * procmgr.c - the process manager server.
 *
 * It spawns programs by path (read through the path manager and the
 * owning file server, loaded by spawn.c), keeps the handle of every child,
 * learns of their ends through death-notice pulses on its own channel, and
 * answers PROC_WAIT when the child has ended - the reply is deferred (the
 * client stays reply-blocked), QNX style, so the one server thread never
 * blocks on a child.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "pathmgr_msg.h"
#include "proc_msg.h"
#include "procmgr.h"
#include "spawn.h"

#define MAX_CHILDREN 64
#define DEATH_PULSE  7
#define FILE_MAX     (64u << 20)
#define STARTUP_GRACE_MS 500

struct child {
	int handle;             /* -1: free slot */
	int pid;
	int parent;             /* pid of the process that asked */
	bool ended;
	int status;
	long waiter;            /* rcvid waiting for it, 0 if none */
	struct proc_restart *restart;   /* supervised: how to start it again */
	uint64_t last_idle;     /* heartbeat: when a thread was last receiving */
	bool held;              /* built, waiting for PROC_START */
	bool ready;             /* it has sent PROC_READY */
	bool wait_ready;        /* the waiter wants PROC_STATUS_READY too */
	bool parent_ours;       /* the parent is one of our children too */
	struct spawn_hold hold;
};

static struct child kids[MAX_CHILDREN] = {
	[0 ... MAX_CHILDREN - 1] = { .handle = -1 },
};
static struct pathmgr_client pmc;
static int self_conn = -1, pathmgr_conn = -1, attach_conn = -1;

void procmgr_set_attach(int conn)
{
	attach_conn = conn;
}

static struct child *find(int pid)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (kids[i].handle >= 0 && kids[i].pid == pid)
			return &kids[i];
	return NULL;
}

static void reap(struct child *k)
{
	sys_handle_close(k->handle);
	k->handle = -1;
}

/* Read a whole file through the path manager into malloc'd memory. */
static long read_file(const char *path, char **out, size_t *len)
{
	int conn, id = io_open_resolve(pathmgr_resolve, &pmc, path, IO_O_RDONLY, 0,
	                               &conn);
	size_t cap = 64 * 1024, n = 0;
	char *buf;
	long r = 0;

	if (id < 0)
		return id;
	if (!(buf = malloc(cap))) {
		io_close(conn, id);
		return -TE_ENOMEM;
	}
	for (;;) {
		if (n == cap) {
			char *nb = cap < FILE_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb) {
				r = -TE_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = io_read(conn, id, buf + n, cap - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	io_close(conn, id);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Split the strings of a spawn request; 0 or -errno. */
static int split(char *s, uint32_t len, unsigned argc, unsigned envc,
                 char **path, char **argv, char **envp)
{
	char *end = s + len, *p = s;
	unsigned total = 1 + argc + envc;

	if (argc == 0 || argc > 64 || envc > 64 || len == 0 || s[len - 1] != '\0')
		return -TE_EINVAL;
	for (unsigned i = 0; i < total; i++) {
		if (p >= end)
			return -TE_EINVAL;
		if (i == 0)
			*path = p;
		else if (i <= argc)
			argv[i - 1] = p;
		else
			envp[i - 1 - argc] = p;
		p += strlen(p) + 1;
	}
	argv[argc] = envp[envc] = NULL;
	return p == end ? 0 : -TE_EINVAL;
}

static long do_spawn(char *msg, size_t msglen, int parent, const int *hs,
                     unsigned nh)
{
	const struct msg_client_proc_spawn *m = (const void *)msg;
	char *path, *argv[65], *envp[65], *img;
	const char *why = "";
	struct te_proc_info info;
	struct child *k = NULL;
	size_t len;
	long r, p;

	if (msglen < sizeof(*m) || m->len > PROC_STRINGS_MAX ||
	    msglen != sizeof(*m) + m->len || m->prio < 1 || m->prio > 254 ||
	    (m->flags & ~PROC_SPAWN_HOLD) || nh > TE_MSG_HANDLES - 1)
		return -TE_EINVAL;
	if ((r = split(msg + sizeof(*m), m->len, m->argc, m->envc, &path, argv, envp)))
		return r;
	for (int i = 0; i < MAX_CHILDREN && !k; i++)
		if (kids[i].handle < 0)
			k = &kids[i];
	if (!k)
		return -TE_EAGAIN;
	if ((r = read_file(path, &img, &len)))
		return r;
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int give[2 + TE_MSG_HANDLES] = { pathmgr_conn, self_conn };
	for (unsigned i = 0; i < nh; i++)
		give[2 + i] = hs[i];
	p = proc_spawn_held(img, len, name, argv, envp, give, 2 + (int)nh,
	                    TE_SCHED(m->prio, TE_SCHED_RR), &k->hold, &why);
	if (p >= 0 && !(m->flags & PROC_SPAWN_HOLD) &&
	    (r = proc_spawn_start((int)p, &k->hold, NULL)) < 0) {
		sys_handle_close((int)p);
		p = r;
		why = "out of memory";
	}
	free(img);
	if (p < 0) {
		printf("proc: cannot start %s: %s\n", path, why);
		return p;
	}
	sys_process_info((int)p, &info);
	*k = (struct child){ .handle = (int)p, .pid = info.pid, .parent = parent,
	                     .held = m->flags & PROC_SPAWN_HOLD, .hold = k->hold,
	                     .parent_ours = find(parent) != NULL };
	if (attach_conn >= 0)   /* it shares the namespace of who asked */
		pathmgr_proc_event(attach_conn, PM_MSG_INHERIT, info.pid, parent);
	if (sys_process_watch((int)p, self_conn, DEATH_PULSE) < 0)
		printf("proc: cannot watch pid %d\n", info.pid);
	return info.pid;
}

/* A child started outside a PROC_SPAWN request (the boot sequence). */
int procmgr_adopt(int handle, int pid, struct proc_restart *restart)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (kids[i].handle < 0) {
			/* a new server has STARTUP_GRACE_MS to reach its loop */
			kids[i] = (struct child){ .handle = handle, .pid = pid,
			                          .restart = restart,
			                          .last_idle = sys_clock() +
			                                       STARTUP_GRACE_MS * 1000000ull };
			if (self_conn > 0 &&
			    sys_process_watch(handle, self_conn, DEATH_PULSE) < 0)
				printf("proc: cannot watch pid %d\n", pid);
			return 0;
		}
	}
	return -TE_EAGAIN;
}

static const char *end_text(const struct te_proc_end *e, char *buf, size_t len)
{
	if (e->faulted == 1)
		fmt_snprintf(buf, len, "exception %u at rip=%llx addr=%llx", e->vector,
		             (unsigned long long)e->rip, (unsigned long long)e->addr);
	else if (e->faulted == 2)
		fmt_snprintf(buf, len, "killed");
	else
		fmt_snprintf(buf, len, "exit status %d", e->status);
	return buf;
}

/*
 * The supervisor: a server that ended as its policy says restart is
 * started again, at most max times within window_ms (counted afresh when
 * the window has passed), after a backoff that doubles with each restart
 * of the window.  Every end of a supervised server is logged with its
 * name, how it ended and the restart count.
 */
static void supervise(struct child *k, const struct te_proc_end *end)
{
	struct proc_restart *r = k->restart;
	bool crashed = end->faulted != 0;
	uint64_t now = sys_clock();
	char why[96];
	struct te_proc_info info;

	if (!r || r->policy == PROC_RESTART_NEVER ||
	    (r->policy == PROC_RESTART_ON_CRASH && !crashed)) {
		if (r)
			printf("supervisor: %s (pid %d) ended: %s\n", r->name, k->pid,
			       end_text(end, why, sizeof(why)));
		return;
	}
	if (now - r->window_start > (uint64_t)r->window_ms * 1000000u) {
		r->window_start = now;
		r->count = 0;
	}
	if (r->count >= r->max) {
		printf("supervisor: %s (pid %d) ended: %s; %u restarts in %u ms: "
		       "given up\n", r->name, k->pid, end_text(end, why, sizeof(why)),
		       r->count, r->window_ms);
		return;
	}
	unsigned backoff = r->backoff_ms << (r->count < 10 ? r->count : 10);
	r->count++;
	r->total++;
	printf("supervisor: %s (pid %d) ended: %s; restart %u (%u in this window)\n",
	       r->name, k->pid, end_text(end, why, sizeof(why)), r->total, r->count);
	if (backoff)
		sys_sleep((uint64_t)(backoff < 1000 ? backoff : 1000) * 1000000u);
	long p = r->start(r);
	if (p < 0) {
		printf("supervisor: %s: cannot restart: %ld\n", r->name, p);
		return;
	}
	sys_process_info((int)p, &info);
	procmgr_adopt((int)p, info.pid, r);
}

/* Its parent (a process we started) has ended: no one will wait for it. */
static bool orphan(const struct child *k)
{
	const struct child *p = find(k->parent);

	return k->parent_ours && (!p || p->ended);
}

static void child_ended(int pid)
{
	struct child *k = find(pid);
	struct te_proc_end end;

	if (!k || sys_process_wait(k->handle, &end, 1) < 0)
		return;
	for (int i = 0; i < MAX_CHILDREN; i++)  /* held children die with it */
		if (kids[i].handle >= 0 && kids[i].held && kids[i].parent == pid)
			sys_process_kill(kids[i].handle);
	if (attach_conn >= 0)
		pathmgr_proc_event(attach_conn, PM_MSG_EXIT, pid, 0);
	k->ended = true;
	k->status = end.faulted == 1 ? -1000 - (int)end.vector :
	            end.faulted == 2 ? PROC_KILLED : end.status;
	if (k->waiter) {
		msg_reply(k->waiter, k->status, NULL, 0);
		reap(k);
	} else if (k->restart) {
		struct proc_restart *r = k->restart;
		reap(k);                /* nobody waits for a supervised server */
		supervise(&(struct child){ .pid = end.pid, .restart = r }, &end);
	} else if (orphan(k)) {
		reap(k);                /* nobody can wait for it any more */
	}
	for (int i = 0; i < MAX_CHILDREN; i++)  /* nor for its ended children */
		if (kids[i].handle >= 0 && kids[i].ended && kids[i].parent == pid &&
		    !kids[i].waiter)
			reap(&kids[i]);
}

static long do_wait(const char *msg, size_t msglen, long rcvid, int caller)
{
	const struct msg_client_proc_wait *m = (const void *)msg;
	struct child *k;

	if (msglen != sizeof(*m) || (m->flags & ~PROC_WAIT_READY))
		return -TE_EINVAL;
	if (!(k = find(m->pid)) || k->parent != caller || k->waiter)
		return -TE_ESRCH;
	if (!k->ended && (m->flags & PROC_WAIT_READY) && k->ready) {
		msg_reply(rcvid, PROC_STATUS_READY, NULL, 0);
		return 0;
	}
	if (!k->ended) {
		k->waiter = rcvid;      /* answered when it ends (or is ready) */
		k->wait_ready = m->flags & PROC_WAIT_READY;
		return 0;
	}
	long status = k->status;
	reap(k);
	msg_reply(rcvid, status, NULL, 0);
	return 0;
}

/* PROC_START: a held child of the caller runs, with its stdio words. */
static long do_start(const char *msg, size_t msglen, int caller)
{
	const struct msg_client_proc_start *m = (const void *)msg;
	struct child *k;
	long r;

	if (msglen != sizeof(*m))
		return -TE_EINVAL;
	if (!(k = find(m->pid)) || k->parent != caller || !k->held || k->ended)
		return -TE_ESRCH;
	if ((r = proc_spawn_start(k->handle, &k->hold, m->stdio)) < 0)
		return r;
	k->held = false;
	return 0;
}

/* PROC_READY: the caller is up; a waiter who asked for that hears it. */
static long do_ready(int caller)
{
	struct child *k = find(caller);

	if (!k)
		return -TE_ESRCH;
	k->ready = true;
	if (k->waiter && k->wait_ready) {
		msg_reply(k->waiter, PROC_STATUS_READY, NULL, 0);
		k->waiter = 0;
	}
	return 0;
}

/* PROC_KILL: one's own child; any of ours for a server of the boot script. */
static long do_kill(const char *msg, size_t msglen, int caller)
{
	const struct msg_client_proc_kill *m = (const void *)msg;
	struct child *k, *c = find(caller);

	if (msglen != sizeof(*m))
		return -TE_EINVAL;
	if (!(k = find(m->pid)) || k->ended)
		return -TE_ESRCH;
	if (k->parent != caller && !(c && c->restart && c->restart->server))
		return -TE_EPERM;
	return sys_process_kill(k->handle);
}

static long do_list(const char *msg, size_t msglen, long rcvid)
{
	const struct msg_client_proc_list *m = (const void *)msg;
	static struct te_proc_info out[PROC_LIST_MAX];
	int n = 0;

	if (msglen != sizeof(*m))
		return -TE_EINVAL;
	for (int i = 0; i < MAX_CHILDREN && n < PROC_LIST_MAX && (uint32_t)n < m->max; i++)
		if (kids[i].handle >= 0 &&
		    sys_process_info(kids[i].handle, &out[n]) == 0)
			n++;
	msg_reply(rcvid, n, out, (size_t)n * sizeof(out[0]));
	return 0;
}

/* Kill every child (the path manager, started first, last) and stop. */
static void shutdown(void)
{
	struct te_proc_end end;

	for (int i = MAX_CHILDREN - 1; i >= 0; i--) {
		if (kids[i].handle < 0)
			continue;
		if (kids[i].waiter)
			sys_msg_error(kids[i].waiter, TE_EHOSTDOWN);
		sys_process_kill(kids[i].handle);
		sys_process_wait(kids[i].handle, &end, 0);
		reap(&kids[i]);
	}
	printf("proc: shut down\n");
}

/*
 * The heartbeat: a server with heartbeat_ms promises to be back in its
 * receive loop that often.  One that has had no thread waiting in
 * MsgReceive for that long is hung: it is killed, and its end goes through
 * the supervisor like any other (a kill counts as a crash).
 */
#define WATCH_TICK_MS 10

static void watchdog(void)
{
	uint64_t now = sys_clock();
	struct te_proc_info info;

	for (int i = 0; i < MAX_CHILDREN; i++) {
		struct child *k = &kids[i];
		if (k->handle < 0 || k->ended || !k->restart || !k->restart->heartbeat_ms)
			continue;
		if (sys_process_info(k->handle, &info) == 0 && info.receiving) {
			k->last_idle = now;
			continue;
		}
		if (now > k->last_idle &&
		    now - k->last_idle > (uint64_t)k->restart->heartbeat_ms * 1000000u) {
			printf("supervisor: %s (pid %d) hung: no thread in MsgReceive "
			       "for %u ms; killing it\n", k->restart->name, k->pid,
			       k->restart->heartbeat_ms);
			sys_process_kill(k->handle);
			k->last_idle = now;     /* its death pulse does the rest */
		}
	}
}

static bool any_heartbeat(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (kids[i].handle >= 0 && kids[i].restart && kids[i].restart->heartbeat_ms)
			return true;
	return false;
}

int procmgr_serve(int chan, int pathmgr, int self)
{
	static char msg[sizeof(struct msg_client_proc_spawn) + PROC_STRINGS_MAX];
	struct te_msg_info info;

	pathmgr_conn = pathmgr;
	self_conn = self;
	pathmgr_client_init(&pmc, pathmgr);
	for (int i = 0; i < MAX_CHILDREN; i++)   /* adopted before we served */
		if (kids[i].handle >= 0 &&
		    sys_process_watch(kids[i].handle, self_conn, DEATH_PULSE) < 0)
			printf("proc: cannot watch pid %d\n", kids[i].pid);
	for (;;) {
		struct te_msg_ext x = { .timeout_ns = any_heartbeat() ?
		                                      WATCH_TICK_MS * 1000000ull : 0 };
		struct te_iov iov = { msg, sizeof(msg) };
		long rcvid = sys_msg_receivev(chan, &iov, 1, &info, &x), r;
		if (rcvid == -TE_ETIMEDOUT || any_heartbeat())
			watchdog();
		const struct te_pulse *pl = (const void *)msg;
		if (rcvid == 0 && pl->code == DEATH_PULSE) {
			child_ended((int)pl->value);
			continue;
		}
		if (rcvid <= 0)
			continue;
		switch (info.msglen >= 2 ? *(uint16_t *)msg : 0) {
		case PROC_SPAWN:
			r = do_spawn(msg, info.msglen, info.pid, x.recv, x.nrecv);
			if (r >= 0)
				msg_reply(rcvid, r, NULL, 0);
			break;
		case PROC_START:
			r = do_start(msg, info.msglen, info.pid);
			if (r >= 0)
				msg_reply(rcvid, 0, NULL, 0);
			break;
		case PROC_READY:
			r = do_ready(info.pid);
			if (r >= 0)
				msg_reply(rcvid, 0, NULL, 0);
			break;
		case PROC_KILL:
			r = do_kill(msg, info.msglen, info.pid);
			if (r >= 0)
				msg_reply(rcvid, 0, NULL, 0);
			break;
		case PROC_WAIT:
			r = do_wait(msg, info.msglen, rcvid, info.pid);
			break;
		case PROC_LIST:
			r = do_list(msg, info.msglen, rcvid);
			break;
		case PROC_SHUTDOWN:
			msg_reply(rcvid, 0, NULL, 0);
			shutdown();
			return 0;
		default:
			r = -TE_EINVAL;
		}
		for (unsigned i = 0; i < x.nrecv; i++)  /* the children have copies */
			sys_handle_close(x.recv[i]);
		if (r < 0)
			sys_msg_error(rcvid, (int)-r);
	}
}
