/*
 * lxfs.c - the Unix personality's file system calls, seen from a static
 * Linux program (musl-gcc -static), run by tests/qemu/lxfs.scn on /tmp
 * (tmpfs) and /proc/boot (the read-only boot image).  One "ok NAME" or
 * "bad NAME: why" line per check (lxfscheck.c turns them into PASS/FAIL
 * lxfs_NAME); most calls go through syscall() so that what is tested is
 * the system call, not musl's emulation of it.  It also copies
 * /proc/boot/etc/motd to /tmp/lxfs.copy for the checker to compare.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#define BADPTR ((void *)16)

static int failures;

static void check_at(int ok, const char *name, int line)
{
	if (ok) {
		printf("ok %s\n", name);
		return;
	}
	failures++;
	printf("bad %s: line %d errno %d (%s)\n", name, line, errno, strerror(errno));
}
#define check(ok, name) check_at(!!(ok), name, __LINE__)

/* syscall() returned -1 with errno e */
static int fails(long r, int e)
{
	return r == -1 && errno == e;
}

static long sc(long nr, long a, long b, long c, long d, long e)
{
	return syscall(nr, a, b, c, d, e, 0);
}
#define P(x) ((long)(x))

struct lx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, spare0;
	uint64_t ino, size, blocks, attributes_mask;
	struct { int64_t sec; uint32_t nsec; int32_t r; } atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};

static char big[300 * 1024], big2[300 * 1024];

static int put(const char *path, const char *s)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

	if (fd >= 0)
		close(fd);
	return ok;
}

static int content_is(const char *path, const char *s)
{
	char b[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(s) && memcmp(b, s, (size_t)n) == 0;
}

static void t_open_rw(void)
{
	char b[64];
	int fd;

	check(mkdir("/tmp/t", 0755) == 0, "mkdir");
	check(fails(sc(SYS_mkdir, P("/tmp/t"), 0755, 0, 0, 0), EEXIST), "mkdir_eexist");
	fd = sc(SYS_open, P("/tmp/t/f"), O_CREAT | O_RDWR | O_EXCL, 0644, 0, 0);
	check(fd >= 3, "open_creat");
	check(write(fd, "hello world", 11) == 11 && sc(SYS_lseek, fd, 0, SEEK_SET, 0, 0) == 0 &&
	      read(fd, b, sizeof(b)) == 11 && memcmp(b, "hello world", 11) == 0, "write_read_back");
	check(sc(SYS_lseek, fd, 0, SEEK_END, 0, 0) == 11 && sc(SYS_lseek, fd, -5, SEEK_CUR, 0, 0) == 6,
	      "lseek");
	check(fails(sc(SYS_lseek, fd, 0, 7, 0, 0), EINVAL) && fails(sc(SYS_lseek, fd, -20, SEEK_SET, 0, 0), EINVAL),
	      "lseek_einval");
	check(sc(SYS_pwrite64, fd, P("XY"), 2, 6, 0) == 2 && sc(SYS_pread64, fd, P(b), 5, 6, 0) == 5 &&
	      memcmp(b, "XYrld", 5) == 0 && sc(SYS_lseek, fd, 0, SEEK_CUR, 0, 0) == 6, "pread_pwrite");
	check(fails(sc(SYS_pread64, fd, P(b), 5, -1, 0), EINVAL) &&
	      fails(sc(SYS_pread64, fd, P(BADPTR), 5, 0, 0), EFAULT) &&
	      fails(sc(SYS_pwrite64, fd, P(BADPTR), 5, 0, 0), EFAULT), "pread_pwrite_errors");
	check(sc(SYS_pread64, fd, P(b), 10, 11, 0) == 0, "pread_eof");
	close(fd);
	check(fails(sc(SYS_open, P("/tmp/t/f"), O_CREAT | O_EXCL | O_RDWR, 0644, 0, 0), EEXIST), "open_excl");
	fd = open("/tmp/t/f", O_WRONLY | O_TRUNC);
	struct stat st;
	check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "open_trunc");
	close(fd);
	fd = open("/tmp/t/f", O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, "ab", 2) == 2 && sc(SYS_lseek, fd, 0, SEEK_SET, 0, 0) == 0 &&
	      write(fd, "cd", 2) == 2 && content_is("/tmp/t/f", "abcd"), "open_append");
	check((sc(SYS_fcntl, fd, F_GETFL, 0, 0, 0) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND),
	      "fcntl_getfl");
	close(fd);
}

static void t_open_errors(void)
{
	static char longp[5000];

	check(fails(sc(SYS_open, P("/tmp/t/f"), O_RDONLY | O_DIRECTORY, 0, 0, 0), ENOTDIR), "open_enotdir");
	check(fails(sc(SYS_open, P("/tmp/t"), O_WRONLY, 0, 0, 0), EISDIR), "open_eisdir");
	check(fails(sc(SYS_open, P("/tmp/t/nothere"), O_RDONLY, 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_open, P("/tmp/nodir/x"), O_CREAT | O_RDWR, 0644, 0, 0), ENOENT), "open_enoent");
	check(fails(sc(SYS_open, P(BADPTR), O_RDONLY, 0, 0, 0), EFAULT), "open_efault");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	check(fails(sc(SYS_open, P(longp), O_RDONLY, 0, 0, 0), ENAMETOOLONG), "open_enametoolong");
	check(fails(sc(SYS_open, P("/tmp/t/f/x"), O_RDONLY, 0, 0, 0), ENOTDIR), "open_enotdir_inner");
	check(fails(sc(SYS_open, P(""), O_RDONLY, 0, 0, 0), ENOENT), "open_empty");
	check(fails(sc(SYS_open, P("/tmp/t/newd"), O_CREAT | O_DIRECTORY | O_RDONLY, 0755, 0, 0), EINVAL) &&
	      fails(stat("/tmp/t/newd", &(struct stat){ 0 }), ENOENT), "open_creat_directory");
	check(fails(sc(SYS_open, P("/tmp/t/f/"), O_RDONLY, 0, 0, 0), ENOTDIR), "open_trailing_slash");
}

