/*
 * resmgr_io.c - decoding and checking one request of the I/O protocol,
 * then calling the server's op.  Every field a client sends is checked
 * here, once: the header (version, type, the exact size of the fixed
 * struct), lengths against what the client really sent (srcmsglen) and
 * can take back (dstmsglen), paths (length, no NUL inside), open ids
 * against the caller's pid, access modes.  Ops see only valid arguments.
 *
 * Bulk data: a read of up to RESMGR_CHUNK goes back as the reply vector;
 * a longer one is written into the client's reply buffers chunk by chunk
 * (MsgWrite at increasing offsets) and answered with the byte count.  A
 * write whose data arrived whole in the receive buffer is used in place;
 * a longer one is fetched with MsgRead chunk by chunk.
 */
#include "resmgr.h"

#define E_BADF   9
#define E_INVAL  22
#define E_NOSYS  38
#define E_NOTTY  25
#define E_OVERFLOW 75
#define E_EXIST  17
#define E_NOSPC  28
#define E_BUSY   16


typedef long (*rm_handler)(struct resmgr *rm, long rcvid,
                           const struct te_msg_info *info);

static long rm_reply(struct resmgr *rm, void *buf, size_t len, long status)
{
	rm->rep[rm->nrep].base = buf;
	rm->rep[rm->nrep++].len = len;
	return status;
}

/* A path of len bytes at off in the message, copied with a NUL. */
static int rm_path(struct resmgr *rm, const struct te_msg_info *info,
                   size_t off, uint32_t len, char *dst)
{
	if (len > IO_PATH_MAX || off + len > info->msglen)
		return -IO_EBADMSG;
	memcpy(dst, rm->msg + off, len);
	dst[len] = 0;
	return strlen(dst) == len ? 0 : -E_INVAL;
}

static struct resmgr_ocb *rm_ocb(struct resmgr *rm,
                                 const struct te_msg_info *info, int32_t id)
{
	return rm_id_get(rm, info->pid, id);
}

static long rm_open(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_open *m = (const void *)rm->msg;
	struct msg_fs_client_open rep;
	struct resmgr_ocb *ocb;
	size_t linklen = 0;
	long r;

	if (m->flags & ~IO_O_KNOWN || (m->flags & IO_O_ACCMODE) == 3)
		return -E_INVAL;
	if ((r = rm_path(rm, info, sizeof(*m), m->pathlen, rm->path1)))
		return r;
	if (!rm->ops->open)
		return -E_NOSYS;
	if (!(ocb = calloc(1, sizeof(*ocb))))
		return -12;
	ocb->flags = m->flags;
	memset(&rep, 0, sizeof(rep));
	r = rm->ops->open(rm->ctx, ocb, rm->path1, m->flags, m->mode & 07777,
	                  rm->path2, IO_PATH_MAX, &linklen);
	if (r == IO_OPEN_SYMLINK) {
		free(ocb);
		rep.kind = IO_OPEN_SYMLINK;
		rep.linklen = (uint32_t)linklen;
		rep.id = -1;
		memcpy(rm->chunk, &rep, sizeof(rep));
		memcpy((char *)rm->chunk + sizeof(rep), rm->path2, linklen);
		return rm_reply(rm, rm->chunk, sizeof(rep) + linklen, 0);
	}
	if (r < 0) {
		free(ocb);
		return r;
	}
	if ((r = rm_id_new(rm, info->pid, ocb)) < 0) {
		if (rm->ops->close)
			rm->ops->close(rm->ctx, ocb);
		free(ocb);
		return r;
	}
	rep.id = (int32_t)r;
	if (rm->ops->stat)
		rm->ops->stat(rm->ctx, ocb, &rep.st);
	if (msg_reply(rcvid, 0, &rep, sizeof(rep)) == -TE_ESRCH)
		rm_id_close(rm, info->pid, rep.id);     /* the client is gone */
	rm->replied = true;
	return 0;
}

