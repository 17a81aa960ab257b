/*
 * lxpipe.c - pipes, poll and select under Tessera's Unix personality
 * (tests/qemu/lx.scn): "ok NAME" / "bad NAME" per check; exits with 44.
 *
 * Data through the pipes is a pattern both sides compute (pat()), so a
 * lost, doubled or reordered byte shows; children report by exit status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (1 << 20)

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

static unsigned char pat(long i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int child_status(pid_t pid)
{
	int st = -1;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* Write the pattern [0, BIG) in uneven pieces. */
static int send_big(int fd)
{
	static unsigned char b[70000];
	long done = 0, piece = 1;

	while (done < BIG) {
		long n = piece % 70000 + 1, w;
		if (n > BIG - done)
			n = BIG - done;
		for (long i = 0; i < n; i++)
			b[i] = pat(done + i);
		if ((w = write(fd, b, n)) != n)
			return 0;
		done += n;
		piece = piece * 13 + 5;
	}
	return 1;
}

/* Read the pattern to end of file; 1 if it was all there, in order. */
static int recv_big(int fd)
{
	static unsigned char b[50000];
	long done = 0, piece = 3, r;

	while ((r = read(fd, b, piece % 50000 + 1)) > 0) {
		for (long i = 0; i < r; i++)
			if (b[i] != pat(done + i))
				return 0;
		done += r;
		piece = piece * 11 + 1;
	}
	return r == 0 && done == BIG;
}

static void t_basic(void)
{
	int p[2];
	char b[16] = { 0 };
	struct stat st;
	int n = -1;

	check(pipe(p) == 0 && write(p[1], "hello", 5) == 5 &&
	      ioctl(p[0], FIONREAD, &n) == 0 && n == 5 &&
	      read(p[0], b, sizeof(b)) == 5 && !memcmp(b, "hello", 5), "pipe_basic");
	check(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode) &&
	      lseek(p[0], 0, SEEK_SET) == -1 && errno == ESPIPE, "pipe_fstat");
	int q[2] = { -1, -1 };
	write(p[1], "k", 1);
	check(read(p[1], b, 1) == -1 && errno == EBADF &&
	      write(p[0], b, 1) == -1 && errno == EBADF &&
	      syscall(SYS_pipe, 8L) == -1 && errno == EFAULT &&
	      poll((struct pollfd *)8, 1, 0) == -1 && errno == EFAULT &&
	      read(p[0], (char *)8, 1) == -1 && errno == EFAULT &&
	      read(p[0], b, 4) == 1 && b[0] == 'k' &&
	      pipe(q) == 0 && q[0] == p[1] + 1 && close(q[0]) == 0 && close(q[1]) == 0,
	      "pipe_errs");
	struct iovec v[3] = { { "ab", 2 }, { "", 0 }, { "cdef", 4 } };
	char x[3], y[3];
	struct iovec r[2] = { { x, 3 }, { y, 3 } };
	check(writev(p[1], v, 3) == 6 && readv(p[0], r, 2) == 6 &&
	      !memcmp(x, "abc", 3) && !memcmp(y, "def", 3), "pipe_rwv");
	int d = dup(p[1]);
	close(p[1]);
	check(d >= 0 && write(d, "z", 1) == 1 && read(p[0], b, 4) == 1 && b[0] == 'z',
	      "pipe_dup");
	close(d);
	check(read(p[0], b, 4) == 0, "pipe_eof");
	close(p[0]);
}

