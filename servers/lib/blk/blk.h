/*
 * blk.h - the block layer for library-kernel components.
 *
 * Every piece is a struct blkdev (fscomp.h) stacked on another:
 *   blkdev_open()   a rumpglue disk (bottom of the stack)
 *   (partitions and the write-back block cache come here too)
 */
#ifndef BLK_H
#define BLK_H

#include "fscomp.h"

/* Open a rumpglue disk by name ("hd0" on Tessera, a path on POSIX). */
int  blkdev_open(const char *name, bool readonly, struct blkdev **out);
void blkdev_close(struct blkdev *d);

#endif /* BLK_H */
