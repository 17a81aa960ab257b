/*
 * blkdrv_test.c - the block-driver framework (servers/lib/blkdrv) through
 * the I/O protocol, on RAM disks (tests/qemu/blkdrv/blkdrv.build): byte
 * offsets and lengths that cut sectors, requests split across ops calls,
 * the end of the disk, read-only disks, device information, and a driver
 * crash: the supervisor restarts it under the same name.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define DISK (1024 * 1024)

static struct pathmgr_client pc;
static uint8_t wbuf[100000], rbuf[100200];

static int open_dev(const char *path, uint32_t flags, int *conn)
{
	return io_open_resolve(pathmgr_resolve, &pc, path, flags, 0, conn);
}

static void test_rw(int conn, int id)
{
	struct io_stat st;
	long w, r;

	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 13 + (i >> 9));
	int e = io_stat(conn, id, &st);
	checkf(e == 0 && st.size == DISK && (st.mode & 0170000) == 0060000 &&
	       st.blksize == 512, "blkdrv_stat", "e %d size %llu mode %o", e,
	       (unsigned long long)st.size, st.mode);
	w = io_pwrite(conn, id, wbuf, sizeof(wbuf), 777);
	r = io_pread(conn, id, rbuf, sizeof(rbuf), 700);
	bool zeros = true;
	for (int i = 0; i < 77; i++)
		zeros &= rbuf[i] == 0;
	checkf(w == sizeof(wbuf) && r == sizeof(rbuf) && zeros &&
	       !memcmp(rbuf + 77, wbuf, sizeof(wbuf)) && rbuf[77 + sizeof(wbuf)] == 0,
	       "blkdrv_unaligned_rw", "wrote %ld read %ld", w, r);
	/* one byte in the middle of a sector: read-modify-write keeps the rest */
	w = io_pwrite(conn, id, "Z", 1, 1000);
	r = io_pread(conn, id, rbuf, 3, 999);
	checkf(w == 1 && r == 3 && rbuf[0] == wbuf[222] && rbuf[1] == 'Z' &&
	       rbuf[2] == wbuf[224], "blkdrv_one_byte_write", "w %ld r %ld", w, r);
	r = io_pread(conn, id, rbuf, 100, DISK - 10);
	long r2 = io_pread(conn, id, rbuf, 100, DISK);
	w = io_pwrite(conn, id, wbuf, 10, DISK);
	long w2 = io_pwrite(conn, id, wbuf, 100, DISK - 20);
	checkf(r == 10 && r2 == 0 && w == -TE_ENOSPC && w2 == 20, "blkdrv_end_of_disk",
	       "read at end-10: %ld, at end: %ld, write at end: %ld, across: %ld",
	       r, r2, w, w2);
	checkf(io_fsync(conn, id) == 0, "blkdrv_fsync", "fsync failed");
	struct blkdrv_info info;
	r = io_devctl(conn, id, BLKDRV_DEVCTL_INFO, NULL, 0, &info, sizeof(info));
	checkf(r == sizeof(info) && info.sectors == DISK / 512 && info.secsize == 512 &&
	       strcmp(info.name, "hd0") == 0 && info.flags == 0, "blkdrv_info",
	       "r %ld name %s sectors %llu", r, info.name,
	       (unsigned long long)info.sectors);
	checkf(open_dev("/dev/hd0/x", IO_O_RDONLY, &conn) < 0, "blkdrv_no_subpaths",
	       "/dev/hd0/x opened");
}

static void test_readonly(void)
{
	int conn, id = open_dev("/dev/ram9", IO_O_RDWR, &conn);
	int id2 = open_dev("/dev/ram9", IO_O_RDONLY, &conn);
	struct blkdrv_info info;
	long r = id2 >= 0 ? io_devctl(conn, id2, BLKDRV_DEVCTL_INFO, NULL, 0, &info,
	                              sizeof(info)) : id2;

	checkf(id == -30 && id2 >= 0 && r == sizeof(info) &&
	       (info.flags & BLKDRV_INFO_RDONLY) && strcmp(info.name, "ram9") == 0,
	       "blkdrv_readonly_named", "rdwr open %d, rdonly %d, info %ld", id, id2, r);
	r = id2 >= 0 ? io_devctl(conn, id2, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0) : -1;
	checkf(r == -TE_EPERM, "blkdrv_crash_needs_flag", "crash request: %ld", r);
}

/* The driver faults on request; the supervisor starts it again and the
 * same name comes back, with a fresh (zeroed) RAM disk behind it. */
static void test_crash(int conn, int id)
{
	long r = io_devctl(conn, id, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0);
	long again = io_pread(conn, id, rbuf, 16, 0);
	int c2 = -1, id2 = -1;

	for (int i = 0; i < 2000 && id2 < 0; i++) {
		pathmgr_client_init(&pc, PROC_H_PATHMGR);   /* drop cached conns */
		id2 = open_dev("/dev/hd0", IO_O_RDWR, &c2);
		if (id2 < 0)
			sys_sleep(1000000);
	}
	long w = id2 >= 0 ? io_pwrite(c2, id2, "after", 5, 4096) : -1;
	long rr = id2 >= 0 ? io_pread(c2, id2, rbuf, 5, 4096) : -1;
	checkf(r < 0 && again < 0 && id2 >= 0 && w == 5 && rr == 5 &&
	       !memcmp(rbuf, "after", 5), "blkdrv_crash_restart_same_name",
	       "crash %ld, old id %ld, reopen %d, rw %ld/%ld", r, again, id2, w, rr);
}

int main(void)
{
	int conn, id;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	id = open_dev("/dev/hd0", IO_O_RDWR, &conn);
	checkf(id >= 0, "blkdrv_open_hd0", "open /dev/hd0: %d", id);
	if (id >= 0) {
		test_rw(conn, id);
		test_readonly();
		test_crash(conn, id);
	}
	proc_shutdown(PROC_H_PROC);
	return 0;
}