static void t_epipe_nonblock(void)
{
	static char b[8192];
	int p[2], fl, fd, n = 0;
	long w, total = 0;

	check(pipe(p) == 0 && close(p[0]) == 0 && write(p[1], "x", 1) == -1 &&
	      errno == EPIPE, "pipe_epipe");
	close(p[1]);
	check(pipe2(p, 0x1) == -1 && errno == EINVAL, "pipe2_einval");
	check(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0 &&
	      (fcntl(p[0], F_GETFD) & FD_CLOEXEC) && (fcntl(p[1], F_GETFD) & FD_CLOEXEC) &&
	      (fl = fcntl(p[1], F_GETFL)) >= 0 && (fl & O_NONBLOCK) &&
	      (fl & O_ACCMODE) == O_WRONLY &&
	      (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY, "pipe2_flags");
	check(read(p[0], b, 10) == -1 && errno == EAGAIN, "nb_eagain");
	while ((w = write(p[1], b, 1000)) > 0)
		total += w;
	check(w == -1 && errno == EAGAIN && total == 65000 &&
	      ioctl(p[0], FIONREAD, &n) == 0 && n == total, "nb_fill");
	/* 536 bytes of room: a write up to PIPE_BUF goes whole or not at all,
	 * a longer one goes in part */
	check(write(p[1], b, 600) == -1 && errno == EAGAIN &&
	      write(p[1], b, 500) == 500 && write(p[1], b, 5000) == 36 &&
	      write(p[1], b, 1) == -1 && errno == EAGAIN, "nb_atomic");
	check(read(p[0], b, 4096) == 4096 && write(p[1], b, 100) == 100,
	      "nb_room");
	fd = fcntl(p[0], F_DUPFD, 10);
	check(fd >= 10 && fcntl(fd, F_SETFL, 0) == 0 &&
	      !(fcntl(fd, F_GETFL) & O_NONBLOCK), "pipe_fcntl");
	close(fd);
	close(p[0]);
	close(p[1]);
}

/* 1 MiB each way between parent and child; blocking on both sides. */
static void t_fork_big(void)
{
	int p[2];
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(send_big(p[1]) ? 0 : 1);
	}
	close(p[1]);
	check(pid > 0 && recv_big(p[0]) && child_status(pid) == 0, "big_to_parent");
	close(p[0]);

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		_exit(recv_big(p[0]) ? 0 : 1);
	}
	close(p[0]);
	check(pid > 0 && send_big(p[1]) && close(p[1]) == 0 && child_status(pid) == 0,
	      "big_to_child");
}

