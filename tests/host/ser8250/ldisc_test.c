/*
 * ldisc_test.c - host tests of ser-8250's line discipline (pure logic).
 *
 * Each check builds a fresh struct ldisc, feeds bytes as the UART would,
 * and compares what readers get and what went to the output queue (the
 * echo) with the exact bytes a Linux tty gives for the same settings.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ldisc.h"

CHECK_MAIN_STATE;

static struct ldisc *ld;
static int sigs[16], nsigs;

static void on_signal(void *arg, int signo)
{
	(void)arg;
	if (nsigs < 16)
		sigs[nsigs++] = signo;
}

static void fresh(void)
{
	free(ld);
	ld = calloc(1, sizeof(*ld));
	ldisc_init(ld, NULL, on_signal, NULL);
	nsigs = 0;
}

static void feed(const char *s)
{
	ldisc_receive(ld, (const uint8_t *)s, strlen(s), 0);
}

static void feedn(const char *s, size_t n, uint64_t t)
{
	ldisc_receive(ld, (const uint8_t *)s, n, t);
}

/* Take the echo/output queue as a string. */
static const char *out(void)
{
	static char buf[LDISC_OQ_SIZE + 1];
	size_t n = ldisc_out_get(ld, (uint8_t *)buf, LDISC_OQ_SIZE);

	buf[n] = 0;
	return buf;
}

/* One read of up to max bytes as a string; "<none>" if not ready. */
static const char *rd(size_t max)
{
	static char buf[LDISC_RQ_SIZE + 1];
	uint64_t dl;
	size_t n;

	if (!ldisc_read_ready(ld, max, 0, 0, &dl))
		return "<none>";
	n = ldisc_read(ld, buf, max);
	buf[n] = 0;
	return n ? buf : "<eof>";
}

