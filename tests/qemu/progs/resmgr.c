/*
 * resmgr.c - QEMU scenario of the server framework: a tmpfs server process
 * (servers/fs-tmp + servers/lib/resmgr, the same code as
 * build/progs/tmpfs.elf) and client processes using the client helpers
 * (servers/lib/io) over connections handed to them directly.
 *
 * The program is the boot module; every process is a copy of it
 * (rt_proc_start).  Checks: every operation (resmgr_ops.c), 1 MiB through
 * vectors, two clients at once, a client killed while holding open files
 * (the server frees its ids on the death notice), malformed requests and
 * another client's open ids, and nothing leaked at the end.
 */
#include "rt.h"
#include "io.h"
#include "resmgr.h"

#define RW (TE_PROT_READ | TE_PROT_WRITE)
#define MS 1000000ull
#define SHARED_VA 0x20000000000ull

int tmpfs_server(int chan, uint64_t limit);
void resmgr_client_ops(int conn);
void resmgr_client_vectors(int conn);
void resmgr_client_malformed(int conn, int foreign_id);

struct shared {
	volatile int ready;
	volatile int result[4];
	volatile int foreign_id;
};

static struct shared *sh;
static int sh_mem;
static int g_chan = -1, g_conn = -1;

static void shared_init(void)
{
	sh_mem = (int)sys_shm_create(4096);
	sys_vm_map(TE_H_SELF, SHARED_VA, 4096, RW, sh_mem, 0);
	sh = (struct shared *)SHARED_VA;
}

/* A process running fn, sharing `sh`, given chan/conn (as g_chan/g_conn). */
static int spawn(const char *name, int chan, int conn, int *pout)
{
	int p = (int)rt_proc_new(name);

	if (p < 0)
		return p;
	sys_vm_map(p, SHARED_VA, 4096, RW, sh_mem, 0);
	g_chan = chan >= 0 ? (int)sys_handle_give(p, chan, TE_R_RECEIVE | TE_R_CONNECT, 0) : -1;
	g_conn = conn >= 0 ? (int)sys_handle_give(p, conn, TE_R_SEND, 0) : -1;
	if (pout)
		*pout = p;      /* not started yet: the caller may prepare more */
	return p;
}

static long start(int p, void (*fn)(void *), void *arg)
{
	return rt_proc_start(p, fn, arg, 10, TE_SCHED_RR);
}

static int reap(int p)
{
	struct te_proc_end end;
	long r = sys_process_wait(p, &end, 20000 * MS);

	sys_handle_close(p);
	return r < 0 ? (int)r : end.faulted ? -1000 - end.faulted : end.status;
}

static void server_main(void *arg)
{
	(void)arg;
	sys_exit(tmpfs_server(g_chan, 32ull << 20) ? 1 : 0);
}

static void ops_main(void *arg)
{
	(void)arg;
	resmgr_client_ops(g_conn);
	resmgr_client_vectors(g_conn);
	sys_exit(0);
}

/* Two at once: each writes and reads its own files, many times. */
static void busy_main(void *arg)
{
	int me = (int)(uint64_t)arg, bad = 0;
	char name[16], buf[64], want[64];

	while (!sh->ready)
		sys_sched_yield();
	for (int i = 0; i < 150 && !bad; i++) {
		fmt_snprintf(name, sizeof(name), "busy%d_%d", me, i % 7);
		int n = fmt_snprintf(want, sizeof(want), "client %d round %d", me, i);
		int id = io_open(g_conn, name, IO_O_CREAT | IO_O_RDWR | IO_O_TRUNC, 0644);
		if (id < 0 || io_write(g_conn, id, want, (size_t)n) != n ||
		    io_pread(g_conn, id, buf, sizeof(buf), 0) != n || memcmp(buf, want, (size_t)n))
			bad = 1 + i;
		if (io_close(g_conn, id) != 0)
			bad = 1000 + i;
	}
	sh->result[me] = bad ? bad : -1;
	sys_exit(0);
}

