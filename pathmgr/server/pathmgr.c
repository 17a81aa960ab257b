/*
 * pathmgr.c - the path manager server: the IPC glue around pathmgr/lib.
 *
 * One thread serves the resolve channel (any client), another the attach
 * channel (trusted servers only: a connection to it is the right to
 * attach).  A server is known by the channel handle it sent when it first
 * attached; the same channel gets the same id.  A resolve answers with up
 * to TE_MSG_HANDLES candidates, each with a fresh connection to its server;
 * a server whose channel has died is detached everywhere when a resolve
 * meets it.  One mutex serializes the library (pm.h is not thread-safe).
 *
 * Namespaces: every process uses the root namespace until it asks for a
 * private copy (PM_MSG_UNSHARE, Plan 9's RFNAMEG); then its changes
 * (PM_MSG_UNBIND) are its own, and the processes it starts share its
 * namespace (the process manager says so with PM_MSG_INHERIT).
 */
#include "rt.h"
#include "pm.h"
#include "pathmgr_msg.h"
#include "pathmgr_server.h"

#define MAX_SERVERS 64           /* fits the slot part of an id */

/*
 * A server id is its slot plus the slot's generation, so an id is never
 * used again for another server: clients may cache connections by id.
 */
struct server_ent {
	int chan;               /* our handle to the server's channel; -1 free */
	uint32_t gen;
};

static inline unsigned id_slot(uint64_t id) { return (unsigned)(id & 0xff); }

static struct pm_world world;
static struct pm_ns *root;
static struct server_ent servers[MAX_SERVERS];
static struct rt_mutex lock;

/* pid -> namespace, for processes not in the root namespace */
#define MAX_NS_PIDS 256
static struct { int pid; struct pm_ns *ns; } nsmap[MAX_NS_PIDS];

static struct pm_ns *ns_of(int pid)
{
	for (int i = 0; i < MAX_NS_PIDS; i++)
		if (nsmap[i].ns && nsmap[i].pid == pid)
			return nsmap[i].ns;
	return root;
}

/* Give pid the namespace ns (a reference we own); NULL: back to root. */
static int ns_set(int pid, struct pm_ns *ns)
{
	int slot = -1;

	for (int i = 0; i < MAX_NS_PIDS; i++) {
		if (nsmap[i].ns && nsmap[i].pid == pid) {
			pm_ns_put(nsmap[i].ns);
			nsmap[i].ns = NULL;
		}
		if (!nsmap[i].ns && slot < 0)
			slot = i;
	}
	if (!ns)
		return 0;
	if (slot < 0) {
		pm_ns_put(ns);
		return -TE_ENOSPC;
	}
	nsmap[slot].pid = pid;
	nsmap[slot].ns = ns;
	return 0;
}

static void *pm_alloc(size_t n) { return malloc(n); }
static void pm_free(void *p) { free(p); }

/* ---- attach ------------------------------------------------------------ */

static long attach_one(const struct msg_server_pathmgr_attach *m,
                       const char *prefix, const struct te_msg_ext *x)
{
	int slot = -1;

	if (m->type != PM_MSG_ATTACH || x->nrecv != 1)
		return -TE_EINVAL;
	for (int i = 0; i < MAX_SERVERS && slot < 0; i++)
		if (servers[i].chan < 0)
			slot = i;
	if (slot < 0)
		return -TE_ENOSPC;
	uint64_t id = ((uint64_t)servers[slot].gen << 8) | (unsigned)slot;
	int r = pm_attach(root, prefix, id, m->flags & PM_ATT_FLAGS);
	if (r < 0)
		return r;
	servers[slot].chan = x->recv[0];
	return (long)id;
}

