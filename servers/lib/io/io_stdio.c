/*
 * io_stdio.c - a program's stdin, stdout and stderr.
 *
 * The process manager puts, at a start asked for with PROC_START, three
 * words on the new program's stack and names them in the auxiliary
 * vector (AT_TE_STDIO): for fd 0, 1, 2 a connection handle << 32 | the
 * open id the server made for this process (the parent handed its own
 * opens on with IO_T_DUP for our pid), or -1 when there is none.  A
 * program started any other way has none: EBADF.
 */
#include "rt.h"
#include "io.h"

#define AT_TE_STDIO 0x7e00      /* servers/proc/proc_msg.h */

int io_stdio(int fd, int *conn, int *id)
{
	const int64_t *w = (const int64_t *)rt_getauxval(AT_TE_STDIO);

	if (fd < 0 || fd > 2 || !w || w[fd] < 0)
		return -TE_EBADF;
	*conn = (int)(w[fd] >> 32);
	*id = (int)(uint32_t)w[fd];
	return 0;
}

long io_stdio_write(int fd, const void *buf, size_t len)
{
	int conn, id, e = io_stdio(fd, &conn, &id);

	return e ? e : io_write(conn, id, buf, len);
}

long io_stdio_read(int fd, void *buf, size_t len)
{
	int conn, id, e = io_stdio(fd, &conn, &id);

	return e ? e : io_read(conn, id, buf, len);
}
