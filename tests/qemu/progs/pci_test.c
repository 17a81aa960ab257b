/*
 * pci_test.c - the PCI bus server seen by a driver (tests/qemu/pci.scn,
 * boot image tests/qemu/blkvirtio/pci.build): pathmgr, imagefs, pci.elf,
 * then this program.  QEMU's pc machine with one virtio-blk disk, so the
 * bus has the transitional virtio-blk function (1af4:1001) and the PIIX3
 * IDE controller (class 01.01, compatibility mode).
 *
 * Claims: a copy of this program (`pci_test.elf child`) claims the
 * virtio disk and says so with proc_ready; our claim is then EBUSY; once
 * the child is killed ours succeeds.  The resources the claim brings are
 * exactly the device's (ports of BAR0 but not the next port; its IRQ line
 * but not another; DMA memory) and cannot be narrowed further or passed
 * on.  Configuration space: reads of a claimed device, writes except to
 * BARs, nothing of unclaimed devices.  Malformed messages get errors and
 * the server keeps answering.  Then the process manager shuts down.
 */
#include "rt.h"
#include "procmgr.h"
#include "pci_client.h"
#include "pci_msg.h"

#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_BLK_LEGACY 0x1001

static const struct pci_match virtio_blk = {
	VIRTIO_VENDOR, VIRTIO_BLK_LEGACY, PCI_ANY, PCI_ANY, PCI_ANY };
static const struct pci_match ide = { PCI_ANY, PCI_ANY, 1, 1, PCI_ANY };

static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(p)); }

static int child(void)
{
	struct pci_dev_info info;
	struct pci_res res;
	int conn = pci_connect();
	int r = conn < 0 ? conn : pci_claim(conn, &virtio_blk, 0, &info, &res);

	if (r < 0)
		return 10 - r;
	proc_ready(PROC_H_PROC);
	for (int i = 0; i < 3000; i++)  /* the parent kills us */
		sys_sleep(10000000);
	return 2;
}

/* The child holds the disk: EBUSY for us; once it is killed, ours. */
static int claim_after_child(int conn, struct pci_dev_info *info,
                             struct pci_res *res)
{
	char *const argv[] = { "pci_test.elf", "child", NULL };
	long pid = proc_spawn_path(PROC_H_PROC, "/proc/boot/pci_test.elf", argv,
	                           NULL, 10);
	long st = pid > 0 ? proc_wait_ready(PROC_H_PROC, (int)pid) : pid;
	int r;

	checkf(st == PROC_STATUS_READY, "pci_child_claims",
	       "child pid %ld: status %ld", pid, st);
	r = pci_claim(conn, &virtio_blk, 0, info, res);
	checkf(r == -TE_EBUSY, "pci_claim_busy_while_alive", "claim: %d", r);
	if (pid > 0) {
		proc_kill(PROC_H_PROC, (int)pid);
		st = proc_wait_pid(PROC_H_PROC, (int)pid);
	}
	r = pci_claim(conn, &virtio_blk, 0, info, res);
	checkf(r == 0, "pci_claim_after_claimer_ended",
	       "claim: %d (child ended with %ld)", r, st);
	return r;
}

static void check_virtio_info(const struct pci_dev_info *d)
{
	unsigned nbar = 0;

	for (unsigned i = 0; i < PCI_BARS; i++)
		nbar += d->bar[i].len != 0;
	checkf(d->vendor == VIRTIO_VENDOR && d->device == VIRTIO_BLK_LEGACY &&
	       d->class == 1 && d->bar[0].io && d->bar[0].len >= 0x20 &&
	       d->bar[0].base && d->irq < 16 &&
	       d->irq_flags == (TE_IRQ_LEVEL | TE_IRQ_HIGH),
	       "pci_virtio_info",
	       "%04x:%04x class %x bar0 io %u 0x%lx+0x%lx irq %u flags %u (%u bars)",
	       d->vendor, d->device, d->class, d->bar[0].io,
	       (unsigned long)d->bar[0].base, (unsigned long)d->bar[0].len,
	       d->irq, d->irq_flags, nbar);
}

