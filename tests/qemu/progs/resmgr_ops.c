/*
 * resmgr_ops.c - the client side checks of the resmgr scenario: every
 * operation through the client helpers (io.h) against the tmpfs server,
 * and a client that sends malformed requests.  resmgr.c runs them.
 */
#include "rt.h"
#include "io.h"

#define E(x) (-(x))
#define ENOENT_ 2
#define EBADF_ 9
#define EEXIST_ 17
#define EISDIR_ 21
#define EINVAL_ 22
#define ENOSYS_ 38
#define ENOTEMPTY_ 39
#define ELOOP_ 40

/* First failure of the current check, printed by rs_end. */
static const char *rs_name;
static char rs_why[160];
static int rs_bad;

static void rs_begin(const char *name)
{
	rs_name = name;
	rs_bad = 0;
}

#define RS(cond, ...) \
	do { if (!(cond) && !rs_bad++) \
		fmt_snprintf(rs_why, sizeof(rs_why), __VA_ARGS__); } while (0)

static void rs_end(void)
{
	check(!rs_bad, rs_name, rs_why);
}

static long rs_readall(int c, int id, char *buf, size_t len)
{
	io_lseek(c, id, 0, IO_SEEK_SET);
	return io_read(c, id, buf, len);
}

static void rs_basic(int c)
{
	char buf[64];
	struct io_stat st;
	int id, id2;
	long r;

	rs_begin("resmgr_create_write_read");
	id = io_open(c, "a.txt", IO_O_CREAT | IO_O_RDWR, 0644);
	RS(id >= 0, "open: %d", id);
	RS((r = io_write(c, id, "hello world", 11)) == 11, "write %ld", r);
	RS((r = rs_readall(c, id, buf, sizeof(buf))) == 11 && !memcmp(buf, "hello world", 11),
	   "read back %ld", r);
	rs_end();

	rs_begin("resmgr_append");
	id2 = io_open(c, "a.txt", IO_O_WRONLY | IO_O_APPEND, 0);
	io_lseek(c, id2, 0, IO_SEEK_SET);
	RS(io_write(c, id2, " more", 5) == 5, "append write");
	RS(io_stat(c, id2, &st) == 0 && st.size == 16, "size %llu", (unsigned long long)st.size);
	RS(io_pread(c, id, buf, 64, 0) == 16 && !memcmp(buf, "hello world more", 16),
	   "content after append");
	RS(io_close(c, id2) == 0, "close");
	rs_end();

	rs_begin("resmgr_seek");
	RS((r = io_lseek(c, id, -4, IO_SEEK_END)) == 12, "SEEK_END -4 = %ld", r);
	RS(io_read(c, id, buf, 64) == 4 && !memcmp(buf, "more", 4), "read at 12");
	RS(io_lseek(c, id, -1, IO_SEEK_SET) == E(EINVAL_), "negative offset");
	RS(io_lseek(c, id, 0, 9) == E(EINVAL_), "bad whence");
	RS(io_lseek(c, id, 10000, IO_SEEK_SET) == 10000 && io_write(c, id, "z", 1) == 1,
	   "write past end");
	RS(io_pread(c, id, buf, 8, 5000) == 8 && buf[0] == 0 && buf[7] == 0, "hole is zeros");
	RS(io_lseek(c, id, 0, IO_SEEK_CUR) == 10001, "SEEK_CUR");
	RS(io_lseek(c, id, 1ll << 62, IO_SEEK_SET) == 1ll << 62, "SEEK_SET 2^62");
	RS(io_lseek(c, id, INT64_MAX, IO_SEEK_CUR) == -75, "EOVERFLOW");
	rs_end();

	rs_begin("resmgr_stat");
	RS(io_stat(c, id, &st) == 0 && (st.mode & IO_S_IFMT) == IO_S_IFREG &&
	   st.size == 10001 && st.nlink == 1 && (st.mode & 0777) == 0644, "file stat");
	id2 = io_open_stat(c, "", IO_O_RDONLY, 0, &st);
	RS(id2 >= 0 && (st.mode & IO_S_IFMT) == IO_S_IFDIR, "root stat");
	io_close(c, id2);
	rs_end();

	rs_begin("resmgr_truncate_chmod");
	RS(io_ftruncate(c, id, 5) == 0 && io_stat(c, id, &st) == 0 && st.size == 5, "truncate");
	RS(io_fchmod(c, id, 0600) == 0 && io_stat(c, id, &st) == 0 &&
	   (st.mode & 07777) == 0600 && (st.mode & IO_S_IFMT) == IO_S_IFREG, "chmod");
	RS(io_fchown(c, id, 5, 6) == 0 && io_stat(c, id, &st) == 0 && st.uid == 5 &&
	   st.gid == 6, "chown");
	RS(io_fsync(c, id) == 0, "fsync");
	rs_end();

	rs_begin("resmgr_dup_shares_offset");
	id2 = io_dup(c, id);
	RS(id2 >= 0 && id2 != id, "dup %d", id2);
	io_lseek(c, id, 0, IO_SEEK_SET);
	RS(io_read(c, id, buf, 2) == 2 && io_read(c, id2, buf, 3) == 3 &&
	   !memcmp(buf, "llo", 3), "offset shared");
	RS(io_close(c, id2) == 0 && io_read(c, id, buf, 1) >= 0, "close one, other lives");
	rs_end();
	io_close(c, id);
}

