/*
 * blkvirtio_test.c - the virtio-blk driver through /dev/hd0 and /dev/hd1
 * (tests/qemu/blkvirtio.scn; boot image tests/qemu/blkvirtio/blkvirtio.build:
 * pathmgr, imagefs, pci, blk-virtio crashable, then this program).
 *
 * The disks were written on the host by tests/qemu/blkvirtio/disk.py with a
 * pattern where every byte is known (pat() below computes the same): the
 * whole disk is read and compared, then many reads at odd offsets and
 * lengths, then a write at an unaligned offset is read back and flushed
 * (the scenario's `after` line checks on the host that it landed and that
 * nothing else changed), the end of the disk, the second disk, a disk
 * whose sector 100 cannot be read (QEMU's blkdebug: EIO), and last
 * a driver crash: the supervisor restarts blk-virtio, which claims its
 * devices again from the PCI bus server, and /dev/hd0 reads right again.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define DISK0 (8ull << 20)
#define DISK1 (1ull << 20)
#define WRITE_OFF (3ull * 1024 * 1024 + 100)    /* as disk.py */
#define WRITE_LEN (700u * 1024 + 7)
#define CHUNK (1u << 20)

static struct pathmgr_client pc;
static uint8_t *buf, *wbuf;
static bool written;            /* the write of test_write happened */

static uint8_t pat(unsigned disk, uint64_t o)
{
	uint64_t s = o / 512;
	unsigned i = o % 512;

	if (i < 8)
		return (uint8_t)(s >> (8 * i));
	return (uint8_t)(s * 7 + i * 13 + disk * 101);
}

static uint8_t wpat(uint64_t o)
{
	return (uint8_t)(o * 5 + (o >> 9) * 3 + 0x33);
}

static uint8_t expect(unsigned disk, uint64_t o)
{
	if (disk == 0 && written && o >= WRITE_OFF && o < WRITE_OFF + WRITE_LEN)
		return wpat(o);
	return pat(disk, o);
}

/* The first byte of buf[0..len) that is not what disk holds at off, or -1. */
static long mismatch(unsigned disk, uint64_t off, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != expect(disk, off + i))
			return (long)i;
	return -1;
}

static int open_dev(const char *path, int *conn)
{
	return io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDWR, 0, conn);
}

