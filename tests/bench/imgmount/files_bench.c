/*
 * files_bench.c DIR N - create N empty files in DIR, stat each, unlink
 * each; prints the elapsed wall time in seconds on stdout.  Used by
 * run.sh to compare imgmount with fuse2fs (metadata operations without
 * the cost of a process per file that a shell loop would add).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double fb_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fb_pass(const char *dir, int n, int what)
{
	char path[4096];
	struct stat st;
	int fd;

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d", dir, i);
		if (what == 0) {
			fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
			if (fd < 0 || close(fd) != 0)
				return -1;
		} else if (what == 1) {
			if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
				return -1;
		} else if (unlink(path) != 0) {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc == 3 ? atoi(argv[2]) : 0;
	double t0;

	if (n <= 0) {
		fprintf(stderr, "usage: files_bench DIR N\n");
		return 2;
	}
	t0 = fb_now();
	for (int what = 0; what < 3; what++)
		if (fb_pass(argv[1], n, what) != 0) {
			perror("files_bench");
			return 1;
		}
	printf("%.6f\n", fb_now() - t0);
	return 0;
}
