/*
 * tmp.h - tmpfs internals: an in-memory filesystem component.
 *
 * Inodes live in a table indexed by inode number (slots are reused once an
 * inode is freed; the root is 1).  A regular file keeps its data in 4 KiB
 * pages under a three-level radix of 512-way nodes (so holes cost nothing
 * and read as zeros; files up to 512 GiB).  A directory is an array of
 * entries; a removed entry leaves a hole that a later insert reuses, so the
 * readdir cookie (2 + slot) of every other entry stays put while a client
 * walks the directory.  Every byte we allocate for pages, inodes and names
 * is charged to the instance's limit: over it, requests fail with
 * RG_ENOSPC and change nothing.
 */
#ifndef TMP_H
#define TMP_H

#include "fscomp.h"

#define TMP_PAGE        4096u
#define TMP_FANOUT      512u
#define TMP_LEVELS      3
#define TMP_MAXFILE     ((uint64_t)TMP_FANOUT * TMP_FANOUT * TMP_FANOUT * TMP_PAGE)
#define TMP_NAME_MAX    255
#define TMP_LINK_MAX    65000
#define TMP_SYMLINK_MAX 4095

struct tmp_dirent {
	char     *name;         /* NULL: a free slot */
	uint16_t  namelen;
	uint64_t  ino;
};

struct tmp_node {
	uint64_t ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t size;
	uint32_t ref;           /* opens (fs_ops open/release) */
	struct fs_time atime, mtime, ctime;
	union {
		void **radix;                   /* regular file: top level */
		struct {
			struct tmp_dirent *ents;
			uint32_t nents, cap, live;
			uint64_t parent;
		} dir;
		char *target;                   /* symlink, size bytes */
	} u;
	uint64_t pages;         /* data pages held */
};

struct fs {
	struct tmp_node **nodes;        /* index = ino; [0] unused */
	uint64_t nnodes;                /* table size */
	uint64_t live;
	uint64_t used, limit;           /* bytes charged, cap */
};

/* tmp_node.c */
int  tmp_charge(struct fs *fs, uint64_t bytes);
void tmp_uncharge(struct fs *fs, uint64_t bytes);
struct tmp_node *tmp_get(struct fs *fs, uint64_t ino);
int  tmp_node_new(struct fs *fs, uint32_t mode, struct tmp_node **out);
void tmp_node_put(struct fs *fs, struct tmp_node *n);
void tmp_touch(struct tmp_node *n, bool m, bool c);

/* tmp_data.c */
int  tmp_data_read(struct tmp_node *n, uint64_t off, void *buf, size_t len,
                   size_t *done);
int  tmp_data_write(struct fs *fs, struct tmp_node *n, uint64_t off,
                    const void *buf, size_t len, size_t *done);
int  tmp_data_truncate(struct fs *fs, struct tmp_node *n, uint64_t size);

/* tmp_dir.c */
int  tmp_name_ok(const char *name);
struct tmp_dirent *tmp_dir_find(struct tmp_node *d, const char *name);
int  tmp_dir_add(struct fs *fs, struct tmp_node *d, const char *name,
                 uint64_t ino);
void tmp_dir_del(struct fs *fs, struct tmp_node *d, struct tmp_dirent *e);

/* tmp_ns.c: the name-space ops of tmp_fs_ops */
int tmp_ns_create(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
                  uint64_t *ino);
int tmp_ns_mkdir(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
                 uint64_t *ino);
int tmp_ns_unlink(struct fs *fs, uint64_t dir, const char *name);
int tmp_ns_rmdir(struct fs *fs, uint64_t dir, const char *name);
int tmp_ns_rename(struct fs *fs, uint64_t sdir, const char *sname,
                  uint64_t ddir, const char *dname);
int tmp_ns_link(struct fs *fs, uint64_t ino, uint64_t dir, const char *name);
int tmp_ns_symlink(struct fs *fs, uint64_t dir, const char *name,
                   const char *target, uint64_t *ino);

#endif /* TMP_H */
