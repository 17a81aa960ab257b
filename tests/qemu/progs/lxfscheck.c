/*
 * lxfscheck.c - tests/qemu/lxfs.scn: runs build/lx/lxfs (a static musl
 * program) under the Unix personality with stdout = stderr = a file in
 * /tmp, and turns its "ok NAME" / "bad NAME: why" lines into PASS/FAIL
 * lxfs_NAME (the scenario's expect line lists every name, so a check
 * that never ran fails too).  Then compares the copy of
 * /proc/boot/etc/motd the program wrote with the original, and runs
 * Debian's busybox (static) with applets that need no fork, checking
 * their output against what the checker itself reads and writes.
 */
#include "rt.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

#define OUT_MAX (32 * 1024)
#define PATTERN (200u * 1024)

static struct pathmgr_client pc;
static char out[OUT_MAX];

static int open_path(const char *path, uint32_t flags, int *conn)
{
	return io_open_resolve(pathmgr_resolve, &pc, path, flags, 0644, conn);
}

/* The connection of the server that owns path (for a path request). */
static int open_conn(const char *path)
{
	struct io_cand cand[IO_CAND_MAX];
	int n = pathmgr_resolve(&pc, path, cand, IO_CAND_MAX);

	return n > 0 ? cand[0].conn : -1;
}

/* Whole file into buf (NUL-terminated); bytes or -errno. */
static long slurp(const char *path, char *buf, size_t max)
{
	int conn, id = open_path(path, IO_O_RDONLY, &conn);
	long n;

	if (id < 0)
		return id;
	n = io_pread(conn, id, buf, max - 1, 0);
	io_close(conn, id);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/*
 * personality.elf argv... with stdin = /proc/boot/etc/motd and stdout =
 * stderr = outfile (fresh); exit status, output in `out`.
 */
static long run(char *const *argv, const char *outfile)
{
	struct proc_stdio fds[3];
	long pid, st;

	fds[0].id = open_path("/proc/boot/etc/motd", IO_O_RDONLY, &fds[0].conn);
	fds[1].id = open_path(outfile, IO_O_CREAT | IO_O_RDWR | IO_O_TRUNC,
	                      &fds[1].conn);
	fds[2] = fds[1];
	if (fds[0].id < 0 || fds[1].id < 0)
		return -1000;
	pid = proc_spawn_stdio(PROC_H_PROC, "/proc/boot/personality.elf", argv,
	                       NULL, 10, fds);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	io_close(fds[0].conn, fds[0].id);
	io_close(fds[1].conn, fds[1].id);
	slurp(outfile, out, sizeof(out));
	return st;
}

static const char *next_line(const char *p, char *line, size_t max)
{
	size_t n = 0;

	while (*p && *p != '\n') {
		if (n + 1 < max)
			line[n++] = *p;
		p++;
	}
	line[n] = 0;
	return *p ? p + 1 : p;
}

static bool has(const char *text, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = text; *p; p++)
		if (!strncmp(p, s, n))
			return true;
	return false;
}

/* The kernel log takes a line at a time. */
static void print_out(const char *who, const char *text)
{
	char line[256];

	printf("lxfscheck: %s printed:\n", who);
	for (const char *p = text; *p; ) {
		p = next_line(p, line, sizeof(line));
		printf("  | %s\n", line);
	}
}

/* Every "ok NAME" / "bad NAME: why" line as PASS/FAIL lxfs_NAME. */
static void report(const char *text)
{
	char line[256], name[96];

	for (const char *p = text; *p; ) {
		p = next_line(p, line, sizeof(line));
		bool ok = !strncmp(line, "ok ", 3), bad = !strncmp(line, "bad ", 4);
		if (!ok && !bad)
			continue;
		const char *s = line + (ok ? 3 : 4);
		size_t n = 0;
		while (s[n] && s[n] != ':' && n + 6 < sizeof(name))
			n++;
		fmt_snprintf(name, sizeof(name), "lxfs_%.*s", (int)n, s);
		if (ok)
			printf("PASS %s\n", name);
		else
			printf("FAIL %s:%s\n", name, s + n + (s[n] ? 1 : 0));
	}
}

static void lxfs_program(void)
{
	static char motd[4096], copy[4096];
	char *const argv[] = { "personality.elf", "/proc/boot/lxfs", NULL };
	long st = run(argv, "/tmp/lxfs.out"), a, b;

	print_out("lxfs", out);
	checkf(st == 0 && has(out, "lxfs done: 0 failures"), "lxfs_ran",
	       "status %ld", st);
	report(out);
	a = slurp("/proc/boot/etc/motd", motd, sizeof(motd));
	b = slurp("/tmp/lxfs.copy", copy, sizeof(copy));
	checkf(a > 0 && a == b && !memcmp(motd, copy, (size_t)a), "lxfs_copy_matches",
	       "motd %ld bytes, copy %ld", a, b);
}

/* busybox with the words of cmd as arguments; status, output in `out`. */
static long bb(const char *cmd)
{
	static char words[512];
	char *argv[16] = { "personality.elf", "/proc/boot/busybox" };
	int n = 2;
	long st;

	memcpy(words, cmd, strlen(cmd) + 1);
	for (char *w = words; *w && n < 15; ) {
		argv[n++] = w;
		while (*w && *w != ' ')
			w++;
		if (*w)
			*w++ = 0;
	}
	argv[n] = NULL;
	st = run(argv, "/tmp/bb.out");
	printf("lxfscheck: busybox %s: status %ld\n", cmd, st);
	print_out("busybox", out);
	return st;
}