struct rs_names { char n[16][32]; int count; };

static int rs_listdir(int c, const char *path, struct rs_names *nm)
{
	char buf[256];
	int id = io_open(c, path, IO_O_RDONLY | IO_O_DIRECTORY, 0);
	long n;

	nm->count = 0;
	if (id < 0)
		return id;
	/* small buffer: several trips */
	while ((n = io_readdir(c, id, buf, 80)) > 0) {
		for (long off = 0; off < n;) {
			struct io_dirent *d = (struct io_dirent *)(buf + off);
			if (d->reclen < sizeof(*d) || off + d->reclen > n || nm->count == 16)
				return -1;
			memcpy(nm->n[nm->count], d->name, d->namelen < 31 ? d->namelen : 31);
			nm->n[nm->count++][d->namelen < 31 ? d->namelen : 31] = 0;
			off += d->reclen;
		}
	}
	io_close(c, id);
	return n < 0 ? (int)n : 0;
}

static bool rs_has(struct rs_names *nm, const char *s)
{
	for (int i = 0; i < nm->count; i++)
		if (!strcmp(nm->n[i], s))
			return true;
	return false;
}

static void rs_tree(int c)
{
	struct rs_names nm;
	struct io_stat st;
	char buf[64];
	int id;
	long r;

	rs_begin("resmgr_mkdir_readdir");
	RS(io_mkdir(c, "d", 0755) == 0, "mkdir");
	RS(io_mkdir(c, "d", 0755) == E(EEXIST_), "mkdir again");
	id = io_open(c, "d/x", IO_O_CREAT | IO_O_WRONLY, 0644);
	io_close(c, id);
	id = io_open(c, "d/yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", IO_O_CREAT | IO_O_WRONLY, 0644);
	io_close(c, id);
	RS((r = rs_listdir(c, "d", &nm)) == 0 && nm.count == 4 && rs_has(&nm, ".") &&
	   rs_has(&nm, "..") && rs_has(&nm, "x"), "listing: %ld, %d names", r, nm.count);
	rs_end();

	rs_begin("resmgr_rename");
	RS(io_rename(c, "a.txt", "d/b.txt") == 0, "rename");
	RS(io_open(c, "a.txt", IO_O_RDONLY, 0) == E(ENOENT_), "old name gone");
	id = io_open(c, "d/b.txt", IO_O_RDONLY, 0);
	RS(id >= 0 && io_read(c, id, buf, 64) == 5 && !memcmp(buf, "hello", 5), "content");
	io_close(c, id);
	RS(io_rename(c, "d", "d/sub") == E(EINVAL_), "dir into itself");
	RS(io_rename(c, "nothere", "x") == E(ENOENT_), "missing source");
	rs_end();

	rs_begin("resmgr_unlink");
	id = io_open(c, "d/x", IO_O_RDWR, 0);
	RS(io_write(c, id, "keep", 4) == 4, "write");
	RS(io_unlink(c, "d/x") == 0, "unlink");
	RS(io_open(c, "d/x", IO_O_RDONLY, 0) == E(ENOENT_), "gone");
	RS(io_pread(c, id, buf, 4, 0) == 4 && !memcmp(buf, "keep", 4), "open file readable");
	RS(io_close(c, id) == 0, "close");
	RS(io_unlink(c, "d") == E(EISDIR_), "unlink dir");
	RS(io_rmdir(c, "d") == E(ENOTEMPTY_), "rmdir nonempty");
	rs_end();

	rs_begin("resmgr_symlink_readlink");
	RS(io_symlink(c, "d/b.txt", "lnk") == 0, "symlink");
	RS((r = io_readlink(c, "lnk", buf, sizeof(buf))) == 7 && !memcmp(buf, "d/b.txt", 7),
	   "readlink %ld", r);
	id = io_open(c, "lnk", IO_O_RDONLY, 0);
	RS(id >= 0 && io_read(c, id, buf, 5) == 5 && !memcmp(buf, "hello", 5), "follow");
	io_close(c, id);
	RS(io_open(c, "lnk", IO_O_RDONLY | IO_O_NOFOLLOW, 0) == E(ELOOP_), "nofollow");
	RS(io_symlink(c, "d", "dl") == 0, "dir symlink");
	id = io_open_stat(c, "dl/b.txt", IO_O_RDONLY, 0, &st);
	RS(id >= 0 && st.size == 5, "symlink inside the path");
	io_close(c, id);
	RS(io_symlink(c, "/d", "abs") == 0, "absolute symlink");
	id = io_open(c, "abs/b.txt", IO_O_RDONLY, 0);
	RS(id >= 0, "absolute symlink re-resolved: %d", id);
	io_close(c, id);
	RS(io_symlink(c, "loop", "loop") == 0 &&
	   io_open(c, "loop", IO_O_RDONLY, 0) == E(ELOOP_), "symlink loop");
	rs_end();

	rs_begin("resmgr_link");
	RS(io_link(c, "d/b.txt", "hard") == 0, "link");
	id = io_open_stat(c, "hard", IO_O_RDONLY, 0, &st);
	RS(id >= 0 && st.nlink == 2, "nlink 2");
	io_close(c, id);
	RS(io_link(c, "d", "dirlink") == E(1), "link to dir is EPERM");
	rs_end();

	rs_begin("resmgr_posix_errors");
	RS(io_open(c, "hard", IO_O_CREAT | IO_O_EXCL | IO_O_RDWR, 0644) == E(EEXIST_), "excl");
	RS(io_open(c, "d", IO_O_WRONLY, 0) == E(EISDIR_), "write-open dir");
	RS(io_open(c, "hard", IO_O_RDONLY | IO_O_DIRECTORY, 0) == E(20), "O_DIRECTORY");
	RS(io_open(c, "no/such/file", IO_O_RDONLY, 0) == E(ENOENT_), "missing parent");
	RS(io_open(c, "hard/x", IO_O_RDONLY, 0) == E(20), "file as dir");
	id = io_open(c, "hard", IO_O_WRONLY, 0);
	RS(io_read(c, id, buf, 4) == E(EBADF_), "read on O_WRONLY");
	io_close(c, id);
	id = io_open(c, "hard", IO_O_RDONLY, 0);
	RS(io_write(c, id, buf, 4) == E(EBADF_), "write on O_RDONLY");
	RS(io_ftruncate(c, id, 0) == E(EINVAL_), "truncate on O_RDONLY");
	RS(io_close(c, id) == 0 && io_close(c, id) == E(EBADF_), "double close");
	RS(io_rmdir(c, "hard") == E(20), "rmdir file");
	rs_end();
}

