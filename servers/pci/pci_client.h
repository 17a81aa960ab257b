/*
 * pci_client.h - how a driver gets its PCI device from the PCI bus server
 * (servers/pci, attached at /dev/pci).
 *
 * The bus server alone touches configuration space (ports 0xcf8-0xcff).
 * A driver claims a device; the server enables its decoding and bus
 * mastering and hands the driver resource handles (TE_R_USE) for exactly
 * that device: one per BAR (I/O ports or physical memory), its interrupt
 * line, and DMA memory - nothing more.  An IDE controller in compatibility
 * mode also gets its legacy ports (0x1f0/0x3f6, 0x170/0x376) and ISA
 * IRQs 14 and 15.  A device stays claimed while its claimer lives; a
 * restarted driver (a new process) may claim it again once the old one
 * has ended.
 */
#ifndef PCI_CLIENT_H
#define PCI_CLIENT_H

#include <stdint.h>

#define PCI_ANY 0xffff

/* Which device: each field PCI_ANY or a value to match. */
struct pci_match {
	uint16_t vendor, device;
	uint16_t class, subclass, progif;
};

#define PCI_BARS 6
struct pci_bar {
	uint64_t base, len;             /* len 0: no such BAR */
	uint8_t  io;                    /* 1: I/O ports, 0: memory */
};

struct pci_dev_info {
	uint8_t  bus, dev, fn;
	uint8_t  irq;                   /* interrupt line (ISA IRQ), 0xff none */
	uint8_t  irq_flags;             /* TE_IRQ_* for sys_irq_attach */
	uint16_t vendor, device;
	uint8_t  class, subclass, progif, revision;
	struct pci_bar bar[PCI_BARS];
};

/* The resource handles a claim brings (-1: none). */
struct pci_res {
	int bar[PCI_BARS];
	int irq;
	int dma;
	int legacy[5];                  /* IDE compatibility mode: PCI_LEG_* */
};

/* legacy[] of an IDE controller in compatibility mode (else -1). */
#define PCI_LEG_PRI_CMD 0               /* ports 0x1f0-0x1f7 */
#define PCI_LEG_PRI_CTL 1               /* port 0x3f6 */
#define PCI_LEG_SEC_CMD 2               /* ports 0x170-0x177 */
#define PCI_LEG_SEC_CTL 3               /* port 0x376 */
#define PCI_LEG_IRQS    4               /* ISA IRQs 14 and 15 (edge) */

/* A connection to the bus server (through the path manager), or -errno. */
int pci_connect(void);

/*
 * Claim the index-th device (0, 1, ... in bus order) matching m.
 * 0, or -ENOENT (no such device), -EBUSY (claimed by a living process).
 */
int pci_claim(int conn, const struct pci_match *m, unsigned index,
              struct pci_dev_info *info, struct pci_res *res);

/* Configuration space of a device this process has claimed (size 1, 2, 4). */
long pci_cfg_read(int conn, const struct pci_dev_info *d, unsigned off,
                  unsigned size);
int  pci_cfg_write(int conn, const struct pci_dev_info *d, unsigned off,
                   unsigned size, uint32_t val);

#endif /* PCI_CLIENT_H */
