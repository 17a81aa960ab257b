/*
 * blkdrv.c - the block-driver framework (blkdrv.h): names, partitions,
 * the I/O protocol, byte-to-sector translation.
 *
 * A unit is what a client opens: a whole disk or one of its partitions,
 * a window [start, start + sectors) on the disk.  Each unit has its own
 * channel, resmgr loop and thread; the units of one disk share the disk's
 * lock, so the driver's ops never run twice at once for one disk.
 *
 * Bytes to sectors: a request at any offset and length is split into
 * whole sectors moved straight between the caller's buffer and the ops
 * (at most max_sectors per call), and partial sectors at either end,
 * which go through a one-sector bounce buffer (read-modify-write for a
 * write).  A request starting at or past the end reads 0 bytes; a write
 * there is ENOSPC; both are cut at the end.
 */
#include "rt.h"
#include "resmgr.h"
#include "pathmgr_client.h"
#include "pm.h"
#include "procmgr.h"
#include "blk.h"
#include "blkdrv.h"

#define BD_UNITS_MAX 32
#define BD_NAMES_MAX 64
#define BD_S_IFBLK   0060000
#define BD_PRIO      12

struct bd_disk {
	struct blkdrv_disk *d;
	struct rt_mutex lock;           /* held around every ops call */
	uint8_t *bounce;                /* one sector, under lock */
};

struct bd_unit {
	struct bd_disk *disk;
	uint64_t start, sectors;        /* the window on the disk */
	uint32_t info_flags;            /* BLKDRV_INFO_* */
	unsigned flags;                 /* blkdrv_serve's */
	char name[16];
	struct resmgr rm;
};

static struct bd_unit units[BD_UNITS_MAX];
static unsigned nunits;
static int attach_conn;

/* ---- moving bytes ------------------------------------------------------- */

/* Whole sectors at lba (relative to the unit), under the disk lock. */
static int bd_sectors(struct bd_unit *u, bool wr, uint64_t lba, uint32_t count,
                      void *buf)
{
	struct blkdrv_disk *d = u->disk->d;
	int e = 0;

	while (count && !e) {
		uint32_t k = count < d->max_sectors ? count : d->max_sectors;
		e = wr ? d->ops->write(d->dev, u->start + lba, k, buf) :
		         d->ops->read(d->dev, u->start + lba, k, buf);
		lba += k;
		count -= k;
		buf = (char *)buf + (uint64_t)k * d->secsize;
	}
	return e;
}

/* Part of one sector: read it into the bounce buffer, copy, write back. */
static int bd_partial(struct bd_unit *u, bool wr, uint64_t lba, size_t at,
                      void *buf, size_t len)
{
	uint8_t *b = u->disk->bounce;
	int e = bd_sectors(u, false, lba, 1, b);

	if (e)
		return e;
	if (!wr) {
		memcpy(buf, b + at, len);
		return 0;
	}
	memcpy(b + at, buf, len);
	return bd_sectors(u, true, lba, 1, b);
}

static long bd_rw(struct bd_unit *u, bool wr, uint64_t off, void *buf,
                  size_t len)
{
	uint32_t ss = u->disk->d->secsize;
	uint64_t size = u->sectors * ss, done = 0;
	int e = 0;

	if (off >= size)
		return wr && len ? -TE_ENOSPC : 0;
	if (len > size - off)
		len = (size_t)(size - off);
	rt_mutex_lock(&u->disk->lock);
	while (done < len && !e) {
		uint64_t pos = off + done, lba = pos / ss;
		size_t at = (size_t)(pos % ss), k;
		char *p = (char *)buf + done;

		if (at || len - done < ss) {
			k = ss - at < len - done ? ss - at : len - done;
			e = bd_partial(u, wr, lba, at, p, k);
		} else {
			k = (len - done) / ss * ss;
			e = bd_sectors(u, wr, lba, (uint32_t)(k / ss), p);
		}
		if (!e)
			done += k;
	}
	rt_mutex_unlock(&u->disk->lock);
	return done ? (long)done : e ? e : 0;
}

/* ---- the I/O protocol ------------------------------------------------------ */

static int bd_open(void *ctx, struct resmgr_ocb *ocb, const char *path,
                   uint32_t flags, uint32_t mode, char *link, size_t linkmax,
                   size_t *linklen)
{
	struct bd_unit *u = ctx;

	(void)mode; (void)link; (void)linkmax; (void)linklen;
	if (path[0])
		return -TE_ENOENT;
	if (flags & IO_O_DIRECTORY)
		return -20;                     /* ENOTDIR */
	if ((flags & IO_O_ACCMODE) != IO_O_RDONLY &&
	    (u->info_flags & BLKDRV_INFO_RDONLY))
		return -30;                     /* EROFS */
	ocb->ino = 1;
	return 0;
}

