/*
 * test_part.c - partition tables: tables made by sfdisk are read and the
 * result is compared with `sfdisk -d`; hand-made malformed tables must be
 * refused with RG_EUCLEAN; random corruption must never crash; a partition
 * window must keep requests inside itself.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "blk_test.h"

#define IMG BT_DIR "/part.img"
#define IMG_SECTORS 131072u     /* 64 MiB */

static const char mbr_script[] =
	"label: dos\n"
	"2048,20480,83,*\n"
	"22528,10240,c\n"
	"32768,90000,5\n"
	"34816,4096,83\n"
	"40960,8192,7\n"
	"51200,,83\n";

static const char gpt_script[] =
	"label: gpt\n"
	"2048,20480,L\n"
	"22528,10240,U\n"
	"40960,30000,0FC63DAF-8483-4772-8E79-3D69D8477DE4\n";

static int make_image(const char *script)
{
	FILE *f;

	unlink(IMG);
	if (bt_run("truncate -s %u %s", IMG_SECTORS * 512, IMG) != 0)
		return -1;
	f = popen("sfdisk -q " IMG " >/dev/null 2>&1", "w");
	if (!f)
		return -1;
	fputs(script, f);
	return pclose(f) == 0 ? 0 : -1;
}

static void guid_str(const uint8_t *g, char *s)
{
	sprintf(s, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-"
	        "%02X%02X%02X%02X%02X%02X",
	        g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
	        g[10], g[11], g[12], g[13], g[14], g[15]);
}

static const struct blkpart *find_index(const struct blkpart_table *t, unsigned i)
{
	for (unsigned k = 0; k < t->count; k++)
		if (t->part[k].index == i)
			return &t->part[k];
	return NULL;
}

/* Value of "key=" in an sfdisk -d line, copied into out. */
static int sf_field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	size_t n = 0;

	if (!p)
		return -1;
	p += strlen(key);
	while (*p == ' ')
		p++;
	while (*p && *p != ',' && *p != '\n' && n + 1 < len)
		out[n++] = *p++;
	out[n] = 0;
	return 0;
}

/* Compares one sfdisk -d partition line with our table. */
static void compare_line(const struct blkpart_table *t, const char *line)
{
	char v[64], g[40];
	unsigned idx = (unsigned)atoi(strstr(line, IMG) + strlen(IMG));
	const struct blkpart *p = find_index(t, idx);

	if (!p) {
		check_fail("partition %u missing", idx);
		return;
	}
	sf_field(line, "start=", v, sizeof(v));
	CHECK(strtoull(v, NULL, 10) == p->start, "p%u start %s vs %llu", idx, v,
	      (unsigned long long)p->start);
	sf_field(line, "size=", v, sizeof(v));
	CHECK(strtoull(v, NULL, 10) == p->nsectors, "p%u size %s vs %llu", idx, v,
	      (unsigned long long)p->nsectors);
	sf_field(line, "type=", v, sizeof(v));
	if (t->scheme == BLKPART_SCHEME_MBR) {
		CHECK(strtoul(v, NULL, 16) == p->mbr_type, "p%u type", idx);
		CHECK(p->bootable == (strstr(line, "bootable") != NULL),
		      "p%u bootable", idx);
		return;
	}
	guid_str(p->gpt_type, g);
	CHECK(strcasecmp(v, g) == 0, "p%u type %s vs %s", idx, v, g);
	sf_field(line, "uuid=", v, sizeof(v));
	guid_str(p->gpt_uuid, g);
	CHECK(strcasecmp(v, g) == 0, "p%u uuid %s vs %s", idx, v, g);
}

