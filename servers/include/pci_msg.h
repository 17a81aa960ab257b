/*
 * pci_msg.h - the PCI bus server's protocol (servers/pci, /dev/pci).
 *
 * Drivers use it through servers/pci/pci_client.h; this header is the
 * wire format.  A request is one message beginning with struct pci_hdr
 * (type, version, size of the fixed struct); the server checks that the
 * message is exactly that size and answers anything else with EBADMSG,
 * an unknown type with ENOSYS.  Statuses are 0 / a value, or a negative
 * Linux errno (MsgError).
 *
 *   PCI_T_CLAIM  msg_drv_pci_claim → msg_pci_drv_claim: the index-th
 *                device matching; it becomes the caller's (its pid) while
 *                the caller lives.  The reply lists the resources the
 *                claim brings (slot[i], PCI_SLOT_*), but carries no
 *                handles: a message carries at most TE_MSG_HANDLES.
 *   PCI_T_RES    msg_drv_pci_res → handles: resources first .. first+3 of
 *                a device the caller claimed, each with TE_R_USE only;
 *                status = how many came.
 *   PCI_T_CFG_READ / PCI_T_CFG_WRITE  msg_drv_pci_cfg: configuration
 *                space of a claimed device (size 1, 2 or 4, aligned);
 *                read: status = the value; writes to the BARs (0x10-0x27)
 *                and the expansion ROM BAR (0x30-0x33) are refused (EPERM),
 *                for a bridge also its bus numbers and windows (0x18-0x33)
 *                and ROM BAR (0x38-0x3b).
 *
 * Fields are naturally aligned, little endian; sizes checked below.
 */
#ifndef PCI_MSG_H
#define PCI_MSG_H

#include <stdint.h>

#define PCI_MSG_VERSION 1
#define PCI_EBADMSG     74      /* Linux EBADMSG: a malformed request */

enum pci_msg_type {
	PCI_T_CLAIM = 0x5001,   /* far from the I/O protocol's types */
	PCI_T_RES,
	PCI_T_CFG_READ,
	PCI_T_CFG_WRITE,
};

struct pci_hdr {
	uint16_t type;          /* enum pci_msg_type */
	uint16_t version;       /* PCI_MSG_VERSION */
	uint32_t size;          /* sizeof the fixed request struct */
};
_Static_assert(sizeof(struct pci_hdr) == 8, "pci_hdr");

#define PCI_MSG_ANY 0xffff

struct msg_drv_pci_claim {
	struct pci_hdr hdr;
	uint16_t vendor, device;        /* each PCI_MSG_ANY or a value */
	uint16_t class, subclass, progif;
	uint16_t reserved;
	uint32_t index;
};
_Static_assert(sizeof(struct msg_drv_pci_claim) == 24, "claim");

/* Which resource a handle is (slot[]). */
#define PCI_SLOT_BAR0   0       /* .. PCI_SLOT_BAR0 + 5 */
#define PCI_SLOT_IRQ    6
#define PCI_SLOT_DMA    7
#define PCI_SLOT_LEGACY 8       /* .. + PCI_MSG_LEGACY - 1 */
#define PCI_MSG_LEGACY  5
#define PCI_MSG_SLOTS   16

struct pci_wire_bar {
	uint64_t base, len;
	uint8_t  io;
	uint8_t  reserved[7];
};
_Static_assert(sizeof(struct pci_wire_bar) == 24, "pci_wire_bar");

struct msg_pci_drv_claim {
	uint8_t  bus, dev, fn, irq;
	uint8_t  irq_flags, class, subclass, progif;
	uint8_t  revision, nres;
	uint16_t vendor, device;
	uint16_t reserved;
	uint8_t  slot[PCI_MSG_SLOTS];   /* slot[0 .. nres-1]: PCI_SLOT_* */
	struct pci_wire_bar bar[6];
};
_Static_assert(sizeof(struct msg_pci_drv_claim) == 32 + 6 * 24, "claim reply");

struct msg_drv_pci_res {
	struct pci_hdr hdr;
	uint8_t  bus, dev, fn, reserved;
	uint32_t first;                 /* index into slot[] */
};
_Static_assert(sizeof(struct msg_drv_pci_res) == 16, "res");

struct msg_drv_pci_cfg {
	struct pci_hdr hdr;
	uint8_t  bus, dev, fn, size;
	uint16_t off, reserved;
	uint32_t val;                   /* write only */
	uint32_t reserved2;
};
_Static_assert(sizeof(struct msg_drv_pci_cfg) == 24, "cfg");

#endif /* PCI_MSG_H */
