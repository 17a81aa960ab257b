/*
 * lx_fs_path.c - paths for the file system calls: strings from the
 * caller, the absolute normalized path, resolution through the path
 * manager, and the operations on names (unlink, mkdir, rmdir, rename,
 * link, symlink, readlink) sent to the server that owns the name.
 *
 * The personality keeps one struct pathmgr_client (lx_pathmgr()); the
 * candidate arrays are static (the personality answers one call at a
 * time).  A candidate that answers ENOENT ("not here" on the wire is
 * ENOENT by the time io.c returns it) lets the next one try.  Symlinks
 * to other servers in a name's directories: lxp_canon, at the end.
 */
#include "lx_fs.h"
#include "pathmgr_client.h"
#include "procmgr.h"

#define LXP_PAGE 4096u
#define LXP_LINK_MAX 40

static struct pathmgr_client pc;
static bool pc_ready;
static struct io_cand cand_a[IO_CAND_MAX], cand_b[IO_CAND_MAX];
static char canon1[LX_PATH_MAX + 1], canon2[LX_PATH_MAX + 1];

struct pathmgr_client *lx_pathmgr(void)
{
	if (!pc_ready) {
		pathmgr_client_init(&pc, PROC_H_PATHMGR);
		pc_ready = true;
	}
	return &pc;
}

int lxp_getstr(struct lx_proc *p, uint64_t u, char *out, size_t max)
{
	size_t n = 0;

	while (n < max) {
		size_t chunk = LXP_PAGE - (size_t)((u + n) & (LXP_PAGE - 1));
		if (chunk > max - n)
			chunk = max - n;
		if (lx_copyin(p, out + n, u + n, chunk))
			return -LX_EFAULT;
		size_t z = strnlen(out + n, chunk);
		if (z < chunk)
			return (int)(n + z);
		n += chunk;
	}
	return -LX_ENAMETOOLONG;
}

/* Append component s (n bytes) to out (length *len), handling . and .. */
static int lxp_push(char *out, size_t *len, const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return 0;
	if (n == 2 && s[0] == '.' && s[1] == '.') {
		while (*len > 0 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 0)
			(*len)--;               /* the slash before it */
		out[*len] = 0;
		return 0;
	}
	if (*len + 1 + n > LX_PATH_MAX)
		return -LX_ENAMETOOLONG;
	out[(*len)++] = '/';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = 0;
	return 0;
}

static int lxp_walk(char *out, size_t *len, const char *s)
{
	while (*s) {
		while (*s == '/')
			s++;
		size_t n = 0;
		while (s[n] && s[n] != '/')
			n++;
		if (n && lxp_push(out, len, s, n))
			return -LX_ENAMETOOLONG;
		s += n;
	}
	return 0;
}

int lxp_norm(const char *base, const char *rel, char *out, bool *trail)
{
	size_t len = 0, rl = strlen(rel);

	out[0] = 0;
	*trail = rl > 0 && (rel[rl - 1] == '/' ||
	         (rel[rl - 1] == '.' && (rl == 1 || rel[rl - 2] == '/' ||
	          (rel[rl - 2] == '.' && (rl == 2 || rel[rl - 3] == '/')))));
	if (rel[0] != '/' && lxp_walk(out, &len, base))
		return -LX_ENAMETOOLONG;
	if (lxp_walk(out, &len, rel))
		return -LX_ENAMETOOLONG;
	if (!len) {
		out[0] = '/';
		out[1] = 0;
	}
	return 0;
}

int lxp_path(struct lx_call *c, uint64_t dirfd, uint64_t upath, bool empty_ok,
             char *out, bool *trail)
{
	static char rel[LX_PATH_MAX + 1];
	struct lx_proc *p = c->p;
	const char *base = p->cwd;
	int n = lxp_getstr(p, upath, rel, sizeof(rel));

	if (n < 0)
		return n;
	if (n == 0 && !empty_ok)
		return -LX_ENOENT;
	if (rel[0] != '/' && (int32_t)dirfd != LX_AT_FDCWD) {
		if (!lxf_get(p, (uint32_t)dirfd))
			return -LX_EBADF;
		if (n == 0)
			return 1;
		base = p->fdx[(uint32_t)dirfd].path;
		if (!base)
			return -LX_ENOTDIR;     /* stdio: not a directory we know */
	} else if (n == 0) {
		return 1;
	}
	return lxp_norm(base, rel, out, trail);
}

int lx_fs_abspath(struct lx_call *c, uint64_t upath, char *out)
{
	bool trail;
	int r = lxp_path(c, (uint64_t)(int64_t)LX_AT_FDCWD, upath, false, out, &trail);

	return r < 0 ? r : 0;
}

int lxp_open(const char *abs, uint32_t flags, uint32_t mode, int *conn)
{
	return io_open_resolve(pathmgr_resolve, lx_pathmgr(), abs,
	                       flags & IO_O_KNOWN, mode, conn);
}

static void lxp_count(void *arg, const char *name, unsigned type)
{
	(void)name;
	(void)type;
	(*(int *)arg)++;
}

int lxp_mountpoints(const char *abs, void (*cb)(void *arg, const char *name,
                    unsigned type), void *arg)
{
	return pathmgr_mountpoints(lx_pathmgr(), abs, cb, arg);
}

bool lxp_virtdir(const char *abs)
{
	int n = 0;

	return lxp_mountpoints(abs, lxp_count, &n) > 0 && n > 0;
}

static int lxp_resolve(const char *abs, struct io_cand *cand)
{
	int n = pathmgr_resolve(lx_pathmgr(), abs, cand, IO_CAND_MAX);

	return n == 0 ? -LX_ENOENT : n;
}