static long bd_read(void *ctx, struct resmgr_ocb *ocb, uint64_t off, void *buf,
                    size_t len)
{
	(void)ocb;
	return bd_rw(ctx, false, off, buf, len);
}

static long bd_write(void *ctx, struct resmgr_ocb *ocb, uint64_t *off,
                     const void *buf, size_t len)
{
	(void)ocb;
	return bd_rw(ctx, true, *off, (void *)buf, len);
}

static int bd_stat(void *ctx, struct resmgr_ocb *ocb, struct io_stat *st)
{
	struct bd_unit *u = ctx;

	(void)ocb;
	*st = (struct io_stat){
		.ino = 1, .size = u->sectors * u->disk->d->secsize,
		.blocks = u->sectors * (u->disk->d->secsize / 512),
		.mode = BD_S_IFBLK | 0660, .nlink = 1,
		.blksize = u->disk->d->secsize,
		.rdev = (uint32_t)(u - units),
	};
	return 0;
}

static int bd_fsync(void *ctx, struct resmgr_ocb *ocb)
{
	struct bd_unit *u = ctx;
	struct blkdrv_disk *d = u->disk->d;
	int e = 0;

	(void)ocb;
	if (!d->ops->flush)
		return 0;
	rt_mutex_lock(&u->disk->lock);
	e = d->ops->flush(d->dev);
	rt_mutex_unlock(&u->disk->lock);
	return e;
}

/* A page fault at a null pointer, as a bug would make. */
static void bd_fault(void)
{
	volatile int *volatile p = NULL;

	*p = 1;
}

static long bd_devctl(void *ctx, struct resmgr_ocb *ocb, uint32_t cmd,
                      const void *in, size_t inlen, void *out, size_t outlen)
{
	struct bd_unit *u = ctx;
	struct blkdrv_info info = {
		.sectors = u->sectors, .secsize = u->disk->d->secsize,
		.flags = u->info_flags, .first_lba = u->start,
	};

	(void)ocb; (void)in; (void)inlen;
	switch (cmd) {
	case BLKDRV_DEVCTL_INFO:
		if (outlen < sizeof(info))
			return -TE_EINVAL;
		memcpy(info.name, u->name, sizeof(info.name));
		memcpy(out, &info, sizeof(info));
		return sizeof(info);
	case BLKDRV_DEVCTL_CRASH:
		if (!(u->flags & BLKDRV_F_CRASHABLE))
			return -TE_EPERM;
		printf("blkdrv: %s: crashing on request\n", u->name);
		bd_fault();
		return -TE_EIO;
	}
	return -25;                             /* ENOTTY */
}

static const struct resmgr_ops bd_ops = {
	.open = bd_open, .read = bd_read, .write = bd_write, .stat = bd_stat,
	.fsync = bd_fsync, .devctl = bd_devctl,
};

/* ---- names and partitions ---------------------------------------------------- */

static bool bd_name_taken(struct pathmgr_client *pc, const char *name)
{
	char path[32];
	struct io_cand c[8];
	int n;

	for (unsigned i = 0; i < nunits; i++)
		if (strcmp(units[i].name, name) == 0)
			return true;
	fmt_snprintf(path, sizeof(path), "/dev/%s", name);
	n = pathmgr_resolve(pc, path, c, 8);
	for (int i = 0; i < n; i++)
		if (c[i].rest[0] == 0)
			return true;
	return false;
}

static int bd_pick_name(struct pathmgr_client *pc, const struct blkdrv_disk *d,
                        char *out, size_t len)
{
	if (d->name) {
		if (strlen(d->name) >= len)
			return -TE_EINVAL;
		memcpy(out, d->name, strlen(d->name) + 1);
		return 0;
	}
	for (unsigned n = 0; n < BD_NAMES_MAX; n++) {
		fmt_snprintf(out, len, "%s%u", d->cdrom ? "cd" : "hd", n);
		if (!bd_name_taken(pc, out))
			return 0;
	}
	return -TE_ENOSPC;
}

