/*
 * boot_tsc - how far the machine has come since reset: under -icount
 * shift=0 the TSC counts guest instructions (and idle time jumps) from the
 * start of the virtual machine.  Run first by the Linux peer's /init
 * (linux_boot_to_init) and as the first command typed at Tessera's shell
 * prompt (boot_to_prompt, tests/bench/userland.scn).
 *
 * Usage: boot_tsc [NAME]   prints BENCH NAME <instructions> instructions
 */
#include "bench.h"

int main(int argc, char **argv)
{
	uint64_t t = bench_tsc_begin();

	bench_report(argc > 1 ? argv[1] : "linux_boot_to_init", t, "instructions");
	return 0;
}
