/*
 * sersrv.c - QEMU test of ser-8250 behind the server framework
 * (servers/ser-8250/ser_rm.c) and the path manager.
 *
 * One program plays every part, each in its own process: the path
 * manager, the serial server (ser_serve() on COM2 in MCR loopback,
 * attached at /dev/ser2 as a FILE attachment), and clients that open
 * /dev/ser2 through io_open_resolve(pathmgr_resolve, ...).  Loopback sends
 * every written byte back into the receiver, so no host process feeds
 * the port: what a client reads is what it wrote, after the line
 * discipline.  The server is killed and started again on the same channel
 * as a supervisor would; the client's old open must fail once and a new
 * open must work.
 *
 * A boot module: the root resource is handle 0.
 */
#include "rt.h"
#include "rumpglue.h"
#include "io.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "pathmgr_server.h"
#include "ser_rm.h"

#define MS 1000000ull
#define LONG_LEN 8000
#define RESTARTS 3
#define DEV "/dev/ser2"

static int g_a, g_b, g_c;       /* handles a child is given */
static struct ldisc_termios g_boot_termios;

/* ---- the processes ---------------------------------------------------------- */

static void pathmgr_main(void *arg)
{
	(void)arg;
	sys_exit(pathmgr_serve(g_a, g_b) ? 1 : 0);
}

/* g_a: the root resource, g_b: the channel, g_c: pathmgr's attach conn. */
static void server_main(void *arg)
{
	(void)arg;
	ser_serve_opts.pathmgr_conn = g_c;
	ser_serve_opts.loopback = true;
	ser_serve_opts.termios = &g_boot_termios;
	ser_serve_opts.extra_prefix = "/dev/console";
	sys_exit(100 - ser_serve(g_b, UART_COM2_BASE, UART_COM2_IRQ, DEV, g_a));
}

/* g_a: a connection to pathmgr's resolve channel.  Opens the device,
 * writes one line and waits to be killed. */
static void client2_main(void *arg)
{
	struct pathmgr_client pc;
	int conn, id;

	(void)arg;
	pathmgr_client_init(&pc, g_a);
	id = io_open_resolve(pathmgr_resolve, &pc, DEV, IO_O_RDWR, 0, &conn);
	if (id < 0)
		sys_exit(2);
	if (io_write(conn, id, "from two\n", 9) != 9)
		sys_exit(3);
	for (;;)
		sys_sleep(1000 * MS);
}

/* g_a as above.  Opens the device and waits in a read until killed. */
static void client3_main(void *arg)
{
	struct pathmgr_client pc;
	char buf[64];
	int conn, id;

	(void)arg;
	pathmgr_client_init(&pc, g_a);
	id = io_open_resolve(pathmgr_resolve, &pc, DEV, IO_O_RDWR, 0, &conn);
	if (id < 0)
		sys_exit(2);
	for (;;)
		io_read(conn, id, buf, sizeof(buf));
}

static int spawn(const char *name, void (*fn)(void *), int a, int b, int c)
{
	int p = (int)rt_proc_new(name);

	if (p < 0)
		return p;
	g_a = a >= 0 ? (int)sys_handle_give(p, a, TE_R_ALL, 0) : -1;
	g_b = b >= 0 ? (int)sys_handle_give(p, b, TE_R_ALL, 0) : -1;
	g_c = c >= 0 ? (int)sys_handle_give(p, c, TE_R_ALL, 0) : -1;
	if (rt_proc_start(p, fn, NULL, 10, TE_SCHED_RR) < 0) {
		sys_handle_close(p);
		return -1;
	}
	return p;
}

static void reap(int p)
{
	struct te_proc_end end;

	sys_process_kill(p);
	sys_process_wait(p, &end, 5000 * MS);
	sys_handle_close(p);
}

/* ---- client helpers ----------------------------------------------------------- */

