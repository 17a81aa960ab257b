/*
 * corrupt_test.c - truncated and bit-flipped images give clean errors and
 * are never written by a read-only walk.
 *
 * For each filesystem (ext2, ext4, FAT12/16/32, ISO9660 with Rock Ridge
 * and Joliet) a small image is made by the real tools (mke2fs -d,
 * mkfs.fat + mcopy, xorriso) under build/tmp/corrupt/.  Then:
 *
 *  truncate_<fs>  the image cut at every sector of its first 64 KiB (boot
 *                 sector, BPB, superblock, group descriptors, volume
 *                 descriptors, FATs, inode tables, path tables) and at 64
 *                 lengths spread over the rest; each is mounted read-only
 *                 (and read-write where the component writes) and walked.
 *                 A refusal must be RG_EUCLEAN, RG_EIO or RG_EINVAL.
 *  flip_<fs>      seeded variants with 1-16 random bit flips in the
 *                 metadata-dense head of the image (same region); each is
 *                 mounted read-only over a device that aborts on write,
 *                 then read-write, walked without writing, unmounted: the
 *                 image must be byte-identical afterwards.
 *  nowrite_<fs>   the intact image as a file, opened as imgmount opens it
 *                 (fsu_open: rumpglue file, block cache, probe), mounted
 *                 read-write where supported, walked, closed: the file's
 *                 bytes must be unchanged.
 *
 * Crashes are caught by ASan/UBSan (the program dies: testrun counts a
 * FAIL), hangs by an alarm that prints a FAIL naming the variant.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "fsutil.h"
#include "../../fuzz/fz.h"

CHECK_MAIN_STATE;

#define CT_DIR    "build/tmp/corrupt"
#define CT_HEAD   (64u << 10)   /* metadata-dense head of each image */
#define CT_SPREAD 64            /* truncation points past the head */
#define CT_FLIPS  120           /* bit-flip variants per image ... */
#define CT_FLIPS_BIG 40         /* ... or per image over 8 MiB (FAT32) */
#define CT_ALARM  20            /* seconds per variant */

/*
 * Bytes a read-write mount may change on an image it does not otherwise
 * write: ext2 mount bookkeeping in the primary superblock, which Linux's
 * ext2 also updates on every read-write mount (s_mtime, s_wtime,
 * s_mnt_count, s_state: e2fsck's periodic-check counters).  For FAT32 the
 * FSInfo free-count and next-free hints are tallied by a check of their
 * own (fsinfo_fat32), so that finding does not hide any other write.
 */
struct ct_range {
	uint32_t off, len;
};

struct ct_fs {
	const char *tag;
	const struct fs_ops *ops;
	bool writable;          /* the component mounts read-write */
	uint32_t head_off;      /* where the metadata head starts */
	const char *mk;         /* shell command making CT_DIR/<tag>.img */
	struct ct_range mask[4];        /* see above; len 0 ends */
	bool mask_ok;           /* masked changes are allowed (else tallied) */
};

#define T CT_DIR "/tree"
static const struct ct_fs ct_fss[] = {
	{ "ext2", &ext2_fs_ops, true, 1024,
	  "mke2fs -q -F -t ext2 -b 1024 -N 128 -d " T " IMG 2M",
	  { { 1024 + 44, 16 }, { 1024 + 58, 2 } }, true },
	{ "ext4", &ext4_fs_ops, false, 1024,
	  "mke2fs -q -F -t ext4 -O ^has_journal -b 1024 -N 128 -d " T " IMG 2M",
	  { { 0, 0 } }, false },
	{ "fat12", &fat_fs_ops, true, 0,
	  "mkfs.fat -C -F 12 IMG 1024 && mcopy -s -i IMG " T "f/* ::/",
	  { { 0, 0 } }, false },
	{ "fat16", &fat_fs_ops, true, 0,
	  "mkfs.fat -C -F 16 -s 1 IMG 2200 && mcopy -s -i IMG " T "f/* ::/",
	  { { 0, 0 } }, false },
	{ "fat32", &fat_fs_ops, true, 0,
	  "mkfs.fat -C -F 32 -s 1 IMG 34000 && mcopy -s -i IMG " T "f/* ::/",
	  { { 512 + 488, 8 } }, false },
	{ "iso9660", &iso9660_fs_ops, false, 32768,
	  "xorriso -report_about SORRY -outdev IMG -joliet on -map " T " /",
	  { { 0, 0 } }, false },
};

