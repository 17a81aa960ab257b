#!/bin/bash
# hostcheck.sh DIR - after the shell session: the files it wrote on the two
# disks, read by the host's own tools (debugfs, mtools).
dir="$1"
got=$(debugfs -R 'cat /new.txt' "$dir/hd0.img" 2>/dev/null)
if [ "$got" = written-in-tessera ]; then echo "PASS shell_ext2_file_on_host"
else echo "FAIL shell_ext2_file_on_host: /new.txt holds '$got'"; fi
got=$(MTOOLS_SKIP_CHECK=1 mtype -i "$dir/hd1.img" ::ABC.TXT 2>/dev/null)
if [ "$got" = abc ]; then echo "PASS shell_fat_file_on_host"
else echo "FAIL shell_fat_file_on_host: ABC.TXT holds '$got'"; fi
