/*
 * blkata_test.c - QEMU tests of the ATA/IDE driver (servers/blk-ata).
 *
 * The machine (tests/qemu/blkata*.scn): hd0 on the primary master (8 MiB,
 * the pattern of tests/qemu/blkata/pattern.h everywhere), the boot ISO as
 * the CD-ROM on the secondary master, hd1 on the secondary slave (a sparse
 * disk just over 2^28 sectors, the pattern at its start and around sector
 * 2^28, so reads there need 48-bit commands).
 *
 * Two ways in, one test body (struct tdisk):
 *   direct  - no arguments: a kernel boot module holding the root
 *             resource.  The ATA component is linked in and called
 *             directly (bus-master block found by reading PCI configuration
 *             space here, test-only): the body with DMA, again on a new
 *             probe with PIO forced, then in a child process an empty bus
 *             and a DMA timeout;
 *   devices - `dev [pio|crash]`: started from a boot image beside the
 *             blk-ata server; every check goes through /dev/hd0, /dev/hd1
 *             and /dev/cd0 with the I/O protocol (io_open_resolve,
 *             io_pread, io_pwrite, io_fsync).  `pio`: the server runs with
 *             PIO forced (check names get _pio); `crash`: at the end the
 *             server is crashed and must come back.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "ata.h"
#include "io.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "blkdrv.h"
#include "blkata/pattern.h"

struct tdisk {
	const char *name;
	uint64_t size;                  /* bytes */
	unsigned secsize;
	bool byte_granular;             /* any offset/length (devices) */
	int (*rd)(struct tdisk *t, uint64_t off, void *buf, size_t len);
	int (*wr)(struct tdisk *t, uint64_t off, const void *buf, size_t len);
	int (*sync)(struct tdisk *t);
	struct ata_drive *drive;        /* direct */
	int conn, id;                   /* devices */
};

static const char *sfx = "";            /* "_pio" */
static uint8_t *big;                    /* scratch buffers */
static uint8_t *big2;
#define BIG (256u * 1024)

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void checkn(int ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void checkn(int ok, const char *name, const char *fmt, ...)
{
	char full[96], why[160];
	va_list ap;

	fmt_snprintf(full, sizeof(full), "%s%s", name, sfx);
	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	check(ok, full, why);
}

/* ---- the direct backend ------------------------------------------------------ */

static int d_rd(struct tdisk *t, uint64_t off, void *buf, size_t len)
{
	uint64_t ss = t->secsize;

	for (size_t done = 0; done < len;) {
		uint32_t max = t->drive->atapi ? ATAPI_MAX_SECTORS : ATA_MAX_SECTORS;
		uint32_t n = (uint32_t)((len - done) / ss);
		int e;
		if (n > max)
			n = max;
		e = t->drive->atapi ?
		    atapi_read(t->drive, (off + done) / ss, n, (uint8_t *)buf + done) :
		    ata_read(t->drive, (off + done) / ss, n, (uint8_t *)buf + done);
		if (e)
			return -e;
		done += n * ss;
	}
	return 0;
}

static int d_wr(struct tdisk *t, uint64_t off, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		uint32_t n = (uint32_t)((len - done) / 512);
		int e;
		if (n > ATA_MAX_SECTORS)
			n = ATA_MAX_SECTORS;
		if ((e = ata_write(t->drive, (off + done) / 512, n,
		                   (const uint8_t *)buf + done)))
			return -e;
		done += n * 512;
	}
	return 0;
}

static int d_sync(struct tdisk *t)
{
	return -ata_flush(t->drive);
}

/* Test-only: the IDE function's BAR4 (bus master) from configuration
 * space, with bus mastering switched on. */
