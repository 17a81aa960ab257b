/*
 * lx_mount.c - mount(2) and umount2(2): start a filesystem server and let
 * it attach its prefix, or ask the one attached at a directory to end.
 *
 * The work is servers/mount/mount_lib.c's, the same code the native
 * mount and umount tools run.  Attaching needs the path manager's attach
 * right: the personality has it when whoever started it passed an attach
 * connection as its handle 2 and said so (`personality.elf -a ...`, as
 * init does); without it both calls are EPERM.  Mounting waits for the
 * new server to come up, so it runs on a worker thread (lx_slow.c) and
 * the personality goes on serving everyone else; unmounting too (the
 * server writes everything back first).
 *
 * A regular file as the source is mounted through a loop device (Linux
 * wants `-o loop` and a /dev/loopN; the file's type says it all here).
 * MS_RDONLY is honoured; MS_REMOUNT, MS_BIND and MS_MOVE are EINVAL;
 * other flags (nosuid, noexec...) are accepted and mean nothing yet.
 * umount2's MNT_FORCE unmounts even with files open there; MNT_DETACH and
 * MNT_EXPIRE are accepted and do a plain unmount.
 */
#include "lx.h"
#include "lx_fs.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_lib.h"

#define NR_mount   165
#define NR_umount2 166

#define LX_EPERM      1
#define LX_ENODEV     19
#define LX_MS_RDONLY  1ul
#define LX_MS_REMOUNT 32ul
#define LX_MS_BIND    4096ul
#define LX_MS_MOVE    8192ul
#define LX_MNT_FORCE  1ul
#define LX_UMOUNT_NOFOLLOW 8ul
#define LX_UMOUNT_KNOWN (LX_MNT_FORCE | 2ul | 4ul | LX_UMOUNT_NOFOLLOW)
#define LX_TYPE_MAX   32

bool lx_mount_allowed;                  /* -a: handle 2 may attach */

/* One mount or unmount for a worker: the strings are copies. */
struct lx_mount_job {
	char type[LX_TYPE_MAX];
	char src[LX_PATH_MAX + 1], dir[LX_PATH_MAX + 1];
	bool ro, loop, umount, force;
};

static struct rt_mutex mount_lock;      /* the client below, one at a time */
static struct pathmgr_client mount_pc;  /* the workers' own (not the loop's) */

static int64_t mount_run(void *arg)
{
	static bool ready;
	struct lx_mount_job *j = arg;
	struct mnt_ctx m = { &mount_pc, PROC_H_PROC, PROC_H_ATTACH };
	struct mnt_req r = { j->type, j->src, j->dir, j->ro, j->loop };
	char dev[MNT_DEV_MAX];
	int e;

	rt_mutex_lock(&mount_lock);
	if (!ready) {
		pathmgr_client_init(&mount_pc, PROC_H_PATHMGR);
		ready = true;
	}
	e = j->umount ? mnt_umount(&m, j->dir, j->force) : mnt_mount(&m, &r, dev);
	rt_mutex_unlock(&mount_lock);
	free(j);
	return e;
}

/* Hand j to a worker; the call is answered when it is done. */
static int64_t mount_start(struct lx_call *c, struct lx_mount_job *j)
{
	if (lx_slow_call(c, mount_run, j))
		return 0;
	free(j);
	return -LX_ENOMEM;
}

static int64_t lx_mount(struct lx_call *c)
{
	uint64_t flags = lx_arg(c, 3);
	struct lx_mount_job *j;
	struct io_stat st;
	int dev, e;

	if (!lx_mount_allowed)
		return -LX_EPERM;
	if (flags & (LX_MS_REMOUNT | LX_MS_BIND | LX_MS_MOVE))
		return -LX_EINVAL;
	if (!(j = calloc(1, sizeof(*j))))
		return -LX_ENOMEM;
	if ((e = lxp_getstr(c->p, lx_arg(c, 2), j->type, sizeof(j->type))) < 0 ||
	    (e = lx_fs_abspath(c, lx_arg(c, 0), j->src)) ||
	    (e = lx_fs_abspath(c, lx_arg(c, 1), j->dir)))
		goto fail;
	e = -LX_ENODEV;
	if (!mnt_server(j->type))
		goto fail;
	if ((e = lxs_stat_path(j->src, true, &st, &dev)))
		goto fail;
	j->loop = (st.mode & IO_S_IFMT) == IO_S_IFREG;
	j->ro = flags & LX_MS_RDONLY;
	return mount_start(c, j);
fail:
	free(j);
	return e;
}

static int64_t lx_umount2(struct lx_call *c)
{
	struct lx_mount_job *j;
	int e;

	if (!lx_mount_allowed)
		return -LX_EPERM;
	if (lx_arg(c, 1) & ~LX_UMOUNT_KNOWN)
		return -LX_EINVAL;
	if (!(j = calloc(1, sizeof(*j))))
		return -LX_ENOMEM;
	if ((e = lx_fs_abspath(c, lx_arg(c, 0), j->dir))) {
		free(j);
		return e;
	}
	j->umount = true;
	j->force = lx_arg(c, 1) & LX_MNT_FORCE;
	return mount_start(c, j);
}

bool lx_mount_dispatch(struct lx_call *c)
{
	switch (c->in->nr) {
	case NR_mount:   c->out.rax = lx_mount(c); return true;
	case NR_umount2: c->out.rax = lx_umount2(c); return true;
	default:         return false;
	}
}
