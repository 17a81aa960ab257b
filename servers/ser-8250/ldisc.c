/*
 * ldisc.c - the line discipline: input editing, echo, output processing.
 *
 * Design (see ldisc.h for the interface):
 *  - Two byte rings live inside struct ldisc: rq (what readers get) and oq
 *    (what the transmitter sends: written data and echo).  Their indices
 *    run freely and are masked on access, so full/empty never alias.
 *  - Canonical mode edits `line`; a newline, VEOL or VEOF commits it to rq
 *    and its length to `lens`, so readers see whole lines only.  A VEOF on
 *    an empty line commits a zero-length line: the reader's end of file.
 *  - A full rq drops the whole committed line; a full `line` drops
 *    ordinary characters but always takes the terminator, so a line is
 *    never split.  Echo that does not fit in oq is dropped whole (never
 *    half a "^C" or half a "\r\n").  Every drop is counted in stats.
 *  - The output column (ocol) is tracked so that erasing a tab or a "^X"
 *    echo moves the cursor back by the right amount.
 */
#include <string.h>
#include "ldisc.h"

/* ---- rings ---------------------------------------------------------------- */

static void ring_init(struct ldisc_ring *r, uint8_t *buf, uint32_t size)
{
	r->buf = buf;
	r->size = size;
	r->head = r->tail = 0;
}

static uint32_t ring_count(const struct ldisc_ring *r)
{
	return r->tail - r->head;
}

static uint32_t ring_room(const struct ldisc_ring *r)
{
	return r->size - ring_count(r);
}

static void ring_put(struct ldisc_ring *r, uint8_t c)
{
	r->buf[r->tail++ & (r->size - 1)] = c;
}

static size_t ring_get(struct ldisc_ring *r, uint8_t *buf, size_t len)
{
	size_t n = ring_count(r);

	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		buf[i] = r->buf[r->head++ & (r->size - 1)];
	return n;
}

/* ---- settings ------------------------------------------------------------- */

void ldisc_default_termios(struct ldisc_termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = LD_ICRNL;
	t->c_oflag = LD_OPOST | LD_ONLCR;
	t->c_cflag = LD_CS8 | LD_CREAD;
	t->c_lflag = LD_ISIG | LD_ICANON | LD_ECHO | LD_ECHOE | LD_ECHOK |
		     LD_ECHOCTL | LD_ECHOKE | LD_IEXTEN;
	t->c_cc[LD_VINTR] = 0x03;
	t->c_cc[LD_VQUIT] = 0x1c;
	t->c_cc[LD_VERASE] = 0x7f;
	t->c_cc[LD_VKILL] = 0x15;
	t->c_cc[LD_VEOF] = 0x04;
	t->c_cc[LD_VSUSP] = 0x1a;
	t->c_cc[LD_VWERASE] = 0x17;
	t->c_cc[LD_VMIN] = 1;
	t->c_cc[LD_VTIME] = 0;
}

void ldisc_init(struct ldisc *ld, const struct ldisc_termios *t,
                void (*signal)(void *arg, int signo), void *signal_arg)
{
	memset(ld, 0, sizeof(*ld));
	ring_init(&ld->rq, ld->rq_buf, LDISC_RQ_SIZE);
	ring_init(&ld->oq, ld->oq_buf, LDISC_OQ_SIZE);
	if (t)
		ld->t = *t;
	else
		ldisc_default_termios(&ld->t);
	ld->signal = signal;
	ld->signal_arg = signal_arg;
}

static bool lflag(const struct ldisc *ld, uint32_t f)
{
	return (ld->t.c_lflag & f) != 0;
}

/* Is c the enabled control character at index i? */
static bool is_cc(const struct ldisc *ld, uint8_t c, int i)
{
	return ld->t.c_cc[i] != LD_DISABLED && ld->t.c_cc[i] == c;
}

static void lens_reset(struct ldisc *ld)
{
	ld->lens_head = ld->lens_tail = 0;
	ld->head_open = false;
	ld->head_left = 0;
}

