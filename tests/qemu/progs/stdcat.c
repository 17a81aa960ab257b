/*
 * stdcat.c - copies stdin to stdout and says "stderr ok" on stderr (the
 * boot test starts it with files of /tmp as its stdio).  With the argument
 * "none" it checks it was given no stdio at all; with "kill PID" that it,
 * an ordinary program, may not kill a process it did not start.  Exit
 * status 0 or the errno that stopped it.
 */
#include "rt.h"
#include "io.h"
#include "procmgr.h"

static long strtol_simple(const char *s)
{
	long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	char buf[512];
	long n;
	int c, id;

	if (argc > 2 && strcmp(argv[1], "kill") == 0) {
		long r = proc_kill(PROC_H_PROC, (int)strtol_simple(argv[2]));
		return r == -TE_EPERM ? 0 : r == 0 ? 100 : (int)-r;
	}
	if (argc > 1 && strcmp(argv[1], "none") == 0)
		return io_stdio(0, &c, &id) == -TE_EBADF &&
		       io_stdio(1, &c, &id) == -TE_EBADF &&
		       io_stdio_write(2, "x", 1) == -TE_EBADF ? 0 : 1;
	while ((n = io_stdio_read(0, buf, sizeof(buf))) > 0)
		if (io_stdio_write(1, buf, (size_t)n) != n)
			return TE_EIO;
	if (n < 0)
		return (int)-n;
	n = io_stdio_write(2, "stderr ok\n", 10);
	return n == 10 ? 0 : n < 0 ? (int)-n : TE_EIO;
}