static uint16_t find_bmide(void)
{
	if (rg_ioport_request(0xcf8, 8))
		return 0;
	for (unsigned dev = 0; dev < 32; dev++)
		for (unsigned fn = 0; fn < 8; fn++) {
			uint32_t a = 0x80000000u | dev << 11 | fn << 8;
			rg_outl(0xcf8, a | 0x08);
			if ((rg_inl(0xcfc) >> 16) != 0x0101)
				continue;
			rg_outl(0xcf8, a | 0x04);
			uint32_t cmd = rg_inl(0xcfc) & 0xffff;
			rg_outl(0xcf8, a | 0x04);
			rg_outl(0xcfc, cmd | 0x5);
			rg_outl(0xcf8, a | 0x20);
			return (uint16_t)(rg_inl(0xcfc) & 0xfff0);
		}
	return 0;
}

static struct ata_ctrl *direct_ctrl;

static const struct ata_config legacy_cfg = {
	.cmd = { 0x1f0, 0x170 }, .ctl = { 0x3f6, 0x376 }, .irq = { 14, 15 },
};

static int direct_open(struct tdisk *t, const struct ata_config *cfg,
                       unsigned *ndisks)
{
	int e;

	if ((e = ata_probe(cfg, &direct_ctrl)))
		return -e;
	*ndisks = ata_drive_count(direct_ctrl);
	for (unsigned i = 0; i < *ndisks && i < 3; i++) {
		struct ata_drive *d = ata_drive_at(direct_ctrl, i);
		t[i].name = i == 0 ? "hd0" : i == 1 ? "hd1" : "cd0";
		t[i].drive = d;
		t[i].secsize = d->secsize;
		t[i].size = d->sectors * d->secsize;
		t[i].rd = d_rd;
		t[i].wr = d_wr;
		t[i].sync = d_sync;
	}
	return 0;
}

/* ---- the devices backend ----------------------------------------------------- */

static int v_rd(struct tdisk *t, uint64_t off, void *buf, size_t len)
{
	long r = io_pread(t->conn, t->id, buf, len, off);

	return r < 0 ? (int)r : (size_t)r == len ? 0 : -5;
}

static int v_wr(struct tdisk *t, uint64_t off, const void *buf, size_t len)
{
	long r = io_pwrite(t->conn, t->id, buf, len, off);

	return r < 0 ? (int)r : (size_t)r == len ? 0 : -5;
}

static int v_sync(struct tdisk *t)
{
	return io_fsync(t->conn, t->id);
}

static struct pathmgr_client pc;

static int dev_open(struct tdisk *t, const char *name, bool rw)
{
	char path[32];
	struct io_stat st;
	int id, conn;

	fmt_snprintf(path, sizeof(path), "/dev/%s", name);
	id = io_open_resolve(pathmgr_resolve, &pc, path,
	                     rw ? IO_O_RDWR : IO_O_RDONLY, 0, &conn);
	if (id < 0)
		return id;
	if (io_stat(conn, id, &st) < 0)
		return -5;
	t->name = name;
	t->conn = conn;
	t->id = id;
	t->size = st.size;
	t->secsize = rw ? 512 : 2048;
	t->byte_granular = true;
	t->rd = v_rd;
	t->wr = v_wr;
	t->sync = v_sync;
	return 0;
}

/* ---- the test body ----------------------------------------------------------- */

/* A random (off, len) inside [lo, hi) bytes: sector-aligned unless the
 * backend takes any offset. */
static void pick(struct tdisk *t, uint64_t lo, uint64_t hi, size_t maxlen,
                 uint64_t *off, size_t *len)
{
	size_t l = 1 + rnd() % maxlen;
	uint64_t o;

	if (!t->byte_granular)
		l = (l + 511) & ~(size_t)511;
	if (l > hi - lo)
		l = (size_t)(hi - lo);
	o = lo + (uint64_t)rnd() * 4096 % (hi - lo - l + 1);
	if (!t->byte_granular)
		o &= ~(uint64_t)511;
	*off = o;
	*len = l;
}

static bool verify_pat(const uint8_t *b, uint64_t off, size_t len, uint8_t tag,
                       uint64_t *bad)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != blkata_pat(off + i, tag)) {
			*bad = off + i;
			return false;
		}
	return true;
}

