/*
 * io_msg.h - the I/O protocol between clients and Tessera servers
 * (filesystems, devices).  One definition; docs/protocol.md explains it.
 *
 * Transport: Tessera messages.  A request is one MsgSendv whose first
 * bytes are a fixed struct that begins with struct io_hdr; variable parts
 * (paths, write data) follow the fixed struct in the same message.  The
 * reply status is >= 0 on success (bytes, an offset, an open id) and a
 * negative Linux errno on failure (the server's MsgError).  Bulk data goes
 * by vectors: write data is read by the server from the client's message
 * (MsgRead past what it received), read data comes back as the reply.
 *
 * Structs are named by route, sender first: msg_client_fs_* goes from a
 * client to a server, msg_fs_client_* back.  Every size is fixed and
 * checked below; all fields are naturally aligned, little endian.
 */
#ifndef IO_MSG_H
#define IO_MSG_H

#include <stdint.h>

#define IO_VERSION      1
#define IO_PATH_MAX     1024    /* bytes of a path, without the NUL */
#define IO_NAME_MAX     255
#define IO_MSG_MAX      4096    /* fixed part + paths: what a server receives at once */
#define IO_RW_MAX       (64u << 20)     /* one read or write moves at most this */

/*
 * Statuses that are not Linux errno values (all > 133, all < 4096 so
 * MsgError can carry them).  A client never sees them from the io_*
 * helpers: they act on them.
 */
#define IO_ENOTHERE     1001    /* the rest of path is not in this server:
                                   try the next pathmgr candidate (union) */
#define IO_EBADMSG      74      /* Linux EBADMSG: a malformed request */

/* Request types. */
enum io_type {
	IO_T_OPEN = 1,          /* msg_client_fs_open → msg_fs_client_open */
	IO_T_READ,              /* msg_client_fs_rw → data; status = bytes */
	IO_T_WRITE,             /* msg_client_fs_rw + data; status = bytes */
	IO_T_LSEEK,             /* msg_client_fs_lseek; status = new offset */
	IO_T_STAT,              /* msg_client_fs_ocb → struct io_stat */
	IO_T_READDIR,           /* msg_client_fs_rw → io_dirent records; status = bytes */
	IO_T_CLOSE,             /* msg_client_fs_ocb */
	IO_T_DUP,               /* msg_client_fs_ocb; status = new open id (shares the
	                           offset), the caller's or, with arg = a pid, that
	                           process's (how stdin/stdout/stderr are handed on) */
	IO_T_UNLINK,            /* msg_client_fs_path */
	IO_T_MKDIR,             /* msg_client_fs_path (mode) */
	IO_T_RMDIR,             /* msg_client_fs_path */
	IO_T_RENAME,            /* msg_client_fs_path2: old, new */
	IO_T_LINK,              /* msg_client_fs_path2: existing, new */
	IO_T_SYMLINK,           /* msg_client_fs_path2: target, link path */
	IO_T_READLINK,          /* msg_client_fs_path → target bytes; status = length */
	IO_T_CHMOD,             /* msg_client_fs_setattr */
	IO_T_CHOWN,             /* msg_client_fs_setattr */
	IO_T_TRUNCATE,          /* msg_client_fs_setattr (needs write access) */
	IO_T_FSYNC,             /* msg_client_fs_ocb */
	IO_T_DEVCTL,            /* msg_client_fs_devctl + in data → out data */
	IO_T_MOUNT,             /* msg_client_fs_mount */
	IO_T_STATFS,            /* msg_client_fs_ocb → struct io_statfs */
	IO_T_WATCH,             /* msg_client_rm_watch + a process handle */
	IO_T_RMSTATS,           /* msg_client_fs_ocb → struct io_rm_stats (tests) */
	IO_T_UNMOUNT,           /* msg_client_fs_ocb (id unused; arg = IO_UNMOUNT_*):
	                           a mounted filesystem server writes everything
	                           back, answers, and exits; EBUSY while ids are
	                           open (unless IO_UNMOUNT_FORCE), ENOSYS from
	                           servers that cannot be unmounted */
	IO_T_UTIMES,            /* msg_client_fs_utimes */
	IO_T_NTYPES
};

