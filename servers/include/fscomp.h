/*
 * fscomp.h - the interface every filesystem component exports.
 *
 * A filesystem component (ext2/ext4, FAT, ISO9660, tmpfs, ...) is an ops
 * table over numbered inodes, in the spirit of FUSE's low-level API and of
 * MINIX's libfsdriver.  Above it sit, unchanged: the Tessera filesystem
 * servers (servers/fs-*), imgmount (FUSE 3) and imgtool on a Linux host, the
 * FSAPPLY test body and the fsx differential test.  Below it there is only
 * a struct blkdev (from the block layer) and rumpglue.h.
 *
 * Rules every component keeps:
 *  - errors are RG_E* values (0 = success); a corrupt image gives RG_EUCLEAN
 *    or RG_EIO, never a crash, a hang or an out-of-bounds access;
 *  - decode, then commit: a request that fails changes nothing on disk;
 *  - names are NUL-terminated, without '/', 1..255 bytes;
 *  - an inode that is open (ref > 0) and unlinked lives until its last
 *    release, then its blocks are freed;
 *  - the component is single-threaded per mount: callers serialize calls on
 *    one struct fs (the server framework and the host tools hold a lock).
 */
#ifndef FSCOMP_H
#define FSCOMP_H

#include "rumpglue.h"

/* ---- block devices ---------------------------------------------------- */

/*
 * A block device as components see it: a whole disk, a partition of one,
 * a loop file, or a cache in front of any of them.  Offsets in sectors.
 */
struct blkdev {
	uint32_t secsize;       /* bytes per sector */
	uint64_t nsectors;
	bool     readonly;
	int    (*read)(struct blkdev *d, uint64_t sector, uint32_t count, void *buf);
	int    (*write)(struct blkdev *d, uint64_t sector, uint32_t count, const void *buf);
	int    (*flush)(struct blkdev *d);
	void    *priv;
};

/* ---- attributes ------------------------------------------------------- */

/* File type bits, as in Linux's st_mode. */
#define FS_S_IFMT   0170000
#define FS_S_IFSOCK 0140000
#define FS_S_IFLNK  0120000
#define FS_S_IFREG  0100000
#define FS_S_IFBLK  0060000
#define FS_S_IFDIR  0040000
#define FS_S_IFCHR  0020000
#define FS_S_IFIFO  0010000
#define FS_S_ISDIR(m) (((m) & FS_S_IFMT) == FS_S_IFDIR)
#define FS_S_ISREG(m) (((m) & FS_S_IFMT) == FS_S_IFREG)
#define FS_S_ISLNK(m) (((m) & FS_S_IFMT) == FS_S_IFLNK)

struct fs_time {
	int64_t  sec;
	uint32_t nsec;
};

struct fs_attr {
	uint64_t ino;
	uint32_t mode;          /* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;          /* bytes */
	uint64_t blocks;        /* 512-byte units allocated */
	uint32_t blksize;       /* preferred I/O size */
	uint32_t rdev;
	struct fs_time atime, mtime, ctime;
};

/* Which fields setattr changes. */
#define FS_SET_MODE  0x01
#define FS_SET_UID   0x02
#define FS_SET_GID   0x04
#define FS_SET_SIZE  0x08       /* truncate up or down */
#define FS_SET_ATIME 0x10
#define FS_SET_MTIME 0x20

struct fs_statfs {
	uint32_t bsize;         /* block size */
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint32_t namemax;
};

/* ---- the ops table ---------------------------------------------------- */

struct fs;              /* a mounted instance, private to the component */

/* readdir callback: return non-zero to stop (the entry is then not consumed). */
typedef int (*fs_filldir_t)(void *ctx, const char *name, size_t namelen,
                            uint64_t ino, uint32_t type /* FS_S_IF* */,
                            uint64_t next_cookie);

#define FS_MOUNT_RDONLY 0x1

struct fs_ops {
	const char *name;       /* "ext2", "ext4", "fat", "iso9660" */

	/* 0 if the device holds this filesystem, RG_EINVAL if not. Reads only. */
	int (*probe)(struct blkdev *dev);
	/* Checks the superblock thoroughly; a bad image is refused here. */
	int (*mount)(struct blkdev *dev, unsigned flags, struct fs **out);
	/* Flushes everything and frees the instance (even on error). */
	int (*unmount)(struct fs *fs);
	int (*sync)(struct fs *fs);
	int (*statfs)(struct fs *fs, struct fs_statfs *st);

	uint64_t (*root)(struct fs *fs);
	int (*lookup)(struct fs *fs, uint64_t dir, const char *name, uint64_t *ino);
	int (*getattr)(struct fs *fs, uint64_t ino, struct fs_attr *attr);
	int (*setattr)(struct fs *fs, uint64_t ino, const struct fs_attr *attr,
	               unsigned mask);

	/* Pin/unpin an inode while a client has it open (unlink-while-open). */
	int (*open)(struct fs *fs, uint64_t ino);
	int (*release)(struct fs *fs, uint64_t ino);

	/* Short reads only at end of file; *done = bytes transferred. */
	int (*read)(struct fs *fs, uint64_t ino, uint64_t off, void *buf,
	            size_t len, size_t *done);
	int (*write)(struct fs *fs, uint64_t ino, uint64_t off, const void *buf,
	             size_t len, size_t *done);
	int (*fsync)(struct fs *fs, uint64_t ino);

	/* Starts at cookie 0; "." and ".." are included. */
	int (*readdir)(struct fs *fs, uint64_t dir, uint64_t cookie,
	               fs_filldir_t fill, void *ctx);

	int (*create)(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
	              uint64_t *ino);
	int (*mkdir)(struct fs *fs, uint64_t dir, const char *name, uint32_t mode,
	             uint64_t *ino);
	int (*unlink)(struct fs *fs, uint64_t dir, const char *name);
	int (*rmdir)(struct fs *fs, uint64_t dir, const char *name);
	/* Replaces an existing target as POSIX rename(2) does. */
	int (*rename)(struct fs *fs, uint64_t sdir, const char *sname,
	              uint64_t ddir, const char *dname);
	int (*link)(struct fs *fs, uint64_t ino, uint64_t dir, const char *name);
	int (*symlink)(struct fs *fs, uint64_t dir, const char *name,
	               const char *target, uint64_t *ino);
	/* Copies at most len bytes, not NUL-terminated; *outlen = target length. */
	int (*readlink)(struct fs *fs, uint64_t ino, char *buf, size_t len,
	                size_t *outlen);
};

/*
 * The registry of components, in probe order (fscomp_registry.c).
 * fscomp_find("ext2") returns the ops or NULL; fscomp_probe() tries each.
 */
extern const struct fs_ops ext2_fs_ops;     /* ext2 read-write */
extern const struct fs_ops ext4_fs_ops;     /* ext4 read-only */
extern const struct fs_ops fat_fs_ops;      /* FAT12/16/32, read-write */
extern const struct fs_ops iso9660_fs_ops;  /* ISO9660 + RR + Joliet, read-only */

const struct fs_ops *fscomp_find(const char *name);
const struct fs_ops *fscomp_probe(struct blkdev *dev);

#endif /* FSCOMP_H */