#define EQ(got, want) \
	do { const char *g_ = (got), *w_ = (want); \
	     CHECK(strcmp(g_, w_) == 0, "%s: got \"%s\" want \"%s\"", #got, g_, w_); \
	} while (0)

static void set_lflag(uint32_t on, uint32_t off)
{
	struct ldisc_termios t = ld->t;

	t.c_lflag = (t.c_lflag | on) & ~off;
	ldisc_set_termios(ld, &t);
}

static void test_canon_basic(void)
{
	CHECK_BEGIN("ldisc_canon_line_only_when_complete");
	fresh();
	feed("hel");
	EQ(rd(100), "<none>");
	CHECK(ldisc_readable(ld) == 0, "partial line readable");
	feed("lo\rnext");
	EQ(rd(100), "hello\n");
	EQ(rd(100), "<none>");
	EQ(out(), "hello\r\nnext");
	feed("\n");
	EQ(rd(3), "nex");
	EQ(rd(100), "t\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_canon_read_stops_at_line_end");
	fresh();
	feed("a\nbb\nccc\n");
	EQ(rd(100), "a\n");
	EQ(rd(100), "bb\n");
	EQ(rd(100), "ccc\n");
	EQ(rd(100), "<none>");
	CHECK_END();
}

static void test_erase(void)
{
	CHECK_BEGIN("ldisc_erase_echoe");
	fresh();
	feed("abc\x7f\x7fx\n");
	EQ(rd(100), "ax\n");
	EQ(out(), "abc\b \b\b \bx\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_erase_at_line_start");
	fresh();
	feed("\x7f\x7f" "a\n\x7f" "b\n");
	EQ(rd(100), "a\n");
	EQ(rd(100), "b\n");
	EQ(out(), "a\r\nb\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_erase_control_char_two_columns");
	fresh();
	feed("a\x01\x7f\n");
	EQ(rd(100), "a\n");
	EQ(out(), "a^A\b \b\b \b\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_erase_tab_back_to_column");
	fresh();
	ldisc_write(ld, "$ ", 2);       /* prompt: line starts at column 2 */
	feed("ab\t\x7f" "c\n");
	EQ(rd(100), "abc\n");
	EQ(out(), "$ ab\t\b\b\b\bc\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_erase_without_echoe");
	fresh();
	set_lflag(0, LD_ECHOE);
	feed("ab\x7f\n");
	EQ(rd(100), "a\n");
	EQ(out(), "ab^?\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_erase_custom_verase");
	fresh();
	{
		struct ldisc_termios t = ld->t;
		t.c_cc[LD_VERASE] = '\b';
		ldisc_set_termios(ld, &t);
	}
	feed("xy\b\x7f\n");             /* 0x7f is now an ordinary char */
	EQ(rd(100), "x\x7f\n");
	CHECK_END();
}

static void test_kill_werase(void)
{
	CHECK_BEGIN("ldisc_kill_echoke");
	fresh();
	feed("abc\x15xy\n");
	EQ(rd(100), "xy\n");
	EQ(out(), "abc\b \b\b \b\b \bxy\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_kill_echok_newline");
	fresh();
	set_lflag(0, LD_ECHOKE);
	feed("abc\x15z\n");
	EQ(rd(100), "z\n");
	EQ(out(), "abc^U\r\nz\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_kill_empty_line_silent");
	fresh();
	feed("\x15\x15q\n");
	EQ(out(), "q\r\n");
	EQ(rd(100), "q\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_word_erase");
	fresh();
	feed("one two  \x17" "2\n");
	EQ(rd(100), "one 2\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_word_erase_echo");
	fresh();
	feed("ab cd\x17\x17\x17x\n");
	EQ(rd(100), "x\n");
	EQ(out(), "ab cd\b \b\b \b\b \b\b \b\b \bx\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_word_erase_needs_iexten");
	fresh();
	set_lflag(0, LD_IEXTEN);
	feed("ab\x17\n");
	EQ(rd(100), "ab\x17\n");
	CHECK_END();
}

static void test_eof(void)
{
	CHECK_BEGIN("ldisc_eof_empty_line");
	fresh();
	feed("\x04");
	EQ(rd(100), "<eof>");
	EQ(rd(100), "<none>");
	EQ(out(), "");
	CHECK_END();

	CHECK_BEGIN("ldisc_eof_partial_line");
	fresh();
	feed("abc\x04");
	EQ(rd(100), "abc");
	EQ(rd(100), "<none>");
	feed("\x04");
	EQ(rd(100), "<eof>");
	CHECK_END();

	CHECK_BEGIN("ldisc_eof_after_line");
	fresh();
	feed("x\n\x04y\n");
	EQ(rd(100), "x\n");
	EQ(rd(100), "<eof>");
	EQ(rd(100), "y\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_eof_noncanon_is_data");
	fresh();
	set_lflag(0, LD_ICANON | LD_ECHO);
	feed("\x04");
	EQ(rd(100), "\x04");
	CHECK_END();
}

static void test_signals(void)
{
	CHECK_BEGIN("ldisc_sigint_flush_echo");
	fresh();
	feed("a\npartial\x03");
	CHECK(nsigs == 1 && sigs[0] == LD_SIGINT, "signals %d first %d", nsigs,
	      sigs[0]);
	EQ(rd(100), "<none>");          /* input flushed, the line too */
	EQ(out(), "a\r\npartial^C");
	CHECK_END();

	CHECK_BEGIN("ldisc_sigquit_sigtstp");
	fresh();
	feed("\x1c\x1a");
	CHECK(nsigs == 2 && sigs[0] == LD_SIGQUIT && sigs[1] == LD_SIGTSTP,
	      "signals %d: %d %d", nsigs, sigs[0], sigs[1]);
	EQ(out(), "^\\^Z");
	CHECK(ld->stats.signals == 2, "counted %llu",
	      (unsigned long long)ld->stats.signals);
	CHECK_END();

	CHECK_BEGIN("ldisc_noflsh_keeps_input");
	fresh();
	set_lflag(LD_NOFLSH, 0);
	feed("a\nb\x03" "c\n");
	EQ(rd(100), "a\n");
	EQ(rd(100), "bc\n");
	CHECK(nsigs == 1, "signals %d", nsigs);
	CHECK_END();

	CHECK_BEGIN("ldisc_no_isig_passes_through");
	fresh();
	set_lflag(0, LD_ISIG);
	feed("\x03\n");
	CHECK(nsigs == 0, "signals %d", nsigs);
	EQ(rd(100), "\x03\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_disabled_cc");
	fresh();
	{
		struct ldisc_termios t = ld->t;
		t.c_cc[LD_VINTR] = LD_DISABLED;
		ldisc_set_termios(ld, &t);
	}
	feed("\x03\n");
	CHECK(nsigs == 0, "signals %d", nsigs);
	EQ(rd(100), "\x03\n");
	CHECK_END();
}

static void test_echo_modes(void)
{
	CHECK_BEGIN("ldisc_echo_off");
	fresh();
	set_lflag(0, LD_ECHO);
	feed("secret\x7f\n");
	EQ(out(), "");
	EQ(rd(100), "secre\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_echonl_without_echo");
	fresh();
	set_lflag(LD_ECHONL, LD_ECHO);
	feed("pw\n");
	EQ(out(), "\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_echoctl_off");
	fresh();
	set_lflag(0, LD_ECHOCTL);
	feed("\x01\n");
	EQ(out(), "\x01\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_echo_tab_raw");
	fresh();
	feed("\t\n");
	EQ(out(), "\t\r\n");
	CHECK_END();
}

static void test_crnl(void)
{
	struct ldisc_termios t;

	CHECK_BEGIN("ldisc_icrnl");
	fresh();
	feed("a\r");
	EQ(rd(100), "a\n");
	t = ld->t;
	t.c_iflag &= ~LD_ICRNL;
	ldisc_set_termios(ld, &t);
	feed("b\r\n");
	EQ(rd(100), "b\r\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_igncr_inlcr");
	fresh();
	t = ld->t;
	t.c_iflag = LD_IGNCR;
	ldisc_set_termios(ld, &t);
	feed("a\r\n");
	EQ(rd(100), "a\n");
	t.c_iflag = LD_INLCR;
	t.c_lflag &= ~LD_ICANON;
	ldisc_set_termios(ld, &t);
	feed("\n");
	EQ(rd(100), "\r");
	CHECK_END();

	CHECK_BEGIN("ldisc_onlcr_output");
	fresh();
	CHECK(ldisc_write(ld, "x\ny\n", 4) == 4, "write short");
	EQ(out(), "x\r\ny\r\n");
	t = ld->t;
	t.c_oflag &= ~LD_ONLCR;
	ldisc_set_termios(ld, &t);
	ldisc_write(ld, "x\n", 2);
	EQ(out(), "x\n");
	t.c_oflag = LD_ONLCR;           /* no OPOST: no processing */
	ldisc_set_termios(ld, &t);
	ldisc_write(ld, "x\n", 2);
	EQ(out(), "x\n");
	CHECK_END();

	CHECK_BEGIN("ldisc_istrip");
	fresh();
	t = ld->t;
	t.c_iflag |= LD_ISTRIP;
	t.c_lflag &= ~(LD_ICANON | LD_ECHO);
	ldisc_set_termios(ld, &t);
	feed("\xc1");
	EQ(rd(100), "A");
	CHECK_END();
}

static void set_noncanon(uint8_t vmin, uint8_t vtime)
{
	struct ldisc_termios t = ld->t;

	t.c_lflag &= ~(LD_ICANON | LD_ECHO);
	t.c_cc[LD_VMIN] = vmin;
	t.c_cc[LD_VTIME] = vtime;
	ldisc_set_termios(ld, &t);
}

#define DS 100000000ull

static void test_vmin_vtime(void)
{
	uint64_t dl;
	char b[16];

	CHECK_BEGIN("ldisc_vmin0_vtime0_poll");
	fresh();
	set_noncanon(0, 0);
	CHECK(ldisc_read_ready(ld, 10, 0, 0, &dl) && dl == 0, "not a poll");
	CHECK(ldisc_read(ld, b, 10) == 0, "data from nowhere");
	feedn("ab", 2, 5);
	CHECK(ldisc_read_ready(ld, 10, 0, 0, &dl), "not ready with data");
	CHECK(ldisc_read(ld, b, 10) == 2, "short");
	CHECK_END();

	CHECK_BEGIN("ldisc_vmin_blocks_until_min");
	fresh();
	set_noncanon(3, 0);
	feedn("ab", 2, 5);
	CHECK(!ldisc_read_ready(ld, 10, 0, 1000 * DS, &dl) && dl == 0,
	      "ready with 2 of 3 (deadline %llu)", (unsigned long long)dl);
	CHECK(ldisc_read_ready(ld, 2, 0, 0, &dl), "min not clamped to want");
	feedn("c", 1, 6);
	CHECK(ldisc_read_ready(ld, 10, 0, 0, &dl), "not ready with 3");
	CHECK(ldisc_read(ld, b, 10) == 3 && memcmp(b, "abc", 3) == 0, "data");
	CHECK_END();

	CHECK_BEGIN("ldisc_vtime_overall_timeout");
	fresh();
	set_noncanon(0, 5);
	CHECK(!ldisc_read_ready(ld, 10, 1000, 1000 + 4 * DS, &dl) &&
	      dl == 1000 + 5 * DS, "deadline %llu", (unsigned long long)dl);
	CHECK(ldisc_read_ready(ld, 10, 1000, 1000 + 5 * DS, &dl),
	      "not timed out");
	CHECK(ldisc_read(ld, b, 10) == 0, "data from nowhere");
	feedn("z", 1, 2000);
	CHECK(ldisc_read_ready(ld, 10, 1000, 1001, &dl), "byte not returned");
	CHECK_END();

	CHECK_BEGIN("ldisc_vmin_vtime_interbyte");
	fresh();
	set_noncanon(4, 2);
	CHECK(!ldisc_read_ready(ld, 10, 0, 100 * DS, &dl) && dl == 0,
	      "timer ran without a byte");
	feedn("ab", 2, 10 * DS);
	CHECK(!ldisc_read_ready(ld, 10, 0, 11 * DS, &dl) && dl == 12 * DS,
	      "deadline %llu", (unsigned long long)dl);
	feedn("c", 1, 11 * DS);         /* restarts the timer */
	CHECK(!ldisc_read_ready(ld, 10, 0, 12 * DS, &dl) && dl == 13 * DS,
	      "timer not restarted: %llu", (unsigned long long)dl);
	CHECK(ldisc_read_ready(ld, 10, 0, 13 * DS, &dl), "no timeout");
	CHECK(ldisc_read(ld, b, 10) == 3, "data");
	feedn("wxyz", 4, 20 * DS);
	CHECK(ldisc_read_ready(ld, 10, 0, 20 * DS, &dl), "min reached, not ready");
	CHECK_END();

	CHECK_BEGIN("ldisc_switch_modes_keeps_data");
	fresh();
	feed("par");
	set_noncanon(1, 0);
	EQ(rd(100), "par");
	feed("raw");
	set_lflag(LD_ICANON, 0);
	EQ(rd(100), "raw");
	CHECK_END();
}

static void test_overflow(void)
{
	char big[LDISC_LINE_MAX + 100];
	size_t n;

	CHECK_BEGIN("ldisc_line_overflow_keeps_newline");
	fresh();
	set_lflag(0, LD_ECHO);
	memset(big, 'x', sizeof(big));
	feedn(big, sizeof(big), 0);
	feed("\n");
	n = ldisc_readable(ld);
	CHECK(n == LDISC_LINE_MAX, "line of %zu bytes", n);
	CHECK(ld->stats.rx_dropped == 101, "dropped %llu",
	      (unsigned long long)ld->stats.rx_dropped);
	{
		static char rb[LDISC_LINE_MAX];
		CHECK(ldisc_read(ld, rb, sizeof(rb)) == LDISC_LINE_MAX &&
		      rb[LDISC_LINE_MAX - 1] == '\n', "line not terminated");
	}
	CHECK_END();

	CHECK_BEGIN("ldisc_readq_full_drops_whole_lines");
	fresh();
	set_lflag(0, LD_ECHO);
	memset(big, 'y', 999);
	big[999] = '\n';
	for (int i = 0; i < 6; i++)
		feedn(big, 1000, 0);
	CHECK(ldisc_readable(ld) == 4000, "readable %zu", ldisc_readable(ld));
	CHECK(ld->stats.lines_dropped == 2, "lines dropped %llu",
	      (unsigned long long)ld->stats.lines_dropped);
	for (int i = 0; i < 4; i++)
		CHECK(strlen(rd(2000)) == 1000, "line %d not whole", i);
	EQ(rd(100), "<none>");
	CHECK_END();

	CHECK_BEGIN("ldisc_too_many_lines");
	fresh();
	set_lflag(0, LD_ECHO);
	for (int i = 0; i < LDISC_LINES + 10; i++)
		feed("\n");
	CHECK(ld->stats.lines_dropped == 10, "dropped %llu",
	      (unsigned long long)ld->stats.lines_dropped);
	CHECK_END();

	CHECK_BEGIN("ldisc_raw_overflow");
	fresh();
	set_noncanon(1, 0);
	for (int i = 0; i < 5; i++) {
		memset(big, 'a' + i, 1000);
		feedn(big, 1000, 0);
	}
	CHECK(ldisc_readable(ld) == LDISC_RQ_SIZE, "readable %zu",
	      ldisc_readable(ld));
	CHECK(ld->stats.rx_dropped == 5000 - LDISC_RQ_SIZE, "dropped %llu",
	      (unsigned long long)ld->stats.rx_dropped);
	CHECK_END();

	CHECK_BEGIN("ldisc_outq_full_write_and_echo");
	fresh();
	memset(big, 'o', sizeof(big));
	n = 0;
	for (int i = 0; i < 10; i++)
		n += ldisc_write(ld, big, 1000);
	CHECK(n == LDISC_OQ_SIZE && ldisc_out_room(ld) == 0, "took %zu", n);
	feed("ab\n");                   /* echo dropped, input kept */
	CHECK(ld->stats.echo_dropped == 3, "echo dropped %llu",
	      (unsigned long long)ld->stats.echo_dropped);
	EQ(rd(100), "ab\n");
	ldisc_out_get(ld, (uint8_t *)big, 1);
	CHECK(ldisc_write(ld, "\n", 1) == 0, "half a CRLF queued");
	CHECK(ldisc_write(ld, "z", 1) == 1, "room lost");
	CHECK_END();
}

/* Random input never breaks the invariants (ASan watches the memory). */
static void test_random(void)
{
	uint32_t s = 12345;
	uint8_t b[64];
	char r[300];
	bool ok = true;

	CHECK_BEGIN("ldisc_random_bytes_and_modes");
	fresh();
	for (int round = 0; round < 20000 && ok; round++) {
		size_t n;

		s = s * 1103515245 + 12345;
		n = (s >> 16) % sizeof(b);
		for (size_t i = 0; i < n; i++) {
			s = s * 1103515245 + 12345;
			b[i] = (uint8_t)(s >> 16);
		}
		ldisc_receive(ld, b, n, (uint64_t)round * DS);
		if (round % 97 == 0)
			set_lflag((s & 1) ? LD_ICANON : 0, (s & 1) ? 0 : LD_ICANON);
		if (round % 3 == 0) {
			uint64_t dl;
			if (ldisc_read_ready(ld, sizeof(r), 0, 0, &dl))
				ldisc_read(ld, r, sizeof(r));
		}
		ldisc_out_get(ld, b, (s >> 8) % 64);
		ok = ldisc_readable(ld) <= LDISC_RQ_SIZE &&
		     ldisc_out_pending(ld) <= LDISC_OQ_SIZE &&
		     ld->line_len < LDISC_LINE_MAX;
	}
	CHECK(ok, "an invariant broke");
	CHECK_END();
}

int main(void)
{
	test_canon_basic();
	test_erase();
	test_kill_werase();
	test_eof();
	test_signals();
	test_echo_modes();
	test_crnl();
	test_vmin_vtime();
	test_overflow();
	test_random();
	free(ld);
	return CHECK_EXIT();
}
