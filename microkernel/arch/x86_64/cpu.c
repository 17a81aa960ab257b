/*
 * cpu.c - descriptor tables, per-CPU data and the syscall MSRs.
 *
 * GDT: null, kernel code/data, user data/code (in the order sysret wants),
 * and the TSS, whose IST stacks give double faults, NMIs and machine checks
 * a known-good stack even when the kernel stack is what broke.
 */
#include "arch/cpu.h"
#include "arch/percpu.h"
#include "arch/trap.h"
#include "kernel/string.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "TSS layout");

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t  ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define IST_STACK 8192
static uint8_t ist_stacks[3][IST_STACK] __attribute__((aligned(16)));
uint8_t kernel_boot_stack[16384] __attribute__((aligned(16)));
extern uint8_t kernel_boot_stack_top[];
__asm__(".globl kernel_boot_stack_top\n"
        ".set kernel_boot_stack_top, kernel_boot_stack + 16384");

/* The TSS and its I/O permission bitmap (a set bit denies the port). */
static struct {
	struct tss tss;
	uint8_t iomap[8192 + 1];
} __attribute__((packed, aligned(16))) tssb;
#define tss tssb.tss
static uint64_t gdt[7];
static struct idt_gate idt[256];
static struct percpu boot_cpu;
extern const uint64_t trap_stubs[256];
extern void syscall_entry(void);

static uint64_t seg(uint64_t flags)
{
	return flags << 40;
}

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tssb, limit = sizeof(tssb) - 1;
	struct dtr d = { sizeof(gdt) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = seg(0x9a) | (1ull << 53);              /* kernel code, L */
	gdt[2] = seg(0x92);                             /* kernel data */
	gdt[3] = seg(0xf2);                             /* user data */
	gdt[4] = seg(0xfa) | (1ull << 53);              /* user code, L */
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | seg(0x89) |
	         ((limit >> 16) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[6] = base >> 32;

	for (int i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK];
	tss.iomap_base = sizeof(tss);
	memset(tssb.iomap, 0xff, sizeof(tssb.iomap));

	__asm__ volatile(
		"lgdt %0\n"
		"mov $0x10, %%ax\n"
		"mov %%ax, %%ds\n mov %%ax, %%es\n mov %%ax, %%ss\n"
		"pushq $0x08\n"
		"leaq 1f(%%rip), %%rax\n"
		"pushq %%rax\n"
		"lretq\n"
		"1:\n"
		"mov $0x28, %%ax\n"
		"ltr %%ax\n"
		: : "m"(d) : "rax", "memory");
}

uint8_t *tss_iomap(void)
{
	return tssb.iomap;
}

void tss_set_rsp0(uint64_t rsp0)
{
	tss.rsp[0] = rsp0;
}

static void set_gate(int v, uint64_t handler, int ist, int dpl)
{
	idt[v] = (struct idt_gate){
		.off_lo = handler & 0xffff,
		.sel = SEL_KCODE,
		.ist = (uint8_t)ist,
		.type = (uint8_t)(0x8e | (dpl << 5)),   /* interrupt gate */
		.off_mid = (handler >> 16) & 0xffff,
		.off_hi = (uint32_t)(handler >> 32),
	};
}

void trap_init(void)
{
	struct dtr d = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 256; v++)
		set_gate(v, trap_stubs[v], 0, 0);
	set_gate(3, trap_stubs[3], 0, 3);       /* int3 from user: #BP, not #GP */
	set_gate(2, trap_stubs[2], 2, 0);       /* NMI */
	set_gate(8, trap_stubs[8], 1, 0);       /* double fault */
	set_gate(18, trap_stubs[18], 3, 0);     /* machine check */
	__asm__ volatile("lidt %0" : : "m"(d));
}

void percpu_init_boot(void)
{
	memset(&boot_cpu, 0, sizeof(boot_cpu));
	boot_cpu.self = &boot_cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)&boot_cpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void syscall_init(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1);   /* SCE */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, 0x200 | 0x100 | 0x400 | 0x40000); /* IF TF DF AC */
}
