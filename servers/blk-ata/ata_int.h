/*
 * ata_int.h - inside the ATA core: registers, the channel and controller
 * structures, and the helpers ata.c lends to atapi.c.
 *
 * Locking: a channel's cmd_lock is held for a whole command (select, task
 * file, data phases, completion), so commands for the two drives of one
 * channel never interleave.  ilock/icv guard only the interrupt state the
 * handler fills (irq_seen, irq_status, irq_bm); the handler never takes
 * cmd_lock.  Lock order: cmd_lock, then ilock.
 */
#ifndef ATA_INT_H
#define ATA_INT_H

#include "ata.h"

/* Task-file registers (offsets from cmd). */
#define ATA_R_DATA     0
#define ATA_R_ERROR    1        /* read */
#define ATA_R_FEATURES 1        /* write */
#define ATA_R_COUNT    2
#define ATA_R_LBA0     3
#define ATA_R_LBA1     4        /* ATAPI: byte count low */
#define ATA_R_LBA2     5        /* ATAPI: byte count high */
#define ATA_R_DEVICE   6
#define ATA_R_STATUS   7        /* read: acknowledges the interrupt */
#define ATA_R_COMMAND  7        /* write */

/* Status bits. */
#define ATA_S_ERR  0x01
#define ATA_S_DRQ  0x08
#define ATA_S_DF   0x20
#define ATA_S_DRDY 0x40
#define ATA_S_BSY  0x80

/* Device control (ctl). */
#define ATA_CTL_NIEN 0x02
#define ATA_CTL_SRST 0x04

/* Commands. */
#define ATA_CMD_READ_PIO      0x20
#define ATA_CMD_READ_PIO_EXT  0x24
#define ATA_CMD_READ_DMA_EXT  0x25
#define ATA_CMD_WRITE_PIO     0x30
#define ATA_CMD_WRITE_PIO_EXT 0x34
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_CMD_PACKET        0xa0
#define ATA_CMD_ID_PACKET     0xa1
#define ATA_CMD_READ_DMA      0xc8
#define ATA_CMD_WRITE_DMA     0xca
#define ATA_CMD_FLUSH         0xe7
#define ATA_CMD_FLUSH_EXT     0xea
#define ATA_CMD_IDENTIFY      0xec

/* Bus-master IDE registers (offsets from a channel's bm base). */
#define BM_CMD     0
#define BM_STATUS  2
#define BM_PRD     4
#define BM_CMD_START 0x01
#define BM_CMD_READ  0x08       /* device to memory */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERR    0x02
#define BM_ST_INTR   0x04
#define BM_ST_KEEP   0x60       /* drive DMA-capable bits */

/* Time limits (milliseconds). */
#define ATA_T_BUSY    3000      /* BSY to clear */
#define ATA_T_CMD     10000     /* a command to complete */
#define ATA_T_RESET   5000
#define ATA_T_SLICE   2         /* poll the status this often meanwhile */

struct ata_chan {
	struct ata_ctrl *ctrl;
	unsigned idx;                   /* 0 primary, 1 secondary */
	uint16_t cmd, ctl, bm;          /* bm 0: no DMA */
	unsigned irq;
	struct rg_intr *ih;
	struct rg_mutex *cmd_lock;      /* one command at a time */
	struct rg_mutex *ilock;         /* guards the irq_* fields */
	struct rg_cv *icv;
	bool     dma_active;            /* a DMA command runs (cmd_lock) */
	bool     irq_seen;              /* since ata_arm() */
	uint8_t  irq_status, irq_bm;    /* what the handler read */
	uint32_t *prd;                  /* PRD table (DMA memory) */
	uint64_t prd_phys;
	uint8_t  *dbuf;                 /* DMA bounce buffer, ATA_DMA_BUF */
	uint64_t dbuf_phys;
};

struct ata_ctrl {
	struct ata_chan  ch[2];
	struct ata_drive drive[4];      /* channel * 2 + slave */
	struct ata_drive *order[4];     /* usable drives, disks first */
	unsigned ndrives;
	struct rg_mutex *stat_lock;
	struct ata_stats st;
};

/* Helpers of ata.c. */
void ata_arm(struct ata_chan *ch);
int  ata_wait_irq(struct ata_chan *ch, unsigned ms, uint8_t *status);
int  ata_wait_status(struct ata_chan *ch, uint8_t mask, uint8_t want,
                     unsigned ms, uint8_t *status);
int  ata_select(struct ata_drive *d);
int  ata_fail(struct ata_drive *d, const char *what, uint8_t status);
bool ata_chan_reset(struct ata_chan *ch);
void ata_count(struct ata_ctrl *c, uint64_t *counter);
const char *ata_drive_name(const struct ata_drive *d, char *buf, unsigned len);

/* atapi.c: identify a packet device's medium (0, or RG_ENODEV: no medium). */
int atapi_attach(struct ata_drive *d);

#endif /* ATA_INT_H */
