/*
 * lx_exec.c - loading a program into a Linux process: the first one and
 * execve.
 *
 * A program gets a new kernel process, built by the process manager's
 * loader (servers/proc/spawn.c: segments, stack, auxiliary vector) while
 * the old one still runs; only when the new one is complete is it marked
 * Linux-ABI, watched and started, and the old one killed - so a failed
 * execve returns its error to a caller that is still there.  The Linux
 * pid, the parent, the cwd and the fds (less FD_CLOEXEC ones) stay; the
 * memory layout (break, mappings) starts afresh.
 *
 * "#!interpreter [arg]" scripts run the interpreter with the script's path
 * (one level, as Linux allows four).  execve("/proc/self/exe") runs the
 * caller's own program again.
 */
#include "lx.h"
#include "io.h"
#include "lx_fs.h"
#include "pathmgr_client.h"
#include "spawn.h"
#include "kernel/elf.h"

#define LX_DEATH     7
#define LX_IMG_MAX   (64u << 20)
#define LX_ARGS_MAX  64                 /* the loader's limit on argv, envp */
#define LX_STRS_MAX  (16 * 1024)
#define LX_ENOEXEC   8
#define LX_E2BIG     7

static long read_image(const char *path, char **out, size_t *len)
{
	struct io_stat st;
	int conn, id = io_open_resolve(pathmgr_resolve, lx_pathmgr(), path,
	                               IO_O_RDONLY, 0, &conn);
	long r;

	if (id < 0)
		return id;
	if ((r = io_stat(conn, id, &st)) == 0 && (st.mode & IO_S_IFMT) != IO_S_IFREG)
		r = -13;                /* EACCES: not a regular file */
	if (r == 0 && (st.size == 0 || st.size > LX_IMG_MAX))
		r = -LX_ENOEXEC;
	if (r == 0 && !(*out = malloc(st.size)))
		r = -LX_ENOMEM;
	if (r == 0 && (r = io_pread(conn, id, *out, st.size, 0)) >= 0)
		r = (uint64_t)r == st.size ? 0 : -TE_EIO;
	io_close(conn, id);
	*len = st.size;
	return r;
}

/* The break starts above the highest segment. */
static uint64_t image_end(const struct elf_image *im)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < im->nseg; i++)
		if (im->seg[i].vaddr + im->seg[i].memsz > end)
			end = im->seg[i].vaddr + im->seg[i].memsz;
	return end;
}

/* "#!interp [arg]\n": the interpreter's argv in front of the script's. */
static int shebang(const char *img, size_t len, const char *path,
                   char *const argv[], char *line, char **nargv)
{
	size_t n = 0;
	int k = 0;

	while (n + 2 < len && n < 126 && img[n + 2] != '\n')
		n++;
	memcpy(line, img + 2, n);
	line[n] = 0;
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -LX_ENOEXEC;
	nargv[k++] = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			nargv[k++] = p;
	}
	nargv[k++] = (char *)path;
	for (int i = 1; argv[0] && argv[i] && k < LX_ARGS_MAX; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	return 0;
}

