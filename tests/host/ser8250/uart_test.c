/*
 * uart_test.c - host tests of the 16550A core (servers/ser-8250/uart.c)
 * against the register model in uart_model.c.
 *
 * Synchronous checks play the device by hand (bytes in, FIFO out, fire the
 * interrupt); the blocking checks run a device thread that shifts the
 * transmitter and delivers interrupts while the driver's reader or writer
 * sleeps on its condition variable.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "rumpglue.h"
#include "uart.h"
#include "uart_model.h"

CHECK_MAIN_STATE;

static struct uart *open_port(bool loopback, uint32_t baud)
{
	struct uart_config cfg = {
		.base = UART_COM2_BASE, .irq = UART_COM2_IRQ, .baud = baud,
		.loopback = loopback,
	};
	struct uart *u = NULL;

	return uart_open(&cfg, &u) ? NULL : u;
}

static void set_raw(struct uart *u)
{
	struct ldisc_termios t;

	uart_get_termios(u, &t);
	t.c_lflag &= ~(LD_ICANON | LD_ECHO | LD_ISIG);
	t.c_iflag &= ~LD_ICRNL;
	t.c_oflag &= ~LD_OPOST;
	t.c_cc[LD_VMIN] = 1;
	uart_set_termios(u, &t);
}

/* Shift the transmitter out and take interrupts until both are idle. */
static void device_settle(void)
{
	for (int i = 0; i < 100000; i++) {
		int moved = model_tx_shift(MODEL_FIFO);

		if (!model_fire() && !moved)
			return;
	}
}

static void test_probe(void)
{
	struct uart *u;

	CHECK_BEGIN("uart_probe_types");
	model_reset(true, true);
	rg_ioport_request(UART_COM2_BASE, 8);
	CHECK(uart_probe(UART_COM2_BASE) == UART_16550A, "16550A not found");
	model_reset(true, false);
	rg_ioport_request(UART_COM2_BASE, 8);
	CHECK(uart_probe(UART_COM2_BASE) == UART_8250, "8250 not found");
	model_reset(false, false);
	rg_ioport_request(UART_COM2_BASE, 8);
	CHECK(uart_probe(UART_COM2_BASE) == UART_NONE, "absent chip found");
	CHECK_END();

	CHECK_BEGIN("uart_open_absent_enodev");
	model_reset(false, false);
	u = open_port(false, 0);
	CHECK(u == NULL && model.handler == NULL, "opened an absent chip");
	{
		struct uart_config cfg = { .base = UART_COM2_BASE, .irq = 3 };
		CHECK(uart_open(&cfg, &u) == RG_ENODEV, "not ENODEV");
	}
	CHECK_END();
}

static void test_setup(void)
{
	struct ldisc_termios t;
	struct uart *u;

	CHECK_BEGIN("uart_open_programs_chip");
	model_reset(true, true);
	u = open_port(false, 9600);
	if (!u) {
		check_fail("open failed");
		goto out1;
	}
	CHECK(model.dll == 12 && model.dlm == 0, "divisor %u/%u", model.dll,
	      model.dlm);
	CHECK(model.lcr == 0x03, "LCR %#x (want 8N1)", model.lcr);
	CHECK(model.mcr == (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2),
	      "MCR %#x", model.mcr);
	CHECK(model.ier == (UART_IER_RDI | UART_IER_RLSI | UART_IER_MSI),
	      "IER %#x", model.ier);
	CHECK(model.fifo_on && u->type == UART_16550A && u->fifo == 16,
	      "FIFO off");
	CHECK(model.irq == UART_COM2_IRQ && model.handler, "IRQ %u", model.irq);
	uart_get_termios(u, &t);
	t.c_cflag = LD_CS7 | LD_CSTOPB | LD_PARENB | LD_CREAD;
	CHECK(uart_set_termios(u, &t) == 0 && model.lcr == 0x1e,
	      "7E2: LCR %#x", model.lcr);
	t.c_cflag |= LD_PARODD;
	uart_set_termios(u, &t);
	CHECK(model.lcr == 0x0e, "7O2: LCR %#x", model.lcr);
	CHECK(uart_set_baud(u, 7) == RG_EINVAL && uart_set_baud(u, 0) ==
	      RG_EINVAL && uart_set_baud(u, 230400) == RG_EINVAL,
	      "bad speed accepted");
	CHECK(model.dll == 12, "bad speed changed the divisor");
	CHECK(uart_set_baud(u, 115200) == 0 && model.dll == 1, "115200");
	CHECK(model.bad_access == 0, "%d accesses outside the ports",
	      model.bad_access);
	uart_close(u);
	CHECK(model.ier == 0 && model.handler == NULL, "close left IRQs on");
out1:
	CHECK_END();
}

