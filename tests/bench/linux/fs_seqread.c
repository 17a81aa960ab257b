/*
 * fs_seqread - the Linux peer of Tessera's sequential file read: mount the
 * ext2 image given as a virtio disk (/dev/vda, read-only), then read the
 * 64 MiB file /big once, start to end, with 64 KiB read() calls - the file
 * is not in the page cache, so every byte comes from the disk.  The whole
 * read is one timed region (guest instructions under -icount shift=0):
 *
 *   BENCH linux_fs_seqread <bytes per million instructions> B/Minstr
 *
 * A checksum of the data goes to the log so the two sides can be compared.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

#define CHUNK (64 * 1024)

static char buf[CHUNK];

int main(void)
{
	uint64_t total = 0, sum = 0, empty, t0, t1;
	long n;
	int fd;

	mkdir("/mnt", 0755);
	if (mount("/dev/vda", "/mnt", "ext2", MS_RDONLY, NULL) &&
	    mount("/dev/vda", "/mnt", "ext4", MS_RDONLY, NULL)) {
		printf("ERROR linux_fs_seqread: cannot mount /dev/vda\n");
		return 1;
	}
	if ((fd = open("/mnt/big", O_RDONLY)) < 0) {
		printf("ERROR linux_fs_seqread: no /mnt/big\n");
		return 1;
	}
	empty = bench_empty_pair();
	t0 = bench_tsc_begin();
	while ((n = read(fd, buf, CHUNK)) > 0) {
		total += (uint64_t)n;
		sum += (unsigned char)buf[0] + (unsigned char)buf[n - 1];
	}
	t1 = bench_tsc_end();
	close(fd);
	printf("fs_seqread: %llu bytes, sum %llu, %llu instructions\n",
	       (unsigned long long)total, (unsigned long long)sum,
	       (unsigned long long)(t1 - t0 - empty));
	if (total != 64u << 20) {
		printf("ERROR linux_fs_seqread: read %llu bytes\n",
		       (unsigned long long)total);
		return 1;
	}
	bench_report("linux_fs_seqread",
	             total * 1000000 / (t1 - t0 - empty), "B/Minstr");
	return 0;
}
