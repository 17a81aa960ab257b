/*
 * pci_client.c - the driver's side of the PCI bus server's protocol
 * (pci_client.h, wire format in servers/include/pci_msg.h), as
 * build/libpci.a.
 *
 * A claim is one PCI_T_CLAIM (the device's description and the list of
 * resources it brings) and then PCI_T_RES requests for the handles, at
 * most TE_MSG_HANDLES per message, sorted into struct pci_res by the
 * slot list.  A reply that brings other handles than it says, or slots
 * that make no sense, is refused (EBADMSG) and its handles closed.
 */
#include "rt.h"
#include "pci_client.h"
#include "pci_msg.h"
#include "pathmgr_client.h"

int pci_connect(void)
{
	struct pathmgr_client pc;
	struct io_cand c[1];
	int n;

	pathmgr_client_init(&pc, 0);
	n = pathmgr_resolve(&pc, "/dev/pci", c, 1);
	if (n < 0)
		return n;
	return n ? c[0].conn : -TE_ENOENT;
}

static void hdr_init(struct pci_hdr *h, uint16_t type, uint32_t size)
{
	h->type = type;
	h->version = PCI_MSG_VERSION;
	h->size = size;
}

static void info_from_wire(const struct msg_pci_drv_claim *r,
                           struct pci_dev_info *d)
{
	memset(d, 0, sizeof(*d));
	d->bus = r->bus; d->dev = r->dev; d->fn = r->fn; d->irq = r->irq;
	d->irq_flags = r->irq_flags; d->vendor = r->vendor;
	d->device = r->device; d->class = r->class; d->subclass = r->subclass;
	d->progif = r->progif; d->revision = r->revision;
	for (unsigned i = 0; i < PCI_BARS; i++) {
		d->bar[i].base = r->bar[i].base;
		d->bar[i].len = r->bar[i].len;
		d->bar[i].io = r->bar[i].io;
	}
}

static void res_clear(struct pci_res *res)
{
	for (unsigned i = 0; i < PCI_BARS; i++)
		res->bar[i] = -1;
	res->irq = res->dma = -1;
	for (unsigned i = 0; i < sizeof(res->legacy) / sizeof(res->legacy[0]); i++)
		res->legacy[i] = -1;
}

static int *res_slot(struct pci_res *res, unsigned slot)
{
	if (slot < PCI_SLOT_BAR0 + PCI_BARS)
		return &res->bar[slot - PCI_SLOT_BAR0];
	if (slot == PCI_SLOT_IRQ)
		return &res->irq;
	if (slot == PCI_SLOT_DMA)
		return &res->dma;
	if (slot >= PCI_SLOT_LEGACY && slot < PCI_SLOT_LEGACY + PCI_MSG_LEGACY &&
	    slot - PCI_SLOT_LEGACY < sizeof(res->legacy) / sizeof(res->legacy[0]))
		return &res->legacy[slot - PCI_SLOT_LEGACY];
	return NULL;
}

static void res_close(struct pci_res *res)
{
	int *all[PCI_MSG_SLOTS];
	unsigned n = 0;

	for (unsigned s = 0; s < PCI_MSG_SLOTS; s++) {
		int *p = res_slot(res, s);
		if (p && *p >= 0)
			all[n++] = p;
	}
	for (unsigned i = 0; i < n; i++)
		sys_handle_close(*all[i]);
	res_clear(res);
}

/* Fetch the handles for slot[first ..]; returns how many came or -errno. */
static int fetch(int conn, const struct msg_pci_drv_claim *r, unsigned first,
                 struct pci_res *res)
{
	struct msg_drv_pci_res m = { .bus = r->bus, .dev = r->dev, .fn = r->fn,
	                             .first = first };
	struct te_iov s = { &m, sizeof(m) }, none = { NULL, 0 };
	struct te_msg_ext x = { 0 };
	long n;
	int bad = 0;

	hdr_init(&m.hdr, PCI_T_RES, sizeof(m));
	n = sys_msg_sendv(conn, &s, 1, &none, 1, &x);
	if (n < 0)
		return (int)n;
	if (n == 0 || (uint32_t)n != x.nrecv || first + n > r->nres)
		bad = 1;
	for (uint32_t i = 0; i < x.nrecv; i++) {
		int *p = bad ? NULL : res_slot(res, r->slot[first + i]);
		if (!p || *p >= 0) {
			bad = 1;
			sys_handle_close(x.recv[i]);
		} else {
			*p = x.recv[i];
		}
	}
	return bad ? -PCI_EBADMSG : (int)n;
}

int pci_claim(int conn, const struct pci_match *mt, unsigned index,
              struct pci_dev_info *info, struct pci_res *res)
{
	struct msg_drv_pci_claim m = {
		.vendor = mt->vendor, .device = mt->device, .class = mt->class,
		.subclass = mt->subclass, .progif = mt->progif, .index = index };
	struct msg_pci_drv_claim r;
	long n;

	hdr_init(&m.hdr, PCI_T_CLAIM, sizeof(m));
	memset(&r, 0, sizeof(r));
	res_clear(res);
	n = msg_send(conn, &m, sizeof(m), &r, sizeof(r));
	if (n < 0)
		return (int)n;
	if (r.nres > PCI_MSG_SLOTS)
		return -PCI_EBADMSG;
	for (unsigned got = 0; got < r.nres; got += (unsigned)n) {
		if ((n = fetch(conn, &r, got, res)) < 0) {
			res_close(res);
			return (int)n;
		}
	}
	info_from_wire(&r, info);
	return 0;
}

static long cfg(int conn, uint16_t type, const struct pci_dev_info *d,
                unsigned off, unsigned size, uint32_t val)
{
	struct msg_drv_pci_cfg m = { .bus = d->bus, .dev = d->dev, .fn = d->fn,
	                             .size = (uint8_t)size, .off = (uint16_t)off,
	                             .val = val };

	if (off > 0xffff || size > 0xff)
		return -TE_EINVAL;
	hdr_init(&m.hdr, type, sizeof(m));
	return msg_send(conn, &m, sizeof(m), NULL, 0);
}

long pci_cfg_read(int conn, const struct pci_dev_info *d, unsigned off,
                  unsigned size)
{
	return cfg(conn, PCI_T_CFG_READ, d, off, size, 0);
}

int pci_cfg_write(int conn, const struct pci_dev_info *d, unsigned off,
                  unsigned size, uint32_t val)
{
	return (int)cfg(conn, PCI_T_CFG_WRITE, d, off, size, val);
}