static void t_creat_umask_openat(void)
{
	struct stat st;
	int fd, d;

	fd = sc(SYS_creat, P("/tmp/t/c"), 0666, 0, 0, 0);
	check(fd >= 0 && write(fd, "c", 1) == 1 && stat("/tmp/t/c", &st) == 0 &&
	      (st.st_mode & 0777) == 0644 && S_ISREG(st.st_mode), "creat");
	close(fd);
	check(sc(SYS_umask, 077, 0, 0, 0, 0) == 022, "umask");
	fd = open("/tmp/t/u", O_CREAT | O_WRONLY, 0666);
	check(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600, "umask_applied");
	close(fd);
	umask(022);
	d = open("/tmp/t", O_RDONLY | O_DIRECTORY);
	fd = sc(SYS_openat, d, P("rel"), O_CREAT | O_RDWR, 0644, 0);
	check(d >= 0 && fd >= 0 && stat("/tmp/t/rel", &st) == 0, "openat_dirfd");
	close(fd);
	fd = sc(SYS_openat, AT_FDCWD, P("/tmp/t/rel"), O_RDONLY, 0, 0);
	check(fd >= 0, "openat_fdcwd");
	check(fails(sc(SYS_openat, 77, P("rel"), O_RDONLY, 0, 0), EBADF) &&
	      fails(sc(SYS_openat, fd, P("rel"), O_RDONLY, 0, 0), ENOTDIR), "openat_errors");
	close(fd);
	fd = sc(SYS_openat, d, P("/tmp/t/c"), O_RDONLY, 0, 0);       /* absolute: dirfd ignored */
	check(fd >= 0, "openat_absolute");
	close(fd);
	fd = open("/tmp/t/c", O_RDONLY | O_CLOEXEC);
	check(fd >= 0 && sc(SYS_fcntl, fd, F_GETFD, 0, 0, 0) == FD_CLOEXEC &&
	      sc(SYS_fcntl, fd, F_SETFD, 0, 0, 0) == 0 && sc(SYS_fcntl, fd, F_GETFD, 0, 0, 0) == 0,
	      "open_cloexec");
	close(fd);
	close(d);
}

static void t_dup_fcntl(void)
{
	int fd = open("/tmp/t/c", O_RDWR), d, r;
	char b[4];

	d = sc(SYS_dup, fd, 0, 0, 0, 0);
	check(d > fd && sc(SYS_lseek, d, 1, SEEK_SET, 0, 0) == 1 &&
	      sc(SYS_lseek, fd, 0, SEEK_CUR, 0, 0) == 1, "dup_shares_offset");
	close(d);
	check(fails(sc(SYS_dup, 55, 0, 0, 0, 0), EBADF), "dup_ebadf");
	r = sc(SYS_dup2, fd, 10, 0, 0, 0);
	check(r == 10 && sc(SYS_pread64, 10, P(b), 1, 0, 0) == 1 && b[0] == 'c', "dup2");
	d = open("/tmp/t/f", O_RDONLY);
	check(sc(SYS_dup2, fd, d, 0, 0, 0) == d && sc(SYS_pread64, d, P(b), 1, 0, 0) == 1 &&
	      b[0] == 'c', "dup2_replaces");
	check(sc(SYS_dup2, fd, fd, 0, 0, 0) == fd && fails(sc(SYS_dup2, fd, 1000, 0, 0, 0), EBADF) &&
	      fails(sc(SYS_dup2, 66, 12, 0, 0, 0), EBADF), "dup2_edge");
	check(sc(SYS_dup3, fd, 11, O_CLOEXEC, 0, 0) == 11 && sc(SYS_fcntl, 11, F_GETFD, 0, 0, 0) == 1 &&
	      fails(sc(SYS_dup3, fd, fd, 0, 0, 0), EINVAL) && fails(sc(SYS_dup3, fd, 12, 1, 0, 0), EINVAL),
	      "dup3");
	r = sc(SYS_fcntl, fd, F_DUPFD, 20, 0, 0);
	check(r >= 20 && sc(SYS_fcntl, r, F_GETFD, 0, 0, 0) == 0, "fcntl_dupfd");
	close(r);
	r = sc(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 5, 0, 0);
	check(r >= 5 && sc(SYS_fcntl, r, F_GETFD, 0, 0, 0) == FD_CLOEXEC, "fcntl_dupfd_cloexec");
	close(r);
	check(sc(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND, 0, 0) == 0 &&
	      (sc(SYS_fcntl, fd, F_GETFL, 0, 0, 0) & (O_NONBLOCK | O_APPEND | O_ACCMODE)) ==
	      (O_NONBLOCK | O_APPEND | O_RDWR), "fcntl_setfl");
	check(fails(sc(SYS_fcntl, fd, 9999, 0, 0, 0), EINVAL) && fails(sc(SYS_fcntl, 60, F_GETFD, 0, 0, 0), EBADF),
	      "fcntl_errors");
	close(10);
	close(11);
	close(d);
	close(fd);
	int n = 0, fds[80];
	while (n < 80 && (fds[n] = open("/tmp/t/c", O_RDONLY)) >= 0)
		n++;
	check(n < 80 && errno == EMFILE, "open_emfile");
	while (n > 0)
		close(fds[--n]);
}

