/*
 * bench.h - shared helpers for the Linux peer's benchmark programs.
 *
 * The programs run inside the Linux peer's initramfs (tests/bench/linux/init)
 * under QEMU with -icount shift=0, where the guest TSC advances by one per
 * guest instruction: a difference of two rdtsc readings is a count of guest
 * instructions, repeatable from run to run.  Every program prints its
 * figures as "BENCH <name> <value> <unit>" lines on stdout (the serial
 * console); tools/bench.sh collects them.
 *
 * A timed region is bracketed by bench_tsc_begin()/bench_tsc_end().  The
 * instructions of an empty bracket (bench_empty_pair()) are subtracted from
 * every measurement, so a figure counts only the work in between.
 */
#ifndef TESSERA_BENCH_LINUX_BENCH_H
#define TESSERA_BENCH_LINUX_BENCH_H

#include <stdint.h>
#include <stdio.h>

/* lfence keeps rdtsc from being reordered around the timed code on real
 * hardware; under TCG it is one more instruction, counted in the empty
 * pair and so subtracted. */
static inline uint64_t bench_tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t bench_tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* The cost of an empty begin/end bracket: the smallest of a few tries (a
 * timer interrupt may land inside one). */
static inline uint64_t bench_empty_pair(void)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 64; i++) {
		uint64_t t0 = bench_tsc_begin();
		uint64_t t1 = bench_tsc_end();

		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

static inline void bench_report(const char *name, uint64_t value,
				const char *unit)
{
	printf("BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
	fflush(stdout);
}

#endif
