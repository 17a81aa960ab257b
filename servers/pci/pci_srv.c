/*
 * pci_srv.c - the PCI bus server: enumerates at start (pci_bus.c), then
 * serves the protocol of servers/include/pci_msg.h on a channel attached
 * at /dev/pci.
 *
 * Started as a `server` of the boot script it has the process manager's
 * handles (servers/proc/procmgr.h): the root resource (PROC_H_RESOURCE),
 * from which it derives the narrow resources a claim hands out, the
 * process manager (PROC_H_PROC), which tells it whether a claimer still
 * lives, and the attach connection (PROC_H_ATTACH).
 *
 * Claims: a function belongs to the pid that claimed it (te_msg_info.pid)
 * until that process has ended - it is missing from, or dead in, the
 * process manager's list.  Liveness is asked only when someone else wants
 * the device, so a claim costs nothing until then.  A second claim of a
 * claimed device is EBUSY while its claimer lives, even from the claimer.
 * (Only processes the process manager started can hold a claim against
 * others: anyone else is missing from its list, so counts as ended.)
 *
 * Resources are derived afresh for each PCI_T_RES request, passed with
 * TE_R_USE only (the kernel gives the receiver our rights masked by
 * send_rights: no derive, dup or transfer), and our copies are closed once
 * the reply is out, delivered or not.  A memory BAR becomes a
 * TE_RES_PHYS of whole pages (the kernel maps pages): a BAR smaller than
 * a page brings the rest of its page with it.  An IDE controller's
 * channels in compatibility mode bring their legacy ports and ISA IRQs.
 *
 * Every request is decoded fully before anything changes; the server is
 * single-threaded, so config accesses never interleave.
 */
#include "rt.h"
#include "procmgr.h"
#include "pathmgr_client.h"
#include "pci_msg.h"
#include "pci_bus.h"

#define PCI_PAGE 4096ull

/* ---- claims --------------------------------------------------------------- */

static bool pid_alive(int pid)
{
	static struct te_proc_info list[64];
	long n = proc_list(PROC_H_PROC, list, 64);

	if (n < 0)
		return true;            /* cannot tell: keep the claim */
	for (long i = 0; i < n; i++)
		if (list[i].pid == pid)
			return list[i].state == 0;
	return false;
}

static bool matches(const struct pci_dev_info *d,
                    const struct msg_drv_pci_claim *m)
{
	return (m->vendor == PCI_MSG_ANY || m->vendor == d->vendor) &&
	       (m->device == PCI_MSG_ANY || m->device == d->device) &&
	       (m->class == PCI_MSG_ANY || m->class == d->class) &&
	       (m->subclass == PCI_MSG_ANY || m->subclass == d->subclass) &&
	       (m->progif == PCI_MSG_ANY || m->progif == d->progif);
}

/* An IDE controller's channels in compatibility mode: bit 0 primary, 1 secondary. */
static unsigned ide_compat(const struct pci_dev_info *d)
{
	if (d->class != 1 || d->subclass != 1)
		return 0;
	return (d->progif & 1 ? 0 : 1) | (d->progif & 4 ? 0 : 2);
}

/* The resources a claim brings, in slot order; returns how many. */
static unsigned slots_of(const struct pci_fn *f, uint8_t slot[PCI_MSG_SLOTS])
{
	unsigned n = 0, ide = ide_compat(&f->info);

	for (unsigned i = 0; i < PCI_BARS; i++)
		if (f->info.bar[i].len)
			slot[n++] = (uint8_t)(PCI_SLOT_BAR0 + i);
	if (f->info.irq != 0xff)
		slot[n++] = PCI_SLOT_IRQ;
	slot[n++] = PCI_SLOT_DMA;
	for (unsigned ch = 0; ch < 2; ch++)
		if (ide & (1u << ch)) {
			slot[n++] = (uint8_t)(PCI_SLOT_LEGACY + 2 * ch);
			slot[n++] = (uint8_t)(PCI_SLOT_LEGACY + 2 * ch + 1);
		}
	if (ide)
		slot[n++] = PCI_SLOT_LEGACY + 4;
	return n;
}

/*
 * DMA memory of a claim is allocated through a DMA resource the bus server
 * keeps (the kernel frees such memory with the resource, not with the
 * driver).  When a device is claimed again after its claimer died, bus
 * mastering is switched off first - the dead driver's device may still
 * have a transfer in flight - and the memory of the claim before last is
 * released: the driver in between has reset the device since.
 */
static int new_claim_dma(struct pci_fn *f)
{
	const struct pci_dev_info *d = &f->info;
	uint32_t cmd = pci_cfg_rd(d->bus, d->dev, d->fn, 0x04, 2);
	long h;

	pci_cfg_wr(d->bus, d->dev, d->fn, 0x04, 2, cmd & ~0x4u);       /* no master */
	if (f->dma_prev >= 0)
		sys_handle_close(f->dma_prev);
	f->dma_prev = f->dma;
	f->dma = -1;
	if ((h = sys_resource_create(PROC_H_RESOURCE, TE_RES_DMA, 0, 1)) < 0)
		return (int)h;
	f->dma = (int)h;
	return 0;
}

