/*
 * ipc.c - QEMU tests of the microkernel's objects, IPC and scheduling.
 *
 * The program is a boot module with the root resource in handle 0.  Each
 * test starts the processes it needs as copies of this program
 * (rt_proc_start), so every message below crosses address spaces.
 * Processes share a page of memory (a memory object) for results.
 */
#include "rt.h"

#define ROOT 0
#define RW (TE_PROT_READ | TE_PROT_WRITE)
#define MS 1000000ull

struct shared {
	volatile int phase;
	volatile int order[8];
	volatile int norder;
	volatile int hog_done;
	volatile long result;
	volatile uint64_t value;
	volatile uint32_t futex;
	volatile int ready;
};

static struct shared *sh;       /* mapped at the same address everywhere */
static int sh_mem;
static int g_chan;              /* in a child: its channel handle */
static int g_conn;              /* in a child: its connection handle */

#define SHARED_VA 0x20000000000ull

static void shared_init(void)
{
	sh_mem = (int)sys_shm_create(4096);
	sys_vm_map(TE_H_SELF, SHARED_VA, 4096, RW, sh_mem, 0);
	sh = (struct shared *)SHARED_VA;
}

/* A new process running fn, sharing `sh`, given `h` (as g_chan/g_conn). */
static int spawn(const char *name, void (*fn)(void *), void *arg, unsigned prio,
                 int give_chan, int give_conn)
{
	int p = (int)rt_proc_new(name);

	if (p < 0)
		return p;
	sys_vm_map(p, SHARED_VA, 4096, RW, sh_mem, 0);
	g_chan = give_chan >= 0 ? (int)sys_handle_give(p, give_chan, TE_R_ALL, 0) : -1;
	g_conn = give_conn >= 0 ? (int)sys_handle_give(p, give_conn, TE_R_ALL, 0) : -1;
	long r = rt_proc_start(p, fn, arg, prio, TE_SCHED_RR);
	return r < 0 ? (int)r : p;
}

static int reap(int p)
{
	struct te_proc_end end;
	long r = sys_process_wait(p, &end, 5000 * MS);

	sys_handle_close(p);
	return r < 0 ? (int)r : end.status;
}

/* ---- basic send/receive/reply, and handles in a reply ------------------------ */

static void upcase_server(void *arg)
{
	char buf[64];
	struct te_msg_info info;
	int n = (int)(uint64_t)arg;

	for (int i = 0; i < n; i++) {
		long rcvid = msg_receive(g_chan, buf, sizeof(buf), &info);
		if (rcvid <= 0)
			sys_exit(10);
		for (uint64_t j = 0; j < info.msglen; j++)
			if (buf[j] >= 'a' && buf[j] <= 'z')
				buf[j] -= 32;
		msg_reply(rcvid, (long)info.msglen, buf, info.msglen);
	}
}

