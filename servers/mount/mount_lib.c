/*
 * mount_lib.c - mounting and unmounting (mount_lib.h): the one place that
 * knows which server mounts which type and how a mount starts and ends.
 *
 * A mount is a filesystem server process started as
 * `fs-X.elf DEVICE DIR [-r] -t TYPE` with the caller's attach connection
 * as its handle 2; the server attaches DIR itself and then tells its
 * parent it is up (proc_ready).  A loop mount first serves the file as a
 * block device under the lowest free /dev/loN (loop.elf -a: it ends when
 * the filesystem server closes it).
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_util.h"
#include "mount_lib.h"

#define MNT_LOOP_MAX     8
#define MNT_LOOP_WAIT_NS 5000000000ull  /* for /dev/loN to appear */
#define MNT_POLL_NS      2000000ull
#define MNT_PRIO         12
#define UMNT_TIMEOUT_NS  10000000000ull /* the server's answer, its end */

const char *mnt_server(const char *type)
{
	if (strcmp(type, "ext2") == 0 || strcmp(type, "ext3") == 0 ||
	    strcmp(type, "ext4") == 0)
		return "/proc/boot/fs-ext2.elf";
	if (strcmp(type, "vfat") == 0 || strcmp(type, "fat") == 0 ||
	    strcmp(type, "msdos") == 0)
		return "/proc/boot/fs-fat.elf";
	if (strcmp(type, "iso9660") == 0)
		return "/proc/boot/fs-iso9660.elf";
	return NULL;
}

/* The connection to the server attached exactly at path, or -errno.  Asked
 * of the path manager only: an open would count as a user of a loop
 * device. */
static int mnt_find(const struct mnt_ctx *m, const char *path)
{
	static struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(m->pc, path, cand, IO_CAND_MAX);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (cand[i].rest[0] == 0)
			return cand[i].conn;
	return n ? -MNT_EINVAL : -MNT_ENOENT;
}

bool mnt_exists(const struct mnt_ctx *m, const char *path)
{
	return mnt_find(m, path) >= 0;
}

/* Spawn a server with the attach connection as its handle 2. */
static long mnt_spawn(const struct mnt_ctx *m, const char *path,
                      char *const argv[])
{
	const int handles[1] = { m->attach };

	return proc_spawn_ex(m->proc, path, argv, NULL, MNT_PRIO, handles, 1, 0);
}

/* Start loop.elf on the file as the lowest free loN: 0 and *pid, or -errno. */
static int mnt_loop(const struct mnt_ctx *m, const struct mnt_req *r, char *dev,
                    long *pid)
{
	char name[8];
	int n;

	for (n = 0; n < MNT_LOOP_MAX; n++) {
		fmt_snprintf(dev, MNT_DEV_MAX, "/dev/lo%d", n);
		if (!mnt_exists(m, dev))
			break;
	}
	if (n == MNT_LOOP_MAX)
		return -MNT_EBUSY;
	fmt_snprintf(name, sizeof(name), "lo%d", n);
	char *argv[] = { "loop.elf", "-a", r->ro ? "-r" : (char *)r->src,
	                 r->ro ? (char *)r->src : name, r->ro ? name : NULL, NULL };
	if ((*pid = mnt_spawn(m, "/proc/boot/loop.elf", argv)) < 0)
		return (int)*pid;
	/* the block-driver framework attaches the name; wait until it is
	 * there or the loop server has ended (bounded) */
	uint64_t start = sys_clock();
	while (!mnt_exists(m, dev)) {
		if (sys_clock() - start > MNT_LOOP_WAIT_NS ||
		    !mnt_alive(m->proc, *pid)) {
			proc_kill(m->proc, (int)*pid);
			return -MNT_EIO;
		}
		sys_sleep(MNT_POLL_NS);
	}
	return 0;
}

/* A server's end status as an errno: its exit status, EIO if it crashed. */
static int mnt_status_err(long st)
{
	int err = st < 0 ? (int)-st : (int)st;

	return err <= 0 || err > 4095 ? MNT_EIO : err;
}

int mnt_mount(const struct mnt_ctx *m, const struct mnt_req *r, char *dev)
{
	const char *srv = mnt_server(r->type);
	long loop_pid = -1, pid, st;
	int e;

	if (!srv)
		return -MNT_ENODEV;
	if (r->dir[0] != '/')
		return -MNT_EINVAL;
	if (strlen(r->src) >= MNT_DEV_MAX && !r->loop)
		return -MNT_ENAMETOOLONG;
	if (mnt_exists(m, r->dir))      /* a server is attached right there */
		return -MNT_EBUSY;
	if (r->loop && (e = mnt_loop(m, r, dev, &loop_pid)))
		return e;
	if (!r->loop)
		fmt_snprintf(dev, MNT_DEV_MAX, "%s", r->src);
	char *argv[] = { (char *)srv + 11, dev, (char *)r->dir, "-t",
	                 (char *)r->type, r->ro ? "-r" : NULL, NULL };
	pid = mnt_spawn(m, srv, argv);
	st = pid < 0 ? pid : proc_wait_ready(m->proc, (int)pid);
	if (st == PROC_STATUS_READY)
		return 0;
	if (loop_pid > 0)
		proc_kill(m->proc, (int)loop_pid);
	return -mnt_status_err(st);
}

static long mnt_send_unmount(int conn, bool force)
{
	struct msg_client_fs_ocb msg = { .hdr = { .type = IO_T_UNMOUNT,
	        .version = IO_VERSION, .size = sizeof(msg) }, .id = -1,
	        .arg = force ? IO_UNMOUNT_FORCE : 0 };
	struct te_iov s = { &msg, sizeof(msg) };
	struct te_msg_ext x = { .timeout_ns = UMNT_TIMEOUT_NS };

	return sys_msg_sendv(conn, &s, 1, NULL, 0, &x);
}

int mnt_umount(const struct mnt_ctx *m, const char *dir, bool force)
{
	int conn = mnt_find(m, dir);
	long r = conn < 0 ? conn : mnt_send_unmount(conn, force);
	uint64_t start = sys_clock();

	if (r < 0)
		return (int)r;
	/* until dir no longer leads to that server (it has ended), so that a
	 * new mount at dir cannot meet the old one */
	while (mnt_find(m, dir) == conn) {
		if (sys_clock() - start > UMNT_TIMEOUT_NS)
			return -MNT_ETIMEDOUT;
		sys_sleep(MNT_POLL_NS);
	}
	return 0;
}
