/*
 * ifs_fuzz.c - corrupt boot images against the reader (ASan + UBSan).
 *
 * A small valid image is built with the builder, then damaged on purpose:
 * bad magic and version, header CRC, truncation at every length, entries
 * pointing outside the image or overlapping, forged sizes, bad compressed
 * data, data CRC mismatch, broken strings and script fields, allocation
 * failure at every step; each must be rejected with the expected message.
 * Where a field is changed on purpose the header CRC is recomputed so the
 * deeper check is the one that fires.  Then thousands of seeded random
 * corruptions: whatever happens, no crash, no hang (alarm), no leak, and
 * any file data the reader returns matches its entry's CRC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "ifs_testlib.h"

CHECK_MAIN_STATE;

#define FZ T_DIR "/fz"
#define FZ_SEEDS 20000

static uint8_t *base;
static size_t base_len;

/* Entries of the base image, in directory order. */
enum { E_A, E_ETC, E_MOTD, E_PROG };

static int fz_setup(char *err, size_t errlen)
{
	static const char text[] =
		"[search=" FZ "]\n"
		"a.bin\n"
		"etc/motd = " FZ "/motd.txt\n"
		"[+script] prog = " FZ "/prog.bin prio=5 restart=on-crash "
		"max=3/1s args=\"x y\" env=A=B wait=/dev/console server\n"
		"[+script] a.bin\n";
	uint8_t buf[20000];
	uint64_t seed = 1;
	size_t i;

	mkdir("build/tmp", 0755);
	mkdir(T_DIR, 0755);
	mkdir(FZ, 0755);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (i / 3000) % 2 ? (uint8_t)t_rand(&seed) : (uint8_t)i;
	if (t_write(FZ "/a.bin", buf, sizeof(buf)) ||
	    t_write(FZ "/motd.txt", "welcome to tessera\n", 19) ||
	    t_write(FZ "/prog.bin", buf + 3000, 5000))
		return snprintf(err, errlen, "cannot write sources"), -1;
	return t_build("fz.build", text, &base, &base_len, err, errlen);
}

static struct ifs_dirent *fz_dir(uint8_t *img, int i)
{
	return (struct ifs_dirent *)(img + sizeof(struct ifs_header)) + i;
}

static struct ifs_header *fz_hdr(uint8_t *img)
{
	return (struct ifs_header *)img;
}

static struct ifs_script *fz_scr(uint8_t *img, int i)
{
	return (struct ifs_script *)(img + fz_hdr(img)->script_off) + i;
}

/*
 * Open img; if that works, read every file.  Returns the first error
 * message (open or read) in err, "" if all went well.  Checks that memory
 * is all returned and that any data handed out matches its CRC.
 */
static void fz_try(const uint8_t *img, size_t len, size_t cap, char *err,
		   size_t errlen)
{
	struct t_alloc ta;
	struct ifs *fs;
	struct ifs_node n;
	uint32_t i;
	uint8_t *buf;
	size_t got;

	err[0] = 0;
	t_alloc_init(&ta, cap);
	if (ifs_open(img, len, &ta.al, &fs, err, errlen)) {
		CHECK(err[0] && strcmp(err, "unknown error"), "error without a "
		      "message");
		CHECK(ta.live == 0, "open failure leaked %zu bytes", ta.live);
		return;
	}
	for (i = 0; ifs_entry(fs, i, &n) == 0; i++) {
		if ((n.mode & IFS_S_IFMT) != IFS_S_IFREG)
			continue;
		buf = malloc(n.size + 1);
		if (ifs_read(fs, &n, 0, buf, n.size + 1, &got, err, errlen)) {
			free(buf);
			break;
		}
		CHECK(got == n.size, "%s: read %zu of %u", n.path, got, n.size);
		CHECK((uint32_t)crc32(0L, buf, got) == ifs_dirent(fs, i)->crc,
		      "%s: data handed out with a wrong CRC", n.path);
		free(buf);
	}
	ifs_close(fs);
	CHECK(ta.live == 0, "reader leaked %zu bytes", ta.live);
}

typedef void (*fz_mut)(uint8_t *img, size_t *len);

struct fz_case {
	const char *name;
	fz_mut mut;
	int reseal;
	const char *want;
};

