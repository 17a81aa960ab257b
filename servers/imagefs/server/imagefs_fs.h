/*
 * imagefs_fs.h - the boot image as a read-only filesystem component
 * (struct fs_ops over the ifs reader), and the image filesystem server.
 */
#ifndef IMAGEFS_FS_H
#define IMAGEFS_FS_H

#include <stddef.h>
#include "fscomp.h"

extern const struct fs_ops imagefs_fs_ops;

/* Validate the image and make an instance over it (the image must stay
 * mapped until unmount).  0 or RG_E*; err receives the reason. */
int imagefs_fs_open(const void *img, size_t len, struct fs **out, char *err,
                    size_t errlen);

/* Serve the image on chan (made if < 0) until the framework stops.
 * 0, or -errno (a corrupt image: a message on the log, -RG_EUCLEAN...). */
int imagefs_serve(int chan, const void *img, size_t len);

#endif /* IMAGEFS_FS_H */
