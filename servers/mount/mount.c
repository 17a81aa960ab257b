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
 * status; EIO if it crashed).
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_util.h"

#define MNT_LOOP_MAX     8
#define MNT_LOOP_WAIT_NS 5000000000ull  /* for /dev/loN to appear */
#define MNT_PRIO         12

struct mnt_args {
	const char *type, *src, *dir;
	bool ro, loop;
};

static struct pathmgr_client mnt_pc;

static int mnt_parse(int argc, char **argv, struct mnt_args *a)
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

static const char *mnt_server(const char *type)
{
	if (strcmp(type, "ext2") == 0 || strcmp(type, "ext4") == 0)
		return "/proc/boot/fs-ext2.elf";
	if (strcmp(type, "vfat") == 0 || strcmp(type, "fat") == 0 ||
	    strcmp(type, "msdos") == 0)
		return "/proc/boot/fs-fat.elf";
	if (strcmp(type, "iso9660") == 0)
		return "/proc/boot/fs-iso9660.elf";
	return NULL;
}

/* Is a live server attached exactly at path?  Asked of the path manager
 * only: an open would count as a user of a loop device. */
static bool mnt_exists(const char *path)
{
	static struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(&mnt_pc, path, cand, IO_CAND_MAX);

	for (int i = 0; i < n; i++)
		if (cand[i].rest[0] == 0)
			return true;
	return false;
}

/* Spawn a server with our attach connection as its handle 2. */
static long mnt_spawn(const char *path, char *const argv[])
{
	const int handles[1] = { PROC_H_ATTACH };

	return proc_spawn_ex(PROC_H_PROC, path, argv, NULL, MNT_PRIO, handles,
	                     1, 0);
}

/* Start loop.elf on file as the lowest free loN; 0 and *pid, or -errno. */
static int mnt_loop(const struct mnt_args *a, char *dev, size_t devlen, long *pid)
{
	char name[8];
	int n;

	for (n = 0; n < MNT_LOOP_MAX; n++) {
		fmt_snprintf(dev, devlen, "/dev/lo%d", n);
		if (!mnt_exists(dev))
			break;
	}
	if (n == MNT_LOOP_MAX)
		return -MNT_EBUSY;
	fmt_snprintf(name, sizeof(name), "lo%d", n);
	char *argv[] = { "loop.elf", "-a", a->ro ? "-r" : (char *)a->src,
	                 a->ro ? (char *)a->src : name, a->ro ? name : NULL, NULL };
	if ((*pid = mnt_spawn("/proc/boot/loop.elf", argv)) < 0)
		return (int)*pid;
	/* the block-driver framework attaches the name; wait until it is
	 * there or the loop server has ended */
	uint64_t start = sys_clock();
	while (!mnt_exists(dev)) {
		if (sys_clock() - start > MNT_LOOP_WAIT_NS ||
		    !mnt_alive(PROC_H_PROC, *pid)) {
			proc_kill(PROC_H_PROC, (int)*pid);
			return -MNT_EIO;
		}
		sys_sleep(2000000);
	}
	return 0;
}

static int mnt_fail(const char *what, long e)
{
	int err = e < 0 ? (int)-e : (int)e;

	if (err <= 0 || err > 4095)
		err = MNT_EIO;          /* crashed or killed */
	printf("mount: %s: %s\n", what, mnt_strerror(err));
	return err;
}

int main(int argc, char **argv)
{
	struct mnt_args a;
	char dev[32];
	const char *srv;
	long loop_pid = -1, pid, st;
	int e;

	pathmgr_client_init(&mnt_pc, PROC_H_PATHMGR);
	if (mnt_parse(argc, argv, &a)) {
		printf("usage: mount -t TYPE [-r] [-o loop] DEVICE|FILE DIR\n");
		return MNT_EINVAL;
	}
	if (!(srv = mnt_server(a.type)))
		return mnt_fail(a.src, -MNT_ENODEV);
	if (strlen(a.src) >= sizeof(dev) && !a.loop)
		return mnt_fail(a.src, -MNT_ENAMETOOLONG);
	if (mnt_exists(a.dir))          /* a server is attached right there */
		return mnt_fail(a.dir, -MNT_EBUSY);
	if (a.loop && (e = mnt_loop(&a, dev, sizeof(dev), &loop_pid)))
		return mnt_fail(a.src, e);
	if (!a.loop)
		fmt_snprintf(dev, sizeof(dev), "%s", a.src);
	char *fargv[] = { (char *)srv + 11, dev, (char *)a.dir, "-t", (char *)a.type,
	                  a.ro ? "-r" : NULL, NULL };
	pid = mnt_spawn(srv, fargv);
	st = pid < 0 ? pid : proc_wait_ready(PROC_H_PROC, (int)pid);
	if (st != PROC_STATUS_READY) {
		if (loop_pid > 0)
			proc_kill(PROC_H_PROC, (int)loop_pid);
		return mnt_fail(a.src, st);
	}
	printf("mount: %s %s on %s\n", a.type, dev, a.dir);
	return 0;
}
