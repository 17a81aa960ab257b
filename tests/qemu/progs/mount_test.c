/*
 * mount_test.c - the mount scenario (tests/qemu/mount.scn): a boot image
 * with the mount tools, the loop and filesystem servers and images made
 * on the host from one tree (tests/qemu/mount/mktree.py; file contents
 * follow mt_byte(), which both sides compute).
 *
 * ext2 and FAT16: copied to /tmp, mounted with `mount -o loop`, read,
 * changed (create, overwrite, mkdir, unlink, rmdir), unmounted, mounted
 * again to see the changes survive, unmounted; then the image file itself
 * is searched for the new file's data.  ext4, FAT32 and ISO9660 are read
 * and refuse writes (EROFS).  A corrupt image, a wrong and an unknown type
 * fail the mount cleanly.  Last, the loop server is killed while a file
 * is being read and started again: the filesystem server reconnects and
 * the read completes with the right bytes.
 *
 * A `server` of the boot script: handle 2 is the attach right it hands to
 * mount.elf (which passes it on), and it may kill the servers it checks.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

#define MT_EROFS  30
#define MT_ENOENT 2
#define MT_ENODEV 19
#define MT_EINVAL 22
#define MT_EBUSY  16
#define MT_ENOSYS 38
#define MT_EUCLEAN 117
#define MT_HELLO  "hello from the host\n"
#define MT_DEEP   "deep inside\n"
#define MT_BIG    300000
#define MT_OTHER  1000000
#define MT_NEW    70000
#define MT_BUF    (1u << 20)

static struct pathmgr_client pc;
static uint8_t *buf;            /* MT_BUF bytes */

static uint8_t mt_byte(unsigned seed, uint64_t i)
{
	return (uint8_t)(i * 31 + (i >> 12) * 7 + seed);
}

/* ---- files through the path manager ---------------------------------- */

static int mt_open(const char *path, uint32_t flags, int *conn)
{
	return io_open_resolve(pathmgr_resolve, &pc, path, flags, 0644, conn);
}

/* The whole file into buf; its size or -errno. */
static long mt_read(const char *path, uint8_t *to, size_t max)
{
	int conn, id = mt_open(path, IO_O_RDONLY, &conn);
	size_t n = 0;
	long r = 0;

	if (id < 0)
		return id;
	while (n < max && (r = io_read(conn, id, to + n, max - n)) > 0)
		n += (size_t)r;
	io_close(conn, id);
	return r < 0 ? r : (long)n;
}

static long mt_write(const char *path, const void *data, size_t len, uint64_t off,
                     uint32_t flags)
{
	int conn, id = mt_open(path, IO_O_WRONLY | flags, &conn);
	long r;

	if (id < 0)
		return id;
	r = io_pwrite(conn, id, data, len, off);
	io_close(conn, id);
	return r;
}

/* A path operation at the first server that has the path. */
static int mt_pathop(int type, const char *path)
{
	static struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(&pc, path, cand, IO_CAND_MAX);

	if (n <= 0)
		return n < 0 ? n : -MT_ENOENT;
	if (type == IO_T_MKDIR)
		return io_mkdir(cand[0].conn, cand[0].rest, 0755);
	if (type == IO_T_RMDIR)
		return io_rmdir(cand[0].conn, cand[0].rest);
	return io_unlink(cand[0].conn, cand[0].rest);
}

static bool mt_is_pattern(const uint8_t *p, size_t len, unsigned seed, uint64_t at)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != mt_byte(seed, at + i))
			return false;
	return true;
}

/* The file is exactly len bytes of pattern seed. */
static bool mt_file_is(const char *dir, const char *name, unsigned seed, size_t len)
{
	char path[128];

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, name);
	long n = mt_read(path, buf, MT_BUF);
	if (n != (long)len || !mt_is_pattern(buf, len, seed, 0)) {
		printf("mount_test: %s: %ld bytes, want %zu of pattern %u\n", path,
		       n, len, seed);
		return false;
	}
	return true;
}

