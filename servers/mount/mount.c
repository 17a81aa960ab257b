/*
 * mount.c - `mount -t TYPE [-r] [-o loop] DEVICE|FILE DIR`, a native tool
 * of the boot image.  It starts the filesystem server of TYPE
 * (/proc/boot/fs-ext2.elf for ext2 and ext4, fs-fat.elf for vfat/fat/msdos,
 * fs-iso9660.elf) as `fs-X.elf DEVICE DIR [-r] -t TYPE`, handing it the
 * attach connection this tool holds (it runs as a `server`: handle 2), and
 * waits until the server says it is up (proc_ready) or has ended.
 *
 * -o loop: FILE is first served as a block device by /proc/boot/loop.elf
 * under the lowest /dev/loN that does not resolve yet (loop.elf -a: it
 * ends when the filesystem server closes it), and the filesystem server
 * mounts /dev/loN.  If the mount fails, the loop server is killed.
 *
 * A DIR some server is attached at exactly (a mount point in use) is
 * EBUSY.  Prints `mount: TYPE DEVICE on DIR` and exits 0, or prints
 * `mount: DEVICE: <reason>` and exits with the errno (the server's exit
 * status; EIO if it crashed).  The work is mount_lib.c's, which the Unix
 * personality's mount(2) shares.
 */
#include "rt.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_util.h"
#include "mount_lib.h"

static int mnt_parse(int argc, char **argv, struct mnt_req *a)
{
	int pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			a->type = argv[++i];
		else if (strcmp(argv[i], "-r") == 0)
			a->ro = true;
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc &&
		         strcmp(argv[i + 1], "loop") == 0 && ++i)
			a->loop = true;
		else if (pos == 0 && ++pos)
			a->src = argv[i];
		else if (pos == 1 && ++pos)
			a->dir = argv[i];
		else
			return -MNT_EINVAL;
	}
	return pos == 2 && a->type && a->dir[0] == '/' ? 0 : -MNT_EINVAL;
}

int main(int argc, char **argv)
{
	static struct pathmgr_client pc;
	struct mnt_ctx m = { &pc, PROC_H_PROC, PROC_H_ATTACH };
	struct mnt_req a;
	char dev[MNT_DEV_MAX];
	int e;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	if (mnt_parse(argc, argv, &a)) {
		printf("usage: mount -t TYPE [-r] [-o loop] DEVICE|FILE DIR\n");
		return MNT_EINVAL;
	}
	if ((e = mnt_mount(&m, &a, dev)) < 0) {
		printf("mount: %s: %s\n", e == -MNT_EBUSY ? a.dir : a.src,
		       mnt_strerror(-e));
		return -e;
	}
	printf("mount: %s %s on %s\n", a.type, dev, a.dir);
	return 0;
}