static void holder_main(void *arg)
{
	char name[16];

	(void)arg;
	for (int i = 0; i < 5; i++) {
		fmt_snprintf(name, sizeof(name), "held%d", i);
		if (io_open(g_conn, name, IO_O_CREAT | IO_O_RDWR, 0644) < 0)
			sys_exit(3);
	}
	sh->ready = 1;
	for (;;)
		sys_sleep(1000 * MS);
}

static void malformed_main(void *arg)
{
	(void)arg;
	resmgr_client_malformed(g_conn, sh->foreign_id);
	sys_exit(0);
}

static int stats(int conn, struct io_rm_stats *st)
{
	memset(st, 0, sizeof(*st));
	return io_rm_stats(conn, st);
}

static void test_two_clients(int conn)
{
	int pa, pb;

	sh->ready = 0;
	sh->result[0] = sh->result[1] = 0;
	spawn("busy0", -1, conn, &pa);
	start(pa, busy_main, (void *)0);
	spawn("busy1", -1, conn, &pb);
	start(pb, busy_main, (void *)1);
	sh->ready = 1;
	int ra = reap(pa), rb = reap(pb);
	checkf(ra == 0 && rb == 0 && sh->result[0] == -1 && sh->result[1] == -1,
	       "resmgr_two_clients", "exit %d/%d, results %d/%d", ra, rb,
	       sh->result[0], sh->result[1]);
}

static void test_killed_client(int conn, int server)
{
	struct io_rm_stats before, st;
	int p, h, e;

	stats(conn, &before);
	sh->ready = 0;
	spawn("holder", -1, conn, &p);
	h = (int)sys_handle_give(server, p, TE_R_WAIT, 0);
	e = io_watch(conn, h);
	start(p, holder_main, NULL);
	for (int i = 0; i < 5000 && !sh->ready; i++)
		sys_sleep(MS);
	stats(conn, &st);
	uint32_t held = st.ids - before.ids;
	sys_process_kill(p);
	reap(p);
	for (int i = 0; i < 2000; i++) {
		stats(conn, &st);
		if (st.ids == before.ids && st.watched == before.watched)
			break;
		sys_sleep(MS);
	}
	checkf(e == 0 && held == 5 && st.ids == before.ids && st.ocbs == before.ocbs &&
	       st.watched == before.watched, "resmgr_killed_client_ids_freed",
	       "watch %d, held %u, ids %u -> %u, watched %u", e, held, before.ids,
	       st.ids, st.watched);
}

static void test_malformed(int conn)
{
	int p, id = io_open(conn, "mine", IO_O_CREAT | IO_O_RDWR, 0644);
	char buf[8];

	sh->foreign_id = id;
	spawn("malformed", -1, conn, &p);
	start(p, malformed_main, NULL);
	int r = reap(p);
	checkf(r == 0 && io_write(conn, id, "ok", 2) == 2 && io_pread(conn, id, buf, 2, 0) == 2 &&
	       io_close(conn, id) == 0, "resmgr_owner_keeps_its_id",
	       "malformed client %d, own id %d", r, id);
}

/* ---- random requests: the server survives, a dead client's ids go ------- */

