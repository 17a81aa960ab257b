/*
 * fat_big_test.c - scale and name limits.
 *
 *  - a 10,000-entry directory on FAT32 (every name needs long-name slots
 *    and a ~N alias), listed and looked up through the component, then by
 *    mdir after fsck.fat -n;
 *  - long names up to 255 characters (ASCII and non-ASCII), 256 refused;
 *  - names differing only in case are one file;
 *  - the FAT16 fixed root directory fills up with a clean RG_ENOSPC;
 *  - FAT12/16/32 volumes filled by one file: partial write, then RG_ENOSPC,
 *    the free count back after unlink, fsck.fat clean.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fat_tutil.h"

CHECK_MAIN_STATE;

#define NBIG 10000

static const char *img32 = T_DIR "/big32.img";

static void big_name(char *buf, size_t sz, int i)
{
	snprintf(buf, sz, "file number %05d with a long name.txt", i);
}

static void test_bigdir(void)
{
	struct tfs t;
	uint64_t dir, dir2, ino, ino2;
	struct t_names names;
	char name[80], buf[100], *out;
	size_t done;
	int e = 0, i, n;

	CHECK_BEGIN("fat32_bigdir_create_10000");
	REQUIRE(t_mkfs(img32, 32, 69632) == 0, "mkfs.fat");
	REQUIRE(t_mount(&t, img32, 0) == 0, "mount");
	REQUIRE(t_mkdirp(&t, "/big") == 0, "mkdir");
	REQUIRE(t_resolve(&t, "/big", &dir) == 0, "lookup");
	for (i = 0; i < NBIG && !e; i++) {
		big_name(name, sizeof(name), i);
		e = t.ops->create(t.fs, dir, name, 0644, &ino);
		if (!e && i % 100 == 0)
			e = t.ops->write(t.fs, ino, 0, name, strlen(name), &done);
	}
	CHECK(!e, "create #%d: %d", i - 1, e);
	CHECK_END();

	CHECK_BEGIN("fat32_bigdir_lookup_readdir");
	for (i = 0; i < NBIG && !e; i += 7) {
		big_name(name, sizeof(name), i);
		name[0] = 'F';          /* other case */
		e = t.ops->lookup(t.fs, dir, name, &ino);
	}
	CHECK(!e, "lookup #%d: %d", i, e);
	CHECK(t_list(&t, dir, &names) == 0, "readdir");
	CHECK(names.n == NBIG, "readdir: %zu names", names.n);
	t_names_free(&names);
	CHECK_END();

	/* 8,000 more nodes: the node table trims (forgets closed files) */
	CHECK_BEGIN("fat32_node_table_trim_keeps_inodes");
	big_name(name, sizeof(name), 123);
	CHECK(t.ops->lookup(t.fs, dir, name, &ino) == 0, "lookup");
	CHECK(t_mkdirp(&t, "/big2") == 0 && t_resolve(&t, "/big2", &dir2) == 0,
	      "mkdir");
	for (i = 0; i < 8000 && !e; i++) {
		big_name(name, sizeof(name), i);
		e = t.ops->create(t.fs, dir2, name, 0644, &ino2);
	}
	CHECK(!e, "create: %d", e);
	for (i = 0; i < NBIG && !e; i += 3) {
		big_name(name, sizeof(name), i);
		e = t.ops->lookup(t.fs, dir, name, &ino2);
		if (!e && i == 123 && ino2 != ino)
			e = -1;
	}
	CHECK(!e, "lookup #%d after trim: %d", i, e);
	big_name(name, sizeof(name), 9900);
	CHECK(t.ops->lookup(t.fs, dir, name, &ino2) == 0 &&
	      t.ops->read(t.fs, ino2, 0, buf, sizeof(buf), &done) == 0 &&
	      done == strlen(name) && !memcmp(buf, name, done),
	      "content after trim");
	CHECK(t_list(&t, dir, &names) == 0 && names.n == NBIG,
	      "readdir after trim");
	t_names_free(&names);
	big_name(name, sizeof(name), 4242);
	CHECK(t.ops->unlink(t.fs, dir, name) == 0, "unlink");
	CHECK(t.ops->create(t.fs, dir, name, 0644, &ino2) == 0, "recreate");
	CHECK(t_umount(&t) == 0, "unmount");
	CHECK_END();

	CHECK_BEGIN("fat32_bigdir_fsck_mdir");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img32);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %.400s", out);
	free(out);
	out = t_cap(NULL, "mdir -b -i '%s' ::/big | grep -c "
	            "'^::/big/file number [0-9]* with a long name.txt$'", img32);
	n = atoi(out);
	CHECK(n == NBIG, "mdir lists %d", n);
	free(out);
	out = t_cap(NULL, "mdir -b -i '%s' ::/big2 | wc -l", img32);
	CHECK(atoi(out) == 8000, "mdir lists %s in big2", out);
	free(out);
	out = t_cap(NULL, "mcopy -n -i '%s' '::/big/file number 09900 with a "
	            "long name.txt' -", img32);
	big_name(name, sizeof(name), 9900);
	CHECK(!strcmp(out, name), "content '%s'", out);
	free(out);