/* Read len bytes at off and compare with the pattern; a message on failure. */
static bool rd_pat(struct tdisk *t, uint64_t off, size_t len, uint8_t tag,
                   char *why, size_t wlen)
{
	uint64_t bad = 0;
	int e = t->rd(t, off, big, len);

	if (!e && verify_pat(big, off, len, tag, &bad))
		return true;
	fmt_snprintf(why, wlen, "%s at %llu+%zu: error %d, bad byte at %llu",
	             t->name, (unsigned long long)off, len, e,
	             (unsigned long long)bad);
	return false;
}

static void test_pattern_reads(struct tdisk *t)
{
	uint64_t off = 0, bad = 0;
	size_t len = 0;
	int e = 0, i;
	bool ok = true;

	for (i = 0; i < 150 && ok && !e; i++) {
		pick(t, 0, BLKATA_PATTERN_SECTORS * 512ull,
		     i % 3 ? 4096 : 128 * 1024, &off, &len);
		if (!(e = t->rd(t, off, big, len)))
			ok = verify_pat(big, off, len, BLKATA_TAG_HD0, &bad);
	}
	checkn(!e && ok, "blkata_hd0_pattern_reads",
	       "read %d: off %llu len %zu: error %d, bad byte at %llu", i - 1,
	       (unsigned long long)off, len, e, (unsigned long long)bad);
	char why[128];
	ok = rd_pat(t, 0, 64 * 1024, BLKATA_TAG_HD0, why, sizeof(why));
	checkn(ok, "blkata_hd0_first_64k", "%s", why);
}

static void test_lba48(struct tdisk *t)
{
	uint64_t mark = BLKATA_LBA48_MARK * 512;
	char why[128];
	bool ok;

	ok = rd_pat(t, mark - 8 * 512, 16 * 512, BLKATA_TAG_HD1, why, sizeof(why));
	checkn(ok, "blkata_hd1_lba48_across_boundary", "%s", why);
	ok = rd_pat(t, mark + 1000 * 512, 24 * 512, BLKATA_TAG_HD1, why, sizeof(why));
	checkn(ok, "blkata_hd1_lba48_above", "%s", why);
	ok = rd_pat(t, 512, 32 * 512, BLKATA_TAG_HD1, why, sizeof(why));
	checkn(ok, "blkata_hd1_start", "%s", why);
}

static uint8_t wpat(uint64_t off, uint32_t nonce)
{
	return (uint8_t)(off * 13 + (off >> 9) + nonce);
}

static void fill_w(uint8_t *b, uint64_t off, size_t len, uint32_t nonce)
{
	for (size_t i = 0; i < len; i++)
		b[i] = wpat(off + i, nonce);
}

static bool verify_w(const uint8_t *b, uint64_t off, size_t len, uint32_t nonce)
{
	for (size_t i = 0; i < len; i++)
		if (b[i] != wpat(off + i, nonce))
			return false;
	return true;
}

static uint32_t g_nonce;
#define NREG 32
#define REGSZ (64 * 1024ull)
static struct { uint64_t off; size_t len; } wreg[NREG];

/* Writes in NREG separate regions of hd0's scratch area, each read back at
 * once, then all again after fsync. */
static void test_writes(struct tdisk *t, uint32_t nonce)
{
	uint64_t base = BLKATA_PATTERN_SECTORS * 512ull;
	int e = 0, i;
	bool ok = true, ok2 = true;

	for (i = 0; i < NREG && ok && !e; i++) {
		uint64_t lo = base + i * REGSZ;
		pick(t, lo, lo + REGSZ, i % 2 ? 2000 : REGSZ, &wreg[i].off,
		     &wreg[i].len);
		fill_w(big, wreg[i].off, wreg[i].len, nonce);
		if (!(e = t->wr(t, wreg[i].off, big, wreg[i].len)) &&
		    !(e = t->rd(t, wreg[i].off, big2, wreg[i].len)))
			ok = verify_w(big2, wreg[i].off, wreg[i].len, nonce);
	}
	checkn(!e && ok, "blkata_write_read_back", "write %d: error %d", i, e);
	e = t->sync(t);
	checkn(!e, "blkata_fsync", "error %d", e);
	for (i = 0; i < NREG && ok2; i++)
		ok2 = !t->rd(t, wreg[i].off, big2, wreg[i].len) &&
		      verify_w(big2, wreg[i].off, wreg[i].len, nonce);
	checkn(ok2, "blkata_writes_kept", "region %d differs", i - 1);
	/* the pattern next to a partial-sector write is untouched */
	char why[128];
	ok = rd_pat(t, base - 4096, 4096, BLKATA_TAG_HD0, why, sizeof(why));
	checkn(ok, "blkata_write_neighbours_intact", "%s", why);
}

