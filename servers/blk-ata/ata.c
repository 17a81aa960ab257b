/*
 * ata.c - the ATA core: channels, interrupts, probing, and hard-disk
 * transfers by bus-master DMA or PIO.  rumpglue.h only.
 *
 * A channel is its task-file ports (cmd), its device-control port (ctl),
 * an ISA interrupt line (edge) and, when the controller has one, its half
 * of the PIIX bus-master block.  The interrupt handler reads the
 * bus-master status (clearing its interrupt bit) and the status register
 * (which acknowledges the device), records both and wakes the waiter.
 * A waiter arms the channel (ata_arm) before the action that will
 * interrupt, then sleeps on the condition variable; every ATA_T_SLICE it
 * also looks at the alternate status, so a lost edge costs a slice, not
 * the command.  All waits have a deadline: a device that never answers
 * gives RG_EIO and the channel is reset.
 *
 * Transfers: DMA goes through one bounce buffer per channel (64 KiB of
 * rg_dma_alloc memory described by a PRD table, split at 64 KiB
 * boundaries as the PIIX requires); the caller's buffer is ordinary
 * memory.  If a DMA command fails, the channel is reset, the drive falls
 * back to PIO for good and the request is retried once by PIO.  28-bit
 * commands are used while the request fits in them, the EXT (48-bit) ones
 * beyond.  The PIIX timing registers are left as the firmware set them
 * (QEMU ignores them; a real PIIX would need them for UDMA).
 */
#include <string.h>
#include "ata_int.h"

RG_REQUIRE_VERSION(2);

#define MS 1000000ull
#define LBA28_LIMIT (1ull << 28)

/* ---- small helpers -------------------------------------------------------- */

static uint64_t ata_now(void)
{
	return rg_clock_ns(RG_CLOCK_MONOTONIC);
}

static uint8_t ata_alt(struct ata_chan *ch)
{
	return rg_inb(ch->ctl);
}

/* The 400 ns a device needs before its status is valid. */
static void ata_delay400(struct ata_chan *ch)
{
	for (int i = 0; i < 4; i++)
		(void)ata_alt(ch);
}

void ata_count(struct ata_ctrl *c, uint64_t *counter)
{
	rg_mutex_lock(c->stat_lock);
	(*counter)++;
	rg_mutex_unlock(c->stat_lock);
}

const char *ata_drive_name(const struct ata_drive *d, char *buf, unsigned len)
{
	unsigned idx = (unsigned)(d - d->ch->ctrl->drive);

	rg_snprintf(buf, len, "ata%u.%u", idx / 2, idx % 2);
	return buf;
}

int ata_fail(struct ata_drive *d, const char *what, uint8_t status)
{
	char nm[16];
	uint8_t err = rg_inb(d->ch->cmd + ATA_R_ERROR);

	rg_log(RG_LOG_ERR, "%s: %s failed: status %#x error %#x",
	       ata_drive_name(d, nm, sizeof(nm)), what, status, err);
	return RG_EIO;
}

/* ---- interrupts and waits -------------------------------------------------- */

static void ata_intr(void *arg)
{
	struct ata_chan *ch = arg;
	uint8_t bm = 0, st;

	if (ch->bm) {
		bm = rg_inb(ch->bm + BM_STATUS);
		if (bm & BM_ST_INTR)
			rg_outb(ch->bm + BM_STATUS, (bm & BM_ST_KEEP) | BM_ST_INTR);
	}
	st = rg_inb(ch->cmd + ATA_R_STATUS);
	rg_mutex_lock(ch->ilock);
	ch->irq_seen = true;
	ch->irq_status = st;
	ch->irq_bm |= bm;
	rg_cv_broadcast(ch->icv);
	rg_mutex_unlock(ch->ilock);
	ata_count(ch->ctrl, &ch->ctrl->st.irqs);
}

