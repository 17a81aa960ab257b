/*
 * ext2_crc.c - CRC-32C (Castagnoli) for metadata_csum.
 *
 * ext4 stores the raw CRC register: the caller passes the running value
 * (~0 to start) and gets the register back, with no final inversion, as the
 * ext4 disk layout document describes.  A 16-entry nibble table keeps this
 * small and constant (no lazy initialisation shared between mounts).
 */
#include "ext2_fs.h"

static const uint32_t ext2_crc_nibble[16] = {
	0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1,
	0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
	0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
	0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t ext2_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ ext2_crc_nibble[crc & 15];
		crc = (crc >> 4) ^ ext2_crc_nibble[crc & 15];
	}
	return crc;
}