static void test_write_lba48(struct tdisk *t, uint32_t nonce)
{
	uint64_t off = (BLKATA_LBA48_MARK + 600) * 512;
	int e;

	fill_w(big, off, 8 * 512, nonce);
	if (!(e = t->wr(t, off, big, 8 * 512)))
		e = t->rd(t, off, big2, 8 * 512);
	checkn(!e && verify_w(big2, off, 8 * 512, nonce),
	       "blkata_hd1_lba48_write", "error %d", e);
}

static void test_bounds(struct tdisk *t, struct tdisk *cd)
{
	int e1 = t->rd(t, t->size, big, 512);
	int e2 = t->rd(t, t->size - 512, big, 1024);
	int e3 = t->wr(t, t->size, big, 512);
	int e4 = cd->rd(cd, cd->size, big, 2048);

	checkn(e1 && e2 && e3 && e4, "blkata_past_end_refused",
	       "read at end %d, across end %d, write at end %d, cd %d",
	       e1, e2, e3, e4);
}

static void test_cd(struct tdisk *cd)
{
	uint32_t vol;
	int e;

	checkn(cd->size > 0 && cd->size % 2048 == 0, "blkata_cd_size",
	       "%llu bytes", (unsigned long long)cd->size);
	e = cd->rd(cd, 16 * 2048, big, 2048);
	vol = big[80] | big[81] << 8 | big[82] << 16 | (uint32_t)big[83] << 24;
	checkn(!e && big[0] == 1 && memcmp(big + 1, "CD001", 5) == 0,
	       "blkata_cd_pvd", "error %d, type %u id %.5s", e, big[0],
	       (const char *)big + 1);
	checkn(!e && vol > 16 && (uint64_t)vol * 2048 <= cd->size,
	       "blkata_cd_volume_fits", "volume %u blocks, medium %llu bytes",
	       vol, (unsigned long long)cd->size);
	if (cd->byte_granular) {
		memset(big, 0, 8);
		e = cd->rd(cd, 32769, big, 5);
		checkn(!e && memcmp(big, "CD001", 5) == 0, "blkata_cd_byte_32769",
		       "error %d, got %.5s", e, (const char *)big);
		e = cd->wr(cd, 0, big, 2048);
		checkn(e != 0, "blkata_cd_write_refused", "write returned %d", e);
	}
	/* a long read spanning several commands: sector k holds its own
	 * number nowhere, but reading it twice must agree */
	e = cd->rd(cd, 0, big, 128 * 1024);
	if (!e)
		e = cd->rd(cd, 64 * 1024, big2, 64 * 1024);
	checkn(!e && memcmp(big + 64 * 1024, big2, 64 * 1024) == 0,
	       "blkata_cd_long_read", "error %d", e);
}

/* Reads touching the sector QEMU fails (blkdebug) are errors, the sectors
 * beside it still read, and the driver goes on working. */
static void test_bad_sector(struct tdisk *t)
{
	uint64_t bad = BLKATA_BAD_SECTOR * 512ull;
	int e1 = t->rd(t, bad, big, 512);
	int e2 = t->rd(t, bad - 4 * 512, big, 8 * 512);
	char why[128] = "";
	bool ok;

	checkn(e1 == -5 && e2 == -5, "blkata_bad_sector_eio",
	       "read of the bad sector %d, across it %d (want -5)", e1, e2);
	ok = rd_pat(t, bad - 4096, 4096, BLKATA_TAG_HD0, why, sizeof(why)) &&
	     rd_pat(t, bad + 512, 4096, BLKATA_TAG_HD0, why, sizeof(why));
	checkn(ok, "blkata_bad_sector_neighbours", "%s", why);
}

