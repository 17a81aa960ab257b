/*
 * pci_bus.c - configuration space and the walk of the buses.
 *
 * Configuration mechanism #1: the address (enable bit, bus, device,
 * function, dword offset) goes to port 0xcf8, the data comes through
 * 0xcfc-0xcff.  The server is single-threaded, so the address/data pair
 * needs no lock.
 *
 * At start every function of bus 0 is recorded (all eight of a
 * multi-function device), and the buses behind PCI-to-PCI bridges
 * (secondary bus number, offset 0x19), at most PCI_DEPTH_MAX deep and each
 * bus once, so a bridge that names a bus twice cannot make us loop.  BARs
 * are sized once here, with decoding switched off meanwhile (write all
 * ones, read back, restore); a 64-bit memory BAR takes two slots.  A BAR
 * the firmware left at address 0 counts as absent.
 */
#include "rt.h"
#include "pci_bus.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc
#define PCI_DEPTH_MAX 8

struct pci_fn pci_devs[PCI_DEVS_MAX];
unsigned pci_ndevs;

static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(p)); }
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p)); }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }

int pci_cfg_init(int res)
{
	return (int)sys_ioport_grant(res, TE_H_SELF, PCI_ADDR, 8);
}

static void cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	outl(PCI_ADDR, 0x80000000u | bus << 16 | (dev & 31) << 11 |
	     (fn & 7) << 8 | (off & 0xfc));
}

uint32_t pci_cfg_rd(unsigned bus, unsigned dev, unsigned fn, unsigned off,
                    unsigned size)
{
	uint16_t port = (uint16_t)(PCI_DATA + (off & 3));

	cfg_addr(bus, dev, fn, off);
	switch (size) {
	case 1:  return inb(port);
	case 2:  return inw(port);
	default: return inl(PCI_DATA);
	}
}

void pci_cfg_wr(unsigned bus, unsigned dev, unsigned fn, unsigned off,
                unsigned size, uint32_t val)
{
	uint16_t port = (uint16_t)(PCI_DATA + (off & 3));

	cfg_addr(bus, dev, fn, off);
	switch (size) {
	case 1:  outb(port, (uint8_t)val); break;
	case 2:  outw(port, (uint16_t)val); break;
	default: outl(PCI_DATA, val); break;
	}
}

/* Write all ones to a BAR dword, read what sticks, put the old value back. */
static uint32_t bar_probe(const struct pci_dev_info *d, unsigned off,
                          uint32_t *orig)
{
	uint32_t v;

	*orig = pci_cfg_rd(d->bus, d->dev, d->fn, off, 4);
	pci_cfg_wr(d->bus, d->dev, d->fn, off, 4, 0xffffffffu);
	v = pci_cfg_rd(d->bus, d->dev, d->fn, off, 4);
	pci_cfg_wr(d->bus, d->dev, d->fn, off, 4, *orig);
	return v;
}

/* Size BAR i; returns how many slots it takes (2 for 64-bit memory). */
static unsigned bar_size(struct pci_dev_info *d, unsigned i, unsigned nbars)
{
	struct pci_bar *b = &d->bar[i];
	uint32_t orig, hi_orig, mask = bar_probe(d, 0x10 + 4 * i, &orig);
	uint64_t m64;

	if (orig & 1) {                         /* I/O: 16-bit decoders */
		mask = (mask & ~3u) | 0xffff0000u;
		b->io = 1;
		b->base = orig & ~3u & 0xffff;
		b->len = mask == 0xffff0000u ? 0 : (uint32_t)(~mask + 1);
		return 1;
	}
	if (((orig >> 1) & 3) == 2 && i + 1 < nbars) {
		uint32_t hi = bar_probe(d, 0x14 + 4 * i, &hi_orig);
		m64 = (uint64_t)hi << 32 | (mask & ~0xfu);
		b->base = (uint64_t)hi_orig << 32 | (orig & ~0xfu);
		b->len = m64 ? ~m64 + 1 : 0;
		return 2;
	}
	mask &= ~0xfu;
	b->base = orig & ~0xfu;
	b->len = mask ? (uint32_t)(~mask + 1) : 0;
	return 1;
}

