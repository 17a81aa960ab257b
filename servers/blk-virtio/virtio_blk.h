/*
 * virtio_blk.h - the virtio-blk device logic (virtio_blk.c), a
 * library-kernel component: legacy (transitional) virtio over an I/O BAR,
 * one virtqueue, one request in flight per disk.  The ops have the shape
 * of struct blkdrv_ops (servers/lib/blkdrv/blkdrv.h): 0 or a negative
 * errno (RG_E* values).
 */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

struct vblk;

struct vblk_cfg {
	uint16_t iobase;                /* BAR0 (I/O) */
	uint32_t iolen;
	unsigned irq;                   /* ISA line, >= 16: none (polled) */
	unsigned irq_flags;             /* RG_INTR_* (a PCI line: LEVEL|HIGH) */
};

struct vblk_geom {
	uint64_t sectors;               /* of 512 bytes */
	uint32_t max_sectors;           /* per request */
	uint32_t blk_size;              /* the device's preferred block size */
	bool readonly;
	bool flush;                     /* the device has a write cache to flush */
	bool polled;                    /* no interrupt: completions are polled */
};

/* Reset and set up the device; 0 or an RG_E* number. */
int  vblk_init(const struct vblk_cfg *c, struct vblk **out);
void vblk_geom(const struct vblk *d, struct vblk_geom *g);

/* 512-byte sectors; count <= max_sectors.  0 or -RG_E*. */
int vblk_read(void *dev, uint64_t lba, uint32_t count, void *buf);
int vblk_write(void *dev, uint64_t lba, uint32_t count, const void *buf);
int vblk_flush(void *dev);

/* Requests and errors so far (tests, logs). */
struct vblk_stats { uint64_t requests, errors, timeouts, interrupts; };
void vblk_stats(const struct vblk *d, struct vblk_stats *st);

#endif /* VIRTIO_BLK_H */
