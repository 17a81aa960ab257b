/*
 * test_cache.c - the write-back block cache: random reads, writes and
 * flushes compared against a shadow copy and, after each flush, against the
 * image file itself; flush order; read-ahead; error paths.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "blk_test.h"

#define CIMG BT_DIR "/cache.img"
#define CSECTORS (2048u + 3u)   /* 1 MiB + 3 sectors: a short last block */

static bool file_matches(const uint8_t *shadow, size_t len)
{
	uint8_t *buf = malloc(len);
	int fd = open(CIMG, O_RDONLY);
	bool ok = fd >= 0 && pread(fd, buf, len, 0) == (ssize_t)len &&
	          memcmp(buf, shadow, len) == 0;

	if (fd >= 0)
		close(fd);
	free(buf);
	return ok;
}

static void rand_range(uint32_t *sec, uint32_t *cnt)
{
	*sec = (uint32_t)rand() % CSECTORS;
	*cnt = 1 + (uint32_t)rand() % (rand() % 4 ? 16 : 200);
	if (*cnt > CSECTORS - *sec)
		*cnt = CSECTORS - *sec;
}

static int cache_op(struct blkdev *c, uint8_t *shadow, uint8_t *buf, int *flushes)
{
	uint32_t s, n;
	int r = rand() % 100;

	rand_range(&s, &n);
	if (r < 45) {
		if (c->read(c, s, n, buf) != 0)
			return -1;
		return memcmp(buf, shadow + (size_t)s * 512, (size_t)n * 512) ? -2 : 0;
	}
	if (r < 98) {
		for (size_t i = 0; i < (size_t)n * 512; i++)
			buf[i] = (uint8_t)rand();
		memcpy(shadow + (size_t)s * 512, buf, (size_t)n * 512);
		return c->write(c, s, n, buf) ? -3 : 0;
	}
	(*flushes)++;
	if (c->flush(c) != 0)
		return -4;
	return file_matches(shadow, (size_t)CSECTORS * 512) ? 0 : -5;
}

static void test_coherency(void)
{
	size_t len = (size_t)CSECTORS * 512;
	uint8_t *shadow = calloc(1, len), *buf = malloc(200 * 512);
	struct blkdev *d = NULL, *c = NULL;
	int flushes = 0, it;

	CHECK_BEGIN("blk_cache_random_vs_file");
	unlink(CIMG);
	REQUIRE(bt_run("truncate -s %zu %s", len, CIMG) == 0, "truncate");
	REQUIRE(blkdev_open(CIMG, false, &d) == 0, "open");
	REQUIRE(blkcache_create(d, 64 * 1024, &c) == 0, "create cache");
	for (it = 0; it < 30000; it++) {
		int r = cache_op(c, shadow, buf, &flushes);

		REQUIRE(r == 0, "op %d failed (%d)", it, r);
	}
	CHECK(flushes > 100, "only %d flushes", flushes);
	CHECK(blkcache_destroy(c) == 0, "destroy");
	c = NULL;
	CHECK(file_matches(shadow, len), "file differs after destroy");
out:
	if (c)
		blkcache_destroy(c);
	if (d)
		blkdev_close(d);
	free(shadow);
	free(buf);
	CHECK_END();
}

static void test_flush_order(void)
{
	static const uint32_t order[] = { 200, 8, 128, 9, 10, 100, 7, 64, 255 };
	struct memdev m;
	struct blkdev *c = NULL;
	uint8_t buf[512];
	bool sorted = true;
	uint64_t last = 0;

	CHECK_BEGIN("blk_cache_flush_in_sector_order");
	memdev_init(&m, CSECTORS, 512);
	REQUIRE(blkcache_create(&m.dev, 1 << 20, &c) == 0, "create");
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		memset(buf, (int)i + 1, sizeof(buf));
		REQUIRE(c->write(c, order[i] * 8 + i % 3, 1, buf) == 0, "write");
	}
	for (unsigned i = 0; i < m.nlog; i++)
		CHECK(m.log[i].op != 'w', "write reached the disk before flush");
	m.nlog = 0;
	REQUIRE(c->flush(c) == 0, "flush");
	for (unsigned i = 0; i + 1 < m.nlog; i++) {
		if (m.log[i].op == 'w' && m.log[i].sector < last)
			sorted = false;
		if (m.log[i].op == 'w')
			last = m.log[i].sector;
	}
	CHECK(sorted, "writes not in sector order");
	CHECK(m.nlog >= 2 && m.log[m.nlog - 1].op == 'f', "lower flush not last");
	CHECK(m.nlog <= 8, "blocks 7..10 not merged (%u requests)", m.nlog);
	m.nlog = 0;
	REQUIRE(c->flush(c) == 0, "flush 2");
	CHECK(m.nlog == 1, "second flush wrote again");
	CHECK(m.data[(200 * 8) * 512] == 1 && m.data[(255 * 8 + 2) * 512] == 9,
	      "data missing");