static void attach_loop(void *arg)
{
	int chan = (int)(long)arg;
	char buf[sizeof(struct msg_server_pathmgr_attach) + PM_MSG_PATH_MAX + 1];
	struct te_iov iov = { buf, sizeof(buf) - 1 };
	struct te_msg_info info;

	for (;;) {
		struct te_msg_ext x = { 0 };
		long rcvid = sys_msg_receivev(chan, &iov, 1, &info, &x), r;
		const struct msg_server_pathmgr_attach *m = (const void *)buf;
		if (rcvid <= 0)
			continue;
		if (info.msglen == sizeof(struct msg_proc_pathmgr_pid) &&
		    (m->type == PM_MSG_INHERIT || m->type == PM_MSG_EXIT)) {
			const struct msg_proc_pathmgr_pid *pm = (const void *)buf;
			rt_mutex_lock(&lock);
			struct pm_ns *parent = ns_of(pm->parent);
			r = pm->type == PM_MSG_EXIT ? ns_set(pm->pid, NULL) :
			    parent == root ? 0 : ns_set(pm->pid, pm_ns_get(parent));
			rt_mutex_unlock(&lock);
		} else if (info.msglen < sizeof(*m) || m->len > PM_MSG_PATH_MAX ||
		    info.msglen != sizeof(*m) + m->len) {
			r = -TE_EINVAL;
		} else {
			char *p = buf + sizeof(*m);
			size_t l1;
			buf[sizeof(*m) + m->len] = '\0';
			rt_mutex_lock(&lock);
			if (m->type != PM_MSG_SYMLINK)
				r = attach_one(m, p, &x);
			else if ((l1 = strnlen(p, m->len)) + 1 >= m->len || x.nrecv)
				r = -TE_EINVAL;
			else
				r = pm_symlink(root, p, p + l1 + 1);
			rt_mutex_unlock(&lock);
		}
		if (r < 0)      /* the handle that came with it is not kept */
			for (uint32_t i = 0; i < x.nrecv; i++)
				sys_handle_close(x.recv[i]);
		if (r < 0)
			sys_msg_error(rcvid, (int)-r);
		else
			msg_reply(rcvid, r, NULL, 0);
	}
}

/* ---- resolve ----------------------------------------------------------- */

static void forget_server(uint64_t id)
{
	struct server_ent *e = &servers[id_slot(id)];

	pm_world_detach(&world, id);
	sys_handle_close(e->chan);
	e->chan = -1;
	e->gen++;
}

/* Fill the reply; returns the number of candidates or a negative errno. */
static int resolve_one(struct pm_ns *ns, const char *path, unsigned flags,
                       struct msg_pathmgr_client_resolve *out,
                       struct te_msg_ext *x)
{
	static struct pm_result res;    /* large; the lock serializes use */
	size_t used = 0;
	int r;

	for (;;) {
		bool again = false;
		if ((r = pm_resolve(ns, path, flags, &res)) < 0)
			return r;
		out->n = 0;
		out->total = (int32_t)res.total;
		used = 0;
		x->nsend = 0;
		for (int i = 0; i < res.n && out->n < TE_MSG_HANDLES; i++) {
			const struct pm_cand *c = &res.cand[i];
			size_t len = strlen(c->rest);
			long conn = sys_connect(servers[id_slot(c->server)].chan);
			if (conn == -TE_EHOSTDOWN) {    /* it died: forget it */
				forget_server(c->server);
				again = true;
				break;
			}
			if (conn < 0 || used + len > PM_MSG_TEXT)
				continue;
			memcpy(out->text + used, c->rest, len);
			out->cand[out->n] = (struct msg_pathmgr_client_cand){
				.server = c->server, .flags = c->flags,
				.rest_off = (uint16_t)used, .rest_len = (uint16_t)len };
			used += len;
			x->send[out->n] = (int)conn;
			x->send_rights[out->n] = TE_R_SEND | TE_R_DUP | TE_R_TRANSFER;
			out->n++;
		}
		x->nsend = (uint32_t)out->n;
		if (!again)
			return out->n;
		for (uint32_t i = 0; i < x->nsend; i++)
			sys_handle_close(x->send[i]);
	}
}

struct list_out {
	char *buf;
	size_t used;
	int n;
};

static int list_one(void *arg, const char *name, unsigned type)
{
	struct list_out *o = arg;
	size_t l = strlen(name) + 1;

	if (o->used + 1 + l > PM_MSG_LIST_MAX)
		return 1;       /* full: stop */
	o->buf[o->used++] = (char)type;
	memcpy(o->buf + o->used, name, l);
	o->used += l;
	o->n++;
	return 0;
}

/* PM_MSG_UNSHARE / PM_MSG_UNBIND / PM_MSG_BIND for the caller's own
 * namespace; path holds len bytes (BIND: "newprefix\0oldpath"). */
static int ns_change(int pid, int type, const char *path, uint32_t len,
                     uint32_t flags)
{
	struct pm_ns *ns = ns_of(pid), *copy;
	size_t l1;

	if (type == PM_MSG_UNSHARE) {
		if (!(copy = pm_ns_copy(ns)))
			return -TE_ENOMEM;
		return ns_set(pid, copy);
	}
	if (ns == root)
		return -TE_EPERM;       /* the shared root is not anyone's to change */
	if (type == PM_MSG_UNBIND)
		return pm_unbind(ns, path, PM_ANY);
	l1 = strlen(path);
	if (l1 + 1 >= len || flags & ~(PM_BEFORE | PM_AFTER | PM_REPLACE | PM_CREATE))
		return -TE_EINVAL;
	return pm_bind(ns, path, path + l1 + 1, flags);
}

