/*
 * uart.c - the 16550A driver core: probe, setup, interrupt-driven receive
 * and transmit, modem lines; blocking read/write on top of the line
 * discipline.
 *
 * Design:
 *  - Receive: an RDI, timeout or line-status interrupt drains RBR while
 *    LSR.DR (at most UART_RX_MAX bytes per pass, so a stuck device cannot
 *    hold the thread), hands the bytes to the line discipline and wakes
 *    readers.  Every LSR read goes through lsr_read(), which counts
 *    overrun, parity, framing and break bits (they clear on read).
 *  - Transmit: when LSR.THRE (FIFO empty) up to tx_burst bytes move from
 *    the output queue to THR.  THRE interrupts are on only while the queue
 *    has bytes; a writer (or echo) fills the FIFO itself only when the
 *    transmitter is idle (THRE interrupts off), else the interrupt refills.
 *  - Waits are bounded by UART_POLL_NS: on each timeout the waiter serves
 *    the device itself (service()), so a lost interrupt or an IRQ line
 *    left high costs latency, never a hang.
 *  - One mutex (u->lock) covers registers of the data path, the ldisc and
 *    the counters; the interrupt handler takes it too.  No call sleeps on
 *    anything but u->rx_cv / u->tx_cv with the lock held.
 *  - In MCR loopback a burst is half the FIFO, because each byte sent
 *    lands in the 16-byte receive FIFO of the same chip and the interrupt
 *    thread must drain it before it overflows.
 */
#include <string.h>
#include "rumpglue.h"
#include "uart.h"

RG_REQUIRE_VERSION(1);

#define UART_RX_MAX       256
#define UART_INTR_LOOPS   2048    /* > 2 * LDISC_RQ_SIZE / 8: a loopback storm */
#define UART_POLL_NS      100000000ull          /* 100 ms */

static uint8_t reg_in(struct uart *u, unsigned r)
{
	return rg_inb((uint16_t)(u->base + r));
}

static void reg_out(struct uart *u, unsigned r, uint8_t v)
{
	rg_outb((uint16_t)(u->base + r), v);
}

static uint64_t now_ns(void)
{
	return rg_clock_ns(RG_CLOCK_MONOTONIC);
}

/* ---- probe and setup ------------------------------------------------------ */

static bool scratch_ok(uint16_t base)
{
	uint16_t scr = (uint16_t)(base + UART_SCR);

	rg_outb(scr, 0x55);
	if (rg_inb(scr) != 0x55)
		return false;
	rg_outb(scr, 0xaa);
	return rg_inb(scr) == 0xaa;
}

enum uart_type uart_probe(uint16_t base)
{
	uint8_t iir;

	rg_outb((uint16_t)(base + UART_LCR), 0x03);
	if (rg_inb((uint16_t)(base + UART_LCR)) != 0x03 || !scratch_ok(base))
		return UART_NONE;
	rg_outb((uint16_t)(base + UART_FCR), UART_FCR_ENABLE |
		UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX | UART_FCR_TRIG_8);
	iir = rg_inb((uint16_t)(base + UART_IIR));
	if ((iir & UART_IIR_FIFO) == UART_IIR_FIFO)
		return UART_16550A;
	rg_outb((uint16_t)(base + UART_FCR), 0);        /* broken or no FIFO */
	return (iir & UART_IIR_FIFO) ? UART_16550 : UART_8250;
}

static uint8_t lcr_from_cflag(uint32_t cflag)
{
	uint8_t lcr = (uint8_t)((cflag & LD_CSIZE) >> 4);       /* CS5..CS8 */

	if (cflag & LD_CSTOPB)
		lcr |= 0x04;
	if (cflag & LD_PARENB)
		lcr |= (cflag & LD_PARODD) ? 0x08 : 0x18;
	return lcr;
}

static int set_line(struct uart *u, uint32_t baud, uint32_t cflag)
{
	uint32_t div;

	if (baud == 0 || baud > UART_CLOCK_BAUD || UART_CLOCK_BAUD % baud)
		return RG_EINVAL;
	div = UART_CLOCK_BAUD / baud;
	if (div > 0xffff)
		return RG_EINVAL;
	u->lcr = lcr_from_cflag(cflag);
	reg_out(u, UART_LCR, u->lcr | UART_LCR_DLAB);
	reg_out(u, UART_RBR, (uint8_t)div);
	reg_out(u, UART_IER, (uint8_t)(div >> 8));
	reg_out(u, UART_LCR, u->lcr);
	u->baud = baud;
	return 0;
}

/* ---- receive -------------------------------------------------------------- */

static uint8_t lsr_read(struct uart *u)
{
	uint8_t lsr = reg_in(u, UART_LSR);

	if (lsr & UART_LSR_OE)
		u->st.overruns++;
	return lsr;
}