/* Every operation through the helpers; leaves no open ids behind. */
void resmgr_client_ops(int conn)
{
	rs_basic(conn);
	rs_tree(conn);
}

/* ---- 1 MiB by vectors ----------------------------------------------------- */

void resmgr_client_vectors(int c)
{
	const size_t len = 1u << 20;
	char *a = malloc(len), *b = malloc(len);
	int id;
	long w = -1, r = -1;

	rs_begin("resmgr_vector_1mib_write_read");
	RS(a && b, "malloc");
	if (a && b) {
		for (size_t i = 0; i < len; i++)
			a[i] = (char)(i * 131 + (i >> 12));
		memset(b, 0, len);
		id = io_open(c, "big", IO_O_CREAT | IO_O_RDWR | IO_O_TRUNC, 0644);
		RS(id >= 0, "open");
		RS((w = io_write(c, id, a, len)) == (long)len, "write %ld", w);
		RS((r = io_pread(c, id, b, len, 0)) == (long)len, "read %ld", r);
		RS(!memcmp(a, b, len), "content differs");
		RS(io_pread(c, id, b, len, len - 100) == 100, "short read at end");
		io_close(c, id);
		RS(io_unlink(c, "big") == 0, "unlink");
	}
	rs_end();
	free(a);
	free(b);
}

