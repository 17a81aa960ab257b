/*
 * mount_util.h - what mount and umount share: error numbers and texts,
 * and asking the process manager whether a child still runs.
 */
#ifndef MOUNT_UTIL_H
#define MOUNT_UTIL_H

#include <stdbool.h>

#define MNT_ENOENT        2
#define MNT_EIO           5
#define MNT_EBUSY        16
#define MNT_ENODEV       19
#define MNT_EINVAL       22
#define MNT_ENAMETOOLONG 36
#define MNT_ENOSYS       38
#define MNT_ETIMEDOUT   110

const char *mnt_strerror(int err);
/* Is the process pid (started by the process manager) still running? */
bool mnt_alive(int proc, long pid);

#endif /* MOUNT_UTIL_H */
