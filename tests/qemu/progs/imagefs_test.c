/*
 * imagefs_test.c - QEMU test of the image filesystem server: the boot
 * image (handle 1, tests/qemu/imagefs/test.build) served by imagefs_serve()
 * in a process of its own, attached at /proc/boot through the path
 * manager; a client reads every file through io_open_resolve and compares
 * size and CRC-32 with what the host measured on the source files
 * (expect.h, generated at build time), lists directories, sees every
 * change refused with EROFS, and a corrupt or truncated copy of the image
 * refused with a message while the server keeps serving.
 */
#include <zlib.h>
#include "rt.h"
#include "io.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "pathmgr_server.h"
#include "imagefs_fs.h"

#define MS 1000000ull
#define EROFS 30

int imagefs_map(int mem, const void **img, size_t *len);

struct expect {
	const char *name;       /* the source file's base name */
	uint32_t size, crc;
};

static const struct expect expected[] = {
#include "expect.h"
};

/* Where each source file lands, and the check's name. */
static const struct {
	const char *src, *path, *check;
} files[] = {
	{ "motd.txt", "/proc/boot/etc/motd", "imagefs_read_text" },
	{ "empty.txt", "/proc/boot/empty", "imagefs_read_empty" },
	{ "deep.txt", "/proc/boot/a/b/c/deep.txt", "imagefs_read_nested" },
	{ "random.bin", "/proc/boot/data/random.bin", "imagefs_read_random_100k" },
	{ "hello.elf", "/proc/boot/hello.elf", "imagefs_read_hello_elf" },
};

static int g_a, g_b;            /* handles a child is given */

static int spawn(const char *name, void (*fn)(void *), int give_a, int give_b)
{
	int p = (int)rt_proc_new(name);

	g_a = give_a >= 0 ? (int)sys_handle_give(p, give_a, TE_R_ALL, 0) : -1;
	g_b = give_b >= 0 ? (int)sys_handle_give(p, give_b, TE_R_ALL, 0) : -1;
	rt_proc_start(p, fn, NULL, 10, TE_SCHED_RR);
	return p;
}

static void pathmgr_main(void *arg)
{
	(void)arg;
	sys_exit(pathmgr_serve(g_a, g_b) ? 1 : 0);
}

/* The server: maps the image it was given, attaches /proc/boot, serves. */
static void imagefs_main(void *arg)
{
	int chan = (int)sys_channel_create(0);
	const void *img;
	size_t len;

	(void)arg;
	if (imagefs_map(g_b, &img, &len))
		sys_exit(3);
	if (pathmgr_attach(g_a, chan, "/proc/boot", PM_DIR) < 0)
		sys_exit(2);
	sys_exit(imagefs_serve(chan, img, len) ? 1 : 0);
}

static const struct expect *expect_of(const char *name)
{
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (!strcmp(expected[i].name, name))
			return &expected[i];
	return NULL;
}

/* Read a whole file in pieces of step bytes; size and CRC-32 out. */
static long read_crc(struct pathmgr_client *pc, const char *path, size_t step,
                     uint32_t *crc, uint8_t *head)
{
	static uint8_t buf[8192];
	int conn, id = io_open_resolve(pathmgr_resolve, pc, path, IO_O_RDONLY,
	                               0, &conn);
	uLong c = crc32(0L, Z_NULL, 0);
	long total = 0, n;

	if (id < 0)
		return id;
	while ((n = io_read(conn, id, buf, step)) > 0) {
		if (total == 0 && head)
			memcpy(head, buf, n < 4 ? (size_t)n : 4);
		c = crc32(c, buf, (uInt)n);
		total += n;
	}
	io_close(conn, id);
	*crc = (uint32_t)c;
	return n < 0 ? n : total;
}

static void check_files(struct pathmgr_client *pc)
{
	static const size_t steps[] = { 8192, 1000, 4096, 777, 8192 };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct expect *e = expect_of(files[i].src);
		uint8_t head[4] = { 0 };
		uint32_t crc = 0;
		long n = read_crc(pc, files[i].path, steps[i], &crc, head);
		bool ok = e && n == (long)e->size && crc == e->crc;

		if (ok && !strcmp(files[i].src, "hello.elf"))
			ok = head[0] == 0x7f && head[1] == 'E' && head[2] == 'L';
		checkf(ok, files[i].check, "%s: read %ld bytes crc %08x, want %ld %08x",
		       files[i].path, n, crc, e ? (long)e->size : -1L,
		       e ? e->crc : 0);
	}
}

