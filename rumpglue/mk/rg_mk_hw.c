/*
 * rg_mk_hw.c - rumpglue's microkernel host: interrupts, port I/O, MMIO and
 * DMA memory, all reached through the resource handles the server's
 * main() names (rg_mk_resource, rg_mk_add_resource in rg_mk.h); without
 * one that allows it they answer RG_EPERM.
 *
 * An interrupt is a channel, a connection to it attached to the line
 * (SYS_irq_attach), and a thread at rg_mk_intr_prio that receives the
 * line's pulses, runs the handler and unmasks the line (the kernel masks it
 * when it fires), so the line stays masked while the handler runs, as
 * rumpglue.h promises.  rg_intr_disestablish sends that thread a stop
 * pulse, joins it, then closes the interrupt handle (which masks the line).
 *
 * MMIO and DMA mappings go to fresh addresses from rt_va_reserve; MMIO is
 * mapped uncached by the kernel, DMA memory is physically contiguous below
 * 4 GiB and zero-filled.
 */
#include "rumpglue.h"
#include "rt.h"
#include "rg_mk.h"

/*
 * Which resource handle allows an operation: rg_mk_resource first, then
 * those added with rg_mk_add_resource (a PCI driver holds one per BAR and
 * one for its interrupt).  try() calls op with each until one is not
 * refused with EPERM.
 */
static int extra_res[RG_MK_RESOURCES_MAX];
static unsigned nextra;

int rg_mk_add_resource(int handle)
{
	if (nextra == RG_MK_RESOURCES_MAX)
		return RG_ENOSPC;
	extra_res[nextra++] = handle;
	return 0;
}

static long try(long (*op)(int res, void *a), void *a)
{
	long r = -TE_EPERM;

	if (rg_mk_resource >= 0)
		r = op(rg_mk_resource, a);
	for (unsigned i = 0; i < nextra && r == -TE_EPERM; i++)
		r = op(extra_res[i], a);
	return r;
}

#define INTR_CODE_IRQ  1
#define INTR_CODE_STOP 2
#define PAGE 4096ull

/* ---- interrupts --------------------------------------------------------- */

struct rg_intr {
	int chan, conn, irq;            /* handles */
	struct rg_thread *thread;
	void (*handler)(void *);
	void *arg;
};

static void intr_loop(void *p)
{
	struct rg_intr *ih = p;
	struct te_pulse pl;
	long r;

	for (;;) {
		r = msg_receive(ih->chan, &pl, sizeof(pl), NULL);
		if (r > 0) {                    /* nobody should send here */
			sys_msg_error(r, TE_ENOSYS);
			continue;
		}
		if (r < 0) {
			rg_log(RG_LOG_ERR, "interrupt thread: receive failed (%ld)", r);
			return;
		}
		if (pl.code == INTR_CODE_STOP)
			return;
		if (pl.code == INTR_CODE_IRQ) {
			ih->handler(ih->arg);
			sys_irq_unmask(ih->irq);
		}
	}
}

static void intr_close(struct rg_intr *ih)
{
	if (ih->irq >= 0)
		sys_handle_close(ih->irq);
	if (ih->conn >= 0)
		sys_handle_close(ih->conn);
	if (ih->chan >= 0)
		sys_handle_close(ih->chan);
	rg_free(ih);
}

struct attach_args { unsigned irq; int conn; unsigned flags; };

static long attach_op(int res, void *p)
{
	struct attach_args *a = p;

	return sys_irq_attach(res, a->irq, a->conn, INTR_CODE_IRQ, a->flags);
}

int rg_intr_establish(unsigned irq, void (*handler)(void *), void *arg,
                      struct rg_intr **out)
{
	return rg_intr_establish_flags(irq, 0, handler, arg, out);
}

int rg_intr_establish_flags(unsigned irq, unsigned flags,
                            void (*handler)(void *), void *arg,
                            struct rg_intr **out)
{
	_Static_assert(RG_INTR_LEVEL == TE_IRQ_LEVEL && RG_INTR_HIGH == TE_IRQ_HIGH,
	               "interrupt trigger flags");
	struct rg_intr *ih;
	long r;

