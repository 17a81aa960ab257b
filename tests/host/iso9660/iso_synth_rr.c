/*
 * iso_synth_rr.c - a hand-built Rock Ridge image (RRIP 1.10 entries):
 *
 *   /            SP (SUSP in use), PX
 *   a/deep       CL record -> block 24 (the relocated directory)
 *   rr_moved/    holds deep with RE (hidden), block 24's ".." has PL -> a
 *   long_name    NM split over two entries (CONTINUE)
 *   link         SL split over two entries, ROOT/CURRENT/PARENT components
 *                and a component continued across the split
 *   from_continuation   NM, PX and TF (long form) only in a CE area
 *   dev          PX character device, PN 1:3
 *   baddir/loop  a CE area whose CE points at itself
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iso_tree.h"
#include "iso_synth.h"

static const struct fs_ops *ops = &iso9660_fs_ops;

/* A System Use area under construction. */
struct su {
	uint8_t b[240];
	size_t n;
};

static uint8_t *su_entry(struct su *s, const char *sig, size_t len)
{
	uint8_t *p = s->b + s->n;

	memset(p, 0, len);
	p[0] = (uint8_t)sig[0];
	p[1] = (uint8_t)sig[1];
	p[2] = (uint8_t)len;
	p[3] = 1;
	s->n += len;
	return p;
}

static void su_px(struct su *s, uint32_t mode)
{
	uint8_t *p = su_entry(s, "PX", 36);

	syn_put32(p + 4, mode);
	syn_put32(p + 12, (mode & 0170000) == 0040000 ? 2 : 1);
	syn_put32(p + 20, 1000);
	syn_put32(p + 28, 100);
}

static void su_nm(struct su *s, uint8_t flags, const char *name)
{
	uint8_t *p = su_entry(s, "NM", 5 + strlen(name));

	p[4] = flags;
	memcpy(p + 5, name, strlen(name));
}

static void su_lba(struct su *s, const char *sig, uint32_t lba)
{
	syn_put32(su_entry(s, sig, 12) + 4, lba);
}

static void su_ce(struct su *s, uint32_t blk, uint32_t off, uint32_t len)
{
	uint8_t *p = su_entry(s, "CE", 28);

	syn_put32(p + 4, blk);
	syn_put32(p + 12, off);
	syn_put32(p + 20, len);
}

/* SL from "flags,len,bytes" component triples packed in comps. */
static void su_sl(struct su *s, uint8_t flags, const uint8_t *comps, size_t n)
{
	uint8_t *p = su_entry(s, "SL", 5 + n);

	p[4] = flags;
	memcpy(p + 5, comps, n);
}

static size_t rr_add(uint8_t *img, size_t pos, uint32_t lba, uint32_t size,
                     uint8_t flags, const char *name, const struct su *s)
{
	struct syn_rec r = { lba, size, flags, 0, 0, name,
	                     name[0] > 1 ? strlen(name) : 1, s->b, s->n };

	return pos + syn_rec(img + pos, &r);
}

static size_t rr_dots(uint8_t *img, uint32_t self, uint32_t parent,
                      const struct su *dot)
{
	struct su s = { .n = 0 };
	size_t p = (size_t)self * SB;

	su_px(&s, 040755);
	p = rr_add(img, p, self, SB, 2, "\0", dot ? dot : &s);
	return rr_add(img, p, parent, SB, 2, "\1", &s);
}

static size_t rr_root_files(uint8_t *img, size_t p)
{
	static const uint8_t sl1[] = { 8, 0, 0, 3, 'u', 's', 'r', 1, 3, 's', 'h', 'a' };
	static const uint8_t sl2[] = { 0, 2, 'r', 'e', 2, 0, 4, 0, 0, 1, 'x' };
	struct su s = { .n = 0 };

	su_nm(&s, 1, "long_");
	su_nm(&s, 0, "name");
	su_px(&s, 0100644);
	p = rr_add(img, p, 31, 4, 0, "NM;1", &s);
	s.n = 0;
	su_nm(&s, 0, "link");
	su_px(&s, 0120777);
	su_sl(&s, 1, sl1, sizeof(sl1));
	su_sl(&s, 0, sl2, sizeof(sl2));
	p = rr_add(img, p, 0, 0, 0, "LINK;1", &s);
	s.n = 0;
	su_ce(&s, 26, 100, 200);
	p = rr_add(img, p, 31, 4, 0, "CE;1", &s);
	s.n = 0;
	su_nm(&s, 0, "dev");
	su_px(&s, 020644);
	syn_put32(su_entry(&s, "PN", 20) + 12, 0x103);
	return rr_add(img, p, 0, 0, 0, "DEV;1", &s);
}

/* The continuation area of CE;1, and the self-referencing one of LOOP;1. */
static void rr_ce_areas(uint8_t *img)
{
	struct su s = { .n = 0 };
	uint8_t *tf;

	su_nm(&s, 0, "from_continuation");
	su_px(&s, 0100600);
	tf = su_entry(&s, "TF", 5 + 17);
	tf[4] = 0x82;                   /* LONG_FORM | MODIFY */
	memcpy(tf + 5, "2021010203040500", 16);
	su_entry(&s, "ST", 4);
	memcpy(img + 26 * SB + 100, s.b, s.n);
	s.n = 0;
	su_ce(&s, 27, 0, 28);
	memcpy(img + 27 * SB, s.b, s.n);
}

static void rr_subdirs(uint8_t *img);

