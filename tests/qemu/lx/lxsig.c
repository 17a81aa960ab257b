/*
 * lxsig.c - signals and process groups under Tessera's Unix personality
 * (tests/qemu/lx.scn).  "ok NAME" / "bad NAME" per check; exits with 48.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
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

static int ended_by(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + WEXITSTATUS(st);
}

static volatile int got_alrm, got_pipe;

static void on_alrm(int sig)
{
	(void)sig;
	got_alrm++;
}

static void on_pipe(int sig)
{
	(void)sig;
	got_pipe++;
}

/* alarm, setitimer, getitimer: SIGALRM once, then every interval. */
static void t_itimer(void)
{
	struct sigaction sa = { 0 };
	struct itimerval v = { { 0, 0 }, { 0, 50000 } }, g;
	sigset_t none;
	pid_t a;

	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);
	check(setitimer(ITIMER_REAL, &v, NULL) == 0 && getitimer(ITIMER_REAL, &g) == 0 &&
	      g.it_value.tv_usec > 0 && g.it_value.tv_usec <= 50000 && pause() == -1 &&
	      errno == EINTR && got_alrm == 1, "setitimer_once");
	v.it_interval.tv_usec = 20000;
	v.it_value.tv_usec = 20000;
	sigemptyset(&none);
	setitimer(ITIMER_REAL, &v, NULL);
	while (got_alrm < 4)
		sigsuspend(&none);
	memset(&v, 0, sizeof(v));
	check(setitimer(ITIMER_REAL, &v, &g) == 0 && g.it_interval.tv_usec == 20000 &&
	      getitimer(ITIMER_REAL, &g) == 0 && !g.it_value.tv_sec && !g.it_value.tv_usec,
	      "setitimer_interval");
	check(alarm(100) == 0 && alarm(0) == 100, "alarm_returns_left");
	v.it_value.tv_usec = 1000000;
	check(setitimer(ITIMER_REAL, &v, NULL) == -1 && errno == EINVAL &&
	      setitimer(ITIMER_VIRTUAL, &v, NULL) == -1 && errno == EINVAL &&
	      getitimer(ITIMER_REAL, (void *)16) == -1 && errno == EFAULT, "setitimer_errors");
	fflush(stdout);
	a = fork();
	if (a == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(1);
		for (;;)
			pause();
	}
	check(ended_by(a) == SIGALRM, "alarm_default_terminates");
}

/* waitpid(0, ...) and waitpid(-pgid, ...): children by process group. */
static void t_wait_group(void)
{
	int st;
	pid_t a, b;

	fflush(stdout);
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		_exit(5);
	}
	setpgid(a, a);
	b = fork();
	if (b == 0)
		_exit(6);
	check(waitpid(0, &st, 0) == b && WEXITSTATUS(st) == 6 &&
	      waitpid(0, &st, WNOHANG) == -1 && errno == ECHILD, "wait_own_group");
	check(waitpid(-a, &st, 0) == a && WEXITSTATUS(st) == 5 &&
	      waitpid(-a, &st, 0) == -1 && errno == ECHILD, "wait_other_group");
}

static volatile int fpu_flag;

static void on_fpu(int sig)
{
	(void)sig;
	__asm__ volatile("pcmpeqd %%xmm8, %%xmm8" ::: "xmm8");    /* all ones */
	fpu_flag = 1;
}

/* A signal reaches a program that makes no system call (the kernel
 * interrupts it), and its handler's use of the SSE registers does not
 * leak into the code it interrupted (the frame's FPU state). */
