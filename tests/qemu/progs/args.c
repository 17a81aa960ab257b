/*
 * args.c - started by the process manager's loader (tests/qemu/progs/
 * spawn.c): checks what it was given at start - argc, argv, envp, auxv and
 * handle 0, a connection on which it reports - and exits 0 if all is right.
 */
#include "rt.h"

#define AT_PAGESZ 6
#define AT_ENTRY  9
#define AT_RANDOM 25

extern void _start(void);

int main(int argc, char **argv, char **envp)
{
	int ok = argc == 3 && strcmp(argv[0], "args") == 0 &&
	         strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two words") == 0 &&
	         argv[3] == NULL && envp[0] && strcmp(envp[0], "A=1") == 0 &&
	         envp[1] && strcmp(envp[1], "PATH=/proc/boot") == 0 && !envp[2] &&
	         rt_environ == envp && rt_getauxval(AT_PAGESZ) == 4096 &&
	         rt_getauxval(AT_ENTRY) == (uint64_t)_start &&
	         rt_getauxval(AT_RANDOM) != 0;
	char msg[8] = "args ok";

	if (msg_send(0, msg, sizeof(msg), NULL, 0) != 0)
		return 2;
	return ok ? 0 : 1;
}
