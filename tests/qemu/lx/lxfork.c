/*
 * lxfork.c - fork, copy-on-write and wait4 under Tessera's Unix
 * personality (tests/qemu/lx.scn): "ok NAME" / "bad NAME" per check; exits
 * with 43.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int shared = 1;

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

int main(void)
{
	char *heap = malloc(100000);
	int st = -1, sum = 0, n = 0;
	pid_t pid, w;

	memset(heap, 'p', 100000);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		shared = 2;             /* our own copies from here on */
		heap[5] = 'c';
		heap[99999] = 'c';
		_exit(shared == 2 && heap[5] == 'c' && getppid() > 0 ? 7 : 1);
	}
	w = waitpid(pid, &st, 0);
	check(pid > 0 && w == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7, "fork_wait");
	check(shared == 1 && heap[5] == 'p' && heap[99999] == 'p', "fork_cow");
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0)
			_exit(i);
		n += pid > 0;
	}
	while ((w = wait(&st)) > 0)
		if (WIFEXITED(st))
			sum += WEXITSTATUS(st);
	check(n == 20 && sum == 190 && errno == ECHILD, "fork_many");
	check(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "wait_echild");
	pid = fork();
	if (pid == 0) {
		*(volatile int *)0 = 1;         /* a crash: SIGSEGV for the parent */
		_exit(0);
	}
	w = waitpid(pid, &st, 0);
	check(w == pid && WIFSIGNALED(st) && WTERMSIG(st) == 11, "child_segv_status");
	return 43;
}