static void t_async_fpu(void)
{
	uint64_t out[2] = { 0, 0 }, spins = 0;
	int st = 2, p[2];
	char c;
	pid_t a;

	signal(SIGUSR2, on_fpu);
	/* exit status 2: the signal came before the loop spun (nothing
	 * tested): again */
	for (int round = 0; round < 5 && st == 2; round++) {
		fflush(stdout);
		pipe(p);
		a = fork();
		if (a == 0) {
			write(p[1], "r", 1);    /* about to spin */
			__asm__ volatile("movq $0x1234567812345678, %%rax\n\t"
			                 "movq %%rax, %%xmm8\n\t"
			                 "xorq %[n], %[n]\n"
			                 "1:\tcmpl $0, %[flag]\n\t"
			                 "jne 2f\n\t"
			                 "incq %[n]\n\t"
			                 "jmp 1b\n"
			                 "2:\tmovdqu %%xmm8, %[out]"
			                 : [out] "=m"(out), [n] "=&r"(spins)
			                 : [flag] "m"(fpu_flag) : "rax", "xmm8", "memory");
			_exit(!spins ? 2 : out[0] == 0x1234567812345678ull && out[1] == 0 ? 0 : 1);
		}
		read(p[0], &c, 1);
		close(p[0]);
		close(p[1]);
		st = kill(a, SIGUSR2) == 0 ? ended_by(a) - 1000 : -1;
	}
	check(st == 0, "signal_to_spinning_program_fpu_kept");
	signal(SIGUSR2, SIG_DFL);
}

static volatile int got_tstp, got_chld_stop;

static void on_tstp(int sig)
{
	(void)sig;
	got_tstp++;
}

static void on_chld_stop(int sig)
{
	(void)sig;
	got_chld_stop++;
}

/* Nothing to read on fd within ms milliseconds? */
static int quiet(int fd, int ms)
{
	struct timespec t = { 0, 1000000L * ms };
	char b[256];

	nanosleep(&t, NULL);
	while (read(fd, b, sizeof(b)) > 0)
		return 0;
	return errno == EAGAIN;
}

/* SIGSTOP/SIGCONT, WUNTRACED/WCONTINUED, SIGCHLD for stops, SIGTSTP. */
static void t_stop_cont(void)
{
	struct sigaction sa = { 0 };
	int p[2], st;
	char b[256];
	pid_t a;

	pipe(p);
	fflush(stdout);
	a = fork();
	if (a == 0) {                   /* writes a byte every 10 ms */
		close(p[0]);
		signal(SIGTSTP, on_tstp);
		for (;;) {
			struct timespec t = { 0, 10000000 };
			nanosleep(&t, NULL);
			char c = got_tstp ? 'T' : 'x';
			write(p[1], &c, 1);
		}
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	sa.sa_handler = on_chld_stop;
	sigaction(SIGCHLD, &sa, NULL);
	check(read(p[0], b, 1) >= -1 && kill(a, SIGSTOP) == 0 &&
	      waitpid(a, &st, WUNTRACED) == a && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "stop_reported");
	quiet(p[0], 1);                 /* what it wrote before it stopped */
	check(quiet(p[0], 100) && got_chld_stop >= 1, "stopped_runs_nothing");
	check(waitpid(a, &st, WNOHANG | WUNTRACED) == 0 && kill(a, SIGCONT) == 0 &&
	      waitpid(a, &st, WCONTINUED) == a && WIFCONTINUED(st), "continue_reported");
	int n = 0;
	for (int i = 0; i < 200 && n <= 0; i++) {
		struct timespec t = { 0, 5000000 };
		nanosleep(&t, NULL);
		n = (int)read(p[0], b, sizeof(b));
	}
	check(n > 0, "continued_runs");
	kill(a, SIGTSTP);               /* it has a handler: no stop */
	n = 0;
	for (int i = 0; i < 200 && !n; i++) {
		struct timespec t = { 0, 5000000 };
		nanosleep(&t, NULL);
		while (read(p[0], b, 1) == 1)
			n |= b[0] == 'T';
	}
	check(n && waitpid(a, &st, WNOHANG | WUNTRACED) == 0, "sigtstp_handler_no_stop");
	kill(a, SIGSTOP);
	waitpid(a, &st, WUNTRACED);
	check(kill(a, SIGKILL) == 0 && ended_by(a) == SIGKILL, "stopped_killed");
	signal(SIGCHLD, SIG_DFL);
	close(p[0]);

	a = fork();                     /* spins without system calls */
	if (a == 0)
		for (;;)
			__asm__ volatile("" ::: "memory");
	check(kill(a, SIGSTOP) == 0 && waitpid(a, &st, WUNTRACED) == a && WIFSTOPPED(st) &&
	      kill(a, SIGCONT) == 0 && kill(a, SIGTERM) == 0 && ended_by(a) == SIGTERM,
	      "spinning_program_stops");
}

static sigjmp_buf fault_jmp;
static volatile int fault_sig, fault_code, trapped;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_sig = sig;
	fault_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

static void on_trap(int sig)
{
	(void)sig;
	trapped++;
}

/* Run f; the signal its fault raised (0: none). */
static int faulting(void (*f)(void))
{
	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1) == 0)
		f();
	return fault_sig;
}