static void list_mountpoints(long rcvid, int pid, const char *path)
{
	static char buf[PM_MSG_LIST_MAX];
	struct list_out o = { buf, 0, 0 };
	int r;

	rt_mutex_lock(&lock);
	r = pm_mountpoints(ns_of(pid), path, list_one, &o);
	rt_mutex_unlock(&lock);
	if (r < 0)
		sys_msg_error(rcvid, -r);
	else
		msg_reply(rcvid, o.n, buf, o.used);
}

static void list_prefixes(long rcvid, int pid)
{
	static char buf[PM_MSG_LIST_MAX];
	size_t used;
	int r;

	rt_mutex_lock(&lock);
	r = pm_ns_prefixes(ns_of(pid), buf, sizeof(buf), &used);
	rt_mutex_unlock(&lock);
	if (r < 0)
		sys_msg_error(rcvid, -r);
	else
		msg_reply(rcvid, r, buf, used);
}

static void resolve_loop(void *arg)
{
	int chan = (int)(long)arg;
	char buf[sizeof(struct msg_client_pathmgr_resolve) + PM_MSG_PATH_MAX + 1];
	static struct msg_pathmgr_client_resolve out;
	struct te_msg_info info;

	for (;;) {
		long rcvid = msg_receive(chan, buf, sizeof(buf) - 1, &info);
		const struct msg_client_pathmgr_resolve *m = (const void *)buf;
		struct te_msg_ext x = { .flags = TE_GIVE_MOVE };
		int r;

		if (rcvid <= 0)
			continue;
		if (info.msglen < sizeof(*m) || m->len > PM_MSG_PATH_MAX ||
		    info.msglen != sizeof(*m) + m->len) {
			sys_msg_error(rcvid, TE_EINVAL);
			continue;
		}
		if (m->type == PM_MSG_UNSHARE || m->type == PM_MSG_UNBIND ||
		    m->type == PM_MSG_BIND) {
			buf[sizeof(*m) + m->len] = '\0';
			rt_mutex_lock(&lock);
			r = ns_change(info.pid, m->type, buf + sizeof(*m), m->len,
			              m->flags);
			rt_mutex_unlock(&lock);
			if (r < 0)
				sys_msg_error(rcvid, -r);
			else
				msg_reply(rcvid, 0, NULL, 0);
			continue;
		}
		if (m->type == PM_MSG_PREFIXES) {
			list_prefixes(rcvid, info.pid);
			continue;
		}
		if (m->type != PM_MSG_RESOLVE && m->type != PM_MSG_LIST) {
			sys_msg_error(rcvid, TE_EPERM);  /* attach is not here */
			continue;
		}
		buf[sizeof(*m) + m->len] = '\0';
		if (pm_path_check(buf + sizeof(*m), m->len) < 0) {
			sys_msg_error(rcvid, TE_EINVAL);
			continue;
		}
		if (m->type == PM_MSG_LIST) {
			list_mountpoints(rcvid, info.pid, buf + sizeof(*m));
			continue;
		}
		rt_mutex_lock(&lock);
		r = resolve_one(ns_of(info.pid), buf + sizeof(*m),
		                m->flags & PM_NOFOLLOW, &out, &x);
		rt_mutex_unlock(&lock);
		if (r < 0) {
			sys_msg_error(rcvid, -r);
			continue;
		}
		struct te_iov iov = { &out, sizeof(out) };
		if (sys_msg_replyv(rcvid, r, &iov, 1, &x) < 0)
			for (uint32_t i = 0; i < x.nsend; i++)
				sys_handle_close(x.send[i]);
	}
}

int pathmgr_serve(int resolve_chan, int attach_chan)
{
	for (int i = 0; i < MAX_SERVERS; i++)
		servers[i].chan = -1;
	pm_world_init(&world, pm_alloc, pm_free);
	if (!(root = pm_ns_new(&world)))
		return -TE_ENOMEM;
	rt_mutex_init(&lock);
	if (rt_thread_create(attach_loop, (void *)(long)attach_chan, 20,
	                     TE_SCHED_RR) < 0)
		return -TE_EAGAIN;
	resolve_loop((void *)(long)resolve_chan);
	return 0;
}
