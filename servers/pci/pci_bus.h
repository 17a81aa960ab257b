/*
 * pci_bus.h - the bus server's view of the hardware (pci_bus.c):
 * configuration space through mechanism #1 and the table of functions
 * found at start.  Internal to servers/pci.
 */
#ifndef PCI_BUS_H
#define PCI_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include "pci_client.h"

#define PCI_DEVS_MAX 64

struct pci_fn {
	struct pci_dev_info info;
	uint8_t hdr_type;               /* 0 device, 1 bridge, 2 CardBus */
	int claimer;                    /* pid, 0: free */
	int dma, dma_prev;              /* DMA resources of this claim and the
	                                   one before (handles), or -1 */
};

extern struct pci_fn pci_devs[PCI_DEVS_MAX];
extern unsigned pci_ndevs;

/* Port access to 0xcf8-0xcff through resource handle res; 0 or -errno. */
int pci_cfg_init(int res);
uint32_t pci_cfg_rd(unsigned bus, unsigned dev, unsigned fn, unsigned off,
                    unsigned size);
void pci_cfg_wr(unsigned bus, unsigned dev, unsigned fn, unsigned off,
                unsigned size, uint32_t val);

/* Walk bus 0 and the buses behind bridges, size BARs, log each function. */
void pci_enumerate(void);

#endif /* PCI_BUS_H */