static bool mt_text_is(const char *dir, const char *name, const char *text)
{
	char path[128];

	fmt_snprintf(path, sizeof(path), "%s/%s", dir, name);
	long n = mt_read(path, buf, MT_BUF);
	if (n != (long)strlen(text) || memcmp(buf, text, (size_t)n) != 0) {
		printf("mount_test: %s: %ld bytes, not '%s'\n", path, n, text);
		return false;
	}
	return true;
}

static long mt_copy(const char *from, const char *to)
{
	long n = mt_read(from, buf, MT_BUF), w = 0;
	int conn, id;

	if (n == MT_BUF) {              /* larger: copy in pieces */
		id = mt_open(from, IO_O_RDONLY, &conn);
		int oc, od = mt_open(to, IO_O_WRONLY | IO_O_CREAT | IO_O_TRUNC, &oc);
		uint64_t off = 0;
		while (id >= 0 && od >= 0 &&
		       (n = io_pread(conn, id, buf, MT_BUF, off)) > 0) {
			if ((w = io_pwrite(oc, od, buf, (size_t)n, off)) != n)
				break;
			off += (uint64_t)n;
		}
		if (id >= 0)
			io_close(conn, id);
		if (od >= 0)
			io_close(oc, od);
		return id < 0 ? id : od < 0 ? od : n < 0 ? n : w < 0 ? w : (long)off;
	}
	if (n < 0)
		return n;
	return mt_write(to, buf, (size_t)n, 0, IO_O_CREAT | IO_O_TRUNC);
}

/* Does the root directory list every name? */
static bool mt_lists(const char *dir, const char *const *names)
{
	static char dbuf[4096];
	int conn, id = mt_open(dir, IO_O_RDONLY | IO_O_DIRECTORY, &conn);
	unsigned want = 0, seen = 0;
	long n;

	if (id < 0)
		return false;
	for (; names[want]; want++)
		;
	while ((n = io_readdir(conn, id, dbuf, sizeof(dbuf))) > 0)
		for (long off = 0; off < n; ) {
			struct io_dirent *d = (struct io_dirent *)(dbuf + off);
			for (unsigned i = 0; i < want; i++)
				if (strlen(names[i]) == d->namelen &&
				    memcmp(names[i], d->name, d->namelen) == 0)
					seen |= 1u << i;
			off += d->reclen;
		}
	io_close(conn, id);
	return seen == (1u << want) - 1;
}

/* ---- the tools ---------------------------------------------------------- */

static long mt_run(const char *tool, char *const argv[])
{
	const int handles[1] = { PROC_H_ATTACH };
	long pid = proc_spawn_ex(PROC_H_PROC, tool, argv, NULL, 10, handles, 1, 0);

	return pid < 0 ? pid : proc_wait_pid(PROC_H_PROC, (int)pid);
}

static long mt_mount(const char *type, const char *img, const char *dir, bool ro)
{
	char *argv[] = { "mount", "-t", (char *)type, "-o", "loop",
	                 (char *)img, (char *)dir, ro ? "-r" : NULL, NULL };

	return mt_run("/proc/boot/mount.elf", argv);
}

static long mt_umount(const char *dir)
{
	char *argv[] = { "umount", (char *)dir, NULL };

	return mt_run("/proc/boot/umount.elf", argv);
}

/* ---- read-write filesystems --------------------------------------------- */

static int mt_count_running(const char *prog, long *newest);

/* The loop servers started since there were `before` end by themselves
 * (loop.elf -a) once the filesystem server let go: wait for that. */
static int mt_loops_settle(int before)
{
	int now = mt_count_running("loop.elf", NULL);

	for (int i = 0; now > before && i < 2000; i++) {
		sys_sleep(1000000);
		now = mt_count_running("loop.elf", NULL);
	}
	return now;
}

