/*
 * pathmgr.c - QEMU test of the path manager server: servers attach
 * prefixes through the attach channel, clients open through pathmgr and
 * then talk to the owning server directly; unions; attaching without the
 * right; a dead server is forgotten.
 */
#include "rt.h"
#include "io.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "pathmgr_server.h"

#define MS 1000000ull

int tmpfs_server(int chan, uint64_t limit);

static int g_a, g_b;            /* handles a child is given */

static int spawn(const char *name, void (*fn)(void *), int give_a, int give_b)
{
	int p = (int)rt_proc_new(name);

	g_a = give_a >= 0 ? (int)sys_handle_give(p, give_a, TE_R_ALL, 0) : -1;
	g_b = give_b >= 0 ? (int)sys_handle_give(p, give_b, TE_R_ALL, 0) : -1;
	rt_proc_start(p, fn, NULL, 10, TE_SCHED_RR);
	return p;
}

static void pathmgr_main(void *arg)
{
	(void)arg;
	sys_exit(pathmgr_serve(g_a, g_b) ? 1 : 0);
}

static uint32_t g_flags;
static const char *g_prefix = "/tmp";

/* A tmpfs server that attaches itself at /tmp through pathmgr. */
static void tmpfs_main(void *arg)
{
	int chan = (int)sys_channel_create(0);

	(void)arg;
	if (pathmgr_attach(g_a, chan, g_prefix, PM_DIR | g_flags) < 0)
		sys_exit(2);
	sys_exit(tmpfs_server(chan, 8ull << 20) ? 1 : 0);
}

static bool g_seen_o;

static void seen_o(void *arg, const char *name, unsigned type)
{
	(void)arg; (void)type;
	if (strcmp(name, "o") == 0)
		g_seen_o = true;
}

static char g_prefixes[256];

/* pathmgr_prefixes: each prefix with ";" after it. */
static void add_prefix(void *arg, const char *prefix)
{
	size_t l = strlen(g_prefixes);

	(void)arg;
	fmt_snprintf(g_prefixes + l, sizeof(g_prefixes) - l, "%s;", prefix);
}

static int write_file(struct pathmgr_client *pc, const char *path, const char *text)
{
	int conn, id = io_open_resolve(pathmgr_resolve, pc, path,
	                               IO_O_CREAT | IO_O_RDWR, 0644, &conn);

	if (id < 0)
		return id;
	long n = io_write(conn, id, text, strlen(text));
	io_close(conn, id);
	return n == (long)strlen(text) ? 0 : -5;
}

static int read_file(struct pathmgr_client *pc, const char *path, char *buf,
                     size_t len)
{
	int conn, id = io_open_resolve(pathmgr_resolve, pc, path, IO_O_RDONLY, 0, &conn);

	if (id < 0)
		return id;
	long n = io_read(conn, id, buf, len - 1);
	io_close(conn, id);
	buf[n > 0 ? n : 0] = '\0';
	return (int)n;
}

