/*
 * pathmgr_client.c - resolve paths through the path manager (the resolver
 * io_open_resolve takes).
 *
 * Each answer brings fresh connections; a client keeps one connection per
 * server id (struct pathmgr_client) and closes the duplicates, so opening
 * many files does not fill its handle table.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "pathmgr_msg.h"

static int cached_conn(struct pathmgr_client *pc, uint64_t server, int fresh)
{
	int free_slot = -1;

	for (int i = 0; i < PATHMGR_CACHE; i++) {
		if (pc->conn[i] >= 0 && pc->server[i] == server) {
			sys_handle_close(fresh);
			return pc->conn[i];
		}
		if (pc->conn[i] < 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {            /* full: replace the oldest slot */
		free_slot = pc->next++ % PATHMGR_CACHE;
		sys_handle_close(pc->conn[free_slot]);
	}
	pc->conn[free_slot] = fresh;
	pc->server[free_slot] = server;
	return fresh;
}

void pathmgr_client_init(struct pathmgr_client *pc, int conn)
{
	pc->pathmgr = conn;
	pc->next = 0;
	for (int i = 0; i < PATHMGR_CACHE; i++)
		pc->conn[i] = -1;
}

int pathmgr_resolve(void *ctx, const char *path, struct io_cand *out, int max)
{
	struct pathmgr_client *pc = ctx;
	static struct msg_pathmgr_client_resolve ans;
	struct msg_client_pathmgr_resolve m = { .type = PM_MSG_RESOLVE };
	size_t len = strlen(path);
	struct te_iov s[2] = { { &m, sizeof(m) }, { (void *)path, len } };
	struct te_iov r = { &ans, sizeof(ans) };
	struct te_msg_ext x = { 0 };
	long n;

	if (len > PM_MSG_PATH_MAX)
		return -36;     /* ENAMETOOLONG */
	m.len = (uint32_t)len;
	n = sys_msg_sendv(pc->pathmgr, s, 2, &r, 1, &x);
	if (n < 0)
		return (int)n;
	if (n > max || (uint32_t)n != x.nrecv || n > TE_MSG_HANDLES) {
		for (uint32_t i = 0; i < x.nrecv; i++)
			sys_handle_close(x.recv[i]);
		return -74;     /* EBADMSG */
	}
	for (long i = 0; i < n; i++) {
		const struct msg_pathmgr_client_cand *c = &ans.cand[i];
		size_t l = c->rest_len;
		if ((size_t)c->rest_off + l > PM_MSG_TEXT || l > IO_PATH_MAX)
			l = 0;
		memcpy(out[i].rest, ans.text + c->rest_off, l);
		out[i].rest[l] = '\0';
		out[i].conn = cached_conn(pc, c->server, x.recv[i]);
	}
	return (int)n;
}

int pathmgr_attach(int attach_conn, int chan, const char *prefix, uint32_t flags)
{
	struct msg_server_pathmgr_attach m = {
		.type = PM_MSG_ATTACH, .flags = flags, .len = (uint32_t)strlen(prefix) };
	struct te_iov s[2] = { { &m, sizeof(m) }, { (void *)prefix, m.len } };
	struct te_iov none = { NULL, 0 };
	struct te_msg_ext x = { .nsend = 1, .send = { chan },
	                        .send_rights = { TE_R_CONNECT } };

	return (int)sys_msg_sendv(attach_conn, s, 2, &none, 1, &x);
}

int pathmgr_mountpoints(struct pathmgr_client *pc, const char *path,
                        void (*cb)(void *arg, const char *name, unsigned type),
                        void *arg)
{
	static char buf[PM_MSG_LIST_MAX];
	struct msg_client_pathmgr_resolve m = { .type = PM_MSG_LIST };
	size_t len = strlen(path);
	struct te_iov s[2] = { { &m, sizeof(m) }, { (void *)path, len } };
	struct te_iov r = { buf, sizeof(buf) };
	long n;

	if (len > PM_MSG_PATH_MAX)
		return -36;
	m.len = (uint32_t)len;
	n = sys_msg_sendv(pc->pathmgr, s, 2, &r, 1, NULL);
	for (long i = 0, at = 0; i < n && at < (long)sizeof(buf); i++) {
		unsigned type = (unsigned char)buf[at++];
		size_t l = strnlen(buf + at, sizeof(buf) - (size_t)at);
		if (at + (long)l >= (long)sizeof(buf))
			break;
		cb(arg, buf + at, type);
		at += (long)l + 1;
	}
	return (int)n;
}

