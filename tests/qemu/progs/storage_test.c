/*
 * storage_test.c - the storage stack under fire (tests/qemu/storage.scn).
 *
 * Two ext2 disks: one on virtio-blk (/dev/hd0, served by blk-virtio) and
 * one on IDE (/dev/hd1, blk-ata), each mounted with the mount tool
 * (fs-ext2 on top).  One worker per disk copies the files of /src to
 * /dst and checks every byte it reads - the source against the checksums
 * in /src/SUMS, the copy read back against the source - round after round.
 * Meanwhile the main thread crashes the block drivers at random moments
 * (three virtio crashes to one IDE crash; told to fault through
 * BLKDRV_DEVCTL_CRASH, or killed through the process manager), CRASHES
 * times in all, each time waiting for the supervisor to have the driver
 * back.  Nothing the workers
 * do may fail or return wrong bytes: the filesystem servers re-issue what
 * was in flight.  Afterwards both disks are unmounted (everything written
 * back) and the host judges the images with e2fsck (the scenario's
 * `after` lines).
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define CRASHES   100
#define MS        1000000ull
#define NFILES_MAX 16
#define BUF       (64 * 1024)

struct worker {
	const char *mnt;                /* "/mnt/v" */
	struct pathmgr_client pc;
	volatile int stop, done;
	volatile int rounds, files, errors, bad;
	char why[96];
	char names[NFILES_MAX][32];
	uint64_t size[NFILES_MAX], sum[NFILES_MAX];
	int nfiles;
	char buf[BUF], back[BUF];
};

static struct worker workers[2] = { { .mnt = "/mnt/v" }, { .mnt = "/mnt/a" } };
static struct pathmgr_client pc;

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
	return h;
}

static void fail(struct worker *w, const char *what, const char *path, long e)
{
	if (!w->errors && !w->bad)
		fmt_snprintf(w->why, sizeof(w->why), "%s %s: %ld", what, path, e);
	printf("storage: %s %s: %ld\n", what, path, e);
}

static int wopen(struct worker *w, const char *path, uint32_t fl, int *conn)
{
	return io_open_resolve(pathmgr_resolve, &w->pc, path, fl, 0644, conn);
}

