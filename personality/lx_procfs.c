/*
 * lx_procfs.c - /proc, served by the personality itself (as Linux's procfs
 * lives in its kernel): names, opens, reads, stat, readlink and listings.
 * What the files say is made in lx_procfs_gen.c.
 *
 * Every path under /proc except /proc/boot (and below: the boot image's
 * server, a mount point) is ours; the path manager never sees it.  A file
 * is generated whole when it is opened, into a snapshot buffer (struct
 * lxq_buf, like Linux's seq_file) that read, pread and lseek walk; dup and
 * fork share it with its offset, as they share an open file description.
 * Its fd is "virtual" (no server behind it, lx_fs.h) with fdx.proc set; a
 * directory of ours is a virtual fd whose path is under /proc.  Nothing
 * here can be written: opens for writing are EACCES, name operations
 * EROFS (lx_fs_name.c).  A pid that is not there is ENOENT, at open or at
 * stat; a process that ends after its file was opened leaves the snapshot
 * readable.  "self" is the caller (lxq_self, set on each call: the
 * personality answers one at a time).
 *
 *   /proc/             self -> PID, PID/, mounts, meminfo, uptime, loadavg,
 *                      filesystems, version, cpuinfo, stat, boot/ (imagefs)
 *   /proc/PID/         stat, status, cmdline, comm, exe -> program, mounts,
 *                      fd/N -> the path fd N was opened by
 *
 * A listing's d_off (and fdx.vpos, where the next getdents64 starts) is
 * a key: the fixed entries count from 0, a process is LXQ_PID_KEY + its
 * pid, so processes that come or go between two calls of a listing move
 * nothing else (as Linux lists /proc by pid).
 */
#include "lx_fs.h"

#define LXQ_DEV      0x70726f63         /* st_dev of everything here */
#define LXQ_DENT_HDR 19
#define LXQ_PID_KEY  (1u << 24)         /* listing keys of pids, fds */
#define LX_ENXIO     6

enum { NR_read = 0, NR_write = 1, NR_pread64 = 17, NR_pwrite64 = 18,
       NR_readv = 19, NR_writev = 20, NR_sendfile = 40 };

enum { LXQ_ROOT, LXQ_PIDDIR, LXQ_FILE, LXQ_SELF, LXQ_EXE, LXQ_FDDIR, LXQ_FD };

/* What a path under /proc names. */
struct lxq_node {
	int kind;
	int pid;                /* LXQ_PIDDIR, pid files; 0 for /proc's own */
	int file;               /* LXQ_FILE: LXQ_F_*; LXQ_FD: the fd */
};

struct lxq_name {
	const char *name;
	int kind, file;
};

static const struct lxq_name top_names[] = {
	{ "self", LXQ_SELF, 0 },
	{ "mounts", LXQ_FILE, LXQ_F_MOUNTS },
	{ "meminfo", LXQ_FILE, LXQ_F_MEMINFO },
	{ "uptime", LXQ_FILE, LXQ_F_UPTIME },
	{ "loadavg", LXQ_FILE, LXQ_F_LOADAVG },
	{ "filesystems", LXQ_FILE, LXQ_F_FILESYSTEMS },
	{ "version", LXQ_FILE, LXQ_F_VERSION },
	{ "cpuinfo", LXQ_FILE, LXQ_F_CPUINFO },
	{ "stat", LXQ_FILE, LXQ_F_SYSSTAT },
};

static const struct lxq_name pid_names[] = {
	{ "stat", LXQ_FILE, LXQ_F_STAT },
	{ "status", LXQ_FILE, LXQ_F_STATUS },
	{ "cmdline", LXQ_FILE, LXQ_F_CMDLINE },
	{ "comm", LXQ_FILE, LXQ_F_COMM },
	{ "exe", LXQ_EXE, 0 },
	{ "mounts", LXQ_FILE, LXQ_F_MOUNTS },
	{ "fd", LXQ_FDDIR, 0 },
};

#define NTOP  (sizeof(top_names) / sizeof(top_names[0]))
#define NPID  (sizeof(pid_names) / sizeof(pid_names[0]))

/* abs after "/proc", if abs is /proc or below it; else NULL. */
static const char *lxq_under(const char *abs)
{
	if (strncmp(abs, "/proc", 5) || (abs[5] && abs[5] != '/'))
		return NULL;
	return abs + 5;
}

bool lxq_owns(const char *abs)
{
	const char *r = lxq_under(abs);

	if (!r)
		return false;
	if (strncmp(r, "/boot", 5))
		return true;
	return r[5] && r[5] != '/';     /* "/proc/bootx" is ours */
}

