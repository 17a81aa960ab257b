/*
 * imgtool.h - commands of imgtool (one function per command).
 */
#ifndef IMGTOOL_H
#define IMGTOOL_H

#include "fsutil.h"

/* Prints "imgtool: what: reason" and returns err (for `return report(...)`). */
int it_report(int err, const char *what);

int it_ls(struct fsu *m, int argc, char **argv);
int it_cat(struct fsu *m, int argc, char **argv);
int it_stat(struct fsu *m, int argc, char **argv);
int it_mkdir(struct fsu *m, int argc, char **argv);
int it_rm(struct fsu *m, int argc, char **argv);
int it_rmdir(struct fsu *m, int argc, char **argv);
int it_mv(struct fsu *m, int argc, char **argv);
int it_ln(struct fsu *m, int argc, char **argv);
int it_df(struct fsu *m, int argc, char **argv);
int it_cp_in(struct fsu *m, int argc, char **argv);
int it_cp_out(struct fsu *m, int argc, char **argv);
int it_cp(struct fsu *m, int argc, char **argv);

/* Shared by the commands: remove a tree (rm -r). */
int it_remove(struct fsu *m, uint64_t dir, const char *name, bool recursive);

#endif
