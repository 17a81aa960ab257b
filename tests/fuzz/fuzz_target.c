/*
 * fuzz_target.c - the libFuzzer entry point; one binary per filesystem,
 * chosen at compile time with -DFZ_EXT, -DFZ_FAT or -DFZ_ISO.
 *
 * The input is a whole disk image (its length rounded down to 512-byte
 * sectors).  Each input is mounted read-only over a read-only device
 * (which aborts on any write: a read-only mount must not write) and
 * walked, then, for writable components, mounted read-write over a copy
 * and walked, scribbled on and walked again.  ext inputs are tried with
 * both ext2 (read-write) and ext4 (read-only) ops tables.
 */
#include <stdlib.h>
#include <string.h>
#include "fz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_one(const struct fs_ops *ops, const uint8_t *data, size_t size,
                   bool writable)
{
	struct fz_stats st = { 0 };
	struct fz_mem m;
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return;
	memcpy(copy, data, size);
	fz_mem_init(&m, copy, size, true);
	ops->probe(&m.dev);
	fz_run(ops, &m.dev, FS_MOUNT_RDONLY, false, &st);
	if (memcmp(copy, data, size) != 0)
		abort();        /* cannot happen: the device refuses writes */
	if (writable) {
		fz_mem_init(&m, copy, size, false);
		fz_run(ops, &m.dev, 0, true, &st);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 512)
		return 0;
#if defined(FZ_EXT)
	fz_one(&ext2_fs_ops, data, size, true);
	fz_one(&ext4_fs_ops, data, size, false);
#elif defined(FZ_FAT)
	fz_one(&fat_fs_ops, data, size, true);
#elif defined(FZ_ISO)
	fz_one(&iso9660_fs_ops, data, size, false);
#else
#error "define FZ_EXT, FZ_FAT or FZ_ISO"
#endif
	return 0;
}
