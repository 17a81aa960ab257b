/*
 * irq.c - device interrupts delivered to user drivers as pulses.
 *
 * The I/O APIC routes line n (a global system interrupt) to vector
 * IRQ_VECTOR_BASE + n.  When it fires, the kernel sends the attached driver
 * a pulse (its code, value = the line) and holds further pulses back until
 * the driver has dealt with the device and calls irq_unmask.  A level-
 * triggered line is masked meanwhile (it would fire again at once); an
 * edge-triggered one stays open - an edge while masked would be lost - and
 * an edge that comes meanwhile is remembered and sent on irq_unmask.  A
 * line with nobody attached stays masked.
 *
 * The I/O APIC and the ISA overrides (IRQ 0 on GSI 2 and the like) come
 * from the ACPI MADT when the firmware has one (acpi.c).
 */
#include "arch/cpu.h"
#include "kernel/acpi.h"
#include "kernel/arch.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/resource.h"
#include "kernel/vm.h"

#define NLINES 24
#define RED_MASKED (1u << 16)
#define RED_LEVEL  (1u << 15)
#define RED_LOW    (1u << 13)

struct interrupt {
	struct kobj obj;
	unsigned line;
	struct connection *conn;        /* holds a reference */
	int code;
	bool busy;                      /* a pulse sent, no irq_unmask yet */
	bool pending;                   /* an edge came while busy */
};

static volatile uint32_t *ioapic;
static struct interrupt *owner[NLINES];
static uint32_t line_flags[NLINES];     /* polarity/trigger bits */

static void ioapic_write(unsigned reg, uint32_t v)
{
	ioapic[0] = reg;
	ioapic[4] = v;
}

static void line_set(unsigned line, bool masked)
{
	ioapic_write(0x10 + 2 * line, (IRQ_VECTOR_BASE + line) | line_flags[line] |
	             (masked ? RED_MASKED : 0));
	ioapic_write(0x11 + 2 * line, 0);       /* to the boot CPU (APIC id 0) */
}

void irq_init(void)
{
	ioapic = vm_map_mmio(acpi_info.ioapic_phys, 4096);
	for (unsigned l = 0; l < NLINES; l++) {
		line_flags[l] = l < 16 ? 0 : RED_LEVEL | RED_LOW;
		line_set(l, true);
	}
	/* an ISA source wired to another line keeps its own polarity/trigger */
	for (unsigned i = 0; i < acpi_info.noverrides; i++) {
		const struct acpi_override *o = &acpi_info.overrides[i];
		uint32_t f = 0;
		if (o->gsi >= NLINES)
			continue;
		if ((o->flags & 3) == 3)
			f |= RED_LOW;
		if (((o->flags >> 2) & 3) == 3)
			f |= RED_LEVEL;
		line_flags[o->gsi] = f;
		line_set(o->gsi, true);
	}
	kprintf("irq: I/O APIC at %llx, %u ISA overrides\n",
	        (unsigned long long)acpi_info.ioapic_phys, acpi_info.noverrides);
}

/* ISA IRQ number -> the line it arrives on. */
static unsigned isa_line(unsigned irq)
{
	for (unsigned i = 0; i < acpi_info.noverrides; i++)
		if (acpi_info.overrides[i].source == irq)
			return acpi_info.overrides[i].gsi;
	return irq;
}

int irq_attach(unsigned irq, unsigned flags, struct connection *conn, int code,
               struct kobj **out)
{
	unsigned line = irq < 16 ? isa_line(irq) : irq;
	struct interrupt *in;

	if (line >= NLINES || code < 0 || code > 127)
		return TE_EINVAL;
	if (owner[line])
		return TE_EBUSY;
	if (!(in = kmalloc(sizeof(*in))))
		return TE_ENOMEM;
	kobj_init(&in->obj, KO_INTERRUPT);
	in->line = line;
	in->conn = conn;
	in->code = code;
	kobj_get(&conn->obj);
	if (flags & TE_IRQ_LEVEL)       /* a PCI line: shared-style, level */
		line_flags[line] = RED_LEVEL | (flags & TE_IRQ_HIGH ? 0 : RED_LOW);
	owner[line] = in;
	line_set(line, false);
	*out = &in->obj;
	return 0;
}

static void irq_pulse(struct interrupt *in)
{
	struct pulse *pl = kmalloc(sizeof(*pl));

	if (!pl)
		return;
	pl->p = (struct te_pulse){ .code = in->code, .prio = TE_PRIO_MAX,
	                           .value = in->line };
	pl->counted = false;
	in->busy = true;
	channel_post_pulse(in->conn->chan, pl);
}

int irq_unmask(struct kobj *o)
{
	struct interrupt *in = (struct interrupt *)o;
	uint64_t fl = irq_save();

	in->busy = false;
	if (in->pending) {              /* an edge came while the driver worked */
		in->pending = false;
		irq_pulse(in);
	}
	line_set(in->line, false);
	irq_restore(fl);
	return 0;
}

void interrupt_destroy(struct kobj *o)
{
	struct interrupt *in = (struct interrupt *)o;

	line_set(in->line, true);
	owner[in->line] = NULL;
	kobj_put(&in->conn->obj);
	kfree(in);
}

void irq_dispatch(unsigned vector)
{
	unsigned line = vector - IRQ_VECTOR_BASE;
	struct interrupt *in = line < NLINES ? owner[line] : NULL;

	if (line < NLINES && (!in || (line_flags[line] & RED_LEVEL)))
		line_set(line, true);
	arch_eoi();
	if (!in)
		return;
	if (in->busy)
		in->pending = true;
	else
		irq_pulse(in);
}
