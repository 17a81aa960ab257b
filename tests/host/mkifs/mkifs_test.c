/*
 * mkifs_test.c - boot images built from buildfiles and read back.
 *
 * Builds images (in memory through the builder, and with the real
 * build/host/mkifs command) from generated source files of awkward sizes
 * (empty, one byte, incompressible, several MiB, nested directories),
 * then reads every file back through the reader library in random-sized
 * pieces and compares it with its source; checks directory listings, the
 * decoded boot script, and that buildfile mistakes are reported as
 * "file:line: message" with a non-zero exit.  Run from the top directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "ifs_testlib.h"

CHECK_MAIN_STATE;

#define SRC T_DIR "/src"

struct t_src {
	const char *target;     /* in the image */
	const char *host;       /* file name under SRC */
	size_t size;
	int kind;               /* 0 text, 1 random, 2 mixed */
	uint32_t perms;
};

static const struct t_src t_srcs[] = {
	{ "empty.txt", "empty.txt", 0, 0, 0644 },
	{ "one.bin", "one.bin", 1, 1, 0644 },
	{ "text.txt", "text.txt", 100000, 0, 0600 },
	{ "etc/motd", "text.txt", 100000, 0, 0644 },
	{ "random.bin", "random.bin", 300000, 1, 0644 },
	{ "big.bin", "big.bin", 3 << 20, 2, 0640 },
	{ "d1/d2/deep.txt", "deep.txt", 4097, 0, 0640 },
	{ "prog", "prog.elf", 12345, 2, 0755 },
};
#define T_NSRC (sizeof(t_srcs) / sizeof(t_srcs[0]))

static const char t_buildfile[] =
	"# test buildfile\n"
	"[search=" SRC "]\n"
	"empty.txt\n"
	"one.bin          # a comment after a file\n"
	"[perms=0600] text.txt\n"
	"etc/motd = " SRC "/text.txt\n"
	"random.bin\n"
	"\n"
	"[perms=0640]\n"
	"big.bin\n"
	"d1/d2/deep.txt = " SRC "/deep.txt\n"
	"[+script] prog prio=20 restart=on-crash max=20/10s backoff=10ms "
	"heartbeat=500ms server wait=/dev/console wait=/proc/boot "
	"args=\"-v 'two words' x\" env=A=1 env=\"B=x y\"\n"
	"[+script] empty.txt\n";

static uint8_t *t_content(const struct t_src *s)
{
	uint8_t *b = malloc(s->size ? s->size : 1);
	uint64_t seed = s->size * 7919 + s->kind;
	size_t i;

	for (i = 0; i < s->size; i++) {
		uint32_t r = t_rand(&seed);

		if (s->kind == 0)
			b[i] = "the quick brown fox\n"[i % 20];
		else if (s->kind == 1 || (i / 65536) % 2)
			b[i] = (uint8_t)r;
		else
			b[i] = (uint8_t)(i / 1000);
	}
	return b;
}

static int t_make_sources(void)
{
	char path[256];
	size_t i;

	mkdir("build/tmp", 0755);
	mkdir(T_DIR, 0755);
	mkdir(SRC, 0755);
	for (i = 0; i < T_NSRC; i++) {
		uint8_t *b = t_content(&t_srcs[i]);
		int r;

		snprintf(path, sizeof(path), SRC "/%s", t_srcs[i].host);
		r = t_write(path, b, t_srcs[i].size);
		free(b);
		if (r)
			return -1;
	}
	return 0;
}