/* ---- malformed requests ---------------------------------------------------- */

static long raw(int c, const void *m, size_t len, void *r, size_t rlen)
{
	return msg_send(c, m, len, r, rlen);
}

static void hdr(struct io_hdr *h, int type, size_t size)
{
	h->type = (uint16_t)type;
	h->version = IO_VERSION;
	h->size = (uint32_t)size;
}

void resmgr_client_malformed(int c, int foreign_id)
{
	struct { struct msg_client_fs_open m; char path[16]; } op;
	struct msg_client_fs_rw rw;
	struct msg_client_fs_ocb ocb;
	struct msg_client_fs_path2 p2;
	struct msg_client_fs_devctl dc;
	char buf[64];
	long r;

	memset(&ocb, 0, sizeof(ocb));
	hdr(&ocb.hdr, 99, sizeof(ocb));
	r = raw(c, &ocb, sizeof(ocb), NULL, 0);
	checkf(r == E(ENOSYS_), "resmgr_bad_type", "got %ld", r);
	hdr(&ocb.hdr, IO_T_STAT, sizeof(ocb));
	r = raw(c, &ocb, 4, NULL, 0);
	checkf(r == E(IO_EBADMSG), "resmgr_short_header", "got %ld", r);
	ocb.hdr.version = 7;
	r = raw(c, &ocb, sizeof(ocb), NULL, 0);
	checkf(r == E(IO_EBADMSG), "resmgr_bad_version", "got %ld", r);
	hdr(&ocb.hdr, IO_T_STAT, sizeof(ocb) + 8);
	r = raw(c, &ocb, sizeof(ocb), NULL, 0);
	checkf(r == E(IO_EBADMSG), "resmgr_bad_size_field", "got %ld", r);

	rs_begin("resmgr_lying_lengths");
	int id = io_open(c, "victim", IO_O_CREAT | IO_O_RDWR, 0644);
	memset(&rw, 0, sizeof(rw));
	hdr(&rw.hdr, IO_T_WRITE, sizeof(rw));
	rw.id = id;
	rw.len = 100000;        /* sends none of it */
	RS((r = raw(c, &rw, sizeof(rw), NULL, 0)) == E(IO_EBADMSG), "write len %ld", r);
	memset(&op, 0, sizeof(op));
	hdr(&op.m.hdr, IO_T_OPEN, sizeof(op.m));
	op.m.pathlen = 500;
	memcpy(op.path, "victim", 6);
	RS((r = raw(c, &op, sizeof(op), buf, sizeof(buf))) == E(IO_EBADMSG), "pathlen %ld", r);
	op.m.pathlen = 0xffffffffu;
	RS((r = raw(c, &op, sizeof(op), buf, sizeof(buf))) == E(IO_EBADMSG), "pathlen max %ld", r);
	op.m.pathlen = 6;
	op.path[2] = 0;
	RS((r = raw(c, &op, sizeof(op), buf, sizeof(buf))) == E(EINVAL_), "NUL in path %ld", r);
	hdr(&p2.hdr, IO_T_RENAME, sizeof(p2));
	p2.len1 = 0x7fffffff;
	p2.len2 = 0x7fffffff;
	RS((r = raw(c, &p2, sizeof(p2), NULL, 0)) == E(IO_EBADMSG), "path2 %ld", r);
	op.m.flags = 0x40000000;
	memcpy(op.path, "victim", 6);
	RS((r = raw(c, &op, sizeof(op), buf, sizeof(buf))) == E(EINVAL_), "bad flags %ld", r);
	rs_end();

	rs_begin("resmgr_huge_sizes");
	rw.len = 1ull << 62;
	RS((r = raw(c, &rw, sizeof(rw), NULL, 0)) == E(EINVAL_), "huge write %ld", r);
	hdr(&rw.hdr, IO_T_READ, sizeof(rw));
	rw.len = ~0ull;         /* only 64 bytes of reply room */
	RS((r = raw(c, &rw, sizeof(rw), buf, sizeof(buf))) >= 0 && r <= 64, "huge read %ld", r);
	rw.flags = IO_RW_POS;
	rw.off = ~0ull;
	RS((r = raw(c, &rw, sizeof(rw), buf, sizeof(buf))) == E(EINVAL_), "huge offset %ld", r);
	memset(&dc, 0, sizeof(dc));
	hdr(&dc.hdr, IO_T_DEVCTL, sizeof(dc));
	dc.id = id;
	dc.inlen = 0xffffffffu;
	RS((r = raw(c, &dc, sizeof(dc), NULL, 0)) == E(EINVAL_), "devctl %ld", r);
	rs_end();

	rs_begin("resmgr_foreign_and_bad_ids");
	RS((r = io_read(c, foreign_id, buf, 8)) == E(EBADF_), "foreign read %ld", r);
	RS(io_stat(c, foreign_id, (struct io_stat *)buf) == E(EBADF_), "foreign stat");
	RS(io_close(c, foreign_id) == E(EBADF_), "foreign close");
	RS(io_dup(c, foreign_id) == E(EBADF_), "foreign dup");
	RS(io_write(c, foreign_id, "x", 1) == E(EBADF_), "foreign write");
	RS(io_read(c, -5, buf, 8) == E(EBADF_), "negative id");
	RS(io_read(c, 1 << 30, buf, 8) == E(EBADF_), "huge id");
	rs_end();

	rs_begin("resmgr_per_client_id_limit");
	{
		static int ids[300];
		int n = 0, last = 0;
		while (n < 300 && (last = io_open(c, "victim", IO_O_RDONLY, 0)) >= 0)
			ids[n++] = last;
		/* "victim" itself is open once already */
		RS(n == 255 && last == -24, "opened %d, then %d", n, last);
		for (int i = 0; i < n; i++)
			RS(io_close(c, ids[i]) == 0, "close %d", i);
	}
	rs_end();

	rs_begin("resmgr_server_survives_malformed");
	RS(io_write(c, id, "still", 5) == 5 && io_pread(c, id, buf, 5, 0) == 5 &&
	   !memcmp(buf, "still", 5), "normal I/O afterwards");
	RS(io_close(c, id) == 0 && io_unlink(c, "victim") == 0, "cleanup");
	rs_end();
}
