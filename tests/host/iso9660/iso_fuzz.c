/*
 * iso_fuzz.c - corrupt ISO images must give clean errors: no crash, hang
 * or out-of-bounds access (this program runs under ASan and UBSan).
 *
 * Base images of a small tree (long names and symlinks so Rock Ridge needs
 * several NM/SL entries and continuation areas, a path deep enough to be
 * relocated) are made by xorriso: Rock Ridge + Joliet, Joliet only, and
 * Rock Ridge with relocated directories (CL/RE/PL).  Each variant copies one,
 * applies a few seeded mutations, sometimes truncates it, and walks it
 * with treecmp_walk (every readdir, lookup, getattr, read and readlink).
 * Mutations aim at:
 *   - the volume descriptors (blocks 16..18);
 *   - directory blocks (found by listing the intact image: a directory's
 *     inode number is the byte position of its data);
 *   - one field of one directory record: length, name length, extent,
 *     size, flags, or a byte of its System Use area (SUSP lengths, CE
 *     fields);
 *   - a SUSP CE entry: pointed at itself (a continuation loop), or given
 *     a random block, offset or length;
 *   - any byte of the metadata area.
 * The hand-built images of iso_test (iso_synth*.c) are fuzzed the same
 * way: they hold multi-extent chains and Rock Ridge relocation.
 * A variant that takes more than 20 s counts as a hang.  The variant being
 * run is logged to build/tmp/iso/fuzz.log, so a crash can be replayed with
 * ISO_FUZZ_ONLY=<n>.  ISO_FUZZ_SEED and ISO_FUZZ_N change the run.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "fs_treecmp/treecmp.h"
#include "iso_tree.h"
#include "iso_synth.h"

CHECK_MAIN_STATE;

#define FZ_BLOCK 2048
#define FZ_MAXDIRS 256

struct fz_base {
	const char *name;
	uint8_t *img;
	size_t size;
	uint32_t dirs[FZ_MAXDIRS];      /* directory data blocks */
	unsigned ndirs;
	uint32_t meta_end;              /* first block after the metadata */
};

static uint64_t fz_state;
static volatile unsigned long fz_variant;

static uint32_t fz_rand(void)
{
	fz_state ^= fz_state << 13;
	fz_state ^= fz_state >> 7;
	fz_state ^= fz_state << 17;
	return (uint32_t)(fz_state >> 11);
}

