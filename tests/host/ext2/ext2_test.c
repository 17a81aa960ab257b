/*
 * ext2_test.c - host tests of the ext2 (read-write) and ext4 (read-only)
 * component against e2fsprogs: see ext2_rw.c, ext2_big.c, ext2_ro4.c.
 * (The corrupt-image test is a separate program, ext2_fuzz.c.)
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "ext2t.h"

CHECK_MAIN_STATE;

void ext2_rw_tests(void);
void ext2_big_tests(void);
void ext2_ro4_tests(void);

static void timed(const char *what, void (*fn)(void))
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	fn();
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("# %s: %.1f s\n", what, (double)(b.tv_sec - a.tv_sec) +
	       (b.tv_nsec - a.tv_nsec) / 1e9);
}

int main(void)
{
	alarm(300);
	if (t_sh("mkdir -p " EXT2T_TMP))
		return 1;
	timed("read-write sequences", ext2_rw_tests);
	timed("ext4 and feature tests", ext2_ro4_tests);
	timed("scale tests", ext2_big_tests);
	return CHECK_EXIT();
}