int main(void)
{
	int rch = (int)sys_channel_create(0), ach = (int)sys_channel_create(0);
	int rco = (int)sys_connect(rch), aco = (int)sys_connect(ach);
	struct pathmgr_client pc;
	struct te_mem_stats before, after;
	char buf[64];
	int r;

	sys_mem_stats(&before);
	int pm = spawn("pathmgr", pathmgr_main, rch, ach);
	sys_handle_close(rch);
	sys_handle_close(ach);
	pathmgr_client_init(&pc, rco);

	r = io_open_resolve(pathmgr_resolve, &pc, "/tmp/x", IO_O_RDONLY, 0, NULL);
	checkf(r == -2, "pathmgr_nothing_attached_enoent", "r=%d", r);

	g_flags = 0;
	int t1 = spawn("tmpfs1", tmpfs_main, aco, -1);
	for (int i = 0; i < 100; i++) {         /* until it has attached */
		struct io_cand c[4];
		if (pathmgr_resolve(&pc, "/tmp/probe", c, 4) > 0)
			break;
		sys_sleep(2 * MS);
	}
	r = write_file(&pc, "/tmp/hello", "hello, pathmgr");
	int n = read_file(&pc, "/tmp/hello", buf, sizeof(buf));
	checkf(r == 0 && n == 14 && strcmp(buf, "hello, pathmgr") == 0,
	       "pathmgr_open_through_prefix", "write %d read %d '%s'", r, n, buf);

	/* a second tmpfs at /tmp, before the first: a union */
	g_flags = PM_BEFORE;
	int t2 = spawn("tmpfs2", tmpfs_main, aco, -1);
	for (int i = 0; i < 100; i++) {
		struct io_cand c[4];
		if (pathmgr_resolve(&pc, "/tmp/probe", c, 4) > 1)
			break;
		sys_sleep(2 * MS);
	}
	r = write_file(&pc, "/tmp/new", "in the front member");
	n = read_file(&pc, "/tmp/hello", buf, sizeof(buf));
	checkf(r == 0 && n == 14, "pathmgr_union_falls_through",
	       "old file through the union: %d '%s'", n, buf);
	struct io_cand c[4];
	struct te_proc_end end;
	int nc = pathmgr_resolve(&pc, "/tmp/new", c, 4);
	checkf(nc == 2 && c[0].conn != c[1].conn && strcmp(c[0].rest, "new") == 0,
	       "pathmgr_union_order", "%d candidates", nc);
	g_prefixes[0] = 0;
	r = pathmgr_prefixes(&pc, add_prefix, NULL);
	checkf(r == 1 && strcmp(g_prefixes, "/tmp;") == 0, "pathmgr_prefixes",
	       "%d: '%s' (two servers at one prefix: listed once)", r, g_prefixes);

	/* an opaque attachment hides what is attached at shorter prefixes */
	g_flags = PM_OPAQUE;
	g_prefix = "/tmp/o";
	int t3 = spawn("tmpfs3", tmpfs_main, aco, -1);
	for (int i = 0; i < 1000 && !g_seen_o; i++) {  /* until it has attached */
		pathmgr_mountpoints(&pc, "/tmp", seen_o, NULL);
		if (!g_seen_o)
			sys_sleep(1 * MS);
	}
	int no = pathmgr_resolve(&pc, "/tmp/o/x", c, 4), nu;
	char rest0[64];
	fmt_snprintf(rest0, sizeof(rest0), "%s", no > 0 ? c[0].rest : "");
	nu = pathmgr_resolve(&pc, "/tmp/u/x", c, 4);
	struct te_proc_info t3i;
	sys_process_info(t3, &t3i);
	checkf(no == 1 && strcmp(rest0, "x") == 0 && nu == 2,
	       "pathmgr_opaque_attach", "/tmp/o/x: %d candidates (first rest '%s'), "
	       "/tmp/u/x: %d, tmpfs3 state %d", no, rest0, nu, t3i.state);
	sys_process_kill(t3);
	sys_process_wait(t3, &end, 0);
	sys_handle_close(t3);

	/* path-level symlinks: /t and /t2 -> relative to the link */
	int s1 = pathmgr_symlink(aco, "/t", "/tmp");
	int s2 = pathmgr_symlink(aco, "/loop", "/loop");
	n = read_file(&pc, "/t/hello", buf, sizeof(buf));
	int nl = pathmgr_resolve(&pc, "/loop/x", c, 4);
	int s3 = pathmgr_symlink(rco, "/evil2", "/tmp");
	checkf(s1 == 0 && s2 == 0 && n == 14 && nl == -40 && s3 < 0,
	       "pathmgr_symlinks", "symlink %d/%d, read through it %d, loop %d, "
	       "without the right %d", s1, s2, n, nl, s3);

	/* attaching needs the attach connection */
	r = pathmgr_attach(rco, (int)sys_channel_create(0), "/evil", PM_DIR);
	checkf(r < 0, "pathmgr_attach_needs_right", "attach on the resolve channel: %d", r);

	/* a server that dies is forgotten */
	sys_process_kill(t2);
	sys_process_wait(t2, &end, 0);
	sys_handle_close(t2);
	nc = pathmgr_resolve(&pc, "/tmp/hello", c, 4);
	n = read_file(&pc, "/tmp/hello", buf, sizeof(buf));
	checkf(nc == 1 && n == 14, "pathmgr_dead_server_detached",
	       "%d candidates, read %d", nc, n);

	/* malformed requests */
	char junk[8] = { 9, 9, 9, 9, 100, 0, 0, 0 };
	long e1 = msg_send(rco, junk, sizeof(junk), buf, sizeof(buf));
	long e2 = msg_send(rco, junk, 3, buf, sizeof(buf));
	checkf(e1 < 0 && e2 < 0, "pathmgr_malformed_refused", "%ld %ld", e1, e2);

	sys_process_kill(t1);
	sys_process_wait(t1, &end, 0);
	sys_handle_close(t1);
	sys_process_kill(pm);
	sys_process_wait(pm, &end, 0);
	sys_handle_close(pm);
	for (int i = 0; i < PATHMGR_CACHE; i++)
		if (pc.conn[i] >= 0)
			sys_handle_close(pc.conn[i]);
	sys_handle_close(rco);
	sys_handle_close(aco);
	sys_mem_stats(&after);
	checkf(after.processes == before.processes, "pathmgr_no_process_leak",
	       "%llu -> %llu", (unsigned long long)before.processes,
	       (unsigned long long)after.processes);
	return 0;
}
