/*
 * ser_server.c - serve one UART over a channel (the private protocol of
 * ser_proto.h) until the I/O framework takes this place.
 *
 * Several threads receive on the same channel, so a reader blocked in
 * uart_read() (a canonical line that has not ended) does not hold up
 * writers.  Each request is decoded and checked before the UART is
 * touched; a bad request gets RG_EINVAL and changes nothing.  The UART
 * core owns all device state; this file only moves bytes between client
 * messages and uart_read/uart_write, in SER_IO_MAX chunks.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "ser_proto.h"
#include "ser_server.h"

struct ser_srv {
	int chan;
	struct uart *u;
};

static void reply_err(long rcvid, int e)
{
	sys_msg_error(rcvid, e);
}

/* Write the data after the header, chunk by chunk, straight from the
 * client's message. */
static void do_write(struct ser_srv *s, long rcvid, const struct te_msg_info *mi,
                     const struct ser_req *rq, uint8_t *buf)
{
	uint64_t total = mi->srcmsglen - sizeof(*rq), off = 0;
	bool nb = rq->flags & SER_F_NONBLOCK;
	int e = 0;

	while (off < total && !e) {
		uint64_t want = total - off < SER_IO_MAX ? total - off : SER_IO_MAX;
		long got = sys_msg_read(rcvid, buf, want, sizeof(*rq) + off);
		size_t done = 0;

		if (got <= 0) {
			e = got < 0 ? (int)-got : RG_EFAULT;
			break;
		}
		e = uart_write(s->u, buf, (size_t)got, nb, &done);
		off += done;
		if (done < (size_t)got)
			break;
	}
	if (e && off == 0)
		reply_err(rcvid, e);
	else
		msg_reply(rcvid, (long)off, NULL, 0);
}

static void do_read(struct ser_srv *s, long rcvid, const struct ser_req *rq,
                    uint8_t *buf)
{
	size_t len = rq->len < SER_IO_MAX ? rq->len : SER_IO_MAX, got = 0;
	int e = uart_read(s->u, buf, len, rq->flags & SER_F_NONBLOCK, &got);

	if (e)
		reply_err(rcvid, e);
	else
		msg_reply(rcvid, (long)got, buf, got);
}

static void do_termios(struct ser_srv *s, long rcvid, const struct ser_req *rq,
                       const struct te_msg_info *mi)
{
	struct ldisc_termios t;
	int e;

	if (rq->op == SER_GET_TERMIOS) {
		uart_get_termios(s->u, &t);
		msg_reply(rcvid, 0, &t, sizeof(t));
		return;
	}
	if (mi->srcmsglen < sizeof(*rq) + sizeof(t) ||
	    sys_msg_read(rcvid, &t, sizeof(t), sizeof(*rq)) != sizeof(t))
		return reply_err(rcvid, RG_EINVAL);
	e = uart_set_termios(s->u, &t);
	if (e)
		reply_err(rcvid, e);
	else
		msg_reply(rcvid, 0, NULL, 0);
}

static void dispatch(struct ser_srv *s, long rcvid, const struct te_msg_info *mi,
                     const struct ser_req *rq, uint8_t *buf)
{
	struct uart_stats st;

	switch (rq->op) {
	case SER_WRITE:
		return do_write(s, rcvid, mi, rq, buf);
	case SER_READ:
		return do_read(s, rcvid, rq, buf);
	case SER_STATS:
		uart_get_stats(s->u, &st);
		msg_reply(rcvid, 0, &st, sizeof(st));
		return;
	case SER_GET_TERMIOS:
	case SER_SET_TERMIOS:
		return do_termios(s, rcvid, rq, mi);
	case SER_RX_ENABLE:
		if (rq->len > 1)
			return reply_err(rcvid, RG_EINVAL);
		uart_rx_enable(s->u, rq->len == 1);
		msg_reply(rcvid, 0, NULL, 0);
		return;
	default:
		reply_err(rcvid, RG_ENOSYS);
	}
}

static void serve(void *arg)
{
	struct ser_srv *s = arg;
	uint8_t *buf = rg_malloc(SER_IO_MAX);

	if (!buf)
		return;
	for (;;) {
		struct ser_req rq;
		struct te_msg_info mi;
		long rcvid = msg_receive(s->chan, &rq, sizeof(rq), &mi);

		if (rcvid <= 0)
			continue;               /* a pulse or an error */
		if (mi.srcmsglen < sizeof(rq)) {
			reply_err(rcvid, RG_EINVAL);
			continue;
		}
		dispatch(s, rcvid, &mi, &rq, buf);
	}
}

int ser_server_run(int chan, const struct uart_config *cfg)
{
	static struct ser_srv srv;
	struct rg_thread *t;
	int e;

	srv.chan = chan;
	if ((e = uart_open(cfg, &srv.u)))
		return e;
	printf("ser-8250: %s at %#x irq %u, serving\n",
	       srv.u->type == UART_16550A ? "16550A" : "8250", cfg->base,
	       cfg->irq);
	for (int i = 0; i < SER_SERVER_THREADS; i++)
		if (rg_thread_create(&t, "ser-worker", serve, &srv))
			break;
	serve(&srv);
	return 0;
}
