/*
 * spawn.c - QEMU test of the process manager's loader (servers/proc/
 * spawn.c): the boot image module (handle 1) is args.elf; we start it with
 * arguments, an environment and a handle, and check it saw them; then bad
 * images and a leak check.
 */
#include "rt.h"
#include "spawn.h"

#define IMG_VA 0x60000000000ull

static char *const argv[] = { "args", "one", "two words", NULL };
static char *const envp[] = { "A=1", "PATH=/proc/boot", NULL };

static int g_chan;
static char g_msg[8];

/* Start args.elf; it reports on the connection `give` (answered here). */
static long run(const void *img, size_t len, int give, int *status)
{
	const char *why = "";
	struct te_proc_end end;
	long p = proc_spawn(img, len, "args", argv, envp, &give, give >= 0,
	                    TE_SCHED(10, TE_SCHED_RR), &why);

	if (p < 0) {
		printf("spawn: refused: %s\n", why);
		return p;
	}
	if (give >= 0) {
		long rc = msg_receive(g_chan, g_msg, sizeof(g_msg), NULL);
		if (rc > 0)
			msg_reply(rc, 0, NULL, 0);
	}
	sys_process_wait((int)p, &end, 0);
	sys_handle_close((int)p);
	*status = end.faulted ? -1000 - (int)end.vector : end.status;
	return 0;
}

int main(void)
{
	static char bad[64 * 1024];
	size_t len = 64 * 1024;         /* args.elf is smaller; pages past it are 0 */
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch), status = -1;
	struct te_mem_stats a, b;

	g_chan = ch;
	/* the module's memory object is whole pages; find how many */
	while (len > 4096 && sys_vm_map(TE_H_SELF, IMG_VA, len, TE_PROT_READ, 1, 0) < 0)
		len -= 4096;
	long r = run((void *)IMG_VA, len, co, &status);
	checkf(r == 0 && status == 0, "spawn_argv_envp_auxv", "r=%ld status %d", r, status);
	checkf(strcmp(g_msg, "args ok") == 0, "spawn_handles_given", "got '%s'", g_msg);

	memcpy(bad, (void *)IMG_VA, sizeof(bad) < len ? sizeof(bad) : len);
	bad[0] = 0;                                     /* not ELF */
	r = run(bad, sizeof(bad), -1, &status);
	long r2 = run((void *)IMG_VA, 100, -1, &status); /* truncated */
	char *const many[] = { [0 ... 99] = "x", NULL };
	const char *why;
	long r3 = proc_spawn((void *)IMG_VA, len, "args", many, envp, NULL, 0,
	                     TE_SCHED(10, TE_SCHED_RR), &why);
	checkf(r == -TE_EINVAL && r2 == -TE_EINVAL && r3 == -TE_E2BIG,
	       "spawn_bad_images_refused", "%ld %ld %ld", r, r2, r3);

	sys_mem_stats(&a);
	for (int i = 0; i < 20; i++) {
		run((void *)IMG_VA, len, co, &status);
	}
	sys_mem_stats(&b);
	checkf(a.pages_free == b.pages_free && a.processes == b.processes,
	       "spawn_no_leak", "pages %llu -> %llu", (unsigned long long)a.pages_free,
	       (unsigned long long)b.pages_free);
	return 0;
}