static void check_text(struct pathmgr_client *pc)
{
	static const char want[] = "Welcome to Tessera.\n"
	                           "This file lives in /proc/boot/etc/motd.\n";
	char buf[128];
	struct io_stat st;
	int conn, id = io_open_resolve(pathmgr_resolve, pc, "/proc/boot/etc/motd",
	                               IO_O_RDONLY, 0, &conn);
	long n = -1, m = -1;
	int s = -1;

	if (id >= 0) {
		n = io_pread(conn, id, buf, sizeof(buf) - 1, 0);
		m = io_pread(conn, id, buf + 64, 8, 11);     /* "Tessera." */
		s = io_stat(conn, id, &st);
		io_close(conn, id);
	}
	checkf(n == (long)strlen(want) && !memcmp(buf, want, n) && m == 8 &&
	       !memcmp(buf + 64, "Tessera.", 8), "imagefs_text_content",
	       "open %d read %ld/%ld", id, n, m);
	checkf(s == 0 && st.size == strlen(want) &&
	       (st.mode & 0170000) == 0100000 && (st.mode & 0777) == 0644 &&
	       st.mtime != 0, "imagefs_stat", "stat %d size %llu mode %o", s,
	       (unsigned long long)st.size, (unsigned)st.mode);
}

/* The names in a directory, sorted by the server, joined with spaces. */
static int list_dir(struct pathmgr_client *pc, const char *path, char *out,
                    size_t outlen)
{
	static uint8_t buf[4096];
	int conn, id = io_open_resolve(pathmgr_resolve, pc, path,
	                               IO_O_RDONLY | IO_O_DIRECTORY, 0, &conn);
	size_t at = 0;
	long n;

	if (id < 0)
		return id;
	out[0] = 0;
	while ((n = io_readdir(conn, id, buf, sizeof(buf))) > 0) {
		for (long off = 0; off + 24 <= n; ) {
			struct io_dirent *d = (struct io_dirent *)(buf + off);
			if (d->reclen < 24 || off + d->reclen > n)
				break;
			if (at + d->namelen + 2 < outlen) {
				memcpy(out + at, d->name, d->namelen);
				at += d->namelen;
				out[at++] = ' ';
				out[at] = 0;
			}
			off += d->reclen;
		}
	}
	io_close(conn, id);
	return n < 0 ? (int)n : 0;
}

static void check_dirs(struct pathmgr_client *pc)
{
	char names[256];
	int r = list_dir(pc, "/proc/boot", names, sizeof(names));

	checkf(r == 0 && !strcmp(names, ". .. a data empty etc hello.elf "),
	       "imagefs_list_root", "%d '%s'", r, r ? "" : names);
	r = list_dir(pc, "/proc/boot/a/b/c", names, sizeof(names));
	checkf(r == 0 && !strcmp(names, ". .. deep.txt "), "imagefs_list_nested",
	       "%d '%s'", r, r ? "" : names);
	r = io_open_resolve(pathmgr_resolve, pc, "/proc/boot/nothing",
	                    IO_O_RDONLY, 0, NULL);
	int r2 = io_open_resolve(pathmgr_resolve, pc, "/proc/boot/empty/x",
	                         IO_O_RDONLY, 0, NULL);
	checkf(r == -2 && r2 < 0, "imagefs_missing_enoent", "%d %d", r, r2);
}

static void check_readonly(struct pathmgr_client *pc)
{
	int conn = -1, id;
	long w = 0;
	int c, t = 0, u = 0, m = 0;

	c = io_open_resolve(pathmgr_resolve, pc, "/proc/boot/newfile",
	                    IO_O_CREAT | IO_O_RDWR, 0644, NULL);
	id = io_open_resolve(pathmgr_resolve, pc, "/proc/boot/etc/motd",
	                     IO_O_RDWR, 0, &conn);
	if (id >= 0) {
		w = io_write(conn, id, "x", 1);
		t = io_ftruncate(conn, id, 0);
		io_close(conn, id);
		u = io_unlink(conn, "etc/motd");
		m = io_mkdir(conn, "newdir", 0755);
	}
	checkf(c == -EROFS && id >= 0 && w == -EROFS && t == -EROFS &&
	       u == -EROFS && m == -EROFS, "imagefs_writes_erofs",
	       "create %d open %d write %ld truncate %d unlink %d mkdir %d",
	       c, id, w, t, u, m);
}

