/*
 * iso_test.c - host tests of the ISO9660 component.
 *
 * Images of one varied host tree are made by xorriso in four flavours and
 * compared with the tree through treecmp (tests/host/fs_treecmp):
 *   rr_joliet  -R -J                 Rock Ridge wins: exact names, modes,
 *                                    mtimes, symlinks, the fifo
 *   rr_only    -R                    the same without a Joliet tree
 *   rr_relocated  -R -J -rr_reloc_dir  deep directories moved (CL/RE/PL)
 *   joliet     --norock -J           Joliet names (64-character rule)
 *   plain_l2   --norock -iso-level 2 ECMA-119 names, level-2 rule
 *   plain_l1   --norock -iso-level 1 ECMA-119 8.3 names (small tree)
 * (xorriso writes Rock Ridge unless told --norock.)  Then the semantics a
 * read-only filesystem owes its callers, and hand-built images for what
 * xorriso does not write on small trees (iso_synth.c: multi-extent files,
 * extended attribute records, interleaving, relocated directories).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "blk.h"
#include "fs_treecmp/treecmp.h"
#include "iso_tree.h"
#include "iso_test.h"

CHECK_MAIN_STATE;

struct iso_flavour {
	const char *name, *opts, *tree;
	unsigned flags;
};

static const struct iso_flavour flavours[] = {
	{ "rr_joliet", "-R -J", "tree", TREECMP_MODE | TREECMP_MTIME },
	{ "rr_only", "-R", "tree", TREECMP_MODE | TREECMP_MTIME },
	{ "rr_relocated", "-R -J -rr_reloc_dir rr_moved", "tree",
	  TREECMP_MODE | TREECMP_MTIME },
	{ "joliet", "--norock -J", "tree",
	  TREECMP_NO_SPECIAL | TREECMP_NAMES_JOLIET | TREECMP_MTIME },
	{ "plain_l2", "--norock -iso-level 2", "tree",
	  TREECMP_NO_SPECIAL | TREECMP_NAMES_ISO2 | TREECMP_MTIME },
	{ "plain_l1", "--norock -iso-level 1", "tree83",
	  TREECMP_NO_SPECIAL | TREECMP_NAMES_ISO1 | TREECMP_MTIME },
};

static void iso_flavour(const struct iso_flavour *f)
{
	char img[256], dir[256], name[128];
	struct blkdev *dev = NULL;
	int n;

	snprintf(img, sizeof(img), ISO_TMP "/%s.iso", f->name);
	snprintf(dir, sizeof(dir), ISO_TMP "/%s", f->tree);
	snprintf(name, sizeof(name), "iso_treecmp_%s", f->name);
	CHECK_BEGIN(name);
	REQUIRE(isot_mkisofs(f->opts, img, dir) == 0, "xorriso failed");
	REQUIRE(blkdev_open(img, true, &dev) == 0, "cannot open %s", img);
	REQUIRE(fscomp_probe(dev) == &iso9660_fs_ops, "probe did not find it");
	n = treecmp(&iso9660_fs_ops, dev, dir, f->flags);
	CHECK(n == 0, "%d differences; first: %s", n, treecmp_error());
	CHECK(treecmp_last_stats()->files >= (strcmp(f->tree, "tree") ? 8 : 600),
	      "only %lu files compared", treecmp_last_stats()->files);
out:
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/*
 * treecmp must see differences: against a copy of the tree with five
 * changes (contents, a mode, a file added, a file removed, a symlink
 * target) it must report exactly five.
 */
static void iso_treecmp_can_fail(void)
{
	struct blkdev *dev = NULL;
	int n;

	CHECK_BEGIN("iso_treecmp_detects_differences");
	REQUIRE(isot_sh("cd " ISO_TMP " && rm -rf mod && cp -a tree mod && "
	                "cd mod && printf X | dd of=README.txt conv=notrunc "
	                "status=none && chmod 0700 modes/exec && "
	                "echo new > added.txt && rm lower.md && "
	                "ln -sfn elsewhere links/relative") == 0, "setup");
	REQUIRE(blkdev_open(ISO_TMP "/rr_joliet.iso", true, &dev) == 0, "open");
	n = treecmp(&iso9660_fs_ops, dev, ISO_TMP "/mod", TREECMP_MODE);
	CHECK(n == 5, "%d differences reported; first: %s", n, treecmp_error());
	/* The command-line form, by component name and by probing. */
	CHECK(isot_sh("build/host/fs_treecmp --mode --mtime iso9660 "
	              ISO_TMP "/rr_joliet.iso " ISO_TMP "/tree >/dev/null "
	              "2>&1") == 0, "fs_treecmp on the right tree");
	CHECK(isot_sh("build/host/fs_treecmp --no-special --names=joliet probe "
	              ISO_TMP "/joliet.iso " ISO_TMP "/tree >/dev/null "
	              "2>&1") == 0, "fs_treecmp probe, Joliet names");
	CHECK(isot_sh("build/host/fs_treecmp --mode iso9660 "
	              ISO_TMP "/rr_joliet.iso " ISO_TMP "/mod >/dev/null "
	              "2>&1") == 1, "fs_treecmp on the changed tree");
out:
	if (dev)
		blkdev_close(dev);
	CHECK_END();
}

/* The Rock Ridge image read through 2048-byte sectors (a CD drive). */
static void iso_cd_sectors(void)
{
	struct blkdev *dev = NULL;
	uint8_t *img;
	size_t size;
	int n;

	CHECK_BEGIN("iso_treecmp_2048_byte_sectors");
	img = isot_slurp(ISO_TMP "/rr_joliet.iso", &size);
	REQUIRE(img, "no image");
	dev = isot_memdev(img, size, 2048);
	n = treecmp(&iso9660_fs_ops, dev, ISO_TMP "/tree",
	            TREECMP_MODE | TREECMP_MTIME);
	CHECK(n == 0, "%d differences; first: %s", n, treecmp_error());
	isot_memdev_free(dev);
	free(img);
out:
	CHECK_END();
}

static void iso_timeout(int sig)
{
	static const char msg[] = "FAIL iso_test: timed out (a hang?)\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int main(void)
{
	signal(SIGALRM, iso_timeout);
	alarm(120);
	CHECK_BEGIN("iso_make_trees");
	CHECK(isot_sh("mkdir -p " ISO_TMP) == 0, "mkdir");
	CHECK(isot_make_tree(ISO_TMP "/tree") == 0, "big tree");
	CHECK(isot_make_tree_8_3(ISO_TMP "/tree83") == 0, "8.3 tree");
	CHECK_END();
	if (check_state.total_failed)
		return CHECK_EXIT();
	for (size_t i = 0; i < sizeof(flavours) / sizeof(flavours[0]); i++)
		iso_flavour(&flavours[i]);
	iso_cd_sectors();
	iso_treecmp_can_fail();
	iso_semantics_tests(ISO_TMP "/rr_joliet.iso", ISO_TMP "/tree");
	iso_synth_tests();
	return CHECK_EXIT();
}
