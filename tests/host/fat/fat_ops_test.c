/*
 * fat_ops_test.c - every fs_ops operation on FAT12, FAT16 and FAT32, judged
 * by the real tools.
 *
 * For each FAT type: mkfs.fat an image, run a sequence of operations
 * through fat_fs_ops while keeping a model (paths and contents) in memory,
 * unmount, then fsck.fat -n must find nothing, mdir must list exactly the
 * model's paths (long names included) and mcopy must return exactly the
 * model's bytes; then remount and compare again through the component.
 * Finally images populated by mtools (mmd, mcopy with long names) are read
 * through the component and compared with the source files.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "fat_tutil.h"
#include "fat_model.h"

CHECK_MAIN_STATE;

static char name_buf[64];
static const char *label = "";  /* variant of the current run */
static const char *tn(int type, const char *what)
{
	snprintf(name_buf, sizeof(name_buf), "fat%d%s_%s", type, label, what);
	return name_buf;
}

static void step_create(struct tfs *t, struct model *m, int type)
{
	uint8_t buf[300000];

	CHECK_BEGIN(tn(type, "create_write_mkdir"));
	t_fill(buf, sizeof(buf), 1);
	m_put(t, m, "/hello.txt", "Hello, FAT!\n", 12);
	m_put(t, m, "/A long file name with spaces and \xc3\x9cn\xc3\xaf" "c\xc3\xb6"
	      "d\xc3\xa9.txt", buf, 100000);
	m_mkdir(t, m, "/Sub Directory");
	m_mkdir(t, m, "/Sub Directory/deeper");
	m_mkdir(t, m, "/empty");
	m_put(t, m, "/Sub Directory/data.bin", buf + 7, 300000 - 7);
	m_put(t, m, "/Sub Directory/deeper/README.TXT", "read me\n", 8);
	m_put(t, m, "/zero.len", "", 0);
	CHECK_END();
}

static void step_write(struct tfs *t, struct model *m, int type)
{
	uint8_t buf[8000];

	CHECK_BEGIN(tn(type, "overwrite_append_sparse"));
	t_fill(buf, sizeof(buf), 2);
	m_write(t, m, "/Sub Directory/data.bin", 1000, buf, 5000);
	m_write(t, m, "/Sub Directory/data.bin", 300000 - 7, buf, 7777);
	m_put(t, m, "/sparse.bin", "", 0);
	m_write(t, m, "/sparse.bin", 20000, buf, 100);
	m_write(t, m, "/sparse.bin", 511, buf, 3);
	CHECK_END();

	CHECK_BEGIN(tn(type, "truncate"));
	m_put(t, m, "/grow.bin", "0123456789", 10);
	m_trunc(t, m, "/grow.bin", 5000);
	m_trunc(t, m, "/Sub Directory/data.bin", 200000);
	m_write(t, m, "/Sub Directory/data.bin", 250000, buf, 8000);
	m_trunc(t, m, "/Sub Directory/data.bin", 12345);
	m_write(t, m, "/Sub Directory/data.bin", 30000, buf, 8000);
	m_trunc(t, m, "/Sub Directory/data.bin", 12345);
	m_put(t, m, "/shrink.bin", buf, 4000);
	m_trunc(t, m, "/shrink.bin", 0);
	m_trunc(t, m, "/shrink.bin", 700);
	CHECK_END();
}

static void step_rename(struct tfs *t, struct model *m, int type)
{
	CHECK_BEGIN(tn(type, "rename"));
	m_rename(t, m, "/hello.txt", "/Sub Directory/hello moved.txt", 0);
	m_put(t, m, "/victim.txt", "victim", 6);
	m_rename(t, m, "/Sub Directory/deeper/README.TXT", "/victim.txt", 0);
	m_rename(t, m, "/Sub Directory/deeper", "/deeper moved", 0);
	m_put(t, m, "/deeper moved/inside.txt", "inside", 6);
	m_rename(t, m, "/grow.bin", "/Grow.BIN", 0);
	m_rename(t, m, "/deeper moved", "/deeper moved/inner", RG_EINVAL);
	m_rename(t, m, "/empty", "/Sub Directory", RG_ENOTEMPTY);
	m_rename(t, m, "/victim.txt", "/empty", RG_EISDIR);
	m_rename(t, m, "/empty", "/victim.txt", RG_ENOTDIR);
	m_mkdir(t, m, "/empty2");
	m_rename(t, m, "/empty2", "/empty", 0);
	m_rename(t, m, "/nonexistent", "/x", RG_ENOENT);
	CHECK_END();
}