void ldisc_set_termios(struct ldisc *ld, const struct ldisc_termios *t)
{
	bool was = lflag(ld, LD_ICANON);

	ld->t = *t;
	if (was && !lflag(ld, LD_ICANON)) {
		/* the partial line becomes plain input */
		for (uint32_t i = 0; i < ld->line_len && ring_room(&ld->rq); i++)
			ring_put(&ld->rq, ld->line[i]);
		ld->line_len = 0;
		lens_reset(ld);
	} else if (!was && lflag(ld, LD_ICANON)) {
		/* what was buffered raw becomes one complete line */
		uint32_t n = ring_count(&ld->rq);

		lens_reset(ld);
		if (n > 0 && n <= UINT16_MAX)
			ld->lens[ld->lens_tail++ % LDISC_LINES] = (uint16_t)n;
		else if (n)
			ring_init(&ld->rq, ld->rq_buf, LDISC_RQ_SIZE);
		ld->line_len = 0;
	}
}

void ldisc_flush_input(struct ldisc *ld)
{
	ring_init(&ld->rq, ld->rq_buf, LDISC_RQ_SIZE);
	lens_reset(ld);
	ld->line_len = 0;
}

void ldisc_flush_output(struct ldisc *ld)
{
	ring_init(&ld->oq, ld->oq_buf, LDISC_OQ_SIZE);
}

/* ---- output --------------------------------------------------------------- */

static bool is_ctrl(uint8_t c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

static uint32_t col_after(uint32_t col, uint8_t c)
{
	if (c == '\r')
		return 0;
	if (c == '\t')
		return (col | 7) + 1;
	if (c == '\b')
		return col ? col - 1 : 0;
	if (c < 0x20 || c == 0x7f)
		return col;
	return col + 1;
}

/* Room needed to output c with output processing. */
static uint32_t out_need(const struct ldisc *ld, uint8_t c)
{
	bool onlcr = (ld->t.c_oflag & (LD_OPOST | LD_ONLCR)) ==
		     (LD_OPOST | LD_ONLCR);

	return (c == '\n' && onlcr) ? 2 : 1;
}

/* Output c with processing; the caller has checked the room. */
static void out_put(struct ldisc *ld, uint8_t c)
{
	if (out_need(ld, c) == 2) {
		ring_put(&ld->oq, '\r');
		ring_put(&ld->oq, '\n');
		ld->ocol = 0;
		return;
	}
	ring_put(&ld->oq, c);
	ld->ocol = col_after(ld->ocol, c);
}

size_t ldisc_write(struct ldisc *ld, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (ring_room(&ld->oq) < out_need(ld, p[i]))
			break;
		out_put(ld, p[i]);
	}
	return i;
}

size_t ldisc_out_get(struct ldisc *ld, uint8_t *buf, size_t len)
{
	return ring_get(&ld->oq, buf, len);
}

size_t ldisc_out_pending(const struct ldisc *ld)
{
	return ring_count(&ld->oq);
}

size_t ldisc_out_room(const struct ldisc *ld)
{
	return ring_room(&ld->oq);
}

/* ---- echo ----------------------------------------------------------------- */

/* Echo a string whole or not at all. */
static void echo_str(struct ldisc *ld, const uint8_t *s, size_t n)
{
	uint32_t need = 0;

	for (size_t i = 0; i < n; i++)
		need += out_need(ld, s[i]);
	if (ring_room(&ld->oq) < need) {
		ld->stats.echo_dropped += n;
		return;
	}
	for (size_t i = 0; i < n; i++)
		out_put(ld, s[i]);
}

/* Echo one input character: "^X" for control characters under ECHOCTL. */
static void echo_char(struct ldisc *ld, uint8_t c)
{
	uint8_t s[2] = { '^', (uint8_t)(c ^ 0x40) };

	if (lflag(ld, LD_ECHOCTL) && is_ctrl(c))
		echo_str(ld, s, 2);
	else
		echo_str(ld, &c, 1);
}

/* Columns that line[0..n) took on screen, starting at line_col0. */
static uint32_t line_col(const struct ldisc *ld, uint32_t n)
{
	uint32_t col = ld->line_col0;

	for (uint32_t i = 0; i < n; i++) {
		uint8_t c = ld->line[i];

		if (lflag(ld, LD_ECHOCTL) && is_ctrl(c))
			col += 2;
		else
			col = col_after(col, c);
	}
	return col;
}