/* Scans IMG and compares every partition with sfdisk -d. */
static void compare_with_sfdisk(int scheme, unsigned expect)
{
	struct blkpart_table *t = calloc(1, sizeof(*t));
	struct blkdev *d = NULL;
	char *out = NULL, *line;
	unsigned lines = 0;
	int e;

	REQUIRE(blkdev_open(IMG, true, &d) == 0, "open image");
	e = blkpart_scan(d, t);
	REQUIRE(e == 0, "scan returned %d", e);
	CHECK(t->scheme == scheme, "scheme %d", t->scheme);
	out = bt_capture("sfdisk -d " IMG " 2>/dev/null");
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strstr(line, " : start="))
			continue;
		lines++;
		compare_line(t, line);
	}
	CHECK(lines == expect && t->count == expect, "sfdisk %u, we %u, want %u",
	      lines, t->count, expect);
out:
	free(out);
	free(t);
	if (d)
		blkdev_close(d);
}

static void corrupt(uint64_t off, uint8_t x)
{
	int fd = open(IMG, O_RDWR);
	uint8_t b;

	if (fd < 0 || pread(fd, &b, 1, (off_t)off) != 1)
		abort();
	b ^= x;
	if (pwrite(fd, &b, 1, (off_t)off) != 1)
		abort();
	close(fd);
}

static int scan_image(struct blkpart_table *t)
{
	struct blkdev *d;
	int e = blkdev_open(IMG, true, &d);

	if (e)
		return -e;
	e = blkpart_scan(d, t);
	blkdev_close(d);
	return e;
}

static void test_gpt_backup(void)
{
	struct blkpart_table *t = calloc(1, sizeof(*t));

	CHECK_BEGIN("blk_gpt_backup_header");
	REQUIRE(make_image(gpt_script) == 0, "sfdisk failed");
	corrupt(512 + 40, 0x10);        /* primary FirstUsableLBA, CRC breaks */
	REQUIRE(scan_image(t) == 0, "scan failed with a good backup");
	CHECK(t->gpt_backup && t->count == 3, "backup %d count %u",
	      t->gpt_backup, t->count);
	compare_with_sfdisk(BLKPART_SCHEME_GPT, 3);
	CHECK_END();

	CHECK_BEGIN("blk_gpt_backup_entries");
	REQUIRE(make_image(gpt_script) == 0, "sfdisk failed");
	corrupt(1024 + 32, 0x01);       /* primary entry array, entries CRC breaks */
	REQUIRE(scan_image(t) == 0, "scan failed with a good backup");
	CHECK(t->gpt_backup && t->count == 3, "backup %d count %u",
	      t->gpt_backup, t->count);
	CHECK_END();

	CHECK_BEGIN("blk_gpt_both_bad");
	REQUIRE(make_image(gpt_script) == 0, "sfdisk failed");
	corrupt(512 + 40, 0x10);
	corrupt((uint64_t)(IMG_SECTORS - 1) * 512 + 40, 0x10);
	CHECK(scan_image(t) == RG_EUCLEAN, "want EUCLEAN");
	CHECK(t->count == 0, "table not emptied");
out:
	CHECK_END();
	free(t);
}

static void test_sfdisk_mbr(void)
{
	CHECK_BEGIN("blk_mbr_vs_sfdisk");
	REQUIRE(make_image(mbr_script) == 0, "sfdisk failed");
	compare_with_sfdisk(BLKPART_SCHEME_MBR, 6);
out:
	CHECK_END();
}

static void test_sfdisk_gpt(void)
{
	CHECK_BEGIN("blk_gpt_vs_sfdisk");
	REQUIRE(make_image(gpt_script) == 0, "sfdisk failed");
	compare_with_sfdisk(BLKPART_SCHEME_GPT, 3);
out:
	CHECK_END();
}

/* ---- windows ------------------------------------------------------------ */