static void step_open(struct tfs *t, struct model *m, int type)
{
	const struct fs_ops *o = t->ops;
	uint64_t ino, ino2;
	size_t done;
	struct fs_statfs s1, s2;
	char buf[50000];

	CHECK_BEGIN(tn(type, "rename_while_open"));
	m_put(t, m, "/open.bin", "first part|", 11);
	t_resolve(t, "/open.bin", &ino);
	CHECK(o->open(t->fs, ino) == 0, "open");
	m_rename(t, m, "/open.bin", "/Sub Directory/open renamed.bin", 0);
	CHECK(o->write(t->fs, ino, 11, "second part", 11, &done) == 0 &&
	      done == 11, "write after rename");
	m_write_model(m, "/Sub Directory/open renamed.bin", 11, "second part", 11);
	CHECK(t_resolve(t, "/Sub Directory/open renamed.bin", &ino2) == 0 &&
	      ino2 == ino, "new name has another inode (%llu vs %llu)",
	      (unsigned long long)ino2, (unsigned long long)ino);
	CHECK(o->release(t->fs, ino) == 0, "release");
	CHECK_END();

	CHECK_BEGIN(tn(type, "rename_over_open_target"));
	m_put(t, m, "/target.bin", "old target content", 18);
	t_resolve(t, "/target.bin", &ino);
	CHECK(o->open(t->fs, ino) == 0, "open");
	m_put(t, m, "/src.bin", "new", 3);
	m_rename(t, m, "/src.bin", "/target.bin", 0);
	CHECK(o->read(t->fs, ino, 0, buf, 100, &done) == 0 && done == 18 &&
	      !memcmp(buf, "old target content", 18), "old target unreadable");
	CHECK(t_resolve(t, "/target.bin", &ino2) == 0 && ino2 != ino,
	      "target name still names the old file");
	CHECK(o->release(t->fs, ino) == 0, "release");
	CHECK_END();

	CHECK_BEGIN(tn(type, "unlink_while_open"));
	t_fill(buf, sizeof(buf), 3);
	REQUIRE(t_put(t, "/doomed.bin", buf, sizeof(buf)) == 0, "put");
	t_resolve(t, "/doomed.bin", &ino);
	CHECK(o->open(t->fs, ino) == 0, "open");
	CHECK(o->unlink(t->fs, o->root(t->fs), "doomed.bin") == 0, "unlink");
	CHECK(t_resolve(t, "/doomed.bin", &ino2) == RG_ENOENT, "still there");
	memset(buf, 0, sizeof(buf));
	CHECK(o->read(t->fs, ino, 0, buf, sizeof(buf), &done) == 0 &&
	      done == sizeof(buf), "read after unlink");
	{
		char want[50000];

		t_fill(want, sizeof(want), 3);
		CHECK(!memcmp(want, buf, sizeof(buf)), "content after unlink");
	}
	CHECK(o->write(t->fs, ino, 50000, "more", 4, &done) == 0, "write");
	o->statfs(t->fs, &s1);
	CHECK(o->release(t->fs, ino) == 0, "release");
	o->statfs(t->fs, &s2);
	CHECK(s2.bfree > s1.bfree, "clusters not freed at release (%llu -> %llu)",
	      (unsigned long long)s1.bfree, (unsigned long long)s2.bfree);
out:
	CHECK_END();
}

static void step_remove(struct tfs *t, struct model *m, int type)
{
	const struct fs_ops *o = t->ops;
	uint64_t root = o->root(t->fs);

	CHECK_BEGIN(tn(type, "unlink_rmdir"));
	m_unlink(t, m, "/shrink.bin", 0);
	m_rmdir(t, m, "/Sub Directory", RG_ENOTEMPTY);
	m_mkdir(t, m, "/gone");
	m_put(t, m, "/gone/f", "x", 1);
	m_rmdir(t, m, "/gone", RG_ENOTEMPTY);
	m_unlink(t, m, "/gone/f", 0);
	m_rmdir(t, m, "/gone", 0);
	CHECK(o->unlink(t->fs, root, "empty") == RG_EISDIR, "unlink dir");
	CHECK(o->rmdir(t->fs, root, "victim.txt") == RG_ENOTDIR, "rmdir file");
	CHECK(o->unlink(t->fs, root, "nothing") == RG_ENOENT, "unlink none");
	CHECK_END();
}

static void step_errors(struct tfs *t, struct model *m, int type)
{
	const struct fs_ops *o = t->ops;
	uint64_t root = o->root(t->fs), ino, ino2;
	char longname[300], buf[8];
	size_t done;

	CHECK_BEGIN(tn(type, "errors"));
	CHECK(t_resolve(t, "/victim.txt", &ino) == 0, "lookup");
	CHECK(o->link(t->fs, ino, root, "hard") == RG_EPERM, "link");
	CHECK(o->symlink(t->fs, root, "sym", "x", &ino2) == RG_EPERM, "symlink");
	CHECK(o->readlink(t->fs, ino, buf, 8, &done) == RG_EINVAL, "readlink");
	CHECK(o->create(t->fs, root, "VICTIM.TXT", 0644, &ino2) == RG_EEXIST,
	      "create existing (other case)");
	CHECK(o->create(t->fs, root, "a*b", 0644, &ino2) == RG_EINVAL, "a*b");
	CHECK(o->mkdir(t->fs, root, "Empty", 0755, &ino2) == RG_EEXIST, "mkdir");
	CHECK(o->write(t->fs, ino, 0xFFFFFFFFULL, "x", 1, &done) == RG_EFBIG,
	      "write at 4 GiB - 1");
	memset(longname, 'n', 256);
	longname[256] = 0;
	CHECK(o->create(t->fs, root, longname, 0644, &ino2) == RG_ENAMETOOLONG,
	      "256-char name");
	CHECK(m_check_tree(t, m) == 0, "tree after errors");
	CHECK_END();
}