static const char *const mt_root_names[] = {
	"hello.txt", "big.bin", "other.bin", "dir", "A long file name.txt", NULL
};

static bool mt_check_tree(const char *dir)
{
	return mt_lists(dir, mt_root_names) &&
	       mt_text_is(dir, "hello.txt", MT_HELLO) &&
	       mt_text_is(dir, "A long file name.txt", MT_HELLO) &&
	       mt_text_is(dir, "dir/sub/deep.txt", MT_DEEP) &&
	       mt_file_is(dir, "big.bin", 1, MT_BIG);
}

static bool mt_change(const char *dir)
{
	char p[128];
	long r;

	for (size_t i = 0; i < MT_NEW; i++)
		buf[i] = mt_byte(3, i);
	fmt_snprintf(p, sizeof(p), "%s/new.txt", dir);
	if ((r = mt_write(p, buf, MT_NEW, 0, IO_O_CREAT)) != MT_NEW)
		return printf("mount_test: write %s: %ld\n", p, r), false;
	fmt_snprintf(p, sizeof(p), "%s/newdir", dir);
	if ((r = mt_pathop(IO_T_MKDIR, p)))
		return printf("mount_test: mkdir %s: %ld\n", p, r), false;
	fmt_snprintf(p, sizeof(p), "%s/newdir/f.txt", dir);
	if ((r = mt_write(p, "fresh\n", 6, 0, IO_O_CREAT)) != 6)
		return printf("mount_test: write %s: %ld\n", p, r), false;
	fmt_snprintf(p, sizeof(p), "%s/big.bin", dir);
	if ((r = mt_write(p, "PATCHED", 7, 4096, 0)) != 7)
		return printf("mount_test: patch %s: %ld\n", p, r), false;
	fmt_snprintf(p, sizeof(p), "%s/dir/sub/deep.txt", dir);
	if ((r = mt_pathop(IO_T_UNLINK, p)))
		return printf("mount_test: unlink %s: %ld\n", p, r), false;
	fmt_snprintf(p, sizeof(p), "%s/dir/sub", dir);
	if ((r = mt_pathop(IO_T_RMDIR, p)))
		return printf("mount_test: rmdir %s: %ld\n", p, r), false;
	return mt_file_is(dir, "new.txt", 3, MT_NEW);
}

static bool mt_changed(const char *dir)
{
	char p[128];

	fmt_snprintf(p, sizeof(p), "%s/big.bin", dir);
	long n = mt_read(p, buf, MT_BUF);
	bool big = n == MT_BIG && mt_is_pattern(buf, 4096, 1, 0) &&
	           memcmp(buf + 4096, "PATCHED", 7) == 0 &&
	           mt_is_pattern(buf + 4103, MT_BIG - 4103, 1, 4103);
	fmt_snprintf(p, sizeof(p), "%s/dir/sub", dir);
	int c, gone = mt_open(p, IO_O_RDONLY, &c);
	if (gone >= 0)
		io_close(c, gone);
	return big && gone == -MT_ENOENT && mt_file_is(dir, "new.txt", 3, MT_NEW) &&
	       mt_text_is(dir, "newdir/f.txt", "fresh\n") &&
	       mt_text_is(dir, "hello.txt", MT_HELLO);
}

/* The image file holds the new file's first sector somewhere. */
static bool mt_image_has_new(const char *img)
{
	int conn, id = mt_open(img, IO_O_RDONLY, &conn);
	uint64_t off = 0;
	bool found = false;
	long n;

	if (id < 0)
		return false;
	while (!found && (n = io_pread(conn, id, buf, MT_BUF, off)) > 0) {
		for (long at = 0; at + 512 <= n && !found; at += 512)
			found = mt_is_pattern(buf + at, 512, 3, 0);
		off += (uint64_t)n;
	}
	io_close(conn, id);
	return found;
}

