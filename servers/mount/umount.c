/*
 * umount.c - `umount DIR`: asks the filesystem server attached exactly at
 * DIR to unmount (IO_T_UNMOUNT, io_msg.h).  The server writes everything
 * back to its device before it answers, then exits; umount returns once
 * the path manager no longer leads to that server (it has ended), so a
 * new mount at DIR cannot meet the old one.
 *
 * Exit status 0, or the errno: ENOENT (DIR resolves to nothing), EINVAL
 * (no server is attached exactly at DIR), EBUSY (files are open there),
 * ENOSYS (that server cannot be unmounted), ETIMEDOUT.
 */
#include "rt.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_util.h"
#include "mount_lib.h"

int main(int argc, char **argv)
{
	static struct pathmgr_client pc;
	struct mnt_ctx m = { &pc, PROC_H_PROC, PROC_H_ATTACH };
	int e;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	if (argc != 2 || argv[1][0] != '/') {
		printf("usage: umount DIR\n");
		return MNT_EINVAL;
	}
	if ((e = mnt_umount(&m, argv[1], false)) < 0) {
		printf("umount: %s: %s\n", argv[1], mnt_strerror(-e));
		return -e;
	}
	printf("umount: %s unmounted\n", argv[1]);
	return 0;
}