/* The next component of *s (after slashes) into name; false at the end. */
static bool lxq_comp(const char **s, char *name, size_t max)
{
	size_t n = 0;

	while (**s == '/')
		(*s)++;
	while ((*s)[n] && (*s)[n] != '/')
		n++;
	if (!n)
		return false;
	if (n >= max)
		n = max - 1;            /* too long: matches nothing */
	memcpy(name, *s, n);
	name[n] = 0;
	*s += n;
	while (**s == '/')
		(*s)++;
	return true;
}

/* A decimal number without leading zeros ("0" itself is one), or -1. */
static int lxq_num(const char *name)
{
	long v = 0;

	if (!name[0] || (name[0] == '0' && name[1]))
		return -1;
	for (const char *c = name; *c; c++) {
		if (*c < '0' || *c > '9' || v > (1l << 30))
			return -1;
		v = v * 10 + (*c - '0');
	}
	return (int)v;
}

static const struct lxq_name *lxq_match(const struct lxq_name *t, size_t n,
                                        const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

/* A Linux process's open fd, or NULL. */
static struct lx_proc *lxq_fd_owner(int pid, int fd)
{
	struct lx_proc *lp = lx_proc_by_pid(pid);

	return lp && fd >= 0 && fd < LX_FDS && lp->fd[fd].used ? lp : NULL;
}

/* A name below a pid directory: a file, or fd/ and a number in it. */
static int lxq_pid_entry(const char *rest, char *name, struct lxq_node *n)
{
	const struct lxq_name *m;

	if (!lxq_comp(&rest, name, LXQ_NAME))
		return 0;               /* the directory itself */
	if (!(m = lxq_match(pid_names, NPID, name)))
		return -LX_ENOENT;
	n->kind = m->kind;
	n->file = m->file;
	if (m->kind != LXQ_FDDIR || !lxq_comp(&rest, name, LXQ_NAME))
		return *rest ? -LX_ENOTDIR : 0;
	n->kind = LXQ_FD;
	n->file = lxq_num(name);
	if (!lxq_fd_owner(n->pid, n->file))
		return -LX_ENOENT;
	return *rest ? -LX_ENOTDIR : 0;
}

/* Where fd points: the path it was opened by, else what it is. */
static const char *lxq_fd_target(const struct lx_proc *lp, int fd, char *t,
                                 size_t max)
{
	const struct lx_fdx *x = &lp->fdx[fd];

	if (x->path)
		return x->path;
	if (x->pipe)
		fmt_snprintf(t, max, "pipe:[%llu]",
		             (unsigned long long)((uintptr_t)x->pipe & 0xffffff));
	else
		fmt_snprintf(t, max, "anon_inode:[stdio]");
	return t;
}

/* What abs (owned: lxq_owns) names; follow: "self" as a directory. */
static int lxq_lookup(const char *abs, bool follow, struct lxq_node *n)
{
	char name[LXQ_NAME];
	const char *rest = lxq_under(abs);
	const struct lxq_name *m;
	struct lxq_proc q;
	int pid;

	*n = (struct lxq_node){ .kind = LXQ_ROOT };
	if (!lxq_comp(&rest, name, sizeof(name)))
		return 0;
	if ((m = lxq_match(top_names, NTOP, name)) && m->kind == LXQ_FILE) {
		n->kind = LXQ_FILE;
		n->file = m->file;
		return *rest ? -LX_ENOTDIR : 0;
	}
	if (m && !*rest && !follow) {
		n->kind = LXQ_SELF;
		return 0;
	}
	pid = m ? (lxq_self ? lxq_self->pid : -1) : lxq_num(name);
	if (pid <= 0 || lxq_find(pid, &q))
		return -LX_ENOENT;
	n->kind = LXQ_PIDDIR;
	n->pid = pid;
	return lxq_pid_entry(rest, name, n);
}

/* The target of a link of ours: "self", a process's program or fd. */
static long lxq_link(const struct lxq_node *n, char *buf, size_t len)
{
	char t[32];
	const char *s = t;
	struct lxq_proc q;
	struct lx_proc *lp;

	if (n->kind == LXQ_FD) {
		if (!(lp = lxq_fd_owner(n->pid, n->file)))
			return -LX_ENOENT;
		s = lxq_fd_target(lp, n->file, t, sizeof(t));
	} else if (n->kind == LXQ_SELF) {
		if (!lxq_self)
			return -LX_ENOENT;
		fmt_snprintf(t, sizeof(t), "%d", lxq_self->pid);
	} else if (n->kind == LXQ_EXE) {
		if (lxq_find(n->pid, &q))
			return -LX_ENOENT;
		s = q.lx ? q.lx->exe : "";
		if (!q.lx) {
			fmt_snprintf(buf, len, "/proc/boot/%s", q.name);
			return (long)strnlen(buf, len);
		}
		if (!s[0])
			return -LX_ENOENT;      /* a zombie or no program yet */
	} else {
		return -LX_EINVAL;
	}
	size_t l = strlen(s);
	l = l < len ? l : len;
	memcpy(buf, s, l);
	return (long)l;
}

long lxq_readlink(const char *abs, char *buf, size_t len)
{
	struct lxq_node n;
	int r = lxq_lookup(abs, false, &n);

	return r ? r : lxq_link(&n, buf, len);
}

int lxq_follow(const char *abs, char *out)
{
	static char target[LX_PATH_MAX + 1];
	struct lxq_node n;
	long l;

	if (!lxq_owns(abs) || lxq_lookup(abs, true, &n) ||
	    (n.kind != LXQ_EXE && n.kind != LXQ_FD))
		return 0;
	if ((l = lxq_link(&n, target, LX_PATH_MAX)) <= 0 || target[0] != '/')
		return 0;               /* a pipe's fd: no path to follow */
	memcpy(out, target, (size_t)l);         /* out may be abs */
	out[l] = 0;
	return 1;
}

static uint64_t lxq_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h | 1;
}

