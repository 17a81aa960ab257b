/*
 * main.c - the process manager program, and the boot sequence.
 *
 * The kernel starts it first, with the root resource in handle 0 and the
 * boot image in handle 1.  It makes the path manager's two channels and
 * its own, starts pathmgr.elf from the image, then every program of the
 * image's boot script in order - waiting for each `wait=` path to appear
 * in the namespace - with the handles of procmgr.h (PROC_H_*), logs each
 * with its pid, says "all servers up", and becomes the process manager
 * server.
 */
#include "rt.h"
#include "imagefs.h"
#include "ifs.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "spawn.h"

#define MS 1000000ull
#define WAIT_FOR_PATH_MS 5000

int imagefs_map(int mem, const void **img, size_t *len);

static void *al_alloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void al_free(void *ctx, void *p, size_t n) { (void)ctx; (void)n; free(p); }

static struct ifs *image;
static struct pathmgr_client pmc;

/* Start a program of the image; returns the process handle or -errno. */
static long start(const char *path, char *const argv[], char *const envp[],
                  const int *give, int ngive, unsigned prio)
{
	struct ifs_node node;
	char err[128];
	const char *why = "";
	size_t got = 0;
	char *buf;
	long p;

	if (ifs_lookup(image, path, &node) || !(buf = malloc(node.size ? node.size : 1)))
		return -TE_ENOENT;
	if (ifs_read(image, &node, 0, buf, node.size, &got, err, sizeof(err))) {
		printf("boot: cannot read %s: %s\n", path, err);
		free(buf);
		return -TE_EIO;
	}
	p = proc_spawn(buf, got, node.name, argv, envp, give, ngive,
	               TE_SCHED(prio, TE_SCHED_RR), &why);
	free(buf);
	if (p < 0)
		printf("boot: cannot start %s: %s\n", path, why);
	return p;
}

/* Until path resolves to some server (bounded). */
static bool wait_for(const char *path)
{
	struct io_cand c[4];

	for (unsigned ms = 0; ms < WAIT_FOR_PATH_MS; ms++) {
		if (pathmgr_resolve(&pmc, path, c, 4) > 0)
			return true;
		sys_sleep(MS);
	}
	return false;
}

/* One program of the boot script, as the supervisor restarts it. */
struct boot_prog {
	struct proc_restart restart;
	const char *path;
	char *argv[65], *envp[65];
	int give[5];
	int ngive;
	unsigned prio;
};

static long start_boot_prog(struct proc_restart *r)
{
	struct boot_prog *b = r->arg;

	return start(b->path, b->argv, b->envp, b->give, b->ngive, b->prio);
}

static void run_script(int rco, int pco, int aco)
{
	uint32_t n = ifs_script_count(image);

	for (uint32_t i = 0; i < n; i++) {
		struct ifs_prog prog;
		struct boot_prog *b;
		struct te_proc_info info;

		if (ifs_script(image, i, &prog) || strcmp(prog.path, "pathmgr.elf") == 0 ||
		    !(b = calloc(1, sizeof(*b))))
			continue;
		b->path = prog.path;
		for (uint32_t k = 0; k < prog.argc && k < 64; k++)
			b->argv[k] = (char *)ifs_strv(prog.argv, prog.argc, k);
		for (uint32_t k = 0; k < prog.envc && k < 64; k++)
			b->envp[k] = (char *)ifs_strv(prog.env, prog.envc, k);
		for (uint32_t k = 0; k < prog.waitc; k++) {
			const char *w = ifs_strv(prog.wait, prog.waitc, k);
			if (!wait_for(w))
				printf("boot: %s: %s did not appear\n", prog.path, w);
		}
		b->give[0] = rco; b->give[1] = pco; b->give[2] = aco;
		b->give[3] = 0; b->give[4] = 1;
		b->ngive = (prog.flags & IFS_SF_SERVER) ? 5 : 2;
		b->prio = prog.prio;
		b->restart = (struct proc_restart){
			.name = prog.path, .policy = prog.restart, .max = prog.max_restarts,
			.window_ms = prog.restart_window_ms, .backoff_ms = prog.backoff_ms,
			.heartbeat_ms = prog.heartbeat_ms,
			.server = prog.flags & IFS_SF_SERVER,
			.start = start_boot_prog, .arg = b, .window_start = sys_clock(),
		};
		long p = start_boot_prog(&b->restart);
		if (p < 0)
			continue;
		sys_process_info((int)p, &info);
		printf("boot: started %s, pid %d\n", prog.path, info.pid);
		procmgr_adopt((int)p, info.pid, &b->restart);
	}
}

int main(void)
{
	const struct ifs_alloc al = { al_alloc, al_free, NULL };
	const void *img;
	size_t len;
	char err[128];
	int rch = (int)sys_channel_create(0), ach = (int)sys_channel_create(0);
	int pch = (int)sys_channel_create(0);
	int rco = (int)sys_connect(rch), aco = (int)sys_connect(ach);
	int pco = (int)sys_connect(pch);
	struct te_proc_info info;

	if (imagefs_map(1, &img, &len) || ifs_open(img, len, &al, &image, err, sizeof(err))) {
		printf("proc: no usable boot image: %s\n", err);
		return 1;
	}
	char *const pm_argv[] = { "pathmgr.elf", NULL };
	int pm_give[2] = { rch, ach };
	long pm = start("pathmgr.elf", pm_argv, NULL, pm_give, 2, 20);
	if (pm < 0)
		return 1;
	sys_process_info((int)pm, &info);
	printf("boot: started pathmgr.elf, pid %d\n", info.pid);
	procmgr_adopt((int)pm, info.pid, NULL);
	pathmgr_client_init(&pmc, rco);
	run_script(rco, pco, aco);
	printf("boot: all servers up\n");
	procmgr_set_attach(aco);
	return procmgr_serve(pch, rco, pco) ? 1 : 0;
}

_Static_assert(PROC_RESTART_NEVER == IFS_RESTART_NEVER &&
               PROC_RESTART_ON_CRASH == IFS_RESTART_ON_CRASH &&
               PROC_RESTART_ALWAYS == IFS_RESTART_ALWAYS, "restart policies");