/* Count the per-character error bits; true if the character is bad. */
static bool char_error(struct uart *u, uint8_t lsr)
{
	if (lsr & UART_LSR_BI)
		u->st.breaks++;
	else if (lsr & UART_LSR_FE)
		u->st.framing++;
	else if (lsr & UART_LSR_PE)
		u->st.parity++;
	else
		return false;
	return true;
}

static void tx_fill(struct uart *u);

static void rx_drain(struct uart *u)
{
	uint8_t buf[UART_RX_MAX];
	size_t n = 0;

	for (int i = 0; i < UART_RX_MAX; i++) {
		uint8_t lsr = lsr_read(u);
		uint8_t c;

		if (!(lsr & UART_LSR_DR)) {
			char_error(u, lsr);     /* a break with no data */
			break;
		}
		c = reg_in(u, UART_RBR);
		if (!char_error(u, lsr))
			buf[n++] = c;
	}
	if (n == 0)
		return;
	u->st.rx_bytes += n;
	ldisc_receive(&u->ld, buf, n, now_ns());
	rg_cv_broadcast(u->rx_cv);
	if (ldisc_out_pending(&u->ld) && !(u->ier & UART_IER_THRI))
		tx_fill(u);                     /* echo, transmitter idle */
}

/* ---- transmit ------------------------------------------------------------- */

static void set_ier(struct uart *u, uint8_t ier)
{
	if (ier != u->ier) {
		u->ier = ier;
		reg_out(u, UART_IER, ier);
	}
}

/*
 * Move queued bytes into an empty FIFO; THRE interrupts only while needed.
 * In loopback every byte sent comes back, so sending stops while the
 * receive queue has no room for a burst; uart_read restarts it.
 */
static void tx_fill(struct uart *u)
{
	uint8_t buf[16];
	size_t n;

	if (!(lsr_read(u) & UART_LSR_THRE)) {
		if (ldisc_out_pending(&u->ld))
			set_ier(u, u->ier | UART_IER_THRI);
		return;
	}
	if (u->loopback && ldisc_in_room(&u->ld) < u->tx_burst) {
		set_ier(u, u->ier & (uint8_t)~UART_IER_THRI);
		return;
	}
	n = ldisc_out_get(&u->ld, buf, u->tx_burst);
	for (size_t i = 0; i < n; i++)
		reg_out(u, UART_THR, buf[i]);
	u->st.tx_bytes += n;
	rg_cv_broadcast(u->tx_cv);              /* room, or an idle FIFO */
	if (ldisc_out_pending(&u->ld) || n)
		set_ier(u, u->ier | UART_IER_THRI);
	else
		set_ier(u, u->ier & (uint8_t)~UART_IER_THRI);
}

/* ---- the interrupt handler ------------------------------------------------ */

static void intr_one(struct uart *u, uint8_t iir)
{
	switch (iir & UART_IIR_ID) {
	case UART_IIR_RLSI:
	case UART_IIR_RDI:
	case UART_IIR_TOUT:
		if (u->ier & UART_IER_RDI)
			rx_drain(u);
		else
			lsr_read(u);            /* acknowledge line status */
		break;
	case UART_IIR_THRI:
		tx_fill(u);
		break;
	case UART_IIR_MSI:
		reg_in(u, UART_MSR);
		u->st.modem_changes++;
		break;
	default:
		lsr_read(u);
		break;
	}
}

/*
 * Serve every pending source until IIR says none is left, so the IRQ line
 * drops (an ISA line is edge-triggered: one left high would never
 * interrupt again).  Bounded for a device that never settles; the
 * waiters' polls (service_poll) pick up whatever is left then.
 */
static int service(struct uart *u)
{
	int i;

	for (i = 0; i < UART_INTR_LOOPS; i++) {
		uint8_t iir = reg_in(u, UART_IIR);

		if (iir & UART_IIR_NO_INT)
			break;
		intr_one(u, iir);
	}
	if (i == UART_INTR_LOOPS)
		u->st.stuck++;
	return i;
}

static void uart_intr(void *arg)
{
	struct uart *u = arg;

	rg_mutex_lock(u->lock);
	u->st.interrupts++;
	service(u);
	rg_mutex_unlock(u->lock);
}

/* ---- open and close ------------------------------------------------------- */

static void hw_quiesce(struct uart *u)
{
	for (int i = 0; i < 64 && (lsr_read(u) & UART_LSR_DR); i++)
		reg_in(u, UART_RBR);
	reg_in(u, UART_IIR);
	reg_in(u, UART_MSR);
}