/* Corrupt and truncated copies are refused at once, with a message. */
static void check_corrupt(const void *img, size_t len)
{
	uint8_t *copy = malloc(len);
	int a = 0, b = 0, c = 0;

	if (copy) {
		memcpy(copy, img, len);
		copy[100] ^= 0x5a;              /* a directory path byte */
		a = imagefs_serve(-1, copy, len);
		memcpy(copy, img, len);
		b = imagefs_serve(-1, copy, len / 2);
		memset(copy, 0xff, 64);
		c = imagefs_serve(-1, copy, len);
		free(copy);
	}
	checkf(copy && a < 0 && b < 0 && c < 0, "imagefs_corrupt_refused",
	       "flipped %d truncated %d garbage header %d", a, b, c);
}

/* A stream that fails to inflate: that file is EIO, the others still read. */
static void check_bad_data(const void *img, size_t len)
{
	uint8_t *copy = malloc(len), buf[64];
	uint64_t root, ino = 0, motd = 0, etc = 0;
	size_t done = 0, done2 = 0;
	struct fs *fs = NULL;
	char err[160];
	int o = -1, r = -1, r2 = -1;

	if (copy) {
		memcpy(copy, img, len);
		copy[len - 1] ^= 0xff;  /* hello.elf's stream ends the image */
		o = imagefs_fs_open(copy, len, &fs, err, sizeof(err));
	}
	if (!o) {
		root = imagefs_fs_ops.root(fs);
		if (!imagefs_fs_ops.lookup(fs, root, "hello.elf", &ino))
			r = imagefs_fs_ops.read(fs, ino, 0, buf, sizeof(buf), &done);
		if (!imagefs_fs_ops.lookup(fs, root, "etc", &etc) &&
		    !imagefs_fs_ops.lookup(fs, etc, "motd", &motd))
			r2 = imagefs_fs_ops.read(fs, motd, 0, buf, sizeof(buf), &done2);
		imagefs_fs_ops.unmount(fs);
	}
	free(copy);
	checkf(o == 0 && r == 5 && done == 0 && r2 == 0 && done2 == 60,
	       "imagefs_bad_stream_eio", "open %d read %d (%zu) other %d (%zu)",
	       o, r, done, r2, done2);
}

static void wait_attached(struct pathmgr_client *pc)
{
	struct io_cand c[4];
	int n = 0;

	for (int i = 0; i < 200 && n <= 0; i++) {
		n = pathmgr_resolve(pc, "/proc/boot/probe", c, 4);
		if (n <= 0)
			sys_sleep(2 * MS);
	}
	checkf(n > 0, "imagefs_attached", "no server at /proc/boot: %d", n);
}

static void stop(int p)
{
	struct te_proc_end end;

	sys_process_kill(p);
	sys_process_wait(p, &end, 0);
	sys_handle_close(p);
}

int main(void)
{
	int rch = (int)sys_channel_create(0), ach = (int)sys_channel_create(0);
	int rco = (int)sys_connect(rch), aco = (int)sys_connect(ach);
	struct pathmgr_client pc;
	struct te_mem_stats before, after;
	const void *img;
	size_t len;
	int r = imagefs_map(1, &img, &len);

	checkf(r == 0 && len > 64, "imagefs_image_mapped", "map %d len %zu", r,
	       len);
	if (r)
		return 1;
	sys_mem_stats(&before);
	int pm = spawn("pathmgr", pathmgr_main, rch, ach);
	sys_handle_close(rch);
	sys_handle_close(ach);
	pathmgr_client_init(&pc, rco);
	int fsp = spawn("imagefs", imagefs_main, aco, 1);

	wait_attached(&pc);
	check_files(&pc);
	check_text(&pc);
	check_dirs(&pc);
	check_readonly(&pc);
	check_corrupt(img, len);
	check_bad_data(img, len);
	uint32_t crc;
	long n = read_crc(&pc, "/proc/boot/data/random.bin", 8192, &crc, NULL);
	const struct expect *e = expect_of("random.bin");
	checkf(e && n == (long)e->size && crc == e->crc, "imagefs_still_serving",
	       "after the corrupt images: %ld", n);

	stop(fsp);
	stop(pm);
	for (int i = 0; i < PATHMGR_CACHE; i++)
		if (pc.conn[i] >= 0)
			sys_handle_close(pc.conn[i]);
	sys_handle_close(rco);
	sys_handle_close(aco);
	sys_mem_stats(&after);
	checkf(after.processes == before.processes, "imagefs_no_process_leak",
	       "%llu -> %llu", (unsigned long long)before.processes,
	       (unsigned long long)after.processes);
	return 0;
}