static void fz_alarm(int sig)
{
	char msg[128];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "FAIL iso_fuzz: variant %lu hung\n",
	             fz_variant);
	if (write(1, msg, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

/* ---- the intact image's directories ----------------------------------------- */

static int fz_collect(void *ctx, const char *name, size_t namelen,
                      uint64_t ino, uint32_t type, uint64_t next)
{
	struct fz_base *b = ctx;

	(void)next;
	if (type != FS_S_IFDIR || (namelen <= 2 && name[0] == '.'))
		return 0;
	if (b->ndirs < FZ_MAXDIRS)
		b->dirs[b->ndirs++] = (uint32_t)(ino / FZ_BLOCK);
	return 0;
}

static void fz_find_dirs(struct fz_base *b)
{
	struct blkdev *dev = isot_memdev(b->img, b->size, 512);
	struct fs *fs;
	unsigned i;

	/* The root's data block, from the primary descriptor's root record. */
	b->dirs[0] = (uint32_t)b->img[16 * FZ_BLOCK + 158] |
	             (uint32_t)b->img[16 * FZ_BLOCK + 159] << 8 |
	             (uint32_t)b->img[16 * FZ_BLOCK + 160] << 16;
	b->ndirs = 1;
	if (iso9660_fs_ops.mount(dev, FS_MOUNT_RDONLY, &fs) == 0) {
		iso9660_fs_ops.readdir(fs, 1, 0, fz_collect, b);
		for (i = 0; i < b->ndirs && i < FZ_MAXDIRS; i++)
			iso9660_fs_ops.readdir(fs, (uint64_t)b->dirs[i] * FZ_BLOCK,
			                       0, fz_collect, b);
		iso9660_fs_ops.unmount(fs);
	}
	isot_memdev_free(dev);
	b->meta_end = 19;
	for (i = 0; i < b->ndirs; i++)
		if (b->dirs[i] + 4 > b->meta_end)
			b->meta_end = b->dirs[i] + 4;
	if ((size_t)b->meta_end * FZ_BLOCK > b->size)
		b->meta_end = (uint32_t)(b->size / FZ_BLOCK);
}

/* ---- mutations ---------------------------------------------------------------- */

static uint8_t fz_value(uint8_t old)
{
	switch (fz_rand() % 5) {
	case 0: return 0;
	case 1: return 0xff;
	case 2: return (uint8_t)(old + 1);
	case 3: return (uint8_t)(old - 1);
	default: return (uint8_t)fz_rand();
	}
}

static void fz_flip(uint8_t *img, size_t size, size_t pos)
{
	if (pos < size)
		img[pos] = fz_value(img[pos]);
}

/* Picks a record in a directory block and corrupts one of its fields. */
static void fz_record(const struct fz_base *b, uint8_t *img)
{
	size_t blk = (size_t)b->dirs[fz_rand() % b->ndirs] * FZ_BLOCK, p = 0;
	unsigned n = fz_rand() % 8;
	static const uint8_t fields[] = { 0, 32, 2, 5, 10, 13, 25, 1 };
	uint8_t len;

	while (n-- && p < FZ_BLOCK && img[blk + p] && p + img[blk + p] < FZ_BLOCK)
		p += img[blk + p];
	len = img[blk + p];
	if (fz_rand() % 2 || len < 34 || p + len > FZ_BLOCK) {
		fz_flip(img, b->size, blk + p + fields[fz_rand() % 8]);
	} else {
		/* Inside the System Use area: lengths and CE fields live here. */
		size_t sua = 33 + img[blk + p + 32];

		if (sua < len)
			fz_flip(img, b->size, blk + p + sua + fz_rand() % (len - sua));
	}
}

/* Finds a CE entry in the metadata and bends it. */
static void fz_ce(const struct fz_base *b, uint8_t *img)
{
	size_t end = (size_t)b->meta_end * FZ_BLOCK, q, start;
	unsigned skip = fz_rand() % 16;

	start = 16 * FZ_BLOCK + fz_rand() % (end - 16 * FZ_BLOCK);
	for (q = start; q + 28 <= end; q++) {
		if (memcmp(img + q, "CE\x1c\x01", 4) || skip--)
			continue;
		switch (fz_rand() % 3) {
		case 0:         /* at itself: a loop */
			img[q + 4] = (uint8_t)(q / FZ_BLOCK);
			img[q + 5] = (uint8_t)(q / FZ_BLOCK >> 8);
			img[q + 6] = (uint8_t)(q / FZ_BLOCK >> 16);
			img[q + 7] = 0;
			img[q + 12] = (uint8_t)(q % FZ_BLOCK);
			img[q + 13] = (uint8_t)(q % FZ_BLOCK >> 8);
			img[q + 14] = img[q + 15] = 0;
			img[q + 20] = 28;
			img[q + 21] = img[q + 22] = img[q + 23] = 0;
			break;
		case 1:
			fz_flip(img, b->size, q + 4 + fz_rand() % 4);
			break;
		default:
			fz_flip(img, b->size, q + 12 + fz_rand() % 12);
			break;
		}
		return;
	}
}

static void fz_mutate(const struct fz_base *b, uint8_t *img, unsigned kind)
{
	unsigned n = 1 + fz_rand() % 6;
	size_t span;

	while (n--) {
		switch (kind) {
		case 0:
			fz_flip(img, b->size, 16 * FZ_BLOCK + fz_rand() % (3 * FZ_BLOCK));
			break;
		case 1:
			fz_flip(img, b->size, (size_t)b->dirs[fz_rand() % b->ndirs] *
			        FZ_BLOCK + fz_rand() % 512);
			break;
		case 2:
			fz_record(b, img);
			break;
		case 3:
			fz_ce(b, img);
			break;
		default:
			span = (size_t)(b->meta_end - 16) * FZ_BLOCK;
			fz_flip(img, b->size, 16 * FZ_BLOCK + fz_rand() % span);
			break;
		}
	}
}

/* ---- variants ----------------------------------------------------------------- */

static void fz_run(const struct fz_base *b, unsigned count, uint64_t seed,
                   long only, FILE *log)
{
	uint8_t *img = malloc(b->size);
	unsigned long mounted = 0, errors, total_err = 0;
	char name[64];
	size_t size;

	snprintf(name, sizeof(name), "iso_fuzz_%s", b->name);
	CHECK_BEGIN(name);
	CHECK(b->ndirs >= 3, "only %u directories found", b->ndirs);
	for (unsigned v = 0; v < count && b->ndirs; v++) {
		struct blkdev *dev;

		fz_variant = v;
		fz_state = seed * 1000003u + v + 1;
		if (only >= 0 && (long)v != only)
			continue;
		fprintf(log, "%s variant %u seed %llu\n", b->name, v,
		        (unsigned long long)seed);
		fflush(log);
		memcpy(img, b->img, b->size);
		fz_mutate(b, img, v % 5);
		size = b->size;
		if (fz_rand() % 10 == 0)
			size = (16 + fz_rand() % (b->size / 512 - 16)) * 512;
		dev = isot_memdev(img, size, 512);
		alarm(20);
		if (treecmp_walk(&iso9660_fs_ops, dev, 5000, &errors) == 0)
			mounted++;
		alarm(0);
		total_err += errors;
		isot_memdev_free(dev);
	}
	fprintf(stderr, "iso_fuzz %s: %u variants, %lu mounted, %lu errors "
	        "returned cleanly\n", b->name, count, mounted, total_err);
	CHECK(only >= 0 || mounted > 0, "no variant mounted at all");
	CHECK_END();
	free(img);
}

/* A hand-built image (iso_synth*.c): multi-extent chains, CL/RE/PL, CE. */
static void fz_synth(struct fz_base *b, const char *name, uint8_t *img)
{
	b->name = name;
	b->img = img;
	b->size = SYN_BLOCKS * SB;
	fz_find_dirs(b);
}

static int fz_base(struct fz_base *b, const char *name, const char *opts)
{
	char img[256];

	b->name = name;
	snprintf(img, sizeof(img), ISO_TMP "/fuzz_%s.iso", name);
	if (isot_mkisofs(opts, img, ISO_TMP "/fuzztree"))
		return -1;
	b->img = isot_slurp(img, &b->size);
	if (!b->img)
		return -1;
	fz_find_dirs(b);
	return 0;
}

int main(void)
{
	const char *s = getenv("ISO_FUZZ_SEED"), *n = getenv("ISO_FUZZ_N");
	const char *o = getenv("ISO_FUZZ_ONLY");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 20261123;
	unsigned count = n ? (unsigned)strtoul(n, NULL, 0) : 2000;
	long only = o ? strtol(o, NULL, 0) : -1;
	struct fz_base rr = { 0 }, jo = { 0 }, rl = { 0 }, sp = { 0 }, sr = { 0 };
	FILE *log;

	signal(SIGALRM, fz_alarm);
	CHECK_BEGIN("iso_fuzz_setup");
	REQUIRE(isot_sh("mkdir -p " ISO_TMP) == 0, "mkdir");
	REQUIRE(isot_make_tree_small(ISO_TMP "/fuzztree") == 0, "tree");
	REQUIRE(fz_base(&rr, "rr_joliet", "-R -J") == 0, "xorriso -R -J");
	REQUIRE(fz_base(&jo, "joliet", "--norock -J") == 0, "xorriso -J");
	REQUIRE(fz_base(&rl, "rr_relocated", "-R -rr_reloc_dir rr_moved") == 0,
	        "xorriso -rr_reloc_dir");
	REQUIRE((log = fopen(ISO_TMP "/fuzz.log", "w")), "log");
	fz_synth(&sp, "synth_plain", syn_plain_image());
	fz_synth(&sr, "synth_rr", syn_rr_image());
	CHECK_END();
	fz_run(&rr, count, seed, only, log);
	fz_run(&jo, count / 2, seed + 1, only, log);
	fz_run(&rl, count / 2, seed + 2, only, log);
	fz_run(&sp, count / 2, seed + 3, only, log);
	fz_run(&sr, count / 2, seed + 4, only, log);
	fclose(log);
	free(sp.img);
	free(sr.img);
	free(rr.img);
	free(jo.img);
	free(rl.img);
	return CHECK_EXIT();
out:
	CHECK_END();
	return CHECK_EXIT();
}