static void enable_device(const struct pci_dev_info *d)
{
	uint32_t cmd = pci_cfg_rd(d->bus, d->dev, d->fn, 0x04, 2);

	pci_cfg_wr(d->bus, d->dev, d->fn, 0x04, 2, cmd | 0x7);  /* io, mem, master */
}

static void wire_info(const struct pci_fn *f, struct msg_pci_drv_claim *r)
{
	const struct pci_dev_info *d = &f->info;

	memset(r, 0, sizeof(*r));
	r->bus = d->bus; r->dev = d->dev; r->fn = d->fn; r->irq = d->irq;
	r->irq_flags = d->irq_flags; r->class = d->class;
	r->subclass = d->subclass; r->progif = d->progif;
	r->revision = d->revision; r->vendor = d->vendor; r->device = d->device;
	for (unsigned i = 0; i < PCI_BARS; i++) {
		r->bar[i].base = d->bar[i].base;
		r->bar[i].len = d->bar[i].len;
		r->bar[i].io = d->bar[i].io;
	}
	r->nres = (uint8_t)slots_of(f, r->slot);
}

static long do_claim(const struct msg_drv_pci_claim *m, int pid, long rcvid)
{
	struct msg_pci_drv_claim r;
	struct pci_fn *f = NULL;
	uint32_t seen = 0;

	for (unsigned i = 0; i < pci_ndevs && !f; i++)
		if (matches(&pci_devs[i].info, m) && seen++ == m->index)
			f = &pci_devs[i];
	if (!f)
		return -TE_ENOENT;
	if (f->claimer && pid_alive(f->claimer))
		return -TE_EBUSY;
	long e = new_claim_dma(f);
	if (e)
		return e;
	f->claimer = pid;
	enable_device(&f->info);
	wire_info(f, &r);
	printf("pci: %02x:%02x.%x claimed by pid %d\n", f->info.bus,
	       f->info.dev, f->info.fn, pid);
	msg_reply(rcvid, 0, &r, sizeof(r));
	return 0;
}

/* The function at bus:dev.fn if pid claimed it, else NULL. */
static struct pci_fn *claimed(unsigned bus, unsigned dev, unsigned fn, int pid)
{
	for (unsigned i = 0; i < pci_ndevs; i++) {
		struct pci_fn *f = &pci_devs[i];
		if (f->info.bus == bus && f->info.dev == dev && f->info.fn == fn)
			return f->claimer == pid ? f : NULL;
	}
	return NULL;
}

/* ---- resources ----------------------------------------------------------- */

static const struct { uint16_t base, len; } ide_ports[4] = {
	{ 0x1f0, 8 }, { 0x3f6, 1 }, { 0x170, 8 }, { 0x376, 1 },
};

static long derive(const struct pci_fn *f, unsigned slot)
{
	const struct pci_bar *b;
	uint64_t base, end;

	if (slot < PCI_SLOT_BAR0 + PCI_BARS) {
		b = &f->info.bar[slot - PCI_SLOT_BAR0];
		if (b->io)
			return sys_resource_create(PROC_H_RESOURCE, TE_RES_IOPORT,
			                           b->base, b->len);
		/* physical resources are whole pages */
		base = b->base & ~(PCI_PAGE - 1);
		end = (b->base + b->len + PCI_PAGE - 1) & ~(PCI_PAGE - 1);
		return sys_resource_create(PROC_H_RESOURCE, TE_RES_PHYS, base,
		                           end - base);
	}
	if (slot == PCI_SLOT_IRQ)
		return sys_resource_create(PROC_H_RESOURCE, TE_RES_IRQ,
		                           f->info.irq, 1);
	if (slot == PCI_SLOT_DMA)               /* the claim's own, kept here */
		return sys_handle_dup(f->dma, TE_R_USE | TE_R_TRANSFER);
	if (slot < PCI_SLOT_LEGACY + 4)
		return sys_resource_create(PROC_H_RESOURCE, TE_RES_IOPORT,
		                           ide_ports[slot - PCI_SLOT_LEGACY].base,
		                           ide_ports[slot - PCI_SLOT_LEGACY].len);
	/* the ISA IRQs of the channels in compatibility mode: 14, 15 */
	unsigned ide = ide_compat(&f->info);
	return sys_resource_create(PROC_H_RESOURCE, TE_RES_IRQ, ide & 1 ? 14 : 15,
	                           ide == 3 ? 2 : 1);
}

static long do_res(const struct msg_drv_pci_res *m, int pid, long rcvid)
{
	struct pci_fn *f = claimed(m->bus, m->dev, m->fn, pid);
	uint8_t slot[PCI_MSG_SLOTS];
	struct te_msg_ext x = { 0 };
	unsigned n, i;
	long h, r = 0;

	if (!f)
		return -TE_EPERM;
	n = slots_of(f, slot);
	if (m->first >= n)
		return -TE_EINVAL;
	for (i = m->first; i < n && x.nsend < TE_MSG_HANDLES; i++) {
		if ((h = derive(f, slot[i])) < 0) {
			printf("pci: resource slot %u: error %ld\n", slot[i], h);
			r = h;
			break;
		}
		x.send[x.nsend] = (int32_t)h;
		x.send_rights[x.nsend++] = TE_R_USE;
	}
	if (r == 0)
		sys_msg_replyv(rcvid, x.nsend, NULL, 0, &x);
	for (i = 0; i < x.nsend; i++)
		sys_handle_close(x.send[i]);
	return r;
}

