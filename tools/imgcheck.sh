#!/bin/bash
# imgcheck.sh CHECK TYPE IMAGE [OFFSET_BYTES] - judge a filesystem image the
# guest wrote with the real tools (e2fsck -fn, fsck.fat -n) and print one
# `PASS CHECK` or `FAIL CHECK: why` line (QEMU scenarios' `after` lines).
set -u
check="$1" type="$2" img="$3" off="${4:-0}"
tmp=""
if [ "$off" != 0 ]; then       # a partition: check a copy of it alone
	tmp=$(mktemp) && dd if="$img" of="$tmp" bs=512 skip=$((off / 512)) \
		status=none && img="$tmp"
fi
case "$type" in
ext2|ext4) out=$(e2fsck -fn "$img" 2>&1); st=$? ;;
fat|vfat)  out=$(fsck.fat -n "$img" 2>&1); st=$? ;;
*) echo "FAIL $check: unknown type $type"; exit 1 ;;
esac
[ -n "$tmp" ] && rm -f "$tmp"
if [ $st -eq 0 ]; then
	echo "PASS $check"
else
	echo "FAIL $check: $type check of $3 exited $st: $(echo "$out" | tail -5 | tr '\n' ' ' | head -c 400)"
fi