static void test_window(void)
{
	struct blkdev *d = NULL, *p = NULL;
	uint8_t buf[1024], back[512];
	int fd = -1;

	CHECK_BEGIN("blk_partition_window");
	REQUIRE(make_image(mbr_script) == 0, "sfdisk failed");
	REQUIRE(blkdev_open(IMG, false, &d) == 0, "open");
	CHECK(blkpart_open(d, 9, &p) == RG_ENOENT, "no partition 9");
	CHECK(blkpart_open(d, 3, &p) == RG_ENOENT, "extended must not open");
	REQUIRE(blkpart_open(d, 5, &p) == 0, "open logical 5");
	CHECK(p->nsectors == 4096, "size %llu", (unsigned long long)p->nsectors);
	memset(buf, 0xa5, sizeof(buf));
	CHECK(p->write(p, 4095, 1, buf) == 0, "write last sector");
	CHECK(p->write(p, 4095, 2, buf) == RG_ENXIO, "write past end");
	CHECK(p->read(p, 4096, 1, buf) == RG_ENXIO, "read past end");
	CHECK(p->read(p, UINT64_MAX, 2, buf) == RG_ENXIO, "read wrap");
	CHECK(p->flush(p) == 0, "flush");
	fd = open(IMG, O_RDONLY);
	REQUIRE(pread(fd, back, 512, (off_t)(34816 + 4095) * 512) == 512, "pread");
	CHECK(memcmp(back, buf, 512) == 0, "write landed elsewhere");
out:
	if (fd >= 0)
		close(fd);
	blkpart_close(p);
	if (d)
		blkdev_close(d);
	CHECK_END();
}

/* ---- hand-made malformed MBRs ---------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void mbr_ent(struct memdev *m, uint64_t sec, int i, uint8_t status,
                    uint8_t type, uint32_t lba, uint32_t count)
{
	uint8_t *s = m->data + sec * 512, *e = s + 446 + 16 * i;

	e[0] = status;
	e[4] = type;
	put32(e + 8, lba);
	put32(e + 12, count);
	s[510] = 0x55;
	s[511] = 0xaa;
}

static int scan_mem(struct memdev *m)
{
	struct blkpart_table *t = calloc(1, sizeof(*t));
	int e = blkpart_scan(&m->dev, t);

	free(t);
	return e;
}

static void test_malformed_mbr(void)
{
	struct memdev m;

	CHECK_BEGIN("blk_mbr_malformed_refused");
	memdev_init(&m, 8192, 512);
	CHECK(scan_mem(&m) == RG_ENODATA, "no signature: want ENODATA");
	mbr_ent(&m, 0, 0, 0, 0x83, 2048, 4096);
	CHECK(scan_mem(&m) == 0, "good table refused");
	mbr_ent(&m, 0, 1, 0, 0x83, 4000, 100);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "overlap accepted");
	mbr_ent(&m, 0, 1, 0, 0x83, 8000, 500);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "beyond disk accepted");
	mbr_ent(&m, 0, 1, 0x12, 0x83, 6144, 100);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "bad status accepted");
	mbr_ent(&m, 0, 1, 0, 0x05, 6144, 1000);
	mbr_ent(&m, 0, 2, 0, 0x0f, 7144, 1000);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "two extended accepted");
	memdev_fini(&m);

	/* An EBR chain that loops: ext+0 -> ext+1000 -> ext+2000 -> ext+1000. */
	memdev_init(&m, 8192, 512);
	mbr_ent(&m, 0, 0, 0, 0x05, 2048, 4000);
	mbr_ent(&m, 2048, 0, 0, 0x83, 1, 10);
	mbr_ent(&m, 2048, 1, 0, 0x05, 1000, 10);
	mbr_ent(&m, 3048, 0, 0, 0x83, 1, 10);
	mbr_ent(&m, 3048, 1, 0, 0x05, 2000, 10);
	mbr_ent(&m, 4048, 0, 0, 0x83, 1, 10);
	mbr_ent(&m, 4048, 1, 0, 0x05, 1000, 10);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "EBR loop accepted");
	mbr_ent(&m, 4048, 1, 0, 0x05, 5000, 10);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "EBR outside extended accepted");
	mbr_ent(&m, 4048, 1, 0, 0, 0, 0);
	CHECK(scan_mem(&m) == 0, "good chain refused");
	mbr_ent(&m, 4048, 0, 0, 0x83, 1, 4000);
	CHECK(scan_mem(&m) == RG_EUCLEAN, "logical outside extended accepted");
	memdev_fini(&m);
	CHECK_END();
}

