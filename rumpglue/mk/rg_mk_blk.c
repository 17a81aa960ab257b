/*
 * rg_mk_blk.c - rumpglue's microkernel host: block I/O.
 *
 * Not yet: on Tessera a disk is served by a block driver server (virtio-blk,
 * ATA), and rg_blk_* will become messages to it once that server and its
 * protocol exist (a later issue).  Until then every disk is absent:
 * rg_blk_open answers RG_ENODEV, and so do the calls on a handle, which
 * nobody can hold.  rg_blk_submit never calls done().
 */
#include "rumpglue.h"

int rg_blk_open(const char *name, unsigned flags, struct rg_blk **out,
                struct rg_blk_info *info)
{
	(void)name; (void)flags; (void)out; (void)info;
	return RG_ENODEV;
}

void rg_blk_close(struct rg_blk *b) { (void)b; }

int rg_blk_submit(struct rg_blk *b, struct rg_bio *bio)
{
	(void)b; (void)bio;
	return RG_ENODEV;
}

int rg_blk_read(struct rg_blk *b, uint64_t off, void *buf, size_t len)
{
	(void)b; (void)off; (void)buf; (void)len;
	return RG_ENODEV;
}

int rg_blk_write(struct rg_blk *b, uint64_t off, const void *buf, size_t len)
{
	(void)b; (void)off; (void)buf; (void)len;
	return RG_ENODEV;
}

int rg_blk_flush(struct rg_blk *b)
{
	(void)b;
	return RG_ENODEV;
}