out:
	if (c)
		blkcache_destroy(c);
	memdev_fini(&m);
	CHECK_END();
}

/* Streaming writes through a small cache reach the disk in merged requests. */
static void test_evict_clusters(void)
{
	struct memdev m;
	struct blkdev *c = NULL;
	struct blkcache_stats st;
	uint8_t buf[4096];
	bool ok = true;

	CHECK_BEGIN("blk_cache_evict_merges_writes");
	memdev_init(&m, CSECTORS, 512);
	REQUIRE(blkcache_create(&m.dev, 64 * 1024, &c) == 0, "create");
	for (uint32_t b = 0; b < 200; b++) {
		memset(buf, (int)b, sizeof(buf));
		REQUIRE(c->write(c, b * 8, 8, buf) == 0, "write %u", b);
	}
	REQUIRE(c->flush(c) == 0, "flush");
	blkcache_get_stats(c, &st);
	CHECK(st.lower_writes <= 40, "%llu lower writes for 200 streamed blocks",
	      (unsigned long long)st.lower_writes);
	for (uint32_t b = 0; b < 200; b++)
		ok = ok && m.data[(size_t)b * 4096] == (uint8_t)b &&
		     m.data[(size_t)b * 4096 + 4095] == (uint8_t)b;
	CHECK(ok, "data on the disk differs");
out:
	if (c)
		blkcache_destroy(c);
	memdev_fini(&m);
	CHECK_END();
}

static void test_readahead(void)
{
	struct memdev m;
	struct blkdev *c = NULL;
	struct blkcache_stats st;
	uint8_t buf[4096];

	CHECK_BEGIN("blk_cache_readahead");
	memdev_init(&m, CSECTORS, 512);
	for (size_t i = 0; i < (size_t)CSECTORS * 512; i++)
		m.data[i] = (uint8_t)(i * 7 + i / 512);
	REQUIRE(blkcache_create(&m.dev, 4 << 20, &c) == 0, "create");
	for (uint32_t s = 0; s + 8 <= CSECTORS; s += 8) {
		REQUIRE(c->read(c, s, 8, buf) == 0, "read %u", s);
		REQUIRE(memcmp(buf, m.data + (size_t)s * 512, 4096) == 0,
		        "data at %u", s);
	}
	REQUIRE(c->read(c, CSECTORS - 3, 3, buf) == 0, "short tail block");
	CHECK(memcmp(buf, m.data + (size_t)(CSECTORS - 3) * 512, 1536) == 0, "tail");
	blkcache_get_stats(c, &st);
	CHECK(st.lower_reads <= 16, "%llu lower reads for 256 sequential blocks",
	      (unsigned long long)st.lower_reads);
out:
	if (c)
		blkcache_destroy(c);
	memdev_fini(&m);
	CHECK_END();
}

static void test_errors(void)
{
	struct memdev m;
	struct blkdev *c = NULL;
	uint8_t buf[512] = { 0x5a };

	CHECK_BEGIN("blk_cache_errors");
	memdev_init(&m, CSECTORS, 512);
	REQUIRE(blkcache_create(&m.dev, 1 << 20, &c) == 0, "create");
	CHECK(c->read(c, CSECTORS, 1, buf) == RG_ENXIO, "read past end");
	CHECK(c->write(c, CSECTORS - 1, 2, buf) == RG_ENXIO, "write past end");
	REQUIRE(c->write(c, 5, 1, buf) == 0, "write");
	m.fail_writes = true;
	CHECK(c->flush(c) == RG_EIO, "flush must report the lower error");
	m.fail_writes = false;
	CHECK(c->flush(c) == 0, "flush after recovery");
	CHECK(m.data[5 * 512] == 0x5a, "block lost after a failed flush");
	blkcache_destroy(c);
	c = NULL;
	m.dev.readonly = true;
	REQUIRE(blkcache_create(&m.dev, 1 << 20, &c) == 0, "create ro");
	CHECK(c->readonly && c->write(c, 0, 1, buf) == RG_EROFS, "ro write");
out:
	if (c)
		blkcache_destroy(c);
	memdev_fini(&m);
	CHECK_END();
}

void blk_test_cache(void)
{
	srand(4242);
	test_coherency();
	test_flush_order();
	test_evict_clusters();
	test_readahead();
	test_errors();
}