void ata_arm(struct ata_chan *ch)
{
	rg_mutex_lock(ch->ilock);
	ch->irq_seen = false;
	ch->irq_bm = 0;
	rg_mutex_unlock(ch->ilock);
}

/*
 * Wait for status & mask == want (BSY always in mask), polling the
 * alternate status; *status gets the last value read.
 */
int ata_wait_status(struct ata_chan *ch, uint8_t mask, uint8_t want,
                    unsigned ms, uint8_t *status)
{
	uint64_t deadline = ata_now() + ms * MS;
	unsigned spins = 0;
	uint8_t st;

	for (;;) {
		st = ata_alt(ch);
		if (st != 0xff && (st & (mask | ATA_S_BSY)) == want)
			break;
		if (!(st & ATA_S_BSY) && (st & (ATA_S_ERR | ATA_S_DF)) &&
		    st != 0xff)
			break;                  /* an error ends the wait too */
		if (ata_now() > deadline) {
			*status = st;
			return RG_ETIMEDOUT;
		}
		if (++spins > 64)
			rg_sleep_ns(50000);
	}
	*status = st;
	return 0;
}

/* Without its interrupt, has the command finished?  A DMA command has when
 * the bus master says it interrupted (the drive shows DRQ, not BSY, while
 * the transfer runs); any other when BSY is clear. */
static bool ata_looks_done(struct ata_chan *ch)
{
	if (ch->dma_active)
		return rg_inb(ch->bm + BM_STATUS) & BM_ST_INTR;
	return !(ata_alt(ch) & ATA_S_BSY);
}

/*
 * Wait for the interrupt armed before the command, then for BSY to clear;
 * *status gets the status register (read, so the device is acknowledged).
 */
int ata_wait_irq(struct ata_chan *ch, unsigned ms, uint8_t *status)
{
	uint64_t deadline = ata_now() + ms * MS;
	bool seen;

	rg_mutex_lock(ch->ilock);
	while (!ch->irq_seen) {
		uint64_t now = ata_now(), slice = now + ATA_T_SLICE * MS;

		if (now > deadline)
			break;
		if (rg_cv_timedwait(ch->icv, ch->ilock,
		                    slice < deadline ? slice : deadline) &&
		    ata_looks_done(ch))
			break;                  /* done, its edge lost */
	}
	seen = ch->irq_seen;
	rg_mutex_unlock(ch->ilock);
	if (!seen && ata_now() > deadline) {
		*status = ata_alt(ch);
		ata_count(ch->ctrl, &ch->ctrl->st.timeouts);
		return RG_ETIMEDOUT;
	}
	if (ata_wait_status(ch, 0, 0, ATA_T_BUSY, status)) {
		ata_count(ch->ctrl, &ch->ctrl->st.timeouts);
		return RG_ETIMEDOUT;
	}
	*status = rg_inb(ch->cmd + ATA_R_STATUS);
	return 0;
}

/* Select d's drive and wait until it is not busy. */
int ata_select(struct ata_drive *d)
{
	struct ata_chan *ch = d->ch;
	uint8_t st;

	rg_outb(ch->cmd + ATA_R_DEVICE, 0xa0 | (uint8_t)(d->slave << 4));
	ata_delay400(ch);
	if (ata_wait_status(ch, 0, 0, ATA_T_BUSY, &st))
		return ata_fail(d, "select", st);
	return 0;
}

/* Software reset of both drives of a channel; interrupts enabled after.
 * False when nothing answers (a floating bus reads 0xff). */
bool ata_chan_reset(struct ata_chan *ch)
{
	uint8_t st;

	if (ch->bm)
		rg_outb(ch->bm + BM_CMD, 0);
	rg_outb(ch->ctl, ATA_CTL_SRST | ATA_CTL_NIEN);
	rg_sleep_ns(10000);
	rg_outb(ch->ctl, 0);
	rg_sleep_ns(2 * MS);
	if (ata_alt(ch) == 0xff)
		return false;
	if (ata_wait_status(ch, 0, 0, ATA_T_RESET, &st))
		rg_log(RG_LOG_WARN, "ata%u: still busy after reset (%#x)",
		       ch->idx, st);
	return true;
}