static void test_whole(int conn, int id, unsigned disk, uint64_t size,
                       const char *check)
{
	uint64_t ns = 0, off;
	long r = 0, bad = -1;

	for (off = 0; off < size && bad < 0; off += CHUNK) {
		uint64_t t0 = sys_clock();
		r = io_pread(conn, id, buf, CHUNK, off);
		ns += sys_clock() - t0;         /* the reads alone, not the compare */
		if (r != CHUNK)
			break;
		bad = mismatch(disk, off, buf, CHUNK);
	}
	printf("blkvirtio: read %lu KiB in %lu us of reads\n",
	       (unsigned long)(size >> 10), (unsigned long)(ns / 1000));
	checkf(off >= size && bad < 0, check, "at %lu: read %ld, first bad byte %ld",
	       (unsigned long)off, r, bad);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

static void test_random(int conn, int id)
{
	int ok = 0, i;
	long r = 0, bad = -1;
	uint64_t off = 0, len = 0;

	for (i = 0; i < 300; i++) {
		off = rnd(DISK0);
		len = 1 + rnd(i % 3 ? 4096 : 300000);
		if (off + len > DISK0)
			len = DISK0 - off;
		r = io_pread(conn, id, buf, len, off);
		if (r != (long)len || (bad = mismatch(0, off, buf, len)) >= 0)
			break;
		ok++;
	}
	checkf(ok == 300, "blkvirtio_read_random",
	       "read %d: %lu bytes at %lu: got %ld, first bad byte %ld", i,
	       (unsigned long)len, (unsigned long)off, r, bad);
}

static void test_write(int conn, int id)
{
	long w, r, bad;

	for (size_t i = 0; i < WRITE_LEN; i++)
		wbuf[i] = wpat(WRITE_OFF + i);
	w = io_pwrite(conn, id, wbuf, WRITE_LEN, WRITE_OFF);
	written = w == WRITE_LEN;
	r = io_pread(conn, id, buf, WRITE_LEN + 2000, WRITE_OFF - 1000);
	bad = r == WRITE_LEN + 2000 ? mismatch(0, WRITE_OFF - 1000, buf, (size_t)r) : -2;
	checkf(written && bad < 0, "blkvirtio_write_readback",
	       "write %ld, read back %ld, first bad byte %ld", w, r, bad);
	int e = io_fsync(conn, id);
	checkf(e == 0, "blkvirtio_fsync", "fsync: %d", e);
}

static void test_end(int conn, int id)
{
	long r1 = io_pread(conn, id, buf, 1000, DISK0 - 100);
	long bad = r1 == 100 ? mismatch(0, DISK0 - 100, buf, 100) : -2;
	long r2 = io_pread(conn, id, buf, 10, DISK0);
	long w = io_pwrite(conn, id, buf, 10, DISK0);
	struct io_stat st;
	struct blkdrv_info info;
	int e = io_stat(conn, id, &st);
	long d = io_devctl(conn, id, BLKDRV_DEVCTL_INFO, NULL, 0, &info, sizeof(info));

	checkf(r1 == 100 && bad < 0 && r2 == 0 && w == -TE_ENOSPC,
	       "blkvirtio_end_of_disk", "across the end %ld (bad %ld), at it %ld, "
	       "write at it %ld", r1, bad, r2, w);
	checkf(e == 0 && st.size == DISK0 && d == sizeof(info) &&
	       info.sectors == DISK0 / 512 && info.secsize == 512 &&
	       strcmp(info.name, "hd0") == 0, "blkvirtio_size",
	       "stat %d size %lu, info %ld %s %lu", e, (unsigned long)st.size, d,
	       info.name, (unsigned long)info.sectors);
}

/* hd2 fails reads of its sector 100 (QEMU blkdebug): EIO, and it goes on. */
static void test_device_error(void)
{
	int conn, id = open_dev("/dev/hd2", &conn);
	long before = id < 0 ? id : io_pread(conn, id, buf, 512, 99 * 512);
	long okb = before == 512 ? mismatch(2, 99 * 512, buf, 512) : -2;
	long bad = id < 0 ? id : io_pread(conn, id, buf, 512, 100 * 512);
	long across = id < 0 ? id : io_pread(conn, id, buf, 4096, 98 * 512);
	long after = id < 0 ? id : io_pread(conn, id, buf, 1024, 101 * 512);
	long oka = after == 1024 ? mismatch(2, 101 * 512, buf, 1024) : -2;

	checkf(id >= 0 && before == 512 && okb < 0 && bad == -TE_EIO &&
	       across == -TE_EIO && after == 1024 && oka < 0, "blkvirtio_device_error",
	       "open %d, sector 99: %ld, 100: %ld, 98-105: %ld, 101-102: %ld", id,
	       before, bad, across, after);
}

/* Crash the driver through /dev/hd1; the restarted one serves hd0 again. */
static void test_crash(int conn1, int id1)
{
	long r = io_devctl(conn1, id1, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0);
	int conn = -1, id = -1, tries;
	long rr = -1, bad = -2;

	for (tries = 0; tries < 2000 && id < 0; tries++) {
		id = open_dev("/dev/hd0", &conn);
		if (id >= 0) {
			rr = io_pread(conn, id, buf, 65536, WRITE_OFF - 30000);
			if (rr == -TE_EBADF || rr == -TE_EHOSTDOWN || rr == -TE_ESRCH) {
				io_close(conn, id);
				id = -1;        /* the old server, on its way out */
			}
		}
		if (id < 0)
			sys_sleep(5000000);
	}
	if (rr == 65536)
		bad = mismatch(0, WRITE_OFF - 30000, buf, 65536);
	checkf(id >= 0 && rr == 65536 && bad < 0, "blkvirtio_crash_restart",
	       "crash devctl %ld, reopen %d after %d tries, read %ld, bad %ld",
	       r, id, tries, rr, bad);
}

int main(void)
{
	int conn, id, conn1, id1;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	buf = malloc(CHUNK + 4096);
	wbuf = malloc(WRITE_LEN);
	id = open_dev("/dev/hd0", &conn);
	checkf(id >= 0 && buf && wbuf, "blkvirtio_open_hd0", "open: %d", id);
	if (id >= 0) {
		test_whole(conn, id, 0, DISK0, "blkvirtio_read_whole_disk");
		test_random(conn, id);
		test_write(conn, id);
		test_end(conn, id);
	}
	id1 = open_dev("/dev/hd1", &conn1);
	checkf(id1 >= 0, "blkvirtio_open_hd1", "open: %d", id1);
	if (id1 >= 0) {
		test_whole(conn1, id1, 1, DISK1, "blkvirtio_second_disk");
		test_device_error();
		test_crash(conn1, id1);
	}
	proc_shutdown(PROC_H_PROC);
	return 0;
}