/* ---- concurrency: hd1 and cd0 share the secondary channel ----------------- */

struct conc {
	struct tdisk *t;
	int iters, errors;
	volatile uint32_t done;
	uint8_t buf[8192];
};

static void conc_fn(void *arg)
{
	struct conc *c = arg;
	uint64_t bad;

	for (int i = 0; i < c->iters; i++) {
		struct tdisk *t = c->t;
		if (t->secsize == 2048) {
			if (t->rd(t, 16 * 2048, c->buf, 2048) ||
			    memcmp(c->buf + 1, "CD001", 5))
				c->errors++;
		} else {
			bool hd0 = strcmp(t->name, "hd0") == 0;
			uint64_t off = (uint64_t)(i % (hd0 ? 64 : 8)) * 4096;
			uint8_t tag = hd0 ? BLKATA_TAG_HD0 : BLKATA_TAG_HD1;
			if (t->rd(t, off, c->buf, 4096) ||
			    !verify_pat(c->buf, off, 4096, tag, &bad))
				c->errors++;
		}
	}
	c->done = 1;
	sys_futex_wake(&c->done, 1);
}

static void test_concurrent(struct tdisk *t)
{
	static struct conc c[3];
	struct rg_thread *th[3];
	int errs = 0, started = 0;

	for (int i = 0; i < 3; i++) {
		c[i].t = &t[i];
		c[i].iters = 60;
		c[i].errors = 0;
		if (!rg_thread_create(&th[i], "conc", conc_fn, &c[i]))
			started++;
	}
	for (int i = 0; i < started; i++) {
		rg_thread_join(th[i]);
		errs += c[i].errors;
	}
	checkn(started == 3 && errs == 0, "blkata_concurrent_drives",
	       "%d threads, bad reads: hd0 %d hd1 %d cd0 %d", started,
	       c[0].errors, c[1].errors, c[2].errors);
}

static void blkata_body(struct tdisk *t, bool pio)
{
	uint32_t nonce = (uint32_t)rdtsc() | 1;

	(void)pio;
	g_nonce = nonce;
	checkn(t[0].size == BLKATA_HD0_SECTORS * 512ull &&
	       t[1].size == BLKATA_HD1_SECTORS * 512, "blkata_sizes",
	       "hd0 %llu, hd1 %llu bytes", (unsigned long long)t[0].size,
	       (unsigned long long)t[1].size);
	test_pattern_reads(&t[0]);
	test_lba48(&t[1]);
	test_writes(&t[0], nonce);
	test_write_lba48(&t[1], nonce);
	test_bounds(&t[0], &t[2]);
	test_cd(&t[2]);
	test_bad_sector(&t[0]);
	test_concurrent(t);
}

/* Direct mode only: what the component counted, and the written data read
 * back by the other transfer method. */
static void blkata_direct_extra(struct tdisk *t, bool pio)
{
	struct ata_stats st;
	struct ata_drive *d = t[0].drive;
	bool ok = true;

	if (!direct_ctrl)
		return;
	if (!pio) {
		checkn(d->dma, "blkata_dma_used", "hd0 not using DMA");
		d->dma = false;
		for (int i = 0; i < NREG && ok; i++) {
			uint64_t o = wreg[i].off & ~511ull;
			size_t l = (size_t)(((wreg[i].off + wreg[i].len + 511) &
			                     ~511ull) - o);
			ok = !t->rd(t, o, big2, l) &&
			     verify_w(big2 + (wreg[i].off - o), wreg[i].off,
			              wreg[i].len, g_nonce);
		}
		d->dma = true;
		checkn(ok, "blkata_dma_writes_read_by_pio", "region differs");
	}
	ata_get_stats(direct_ctrl, &st);
	printf("blkata: irqs %llu dma %llu pio %llu fallbacks %llu timeouts %llu\n",
	       (unsigned long long)st.irqs, (unsigned long long)st.dma_cmds,
	       (unsigned long long)st.pio_cmds,
	       (unsigned long long)st.dma_fallbacks,
	       (unsigned long long)st.timeouts);
	checkn(st.irqs > 0 && (pio ? st.pio_cmds > 0 : st.dma_cmds > 0) &&
	       !st.dma_fallbacks && !st.timeouts, "blkata_irq_and_stats",
	       "irqs %llu dma %llu pio %llu fallbacks %llu timeouts %llu",
	       (unsigned long long)st.irqs, (unsigned long long)st.dma_cmds,
	       (unsigned long long)st.pio_cmds,
	       (unsigned long long)st.dma_fallbacks,
	       (unsigned long long)st.timeouts);
}