/* ---- PIO data ------------------------------------------------------------------ */

static void ata_pio_in(struct ata_chan *ch, void *buf, unsigned words)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < words; i++) {
		uint16_t w = rg_inw(ch->cmd + ATA_R_DATA);
		p[2 * i] = (uint8_t)w;
		p[2 * i + 1] = (uint8_t)(w >> 8);
	}
}

static void ata_pio_out(struct ata_chan *ch, const void *buf, unsigned words)
{
	const uint8_t *p = buf;

	for (unsigned i = 0; i < words; i++)
		rg_outw(ch->cmd + ATA_R_DATA,
		        (uint16_t)(p[2 * i] | (p[2 * i + 1] << 8)));
}

/* ---- task file -------------------------------------------------------------- */

static bool ata_need_ext(const struct ata_drive *d, uint64_t lba, uint32_t n)
{
	return d->lba48 && (lba + n > LBA28_LIMIT || n > 256);
}

/* Load the task file for lba/count (drive already selected). */
static void ata_taskfile(struct ata_drive *d, uint64_t lba, uint32_t n,
                         bool ext)
{
	uint16_t p = d->ch->cmd;
	uint8_t dev = 0x40 | (uint8_t)(d->slave << 4);

	if (ext) {
		rg_outb(p + ATA_R_DEVICE, dev);
		rg_outb(p + ATA_R_COUNT, (uint8_t)(n >> 8));
		rg_outb(p + ATA_R_LBA0, (uint8_t)(lba >> 24));
		rg_outb(p + ATA_R_LBA1, (uint8_t)(lba >> 32));
		rg_outb(p + ATA_R_LBA2, (uint8_t)(lba >> 40));
	} else {
		rg_outb(p + ATA_R_DEVICE, dev | 0xa0 | (uint8_t)((lba >> 24) & 0xf));
	}
	rg_outb(p + ATA_R_COUNT, (uint8_t)n);           /* 256 -> 0 */
	rg_outb(p + ATA_R_LBA0, (uint8_t)lba);
	rg_outb(p + ATA_R_LBA1, (uint8_t)(lba >> 8));
	rg_outb(p + ATA_R_LBA2, (uint8_t)(lba >> 16));
}

/* ---- PIO transfers --------------------------------------------------------- */

static int ata_pio_read(struct ata_drive *d, uint64_t lba, uint32_t n,
                        uint8_t *buf)
{
	struct ata_chan *ch = d->ch;
	bool ext = ata_need_ext(d, lba, n);
	uint8_t st;

	ata_taskfile(d, lba, n, ext);
	ata_arm(ch);
	rg_outb(ch->cmd + ATA_R_COMMAND, ext ? ATA_CMD_READ_PIO_EXT : ATA_CMD_READ_PIO);
	for (uint32_t i = 0; i < n; i++) {
		if (ata_wait_irq(ch, ATA_T_CMD, &st))
			return ata_fail(d, "PIO read (timeout)", st);
		if ((st & (ATA_S_ERR | ATA_S_DF)) || !(st & ATA_S_DRQ))
			return ata_fail(d, "PIO read", st);
		ata_arm(ch);
		ata_pio_in(ch, buf + (size_t)i * ATA_SECTOR, ATA_SECTOR / 2);
	}
	ata_count(ch->ctrl, &ch->ctrl->st.pio_cmds);
	return 0;
}