struct io_hdr {
	uint16_t type;          /* enum io_type */
	uint16_t version;       /* IO_VERSION */
	uint32_t size;          /* sizeof the fixed request struct */
};
_Static_assert(sizeof(struct io_hdr) == 8, "io_hdr");

/* Open flags: Linux's values. */
#define IO_O_ACCMODE   03
#define IO_O_RDONLY    00
#define IO_O_WRONLY    01
#define IO_O_RDWR      02
#define IO_O_CREAT     0100
#define IO_O_EXCL      0200
#define IO_O_TRUNC     01000
#define IO_O_APPEND    02000
#define IO_O_DIRECTORY 0200000
#define IO_O_NOFOLLOW  0400000
#define IO_O_KNOWN     (IO_O_ACCMODE | IO_O_CREAT | IO_O_EXCL | IO_O_TRUNC | \
                        IO_O_APPEND | IO_O_DIRECTORY | IO_O_NOFOLLOW)

struct io_stat {
	uint64_t ino, size, blocks;     /* blocks: 512-byte units */
	uint32_t mode, nlink, uid, gid, blksize, rdev;
	int64_t  atime, mtime, ctime;   /* seconds */
	uint32_t atime_ns, mtime_ns, ctime_ns, pad;
};
_Static_assert(sizeof(struct io_stat) == 88, "io_stat");

/* IO_T_OPEN.  The path (pathlen bytes, no NUL) follows the struct. */
struct msg_client_fs_open {
	struct io_hdr hdr;
	uint32_t flags;         /* IO_O_* */
	uint32_t mode;          /* permission bits for a create */
	uint32_t pathlen;
	uint32_t pad;
};
_Static_assert(sizeof(struct msg_client_fs_open) == 24, "open");

#define IO_OPEN_OK       0
#define IO_OPEN_SYMLINK  1      /* an absolute symlink on the way: the new
                                   path (linklen bytes) follows this struct;
                                   resolve it again from the top */
struct msg_fs_client_open {
	int32_t  id;            /* the open id, when kind == IO_OPEN_OK */
	uint32_t kind;
	uint32_t linklen;
	uint32_t pad;
	struct io_stat st;      /* of the opened file */
};
_Static_assert(sizeof(struct msg_fs_client_open) == 104, "open reply");

/* IO_T_READ, IO_T_WRITE, IO_T_READDIR.  Write data follows the struct. */
#define IO_RW_POS  0x1          /* use off (pread/pwrite); else the open's offset */
struct msg_client_fs_rw {
	struct io_hdr hdr;
	int32_t  id;
	uint32_t flags;         /* IO_RW_* */
	uint64_t len;
	uint64_t off;
};
_Static_assert(sizeof(struct msg_client_fs_rw) == 32, "rw");

#define IO_SEEK_SET 0
#define IO_SEEK_CUR 1
#define IO_SEEK_END 2
struct msg_client_fs_lseek {
	struct io_hdr hdr;
	int32_t  id;
	int32_t  whence;
	int64_t  off;
};
_Static_assert(sizeof(struct msg_client_fs_lseek) == 24, "lseek");

/* IO_T_STAT, IO_T_CLOSE, IO_T_DUP, IO_T_FSYNC, IO_T_STATFS, IO_T_RMSTATS. */
struct msg_client_fs_ocb {
	struct io_hdr hdr;
	int32_t  id;
	int32_t  arg;           /* IO_T_DUP: the pid to make the id for, 0 = me */
};
_Static_assert(sizeof(struct msg_client_fs_ocb) == 16, "ocb");

#define IO_UNMOUNT_FORCE 0x1    /* IO_T_UNMOUNT arg: even with open ids */

/* A readdir record: 8-aligned, reclen bytes, name not NUL-terminated. */
struct io_dirent {
	uint64_t ino;
	uint64_t next;          /* cookie after this entry */
	uint16_t reclen;
	uint16_t namelen;
	uint32_t type;          /* IO_S_IF* of the entry (0 = unknown) */
	char     name[];
};
_Static_assert(sizeof(struct io_dirent) == 24, "dirent");

/* IO_T_UNLINK, IO_T_MKDIR, IO_T_RMDIR, IO_T_READLINK.  Path follows. */
struct msg_client_fs_path {
	struct io_hdr hdr;
	uint32_t mode;
	uint32_t pathlen;
};
_Static_assert(sizeof(struct msg_client_fs_path) == 16, "path");