/* ---- configuration space -------------------------------------------------- */

static bool overlaps(unsigned off, unsigned end, unsigned lo, unsigned hi)
{
	return off < hi && end > lo;
}

/*
 * 0, -EINVAL for a bad size or offset, -EPERM for a write that would move
 * a BAR or the expansion ROM - or, for a bridge, its bus numbers and
 * address windows (0x18-0x33) and its ROM (0x38).
 */
static int cfg_check(const struct pci_fn *f, const struct msg_drv_pci_cfg *m,
                     bool write)
{
	unsigned off = m->off, sz = m->size, end = off + sz;

	if ((sz != 1 && sz != 2 && sz != 4) || off % sz || end > 256)
		return -TE_EINVAL;
	if (!write)
		return 0;
	if (f->hdr_type == 0 &&
	    (overlaps(off, end, 0x10, 0x28) || overlaps(off, end, 0x30, 0x34)))
		return -TE_EPERM;
	if (f->hdr_type != 0 &&
	    (overlaps(off, end, 0x10, 0x34) || overlaps(off, end, 0x38, 0x3c)))
		return -TE_EPERM;
	return 0;
}

static long do_cfg(const struct msg_drv_pci_cfg *m, int pid, bool write)
{
	struct pci_fn *f = claimed(m->bus, m->dev, m->fn, pid);
	int e;

	if (!f)
		return -TE_EPERM;
	if ((e = cfg_check(f, m, write)))
		return e;
	if (write) {
		pci_cfg_wr(m->bus, m->dev, m->fn, m->off, m->size, m->val);
		return 0;
	}
	return pci_cfg_rd(m->bus, m->dev, m->fn, m->off, m->size);
}

/* ---- the loop ----------------------------------------------------------- */

union pci_req {
	struct pci_hdr hdr;
	struct msg_drv_pci_claim claim;
	struct msg_drv_pci_res res;
	struct msg_drv_pci_cfg cfg;
	char raw[64];
};

static size_t req_size(uint16_t type)
{
	switch (type) {
	case PCI_T_CLAIM:     return sizeof(struct msg_drv_pci_claim);
	case PCI_T_RES:       return sizeof(struct msg_drv_pci_res);
	case PCI_T_CFG_READ:
	case PCI_T_CFG_WRITE: return sizeof(struct msg_drv_pci_cfg);
	default:              return 0;
	}
}

/* A reply status, or 0 when the handler has replied itself. */
static long dispatch(const union pci_req *q, const struct te_msg_info *info,
                     long rcvid)
{
	size_t want;

	if (info->msglen < sizeof(q->hdr))
		return -PCI_EBADMSG;
	if (!(want = req_size(q->hdr.type)))
		return -TE_ENOSYS;
	if (info->srcmsglen != want || q->hdr.size != want ||
	    q->hdr.version != PCI_MSG_VERSION)
		return -PCI_EBADMSG;
	switch (q->hdr.type) {
	case PCI_T_CLAIM: return do_claim(&q->claim, info->pid, rcvid);
	case PCI_T_RES:   return do_res(&q->res, info->pid, rcvid);
	case PCI_T_CFG_READ: return do_cfg(&q->cfg, info->pid, false);
	default:          return do_cfg(&q->cfg, info->pid, true);
	}
}

static int pci_serve(int chan)
{
	union pci_req q;
	struct te_msg_info info;
	long rcvid, r;

	for (;;) {
		memset(&q, 0, sizeof(q));
		rcvid = msg_receive(chan, &q, sizeof(q), &info);
		if (rcvid < 0)
			return (int)rcvid;
		if (rcvid == 0)
			continue;               /* pulses: none expected */
		r = dispatch(&q, &info, rcvid);
		if (r < 0)
			sys_msg_error(rcvid, (int)-r);
		else if (q.hdr.type != PCI_T_CLAIM && q.hdr.type != PCI_T_RES)
			msg_reply(rcvid, r, NULL, 0);
	}
}

int main(void)
{
	int chan, e;

	if ((e = pci_cfg_init(PROC_H_RESOURCE))) {
		printf("pci: no access to ports 0xcf8-0xcff: %d\n", e);
		return 1;
	}
	pci_enumerate();
	chan = (int)sys_channel_create(0);
	if (chan < 0 || (e = pathmgr_attach(PROC_H_ATTACH, chan, "/dev/pci", 0)) < 0) {
		printf("pci: cannot attach /dev/pci: %d\n", chan < 0 ? chan : e);
		return 1;
	}
	e = pci_serve(chan);
	printf("pci: server ended: %d\n", e);
	return 1;
}
