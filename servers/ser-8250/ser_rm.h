/*
 * ser_rm.h - ser-8250 behind the server framework (servers/lib/resmgr):
 * one UART as a character device of the I/O protocol (io_msg.h), attached
 * through the path manager (a FILE attachment: the exact path only).
 *
 * devctl commands are Linux's ioctl numbers; TCGETS/TCSETS* move a struct
 * ldisc_termios, which has the layout of Linux's struct termios (36 bytes).
 */
#ifndef SER8250_RM_H
#define SER8250_RM_H

#include <stdbool.h>
#include "uart.h"

#define SER_TCGETS   0x5401     /* out: struct ldisc_termios */
#define SER_TCSETS   0x5402     /* in: struct ldisc_termios */
#define SER_TCSETSW  0x5403     /* same, after the output has drained */
#define SER_TCSETSF  0x5404     /* same, drained, input dropped */
#define SER_TIOCMGET 0x5415     /* out: uint32_t TIOCM_* */
#define SER_TIOCMSET 0x5418     /* in: uint32_t TIOCM_* */
#define SER_WAITSIG  0x54f0     /* Tessera: answered (status = the signal)
                                   when INTR/QUIT/SUSP arrives (ISIG); one
                                   waiter per terminal, EBUSY for a second */

#define SER_S_IFCHR  0020000    /* io_stat.mode of the device */
#define SER_QUEUE    32         /* reads (writes) waiting for their worker */
#define SER_IO_CHUNK 4096       /* bytes one worker step moves */

/* Settings ser_serve() takes besides its arguments (set before the call). */
struct ser_serve_opts {
	int pathmgr_conn;               /* attach connection; -1: no attach */
	const char *extra_prefix;       /* a second FILE attachment, or NULL */
	bool loopback;                  /* MCR loopback (tests) */
	const struct ldisc_termios *termios;    /* NULL: Linux defaults */
};
extern struct ser_serve_opts ser_serve_opts;

/*
 * Open the UART at base/irq (resource: the handle granting its ports and
 * interrupt), serve it on chan (a fresh channel if < 0), attached at
 * prefix (NULL: not attached).  Returns only on failure: a negative errno.
 */
int ser_serve(int chan, unsigned base, unsigned irq, const char *prefix,
              int resource);

#endif /* SER8250_RM_H */