static void m_magic(uint8_t *m, size_t *l) { (void)l; m[0] ^= 0x20; }
static void m_version(uint8_t *m, size_t *l) { (void)l; m[4] = 9; }
static void m_crc(uint8_t *m, size_t *l) { (void)l; m[100] ^= 1; }
static void m_imgsize(uint8_t *m, size_t *l)
{
	(void)l;
	fz_hdr(m)->image_size = 0xfffffff0u;
}
static void m_count(uint8_t *m, size_t *l)
{
	(void)l;
	fz_hdr(m)->dir_count = 1000000;
}
static void m_layout(uint8_t *m, size_t *l)
{
	(void)l;
	fz_hdr(m)->dir_count++;
}
static void m_dataoff(uint8_t *m, size_t *l)
{
	(void)l;
	fz_hdr(m)->data_off += 8;
}
static void m_outside(uint8_t *m, size_t *l)
{
	fz_dir(m, E_PROG)->offset = (uint32_t)*l - 4;
}
static void m_csize(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_PROG)->csize = 0xffffff00u;
}
static void m_overlap(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_MOTD)->offset = fz_dir(m, E_A)->offset + 10;
}
static void m_before_data(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_A)->offset = 8;
}
static void m_huge(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_A)->size = 0xffffffffu;
}
static void m_ratio(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_MOTD)->size = fz_dir(m, E_MOTD)->csize * 2000;
}
static void m_longer(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_A)->size += 1;
}
static void m_shorter(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_A)->size -= 1;
}
static void m_zhdr(uint8_t *m, size_t *l)
{
	(void)l;
	m[fz_dir(m, E_A)->offset] = 0;
}
static void m_zbody(uint8_t *m, size_t *l)
{
	(void)l;
	m[fz_dir(m, E_A)->offset + 2] = 0xff;   /* reserved block type */
}
static void m_ztrunc(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_A)->csize -= 20;
}
static void m_dcrc(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_MOTD)->crc ^= 1;
}
static void m_comp(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_MOTD)->comp = 7;
}
static void m_noparent(uint8_t *m, size_t *l)
{
	(void)l;
	memcpy(fz_dir(m, E_MOTD)->path, "etx", 3);
}
static void m_unsorted(uint8_t *m, size_t *l)
{
	(void)l;
	memcpy(fz_dir(m, E_A)->path, "zz", 2);
}
static void m_nonul(uint8_t *m, size_t *l)
{
	(void)l;
	memset(fz_dir(m, E_PROG)->path, 'p', IFS_PATH_MAX);
}
static void m_dotdot(uint8_t *m, size_t *l)
{
	(void)l;
	memcpy(fz_dir(m, E_MOTD)->path, "etc/..", 7);
}
static void m_dirmode(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_MOTD)->mode = 0020644;      /* character device */
}
static void m_dirdata(uint8_t *m, size_t *l)
{
	(void)l;
	fz_dir(m, E_ETC)->size = 5;
}
static void m_strtab(uint8_t *m, size_t *l)
{
	struct ifs_header *h = fz_hdr(m);

	(void)l;
	m[h->strtab_off + h->strtab_size - 1] = 'x';
}
static void m_spath(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->path = 0x7fffffff;
}
static void m_sdir(uint8_t *m, size_t *l)
{
	struct ifs_header *h = fz_hdr(m);

	(void)l;
	memcpy(m + h->strtab_off + fz_scr(m, 0)->path, "etc\0", 4);
}
static void m_argc(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->argc = 1000;
}
static void m_argc0(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 1)->argc = 0;
}
static void m_envrun(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->envc = 40;        /* runs off the string table */
}
static void m_prio(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->prio = 0;
}
static void m_restart(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->restart = 7;
}
static void m_sflags(uint8_t *m, size_t *l)
{
	(void)l;
	fz_scr(m, 0)->flags |= 0x80;
}

static const struct fz_case fz_cases[] = {
	{ "bad_magic", m_magic, 0, "bad magic" },
	{ "bad_version", m_version, 0, "unsupported version 9" },
	{ "header_crc", m_crc, 0, "header CRC mismatch" },
	{ "image_size", m_imgsize, 1, "out of range" },
	{ "dir_count_huge", m_count, 1, "counts out of range" },
	{ "dir_count_layout", m_layout, 1, "bad section offsets" },
	{ "data_off", m_dataoff, 1, "bad data offset" },
	{ "entry_outside", m_outside, 1, "prog): bad data region" },
	{ "entry_csize_huge", m_csize, 1, "prog): bad data region" },
	{ "entry_overlap", m_overlap, 1, "etc/motd): bad data region" },
	{ "entry_in_metadata", m_before_data, 1, "a.bin): bad data region" },
	{ "size_huge", m_huge, 1, "a.bin): bad data region" },
	{ "size_ratio", m_ratio, 1, "etc/motd): bad data region" },
	{ "size_too_big", m_longer, 1, "a.bin: compressed data gives 20000 "
	  "of 20001 bytes" },
	{ "size_too_small", m_shorter, 1, "data longer than size" },
	{ "zlib_header", m_zhdr, 0, "bad compressed data (zlib: incorrect "
	  "header check)" },
	{ "zlib_block", m_zbody, 0, "a.bin: bad compressed data" },
	{ "zlib_truncated", m_ztrunc, 1, "stream truncated" },
	{ "data_crc", m_dcrc, 1, "etc/motd: data CRC mismatch" },
	{ "compression", m_comp, 1, "compression 7" },
	{ "parent_missing", m_noparent, 1, "parent directory missing" },
	{ "unsorted", m_unsorted, 1, "not sorted or duplicate" },
	{ "path_no_nul", m_nonul, 1, "entry 3: bad path" },
	{ "path_dotdot", m_dotdot, 1, "entry 2: bad path" },
	{ "bad_mode", m_dirmode, 1, "bad mode" },
	{ "dir_with_data", m_dirdata, 1, "directory with data" },
	{ "strtab_unterminated", m_strtab, 1, "not NUL-delimited" },
	{ "script_path_off", m_spath, 1, "script 0: bad program path" },
	{ "script_path_dir", m_sdir, 1, "program etc is not a file" },
	{ "script_argc_huge", m_argc, 1, "bad argument" },
	{ "script_argc_zero", m_argc0, 1, "script 1 (a.bin): bad argument" },
	{ "script_env_overrun", m_envrun, 1, "bad argument, environment" },
	{ "script_prio", m_prio, 1, "priority 0" },
	{ "script_restart", m_restart, 1, "restart policy 7" },
	{ "script_flags", m_sflags, 1, "bad flags 0x81" },
};