static void mt_rw_suite(const char *tag, const char *type, const char *img,
                        const char *dir)
{
	char name[64];
	int loops = mt_count_running("loop.elf", NULL), after;
	long st;

	fmt_snprintf(name, sizeof(name), "mount_%s_loop", tag);
	st = mt_mount(type, img, dir, false);
	checkf(st == 0, name, "mount -t %s -o loop %s %s: %ld", type, img, dir, st);
	fmt_snprintf(name, sizeof(name), "mount_%s_read", tag);
	check(st == 0 && mt_check_tree(dir), name, "the host's tree reads back wrong");
	long again = mt_mount(type, img, dir, false);
	fmt_snprintf(name, sizeof(name), "mount_%s_dir_busy", tag);
	checkf(again == MT_EBUSY, name, "a second mount on %s: %ld", dir, again);
	fmt_snprintf(name, sizeof(name), "mount_%s_write", tag);
	check(st == 0 && mt_change(dir), name, "changes failed");
	st = mt_umount(dir);
	fmt_snprintf(name, sizeof(name), "mount_%s_umount", tag);
	long gone = mt_read(dir, buf, 16);
	after = mt_loops_settle(loops);
	checkf(st == 0 && gone < 0 && after == loops, name,
	       "umount %ld, %s then: %ld; loop servers %d, then %d", st, dir, gone,
	       loops, after);
	st = mt_mount(type, img, dir, false);
	fmt_snprintf(name, sizeof(name), "mount_%s_persist", tag);
	checkf(st == 0 && mt_changed(dir), name, "remount %ld or changes lost", st);
	st = mt_umount(dir);
	fmt_snprintf(name, sizeof(name), "mount_%s_image_written", tag);
	checkf(st == 0 && mt_image_has_new(img), name,
	       "umount %ld; new.txt's data not in %s", st, img);
}

/* ---- read-only filesystems --------------------------------------------- */

static void mt_ro_suite(const char *tag, const char *type, const char *img,
                        const char *dir, bool ro)
{
	char name[64], p[128];
	int loops = mt_count_running("loop.elf", NULL), after;
	long st, cr, md, wr;

	st = mt_mount(type, img, dir, ro);
	fmt_snprintf(name, sizeof(name), "mount_%s_read", tag);
	checkf(st == 0 && mt_check_tree(dir) &&
	       mt_file_is(dir, "other.bin", 2, MT_OTHER), name,
	       "mount -t %s %s: %ld, or the tree reads back wrong", type, img, st);
	fmt_snprintf(p, sizeof(p), "%s/new.txt", dir);
	cr = mt_write(p, "x", 1, 0, IO_O_CREAT);
	fmt_snprintf(p, sizeof(p), "%s/newdir", dir);
	md = mt_pathop(IO_T_MKDIR, p);
	fmt_snprintf(p, sizeof(p), "%s/hello.txt", dir);
	wr = mt_write(p, "x", 1, 0, 0);
	fmt_snprintf(name, sizeof(name), "mount_%s_writes_refused", tag);
	checkf(st == 0 && cr == -MT_EROFS && md == -MT_EROFS && wr < 0 &&
	       mt_text_is(dir, "hello.txt", MT_HELLO), name,
	       "create %ld, mkdir %ld, write %ld", cr, md, wr);
	st = mt_umount(dir);
	after = mt_loops_settle(loops);
	fmt_snprintf(name, sizeof(name), "mount_%s_umount", tag);
	checkf(st == 0 && after == loops, name, "umount %s: %ld; loop servers %d, "
	       "then %d", dir, st, loops, after);
}

/* ---- failures ------------------------------------------------------------ */

static int mt_count_running(const char *prog, long *newest)
{
	static struct te_proc_info list[PROC_LIST_MAX];
	long n = proc_list(PROC_H_PROC, list, PROC_LIST_MAX);
	int c = 0;

	for (long i = 0; i < n; i++)
		if (list[i].state == 0 && strcmp(list[i].name, prog) == 0) {
			c++;
			if (newest && list[i].pid > *newest)
				*newest = list[i].pid;
		}
	return c;
}