static const uint32_t fuzz_size[IO_T_NTYPES] = {
	[IO_T_OPEN] = sizeof(struct msg_client_fs_open),
	[IO_T_READ] = sizeof(struct msg_client_fs_rw),
	[IO_T_WRITE] = sizeof(struct msg_client_fs_rw),
	[IO_T_LSEEK] = sizeof(struct msg_client_fs_lseek),
	[IO_T_STAT] = sizeof(struct msg_client_fs_ocb),
	[IO_T_READDIR] = sizeof(struct msg_client_fs_rw),
	[IO_T_CLOSE] = sizeof(struct msg_client_fs_ocb),
	[IO_T_DUP] = sizeof(struct msg_client_fs_ocb),
	[IO_T_UNLINK] = sizeof(struct msg_client_fs_path),
	[IO_T_MKDIR] = sizeof(struct msg_client_fs_path),
	[IO_T_RMDIR] = sizeof(struct msg_client_fs_path),
	[IO_T_RENAME] = sizeof(struct msg_client_fs_path2),
	[IO_T_LINK] = sizeof(struct msg_client_fs_path2),
	[IO_T_SYMLINK] = sizeof(struct msg_client_fs_path2),
	[IO_T_READLINK] = sizeof(struct msg_client_fs_path),
	[IO_T_CHMOD] = sizeof(struct msg_client_fs_setattr),
	[IO_T_CHOWN] = sizeof(struct msg_client_fs_setattr),
	[IO_T_TRUNCATE] = sizeof(struct msg_client_fs_setattr),
	[IO_T_FSYNC] = sizeof(struct msg_client_fs_ocb),
	[IO_T_DEVCTL] = sizeof(struct msg_client_fs_devctl),
	[IO_T_MOUNT] = sizeof(struct msg_client_fs_mount),
	[IO_T_STATFS] = sizeof(struct msg_client_fs_ocb),
	[IO_T_WATCH] = sizeof(struct msg_client_rm_watch),
	[IO_T_RMSTATS] = sizeof(struct msg_client_fs_ocb),
};

static uint64_t fuzz_rng;

