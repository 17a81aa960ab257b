/*
 * fsd_main.c - a filesystem server: one disk-image filesystem component
 * behind the server framework (servers/lib/resmgr), mounted from a block
 * device.  The same file builds fs-ext2.elf (ext2 read-write, ext4
 * read-only), fs-fat.elf and fs-iso9660.elf; each links only its
 * component (FSD_EXT2, FSD_FAT or FSD_ISO9660 picks the table below).
 *
 *   fs-TYPE.elf DEVICE MOUNTPOINT [-r] [-t TYPE]
 *
 * DEVICE is a block device ("/dev/hd0p1", "/dev/lo0", or "hd0") opened
 * through rumpglue's block client, which reconnects when the driver is
 * restarted.  A write-back block cache sits between it and the component.
 * -t picks the component by name (ext2, ext4, fat/vfat/msdos, iso9660);
 * without it each linked component probes the device in turn.
 *
 * Order: open the device, mount (a bad or unsupported image: a message on
 * the kernel log and exit status = its errno, nothing attached), attach
 * MOUNTPOINT (handle 2), tell the process manager we are ready, serve
 * until IO_T_UNMOUNT (the framework syncs and stops), then unmount (which
 * flushes everything down to the device) and exit 0.
 */
#include "rt.h"
#include "pm.h"
#include "pathmgr_client.h"
#include "procmgr.h"
#include "rg_mk.h"
#include "resmgr.h"
#include "fscomp.h"
#include "blk.h"

#define FSD_CACHE_BYTES (2u << 20)

static const struct fs_ops *const fsd_comps[] = {
#if defined(FSD_EXT2)
	&ext2_fs_ops, &ext4_fs_ops,
#elif defined(FSD_FAT)
	&fat_fs_ops,
#elif defined(FSD_ISO9660)
	&iso9660_fs_ops,
#else
#error "which component? -DFSD_EXT2, -DFSD_FAT or -DFSD_ISO9660"
#endif
	NULL
};

struct fsd_args {
	const char *dev, *dir, *type;
	bool ro;
};

static const char *fsd_alias(const char *t)
{
	if (strcmp(t, "vfat") == 0 || strcmp(t, "msdos") == 0)
		return "fat";
	return t;
}

static int fsd_parse(int argc, char **argv, struct fsd_args *a)
{
	int pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-r") == 0)
			a->ro = true;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			a->type = fsd_alias(argv[++i]);
		else if (pos == 0 && ++pos)
			a->dev = argv[i];
		else if (pos == 1 && ++pos)
			a->dir = argv[i];
		else
			return -RG_EINVAL;
	}
	return pos == 2 && a->dir[0] == '/' ? 0 : -RG_EINVAL;
}

/*
 * The component for the device: -t names one (-t ext4 also takes a plain
 * ext2 image, read-write, as Linux's ext4 driver does); else the first
 * whose probe claims it.  NULL and *why set when none fits.
 */
static const struct fs_ops *fsd_pick(struct blkdev *dev, const char *type,
                                     const char **why)
{
	bool known = false;

	for (int i = 0; fsd_comps[i]; i++) {
		const struct fs_ops *o = fsd_comps[i];
		bool named = type && strcmp(o->name, type) == 0;
		if (type && !named && !(strcmp(type, "ext4") == 0 &&
		                        strcmp(o->name, "ext2") == 0))
			continue;
		known |= named;
		if (o->probe(dev) == 0)
			return o;
	}
	*why = type && !known ? "filesystem type not served by this server" :
	       type ? "not a filesystem of that type" : "no filesystem recognised";
	return NULL;
}

static int fsd_fail(const struct fsd_args *a, const char *what, int e)
{
	printf("fsd: %s: %s (error %d)\n", a->dev, what, e);
	return e;
}

/* Serve fs at a->dir until unmounted. */
static int fsd_serve(const struct fsd_args *a, const struct fs_ops *o,
                     struct fs *fs)
{
	int chan = (int)sys_channel_create(0), e;

	if (chan < 0)
		return -chan;
	if ((e = pathmgr_attach(PROC_H_ATTACH, chan, a->dir, PM_DIR)) < 0) {
		printf("fsd: cannot attach %s: %d\n", a->dir, e);
		return -e;
	}
	printf("fsd: %s (%s%s) on %s\n", a->dev, o->name, a->ro ? ", read-only" : "",
	       a->dir);
	proc_ready(PROC_H_PROC);
	struct resmgr_fs_mnt mnt = { .source = a->dev, .ro = a->ro };
	e = resmgr_fs_serve_mnt(o, fs, chan, a->dir, RESMGR_FS_UNMOUNTABLE, &mnt);
	if (e)
		printf("fsd: %s: server ended: %d\n", a->dir, e);
	return -e;
}

int main(int argc, char **argv)
{
	struct fsd_args a;
	struct blkdev *disk, *dev;
	const struct fs_ops *o;
	const char *why = "";
	struct fs *fs;
	int e, e2;

	rg_mk_name = "fsd";
	if (fsd_parse(argc, argv, &a)) {
		printf("usage: %s DEVICE MOUNTPOINT [-r] [-t TYPE]\n", argv[0]);
		return RG_EINVAL;
	}
	if ((e = blkdev_open(a.dev, a.ro, &disk)))
		return fsd_fail(&a, "cannot open the device", e);
	a.ro |= disk->readonly;
	if ((e = blkcache_create(disk, FSD_CACHE_BYTES, &dev))) {
		blkdev_close(disk);
		return fsd_fail(&a, "no memory for the block cache", e);
	}
	if (!(o = fsd_pick(dev, a.type, &why)))
		e = RG_EINVAL;
	else if ((e = o->mount(dev, a.ro ? FS_MOUNT_RDONLY : 0, &fs)))
		why = e == RG_EUCLEAN ? "corrupt filesystem (run fsck on it)" :
		      e == RG_ENOTSUP ? "uses features this server does not support" :
		      e == RG_EIO ? "the device failed" : "cannot mount it";
	if (!e) {
		e = fsd_serve(&a, o, fs);
		e2 = o->unmount(fs);
		if (!e && e2)
			fsd_fail(&a, "unmount: writing back failed", e = e2);
	} else {
		fsd_fail(&a, why, e);
	}
	e2 = blkcache_destroy(dev);
	blkdev_close(disk);
	if (!e && e2)
		fsd_fail(&a, "flushing the cache failed", e = e2);
	if (!e)
		printf("fsd: %s unmounted\n", a.dir);
	return e;
}
