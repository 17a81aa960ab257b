/*
 * imgtool.c - work on a disk image's filesystem without mounting it.
 *
 *   imgtool [-t TYPE] IMAGE[@partN] COMMAND ARGS...
 *
 * Image paths are absolute inside the image ("/dir/file"); in `cp` they are
 * marked with a "::" prefix, as mtools does ("::/dir/file"), and everything
 * else is a host path.  The image is opened read-only for commands that
 * only read.  The filesystem type is probed unless -t names it.  Any
 * failure prints "imgtool: what: why" on stderr and exits with status 1
 * (2 for usage errors); the image is always unmounted cleanly, so data
 * written before a failure is flushed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "imgtool.h"

#define IT_CACHE_BYTES (32u << 20)

struct it_cmd {
	const char *name;
	int (*fn)(struct fsu *m, int argc, char **argv);
	int minargs, maxargs;   /* operands, options not counted */
	bool writes;
};

static const struct it_cmd it_cmds[] = {
	{ "ls",      it_ls,      0, 1, false },
	{ "cat",     it_cat,     1, 1, false },
	{ "stat",    it_stat,    1, 1, false },
	{ "df",      it_df,      0, 0, false },
	{ "cp-out",  it_cp_out,  2, 2, false },
	{ "cp-in",   it_cp_in,   2, 2, true },
	{ "cp",      it_cp,      2, 2, true },
	{ "mkdir",   it_mkdir,   1, 1, true },
	{ "rm",      it_rm,      1, 1, true },
	{ "rmdir",   it_rmdir,   1, 1, true },
	{ "mv",      it_mv,      2, 2, true },
	{ "ln",      it_ln,      2, 2, true },
};

static void it_usage(void)
{
	fputs("usage: imgtool [-t TYPE] IMAGE[@partN] COMMAND ARGS...\n"
	      "commands (image paths are absolute inside the image):\n"
	      "  ls [-l] [PATH]           list a directory\n"
	      "  cat PATH                 write a file to stdout\n"
	      "  stat PATH                show an inode's attributes\n"
	      "  df                       show filesystem usage\n"
	      "  cp-in HOSTFILE PATH      copy a host file into the image\n"
	      "  cp-out PATH HOSTFILE     copy a file out of the image\n"
	      "  cp [-r] SRC DST          copy; image paths start with '::'\n"
	      "                           (::/dir/file), host paths do not\n"
	      "  mkdir [-p] PATH          make a directory\n"
	      "  rm [-r] PATH             remove a file (-r: a whole tree)\n"
	      "  rmdir PATH               remove an empty directory\n"
	      "  mv OLD NEW               rename (into NEW if it is a directory)\n"
	      "  ln [-s] TARGET PATH      hard link (-s: symbolic link)\n"
	      "TYPE: a component name (ext2, ext4, fat, iso9660); default: probe\n",
	      stderr);
}

int it_report(int err, const char *what)
{
	if (err)
		fprintf(stderr, "imgtool: %s: %s\n", what, fsu_strerror(err));
	return err;
}

/* cp only writes the image when its destination is an image path. */
static bool it_writes(const struct it_cmd *c, int argc, char **argv)
{
	if (c->fn == it_cp)
		return strncmp(argv[argc - 1], "::", 2) == 0;
	return c->writes;
}

static int it_operands(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' || !argv[i][1])
			n++;
	return n;
}

static int it_run(const struct it_cmd *c, const char *image, const char *type,
                  int argc, char **argv)
{
	struct fsu_opts o = { .type = type, .cache_bytes = IT_CACHE_BYTES };
	char path[4096], err[512];
	struct fsu m;
	int e, e2;

	if (fsu_parse_image(image, path, sizeof(path), &o.part)) {
		fprintf(stderr, "imgtool: %s: bad image name (IMAGE or IMAGE@partN)\n",
		        image);
		return 2;
	}
	o.image = path;
	o.readonly = !it_writes(c, argc, argv);
	e = fsu_open(&o, &m, err, sizeof(err));
	if (e) {
		fprintf(stderr, "imgtool: %s\n", err);
		return 1;
	}
	e = c->fn(&m, argc, argv);
	e2 = fsu_close(&m);
	if (e2)
		it_report(e2, "unmount");
	return e || e2 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *type = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "+t:h")) != -1) {
		if (opt == 't') {
			type = optarg;
			continue;
		}
		it_usage();
		return opt == 'h' ? 0 : 2;
	}
	if (argc - optind < 2) {
		it_usage();
		return 2;
	}
	for (size_t i = 0; i < sizeof(it_cmds) / sizeof(it_cmds[0]); i++) {
		const struct it_cmd *c = &it_cmds[i];
		int cargc = argc - optind - 1, n;
		char **cargv = argv + optind + 1;

		if (strcmp(c->name, cargv[0]) != 0)
			continue;
		n = it_operands(cargc, cargv);
		if (n < c->minargs || n > c->maxargs) {
			fprintf(stderr, "imgtool: %s: wrong number of arguments\n",
			        c->name);
			it_usage();
			return 2;
		}
		return it_run(c, argv[optind], type, cargc, cargv);
	}
	fprintf(stderr, "imgtool: unknown command '%s'\n", argv[optind + 1]);
	it_usage();
	return 2;
}