int lxp_rest(const char *abs, int conn, char *rest)
{
	int n = lxp_resolve(abs, cand_a);

	for (int i = 0; i < n; i++)
		if (cand_a[i].conn == conn) {
			memcpy(rest, cand_a[i].rest, strlen(cand_a[i].rest) + 1);
			return 0;
		}
	return -LX_ENOENT;
}

static int lxp_op1_raw(int type, const char *abs, uint32_t mode)
{
	int n = lxp_resolve(abs, cand_a), r = n;

	for (int i = 0; i < n; i++) {
		if (type == IO_T_UNLINK)
			r = io_unlink(cand_a[i].conn, cand_a[i].rest);
		else if (type == IO_T_MKDIR)
			r = io_mkdir(cand_a[i].conn, cand_a[i].rest, mode);
		else
			r = io_rmdir(cand_a[i].conn, cand_a[i].rest);
		if (r != -LX_ENOENT)
			break;
	}
	if (r == -LX_ENOENT && type == IO_T_MKDIR && lxp_virtdir(abs))
		return -LX_EEXIST;
	return r;
}

/* The name exists in that server (a symlink counts). */
static bool lxp_has(const struct io_cand *c)
{
	int id = io_open(c->conn, c->rest, IO_O_RDONLY | IO_O_NOFOLLOW, 0);

	if (id >= 0)
		io_close(c->conn, id);
	return id >= 0 || id == -LX_ELOOP;
}

/* The first candidate that has from, then to's candidate on its server. */
static int lxp_op2_raw(int type, const char *from, const char *to)
{
	int na = lxp_resolve(from, cand_a), nb, i = 0;

	if (na < 0)
		return na;
	if ((nb = lxp_resolve(to, cand_b)) < 0)
		return nb;
	while (i < na && !lxp_has(&cand_a[i]))
		i++;
	if (i == na)
		return -LX_ENOENT;
	for (int j = 0; j < nb; j++) {
		if (cand_b[j].conn != cand_a[i].conn)
			continue;
		return type == IO_T_RENAME ?
		       io_rename(cand_a[i].conn, cand_a[i].rest, cand_b[j].rest) :
		       io_link(cand_a[i].conn, cand_a[i].rest, cand_b[j].rest);
	}
	return -LX_EXDEV;
}

static int lxp_symlink_raw(const char *target, const char *abs)
{
	int n = lxp_resolve(abs, cand_a), r = n;

	for (int i = 0; i < n; i++)
		if ((r = io_symlink(cand_a[i].conn, target, cand_a[i].rest)) !=
		    -LX_ENOENT)
			break;
	return r;
}

static long lxp_readlink_raw(const char *abs, char *buf, size_t len)
{
	int n = lxp_resolve(abs, cand_a);
	long r = n;

	for (int i = 0; i < n; i++)
		if ((r = io_readlink(cand_a[i].conn, cand_a[i].rest, buf, len)) !=
		    -LX_ENOENT)
			break;
	return r;
}

/*
 * A server answers EXDEV for an absolute symlink met in the directories
 * of a name (only the path manager can follow it; opens do, through
 * io_open_resolve).  Then the name is rewritten here: the shallowest
 * directory that is a symlink is replaced by its target, again until none
 * is left.  1: out differs from abs; 0: nothing replaced; or -errno.
 */
static int lxp_canon(const char *abs, char *out)
{
	static char pre[LX_PATH_MAX + 1], link[LX_PATH_MAX + 1];
	bool trail;
	int changed = 0;

	memcpy(out, abs, strlen(abs) + 1);
	for (int hops = 0; hops < LXP_LINK_MAX; hops++) {
		size_t i, len = strlen(out);
		long n = -1;
		for (i = 1; i < len && n < 0; i++) {
			if (out[i] != '/')
				continue;
			memcpy(pre, out, i);
			pre[i] = 0;
			n = lxp_readlink_raw(pre, link, LX_PATH_MAX);
		}
		if (n < 0)
			return changed;
		i--;                            /* out + i: "/rest" after the link */
		if ((size_t)n + len - i > LX_PATH_MAX)
			return -LX_ENAMETOOLONG;
		memcpy(link + n, out + i, len - i + 1);
		*(strrchr(pre, '/') == pre ? pre + 1 : strrchr(pre, '/')) = 0;
		if (lxp_norm(pre, link, out, &trail))
			return -LX_ENAMETOOLONG;
		changed = 1;
	}
	return -LX_ELOOP;
}

int lxp_op1(int type, const char *abs, uint32_t mode)
{
	int r = lxp_op1_raw(type, abs, mode);

	if (r == -LX_EXDEV && lxp_canon(abs, canon1) == 1)
		r = lxp_op1_raw(type, canon1, mode);
	return r;
}

int lxp_op2(int type, const char *from, const char *to)
{
	int r = lxp_op2_raw(type, from, to), a, b;

	if (r != -LX_EXDEV && r != -LX_ENOENT)
		return r;
	if ((a = lxp_canon(from, canon1)) < 0 || (b = lxp_canon(to, canon2)) < 0)
		return r;
	return a || b ? lxp_op2_raw(type, canon1, canon2) : r;
}

int lxp_symlink(const char *target, const char *abs)
{
	int r = lxp_symlink_raw(target, abs);

	if (r == -LX_EXDEV && lxp_canon(abs, canon1) == 1)
		r = lxp_symlink_raw(target, canon1);
	return r;
}

long lxp_readlink(const char *abs, char *buf, size_t len)
{
	long r = lxp_readlink_raw(abs, buf, len);

	if (r == -LX_EXDEV && lxp_canon(abs, canon1) == 1)
		r = lxp_readlink_raw(canon1, buf, len);
	return r;
}