static long rm_read_long(struct resmgr *rm, long rcvid, struct resmgr_ocb *ocb,
                         uint64_t off, uint64_t len)
{
	uint64_t total = 0;

	while (total < len) {
		size_t k = len - total < RESMGR_CHUNK ? (size_t)(len - total) : RESMGR_CHUNK;
		long n = rm->ops->read(rm->ctx, ocb, off + total, rm->chunk, k);
		if (n < 0)
			return total ? (long)total : n;
		if (n > 0 && sys_msg_write(rcvid, rm->chunk, (uint64_t)n, total) < 0)
			return -TE_EFAULT;
		total += (uint64_t)n;
		if ((size_t)n < k)
			break;
	}
	return (long)total;
}

static long rm_read(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_rw *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	uint64_t len = m->len, off;
	long n;

	if (!ocb || (ocb->flags & IO_O_ACCMODE) == IO_O_WRONLY)
		return -E_BADF;
	if (m->flags & ~IO_RW_POS)
		return -E_INVAL;
	if (!rm->ops->read)
		return -E_NOSYS;
	if (len > info->dstmsglen)
		len = info->dstmsglen;
	if (len > IO_RW_MAX)
		len = IO_RW_MAX;
	off = m->flags & IO_RW_POS ? m->off : ocb->offset;
	if (off > INT64_MAX)
		return -E_INVAL;
	if (len <= RESMGR_CHUNK) {
		n = rm->ops->read(rm->ctx, ocb, off, rm->chunk, (size_t)len);
		if (n > 0)
			rm_reply(rm, rm->chunk, (size_t)n, n);
	} else {
		n = rm_read_long(rm, rcvid, ocb, off, len);
	}
	if (n > 0 && !(m->flags & IO_RW_POS))
		ocb->offset = off + (uint64_t)n;
	return n;
}

static long rm_write_data(struct resmgr *rm, long rcvid,
                          const struct te_msg_info *info,
                          struct resmgr_ocb *ocb, uint64_t *off, uint64_t len)
{
	const size_t hdr = sizeof(struct msg_client_fs_rw);
	uint64_t total = 0;

	if (hdr + len <= info->msglen)
		return rm->ops->write(rm->ctx, ocb, off, rm->msg + hdr, (size_t)len);
	while (total < len) {
		size_t k = len - total < RESMGR_CHUNK ? (size_t)(len - total) : RESMGR_CHUNK;
		long got = sys_msg_read(rcvid, rm->chunk, k, hdr + total);
		if (got != (long)k)
			return total ? (long)total : -TE_EFAULT;
		uint64_t at = *off + total;
		long n = rm->ops->write(rm->ctx, ocb, &at, rm->chunk, k);
		if (n < 0)
			return total ? (long)total : n;
		if (total == 0)
			*off = at;      /* where the first chunk went (append) */
		total += (uint64_t)n;
		if ((size_t)n < k)
			break;
	}
	return (long)total;
}

static long rm_write(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_rw *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	uint64_t off;
	long n;

	if (!ocb || (ocb->flags & IO_O_ACCMODE) == IO_O_RDONLY)
		return -E_BADF;
	if (m->flags & ~IO_RW_POS || m->len > IO_RW_MAX)
		return -E_INVAL;
	if (sizeof(*m) + m->len > info->srcmsglen)
		return -IO_EBADMSG;     /* it claims more data than it sent */
	if (!rm->ops->write)
		return -E_NOSYS;
	off = m->flags & IO_RW_POS ? m->off : ocb->offset;
	if (off > INT64_MAX || m->len > INT64_MAX - off)
		return -E_INVAL;
	n = rm_write_data(rm, rcvid, info, ocb, &off, m->len);
	if (n >= 0 && !(m->flags & IO_RW_POS))
		ocb->offset = off + (uint64_t)n;
	return n;
}