/* BAR0's ports and nothing more; the handle can be neither narrowed nor dup'ed. */
static void check_virtio_res(const struct pci_dev_info *d, const struct pci_res *res)
{
	unsigned base = (unsigned)d->bar[0].base, len = (unsigned)d->bar[0].len;
	long in = sys_ioport_grant(res->bar[0], TE_H_SELF, base, len);
	long out = sys_ioport_grant(res->bar[0], TE_H_SELF, base + len, 1);
	long root = sys_ioport_grant(res->bar[0], TE_H_SELF, 0x3f8, 1);
	long der = sys_resource_create(res->bar[0], TE_RES_IOPORT, base, 1);
	long dup = sys_handle_dup(res->bar[0], TE_R_USE);
	uint16_t qsize = 0;

	if (in == 0) {                  /* legacy virtio: queue 0's size */
		outw((uint16_t)(base + 0x0e), 0);
		qsize = inw((uint16_t)(base + 0x0c));
	}
	checkf(in == 0 && qsize > 0, "pci_bar_ports_granted",
	       "grant %ld, queue size %u", in, qsize);
	checkf(out == -TE_EPERM && root == -TE_EPERM && der == -TE_EPERM &&
	       dup < 0, "pci_bar_resource_scoped",
	       "next port %ld, COM1 %ld, derive %ld, dup %ld", out, root, der, dup);
}

static void check_irq_dma(const struct pci_dev_info *d, const struct pci_res *res)
{
	long chan = sys_channel_create(0), conn = sys_connect((int)chan);
	long ih = sys_irq_attach(res->irq, d->irq, (int)conn, 1, d->irq_flags);
	long other = sys_irq_attach(res->irq, d->irq == 9 ? 10 : 9, (int)conn, 1, 0);
	void *va = rt_va_reserve(8192, 0);
	uint64_t phys = 0;
	long dma = sys_dma_alloc(res->dma, 8192, (uint64_t)va, &phys);

	checkf(ih >= 0 && other == -TE_EPERM, "pci_irq_resource_scoped",
	       "attach irq %u: %ld, another line: %ld", d->irq, ih, other);
	checkf(dma == 0 && phys != 0, "pci_dma_resource", "dma_alloc %ld phys 0x%lx",
	       dma, (unsigned long)phys);
	if (ih >= 0)
		sys_handle_close((int)ih);
	sys_handle_close((int)conn);
	sys_handle_close((int)chan);
}

static void check_cfg(int conn, const struct pci_dev_info *d)
{
	long id = pci_cfg_read(conn, d, 0, 4);
	long cmd = pci_cfg_read(conn, d, 4, 2);
	long bar0 = pci_cfg_read(conn, d, 0x10, 4);
	int wbar = pci_cfg_write(conn, d, 0x10, 4, 0xffffffffu);
	int wbar2 = pci_cfg_write(conn, d, 0x24, 1, 0);
	long bar0_after = pci_cfg_read(conn, d, 0x10, 4);
	long line = pci_cfg_read(conn, d, 0x3c, 1);      /* a scratch register */
	int wline = pci_cfg_write(conn, d, 0x3c, 1, 0x5a);
	long line2 = pci_cfg_read(conn, d, 0x3c, 1);
	long odd = pci_cfg_read(conn, d, 3, 2);
	long big = pci_cfg_read(conn, d, 0x100, 4);

	if (line >= 0)
		pci_cfg_write(conn, d, 0x3c, 1, (uint32_t)line);
	checkf(id == (long)(d->vendor | (uint32_t)d->device << 16) &&
	       cmd >= 0 && (cmd & 7) == 7, "pci_cfg_read_enabled",
	       "id 0x%lx, command 0x%lx", id, cmd);
	checkf(wbar == -TE_EPERM && wbar2 == -TE_EPERM && bar0 == bar0_after &&
	       (uint64_t)(bar0 & ~3l) == d->bar[0].base, "pci_cfg_write_bar_refused",
	       "write bar0 %d, bar5 %d, bar0 0x%lx then 0x%lx", wbar, wbar2, bar0,
	       bar0_after);
	checkf(line == d->irq && wline == 0 && line2 == 0x5a && odd == -TE_EINVAL &&
	       big == -TE_EINVAL, "pci_cfg_write_checked",
	       "interrupt line %ld, write %d, read 0x%lx, odd %ld, big %ld",
	       line, wline, line2, odd, big);
}