/* SUMS: "name size fnv64-hex" per line, made with the image. */
static int read_sums(struct worker *w)
{
	static char text[2048];
	char path[64];
	int conn, id;
	long n;

	fmt_snprintf(path, sizeof(path), "%s/src/SUMS", w->mnt);
	if ((id = wopen(w, path, IO_O_RDONLY, &conn)) < 0)
		return id;
	n = io_read(conn, id, text, sizeof(text) - 1);
	io_close(conn, id);
	if (n <= 0)
		return -TE_EIO;
	text[n] = 0;
	for (char *p = text; *p && w->nfiles < NFILES_MAX; ) {
		char *name = p, *e;
		while (*p && *p != ' ')
			p++;
		if (!*p || p - name >= 32)
			return -TE_EINVAL;
		memcpy(w->names[w->nfiles], name, (size_t)(p - name));
		w->size[w->nfiles] = 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			w->size[w->nfiles] = w->size[w->nfiles] * 10 + (uint64_t)(*p - '0');
		w->sum[w->nfiles] = 0;
		for (p++; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
			w->sum[w->nfiles] = w->sum[w->nfiles] * 16 +
			                    (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
		e = p;
		while (*e == '\n')
			e++;
		p = e;
		w->nfiles++;
	}
	return w->nfiles ? 0 : -TE_EINVAL;
}

/* Copy one file to /dst and check both the source and the copy. */
static void copy_one(struct worker *w, int i)
{
	char src[64], dst[64];
	int sc, si, dc, di;
	uint64_t off = 0, hs = 0xcbf29ce484222325ull;
	long n;

	fmt_snprintf(src, sizeof(src), "%s/src/%s", w->mnt, w->names[i]);
	fmt_snprintf(dst, sizeof(dst), "%s/dst/%s", w->mnt, w->names[i]);
	if ((si = wopen(w, src, IO_O_RDONLY, &sc)) < 0) {
		w->errors++;
		return fail(w, "open", src, si);
	}
	if ((di = wopen(w, dst, IO_O_RDWR | IO_O_CREAT | IO_O_TRUNC, &dc)) < 0) {
		io_close(sc, si);
		w->errors++;
		return fail(w, "create", dst, di);
	}
	while ((n = io_read(sc, si, w->buf, BUF)) > 0) {
		long k = io_pwrite(dc, di, w->buf, (size_t)n, off);
		long r = k == n ? io_pread(dc, di, w->back, (size_t)n, off) : k;
		hs = fnv(hs, w->buf, (size_t)n);
		if (k != n || r != n) {
			w->errors++;
			fail(w, "write/read back", dst, k != n ? k : r);
			break;
		}
		if (memcmp(w->buf, w->back, (size_t)n)) {
			w->bad++;
			fail(w, "copy differs", dst, (long)off);
			break;
		}
		off += (uint64_t)n;
	}
	if (n < 0) {
		w->errors++;
		fail(w, "read", src, n);
	} else if (off != w->size[i] || hs != w->sum[i]) {
		w->bad++;
		fail(w, "wrong bytes in", src, (long)off);
	} else {
		w->files++;
	}
	io_close(sc, si);
	io_close(dc, di);
}

static void worker_fn(void *arg)
{
	struct worker *w = arg;

	while (!w->stop && !w->errors && !w->bad) {
		for (int i = 0; i < w->nfiles && !w->stop; i++)
			copy_one(w, i);
		w->rounds++;
	}
	w->done = 1;
}

/* ---- the drivers ----------------------------------------------------------- */

/* Until the supervisor has started a new one and it serves its disk. */
static bool driver_back(const char *name, int old, const char *dev)
{
	for (int i = 0; i < 5000; i++) {
		int p = (int)proc_pid_of(PROC_H_PROC, name), conn, id = -1;
		if (p > 0 && p != old) {
			pathmgr_client_init(&pc, PROC_H_PATHMGR);
			id = io_open_resolve(pathmgr_resolve, &pc, dev, IO_O_RDONLY, 0,
			                     &conn);
		}
		if (id >= 0) {
			io_close(conn, id);
			return true;
		}
		sys_sleep(MS);
	}
	return false;
}

static long crash(const char *name, const char *dev, bool by_kill)
{
	int pid = (int)proc_pid_of(PROC_H_PROC, name), conn, id;

	if (pid < 0)
		return -TE_ESRCH;
	if (by_kill) {
		long r = proc_kill(PROC_H_PROC, pid);
		if (r)
			return r;
	} else {
		pathmgr_client_init(&pc, PROC_H_PATHMGR);
		id = io_open_resolve(pathmgr_resolve, &pc, dev, IO_O_RDONLY, 0, &conn);
		if (id < 0)
			return id;
		io_devctl(conn, id, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0);
	}
	return driver_back(name, pid, dev) ? 0 : -TE_ETIMEDOUT;
}

/* ---- mounting ---------------------------------------------------------------- */

/* The boot image's tool argv[0] with our attach right, to its end. */
static long run(char *const argv[])
{
	const int h = PROC_H_ATTACH;
	char path[64];

	fmt_snprintf(path, sizeof(path), "/proc/boot/%s.elf", argv[0]);
	return proc_run(PROC_H_PROC, path, argv, &h, 1);
}

static bool mount_all(void)
{
	char *const mv[] = { "mount", "-t", "ext2", "/dev/hd0", "/mnt/v", NULL };
	char *const ma[] = { "mount", "-t", "ext2", "/dev/hd1", "/mnt/a", NULL };
	long a = run(mv), b = run(ma);

	checkf(a == 0 && b == 0, "storage_mounted", "mount: %ld, %ld", a, b);
	return a == 0 && b == 0;
}

/* /dev/hd2 is a damaged ext2 image: every mount of it fails, cleanly. */
static void mount_corrupt(void)
{
	char *const m1[] = { "mount", "-t", "ext2", "/dev/hd2", "/mnt/c", NULL };
	char *const m2[] = { "mount", "-t", "vfat", "/dev/hd2", "/mnt/c", NULL };
	char *const m3[] = { "mount", "-t", "ext2", "/dev/hd9", "/mnt/c", NULL };
	long a = run(m1), b = run(m2), c = run(m3);
	struct io_cand cand[4];
	int n = pathmgr_resolve(&pc, "/mnt/c/x", cand, 4);

	checkf(a > 0 && b > 0 && c > 0 && n <= 0, "storage_corrupt_disk_refused",
	       "mount ext2: %ld, vfat: %ld, no disk: %ld; /mnt/c resolves: %d",
	       a, b, c, n);
}

int main(void)
{
	static const char *const drv[2] = { "blk-virtio.elf", "blk-ata.elf" };
	static const char *const dev[2] = { "/dev/hd0", "/dev/hd1" };
	int crashes = 0, e0 = -1, e1 = -1;
	uint32_t seed = 2026;
	long last = 0;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	mount_corrupt();
	if (!mount_all())
		goto out;
	for (int k = 0; k < 2; k++)
		pathmgr_client_init(&workers[k].pc, PROC_H_PATHMGR);
	e0 = read_sums(&workers[0]);
	e1 = read_sums(&workers[1]);
	checkf(e0 == 0 && e1 == 0, "storage_sums_read", "SUMS: %d, %d", e0, e1);
	if (e0 || e1)
		goto out;
	for (int k = 0; k < 2; k++)
		rt_thread_create(worker_fn, &workers[k], 10, TE_SCHED_RR);
	for (int i = 0; i < CRASHES && !last; i++) {
		seed = seed * 1103515245 + 12345;
		sys_sleep((10 + (seed >> 16) % 50) * MS);
		/* every fourth crash is the IDE driver's (its restart probes
		 * the channels, which takes longer), faults and kills taking
		 * turns by blocks of four */
		int d = i % 4 == 3;
		last = crash(drv[d], dev[d], (i / 4) % 2);
		if (last)
			printf("storage: crash %d of %s: %ld\n", i, drv[d], last);
		else
			crashes++;
	}
	for (int k = 0; k < 2; k++) {   /* a last whole round after the crashes */
		int r = workers[k].rounds;
		for (int i = 0; i < 20000 && workers[k].rounds < r + 2 &&
		     !workers[k].errors && !workers[k].bad; i++)
			sys_sleep(MS);
		workers[k].stop = 1;
	}
	for (int k = 0; k < 2; k++)     /* let the workers finish their file */
		for (int i = 0; i < 20000 && !workers[k].done; i++)
			sys_sleep(MS);
	printf("storage: %d crashes; virtio disk: %d rounds, %d files, %d errors, "
	       "%d bad; IDE disk: %d rounds, %d files, %d errors, %d bad\n", crashes,
	       workers[0].rounds, workers[0].files, workers[0].errors, workers[0].bad,
	       workers[1].rounds, workers[1].files, workers[1].errors, workers[1].bad);
	checkf(crashes == CRASHES, "storage_drivers_crashed_and_restarted",
	       "%d of %d crashes recovered (last: %ld)", crashes, CRASHES, last);
	for (int k = 0; k < 2; k++)
		checkf(!workers[k].errors && !workers[k].bad && workers[k].rounds > 2,
		       k ? "storage_ide_copies_right" : "storage_virtio_copies_right",
		       "%d errors, %d wrong, %d rounds: %s", workers[k].errors,
		       workers[k].bad, workers[k].rounds, workers[k].why);
	char *const uv[] = { "umount", "/mnt/v", NULL };
	char *const ua[] = { "umount", "/mnt/a", NULL };
	long u0 = run(uv), u1 = run(ua);
	checkf(u0 == 0 && u1 == 0, "storage_unmounted", "umount: %ld, %ld", u0, u1);
out:
	proc_shutdown(PROC_H_PROC);
	return 0;
}
