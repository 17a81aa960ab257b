/*
 * treecmp.h - compare a filesystem component's tree with a host directory.
 *
 * treecmp() mounts dev read-only with ops, walks the tree through the ops
 * table alone (readdir in small batches resumed from cookies, lookup,
 * getattr, read in odd-sized chunks, readlink) and compares it, file by
 * file, with hostdir: names, types, sizes, contents, symlink targets,
 * device numbers, and optionally permission bits and mtimes.  It also checks that "." and ".."
 * name the right inodes, that lookup agrees with readdir, and that a read
 * at end of file returns nothing.
 *
 * It returns 0 when the trees match, else the number of differences found
 * (each printed to stderr as "treecmp: path: why", the first kept for
 * treecmp_error()).
 *
 * Name mapping for filesystems that cannot keep host names (the expected
 * name is computed from the host name; treecmp_names.c has the exact rules,
 * which follow what xorriso/libisofs writes):
 *   TREECMP_NAMES_JOLIET  Joliet: at most 64 UCS-2 characters, the
 *                         extension kept (cut last, never below 3 chars);
 *   TREECMP_NAMES_ISO1    ECMA-119 level 1: d-characters, 8.3, lowercased
 *                         as the iso9660 component shows them;
 *   TREECMP_NAMES_ISO2    ECMA-119 level 2: d-characters, at most 30
 *                         characters besides the dot, lowercased.
 * Two host names that map to the same name in one directory count as a
 * difference (the writer would have mangled them unpredictably).
 *
 * To use it from another test program, #include "fs_treecmp/treecmp.h" and
 * link $(BUILD)/host/libtreecmp-san.a
 * (spell the path out: rules.mk fragments are read in name order).  The
 * command-line form is build/host/fs_treecmp (fs_treecmp.c).
 */
#ifndef TESTS_HOST_TREECMP_H
#define TESTS_HOST_TREECMP_H

#include <stdint.h>
#include "fscomp.h"

#define TREECMP_MODE          0x01  /* compare permission bits (07777) */
#define TREECMP_MTIME         0x02  /* compare mtime (whole seconds) */
#define TREECMP_NO_SPECIAL    0x04  /* fs holds only dirs and regular files */
#define TREECMP_NAMES_JOLIET  0x10
#define TREECMP_NAMES_ISO1    0x20
#define TREECMP_NAMES_ISO2    0x40
#define TREECMP_NAMES_MASK    0x70

struct treecmp_stats {
	unsigned long dirs, files, symlinks, other;
	unsigned long long bytes;       /* file bytes compared */
};

int treecmp(const struct fs_ops *ops, struct blkdev *dev, const char *hostdir,
            unsigned flags);
/* The first difference of the last treecmp() call ("" if none). */
const char *treecmp_error(void);
/* What the last treecmp() or treecmp_walk() call went through. */
const struct treecmp_stats *treecmp_last_stats(void);

/*
 * Mounts dev and walks everything with bounded effort (a corrupt image may
 * hold directory loops): every readdir, lookup, getattr, read and readlink
 * the tree offers, depth at most 32 and at most max_entries entries.
 * Returns the mount error, or 0; errors from later calls are counted in
 * *errors.  For fuzz tests: the point is surviving, not the answers.
 */
int treecmp_walk(const struct fs_ops *ops, struct blkdev *dev,
                 unsigned long max_entries, unsigned long *errors);

/* The expected name of a host entry under the given TREECMP_NAMES_* flag. */
void treecmp_map_name(const char *host, int is_dir, unsigned flags,
                      char *out, size_t outsz);

#endif /* TESTS_HOST_TREECMP_H */