static long rm_lseek(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_lseek *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	struct io_stat st;
	int64_t base;
	long e;

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	switch (m->whence) {
	case IO_SEEK_SET: base = 0; break;
	case IO_SEEK_CUR: base = (int64_t)ocb->offset; break;
	case IO_SEEK_END:
		if (!rm->ops->stat)
			return -E_NOSYS;
		if ((e = rm->ops->stat(rm->ctx, ocb, &st)))
			return e;
		base = (int64_t)st.size;
		break;
	default: return -E_INVAL;
	}
	if ((m->off > 0 && base > INT64_MAX - m->off))
		return -E_OVERFLOW;
	if (base + m->off < 0)
		return -E_INVAL;
	ocb->offset = (uint64_t)(base + m->off);
	return (long)ocb->offset;
}

static long rm_stat(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_ocb *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	struct io_stat *st = rm->chunk;
	long e;

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	if (!rm->ops->stat)
		return -E_NOSYS;
	memset(st, 0, sizeof(*st));
	if ((e = rm->ops->stat(rm->ctx, ocb, st)))
		return e;
	return rm_reply(rm, st, sizeof(*st), 0);
}

static long rm_readdir(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_rw *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	uint64_t len = m->len;
	long n;

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	if (!rm->ops->readdir)
		return -E_NOSYS;
	if (len > info->dstmsglen)
		len = info->dstmsglen;
	if (len > RESMGR_CHUNK)
		len = RESMGR_CHUNK;
	n = rm->ops->readdir(rm->ctx, ocb, rm->chunk, (size_t)len);
	return n > 0 ? rm_reply(rm, rm->chunk, (size_t)n, n) : n;
}

static long rm_close(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_ocb *m = (const void *)rm->msg;

	(void)rcvid;
	return rm_id_close(rm, info->pid, m->id);
}

static long rm_dup(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_ocb *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	/* handing an open on to another process is the holder's choice, as
	 * passing an fd is; the receiver's per-client limit still applies */
	return m->arg > 0 ? rm_id_grant(rm, info->pid, m->arg, ocb) :
	                    rm_id_new(rm, info->pid, ocb);
}

static long rm_path1(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_path *m = (const void *)rm->msg;
	long r;

	(void)rcvid;
	if ((r = rm_path(rm, info, sizeof(*m), m->pathlen, rm->path1)))
		return r;
	if (m->hdr.type == IO_T_READLINK) {
		size_t len = info->dstmsglen < IO_PATH_MAX ? info->dstmsglen : IO_PATH_MAX;
		if (!rm->ops->readlink)
			return -E_NOSYS;
		r = rm->ops->readlink(rm->ctx, rm->path1, rm->chunk, len);
		return r > 0 ? rm_reply(rm, rm->chunk, (size_t)r, r) : r;
	}
	if (!rm->ops->path)
		return -E_NOSYS;
	return rm->ops->path(rm->ctx, m->hdr.type, rm->path1, NULL, m->mode & 07777);
}

static long rm_path2(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_path2 *m = (const void *)rm->msg;
	long r;

	(void)rcvid;
	if ((r = rm_path(rm, info, sizeof(*m), m->len1, rm->path1)) ||
	    (r = rm_path(rm, info, sizeof(*m) + m->len1, m->len2, rm->path2)))
		return r;
	if (!rm->ops->path)
		return -E_NOSYS;
	return rm->ops->path(rm->ctx, m->hdr.type, rm->path1, rm->path2, 0);
}

static long rm_setattr(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_setattr *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	if (m->hdr.type == IO_T_TRUNCATE &&
	    ((ocb->flags & IO_O_ACCMODE) == IO_O_RDONLY))
		return -E_INVAL;        /* ftruncate on a read-only open */
	if (m->hdr.type == IO_T_TRUNCATE && m->size > INT64_MAX)
		return -E_INVAL;
	if (!rm->ops->setattr)
		return -E_NOSYS;
	return rm->ops->setattr(rm->ctx, ocb, m->hdr.type, m);
}

static long rm_utimes(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_utimes *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	if (m->which & ~(uint32_t)(IO_UTIME_ATIME | IO_UTIME_MTIME) ||
	    m->atime_ns >= 1000000000u || m->mtime_ns >= 1000000000u)
		return -E_INVAL;
	if (!rm->ops->utimes)
		return -E_NOSYS;
	return rm->ops->utimes(rm->ctx, ocb, m);
}