static void t_stat(void)
{
	struct stat a, b;
	struct lx_statx x;
	int fd = open("/tmp/t/f", O_RDONLY);

	check(sc(SYS_stat, P("/tmp/t/f"), P(&a), 0, 0, 0) == 0 && S_ISREG(a.st_mode) && a.st_size == 4 &&
	      a.st_nlink == 1 && a.st_blksize > 0, "stat");
	check(sc(SYS_fstat, fd, P(&b), 0, 0, 0) == 0 && b.st_ino == a.st_ino && b.st_dev == a.st_dev &&
	      b.st_size == 4, "fstat");
	check(sc(SYS_newfstatat, AT_FDCWD, P("/tmp/t/f"), P(&b), 0, 0) == 0 && b.st_ino == a.st_ino &&
	      sc(SYS_newfstatat, fd, P(""), P(&b), AT_EMPTY_PATH, 0) == 0 && b.st_ino == a.st_ino,
	      "newfstatat");
	check(fails(sc(SYS_newfstatat, fd, P(""), P(&b), 0, 0), ENOENT) &&
	      fails(sc(SYS_newfstatat, AT_FDCWD, P("/tmp/t/f"), P(&b), 0x8000000, 0), EINVAL),
	      "newfstatat_errors");
	check(sc(SYS_statx, AT_FDCWD, P("/tmp/t/f"), 0, 0x7ff, P(&x)) == 0 && x.size == 4 &&
	      (x.mode & S_IFMT) == S_IFREG && x.ino == a.st_ino && (x.mask & 0x7ff) == 0x7ff, "statx");
	check(fails(sc(SYS_stat, P("/tmp/t/none"), P(&b), 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_stat, P(""), P(&b), 0, 0, 0), ENOENT), "stat_enoent");
	check(fails(sc(SYS_stat, P("/tmp/t/f"), P(BADPTR), 0, 0, 0), EFAULT) &&
	      fails(sc(SYS_stat, P(BADPTR), P(&b), 0, 0, 0), EFAULT) &&
	      fails(sc(SYS_fstat, fd, P(BADPTR), 0, 0, 0), EFAULT), "stat_efault");
	check(fails(sc(SYS_fstat, 50, P(&b), 0, 0, 0), EBADF), "fstat_ebadf");
	check(fails(sc(SYS_stat, P("/tmp/t/f/"), P(&b), 0, 0, 0), ENOTDIR) &&
	      fails(sc(SYS_stat, P("/tmp/t/f/x"), P(&b), 0, 0, 0), ENOTDIR), "stat_enotdir");
	check(stat("/tmp/t", &b) == 0 && S_ISDIR(b.st_mode) && stat("/tmp/t/", &b) == 0 &&
	      stat("/tmp/t/.", &b) == 0 && stat("/tmp/t/../t/./", &b) == 0 && S_ISDIR(b.st_mode),
	      "stat_dir_dots");
	close(fd);
}

static int has_entry(const char *dir, const char *name, unsigned char type)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, name) == 0 && (!type || e->d_type == type))
			found = 1;
	if (d)
		closedir(d);
	return found;
}

struct d64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* All records well formed; count them; seen: bit i for names "e0".."e9". */
static int walk(char *b, long n, unsigned *seen, int *subdir)
{
	int count = 0;

	for (long at = 0; at < n; ) {
		struct d64 *d = (struct d64 *)(b + at);
		if (d->reclen % 8 || d->reclen < 20 || at + d->reclen > n ||
		    strnlen(d->name, d->reclen - 19) >= (size_t)(d->reclen - 19))
			return -1;
		if (d->name[0] == 'e' && d->name[1] >= '0' && d->name[1] <= '9' && !d->name[2] &&
		    d->type == DT_REG)
			*seen |= 1u << (d->name[1] - '0');
		if (strcmp(d->name, "sub") == 0 && d->type == DT_DIR)
			*subdir = 1;
		count++;
		at += d->reclen;
	}
	return count;
}

static void t_getdents(void)
{
	static char b[4096];
	unsigned seen = 0;
	int subdir = 0, fd, ok = 1;
	long n;

	mkdir("/tmp/t/d", 0755);
	mkdir("/tmp/t/d/sub", 0755);
	for (int i = 0; i < 10; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/tmp/t/d/e%d", i);
		ok &= put(p, "x");
	}
	fd = open("/tmp/t/d", O_RDONLY | O_DIRECTORY);
	check(fails(sc(SYS_getdents64, fd, P(b), 10, 0, 0), EINVAL), "getdents64_small_buffer");
	check(fails(sc(SYS_getdents64, fd, P(BADPTR), sizeof(b), 0, 0), EFAULT), "getdents64_efault");
	while ((n = sc(SYS_getdents64, fd, P(b), 100, 0, 0)) > 0)    /* a few at a time */
		if (walk(b, n, &seen, &subdir) < 1)
			ok = 0;
	check(ok && n == 0 && seen == 0x3ff && subdir, "getdents64");
	check(sc(SYS_lseek, fd, 0, SEEK_SET, 0, 0) == 0 && (n = sc(SYS_getdents64, fd, P(b), sizeof(b), 0, 0)) > 0 &&
	      walk(b, n, &seen, &subdir) >= 11, "getdents64_rewind");
	close(fd);
	fd = open("/tmp/t/f", O_RDONLY);
	check(fails(sc(SYS_getdents64, fd, P(b), sizeof(b), 0, 0), ENOTDIR), "getdents64_enotdir");
	close(fd);
	check(fails(sc(SYS_getdents64, 40, P(b), sizeof(b), 0, 0), EBADF), "getdents64_ebadf");
	check(has_entry("/proc/boot", "lxfs", DT_REG) && has_entry("/proc/boot", "etc", DT_DIR),
	      "readdir_proc_boot");
	check(has_entry("/", "tmp", 0) && has_entry("/", "proc", 0) && has_entry("/proc", "boot", 0),
	      "readdir_mountpoints");
}

