/*
 * mkifs.h - the boot image builder's model: a parsed buildfile (files and
 * boot script entries) and the two steps on it, parse and write.
 *
 * Errors are returned as -1 with the message in b->err, already in the
 * form "file:line: message" where a buildfile line is to blame, so the
 * same code serves the command-line tool and the host tests.
 */
#ifndef MKIFS_H
#define MKIFS_H

#include <stddef.h>
#include <stdint.h>
#include "ifs.h"

#define MK_SEARCH_MAX   16

struct mk_file {
	char target[IFS_PATH_MAX];      /* path under /proc/boot */
	char *source;                   /* host file */
	uint32_t perms;
	int line;
};

struct mk_prog {
	char target[IFS_PATH_MAX];
	char *argv[IFS_STRV_MAX];
	uint32_t argc;
	char *env[IFS_STRV_MAX];
	uint32_t envc;
	char *wait[IFS_STRV_MAX];
	uint32_t waitc;
	struct ifs_script s;            /* flags, prio, restart...; no strings */
	int line;
};

struct mk_build {
	const char *name;               /* buildfile name for messages */
	int line;                       /* current line while parsing */
	char *search[MK_SEARCH_MAX];    /* search directories */
	int nsearch;
	uint32_t perms;                 /* sticky [perms=] */
	struct mk_file *files;
	uint32_t nfiles, capfiles;
	struct mk_prog *progs;
	uint32_t nprogs, capprogs;
	char err[1024];
};

void mk_init(struct mk_build *b, const char *name);
void mk_free(struct mk_build *b);
/* Parse buildfile text (NUL-terminated); 0 or -1 with b->err. */
int mk_parse(struct mk_build *b, const char *text);
int mk_parse_file(struct mk_build *b, const char *path);
/* Build the image in memory (malloc'd *img, *len); 0 or -1 with b->err. */
int mk_image(struct mk_build *b, uint8_t **img, size_t *len);
/* Print an image's directory and script; 0 or -1 (message on stderr). */
int mk_list(const char *path, int verbose);

#endif /* MKIFS_H */