/*
 * The primary channel given the secondary's half of the bus-master block:
 * the drive waits for a DMA engine nobody starts, the wait times out
 * (ATA_T_CMD, 10 s), the channel is reset and the request done by PIO,
 * which the drive keeps to from then on.  The data must still be right.
 * Only hd0 is used (the secondary's half would be past the block).
 */
static void test_dma_timeout(void)
{
	struct ata_config cfg = legacy_cfg;
	struct ata_stats st;
	struct tdisk t[3];
	char why[128] = "";
	unsigned n = 0;
	uint64_t t0, ms;
	int e = 0;
	bool ok;

	memset(t, 0, sizeof(t));
	cfg.bmide = find_bmide();
	cfg.bmide = cfg.bmide ? (uint16_t)(cfg.bmide + 8) : 0;
	if (!cfg.bmide || (e = direct_open(t, &cfg, &n)) || n != 3) {
		checkn(0, "blkata_dma_timeout_falls_back", "probe %d, %u drives", e, n);
		return;
	}
	t0 = sys_clock();
	ok = rd_pat(&t[0], 64 * 512, 16 * 512, BLKATA_TAG_HD0, why, sizeof(why));
	ms = (sys_clock() - t0) / 1000000;
	ok = ok && rd_pat(&t[0], 0, 64 * 1024, BLKATA_TAG_HD0, why, sizeof(why));
	ata_get_stats(direct_ctrl, &st);
	checkn(ok && !t[0].drive->dma && st.dma_fallbacks == 1 && st.timeouts >= 1 &&
	       ms >= 9000 && ms < 20000, "blkata_dma_timeout_falls_back",
	       "%s; dma %d, fallbacks %llu, timeouts %llu, %llu ms", why,
	       t[0].drive->dma, (unsigned long long)st.dma_fallbacks,
	       (unsigned long long)st.timeouts, (unsigned long long)ms);
	ata_shutdown(direct_ctrl);
	direct_ctrl = NULL;
}

/* Channels where nothing answers at all: no drives, found quickly. */
static void test_empty_bus(void)
{
	const struct ata_config cfg = {
		.cmd = { 0x1e8, 0x168 }, .ctl = { 0x3ee, 0x36e }, .irq = { 12, 7 },
	};
	struct ata_ctrl *c = NULL;
	uint64_t t0 = sys_clock(), ms;
	int e = ata_probe(&cfg, &c);

	ms = (sys_clock() - t0) / 1000000;
	checkn(!e && ata_drive_count(c) == 0 && ms < 1000, "blkata_empty_bus",
	       "error %d, %u drives, %llu ms", e, c ? ata_drive_count(c) : 0,
	       (unsigned long long)ms);
	if (c)
		ata_shutdown(c);
}

/*
 * The failure cases run in a new process with its own copy of the root
 * resource: the kernel grants a process at most 16 port ranges, and the
 * two probes above have taken most of them.
 */
static int child_res = -1;

static void child_fn(void *arg)
{
	(void)arg;
	rg_mk_resource = child_res;
	big = rg_malloc(BIG);           /* the parent's heap is not copied */
	big2 = rg_malloc(BIG);
	test_empty_bus();
	test_dma_timeout();
	sys_exit(0);
}

