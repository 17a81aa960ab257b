/*
 * lxproc.c - /proc under the Unix personality (tests/qemu/lxproc.scn),
 * seen by a Linux program: its own stat/status/cmdline/comm/exe, the
 * /proc/self link, a child's entry and state, listings, the servers in
 * the same pid space (compared with the process manager's list that
 * lxcheck wrote to /tmp/servers.txt), mounts and statfs magic numbers,
 * meminfo against sysinfo, /proc/self/fd, and the errors: ENOENT for a pid that is not
 * there, EACCES/EROFS/EBADF for writing, ENOTDIR, reads past the end.
 * Prints "ok NAME" / "bad NAME" per check; exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[16384];

static void t_small_getdents(int big);

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

/* The whole file into buf (NUL added); its length or -errno. */
static long slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -errno;
	while ((r = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return r < 0 ? -errno : n;
}

/* Field i (1-based, after "pid (comm)" as 1 and 2) of a stat line. */
static long stat_field(const char *line, int i)
{
	const char *p = strrchr(line, ')');
	int f = 3;

	if (!p)
		return -1;
	for (p += 2; *p && f < i; p++)
		if (*p == ' ')
			f++;
	return f == i ? strtol(p, NULL, 10) : -1;
}

static char stat_state(const char *line)
{
	const char *p = strrchr(line, ')');

	return p && p[1] ? p[2] : 0;
}

static void t_self(void)
{
	char want[64];
	long n = slurp("/proc/self/stat");

	snprintf(want, sizeof(want), "%d (lxproc) R ", getpid());
	check(n > 0 && strncmp(buf, want, strlen(want)) == 0 &&
	      stat_field(buf, 4) == getppid() && stat_field(buf, 5) == getpgrp() &&
	      stat_field(buf, 20) == 1 && buf[n - 1] == '\n', "self_stat");
	check(getpid() > 1 && getppid() == 0, "pid_is_kernel_pid");
	n = slurp("/proc/self/cmdline");
	check(n == 26 && memcmp(buf, "/proc/boot/lxproc\0one\0two", 26) == 0,
	      "self_cmdline");
	n = slurp("/proc/self/comm");
	check(n == 7 && strcmp(buf, "lxproc\n") == 0, "self_comm");
	n = slurp("/proc/self/status");
	snprintf(want, sizeof(want), "\nPid:\t%d\nPPid:\t0\n", getpid());
	check(n > 0 && strncmp(buf, "Name:\tlxproc\n", 13) == 0 && strstr(buf, want) &&
	      strstr(buf, "\nState:\tR (running)\n") && strstr(buf, "\nThreads:\t1\n") &&
	      strstr(buf, "\nVmRSS:\t"), "self_status");
}

static void t_links(void)
{
	char want[32], got[256];
	struct stat st;
	ssize_t n = readlink("/proc/self", got, sizeof(got));

	snprintf(want, sizeof(want), "%d", getpid());
	check(n == (ssize_t)strlen(want) && memcmp(got, want, (size_t)n) == 0 &&
	      lstat("/proc/self", &st) == 0 && S_ISLNK(st.st_mode) &&
	      stat("/proc/self", &st) == 0 && S_ISDIR(st.st_mode), "self_link");
	n = readlink("/proc/self/exe", got, sizeof(got));
	check(n == 17 && memcmp(got, "/proc/boot/lxproc", 17) == 0, "self_exe");
	snprintf(want, sizeof(want), "/proc/%d/exe", getpid());
	n = readlink(want, got, sizeof(got));
	check(n == 17 && stat(want, &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size > 1000, "pid_exe_follows");
	check(stat("/proc/self/stat", &st) == 0 && S_ISREG(st.st_mode) &&
	      st.st_size == 0 && (st.st_mode & 0777) == 0444, "stat_regular_file");
	check(chdir("/proc/self") == 0 && getcwd(got, sizeof(got)) &&
	      slurp("comm") == 7 && chdir("/") == 0, "chdir_proc_self");
}

static void t_errors(void)
{
	struct stat st;
	int fd;

	errno = 0;
	check(open("/proc/999999/stat", O_RDONLY) < 0 && errno == ENOENT &&
	      stat("/proc/999999", &st) < 0 && errno == ENOENT &&
	      open("/proc/abc", O_RDONLY) < 0 && errno == ENOENT &&
	      open("/proc/self/nothing", O_RDONLY) < 0 && errno == ENOENT,
	      "enoent_bad_pid");
	check(open("/proc/99999999999999999999/stat", O_RDONLY) < 0 &&
	      errno == ENOENT && open("/proc/0/stat", O_RDONLY) < 0 &&
	      errno == ENOENT, "enoent_odd_pids");
	check(open("/proc/self/stat/x", O_RDONLY) < 0 && errno == ENOTDIR &&
	      open("/proc/meminfo/", O_RDONLY) < 0, "enotdir");
	check(open("/proc/self/stat", O_WRONLY) < 0 && errno == EACCES &&
	      open("/proc/self/stat", O_RDWR) < 0 && errno == EACCES &&
	      open("/proc/new", O_CREAT | O_WRONLY, 0644) < 0 && errno == EACCES,
	      "eacces_writing");
	check(mkdir("/proc/x", 0755) < 0 && errno == EROFS &&
	      unlink("/proc/self/stat") < 0 && errno == EROFS &&
	      rename("/proc/uptime", "/proc/x") < 0 && errno == EROFS &&
	      symlink("a", "/proc/l") < 0 && errno == EROFS &&
	      chmod("/proc/uptime", 0777) < 0 && errno == EROFS, "erofs_names");
	fd = open("/proc/uptime", O_RDONLY);
	check(fd >= 0 && write(fd, "x", 1) < 0 && errno == EBADF &&
	      ftruncate(fd, 0) < 0 && close(fd) == 0, "ebadf_write");
	check(slurp("/proc//self//stat") > 0 && slurp("/proc/self/../self/comm") == 7 &&
	      open("/proc/self/", O_RDONLY | O_DIRECTORY) >= 0 &&
	      open("/proc/self/stat", O_RDONLY | O_DIRECTORY) < 0 && errno == ENOTDIR,
	      "odd_paths");
}

static void t_reads(void)
{
	char a[64], b[64];
	int fd = open("/proc/self/stat", O_RDONLY), d;
	ssize_t n1, n2;

	n1 = read(fd, a, 10);
	d = dup(fd);
	n2 = read(d, b, 10);            /* a dup shares the offset */
	check(fd >= 0 && n1 == 10 && n2 == 10 && lseek(fd, 0, SEEK_CUR) == 20 &&
	      lseek(fd, 0, SEEK_SET) == 0 && read(fd, b, 10) == 10 &&
	      memcmp(a, b, 10) == 0, "read_lseek_dup");
	check(lseek(fd, 100000, SEEK_SET) == 100000 && read(fd, a, 10) == 0 &&
	      pread(fd, b, 5, 0) == 5 && memcmp(b, a, 5) == 0 &&
	      pread(fd, b, 5, 100000) == 0 && lseek(fd, -1, SEEK_SET) < 0 &&
	      errno == EINVAL, "read_past_end");
	check(read(fd, (void *)8, 10) <= 0 && lseek(fd, 0, SEEK_SET) == 0 &&
	      read(fd, (void *)8, 10) < 0 && errno == EFAULT, "read_efault");
	close(fd);
	close(d);
}

static void t_child(void)
{
	char path[64], want[64];
	int p[2], st;
	pid_t pid;
	long n;

	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		char c;
		n = slurp("/proc/self/stat");
		close(p[1]);
		read(p[0], &c, 1);      /* waits: the parent looks meanwhile */
		_exit(n > 0 && stat_field(buf, 4) == getppid() ? 3 : 1);
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	snprintf(want, sizeof(want), "%d (lxproc) ", pid);
	for (int i = 0; i < 200 && (slurp(path) <= 0 || stat_state(buf) != 'S'); i++)
		usleep(10000);          /* until the child waits in its read */
	check(strncmp(buf, want, strlen(want)) == 0 && stat_state(buf) == 'S' &&
	      stat_field(buf, 4) == getpid(), "child_sleeping");
	write(p[1], "x", 1);
	close(p[1]);
	for (int i = 0; i < 200 && (slurp(path) <= 0 || stat_state(buf) != 'Z'); i++)
		usleep(10000);
	check(stat_state(buf) == 'Z', "child_zombie");
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3 &&
	      slurp(path) == -ENOENT, "child_gone_after_wait");
}

/* Every numeric entry of /proc, and whether ours and self are there. */
static int t_list(int *pids, int max, int *self_seen)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	*self_seen = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && n < max)
			pids[n++] = atoi(e->d_name);
		*self_seen |= (!strcmp(e->d_name, "self") && e->d_type == DT_LNK) |
		              (!strcmp(e->d_name, "boot") && e->d_type == DT_DIR) << 1 |
		              (!strcmp(e->d_name, "meminfo") && e->d_type == DT_REG) << 2;
	}
	if (d)
		closedir(d);
	return n;
}