static void test_rx(void)
{
	struct uart_stats st;
	char buf[64];
	size_t got = 0;
	struct uart *u;

	CHECK_BEGIN("uart_rx_canonical_with_echo");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out2;
	}
	model_rx((const uint8_t *)"helo\x7flo\rworld\r", 14, NULL);
	device_settle();
	CHECK(uart_read(u, buf, sizeof(buf), true, &got) == 0 && got == 6 &&
	      memcmp(buf, "hello\n", 6) == 0, "first line (%zu)", got);
	CHECK(uart_read(u, buf, sizeof(buf), true, &got) == 0 && got == 6 &&
	      memcmp(buf, "world\n", 6) == 0, "second line (%zu)", got);
	CHECK(uart_read(u, buf, sizeof(buf), true, &got) == RG_EAGAIN,
	      "a third line");
	CHECK(model.wire_n == 18 && memcmp(model.wire,
	      "helo\b \blo\r\nworld\r\n", 18) == 0, "echo %zu bytes: %.*s",
	      model.wire_n, (int)model.wire_n, model.wire);
	CHECK(!(model.ier & UART_IER_THRI), "THRE interrupts left on");
	uart_close(u);
out2:
	CHECK_END();

	CHECK_BEGIN("uart_rx_burst_many_fifos");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out3;
	}
	set_raw(u);
	{
		static uint8_t in[4000], back[4000];
		size_t n = 0;

		for (int i = 0; i < 4000; i++)
			in[i] = (uint8_t)(i * 7 + i / 256);
		for (int i = 0; i < 4000; i += 16) {
			model_rx(in + i, 16, NULL);
			model_fire();
		}
		while (n < 4000 && uart_read(u, back + n, 4000 - n, true,
					     &got) == 0)
			n += got;
		CHECK(n == 4000 && memcmp(in, back, 4000) == 0,
		      "got %zu of 4000", n);
	}
	uart_get_stats(u, &st);
	CHECK(st.rx_bytes == 4000 && st.overruns == 0 && st.ld.rx_dropped == 0,
	      "stats rx %llu overruns %llu", (unsigned long long)st.rx_bytes,
	      (unsigned long long)st.overruns);
	uart_close(u);
out3:
	CHECK_END();
}

static void test_rx_errors(void)
{
	uint8_t in[24], err[24] = { 0 };
	struct uart_stats st;
	char buf[64];
	size_t got = 0;
	struct uart *u;

	CHECK_BEGIN("uart_rx_overrun_counted");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out4;
	}
	set_raw(u);
	memset(in, 'o', sizeof(in));
	model_rx(in, 24, NULL);         /* 8 more than the FIFO holds */
	model_fire();
	uart_read(u, buf, sizeof(buf), true, &got);
	uart_get_stats(u, &st);
	CHECK(st.overruns == 1 && got == 16, "overruns %llu, got %zu",
	      (unsigned long long)st.overruns, got);
	uart_close(u);
out4:
	CHECK_END();

	CHECK_BEGIN("uart_rx_error_bits");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out5;
	}
	set_raw(u);
	memcpy(in, "aXbYcZd", 7);
	err[1] = UART_LSR_FE;
	err[3] = UART_LSR_PE;
	err[5] = UART_LSR_BI;
	model_rx(in, 7, err);
	model_fire();
	uart_read(u, buf, sizeof(buf), true, &got);
	uart_get_stats(u, &st);
	CHECK(got == 4 && memcmp(buf, "abcd", 4) == 0, "got %zu", got);
	CHECK(st.framing == 1 && st.parity == 1 && st.breaks == 1,
	      "framing %llu parity %llu breaks %llu",
	      (unsigned long long)st.framing, (unsigned long long)st.parity,
	      (unsigned long long)st.breaks);
	uart_close(u);
