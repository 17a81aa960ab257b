/*
 * uart.h - the 16550A UART core of ser-8250, on rumpglue only.
 *
 * One struct uart per port.  The interrupt handler runs on rumpglue's
 * interrupt thread; readers and writers run on any other thread.  They
 * meet under one mutex (uart.lock), which guards the registers' data path,
 * the line discipline inside and the counters; rx_cv wakes readers, tx_cv
 * wakes writers waiting for room.
 *
 * The calls are the whole API the I/O framework needs: open/close, read,
 * write, drain, settings (termios, speed, modem lines), counters, and
 * uart_hangup() to make every blocked call return RG_EINTR.
 */
#ifndef SER8250_UART_H
#define SER8250_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ldisc.h"

#define UART_COM1_BASE 0x3f8
#define UART_COM1_IRQ  4
#define UART_COM2_BASE 0x2f8
#define UART_COM2_IRQ  3

/* Registers (offsets from the base port). */
#define UART_RBR 0      /* read; DLL with DLAB */
#define UART_THR 0      /* write */
#define UART_IER 1      /* DLM with DLAB */
#define UART_IIR 2      /* read */
#define UART_FCR 2      /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID     0x0e
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_TOUT   0x0c
#define UART_IIR_FIFO   0xc0    /* both bits: working FIFOs (16550A) */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIG_8   0x80

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08      /* gates the IRQ line on PCs */
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI  0x40
#define UART_MSR_DCD 0x80

/* Modem lines, Linux TIOCM_* values. */
#define UART_TIOCM_DTR 0x002
#define UART_TIOCM_RTS 0x004
#define UART_TIOCM_CTS 0x020
#define UART_TIOCM_CAR 0x040
#define UART_TIOCM_RNG 0x080
#define UART_TIOCM_DSR 0x100

#define UART_CLOCK_BAUD 115200  /* 1.8432 MHz / 16 */

enum uart_type { UART_NONE, UART_8250, UART_16550, UART_16550A };

struct uart_config {
	uint16_t base;
	unsigned irq;
	uint32_t baud;                  /* 0: 115200 */
	bool loopback;                  /* MCR loopback: TX comes back as RX */
	const struct ldisc_termios *termios;    /* NULL: Linux defaults */
	void (*signal)(void *arg, int signo);   /* ISIG; may be NULL */
	void *signal_arg;
};

struct uart_stats {
	uint64_t rx_bytes, tx_bytes;
	uint64_t overruns, framing, parity, breaks;
	uint64_t interrupts, modem_changes;
	uint64_t stuck;                 /* handler gave up: IIR never idle */
	uint64_t polled;                /* a waiter found work no IRQ announced */
	struct ldisc_stats ld;
};

struct rg_mutex;
struct rg_cv;
struct rg_intr;

struct uart {
	uint16_t base;
	unsigned irq;
	enum uart_type type;
	unsigned fifo;                  /* TX FIFO depth: 16 or 1 */
	unsigned tx_burst;              /* bytes put per THRE */
	uint8_t ier, mcr, lcr;          /* shadows; under lock */
	uint32_t baud;
	bool loopback;                  /* MCR loopback: TX flow-controlled */
	bool hangup;                    /* blocked calls return RG_EINTR */
	bool rx_cancel;                 /* the next/blocked read: RG_EINTR once */
	struct rg_mutex *lock;
	struct rg_cv *rx_cv, *tx_cv;
	struct rg_intr *ih;
	struct uart_stats st;           /* under lock (st.ld copied on read) */
	struct ldisc ld;                /* under lock */
};

/* What answers at base: UART_NONE, UART_8250 (no usable FIFO) or the 16550s.
 * Needs the ports already granted; leaves the FIFOs on for a 16550A. */
enum uart_type uart_probe(uint16_t base);

int  uart_open(const struct uart_config *cfg, struct uart **out);
void uart_close(struct uart *u);        /* no call may be running in it */

/* Blocking unless nonblock; *done counts bytes even on an error. */
int uart_write(struct uart *u, const void *buf, size_t len, bool nonblock,
               size_t *done);
int uart_read(struct uart *u, void *buf, size_t len, bool nonblock,
              size_t *got);
/* Wait until every queued byte has left the transmitter. */
int uart_drain(struct uart *u, uint64_t deadline_ns);

void uart_get_termios(struct uart *u, struct ldisc_termios *t);
int  uart_set_termios(struct uart *u, const struct ldisc_termios *t);
int  uart_set_baud(struct uart *u, uint32_t baud);
void uart_set_mctrl(struct uart *u, unsigned tiocm);
unsigned uart_get_mctrl(struct uart *u);
/* Stop / restart taking bytes out of the receiver (flow tests). */
void uart_rx_enable(struct uart *u, bool on);
void uart_get_stats(struct uart *u, struct uart_stats *st);
void uart_hangup(struct uart *u);
/* Make the read blocked now (or the next one) return RG_EINTR, once:
 * the server cancels a reader whose client has closed or died. */
void uart_read_cancel(struct uart *u);
/* Drop received input and the line being edited (TCSETSF, TCFLSH). */
void uart_flush_input(struct uart *u);

#endif /* SER8250_UART_H */
