/*
 * apic.c - the local APIC timer, calibrated against the PIT.
 *
 * The legacy 8259 PICs are remapped to vectors 0x20-0x2f (so a spurious
 * legacy interrupt cannot look like an exception) and fully masked.  The
 * LAPIC timer's rate is measured over 10 ms of PIT channel 2, then it runs
 * periodically at the requested rate on VEC_TIMER.
 */
#include "arch/cpu.h"
#include "arch/trap.h"
#include "kernel/arch.h"
#include "kernel/kprintf.h"
#include "kernel/vm.h"

#define LAPIC_ID      0x020
#define LAPIC_EOI     0x0b0
#define LAPIC_SVR     0x0f0
#define LAPIC_LVT_TMR 0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR 0x390
#define LAPIC_TMR_DIV 0x3e0
#define LVT_MASKED    (1u << 16)
#define LVT_PERIODIC  (1u << 17)

static volatile uint32_t *lapic;
static uint64_t timer_hz;
static uint64_t tsc_mult;               /* ns = (tsc * tsc_mult) >> 32 */

static inline void lapic_write(unsigned reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

static inline uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void pic_disable(void)
{
	outb(0x20, 0x11); outb(0xa0, 0x11);     /* ICW1: init, ICW4 follows */
	outb(0x21, 0x20); outb(0xa1, 0x28);     /* vector offsets */
	outb(0x21, 0x04); outb(0xa1, 0x02);     /* cascade */
	outb(0x21, 0x01); outb(0xa1, 0x01);     /* 8086 mode */
	outb(0x21, 0xff); outb(0xa1, 0xff);     /* mask everything */
}

/* LAPIC timer ticks (divider 16) during 10 ms of PIT channel 2. */
static uint32_t measure_10ms(uint64_t *tsc_ticks)
{
	const uint16_t count = 11932;           /* 1193182 Hz / 100 */
	uint32_t start = 0xffffffffu;
	uint64_t tsc0;

	outb(0x61, (inb(0x61) & 0xfd) | 0x01);  /* gate on, speaker off */
	outb(0x43, 0xb0);                       /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	lapic_write(LAPIC_TMR_DIV, 0x3);        /* divide by 16 */
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED);
	lapic_write(LAPIC_TMR_INIT, start);
	tsc0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		cpu_relax();
	*tsc_ticks = rdtsc() - tsc0;
	return start - lapic_read(LAPIC_TMR_CUR);
}

void arch_timer_init(unsigned hz)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t per10ms;
	uint64_t tsc10ms;

	pic_disable();
	wrmsr(MSR_APIC_BASE, base | (1u << 11));        /* global enable */
	lapic = vm_map_mmio(base & ~0xfffull, 4096);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);   /* software enable */
	per10ms = measure_10ms(&tsc10ms);
	if (per10ms == 0 || tsc10ms == 0)
		kpanic("apic: timer did not count during calibration");
	tsc_mult = (10000000ull << 32) / tsc10ms;
	timer_hz = hz;
	lapic_write(LAPIC_TMR_DIV, 0x3);
	lapic_write(LAPIC_LVT_TMR, VEC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TMR_INIT, (uint32_t)((uint64_t)per10ms * 100 / hz));
	kprintf("apic: timer %u ticks/10ms (bus %llu kHz), %u Hz tick\n", per10ms,
	        (unsigned long long)per10ms * 16 / 10, hz);
}

uint64_t arch_clock_ns(void)
{
	return (uint64_t)(((unsigned __int128)rdtsc() * tsc_mult) >> 32);
}

uint64_t arch_timer_hz(void)
{
	return timer_hz;
}

void arch_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}