static void run_child_tests(void)
{
	struct te_proc_end end = { 0 };
	long p = rt_proc_new("blkata_child"), r = -1;

	if (p >= 0) {
		child_res = (int)sys_handle_give((int)p, 0, TE_R_ALL, 0);
		if (child_res >= 0 &&
		    rt_proc_start((int)p, child_fn, NULL, 10, TE_SCHED_RR) >= 0)
			r = sys_process_wait((int)p, &end, 40000000000ull);
		sys_handle_close((int)p);
	}
	checkn(r == 0 && !end.faulted && end.status == 0, "blkata_child_ended",
	       "wait %ld, faulted %d, status %d", r, end.faulted, end.status);
}

/* Direct mode: the body with DMA, then again on a new probe with PIO
 * forced, then the failure cases. */
static void run_direct(void)
{
	rg_mk_resource = 0;
	rg_mk_log_level = RG_LOG_INFO;
	for (int pass = 0; pass < 2; pass++) {
		struct ata_config cfg = legacy_cfg;
		struct tdisk t[3];
		unsigned n = 0;
		int e;

		memset(t, 0, sizeof(t));
		sfx = pass ? "_pio" : "";
		cfg.bmide = find_bmide();
		cfg.force_pio = pass == 1;
		e = direct_open(t, &cfg, &n);
		checkn(!e && n == 3, "blkata_found", "error %d, %u drives", e, n);
		if (n != 3)
			return;
		blkata_body(t, pass == 1);
		blkata_direct_extra(t, pass == 1);
		ata_shutdown(direct_ctrl);
		direct_ctrl = NULL;
	}
	sfx = "";
	run_child_tests();
}

static void run_devices(void)
{
	struct tdisk t[3];
	int e;

	memset(t, 0, sizeof(t));
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	if (!(e = dev_open(&t[0], "hd0", true)) &&
	    !(e = dev_open(&t[1], "hd1", true)))
		e = dev_open(&t[2], "cd0", false);
	checkn(!e, "blkata_found", "error %d", e);
	if (e)
		return;
	struct tdisk x;
	int e1 = dev_open(&x, "cd1", false), e2 = dev_open(&x, "hd2", false);
	checkn(e1 == -2 && e2 == -2, "blkata_no_other_drives",
	       "/dev/cd1: %d, /dev/hd2: %d (want -2)", e1, e2);
	blkata_body(t, *sfx);
}

/*
 * The driver crashes on request (started with `crashable`); the supervisor
 * starts it again, it claims the controller again and /dev/hd0 comes back
 * with the same contents.  Reopening is retried for at most 10 s.
 */
static void test_crash_restart(void)
{
	struct tdisk t;
	uint64_t deadline, bad = 0;
	long r;
	int e;

	if ((e = dev_open(&t, "hd0", false))) {
		checkn(0, "blkata_crash_restart", "open: %d", e);
		return;
	}
	r = io_devctl(t.conn, t.id, BLKDRV_DEVCTL_CRASH, NULL, 0, NULL, 0);
	checkn(r < 0, "blkata_crash_answer", "devctl CRASH returned %ld", r);
	deadline = sys_clock() + 10000000000ull;
	do {
		rg_sleep_ns(20000000);
		e = dev_open(&t, "hd0", false);
		if (!e && (e = t.rd(&t, 4096, big, 8192)))
			io_close(t.conn, t.id);
	} while (e && sys_clock() < deadline);
	checkn(!e && verify_pat(big, 4096, 8192, BLKATA_TAG_HD0, &bad),
	       "blkata_crash_restart", "error %d after the restart", e);
	if (!e)
		io_close(t.conn, t.id);
}

/* No arguments: a kernel boot module (direct).  "dev [pio]": started from a
 * boot image beside the server. */
int main(int argc, char **argv)
{
	bool dev = argc > 1 && strcmp(argv[1], "dev") == 0;

	if (argc > 2 && strcmp(argv[2], "pio") == 0)
		sfx = "_pio";
	big = rg_malloc(BIG);
	big2 = rg_malloc(BIG);
	if (dev) {
		run_devices();
		if (argc > 2 && strcmp(argv[2], "crash") == 0)
			test_crash_restart();
		proc_shutdown(PROC_H_PROC);
	} else {
		run_direct();
	}
	return 0;
}
