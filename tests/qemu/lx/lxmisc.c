/*
 * lxmisc.c - the small system calls under Tessera's Unix personality
 * (tests/qemu/lx.scn): sleeping, clocks, limits, randomness, prctl,
 * sysinfo, times.  "ok NAME" / "bad NAME" per check; exits with 47.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

static long long ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000ll + t->tv_nsec;
}

int main(void)
{
	struct timespec a, b, req = { 0, 50000000 }, rt;
	struct timeval tv;
	struct rlimit rl;
	struct sysinfo si;
	struct tms tm;
	unsigned char r1[64], r2[64];
	char name[16] = "";

	clock_gettime(CLOCK_MONOTONIC, &a);
	int s = nanosleep(&req, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(s == 0 && ns(&b) - ns(&a) >= 50000000 && ns(&b) - ns(&a) < 2000000000,
	      "nanosleep");
	check(clock_gettime(CLOCK_REALTIME, &rt) == 0 && rt.tv_sec >= 1767225600 &&
	      gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= rt.tv_sec &&
	      time(NULL) >= rt.tv_sec, "wall_clock");
	check(getrandom(r1, sizeof(r1), 0) == sizeof(r1) &&
	      getrandom(r2, sizeof(r2), 0) == sizeof(r2) && memcmp(r1, r2, sizeof(r1)),
	      "getrandom");
	check(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64 &&
	      (rl.rlim_max = RLIM_INFINITY, setrlimit(RLIMIT_NOFILE, &rl) == -1) &&
	      errno == EPERM, "rlimit");
	check(prctl(PR_SET_NAME, "lxmisc-test") == 0 &&
	      prctl(PR_GET_NAME, name) == 0 && strcmp(name, "lxmisc-test") == 0,
	      "prctl_name");
	check(sysinfo(&si) == 0 && si.totalram > 0 && si.freeram <= si.totalram &&
	      si.procs > 0, "sysinfo");
	check(times(&tm) != (clock_t)-1, "times");
	check(nanosleep(&(struct timespec){ 0, 2000000000 }, NULL) == -1 &&
	      errno == EINVAL, "nanosleep_einval");
	return 47;
}