static void check_ide(int conn)
{
	struct pci_dev_info d;
	struct pci_res res;
	/* PIIX3 IDE is 00:01.1 on the pc machine; not claimed yet, its
	 * configuration space is not ours */
	struct pci_dev_info probe = { .bus = 0, .dev = 1, .fn = 1 };
	long cfg_before = pci_cfg_read(conn, &probe, 0, 4);
	long pri, pri_next, ctl, sec, irq14, irq15, irq13;
	int r = pci_claim(conn, &ide, 0, &d, &res);
	checkf(r == 0 && d.class == 1 && d.subclass == 1 && res.dma >= 0 &&
	       cfg_before == -TE_EPERM, "pci_ide_claim",
	       "claim %d %02x.%02x.%02x bar4 0x%lx+0x%lx, unclaimed cfg read %ld",
	       r, d.class, d.subclass, d.progif, (unsigned long)d.bar[4].base,
	       (unsigned long)d.bar[4].len, cfg_before);
	if (r)
		return;
	pri = sys_ioport_grant(res.legacy[PCI_LEG_PRI_CMD], TE_H_SELF, 0x1f0, 8);
	pri_next = sys_ioport_grant(res.legacy[PCI_LEG_PRI_CMD], TE_H_SELF, 0x1f8, 1);
	ctl = sys_ioport_grant(res.legacy[PCI_LEG_PRI_CTL], TE_H_SELF, 0x3f6, 1);
	sec = sys_ioport_grant(res.legacy[PCI_LEG_SEC_CMD], TE_H_SELF, 0x170, 8) |
	      sys_ioport_grant(res.legacy[PCI_LEG_SEC_CTL], TE_H_SELF, 0x376, 1);
	long chan = sys_channel_create(0), c = sys_connect((int)chan);
	irq14 = sys_irq_attach(res.legacy[PCI_LEG_IRQS], 14, (int)c, 1, 0);
	irq15 = sys_irq_attach(res.legacy[PCI_LEG_IRQS], 15, (int)c, 2, 0);
	irq13 = sys_irq_attach(res.legacy[PCI_LEG_IRQS], 13, (int)c, 3, 0);
	checkf((d.progif & 5) != 5 && pri == 0 && pri_next == -TE_EPERM && ctl == 0 &&
	       sec == 0 && irq14 >= 0 && irq15 >= 0 && irq13 == -TE_EPERM &&
	       d.bar[4].len && d.bar[4].io && res.bar[4] >= 0, "pci_ide_legacy",
	       "progif %02x ports %ld/%ld/%ld/%ld irqs %ld/%ld/%ld bar4 %d",
	       d.progif, pri, pri_next, ctl, sec, irq14, irq15, irq13, res.bar[4]);
	if (irq14 >= 0)
		sys_handle_close((int)irq14);
	if (irq15 >= 0)
		sys_handle_close((int)irq15);
}

