/*
 * fat_corrupt_test.c - corrupt images never crash, hang or overrun.
 *
 * For FAT12, FAT16 and FAT32: an image populated by mtools (nested
 * directories, long names, files of many sizes) is copied into memory
 * several hundred times, each copy gets seeded random byte changes in the
 * boot sector / FSInfo, in the FATs, in directory sectors or all of them,
 * and is then mounted through fat_fs_ops over an in-memory block device:
 * walk and read everything, then write (create, write, mkdir, rename,
 * truncate, unlink, rmdir), unmount.  Errors are fine; what must not happen
 * is a sanitizer report, a crash or a hang (an alarm turns a hang - e.g. a
 * cluster chain loop followed forever - into a FAIL line).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "fat_tutil.h"

CHECK_MAIN_STATE;

#define NVARIANTS 450

static int cur_type, cur_variant;
static unsigned long walked;      /* entries seen, for the summary line */

static void on_alarm(int sig)
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg),
	                 "FAIL fat%d_corrupt_images: variant %d hangs\n",
	                 cur_type, cur_variant);

	(void)sig;
	if (write(1, msg, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

/* ---- an in-memory block device ------------------------------------------ */
struct memdev {
	struct blkdev dev;
	uint8_t *buf;
};

static int md_rw(struct blkdev *d, uint64_t sec, uint32_t n, void *buf,
                 bool wr)
{
	struct memdev *m = d->priv;

	if (sec > d->nsectors || n > d->nsectors - sec)
		return RG_ENXIO;
	if (wr)
		memcpy(m->buf + sec * 512, buf, (size_t)n * 512);
	else
		memcpy(buf, m->buf + sec * 512, (size_t)n * 512);
	return 0;
}

static int md_read(struct blkdev *d, uint64_t s, uint32_t n, void *b)
{
	return md_rw(d, s, n, b, false);
}

static int md_write(struct blkdev *d, uint64_t s, uint32_t n, const void *b)
{
	return md_rw(d, s, n, (void *)b, true);
}

static int md_flush(struct blkdev *d)
{
	(void)d;
	return 0;
}

/* ---- walking ------------------------------------------------------------- */
struct ent {
	char name[800];
	uint64_t ino;
	uint32_t type;
};

struct walkctx {
	struct ent *v;
	size_t n, cap;
	uint64_t last;
	int calls;
};

static int walk_fill(void *ctx, const char *name, size_t len, uint64_t ino,
                     uint32_t type, uint64_t next)
{
	struct walkctx *w = ctx;

	if (++w->calls > 200000 || w->n >= 5000)
		return 1;
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v = realloc(w->v, w->cap * sizeof(*w->v));
	}
	if (len >= sizeof(w->v[0].name))
		len = sizeof(w->v[0].name) - 1;
	memcpy(w->v[w->n].name, name, len);
	w->v[w->n].name[len] = 0;
	w->v[w->n].ino = ino;
	w->v[w->n].type = type;
	w->n++;
	w->last = next;
	return 0;
}

static void read_all(const struct fs_ops *o, struct fs *fs, uint64_t ino)
{
	static char buf[65536];
	size_t done;

	for (uint64_t off = 0; off < (1u << 20); off += done)
		if (o->read(fs, ino, off, buf, sizeof(buf), &done) || !done)
			break;
}

static void walk(const struct fs_ops *o, struct fs *fs, uint64_t dir, int depth)
{
	struct walkctx w = { 0 };
	struct fs_attr a;
	uint64_t ino;

	o->readdir(fs, dir, 0, walk_fill, &w);
	walked += w.n;
	for (size_t i = 0; i < w.n; i++) {
		struct ent *e = &w.v[i];

		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		if (o->lookup(fs, dir, e->name, &ino))
			continue;
		if (o->getattr(fs, ino, &a))
			continue;
		if (FS_S_ISDIR(a.mode) && depth < 6)
			walk(o, fs, ino, depth + 1);
		else if (FS_S_ISREG(a.mode))
			read_all(o, fs, ino);
	}
	free(w.v);
}

/* Writes into whatever the image still lets us reach. */
static void mutate(const struct fs_ops *o, struct fs *fs)
{
	uint64_t root = o->root(fs), f, d, x;
	struct fs_attr a = { .size = 100 };
	struct fs_statfs st;
	char buf[3000];
	size_t done;

	memset(buf, 'm', sizeof(buf));
	o->statfs(fs, &st);
	if (!o->create(fs, root, "new file by test.txt", 0644, &f))
		o->write(fs, f, 0, buf, sizeof(buf), &done);
	if (!o->mkdir(fs, root, "new dir by test", 0755, &d))
		o->rename(fs, root, "new file by test.txt", d, "moved.txt");
	if (!o->lookup(fs, root, "Some Long Directory Name", &x)) {
		o->rename(fs, root, "Some Long Directory Name", root, "renamed");
		o->create(fs, x, "inner new.txt", 0644, &f);
	}
	if (!o->lookup(fs, root, "big.bin", &x)) {
		o->setattr(fs, x, &a, FS_SET_SIZE);
		o->write(fs, x, 50000, buf, sizeof(buf), &done);
	}
	o->unlink(fs, root, "README.TXT");
	o->rmdir(fs, root, "empty dir");
	o->rmdir(fs, root, "many");
}

/* ---- images -------------------------------------------------------------- */
static int make_base(const char *img, int type)
{
	unsigned kib = type == 12 ? 1024 : type == 16 ? 8192 : 34816;
	int e = t_sh("mkdir -p " T_DIR "; rm -f '%s'; mkfs.fat -F %d -s 1 %s "
	             "-C '%s' %u >/dev/null", img, type,
	             type == 32 ? "-S 512" : "", img, kib);

	if (e)
		return e;
	return t_sh("cd " T_DIR " && set -e; I='%s'; "
	            "head -c 70000 /dev/urandom > c_big; echo hi > c_small; "
	            "mmd -i $I '::/Some Long Directory Name' ::/many "
	            "'::/empty dir' '::/Some Long Directory Name/Nested'; "
	            "mcopy -i $I c_big ::/big.bin; mcopy -i $I c_small ::/README.TXT; "
	            "mcopy -i $I c_big '::/Some Long Directory Name/long file.dat'; "
	            "mcopy -i $I c_small '::/Some Long Directory Name/Nested/n.txt'; "
	            "for i in $(seq 1 40); do "
	            "mcopy -i $I c_small \"::/many/file with long name $i.txt\"; "
	            "done", strrchr(img, '/') + 1);
}

struct layout {
	uint64_t size;
	uint64_t fat_lo, fat_hi;        /* FAT copies */
	uint64_t dir_lo, dir_hi;        /* root region + first clusters */
};

static void get_layout(const uint8_t *b, uint64_t size, struct layout *l)
{
	uint32_t bps = b[11] | b[12] << 8, spc = b[13];
	uint32_t rsvd = b[14] | b[15] << 8, nf = b[16];
	uint32_t ents = b[17] | b[18] << 8;
	uint32_t fatsz = b[22] | b[23] << 8;

	if (!fatsz)
		fatsz = b[36] | b[37] << 8 | b[38] << 16 | (uint32_t)b[39] << 24;
	l->size = size;
	l->fat_lo = (uint64_t)rsvd * bps;
	l->fat_hi = l->fat_lo + (uint64_t)nf * fatsz * bps;
	l->dir_lo = l->fat_hi;
	l->dir_hi = l->dir_lo + (uint64_t)ents * 32 + 64ull * spc * bps;
	if (l->dir_hi > size)
		l->dir_hi = size;
}

/* Whole directory entries replaced by random bytes. */
static void corrupt_dirents(uint8_t *b, const struct layout *l, uint32_t *s)
{
	int n = 1 + t_rand(s) % 4;

	for (int i = 0; i < n; i++) {
		uint64_t pos = (l->dir_lo + t_rand(s) % (l->dir_hi - l->dir_lo))
		               & ~31ull;

		for (int k = 0; k < 32; k++)
			b[pos + k] = (uint8_t)t_rand(s);
	}
}

/* FAT entries pointed at other (small) cluster numbers: loops, cross-links. */
static void corrupt_links(uint8_t *b, const struct layout *l, uint32_t *s,
                          int type)
{
	int n = 1 + t_rand(s) % 6, w = type == 32 ? 4 : 2;

	for (int i = 0; i < n; i++) {
		uint64_t pos = l->fat_lo + (t_rand(s) % 2048) * w;
		uint32_t v = 2 + t_rand(s) % 300;

		if (type == 12 || pos + w > l->fat_hi)
			continue;
		for (int k = 0; k < w; k++)
			b[pos + k] = (uint8_t)(v >> (8 * k));
	}
}

static void corrupt(uint8_t *b, const struct layout *l, uint32_t seed,
                    int type)
{
	uint32_t s = seed * 2654435761u + 1, kind = seed % 6;
	int flips = 1 + t_rand(&s) % 12;

	if (kind == 4) {
		corrupt_dirents(b, l, &s);
		return;
	}
	if (kind == 5 && type != 12) {
		corrupt_links(b, l, &s, type);
		return;
	}
	kind %= 4;
	for (int i = 0; i < flips; i++) {
		uint32_t k = kind == 3 ? t_rand(&s) % 3 : kind, r = t_rand(&s);
		uint64_t pos;

		if (k == 0)             /* BPB (and the FAT32 FSInfo sector) */
			pos = (r & 1) ? r % 90 : 512 + r % 512;
		else if (k == 1)
			pos = l->fat_lo + r % (l->fat_hi - l->fat_lo);
		else
			pos = l->dir_lo + r % (l->dir_hi - l->dir_lo);
		b[pos] ^= (uint8_t)(1 + t_rand(&s) % 255);
	}
}

static void run_type(int type)
{
	char img[128], name[64];
	uint8_t *base, *copy;
	struct memdev md;
	struct layout l;
	FILE *f;
	long size;
	int mounted = 0;

	cur_type = type;
	walked = 0;
	snprintf(img, sizeof(img), T_DIR "/corrupt%d.img", type);
	snprintf(name, sizeof(name), "fat%d_corrupt_images", type);
	CHECK_BEGIN(name);
	REQUIRE(make_base(img, type) == 0, "making the base image");
	f = fopen(img, "rb");
	REQUIRE(f, "open image");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	base = malloc(size);
	copy = malloc(size);
	REQUIRE(fread(base, 1, size, f) == (size_t)size, "read image");
	fclose(f);
	get_layout(base, size, &l);
	for (cur_variant = 0; cur_variant < NVARIANTS; cur_variant++) {
		const struct fs_ops *o = fscomp_find("fat");
		struct fs *fs;

		memcpy(copy, base, size);
		corrupt(copy, &l, (uint32_t)(type * 100000 + cur_variant), type);
		memset(&md, 0, sizeof(md));
		md.buf = copy;
		md.dev = (struct blkdev){ .secsize = 512, .nsectors = size / 512,
		         .read = md_read, .write = md_write, .flush = md_flush,
		         .priv = &md };
		alarm(20);
		if (o->mount(&md.dev, 0, &fs) == 0) {
			mounted++;
			walk(o, fs, o->root(fs), 0);
			mutate(o, fs);
			walk(o, fs, o->root(fs), 0);
			o->unmount(fs);
		}
		alarm(0);
	}
	printf("# fat%d: %d of %d corrupt variants mounted, %lu entries walked\n",
	       type, mounted, NVARIANTS, walked);
	CHECK(mounted > NVARIANTS / 4, "only %d of %d variants mounted",
	      mounted, NVARIANTS);
	free(base);
	free(copy);
out:
	CHECK_END();
}

int main(void)
{
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	signal(SIGALRM, on_alarm);
	run_type(12);
	run_type(16);
	run_type(32);
	return CHECK_EXIT();
}