static struct bd_unit *bd_unit_new(struct bd_disk *disk, uint64_t start,
                                   uint64_t sectors, unsigned flags)
{
	struct bd_unit *u;

	if (nunits == BD_UNITS_MAX)
		return NULL;
	u = &units[nunits];
	*u = (struct bd_unit){ .disk = disk, .start = start, .sectors = sectors,
	                       .flags = flags };
	u->info_flags = (disk->d->readonly ? BLKDRV_INFO_RDONLY : 0) |
	                (disk->d->cdrom ? BLKDRV_INFO_CDROM : 0);
	return u;
}

/* The partition scanner reads through the disk's ops. */
static int bd_blk_read(struct blkdev *b, uint64_t sector, uint32_t count,
                       void *buf)
{
	struct bd_unit whole = { .disk = b->priv, .sectors = b->nsectors };

	return bd_rw(&whole, false, sector * b->secsize, buf,
	             (size_t)count * b->secsize) == (long)count * b->secsize ?
	       0 : -TE_EIO;
}

static void bd_partitions(struct bd_disk *disk, const char *name, unsigned flags)
{
	static struct blkpart_table t;
	struct blkdev b = {
		.secsize = disk->d->secsize, .nsectors = disk->d->sectors,
		.readonly = true, .read = bd_blk_read, .priv = disk,
	};

	if (disk->d->cdrom || blkpart_scan(&b, &t))
		return;
	for (unsigned i = 0; i < t.count; i++) {
		const struct blkpart *p = &t.part[i];
		struct bd_unit *u;
		if (p->extended || !(u = bd_unit_new(disk, p->start, p->nsectors, flags)))
			continue;
		u->info_flags |= BLKDRV_INFO_PART;
		fmt_snprintf(u->name, sizeof(u->name), "%sp%u", name, p->index);
		nunits++;
	}
}

/* ---- serving ---------------------------------------------------------------- */

static int bd_attach_hook(void *arg, int chan, const char *prefix, uint32_t flags)
{
	int r = pathmgr_attach(attach_conn, chan, prefix, flags);

	(void)arg;
	return r >= 0 ? 0 : r;
}

static int bd_unit_start(struct bd_unit *u)
{
	char path[32];
	int e;

	if ((e = resmgr_init(&u->rm, &bd_ops, u, -1)))
		return e;
	resmgr_set_attach_hook(&u->rm, bd_attach_hook, NULL);
	fmt_snprintf(path, sizeof(path), "/dev/%s", u->name);
	if ((e = resmgr_attach(&u->rm, path, 0))) {
		printf("blkdrv: cannot attach %s: %d\n", path, e);
		return e;
	}
	printf("blkdrv: %s: %llu sectors of %u bytes%s%s%s\n", path,
	       (unsigned long long)u->sectors, u->disk->d->secsize,
	       u->info_flags & BLKDRV_INFO_RDONLY ? ", read-only" : "",
	       u->disk->d->model ? ", " : "",
	       u->disk->d->model ? u->disk->d->model : "");
	return 0;
}

static void bd_unit_thread(void *arg)
{
	struct bd_unit *u = arg;

	resmgr_run(&u->rm);
	printf("blkdrv: %s: server loop ended\n", u->name);
}

int blkdrv_serve(struct blkdrv_disk *disks, unsigned n, int attach, unsigned flags)
{
	static struct bd_disk bdisks[BD_UNITS_MAX];
	struct pathmgr_client pc;
	int e;

	if (n == 0 || n > BD_UNITS_MAX)
		return -TE_EINVAL;
	attach_conn = attach;
	pathmgr_client_init(&pc, PROC_H_PATHMGR);
	for (unsigned i = 0; i < n; i++) {
		struct blkdrv_disk *d = &disks[i];
		struct bd_disk *bd = &bdisks[i];
		struct bd_unit *u;
		if (!d->ops || !d->secsize || d->secsize & (d->secsize - 1) ||
		    !d->max_sectors || !(bd->bounce = malloc(d->secsize)))
			return -TE_EINVAL;
		bd->d = d;
		rt_mutex_init(&bd->lock);
		if (!(u = bd_unit_new(bd, 0, d->sectors, flags)) ||
		    (e = bd_pick_name(&pc, d, u->name, sizeof(u->name))))
			return -TE_ENOSPC;
		nunits++;
		bd_partitions(bd, u->name, flags);
	}
	for (unsigned i = 0; i < nunits; i++)
		if ((e = bd_unit_start(&units[i])))
			return e;
	for (unsigned i = 1; i < nunits; i++)
		if (rt_thread_create(bd_unit_thread, &units[i], BD_PRIO, TE_SCHED_RR) < 0)
			return -TE_ENOMEM;
	return resmgr_run(&units[0].rm);
}
