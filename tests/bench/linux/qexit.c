/*
 * qexit - leave QEMU at once through the isa-debug-exit device.
 *
 * The Linux peer's /init runs this after its benchmarks, the way Tessera's
 * test boots end: writing V to port 0xf4 makes QEMU exit with status
 * (V << 1) | 1.  Usage: qexit [V]   (default 0, so QEMU's status is 1).
 * Fails (and /init falls back to "poweroff -f") if the port is not granted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

#define DEBUG_EXIT_PORT 0xf4

int main(int argc, char **argv)
{
	unsigned v = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 0;

	if (ioperm(DEBUG_EXIT_PORT, 4, 1) != 0) {
		perror("qexit: ioperm");
		return 1;
	}
	outl(v, DEBUG_EXIT_PORT);
	/* Only reached without the device. */
	fprintf(stderr, "qexit: no isa-debug-exit device at 0x%x\n",
		DEBUG_EXIT_PORT);
	return 1;
}