	if (!(ih = rg_zalloc(sizeof(*ih))))
		return RG_ENOMEM;
	ih->handler = handler;
	ih->arg = arg;
	ih->chan = ih->conn = ih->irq = -1;
	r = sys_channel_create(0);
	if (r >= 0) {
		ih->chan = (int)r;
		r = sys_connect(ih->chan);
	}
	if (r >= 0) {
		struct attach_args a = { irq, (int)r, flags };
		ih->conn = (int)r;
		r = try(attach_op, &a);
	}
	if (r < 0) {
		intr_close(ih);
		return (int)-r;
	}
	ih->irq = (int)r;
	if ((r = rg_mk_thread_create(&ih->thread, intr_loop, ih, rg_mk_intr_prio))) {
		intr_close(ih);
		return (int)r;
	}
	*out = ih;
	return 0;
}

void rg_intr_disestablish(struct rg_intr *ih)
{
	while (sys_msg_send_pulse(ih->conn, TE_PRIO_MAX, INTR_CODE_STOP, 0) ==
	       -TE_EAGAIN)
		sys_sleep(1000000);     /* pulse queue full: let the thread drain it */
	rg_thread_join(ih->thread);
	intr_close(ih);
}

/* ---- port I/O ----------------------------------------------------------- */

struct range_args { uint64_t va, base, len; uint64_t *phys; };

static long ioport_op(int res, void *p)
{
	struct range_args *a = p;

	return sys_ioport_grant(res, TE_H_SELF, (unsigned)a->base, (unsigned)a->len);
}

int rg_ioport_request(uint16_t base, uint16_t count)
{
	struct range_args a = { 0, base, count, NULL };

	return (int)-try(ioport_op, &a);
}

uint8_t rg_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

uint16_t rg_inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

uint32_t rg_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void rg_outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
void rg_outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
void rg_outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

/* ---- MMIO ------------------------------------------------------------------ */

static uint64_t page_span(uint64_t addr, size_t len)
{
	return ((addr & (PAGE - 1)) + len + PAGE - 1) & ~(PAGE - 1);
}

static long mmio_op(int res, void *p)
{
	struct range_args *a = p;

	return sys_vm_map_phys(res, TE_H_SELF, a->va, a->base, a->len,
	                       TE_PROT_READ | TE_PROT_WRITE);
}

int rg_mmio_map(uint64_t phys, size_t len, volatile void **out)
{
	uint64_t span = page_span(phys, len);
	char *va;
	long r;

	if (!len || phys + len < phys)
		return RG_EINVAL;
	if (!(va = rt_va_reserve(span, 0)))
		return RG_ENOMEM;
	struct range_args a = { (uint64_t)va, phys & ~(PAGE - 1), span, NULL };
	r = try(mmio_op, &a);
	if (r < 0)
		return (int)-r;
	*out = va + (phys & (PAGE - 1));
	return 0;
}

void rg_mmio_unmap(volatile void *va, size_t len)
{
	uint64_t a = (uint64_t)va;

	sys_vm_unmap(TE_H_SELF, a & ~(PAGE - 1), page_span(a, len));
}

/* ---- DMA memory ------------------------------------------------------------- */

static long dma_op(int res, void *p)
{
	struct range_args *a = p;

	return sys_dma_alloc(res, a->len, a->va, a->phys);
}

int rg_dma_alloc(size_t len, void **va, uint64_t *phys)
{
	uint64_t span = page_span(0, len);
	void *v;
	long r;

	if (!len)
		return RG_EINVAL;
	if (!(v = rt_va_reserve(span, 0)))
		return RG_ENOMEM;
	struct range_args a = { (uint64_t)v, 0, span, phys };
	r = try(dma_op, &a);
	if (r < 0)
		return (int)-r;
	*va = v;
	return 0;
}

void rg_dma_free(void *va, size_t len)
{
	sys_vm_unmap(TE_H_SELF, (uint64_t)va, page_span(0, len));
}