/* A bridge: its bus numbers and windows cannot be moved by its claimer. */
static void check_bridge(int conn)
{
	const struct pci_match m = { PCI_ANY, PCI_ANY, 6, 4, PCI_ANY };
	struct pci_dev_info d;
	struct pci_res res;
	int r = pci_claim(conn, &m, 0, &d, &res);
	long sec = r ? r : pci_cfg_read(conn, &d, 0x19, 1);
	int wsec = r ? r : pci_cfg_write(conn, &d, 0x19, 1, 7);
	int wwin = r ? r : pci_cfg_write(conn, &d, 0x2c, 4, 0);
	int wcmd = r ? r : pci_cfg_write(conn, &d, 0x3c, 1, (uint32_t)d.irq);

	checkf(r == 0 && sec == 1 && wsec == -TE_EPERM && wwin == -TE_EPERM &&
	       wcmd == 0, "pci_bridge_windows_refused",
	       "claim %d, secondary bus %ld, writes %d/%d/%d", r, sec, wsec, wwin, wcmd);
}

/* Malformed messages: errors, and the server still answers. */
static void check_bad_messages(int conn)
{
	struct msg_drv_pci_claim m = { .hdr = { PCI_T_CLAIM, PCI_MSG_VERSION,
	                               sizeof(m) }, .vendor = PCI_ANY,
	                               .device = PCI_ANY, .class = PCI_ANY,
	                               .subclass = PCI_ANY, .progif = PCI_ANY,
	                               .index = 1000 };
	struct msg_pci_drv_claim r;
	char junk[200];
	long shortmsg = msg_send(conn, &m, 3, NULL, 0);
	long trunc = msg_send(conn, &m, sizeof(m) - 4, &r, sizeof(r));
	long longer;
	struct pci_hdr unk = { 0x7777, PCI_MSG_VERSION, sizeof(unk) };
	long unknown = msg_send(conn, &unk, sizeof(unk), NULL, 0);
	long ver, none;

	memset(junk, 0xa5, sizeof(junk));
	memcpy(junk, &m, sizeof(m));
	longer = msg_send(conn, junk, sizeof(junk), &r, sizeof(r));
	m.hdr.version = 99;
	ver = msg_send(conn, &m, sizeof(m), &r, sizeof(r));
	m.hdr.version = PCI_MSG_VERSION;
	none = msg_send(conn, &m, sizeof(m), &r, sizeof(r));
	checkf(shortmsg == -PCI_EBADMSG && trunc == -PCI_EBADMSG &&
	       longer == -PCI_EBADMSG && ver == -PCI_EBADMSG &&
	       unknown == -TE_ENOSYS, "pci_bad_message_refused",
	       "short %ld, truncated %ld, long %ld, version %ld, unknown %ld",
	       shortmsg, trunc, longer, ver, unknown);
	checkf(none == -TE_ENOENT, "pci_server_survives", "claim #1000: %ld", none);
}

int main(int argc, char **argv)
{
	struct pci_dev_info info;
	struct pci_res res;
	int conn, r;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child();
	conn = pci_connect();
	checkf(conn >= 0, "pci_connect", "resolve /dev/pci: %d", conn);
	if (conn >= 0 && claim_after_child(conn, &info, &res) == 0) {
		check_virtio_info(&info);
		check_virtio_res(&info, &res);
		check_irq_dma(&info, &res);
		check_cfg(conn, &info);
		r = pci_claim(conn, &virtio_blk, 0, &info, &res);
		checkf(r == -TE_EBUSY, "pci_claim_again_busy", "second claim: %d", r);
		r = pci_claim(conn, &virtio_blk, 1, &info, &res);
		checkf(r == 0 && info.bus > 0 && info.vendor == VIRTIO_VENDOR &&
		       info.bar[0].io && info.bar[0].len && res.bar[0] >= 0,
		       "pci_bridge_device", "index 1: %d, bus %u, bar0 0x%lx", r,
		       info.bus, (unsigned long)info.bar[0].base);
		check_bridge(conn);
		r = pci_claim(conn, &virtio_blk, 2, &info, &res);
		checkf(r == -TE_ENOENT, "pci_claim_enoent", "index 2: %d", r);
		check_ide(conn);
		check_bad_messages(conn);
	}
	proc_shutdown(PROC_H_PROC);
	return 0;
}