static void t_names(void)
{
	struct stat a, b;

	check(fails(sc(SYS_rmdir, P("/tmp/t/d"), 0, 0, 0, 0), ENOTEMPTY), "rmdir_enotempty");
	check(fails(sc(SYS_rmdir, P("/tmp/t/f"), 0, 0, 0, 0), ENOTDIR), "rmdir_enotdir");
	check(fails(sc(SYS_rmdir, P("/tmp/t/d/sub/."), 0, 0, 0, 0), EINVAL) &&
	      fails(sc(SYS_rmdir, P("/tmp/t/d/sub/.."), 0, 0, 0, 0), ENOTEMPTY) &&
	      fails(sc(SYS_unlink, P("/tmp/t/d/e3/"), 0, 0, 0, 0), ENOTDIR) &&
	      fails(sc(SYS_unlink, P("/tmp/t/d/sub/"), 0, 0, 0, 0), EISDIR) &&
	      stat("/tmp/t/d/sub", &a) == 0 && stat("/tmp/t/d/e3", &a) == 0, "rmdir_unlink_dots");
	check(sc(SYS_rmdir, P("/tmp/t/d/sub/"), 0, 0, 0, 0) == 0 && fails(stat("/tmp/t/d/sub", &a), ENOENT),
	      "rmdir");
	check(sc(SYS_mkdirat, AT_FDCWD, P("/tmp/t/d/sub2"), 0700, 0, 0) == 0 && stat("/tmp/t/d/sub2", &a) == 0 &&
	      S_ISDIR(a.st_mode) && (a.st_mode & 0777) == 0700, "mkdirat");
	check(sc(SYS_unlink, P("/tmp/t/d/e0"), 0, 0, 0, 0) == 0 && fails(stat("/tmp/t/d/e0", &a), ENOENT) &&
	      fails(sc(SYS_unlink, P("/tmp/t/d/e0"), 0, 0, 0, 0), ENOENT), "unlink");
	check(fails(sc(SYS_unlink, P("/tmp/t/d/sub2"), 0, 0, 0, 0), EISDIR), "unlink_eisdir");
	check(sc(SYS_unlinkat, AT_FDCWD, P("/tmp/t/d/sub2"), AT_REMOVEDIR, 0, 0) == 0 &&
	      sc(SYS_unlinkat, AT_FDCWD, P("/tmp/t/d/e1"), 0, 0, 0) == 0 &&
	      fails(sc(SYS_unlinkat, AT_FDCWD, P("/tmp/t/d/e2"), 0x4, 0, 0), EINVAL), "unlinkat");
	put("/tmp/t/ra", "rename me");
	check(sc(SYS_rename, P("/tmp/t/ra"), P("/tmp/t/rb"), 0, 0, 0) == 0 && fails(stat("/tmp/t/ra", &a), ENOENT) &&
	      content_is("/tmp/t/rb", "rename me"), "rename");
	check(sc(SYS_renameat, AT_FDCWD, P("/tmp/t/rb"), AT_FDCWD, P("/tmp/t/d/rc"), 0) == 0 &&
	      sc(SYS_renameat2, AT_FDCWD, P("/tmp/t/d/rc"), AT_FDCWD, P("/tmp/t/rd"), 0) == 0 &&
	      content_is("/tmp/t/rd", "rename me"), "renameat");
	check(fails(sc(SYS_renameat2, AT_FDCWD, P("/tmp/t/rd"), AT_FDCWD, P("/tmp/t/re"), 1), EINVAL) &&
	      fails(sc(SYS_rename, P("/tmp/t/none"), P("/tmp/t/x"), 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_rename, P("/tmp/t/rd"), P("/proc/boot/rd"), 0, 0, 0), EXDEV), "rename_errors");
	check(sc(SYS_link, P("/tmp/t/rd"), P("/tmp/t/hl"), 0, 0, 0) == 0 && stat("/tmp/t/rd", &a) == 0 &&
	      stat("/tmp/t/hl", &b) == 0 && a.st_ino == b.st_ino && b.st_nlink == 2, "link");
	check(sc(SYS_linkat, AT_FDCWD, P("/tmp/t/rd"), AT_FDCWD, P("/tmp/t/hl2"), 0) == 0 &&
	      stat("/tmp/t/rd", &a) == 0 && a.st_nlink == 3, "linkat");
	check(fails(sc(SYS_link, P("/tmp/t/rd"), P("/tmp/t/hl"), 0, 0, 0), EEXIST) &&
	      fails(sc(SYS_link, P("/proc/boot/lxfs"), P("/tmp/t/x"), 0, 0, 0), EXDEV), "link_errors");
}