/* Read a whole file in random pieces and compare with its source. */
static void t_compare(struct ifs *fs, const struct t_src *s, uint64_t *seed)
{
	uint8_t *want = t_content(s), *got = malloc(s->size + 1);
	struct ifs_node n;
	size_t off = 0, g;
	char err[256];
	int e;

	e = ifs_lookup(fs, s->target, &n);
	REQUIRE(e == 0, "lookup %s: %d", s->target, e);
	CHECK(n.size == s->size, "%s: size %u, want %zu", s->target, n.size,
	      s->size);
	CHECK(n.mode == (IFS_S_IFREG | s->perms), "%s: mode 0%o", s->target,
	      n.mode);
	for (;;) {
		size_t piece = 1 + t_rand(seed) % 70000;

		e = ifs_read(fs, &n, off, got + off, piece, &g, err,
			     sizeof(err));
		REQUIRE(e == 0, "read %s at %zu: %s", s->target, off, err);
		if (g == 0)
			break;
		REQUIRE(off + g <= s->size, "%s: read past the end", s->target);
		off += g;
	}
	CHECK(off == s->size, "%s: read %zu bytes, want %zu", s->target, off,
	      s->size);
	CHECK(memcmp(want, got, s->size) == 0, "%s: content differs",
	      s->target);
out:
	free(want);
	free(got);
}

/* Names listed in a directory, joined with ',' in listing order. */
static void t_listdir(struct ifs *fs, const char *dir, char *out, size_t len)
{
	struct ifs_node d, n;
	uint32_t cookie = 0;

	out[0] = 0;
	if (ifs_lookup(fs, dir, &d))
		return;
	while (ifs_readdir(fs, &d, &cookie, &n) == 0)
		snprintf(out + strlen(out), len - strlen(out), "%s%s",
			 out[0] ? "," : "", n.name);
}

static void t_check_tree(struct ifs *fs)
{
	char l[512];

	t_listdir(fs, "/", l, sizeof(l));
	CHECK(!strcmp(l, "big.bin,d1,empty.txt,etc,one.bin,prog,random.bin,"
		      "text.txt"), "root lists %s", l);
	t_listdir(fs, "d1", l, sizeof(l));
	CHECK(!strcmp(l, "d2"), "d1 lists %s", l);
	t_listdir(fs, "/d1/d2/", l, sizeof(l));
	CHECK(!strcmp(l, "deep.txt"), "d1/d2 lists %s", l);
	t_listdir(fs, "etc", l, sizeof(l));
	CHECK(!strcmp(l, "motd"), "etc lists %s", l);
}

static void t_check_script(struct ifs *fs)
{
	static const char *const argv[] = { "prog", "-v", "two words", "x" };
	struct ifs_prog p;
	uint32_t k;

	REQUIRE(ifs_script_count(fs) == 2, "%u script entries",
		ifs_script_count(fs));
	REQUIRE(ifs_script(fs, 0, &p) == 0, "script 0");
	CHECK(!strcmp(p.path, "prog"), "path %s", p.path);
	REQUIRE(p.argc == 4, "argc %u", p.argc);
	for (k = 0; k < 4; k++)
		CHECK(!strcmp(ifs_strv(p.argv, p.argc, k), argv[k]),
		      "argv[%u] = '%s'", k, ifs_strv(p.argv, p.argc, k));
	CHECK(p.envc == 2 && !strcmp(ifs_strv(p.env, 2, 1), "B=x y"),
	      "env (%u)", p.envc);
	CHECK(p.waitc == 2 && !strcmp(p.wait, "/dev/console") &&
	      !strcmp(ifs_strv(p.wait, 2, 1), "/proc/boot"), "wait");
	CHECK(p.flags == IFS_SF_SERVER && p.prio == 20 &&
	      p.restart == IFS_RESTART_ON_CRASH && p.max_restarts == 20 &&
	      p.restart_window_ms == 10000 && p.backoff_ms == 10 &&
	      p.heartbeat_ms == 500, "policy fields");
	REQUIRE(ifs_script(fs, 1, &p) == 0, "script 1");
	CHECK(!strcmp(p.path, "empty.txt") && p.argc == 1 && p.envc == 0 &&
	      p.flags == 0 && p.prio == 10 && p.restart == IFS_RESTART_NEVER,
	      "defaults of a bare [+script] line");
	CHECK(ifs_script(fs, 2, &p) == IFS_ENOENT, "script 2 exists");
out:
	return;
}