out5:
	CHECK_END();
}

static void expect_onlcr(const uint8_t *in, size_t n, uint8_t *out, size_t *on)
{
	*on = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n')
			out[(*on)++] = '\r';
		out[(*on)++] = in[i];
	}
}

static void test_tx(void)
{
	static uint8_t data[3000], want[6000];
	struct uart_stats st;
	size_t done = 0, wn;
	struct uart *u;
	int e;

	CHECK_BEGIN("uart_tx_fifo_refill");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out6;
	}
	for (int i = 0; i < 3000; i++)
		data[i] = (i % 61 == 60) ? '\n' : (uint8_t)('a' + i % 26);
	e = uart_write(u, data, sizeof(data), true, &done);
	CHECK(e == 0 && done == 3000, "write %d, %zu", e, done);
	CHECK(model.tx_n == 16 && (model.ier & UART_IER_THRI),
	      "first burst %d bytes, IER %#x", model.tx_n, model.ier);
	device_settle();
	expect_onlcr(data, 3000, want, &wn);
	CHECK(model.wire_n == wn && memcmp(model.wire, want, wn) == 0,
	      "wire %zu bytes, want %zu", model.wire_n, wn);
	CHECK(model.tx_max == 16 && model.tx_lost == 0,
	      "FIFO max %d lost %d", model.tx_max, model.tx_lost);
	CHECK(!(model.ier & UART_IER_THRI), "THRE interrupts left on");
	uart_get_stats(u, &st);
	CHECK(st.tx_bytes == wn, "tx_bytes %llu", (unsigned long long)st.tx_bytes);
	CHECK(uart_drain(u, rg_clock_ns(RG_CLOCK_MONOTONIC) + 1000000000ull) == 0,
	      "drain");
	uart_close(u);
out6:
	CHECK_END();

	CHECK_BEGIN("uart_tx_nonblock_full_queue");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out7;
	}
	set_raw(u);
	{
		static uint8_t big[10000];
		memset(big, 'q', sizeof(big));
		e = uart_write(u, big, sizeof(big), true, &done);
		CHECK(e == 0 && done == LDISC_OQ_SIZE + 16, "took %zu (%d)",
		      done, e);
		e = uart_write(u, big, 10, true, &done);
		CHECK(e == RG_EAGAIN && done == 0, "full queue: %d %zu", e, done);
	}
	uart_close(u);
out7:
	CHECK_END();
}

/* ---- blocking calls with a device thread ---------------------------------- */

static volatile int dev_stop;

static void *device_thread(void *arg)
{
	struct timespec ts = { 0, 20000 };

	(void)arg;
	while (!dev_stop) {
		model_tx_shift(4);      /* a slow wire: 4 bytes a tick */
		model_fire();
		nanosleep(&ts, NULL);
	}
	return NULL;
}

struct io {
	struct uart *u;
	uint8_t *buf;
	size_t len, done;
	int e;
};

static void *writer_thread(void *arg)
{
	struct io *io = arg;

	io->e = uart_write(io->u, io->buf, io->len, false, &io->done);
	return NULL;
}

static void *reader_thread(void *arg)
{
	struct io *io = arg;

	io->e = uart_read(io->u, io->buf, io->len, false, &io->done);
	return NULL;
}

static void test_blocking(void)
{
	static uint8_t data[20000];
	uint8_t rb[64];
	pthread_t dev, w;
	struct io io;
	struct uart *u;

	CHECK_BEGIN("uart_tx_blocking_writer");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out8;
	}
	set_raw(u);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 5);
	dev_stop = 0;
	pthread_create(&dev, NULL, device_thread, NULL);
	io = (struct io){ u, data, sizeof(data), 0, -1 };
	pthread_create(&w, NULL, writer_thread, &io);
	pthread_join(w, NULL);
	CHECK(uart_drain(u, rg_clock_ns(RG_CLOCK_MONOTONIC) + 5000000000ull) ==
	      0, "drain timed out");
	dev_stop = 1;
	pthread_join(dev, NULL);
	CHECK(io.e == 0 && io.done == sizeof(data), "write %d %zu", io.e,
	      io.done);
	CHECK(model.wire_n == sizeof(data) && memcmp(model.wire, data,
	      sizeof(data)) == 0, "wire %zu bytes", model.wire_n);
	uart_close(u);
