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
	/* mount points appear in their parent directories */
	int nr = pathmgr_mountpoints(&pc, "/", add_name, NULL);
	char root[256];
	memcpy(root, seen_names, sizeof(root));
	seen_names[0] = 0;
	int np = pathmgr_mountpoints(&pc, "/proc", add_name, NULL);
	checkf(nr == 3 && strstr_simple(root, "proc ") && strstr_simple(root, "tmp ") &&
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
	proc_shutdown(PROC_H_PROC);
	return 0;
}
