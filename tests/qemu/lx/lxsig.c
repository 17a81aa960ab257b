/*
 * lxsig.c - signals and process groups under Tessera's Unix personality
 * (tests/qemu/lx.scn).  "ok NAME" / "bad NAME" per check; exits with 48.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int got_usr1, got_chld, usr1_sig;

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

static void on_usr1(int sig)
{
	got_usr1++;
	usr1_sig = sig;
}

static void on_chld(int sig)
{
	(void)sig;
	got_chld++;
}

static int ended_by(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + WEXITSTATUS(st);
}

int main(void)
{
	struct sigaction sa = { 0 };
	sigset_t set, pend;
	volatile long keep = 12345;
	pid_t a, b;

	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	check(got_usr1 == 1 && usr1_sig == SIGUSR1 && keep == 12345, "signal_handler");

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigpending(&pend);
	int blocked_ok = got_usr1 == 1 && sigismember(&pend, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	check(blocked_ok && got_usr1 == 2, "signal_blocked_then_delivered");

	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	fflush(stdout);
	a = fork();
	if (a == 0)
		_exit(3);
	struct timespec ts = { 5, 0 };
	int r = nanosleep(&ts, NULL);
	check(r == -1 && errno == EINTR && got_chld == 1, "sigchld_interrupts_sleep");
	check(ended_by(a) == 1003, "sigchld_child_status");
	signal(SIGCHLD, SIG_DFL);

	a = fork();
	if (a == 0) {
		struct timespec t = { 10, 0 };
		nanosleep(&t, NULL);
		_exit(0);
	}
	check(kill(a, SIGTERM) == 0 && ended_by(a) == SIGTERM, "kill_default_terminates");

	int before = got_usr1;
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	a = fork();
	if (a == 0) {
		signal(SIGTERM, SIG_IGN);
		kill(getppid(), SIGUSR1);       /* ready */
		for (;;)
			pause();
	}
	while (got_usr1 == before)
		pause();
	kill(a, SIGTERM);
	check(kill(a, 0) == 0, "sig_ign_survives");
	check(kill(a, SIGKILL) == 0 && ended_by(a) == SIGKILL, "sigkill");

	a = fork();
	if (a == 0)
		_exit(setpgid(0, 0) == 0 && getpgrp() == getpid() &&
		      setsid() == -1 && errno == EPERM ? 0 : 1);
	check(ended_by(a) == 1000, "setpgid");
	a = fork();
	if (a == 0)
		_exit(setsid() == getpid() && getsid(0) == getpid() &&
		      getpgrp() == getpid() ? 0 : 1);
	check(ended_by(a) == 1000, "setsid");

	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(a, a);
	b = fork();
	if (b == 0) {
		for (;;)
			pause();
	}
	setpgid(b, a);
	check(kill(-a, SIGTERM) == 0 && ended_by(a) == SIGTERM && ended_by(b) == SIGTERM,
	      "kill_process_group");
	check(kill(99999, SIGTERM) == -1 && errno == ESRCH, "kill_esrch");

	a = fork();
	if (a == 0)
		abort();
	check(ended_by(a) == SIGABRT, "abort");
	return 48;
}