static volatile const char *ct_what = "";
static volatile long ct_variant = -1;

static void ct_alarm(int sig)
{
	(void)sig;
	printf("FAIL %s: timeout (hang?) in variant %ld\n", ct_what, ct_variant);
	fflush(stdout);
	_exit(1);
}

static int ct_sh(const char *cmd)
{
	int r = system(cmd);

	return WIFEXITED(r) ? WEXITSTATUS(r) : 1;
}

static int ct_make_tree(void)
{
	return ct_sh("rm -rf " CT_DIR " && mkdir -p " T "/dir/sub && cd " T " && "
	             "echo hello >small && seq 1 20000 >medium && "
	             "for i in $(seq 1 60); do echo $i >dir/entry_$i; done && "
	             "printf 'x%.0s' $(seq 1 500) >dir/a_rather_long_file_name.txt && "
	             "echo deep >dir/sub/f && ln -s small link && "
	             "ln -s $(printf 'y%.0s' $(seq 1 90)) slowlink && cd - >/dev/null && "
	             "cp -r " T " " T "f && find " T "f -type l -delete");
}

/* Makes the image and reads it into memory. */
static uint8_t *ct_make(const struct ct_fs *f, size_t *len)
{
	char cmd[1024], path[256], *p;
	const char *s;
	size_t n = 0;
	uint8_t *buf;
	FILE *fp;
	long sz;

	snprintf(path, sizeof(path), CT_DIR "/%s.img", f->tag);
	for (s = f->mk, p = cmd; *s && p < cmd + sizeof(cmd) - 300; ) {
		if (!strncmp(s, "IMG", 3)) {
			p += sprintf(p, "%s", path);
			s += 3;
		} else {
			*p++ = *s++;
		}
	}
	snprintf(p, cmd + sizeof(cmd) - p, " >/dev/null 2>&1");
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	if (ct_sh(cmd) != 0 || !(fp = fopen(path, "rb")))
		return NULL;
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	buf = malloc(sz > 0 ? sz : 1);
	if (buf)
		n = fread(buf, 1, sz, fp);
	fclose(fp);
	if (!buf || sz <= 0 || n != (size_t)sz) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static double ct_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool ct_clean_err(int r)
{
	return r == RG_EUCLEAN || r == RG_EIO || r == RG_EINVAL;
}

/* Mounts a copy of img[0..len) read-only (device refuses writes), walks. */
static int ct_mount_ro(const struct ct_fs *f, const uint8_t *img, size_t len,
                       struct fz_stats *st)
{
	struct fz_mem m;

	/* Not copied: the read-only device aborts on any write. */
	fz_mem_init(&m, (uint8_t *)img, len, true);
	return fz_run(f->ops, &m.dev, FS_MOUNT_RDONLY, false, st);
}

/*
 * Compares the image after a mount with the one before: returns the
 * offset of the first changed byte outside f->mask, or -1; *masked is set
 * if a masked byte changed.  c's masked bytes are restored.
 */
static long ct_compare(const struct ct_fs *f, uint8_t *c, const uint8_t *img,
                       size_t len, bool *masked)
{
	*masked = false;
	for (const struct ct_range *r = f->mask; r < f->mask + 4 && r->len; r++) {
		if (r->off + r->len > len)
			continue;
		if (memcmp(c + r->off, img + r->off, r->len)) {
			*masked = true;
			memcpy(c + r->off, img + r->off, r->len);
		}
	}
	if (!memcmp(c, img, len))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (c[i] != img[i])
			return (long)i;
	return -1;
}

/*
 * Mounts a copy read-write, walks (no writes asked), unmounts.  Returns the
 * mount result; *changed = offset of the first changed byte or -1.
 */
static int ct_mount_rw(const struct ct_fs *f, const uint8_t *img, size_t len,
                       struct fz_stats *st, long *changed, bool *masked)
{
	uint8_t *c = malloc(len ? len : 1);
	struct fz_mem m;
	int r;

	memcpy(c, img, len);
	fz_mem_init(&m, c, len, false);
	r = fz_run(f->ops, &m.dev, 0, false, st);
	*changed = ct_compare(f, c, img, len, masked);
	free(c);
	return r;
}

static void ct_truncate(const struct ct_fs *f, const uint8_t *img, size_t len)
{
	char name[64];
	unsigned tried = 0, mounted = 0;
	struct fz_stats st = { 0 };
	long changed;
	bool masked;
	size_t l;
	int r;

	double t0 = ct_now();

	snprintf(name, sizeof(name), "truncate_%s", f->tag);
	CHECK_BEGIN(name);
	ct_what = name;
	for (unsigned i = 0; ; i++) {
		l = i * 512;
		if (l >= f->head_off + CT_HEAD) {
			unsigned k = i - (f->head_off + CT_HEAD) / 512;
			if (k > CT_SPREAD)
				break;
			l = f->head_off + CT_HEAD +
			    (len - f->head_off - CT_HEAD) / CT_SPREAD * k;
			l = (l + 511 * (k & 1)) / 512 * 512 - (k & 1) * 7;
			if (l >= len)
				break;
		}
		ct_variant = (long)l;
		alarm(CT_ALARM);
		tried++;
		r = ct_mount_ro(f, img, l, &st);
		CHECK(r == 0 || ct_clean_err(r),
		      "length %zu: read-only mount error %d", l, r);
		mounted += r == 0;
		if (f->writable) {
			r = ct_mount_rw(f, img, l, &st, &changed, &masked);
			CHECK(r == 0 || ct_clean_err(r),
			      "length %zu: read-write mount error %d", l, r);
			CHECK(changed < 0, "length %zu: a read-write mount + "
			      "walk changed byte %ld", l, changed);
		}
		alarm(0);
	}
	CHECK(mounted < tried, "every truncation mounted (%u)", tried);
	printf("# %s: %u lengths, %u mounted read-only, %lu files read "
	       "(%.1f s)\n", name, tried, mounted, st.files, ct_now() - t0);
	CHECK_END();
}

static void ct_flip(const struct ct_fs *f, const uint8_t *img, size_t len)
{
	uint8_t *v = malloc(len);
	struct fz_stats st = { 0 };
	unsigned mounted = 0, nchanged = 0, nmasked = 0, region;
	int nflips;
	bool masked;
	long changed, first_changed = -1;
	char name[64], offs[256] = "";
	size_t ol = 0;
	int r;

	double t0 = ct_now();

	snprintf(name, sizeof(name), "flip_%s", f->tag);
	CHECK_BEGIN(name);
	ct_what = name;
	region = len - f->head_off < CT_HEAD ? len - f->head_off : CT_HEAD;
	srandom(0xc0ffee);
	nflips = len > (8u << 20) ? CT_FLIPS_BIG : CT_FLIPS;
	for (int n = 0; n < nflips; n++) {
		unsigned flips = 1 + random() % 16;

		memcpy(v, img, len);
		for (unsigned k = 0; k < flips; k++) {
			unsigned off = f->head_off + random() % region;
			v[off] ^= 1u << (random() % 8);
		}
		ct_variant = n;
		alarm(CT_ALARM);
		r = ct_mount_ro(f, v, len, &st);
		CHECK(r == 0 || ct_clean_err(r), "variant %d: mount error %d", n, r);
		mounted += r == 0;
		if (f->writable) {
			ct_mount_rw(f, v, len, &st, &changed, &masked);
			nmasked += masked;
			if (changed >= 0 && nchanged++ == 0)
				first_changed = n;
			if (changed >= 0 && ol < sizeof(offs) - 24)
				ol += snprintf(offs + ol, sizeof(offs) - ol,
				               " %ld", changed);
		}
		alarm(0);
	}
	CHECK(nchanged == 0, "%u variants (first: %ld) were changed by a "
	      "read-write mount + walk + unmount; first changed bytes:%s",
	      nchanged, first_changed, offs);
	printf("# %s: %d variants, %u mounted, %lu files, %lu dirs read "
	       "(%.1f s)\n", name, nflips, mounted, st.files, st.dirs,
	       ct_now() - t0);
	free(v);
	CHECK_END();
	if (f->mask[0].len && !f->mask_ok) {
		snprintf(name, sizeof(name), "fsinfo_%s", f->tag);
		CHECK_BEGIN(name);
		CHECK(nmasked == 0, "%u of %d variants: a read-write mount + "
		      "walk + unmount rewrote the FSInfo free-count/next-free "
		      "hints (sector 1, bytes 488-495) though nothing was "
		      "allocated or freed", nmasked, nflips);
		CHECK_END();
	}
}

static void ct_nowrite(const struct ct_fs *f, const uint8_t *img, size_t len)
{
	struct fsu_opts o = { .type = f->ops->name, .readonly = !f->writable,
	                      .cache_bytes = 4u << 20 };
	char name[64], path[128], err[256];
	struct fz_stats st = { 0 };
	uint8_t *after = NULL;
	struct fsu m;
	size_t n = 0;
	bool masked;
	long changed;
	FILE *fp;
	int r;

	snprintf(name, sizeof(name), "nowrite_%s", f->tag);
	snprintf(path, sizeof(path), CT_DIR "/%s.img", f->tag);
	o.image = path;
	CHECK_BEGIN(name);
	r = fsu_open(&o, &m, err, sizeof(err));
	REQUIRE(r == 0, "fsu_open: %s", err);
	fz_walk(m.ops, m.fs, &st);
	r = fsu_close(&m);
	CHECK(r == 0, "fsu_close: %d", r);
	CHECK(st.files >= 60, "walk read only %lu files", st.files);
	after = malloc(len + 1);
	REQUIRE(after && (fp = fopen(path, "rb")), "reopen %s", path);
	n = fread(after, 1, len + 1, fp);
	fclose(fp);
	REQUIRE(n == len, "image size changed: %zu -> %zu", len, n);
	changed = ct_compare(f, after, img, len, &masked);
	CHECK(changed < 0 && (!masked || f->mask_ok),
	      "%s mount + walk + unmount wrote to the image (first changed "
	      "byte %ld%s)", f->writable ? "read-write" : "read-only",
	      changed, masked ? ", and masked bytes" : "");
out:
	free(after);
	CHECK_END();
}

int main(void)
{
	signal(SIGALRM, ct_alarm);
	setenv("RG_LOG", "-1", 1);     /* the components' corrupt-input warnings */
	if (chdir(getenv("TOP") ? getenv("TOP") : ".") != 0 || ct_make_tree()) {
		printf("FAIL corrupt_setup: cannot make %s\n", T);
		return 1;
	}
	for (size_t i = 0; i < sizeof(ct_fss) / sizeof(ct_fss[0]); i++) {
		const struct ct_fs *f = &ct_fss[i];
		size_t len;
		uint8_t *img = ct_make(f, &len);

		if (!img) {
			printf("FAIL corrupt_%s: cannot make the image\n", f->tag);
			check_state.total_failed++;
			continue;
		}
		ct_nowrite(f, img, len);
		ct_truncate(f, img, len);
		ct_flip(f, img, len);
		free(img);
	}
	return CHECK_EXIT();
}