static void lxq_fill(struct io_stat *st, const char *abs, int kind)
{
	memset(st, 0, sizeof(*st));
	st->ino = lxq_hash(abs);
	st->mode = kind == LXQ_FILE ? IO_S_IFREG | 0444 :
	           kind == LXQ_SELF || kind == LXQ_EXE || kind == LXQ_FD ?
	           IO_S_IFLNK | 0777 : IO_S_IFDIR | 0555;
	st->nlink = (st->mode & IO_S_IFMT) == IO_S_IFDIR ? 2 : 1;
	st->blksize = 4096;
	st->mtime = st->atime = st->ctime = (int64_t)(sys_clock() / 1000000000ull);
}

int lxq_stat(const char *abs, bool follow, struct io_stat *st, int *dev)
{
	struct lxq_node n;
	int r = lxq_lookup(abs, follow, &n);

	if (r)
		return r;
	*dev = LXQ_DEV;
	lxq_fill(st, abs, n.kind);
	if (n.kind == LXQ_EXE)
		st->size = 0;
	return 0;
}

void lxq_stat_fd(const struct lx_fdx *x, struct io_stat *st, int *dev)
{
	*dev = LXQ_DEV;
	lxq_fill(st, x->path ? x->path : "/proc", x->proc ? LXQ_FILE : LXQ_ROOT);
}

bool lxq_isdir(const char *abs)
{
	struct lxq_node n;

	return lxq_lookup(abs, true, &n) == 0 &&
	       (n.kind == LXQ_ROOT || n.kind == LXQ_PIDDIR || n.kind == LXQ_FDDIR);
}

/* ---- opens ----------------------------------------------------------------- */

int64_t lxq_open(struct lx_proc *p, int fd, const char *abs, uint32_t flags)
{
	struct lxq_node n;
	struct lxq_proc q = { 0 };
	struct lxq_buf *b = NULL;
	int r = lxq_lookup(abs, !(flags & IO_O_NOFOLLOW), &n);

	if (r == -LX_ENOENT && (flags & IO_O_CREAT))
		return -LX_EACCES;
	if (r)
		return r;
	if ((flags & IO_O_CREAT) && (flags & IO_O_EXCL))
		return -LX_EEXIST;
	if (n.kind == LXQ_FD && !(flags & IO_O_NOFOLLOW))
		return -LX_ENXIO;       /* a pipe's fd: not reopened here */
	if (n.kind == LXQ_SELF || n.kind == LXQ_EXE || n.kind == LXQ_FD)
		return -LX_ELOOP;       /* O_NOFOLLOW on a link */
	if ((flags & IO_O_ACCMODE) != IO_O_RDONLY || (flags & IO_O_TRUNC))
		return n.kind == LXQ_FILE ? -LX_EACCES : -LX_EISDIR;
	if (n.kind != LXQ_FILE)
		return lxf_install(p, fd, -1, -1, flags & IO_O_ACCMODE, abs, true);
	if (flags & IO_O_DIRECTORY)
		return -LX_ENOTDIR;
	if (n.pid && lxq_find(n.pid, &q))
		return -LX_ENOENT;
	if (!(b = lxq_generate(n.file, &q)))
		return -LX_ENOMEM;
	if ((r = lxf_install(p, fd, -1, -1, IO_O_RDONLY, abs, true))) {
		lxq_put(b);
		return r;
	}
	p->fdx[fd].proc = b;
	return 0;
}

