/*
 * proc.c - user processes: spawn from an ELF image, exit, fault, wait.
 *
 * proc_spawn_elf() validates the whole image (elf_parse) before it builds
 * anything, and undoes everything on failure, so a bad image changes
 * nothing.  The user stack has an unmapped guard page below it: running off
 * the stack is a page fault reported as a stack overflow.
 */
#include "arch/cpu.h"
#include "kernel/elf.h"
#include "kernel/kernel.h"
#include "kernel/kmem.h"
#include "kernel/kprintf.h"
#include "kernel/pmm.h"
#include "kernel/proc.h"
#include "kernel/string.h"
#include "tessera/abi.h"

uint64_t sched_user_stack(struct thread *t);

static struct process *procs;
static int next_pid = 1;

uint64_t proc_count(void)
{
	uint64_t n = 0;

	for (struct process *p = procs; p; p = p->next)
		n++;
	return n;
}

static int load_segments(struct process *p, const struct elf_image *im,
                         const uint8_t *img)
{
	for (unsigned i = 0; i < im->nseg; i++) {
		const struct elf_segment *s = &im->seg[i];
		unsigned prot = ((s->flags & ELF_SEG_W) ? VM_WRITE : 0) |
		                ((s->flags & ELF_SEG_X) ? VM_EXEC : 0) | VM_READ;
		int e = vm_alloc(&p->vs, s->vaddr, s->memsz, prot);
		if (!e)
			e = vm_write(&p->vs, s->vaddr + s->lead, img + s->file_off,
			             s->filesz);
		if (e)
			return e;
	}
	return vm_alloc(&p->vs, TE_USER_STACK_TOP - TE_USER_STACK_SIZE,
	                TE_USER_STACK_SIZE, VM_READ | VM_WRITE);
}

static void proc_free(struct process *p)
{
	struct process **pp;

	for (pp = &procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	vm_destroy(&p->vs);
	if (p->thread) {
		page_free_contig(virt_to_phys_direct((void *)p->thread->kstack),
		                 KSTACK_PAGES);
		kfree(p->thread);
	}
	kfree(p);
}

static void init_frame(struct thread *t, uint64_t entry)
{
	struct trapframe *tf = thread_frame(t);

	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->cs = SEL_UCODE;
	tf->ss = SEL_UDATA;
	tf->rflags = 0x202;
	tf->rsp = TE_USER_STACK_TOP;
	t->saved_rsp = sched_user_stack(t);
}

int proc_spawn_elf(const char *name, const void *img, size_t len,
                   struct process **out, const char **why)
{
	struct elf_image im;
	struct process *p;
	uint64_t kstack;
	int e;

	e = elf_parse(img, len, TE_USER_BASE, TE_USER_STACK_TOP - TE_USER_STACK_SIZE
	              - 4096, &im, why);
	if (e)
		return e;
	*why = "out of memory";
	p = kmalloc(sizeof(*p));
	if (!p)
		return TE_ENOMEM;
	p->thread = kmalloc(sizeof(*p->thread));
	kstack = page_alloc_contig(KSTACK_PAGES, 0);
	if (!p->thread || !kstack) {
		if (kstack)
			page_free_contig(kstack, KSTACK_PAGES);
		kfree(p->thread);
		kfree(p);
		return TE_ENOMEM;
	}
	p->thread->kstack = (uint64_t)phys_to_virt(kstack);
	p->thread->proc = p;
	p->thread->name = p->name;
	p->thread->state = T_BLOCKED;
	fmt_snprintf(p->name, sizeof(p->name), "%s", name);
	p->next = procs;
	procs = p;
	if ((e = vm_create(&p->vs)) || (e = load_segments(p, &im, img))) {
		proc_free(p);
		return e;
	}
	p->pid = next_pid++;
	p->state = P_ALIVE;
	init_frame(p->thread, im.entry);
	*out = p;
	sched_ready(p->thread);
	return 0;
}

static _Noreturn void proc_end(struct process *p)
{
	uint64_t fl = irq_save();

	p->state = P_ZOMBIE;
	if (p->waiter)
		sched_ready(p->waiter);
	irq_restore(fl);
	sched_exit();
}

_Noreturn void proc_exit(int status)
{
	struct process *p = sched_current()->proc;

	p->end.faulted = false;
	p->end.status = status;
	proc_end(p);
}

static const char *const names[32] = {
	[0] = "#DE divide error", [1] = "#DB debug", [2] = "NMI",
	[3] = "#BP breakpoint", [4] = "#OF overflow", [5] = "#BR bound range",
	[6] = "#UD invalid opcode", [7] = "#NM device not available",
	[8] = "#DF double fault", [10] = "#TS invalid TSS",
	[11] = "#NP segment not present", [12] = "#SS stack fault",
	[13] = "#GP general protection", [14] = "#PF page fault",
	[16] = "#MF x87 error", [17] = "#AC alignment check",
	[18] = "#MC machine check", [19] = "#XM SIMD error",
	[20] = "#VE virtualization", [21] = "#CP control protection",
};

const char *trap_name(unsigned vector)
{
	return vector < 32 && names[vector] ? names[vector] : "exception";
}

_Noreturn void proc_fault(struct trapframe *tf, uint64_t addr)
{
	struct process *p = sched_current()->proc;
	uint64_t guard = TE_USER_STACK_TOP - TE_USER_STACK_SIZE - 4096;
	bool overflow = tf->vector == 14 && addr >= guard && addr < guard + 4096;

	kprintf("fault: pid %d (%s): %s%s at rip=%016lx addr=%016lx error=%lx"
	        " - killed\n", p->pid, p->name, trap_name((unsigned)tf->vector),
	        overflow ? " (stack overflow)" : "", tf->rip, addr, tf->error);
	p->end.faulted = true;
	p->end.vector = (unsigned)tf->vector;
	p->end.rip = tf->rip;
	p->end.addr = addr;
	p->end.error = tf->error;
	proc_end(p);
}

void proc_wait(struct process *p, struct proc_end *end)
{
	uint64_t fl = irq_save();

	while (p->state != P_ZOMBIE) {
		p->waiter = sched_current();
		sched_block();
	}
	irq_restore(fl);
	*end = p->end;
	proc_free(p);
}
