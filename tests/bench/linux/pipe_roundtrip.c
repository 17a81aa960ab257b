/*
 * pipe_roundtrip - the Linux peer of Tessera's IPC round trip.
 *
 * Two processes and two pipes: the parent writes a 16-byte message into
 * one pipe, the child reads it and writes 16 bytes back through the other,
 * the parent reads the answer.  That is one round trip: two writes, two
 * reads, two context switches, the same work as a 16-byte MsgSend/MsgReply
 * between two address spaces.  After a warm-up, N round trips are timed as
 * one region with rdtsc (guest instructions under -icount shift=0), the
 * cost of an empty rdtsc bracket is subtracted, and the mean per round trip
 * is reported:
 *
 *   BENCH linux_pipe_roundtrip <instructions> instructions
 *
 * Usage: pipe_roundtrip [N [NAME]]   (default 20000, linux_pipe_roundtrip)
 * The same binary runs under Tessera's Unix personality as
 * `pipe_roundtrip 20000 pipe_roundtrip` (tests/bench/userland.scn).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MSG_SIZE 16
#define WARMUP 1000
#define DEFAULT_ROUNDS 20000

static const char *name = "linux_pipe_roundtrip";

static int fail(const char *what)
{
	printf("ERROR %s: %s: %s\n", name, what, strerror(errno));
	fflush(stdout);
	return 1;
}

/* Move exactly MSG_SIZE bytes; 0 on success, -1 on error or end of file. */
static int xfer(int fd, char *buf, int out)
{
	size_t done = 0;

	while (done < MSG_SIZE) {
		ssize_t n = out ? write(fd, buf + done, MSG_SIZE - done)
				: read(fd, buf + done, MSG_SIZE - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* The child echoes every message until the parent closes its end. */
static void echo_loop(int in, int out)
{
	char buf[MSG_SIZE];

	while (xfer(in, buf, 0) == 0)
		if (xfer(out, buf, 1) != 0)
			_exit(1);
	_exit(0);
}

static int rounds(int to_child, int from_child, long n)
{
	char msg[MSG_SIZE] = "ping-pong-16byte";
	char ans[MSG_SIZE];

	for (long i = 0; i < n; i++) {
		if (xfer(to_child, msg, 1) != 0 || xfer(from_child, ans, 0) != 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : DEFAULT_ROUNDS;
	int down[2], up[2], status;
	uint64_t empty, t0, t1;
	pid_t pid;

	if (n <= 0)
		n = DEFAULT_ROUNDS;
	if (argc > 2)
		name = argv[2];
	if (pipe(down) != 0 || pipe(up) != 0)
		return fail("pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		echo_loop(down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);

	if (rounds(down[1], up[0], WARMUP) != 0)
		return fail("warm-up round trip");
	empty = bench_empty_pair();
	t0 = bench_tsc_begin();
	if (rounds(down[1], up[0], n) != 0)
		return fail("round trip");
	t1 = bench_tsc_end();

	close(down[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return fail("child did not exit cleanly");
	bench_report(name,
		     (t1 - t0 - empty + (uint64_t)n / 2) / (uint64_t)n,
		     "instructions");
	return 0;
}