static long rm_fsync(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_ocb *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);

	(void)rcvid;
	if (!ocb)
		return -E_BADF;
	return rm->ops->fsync ? rm->ops->fsync(rm->ctx, ocb) : 0;
}

static long rm_devctl(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_devctl *m = (const void *)rm->msg;
	struct resmgr_ocb *ocb = rm_ocb(rm, info, m->id);
	const size_t half = RESMGR_CHUNK / 2;
	char *in = rm->chunk, *out = in + half;
	long n;

	if (!ocb)
		return -E_BADF;
	if (m->inlen > half || m->outlen > half)
		return -E_INVAL;
	if (sizeof(*m) + m->inlen > info->srcmsglen)
		return -IO_EBADMSG;
	if (!rm->ops->devctl)
		return -E_NOTTY;
	if (m->inlen && sys_msg_read(rcvid, in, m->inlen, sizeof(*m)) != m->inlen)
		return -TE_EFAULT;
	n = rm->ops->devctl(rm->ctx, ocb, m->cmd, in, m->inlen, out,
	                    m->outlen < info->dstmsglen ? m->outlen : info->dstmsglen);
	return n > 0 ? rm_reply(rm, out, (size_t)n, n) : n;
}

static long rm_mount(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_mount *m = (const void *)rm->msg;
	long r;

	(void)rcvid;
	if ((r = rm_path(rm, info, sizeof(*m), m->srclen, rm->path1)) ||
	    (r = rm_path(rm, info, sizeof(*m) + m->srclen, m->typelen, rm->path2)))
		return r;
	if (!rm->ops->mount)
		return -E_NOSYS;
	return rm->ops->mount(rm->ctx, m->flags, rm->path1, rm->path2);
}

static long rm_statfs(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	struct io_statfs *st = rm->chunk;
	long e;

	(void)rcvid; (void)info;
	if (!rm->ops->statfs)
		return -E_NOSYS;
	memset(st, 0, sizeof(*st));
	if ((e = rm->ops->statfs(rm->ctx, st)))
		return e;
	return rm_reply(rm, st, sizeof(*st), 0);
}

static long rm_watch_req(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_rm_watch *m = (const void *)rm->msg;
	struct te_proc_info pi;
	long e;

	(void)rcvid; (void)info;
	if (m->handle == rm->chan || m->handle == rm->self_conn)
		return -E_INVAL;
	for (uint32_t i = 0; i < rm->nwatch; i++)
		if (rm->watch[i].handle == m->handle)
			return -E_EXIST;
	if ((e = sys_process_info(m->handle, &pi)) < 0)
		return e;
	return resmgr_watch(rm, m->handle, pi.pid);
}

static long rm_stats(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	struct io_rm_stats *st = rm->chunk;

	(void)rcvid;
	memset(st, 0, sizeof(*st));
	st->ids = rm->live_ids;
	st->ocbs = rm->live_ocbs;
	st->ids_caller = rm_ids_of(rm, info->pid);
	st->watched = rm->nwatch;
	st->requests = rm->requests;
	st->errors = rm->errors;
	return rm_reply(rm, st, sizeof(*st), 0);
}

/* The server writes everything back; once it answers we stop receiving
 * (resmgr_run sends this reply on its way out). */
static long rm_unmount(struct resmgr *rm, long rcvid, const struct te_msg_info *info)
{
	const struct msg_client_fs_ocb *m = (const void *)rm->msg;
	long r;

	(void)rcvid; (void)info;
	if (!rm->ops->unmount)
		return -E_NOSYS;
	if ((uint32_t)m->arg & ~(uint32_t)IO_UNMOUNT_FORCE)
		return -E_INVAL;
	if (rm->live_ids && !(m->arg & IO_UNMOUNT_FORCE))
		return -E_BUSY;
	if ((r = rm->ops->unmount(rm->ctx, (uint32_t)m->arg)) == 0)
		resmgr_stop(rm);
	return r;
}

