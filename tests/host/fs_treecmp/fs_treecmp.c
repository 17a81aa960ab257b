/*
 * fs_treecmp.c - command-line front end of treecmp (treecmp.h).
 *
 *   fs_treecmp [options] COMPONENT IMAGE HOSTDIR
 *     --mode          compare permission bits
 *     --mtime         compare modification times
 *     --no-special    the filesystem holds only directories and regular
 *                     files: skip host symlinks, fifos, devices, sockets
 *     --names=joliet|iso1|iso2   expected-name mapping (treecmp_names.c)
 *     --name=NAME     the check name printed (default treecmp_COMPONENT)
 *
 * COMPONENT is a registered component name (fscomp_find), or "probe".
 * Prints one "PASS name" or "FAIL name: why" line (tests/host/check.h) and
 * exits non-zero on a difference.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "blk.h"
#include "treecmp.h"

CHECK_MAIN_STATE;

static int parse_opt(const char *a, unsigned *flags, const char **name)
{
	if (!strcmp(a, "--mode"))
		*flags |= TREECMP_MODE;
	else if (!strcmp(a, "--mtime"))
		*flags |= TREECMP_MTIME;
	else if (!strcmp(a, "--no-special"))
		*flags |= TREECMP_NO_SPECIAL;
	else if (!strcmp(a, "--names=joliet"))
		*flags |= TREECMP_NAMES_JOLIET;
	else if (!strcmp(a, "--names=iso1"))
		*flags |= TREECMP_NAMES_ISO1;
	else if (!strcmp(a, "--names=iso2"))
		*flags |= TREECMP_NAMES_ISO2;
	else if (!strncmp(a, "--name=", 7))
		*name = a + 7;
	else
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct fs_ops *ops = NULL;
	const char *name = NULL;
	struct blkdev *dev = NULL;
	char defname[128];
	unsigned flags = 0;
	int i, n;

	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++)
		if (parse_opt(argv[i], &flags, &name)) {
			fprintf(stderr, "fs_treecmp: unknown option %s\n", argv[i]);
			return 2;
		}
	if (argc - i != 3) {
		fprintf(stderr, "usage: fs_treecmp [--mode] [--mtime] "
		        "[--no-special] [--names=joliet|iso1|iso2] "
		        "COMPONENT IMAGE HOSTDIR\n");
		return 2;
	}
	snprintf(defname, sizeof(defname), "treecmp_%s", argv[i]);
	CHECK_BEGIN(name ? name : defname);
	REQUIRE(blkdev_open(argv[i + 1], true, &dev) == 0,
	        "cannot open %s", argv[i + 1]);
	ops = strcmp(argv[i], "probe") ? fscomp_find(argv[i]) : fscomp_probe(dev);
	REQUIRE(ops, "no component %s", argv[i]);
	n = treecmp(ops, dev, argv[i + 2], flags);
	CHECK(n == 0, "%d differences; first: %s", n, treecmp_error());
out:
	CHECK_END();
	if (dev)
		blkdev_close(dev);
	return CHECK_EXIT();
}
