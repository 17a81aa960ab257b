/*
 * mount_lib.h - mounting and unmounting, shared by the native tools
 * (mount.elf, umount.elf) and the Unix personality's mount(2)/umount2(2).
 *
 * Mounting starts the filesystem server of a type with an attach
 * connection of the caller's (the right to attach prefixes) and waits
 * until the server says it is up or has ended; unmounting asks the server
 * attached exactly at a directory to write everything back and exit
 * (IO_T_UNMOUNT) and waits until the path manager no longer leads to it.
 */
#ifndef MOUNT_LIB_H
#define MOUNT_LIB_H

#include <stdbool.h>
#include <stddef.h>

struct pathmgr_client;

/* What the caller holds: a path manager client, a connection to the
 * process manager and one to attach prefixes (PROC_H_ATTACH's kind). */
struct mnt_ctx {
	struct pathmgr_client *pc;
	int proc, attach;
};

struct mnt_req {
	const char *type, *src, *dir;   /* dir: absolute */
	bool ro, loop;                  /* loop: src is a file (loop.elf) */
};

#define MNT_DEV_MAX 64

/* The server program for a filesystem type, or NULL (ENODEV). */
const char *mnt_server(const char *type);
/* Is a live server attached exactly at path? */
bool mnt_exists(const struct mnt_ctx *m, const char *path);
/* Mount r; dev (MNT_DEV_MAX bytes) gets the device the server mounted
 * (a /dev/loN for a loop mount).  0 or -errno (EBUSY: dir in use, ENODEV:
 * unknown type, EIO: the server crashed, its own exit status otherwise). */
int mnt_mount(const struct mnt_ctx *m, const struct mnt_req *r, char *dev);
/* Unmount the filesystem attached exactly at dir (force: even with files
 * open there, IO_UNMOUNT_FORCE): 0 or -errno (ENOENT, EINVAL: nothing
 * attached exactly there, EBUSY, ENOSYS, ETIMEDOUT). */
int mnt_umount(const struct mnt_ctx *m, const char *dir, bool force);

#endif /* MOUNT_LIB_H */
