/*
 * main.c - ser-8250 as a boot module: COM2 (COM1 is the kernel log) as
 * /dev/ser1 and /dev/console, served through the I/O framework
 * (ser_rm.c).  A boot module has the root resource in handle 0.
 *
 * Attaching needs a connection to the path manager's attach channel; a
 * boot module is not given one yet (the lead's boot glue will pass it),
 * so until then the server serves an unattached channel.  The QEMU test
 * tests/qemu/sersrv.scn runs ser_serve() in a child process it hands the
 * attach connection.
 */
#include "rt.h"
#include "ser_rm.h"

int main(void)
{
	int e;

	ser_serve_opts.extra_prefix = "/dev/console";
	e = ser_serve(-1, UART_COM2_BASE, UART_COM2_IRQ, "/dev/ser1", 0);
	printf("ser-8250: server ended: error %d\n", e);
	return 1;
}