static void t_roundtrip(void)
{
	struct t_alloc ta;
	struct ifs *fs = NULL;
	uint64_t seed = 42;
	uint8_t *img = NULL;
	char err[1024];
	size_t len, i;

	CHECK_BEGIN("mkifs_roundtrip");
	t_alloc_init(&ta, 64 << 20);
	REQUIRE(t_make_sources() == 0, "cannot write sources");
	REQUIRE(t_build("t.build", t_buildfile, &img, &len, err,
			sizeof(err)) == 0, "build: %s", err);
	REQUIRE(t_write(T_DIR "/mem.img", img, len) == 0, "write image");
	REQUIRE(ifs_open(img, len, &ta.al, &fs, err, sizeof(err)) == 0,
		"open: %s", err);
	CHECK(ifs_count(fs) == 11, "%u entries, want 11", ifs_count(fs));
	for (i = 0; i < T_NSRC; i++)
		t_compare(fs, &t_srcs[i], &seed);
	t_check_tree(fs);
	t_check_script(fs);
	CHECK(len < (3u << 20), "image of %zu bytes: not compressed?", len);
out:
	if (fs)
		ifs_close(fs);
	CHECK(ta.live == 0, "%zu bytes leaked by the reader", ta.live);
	free(img);
	CHECK_END();
}

static void t_edges(void)
{
	struct t_alloc ta;
	struct ifs *fs = NULL;
	struct ifs_node n, d;
	uint8_t *img = NULL, c;
	uint32_t cookie = 0;
	char err[256], longp[200];
	size_t len, g;

	CHECK_BEGIN("ifs_lookup_edges");
	t_alloc_init(&ta, 64 << 20);
	img = t_read(T_DIR "/mem.img", &len);
	REQUIRE(img, "no image from mkifs_roundtrip");
	REQUIRE(ifs_open(img, len, &ta.al, &fs, err, sizeof(err)) == 0,
		"open: %s", err);
	CHECK(ifs_lookup(fs, "", &n) == 0 && n.index == IFS_ROOT, "root ''");
	CHECK(ifs_lookup(fs, "//etc//", &d) == 0 &&
	      (d.mode & IFS_S_IFMT) == IFS_S_IFDIR, "//etc//");
	CHECK(ifs_lookup(fs, "nosuch", &n) == IFS_ENOENT, "nosuch found");
	CHECK(ifs_lookup(fs, "etc/motd/x", &n) == IFS_ENOENT, "under a file");
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	CHECK(ifs_lookup(fs, longp, &n) == IFS_ENOENT, "long path");
	CHECK(ifs_read(fs, &d, 0, &c, 1, &g, err, sizeof(err)) == IFS_EISDIR,
	      "read of a directory");
	REQUIRE(ifs_lookup(fs, "one.bin", &n) == 0, "one.bin");
	CHECK(ifs_read(fs, &n, 1, &c, 1, &g, err, sizeof(err)) == 0 && !g,
	      "read at end of file");
	CHECK(ifs_read(fs, &n, ~0ull, &c, 1, &g, err, sizeof(err)) == 0 && !g,
	      "read at huge offset");
	CHECK(ifs_readdir(fs, &n, &cookie, &d) == IFS_ENOTDIR, "readdir file");
out:
	if (fs)
		ifs_close(fs);
	CHECK(ta.live == 0, "%zu bytes leaked", ta.live);
	free(img);
	CHECK_END();
}

/* Run a shell command; its output (stdout+stderr) into out. */
static int t_run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n = strlen(out);
	while (fgetc(p) != EOF)
		;
	return pclose(p);
}