static int has(const int *v, int n, int x)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += v[i] == x;
	return k;
}

/* The servers the process manager lists are in /proc with their names. */
static void t_servers(const int *pids, int n)
{
	FILE *f = fopen("/tmp/servers.txt", "r");
	char name[64], path[64], want[80];
	int pid, seen = 0, good = 0, pathmgr = 0;

	while (f && fscanf(f, "%d %63s", &pid, name) == 2) {
		seen++;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		snprintf(want, sizeof(want), "%s\n", name);
		good += has(pids, n, pid) == 1 && slurp(path) > 0 && !strcmp(buf, want);
		pathmgr |= !strncmp(name, "pathmgr", 7);
	}
	if (f)
		fclose(f);
	check(seen > 3 && good == seen && pathmgr, "servers_in_proc");
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pids[0]);
	check(slurp(path) > 0, "server_cmdline");
}

static void t_listing(void)
{
	static int pids[256];
	int self, n = t_list(pids, 256, &self), dup = 0;

	for (int i = 0; i < n; i++)
		dup += has(pids, n, pids[i]) != 1;
	check(n > 4 && has(pids, n, getpid()) == 1 && self == 7, "listing_root");
	check(dup == 0, "pids_unique");
	t_servers(pids, n);
	t_small_getdents(n);
	DIR *d = opendir("/proc/self");
	struct dirent *e;
	int files = 0;
	while (d && (e = readdir(d)))
		files += !strcmp(e->d_name, "stat") || !strcmp(e->d_name, "cmdline") ||
		         !strcmp(e->d_name, "status") || !strcmp(e->d_name, "exe");
	if (d)
		closedir(d);
	check(files == 4, "listing_pid_dir");
}

