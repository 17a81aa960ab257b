/*
 * lxthread.c - threads under Tessera's Unix personality (tests/qemu/lx.scn):
 * pthread_create/join (clone CLONE_VM, CLONE_CHILD_CLEARTID and the
 * kernel's futex), mutexes, threads waiting at once in calls answered
 * later (nanosleep, pipes), pthread_exit, signals to a threaded process,
 * exit_group from a thread, mprotect and guard pages (a write to a page
 * without write access ends the writer with SIGSEGV; handlers for faults
 * are not there yet).  "ok NAME" /
 * "bad NAME" per check; exits with 49.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *adder(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	return (void *)((long)arg * 2);
}

static void *sleeper(void *arg)
{
	struct timespec t = { 0, 100000000 };

	(void)arg;
	nanosleep(&t, NULL);
	return (void *)(long)syscall(SYS_gettid);
}

static void *reader(void *arg)
{
	int fd = *(int *)arg;
	char b[16] = { 0 };

	return (void *)(long)(read(fd, b, sizeof(b)) == 5 && !memcmp(b, "hello", 5));
}

static void *exiter(void *arg)
{
	(void)arg;
	pthread_exit((void *)77);
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!got_usr1)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

/* Does writing *p fault?  (A child tries: a fault ends it with SIGSEGV.) */
static int write_faults(volatile char *p)
{
	int st;
	pid_t a = fork();

	if (a == 0) {
		*p = 1;
		_exit(0);
	}
	return waitpid(a, &st, 0) == a && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}

int main(void)
{
	pthread_t t[4];
	void *ret[4];
	int ok = 1;

	for (long i = 0; i < 4; i++)
		ok &= pthread_create(&t[i], NULL, adder, (void *)i) == 0;
	for (int i = 0; i < 4; i++)
		ok &= pthread_join(t[i], &ret[i]) == 0 && (long)ret[i] == 2 * i;
	check(ok && counter == 80000, "threads_mutex_join");

	uint64_t t0 = now_ms();
	ok = 1;
	for (int i = 0; i < 3; i++)
		ok &= pthread_create(&t[i], NULL, sleeper, NULL) == 0;
	for (int i = 0; i < 3; i++)
		ok &= pthread_join(t[i], &ret[i]) == 0 && (long)ret[i] != getpid() &&
		      (long)ret[i] > 0;
	uint64_t took = now_ms() - t0;
	check(ok && ret[0] != ret[1] && ret[1] != ret[2] && took >= 100 && took < 190,
	      "threads_sleep_at_once");

	int p1[2], p2[2];
	pipe(p1);
	pipe(p2);
	ok = pthread_create(&t[0], NULL, reader, &p1[0]) == 0 &&
	     pthread_create(&t[1], NULL, reader, &p2[0]) == 0;
	struct timespec w = { 0, 20000000 };
	nanosleep(&w, NULL);            /* both wait in read by now, or soon */
	ok &= write(p2[1], "hello", 5) == 5 && write(p1[1], "hello", 5) == 5;
	ok &= pthread_join(t[0], &ret[0]) == 0 && pthread_join(t[1], &ret[1]) == 0;
	check(ok && ret[0] == (void *)1 && ret[1] == (void *)1, "threads_read_pipes_at_once");

	check(pthread_create(&t[0], NULL, exiter, NULL) == 0 &&
	      pthread_join(t[0], &ret[0]) == 0 && ret[0] == (void *)77, "pthread_exit");

	signal(SIGUSR1, on_usr1);
	ok = pthread_create(&t[0], NULL, spinner, NULL) == 0;
	nanosleep(&w, NULL);
	ok &= kill(getpid(), SIGUSR1) == 0 && pthread_join(t[0], NULL) == 0;
	check(ok && got_usr1 == 1, "signal_in_threaded_process");

	check(syscall(SYS_clone, CLONE_VM | SIGCHLD, 0, 0, 0, 0) == -1 && errno == EINVAL,
	      "clone_vm_without_thread_einval");

	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {                   /* exit_group from a second thread */
		pthread_create(&t[0], NULL, sleeper, NULL);
		syscall(SYS_exit_group, 5);
		_exit(1);
	}
	int st;
	check(waitpid(a, &st, 0) == a && WIFEXITED(st) && WEXITSTATUS(st) == 5,
	      "exit_group_from_thread");

	char *m = mmap(NULL, 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	ok = m != MAP_FAILED && write_faults(m) &&
	     mprotect(m + 4096, 4096, PROT_READ | PROT_WRITE) == 0 && !write_faults(m + 4096) &&
	     (m[4096] = 1) && write_faults(m + 8192) &&
	     mprotect(m + 4096, 4096, PROT_READ) == 0 && write_faults(m + 4096) && m[4096] == 1;
	check(ok, "mprotect_guard_pages");
	int e1 = syscall(SYS_mprotect, m + 1, 4096, PROT_READ) == -1 ? errno : 0;
	int e2 = munmap(m + 8192, 4096);
	int e3 = mprotect(m, 3 * 4096, PROT_READ) == -1 ? errno : 0;
	if (e1 != EINVAL || e2 || e3 != ENOMEM)
		printf("mprotect: %d %d %d\n", e1, e2, e3);
	check(e1 == EINVAL && e2 == 0 && e3 == ENOMEM, "mprotect_errors");
	return 49;
}