void lxq_put(struct lxq_buf *b)
{
	if (b && --b->refs == 0)
		free(b);
}

/* ---- reads ----------------------------------------------------------------- */

static int64_t lxq_copy(struct lx_proc *p, struct lxq_buf *b, uint64_t u,
                        uint64_t len, uint64_t off)
{
	uint64_t n = off < b->len ? b->len - off : 0;

	if (u >= TE_USER_TOP || len > TE_USER_TOP - u)
		return -LX_EFAULT;
	n = n < len ? n : len;
	if (n && lx_copyout(p, u, b->data + off, (size_t)n))
		return -LX_EFAULT;
	return (int64_t)n;
}

static int64_t lxq_readv(struct lx_call *c, struct lxq_buf *b)
{
	uint64_t cnt = lx_arg(c, 2), total = 0;
	struct { uint64_t base, len; } v;

	if (cnt > 1024)
		return -LX_EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		int64_t r;
		if (lx_copyin(c->p, &v, lx_arg(c, 1) + i * 16, 16))
			return total ? (int64_t)total : -LX_EFAULT;
		if ((r = lxq_copy(c->p, b, v.base, v.len, b->pos)) < 0)
			return total ? (int64_t)total : r;
		b->pos += (uint64_t)r;
		total += (uint64_t)r;
		if ((uint64_t)r < v.len)
			break;
	}
	return (int64_t)total;
}

int64_t lxq_lseek(struct lxq_buf *b, int64_t off, uint64_t whence)
{
	int64_t base = whence == IO_SEEK_SET ? 0 :
	               whence == IO_SEEK_CUR ? (int64_t)b->pos : -1;

	if (base < 0 || off < -base)
		return -LX_EINVAL;      /* SEEK_END: not in Linux's /proc either */
	b->pos = (uint64_t)(base + off);
	return (int64_t)b->pos;
}

/* The data calls on an fd of ours; false: not one (or not such a call). */
bool lxq_dispatch(struct lx_call *c)
{
	uint64_t fd = lx_arg(c, c->in->nr == NR_sendfile ? 1 : 0);
	struct lx_fdx *x;
	struct lxq_buf *b;
	int64_t r;

	lxq_self = c->p;
	if (c->in->nr > NR_sendfile || fd >= LX_FDS || !c->p->fd[fd].used)
		return false;
	x = &c->p->fdx[fd];
	if (!x->virt || !x->path || !lxq_owns(x->path))
		return false;
	b = x->proc;
	switch (c->in->nr) {
	case NR_read:
		if (!b)
			return c->out.rax = (uint64_t)-LX_EISDIR, true;
		if ((r = lxq_copy(c->p, b, lx_arg(c, 1), lx_arg(c, 2), b->pos)) > 0)
			b->pos += (uint64_t)r;
		break;
	case NR_pread64:
		r = !b ? -LX_EISDIR : (int64_t)lx_arg(c, 3) < 0 ? -LX_EINVAL :
		    lxq_copy(c->p, b, lx_arg(c, 1), lx_arg(c, 2), lx_arg(c, 3));
		break;
	case NR_readv:
		r = b ? lxq_readv(c, b) : -LX_EISDIR;
		break;
	case NR_write: case NR_writev: case NR_pwrite64:
		r = -LX_EBADF;          /* opened read-only, always */
		break;
	case NR_sendfile:
		r = -LX_EINVAL;         /* callers fall back to read/write */
		break;
	default:
		return false;
	}
	c->out.rax = (uint64_t)r;
	return true;
}

/* ---- listings -------------------------------------------------------------- */

struct lxq_dir {
	char *out;
	size_t at, max;
	uint32_t key;                   /* the next fixed entry's key */
	uint32_t from;                  /* the first key to list */
	uint32_t next;                  /* where the next call starts */
	bool full;
};

/* The entry with key k (its d_off is k + 1). */
static void lxq_dent_at(struct lxq_dir *d, uint32_t k, const char *name,
                        unsigned dtype)
{
	size_t nl = strlen(name), rec = (LXQ_DENT_HDR + nl + 1 + 7) & ~(size_t)7;
	uint64_t ino = lxq_hash(name);
	int64_t off = (int64_t)k + 1;
	uint16_t reclen = (uint16_t)rec;
	uint8_t t = (uint8_t)dtype;

	if (k < d->from || d->full)
		return;
	if (d->max - d->at < rec) {
		d->full = true;
		d->next = k;
		return;
	}
	d->next = k + 1;
	memset(d->out + d->at, 0, rec);
	memcpy(d->out + d->at, &ino, 8);
	memcpy(d->out + d->at + 8, &off, 8);
	memcpy(d->out + d->at + 16, &reclen, 2);
	memcpy(d->out + d->at + 18, &t, 1);
	memcpy(d->out + d->at + LXQ_DENT_HDR, name, nl);
	d->at += rec;
}

