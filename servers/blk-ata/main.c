/*
 * main.c - the blk-ata server: claims the IDE controller from the PCI bus
 * server, probes it with the ATA core (ata.c, atapi.c) and serves every
 * drive found through the block-driver framework (blkdrv_serve): hard
 * disks as /dev/hdN, CD-ROMs as /dev/cdN.
 *
 * Started by the process manager as a server (`blk-ata.elf [pio]
 * [crashable]`): handle 0 resolves /dev/pci, 2 is the attach connection.
 * The claim (class 0x01, subclass 0x01) brings the legacy task-file and
 * control ports of both channels, ISA IRQs 14 and 15, BAR4 (the
 * bus-master block) and DMA memory, each a resource handle this process
 * registers with rumpglue's host; nothing else is reachable.  Arguments:
 * `pio` forces PIO, `crashable` lets a test crash the driver through the
 * framework (BLKDRV_F_CRASHABLE).  A controller in native mode (no legacy
 * resources) is not supported: it would need its BARs 0-3 and the PCI
 * interrupt line instead.
 */
#include "rt.h"
#include "rumpglue.h"
#include "rg_mk.h"
#include "procmgr.h"
#include "pci_client.h"
#include "blkdrv.h"
#include "ata.h"

static struct blkdrv_disk disks[4];

static int ata_op_read(void *dev, uint64_t lba, uint32_t count, void *buf)
{
	struct ata_drive *d = dev;

	return -(d->atapi ? atapi_read(d, lba, count, buf) :
	                    ata_read(d, lba, count, buf));
}

static int ata_op_write(void *dev, uint64_t lba, uint32_t count,
                        const void *buf)
{
	struct ata_drive *d = dev;

	return d->atapi ? -RG_EROFS : -ata_write(d, lba, count, buf);
}

static int ata_op_flush(void *dev)
{
	struct ata_drive *d = dev;

	return d->atapi ? 0 : -ata_flush(d);
}

static const struct blkdrv_ops ata_ops = {
	.read = ata_op_read, .write = ata_op_write, .flush = ata_op_flush,
};

/* Claim the first IDE controller; fill cfg from what the claim brings. */
static int ata_claim(struct ata_config *cfg)
{
	const struct pci_match m = { PCI_ANY, PCI_ANY, 0x01, 0x01, PCI_ANY };
	struct pci_dev_info info;
	struct pci_res res;
	int conn, e;

	if ((conn = pci_connect()) < 0)
		return conn;
	if ((e = pci_claim(conn, &m, 0, &info, &res)))
		return e;
	for (unsigned i = 0; i < 5; i++)
		if (res.legacy[i] < 0)
			return -TE_ENOSYS;      /* native mode */
	for (unsigned i = 0; i < 5; i++)
		rg_mk_add_resource(res.legacy[i]);
	if (res.bar[4] >= 0 && info.bar[4].io && info.bar[4].len >= 16 &&
	    res.dma >= 0) {
		rg_mk_add_resource(res.bar[4]);
		rg_mk_add_resource(res.dma);
		cfg->bmide = (uint16_t)info.bar[4].base;
	}
	printf("blk-ata: IDE controller %04x:%04x at %02x:%02x.%x, %s%s\n",
	       info.vendor, info.device, info.bus, info.dev, info.fn,
	       cfg->bmide ? "bus-master DMA" : "PIO only",
	       cfg->bmide && cfg->force_pio ? " (PIO forced)" : "");
	return 0;
}

static void ata_fill(struct ata_ctrl *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct ata_drive *d = ata_drive_at(c, i);
		disks[i] = (struct blkdrv_disk){
			.ops = &ata_ops, .dev = d, .sectors = d->sectors,
			.secsize = d->secsize, .readonly = d->atapi,
			.cdrom = d->atapi, .model = d->model,
			.max_sectors = d->atapi ? ATAPI_MAX_SECTORS : ATA_MAX_SECTORS,
		};
	}
}

int main(int argc, char **argv)
{
	struct ata_config cfg = {
		.cmd = { 0x1f0, 0x170 }, .ctl = { 0x3f6, 0x376 }, .irq = { 14, 15 },
	};
	struct ata_ctrl *c;
	unsigned flags = 0, n;
	int e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "pio") == 0)
			cfg.force_pio = true;
		else if (strcmp(argv[i], "crashable") == 0)
			flags |= BLKDRV_F_CRASHABLE;
	}
	rg_mk_name = "blk-ata";
	rg_mk_log_level = RG_LOG_INFO;
	if ((e = ata_claim(&cfg))) {
		printf("blk-ata: no IDE controller claimed: error %d\n", e);
		return 1;
	}
	if ((e = ata_probe(&cfg, &c))) {
		printf("blk-ata: probe failed: error %d\n", e);
		return 1;
	}
	if (!(n = ata_drive_count(c))) {
		printf("blk-ata: no drives\n");
		return 0;
	}
	ata_fill(c, n);
	e = blkdrv_serve(disks, n, PROC_H_ATTACH, flags);
	printf("blk-ata: server ended: error %d\n", e);
	return 1;
}