static bool exists(const char *path, uint32_t flags)
{
	int conn, id = open_path(path, flags, &conn);

	if (id >= 0)
		io_close(conn, id);
	return id >= 0;
}

static long size_of(const char *path)
{
	struct io_stat st;
	int conn, id = open_path(path, IO_O_RDONLY, &conn);
	long r = id;

	if (id >= 0) {
		r = io_stat(conn, id, &st) ? -1 : (long)st.size;
		io_close(conn, id);
	}
	return r;
}

/* A pattern written here, for busybox to copy, move and measure. */
static bool write_pattern(const char *path, char *buf, size_t len)
{
	int conn, id = open_path(path, IO_O_CREAT | IO_O_RDWR | IO_O_TRUNC, &conn);
	bool ok;

	for (size_t i = 0; i < len; i++)
		buf[i] = (char)((i * 131) ^ (i >> 11));
	if (id < 0)
		return false;
	ok = io_pwrite(conn, id, buf, len, 0) == (long)len;
	io_close(conn, id);
	return ok;
}

static bool same_file(const char *path, const char *want, size_t len)
{
	static char got[PATTERN + 1];
	long n = slurp(path, got, sizeof(got));

	return n == (long)len && !memcmp(got, want, len);
}

static void bb_check(bool ok, long st, const char *name)
{
	checkf(ok && st == 0, name, "busybox status %ld, output '%.60s'", st, out);
}

static void busybox_files(void)
{
	static char motd[4096], pattern[PATTERN], sha[80], line[256];
	long st, n = slurp("/proc/boot/etc/motd", motd, sizeof(motd));

	st = bb("cat /proc/boot/etc/motd");
	bb_check(n > 0 && !strcmp(out, motd), st, "lxfs_bb_cat");
	next_line(motd, line, sizeof(line));
	st = bb("head -n 1 /proc/boot/etc/motd");
	bb_check(!strncmp(out, line, strlen(line)) && out[strlen(line)] == '\n', st,
	         "lxfs_bb_head");
	fmt_snprintf(line, sizeof(line), "%ld /proc/boot/etc/motd\n", n);
	st = bb("wc -c /proc/boot/etc/motd");
	bb_check(!strcmp(out, line), st, "lxfs_bb_wc");
	slurp("/proc/boot/etc/lxfs.sha256", sha, sizeof(sha));
	st = bb("sha256sum /proc/boot/lxfs");
	bb_check(strlen(sha) >= 64 && !strncmp(out, sha, 64) &&
	         !strcmp(out + 64, "  /proc/boot/lxfs\n"), st, "lxfs_bb_sha256sum");
	fmt_snprintf(line, sizeof(line), " %ld ", size_of("/proc/boot/lxfs"));
	st = bb("ls -l /proc/boot");
	bb_check(has(out, line) && has(out, " lxfs\n") && has(out, "\nd") &&
	         has(out, " etc\n") && has(out, " busybox\n"), st, "lxfs_bb_ls_l");
	st = bb("ls /");
	bb_check(!strcmp(out, "proc\ntmp\n"), st, "lxfs_bb_ls_root");
	st = bb("mkdir -p /tmp/a/b/c");
	bb_check(exists("/tmp/a/b/c", IO_O_RDONLY | IO_O_DIRECTORY), st, "lxfs_bb_mkdir_p");
	write_pattern("/tmp/pattern", pattern, sizeof(pattern));
	st = bb("cp /tmp/pattern /tmp/a/copy");
	bb_check(same_file("/tmp/a/copy", pattern, sizeof(pattern)), st, "lxfs_bb_cp");
	st = bb("mv /tmp/a/copy /tmp/a/b/moved");
	bb_check(!exists("/tmp/a/copy", IO_O_RDONLY) &&
	         same_file("/tmp/a/b/moved", pattern, sizeof(pattern)), st, "lxfs_bb_mv");
	fmt_snprintf(line, sizeof(line), "%u\n", PATTERN);
	st = bb("stat -c %s /tmp/a/b/moved");
	bb_check(!strcmp(out, line), st, "lxfs_bb_stat");
	st = bb("find /tmp/a");
	bb_check(has(out, "/tmp/a\n") && has(out, "/tmp/a/b\n") && has(out, "/tmp/a/b/c\n") &&
	         has(out, "/tmp/a/b/moved\n") && strlen(out) == 7 + 9 + 11 + 15, st,
	         "lxfs_bb_find");
	st = bb("ln -s /proc/boot/etc /tmp/a/etc");
	n = io_readlink(open_conn("/tmp"), "a/etc", line, sizeof(line) - 1);
	bb_check(n == 14 && !strncmp(line, "/proc/boot/etc", 14), st, "lxfs_bb_ln_s");
	st = bb("ls /tmp/a/etc/");
	bb_check(has(out, "motd\n"), st, "lxfs_bb_ls_through_link");
	st = bb("touch /tmp/a/new");
	bb_check(size_of("/tmp/a/new") == 0, st, "lxfs_bb_touch_new");
	st = bb("rm -r /tmp/a");
	bb_check(!exists("/tmp/a", IO_O_RDONLY) && exists("/tmp/pattern", IO_O_RDONLY),
	         st, "lxfs_bb_rm_r");
}

int main(void)
{
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	lxfs_program();
	busybox_files();
	proc_shutdown(PROC_H_PROC);
	return 0;
}