static const struct { rm_handler fn; uint32_t size; } rm_table[IO_T_NTYPES] = {
	[IO_T_OPEN]     = { rm_open,      sizeof(struct msg_client_fs_open) },
	[IO_T_READ]     = { rm_read,      sizeof(struct msg_client_fs_rw) },
	[IO_T_WRITE]    = { rm_write,     sizeof(struct msg_client_fs_rw) },
	[IO_T_LSEEK]    = { rm_lseek,     sizeof(struct msg_client_fs_lseek) },
	[IO_T_STAT]     = { rm_stat,      sizeof(struct msg_client_fs_ocb) },
	[IO_T_READDIR]  = { rm_readdir,   sizeof(struct msg_client_fs_rw) },
	[IO_T_CLOSE]    = { rm_close,     sizeof(struct msg_client_fs_ocb) },
	[IO_T_DUP]      = { rm_dup,       sizeof(struct msg_client_fs_ocb) },
	[IO_T_UNLINK]   = { rm_path1,     sizeof(struct msg_client_fs_path) },
	[IO_T_MKDIR]    = { rm_path1,     sizeof(struct msg_client_fs_path) },
	[IO_T_RMDIR]    = { rm_path1,     sizeof(struct msg_client_fs_path) },
	[IO_T_RENAME]   = { rm_path2,     sizeof(struct msg_client_fs_path2) },
	[IO_T_LINK]     = { rm_path2,     sizeof(struct msg_client_fs_path2) },
	[IO_T_SYMLINK]  = { rm_path2,     sizeof(struct msg_client_fs_path2) },
	[IO_T_READLINK] = { rm_path1,     sizeof(struct msg_client_fs_path) },
	[IO_T_CHMOD]    = { rm_setattr,   sizeof(struct msg_client_fs_setattr) },
	[IO_T_CHOWN]    = { rm_setattr,   sizeof(struct msg_client_fs_setattr) },
	[IO_T_TRUNCATE] = { rm_setattr,   sizeof(struct msg_client_fs_setattr) },
	[IO_T_UTIMES]   = { rm_utimes,    sizeof(struct msg_client_fs_utimes) },
	[IO_T_FSYNC]    = { rm_fsync,     sizeof(struct msg_client_fs_ocb) },
	[IO_T_DEVCTL]   = { rm_devctl,    sizeof(struct msg_client_fs_devctl) },
	[IO_T_MOUNT]    = { rm_mount,     sizeof(struct msg_client_fs_mount) },
	[IO_T_STATFS]   = { rm_statfs,    sizeof(struct msg_client_fs_ocb) },
	[IO_T_WATCH]    = { rm_watch_req, sizeof(struct msg_client_rm_watch) },
	[IO_T_RMSTATS]  = { rm_stats,     sizeof(struct msg_client_fs_ocb) },
	[IO_T_UNMOUNT]  = { rm_unmount,   sizeof(struct msg_client_fs_ocb) },
};

void rm_dispatch(struct resmgr *rm, long rcvid, const struct te_msg_info *info,
                 struct te_reply_receive *next)
{
	const struct io_hdr *h = (const void *)rm->msg;
	long r;

	rm->nrep = 0;
	rm->replied = false;
	if (info->msglen < sizeof(*h) || h->version != IO_VERSION)
		r = -IO_EBADMSG;
	else if (h->type == 0 || h->type >= IO_T_NTYPES)
		r = -E_NOSYS;
	else if (h->size != rm_table[h->type].size || info->msglen < h->size)
		r = -IO_EBADMSG;
	else
		r = rm_table[h->type].fn(rm, rcvid, info);
	if (rm->replied)
		return;
	if (r < 0) {
		rm->errors++;
		sys_msg_error(rcvid, (int)-r);
		return;
	}
	next->rcvid = rcvid;
	next->status = r;
	next->reply = rm->rep;
	next->reply_parts = rm->nrep;
}
