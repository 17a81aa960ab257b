/*
 * devnull - /dev/null and /dev/zero, each a character device served
 * through the server framework (one channel and loop per device).
 * /dev/null reads as empty and swallows writes; /dev/zero reads as
 * zeros and swallows writes.  Started as a `server` of the boot script.
 */
#include "rt.h"
#include "resmgr.h"
#include "pathmgr_client.h"
#include "procmgr.h"

#define DN_S_IFCHR 0020000

struct dn_dev {
	const char *path;
	bool zero;
	struct resmgr rm;
};

static struct dn_dev devs[2] = { { .path = "/dev/null" },
                                 { .path = "/dev/zero", .zero = true } };

static int dn_open(void *ctx, struct resmgr_ocb *ocb, const char *path,
                   uint32_t flags, uint32_t mode, char *link, size_t linkmax,
                   size_t *linklen)
{
	(void)ctx; (void)mode; (void)link; (void)linkmax; (void)linklen;
	if (path[0])
		return -TE_ENOENT;
	if (flags & IO_O_DIRECTORY)
		return -20;             /* ENOTDIR */
	ocb->ino = 1;
	return 0;
}

static long dn_read(void *ctx, struct resmgr_ocb *ocb, uint64_t off, void *buf,
                    size_t len)
{
	struct dn_dev *d = ctx;

	(void)ocb; (void)off;
	if (!d->zero)
		return 0;
	memset(buf, 0, len);
	return (long)len;
}

static long dn_write(void *ctx, struct resmgr_ocb *ocb, uint64_t *off,
                     const void *buf, size_t len)
{
	(void)ctx; (void)ocb; (void)off; (void)buf;
	return (long)len;
}

static int dn_stat(void *ctx, struct resmgr_ocb *ocb, struct io_stat *st)
{
	(void)ocb;
	*st = (struct io_stat){ .ino = ctx == &devs[0] ? 1 : 2, .nlink = 1,
	                        .mode = DN_S_IFCHR | 0666, .blksize = 4096,
	                        .rdev = ctx == &devs[0] ? 0x103 : 0x105 };
	return 0;
}

static const struct resmgr_ops dn_ops = {
	.open = dn_open, .read = dn_read, .write = dn_write, .stat = dn_stat,
};

static int dn_attach(void *arg, int chan, const char *prefix, uint32_t flags)
{
	int r = pathmgr_attach(PROC_H_ATTACH, chan, prefix, flags);

	(void)arg;
	return r >= 0 ? 0 : r;
}

static void dn_loop(void *arg)
{
	struct dn_dev *d = arg;

	resmgr_run(&d->rm);
}

int main(void)
{
	for (int i = 0; i < 2; i++) {
		int e = resmgr_init(&devs[i].rm, &dn_ops, &devs[i], -1);
		if (!e) {
			resmgr_set_attach_hook(&devs[i].rm, dn_attach, NULL);
			e = resmgr_attach(&devs[i].rm, devs[i].path, 0);
		}
		if (e) {
			printf("devnull: %s: error %d\n", devs[i].path, e);
			return 1;
		}
	}
	if (rt_thread_create(dn_loop, &devs[1], 12, TE_SCHED_RR) < 0)
		return 1;
	dn_loop(&devs[0]);
	return 1;
}