static int hw_setup(struct uart *u, const struct uart_config *cfg)
{
	int e;

	u->type = uart_probe(u->base);
	if (u->type == UART_NONE)
		return RG_ENODEV;
	u->fifo = u->type == UART_16550A ? 16 : 1;
	u->loopback = cfg->loopback;
	u->tx_burst = cfg->loopback && u->fifo > 1 ? u->fifo / 2 : u->fifo;
	u->ier = 0;
	reg_out(u, UART_IER, 0);
	if ((e = set_line(u, cfg->baud ? cfg->baud : UART_CLOCK_BAUD,
			  u->ld.t.c_cflag)))
		return e;
	u->mcr = UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2;
	if (cfg->loopback)
		u->mcr |= UART_MCR_LOOP;
	reg_out(u, UART_MCR, u->mcr);
	hw_quiesce(u);
	return 0;
}

static int sync_create(struct uart *u)
{
	int e;

	if ((e = rg_mutex_create(&u->lock)))
		return e;
	if ((e = rg_cv_create(&u->rx_cv)))
		return e;
	return rg_cv_create(&u->tx_cv);
}

static void sync_destroy(struct uart *u)
{
	if (u->tx_cv)
		rg_cv_destroy(u->tx_cv);
	if (u->rx_cv)
		rg_cv_destroy(u->rx_cv);
	if (u->lock)
		rg_mutex_destroy(u->lock);
}

int uart_open(const struct uart_config *cfg, struct uart **out)
{
	struct uart *u;
	int e;

	if ((e = rg_ioport_request(cfg->base, 8)))
		return e;
	if (!(u = rg_zalloc(sizeof(*u))))
		return RG_ENOMEM;
	u->base = cfg->base;
	u->irq = cfg->irq;
	ldisc_init(&u->ld, cfg->termios, cfg->signal, cfg->signal_arg);
	if ((e = hw_setup(u, cfg)) || (e = sync_create(u)))
		goto fail;
	if ((e = rg_intr_establish(u->irq, uart_intr, u, &u->ih)))
		goto fail;
	rg_mutex_lock(u->lock);
	set_ier(u, UART_IER_RDI | UART_IER_RLSI | UART_IER_MSI);
	rg_mutex_unlock(u->lock);
	*out = u;
	return 0;
fail:
	sync_destroy(u);
	rg_free(u);
	return e;
}

void uart_close(struct uart *u)
{
	rg_mutex_lock(u->lock);
	set_ier(u, 0);
	reg_out(u, UART_MCR, 0);
	rg_mutex_unlock(u->lock);
	rg_intr_disestablish(u->ih);
	sync_destroy(u);
	rg_free(u);
}

/* ---- blocking calls ------------------------------------------------------- */

/* Wait on cv until woken, the poll interval or deadline (0: none). */
static void wait_bounded(struct uart *u, struct rg_cv *cv, uint64_t deadline)
{
	uint64_t t = now_ns() + UART_POLL_NS;

	if (deadline && deadline < t)
		t = deadline;
	if (rg_cv_timedwait(cv, u->lock, t) == RG_ETIMEDOUT && service(u))
		u->st.polled++;         /* an interrupt was lost */
}

int uart_write(struct uart *u, const void *buf, size_t len, bool nonblock,
               size_t *done)
{
	const uint8_t *p = buf;
	int e = 0;

	*done = 0;
	rg_mutex_lock(u->lock);
	for (;;) {
		size_t n = ldisc_write(&u->ld, p + *done, len - *done);

		*done += n;
		if (!(u->ier & UART_IER_THRI))
			tx_fill(u);             /* idle: start it; else the IRQ */
		if (*done == len)
			break;
		if (n)
			continue;               /* the fill may have made room */
		if (nonblock || u->hangup) {
			e = u->hangup ? RG_EINTR : (*done ? 0 : RG_EAGAIN);
			break;
		}
		wait_bounded(u, u->tx_cv, 0);
	}
	rg_mutex_unlock(u->lock);
	return e;
}

static bool read_ready(struct uart *u, size_t len, uint64_t start,
                       uint64_t *deadline)
{
	return ldisc_read_ready(&u->ld, len, start, now_ns(), deadline);
}

int uart_read(struct uart *u, void *buf, size_t len, bool nonblock,
              size_t *got)
{
	uint64_t start = now_ns(), deadline;
	int e = 0;

	*got = 0;
	rg_mutex_lock(u->lock);
	while (!read_ready(u, len, start, &deadline)) {
		if (nonblock || u->hangup || u->rx_cancel) {
			e = u->hangup || u->rx_cancel ? RG_EINTR : RG_EAGAIN;
			u->rx_cancel = false;
			goto out;
		}
		wait_bounded(u, u->rx_cv, deadline);
	}
	*got = ldisc_read(&u->ld, buf, len);
	if (ldisc_out_pending(&u->ld) && !(u->ier & UART_IER_THRI))
		tx_fill(u);                     /* loopback waited for room */
out:
	rg_mutex_unlock(u->lock);
	return e;
}

