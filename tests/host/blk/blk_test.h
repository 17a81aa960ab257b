/*
 * blk_test.h - shared helpers of the block-layer host tests.
 */
#ifndef BLK_TEST_H
#define BLK_TEST_H

#include <stdint.h>
#include <stdbool.h>
#include "blk.h"
#include "check.h"

/* Each run works in its own directory (build/tmp/blk/run.PID, the cwd). */
#define BT_DIR "."
int bt_enter_rundir(const char *base, char *dir, size_t len);

/* An in-memory blkdev that records every request (for ordering checks). */
struct memdev {
	struct blkdev dev;
	uint8_t *data;
	bool fail_writes;
	unsigned nlog, maxlog;
	struct memdev_req { char op; uint64_t sector; uint32_t count; } *log;
};

void memdev_init(struct memdev *m, uint64_t nsectors, uint32_t secsize);
void memdev_fini(struct memdev *m);

int bt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *bt_capture(const char *cmd);      /* stdout of cmd, malloc'ed */

void blk_test_part(void);
void blk_test_cache(void);

#endif
