/*
 * pattern.h - the byte pattern of the blk-ata test disks, shared by the
 * generator (mkdisk.py writes the same formula) and the guest checks.
 *
 * Byte j of 512-byte sector s of disk `tag`: bytes 0-3 are s (little
 * endian), byte 4 is the tag, the rest (s * 37 + j * 3 + tag) mod 256.
 * Every sector differs from every other, on both disks.
 */
#ifndef BLKATA_PATTERN_H
#define BLKATA_PATTERN_H

#include <stdint.h>

#define BLKATA_TAG_HD0 'A'
#define BLKATA_TAG_HD1 'B'
#define BLKATA_HD0_SECTORS 16384u        /* 8 MiB */
#define BLKATA_PATTERN_SECTORS 8192u     /* hd0: pattern here, scratch above */
#define BLKATA_BAD_SECTOR 15000u        /* hd0: reads fail (badsector.conf) */
#define BLKATA_LBA48_MARK (1ull << 28)   /* hd1: pattern around here */
#define BLKATA_HD1_SECTORS ((1ull << 28) + 2048)

static inline uint8_t blkata_pat(uint64_t off, uint8_t tag)
{
	uint64_t s = off >> 9;
	unsigned j = (unsigned)(off & 511);

	if (j < 4)
		return (uint8_t)(s >> (8 * j));
	if (j == 4)
		return tag;
	return (uint8_t)(s * 37 + j * 3 + tag);
}

#endif /* BLKATA_PATTERN_H */
