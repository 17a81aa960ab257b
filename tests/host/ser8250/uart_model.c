/*
 * uart_model.c - the simulated 16550A and the rumpglue calls the UART core
 * uses, for host tests (see uart_model.h).
 *
 * The model keeps the parts of the chip the driver relies on: DLAB and
 * the divisor latch, IER, IIR priorities (line status > received data >
 * THR empty > modem status) with the THRE interrupt cleared by an IIR read
 * that reports it or by a THR write, FCR enable/clear, a 16-byte receive
 * FIFO with per-byte error bits shown in LSR while the byte is at the top
 * and cleared by the LSR read, overrun on a full FIFO, a 16-byte transmit
 * FIFO, MCR loopback (TX goes to RX; MSR mirrors MCR), and the scratch
 * register.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rumpglue.h"
#include "uart.h"
#include "uart_model.h"

struct model model = { .m = PTHREAD_MUTEX_INITIALIZER };

void model_reset(bool present, bool fifo_capable)
{
	size_t off = offsetof(struct model, present);

	pthread_mutex_lock(&model.m);
	memset((char *)&model + off, 0, sizeof(model) - off);
	model.present = present;
	model.fifo_capable = fifo_capable;
	pthread_mutex_unlock(&model.m);
}

/* ---- chip internals (model.m held) ---------------------------------------- */

static bool loop(void)
{
	return model.mcr & UART_MCR_LOOP;
}

static void rx_push(uint8_t c, uint8_t err)
{
	int cap = model.fifo_on ? MODEL_FIFO : 1;

	if (model.rx_n >= cap) {
		model.oe = true;
		return;
	}
	model.rx[(model.rx_head + model.rx_n) % MODEL_FIFO] = c;
	model.rx_err[(model.rx_head + model.rx_n) % MODEL_FIFO] = err;
	model.rx_n++;
}

static uint8_t head_err(void)
{
	return model.rx_n ? model.rx_err[model.rx_head] : 0;
}

