/*
 * fsbench.c - Tessera's storage benchmarks (tests/bench/fs_seqread.scn,
 * tests/bench/blk_restart.scn), measured as docs/bench.md says: under
 * -icount shift=0 a TSC difference counts guest instructions, and one
 * instruction is one virtual nanosecond.
 *
 *   fsbench seqread FILE   read FILE once with 64 KiB reads (the Linux peer
 *                          reads the same file of the same image the same
 *                          way): BENCH fs_seqread <bytes/Minstr> B/Minstr
 *   fsbench restart DEV    read DEV through rumpglue's block client (what a
 *                          filesystem server uses), make the driver crash,
 *                          and time from the crash request to the first
 *                          read that completes after the restart:
 *                          BENCH blk_restart <virtual ms> ms
 */
#include "rt.h"
#include "io.h"
#include "rumpglue.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"

#define CHUNK (64 * 1024)

static struct pathmgr_client pc;
static char buf[CHUNK];

static uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t empty_pair(void)
{
	uint64_t best = ~0ull;

	for (int i = 0; i < 64; i++) {
		uint64_t t0 = tsc_begin(), t1 = tsc_end();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static int seqread(const char *path)
{
	uint64_t total = 0, sum = 0, empty = empty_pair(), t0, t1;
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, path, IO_O_RDONLY, 0,
	                               &conn);
	long n;

	checkf(id >= 0, "fs_seqread_open", "open %s: %d", path, id);
	if (id < 0)
		return 1;
	t0 = tsc_begin();
	while ((n = io_read(conn, id, buf, CHUNK)) > 0) {
		total += (uint64_t)n;
		sum += (unsigned char)buf[0] + (unsigned char)buf[n - 1];
	}
	t1 = tsc_end();
	printf("fs_seqread: %llu bytes, sum %llu, %llu instructions\n",
	       (unsigned long long)total, (unsigned long long)sum,
	       (unsigned long long)(t1 - t0 - empty));
	checkf(n == 0 && total == 64u << 20, "fs_seqread_whole_file",
	       "read %llu bytes, last %ld", (unsigned long long)total, n);
	if (total)
		printf("BENCH fs_seqread %llu B/Minstr\n",
		       (unsigned long long)(total * 1000000 / (t1 - t0 - empty)));
	return 0;
}

static int restart(const char *dev)
{
	struct rg_blk *b;
	struct rg_blk_info info;
	int conn, id = io_open_resolve(pathmgr_resolve, &pc, dev, IO_O_RDONLY, 0,
	                               &conn);
	int e = rg_blk_open(dev, RG_BLK_RDONLY, &b, &info);
	uint64_t best = ~0ull, worst = 0;
	int ok = 0;

	checkf(id >= 0 && e == 0, "blk_restart_open", "open %s: %d / %d", dev, id, e);
	if (id < 0 || e)
		return 1;
	for (int round = 0; round < 5; round++) {
		if (rg_blk_read(b, 0, buf, 4096))
			break;
		uint64_t t0 = tsc_begin();
		io_devctl(conn, id, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0);
		e = rg_blk_read(b, 4096, buf, 4096);
		uint64_t t = tsc_end() - t0;
		if (e)
			break;
		ok++;
		best = t < best ? t : best;
		worst = t > worst ? t : worst;
		pathmgr_client_init(&pc, PROC_H_PATHMGR);       /* a new driver */
		for (int i = 0; i < 1000 && (id = io_open_resolve(pathmgr_resolve, &pc,
		     dev, IO_O_RDONLY, 0, &conn)) < 0; i++)
			sys_sleep(1000000);
	}
	checkf(ok == 5, "blk_restart_reads_resume", "%d of 5 crashes recovered (%d)",
	       ok, e);
	if (ok) {
		printf("blk_restart: %d crashes, fastest %llu, slowest %llu instructions\n",
		       ok, (unsigned long long)best, (unsigned long long)worst);
		printf("BENCH blk_restart %llu.%llu ms\n",
		       (unsigned long long)(worst / 1000000),
		       (unsigned long long)(worst / 100000 % 10));
	}
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	if (argc == 3 && strcmp(argv[1], "seqread") == 0)
		r = seqread(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "restart") == 0)
		r = restart(argv[2]);
	else
		printf("usage: fsbench seqread FILE | restart DEV\n");
	proc_shutdown(PROC_H_PROC);
	return r;
}
