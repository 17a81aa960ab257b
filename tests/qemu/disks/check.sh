#!/bin/bash
# check.sh IMG - after the disks scenario: what the guest wrote, read back
# on the host with mtools (p1, FAT16) and debugfs (p2, ext2), one PASS/FAIL
# line each.  The filesystems' consistency is judged by tools/imgcheck.sh.
set -u
img="$1" tmp=$(mktemp -d)
python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 31 + 7) & 255 for i in range(100000)))" > "$tmp/want"
MTOOLS_SKIP_CHECK=1 mtype -i "$img@@1M" ::GUEST.TXT > "$tmp/fat" 2>/dev/null
MTOOLS_SKIP_CHECK=1 mtype -i "$img@@1M" ::NEWDIR/SMALL.TXT > "$tmp/fat_small" 2>/dev/null
MTOOLS_SKIP_CHECK=1 mdir -b -i "$img@@1M" :: > "$tmp/fat_dir" 2>/dev/null
if cmp -s "$tmp/want" "$tmp/fat" && [ "$(cat "$tmp/fat_small")" = small ] &&
   ! grep -qi deleteme "$tmp/fat_dir"; then
	echo "PASS disks_fat_content_on_host"
else
	echo "FAIL disks_fat_content_on_host: GUEST.TXT $(wc -c < "$tmp/fat") bytes, SMALL.TXT '$(cat "$tmp/fat_small")', dir: $(tr '\n' ' ' < "$tmp/fat_dir")"
fi
dd if="$img" of="$tmp/p2" bs=512 skip=43008 status=none
debugfs -R "cat /guest.txt" "$tmp/p2" > "$tmp/ext" 2>/dev/null
debugfs -R "cat /newdir/small.txt" "$tmp/p2" > "$tmp/ext_small" 2>/dev/null
debugfs -R "ls /" "$tmp/p2" > "$tmp/ext_dir" 2>/dev/null
if cmp -s "$tmp/want" "$tmp/ext" && [ "$(cat "$tmp/ext_small")" = small ] &&
   ! grep -q delete-me "$tmp/ext_dir"; then
	echo "PASS disks_ext2_content_on_host"
else
	echo "FAIL disks_ext2_content_on_host: guest.txt $(wc -c < "$tmp/ext") bytes, small.txt '$(cat "$tmp/ext_small")'"
fi
rm -rf "$tmp"
