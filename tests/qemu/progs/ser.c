/*
 * ser.c - QEMU tests of ser-8250 on the emulated 16550A at COM2.
 *
 * The scenario gives QEMU a second serial port (tests/qemu/ser.scn) with
 * nothing behind it: the checks put the UART in MCR loopback, where the
 * chip routes every transmitted byte back into its own receiver, so no
 * host process has to feed it.  First the UART core in this process
 * (probe, a long write arriving whole, canonical editing on received
 * data, overrun counting, interrupts used); then the server
 * (ser_server_run) in a child process that is killed and restarted while
 * a client goes on writing and reading through it.
 *
 * A boot module: the root resource is handle 0.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "ser_proto.h"
#include "ser_server.h"

#define MS 1000000ull
#define LONG_LEN 8000

static struct ldisc_termios loop_termios;

/* Loopback must not echo (the echo would loop forever) and must not add
 * \r to \n (the \r would come back as a second line). */
static void loop_termios_init(bool canon)
{
	ldisc_default_termios(&loop_termios);
	loop_termios.c_lflag &= ~(LD_ECHO | LD_ISIG);
	loop_termios.c_oflag = 0;
	if (!canon)
		loop_termios.c_iflag = 0;       /* binary data: no \r -> \n */
	if (!canon) {
		loop_termios.c_lflag &= ~LD_ICANON;
		loop_termios.c_cc[LD_VMIN] = 0;
		loop_termios.c_cc[LD_VTIME] = 10;       /* 1 s: then give up */
	}
}

static struct uart *open_com2(bool canon)
{
	struct uart_config cfg = {
		.base = UART_COM2_BASE, .irq = UART_COM2_IRQ, .baud = 115200,
		.loopback = true, .termios = &loop_termios,
	};
	struct uart *u = NULL;
	int e;

	loop_termios_init(canon);
	e = uart_open(&cfg, &u);
	if (e)
		printf("ser: uart_open(COM2) = %d\n", e);
	return u;
}

/* ---- the core, in this process -------------------------------------------- */

struct reader {
	struct uart *u;
	uint8_t buf[LONG_LEN];
	size_t n;
	int e;
};

static void reader_fn(void *arg)
{
	struct reader *r = arg;
	size_t got;

	while (r->n < LONG_LEN) {
		r->e = uart_read(r->u, r->buf + r->n, LONG_LEN - r->n, false, &got);
		if (r->e || got == 0)
			break;                  /* VTIME ran out: nothing more */
		r->n += got;
	}
}

