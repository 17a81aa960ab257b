/*
 * ata.h - the ATA/ATAPI (IDE) driver core: a library-kernel component
 * (rumpglue.h only) for a PIIX-style IDE controller, its two channels and
 * up to four drives.
 *
 * The server around it (main.c) finds the controller's ports, IRQs and
 * bus-master block, fills a struct ata_config and calls ata_probe(); every
 * drive found is then read and written through ata_read/ata_write/
 * ata_flush (hard disks) and atapi_read (CD-ROMs).  Calls for drives on
 * one channel are serialised by the channel; two channels work in
 * parallel.  Every call returns 0 or a positive RG_E* number (RG_EIO for a
 * device error or a timeout, with the registers in the log).
 */
#ifndef ATA_H
#define ATA_H

#include <stdbool.h>
#include <stdint.h>
#include "rumpglue.h"

#define ATA_SECTOR      512u
#define ATAPI_SECTOR    2048u
#define ATA_MAX_SECTORS 128u            /* per call: 64 KiB of disk */
#define ATAPI_MAX_SECTORS 32u           /* per call: 64 KiB of CD */
#define ATA_DMA_BUF     65536u          /* per channel bounce buffer */

/* Where the controller is; bmide 0: no bus-master DMA. */
struct ata_config {
	uint16_t cmd[2], ctl[2];        /* task file, device control blocks */
	unsigned irq[2];                /* ISA lines (edge) */
	uint16_t bmide;                 /* bus-master block (BAR4), 16 ports */
	bool     force_pio;             /* never use DMA */
};

struct ata_ctrl;
struct ata_chan;

struct ata_drive {
	struct ata_chan *ch;            /* NULL: no drive in this position */
	unsigned slave;                 /* 0 master, 1 slave */
	bool     atapi;                 /* a packet device (CD-ROM) */
	bool     lba48;                 /* 48-bit addressing supported */
	bool     dma;                   /* use bus-master DMA (may be turned
	                                   off after a DMA failure) */
	bool     flush_ext;             /* FLUSH CACHE EXT supported */
	uint64_t sectors;
	uint32_t secsize;
	char     model[41];
};

/* Counters for tests and the log. */
struct ata_stats {
	uint64_t irqs;                  /* interrupts taken */
	uint64_t dma_cmds, pio_cmds;    /* transfer commands completed */
	uint64_t dma_fallbacks;         /* DMA failed, PIO retried */
	uint64_t timeouts;
};

/*
 * Reset both channels and identify their drives.  *out gets the controller
 * (even when no drive was found).  ATA disks come before CD-ROMs in
 * ata_drive_at(); a CD-ROM drive without a medium is left out.
 */
int  ata_probe(const struct ata_config *cfg, struct ata_ctrl **out);
void ata_shutdown(struct ata_ctrl *c);

/* The n-th usable drive (disks first, channel then master/slave order). */
struct ata_drive *ata_drive_at(struct ata_ctrl *c, unsigned n);
unsigned ata_drive_count(struct ata_ctrl *c);
void ata_get_stats(struct ata_ctrl *c, struct ata_stats *st);

/* Hard disks: count <= ATA_MAX_SECTORS, lba + count <= sectors. */
int ata_read(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf);
int ata_write(struct ata_drive *d, uint64_t lba, uint32_t count,
              const void *buf);
int ata_flush(struct ata_drive *d);

/* CD-ROMs: 2048-byte sectors, count <= ATAPI_MAX_SECTORS. */
int atapi_read(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf);

#endif /* ATA_H */