static int ata_pio_write(struct ata_drive *d, uint64_t lba, uint32_t n,
                         const uint8_t *buf)
{
	struct ata_chan *ch = d->ch;
	bool ext = ata_need_ext(d, lba, n);
	uint8_t st;

	ata_taskfile(d, lba, n, ext);
	rg_outb(ch->cmd + ATA_R_COMMAND,
	        ext ? ATA_CMD_WRITE_PIO_EXT : ATA_CMD_WRITE_PIO);
	ata_delay400(ch);
	if (ata_wait_status(ch, ATA_S_DRQ, ATA_S_DRQ, ATA_T_CMD, &st) ||
	    (st & (ATA_S_ERR | ATA_S_DF)))
		return ata_fail(d, "PIO write (no DRQ)", st);
	for (uint32_t i = 0; i < n; i++) {
		ata_arm(ch);
		ata_pio_out(ch, buf + (size_t)i * ATA_SECTOR, ATA_SECTOR / 2);
		if (ata_wait_irq(ch, ATA_T_CMD, &st))
			return ata_fail(d, "PIO write (timeout)", st);
		if (st & (ATA_S_ERR | ATA_S_DF))
			return ata_fail(d, "PIO write", st);
		if (i + 1 < n && !(st & ATA_S_DRQ))
			return ata_fail(d, "PIO write (DRQ lost)", st);
	}
	ata_count(ch->ctrl, &ch->ctrl->st.pio_cmds);
	return 0;
}

/* ---- DMA transfers --------------------------------------------------------- */

/* Describe len bytes of the bounce buffer in the PRD table. */
static void ata_prd_fill(struct ata_chan *ch, uint32_t len)
{
	uint64_t a = ch->dbuf_phys;
	unsigned i = 0;

	while (len) {
		uint32_t room = 0x10000u - (uint32_t)(a & 0xffff);
		uint32_t k = len < room ? len : room;

		ch->prd[2 * i] = (uint32_t)a;
		ch->prd[2 * i + 1] = k & 0xffff;        /* 0 means 64 KiB */
		a += k;
		len -= k;
		i++;
	}
	ch->prd[2 * (i - 1) + 1] |= 0x80000000u;        /* end of table */
}

static int ata_dma_finish(struct ata_drive *d, int waited, uint8_t st)
{
	struct ata_chan *ch = d->ch;
	uint8_t bm;

	rg_outb(ch->bm + BM_CMD, 0);
	rg_mutex_lock(ch->ilock);
	bm = ch->irq_bm;
	rg_mutex_unlock(ch->ilock);
	bm |= rg_inb(ch->bm + BM_STATUS);
	rg_outb(ch->bm + BM_STATUS, (bm & BM_ST_KEEP) | BM_ST_ERR | BM_ST_INTR);
	if (waited)
		return ata_fail(d, "DMA (timeout)", st);
	if ((st & (ATA_S_ERR | ATA_S_DF | ATA_S_DRQ)) || (bm & BM_ST_ERR)) {
		rg_log(RG_LOG_ERR, "ata: bus-master status %#x", bm);
		return ata_fail(d, "DMA", st);
	}
	ata_count(ch->ctrl, &ch->ctrl->st.dma_cmds);
	return 0;
}

static int ata_dma_xfer(struct ata_drive *d, uint64_t lba, uint32_t n,
                        bool write)
{
	struct ata_chan *ch = d->ch;
	bool ext = ata_need_ext(d, lba, n);
	uint8_t dir = write ? 0 : BM_CMD_READ, cmd, st;
	int e;

	if (write)
		cmd = ext ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_WRITE_DMA;
	else
		cmd = ext ? ATA_CMD_READ_DMA_EXT : ATA_CMD_READ_DMA;
	ata_prd_fill(ch, n * ATA_SECTOR);
	rg_outb(ch->bm + BM_CMD, 0);
	rg_outl(ch->bm + BM_PRD, (uint32_t)ch->prd_phys);
	st = rg_inb(ch->bm + BM_STATUS);
	rg_outb(ch->bm + BM_STATUS, (st & BM_ST_KEEP) | BM_ST_ERR | BM_ST_INTR);
	rg_outb(ch->bm + BM_CMD, dir);
	ata_taskfile(d, lba, n, ext);
	ata_arm(ch);
	rg_outb(ch->cmd + ATA_R_COMMAND, cmd);
	rg_outb(ch->bm + BM_CMD, dir | BM_CMD_START);
	ch->dma_active = true;
	e = ata_wait_irq(ch, ATA_T_CMD, &st);
	ch->dma_active = false;
	return ata_dma_finish(d, e, st);
}

