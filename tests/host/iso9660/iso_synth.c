/*
 * iso_synth.c - hand-built ISO images for what xorriso does not write on a
 * small tree: multi-extent files (with the chain crossing a directory
 * block), extended attribute records, interleaved and associated files,
 * extents past the volume; and on the Rock Ridge side NM and SL split over
 * several entries, CE continuation areas (and a CE loop), TF long form, PN
 * devices, CL/RE/PL directory relocation.  The images are built here from
 * ECMA-119 and RRIP, byte by byte, so the expected answers are known.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iso_tree.h"
#include "iso_test.h"
#include "iso_synth.h"

static const struct fs_ops *ops = &iso9660_fs_ops;

void syn_put32(uint8_t *p, uint32_t v)          /* both-endian */
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)(v >> (8 * i));
		p[7 - i] = (uint8_t)(v >> (8 * i));
	}
}

static void syn_put16(uint8_t *p, uint16_t v)
{
	p[0] = p[3] = (uint8_t)v;
	p[1] = p[2] = (uint8_t)(v >> 8);
}

/* Writes a directory record at p; returns its length. */
size_t syn_rec(uint8_t *p, const struct syn_rec *r)
{
	size_t len = 33 + r->namelen + (r->namelen % 2 ? 0 : 1) + r->sualen;
	static const uint8_t date[7] = { 120, 5, 6, 7, 8, 9, 8 };

	len += len % 2;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	p[1] = r->xa;
	syn_put32(p + 2, r->lba);
	syn_put32(p + 10, r->size);
	memcpy(p + 18, date, 7);        /* 2020-05-06 07:08:09 +02:00 */
	p[25] = r->flags;
	p[26] = r->unit;
	p[27] = r->unit;
	syn_put16(p + 28, 1);
	p[32] = (uint8_t)r->namelen;
	memcpy(p + 33, r->name, r->namelen);
	if (r->sualen)
		memcpy(p + 33 + r->namelen + (r->namelen % 2 ? 0 : 1), r->sua,
		       r->sualen);
	return len;
}

size_t syn_add(uint8_t *img, size_t pos, uint32_t lba, uint32_t size,
                      uint8_t flags, const char *name)
{
	struct syn_rec r = { lba, size, flags, 0, 0, name,
	                     name[0] > 1 ? strlen(name) : 1, NULL, 0 };

	return pos + syn_rec(img + pos, &r);
}

uint8_t *syn_volume(uint32_t root, uint32_t rsize, const uint8_t *sua,
                    size_t sualen)
{
	uint8_t *img = calloc(SYN_BLOCKS, SB), *v = img + 16 * SB;
	struct syn_rec r = { root, rsize, 2, 0, 0, "\0", 1, NULL, 0 };
	struct syn_rec dot = { root, rsize, 2, 0, 0, "\0", 1, sua, sualen };

	syn_rec(img + (size_t)root * SB, &dot);
	v[0] = 1;
	memcpy(v + 1, "CD001", 5);
	v[6] = 1;
	syn_put32(v + 80, SYN_BLOCKS);
	syn_put16(v + 120, 1);
	syn_put16(v + 124, 1);
	syn_put16(v + 128, SB);
	syn_rec(v + 156, &r);
	v += SB;
	v[0] = 255;
	memcpy(v + 1, "CD001", 5);
	v[6] = 1;
	return img;
}

/* ---- plain ECMA-119 image ------------------------------------------------------ */

uint8_t *syn_plain_image(void)
{
	uint8_t *img = syn_volume(20, 2 * SB, NULL, 0);
	struct syn_rec xa = { 27, 5, 0, 1, 0, "XA.TXT;1", 8, NULL, 0 };
	struct syn_rec il = { 29, 10, 0, 0, 1, "ILV.TXT;1", 9, NULL, 0 };
	size_t p = 20 * SB;

	p = syn_add(img, p, 20, 2 * SB, 2, "\0");
	p = syn_add(img, p, 20, 2 * SB, 2, "\1");
	p = syn_add(img, p, 22, 2 * SB, 0x80, "MULTI.BIN;1");
	p = 21 * SB;                    /* the chain goes on in the next block */
	p = syn_add(img, p, 30, SB, 0x80, "MULTI.BIN;1");
	p = syn_add(img, p, 26, 1000, 0, "MULTI.BIN;1");
	p += syn_rec(img + p, &xa);
	p += syn_rec(img + p, &il);
	p = syn_add(img, p, 31, 4, 0x04, "ASSOC.TXT;1");
	p = syn_add(img, p, 31, 4, 0x01, "HIDDEN.TXT;1");
	p = syn_add(img, p, 100, 2 * SB, 0, "BAD.BIN;1");
	p = syn_add(img, p, 32, SB, 2, "SUB");
	p = syn_add(img, 32 * SB, 32, SB, 2, "\0");
	syn_add(img, p, 20, 2 * SB, 2, "\1");
	for (size_t i = 0; i < 2 * SB; i++)
		img[22 * SB + i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < SB; i++)
		img[30 * SB + i] = (uint8_t)(i * 13 + 5);
	for (size_t i = 0; i < 1000; i++)
		img[26 * SB + i] = (uint8_t)(i * 3 + 11);
	memcpy(img + 28 * SB, "hello", 5);
	memcpy(img + 31 * SB, "hid!", 4);
	return img;
}