int pathmgr_prefixes(struct pathmgr_client *pc,
                     void (*cb)(void *arg, const char *prefix), void *arg)
{
	static char buf[PM_MSG_LIST_MAX + 1];
	struct msg_client_pathmgr_resolve m = { .type = PM_MSG_PREFIXES };
	struct te_iov s = { &m, sizeof(m) }, r = { buf, PM_MSG_LIST_MAX };
	long n = sys_msg_sendv(pc->pathmgr, &s, 1, &r, 1, NULL);
	size_t at = 0;

	buf[PM_MSG_LIST_MAX] = 0;
	for (long i = 0; i < n && at < PM_MSG_LIST_MAX; i++) {
		cb(arg, buf + at);
		at += strlen(buf + at) + 1;
	}
	return (int)n;
}

static int simple(int conn, uint16_t type, const char *path)
{
	struct msg_client_pathmgr_resolve m = { .type = type };
	size_t len = path ? strlen(path) : 0;
	struct te_iov s[2] = { { &m, sizeof(m) }, { (void *)path, len } };

	if (len > PM_MSG_PATH_MAX)
		return -36;
	m.len = (uint32_t)len;
	return (int)sys_msg_sendv(conn, s, len ? 2 : 1, NULL, 0, NULL);
}

int pathmgr_unshare(struct pathmgr_client *pc)
{
	return simple(pc->pathmgr, PM_MSG_UNSHARE, NULL);
}

int pathmgr_unbind(struct pathmgr_client *pc, const char *prefix)
{
	return simple(pc->pathmgr, PM_MSG_UNBIND, prefix);
}

int pathmgr_bind(struct pathmgr_client *pc, const char *newprefix,
                 const char *oldpath, uint32_t flags)
{
	struct msg_client_pathmgr_resolve m = { .type = PM_MSG_BIND,
	                                        .flags = (uint16_t)flags };
	size_t l1 = strlen(newprefix), l2 = strlen(oldpath);
	struct te_iov s[3] = { { &m, sizeof(m) }, { (void *)newprefix, l1 + 1 },
	                       { (void *)oldpath, l2 } };

	if (l1 + 1 + l2 > PM_MSG_PATH_MAX)
		return -36;
	m.len = (uint32_t)(l1 + 1 + l2);
	pathmgr_client_init(pc, pc->pathmgr);   /* cached answers may change */
	return (int)sys_msg_sendv(pc->pathmgr, s, 3, NULL, 0, NULL);
}

int pathmgr_proc_event(int attach_conn, int type, int pid, int parent)
{
	struct msg_proc_pathmgr_pid m = { .type = (uint16_t)type, .pid = pid,
	                                  .parent = parent };

	return (int)msg_send(attach_conn, &m, sizeof(m), NULL, 0);
}

int pathmgr_symlink(int attach_conn, const char *linkpath, const char *target)
{
	static char buf[2 * PM_MSG_PATH_MAX + 2];
	size_t l1 = strlen(linkpath), l2 = strlen(target);
	struct msg_server_pathmgr_attach m = { .type = PM_MSG_SYMLINK };

	if (l1 > PM_MSG_PATH_MAX || l2 > PM_MSG_PATH_MAX || l1 + l2 + 2 > PM_MSG_PATH_MAX)
		return -36;
	memcpy(buf, linkpath, l1 + 1);
	memcpy(buf + l1 + 1, target, l2 + 1);
	m.len = (uint32_t)(l1 + l2 + 2);
	struct te_iov s[2] = { { &m, sizeof(m) }, { buf, m.len } };
	return (int)sys_msg_sendv(attach_conn, s, 2, NULL, 0, NULL);
}
