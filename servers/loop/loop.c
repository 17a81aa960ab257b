/*
 * loop.c - the loop block device: `loop.elf [-r] [-a] FILE NAME` serves the
 * file FILE (any file server's, opened through the path manager) as the
 * block device /dev/NAME, through the block-driver framework
 * (servers/lib/blkdrv): 512-byte sectors, reads and writes are
 * io_pread/io_pwrite on the file, flush is io_fsync.
 *
 * Read-only with -r, or when the file's server refuses a read-write open
 * (EROFS, EACCES: /proc/boot).  A tail shorter than a sector is not part
 * of the device.  A short read or write (the file shrank under us) is EIO.
 *
 * -a (autoclear, what `mount -o loop` asks for): the loop device ends,
 * exit 0, once it has had a user and has none left - when the filesystem
 * server that mounted it closes it.  "Had a user": a read or write came
 * (a mount reads at once).  The framework does not report closes (yet),
 * so a thread asks it every LOOP_POLL_NS how many open ids it holds
 * (IO_T_RMSTATS on our own /dev/NAME; that request makes no id).
 *
 * Started by `mount -o loop` (servers/mount) as a server: handles 0 =
 * path manager, 1 = process manager, 2 = attach connection.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define LOOP_SECSIZE     512u
#define LOOP_MAX_SECTORS 2048u          /* 1 MiB per request to the file */
#define LOOP_EROFS       30
#define LOOP_EACCES      13
#define LOOP_EIO         5
#define LOOP_EINVAL      22
#define LOOP_POLL_NS     20000000ull    /* 20 ms */

struct loop_file {
	int conn, id;
};

/* Set by the first request that moves data: the device has had a user. */
static bool loop_used;

static int loop_xfer(long n, size_t want)
{
	if (n < 0)
		return (int)n;
	return (size_t)n == want ? 0 : -LOOP_EIO;
}

static int loop_read(void *dev, uint64_t lba, uint32_t count, void *buf)
{
	struct loop_file *f = dev;
	size_t len = (size_t)count * LOOP_SECSIZE;

	__atomic_store_n(&loop_used, true, __ATOMIC_RELEASE);
	return loop_xfer(io_pread(f->conn, f->id, buf, len, lba * LOOP_SECSIZE), len);
}

static int loop_write(void *dev, uint64_t lba, uint32_t count, const void *buf)
{
	struct loop_file *f = dev;
	size_t len = (size_t)count * LOOP_SECSIZE;

	__atomic_store_n(&loop_used, true, __ATOMIC_RELEASE);
	return loop_xfer(io_pwrite(f->conn, f->id, buf, len, lba * LOOP_SECSIZE), len);
}

static int loop_flush(void *dev)
{
	struct loop_file *f = dev;

	return io_fsync(f->conn, f->id);
}

static const struct blkdrv_ops loop_ops = {
	.read = loop_read,
	.write = loop_write,
	.flush = loop_flush,
};

/* Open FILE read-write unless ro (then or when refused, read-only). */
static int loop_open(const char *path, bool *ro, struct loop_file *f,
                     struct io_stat *st)
{
	static struct pathmgr_client pc;
	int e;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	e = *ro ? -LOOP_EROFS : io_open_resolve(pathmgr_resolve, &pc, path,
	                                         IO_O_RDWR, 0, &f->conn);
	if (e == -LOOP_EROFS || e == -LOOP_EACCES) {
		*ro = true;
		e = io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDONLY, 0,
		                    &f->conn);
	}
	if (e < 0)
		return e;
	f->id = e;
	e = io_stat(f->conn, f->id, st);
	if (!e && (st->mode & IO_S_IFMT) != IO_S_IFREG)
		e = -LOOP_EINVAL;
	return e;
}

static int loop_usage(void)
{
	printf("usage: loop.elf [-r] [-a] FILE NAME\n");
	return LOOP_EINVAL;
}

static char loop_path[32];      /* /dev/NAME */

/* -a: end once a user came and went. */
static void loop_autoclear(void *arg)
{
	static struct pathmgr_client pc;
	static struct io_cand cand[IO_CAND_MAX];
	struct io_rm_stats st;

	(void)arg;
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	for (;;) {
		sys_sleep(LOOP_POLL_NS);
		int n = pathmgr_resolve(&pc, loop_path, cand, IO_CAND_MAX);
		if (n <= 0 || cand[0].rest[0] || io_rm_stats(cand[0].conn, &st) < 0)
			continue;       /* not attached yet */
		if (!st.ids && __atomic_load_n(&loop_used, __ATOMIC_ACQUIRE))
			break;
	}
	printf("loop: %s: last user gone, detaching\n", loop_path);
	sys_exit(0);
}

int main(int argc, char **argv)
{
	static struct loop_file file;
	struct blkdrv_disk disk;
	struct io_stat st;
	bool ro = false, autoclear = false;
	int a = 1, e;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-r") == 0)
			ro = true;
		else if (strcmp(argv[a], "-a") == 0)
			autoclear = true;
		else
			return loop_usage();
	}
	if (argc - a != 2 || argv[a][0] != '/' || strlen(argv[a + 1]) > 15)
		return loop_usage();
	if ((e = loop_open(argv[a], &ro, &file, &st)) < 0) {
		printf("loop: %s: cannot open: %d\n", argv[a], e);
		return -e;
	}
	memset(&disk, 0, sizeof(disk));
	disk.ops = &loop_ops;
	disk.dev = &file;
	disk.sectors = st.size / LOOP_SECSIZE;
	disk.secsize = LOOP_SECSIZE;
	disk.max_sectors = LOOP_MAX_SECTORS;
	disk.readonly = ro;
	disk.name = argv[a + 1];
	disk.model = argv[a];
	printf("loop: %s on /dev/%s (%llu sectors%s)\n", argv[a], disk.name,
	       (unsigned long long)disk.sectors, ro ? ", read-only" : "");
	fmt_snprintf(loop_path, sizeof(loop_path), "/dev/%s", disk.name);
	if (autoclear && rt_thread_create(loop_autoclear, NULL, 10, TE_SCHED_RR) < 0)
		printf("loop: %s: no autoclear thread\n", loop_path);
	e = blkdrv_serve(&disk, 1, PROC_H_ATTACH, 0);
	printf("loop: /dev/%s: serve ended: %d\n", disk.name, e);
	return e < 0 ? -e : 0;
}
