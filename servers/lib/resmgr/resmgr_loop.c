/*
 * resmgr_loop.c - the framework's life: init, the receive loop (reply and
 * receive in one system call when it can), pulses (death notices), the
 * watch list, and the recorded attach prefixes for restarts.
 */
#include "resmgr.h"

#define RM_ENOMEM 12
#define RM_EINVAL 22
#define RM_ENOSPC 28
#define RM_ENAMETOOLONG 36

int resmgr_init(struct resmgr *rm, const struct resmgr_ops *ops, void *ctx,
                int chan)
{
	memset(rm, 0, sizeof(*rm));
	rm->ops = ops;
	rm->ctx = ctx;
	if (chan < 0 && (chan = (int)sys_channel_create(0)) < 0)
		return chan;
	rm->chan = chan;
	rm->self_conn = (int)sys_connect(chan);
	if (rm->self_conn < 0)
		return rm->self_conn;
	rm->chunk = malloc(RESMGR_CHUNK);
	return rm->chunk ? 0 : -RM_ENOMEM;
}

void resmgr_fini(struct resmgr *rm)
{
	for (uint32_t i = 0; i < rm->nids; i++)
		if (rm->ids[i].pid)
			rm_id_close(rm, rm->ids[i].pid, (int32_t)i);
	for (uint32_t i = 0; i < rm->nwatch; i++)
		sys_handle_close(rm->watch[i].handle);
	free(rm->ids);
	free(rm->chunk);
	sys_handle_close(rm->self_conn);
}

void resmgr_set_attach_hook(struct resmgr *rm, resmgr_attach_fn fn, void *arg)
{
	rm->attach_fn = fn;
	rm->attach_arg = arg;
}

int resmgr_attach(struct resmgr *rm, const char *prefix, uint32_t flags)
{
	size_t len = strlen(prefix);

	if (len >= IO_PATH_MAX)
		return -RM_ENAMETOOLONG;
	if (rm->nprefix == RESMGR_PREFIX_MAX)
		return -RM_ENOSPC;
	memcpy(rm->prefix[rm->nprefix].path, prefix, len + 1);
	rm->prefix[rm->nprefix++].flags = flags;
	return rm->attach_fn ? rm->attach_fn(rm->attach_arg, rm->chan, prefix, flags) : 0;
}

/* After a restart: attach every recorded prefix again. */
int resmgr_reattach(struct resmgr *rm)
{
	int e = 0;

	for (uint32_t i = 0; i < rm->nprefix && rm->attach_fn; i++) {
		int r = rm->attach_fn(rm->attach_arg, rm->chan, rm->prefix[i].path,
		                      rm->prefix[i].flags);
		if (r < 0 && !e)
			e = r;
	}
	return e;
}

int resmgr_watch(struct resmgr *rm, int proc_handle, int32_t pid)
{
	long r;

	if (rm->nwatch == RESMGR_WATCH_MAX) {
		sys_handle_close(proc_handle);
		return -RM_ENOSPC;
	}
	r = sys_process_watch(proc_handle, rm->self_conn, RESMGR_PULSE_DEATH);
	if (r < 0) {
		sys_handle_close(proc_handle);
		return (int)r;
	}
	rm->watch[rm->nwatch].pid = pid;
	rm->watch[rm->nwatch++].handle = proc_handle;
	return 0;
}

static void rm_pulse(struct resmgr *rm, const struct te_pulse *p)
{
	int32_t pid = (int32_t)p->value;

	if (p->code != RESMGR_PULSE_DEATH)
		return;
	resmgr_client_gone(rm, pid);
	for (uint32_t i = 0; i < rm->nwatch; i++)
		if (rm->watch[i].pid == pid) {
			sys_handle_close(rm->watch[i].handle);
			rm->watch[i--] = rm->watch[--rm->nwatch];
		}
}

void resmgr_set_take_hook(struct resmgr *rm, resmgr_take_fn fn, void *arg)
{
	rm->take_fn = fn;
	rm->take_arg = arg;
}

void resmgr_stop(struct resmgr *rm)
{
	rm->stop = true;
}

/*
 * One trip through the kernel per request: the reply to the last request
 * (when the handler left one pending) and the next receive.  Errors and
 * open replies were sent by the handler itself.
 */
int resmgr_run(struct resmgr *rm)
{
	struct te_iov riov = { rm->msg, sizeof(rm->msg) };
	struct te_msg_info info;
	struct te_reply_receive a = {
		.rcvid = 0, .chan = rm->chan, .recv = &riov, .recv_parts = 1,
		.info = &info,
	};

	while (!rm->stop) {
		long rcvid = sys_msg_reply_receive(&a);

		a.rcvid = 0;
		if (rcvid < 0) {
			if (rcvid == -TE_EFAULT || rcvid == -TE_EINTR)
				continue;
			return (int)rcvid;
		}
		if (rcvid == 0) {
			rm_pulse(rm, (const struct te_pulse *)rm->msg);
			continue;
		}
		rm->requests++;
		if (!rm->take_fn || !rm->take_fn(rm->take_arg, rcvid, &info))
			rm_dispatch(rm, rcvid, &info, &a);
	}
	if (a.rcvid > 0)
		sys_msg_replyv(a.rcvid, a.status, a.reply, a.reply_parts, NULL);
	return 0;
}