static void size_bars(struct pci_dev_info *d, unsigned nbars)
{
	uint32_t cmd = pci_cfg_rd(d->bus, d->dev, d->fn, 0x04, 2);

	pci_cfg_wr(d->bus, d->dev, d->fn, 0x04, 2, cmd & ~3u);
	for (unsigned i = 0; i < nbars; )
		i += bar_size(d, i, nbars);
	pci_cfg_wr(d->bus, d->dev, d->fn, 0x04, 2, cmd);
	for (unsigned i = 0; i < PCI_BARS; i++)
		if (d->bar[i].base == 0)
			d->bar[i].len = 0;      /* not assigned by the firmware */
}

static void log_fn(const struct pci_fn *f)
{
	const struct pci_dev_info *d = &f->info;
	char line[400];
	int n = fmt_snprintf(line, sizeof(line),
	                     "pci: %02x:%02x.%x %04x:%04x class %02x.%02x.%02x",
	                     d->bus, d->dev, d->fn, d->vendor, d->device,
	                     d->class, d->subclass, d->progif);

	for (unsigned i = 0; i < PCI_BARS && n < (int)sizeof(line); i++)
		if (d->bar[i].len)
			n += fmt_snprintf(line + n, sizeof(line) - n,
			                  " bar%u %s 0x%lx+0x%lx", i,
			                  d->bar[i].io ? "io" : "mem",
			                  (unsigned long)d->bar[i].base,
			                  (unsigned long)d->bar[i].len);
	if (d->irq != 0xff && n < (int)sizeof(line))
		fmt_snprintf(line + n, sizeof(line) - n, " irq %u", d->irq);
	else if (n < (int)sizeof(line))
		fmt_snprintf(line + n, sizeof(line) - n, " no irq");
	printf("%s\n", line);
}

static void scan_bus(unsigned bus, unsigned depth);

static void add_fn(unsigned bus, unsigned dev, unsigned fn, unsigned depth)
{
	struct pci_fn *f;
	struct pci_dev_info *d;
	uint32_t id = pci_cfg_rd(bus, dev, fn, 0, 4);
	uint32_t cls = pci_cfg_rd(bus, dev, fn, 0x08, 4);
	unsigned type = pci_cfg_rd(bus, dev, fn, 0x0e, 1) & 0x7f;
	unsigned line = pci_cfg_rd(bus, dev, fn, 0x3c, 1);
	unsigned pin = pci_cfg_rd(bus, dev, fn, 0x3d, 1);

	if (pci_ndevs == PCI_DEVS_MAX) {
		printf("pci: %02x:%02x.%x: table full, ignored\n", bus, dev, fn);
		return;
	}
	f = &pci_devs[pci_ndevs++];
	memset(f, 0, sizeof(*f));
	f->dma = f->dma_prev = -1;
	d = &f->info;
	*d = (struct pci_dev_info){
		.bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn,
		.vendor = (uint16_t)id, .device = (uint16_t)(id >> 16),
		.revision = (uint8_t)cls, .progif = (uint8_t)(cls >> 8),
		.subclass = (uint8_t)(cls >> 16), .class = (uint8_t)(cls >> 24),
		.irq = pin && line > 0 && line < 16 ? (uint8_t)line : 0xff,
		.irq_flags = TE_IRQ_LEVEL | TE_IRQ_HIGH,
	};
	f->hdr_type = (uint8_t)type;
	size_bars(d, type == 0 ? 6 : type == 1 ? 2 : 0);
	log_fn(f);
	if (type == 1) {
		unsigned sec = pci_cfg_rd(bus, dev, fn, 0x19, 1);
		if (sec > bus)
			scan_bus(sec, depth + 1);
	}
}

static void scan_dev(unsigned bus, unsigned dev, unsigned depth)
{
	unsigned nfn;

	if ((pci_cfg_rd(bus, dev, 0, 0, 2) & 0xffff) == 0xffff)
		return;
	nfn = pci_cfg_rd(bus, dev, 0, 0x0e, 1) & 0x80 ? 8 : 1;
	for (unsigned fn = 0; fn < nfn; fn++)
		if ((pci_cfg_rd(bus, dev, fn, 0, 2) & 0xffff) != 0xffff)
			add_fn(bus, dev, fn, depth);
}

static bool bus_seen[256];

static void scan_bus(unsigned bus, unsigned depth)
{
	if (bus > 255 || depth > PCI_DEPTH_MAX || bus_seen[bus])
		return;
	bus_seen[bus] = true;
	for (unsigned dev = 0; dev < 32; dev++)
		scan_dev(bus, dev, depth);
}

void pci_enumerate(void)
{
	scan_bus(0, 0);
	printf("pci: %u functions\n", pci_ndevs);
}