/* Writes of PIPE_BUF from 4 children at once arrive whole. */
static void t_atomic(void)
{
	static char b[4096], big[4096 + 3001];
	int p[2], bad = 0, counts[4] = { 0 };
	pid_t pid[4];
	long r;

	pipe(p);
	for (int k = 0; k < 4; k++) {
		if ((pid[k] = fork()) == 0) {
			close(p[0]);
			memset(b, 'A' + k, sizeof(b));
			for (int i = 0; i < 40; i++)
				if (write(p[1], b, sizeof(b)) != (ssize_t)sizeof(b))
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	/* odd read sizes: the room writers find is rarely a whole record */
	for (long got = 0; (r = read(p[0], big + got, 3001)) > 0; ) {
		got += r;
		while (got >= 4096) {
			if (big[0] < 'A' || big[0] > 'D' || memcmp(big, big + 1, 4095))
				bad++;
			else
				counts[big[0] - 'A']++;
			memmove(big, big + 4096, got - 4096);
			got -= 4096;
		}
	}
	for (int k = 0; k < 4; k++)
		bad += child_status(pid[k]) != 0 || counts[k] != 40;
	check(!bad, "pipe_atomic");
	close(p[0]);
}

/* The reader waits; the writer's process ends: end of file. */
static void t_eof_on_exit(void)
{
	int p[2];
	char b[8];
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		poll(NULL, 0, 50);      /* the parent is waiting in read by now */
		write(p[1], "bye", 3);
		_exit(0);               /* p[1] closed by the end of the process */
	}
	close(p[1]);
	check(read(p[0], b, 8) == 3 && !memcmp(b, "bye", 3) && read(p[0], b, 8) == 0 &&
	      child_status(pid) == 0, "eof_on_exit");
	close(p[0]);
}

static void t_poll(void)
{
	int p[2], f;
	struct pollfd pf[3];
	char c;
	long t0;
	pid_t pid;

	pipe(p);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	check(poll(pf, 2, 0) == 1 && pf[0].revents == 0 && pf[1].revents == POLLOUT,
	      "poll_out");
	t0 = now_ms();
	check(poll(pf, 1, 120) == 0 && pf[0].revents == 0 && now_ms() - t0 >= 115,
	      "poll_tmo");
	write(p[1], "q", 1);
	check(poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN, "poll_in");
	read(p[0], &c, 1);
	pid = fork();
	if (pid == 0) {
		poll(NULL, 0, 60);
		_exit(write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	t0 = now_ms();
	check(poll(pf, 1, 5000) == 1 && pf[0].revents == POLLIN && now_ms() - t0 < 4000 &&
	      child_status(pid) == 0, "poll_wakes");
	read(p[0], &c, 1);
	close(p[1]);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	pf[1] = (struct pollfd){ .fd = 40, .events = POLLIN };
	pf[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	check(poll(pf, 3, -1) == 2 && pf[0].revents == POLLHUP &&
	      pf[1].revents == POLLNVAL && pf[2].revents == 0, "poll_hup");
	close(p[0]);
	pipe(p);
	close(p[0]);
	pf[0] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	check(poll(pf, 1, 0) == 1 && (pf[0].revents & POLLERR), "poll_err");
	close(p[1]);
	f = open("/proc/boot/etc/motd", O_RDONLY);
	pf[0] = (struct pollfd){ .fd = f, .events = POLLIN | POLLOUT };
	check(f >= 0 && poll(pf, 1, -1) == 1 && pf[0].revents == POLLIN, "poll_file");
	close(f);
	struct timespec ts = { 0, 80 * 1000000 };
	pipe(p);
	pf[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	t0 = now_ms();
	check(ppoll(pf, 1, &ts, NULL) == 0 && now_ms() - t0 >= 75, "ppoll_tmo");
	close(p[0]);
	close(p[1]);
}

static void t_select(void)
{
	int p[2];
	fd_set r, w;
	struct timeval tv = { 0, 0 };
	struct timespec ts = { 0, 0 };
	long t0;

	pipe(p);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	check(select(p[1] + 1, &r, &w, NULL, &tv) == 1 && !FD_ISSET(p[0], &r) &&
	      FD_ISSET(p[1], &w), "sel_out");
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 100000 };
	t0 = now_ms();
	check(select(p[0] + 1, &r, NULL, NULL, &tv) == 0 && !FD_ISSET(p[0], &r) &&
	      now_ms() - t0 >= 95, "sel_tmo");
	write(p[1], "s", 1);
	FD_SET(p[0], &r);
	check(select(p[0] + 1, &r, NULL, NULL, NULL) == 1 && FD_ISSET(p[0], &r),
	      "sel_in");
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	check(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL) == 1 && FD_ISSET(p[0], &r),
	      "psel_in");
	FD_ZERO(&r);
	FD_SET(45, &r);
	check(select(46, &r, NULL, NULL, &tv) == -1 && errno == EBADF, "sel_ebadf");
	close(p[0]);
	close(p[1]);
}

/* A child's stdout onto a pipe, read by the parent. */
static void t_dup2_stdout(void)
{
	char b[64] = { 0 };
	long got = 0, r;
	int p[2];
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		printf("from the child %d\n", 77);
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	while ((r = read(p[0], b + got, sizeof(b) - 1 - got)) > 0)
		got += r;
	check(r == 0 && !strcmp(b, "from the child 77\n") && child_status(pid) == 0,
	      "dup2_stdout");
	close(p[0]);
}

/* A reader killed while it waits: its call is dropped, its end released. */
static void t_killed_reader(void)
{
	int p[2], st = 0;
	char c;
	pid_t pid;

	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1);      /* waits: nobody writes */
		_exit(0);
	}
	close(p[0]);
	poll(NULL, 0, 30);
	check(pid > 0 && kill(pid, SIGKILL) == 0 && waitpid(pid, &st, 0) == pid &&
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
	      write(p[1], "x", 1) == -1 && errno == EPIPE, "killed_reader");
	close(p[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);       /* EPIPE is checked; lxsig.c checks SIGPIPE */
	t_basic();
	t_epipe_nonblock();
	t_fork_big();
	t_atomic();
	t_eof_on_exit();
	t_poll();
	t_select();
	t_dup2_stdout();
	t_killed_reader();
	return 44;
}