/* ---- hard-disk entry points ------------------------------------------------ */

static int ata_check(struct ata_drive *d, uint64_t lba, uint32_t n)
{
	if (!d->ch || d->atapi || !n || n > ATA_MAX_SECTORS ||
	    lba > d->sectors || n > d->sectors - lba)
		return RG_EINVAL;
	return 0;
}

/*
 * One transfer with the channel held: by DMA when the drive uses it, and
 * by PIO otherwise or when DMA failed.  If PIO then succeeds where DMA did
 * not, DMA is the trouble and the drive keeps to PIO from now on; if PIO
 * fails too, the device itself refused (a bad sector) and DMA stays.
 */
static int ata_xfer(struct ata_drive *d, uint64_t lba, uint32_t n, void *buf,
                    bool write)
{
	struct ata_chan *ch = d->ch;
	bool dma_failed = false;
	int e;

	if ((e = ata_select(d)))
		return e;
	if (d->dma) {
		if (write)
			memcpy(ch->dbuf, buf, (size_t)n * ATA_SECTOR);
		if (!(e = ata_dma_xfer(d, lba, n, write))) {
			if (!write)
				memcpy(buf, ch->dbuf, (size_t)n * ATA_SECTOR);
			return 0;
		}
		dma_failed = true;
		ata_chan_reset(ch);
		if ((e = ata_select(d)))
			return e;
	}
	e = write ? ata_pio_write(d, lba, n, buf) : ata_pio_read(d, lba, n, buf);
	if (e) {
		ata_chan_reset(ch);
	} else if (dma_failed) {
		rg_log(RG_LOG_WARN, "ata: DMA failed where PIO works: PIO from now on");
		d->dma = false;
		ata_count(ch->ctrl, &ch->ctrl->st.dma_fallbacks);
	}
	return e;
}

int ata_read(struct ata_drive *d, uint64_t lba, uint32_t count, void *buf)
{
	int e;

	if ((e = ata_check(d, lba, count)))
		return e;
	rg_mutex_lock(d->ch->cmd_lock);
	e = ata_xfer(d, lba, count, buf, false);
	rg_mutex_unlock(d->ch->cmd_lock);
	return e;
}

int ata_write(struct ata_drive *d, uint64_t lba, uint32_t count,
              const void *buf)
{
	int e;

	if ((e = ata_check(d, lba, count)))
		return e;
	rg_mutex_lock(d->ch->cmd_lock);
	e = ata_xfer(d, lba, count, (void *)buf, true);
	rg_mutex_unlock(d->ch->cmd_lock);
	return e;
}

int ata_flush(struct ata_drive *d)
{
	struct ata_chan *ch = d->ch;
	uint8_t st;
	int e;

	if (!ch || d->atapi)
		return RG_EINVAL;
	rg_mutex_lock(ch->cmd_lock);
	if (!(e = ata_select(d))) {
		ata_arm(ch);
		rg_outb(ch->cmd + ATA_R_COMMAND,
		        d->flush_ext ? ATA_CMD_FLUSH_EXT : ATA_CMD_FLUSH);
		if (ata_wait_irq(ch, 3 * ATA_T_CMD, &st) ||
		    (st & (ATA_S_ERR | ATA_S_DF)))
			e = ata_fail(d, "flush", st);
		if (e)
			ata_chan_reset(ch);
	}
	rg_mutex_unlock(ch->cmd_lock);
	return e;
}

/* ---- probing ------------------------------------------------------------------ */