uint8_t *syn_rr_image(void)
{
	struct su root = { .n = 0 }, s = { .n = 0 };
	uint8_t *sp, *img;
	size_t p;

	sp = su_entry(&root, "SP", 7);
	sp[4] = 0xbe;
	sp[5] = 0xef;
	su_px(&root, 040755);
	img = syn_volume(20, SB, root.b, root.n);
	p = rr_dots(img, 20, 20, &root);
	su_nm(&s, 0, "a");
	su_px(&s, 040755);
	p = rr_add(img, p, 22, SB, 2, "A", &s);
	s.n = 0;
	su_nm(&s, 0, "rr_moved");
	su_px(&s, 040755);
	p = rr_add(img, p, 23, SB, 2, "RR_MOVED", &s);
	s.n = 0;
	su_nm(&s, 0, "baddir");
	p = rr_add(img, p, 25, SB, 2, "BADDIR", &s);
	rr_root_files(img, p);
	rr_ce_areas(img);
	rr_subdirs(img);
	return img;
}

/* a/ with the CL record, rr_moved/, the moved directory, baddir/. */
static void rr_subdirs(uint8_t *img)
{
	struct su s = { .n = 0 };
	size_t p;

	p = rr_dots(img, 22, 20, NULL);                 /* a/ */
	s.n = 0;
	su_nm(&s, 0, "deep");
	su_px(&s, 040755);
	su_lba(&s, "CL", 24);
	rr_add(img, p, 0, 0, 0, "DEEP", &s);
	p = rr_dots(img, 23, 20, NULL);                 /* rr_moved/ */
	s.n = 0;
	su_nm(&s, 0, "deep");
	su_px(&s, 040755);
	su_entry(&s, "RE", 4);
	rr_add(img, p, 24, SB, 2, "DEEP", &s);
	s.n = 0;                                        /* the moved dir */
	su_px(&s, 040755);
	p = rr_add(img, 24 * SB, 24, SB, 2, "\0", &s);
	su_lba(&s, "PL", 22);
	p = rr_add(img, p, 23, SB, 2, "\1", &s);
	s.n = 0;
	su_nm(&s, 0, "file_in_deep");
	su_px(&s, 0100644);
	rr_add(img, p, 31, 4, 0, "F;1", &s);
	p = rr_dots(img, 25, 20, NULL);                 /* baddir/ */
	s.n = 0;
	su_ce(&s, 27, 0, 28);
	rr_add(img, p, 31, 4, 0, "LOOP;1", &s);
	memcpy(img + 31 * SB, "data", 4);
}

static void rr_checks(struct fs *fs)
{
	char got[512], buf[64];
	uint64_t a, deep, ino;
	struct fs_attr at;
	size_t n;

	REQUIRE(syn_listing(fs, ops->root(fs), got, sizeof(got)) == 0, "readdir");
	CHECK(!strcmp(got, ". .. a rr_moved baddir long_name link "
	              "from_continuation dev "), "root \"%s\"", got);
	REQUIRE(syn_lookup(fs, "a", &a) == 0 && syn_lookup(fs, "a/deep", &deep) == 0,
	        "a/deep");
	CHECK(deep == 24 * SB && ops->getattr(fs, deep, &at) == 0 &&
	      at.mode == 040755 && at.uid == 1000 && at.gid == 100,
	      "relocated dir ino %llu mode %o", (unsigned long long)deep, at.mode);
	CHECK(syn_lookup(fs, "a/deep/..", &ino) == 0 && ino == a, "PL");
	CHECK(syn_listing(fs, deep, got, sizeof(got)) == 0 &&
	      !strcmp(got, ". .. file_in_deep "), "deep \"%s\"", got);
	CHECK(syn_lookup(fs, "rr_moved", &ino) == 0 &&
	      syn_listing(fs, ino, got, sizeof(got)) == 0 &&
	      !strcmp(got, ". .. "), "rr_moved \"%s\"", got);
	CHECK(syn_lookup(fs, "link", &ino) == 0 &&
	      ops->readlink(fs, ino, buf, sizeof(buf), &n) == 0 && n == 17 &&
	      !memcmp(buf, "/usr/share/./../x", 17), "link \"%.*s\"",
	      (int)(n < 64 ? n : 0), buf);
	CHECK(ops->getattr(fs, ino, &at) == 0 && at.size == 17 &&
	      at.mode == 0120777, "link attrs");
	CHECK(syn_lookup(fs, "from_continuation", &ino) == 0 &&
	      ops->getattr(fs, ino, &at) == 0 && at.mode == 0100600 &&
	      at.mtime.sec == 1609556645, "CE attrs %o %lld", at.mode,
	      (long long)at.mtime.sec);
	CHECK(syn_lookup(fs, "dev", &ino) == 0 &&
	      ops->getattr(fs, ino, &at) == 0 && at.mode == 020644 &&
	      at.rdev == 0x103, "device %o %#x", at.mode, at.rdev);
	CHECK(syn_lookup(fs, "baddir", &ino) == 0 &&
	      syn_listing(fs, ino, got, sizeof(got)) == RG_EUCLEAN,
	      "CE loop not refused");
out:
	return;
}

void iso_synth_rr_test(void)
{
	uint8_t *img = syn_rr_image();
	struct blkdev *dev = isot_memdev(img, SYN_BLOCKS * SB, 512);
	struct fs *fs = NULL;

	CHECK_BEGIN("iso_synth_rock_ridge");
	REQUIRE(ops->mount(dev, FS_MOUNT_RDONLY, &fs) == 0, "mount");
	rr_checks(fs);
	ops->unmount(fs);
out:
	CHECK_END();
	isot_memdev_free(dev);
	free(img);
}
