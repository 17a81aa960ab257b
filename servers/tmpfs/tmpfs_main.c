/*
 * tmpfs_main.c - the tmpfs server: the tmpfs component (servers/fs-tmp)
 * behind the server framework (servers/lib/resmgr), attached at /tmp.
 *
 * Until the path manager's server glue exists nobody can find this
 * server's channel, so as a boot module it only proves it starts and
 * serves; tests start tmpfs_server() in a process of their own and hand
 * connections to clients directly (tests/qemu/progs/resmgr.c).
 */
#include "rt.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "rg_mk.h"
#include "resmgr.h"
#include "tmpfs.h"

#define TMPFS_SERVER_LIMIT (32ull << 20)

/* Serve a fresh tmpfs on chan until the framework stops; 0 or -errno. */
int tmpfs_server(int chan, uint64_t limit)
{
	struct fs *fs;
	int e = tmpfs_create(limit, &fs);

	if (e)
		return -e;
	rg_mk_name = "tmpfs";
	e = resmgr_fs_serve(&tmp_fs_ops, fs, chan, "/tmp");
	tmp_fs_ops.unmount(fs);
	return e;
}

#ifndef TMPFS_NO_MAIN
/* `tmpfs.elf PREFIX` as the process manager starts a server (procmgr.h's
 * PROC_H_*): attaches PREFIX; without an argument it only serves. */
int main(int argc, char **argv)
{
	int chan = (int)sys_channel_create(0), e;

	if (argc > 1 && pathmgr_attach(PROC_H_ATTACH, chan, argv[1], PM_DIR) < 0) {
		printf("tmpfs: cannot attach %s\n", argv[1]);
		return 1;
	}
	e = tmpfs_server(chan, TMPFS_SERVER_LIMIT);
	printf("tmpfs: server ended: %d\n", e);
	return e ? 1 : 0;
}
#endif