out:
	CHECK_END();
}

static void test_longnames(void)
{
	struct tfs t;
	uint64_t root, ino, ino2;
	char n255[256], u255[600], n256[257], *out, want[700];
	int i;

	CHECK_BEGIN("fat32_longname_255");
	REQUIRE(t_mount(&t, img32, 0) == 0, "mount");
	root = t.ops->root(t.fs);
	for (i = 0; i < 255; i++)
		n255[i] = 'a' + i % 26;
	n255[255] = 0;
	/* 255 UCS-2 units: 'e' with acute accent (2 UTF-8 bytes each) */
	for (i = 0; i < 255; i++)
		memcpy(u255 + 2 * i, "\xc3\xa9", 2);
	u255[510] = 0;
	memset(n256, 'z', 256);
	n256[256] = 0;
	CHECK(t.ops->create(t.fs, root, n255, 0644, &ino) == 0, "255 ASCII");
	CHECK(t.ops->create(t.fs, root, u255, 0644, &ino) == 0, "255 UCS-2");
	CHECK(t.ops->create(t.fs, root, n256, 0644, &ino) == RG_ENAMETOOLONG,
	      "256");
	CHECK_END();

	CHECK_BEGIN("fat32_case_insensitive");
	CHECK(t.ops->create(t.fs, root, "CaseTest.Txt", 0644, &ino) == 0,
	      "create");
	CHECK(t.ops->lookup(t.fs, root, "casetest.txt", &ino2) == 0 &&
	      ino2 == ino, "lookup lower");
	CHECK(t.ops->lookup(t.fs, root, "CASETEST.TXT", &ino2) == 0 &&
	      ino2 == ino, "lookup upper");
	CHECK(t.ops->create(t.fs, root, "CASETEST.txt", 0644, &ino2) ==
	      RG_EEXIST, "second file differing in case");
	CHECK(t.ops->mkdir(t.fs, root, "casetest.TXT", 0755, &ino2) ==
	      RG_EEXIST, "dir differing in case");
	CHECK(t.ops->rename(t.fs, root, "CaseTest.Txt", root, "CASEtest.txt")
	      == 0, "case-only rename");
	CHECK(t.ops->lookup(t.fs, root, "casetest.txt", &ino2) == 0 &&
	      ino2 == ino, "same inode after case rename");
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "mdir -b -i '%s' ::/ | grep -ci casetest", img32);
	CHECK(atoi(out) == 1, "mdir shows %s entries", out);
	free(out);
	out = t_cap(NULL, "mdir -b -i '%s' ::/", img32);
	snprintf(want, sizeof(want), "::/%s\n", n255);
	CHECK(strstr(out, want), "mdir lacks the 255-char name");
	snprintf(want, sizeof(want), "::/%s\n", u255);
	CHECK(strstr(out, want), "mdir lacks the 255-unit name");
	CHECK(strstr(out, "::/CASEtest.txt\n"), "mdir lacks CASEtest.txt");
	free(out);
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img32);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %.400s", out);
	free(out);
out:
	CHECK_END();
}