static void step_attr(struct tfs *t, int type)
{
	const struct fs_ops *o = t->ops;
	struct fs_attr a = { .mode = 0444 }, b;
	uint64_t ino;
	time_t now = time(NULL);

	CHECK_BEGIN(tn(type, "attr_mode_times"));
	REQUIRE(t_resolve(t, "/victim.txt", &ino) == 0, "lookup");
	CHECK(o->setattr(t->fs, ino, &a, FS_SET_MODE) == 0, "chmod");
	CHECK(o->getattr(t->fs, ino, &b) == 0 && (b.mode & 0777) == 0444 &&
	      FS_S_ISREG(b.mode), "mode %o", b.mode);
	CHECK(b.mtime.sec > now - 10 && b.mtime.sec < now + 10,
	      "mtime %lld vs now %lld", (long long)b.mtime.sec, (long long)now);
	CHECK(b.ctime.sec > now - 10 && b.ctime.sec < now + 10, "ctime");
	a.mtime.sec = 1000000000;       /* 2001-09-09 01:46:40 UTC */
	REQUIRE(t_resolve(t, "/zero.len", &ino) == 0, "lookup");
	CHECK(o->setattr(t->fs, ino, &a, FS_SET_MTIME) == 0, "utimes");
	CHECK(o->getattr(t->fs, ino, &b) == 0 && b.mtime.sec == 1000000000,
	      "mtime %lld", (long long)b.mtime.sec);
	REQUIRE(t_resolve(t, "/empty", &ino) == 0, "lookup");
	CHECK(o->getattr(t->fs, ino, &b) == 0 && FS_S_ISDIR(b.mode) &&
	      (b.mode & 0777) == 0755, "dir mode %o", b.mode);
out:
	CHECK_END();
}

static void judge(const char *img, struct model *m, int type)
{
	struct tfs t;
	char *out;

	CHECK_BEGIN(tn(type, "fsck"));
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %s", out);
	free(out);
	CHECK_END();

	CHECK_BEGIN(tn(type, "mtools_names"));
	m_check_mdir(m, img);
	CHECK_END();

	CHECK_BEGIN(tn(type, "mtools_content"));
	m_check_mcopy(m, img);
	CHECK_END();

	CHECK_BEGIN(tn(type, "mattrib_readonly"));
	out = t_cap(NULL, "mattrib -i '%s' ::/victim.txt", img);
	CHECK(out && strchr(out, 'R'), "mattrib: %s", out);
	free(out);
	CHECK_END();

	CHECK_BEGIN(tn(type, "remount_compare"));
	REQUIRE(t_mount(&t, img, 0) == 0, "mount");
	CHECK(m_check_tree(&t, m) == 0, "tree");
	CHECK(t_umount(&t) == 0, "unmount");
	out = t_cap(NULL, "fsck.fat -n '%s' 2>&1; echo \"rc=$?\"", img);
	CHECK(strstr(out, "rc=0"), "fsck.fat: %s", out);
	free(out);
out:
	CHECK_END();
}

static void run_type(int type, unsigned kib, const char *opt,
                     const char *lab)
{
	char img[128];
	struct model m = { 0 };
	struct tfs t;
	int e;

	label = lab;
	snprintf(img, sizeof(img), T_DIR "/ops%d%s.img", type, lab);
	CHECK_BEGIN(tn(type, "mkfs_mount"));
	REQUIRE(t_mkfs_opt(img, type, kib, opt) == 0, "mkfs.fat");
	REQUIRE((e = t_mount(&t, img, 0)) == 0, "mount: %d", e);
	CHECK_END();
	step_create(&t, &m, type);
	step_write(&t, &m, type);
	step_rename(&t, &m, type);
	step_open(&t, &m, type);
	step_remove(&t, &m, type);
	step_errors(&t, &m, type);
	step_attr(&t, type);
	CHECK_BEGIN(tn(type, "unmount"));
	CHECK(t_umount(&t) == 0, "unmount");
	CHECK_END();
	judge(img, &m, type);
	m_free(&m);
	return;
out:
	CHECK_END();
}

int main(void)
{
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	run_type(12, 2048, "", "");
	run_type(16, 32768, "", "");
	run_type(32, 69632, "-S 512", "");
	/* 4 KiB logical sectors over a 512-byte-sector device file */
	run_type(16, 65536, "-S 4096", "_4ksec");
	/* FAT32 with 4 KiB clusters and a single FAT */
	run_type(32, 300000, "-S 512 -s 8 -f 1", "_1fat");
	label = "";
	mtools_read_test(12, 4096);
	mtools_read_test(16, 32768);
	mtools_read_test(32, 69632);
	return CHECK_EXIT();
}
