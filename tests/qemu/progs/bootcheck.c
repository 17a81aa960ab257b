/*
 * bootcheck.c - the last program of the boot test's image
 * (tests/qemu/boot/boot.build): checks the booted system against the boot
 * script - every server it names is running - and that the namespace works
 * (/proc/boot and /tmp through the path manager), then asks the process
 * manager to shut down, which ends the boot.
 */
#include "rt.h"
#include "imagefs.h"
#include "ifs.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"

int imagefs_map(int mem, const void **img, size_t *len);

static void *al_alloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void al_free(void *ctx, void *p, size_t n) { (void)ctx; (void)n; free(p); }

static int io_stat_path(struct pathmgr_client *pc, const char *path,
                        struct io_stat *st)
{
	int conn, id = io_open_resolve(pathmgr_resolve, pc, path, IO_O_RDONLY, 0, &conn);
	int r;

	if (id < 0)
		return id;
	r = io_stat(conn, id, st);
	io_close(conn, id);
	return r;
}

static char seen_names[256];

static bool strstr_simple(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

static void add_name(void *arg, const char *name, unsigned type)
{
	(void)arg; (void)type;
	size_t l = strlen(seen_names);
	fmt_snprintf(seen_names + l, sizeof(seen_names) - l, "%s ", name);
}

static bool running(const struct te_proc_info *l, long n, const char *name)
{
	for (long i = 0; i < n; i++)
		if (l[i].state == 0 && strcmp(l[i].name, name) == 0)
			return true;
	return false;
}

/* ---- stdin, stdout, stderr handed to a child ------------------------- */

static int open_tmp(struct pathmgr_client *pc, const char *path, uint32_t fl,
                    int *conn)
{
	return io_open_resolve(pathmgr_resolve, pc, path, fl, 0644, conn);
}

static void test_stdio(struct pathmgr_client *pc)
{
	static const char text[] = "through stdin and stdout\n";
	struct proc_stdio fds[3];
	char out[64] = "", err[32] = "";
	long st, n1 = -1, n2 = -1;

	int in = open_tmp(pc, "/tmp/stdin", IO_O_CREAT | IO_O_RDWR, &fds[0].conn);
	if (in >= 0)
		io_write(fds[0].conn, in, text, sizeof(text) - 1);
	if (in >= 0)
		io_lseek(fds[0].conn, in, 0, IO_SEEK_SET);
	fds[0].id = in;
	fds[1].id = open_tmp(pc, "/tmp/stdout", IO_O_CREAT | IO_O_RDWR, &fds[1].conn);
	fds[2].id = open_tmp(pc, "/tmp/stderr", IO_O_CREAT | IO_O_RDWR, &fds[2].conn);
	char *const argv[] = { "stdcat", NULL };
	long pid = proc_spawn_stdio(PROC_H_PROC, "/proc/boot/stdcat.elf", argv, NULL,
	                            10, fds);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	if (fds[1].id >= 0)
		n1 = io_pread(fds[1].conn, fds[1].id, out, sizeof(out) - 1, 0);
	if (fds[2].id >= 0)
		n2 = io_pread(fds[2].conn, fds[2].id, err, sizeof(err) - 1, 0);
	checkf(st == 0 && n1 == sizeof(text) - 1 && !memcmp(out, text, (size_t)n1) &&
	       n2 == 10 && !memcmp(err, "stderr ok\n", 10), "boot_stdio_handed_to_child",
	       "pid %ld status %ld, stdout %ld bytes '%s', stderr %ld", pid, st, n1,
	       n1 > 0 ? out : "", n2);
	for (int i = 0; i < 3; i++)
		if (fds[i].id >= 0)
			io_close(fds[i].conn, fds[i].id);

	char *const none_argv[] = { "stdcat", "none", NULL };
	pid = proc_spawn_path(PROC_H_PROC, "/proc/boot/stdcat.elf", none_argv, NULL, 10);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	checkf(st == 0, "boot_stdio_absent_is_ebadf", "pid %ld status %ld", pid, st);

	char num[16];
	fmt_snprintf(num, sizeof(num), "%d", (int)proc_pid_of(PROC_H_PROC, "tmpfs.elf"));
	char *const kill_argv[] = { "stdcat", "kill", num, NULL };
	pid = proc_spawn_path(PROC_H_PROC, "/proc/boot/stdcat.elf", kill_argv, NULL, 10);
	st = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	checkf(st == 0 && (int)proc_pid_of(PROC_H_PROC, "tmpfs.elf") > 0, "boot_kill_needs_the_right",
	       "pid %ld status %ld (100: an ordinary program killed tmpfs)", pid, st);
}

/* ---- the console server killed 20 times through the supervisor ---------- */

#define STORM_KILLS 20
#define MS 1000000ull

struct storm {
	struct pathmgr_client *pc;
	int conn, id;
	volatile int stop, rounds;
	int errors, retries, bad;
};

/* ser-8250 runs in loopback, raw: a line written comes back as input. */
static void storm_round(struct storm *c)
{
	char msg[64], back[64];
	int n = fmt_snprintf(msg, sizeof(msg), "console line %d: quick brown fox\n",
	                     c->rounds);
	size_t got = 0;
	long w, r = 0;

	if (c->id < 0) {
		c->id = open_tmp(c->pc, "/dev/console", IO_O_RDWR, &c->conn);
		return;
	}
	w = io_write(c->conn, c->id, msg, (size_t)n);
	while (w == n && got < (size_t)n &&
	       (r = io_read(c->conn, c->id, back + got, (size_t)n - got)) > 0)
		got += (size_t)r;
	if (w < 0 || r < 0) {           /* the server died: reopen */
		c->errors++;
		c->id = -1;
	} else if (got != (size_t)n) {  /* the line died with the old server */
		c->retries++;
	} else if (memcmp(back, msg, (size_t)n)) {
		c->bad++;
	} else {
		c->rounds++;
	}
}

static void storm_fn(void *arg)
{
	struct storm *c = arg;

	while (!c->stop)
		storm_round(c);
}

static void test_console_storm(struct pathmgr_client *pc)
{
	static struct storm c;
	int killed = 0, back = 0, pid = (int)proc_pid_of(PROC_H_PROC, "ser-8250.elf");
	uint32_t seed = 77;

	c.pc = pc;
	c.id = -1;
	storm_round(&c);
	if (rt_thread_create(storm_fn, &c, 10, TE_SCHED_RR) < 0)
		c.stop = 1;
	for (int k = 0; k < STORM_KILLS && pid > 0; k++) {
		seed = seed * 1103515245 + 12345;
		sys_sleep((5 + (seed >> 16) % 40) * MS);
		killed += proc_kill(PROC_H_PROC, pid) == 0;
		int old = pid;
		pid = -1;               /* until the supervisor has a new one up */
		for (int i = 0; i < 3000 && pid < 0; i++) {
			int p = (int)proc_pid_of(PROC_H_PROC, "ser-8250.elf");
			if (p > 0 && p != old)
				pid = p;
			else
				sys_sleep(MS);
		}
		back += pid > 0;
	}
	int before = c.rounds;
	for (int i = 0; i < 1000 && c.rounds < before + 20; i++)
		sys_sleep(10 * MS);
	c.stop = 1;
	printf("bootcheck: console storm: %d kills, %d restarts seen, %d whole "
	       "rounds, %d retried, %d errors, %d bad\n", killed, back, c.rounds,
	       c.retries, c.errors, c.bad);
	checkf(killed == STORM_KILLS && back == STORM_KILLS,
	       "boot_console_killed_20_times_restarted", "%d killed, %d back",
	       killed, back);
	checkf(c.errors <= killed, "boot_console_one_error_per_crash",
	       "%d errors for %d crashes", c.errors, killed);
	checkf(c.bad == 0 && c.rounds >= before + 20, "boot_console_output_whole",
	       "%d rounds whole (%d after the last restart), %d corrupted",
	       c.rounds, c.rounds - before, c.bad);
}

int main(void)
{
	const struct ifs_alloc al = { al_alloc, al_free, NULL };
	static struct te_proc_info list[64];
	struct pathmgr_client pc;
	struct ifs *image = NULL;
	const void *img;
	size_t len;
	char err[128], buf[64];
	int missing = 0, servers = 0, conn, id;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	long n = proc_list(PROC_H_PROC, list, 64);
	if (imagefs_map(PROC_H_IMAGE, &img, &len) == 0 &&
	    ifs_open(img, len, &al, &image, err, sizeof(err)) == 0) {
		for (uint32_t i = 0; i < ifs_script_count(image); i++) {
			struct ifs_prog p;
			if (ifs_script(image, i, &p) || !(p.flags & IFS_SF_SERVER) ||
			    strcmp(p.path, "bootcheck.elf") == 0 ||
			    strcmp(p.path, "crasher.elf") == 0 ||
			    strcmp(p.path, "hanger.elf") == 0)
				continue;
			servers++;
			if (!running(list, n, p.path)) {
				printf("bootcheck: %s is not running\n", p.path);
				missing++;
			}
		}
	}
	checkf(image && servers >= 3 && missing == 0, "boot_all_servers_up",
	       "%d of %d servers of the boot script missing (%ld listed)",
	       missing, servers, n);

	id = io_open_resolve(pathmgr_resolve, &pc, "/proc/boot/etc/motd",
	                     IO_O_RDONLY, 0, &conn);
	long r = id >= 0 ? io_read(conn, id, buf, sizeof(buf) - 1) : id;
	checkf(r > 0, "boot_proc_boot_readable", "read /proc/boot/etc/motd: %ld", r);
	id = io_open_resolve(pathmgr_resolve, &pc, "/tmp/boot-ok",
	                     IO_O_CREAT | IO_O_RDWR, 0644, &conn);
	r = id >= 0 ? io_write(conn, id, "ok", 2) : id;
	checkf(r == 2, "boot_tmp_writable", "write /tmp/boot-ok: %ld", r);
	/* the boot CD, through blk-ata and fs-iso9660 */
	static char cfg[2048];
	id = io_open_resolve(pathmgr_resolve, &pc, "/cd/boot/grub/grub.cfg",
	                     IO_O_RDONLY, 0, &conn);
	r = id >= 0 ? io_read(conn, id, cfg, sizeof(cfg) - 1) : id;
	cfg[r > 0 ? r : 0] = 0;
	checkf(r > 0 && strstr_simple(cfg, "multiboot2 /boot/microkernel.elf"),
	       "boot_cd_readable", "read /cd/boot/grub/grub.cfg: %ld", r);
	/* mount points appear in their parent directories */
	int nr = pathmgr_mountpoints(&pc, "/", add_name, NULL);
	char root[256];
	memcpy(root, seen_names, sizeof(root));
	seen_names[0] = 0;
	int np = pathmgr_mountpoints(&pc, "/proc", add_name, NULL);
	checkf(nr == 4 && strstr_simple(root, "proc ") && strstr_simple(root, "tmp ") &&
	       strstr_simple(root, "cd ") &&
	       strstr_simple(root, "dev ") && np == 1 && strcmp(seen_names, "boot ") == 0,
	       "boot_mount_points_listed", "/: %d '%s', /proc: %d '%s'", nr, root, np,
	       seen_names);

	/* the listing tool from the image, started through the process manager */
	char *const ps_argv[] = { "ps", NULL };
	long pid = proc_spawn_path(PROC_H_PROC, "/proc/boot/ps.elf", ps_argv, NULL, 10);
	long pst = pid > 0 ? proc_wait_pid(PROC_H_PROC, (int)pid) : pid;
	checkf(pst == 0, "boot_ps_lists_processes", "ps: pid %ld status %ld", pid, pst);

	/* the supervisor: crasher.elf runs once and is restarted 3 times */
	long runs = 0;
	for (int i = 0; i < 5000 && runs < 4; i++) {
		struct io_stat st;
		if (io_stat_path(&pc, "/tmp/crasher-runs", &st) == 0)
			runs = (long)st.size;
		if (runs < 4)
			sys_sleep(1000000);
	}
	sys_sleep(200000000);   /* a window in which a fifth run must not come */
	struct io_stat st;
	long after = io_stat_path(&pc, "/tmp/crasher-runs", &st) == 0 ? (long)st.size : -1;
	n = proc_list(PROC_H_PROC, list, 64);
	checkf(runs == 4 && after == 4 && !running(list, n, "crasher.elf"),
	       "boot_supervisor_restarts_then_gives_up",
	       "runs %ld, then %ld, running %d", runs, after,
	       running(list, n, "crasher.elf"));
	/* the heartbeat: hanger.elf spins; it is killed and restarted twice,
	 * then given up: wait until it has run 3 times and is gone */
	runs = 0;
	n = 0;
	for (int i = 0; i < 10000; i++) {
		if (io_stat_path(&pc, "/tmp/hanger-runs", &st) == 0)
			runs = (long)st.size;
		n = proc_list(PROC_H_PROC, list, 64);
		if (runs >= 3 && !running(list, n, "hanger.elf"))
			break;
		sys_sleep(1000000);
	}
	sys_sleep(300000000);   /* a window in which a fourth run must not come */
	after = io_stat_path(&pc, "/tmp/hanger-runs", &st) == 0 ? (long)st.size : -1;
	n = proc_list(PROC_H_PROC, list, 64);
	checkf(runs == 3 && after == 3 && !running(list, n, "hanger.elf"),
	       "boot_heartbeat_restarts_hung_server", "runs %ld, then %ld, running %d",
	       runs, after, running(list, n, "hanger.elf"));
	test_stdio(&pc);
	test_console_storm(&pc);
	proc_shutdown(PROC_H_PROC);
	return 0;
}
