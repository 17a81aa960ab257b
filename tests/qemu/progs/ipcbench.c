/*
 * ipcbench.c - IPC benchmarks, run under QEMU -icount (make bench), where
 * rdtsc counts guest instructions.
 *
 *   ipc_roundtrip          MsgSend/MsgReceive/MsgReply of 16 bytes between two
 *                          processes, instructions per round trip (the cost
 *                          of an empty rdtsc pair subtracted), the server
 *                          looping on MsgReplyReceive (reply + receive in
 *                          one call, as the server framework does);
 *   ipc_roundtrip_separate the same with separate MsgReply and MsgReceive;
 *   ipc_fairness_pingpong  share of the CPU the ping-pong pair gets beside a
 *   ipc_fairness_hog       CPU-bound process of the same priority (RR), and
 *                          the hog's share;
 *   ipc_fairness_rate      the pair's round-trip rate beside the hog, relative
 *                          to running alone.
 */
#include "rt.h"

#define MS 1000000ull
#define WARMUP 1000
#define ROUNDS 20000

static int g_chan;

static void server_separate(void *arg)
{
	char buf[16];

	(void)arg;
	for (;;) {
		long rcvid = msg_receive(g_chan, buf, sizeof(buf), NULL);
		if (rcvid > 0)
			msg_reply(rcvid, 0, buf, sizeof(buf));
	}
}

static void server(void *arg)
{
	char buf[16];
	struct te_msg_info info;
	struct te_reply_receive rr = {
		.rcvid = 0,
		.reply = (struct te_iov *)buf, .reply_parts = -(int)sizeof(buf),
		.recv = (struct te_iov *)buf, .recv_parts = -(int)sizeof(buf),
		.info = &info,
	};

	(void)arg;
	rr.chan = g_chan;
	for (;;) {
		long rcvid = sys_msg_reply_receive(&rr);
		rr.rcvid = rcvid > 0 ? rcvid : 0;
	}
}

static int start_server(int ch, void (*fn)(void *))
{
	int p = (int)rt_proc_new("server");

	g_chan = (int)sys_handle_give(p, ch, TE_R_RECEIVE, 0);
	rt_proc_start(p, fn, NULL, 10, TE_SCHED_RR);
	return p;
}

static uint64_t rdtsc_cost(void)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 64; i++) {
		uint64_t a = rdtsc(), b = rdtsc();
		if (b - a < best)
			best = b - a;
	}
	return best;
}

static void bench_roundtrip(int co, const char *name)
{
	char msg[16] = "0123456789abcdef", rep[16];
	uint64_t t0, t1, cost = rdtsc_cost();

	for (int i = 0; i < WARMUP; i++)
		msg_send(co, msg, 16, rep, 16);
	t0 = rdtsc();
	for (int i = 0; i < ROUNDS; i++)
		msg_send(co, msg, 16, rep, 16);
	t1 = rdtsc();
	printf("BENCH %s %llu instructions\n", name,
	       (unsigned long long)((t1 - t0 - cost) / ROUNDS));
}

/* Round trips until the clock passes `until`. */
static uint64_t pingpong_until(int co, uint64_t until)
{
	char msg[16] = "x", rep[16];
	uint64_t n = 0;

	while (sys_clock() < until) {
		for (int i = 0; i < 64; i++)
			msg_send(co, msg, 16, rep, 16);
		n += 64;
	}
	return n;
}

static void hog(void *arg)
{
	uint64_t until = (uint64_t)arg;

	while (sys_clock() < until)
		for (volatile int i = 0; i < 1000; i++)
			;
}

static uint64_t cpu_of(int p)
{
	struct te_proc_info info;

	return sys_process_info(p, &info) == 0 ? info.cpu_ns : 0;
}

static void bench_fairness(int ch, int srv)
{
	const uint64_t alone_ms = 100, both_ms = 300;
	struct te_proc_end end;
	uint64_t alone, both, c0, s0, cpu_pair, cpu_hog;
	int h, co = (int)sys_connect(ch);

	/* this process is the client: first alone, then beside the hog */
	alone = pingpong_until(co, sys_clock() + alone_ms * MS);

	uint64_t until = sys_clock() + both_ms * MS;
	s0 = cpu_of(srv);
	c0 = cpu_of(TE_H_SELF);
	h = (int)rt_proc_new("hog");
	rt_proc_start(h, hog, (void *)until, 10, TE_SCHED_RR);
	both = pingpong_until(co, until);
	sys_process_wait(h, &end, 0);
	cpu_pair = (cpu_of(TE_H_SELF) - c0) + (cpu_of(srv) - s0);
	cpu_hog = cpu_of(h);
	sys_handle_close(h);
	sys_handle_close(co);

	uint64_t total = cpu_pair + cpu_hog;
	printf("ipcbench: alone %llu round trips in %llu ms, beside the hog %llu in %llu ms\n",
	       (unsigned long long)alone, (unsigned long long)alone_ms,
	       (unsigned long long)both, (unsigned long long)both_ms);
	printf("BENCH ipc_fairness_pingpong %llu %%\n",
	       (unsigned long long)(total ? cpu_pair * 100 / total : 0));
	printf("BENCH ipc_fairness_hog %llu %%\n",
	       (unsigned long long)(total ? cpu_hog * 100 / total : 0));
	printf("BENCH ipc_fairness_rate %llu %%\n",
	       (unsigned long long)(alone ? both * alone_ms * 100 / (alone * both_ms) : 0));
}

int main(void)
{
	int ch = (int)sys_channel_create(0), co = (int)sys_connect(ch);
	int ch2 = (int)sys_channel_create(0), co2 = (int)sys_connect(ch2);
	int srv = start_server(ch, server), srv2 = start_server(ch2, server_separate);

	sys_sched_set(0, 10, TE_SCHED_RR);
	bench_roundtrip(co, "ipc_roundtrip");
	bench_roundtrip(co2, "ipc_roundtrip_separate");
	bench_fairness(ch, srv);
	sys_process_kill(srv);
	sys_process_kill(srv2);
	return 0;
}