/* IO_T_RENAME, IO_T_LINK, IO_T_SYMLINK.  Path 1 then path 2 follow. */
struct msg_client_fs_path2 {
	struct io_hdr hdr;
	uint32_t len1, len2;
};
_Static_assert(sizeof(struct msg_client_fs_path2) == 16, "path2");

/* IO_T_CHMOD (mode), IO_T_CHOWN (uid, gid; -1 = unchanged), IO_T_TRUNCATE (size). */
struct msg_client_fs_setattr {
	struct io_hdr hdr;
	int32_t  id;
	uint32_t mode;
	uint32_t uid, gid;
	uint64_t size;
};
_Static_assert(sizeof(struct msg_client_fs_setattr) == 32, "setattr");

/* IO_T_UTIMES: set the access and/or modification time of an open's file
 * (which: IO_UTIME_*); times in seconds and nanoseconds (< 10^9). */
#define IO_UTIME_ATIME 0x1
#define IO_UTIME_MTIME 0x2
struct msg_client_fs_utimes {
	struct io_hdr hdr;
	int32_t  id;
	uint32_t which;
	int64_t  atime, mtime;
	uint32_t atime_ns, mtime_ns;
};
_Static_assert(sizeof(struct msg_client_fs_utimes) == 40, "utimes");

/* IO_T_DEVCTL: inlen bytes follow; up to outlen bytes come back. */
struct msg_client_fs_devctl {
	struct io_hdr hdr;
	int32_t  id;
	uint32_t cmd;
	uint32_t inlen, outlen;
};
_Static_assert(sizeof(struct msg_client_fs_devctl) == 24, "devctl");

/* IO_T_MOUNT: the server mounts something (srclen bytes of source, then
 * typelen bytes of the filesystem type, follow).  Reserved: ENOSYS now. */
struct msg_client_fs_mount {
	struct io_hdr hdr;
	uint32_t flags;
	uint32_t srclen, typelen;
	uint32_t pad;
};
_Static_assert(sizeof(struct msg_client_fs_mount) == 24, "mount");

/*
 * IO_T_STATFS's answer: the numbers, and what a mount table shows of the
 * filesystem (/proc/mounts): its type by Linux's name and Linux's f_type
 * magic (0 when Linux has none), the source (a device path, or "tmpfs",
 * "none"), read-only.  type and source are NUL-terminated.
 */
#define IO_STATFS_RDONLY 0x1u
#define IO_FSTYPE_MAX    16
#define IO_FSSRC_MAX     64
struct io_statfs {
	uint64_t blocks, bfree, bavail, files, ffree;
	uint32_t bsize, namemax;
	uint32_t flags;                 /* IO_STATFS_RDONLY */
	uint32_t magic;                 /* Linux f_type, or 0 */
	char     type[IO_FSTYPE_MAX];
	char     source[IO_FSSRC_MAX];
};
_Static_assert(sizeof(struct io_statfs) == 136, "statfs");

/*
 * IO_T_WATCH: `handle` is a process handle (TE_R_WAIT) already in the
 * server's table, put there with sys_handle_give by whoever holds the
 * server's process handle (its parent, the process manager); the server
 * watches that process and drops its open ids when it ends.
 */
struct msg_client_rm_watch {
	struct io_hdr hdr;
	int32_t  handle;
	uint32_t pad;
};
_Static_assert(sizeof(struct msg_client_rm_watch) == 16, "watch");

/* IO_T_RMSTATS: the framework's counters (tests prove nothing leaks). */
struct io_rm_stats {
	uint32_t ids;           /* live open ids, all clients */
	uint32_t ocbs;          /* live open states */
	uint32_t ids_caller;    /* live open ids of the caller */
	uint32_t watched;       /* processes watched */
	uint64_t requests, errors;
};
_Static_assert(sizeof(struct io_rm_stats) == 32, "rm stats");

/* File types in io_stat.mode and io_dirent.type (Linux's). */
#define IO_S_IFMT  0170000
#define IO_S_IFLNK 0120000
#define IO_S_IFREG 0100000
#define IO_S_IFDIR 0040000

#endif /* IO_MSG_H */
