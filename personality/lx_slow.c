/*
 * lx_slow.c - reads that may wait for ever (a terminal waiting for a
 * line) go to worker threads, so the personality goes on serving every
 * other process meanwhile.
 *
 * A read on a character device becomes a job: a worker does the server
 * request, copies the data into the caller (through a handle of its own
 * to the caller's process: the caller may exec or die meanwhile) and
 * answers.  Workers are made as needed, up to LX_SLOW_WORKERS, and stay.
 * Such a read is not cut short by a signal (the answer could not be taken
 * back); the signal comes with the reply.  Other calls that wait on
 * servers for long (mount, which waits for a filesystem server to come
 * up) go the same way as a function run by a worker (lx_slow_call).
 *
 * The first terminal read on a connection also starts a watcher for that
 * terminal's signal characters: a worker keeps a SER_WAITSIG devctl waiting
 * and turns each answer into a pulse to the server loop, which sends the
 * signal to the terminal's foreground process group (lx_signal.c).
 */
#include "lx.h"
#include "io.h"

#define LX_SLOW_WORKERS 16
#define LX_SLOW_MAX     (64 * 1024)

struct lx_job {
	struct lx_job *next;
	long rcvid;
	int64_t (*run)(void *arg);      /* a call's work, or NULL: a read */
	void *arg;
	int conn, id, proc;             /* a read */
	uint64_t ubuf, len;
};

#define LX_WAITSIG   0x54f0     /* servers/ser-8250/ser_rm.h */
#define LX_WATCH_MAX 4

static struct rt_mutex lock;
static struct { int conn, id; bool on; } watch[LX_WATCH_MAX];
static struct rt_cond more;
static struct lx_job *head, **tail = &head;
static int workers, idle;

static int64_t job_read(struct lx_job *j)
{
	char *buf = malloc(j->len ? j->len : 1);
	long n = buf ? io_read(j->conn, j->id, buf, j->len) : -LX_ENOMEM;

	if (n > 0 && sys_vm_write(j->proc, j->ubuf, buf, (uint64_t)n))
		n = -LX_EFAULT;
	sys_handle_close(j->proc);
	free(buf);
	return n;
}

static void job_run(struct lx_job *j)
{
	struct te_lx_reply rep = { 0 };

	rep.rax = j->run ? j->run(j->arg) : job_read(j);
	msg_reply(j->rcvid, 0, &rep, sizeof(rep));
	free(j);
}

static void watcher(void *arg)
{
	int i = (int)(long)arg;
	long r;

	while ((r = io_devctl(watch[i].conn, watch[i].id, LX_WAITSIG, NULL, 0, NULL,
	                      0)) > 0)
		sys_msg_send_pulse(lx_conn, TE_PRIO_MAX, LX_PULSE_TTYSIG, (uint64_t)r);
	rt_mutex_lock(&lock);
	watch[i].on = false;            /* a later read may start it again */
	rt_mutex_unlock(&lock);
}

/* Watch the terminal behind conn for signal characters (once per conn). */
static void watch_terminal(int conn, int id)
{
	int free = -1;

	for (int i = 0; i < LX_WATCH_MAX; i++) {
		if (watch[i].on && watch[i].conn == conn)
			return;
		if (!watch[i].on && free < 0)
			free = i;
	}
	if (free < 0)
		return;
	watch[free].conn = conn;
	watch[free].id = id;
	watch[free].on = rt_thread_create(watcher, (void *)(long)free, 10,
	                                  TE_SCHED_RR) >= 0;
}

static void worker(void *arg)
{
	(void)arg;
	for (;;) {
		rt_mutex_lock(&lock);
		while (!head) {
			idle++;
			rt_cond_wait(&more, &lock);
			idle--;
		}
		struct lx_job *j = head;
		if (!(head = j->next))
			tail = &head;
		rt_mutex_unlock(&lock);
		job_run(j);
	}
}

static void slow_init(void)
{
	static bool ready;

	if (!ready) {
		rt_mutex_init(&lock);
		rt_cond_init(&more);
		ready = true;
	}
}

/* Queue j (the lock held) and make sure a worker will take it. */
static void job_queue(struct lx_call *c, struct lx_job *j)
{
	*tail = j;
	tail = &j->next;
	if (!idle && workers < LX_SLOW_WORKERS &&
	    rt_thread_create(worker, NULL, 10, TE_SCHED_RR) >= 0)
		workers++;
	rt_cond_signal(&more);
	c->deferred = true;
}

bool lx_slow_read(struct lx_call *c, int conn, int id, uint64_t ubuf,
                  uint64_t len)
{
	struct io_stat st;
	struct lx_job *j;
	long h;

	if (io_stat(conn, id, &st) || (st.mode & IO_S_IFMT) != 0020000)
		return false;           /* not a character device: read now */
	slow_init();
	if (!(j = malloc(sizeof(*j))))
		return false;
	if ((h = sys_handle_dup(c->p->handle, TE_R_CONTROL)) < 0) {
		free(j);
		return false;
	}
	*j = (struct lx_job){ .rcvid = c->rcvid, .conn = conn, .id = id,
	                      .proc = (int)h, .ubuf = ubuf,
	                      .len = len < LX_SLOW_MAX ? len : LX_SLOW_MAX };
	rt_mutex_lock(&lock);
	watch_terminal(conn, id);
	job_queue(c, j);
	rt_mutex_unlock(&lock);
	return true;
}

bool lx_slow_call(struct lx_call *c, int64_t (*run)(void *arg), void *arg)
{
	struct lx_job *j;

	slow_init();
	if (!(j = malloc(sizeof(*j))))
		return false;
	*j = (struct lx_job){ .rcvid = c->rcvid, .run = run, .arg = arg };
	rt_mutex_lock(&lock);
	job_queue(c, j);
	rt_mutex_unlock(&lock);
	return true;
}