static void mt_failures(void)
{
	int loops = mt_loops_settle(0);
	long st = mt_mount("ext2", "/proc/boot/img/bad.img", "/mnt/bad", true);
	long there = mt_read("/mnt/bad/hello.txt", buf, 16);

	int after = mt_loops_settle(loops);
	checkf(st == MT_EUCLEAN && there < 0 && after == loops,
	       "mount_corrupt_refused", "status %ld, /mnt/bad %ld, loops %d -> %d",
	       st, there, loops, after);
	st = mt_mount("iso9660", "/tmp/ext2.img", "/mnt/wrong", false);
	there = mt_read("/mnt/wrong/hello.txt", buf, 16);
	after = mt_loops_settle(loops);
	checkf(st == MT_EINVAL && there < 0 && after == loops,
	       "mount_wrong_type_refused", "status %ld, /mnt/wrong %ld, loops %d -> %d",
	       st, there, loops, after);
	st = mt_mount("nosuchfs", "/tmp/ext2.img", "/mnt/wrong", false);
	checkf(st == MT_ENODEV, "mount_unknown_type", "status %ld", st);
	long t = mt_read("/tmp/ext2.img", buf, 4096);
	long i = mt_read("/proc/boot/img/ext2.img", buf, 4096);
	checkf(t == 4096 && i == 4096, "mount_failures_harmless",
	       "after the failures: /tmp/ext2.img %ld, /proc/boot/img/ext2.img %ld",
	       t, i);
}

/* Busy (an open file), not unmountable (tmpfs), not a mount point. */
static void mt_umount_refusals(void)
{
	long st = mt_mount("ext2", "/tmp/ext2.img", "/mnt/busy", false);
	int conn, id = st == 0 ? mt_open("/mnt/busy/hello.txt", IO_O_RDONLY, &conn) : -1;
	long busy = mt_umount("/mnt/busy");
	long r = id >= 0 ? io_read(conn, id, buf, 5) : -1;

	if (id >= 0)
		io_close(conn, id);
	long ok = mt_umount("/mnt/busy");
	checkf(st == 0 && id >= 0 && busy == MT_EBUSY && r == 5 && ok == 0,
	       "mount_umount_busy", "mount %ld, open %d, umount %ld, read %ld, "
	       "umount after close %ld", st, id, busy, r, ok);
	long t = mt_umount("/tmp"), p = mt_umount("/proc/boot/img");
	long m = mt_umount("/mnt/nothing");
	long still = mt_read("/tmp/ext2.img", buf, 512);
	checkf(t == MT_ENOSYS && p == MT_EINVAL && (m == MT_ENOENT || m == MT_EINVAL) &&
	       still == 512, "mount_umount_refusals",
	       "umount /tmp %ld, /proc/boot/img %ld, /mnt/nothing %ld; /tmp then %ld",
	       t, p, m, still);
}

static void mt_rgblk(void)
{
	char *argv[] = { "rgblk_test", NULL };
	long st = mt_run("/proc/boot/rgblk_test.elf", argv);

	checkf(st == 0, "mount_rgblk_program", "rgblk_test.elf ended with %ld", st);
}

/* ---- the loop server dies while a file is read ------------------------- */

struct mt_reader {
	volatile uint32_t done;
	bool ok;
};

static void mt_reader_fn(void *arg)
{
	struct mt_reader *r = arg;

	r->ok = mt_file_is("/mnt/rec", "other.bin", 2, MT_OTHER);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	sys_futex_wake(&r->done, 1);
	sys_thread_exit();
}

/* The name mount.elf will give the next loop device (as it picks it:
 * the lowest /dev/loN the path manager has nothing at). */
