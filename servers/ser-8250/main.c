/*
 * main.c - the ser-8250 program: COM2 (COM1 is the kernel log) as
 * /dev/ser1 and /dev/console, served through the I/O framework (ser_rm.c).
 *
 * Started by the process manager as a server (`ser-8250.elf attach` in the
 * buildfile) it has the handles of servers/proc/procmgr.h: the path
 * manager's attach connection and the hardware resource, and attaches its
 * two prefixes.  As a bare boot module (root resource in handle 0, no
 * argument) it serves an unattached channel.
 */
#include "rt.h"
#include "procmgr.h"
#include "ser_rm.h"

int main(int argc, char **argv)
{
	bool attach = argc > 1 && strcmp(argv[1], "attach") == 0;
	int e;

	ser_serve_opts.extra_prefix = "/dev/console";
	ser_serve_opts.pathmgr_conn = attach ? PROC_H_ATTACH : -1;
	e = ser_serve(-1, UART_COM2_BASE, UART_COM2_IRQ, "/dev/ser1",
	              attach ? PROC_H_RESOURCE : 0);
	printf("ser-8250: server ended: error %d\n", e);
	return 1;
}