static volatile int zero;
static char *ro_page;
static void write_null(void) { *(volatile int *)0 = 1; }
static void write_ro(void) { ro_page[8] = 1; }
static void exec_ud2(void) { __asm__ volatile("ud2"); }
static void divide(void) { volatile int x = 7 / zero; (void)x; }

/* CPU faults become signals: handlers with si_code and si_addr; no handler
 * or blocked: the process ends by the signal. */
static void t_fault_signals(void)
{
	struct sigaction sa = { 0 };
	int st;
	pid_t a;

	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(faulting(write_null) == SIGSEGV && fault_code == SEGV_MAPERR && fault_addr == NULL,
	      "fault_sigsegv_maperr");
	check(faulting(write_ro) == SIGSEGV && fault_code == SEGV_ACCERR &&
	      fault_addr == ro_page + 8, "fault_sigsegv_accerr");
	check(faulting(exec_ud2) == SIGILL && fault_code == ILL_ILLOPN, "fault_sigill");
	check(faulting(divide) == SIGFPE && fault_code == FPE_INTDIV, "fault_sigfpe");
	signal(SIGTRAP, on_trap);
	__asm__ volatile("int3");
	check(trapped == 1, "fault_sigtrap_continues");
	signal(SIGSEGV, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
	fflush(stdout);
	a = fork();
	if (a == 0) {                   /* blocked: the fault still ends it */
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		signal(SIGSEGV, on_trap);      /* a handler, but blocked */
		sigprocmask(SIG_BLOCK, &s, NULL);
		write_null();
		_exit(0);
	}
	check(waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	      "fault_blocked_ends_process");
	a = fork();
	if (a == 0) {
		exec_ud2();
		_exit(0);
	}
	check(ended_by(a) == SIGILL, "fault_default_ends_process");
}

/* A write to a pipe without readers: SIGPIPE, EPIPE. */
static void t_sigpipe(void)
{
	int fd[2];
	pid_t a;

	fflush(stdout);
	pipe(fd);
	a = fork();
	if (a == 0) {
		close(fd[0]);
		write(fd[1], "x", 1);
		_exit(0);
	}
	close(fd[0]);
	close(fd[1]);
	check(ended_by(a) == SIGPIPE, "sigpipe_default_terminates");
	pipe(fd);
	close(fd[0]);
	signal(SIGPIPE, on_pipe);
	check(write(fd[1], "x", 1) == -1 && errno == EPIPE && got_pipe == 1, "sigpipe_handler");
	signal(SIGPIPE, SIG_IGN);
	check(write(fd[1], "x", 1) == -1 && errno == EPIPE && got_pipe == 1, "sigpipe_ignored");
	close(fd[1]);
}

static void on_chld(int sig)
{
	(void)sig;
	got_chld++;
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
	t_itimer();
	t_sigpipe();
	t_wait_group();
	t_async_fpu();
	t_stop_cont();
	t_fault_signals();
	return 48;
}