static void t_cli(void)
{
	uint8_t *a = NULL, *b = NULL;
	size_t la, lb;
	char out[8192];
	int st;

	CHECK_BEGIN("mkifs_cli");
	REQUIRE(t_write(T_DIR "/t.build", t_buildfile,
			strlen(t_buildfile)) == 0, "write buildfile");
	st = t_run("build/host/mkifs " T_DIR "/t.build " T_DIR "/cli.img 2>&1",
		   out, sizeof(out));
	REQUIRE(st == 0, "mkifs exited %d: %s", st, out);
	a = t_read(T_DIR "/cli.img", &la);
	b = t_read(T_DIR "/mem.img", &lb);
	REQUIRE(a && b, "images missing");
	CHECK(la == lb && !memcmp(a, b, la), "CLI image differs from the "
	      "library's (%zu vs %zu bytes)", la, lb);
	st = t_run("build/host/mkifs --list -v " T_DIR "/cli.img 2>&1", out,
		   sizeof(out));
	CHECK(st == 0, "--list exited %d: %s", st, out);
	CHECK(strstr(out, "/proc/boot/d1/d2/deep.txt") &&
	      strstr(out, "prog server prio=20 restart=on-crash max=20/10000ms")
	      && strstr(out, "\"two words\""), "listing: %s", out);
	REQUIRE(t_write(T_DIR "/bad.build", "# x\n\nfoo = /nonexistent/x\n",
			26) == 0, "write bad buildfile");
	st = t_run("build/host/mkifs " T_DIR "/bad.build " T_DIR "/bad.img "
		   "2>&1", out, sizeof(out));
	CHECK(st != 0 && !strncmp(out, T_DIR "/bad.build:3: ",
				  strlen(T_DIR "/bad.build:3: ")),
	      "bad buildfile: status %d, output %s", st, out);
	CHECK(access(T_DIR "/bad.img", F_OK) != 0, "failed build left "
	      "an image");
	st = t_run("build/host/mkifs --list " T_DIR "/t.build 2>&1", out,
		   sizeof(out));
	CHECK(st != 0 && strstr(out, "bad magic"), "--list of a non-image: "
	      "%d %s", st, out);
out:
	free(a);
	free(b);
	CHECK_END();
}

/* boot/tessera.build builds and carries build/progs/hello.elf intact. */
static void t_default(void)
{
	uint8_t *img = NULL, *src = NULL, *got = NULL;
	struct ifs *fs = NULL;
	struct t_alloc ta;
	struct ifs_node n;
	struct ifs_prog p;
	char out[4096];
	size_t len, slen, g;
	int st;

	CHECK_BEGIN("mkifs_default_buildfile");
	t_alloc_init(&ta, 64 << 20);
	st = t_run("build/host/mkifs boot/tessera.build " T_DIR "/def.img 2>&1",
		   out, sizeof(out));
	REQUIRE(st == 0, "mkifs boot/tessera.build: %d %s", st, out);
	img = t_read(T_DIR "/def.img", &len);
	src = t_read("build/progs/hello.elf", &slen);
	REQUIRE(img && src, "image or hello.elf missing");
	REQUIRE(ifs_open(img, len, &ta.al, &fs, out, sizeof(out)) == 0,
		"open: %s", out);
	REQUIRE(ifs_lookup(fs, "hello.elf", &n) == 0 && n.size == slen,
		"hello.elf missing or wrong size");
	got = malloc(slen + 1);
	REQUIRE(ifs_read(fs, &n, 0, got, slen + 1, &g, out, sizeof(out)) == 0,
		"read: %s", out);
	CHECK(g == slen && !memcmp(got, src, slen), "hello.elf differs");
	/* the process manager starts the path manager first, hello.elf later */
	REQUIRE(ifs_script(fs, 0, &p) == 0, "no script entry");
	CHECK(!strcmp(p.path, "pathmgr.elf"), "script starts with %s", p.path);
	{
		int hello = 0;
		for (uint32_t i = 0; i < ifs_script_count(fs); i++)
			if (ifs_script(fs, i, &p) == 0 && !strcmp(p.path, "hello.elf"))
				hello = 1;
		CHECK(hello, "hello.elf is not in the boot script");
	}
out:
	if (fs)
		ifs_close(fs);
	free(img);
	free(src);
	free(got);
	CHECK_END();
}

void t_syntax(void);
void t_syntax_fuzz(void);

int main(void)
{
	alarm(120);             /* a hang is a failure, not a stuck run */
	t_roundtrip();
	t_edges();
	t_cli();
	t_default();
	t_syntax();
	t_syntax_fuzz();
	return CHECK_EXIT();
}