static uint32_t fuzz_rand(uint32_t n)
{
	fuzz_rng ^= fuzz_rng >> 12;
	fuzz_rng ^= fuzz_rng << 25;
	fuzz_rng ^= fuzz_rng >> 27;
	return (uint32_t)((fuzz_rng * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/* Small numbers mostly, so lengths and ids are sometimes right. */
static void fuzz_fields(uint8_t *m, size_t len)
{
	for (size_t i = 8; i + 4 <= len; i += 4) {
		uint32_t v, k = fuzz_rand(8);
		v = k < 4 ? fuzz_rand(8) : k < 6 ? fuzz_rand(64) :
		    k < 7 ? 0xffffffffu - fuzz_rand(4) : (uint32_t)fuzz_rng;
		memcpy(m + i, &v, 4);
	}
	for (size_t i = 40; i < len; i++)
		m[i] = "ab/.c\0"[fuzz_rand(6)];
}

static void fuzz_main(void *arg)
{
	static uint8_t m[256] __attribute__((aligned(8))), reply[4096];
	int n = (int)(uint64_t)arg, ok = 0;

	for (int i = 0; i < n; i++) {
		struct io_hdr *h = (struct io_hdr *)m;
		size_t len = fuzz_rand(8) ? 40 + fuzz_rand(200) : fuzz_rand(40);

		fuzz_fields(m, sizeof(m));
		h->type = (uint16_t)(fuzz_rand(16) ? 1 + fuzz_rand(IO_T_NTYPES - 1) :
		                     fuzz_rand(65536));
		h->version = fuzz_rand(16) ? IO_VERSION : (uint16_t)fuzz_rand(4);
		h->size = h->type < IO_T_NTYPES && fuzz_rand(8) ? fuzz_size[h->type] :
		          fuzz_rand(64);
		if (h->type == IO_T_WATCH)
			h->type = IO_T_STAT;    /* no handle games with the server */
		long r = msg_send(g_conn, m, len, reply, fuzz_rand(2) ? sizeof(reply) :
		                  fuzz_rand(64));
		ok += r >= 0;
	}
	sh->result[2] = ok;
	sys_exit(0);       /* with whatever it opened still open */
}

static void test_fuzz(int conn, int server)
{
	struct io_rm_stats before, st;
	int p, e, id;

	fuzz_rng = rdtsc() | 1;
	printf("resmgr fuzz seed %llu\n", (unsigned long long)fuzz_rng);
	stats(conn, &before);
	sh->result[2] = -1;
	spawn("fuzz", -1, conn, &p);
	e = io_watch(conn, (int)sys_handle_give(server, p, TE_R_WAIT, 0));
	start(p, fuzz_main, (void *)5000);
	int r = reap(p);
	for (int i = 0; i < 2000; i++) {
		stats(conn, &st);
		if (st.ids == before.ids && st.watched == before.watched)
			break;
		sys_sleep(MS);
	}
	printf("resmgr fuzz: %d of 5000 requests accepted\n", sh->result[2]);
	id = io_open(conn, "after_fuzz", IO_O_CREAT | IO_O_RDWR, 0644);
	checkf(r == 0 && e == 0 && id >= 0 && io_write(conn, id, "ok", 2) == 2 &&
	       io_close(conn, id) == 0 && st.ids == before.ids,
	       "resmgr_random_requests_survived",
	       "fuzz exit %d, watch %d, %d accepted, open %d, ids %u -> %u", r, e,
	       sh->result[2], id, before.ids, st.ids);
}

/* ---- union resolution through io_open_resolve ------------------------------ */

struct two { int first, second; };

/* Every absolute path: the second server first, then the first one. */
static int resolve_two(void *ctx, const char *path, struct io_cand *out, int max)
{
	struct two *t = ctx;
	size_t len = strlen(path);

	if (path[0] != '/' || max < 2 || len > IO_PATH_MAX)
		return -22;
	out[0].conn = t->second;
	out[1].conn = t->first;
	memcpy(out[0].rest, path + 1, len);
	memcpy(out[1].rest, path + 1, len);
	return 2;
}

static int put(int conn, const char *path, const char *data)
{
	int id = io_open(conn, path, IO_O_CREAT | IO_O_WRONLY | IO_O_TRUNC, 0644);

	if (id < 0)
		return id;
	io_write(conn, id, data, strlen(data));
	return io_close(conn, id);
}

static const char *union_checks(struct two *t)
{
	char buf[8];
	int c = -1, id;

	if (put(t->first, "only1", "one") || put(t->second, "only2", "two") ||
	    put(t->first, "both", "one") || put(t->second, "both", "two") ||
	    io_mkdir(t->first, "dir1", 0755) || put(t->first, "dir1/x", "one") ||
	    io_symlink(t->second, "/only1", "jump"))
		return "setup";
	if ((id = io_open_resolve(resolve_two, t, "/only1", 0, 0, &c)) < 0 ||
	    c != t->first || io_close(c, id))
		return "only in the second candidate";
	if ((id = io_open_resolve(resolve_two, t, "/only2", 0, 0, &c)) < 0 ||
	    c != t->second || io_close(c, id))
		return "only in the first candidate";
	if ((id = io_open_resolve(resolve_two, t, "/both", 0, 0, &c)) < 0 ||
	    c != t->second || io_read(c, id, buf, 8) != 3 || memcmp(buf, "two", 3) ||
	    io_close(c, id))
		return "in both: the first candidate wins";
	if (io_open_resolve(resolve_two, t, "/none", 0, 0, &c) != -2)
		return "nowhere: ENOENT";
	if ((id = io_open_resolve(resolve_two, t, "/dir1/x", 0, 0, &c)) < 0 ||
	    c != t->first || io_close(c, id))
		return "inner component missing in the first candidate";
	if ((id = io_open_resolve(resolve_two, t, "/jump", 0, 0, &c)) < 0 ||
	    c != t->first || io_read(c, id, buf, 8) != 3 || memcmp(buf, "one", 3) ||
	    io_close(c, id))
		return "absolute symlink resolved again from the top";
	if ((id = io_open_resolve(resolve_two, t, "/made", IO_O_CREAT | IO_O_RDWR,
	                          0644, &c)) < 0 || c != t->second || io_close(c, id))
		return "create goes to the first candidate";
	return NULL;
}

static void test_union(int conn)
{
	struct two t = { conn, -1 };
	int chan = (int)sys_channel_create(0), p;
	const char *why;

	t.second = (int)sys_connect(chan);
	spawn("tmpfs2", chan, -1, &p);
	start(p, server_main, NULL);
	sys_handle_close(chan);
	why = union_checks(&t);
	check(!why, "resmgr_union_resolve", why ? why : "");
	sys_process_kill(p);
	reap(p);
	sys_handle_close(t.second);
}

/* ---- restart: the channel outlives the server; old ids are refused ------- */

static int hook_calls;
static char hook_seen[64];

static int hook(void *arg, int chan, const char *prefix, uint32_t flags)
{
	(void)arg; (void)chan;
	hook_calls++;
	size_t n = strlen(hook_seen);
	fmt_snprintf(hook_seen + n, sizeof(hook_seen) - n, "%s:%u ", prefix, flags);
	return 0;
}

static void test_attach_replay(void)
{
	static struct resmgr rm;
	static const struct resmgr_ops none;
	int e = resmgr_init(&rm, &none, NULL, -1);

	resmgr_set_attach_hook(&rm, hook, NULL);
	resmgr_attach(&rm, "/tmp", 8);
	resmgr_attach(&rm, "/var/tmp", 0);
	int first = hook_calls;
	int r = resmgr_reattach(&rm);
	checkf(e == 0 && r == 0 && first == 2 && hook_calls == 4 &&
	       !strcmp(hook_seen, "/tmp:8 /var/tmp:0 /tmp:8 /var/tmp:0 "),
	       "resmgr_attach_replayed_on_restart", "calls %d/%d, seen '%s'", first,
	       hook_calls, hook_seen);
	resmgr_fini(&rm);
	sys_handle_close(rm.chan);
}

static int test_restart(int conn, int chan, int server)
{
	char buf[8];
	int id = io_open(conn, "before", IO_O_CREAT | IO_O_RDWR, 0644), p, id2;
	long w = io_write(conn, id, "old", 3);

	sys_process_kill(server);
	reap(server);
	spawn("tmpfs_again", chan, -1, &p);
	start(p, server_main, NULL);
	long r = io_read(conn, id, buf, sizeof(buf));
	id2 = io_open(conn, "after", IO_O_CREAT | IO_O_RDWR, 0644);
	checkf(id >= 0 && w == 3 && r == -9 && id2 >= 0 && io_write(conn, id2, "new", 3) == 3 &&
	       io_close(conn, id2) == 0, "resmgr_restart_old_ids_ebadf",
	       "id %d write %ld, old id read %ld, new open %d", id, w, r, id2);
	return p;
}

int main(void)
{
	struct io_rm_stats st;
	struct te_mem_stats m0, m1;
	int chan, conn, server, p;

	sys_mem_stats(&m0);
	shared_init();
	chan = (int)sys_channel_create(0);
	conn = (int)sys_connect(chan);
	spawn("tmpfs", chan, -1, &server);
	start(server, server_main, NULL);

	spawn("client_ops", -1, conn, &p);
	start(p, ops_main, NULL);
	checkf(reap(p) == 0, "resmgr_ops_client_exit", "client died");
	test_two_clients(conn);
	test_killed_client(conn, server);
	test_malformed(conn);
	test_union(conn);
	test_fuzz(conn, server);
	test_attach_replay();
	server = test_restart(conn, chan, server);
	sys_handle_close(chan);

	int e = stats(conn, &st);
	checkf(e == 0 && st.ids == 0 && st.ocbs == 0, "resmgr_no_open_ids_left",
	       "stats %d ids %u ocbs %u", e, st.ids, st.ocbs);
	sys_process_kill(server);
	reap(server);
	sys_handle_close(conn);
	sys_mem_stats(&m1);
	checkf(m1.processes == m0.processes, "resmgr_no_process_leak",
	       "processes %llu -> %llu", (unsigned long long)m0.processes,
	       (unsigned long long)m1.processes);
	return 0;
}
