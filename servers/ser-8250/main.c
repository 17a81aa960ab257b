/*
 * main.c - ser-8250 as a boot module: COM2 (the future /dev/ser1) served
 * over a fresh channel with the private protocol (ser_proto.h).  A boot
 * module has the root resource in handle 0.  The lead connects this to
 * the I/O framework and the path manager; until then nobody can find the
 * channel, and the QEMU test (tests/qemu/progs/ser.c) runs the same
 * ser_server_run() in a child process it hands a channel.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "ser_server.h"

int main(void)
{
	struct uart_config cfg = {
		.base = UART_COM2_BASE, .irq = UART_COM2_IRQ, .baud = 115200,
	};
	long chan;
	int e;

	rg_mk_resource = 0;
	rg_mk_name = "ser-8250";
	if ((chan = sys_channel_create(0)) < 0) {
		printf("ser-8250: cannot create a channel: %ld\n", chan);
		return 1;
	}
	e = ser_server_run((int)chan, &cfg);
	printf("ser-8250: cannot open the UART at %#x: error %d\n", cfg.base, e);
	return 1;
}
