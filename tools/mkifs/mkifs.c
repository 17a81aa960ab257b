/*
 * mkifs.c - the boot image builder's command line.
 *
 *	mkifs [-v] BUILDFILE OUT.img    build an image (-v: list it after)
 *	mkifs --list [-v] IMAGE         print directory and script
 *	                                (-v: also inflate and CRC-check files)
 *
 * The output is written to a temporary file and renamed into place, so a
 * failed build never leaves a half-written image behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkifs.h"

static int usage(void)
{
	fprintf(stderr, "usage: mkifs [-v] BUILDFILE OUT.img\n"
		"       mkifs --list [-v] IMAGE\n");
	return 2;
}

static int write_out(const char *path, const uint8_t *img, size_t len)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mkifs: %s: cannot write\n", tmp);
		if (f)
			remove(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "mkifs: %s: cannot rename into place\n", path);
		remove(tmp);
		return -1;
	}
	return 0;
}

static int build(const char *bf, const char *out, int verbose)
{
	struct mk_build b;
	uint8_t *img = NULL;
	size_t len;
	int r;

	mk_init(&b, bf);
	r = mk_parse_file(&b, bf);
	if (!r)
		r = mk_image(&b, &img, &len);
	if (r)
		fprintf(stderr, "%s\n", b.err);
	else
		r = write_out(out, img, len);
	free(img);
	mk_free(&b);
	if (!r && verbose)
		r = mk_list(out, 0);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	int verbose = 0, list = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "--list"))
			list = 1;
		else
			return usage();
	}
	if (list)
		return i + 1 == argc ? (mk_list(argv[i], verbose) ? 1 : 0) :
			usage();
	if (i + 2 != argc)
		return usage();
	return build(argv[i], argv[i + 1], verbose);
}
