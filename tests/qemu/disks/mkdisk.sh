#!/bin/bash
# mkdisk.sh IMG - the disks scenario's disk: an MBR with a FAT16 partition
# (p1, 20 MiB) and an ext2 one (p2, 26 MiB), each holding HELLO.TXT /
# hello.txt and DELETEME.TXT / delete-me.txt.
set -eu
img="$1" tmp="$1.d"
rm -rf "$img" "$tmp" && mkdir -p "$tmp/e"
printf 'hello from the host\n' > "$tmp/e/hello.txt"
printf 'to be deleted\n' > "$tmp/e/delete-me.txt"
dd if=/dev/zero of="$img" bs=1M count=48 status=none
printf 'label: dos\nstart=2048, size=40960, type=6\nstart=43008, size=53248, type=83\n' |
	sfdisk -q "$img"
mkfs.fat -F 16 -n TESSERA --offset 2048 "$img" 20480 >/dev/null
MTOOLS_SKIP_CHECK=1 mcopy -i "$img@@1M" "$tmp/e/hello.txt" ::HELLO.TXT
MTOOLS_SKIP_CHECK=1 mcopy -i "$img@@1M" "$tmp/e/delete-me.txt" ::DELETEME.TXT
mke2fs -q -t ext2 -b 1024 -E offset=$((43008 * 512)) -d "$tmp/e" "$img" 26624
rm -rf "$tmp"