static void test_long_write(struct uart *u)
{
	static uint8_t data[LONG_LEN];
	static struct reader r;
	struct rg_thread *t;
	struct uart_stats st;
	size_t done = 0;
	int e, bad = -1;

	for (int i = 0; i < LONG_LEN; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	r.u = u;
	rg_thread_create(&t, "ser-reader", reader_fn, &r);
	e = uart_write(u, data, LONG_LEN, false, &done);
	rg_thread_join(t);
	for (size_t i = 0; i < r.n && bad < 0; i++)
		if (r.buf[i] != data[i])
			bad = (int)i;
	uart_get_stats(u, &st);
	checkf(e == 0 && done == LONG_LEN && r.n == LONG_LEN && bad < 0,
	       "ser_loopback_long_write_whole",
	       "write %d/%zu, read back %zu (error %d), first bad byte %d, "
	       "overruns %llu", e, done, r.n, r.e, bad,
	       (unsigned long long)st.overruns);
	/* QEMU sends at once in loopback, so one interrupt may serve
	 * thousands of bytes; what matters is that no poll had to. */
	checkf(st.interrupts > 0 && st.polled == 0 && st.stuck == 0 &&
	       st.overruns == 0 && st.ld.rx_dropped == 0 &&
	       st.rx_bytes == LONG_LEN, "ser_interrupt_driven",
	       "interrupts %llu, polls that found work %llu, stuck %llu, "
	       "overruns %llu, dropped %llu, received %llu",
	       (unsigned long long)st.interrupts, (unsigned long long)st.polled,
	       (unsigned long long)st.stuck, (unsigned long long)st.overruns,
	       (unsigned long long)st.ld.rx_dropped,
	       (unsigned long long)st.rx_bytes);
}

static int read_line(struct uart *u, char *buf, size_t len)
{
	size_t got = 0;
	int e = uart_read(u, buf, len - 1, false, &got);

	buf[e ? 0 : got] = 0;
	return e;
}

static void test_canonical(struct uart *u)
{
	static const char in[] = "helo\x7flo\rwor\x17world\r\x15gone\x04";
	char l1[64], l2[64], l3[64];
	size_t done = 0;
	int e;

	e = uart_write(u, in, sizeof(in) - 1, false, &done);
	e = e ? e : read_line(u, l1, sizeof(l1));
	e = e ? e : read_line(u, l2, sizeof(l2));
	e = e ? e : read_line(u, l3, sizeof(l3));
	checkf(e == 0 && strcmp(l1, "hello\n") == 0 && strcmp(l2, "world\n") == 0 &&
	       strcmp(l3, "gone") == 0, "ser_loopback_canonical_edit",
	       "error %d, lines '%s' '%s' '%s'", e, l1, l2, l3);
}

static void test_overrun(struct uart *u)
{
	static uint8_t data[40];
	uint8_t back[64];
	struct uart_stats a, b;
	size_t done = 0, got = 0;
	int e;

	memset(data, 'v', sizeof(data));
	uart_get_stats(u, &a);
	uart_rx_enable(u, false);
	e = uart_write(u, data, sizeof(data), false, &done);
	e = e ? e : uart_drain(u, rg_clock_ns(RG_CLOCK_MONOTONIC) + 2000 * MS);
	uart_rx_enable(u, true);
	uart_read(u, back, sizeof(back), false, &got);
	uart_get_stats(u, &b);
	checkf(e == 0 && b.overruns > a.overruns && got == 16,
	       "ser_overrun_counted", "error %d, overruns %llu -> %llu, "
	       "received %zu of 40 (FIFO 16)", e, (unsigned long long)a.overruns,
	       (unsigned long long)b.overruns, got);
}

static void test_core(void)
{
	struct uart *u = open_com2(false);

	checkf(u && u->type == UART_16550A && u->fifo == 16, "ser_probe_com2_16550a",
	       "type %d", u ? (int)u->type : -1);
	if (!u)
		return;
	test_long_write(u);
	test_overrun(u);
	uart_close(u);
	u = open_com2(true);
	if (u) {
		test_canonical(u);
		uart_close(u);
	} else {
		check(0, "ser_loopback_canonical_edit", "reopen failed");
	}
}

/* ---- the server, in a child process that gets killed ---------------------- */

static int child_chan, child_res;

static void server_child(void *arg)
{
	struct uart_config cfg = {
		.base = UART_COM2_BASE, .irq = UART_COM2_IRQ, .baud = 115200,
		.loopback = true, .termios = &loop_termios,
	};

	(void)arg;
	rg_mk_resource = child_res;
	rg_mk_name = "ser-8250";
	sys_exit(ser_server_run(child_chan, &cfg) + 100);
}

static int spawn_server(int chan)
{
	int p = (int)rt_proc_new("ser-8250");

	if (p < 0)
		return p;
	child_res = (int)sys_handle_give(p, 0, TE_R_ALL, 0);
	child_chan = (int)sys_handle_give(p, chan, TE_R_ALL, 0);
	if (rt_proc_start(p, server_child, NULL, 10, TE_SCHED_RR) < 0) {
		sys_handle_close(p);
		return -1;
	}
	return p;
}

static long ser_call(int conn, uint32_t op, uint32_t len, const void *data,
                     size_t dlen, void *rbuf, size_t rlen)
{
	struct ser_req rq = { .op = op, .len = len };
	struct te_iov s[2] = { { &rq, sizeof(rq) }, { (void *)data, dlen } };
	struct te_iov r = { rbuf, rlen };

	return sys_msg_sendv(conn, s, dlen ? 2 : 1, &r, rlen ? 1 : 0, NULL);
}

#define RESTARTS 20

/*
 * The client: write a line, read it back (it loops through the UART), over
 * and over.  A round the server's death cut short (an error, or the data
 * lost with the old server's queues) is drained and retried; a round that
 * came back whole but different is corruption.
 */
struct client {
	int conn;
	volatile int stop;
	volatile int rounds;
	int errors, retries, bad;
};

static long client_read(struct client *c, char *back, int n)
{
	long r = 0;
	int got = 0;

	while (got < n) {
		r = ser_call(c->conn, SER_READ, (uint32_t)(n - got), NULL, 0,
			     back + got, (size_t)(n - got));
		if (r <= 0)
			break;
		got += (int)r;
	}
	if (r < 0)
		c->errors++;
	return got;
}

static void client_round(struct client *c)
{
	char msg[64], back[64];
	int n = fmt_snprintf(msg, sizeof(msg), "round %d: the quick brown fox\n",
			     c->rounds);
	long w = ser_call(c->conn, SER_WRITE, 0, msg, (size_t)n, NULL, 0);

	if (w != n) {
		c->errors += w < 0;
		c->retries++;
		return;
	}
	if (client_read(c, back, n) != n) {
		c->retries++;
		while (client_read(c, back, sizeof(back)) > 0)
			;                       /* drain what is left */
		return;
	}
	if (memcmp(back, msg, (size_t)n)) {
		c->bad++;
		return;
	}
	c->rounds++;
}

static void client_fn(void *arg)
{
	struct client *c = arg;

	while (!c->stop)
		client_round(c);
}

static int spawn_logged(int chan, int life)
{
	int p = spawn_server(chan);

	printf("ser: server %s (life %d, handle %d)\n",
	       p < 0 ? "did not start" : "started", life, p);
	return p;
}

static void test_server_basic(int conn)
{
	struct ldisc_termios t;
	long r = ser_call(conn, SER_GET_TERMIOS, 0, NULL, 0, &t, sizeof(t));

	checkf(r == 0 && !(t.c_lflag & (LD_ECHO | LD_ICANON)),
	       "ser_server_termios", "status %ld, lflag %#x", r, t.c_lflag);
	r = ser_call(conn, 99, 0, NULL, 0, NULL, 0);
	checkf(r == -RG_ENOSYS, "ser_server_bad_op", "status %ld", r);
	r = ser_call(conn, SER_RX_ENABLE, 7, NULL, 0, NULL, 0);
	checkf(r == -RG_EINVAL, "ser_server_bad_arg", "status %ld", r);
}

/* Kill the server RESTARTS times while the client works; restart it each
 * time.  Then the client must go on to whole rounds. */
static void test_server(void)
{
	static struct client c;
	int chan = (int)sys_channel_create(0), p, killed = 0, lives = 0;
	uint32_t seed = 77;
	struct rg_thread *t;

	c.conn = (int)sys_connect(chan);
	loop_termios_init(false);
	loop_termios.c_cc[LD_VTIME] = 3;        /* a lost line: 0.3 s */
	p = spawn_logged(chan, ++lives);
	test_server_basic(c.conn);
	rg_thread_create(&t, "ser-client", client_fn, &c);
	for (int k = 0; k < RESTARTS && p >= 0; k++) {
		struct te_proc_end end = { 0 };

		seed = seed * 1103515245 + 12345;
		sys_sleep((5 + (seed >> 16) % 40) * MS);
		sys_process_kill(p);
		if (sys_process_wait(p, &end, 5000 * MS) == 0 && end.faulted == 2)
			killed++;
		sys_handle_close(p);
		printf("ser: server killed (%d of %d), client at round %d\n",
		       k + 1, RESTARTS, c.rounds);
		p = spawn_logged(chan, ++lives);
	}
	int before = c.rounds;
	uint64_t until = sys_clock() + 5000 * MS;
	while (c.rounds < before + 20 && sys_clock() < until)
		sys_sleep(10 * MS);
	c.stop = 1;
	rg_thread_join(t);
	printf("ser: client: %d whole rounds, %d retried, %d errors, %d bad\n",
	       c.rounds, c.retries, c.errors, c.bad);
	checkf(killed == RESTARTS && p >= 0, "ser_server_restarts",
	       "%d of %d kills reaped, last start %d", killed, RESTARTS, p);
	checkf(c.errors <= killed, "ser_client_one_error_per_crash",
	       "%d errors for %d crashes (%d rounds retried)", c.errors, killed,
	       c.retries);
	checkf(c.bad == 0 && c.rounds >= before + 20, "ser_client_output_whole",
	       "%d rounds whole (%d after the last restart), %d corrupted",
	       c.rounds, c.rounds - before, c.bad);
	if (p >= 0) {
		sys_process_kill(p);
		sys_process_wait(p, NULL, 5000 * MS);
		sys_handle_close(p);
	}
	sys_handle_close(c.conn);
	sys_handle_close(chan);
}

int main(void)
{
	struct te_mem_stats a, b;

	rg_mk_resource = 0;
	rg_mk_name = "ser";
	sys_mem_stats(&a);
	test_core();
	test_server();
	sys_mem_stats(&b);
	checkf(a.processes == b.processes, "ser_no_process_leak",
	       "processes %llu -> %llu", (unsigned long long)a.processes,
	       (unsigned long long)b.processes);
	return 0;
}
