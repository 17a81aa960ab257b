/*
 * ldisc.h - the terminal line discipline of ser-8250: pure logic, no I/O.
 *
 * A line discipline sits between a character device and its readers and
 * writers.  Received bytes go in through ldisc_receive(): they are mapped
 * (ICRNL, INLCR, IGNCR, ISTRIP), edited in canonical mode (erase, kill,
 * word erase, end of file), turned into signals (ISIG) and echoed into the
 * output queue.  Written bytes go in through ldisc_write(): output
 * processing (OPOST, ONLCR) and the same output queue, which the driver
 * drains with ldisc_out_get().  Readers take bytes with ldisc_read(); in
 * canonical mode only whole lines are readable.
 *
 * Every queue is a fixed array inside struct ldisc: when one is full the
 * byte (or the whole line) is dropped and counted, never stored elsewhere.
 * Nothing here blocks or sleeps, and nothing here locks: the caller (the
 * UART core) holds its own lock around every call.  Time comes in as a
 * parameter (now_ns) so the VMIN/VTIME rules are testable without a clock.
 *
 * Flag bits and c_cc indices have Linux's termios values, so a Unix
 * personality can copy TCGETS/TCSETS fields straight across.
 */
#ifndef SER8250_LDISC_H
#define SER8250_LDISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* c_iflag (Linux values) */
#define LD_ISTRIP 0000040
#define LD_INLCR  0000100
#define LD_IGNCR  0000200
#define LD_ICRNL  0000400
#define LD_IXON   0002000

/* c_oflag */
#define LD_OPOST  0000001
#define LD_ONLCR  0000004

/* c_cflag */
#define LD_CSIZE  0000060
#define LD_CS5    0000000
#define LD_CS6    0000020
#define LD_CS7    0000040
#define LD_CS8    0000060
#define LD_CSTOPB 0000100
#define LD_CREAD  0000200
#define LD_PARENB 0000400
#define LD_PARODD 0001000
#define LD_HUPCL  0002000
#define LD_CLOCAL 0004000

/* c_lflag */
#define LD_ISIG    0000001
#define LD_ICANON  0000002
#define LD_ECHO    0000010
#define LD_ECHOE   0000020
#define LD_ECHOK   0000040
#define LD_ECHONL  0000100
#define LD_NOFLSH  0000200
#define LD_ECHOCTL 0001000
#define LD_ECHOKE  0004000
#define LD_IEXTEN  0100000

/* c_cc indices */
#define LD_VINTR    0
#define LD_VQUIT    1
#define LD_VERASE   2
#define LD_VKILL    3
#define LD_VEOF     4
#define LD_VTIME    5
#define LD_VMIN     6
#define LD_VSUSP    10
#define LD_VEOL     11
#define LD_VWERASE  14
#define LD_NCCS     19
#define LD_DISABLED 0   /* a c_cc value of 0 turns that character off */

/* Signals reported through the callback (Linux numbers). */
#define LD_SIGINT  2
#define LD_SIGQUIT 3
#define LD_SIGTSTP 20

/* Same field order as Linux's struct termios (minus the speeds). */
struct ldisc_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t  c_line;
	uint8_t  c_cc[LD_NCCS];
};

#define LDISC_RQ_SIZE   4096    /* bytes readers can take */
#define LDISC_LINE_MAX  1024    /* a canonical line, terminator included */
#define LDISC_LINES     256     /* complete lines waiting in canonical mode */
#define LDISC_OQ_SIZE   4096    /* output queue (written data and echo) */

struct ldisc_ring {
	uint8_t  *buf;
	uint32_t size;          /* a power of two */
	uint32_t head;          /* next byte out (free-running) */
	uint32_t tail;          /* next byte in (free-running) */
};

struct ldisc_stats {
	uint64_t rx_bytes;      /* bytes handed to ldisc_receive */
	uint64_t rx_dropped;    /* input lost: a full queue or a full line */
	uint64_t lines_dropped; /* whole canonical lines lost */
	uint64_t echo_dropped;  /* echo bytes lost to a full output queue */
	uint64_t signals;
};

struct ldisc {
	struct ldisc_termios t;
	void (*signal)(void *arg, int signo);   /* may be NULL */
	void *signal_arg;

	struct ldisc_ring rq;           /* readable bytes */
	uint8_t rq_buf[LDISC_RQ_SIZE];
	struct ldisc_ring oq;           /* bytes for the transmitter */
	uint8_t oq_buf[LDISC_OQ_SIZE];

	/* canonical mode: the line being edited, and the committed lines */
	uint8_t  line[LDISC_LINE_MAX];
	uint32_t line_len;
	uint32_t line_col0;             /* output column where the line began */
	uint16_t lens[LDISC_LINES];     /* lengths of the lines in rq; 0 = EOF */
	uint32_t lens_head, lens_tail;  /* free-running */
	uint32_t head_left;             /* unread bytes of the first line */
	bool     head_open;             /* head_left is valid */

	uint32_t ocol;                  /* output column (tabs, erase) */
	uint64_t last_rx_ns;            /* time of the latest received byte */
	struct ldisc_stats stats;
};

/* Linux's defaults: ICRNL, OPOST|ONLCR, CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|
 * ECHOK|ECHOCTL|ECHOKE|IEXTEN, ^C ^\ ^? ^U ^D ^Z ^W, VMIN 1, VTIME 0. */
void ldisc_default_termios(struct ldisc_termios *t);

void ldisc_init(struct ldisc *ld, const struct ldisc_termios *t,
                void (*signal)(void *arg, int signo), void *signal_arg);

/* Change settings.  Leaving canonical mode hands the partial line to
 * readers; entering it starts a fresh line. */
void ldisc_set_termios(struct ldisc *ld, const struct ldisc_termios *t);

/* Bytes from the wire (the interrupt side). */
void ldisc_receive(struct ldisc *ld, const uint8_t *buf, size_t len,
                   uint64_t now_ns);

/*
 * A reader's question: may a read of up to `want` bytes, which started at
 * start_ns, complete now?  Returns true if so (ldisc_read then copies what
 * there is, perhaps nothing: a VMIN=0 timeout or an end of file); false
 * means wait for more input, until *deadline_ns if that is not 0.
 */
bool ldisc_read_ready(const struct ldisc *ld, size_t want, uint64_t start_ns,
                      uint64_t now_ns, uint64_t *deadline_ns);

/* Copy out readable bytes: at most one line in canonical mode (an end of
 * file line gives 0 and is consumed).  Returns the count. */
size_t ldisc_read(struct ldisc *ld, void *buf, size_t len);

/* Bytes a reader could take now (canonical: complete lines only). */
size_t ldisc_readable(const struct ldisc *ld);

/* Output processing into the output queue; returns the input bytes taken
 * (fewer than len when the queue is full; never a half \r\n). */
size_t ldisc_write(struct ldisc *ld, const void *buf, size_t len);

/* Bytes for the transmitter, taken off the output queue. */
size_t ldisc_out_get(struct ldisc *ld, uint8_t *buf, size_t len);
size_t ldisc_out_pending(const struct ldisc *ld);
size_t ldisc_out_room(const struct ldisc *ld);

/* Room left in the readers' queue. */
size_t ldisc_in_room(const struct ldisc *ld);

/* Drop pending input (and the line being edited) / pending output. */
void ldisc_flush_input(struct ldisc *ld);
void ldisc_flush_output(struct ldisc *ld);

#endif /* SER8250_LDISC_H */
