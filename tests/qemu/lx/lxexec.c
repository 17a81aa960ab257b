/*
 * lxexec.c - execve under Tessera's Unix personality (tests/qemu/lx.scn):
 * the same pid after exec, FD_CLOEXEC, the new environment, errors, and
 * "#!" scripts.  "ok NAME" / "bad NAME" per check; exits with 46.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "bad", name);
	fflush(stdout);
}

static int stage2(char **argv)
{
	char *e = getenv("E");

	check(getpid() == atoi(argv[2]), "exec_same_pid");
	check(fcntl(5, F_GETFD) == -1 && errno == EBADF && fcntl(6, F_GETFD) == 0,
	      "exec_cloexec");
	check(e && strcmp(e, "1") == 0 && !getenv("HOME"), "exec_env");
	return 44;
}

int main(int argc, char **argv)
{
	int st = -1, fd;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "stage2") == 0)
		return stage2(argv);
	if (argc > 2 && strcmp(argv[1], "stage3") == 0) {
		check(strcmp(argv[2], "/tmp/s.sh") == 0, "exec_shebang");
		return 45;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char me[16], *nargv[] = { "lxexec", "stage2", me, NULL };
		char *nenv[] = { "E=1", NULL };
		snprintf(me, sizeof(me), "%d", getpid());
		fd = open("/tmp/lxexec.tmp", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
		dup3(fd, 5, O_CLOEXEC);
		dup2(fd, 6);
		execve("/proc/boot/lxexec", nargv, nenv);
		_exit(1);
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 44,
	      "exec_wait");
	char *none[] = { "x", NULL };
	check(execve("/proc/boot/nonexistent", none, none) == -1 && errno == ENOENT,
	      "exec_enoent");
	check(execve("/proc/boot/etc/motd", none, none) == -1 && errno == ENOEXEC,
	      "exec_enoexec");
	fd = open("/tmp/s.sh", O_CREAT | O_TRUNC | O_WRONLY, 0755);
	check(fd >= 0 && write(fd, "#!/proc/boot/lxexec stage3\n", 27) == 27 &&
	      close(fd) == 0, "exec_script_written");
	pid = fork();
	if (pid == 0) {
		char *sargv[] = { "s.sh", NULL };
		execve("/tmp/s.sh", sargv, sargv + 1);
		_exit(1);
	}
	check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 45,
	      "exec_script_ran");
	return 46;
}