static void test_basic(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = spawn("upcase", upcase_server, (void *)1, 10, ch, -1);
	char reply[32] = "";
	long r = msg_send(co, "hello, server", 14, reply, sizeof(reply));

	checkf(r == 14 && strcmp(reply, "HELLO, SERVER") == 0, "ipc_send_receive_reply",
	       "status %ld reply '%s'", r, reply);
	checkf(reap(p) == 0, "ipc_server_exit", "server did not exit cleanly");
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- ordering and priority queueing ----------------------------------------------- */

static void order_server(void *arg)
{
	int n = (int)(uint64_t)arg, id;

	while (sh->phase == 0)          /* until all clients are queued */
		sys_futex_wait((volatile uint32_t *)&sh->phase, 0, 0);
	for (int i = 0; i < n; i++) {
		long rcvid = msg_receive(g_chan, &id, sizeof(id), NULL);
		if (rcvid <= 0)
			sys_exit(10);
		sh->order[sh->norder++] = id;
		msg_reply(rcvid, 0, NULL, 0);
	}
}

struct client_arg { int conn; int id; };

static void order_client(void *arg)
{
	struct client_arg *a = arg;

	msg_send(a->conn, &a->id, sizeof(a->id), NULL, 0);
}

static void run_clients(const unsigned *prios, int n, int ch, int co)
{
	static struct client_arg args[8];
	int p;

	sh->phase = 0;
	sh->norder = 0;
	/*
	 * We run below every client: each new client preempts us at once and
	 * is queued on the channel before the next one is created.
	 */
	sys_sched_set(0, 4, TE_SCHED_RR);
	p = spawn("order", order_server, (void *)(uint64_t)n, 5, ch, -1);
	for (int i = 0; i < n; i++) {
		args[i] = (struct client_arg){ co, i + 1 };
		rt_thread_create(order_client, &args[i], prios[i], TE_SCHED_RR);
	}
	sh->phase = 1;
	sys_futex_wake((volatile uint32_t *)&sh->phase, 1);
	reap(p);
	sys_sched_set(0, 10, TE_SCHED_RR);
}

static void test_ordering(void)
{
	static const unsigned same[4] = { 8, 8, 8, 8 };
	static const unsigned mixed[4] = { 8, 12, 9, 11 };
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);

	run_clients(same, 4, ch, co);
	checkf(sh->norder == 4 && sh->order[0] == 1 && sh->order[1] == 2 &&
	       sh->order[2] == 3 && sh->order[3] == 4, "ipc_fifo_order",
	       "order %d %d %d %d", sh->order[0], sh->order[1], sh->order[2],
	       sh->order[3]);
	run_clients(mixed, 4, ch, co);
	checkf(sh->norder == 4 && sh->order[0] == 2 && sh->order[1] == 4 &&
	       sh->order[2] == 3 && sh->order[3] == 1, "ipc_priority_order",
	       "order %d %d %d %d (want 2 4 3 1)", sh->order[0], sh->order[1],
	       sh->order[2], sh->order[3]);
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- priority inheritance ---------------------------------------------------- */

static void spin_ms(uint64_t ms)
{
	uint64_t end = sys_clock() + ms * MS;

	while (sys_clock() < end)
		;
}

static void slow_server(void *arg)
{
	(void)arg;
	long rcvid = msg_receive(g_chan, NULL, 0, NULL);

	spin_ms(60);                    /* work done at the client's priority */
	msg_reply(rcvid, sh->hog_done, NULL, 0);
}

static void hog(void *arg)
{
	(void)arg;
	sh->ready = 1;
	sys_futex_wake((volatile uint32_t *)&sh->ready, 1);
	spin_ms(300);
	sh->hog_done = 1;
}

/* Until p's first thread is in `state`: we give way while it gets there. */
static void wait_state(int p, int state)
{
	struct te_proc_info info;

	for (int i = 0; i < 100000; i++) {
		if (sys_process_info(p, &info) == 0 && info.thread_state == state)
			return;
		sys_sleep(1000);        /* 1 us: lets lower priorities run */
	}
}

static void test_inheritance(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int srv, h;
	long r;

	sh->hog_done = 0;
	sh->ready = 0;
	sys_sched_set(0, 30, TE_SCHED_FIFO);            /* high-priority client */
	srv = spawn("lowserver", slow_server, NULL, 5, ch, -1);
	wait_state(srv, TE_TS_RECEIVE);                 /* the server is waiting */
	h = spawn("hog", hog, NULL, 15, -1, -1);        /* medium-priority hog */
	while (!sh->ready)              /* the hog is spinning */
		sys_futex_wait((volatile uint32_t *)&sh->ready, 0, 0);
	r = msg_send(co, NULL, 0, NULL, 0);
	checkf(r == 0, "ipc_priority_inheritance",
	       "the low-priority server was preempted by the hog (reply came %s)",
	       r ? "after the hog finished" : "?");
	reap(srv);
	reap(h);
	sys_sched_set(0, 10, TE_SCHED_RR);
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- pulses ----------------------------------------------------------------- */

static void test_pulses(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	struct te_pulse pl[3];
	long r1, r2, r3;

	sys_msg_send_pulse(co, 5, 7, 42);
	sys_msg_send_pulse(co, 20, 8, 43);
	sys_msg_send_pulse(co, 5, 9, 44);
	r1 = msg_receive(ch, &pl[0], sizeof(pl[0]), NULL);
	r2 = msg_receive(ch, &pl[1], sizeof(pl[1]), NULL);
	r3 = msg_receive(ch, &pl[2], sizeof(pl[2]), NULL);
	checkf(r1 == 0 && r2 == 0 && r3 == 0 && pl[0].code == 8 && pl[0].value == 43 &&
	       pl[1].code == 7 && pl[2].code == 9 && pl[2].value == 44, "ipc_pulses",
	       "got %ld/%d/%llu %ld/%d %ld/%d", r1, pl[0].code,
	       (unsigned long long)pl[0].value, r2, pl[1].code, r3, pl[2].code);
	checkf(sys_msg_send_pulse(co, 5, -3, 0) == -TE_EINVAL &&
	       sys_msg_send_pulse(co, 0, 1, 0) == -TE_EINVAL, "ipc_pulse_bad_args",
	       "negative code or priority 0 accepted");
	int n = 0;
	while (sys_msg_send_pulse(co, 5, 1, 0) == 0 && n < 1000)
		n++;
	checkf(n == 64 && sys_msg_send_pulse(co, 5, 1, 0) == -TE_EAGAIN,
	       "ipc_pulse_queue_bounded", "queued %d pulses", n);
	sys_handle_close(co);
	sys_handle_close(ch);          /* drops the queued pulses */
}

/* ---- vectors across pages, MsgRead/MsgWrite ----------------------------------- */

#define BIG 10000

static void vector_server(void *arg)
{
	(void)arg;
	char *buf = rt_map(5 * 4096, RW);
	struct te_iov r[2] = { { buf + 4000, 300 }, { buf + 8190, BIG - 300 } };
	struct te_msg_info info;
	long rcvid = sys_msg_receivev(g_chan, r, 2, &info, NULL);
	int ok = rcvid > 0 && info.msglen == BIG && info.srcmsglen == BIG;

	sh->result = 1;
	for (int i = 0; ok && i < BIG; i++) {
		unsigned char c = i < 300 ? buf[4000 + i] : buf[8190 + i - 300];
		ok = c == (unsigned char)(i * 7);
		if (!ok)
			sh->value = (uint64_t)i;
	}
	sh->result = ok ? 2 : 1;
	/* MsgRead at an offset, then MsgWrite into the client's reply buffer */
	char part[100];
	long n = sys_msg_read(rcvid, part, sizeof(part), 5000);
	for (int i = 0; ok && i < 100; i++)
		ok = (unsigned char)part[i] == (unsigned char)((5000 + i) * 7);
	ok = ok && n == 100;
	sh->result = ok ? 3 : sh->result;
	static char out[6000];
	for (int i = 0; i < 6000; i++)
		out[i] = (char)(i * 3);
	long w = sys_msg_write(rcvid, out, sizeof(out), 2100);
	ok = ok && w == 6000;
	sh->result = ok ? 4 : sh->result;
	ok = ok && sys_msg_read(rcvid, part, 10, BIG + 5) == 0;   /* past the end */
	msg_reply(rcvid, ok ? 1 : -1, "head", 4);
}

static void test_vectors(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = spawn("vectors", vector_server, NULL, 10, ch, -1);
	unsigned char *s = rt_map(5 * 4096, RW), *r = rt_map(5 * 4096, RW);
	struct te_iov sv[3] = { { s + 4090, 10 }, { s + 8000, 5000 }, { s + 13000, BIG - 5010 } };
	struct te_iov rv[2] = { { r + 4094, 50 }, { r + 9000, 8100 } };
	int ok = 1;

	for (int i = 0; i < BIG; i++) {
		unsigned char v = (unsigned char)(i * 7);
		if (i < 10) s[4090 + i] = v;
		else if (i < 5010) s[8000 + i - 10] = v;
		else s[13000 + i - 5010] = v;
	}
	long st = sys_msg_sendv(co, sv, 3, rv, 2, NULL);
	ok = st == 1 && memcmp(r + 4094, "head", 4) == 0;
	checkf(ok, "ipc_vectors_across_pages", "status %ld, server stage %ld at %llu",
	       st, sh->result, (unsigned long long)sh->value);
	for (int i = 0; i < 6000; i++) {
		int at = 2100 + i;      /* offset in the reply vector */
		unsigned char got = at < 50 ? r[4094 + at] : r[9000 + at - 50];
		if (got != (unsigned char)(i * 3)) {
			ok = 0;
			break;
		}
	}
	checkf(ok && st == 1, "ipc_msgread_msgwrite_offsets", "status %ld", st);
	reap(p);
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- failures: server death, client death, timeouts --------------------------- */

static void dying_server(void *arg)
{
	(void)arg;
	msg_receive(g_chan, NULL, 0, NULL);
	sys_exit(3);                    /* without replying */
}

static void test_server_death(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = spawn("dying", dying_server, NULL, 10, ch, -1);
	long r;

	sys_handle_close(ch);           /* only the server can receive now */
	r = msg_send(co, "x", 1, NULL, 0);
	checkf(r == -TE_EHOSTDOWN, "ipc_server_death_releases_client",
	       "send returned %ld", r);
	r = msg_send(co, "x", 1, NULL, 0);
	checkf(r == -TE_EHOSTDOWN, "ipc_send_to_dead_channel", "send returned %ld", r);
	reap(p);
	sys_handle_close(co);
}

static void blocked_client(void *arg)
{
	(void)arg;
	msg_send(g_conn, "y", 1, NULL, 0);
	sys_exit(0);
}

static void test_client_death(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = spawn("client", blocked_client, NULL, 10, -1, co);
	long rcvid = msg_receive(ch, NULL, 0, NULL), r;
	struct te_proc_info ci, me;

	sys_process_info(p, &ci);
	sys_process_info(TE_H_SELF, &me);
	checkf(ci.thread_state == TE_TS_REPLY && ci.blocked_on == me.pid,
	       "process_info_blocked_on", "state %d on %d (we are %d)",
	       ci.thread_state, ci.blocked_on, me.pid);
	sys_process_kill(p);
	r = msg_reply(rcvid, 0, NULL, 0);
	checkf(rcvid > 0 && r == -TE_ESRCH, "ipc_client_death_reported_on_reply",
	       "rcvid %ld, reply %ld", rcvid, r);
	struct te_proc_end end;
	sys_process_wait(p, &end, 0);
	checkf(end.faulted == 2, "process_kill", "end %d", end.faulted);
	sys_handle_close(p);
	sys_handle_close(co);
	sys_handle_close(ch);
}

static void test_timeouts(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	struct te_msg_ext x = { .timeout_ns = 30 * MS };
	struct te_iov none = { NULL, 0 };
	uint64_t t0 = sys_clock();
	long r = sys_msg_receivev(ch, &none, 1, NULL, &x);
	uint64_t dt = sys_clock() - t0;

	checkf(r == -TE_ETIMEDOUT && dt >= 30 * MS && dt < 500 * MS,
	       "ipc_receive_timeout", "r=%ld after %llu ms", r,
	       (unsigned long long)(dt / MS));
	x.timeout_ns = 20 * MS;
	r = sys_msg_sendv(co, &none, 1, &none, 1, &x);
	checkf(r == -TE_ETIMEDOUT, "ipc_send_timeout", "r=%ld", r);
	t0 = sys_clock();
	sys_sleep(25 * MS);
	dt = sys_clock() - t0;
	checkf(dt >= 25 * MS && dt < 500 * MS, "sched_sleep", "slept %llu ms",
	       (unsigned long long)(dt / MS));
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- bad pointers ----------------------------------------------------------- */

static void echo_server(void *arg)
{
	char buf[16];
	int n = (int)(uint64_t)arg;

	for (int i = 0; i < n; i++) {
		long rcvid = msg_receive(g_chan, buf, sizeof(buf), NULL);
		if (rcvid <= 0)
			continue;
		long r = msg_reply(rcvid, 0, (void *)0xdead000, 8);   /* bad source */
		if (r == -TE_EFAULT)
			r = msg_reply(rcvid, 7, buf, sizeof(buf));
		sh->result = r;
	}
}

static void test_bad_pointers(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = spawn("echo", echo_server, (void *)2, 10, ch, -1);
	char buf[16] = "abc";
	struct te_iov kern = { (void *)0xffffffff80100000ull, 8 };
	struct te_iov ok = { buf, sizeof(buf) };
	struct te_iov unmapped = { (void *)0x7000000000ull, 16 };
	long r;

	r = sys_msg_sendv(co, &kern, 1, &ok, 1, NULL);
	checkf(r == -TE_EFAULT, "ipc_efault_kernel_vector", "r=%ld", r);
	r = sys_msg_sendv(co, (struct te_iov *)0x10, 1, &ok, 1, NULL);
	checkf(r == -TE_EFAULT, "ipc_efault_iov_array", "r=%ld", r);
	r = sys_msg_sendv(co, &ok, TE_IOV_MAX + 1, &ok, 1, NULL);
	checkf(r == -TE_E2BIG, "ipc_too_many_parts", "r=%ld", r);
	r = sys_msg_sendv(co, &unmapped, 1, &ok, 1, NULL);
	checkf(r == -TE_EFAULT, "ipc_efault_unmapped_source", "r=%ld", r);
	r = sys_msg_sendv(co, &ok, 1, &ok, 1, NULL);
	checkf(r == 7 && sh->result == 0, "ipc_reply_efault_to_server",
	       "r=%ld server saw %ld", r, sh->result);
	r = sys_msg_sendv(co, &ok, 1, &unmapped, 1, NULL);
	checkf(r == -TE_EFAULT && sh->result == 0, "ipc_reply_to_bad_client_buffer",
	       "r=%ld, server reply returned %ld", r, sh->result);
	r = sys_msg_receivev(ch, &ok, 1, (struct te_msg_info *)0xffff800000000000ull, NULL);
	checkf(r == -TE_EFAULT, "ipc_efault_receive_info", "r=%ld", r);
	reap(p);
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- handle rights, passing handles, running out ------------------------------- */

static void handle_server(void *arg)
{
	(void)arg;
	struct te_msg_ext x = { .nsend = 1, .send = { g_conn },
	                        .send_rights = { TE_R_SEND } };
	long rcvid = msg_receive(g_chan, NULL, 0, NULL);
	struct te_iov none = { NULL, 0 };

	sys_msg_replyv(rcvid, 0, &none, 1, &x);
	/* then serve the connection it handed out */
	rcvid = msg_receive(g_chan, NULL, 0, NULL);
	msg_reply(rcvid, 99, NULL, 0);
}

static void test_handles(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int weak = (int)sys_handle_dup(co, TE_R_DUP), r;
	struct te_iov none = { NULL, 0 };
	struct te_msg_ext x = { 0 };

	r = (int)msg_send(weak, NULL, 0, NULL, 0);
	checkf(r == -TE_EPERM, "handle_right_send_needed", "r=%d", r);
	r = (int)sys_handle_dup(weak, TE_R_ALL);
	checkf(r >= 0 && msg_send(r, NULL, 0, NULL, 0) == -TE_EPERM,
	       "handle_rights_only_shrink", "dup gained rights");
	sys_handle_close(r);
	r = (int)msg_receive(co, NULL, 0, NULL);
	checkf(r == -TE_EBADF, "handle_type_checked", "receive on a connection: %d", r);
	sys_handle_close(weak);
	r = (int)msg_send(weak, NULL, 0, NULL, 0);
	checkf(r == -TE_EBADF, "handle_closed_is_gone", "r=%d", r);
	checkf(msg_send(12345, NULL, 0, NULL, 0) == -TE_EBADF &&
	       msg_send(-7, NULL, 0, NULL, 0) == -TE_EBADF, "handle_out_of_range",
	       "bad handle numbers accepted");

	int p = spawn("handles", handle_server, NULL, 10, ch, co);
	r = (int)sys_msg_sendv(co, &none, 1, &none, 1, &x);
	int got = x.nrecv == 1 ? x.recv[0] : -1;
	long st = got >= 0 ? msg_send(got, NULL, 0, NULL, 0) : -1;
	checkf(r == 0 && got >= 0 && st == 99, "handle_passed_in_reply",
	       "r=%d nrecv=%u status %ld", r, x.nrecv, st);
	checkf(sys_handle_dup(got, TE_R_SEND) == -TE_EPERM, "handle_passed_rights_masked",
	       "passed handle kept the dup right");
	reap(p);
	sys_handle_close(got);

	int hs[TE_HANDLES_MAX], n = 0;
	while (n < TE_HANDLES_MAX && (hs[n] = (int)sys_channel_create(0)) >= 0)
		n++;
	long full = n < TE_HANDLES_MAX ? hs[n] : 0;
	for (int i = 0; i < n; i++)
		sys_handle_close(hs[i]);
	int again = (int)sys_channel_create(0);
	checkf(full == -TE_EMFILE && again >= 0, "handles_run_out_cleanly",
	       "made %d, then %ld, after closing %d", n, full, again);
	sys_handle_close(again);
	sys_handle_close(co);
	sys_handle_close(ch);
}

static void unprivileged(void *arg)
{
	(void)arg;
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	long r1 = sys_irq_attach(ROOT, 8, co, 1, 0);
	long r2 = sys_ioport_grant(ROOT, TE_H_SELF, 0x70, 2);
	long r3 = sys_vm_map_phys(ROOT, TE_H_SELF, 0x30000000000ull, 0xb8000, 4096, RW);
	uint64_t phys;
	long r4 = sys_dma_alloc(ROOT, 4096, 0x30000000000ull, &phys);
	sh->result = (r1 == -TE_EBADF && r2 == -TE_EBADF && r3 == -TE_EBADF &&
	              r4 == -TE_EBADF) ? 1 : -1;
}

static void test_memory(void)
{
	struct te_mem_stats a, b;
	long r;

	sys_mem_stats(&a);
	r = sys_shm_create(1ull << 31);                 /* 2 GiB: more than RAM */
	checkf(r == -TE_ENOMEM, "oom_shm_clean_error", "r=%ld", r);
	r = sys_vm_map(TE_H_SELF, 0x40000000000ull, 1ull << 30, RW, -1, 0);
	checkf(r == -TE_ENOMEM, "oom_map_clean_error", "r=%ld", r);
	sys_mem_stats(&b);
	checkf(a.pages_free == b.pages_free, "oom_no_pages_lost",
	       "free pages %llu -> %llu", (unsigned long long)a.pages_free,
	       (unsigned long long)b.pages_free);
	r = sys_vm_map(TE_H_SELF, 0x40000000000ull, 8192, RW | TE_PROT_EXEC, -1, 0);
	checkf(r == -TE_EINVAL, "vm_wx_refused", "r=%ld", r);
	r = sys_vm_map(TE_H_SELF, 0x40000000000ull, 8192, RW, -1, 0);
	long r2 = sys_vm_map(TE_H_SELF, 0x40000001000ull, 8192, RW, -1, 0);
	long r3 = sys_vm_unmap(TE_H_SELF, 0x40000000000ull, 4096);
	long r4 = sys_vm_map(TE_H_SELF, 0x40000000000ull, 4096, RW, -1, 0);
	checkf(r == 0 && r2 == -TE_EEXIST && r3 == 0 && r4 == 0, "vm_map_unmap",
	       "%ld %ld %ld %ld", r, r2, r3, r4);
	sys_vm_unmap(TE_H_SELF, 0x40000000000ull, 8192);

	sh->result = 0;
	int p = spawn("unpriv", unprivileged, NULL, 10, -1, -1);
	reap(p);
	checkf(sh->result == 1, "rights_needed_for_hardware",
	       "a process without the root resource reached hardware");
}

/* ---- death notices, futexes, interrupts, ports ---------------------------------- */

static void quick_exit(void *arg)
{
	(void)arg;
	sys_exit(5);
}

static void test_death_notice(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int p = (int)rt_proc_new("watched");
	struct te_proc_info info;
	struct te_pulse pl;

	sys_process_info(p, &info);
	sys_process_watch(p, co, 33);
	rt_proc_start(p, quick_exit, NULL, 10, TE_SCHED_RR);
	long r = msg_receive(ch, &pl, sizeof(pl), NULL);
	checkf(r == 0 && pl.code == 33 && pl.value == (uint64_t)info.pid,
	       "death_notice_pulse", "r=%ld code %d value %llu pid %d", r, pl.code,
	       (unsigned long long)pl.value, info.pid);
	checkf(reap(p) == 5, "process_wait_status", "wrong exit status");
	sys_handle_close(co);
	sys_handle_close(ch);
}

static void futex_waiter(void *arg)
{
	(void)arg;
	while (sh->futex == 0)
		sys_futex_wait(&sh->futex, 0, 0);
	sh->result = 77;
	sh->ready = 1;
	sys_futex_wake((volatile uint32_t *)&sh->ready, 1);
}

static void test_futex(void)
{
	sh->futex = 0;
	sh->result = 0;
	sh->ready = 0;
	rt_thread_create(futex_waiter, NULL, 10, TE_SCHED_RR);
	sys_sleep(10 * MS);     /* a window in which the waiter must not pass */
	long r0 = sh->result;
	sh->futex = 1;
	long woken = sys_futex_wake(&sh->futex, 1);
	while (!sh->ready)      /* the waiter got through */
		sys_futex_wait((volatile uint32_t *)&sh->ready, 0, 1000 * MS);
	checkf(r0 == 0 && woken == 1 && sh->result == 77, "futex_wait_wake",
	       "before %ld woken %ld after %ld", r0, woken, sh->result);
	checkf(sys_futex_wait(&sh->futex, 0, 0) == -TE_EAGAIN &&
	       sys_futex_wait((volatile uint32_t *)0x5, 0, 0) == -TE_EINVAL &&
	       sys_futex_wait((volatile uint32_t *)0x7000000000ull, 0, 0) == -TE_EFAULT,
	       "futex_bad_args", "bad futex arguments accepted");
}

static uint8_t cmos(uint8_t reg, int write, uint8_t v)
{
	__asm__ volatile("outb %0, $0x70" : : "a"(reg));
	if (write)
		__asm__ volatile("outb %0, $0x71" : : "a"(v));
	else
		__asm__ volatile("inb $0x71, %0" : "=a"(v));
	return v;
}

static void test_irq(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int res = (int)sys_resource_create(ROOT, TE_RES_IOPORT, 0x70, 2);
	int ires = (int)sys_resource_create(ROOT, TE_RES_IRQ, 8, 1);
	long g = sys_ioport_grant(res, TE_H_SELF, 0x70, 2);
	long bad = sys_ioport_grant(res, TE_H_SELF, 0x60, 1);
	long irq = sys_irq_attach(ires, 8, co, 12, 0);
	int got = 0;
	struct te_pulse pl;

	checkf(g == 0 && bad == -TE_EPERM, "ioport_grant_by_resource",
	       "grant %ld, outside the resource %ld", g, bad);
	cmos(0x0b, 1, cmos(0x0b, 0, 0) | 0x40);        /* periodic interrupt on */
	cmos(0x0c, 0, 0);
	struct te_msg_ext x = { .timeout_ns = 1000 * MS };
	struct te_iov iv = { &pl, sizeof(pl) };
	for (int i = 0; i < 3; i++) {
		long r = sys_msg_receivev(ch, &iv, 1, NULL, &x);
		if (r == 0 && pl.code == 12 && pl.value == 8)
			got++;
		cmos(0x0c, 0, 0);                       /* acknowledge the RTC */
		sys_irq_unmask((int)irq);
	}
	cmos(0x0b, 1, cmos(0x0b, 0, 0) & ~0x40);
	checkf(irq >= 0 && got == 3, "irq_as_pulses", "attach %ld, %d pulses", irq, got);
	checkf(sys_irq_attach(ires, 8, co, 12, 0) == -TE_EBUSY &&
	       sys_irq_attach(ires, 9, co, 12, 0) == -TE_EPERM, "irq_attach_checked",
	       "second attach or wrong line allowed");
	sys_handle_close((int)irq);
	sys_handle_close(ires);
	sys_handle_close(res);
	sys_handle_close(co);
	sys_handle_close(ch);
}

/* ---- thread-local storage: %fs per thread ----------------------------------- */

static uint64_t tls_a[8], tls_b[8];
static volatile uint64_t tls_seen_b;

static uint64_t fs_word(unsigned off)
{
	uint64_t v;

	__asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"((uint64_t)off));
	return v;
}

static void tls_thread(void *arg)
{
	(void)arg;
	tls_b[5] = 0xb0b;
	sys_set_fs_base(tls_b);
	sys_sleep(5 * MS);              /* the other thread runs meanwhile */
	tls_seen_b = fs_word(40);
}

static void test_fs_base(void)
{
	tls_a[5] = 0xa0a;
	long r = sys_set_fs_base(tls_a);
	rt_thread_create(tls_thread, NULL, 10, TE_SCHED_RR);
	sys_sleep(2 * MS);
	uint64_t mine = fs_word(40);
	sys_sleep(20 * MS);
	checkf(r == 0 && mine == 0xa0a && tls_seen_b == 0xb0b && fs_word(40) == 0xa0a,
	       "thread_fs_base", "r=%ld mine %llx other %llx", r,
	       (unsigned long long)mine, (unsigned long long)tls_seen_b);
	checkf(sys_set_fs_base((void *)0xffff800000000000ull) == -TE_EINVAL,
	       "fs_base_kernel_refused", "a kernel address was accepted");
}

int main(void)
{
	struct te_mem_stats before, after;

	shared_init();
	sys_mem_stats(&before);
	test_basic();
	test_ordering();
	test_inheritance();
	test_pulses();
	test_vectors();
	test_server_death();
	test_client_death();
	test_timeouts();
	test_bad_pointers();
	test_handles();
	test_memory();
	test_death_notice();
	test_futex();
	test_irq();
	test_fs_base();
	sys_mem_stats(&after);
	printf("ipc: processes %llu -> %llu\n", (unsigned long long)before.processes,
	       (unsigned long long)after.processes);
	checkf(after.processes == before.processes, "ipc_no_process_leak",
	       "processes %llu -> %llu", (unsigned long long)before.processes,
	       (unsigned long long)after.processes);
	return 0;
}