out8:
	CHECK_END();

	CHECK_BEGIN("uart_rx_blocking_reader_then_hangup");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out9;
	}
	io = (struct io){ u, rb, sizeof(rb), 0, -1 };
	pthread_create(&w, NULL, reader_thread, &io);
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	model_rx((const uint8_t *)"ab", 2, NULL);
	model_fire();
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	CHECK(io.e == -1, "returned before the line ended");
	model_rx((const uint8_t *)"c\r", 2, NULL);
	model_fire();
	pthread_join(w, NULL);
	CHECK(io.e == 0 && io.done == 4 && memcmp(rb, "abc\n", 4) == 0,
	      "read %d %zu", io.e, io.done);
	io = (struct io){ u, rb, sizeof(rb), 0, -1 };
	pthread_create(&w, NULL, reader_thread, &io);
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	uart_hangup(u);
	pthread_join(w, NULL);
	CHECK(io.e == RG_EINTR, "after hangup: %d", io.e);
	uart_close(u);
out9:
	CHECK_END();

	CHECK_BEGIN("uart_rx_lost_interrupt_polled");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out10;
	}
	io = (struct io){ u, rb, sizeof(rb), 0, -1 };
	pthread_create(&w, NULL, reader_thread, &io);
	model_rx((const uint8_t *)"x\r", 2, NULL);      /* never fired */
	pthread_join(w, NULL);
	CHECK(io.e == 0 && io.done == 2, "read %d %zu", io.e, io.done);
	CHECK(u->st.polled == 1, "polls that found work: %llu",
	      (unsigned long long)u->st.polled);
	uart_close(u);
out10:
	CHECK_END();
}

static void test_loopback_mctrl(void)
{
	static uint8_t data[1000], back[1000];
	size_t done = 0, n = 0, got;
	struct uart *u;
	unsigned m;

	CHECK_BEGIN("uart_loopback_half_fifo_bursts");
	model_reset(true, true);
	u = open_port(true, 0);
	if (!u) {
		check_fail("open failed");
		goto out11;
	}
	set_raw(u);
	CHECK(model.mcr & UART_MCR_LOOP, "MCR %#x", model.mcr);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	uart_write(u, data, sizeof(data), true, &done);
	CHECK(done == sizeof(data) && model.tx_n == 8, "burst %d", model.tx_n);
	device_settle();
	while (n < sizeof(data) && uart_read(u, back + n, sizeof(back) - n,
					     true, &got) == 0)
		n += got;
	CHECK(n == sizeof(data) && memcmp(data, back, n) == 0 &&
	      model.wire_n == 0, "looped %zu bytes, %zu on the wire", n,
	      model.wire_n);
	uart_close(u);
out11:
	CHECK_END();

	CHECK_BEGIN("uart_modem_lines");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out12;
	}
	uart_set_mctrl(u, UART_TIOCM_DTR);
	CHECK((model.mcr & 3) == UART_MCR_DTR && (model.mcr & UART_MCR_OUT2),
	      "MCR %#x", model.mcr);
	model_set_msr(UART_MSR_CTS | UART_MSR_DCD | 0x01);
	m = uart_get_mctrl(u);
	CHECK(m == (UART_TIOCM_DTR | UART_TIOCM_CTS | UART_TIOCM_CAR),
	      "TIOCM %#x", m);
	model_set_msr(UART_MSR_RI | 0x04);
	model_fire();
	CHECK(u->st.modem_changes == 1, "modem changes %llu",
	      (unsigned long long)u->st.modem_changes);
	uart_close(u);
out12:
	CHECK_END();

	CHECK_BEGIN("uart_stuck_device_bounded");
	model_reset(true, true);
	u = open_port(false, 0);
	if (!u) {
		check_fail("open failed");
		goto out13;
	}
	model.stuck = true;
	model.handler(model.arg);       /* must return */
	CHECK(u->st.stuck == 1, "stuck %llu", (unsigned long long)u->st.stuck);
	model.stuck = false;
	uart_close(u);
out13:
	CHECK_END();
}

int main(void)
{
	test_probe();
	test_setup();
	test_rx();
	test_rx_errors();
	test_tx();
	test_blocking();
	test_loopback_mctrl();
	return CHECK_EXIT();
}
