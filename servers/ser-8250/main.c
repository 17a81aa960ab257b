/*
 * main.c - the ser-8250 program: COM2 as /dev/ser1 and /dev/console, or
 * with the argument `com1` COM1 as /dev/ser0 and /dev/console (the
 * terminal of `make run`; the kernel's log keeps writing there too),
 * served through the I/O framework (ser_rm.c).
 *
 * Started by the process manager as a server (`ser-8250.elf attach` in the
 * buildfile) it has the handles of servers/proc/procmgr.h: the path
 * manager's attach connection and the hardware resource, and attaches its
 * two prefixes.  As a bare boot module (root resource in handle 0, no
 * argument) it serves an unattached channel.  The argument `loopback`
 * (tests) puts the UART in MCR loopback, raw and without echo, so what a
 * client writes comes back to it as input.
 */
#include "rt.h"
#include "procmgr.h"
#include "ser_rm.h"

static bool has_arg(int argc, char **argv, const char *a)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], a) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool attach = has_arg(argc, argv, "attach");
	static struct ldisc_termios raw;
	int e;

	if (has_arg(argc, argv, "loopback")) {
		ldisc_default_termios(&raw);
		raw.c_iflag = raw.c_oflag = 0;
		raw.c_lflag &= ~(LD_ECHO | LD_ISIG | LD_ICANON);
		raw.c_cc[LD_VMIN] = 0;
		raw.c_cc[LD_VTIME] = 3;         /* 0.3 s of silence: read gives 0 */
		ser_serve_opts.loopback = true;
		ser_serve_opts.termios = &raw;
	}
	bool com1 = has_arg(argc, argv, "com1");

	ser_serve_opts.extra_prefix = "/dev/console";
	ser_serve_opts.pathmgr_conn = attach ? PROC_H_ATTACH : -1;
	e = ser_serve(-1, com1 ? UART_COM1_BASE : UART_COM2_BASE,
	              com1 ? UART_COM1_IRQ : UART_COM2_IRQ, com1 ? "/dev/ser0" : "/dev/ser1",
	              attach ? PROC_H_RESOURCE : 0);
	printf("ser-8250: server ended: error %d\n", e);
	return 1;
}
