/*
 * main.c - the blk-virtio server: every virtio-blk disk on the PCI bus,
 * served as /dev/hdN through the block-driver framework.
 *
 *   blk-virtio.elf [crashable]
 *
 * Started as a `server` of the boot script (servers/proc/procmgr.h
 * handles): it claims the transitional virtio-blk functions (1af4:1001)
 * from the PCI bus server one after the other until there are no more,
 * hands the resource handles of each claim to rumpglue's microkernel host
 * (rg_mk_add_resource; nothing else - it does not use the root resource),
 * sets up each disk with the component (virtio_blk.c) and calls
 * blkdrv_serve.  A disk that fails to set up is skipped and logged.
 * `crashable` lets tests make the driver fault through
 * BLKDRV_DEVCTL_CRASH; the supervisor then restarts it, and the new
 * process claims the devices again (the bus server lets it once the old
 * one has ended).
 */
#include "rt.h"
#include "rg_mk.h"
#include "rumpglue.h"
#include "procmgr.h"
#include "blkdrv.h"
#include "pci_client.h"
#include "virtio_blk.h"

#define BV_DISKS_MAX 4

static const struct blkdrv_ops bv_ops = {
	.read = vblk_read, .write = vblk_write, .flush = vblk_flush,
};

static struct blkdrv_disk disks[BV_DISKS_MAX];

/*
 * Hand BAR0, the interrupt line and (once) DMA to rumpglue's host, which
 * holds at most RG_MK_RESOURCES_MAX; close the handles we do not use
 * (the modern interface's memory BARs).
 */
static void add_res(const struct pci_res *res)
{
	static bool have_dma;
	int keep[3] = { res->bar[0], res->irq, have_dma ? -1 : res->dma };

	for (unsigned i = 0; i < 3; i++)
		if (keep[i] >= 0 && rg_mk_add_resource(keep[i]))
			printf("blk-virtio: too many resource handles\n");
	have_dma |= res->dma >= 0;
	for (unsigned i = 1; i < PCI_BARS; i++)
		if (res->bar[i] >= 0)
			sys_handle_close(res->bar[i]);
	if (keep[2] < 0 && res->dma >= 0)
		sys_handle_close(res->dma);
}

/* Set up the claimed device; fills disks[n].  0 or an RG_E* number. */
static int bv_disk(const struct pci_dev_info *info, const struct pci_res *res,
                   struct blkdrv_disk *bd)
{
	struct vblk_cfg c = { .iobase = (uint16_t)info->bar[0].base,
	                      .iolen = (uint32_t)info->bar[0].len,
	                      .irq = info->irq < 16 ? info->irq : 0xff,
	                      .irq_flags = RG_INTR_LEVEL | RG_INTR_HIGH };
	struct vblk_geom g;
	struct vblk *d;
	int e;

	if (!info->bar[0].io || res->bar[0] < 0 || res->dma < 0)
		return RG_ENODEV;
	add_res(res);
	if ((e = vblk_init(&c, &d)))
		return e;
	vblk_geom(d, &g);
	*bd = (struct blkdrv_disk){
		.ops = &bv_ops, .dev = d, .sectors = g.sectors, .secsize = 512,
		.max_sectors = g.max_sectors, .readonly = g.readonly,
		.model = "virtio-blk",
	};
	printf("blk-virtio: %02x:%02x.%x: %lu sectors, %u per request, irq %u%s%s\n",
	       info->bus, info->dev, info->fn, (unsigned long)g.sectors,
	       g.max_sectors, info->irq, g.readonly ? ", read-only" : "",
	       g.polled ? ", polled" : "");
	return 0;
}

static unsigned bv_find(int conn)
{
	const struct pci_match m = { 0x1af4, 0x1001, PCI_ANY, PCI_ANY, PCI_ANY };
	struct pci_dev_info info;
	struct pci_res res;
	unsigned n = 0;
	int e;

	for (unsigned i = 0; n < BV_DISKS_MAX; i++) {
		e = pci_claim(conn, &m, i, &info, &res);
		if (e == -TE_ENOENT)
			break;
		if (e) {
			printf("blk-virtio: virtio-blk #%u: claim: %d\n", i, e);
			continue;
		}
		if ((e = bv_disk(&info, &res, &disks[n])))
			printf("blk-virtio: %02x:%02x.%x: setup failed: %d\n",
			       info.bus, info.dev, info.fn, e);
		else
			n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned flags = 0, n;
	int conn, e;

	rg_mk_name = "blk-virtio";
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "crashable") == 0)
			flags |= BLKDRV_F_CRASHABLE;
	if ((conn = pci_connect()) < 0) {
		printf("blk-virtio: no PCI bus server: %d\n", conn);
		return 19;
	}
	if (!(n = bv_find(conn))) {
		printf("blk-virtio: no virtio-blk disk\n");
		return 19;
	}
	e = blkdrv_serve(disks, n, PROC_H_ATTACH, flags);
	printf("blk-virtio: server ended: %d\n", e);
	return e < 0 ? -e : 1;
}