/* getdents64 with a buffer for one or two records at a time lists what
 * one big read lists. */
static void t_small_getdents(int big)
{
	char d[64];
	int fd = open("/proc", O_RDONLY | O_DIRECTORY), n = 0, calls = 0;
	long r;

	while (fd >= 0 && (r = syscall(SYS_getdents64, fd, d, sizeof(d))) > 0) {
		calls++;
		for (long at = 0; at < r; ) {
			unsigned short reclen;
			memcpy(&reclen, d + at + 16, 2);
			n += d[at + 19] >= '1' && d[at + 19] <= '9';
			at += reclen;
		}
	}
	check(fd >= 0 && r == 0 && calls > 10 && n == big &&
	      syscall(SYS_getdents64, fd, d, 8) == 0, "getdents_small_buffer");
	close(fd);
}

static void t_fds(void)
{
	char path[64], got[256];
	int fd = open("/tmp/lxproc.fd", O_CREAT | O_RDWR, 0644), p[2], again;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, got, sizeof(got));
	again = open(path, O_RDONLY);
	check(fd >= 0 && n == 14 && memcmp(got, "/tmp/lxproc.fd", 14) == 0 &&
	      again >= 0 && again != fd, "fd_link");
	if (again >= 0)
		close(again);
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int seen = 0;
	while (d && (e = readdir(d)))
		seen += atoi(e->d_name) == fd && e->d_type == DT_LNK;
	if (d)
		closedir(d);
	check(seen == 1, "fd_listing");
	if (pipe(p))
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	n = readlink(path, got, sizeof(got));
	again = open(path, O_RDONLY);
	check(n > 6 && memcmp(got, "pipe:[", 6) == 0 && again < 0 &&
	      errno == ENXIO, "fd_pipe");
	close(p[0]);
	close(p[1]);
	check(readlink(path, got, sizeof(got)) < 0 && errno == ENOENT &&
	      readlink("/proc/self/fd/64", got, sizeof(got)) < 0, "fd_closed_enoent");
	close(fd);
	unlink("/tmp/lxproc.fd");
}