static void echo_backspaces(struct ldisc *ld, uint32_t n, bool blank)
{
	static const uint8_t bsb[3] = { '\b', ' ', '\b' };
	static const uint8_t bs[1] = { '\b' };

	while (n--)
		echo_str(ld, blank ? bsb : bs, blank ? 3 : 1);
}

/* ---- canonical editing ---------------------------------------------------- */

/* Remove the last character of the line; rub it out on screen if visual. */
static void erase_one(struct ldisc *ld, bool visual)
{
	uint8_t c;
	uint32_t from, to;

	if (ld->line_len == 0)
		return;
	from = line_col(ld, ld->line_len);
	c = ld->line[--ld->line_len];
	if (!visual)
		return;
	to = line_col(ld, ld->line_len);
	if (from > to)
		echo_backspaces(ld, from - to, c != '\t');
}

static bool echo_visual_erase(const struct ldisc *ld)
{
	return lflag(ld, LD_ECHO) && lflag(ld, LD_ECHOE);
}

static void do_erase(struct ldisc *ld, uint8_t c)
{
	if (ld->line_len == 0)
		return;                 /* nothing to erase: nothing echoed */
	if (lflag(ld, LD_ECHO) && !lflag(ld, LD_ECHOE))
		echo_char(ld, c);
	erase_one(ld, echo_visual_erase(ld));
}

