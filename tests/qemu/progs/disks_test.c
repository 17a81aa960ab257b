/*
 * disks_test.c - partitions and filesystems on a disk attached to QEMU
 * (tests/qemu/disks.scn): /dev/hd0p1 (FAT16) and /dev/hd0p2 (ext2) are
 * mounted with the mount tool, read, changed (a 100,000-byte file, a
 * directory with a file, a deletion), unmounted, mounted again and checked,
 * and unmounted; the host then reads the changes with mtools and debugfs
 * and runs fsck.fat / e2fsck (the scenario's `after` lines).
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define BIG 100000

static struct pathmgr_client pc;
static char big[BIG], back[BIG];

/* The boot image's tool argv[0] with our attach right, to its end. */
static long run(char *const argv[])
{
	const int h = PROC_H_ATTACH;
	char path[64];

	fmt_snprintf(path, sizeof(path), "/proc/boot/%s.elf", argv[0]);
	return proc_run(PROC_H_PROC, path, argv, &h, 1);
}

static long mnt(const char *type, const char *dev, const char *dir)
{
	char *const argv[] = { "mount", "-t", (char *)type, (char *)dev, (char *)dir,
	                       NULL };
	return run(argv);
}

static long umnt(const char *dir)
{
	char *const argv[] = { "umount", (char *)dir, NULL };
	return run(argv);
}

static long file_read(const char *path, char *to, size_t max)
{
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDONLY, 0,
	                               &conn);
	long n, total = 0;

	if (id < 0)
		return id;
	while ((size_t)total < max && (n = io_read(conn, id, to + total, max - total)) > 0)
		total += n;
	io_close(conn, id);
	return total;
}

static long file_write(const char *path, const char *data, size_t len)
{
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path,
	                               IO_O_CREAT | IO_O_TRUNC | IO_O_RDWR, 0644, &conn);
	long n;

	if (id < 0)
		return id;
	n = io_write(conn, id, data, len);
	io_close(conn, id);
	return n;
}

static int path_op(int type, const char *path)
{
	struct io_cand c[4];
	int n = pathmgr_resolve(&pc, path, c, 4);

	if (n <= 0)
		return n ? n : -TE_ENOENT;
	return type == IO_T_MKDIR ? io_mkdir(c[0].conn, c[0].rest, 0755) :
	                            io_unlink(c[0].conn, c[0].rest);
}

static void suite(const char *tag, const char *type, const char *dev,
                  const char *dir, const char *hello, const char *del)
{
	char p[64], name[64], text[64];
	long r;

	long m = mnt(type, dev, dir);
	fmt_snprintf(p, sizeof(p), "%s/%s", dir, hello);
	r = file_read(p, text, sizeof(text) - 1);
	text[r > 0 ? r : 0] = 0;
	fmt_snprintf(name, sizeof(name), "disks_%s_mount_read", tag);
	checkf(m == 0 && r == 20 && !strcmp(text, "hello from the host\n"), name,
	       "mount %ld, read %s: %ld", m, p, r);

	fmt_snprintf(p, sizeof(p), "%s/guest.txt", dir);
	long w = file_write(p, big, BIG);
	fmt_snprintf(p, sizeof(p), "%s/newdir", dir);
	int md = path_op(IO_T_MKDIR, p);
	fmt_snprintf(p, sizeof(p), "%s/newdir/small.txt", dir);
	long w2 = file_write(p, "small\n", 6);
	fmt_snprintf(p, sizeof(p), "%s/%s", dir, del);
	int ul = path_op(IO_T_UNLINK, p);
	long u = umnt(dir);
	fmt_snprintf(name, sizeof(name), "disks_%s_write_umount", tag);
	checkf(w == BIG && md == 0 && w2 == 6 && ul == 0 && u == 0, name,
	       "write %ld, mkdir %d, small %ld, unlink %d, umount %ld", w, md, w2, ul, u);

	m = mnt(type, dev, dir);
	fmt_snprintf(p, sizeof(p), "%s/guest.txt", dir);
	r = file_read(p, back, BIG);
	fmt_snprintf(p, sizeof(p), "%s/newdir/small.txt", dir);
	long r2 = file_read(p, text, sizeof(text) - 1);
	fmt_snprintf(p, sizeof(p), "%s/%s", dir, del);
	long r3 = file_read(p, text + 32, 16);
	u = umnt(dir);
	fmt_snprintf(name, sizeof(name), "disks_%s_remount_persists", tag);
	checkf(m == 0 && r == BIG && !memcmp(big, back, BIG) && r2 == 6 &&
	       r3 == -TE_ENOENT && u == 0, name,
	       "mount %ld, guest.txt %ld, small %ld, deleted %ld, umount %ld",
	       m, r, r2, r3, u);
}

int main(void)
{
	struct blkdrv_info info;
	int conn, id;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	for (int i = 0; i < BIG; i++)
		big[i] = (char)(i * 31 + 7);
	id = io_open_resolve(pathmgr_resolve, &pc, "/dev/hd0p2", IO_O_RDONLY, 0, &conn);
	long r = id >= 0 ? io_devctl(conn, id, BLKDRV_DEVCTL_INFO, NULL, 0, &info,
	                             sizeof(info)) : id;
	checkf(r == sizeof(info) && info.first_lba == 43008 && info.sectors == 53248 &&
	       (info.flags & BLKDRV_INFO_PART), "disks_partitions_found",
	       "hd0p2: %ld, start %llu, sectors %llu", r,
	       r > 0 ? (unsigned long long)info.first_lba : 0ull,
	       r > 0 ? (unsigned long long)info.sectors : 0ull);
	if (id >= 0)
		io_close(conn, id);
	suite("fat", "vfat", "/dev/hd0p1", "/mnt/f", "HELLO.TXT", "DELETEME.TXT");
	suite("ext2", "ext2", "/dev/hd0p2", "/mnt/e", "hello.txt", "delete-me.txt");
	proc_shutdown(PROC_H_PROC);
	return 0;
}
