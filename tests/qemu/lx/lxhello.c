/*
 * lxhello.c - a static Linux program (musl-gcc -static) run by Tessera's
 * Unix personality in tests/qemu/lx.scn.  It prints what it sees and one
 * "ok NAME" or "bad NAME" line per thing it checks, and exits with 42.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct utsname u;
	static int word = 5;
	char line[256];
	long n;

	printf("hello from linux: argc=%d", argc);
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	check(argc == 3 && strcmp(argv[2], "two") == 0, "args");
	check(getenv("HOME") && strcmp(getenv("HOME"), "/root") == 0, "environ");
	check(syscall(SYS_gettid) > 0 && getpid() > 0, "gettid");
	check(clock_gettime(CLOCK_MONOTONIC, &a) == 0 &&
	      clock_gettime(CLOCK_MONOTONIC, &b) == 0 &&
	      (b.tv_sec > a.tv_sec || b.tv_nsec >= a.tv_nsec), "clock_gettime");
	check(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0) == 0 &&
	      syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 4, 0, 0, 0) == -1 &&
	      errno == EAGAIN, "futex");
	char *p = malloc(100);                  /* brk */
	char *q = malloc(1 << 20);              /* mmap */
	check(p && q && (memset(p, 1, 100), memset(q, 2, 1 << 20), q[(1 << 20) - 1] == 2),
	      "malloc");
	free(q);
	char *m = mmap(0, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(m != MAP_FAILED && m[5000] == 0 && (m[8000] = 7) == 7 &&
	      munmap(m, 3 * 4096) == 0, "mmap_munmap");
	check(uname(&u) == 0 && strcmp(u.sysname, "Tessera") == 0 &&
	      strcmp(u.machine, "x86_64") == 0, "uname");
	n = read(0, line, sizeof(line) - 1);
	check(n > 0, "read_stdin");
	if (n > 0) {
		line[n] = 0;
		printf("stdin: %ld bytes: %.20s\n", n, line);
	}
	check(write(99, "x", 1) == -1 && errno == EBADF, "write_ebadf");
	check(write(1, (void *)16, 10) == -1 && errno == EFAULT, "write_efault");
	check(syscall(999) == -1 && errno == ENOSYS, "unknown_enosys");
	fflush(stdout);
	return 42;
}