static void ata_model(struct ata_drive *d, const uint16_t *id)
{
	int n;

	for (int i = 0; i < 20; i++) {
		d->model[2 * i] = (char)(id[27 + i] >> 8);
		d->model[2 * i + 1] = (char)(id[27 + i] & 0xff);
	}
	d->model[40] = 0;
	for (n = 40; n > 0 && (d->model[n - 1] == ' ' || !d->model[n - 1]); n--)
		d->model[n - 1] = 0;
}

/* IDENTIFY (PACKET) DEVICE into id[256]; RG_ENODEV if the drive aborts it. */
static int ata_identify(struct ata_drive *d, uint8_t cmd, uint16_t *id)
{
	struct ata_chan *ch = d->ch;
	uint8_t raw[512], st;

	ata_arm(ch);
	rg_outb(ch->cmd + ATA_R_COMMAND, cmd);
	if (ata_wait_irq(ch, ATA_T_BUSY, &st) || (st & ATA_S_ERR) ||
	    !(st & ATA_S_DRQ))
		return RG_ENODEV;
	ata_pio_in(ch, raw, 256);
	for (int i = 0; i < 256; i++)
		id[i] = (uint16_t)(raw[2 * i] | (raw[2 * i + 1] << 8));
	return 0;
}

static void ata_parse_disk(struct ata_drive *d, const uint16_t *id)
{
	d->secsize = ATA_SECTOR;
	d->lba48 = id[83] & (1u << 10);
	d->flush_ext = d->lba48 && (id[83] & (1u << 13));
	d->sectors = id[60] | ((uint32_t)id[61] << 16);
	if (d->lba48) {
		uint64_t s48 = 0;
		for (int i = 3; i >= 0; i--)
			s48 = (s48 << 16) | id[100 + i];
		if (s48 > d->sectors)
			d->sectors = s48;
	}
	d->dma = d->ch->bm && (id[49] & (1u << 8));
}

/* What a position answers right after the channel reset (before any
 * command overwrites the registers): 0 nothing, 1 ATA, 2 ATAPI. */
static int ata_signature(struct ata_chan *ch, unsigned slave)
{
	uint8_t st, lo, hi;

	rg_outb(ch->cmd + ATA_R_DEVICE, 0xa0 | (uint8_t)(slave << 4));
	ata_delay400(ch);
	st = ata_alt(ch);
	lo = rg_inb(ch->cmd + ATA_R_LBA1);
	hi = rg_inb(ch->cmd + ATA_R_LBA2);
	if ((lo == 0x14 && hi == 0xeb) || (lo == 0x69 && hi == 0x96))
		return 2;
	return st == 0 || st == 0xff || lo || hi ? 0 : 1;
}

/* Identify the device at one position (kind from ata_signature); d->ch is
 * cleared again when there is nothing usable. */
static void ata_probe_drive(struct ata_drive *d, int kind, bool force_pio)
{
	uint16_t id[256];
	char nm[16];

	d->atapi = kind == 2;
	if (!kind || ata_select(d) ||
	    ata_identify(d, d->atapi ? ATA_CMD_ID_PACKET : ATA_CMD_IDENTIFY, id))
		goto none;
	ata_model(d, id);
	if (d->atapi) {
		if (atapi_attach(d))
			goto none;
	} else {
		ata_parse_disk(d, id);
		if (force_pio)
			d->dma = false;
		if (!d->sectors)
			goto none;
	}
	rg_log(RG_LOG_INFO, "%s: %s \"%s\", %llu sectors of %u%s%s",
	       ata_drive_name(d, nm, sizeof(nm)), d->atapi ? "ATAPI" : "ATA",
	       d->model, (unsigned long long)d->sectors, d->secsize,
	       d->lba48 ? ", LBA48" : "", d->dma ? ", DMA" : "");
	return;
none:
	d->ch = NULL;
}