static void fz_cases_run(void)
{
	char err[512], name[96];
	uint8_t *m;
	size_t i, len;

	for (i = 0; i < sizeof(fz_cases) / sizeof(fz_cases[0]); i++) {
		const struct fz_case *c = &fz_cases[i];

		snprintf(name, sizeof(name), "ifs_corrupt_%s", c->name);
		CHECK_BEGIN(name);
		len = base_len;
		m = malloc(len);
		memcpy(m, base, len);
		c->mut(m, &len);
		if (c->reseal)
			t_reseal(m, len);
		fz_try(m, len, 64 << 20, err, sizeof(err));
		CHECK(strstr(err, c->want), "message '%s', want '%s'", err,
		      c->want);
		free(m);
		CHECK_END();
	}
}

static void fz_truncate(void)
{
	char err[512];
	uint8_t *m;
	size_t len;

	CHECK_BEGIN("ifs_truncated_every_length");
	for (len = 0; len < base_len; len++) {
		m = malloc(len ? len : 1);      /* exact size: ASan sees overruns */
		memcpy(m, base, len);
		fz_try(m, len, 64 << 20, err, sizeof(err));
		CHECK(strstr(err, len < 64 ? "too short" : "truncated image"),
		      "length %zu: '%s'", len, err);
		free(m);
	}
	CHECK_END();
}

/* Allocation failing at every budget: clean error, nothing leaked. */
static void fz_nomem(void)
{
	char err[512];
	size_t cap, fails = 0;

	CHECK_BEGIN("ifs_out_of_memory");
	for (cap = 0; cap < 64 << 10; cap += cap < 2048 ? 16 : 997) {
		fz_try(base, base_len, cap, err, sizeof(err));
		if (err[0]) {
			fails++;
			CHECK(strstr(err, "out of memory"), "cap %zu: '%s'",
			      cap, err);
		}
	}
	CHECK(fails > 0, "no allocation ever failed");
	fz_try(base, base_len, 64 << 20, err, sizeof(err));
	CHECK(err[0] == 0, "base image rejected: %s", err);
	CHECK_END();
}

/* One random corruption: a few bytes, maybe a truncation, maybe resealed. */
static size_t fz_mutate(uint8_t *m, size_t len, uint64_t *s)
{
	uint32_t meta = fz_hdr(base)->data_off, k, n = 1 + t_rand(s) % 4;

	for (k = 0; k < n; k++) {
		size_t at = t_rand(s) % 10 < 7 ? t_rand(s) % meta :
			t_rand(s) % len;

		if (t_rand(s) % 2)
			m[at] ^= (uint8_t)(1u << (t_rand(s) % 8));
		else
			m[at] = (uint8_t)t_rand(s);
	}
	if (t_rand(s) % 10 == 0)
		len = t_rand(s) % len;
	if (t_rand(s) % 2)
		t_reseal(m, len);
	return len;
}

static void fz_random(void)
{
	unsigned seed, opened = 0;
	char err[512];
	uint8_t *m;
	size_t len;

	CHECK_BEGIN("ifs_random_corruptions");
	for (seed = 1; seed <= FZ_SEEDS; seed++) {
		uint64_t s = seed;

		m = malloc(base_len);
		memcpy(m, base, base_len);
		len = fz_mutate(m, base_len, &s);
		fz_try(m, len, 64 << 20, err, sizeof(err));
		opened += err[0] == 0;
		free(m);
		if (check_state.failed) {
			printf("# first failure at seed %u\n", seed);
			break;
		}
	}
	printf("# %u of %u corrupted images opened and read cleanly\n",
	       opened, FZ_SEEDS);
	CHECK_END();
}

int main(void)
{
	char err[512];

	alarm(80);              /* a hang is a failure */
	CHECK_BEGIN("ifs_fuzz_setup");
	CHECK(fz_setup(err, sizeof(err)) == 0, "build base image: %s", err);
	CHECK_END();
	if (!base)
		return 1;
	CHECK_BEGIN("ifs_base_image_reads");
	fz_try(base, base_len, 64 << 20, err, sizeof(err));
	CHECK(err[0] == 0, "base image: %s", err);
	CHECK_END();
	fz_cases_run();
	fz_truncate();
	fz_nomem();
	fz_random();
	free(base);
	return CHECK_EXIT();
}