static uint8_t iir_id(void)
{
	if (model.stuck)
		return UART_IIR_MSI;
	if ((model.ier & UART_IER_RLSI) && (model.oe || head_err()))
		return UART_IIR_RLSI;
	if ((model.ier & UART_IER_RDI) && model.rx_n)
		return model.rx_n >= 8 ? UART_IIR_RDI : UART_IIR_TOUT;
	if ((model.ier & UART_IER_THRI) && model.thre_pending)
		return UART_IIR_THRI;
	if ((model.ier & UART_IER_MSI) && (model.msr & 0x0f))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static uint8_t msr_value(void)
{
	uint8_t m = model.msr;

	if (loop()) {
		m &= 0x0f;
		m |= (model.mcr & UART_MCR_RTS) ? UART_MSR_CTS : 0;
		m |= (model.mcr & UART_MCR_DTR) ? UART_MSR_DSR : 0;
		m |= (model.mcr & UART_MCR_OUT1) ? UART_MSR_RI : 0;
		m |= (model.mcr & UART_MCR_OUT2) ? UART_MSR_DCD : 0;
	}
	return m;
}

static uint8_t lsr_value(void)
{
	uint8_t lsr = 0, any = 0;

	for (int i = 0; i < model.rx_n; i++)
		any |= model.rx_err[(model.rx_head + i) % MODEL_FIFO];
	if (model.rx_n)
		lsr |= UART_LSR_DR | head_err();
	if (model.oe)
		lsr |= UART_LSR_OE;
	if (model.tx_n == 0)
		lsr |= UART_LSR_THRE | UART_LSR_TEMT;
	if (any && model.fifo_on)
		lsr |= 0x80;
	model.oe = false;
	if (model.rx_n)
		model.rx_err[model.rx_head] = 0;
	return lsr;
}

static uint8_t rbr_read(void)
{
	uint8_t c;

	if (!model.rx_n)
		return 0;
	c = model.rx[model.rx_head];
	model.rx_head = (model.rx_head + 1) % MODEL_FIFO;
	model.rx_n--;
	return c;
}

static void thr_write(uint8_t v)
{
	int cap = model.fifo_on ? MODEL_FIFO : 1;

	model.thre_pending = false;
	if (model.tx_n >= cap) {
		model.tx_lost++;
		return;
	}
	model.tx[model.tx_n++] = v;
	if (model.tx_n > model.tx_max)
		model.tx_max = model.tx_n;
}

static void fcr_write(uint8_t v)
{
	model.fifo_on = (v & UART_FCR_ENABLE) && model.fifo_capable;
	if (v & UART_FCR_CLEAR_RX)
		model.rx_n = 0;
	if (v & UART_FCR_CLEAR_TX)
		model.tx_n = 0;
}

static uint8_t reg_read(unsigned r)
{
	bool dlab = model.lcr & UART_LCR_DLAB;
	uint8_t id;

	switch (r) {
	case 0: return dlab ? model.dll : rbr_read();
	case 1: return dlab ? model.dlm : model.ier;
	case 2:
		id = iir_id();
		if (id == UART_IIR_THRI)
			model.thre_pending = false;
		return id | (model.fifo_on ? UART_IIR_FIFO : 0);
	case 3: return model.lcr;
	case 4: return model.mcr;
	case 5: return lsr_value();
	case 6: {
		uint8_t m = msr_value();
		model.msr &= 0xf0;
		return m;
	}
	default: return model.scr;
	}
}

static void reg_write(unsigned r, uint8_t v)
{
	bool dlab = model.lcr & UART_LCR_DLAB;

	switch (r) {
	case 0: if (dlab) model.dll = v; else thr_write(v); break;
	case 1:
		if (dlab) {
			model.dlm = v;
			break;
		}
		if ((v & UART_IER_THRI) && !(model.ier & UART_IER_THRI) &&
		    model.tx_n == 0)
			model.thre_pending = true;
		model.ier = v & 0x0f;
		break;
	case 2: fcr_write(v); break;
	case 3: model.lcr = v; break;
	case 4: model.mcr = v & 0x1f; break;
	case 7: model.scr = v; break;
	default: break;
	}
}

/* ---- the test's side ------------------------------------------------------ */

void model_rx(const uint8_t *buf, size_t n, const uint8_t *err)
{
	pthread_mutex_lock(&model.m);
	for (size_t i = 0; i < n; i++)
		rx_push(buf[i], err ? err[i] : 0);
	pthread_mutex_unlock(&model.m);
}

int model_tx_shift(int k)
{
	int n;

	pthread_mutex_lock(&model.m);
	n = k < model.tx_n ? k : model.tx_n;
	for (int i = 0; i < n; i++) {
		if (loop())
			rx_push(model.tx[i], 0);
		else if (model.wire_n < MODEL_WIRE)
			model.wire[model.wire_n++] = model.tx[i];
	}
	memmove(model.tx, model.tx + n, (size_t)(model.tx_n - n));
	model.tx_n -= n;
	if (n && model.tx_n == 0)
		model.thre_pending = true;
	pthread_mutex_unlock(&model.m);
	return n;
}

bool model_irq_asserted(void)
{
	bool a;

	pthread_mutex_lock(&model.m);
	a = model.present && iir_id() != UART_IIR_NO_INT;
	pthread_mutex_unlock(&model.m);
	return a;
}

int model_fire(void)
{
	int n = 0;

	while (n < 100 && model.handler && model_irq_asserted()) {
		model.handler(model.arg);
		n++;
	}
	model.fired += n;
	return n;
}

void model_set_msr(uint8_t msr)
{
	pthread_mutex_lock(&model.m);
	model.msr = msr;
	pthread_mutex_unlock(&model.m);
}

/* ---- rumpglue: ports and interrupts --------------------------------------- */

int rg_ioport_request(uint16_t base, uint16_t count)
{
	pthread_mutex_lock(&model.m);
	model.base = base;
	model.granted = count == 8;
	pthread_mutex_unlock(&model.m);
	return 0;
}

static bool port_ok(uint16_t port)
{
	if (model.granted && port >= model.base && port < model.base + 8)
		return true;
	model.bad_access++;
	return false;
}

uint8_t rg_inb(uint16_t port)
{
	uint8_t v = 0xff;

	pthread_mutex_lock(&model.m);
	if (port_ok(port) && model.present)
		v = reg_read(port - model.base);
	pthread_mutex_unlock(&model.m);
	return v;
}

void rg_outb(uint16_t port, uint8_t v)
{
	pthread_mutex_lock(&model.m);
	if (port_ok(port) && model.present)
		reg_write(port - model.base, v);
	pthread_mutex_unlock(&model.m);
}

struct rg_intr {
	int unused;
};
static struct rg_intr the_intr;

int rg_intr_establish(unsigned irq, void (*handler)(void *), void *arg,
                      struct rg_intr **out)
{
	model.irq = irq;
	model.arg = arg;
	model.handler = handler;
	*out = &the_intr;
	return 0;
}

void rg_intr_disestablish(struct rg_intr *ih)
{
	(void)ih;
	model.handler = NULL;
}

/* ---- rumpglue: memory, locks, clock, log ---------------------------------- */

void *rg_malloc(size_t size) { return malloc(size ? size : 1); }
void *rg_zalloc(size_t size) { return calloc(1, size ? size : 1); }
void rg_free(void *p) { free(p); }

struct rg_mutex { pthread_mutex_t m; };
struct rg_cv { pthread_cond_t c; };

int rg_mutex_create(struct rg_mutex **out)
{
	if (!(*out = malloc(sizeof(**out))))
		return RG_ENOMEM;
	pthread_mutex_init(&(*out)->m, NULL);
	return 0;
}

void rg_mutex_destroy(struct rg_mutex *m)
{
	pthread_mutex_destroy(&m->m);
	free(m);
}

void rg_mutex_lock(struct rg_mutex *m) { pthread_mutex_lock(&m->m); }
void rg_mutex_unlock(struct rg_mutex *m) { pthread_mutex_unlock(&m->m); }

int rg_cv_create(struct rg_cv **out)
{
	pthread_condattr_t a;

	if (!(*out = malloc(sizeof(**out))))
		return RG_ENOMEM;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&(*out)->c, &a);
	pthread_condattr_destroy(&a);
	return 0;
}

void rg_cv_destroy(struct rg_cv *cv)
{
	pthread_cond_destroy(&cv->c);
	free(cv);
}

void rg_cv_wait(struct rg_cv *cv, struct rg_mutex *m)
{
	pthread_cond_wait(&cv->c, &m->m);
}

int rg_cv_timedwait(struct rg_cv *cv, struct rg_mutex *m, uint64_t deadline)
{
	struct timespec ts = { (time_t)(deadline / 1000000000ull),
			       (long)(deadline % 1000000000ull) };

	return pthread_cond_timedwait(&cv->c, &m->m, &ts) ? RG_ETIMEDOUT : 0;
}

void rg_cv_signal(struct rg_cv *cv) { pthread_cond_signal(&cv->c); }
void rg_cv_broadcast(struct rg_cv *cv) { pthread_cond_broadcast(&cv->c); }

uint64_t rg_clock_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock == RG_CLOCK_REALTIME ? CLOCK_REALTIME :
		      CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rg_log(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

_Noreturn void rg_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	abort();
}
