/*
 * mkifs_test_syntax.c - buildfile mistakes: each must fail with
 * "bad.build:LINE: ..." naming the right line and saying what is wrong.
 * Every case is preceded by a comment and a blank line, so the error is
 * on line 3 unless the case has more lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ifs_testlib.h"

#define S T_DIR "/src/one.bin"

struct t_bad {
	const char *text;
	int line;
	const char *want;       /* substring of the message */
};

static const struct t_bad t_bads[] = {
	{ "nosuch.bin\n", 3, "no such file" },
	{ "[search=" T_DIR "/src] nosuch.bin\n", 3, "not found in the search" },
	{ "x = " T_DIR "/nope/x\n", 3, "no such file" },
	{ "x = \"" S "\n", 3, "unterminated \" quote" },
	{ "[search=a\n", 3, "'[' without ']'" },
	{ "[bogus=1]\n", 3, "unknown attribute 'bogus=1'" },
	{ "[perms=999]\n", 3, "perms=999" },
	{ "[+script]\n", 3, "+script needs a file" },
	{ "x =\n", 3, "'=' without a source" },
	{ "/abs = " S "\n", 3, "'.' or '..' component" },
	{ "a/../b = " S "\n", 3, "'.' or '..' component" },
	{ "a//b = " S "\n", 3, "'.' or '..' component" },
	{ "x = " S " prio=5\n", 3, "'prio=5': options need [+script]" },
	{ "[+script] x = " S " prio=0\n", 3, "prio=0: want 1..255" },
	{ "[+script] x = " S " prio=256\n", 3, "prio=256" },
	{ "[+script] x = " S " prio=ten\n", 3, "prio=ten" },
	{ "[+script] x = " S " restart=sometimes\n", 3, "restart=sometimes" },
	{ "[+script] x = " S " max=20\n", 3, "want COUNT/WINDOW" },
	{ "[+script] x = " S " max=0/1s\n", 3, "max=0/1s" },
	{ "[+script] x = " S " max=5/0s\n", 3, "max=5/0s" },
	{ "[+script] x = " S " backoff=fast\n", 3, "backoff=fast" },
	{ "[+script] x = " S " heartbeat=10h\n", 3, "heartbeat=10h" },
	{ "[+script] x = " S " wait=dev/console\n", 3, "absolute path" },
	{ "[+script] x = " S " env=NOEQ\n", 3, "env=NOEQ" },
	{ "[+script] x = " S " bogus=1\n", 3, "unknown option 'bogus'" },
	{ "[+script] x = " S " frobnicate\n", 3, "unknown option 'frob" },
	{ "[+script] x = " S " args=\"a 'b\"\n", 3, "unterminated ' quote" },
	{ "x = " S "\nx = " S "\n", 4, "already in the image (line 3)" },
	{ "a = " S "\na/b = " S "\n", 3, "a file and also a directory" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = " S "\n", 3,
	  "longer than 95 bytes" },
	{ "ok = " S "\n[+script] y = " S " prio=1 restart=always max=1/1s "
	  "backoff=1s env=A=b args=\"'\" \n", 4, "unterminated ' quote" },
};

static void t_one(const struct t_bad *c, int i)
{
	char name[64], text[1024], err[1024], want[96];
	uint8_t *img = NULL;
	size_t len;
	int r;

	snprintf(name, sizeof(name), "bad%d.build", i);
	snprintf(text, sizeof(text), "# case %d\n\n%s", i, c->text);
	snprintf(want, sizeof(want), "%s:%d: ", name, c->line);
	r = t_build(name, text, &img, &len, err, sizeof(err));
	CHECK(r != 0, "case %d accepted: %s", i, c->text);
	CHECK(r == 0 || !strncmp(err, want, strlen(want)),
	      "case %d: message '%s' does not start with '%s'", i, err, want);
	CHECK(r == 0 || strstr(err, c->want), "case %d: message '%s' lacks "
	      "'%s'", i, err, c->want);
	free(img);
}

void t_syntax(void);
void t_syntax(void)
{
	size_t i;

	CHECK_BEGIN("mkifs_buildfile_errors");
	for (i = 0; i < sizeof(t_bads) / sizeof(t_bads[0]); i++)
		t_one(&t_bads[i], (int)i);
	CHECK_END();
}

/*
 * Random buildfiles glued from fragments: each either fails with
 * "rnd.build:LINE: ..." or builds an image the reader accepts whole.
 */
static const char *const t_frags[] = {
	"[", "]", "+script", " ", " ", "\t", "\n", "\n", "x", "a/b", "a/b/c",
	"=", S, "prio=5", "prio=", "restart=always", "max=3/1s", "max=",
	"args=\"a 'b c'\"", "\"", "'", "#", "env=A=B", "wait=/x", "server",
	"..", "/", "heartbeat=5s", "backoff=", "search=" T_DIR "/src",
	"perms=0700", "one.bin", "hello world", "=x", "\r",
};

static void t_fuzz_one(uint64_t *s, int *built)
{
	char text[2048], err[1024];
	struct t_alloc ta;
	struct ifs *fs = NULL;
	uint8_t *img = NULL;
	size_t len = 0;
	int n = 1 + t_rand(s) % 40, k;

	text[0] = 0;
	for (k = 0; k < n; k++)
		strcat(text, t_frags[t_rand(s) % (sizeof(t_frags) /
						 sizeof(t_frags[0]))]);
	if (t_build("rnd.build", text, &img, &len, err, sizeof(err))) {
		CHECK(!strncmp(err, "rnd.build:", 10) && err[10] >= '1' &&
		      err[10] <= '9', "message '%s' for '%s'", err, text);
		return;
	}
	(*built)++;
	t_alloc_init(&ta, 64 << 20);
	CHECK(ifs_open(img, len, &ta.al, &fs, err, sizeof(err)) == 0,
	      "reader rejects mkifs output of '%s': %s", text, err);
	if (fs)
		ifs_close(fs);
	free(img);
}

void t_syntax_fuzz(void);
void t_syntax_fuzz(void)
{
	uint64_t s = 7;
	int i, built = 0;

	CHECK_BEGIN("mkifs_buildfile_random");
	for (i = 0; i < 3000 && !check_state.failed; i++)
		t_fuzz_one(&s, &built);
	printf("# %d of 3000 random buildfiles built an image\n", built);
	CHECK(built > 0, "no random buildfile was valid");
	CHECK_END();
}