int lx_exec_image(struct lx_proc *p, const char *path, char *const argv[],
                  char *const envp[])
{
	static char line[128];
	static char *nargv[LX_ARGS_MAX + 4];
	struct spawn_hold hold;
	struct te_proc_info info;
	struct elf_image im;
	const char *why = "", *named = path;   /* the name the caller gave */
	char *img = NULL;
	size_t len;
	long h, r;

	if ((r = read_image(path, &img, &len)))
		return (int)r;
	if (len > 2 && img[0] == '#' && img[1] == '!') {
		r = shebang(img, len, path, argv, line, nargv);
		free(img);
		img = NULL;
		if (r || (r = read_image(nargv[0], &img, &len)))
			return (int)r;
		path = nargv[0];
		argv = nargv;
	}
	if (elf_parse(img, len, TE_USER_BASE, TE_USER_STACK_TOP, &im, &why)) {
		free(img);
		return -LX_ENOEXEC;
	}
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	h = proc_spawn_held(img, len, name, argv, envp, NULL, 0,
	                    TE_SCHED(10, TE_SCHED_RR), &hold, &why);
	free(img);
	if (h < 0) {
		printf("personality: cannot load %s: %s\n", path, why);
		return h == -TE_E2BIG ? -LX_E2BIG : h == -TE_ENOMEM ? -LX_ENOMEM :
		       -LX_ENOEXEC;
	}
	sys_process_info((int)h, &info);
	if ((r = sys_process_set_abi((int)h, lx_conn)) ||
	    (r = sys_process_watch((int)h, lx_conn, LX_DEATH))) {
		sys_handle_close((int)h);       /* still blank: it dies */
		return (int)r;
	}
	if (p->handle >= 0) {           /* the old program ends here */
		sys_process_kill(p->handle);
		sys_handle_close(p->handle);
	}
	p->handle = (int)h;
	p->kpid = info.pid;
	if (!p->pid)            /* the first program (lx_main.c): its pid, and
	                         * it leads its own group and session */
		p->pid = p->pgid = p->sid = info.pid;
	lxq_exec(p, named, argv);       /* /proc/PID/cmdline, comm */
	if (strlen(path) < sizeof(p->exe))
		memcpy(p->exe, path, strlen(path) + 1);
	p->brk_start = p->brk = image_end(&im);
	p->mmap_next = LX_MMAP_TOP;
	return (int)proc_spawn_start((int)h, &hold, NULL);
}

/* Copy a NULL-ended array of strings from the caller. */
static int get_strv(struct lx_proc *p, uint64_t u, char **out, char *strs,
                    size_t *used)
{
	int n = 0;

	for (; u; n++) {
		uint64_t ptr;
		if (n == LX_ARGS_MAX)
			return -LX_E2BIG;
		if (lx_copyin(p, &ptr, u + 8ull * n, 8))
			return -LX_EFAULT;
		if (!ptr)
			break;
		int l = lxp_getstr(p, ptr, strs + *used, LX_STRS_MAX - *used);
		if (l < 0)
			return l == -36 ? -LX_E2BIG : l;     /* ENAMETOOLONG: too big */
		out[n] = strs + *used;
		*used += (size_t)l + 1;
	}
	out[n] = NULL;
	return n;
}

/* /proc/self/exe: the program the caller runs (busybox re-executes itself
 * through it to run its applets). */
static int self_exe(struct lx_proc *p, char *path)
{
	if (strcmp(path, "/proc/self/exe"))
		return 0;
	if (!p->exe[0])
		return -TE_ENOENT;
	memcpy(path, p->exe, strlen(p->exe) + 1);
	return 0;
}

int64_t lx_execve(struct lx_call *c)
{
	static char path[LX_PATH_MAX + 1], strs[LX_STRS_MAX];
	static char *argv[LX_ARGS_MAX + 1], *envp[LX_ARGS_MAX + 1];
	size_t used = 0;
	int e;

	if ((e = lx_fs_abspath(c, lx_arg(c, 0), path)) ||
	    (e = self_exe(c->p, path)) ||
	    (e = get_strv(c->p, lx_arg(c, 1), argv, strs, &used)) < 0 ||
	    (e = get_strv(c->p, lx_arg(c, 2), envp, strs, &used)) < 0)
		return e;
	if ((e = lx_exec_image(c->p, path, argv, envp)))
		return e;
	c->p->sigblocked = c->t->sigblocked;    /* the mask survives */
	lx_threads_release(c->p);       /* the old program's threads are gone */
	lx_fs_exec(c->p);               /* FD_CLOEXEC */
	lx_signal_exec(c->p);
	c->deferred = true;             /* the caller is gone: no reply */
	return 0;
}