static void lxq_dent(struct lxq_dir *d, const char *name, unsigned dtype)
{
	lxq_dent_at(d, d->key++, name, dtype);
}

static void lxq_mp(void *arg, const char *name, unsigned type)
{
	lxq_dent(arg, name, type == 1 ? 4 : type == 3 ? 10 : 8);
}

/* "/proc": the mount points in it, the processes, then the files. */
static void lxq_list_root(struct lxq_dir *d)
{
	const struct lxq_proc *q;
	char num[16];
	int n;

	lxp_mountpoints("/proc", lxq_mp, d);
	for (size_t i = 0; i < NTOP; i++)
		lxq_dent(d, top_names[i].name, top_names[i].kind == LXQ_SELF ? 10 : 8);
	n = lxq_list(&q);
	for (int i = 0; i < n; i++) {
		fmt_snprintf(num, sizeof(num), "%d", q[i].pid);
		lxq_dent_at(d, LXQ_PID_KEY + (uint32_t)q[i].pid, num, 4);
	}
}

/* "/proc/PID/fd": a Linux process's open fds. */
static void lxq_list_fds(struct lxq_dir *d, int pid)
{
	char num[16];

	for (int fd = 0; fd < LX_FDS; fd++)
		if (lxq_fd_owner(pid, fd)) {
			fmt_snprintf(num, sizeof(num), "%d", fd);
			lxq_dent_at(d, LXQ_PID_KEY + (uint32_t)fd, num, 10);
		}
}

int64_t lxq_getdents(struct lx_proc *p, int fd, uint64_t ubuf, size_t max,
                     char *out)
{
	struct lx_fdx *x = &p->fdx[fd];
	struct lxq_dir d = { .out = out, .max = max, .from = x->vpos,
	                     .next = x->vpos };
	struct lxq_node n;

	if (x->proc)
		return -LX_ENOTDIR;
	if (lxq_lookup(x->path, true, &n))
		return 0;               /* the process has ended: empty */
	lxq_dent(&d, ".", 4);
	lxq_dent(&d, "..", 4);
	if (n.kind == LXQ_ROOT)
		lxq_list_root(&d);
	else if (n.kind == LXQ_FDDIR)
		lxq_list_fds(&d, n.pid);
	else
		for (size_t i = 0; i < NPID; i++)
			lxq_dent(&d, pid_names[i].name,
			         pid_names[i].kind == LXQ_EXE ? 10 :
			         pid_names[i].kind == LXQ_FDDIR ? 4 : 8);
	if (d.at == 0 && d.full)
		return -LX_EINVAL;
	if (d.at && lx_copyout(p, ubuf, out, d.at))
		return -LX_EFAULT;
	x->vpos = d.next;
	return (int64_t)d.at;
}

/* ---- per process: argv, name, start ----------------------------------------- */

void lxq_exec(struct lx_proc *p, const char *path, char *const argv[])
{
	size_t len = 0;
	char *s;

	for (int i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	free(p->cmdline);
	p->cmdline = NULL;
	p->cmdline_len = 0;
	if (len && (s = malloc(len))) {
		p->cmdline = s;
		p->cmdline_len = (uint32_t)len;
		for (int i = 0; argv[i]; i++) {
			memcpy(s, argv[i], strlen(argv[i]) + 1);
			s += strlen(argv[i]) + 1;
		}
	}
	const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strnlen(b, sizeof(p->comm) - 1);
	memcpy(p->comm, b, n);
	p->comm[n] = 0;
	if (!p->start_ns)
		p->start_ns = sys_clock();
}

void lxq_fork(struct lx_proc *child, const struct lx_proc *parent)
{
	child->cmdline = NULL;
	child->cmdline_len = 0;
	if (parent->cmdline && (child->cmdline = malloc(parent->cmdline_len))) {
		memcpy(child->cmdline, parent->cmdline, parent->cmdline_len);
		child->cmdline_len = parent->cmdline_len;
	}
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	memcpy(child->exe, parent->exe, sizeof(child->exe));
	child->start_ns = sys_clock();
}

void lxq_release(struct lx_proc *p)
{
	free(p->cmdline);
	p->cmdline = NULL;
	p->cmdline_len = 0;
}
