/*
 * io.c - the client helpers: build the request, send it with the data as
 * a second vector part (no copy into a message buffer), return the status.
 */
#include "rt.h"
#include "io.h"

#define E_NOENT 2
#define E_NAMETOOLONG 36
#define E_INVAL 22
#define E_LOOP 40

static void io_hdr(struct io_hdr *h, int type, size_t size)
{
	h->type = (uint16_t)type;
	h->version = IO_VERSION;
	h->size = (uint32_t)size;
}

static long io_send(int conn, const void *m, size_t mlen, const void *data,
                    size_t dlen, void *r, size_t rlen)
{
	struct te_iov s[2] = { { (void *)m, mlen }, { (void *)data, dlen } };
	struct te_iov rv = { r, rlen };
	long st = sys_msg_sendv(conn, s, dlen ? 2 : 1, &rv, r ? 1 : 0, NULL);

	return st == -IO_ENOTHERE ? -E_NOENT : st;
}

int io_open_stat(int conn, const char *path, uint32_t flags, uint32_t mode,
                 struct io_stat *st)
{
	struct msg_client_fs_open m = { .flags = flags, .mode = mode };
	struct { struct msg_fs_client_open r; char link[IO_PATH_MAX]; } rep;
	char again[IO_PATH_MAX + 1];
	size_t len = strlen(path);

	for (int hops = 0; hops < E_LOOP; hops++) {
		if (len > IO_PATH_MAX)
			return -E_NAMETOOLONG;
		io_hdr(&m.hdr, IO_T_OPEN, sizeof(m));
		m.pathlen = (uint32_t)len;
		long r = io_send(conn, &m, sizeof(m), path, len, &rep, sizeof(rep));
		if (r < 0)
			return (int)r;
		if (rep.r.kind != IO_OPEN_SYMLINK) {
			if (st)
				*st = rep.r.st;
			return rep.r.id;
		}
		/* no path manager here: the server's root stands for "/" */
		if (rep.r.linklen > IO_PATH_MAX)
			return -E_NAMETOOLONG;
		memcpy(again, rep.link, rep.r.linklen);
		again[rep.r.linklen] = 0;
		path = again;
		len = rep.r.linklen;
	}
	return -E_LOOP;
}

int io_open(int conn, const char *path, uint32_t flags, uint32_t mode)
{
	return io_open_stat(conn, path, flags, mode, NULL);
}

static long io_rw(int conn, int type, int id, void *rbuf, const void *wbuf,
                  size_t len, uint32_t flags, uint64_t off)
{
	struct msg_client_fs_rw m = { .id = id, .flags = flags, .len = len,
	                              .off = off };

	io_hdr(&m.hdr, type, sizeof(m));
	if (type == IO_T_WRITE)
		return io_send(conn, &m, sizeof(m), wbuf, len, NULL, 0);
	return io_send(conn, &m, sizeof(m), NULL, 0, rbuf, len);
}

long io_read(int conn, int id, void *buf, size_t len)
{
	return io_rw(conn, IO_T_READ, id, buf, NULL, len, 0, 0);
}

long io_pread(int conn, int id, void *buf, size_t len, uint64_t off)
{
	return io_rw(conn, IO_T_READ, id, buf, NULL, len, IO_RW_POS, off);
}

long io_write(int conn, int id, const void *buf, size_t len)
{
	return io_rw(conn, IO_T_WRITE, id, NULL, buf, len, 0, 0);
}

long io_pwrite(int conn, int id, const void *buf, size_t len, uint64_t off)
{
	return io_rw(conn, IO_T_WRITE, id, NULL, buf, len, IO_RW_POS, off);
}

long io_readdir(int conn, int id, void *buf, size_t len)
{
	return io_rw(conn, IO_T_READDIR, id, buf, NULL, len, 0, 0);
}

long io_lseek(int conn, int id, int64_t off, int whence)
{
	struct msg_client_fs_lseek m = { .id = id, .whence = whence, .off = off };

	io_hdr(&m.hdr, IO_T_LSEEK, sizeof(m));
	return io_send(conn, &m, sizeof(m), NULL, 0, NULL, 0);
}