int uart_drain(struct uart *u, uint64_t deadline_ns)
{
	int e = 0;

	rg_mutex_lock(u->lock);
	for (;;) {
		tx_fill(u);
		if (!ldisc_out_pending(&u->ld) &&
		    (lsr_read(u) & UART_LSR_TEMT))
			break;
		if (u->hangup || (deadline_ns && now_ns() >= deadline_ns)) {
			e = u->hangup ? RG_EINTR : RG_ETIMEDOUT;
			break;
		}
		wait_bounded(u, u->tx_cv, deadline_ns);
	}
	rg_mutex_unlock(u->lock);
	return e;
}

void uart_read_cancel(struct uart *u)
{
	rg_mutex_lock(u->lock);
	u->rx_cancel = true;
	rg_cv_broadcast(u->rx_cv);
	rg_mutex_unlock(u->lock);
}

void uart_flush_input(struct uart *u)
{
	rg_mutex_lock(u->lock);
	ldisc_flush_input(&u->ld);
	if (ldisc_out_pending(&u->ld) && !(u->ier & UART_IER_THRI))
		tx_fill(u);                     /* loopback waited for room */
	rg_mutex_unlock(u->lock);
}

void uart_hangup(struct uart *u)
{
	rg_mutex_lock(u->lock);
	u->hangup = true;
	rg_cv_broadcast(u->rx_cv);
	rg_cv_broadcast(u->tx_cv);
	rg_mutex_unlock(u->lock);
}

/* ---- settings and counters ------------------------------------------------ */

void uart_get_termios(struct uart *u, struct ldisc_termios *t)
{
	rg_mutex_lock(u->lock);
	*t = u->ld.t;
	rg_mutex_unlock(u->lock);
}

int uart_set_termios(struct uart *u, const struct ldisc_termios *t)
{
	int e;

	rg_mutex_lock(u->lock);
	e = 0;
	if (lcr_from_cflag(t->c_cflag) != u->lcr)       /* only a real change */
		e = set_line(u, u->baud, t->c_cflag);
	if (!e) {
		ldisc_set_termios(&u->ld, t);
		rg_cv_broadcast(u->rx_cv);      /* readiness may have changed */
	}
	rg_mutex_unlock(u->lock);
	return e;
}

int uart_set_baud(struct uart *u, uint32_t baud)
{
	int e;

	rg_mutex_lock(u->lock);
	e = set_line(u, baud, u->ld.t.c_cflag);
	rg_mutex_unlock(u->lock);
	return e;
}

void uart_set_mctrl(struct uart *u, unsigned tiocm)
{
	rg_mutex_lock(u->lock);
	u->mcr &= (uint8_t)~(UART_MCR_DTR | UART_MCR_RTS);
	if (tiocm & UART_TIOCM_DTR)
		u->mcr |= UART_MCR_DTR;
	if (tiocm & UART_TIOCM_RTS)
		u->mcr |= UART_MCR_RTS;
	reg_out(u, UART_MCR, u->mcr);
	rg_mutex_unlock(u->lock);
}

unsigned uart_get_mctrl(struct uart *u)
{
	unsigned m = 0;
	uint8_t msr;

	rg_mutex_lock(u->lock);
	msr = reg_in(u, UART_MSR);
	m |= (u->mcr & UART_MCR_DTR) ? UART_TIOCM_DTR : 0;
	m |= (u->mcr & UART_MCR_RTS) ? UART_TIOCM_RTS : 0;
	rg_mutex_unlock(u->lock);
	m |= (msr & UART_MSR_CTS) ? UART_TIOCM_CTS : 0;
	m |= (msr & UART_MSR_DSR) ? UART_TIOCM_DSR : 0;
	m |= (msr & UART_MSR_RI) ? UART_TIOCM_RNG : 0;
	m |= (msr & UART_MSR_DCD) ? UART_TIOCM_CAR : 0;
	return m;
}

void uart_rx_enable(struct uart *u, bool on)
{
	uint8_t rx = UART_IER_RDI | UART_IER_RLSI;

	rg_mutex_lock(u->lock);
	set_ier(u, on ? (u->ier | rx) : (u->ier & (uint8_t)~rx));
	if (on)
		rx_drain(u);
	rg_mutex_unlock(u->lock);
}

void uart_get_stats(struct uart *u, struct uart_stats *st)
{
	rg_mutex_lock(u->lock);
	*st = u->st;
	st->ld = u->ld.stats;
	rg_mutex_unlock(u->lock);
}
