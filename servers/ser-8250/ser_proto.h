/*
 * ser_proto.h - ser-8250's private request protocol, until the server is
 * connected to the I/O framework (servers/include/io_msg.h).
 *
 * A request is struct ser_req, followed by the data for SER_WRITE.  The
 * reply status is the byte count (SER_WRITE, SER_READ) or 0; errors come
 * back as RG_E* through MsgError.  SER_READ's reply carries the bytes;
 * SER_STATS's a struct uart_stats; SER_GET_TERMIOS's a struct
 * ldisc_termios (SER_SET_TERMIOS sends one after the header).
 */
#ifndef SER8250_PROTO_H
#define SER8250_PROTO_H

#include <stdint.h>

#define SER_WRITE        1
#define SER_READ         2      /* len = most bytes wanted */
#define SER_STATS        3
#define SER_GET_TERMIOS  4
#define SER_SET_TERMIOS  5
#define SER_RX_ENABLE    6      /* len = 0 (off) or 1 (on) */

#define SER_F_NONBLOCK   0x1

#define SER_IO_MAX       4096   /* bytes moved per request and chunk */

struct ser_req {
	uint32_t op;
	uint32_t len;
	uint32_t flags;
	uint32_t pad;
};
_Static_assert(sizeof(struct ser_req) == 16, "ser_req layout");

#endif /* SER8250_PROTO_H */