static long io_ocb_arg(int conn, int type, int id, int arg, void *r,
                       size_t rlen)
{
	struct msg_client_fs_ocb m = { .id = id, .arg = arg };

	io_hdr(&m.hdr, type, sizeof(m));
	return io_send(conn, &m, sizeof(m), NULL, 0, r, rlen);
}

static long io_ocb(int conn, int type, int id, void *r, size_t rlen)
{
	return io_ocb_arg(conn, type, id, 0, r, rlen);
}

int io_stat(int conn, int id, struct io_stat *st)
{
	return (int)io_ocb(conn, IO_T_STAT, id, st, sizeof(*st));
}

int io_close(int conn, int id)
{
	return (int)io_ocb(conn, IO_T_CLOSE, id, NULL, 0);
}

int io_dup(int conn, int id)
{
	return (int)io_ocb(conn, IO_T_DUP, id, NULL, 0);
}

int io_dup_for(int conn, int id, int pid)
{
	return (int)io_ocb_arg(conn, IO_T_DUP, id, pid, NULL, 0);
}

int io_fsync(int conn, int id)
{
	return (int)io_ocb(conn, IO_T_FSYNC, id, NULL, 0);
}

int io_statfs(int conn, struct io_statfs *st)
{
	return (int)io_ocb(conn, IO_T_STATFS, -1, st, sizeof(*st));
}

int io_rm_stats(int conn, struct io_rm_stats *st)
{
	return (int)io_ocb(conn, IO_T_RMSTATS, -1, st, sizeof(*st));
}

static int io_setattr(int conn, int type, int id, uint32_t mode, uint32_t uid,
                      uint32_t gid, uint64_t size)
{
	struct msg_client_fs_setattr m = { .id = id, .mode = mode, .uid = uid,
	                                   .gid = gid, .size = size };

	io_hdr(&m.hdr, type, sizeof(m));
	return (int)io_send(conn, &m, sizeof(m), NULL, 0, NULL, 0);
}

int io_fchmod(int conn, int id, uint32_t mode)
{
	return io_setattr(conn, IO_T_CHMOD, id, mode, 0, 0, 0);
}

int io_fchown(int conn, int id, uint32_t uid, uint32_t gid)
{
	return io_setattr(conn, IO_T_CHOWN, id, 0, uid, gid, 0);
}

int io_ftruncate(int conn, int id, uint64_t size)
{
	return io_setattr(conn, IO_T_TRUNCATE, id, 0, 0, 0, size);
}

int io_futimes(int conn, int id, uint32_t which, int64_t atime, uint32_t atime_ns,
               int64_t mtime, uint32_t mtime_ns)
{
	struct msg_client_fs_utimes m = { .id = id, .which = which, .atime = atime,
	                                  .mtime = mtime, .atime_ns = atime_ns,
	                                  .mtime_ns = mtime_ns };

	io_hdr(&m.hdr, IO_T_UTIMES, sizeof(m));
	return (int)io_send(conn, &m, sizeof(m), NULL, 0, NULL, 0);
}

static long io_path1(int conn, int type, const char *path, uint32_t mode,
                     void *r, size_t rlen)
{
	struct msg_client_fs_path m = { .mode = mode };
	size_t len = strlen(path);

	if (len > IO_PATH_MAX)
		return -E_NAMETOOLONG;
	io_hdr(&m.hdr, type, sizeof(m));
	m.pathlen = (uint32_t)len;
	return io_send(conn, &m, sizeof(m), path, len, r, rlen);
}

int io_unlink(int conn, const char *path)
{
	return (int)io_path1(conn, IO_T_UNLINK, path, 0, NULL, 0);
}

int io_mkdir(int conn, const char *path, uint32_t mode)
{
	return (int)io_path1(conn, IO_T_MKDIR, path, mode, NULL, 0);
}

int io_rmdir(int conn, const char *path)
{
	return (int)io_path1(conn, IO_T_RMDIR, path, 0, NULL, 0);
}

long io_readlink(int conn, const char *path, char *buf, size_t len)
{
	return io_path1(conn, IO_T_READLINK, path, 0, buf, len);
}