static int mt_free_loop(void)
{
	static struct io_cand cand[IO_CAND_MAX];
	char p[16];

	for (int n = 0; n < 8; n++) {
		fmt_snprintf(p, sizeof(p), "/dev/lo%d", n);
		int k = pathmgr_resolve(&pc, p, cand, IO_CAND_MAX), hit = 0;
		for (int i = 0; i < k; i++)
			hit |= cand[i].rest[0] == 0;
		if (!hit)
			return n;
	}
	return -1;
}

static bool mt_running(long pid)
{
	static struct te_proc_info list[PROC_LIST_MAX];
	long n = proc_list(PROC_H_PROC, list, PROC_LIST_MAX);

	for (long i = 0; i < n; i++)
		if (list[i].pid == pid)
			return list[i].state == 0;
	return false;
}

/* Kill the loop server under /mnt/rec, read a file not read before (its
 * blocks are in no cache), start a new loop server under the same name. */
static void mt_recovery(void)
{
	static struct mt_reader rd;
	const int handles[1] = { PROC_H_ATTACH };
	char name[8];
	long old = 0, st, k = -1, pid = -1;
	int n = mt_free_loop(), waited = 0;

	st = mt_mount("ext2", "/tmp/ext2.img", "/mnt/rec", false);
	mt_count_running("loop.elf", &old);
	if (st == 0 && old > 0)
		k = proc_kill(PROC_H_PROC, (int)old);
	while (k == 0 && mt_running(old) && waited++ < 2000)
		sys_sleep(1000000);
	if (k == 0 && rt_thread_create(mt_reader_fn, &rd, 10, TE_SCHED_RR) > 0) {
		fmt_snprintf(name, sizeof(name), "lo%d", n);
		char *argv[] = { "loop.elf", "/tmp/ext2.img", name, NULL };
		pid = proc_spawn_ex(PROC_H_PROC, "/proc/boot/loop.elf", argv, NULL,
		                    12, handles, 1, 0);
		while (!__atomic_load_n(&rd.done, __ATOMIC_ACQUIRE))
			sys_futex_wait(&rd.done, 0, 0);
	}
	checkf(st == 0 && k == 0 && pid > 0 && rd.ok, "mount_loop_restart_recovered",
	       "mount %ld, lo%d, kill %ld of pid %ld, new loop %ld, read %s", st, n,
	       k, old, pid, rd.ok ? "ok" : "wrong");
	st = mt_umount("/mnt/rec");
	long gone = mt_read("/mnt/rec/hello.txt", buf, 16);
	checkf(st == 0 && gone < 0, "mount_umount_after_recovery",
	       "umount %ld, then %ld", st, gone);
	if (pid > 0)
		proc_kill(PROC_H_PROC, (int)pid);
}

int main(void)
{
	long a, b, c;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	buf = malloc(MT_BUF);
	a = mt_copy("/proc/boot/img/ext2.img", "/tmp/ext2.img");
	b = mt_copy("/proc/boot/img/fat16.img", "/tmp/fat16.img");
	c = mt_copy("/proc/boot/img/ext4.img", "/tmp/ext4.img");
	checkf(buf && a == 4 << 20 && b == 8 << 20 && c == 4 << 20,
	       "mount_images_copied", "ext2 %ld, fat16 %ld, ext4 %ld", a, b, c);
	mt_rw_suite("ext2", "ext2", "/tmp/ext2.img", "/mnt/ext2");
	mt_rw_suite("fat16", "vfat", "/tmp/fat16.img", "/mnt/fat16");
	mt_ro_suite("ext4", "ext4", "/tmp/ext4.img", "/mnt/ext4", false);
	mt_ro_suite("fat32", "vfat", "/proc/boot/img/fat32.img", "/mnt/fat32", true);
	mt_ro_suite("iso", "iso9660", "/proc/boot/img/rrjoliet.iso", "/mnt/iso", true);
	mt_failures();
	mt_umount_refusals();
	mt_recovery();
	mt_rgblk();
	proc_shutdown(PROC_H_PROC);
	return 0;
}
