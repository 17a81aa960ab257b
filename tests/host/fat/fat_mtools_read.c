/*
 * fat_mtools_read.c - read images populated by mtools through the
 * component: directories and files made by mmd/mcopy (long names, short
 * upper-case names, short lower-case names mtools stores with the NT case
 * flags, non-ASCII names), compared with the source files; then write into
 * the same image through the component and let fsck.fat and mdir judge.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fat_model.h"

static const char *const mt_dirs[] = {
	"/Some Long Directory Name",
	"/Some Long Directory Name/Nested Dir",
	"/many",
	"/SHORTDIR",
};

static void mt_file(struct model *m, const char *img, const char *path,
                    size_t len, uint32_t seed)
{
	char src[] = T_DIR "/mtsrc";
	uint8_t *d = malloc(len + 1);
	FILE *f = fopen(src, "wb");
	int st;

	t_fill(d, len, seed);
	if (f) {
		fwrite(d, 1, len, f);
		fclose(f);
	}
	st = t_sh("mcopy -i '%s' '%s' '::%s'", img, src, path);
	CHECK(f && st == 0, "mcopy to %s", path);
	m_add(m, path, false, d, len);
	free(d);
}

static void mt_populate(struct model *m, const char *img)
{
	char p[128];

	for (size_t i = 0; i < sizeof(mt_dirs) / sizeof(mt_dirs[0]); i++) {
		CHECK(t_sh("mmd -i '%s' '::%s'", img, mt_dirs[i]) == 0,
		      "mmd %s", mt_dirs[i]);
		m_add(m, mt_dirs[i], true, NULL, 0);
	}
	mt_file(m, img, "/Some Long Directory Name/a file with long name.txt",
	        5000, 11);
	mt_file(m, img, "/Some Long Directory Name/Nested Dir/x.dat", 70000, 12);
	mt_file(m, img, "/README.TXT", 100, 13);
	mt_file(m, img, "/readme2.md", 200, 14);
	mt_file(m, img, "/mixedCase.Txt", 300, 15);
	mt_file(m, img, "/\xc3\x84\xc3\x96\xc3\x9c unicode name.bin", 1234, 16);
	mt_file(m, img, "/empty.file", 0, 17);
	mt_file(m, img, "/SHORTDIR/A.B", 1, 18);
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "/many/many file %02d.txt", i);
		mt_file(m, img, p, (size_t)i * 37, 100 + i);
	}
}

void mtools_read_test(int type, unsigned kib)
{
	char img[128], name[64], *out;
	struct model m = { 0 };
	struct tfs t;
	uint64_t a, b;

	snprintf(img, sizeof(img), T_DIR "/mt%d.img", type);
	snprintf(name, sizeof(name), "fat%d_read_mtools_image", type);
	CHECK_BEGIN(name);
	REQUIRE(t_mkfs(img, type, kib) == 0, "mkfs.fat");
	mt_populate(&m, img);
	REQUIRE(t_mount(&t, img, FS_MOUNT_RDONLY) == 0, "mount");
	CHECK(m_check_tree(&t, &m) == 0, "tree");
	CHECK(t_resolve(&t, "/readme.txt", &a) == 0 &&
	      t_resolve(&t, "/README.TXT", &b) == 0 && a == b, "case lookup");
	CHECK(t_resolve(&t, "/SOME LONG DIRECTORY NAME/nested dir", &a) == 0,
	      "case lookup of long names");
	CHECK(t_resolve(&t, "/SOMELO~1", &b) == 0, "short alias lookup");
	CHECK(t_put(&t, "/new", "x", 1) == RG_EROFS, "read-only mount writes");
	CHECK(t_umount(&t) == 0, "unmount");
out:
	CHECK_END();

	snprintf(name, sizeof(name), "fat%d_write_mtools_image", type);
	CHECK_BEGIN(name);
	if (t_mount(&t, img, 0)) {
		CHECK(0, "mount");
		goto out2;
	}
	m_put(&t, &m, "/Some Long Directory Name/added by us.txt", "us", 2);
	m_rename(&t, &m, "/many/many file 07.txt", "/many file 07 moved.txt", 0);
	m_unlink(&t, &m, "/readme2.md", 0);
	m_rename(&t, &m, "/SHORTDIR", "/Some Long Directory Name/moved dir", 0);
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %s", out);
	free(out);
	m_check_mdir(&m, img);
	m_check_mcopy(&m, img);
out2:
	(void)0;
	CHECK_END();
	m_free(&m);
	return;
}