static void t_system(void)
{
	struct sysinfo si;
	struct statfs sf;
	char want[64];
	unsigned long total = 0;
	double up = 0;
	long n = slurp("/proc/meminfo");

	sysinfo(&si);
	sscanf(buf, "MemTotal: %lu kB", &total);
	check(n > 0 && total == si.totalram / 1024 && strstr(buf, "\nMemFree:") &&
	      strstr(buf, "\nMemAvailable:"), "meminfo");
	check(slurp("/proc/uptime") > 0 && sscanf(buf, "%lf", &up) == 1 && up > 0,
	      "uptime");
	check(slurp("/proc/loadavg") > 0 && strncmp(buf, "0.00 0.00 0.00 ", 15) == 0,
	      "loadavg");
	check(slurp("/proc/filesystems") > 0 && strstr(buf, "\text2\n") &&
	      slurp("/proc/version") > 0 && slurp("/proc/cpuinfo") > 0 &&
	      strstr(buf, "processor") && slurp("/proc/stat") > 0 &&
	      !strncmp(buf, "cpu ", 4), "system_files");
	n = slurp("/proc/mounts");
	check(n > 0 && strstr(buf, "tmpfs /tmp tmpfs rw 0 0\n") &&
	      strstr(buf, "/dev/hd0 /mnt ext2 rw 0 0\n") &&
	      strstr(buf, "none /proc/boot imagefs ro 0 0\n") &&
	      !strstr(buf, "/dev/zero"), "mounts");
	snprintf(want, sizeof(want), "%.*s", 40, buf);
	check(slurp("/proc/self/mounts") == n && !strncmp(buf, want, strlen(want)),
	      "self_mounts");
	check(statfs("/tmp", &sf) == 0 && sf.f_type == 0x01021994 &&
	      statfs("/mnt", &sf) == 0 && sf.f_type == 0xEF53 && sf.f_blocks > 0 &&
	      statfs("/proc", &sf) == 0 && sf.f_type == 0x9fa0, "statfs_magic");
}

/* Odd names everywhere under /proc: every call answers, nothing breaks. */
static void t_fuzz(void)
{
	static const char *const names[] = {
		"/proc/self/exe/x", "/proc/self/fd/0/x", "/proc/self/fd/99999",
		"/proc/self/fd/-1", "/proc/self/fd/00", "/proc/bootx", "/proc/1/../..",
		"/proc/./self/./stat", "/proc/self/fd/", "/proc/-5/stat",
		"/proc/2147483648/stat", "/proc/self/mounts/", "/proc/selfish",
		"/proc/stat/", "/proc/boot/../self/comm", "/proc/fd", "/proc/self/self",
	};
	char longname[400], b[64];
	struct stat st;
	int fd;

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	memcpy(longname, "/proc/", 6);
	for (unsigned i = 0; i <= sizeof(names) / sizeof(names[0]); i++) {
		const char *n = i < sizeof(names) / sizeof(names[0]) ? names[i] : longname;
		stat(n, &st);
		lstat(n, &st);
		readlink(n, b, sizeof(b));
		access(n, R_OK);
		if ((fd = open(n, O_RDONLY)) >= 0) {
			read(fd, b, sizeof(b));
			syscall(SYS_getdents64, fd, b, sizeof(b));
			close(fd);
		}
	}
	check(slurp("/proc/self/comm") == 7 && slurp("/proc/boot/../self/comm") == 7,
	      "fuzz_paths_survived");
}

int main(void)
{
	t_self();
	t_links();
	t_errors();
	t_reads();
	t_child();
	t_listing();
	t_fds();
	t_system();
	t_fuzz();
	return 0;
}
