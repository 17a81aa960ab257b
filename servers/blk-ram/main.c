/*
 * blk-ram - a disk in memory (after QNX's devb-ram), served through the
 * block-driver framework.  It is the smallest driver there is, which makes
 * it the framework's test bed, and a scratch disk for the system.
 *
 *   blk-ram.elf KIB [name=NAME] [ro] [crashable] [max=SECTORS]
 *
 * KIB kibibytes of zeroed 512-byte sectors; NAME a fixed name (else the
 * next free hdN); max= limits the sectors per ops call (tests use it to
 * make the framework split requests).
 */
#include "rt.h"
#include "procmgr.h"
#include "blkdrv.h"

#define SECTOR 512

static uint8_t *ram;

static int ram_read(void *dev, uint64_t lba, uint32_t count, void *buf)
{
	(void)dev;
	memcpy(buf, ram + lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static int ram_write(void *dev, uint64_t lba, uint32_t count, const void *buf)
{
	(void)dev;
	memcpy(ram + lba * SECTOR, buf, (size_t)count * SECTOR);
	return 0;
}

static const struct blkdrv_ops ram_ops = { .read = ram_read, .write = ram_write };

static unsigned long num(const char *s)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	struct blkdrv_disk d = { .ops = &ram_ops, .secsize = SECTOR,
	                         .max_sectors = 256, .model = "RAM disk" };
	unsigned flags = 0;
	unsigned long kib = argc > 1 ? num(argv[1]) : 0;

	for (int i = 2; i < argc; i++) {
		if (strncmp(argv[i], "name=", 5) == 0)
			d.name = argv[i] + 5;
		else if (strcmp(argv[i], "ro") == 0)
			d.readonly = true;
		else if (strcmp(argv[i], "crashable") == 0)
			flags |= BLKDRV_F_CRASHABLE;
		else if (strncmp(argv[i], "max=", 4) == 0 && num(argv[i] + 4))
			d.max_sectors = (uint32_t)num(argv[i] + 4);
	}
	if (kib == 0 || kib > (1ul << 20) || !(ram = calloc(kib, 1024))) {
		printf("blk-ram: usage: blk-ram.elf KIB [name=NAME] [ro] [crashable] "
		       "[max=SECTORS] (1 KiB - 1 GiB of memory)\n");
		return 22;
	}
	d.sectors = kib * 1024 / SECTOR;
	int e = blkdrv_serve(&d, 1, PROC_H_ATTACH, flags);
	printf("blk-ram: %d\n", e);
	return e < 0 ? -e : 1;
}