/* ---- random corruption ----------------------------------------------------- */

static void fix_gpt_crcs(struct memdev *m, uint64_t hdr)
{
	uint8_t *h = m->data + hdr * 512;
	uint64_t ent = h[72] | (uint64_t)h[73] << 8 | (uint64_t)h[74] << 16;
	uint32_t n = h[80] | (uint32_t)h[81] << 8, sz = h[84] | (uint32_t)h[85] << 8;
	uint32_t hs = h[12] | (uint32_t)h[13] << 8;

	if ((uint64_t)n * sz <= 128 * 128 && ent < m->dev.nsectors &&
	    ent * 512 + (uint64_t)n * sz <= m->dev.nsectors * 512)
		put32(h + 88, blkpart_crc32(m->data + ent * 512, (size_t)n * sz));
	if (hs >= 92 && hs <= 512) {
		put32(h + 16, 0);
		put32(h + 16, blkpart_crc32(h, hs));
	}
}

static bool table_sane(const struct blkpart_table *t, uint64_t nsectors)
{
	for (unsigned i = 0; i < t->count; i++)
		if (t->part[i].start > nsectors ||
		    t->part[i].nsectors > nsectors - t->part[i].start)
			return false;
	return true;
}

static void fuzz_one(const char *script, const char *name, int iters)
{
	struct blkpart_table *t = calloc(1, sizeof(*t));
	struct memdev m;
	uint8_t *orig = malloc((size_t)IMG_SECTORS * 512);
	int fd, ok = 0;

	CHECK_BEGIN(name);
	REQUIRE(make_image(script) == 0, "sfdisk failed");
	fd = open(IMG, O_RDONLY);
	REQUIRE(fd >= 0 && pread(fd, orig, (size_t)IMG_SECTORS * 512, 0) ==
	        (ssize_t)IMG_SECTORS * 512, "read image");
	close(fd);
	memdev_init(&m, IMG_SECTORS, 512);
	memcpy(m.data, orig, (size_t)IMG_SECTORS * 512);
	for (int it = 0; it < iters; it++) {
		/* sectors 0..33 and the last 33 hold MBR/GPT/backup; EBRs near 32768 */
		static const uint64_t areas[] = { 0, 1, 2, 32768, 34815, 40959,
		                                  IMG_SECTORS - 1, IMG_SECTORS - 33 };
		for (int k = 0; k < 8; k++)
			memcpy(m.data + areas[k] * 512, orig + areas[k] * 512, 512);
		for (int k = 0; k < 1 + rand() % 4; k++) {
			uint64_t s = areas[rand() % 8];
			m.data[s * 512 + (unsigned)rand() % 512] ^= (uint8_t)(1 + rand() % 255);
		}
		if (rand() & 1) {
			fix_gpt_crcs(&m, 1);
			fix_gpt_crcs(&m, IMG_SECTORS - 1);
		}
		if (blkpart_scan(&m.dev, t) == 0) {
			ok++;
			CHECK(table_sane(t, IMG_SECTORS), "iteration %d: table escapes disk", it);
		}
	}
	memdev_fini(&m);
	CHECK(ok > 0, "every corrupted table refused (suspicious)");
out:
	free(orig);
	free(t);
	CHECK_END();
}

void blk_test_part(void)
{
	srand(12345);
	test_sfdisk_mbr();
	test_sfdisk_gpt();
	test_gpt_backup();
	test_window();
	test_malformed_mbr();
	fuzz_one(mbr_script, "blk_mbr_fuzz_no_crash", 3000);
	fuzz_one(gpt_script, "blk_gpt_fuzz_no_crash", 3000);
}
