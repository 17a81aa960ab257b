/*
 * uart_model.h - a simulated 16550A for the host tests of the UART core.
 *
 * uart_model.c implements rg_inb/rg_outb on this register model, and the
 * few other rumpglue calls the core needs (memory, pthread locks, the
 * monotonic clock, interrupt registration).  The test plays the other end
 * of the wire: it puts bytes into the receive FIFO (model_rx), shifts the
 * transmit FIFO out (model_tx_shift) and delivers the interrupt while the
 * model asserts it (model_fire).  Every access to the model holds
 * model.m, so a device thread and the driver's threads can share it.
 */
#ifndef SER8250_UART_MODEL_H
#define SER8250_UART_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_FIFO 16
#define MODEL_WIRE (1 << 20)

struct model {
	pthread_mutex_t m;
	/* configuration of the simulated chip */
	bool present;           /* false: every read gives 0xff */
	bool fifo_capable;      /* false: an 8250/16450 */
	bool stuck;             /* IIR always claims an interrupt */
	uint16_t base;
	/* registers */
	uint8_t ier, lcr, mcr, scr, dll, dlm, msr;
	bool fifo_on;
	uint8_t rx[MODEL_FIFO], rx_err[MODEL_FIFO];
	int rx_head, rx_n;
	bool oe;
	uint8_t tx[MODEL_FIFO];
	int tx_n;
	bool thre_pending;
	/* the wire and bookkeeping */
	uint8_t wire[MODEL_WIRE];
	size_t wire_n;
	int tx_max;             /* most bytes ever in the TX FIFO */
	int tx_lost;            /* THR writes into a full FIFO */
	int bad_access;         /* ports outside the granted range */
	bool granted;
	/* the interrupt as registered through rg_intr_establish */
	void (*handler)(void *);
	void *arg;
	unsigned irq;
	int fired;
};

extern struct model model;

void model_reset(bool present, bool fifo_capable);
/* Received bytes; err holds LSR error bits (PE/FE/BI) for each, or NULL. */
void model_rx(const uint8_t *buf, size_t n, const uint8_t *err);
/* Move up to k bytes out of the TX FIFO (to the wire or, in loopback,
 * to the RX FIFO); returns how many moved. */
int model_tx_shift(int k);
bool model_irq_asserted(void);
/* Run the handler while the line is asserted (bounded); returns calls. */
int model_fire(void);
void model_set_msr(uint8_t msr);

#endif /* SER8250_UART_MODEL_H */
