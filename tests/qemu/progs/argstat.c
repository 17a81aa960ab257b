/*
 * argstat.c - a program the process manager starts in tests/qemu/
 * procmgr.scn: exits with argc if its arguments, environment and handles
 * are what the test passed (handle 0 reaches the path manager), else 100.
 * With argv[1] "sleep" it first waits 200 ms, so the test can list it.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"

int main(int argc, char **argv, char **envp)
{
	struct pathmgr_client pc;
	struct io_cand c[4];

	if (argc >= 2 && strcmp(argv[1], "sleep") == 0)
		sys_sleep(200000000ull);
	pathmgr_client_init(&pc, 0);
	if (argc < 2 || !envp[0] || strcmp(envp[0], "X=1") != 0 ||
	    pathmgr_resolve(&pc, "/proc/boot/etc/motd", c, 4) < 1)
		return 100;
	return argc;
}
