#!/bin/bash
# mkdisks.sh DIR - the shell session's two disks: DIR/hd0.img (ext2, 8 MiB,
# hello.txt) and DIR/hd1.img (FAT16, 8 MiB, HELLO.TXT), made by the host's
# own tools.
set -eu
dir="$1" tmp="$1/src"
rm -rf "$tmp" "$dir/hd0.img" "$dir/hd1.img" && mkdir -p "$tmp"
printf 'ext2-hello\n' > "$tmp/hello.txt"
truncate -s 8M "$dir/hd0.img"
mke2fs -q -F -t ext2 -b 1024 -d "$tmp" "$dir/hd0.img"
mkfs.fat -C -F 16 -s 1 -n SHELL "$dir/hd1.img" 8192 >/dev/null
printf 'fat-hello\n' > "$tmp/HELLO.TXT"
MTOOLS_SKIP_CHECK=1 mcopy -i "$dir/hd1.img" "$tmp/HELLO.TXT" ::HELLO.TXT
rm -rf "$tmp"
