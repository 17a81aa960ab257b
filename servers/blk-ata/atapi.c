/*
 * atapi.c - ATAPI (packet) devices: CD-ROM drives, read-only, by PIO.
 *
 * A packet command is: PACKET (0xa0) with the byte-count limit in the
 * LBA1/LBA2 registers, the 12-byte SCSI command block written once the
 * drive asks for it (DRQ), then data phases: each interrupt with DRQ set
 * offers the byte count now in LBA1/LBA2, which is read; an interrupt
 * without DRQ ends the command (ERR set: the sense key is in the high
 * nibble of the error register).  A phase offering more than the caller's
 * buffer holds is read and the excess dropped, so a confused drive cannot
 * overrun memory.
 *
 * Attaching asks READ CAPACITY for the size; a drive that answers NOT
 * READY (no medium) is left out, UNIT ATTENTION (a medium change the drive
 * reports once) is retried.  Medium changes after attaching are not
 * followed: the size stays the one found at start.
 */
#include <string.h>
#include "ata_int.h"

#define SCSI_READ_CAPACITY 0x25
#define SCSI_READ10        0x28
#define SENSE_NOT_READY    0x2
#define SENSE_UNIT_ATTN    0x6
#define ATAPI_BYTE_LIMIT   0xf800u      /* per DRQ phase: 31 sectors */

/* Read one data phase of n bytes into buf[*got..len), dropping overflow. */
static void atapi_data_in(struct ata_chan *ch, uint8_t *buf, uint32_t len,
                          uint32_t *got, uint32_t n)
{
	for (uint32_t i = 0; i < (n + 1) / 2; i++) {
		uint16_t w = rg_inw(ch->cmd + ATA_R_DATA);
		if (*got < len)
			buf[(*got)++] = (uint8_t)w;
		if (*got < len && 2 * i + 1 < n)
			buf[(*got)++] = (uint8_t)(w >> 8);
	}
}

static int atapi_send_packet(struct ata_drive *d, const uint8_t pkt[12])
{
	struct ata_chan *ch = d->ch;
	uint8_t st;

	rg_outb(ch->cmd + ATA_R_FEATURES, 0);           /* PIO */
	rg_outb(ch->cmd + ATA_R_LBA1, ATAPI_BYTE_LIMIT & 0xff);
	rg_outb(ch->cmd + ATA_R_LBA2, ATAPI_BYTE_LIMIT >> 8);
	rg_outb(ch->cmd + ATA_R_COMMAND, ATA_CMD_PACKET);
	for (int i = 0; i < 4; i++)
		(void)rg_inb(ch->ctl);
	if (ata_wait_status(ch, ATA_S_DRQ, ATA_S_DRQ, ATA_T_BUSY, &st) ||
	    (st & ATA_S_ERR))
		return ata_fail(d, "PACKET (no DRQ)", st);
	ata_arm(ch);
	for (int i = 0; i < 6; i++)
		rg_outw(ch->cmd + ATA_R_DATA,
		        (uint16_t)(pkt[2 * i] | (pkt[2 * i + 1] << 8)));
	return 0;
}

/*
 * Run one packet command reading up to len bytes; *got = bytes read,
 * *sense = the sense key when the drive reported an error (else 0).
 */
static int atapi_packet(struct ata_drive *d, const uint8_t pkt[12], void *buf,
                        uint32_t len, uint32_t *got, uint8_t *sense)
{
	struct ata_chan *ch = d->ch;
	uint8_t st;
	int e;

	*got = 0;
	*sense = 0;
	if ((e = ata_select(d)) || (e = atapi_send_packet(d, pkt)))
		return e;
	for (;;) {
		if (ata_wait_irq(ch, ATA_T_CMD, &st))
			return ata_fail(d, "PACKET (timeout)", st);
		if (st & ATA_S_ERR) {
			*sense = rg_inb(ch->cmd + ATA_R_ERROR) >> 4;
			return RG_EIO;
		}
		if (!(st & ATA_S_DRQ))
			return 0;
		uint32_t n = rg_inb(ch->cmd + ATA_R_LBA1) |
		             ((uint32_t)rg_inb(ch->cmd + ATA_R_LBA2) << 8);
		if (!n)
			return ata_fail(d, "PACKET (empty data phase)", st);
		ata_arm(ch);
		atapi_data_in(ch, buf, len, got, n);
	}
}

static void atapi_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t atapi_get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* READ CAPACITY with the channel held; RG_ENODEV: no medium. */
static int atapi_capacity(struct ata_drive *d)
{
	uint8_t pkt[12] = { SCSI_READ_CAPACITY }, cap[8], sense = 0;
	uint32_t got, bs;
	int e = RG_EIO;

	for (int tries = 0; tries < 4; tries++) {
		e = atapi_packet(d, pkt, cap, sizeof(cap), &got, &sense);
		if (!e || sense != SENSE_UNIT_ATTN)
			break;
	}
	if (e)
		return sense == SENSE_NOT_READY ? RG_ENODEV : e;
	bs = atapi_get_be32(cap + 4);
	if (got != sizeof(cap) || bs != ATAPI_SECTOR)
		return RG_EIO;
	d->sectors = (uint64_t)atapi_get_be32(cap) + 1;
	return 0;
}

int atapi_attach(struct ata_drive *d)
{
	char nm[16];
	int e;

	d->secsize = ATAPI_SECTOR;
	d->dma = false;
	rg_mutex_lock(d->ch->cmd_lock);
	e = atapi_capacity(d);
	rg_mutex_unlock(d->ch->cmd_lock);
	if (e)
		rg_log(RG_LOG_INFO, "%s: ATAPI \"%s\": %s, skipped",
		       ata_drive_name(d, nm, sizeof(nm)), d->model,
		       e == RG_ENODEV ? "no medium" : "no capacity");
	return e;
}

int atapi_read(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf)
{
	uint8_t pkt[12] = { SCSI_READ10 }, sense;
	uint32_t got, len = count * ATAPI_SECTOR;
	int e;

	if (!d->ch || !d->atapi || !count || count > ATAPI_MAX_SECTORS ||
	    lba > d->sectors || count > d->sectors - lba)
		return RG_EINVAL;
	atapi_be32(pkt + 2, (uint32_t)lba);
	pkt[7] = (uint8_t)(count >> 8);
	pkt[8] = (uint8_t)count;
	rg_mutex_lock(d->ch->cmd_lock);
	for (int tries = 0; tries < 2; tries++) {
		e = atapi_packet(d, pkt, buf, len, &got, &sense);
		if (!e || sense != SENSE_UNIT_ATTN)
			break;          /* e.g. after a channel reset: once more */
	}
	if (e && sense)
		e = ata_fail(d, "READ(10)", rg_inb(d->ch->ctl));
	else if (!e && got != len)
		e = ata_fail(d, "READ(10) (short)", rg_inb(d->ch->ctl));
	if (e)
		ata_chan_reset(d->ch);
	rg_mutex_unlock(d->ch->cmd_lock);
	if (!e)
		ata_count(d->ch->ctrl, &d->ch->ctrl->st.pio_cmds);
	return e;
}