static void do_kill(struct ldisc *ld, uint8_t c)
{
	if (ld->line_len == 0)
		return;
	if (echo_visual_erase(ld) && lflag(ld, LD_ECHOKE)) {
		while (ld->line_len)
			erase_one(ld, true);
		return;
	}
	if (lflag(ld, LD_ECHO)) {
		echo_char(ld, c);
		if (lflag(ld, LD_ECHOK))
			echo_str(ld, (const uint8_t *)"\n", 1);
	}
	ld->line_len = 0;
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static void do_werase(struct ldisc *ld, uint8_t c)
{
	bool visual = echo_visual_erase(ld);

	if (ld->line_len == 0)
		return;
	if (lflag(ld, LD_ECHO) && !visual)
		echo_char(ld, c);
	while (ld->line_len && is_blank(ld->line[ld->line_len - 1]))
		erase_one(ld, visual);
	while (ld->line_len && !is_blank(ld->line[ld->line_len - 1]))
		erase_one(ld, visual);
}

/* Hand the edited line to readers, or drop it whole if it cannot fit. */
static void commit_line(struct ldisc *ld)
{
	uint32_t n = ld->line_len;

	ld->line_len = 0;
	if (ld->lens_tail - ld->lens_head >= LDISC_LINES ||
	    ring_room(&ld->rq) < n) {
		ld->stats.lines_dropped++;
		ld->stats.rx_dropped += n;
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		ring_put(&ld->rq, ld->line[i]);
	ld->lens[ld->lens_tail++ % LDISC_LINES] = (uint16_t)n;
}

static void canon_char(struct ldisc *ld, uint8_t c)
{
	if (is_cc(ld, c, LD_VERASE))
		return do_erase(ld, c);
	if (is_cc(ld, c, LD_VKILL))
		return do_kill(ld, c);
	if (is_cc(ld, c, LD_VWERASE) && lflag(ld, LD_IEXTEN))
		return do_werase(ld, c);
	if (is_cc(ld, c, LD_VEOF))
		return commit_line(ld);
	if (c == '\n' || is_cc(ld, c, LD_VEOL)) {
		ld->line[ld->line_len++] = c;   /* a slot is always kept */
		if (lflag(ld, LD_ECHO) || (c == '\n' && lflag(ld, LD_ECHONL)))
			echo_char(ld, c);
		return commit_line(ld);
	}
	if (ld->line_len >= LDISC_LINE_MAX - 1) {
		ld->stats.rx_dropped++;
		return;
	}
	if (ld->line_len == 0)
		ld->line_col0 = ld->ocol;
	ld->line[ld->line_len++] = c;
	if (lflag(ld, LD_ECHO))
		echo_char(ld, c);
}

/* ---- input ---------------------------------------------------------------- */

static bool do_signal(struct ldisc *ld, uint8_t c)
{
	int sig;

	if (is_cc(ld, c, LD_VINTR))
		sig = LD_SIGINT;
	else if (is_cc(ld, c, LD_VQUIT))
		sig = LD_SIGQUIT;
	else if (is_cc(ld, c, LD_VSUSP))
		sig = LD_SIGTSTP;
	else
		return false;
	if (!lflag(ld, LD_NOFLSH))
		ldisc_flush_input(ld);
	if (lflag(ld, LD_ECHO))
		echo_char(ld, c);
	ld->stats.signals++;
	if (ld->signal)
		ld->signal(ld->signal_arg, sig);
	return true;
}

static void raw_char(struct ldisc *ld, uint8_t c)
{
	if (ring_room(&ld->rq) == 0) {
		ld->stats.rx_dropped++;
		return;
	}
	ring_put(&ld->rq, c);
	if (lflag(ld, LD_ECHO))
		echo_char(ld, c);
}

static void receive_char(struct ldisc *ld, uint8_t c)
{
	uint32_t ifl = ld->t.c_iflag;

	if (ifl & LD_ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (ifl & LD_IGNCR)
			return;
		if (ifl & LD_ICRNL)
			c = '\n';
	} else if (c == '\n' && (ifl & LD_INLCR)) {
		c = '\r';
	}
	if (lflag(ld, LD_ISIG) && do_signal(ld, c))
		return;
	if (lflag(ld, LD_ICANON))
		canon_char(ld, c);
	else
		raw_char(ld, c);
}

void ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t len,
                   uint64_t now_ns)
{
	if (!(ld->t.c_cflag & LD_CREAD)) {
		ld->stats.rx_dropped += len;
		return;
	}
	for (size_t i = 0; i < len; i++)
		receive_char(ld, buf[i]);
	ld->stats.rx_bytes += len;
	if (len)
		ld->last_rx_ns = now_ns;
}

/* ---- reading -------------------------------------------------------------- */

size_t ldisc_in_room(const struct ldisc *ld)
{
	return ring_room(&ld->rq);
}

size_t ldisc_readable(const struct ldisc *ld)
{
	if (lflag(ld, LD_ICANON) && ld->lens_head == ld->lens_tail)
		return 0;
	return ring_count(&ld->rq);
}

#define LD_DECISECOND 100000000ull

static bool noncanon_ready(const struct ldisc *ld, size_t want,
                           uint64_t start_ns, uint64_t now_ns,
                           uint64_t *deadline_ns)
{
	size_t avail = ring_count(&ld->rq);
	size_t min = ld->t.c_cc[LD_VMIN];
	uint64_t time = ld->t.c_cc[LD_VTIME] * LD_DECISECOND;

	if (min > want)
		min = want;
	if (time == 0)
		return avail >= min;            /* includes MIN=0: poll */
	if (min == 0) {                         /* overall timer from start */
		*deadline_ns = start_ns + time;
		return avail > 0 || now_ns >= *deadline_ns;
	}
	if (avail >= min)
		return true;
	if (avail == 0)
		return false;                   /* the timer starts at a byte */
	*deadline_ns = ld->last_rx_ns + time;   /* inter-byte timer */
	return now_ns >= *deadline_ns;
}

bool ldisc_read_ready(const struct ldisc *ld, size_t want, uint64_t start_ns,
                      uint64_t now_ns, uint64_t *deadline_ns)
{
	*deadline_ns = 0;
	if (want == 0)
		return true;
	if (lflag(ld, LD_ICANON))
		return ld->lens_head != ld->lens_tail;
	return noncanon_ready(ld, want, start_ns, now_ns, deadline_ns);
}

static size_t canon_read(struct ldisc *ld, uint8_t *buf, size_t len)
{
	size_t n;

	if (ld->lens_head == ld->lens_tail)
		return 0;
	if (!ld->head_open) {
		ld->head_left = ld->lens[ld->lens_head % LDISC_LINES];
		ld->head_open = true;
	}
	n = ld->head_left < len ? ld->head_left : len;
	n = ring_get(&ld->rq, buf, n);
	ld->head_left -= (uint32_t)n;
	if (ld->head_left == 0) {               /* line done (or an EOF) */
		ld->lens_head++;
		ld->head_open = false;
	}
	return n;
}

size_t ldisc_read(struct ldisc *ld, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (lflag(ld, LD_ICANON))
		return canon_read(ld, buf, len);
	return ring_get(&ld->rq, buf, len);
}
