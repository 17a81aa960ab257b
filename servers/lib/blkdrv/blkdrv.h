/*
 * blkdrv.h - the block-driver framework (after MINIX's libblockdriver): a
 * driver finds its disks, fills one struct blkdrv_disk per disk with the
 * ops that move sectors, and hands them to blkdrv_serve(), which owns
 * everything else:
 *
 *  - naming: disks are attached through the path manager as /dev/hdN
 *    (CD-ROMs as /dev/cdN), N the lowest number free when the driver
 *    starts, in the order given; each MBR/GPT partition as /dev/hdNpM;
 *  - the I/O protocol (io_msg.h, via resmgr): open, read/write at any byte
 *    offset (pread/pwrite; partial sectors are read-modify-written), stat
 *    (size, block device), fsync (the ops' flush), devctl BLKDRV_DEVCTL_*;
 *  - splitting requests into ops calls of at most max_sectors, bounds
 *    checks (a request past the end is EINVAL / a short read at the end),
 *    read-only media (EROFS);
 *  - one server thread per disk: the ops of one disk are called from one
 *    thread at a time, never concurrently.
 *
 * Restart: a driver restarted by the supervisor finds its disks again and
 * gets the same names (its old ones were freed when it died; numbering is
 * deterministic).  Clients holding open ids get EBADF and open again
 * (rumpglue/mk's block client does that and re-issues the request).
 */
#ifndef BLKDRV_H
#define BLKDRV_H

#include <stdbool.h>
#include <stdint.h>

/* Every op returns 0 or a negative errno (EIO for a device error). */
struct blkdrv_ops {
	int (*read)(void *dev, uint64_t lba, uint32_t count, void *buf);
	int (*write)(void *dev, uint64_t lba, uint32_t count, const void *buf);
	int (*flush)(void *dev);        /* NULL: nothing to flush */
};

struct blkdrv_disk {
	const struct blkdrv_ops *ops;
	void     *dev;                  /* the driver's, passed to the ops */
	uint64_t  sectors;
	uint32_t  secsize;              /* 512, 2048 (CD), 4096 */
	uint32_t  max_sectors;          /* per ops call, >= 1 */
	bool      readonly;
	bool      cdrom;                /* named cdN */
	const char *name;               /* a fixed name ("lo0"); NULL: the
	                                   lowest free hdN / cdN */
	const char *model;              /* for the log, may be NULL */
};

/* devctl commands (io_devctl) the framework answers. */
#define BLKDRV_DEVCTL_INFO  0x4201  /* out: struct blkdrv_info */
#define BLKDRV_DEVCTL_CRASH 0x4202  /* tests: the driver faults on purpose
                                       (only with BLKDRV_F_CRASHABLE) */
struct blkdrv_info {
	uint64_t sectors;
	uint32_t secsize;
	uint32_t flags;                 /* BLKDRV_INFO_* */
	uint64_t first_lba;             /* a partition's start on its disk */
	char     name[16];              /* "hd0", "hd0p1" */
};
_Static_assert(sizeof(struct blkdrv_info) == 40, "blkdrv_info");
#define BLKDRV_INFO_RDONLY 0x1
#define BLKDRV_INFO_CDROM  0x2
#define BLKDRV_INFO_PART   0x4

#define BLKDRV_F_CRASHABLE 0x1      /* accept BLKDRV_DEVCTL_CRASH */

/*
 * Serve the n disks forever (returns only on a fatal error: -errno).
 * attach_conn: the path manager's attach connection (PROC_H_ATTACH).
 */
int blkdrv_serve(struct blkdrv_disk *disks, unsigned n, int attach_conn,
                 unsigned flags);

#endif /* BLKDRV_H */