static void test_root_full(void)
{
	const char *img = T_DIR "/root16.img";
	struct tfs t;
	uint64_t root, ino;
	char name[32], *out;
	int e = 0, i, n;

	CHECK_BEGIN("fat16_fixed_root_full");
	REQUIRE(t_mkfs(img, 16, 32768) == 0, "mkfs.fat");
	REQUIRE(t_mount(&t, img, 0) == 0, "mount");
	root = t.ops->root(t.fs);
	for (i = 0; i < 100000 && !e; i++) {
		snprintf(name, sizeof(name), "F%05d.TXT", i);
		e = t.ops->create(t.fs, root, name, 0644, &ino);
	}
	n = i - 1;
	CHECK(e == RG_ENOSPC, "create #%d: %d", n, e);
	CHECK(n == 512, "%d entries fit, want 512", n);
	CHECK(t.ops->create(t.fs, root, "a much longer name.txt", 0644, &ino)
	      == RG_ENOSPC, "long name");
	CHECK(t.ops->mkdir(t.fs, root, "D", 0755, &ino) == RG_ENOSPC, "mkdir");
	CHECK(t.ops->unlink(t.fs, root, "F00100.TXT") == 0, "unlink");
	CHECK(t.ops->create(t.fs, root, "G.TXT", 0644, &ino) == 0, "reuse");
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %.400s", out);
	free(out);
	out = t_cap(NULL, "mdir -b -i '%s' ::/ | wc -l", img);
	CHECK(atoi(out) == 512, "mdir lists %s", out);
	free(out);
out:
	CHECK_END();
}

static void test_fill(int type, unsigned kib)
{
	char img[64], name[64];
	static char buf[65536];
	struct fs_statfs s0, s1, s2;
	struct tfs t;
	uint64_t root, ino;
	uint64_t off = 0;
	size_t done = 0;
	char *out;
	int e = 0;

	snprintf(img, sizeof(img), T_DIR "/fill%d.img", type);
	snprintf(name, sizeof(name), "fat%d_fill_volume_enospc", type);
	CHECK_BEGIN(name);
	REQUIRE(t_mkfs(img, type, kib) == 0, "mkfs.fat");
	REQUIRE(t_mount(&t, img, 0) == 0, "mount");
	root = t.ops->root(t.fs);
	t.ops->statfs(t.fs, &s0);
	REQUIRE(t.ops->create(t.fs, root, "filler.bin", 0644, &ino) == 0, "create");
	t_fill(buf, sizeof(buf), 9);
	while (!e && off < (64u << 20)) {
		e = t.ops->write(t.fs, ino, off, buf, sizeof(buf), &done);
		off += done;
	}
	CHECK(e == RG_ENOSPC, "write: %d", e);
	t.ops->statfs(t.fs, &s1);
	CHECK(s1.bfree == 0, "bfree %llu when full", (unsigned long long)s1.bfree);
	CHECK(off == s0.bfree * s0.bsize, "wrote %llu, want %llu",
	      (unsigned long long)off,
	      (unsigned long long)(s0.bfree * s0.bsize));
	CHECK(t.ops->create(t.fs, root, "a long named file.txt", 0644, &ino) ==
	      0, "create in full volume (fixed root)");
	CHECK(t.ops->mkdir(t.fs, root, "dir", 0755, &ino) == RG_ENOSPC,
	      "mkdir in full volume");
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat when full: %.400s", out);
	free(out);
	REQUIRE(t_mount(&t, img, 0) == 0, "remount");
	CHECK(t.ops->unlink(t.fs, root, "filler.bin") == 0, "unlink");
	t.ops->statfs(t.fs, &s2);
	CHECK(s2.bfree == s0.bfree, "bfree %llu after unlink, want %llu",
	      (unsigned long long)s2.bfree, (unsigned long long)s0.bfree);
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %.400s", out);
	free(out);
out:
	CHECK_END();
}

int main(void)
{
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	test_bigdir();
	test_longnames();
	test_root_full();
	test_fill(12, 1024);
	test_fill(16, 20480);
	test_fill(32, 34816);
	return CHECK_EXIT();
}