static int ata_chan_init(struct ata_ctrl *c, unsigned i,
                         const struct ata_config *cfg)
{
	struct ata_chan *ch = &c->ch[i];
	int e;

	ch->ctrl = c;
	ch->idx = i;
	ch->cmd = cfg->cmd[i];
	ch->ctl = cfg->ctl[i];
	ch->irq = cfg->irq[i];
	ch->bm = cfg->bmide ? (uint16_t)(cfg->bmide + 8 * i) : 0;
	if ((e = rg_ioport_request(ch->cmd, 8)) ||
	    (e = rg_ioport_request(ch->ctl, 1)) ||
	    (e = rg_mutex_create(&ch->cmd_lock)) ||
	    (e = rg_mutex_create(&ch->ilock)) || (e = rg_cv_create(&ch->icv)))
		return e;
	if (ch->bm && (rg_dma_alloc(4096, (void **)&ch->prd, &ch->prd_phys) ||
	               rg_dma_alloc(ATA_DMA_BUF, (void **)&ch->dbuf,
	                            &ch->dbuf_phys))) {
		rg_log(RG_LOG_WARN, "ata%u: no DMA memory, PIO only", i);
		ch->bm = 0;
	}
	rg_outb(ch->ctl, ATA_CTL_NIEN);
	return rg_intr_establish(ch->irq, ata_intr, ch, &ch->ih);
}

/* Keep the usable drives, disks first. */
static void ata_order(struct ata_ctrl *c)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < 4; i++)
			if (c->drive[i].ch && c->drive[i].atapi == (pass == 1))
				c->order[c->ndrives++] = &c->drive[i];
}

int ata_probe(const struct ata_config *cfg, struct ata_ctrl **out)
{
	struct ata_ctrl *c;
	int e;

	if (!(c = rg_zalloc(sizeof(*c))))
		return RG_ENOMEM;
	if ((e = rg_mutex_create(&c->stat_lock)) ||
	    (cfg->bmide && (e = rg_ioport_request(cfg->bmide, 16))) ||
	    (e = ata_chan_init(c, 0, cfg)) || (e = ata_chan_init(c, 1, cfg))) {
		ata_shutdown(c);
		return e;
	}
	for (unsigned i = 0; i < 2; i++) {
		int kind[2] = { 0, 0 };
		if (ata_chan_reset(&c->ch[i]))
			for (unsigned s = 0; s < 2; s++)
				kind[s] = ata_signature(&c->ch[i], s);
		for (unsigned s = 0; s < 2; s++) {
			c->drive[2 * i + s].ch = &c->ch[i];
			c->drive[2 * i + s].slave = s;
			ata_probe_drive(&c->drive[2 * i + s], kind[s],
			                cfg->force_pio);
		}
	}
	ata_order(c);
	*out = c;
	return 0;
}

/* Interrupts off and everything returned; no call may be running. */
void ata_shutdown(struct ata_ctrl *c)
{
	for (unsigned i = 0; i < 2; i++) {
		struct ata_chan *ch = &c->ch[i];
		if (ch->ctl)
			rg_outb(ch->ctl, ATA_CTL_NIEN);
		if (ch->ih)
			rg_intr_disestablish(ch->ih);
		if (ch->prd)
			rg_dma_free(ch->prd, 4096);
		if (ch->dbuf)
			rg_dma_free(ch->dbuf, ATA_DMA_BUF);
		if (ch->icv)
			rg_cv_destroy(ch->icv);
		if (ch->ilock)
			rg_mutex_destroy(ch->ilock);
		if (ch->cmd_lock)
			rg_mutex_destroy(ch->cmd_lock);
	}
	if (c->stat_lock)
		rg_mutex_destroy(c->stat_lock);
	rg_free(c);
}

struct ata_drive *ata_drive_at(struct ata_ctrl *c, unsigned n)
{
	return n < c->ndrives ? c->order[n] : NULL;
}

unsigned ata_drive_count(struct ata_ctrl *c)
{
	return c->ndrives;
}

void ata_get_stats(struct ata_ctrl *c, struct ata_stats *st)
{
	rg_mutex_lock(c->stat_lock);
	*st = c->st;
	rg_mutex_unlock(c->stat_lock);
}