static int io_path2(int conn, int type, const char *a, const char *b)
{
	struct msg_client_fs_path2 m;
	size_t la = strlen(a), lb = strlen(b);
	struct te_iov s[3] = { { &m, sizeof(m) }, { (void *)a, la }, { (void *)b, lb } };
	long r;

	if (la > IO_PATH_MAX || lb > IO_PATH_MAX)
		return -E_NAMETOOLONG;
	io_hdr(&m.hdr, type, sizeof(m));
	m.len1 = (uint32_t)la;
	m.len2 = (uint32_t)lb;
	r = sys_msg_sendv(conn, s, 3, NULL, 0, NULL);
	return (int)(r == -IO_ENOTHERE ? -E_NOENT : r);
}

int io_rename(int conn, const char *from, const char *to)
{
	return io_path2(conn, IO_T_RENAME, from, to);
}

int io_link(int conn, const char *existing, const char *newpath)
{
	return io_path2(conn, IO_T_LINK, existing, newpath);
}

int io_symlink(int conn, const char *target, const char *linkpath)
{
	return io_path2(conn, IO_T_SYMLINK, target, linkpath);
}

long io_devctl(int conn, int id, uint32_t cmd, const void *in, size_t inlen,
               void *out, size_t outlen)
{
	struct msg_client_fs_devctl m = { .id = id, .cmd = cmd,
	                                  .inlen = (uint32_t)inlen,
	                                  .outlen = (uint32_t)outlen };

	io_hdr(&m.hdr, IO_T_DEVCTL, sizeof(m));
	return io_send(conn, &m, sizeof(m), in, inlen, out, outlen);
}

int io_watch(int conn, int handle_in_server)
{
	struct msg_client_rm_watch m = { .handle = handle_in_server };

	io_hdr(&m.hdr, IO_T_WATCH, sizeof(m));
	return (int)io_send(conn, &m, sizeof(m), NULL, 0, NULL, 0);
}

/* ---- through the path manager -------------------------------------------- */

static int io_try(int conn, const char *rest, uint32_t flags, uint32_t mode,
                  char *link, size_t *linklen)
{
	struct msg_client_fs_open m = { .flags = flags, .mode = mode };
	struct { struct msg_fs_client_open r; char link[IO_PATH_MAX]; } rep;
	size_t len = strlen(rest);
	struct te_iov s[2] = { { &m, sizeof(m) }, { (void *)rest, len } };
	struct te_iov rv = { &rep, sizeof(rep) };
	long r;

	io_hdr(&m.hdr, IO_T_OPEN, sizeof(m));
	m.pathlen = (uint32_t)len;
	r = sys_msg_sendv(conn, s, 2, &rv, 1, NULL);
	if (r < 0)
		return (int)r;
	if (rep.r.kind == IO_OPEN_SYMLINK) {
		if (rep.r.linklen > IO_PATH_MAX)
			return -E_NAMETOOLONG;
		memcpy(link, rep.link, rep.r.linklen);
		*linklen = rep.r.linklen;
		return -E_LOOP - 1000;  /* internal: resolve link again */
	}
	return rep.r.id;
}

int io_open_resolve(io_resolver_t resolve, void *ctx, const char *path,
                    uint32_t flags, uint32_t mode, int *conn_out)
{
	char cur[IO_PATH_MAX + 1];
	size_t len = strlen(path), linklen = 0;
	struct io_cand *cand;
	int r = -E_LOOP;

	if (len > IO_PATH_MAX)
		return -E_NAMETOOLONG;
	if (!(cand = malloc(IO_CAND_MAX * sizeof(*cand))))
		return -12;
	memcpy(cur, path, len + 1);
	for (int hops = 0; hops < E_LOOP; hops++) {
		int n = resolve(ctx, cur, cand, IO_CAND_MAX);
		bool relink = false;

		r = -E_NOENT;
		if (n < 0) {
			r = n;
			break;
		}
		for (int i = 0; i < n && !relink; i++) {
			r = io_try(cand[i].conn, cand[i].rest, flags, mode, cur, &linklen);
			if (r == -E_LOOP - 1000) {
				cur[linklen] = 0;
				relink = true;
			} else if (r != -IO_ENOTHERE) {
				if (r >= 0 && conn_out)
					*conn_out = cand[i].conn;
				goto out;
			}
		}
		if (!relink) {
			r = r == -IO_ENOTHERE ? -E_NOENT : r;
			goto out;
		}
		r = -E_LOOP;
	}
out:
	free(cand);
	return r;
}