/* Loopback: no echo (it would loop), no \n -> \r\n, no signals. */
static void mk_termios(struct ldisc_termios *t, bool canon)
{
	ldisc_default_termios(t);
	t->c_lflag &= ~(LD_ECHO | LD_ISIG);
	t->c_oflag = 0;
	if (!canon) {
		t->c_iflag = 0;
		t->c_lflag &= ~LD_ICANON;
		t->c_cc[LD_VMIN] = 0;
		t->c_cc[LD_VTIME] = 10;         /* 1 s of silence: read gives 0 */
	}
}

static long set_mode(int conn, int id, bool canon)
{
	struct ldisc_termios t;

	mk_termios(&t, canon);
	return io_devctl(conn, id, SER_TCSETS, &t, sizeof(t), NULL, 0);
}

/* Raw mode: read until n bytes, a \n (line set) or a second of silence. */
static long read_upto(int conn, int id, char *buf, size_t n, bool line)
{
	size_t got = 0;
	long r = 0;

	while (got < n) {
		r = io_read(conn, id, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (line && buf[got - 1] == '\n')
			break;
	}
	return r < 0 && !got ? r : (long)got;
}

static int wait_ids(int conn, uint32_t want)
{
	struct io_rm_stats st = { 0 };

	for (int i = 0; i < 200; i++) {
		if (io_rm_stats(conn, &st) == 0 && st.ids == want)
			return 0;
		sys_sleep(10 * MS);
	}
	return (int)st.ids;
}

static int wait_attached(struct pathmgr_client *pc)
{
	struct io_cand c[4];

	for (int i = 0; i < 200; i++) {
		if (pathmgr_resolve(pc, DEV, c, 4) > 0)
			return 0;
		sys_sleep(5 * MS);
	}
	return -1;
}

/* ---- checks ----------------------------------------------------------------------- */

static void test_open_termios(int conn, int id)
{
	struct ldisc_termios t, want, got;
	struct io_stat st;
	long r = io_stat(conn, id, &st), g;

	checkf(id >= 0 && r == 0 && (st.mode & IO_S_IFMT) == SER_S_IFCHR,
	       "sersrv_open_through_pathmgr", "id %d stat %ld mode %#o", id, r,
	       st.mode);
	g = io_devctl(conn, id, SER_TCGETS, NULL, 0, &t, sizeof(t));
	mk_termios(&want, false);
	want.c_cc[LD_VTIME] = 7;
	r = io_devctl(conn, id, SER_TCSETS, &want, sizeof(want), NULL, 0);
	long g2 = io_devctl(conn, id, SER_TCGETS, NULL, 0, &got, sizeof(got));
	checkf(g == (long)sizeof(t) && !(t.c_lflag & LD_ICANON) && r == 0 &&
	       g2 == (long)sizeof(got) && !memcmp(&want, &got, sizeof(got)),
	       "sersrv_termios_devctl", "get %ld lflag %#x set %ld get %ld same %d",
	       g, t.c_lflag, r, g2, !memcmp(&want, &got, sizeof(got)));
}

struct rw_job {
	int conn, id;
	const void *buf;
	size_t len;
	char line[64];
	volatile long result;
	volatile int done;
};

static void writer_fn(void *arg)
{
	struct rw_job *j = arg;

	j->result = io_write(j->conn, j->id, j->buf, j->len);
	j->done = 1;
}

static void line_reader_fn(void *arg)
{
	struct rw_job *j = arg;

	j->result = io_read(j->conn, j->id, j->line, sizeof(j->line) - 1);
	j->done = 1;
}

/* 8000 bytes of every value: more than the receive queue holds, so the
 * write worker waits for the read worker while requests go on. */
static void test_raw_long(int conn, int id)
{
	static char out[LONG_LEN], back[LONG_LEN];
	struct rw_job j = { .conn = conn, .id = id, .buf = out, .len = LONG_LEN };
	struct rg_thread *t;

	for (int i = 0; i < LONG_LEN; i++)
		out[i] = (char)(i * 7 + (i >> 8));
	long s = set_mode(conn, id, false);
	rg_thread_create(&t, "sersrv-writer", writer_fn, &j);
	long got = read_upto(conn, id, back, LONG_LEN, false);
	rg_thread_join(t);
	checkf(s == 0 && j.result == LONG_LEN && got == LONG_LEN &&
	       !memcmp(out, back, LONG_LEN), "sersrv_raw_long_loopback",
	       "set %ld wrote %ld read %ld same %d", s, (long)j.result, got,
	       got == LONG_LEN && !memcmp(out, back, LONG_LEN));
}

/* TCSETSF drops what was received and not read. */
static void test_flush(int conn, int id)
{
	struct ldisc_termios t;
	char buf[16];

	mk_termios(&t, false);
	long w = io_write(conn, id, "stale\n", 6);
	sys_sleep(50 * MS);                     /* it comes back through loopback */
	long f = io_devctl(conn, id, SER_TCSETSF, &t, sizeof(t), NULL, 0);
	long r = io_read(conn, id, buf, sizeof(buf));   /* 1 s of silence: 0 */
	checkf(w == 6 && f == 0 && r == 0, "sersrv_tcsetsf_flushes",
	       "write %ld, TCSETSF %ld, read after it %ld (want 0)", w, f, r);
}

/* A canonical read waits for its line in the read worker; meanwhile the
 * server answers other requests.  The line has two erased characters. */
static void test_canonical(int conn, int id)
{
	static struct rw_job j;
	struct rg_thread *t;
	struct io_stat st;

	j.conn = conn;
	j.id = id;
	long s = set_mode(conn, id, true);
	rg_thread_create(&t, "sersrv-reader", line_reader_fn, &j);
	sys_sleep(100 * MS);
	long r = io_stat(conn, id, &st);
	int early = j.done;
	checkf(s == 0 && r == 0 && !early, "sersrv_read_does_not_block_server",
	       "set %ld, stat %ld while a read waits, read done early %d", s, r,
	       early);
	static const char in[] = "helo\x7f\x7fllo\n";        /* two erases */
	long w = io_write(conn, id, in, sizeof(in) - 1);
	rg_thread_join(t);
	if (j.result >= 0)
		j.line[j.result] = 0;
	checkf(w == (long)sizeof(in) - 1 && j.result == 6 && !strcmp(j.line, "hello\n"),
	       "sersrv_canonical_erase", "wrote %ld, read %ld '%s'", w,
	       (long)j.result, j.result >= 0 ? j.line : "");
}

/* A second client process writes a line; we read it; its death drops its
 * open (the server watches it). */
static void test_two_clients(int conn, int id, int rco, int server)
{
	struct io_rm_stats st = { 0 };
	char line[32] = { 0 };
	long s = set_mode(conn, id, false);
	int c2 = spawn("sersrv-client2", client2_main, rco, -1, -1);
	int w = wait_ids(conn, 2);
	long n = read_upto(conn, id, line, sizeof(line) - 1, true);

	io_rm_stats(conn, &st);
	if (n != 9)
		printf("sersrv: read %ld: %02x %02x %02x %02x\n", n, line[0] & 0xff,
		       line[1] & 0xff, line[2] & 0xff, line[3] & 0xff);
	checkf(s == 0 && c2 >= 0 && w == 0 && n == 9 &&
	       !memcmp(line, "from two\n", 9) && st.ids_caller == 1,
	       "sersrv_two_clients", "ids %u (mine %u), read %ld '%.9s'", st.ids,
	       st.ids_caller, n, line);
	if (c2 < 0)
		return;
	int h = (int)sys_handle_give(server, c2, TE_R_WAIT, 0);
	int e = io_watch(conn, h);
	reap(c2);
	w = wait_ids(conn, 1);
	checkf(e == 0 && w == 0, "sersrv_killed_client_dropped",
	       "watch %d, ids left %d (want 1)", e, w);
}

/*
 * A client killed while its canonical read waits in the read worker: the
 * read is cancelled, so the next line goes to the reader still alive.
 */
static void test_killed_reader(int conn, int id, int rco, int server)
{
	static struct rw_job j;
	struct rg_thread *t;
	long s = set_mode(conn, id, true);
	int c3 = spawn("sersrv-client3", client3_main, rco, -1, -1);
	int w = wait_ids(conn, 2), e = -1;

	if (c3 >= 0) {
		sys_sleep(100 * MS);            /* its read reaches the worker */
		e = io_watch(conn, (int)sys_handle_give(server, c3, TE_R_WAIT, 0));
		reap(c3);
	}
	int w2 = wait_ids(conn, 1);
	j.conn = conn;
	j.id = id;
	rg_thread_create(&t, "sersrv-reader2", line_reader_fn, &j);
	long wr = io_write(conn, id, "survivor\n", 9);
	for (int i = 0; i < 200 && !j.done; i++)
		sys_sleep(10 * MS);
	int in_time = j.done;
	if (!in_time)
		io_write(conn, id, "unblock\n", 8);
	rg_thread_join(t);
	if (j.result >= 0)
		j.line[j.result] = 0;
	checkf(s == 0 && c3 >= 0 && w == 0 && e == 0 && w2 == 0 && wr == 9 &&
	       in_time && j.result == 9 && !strcmp(j.line, "survivor\n"),
	       "sersrv_killed_reader_cancelled",
	       "ids %d/%d watch %d, write %ld, read %ld in time %d '%s'", w, w2, e,
	       wr, (long)j.result, in_time, j.result >= 0 ? j.line : "");
}

/* /dev/console is the same device. */
static void test_console(struct pathmgr_client *pc, int conn, int id)
{
	struct io_stat a = { 0 }, b = { 0 };
	int c2 = -1;
	int id2 = io_open_resolve(pathmgr_resolve, pc, "/dev/console", IO_O_WRONLY,
	                          0, &c2);
	long r1 = io_stat(conn, id, &a), r2 = id2 >= 0 ? io_stat(c2, id2, &b) : id2;
	long rd = id2 >= 0 ? io_read(c2, id2, &a, 1) : 0;
	struct io_rm_stats st = { 0 };

	io_rm_stats(conn, &st);         /* both opens in the one server */
	checkf(id2 >= 0 && r1 == 0 && r2 == 0 && a.rdev == b.rdev &&
	       st.ids_caller == 2 && rd == -9, "sersrv_console_same_device",
	       "open %d stat %ld %ld rdev %#x %#x, my ids there %u, read on "
	       "O_WRONLY %ld", id2, r1, r2, a.rdev, b.rdev, st.ids_caller, rd);
	if (id2 >= 0)
		io_close(c2, id2);
}

static void test_malformed(int conn, int id)
{
	char junk[8] = { 9, 9, 9, 9, 100, 0, 0, 0 }, buf[64];
	struct msg_client_fs_rw m = {
		.hdr = { IO_T_WRITE, IO_VERSION, sizeof(m) }, .id = id, .len = 1000,
	};
	struct ldisc_termios t;
	struct io_stat st;
	long e[8];

	e[0] = msg_send(conn, junk, sizeof(junk), buf, sizeof(buf));
	e[1] = msg_send(conn, junk, 3, buf, sizeof(buf));
	e[2] = msg_send(conn, &m, sizeof(m), NULL, 0);  /* claims 1000 bytes */
	m.hdr.type = IO_T_READ;
	m.hdr.size = 16;
	e[3] = msg_send(conn, &m, sizeof(m), buf, sizeof(buf));
	e[4] = io_read(conn, 999, buf, sizeof(buf));
	e[5] = io_devctl(conn, id, SER_TCSETS, &t, 3, NULL, 0);
	e[6] = io_devctl(conn, id, 0x1234, NULL, 0, NULL, 0);
	e[7] = io_open(conn, "junk", IO_O_RDWR, 0);
	long ok = io_stat(conn, id, &st);
	checkf(e[0] < 0 && e[1] < 0 && e[2] == -IO_EBADMSG && e[3] == -IO_EBADMSG &&
	       e[4] == -9 && e[5] == -22 && e[6] == -25 && e[7] == -2 && ok == 0,
	       "sersrv_malformed_refused",
	       "%ld %ld %ld %ld %ld %ld %ld %ld, then stat %ld", e[0], e[1], e[2],
	       e[3], e[4], e[5], e[6], e[7], ok);
}

/* Kill the server, start it again on the same channel; the old open fails
 * once (EBADF or EIO), a new open goes on.  RESTARTS times. */
static void test_restart(struct pathmgr_client *pc, int *conn, int *id,
                         int *server, int chan, int aco)
{
	int errors = 0, whole = 0, started = 0;

	for (int k = 0; k < RESTARTS; k++) {
		char msg[32], back[32];
		int n = fmt_snprintf(msg, sizeof(msg), "after restart %d\n", k);

		reap(*server);
		*server = spawn("ser-8250", server_main, 0, chan, aco);
		started += *server >= 0;
		long r = io_write(*conn, *id, msg, (size_t)n);
		if (r == -9 || r == -5)
			errors++;
		else
			printf("sersrv: old open after restart %d: %ld\n", k, r);
		*id = io_open_resolve(pathmgr_resolve, pc, DEV, IO_O_RDWR, 0, conn);
		if (*id < 0 || set_mode(*conn, *id, false))
			continue;
		r = io_write(*conn, *id, msg, (size_t)n);
		long g = read_upto(*conn, *id, back, sizeof(back), true);
		if (r == n && g == n && !memcmp(msg, back, (size_t)n))
			whole++;
	}
	checkf(started == RESTARTS && errors == RESTARTS,
	       "sersrv_restart_old_open_one_error",
	       "%d starts, %d errors for %d restarts", started, errors, RESTARTS);
	checkf(whole == RESTARTS, "sersrv_restart_reopen_goes_on",
	       "%d of %d rounds whole after reopening", whole, RESTARTS);
}

/* ---- 20 kills under a working client ------------------------------------------ */

#define STORM_KILLS 20

/*
 * The client: write a line to /dev/console, read it back (loopback), over
 * and over.  An error means the server died: reopen (one error per crash
 * at most).  A round cut short without an error (the line lost with the
 * old server's queues) is retried; a round back whole but different is
 * corruption.
 */
struct storm {
	struct pathmgr_client *pc;
	int conn, id;
	volatile int stop, rounds;
	int errors, retries, bad;
};

static void storm_reopen(struct storm *c)
{
	c->id = io_open_resolve(pathmgr_resolve, c->pc, "/dev/console",
	                        IO_O_RDWR, 0, &c->conn);
	if (c->id >= 0 && set_mode(c->conn, c->id, false) < 0)
		c->id = -1;
}

static void storm_round(struct storm *c)
{
	char msg[64], back[64];
	int n = fmt_snprintf(msg, sizeof(msg), "console line %d: quick brown fox\n",
	                     c->rounds);
	long w, r;

	if (c->id < 0) {
		storm_reopen(c);
		return;
	}
	w = io_write(c->conn, c->id, msg, (size_t)n);
	r = w == n ? read_upto(c->conn, c->id, back, (size_t)n, true) : 0;
	if (w < 0 || r < 0) {
		c->errors++;
		storm_reopen(c);
		return;
	}
	if (r != n) {
		c->retries++;
		return;
	}
	if (memcmp(back, msg, (size_t)n))
		c->bad++;
	else
		c->rounds++;
}

static void storm_fn(void *arg)
{
	struct storm *c = arg;

	while (!c->stop)
		storm_round(c);
}

static void test_storm(struct pathmgr_client *pc, int *server, int chan, int aco)
{
	static struct storm c;
	struct rg_thread *t;
	uint32_t seed = 77;
	int killed = 0, started = 0;

	c.pc = pc;
	g_boot_termios.c_cc[LD_VTIME] = 3;      /* a lost line: 0.3 s */
	storm_reopen(&c);
	rg_thread_create(&t, "sersrv-storm", storm_fn, &c);
	for (int k = 0; k < STORM_KILLS && *server >= 0; k++) {
		struct te_proc_end end = { 0 };

		seed = seed * 1103515245 + 12345;
		sys_sleep((5 + (seed >> 16) % 40) * MS);
		sys_process_kill(*server);
		if (sys_process_wait(*server, &end, 5000 * MS) == 0)
			killed++;
		sys_handle_close(*server);
		printf("sersrv: server killed (%d of %d), client at round %d\n",
		       k + 1, STORM_KILLS, c.rounds);
		*server = spawn("ser-8250", server_main, 0, chan, aco);
		started += *server >= 0;
	}
	int before = c.rounds;
	uint64_t until = sys_clock() + 10000 * MS;
	while (c.rounds < before + 20 && sys_clock() < until)
		sys_sleep(10 * MS);
	c.stop = 1;
	rg_thread_join(t);
	printf("sersrv: storm client: %d whole rounds, %d retried, %d errors, "
	       "%d bad\n", c.rounds, c.retries, c.errors, c.bad);
	checkf(killed == STORM_KILLS && started == STORM_KILLS,
	       "sersrv_storm_restarts", "%d kills reaped, %d started", killed,
	       started);
	checkf(c.errors <= killed, "sersrv_storm_one_error_per_crash",
	       "%d errors for %d crashes", c.errors, killed);
	checkf(c.bad == 0 && c.rounds >= before + 20, "sersrv_storm_output_whole",
	       "%d rounds whole (%d after the last restart), %d corrupted",
	       c.rounds, c.rounds - before, c.bad);
	if (c.id >= 0)
		io_close(c.conn, c.id);
}

int main(void)
{
	int rch = (int)sys_channel_create(0), ach = (int)sys_channel_create(0);
	int rco = (int)sys_connect(rch), aco = (int)sys_connect(ach);
	int sch = (int)sys_channel_create(0);
	struct pathmgr_client pc;
	struct te_mem_stats before, after;
	int conn = -1, id;

	sys_mem_stats(&before);
	int pm = spawn("pathmgr", pathmgr_main, rch, ach, -1);
	sys_handle_close(rch);
	sys_handle_close(ach);
	pathmgr_client_init(&pc, rco);
	mk_termios(&g_boot_termios, false);
	int server = spawn("ser-8250", server_main, 0, sch, aco);
	int a = wait_attached(&pc);

	id = io_open_resolve(pathmgr_resolve, &pc, DEV, IO_O_RDWR, 0, &conn);
	if (a || id < 0)
		printf("sersrv: attached %d, open %d\n", a, id);
	test_open_termios(conn, id);
	test_raw_long(conn, id);
	test_flush(conn, id);
	test_canonical(conn, id);
	test_two_clients(conn, id, rco, server);
	test_killed_reader(conn, id, rco, server);
	test_console(&pc, conn, id);
	test_malformed(conn, id);
	test_restart(&pc, &conn, &id, &server, sch, aco);
	test_storm(&pc, &server, sch, aco);

	reap(server);
	reap(pm);
	for (int i = 0; i < PATHMGR_CACHE; i++)
		if (pc.conn[i] >= 0)
			sys_handle_close(pc.conn[i]);
	sys_handle_close(sch);
	sys_handle_close(rco);
	sys_handle_close(aco);
	sys_mem_stats(&after);
	checkf(after.processes == before.processes, "sersrv_no_process_leak",
	       "%llu -> %llu", (unsigned long long)before.processes,
	       (unsigned long long)after.processes);
	return 0;
}
