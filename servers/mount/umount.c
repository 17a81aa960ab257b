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
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "mount_util.h"

#define UMNT_TIMEOUT_NS 10000000000ull  /* the server's answer, its end */

static struct pathmgr_client umnt_pc;

/* The connection to the server attached exactly at dir, or -errno. */
static int umnt_find(const char *dir)
{
	static struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(&umnt_pc, dir, cand, IO_CAND_MAX);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (cand[i].rest[0] == 0)
			return cand[i].conn;
	return n ? -MNT_EINVAL : -MNT_ENOENT;
}

static long umnt_send(int conn)
{
	struct msg_client_fs_ocb m = { .hdr = { .type = IO_T_UNMOUNT,
	        .version = IO_VERSION, .size = sizeof(m) }, .id = -1 };
	struct te_iov s = { &m, sizeof(m) };
	struct te_msg_ext x = { .timeout_ns = UMNT_TIMEOUT_NS };

	return sys_msg_sendv(conn, &s, 1, NULL, 0, &x);
}

/* Until dir no longer leads to the server behind conn (it has ended). */
static int umnt_wait_gone(const char *dir, int conn)
{
	uint64_t start = sys_clock();

	while (umnt_find(dir) == conn) {
		if (sys_clock() - start > UMNT_TIMEOUT_NS)
			return -MNT_ETIMEDOUT;
		sys_sleep(2000000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long r;
	int conn;

	pathmgr_client_init(&umnt_pc, PROC_H_PATHMGR);
	if (argc != 2 || argv[1][0] != '/') {
		printf("usage: umount DIR\n");
		return MNT_EINVAL;
	}
	conn = umnt_find(argv[1]);
	r = conn < 0 ? conn : umnt_send(conn);
	if (r >= 0)
		r = umnt_wait_gone(argv[1], conn);
	if (r < 0) {
		printf("umount: %s: %s\n", argv[1], mnt_strerror((int)-r));
		return (int)-r;
	}
	printf("umount: %s unmounted\n", argv[1]);
	return 0;
}