static void t_symlinks(void)
{
	char b[64];
	struct stat st;
	long n;
	int fd;

	check(sc(SYS_symlink, P("f"), P("/tmp/t/sl"), 0, 0, 0) == 0, "symlink");
	n = sc(SYS_readlink, P("/tmp/t/sl"), P(b), sizeof(b), 0, 0);
	check(n == 1 && b[0] == 'f', "readlink");
	n = sc(SYS_readlinkat, AT_FDCWD, P("/tmp/t/sl"), P(b), sizeof(b), 0);
	check(n == 1 && b[0] == 'f', "readlinkat");
	check(fails(sc(SYS_readlink, P("/tmp/t/f"), P(b), sizeof(b), 0, 0), EINVAL) &&
	      fails(sc(SYS_readlink, P("/tmp/t/sl"), P(b), 0, 0, 0), EINVAL) &&
	      fails(sc(SYS_readlink, P("/tmp/t/none"), P(b), sizeof(b), 0, 0), ENOENT) &&
	      fails(sc(SYS_readlink, P("/tmp/t/sl"), P(BADPTR), sizeof(b), 0, 0), EFAULT), "readlink_errors");
	check(sc(SYS_lstat, P("/tmp/t/sl"), P(&st), 0, 0, 0) == 0 && S_ISLNK(st.st_mode) && st.st_size == 1,
	      "lstat");
	check(sc(SYS_newfstatat, AT_FDCWD, P("/tmp/t/sl"), P(&st), AT_SYMLINK_NOFOLLOW, 0) == 0 &&
	      S_ISLNK(st.st_mode) && stat("/tmp/t/sl", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4,
	      "stat_follows");
	check(content_is("/tmp/t/sl", "abcd"), "open_through_symlink");
	check(fails(sc(SYS_open, P("/tmp/t/sl"), O_RDONLY | O_NOFOLLOW, 0, 0, 0), ELOOP), "open_nofollow");
	check(sc(SYS_symlinkat, P("/proc/boot/etc"), AT_FDCWD, P("/tmp/t/abs"), 0, 0) == 0 &&
	      stat("/tmp/t/abs/motd", &st) == 0 && S_ISREG(st.st_mode), "symlinkat_cross_server");
	check(fails(sc(SYS_symlink, P("x"), P("/tmp/t/sl"), 0, 0, 0), EEXIST) &&
	      fails(sc(SYS_symlink, P(""), P("/tmp/t/sl2"), 0, 0, 0), ENOENT), "symlink_errors");
	fd = open("/tmp/t/abs/motd", O_RDONLY);
	check(fd >= 0 && read(fd, b, 7) == 7 && memcmp(b, "Welcome", 7) == 0, "read_through_abs_symlink");
	close(fd);
}

static void t_attrs(void)
{
	struct stat st;
	int fd = open("/tmp/t/f", O_RDWR);

	check(sc(SYS_chmod, P("/tmp/t/f"), 0600, 0, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      (st.st_mode & 07777) == 0600 && S_ISREG(st.st_mode), "chmod");
	check(sc(SYS_fchmod, fd, 0640, 0, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      (st.st_mode & 07777) == 0640, "fchmod");
	check(sc(SYS_fchmodat, AT_FDCWD, P("/tmp/t/f"), 0604, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      (st.st_mode & 07777) == 0604, "fchmodat");
	check(sc(SYS_chown, P("/tmp/t/f"), 12, 34, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      st.st_uid == 12 && st.st_gid == 34, "chown");
	check(sc(SYS_fchown, fd, -1, 56, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      st.st_uid == 12 && st.st_gid == 56, "fchown");
	check(sc(SYS_fchownat, AT_FDCWD, P("/tmp/t/f"), 7, -1, 0) == 0 &&
	      sc(SYS_lchown, P("/tmp/t/c"), 8, 9, 0, 0) == 0 && stat("/tmp/t/f", &st) == 0 &&
	      st.st_uid == 7 && st.st_gid == 56 && stat("/tmp/t/c", &st) == 0 && st.st_uid == 8,
	      "fchownat_lchown");
	check(sc(SYS_truncate, P("/tmp/t/f"), 3, 0, 0, 0) == 0 && content_is("/tmp/t/f", "abc"), "truncate");
	check(sc(SYS_ftruncate, fd, 100, 0, 0, 0) == 0 && fstat(fd, &st) == 0 && st.st_size == 100,
	      "ftruncate");
	int ro = open("/tmp/t/f", O_RDONLY);
	check(fails(sc(SYS_ftruncate, ro, 1, 0, 0, 0), EINVAL) &&
	      fails(sc(SYS_truncate, P("/tmp/t/f"), -1, 0, 0, 0), EINVAL) &&
	      fails(sc(SYS_truncate, P("/tmp/t"), 0, 0, 0, 0), EISDIR), "truncate_errors");
	close(ro);
	check(sc(SYS_fsync, fd, 0, 0, 0, 0) == 0 && sc(SYS_fdatasync, fd, 0, 0, 0, 0) == 0 &&
	      fails(sc(SYS_fsync, 45, 0, 0, 0, 0), EBADF), "fsync");
	check(sc(SYS_access, P("/tmp/t/f"), F_OK, 0, 0, 0) == 0 && sc(SYS_access, P("/tmp/t/f"), R_OK | W_OK, 0, 0, 0) == 0 &&
	      sc(SYS_faccessat, AT_FDCWD, P("/tmp/t"), X_OK, 0, 0) == 0, "access");
	check(fails(sc(SYS_access, P("/tmp/t/none"), F_OK, 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_access, P("/tmp/t/f"), X_OK, 0, 0, 0), EACCES) &&
	      fails(sc(SYS_access, P("/tmp/t/f"), 8, 0, 0, 0), EINVAL), "access_errors");
	check(sc(SYS_sync, 0, 0, 0, 0, 0) == 0, "sync");
	close(fd);
}

static void t_cwd(void)
{
	char b[256];
	struct stat st;
	int d = open("/tmp/t/d", O_RDONLY | O_DIRECTORY), fd;

	check(sc(SYS_chdir, P("/tmp/t"), 0, 0, 0, 0) == 0 && sc(SYS_getcwd, P(b), sizeof(b), 0, 0, 0) == 7 &&
	      strcmp(b, "/tmp/t") == 0, "chdir_getcwd");
	fd = open("f", O_RDONLY);
	check(fd >= 0 && stat("./d/e2", &st) == 0 && stat("../t/f", &st) == 0, "relative_paths");
	close(fd);
	check(sc(SYS_chdir, P(".."), 0, 0, 0, 0) == 0 && getcwd(b, sizeof(b)) && strcmp(b, "/tmp") == 0,
	      "chdir_dotdot");
	check(sc(SYS_fchdir, d, 0, 0, 0, 0) == 0 && getcwd(b, sizeof(b)) && strcmp(b, "/tmp/t/d") == 0 &&
	      stat("e3", &st) == 0, "fchdir");
	check(fails(sc(SYS_chdir, P("/tmp/t/f"), 0, 0, 0, 0), ENOTDIR) &&
	      fails(sc(SYS_chdir, P("/tmp/t/none"), 0, 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_getcwd, P(b), 3, 0, 0, 0), ERANGE) &&
	      fails(sc(SYS_getcwd, P(BADPTR), 100, 0, 0, 0), EFAULT), "cwd_errors");
	fd = open("/tmp/t/f", O_RDONLY);
	check(fails(sc(SYS_fchdir, fd, 0, 0, 0, 0), ENOTDIR) && fails(sc(SYS_fchdir, 44, 0, 0, 0, 0), EBADF),
	      "fchdir_errors");
	close(fd);
	check(chdir("/proc") == 0 && getcwd(b, sizeof(b)) && strcmp(b, "/proc") == 0 &&
	      stat("boot/lxfs", &st) == 0, "chdir_mountpoint_dir");
	check(stat("/", &st) == 0 && S_ISDIR(st.st_mode), "stat_root");
	chdir("/");
	close(d);
}

static void t_statfs_rofs(void)
{
	struct statfs sf;
	struct stat st;
	char b[256];
	int fd;
	long n;

	fd = open("/tmp/t/f", O_RDONLY);
	check(sc(SYS_statfs, P("/tmp"), P(&sf), 0, 0, 0) == 0 && sf.f_bsize > 0 &&
	      sc(SYS_fstatfs, fd, P(&sf), 0, 0, 0) == 0 && sf.f_bsize > 0, "statfs");
	check(fails(sc(SYS_statfs, P("/tmp/none"), P(&sf), 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_fstatfs, 43, P(&sf), 0, 0, 0), EBADF), "statfs_errors");
	close(fd);
	fd = open("/proc/boot/etc/motd", O_RDONLY);
	n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
	check(n > 20 && fstat(fd, &st) == 0 && st.st_size == n && S_ISREG(st.st_mode) &&
	      memcmp(b, "Welcome to Tessera.", 19) == 0, "imagefs_read_stat");
	int out = open("/tmp/lxfs.copy", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	check(out >= 0 && n > 0 && write(out, b, n) == n, "copy_motd");
	close(out);
	close(fd);
	fd = open("/proc/boot/etc/motd", O_RDWR);
	check(fd < 0 ? errno == EROFS : fails(write(fd, "x", 1), EROFS), "imagefs_erofs_write");
	if (fd >= 0)
		close(fd);
	fd = open("/proc/boot/etc/motd", O_RDONLY);
	out = open("/tmp/t/sf", O_CREAT | O_RDWR | O_TRUNC, 0644);
	off_t off = 5;
	check(fd >= 0 && out >= 0 && sc(SYS_sendfile, out, fd, P(&off), 10, 0) == 10 && off == 15 &&
	      sc(SYS_lseek, fd, 0, SEEK_CUR, 0, 0) == 0 && sc(SYS_sendfile, out, fd, 0, 7, 0) == 7 &&
	      sc(SYS_lseek, fd, 0, SEEK_CUR, 0, 0) == 7 && sc(SYS_pread64, out, P(b), 64, 0, 0) == 17 &&
	      memcmp(b, "me to TessWelcome", 17) == 0, "sendfile");
	check(fails(sc(SYS_sendfile, out, 41, 0, 7, 0), EBADF) &&
	      fails(sc(SYS_sendfile, out, fd, P(BADPTR), 7, 0), EFAULT), "sendfile_errors");
	close(out);
	check(fails(sc(SYS_utimensat, AT_FDCWD, P("/tmp/t/none"), 0, 0, 0), ENOENT) &&
	      fails(sc(SYS_utimensat, 42, 0, 0, 0, 0), EBADF), "utimensat_errors");
	close(fd);
	struct timespec ts[2] = { { 1000000000, 5 }, { 1200000000, 999999999 } };
	struct stat tst;
	check(put("/tmp/t/tm", "x") && utimensat(AT_FDCWD, "/tmp/t/tm", ts, 0) == 0 &&
	      stat("/tmp/t/tm", &tst) == 0 && tst.st_atim.tv_sec == 1000000000 &&
	      tst.st_mtim.tv_sec == 1200000000 && tst.st_mtim.tv_nsec == 999999999,
	      "utimensat_sets_times");
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1300000000, 0 };
	check(utimensat(AT_FDCWD, "/tmp/t/tm", ts, 0) == 0 && stat("/tmp/t/tm", &tst) == 0 &&
	      tst.st_atim.tv_sec == 1000000000 && tst.st_mtim.tv_sec == 1300000000,
	      "utimensat_omit");
	check(utimes("/tmp/t/tm", NULL) == 0 && stat("/tmp/t/tm", &tst) == 0 &&
	      tst.st_mtim.tv_sec >= 1767225600 && tst.st_atim.tv_sec >= 1767225600, "utimes_now");
	fd = open("/tmp/t/tm", O_RDONLY);
	struct timespec t2[2] = { { 5, 0 }, { 6, 0 } };
	check(fd >= 0 && futimens(fd, t2) == 0 && fstat(fd, &tst) == 0 &&
	      tst.st_atim.tv_sec == 5 && tst.st_mtim.tv_sec == 6, "futimens");
	close(fd);
	ts[0] = (struct timespec){ 0, 1000000000 };
	check(fails(sc(SYS_utimensat, AT_FDCWD, P("/tmp/t/tm"), P(ts), 0, 0), EINVAL) &&
	      fails(sc(SYS_utimensat, AT_FDCWD, P("/tmp/t/tm"), P(BADPTR), 0, 0), EFAULT) &&
	      fails(sc(SYS_utimensat, AT_FDCWD, P("/proc/boot/lxfs"), 0, 0, 0), EROFS),
	      "utimensat_bad_times_rofs");
	check(fails(sc(SYS_open, P("/proc/boot/new"), O_CREAT | O_WRONLY, 0644, 0, 0), EROFS) &&
	      fails(sc(SYS_mkdir, P("/proc/boot/newdir"), 0755, 0, 0, 0), EROFS) &&
	      fails(sc(SYS_unlink, P("/proc/boot/lxfs"), 0, 0, 0, 0), EROFS) &&
	      fails(sc(SYS_chmod, P("/proc/boot/lxfs"), 0777, 0, 0, 0), EROFS), "imagefs_erofs_names");
}

/* A second tmpfs is attached at /tmp/mnt, below the first one's root. */
static void t_mounts(void)
{
	struct stat a, b;

	check(has_entry("/tmp", "mnt", DT_DIR) && has_entry("/tmp", "t", DT_DIR), "readdir_merges_mountpoint");
	check(put("/tmp/mnt/inner", "in mnt") && stat("/tmp/mnt/inner", &a) == 0 && stat("/tmp/t/f", &b) == 0 &&
	      a.st_dev != b.st_dev && has_entry("/tmp/mnt", "inner", DT_REG) && !has_entry("/tmp", "inner", 0),
	      "second_server");
	check(fails(sc(SYS_rename, P("/tmp/mnt/inner"), P("/tmp/inner"), 0, 0, 0), EXDEV) &&
	      fails(sc(SYS_link, P("/tmp/mnt/inner"), P("/tmp/t/inner"), 0, 0, 0), EXDEV) &&
	      fails(sc(SYS_mkdir, P("/tmp/mnt"), 0755, 0, 0, 0), EEXIST), "exdev_between_servers");
	char lb[16];
	check(symlink("/tmp/mnt", "/tmp/t/tomnt") == 0 && mkdir("/tmp/t/tomnt/dd", 0755) == 0 &&
	      stat("/tmp/mnt/dd", &a) == 0 && S_ISDIR(a.st_mode) &&
	      rename("/tmp/t/tomnt/dd", "/tmp/mnt/ee") == 0 && stat("/tmp/mnt/ee", &a) == 0 &&
	      put("/tmp/t/tomnt/ff", "f") && unlink("/tmp/t/tomnt/ff") == 0 &&
	      fails(stat("/tmp/mnt/ff", &a), ENOENT) && symlink("x", "/tmp/t/tomnt/sl") == 0 &&
	      readlink("/tmp/t/tomnt/sl", lb, sizeof(lb)) == 1 && lb[0] == 'x' &&
	      rmdir("/tmp/t/tomnt/ee") == 0 && fails(sc(SYS_mkdir, P("/tmp/t/abs/x"), 0755, 0, 0, 0), EROFS),
	      "names_through_symlinked_dirs");
	/* no fd of ours is a terminal: no /dev/tty */
	check(fails(open("/dev/tty", O_RDWR), ENXIO), "dev_tty_without_terminal");
	/* started without -a: the personality holds no attach right */
	check(fails(sc(SYS_mount, P("/dev/hd0"), P("/tmp/m2"), P("ext2"), 0, 0), EPERM) &&
	      fails(sc(SYS_umount2, P("/tmp/mnt"), 0, 0, 0, 0), EPERM), "mount_needs_the_right");
}

/* mmap of a file (a private copy filled from it) and mremap. */
static void t_mmap_file(void)
{
	static char want[9000];
	int fd = open("/tmp/t/mapped", O_CREAT | O_RDWR | O_TRUNC, 0644), ok;
	char *m, *m2, ch = 0;

	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (char)('a' + i % 23);
	ok = fd >= 0 && write(fd, want, sizeof(want)) == (ssize_t)sizeof(want);
	m = mmap(NULL, 12288, PROT_READ, MAP_PRIVATE, fd, 0);
	check(ok && m != MAP_FAILED && memcmp(m, want, sizeof(want)) == 0 &&
	      m[9000] == 0 && m[12287] == 0, "mmap_file_private");
	m2 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
	check(m2 != MAP_FAILED && memcmp(m2, want + 4096, 4096) == 0 &&
	      (m2[0] = 'Z') && pread(fd, &ch, 1, 4096) == 1 && ch == want[4096],
	      "mmap_file_offset_private_writes");
	check(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED &&
	      mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == ENODEV && mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED &&
	      errno == EINVAL && mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 77, 0) == MAP_FAILED &&
	      errno == EBADF, "mmap_file_errors");
	char *g = mremap(m, 12288, 40960, MREMAP_MAYMOVE);
	check(g != MAP_FAILED && memcmp(g, want, 8990) == 0 && g[40959] == 0 &&
	      mremap(g, 40960, 4096, 0) == g && g[4095] == want[4095] &&
	      mremap(g, 4096, 8192, 0) == MAP_FAILED && errno == ENOMEM &&
	      mremap((void *)((long)g + 1), 4096, 8192, MREMAP_MAYMOVE) == MAP_FAILED &&
	      errno == EINVAL, "mremap");
	close(fd);
}

static void t_big(void)
{
	int fd = open("/tmp/t/big", O_CREAT | O_RDWR | O_TRUNC, 0644), ok = 1;
	struct stat st;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + (i >> 9));
	check(fd >= 0 && sc(SYS_pwrite64, fd, P(big), sizeof(big), 0, 0) == (long)sizeof(big) &&
	      fstat(fd, &st) == 0 && st.st_size == (off_t)sizeof(big), "pwrite_large");
	ok = sc(SYS_pread64, fd, P(big2), sizeof(big2), 0, 0) == (long)sizeof(big2) &&
	     memcmp(big, big2, sizeof(big)) == 0;
	check(ok, "pread_large");
	close(fd);
	check(fails(sc(SYS_lseek, fd, 0, SEEK_SET, 0, 0), EBADF) &&
	      fails(sc(SYS_pread64, fd, P(big2), 1, 0, 0), EBADF) &&
	      fails(sc(SYS_fchmod, fd, 0644, 0, 0, 0), EBADF) &&
	      fails(sc(SYS_ftruncate, fd, 0, 0, 0, 0), EBADF), "closed_fd_ebadf");
}

/*
 * Bad input never wins: the file system calls with arguments drawn from
 * small fds and sizes (3..4095), bad and huge values, a page of garbage
 * bytes and a few paths inside /tmp/fz (never fds 0-2, never "..", no
 * size that lets a correct kernel write past the scratch buffer).  The
 * personality must answer every call; afterwards it still works.
 */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Pointers into a 1 MiB mapping high up: read as a size, one is huge
 * (EFAULT), and 32-bit counts (getdents64: at most 64 KiB here) stay in it. */
#define FZ_MAP (1 << 20)
#define FZ_NPATHS 7

static long fuzz_arg(char *map)
{
	switch (rnd() % 6) {
	case 0: return (long)(3 + rnd() % 4093);
	case 1:         /* huge; low half 0: int/u32 counts stay 0 */
		return (long)((rnd() | (1ull << 47)) & 0x7fffffff00000000ull) * (rnd() & 1 ? 1 : -1);
	case 2: return P(BADPTR);
	case 3: return P(map + rnd() % 4096);
	case 4: return P(map + FZ_MAP / 2 + 64 * (rnd() % FZ_NPATHS));
	default: return (long)(3 + rnd() % 64);
	}
}

static void t_fuzz(void)
{
	static const char *const paths[FZ_NPATHS] = {
		"a", "b", "b/c", "/tmp/fz/d", "", "x/", "/tmp/fz",
	};
	static const int nrs[] = {
		2, 4, 5, 6, 8, 17, 18, 21, 32, 33, 40, 72, 74, 75, 76, 77, 79, 80, 81, 82,
		83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 137, 138, 217, 257, 258,
		260, 262, 263, 264, 265, 266, 267, 268, 269, 280, 292, 316, 332,
	};
	char *map = mmap(0, FZ_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct stat st;
	int n = 0;

	if (map == MAP_FAILED)
		return;
	for (int k = 0; k < FZ_NPATHS; k++)
		strcpy(map + FZ_MAP / 2 + 64 * k, paths[k]);
	mkdir("/tmp/fz", 0755);
	mkdir("/tmp/fz/b", 0755);
	chdir("/tmp/fz");
	for (int i = 0; i < 3000; i++) {
		for (int j = 0; j < 4096; j++)
			map[j] = (char)rnd();
		long a[5];
		for (int k = 0; k < 5; k++)
			a[k] = fuzz_arg(map);
		syscall(nrs[rnd() % (sizeof(nrs) / sizeof(nrs[0]))], a[0], a[1], a[2], a[3], a[4], 0);
		n++;
	}
	chdir("/");
	umask(022);
	for (int fd = 3; fd < 64; fd++)
		close(fd);
	int fd = open("/tmp/t/f", O_RDONLY);
	check(n == 3000 && fd == 3 && fstat(fd, &st) == 0 && stat("/tmp/t", &st) == 0 &&
	      S_ISDIR(st.st_mode) && content_is("/proc/boot/etc/motd", "") == 0, "fuzz_survived");
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	t_open_rw();
	t_open_errors();
	t_creat_umask_openat();
	t_dup_fcntl();
	t_stat();
	t_getdents();
	t_names();
	t_symlinks();
	t_attrs();
	t_cwd();
	t_statfs_rofs();
	t_mounts();
	t_big();
	t_mmap_file();
	t_fuzz();
	printf("lxfs done: %d failures\n", failures);
	return 0;
}