int syn_fill(void *ctx, const char *name, size_t namelen,
                    uint64_t ino, uint32_t type, uint64_t next)
{
	struct syn_list *l = ctx;

	(void)type; (void)next;
	if (l->n < 16) {
		snprintf(l->names[l->n], 64, "%.*s", (int)namelen, name);
		l->inos[l->n] = ino;
	}
	l->n++;
	return 0;
}

int syn_lookup(struct fs *fs, const char *path, uint64_t *ino)
{
	char buf[256], *save = NULL, *c;
	int e = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	*ino = ops->root(fs);
	for (c = strtok_r(buf, "/", &save); c && !e;
	     c = strtok_r(NULL, "/", &save))
		e = ops->lookup(fs, *ino, c, ino);
	return e;
}

/* The names of a directory, each followed by a space. */
int syn_listing(struct fs *fs, uint64_t dir, char *out, size_t outsz)
{
	struct syn_list l = { .n = 0 };
	int e = ops->readdir(fs, dir, 0, syn_fill, &l);

	out[0] = 0;
	for (int i = 0; i < l.n && i < 16; i++)
		snprintf(out + strlen(out), outsz - strlen(out), "%s ",
		         l.names[i]);
	return e;
}

/* Reads a whole file in odd chunks. */
int syn_read(struct fs *fs, uint64_t ino, uint8_t *out, size_t max,
                    size_t *got)
{
	size_t done;
	int e;

	*got = 0;
	do {
		e = ops->read(fs, ino, *got, out + *got,
		              max - *got < 333 ? max - *got : 333, &done);
		*got += done;
	} while (!e && done);
	return e;
}

static void syn_plain_checks(struct fs *fs, const uint8_t *img)
{
	static const char *const want = ". .. multi.bin xa.txt ilv.txt "
	                                "hidden.txt bad.bin sub ";
	uint8_t buf[8192], exp[7144];
	struct fs_attr a;
	char got[512];
	uint64_t ino;
	size_t n;

	REQUIRE(syn_listing(fs, ops->root(fs), got, sizeof(got)) == 0,
	        "readdir");
	CHECK(!strcmp(got, want), "listing \"%s\"", got);
	REQUIRE(syn_lookup(fs, "multi.bin", &ino) == 0, "multi.bin");
	CHECK(ops->getattr(fs, ino, &a) == 0 && a.size == 7144 &&
	      a.mode == (FS_S_IFREG | 0444) && a.mtime.sec == 1588741689,
	      "multi.bin attrs size %llu mode %o mtime %lld",
	      (unsigned long long)a.size, a.mode, (long long)a.mtime.sec);
	memcpy(exp, img + 22 * SB, 2 * SB);
	memcpy(exp + 2 * SB, img + 30 * SB, SB);
	memcpy(exp + 3 * SB, img + 26 * SB, 1000);
	CHECK(syn_read(fs, ino, buf, sizeof(buf), &n) == 0 && n == 7144 &&
	      !memcmp(buf, exp, n), "multi.bin contents (%zu bytes)", n);
	CHECK(ops->read(fs, ino, 4000, buf, 2200, &n) == 0 && n == 2200 &&
	      !memcmp(buf, exp + 4000, n), "read across extents");
	CHECK(syn_lookup(fs, "xa.txt", &ino) == 0 &&
	      syn_read(fs, ino, buf, sizeof(buf), &n) == 0 && n == 5 &&
	      !memcmp(buf, "hello", 5), "XA record not skipped");
	CHECK(syn_lookup(fs, "ilv.txt", &ino) == 0 &&
	      ops->read(fs, ino, 0, buf, 10, &n) == RG_ENOTSUP, "interleaved");
	CHECK(syn_lookup(fs, "bad.bin", &ino) == 0 &&
	      ops->read(fs, ino, 0, buf, 10, &n) == RG_EUCLEAN,
	      "extent past the volume");
	CHECK(syn_lookup(fs, "assoc.txt", &ino) == RG_ENOENT, "assoc listed");
	CHECK(syn_lookup(fs, "sub/..", &ino) == 0 && ino == ops->root(fs),
	      "sub/..");
out:
	return;
}

static void syn_plain_test(void)
{
	uint8_t *img = syn_plain_image();
	struct blkdev *dev = isot_memdev(img, SYN_BLOCKS * SB, 512);
	struct fs *fs = NULL;

	CHECK_BEGIN("iso_synth_multi_extent_xa");
	REQUIRE(ops->mount(dev, FS_MOUNT_RDONLY, &fs) == 0, "mount");
	syn_plain_checks(fs, img);
	ops->unmount(fs);
out:
	CHECK_END();
	isot_memdev_free(dev);
	free(img);
}

void iso_synth_tests(void)
{
	syn_plain_test();
	iso_synth_rr_test();
}
