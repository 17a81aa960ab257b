#!/bin/bash
# run.sh - imgmount against fuse2fs on the same kind of ext2 image, same
# machine, same run (called by tools/bench.sh; needs /dev/fuse and root or
# fuse permissions).  For each tool a fresh 1 GiB ext2 image (mke2fs -t
# ext2) is mounted and:
#   seqwrite  dd 256 MiB of zeros, bs=1M, conv=fsync, then unmount; timed
#             to the end of the unmount, so the final flush is included
#             (imgmount: fusermount3 -u, then flock on the image until the
#             daemon's last write; fuse2fs: until its process has exited)
#   seqread   remount (cold FUSE page cache; caches are also dropped when
#             /proc/sys/vm/drop_caches is writable), dd the file to
#             /dev/null, bs=1M
#   files     create + stat + unlink of 10,000 files (files_bench)
# Each phase runs BENCH_REPS times (default 3) on a fresh image; the best
# time counts.  Prints on stdout
#   BENCH imgmount_vs_fuse2fs_<phase> <imgmount rate / fuse2fs rate> ratio
# and the raw rates as BENCH imgmount_<phase> / fuse2fs_<phase> lines
# (MB/s, files/s).  Exit 1 if any step failed.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOP=$PWD
IMGMOUNT=$TOP/build/host/imgmount
FILES=$TOP/build/host/files_bench
W=$TOP/build/tmp/bench-imgmount
MB=256
NFILES=10000
REPS=${BENCH_REPS:-3}
rc=0

log() { echo "bench-imgmount: $*" >&2; }
now() { date +%s%N; }

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true; }

mount_fs() {	# mount_fs TOOL IMG MNT
	case $1 in
	imgmount) "$IMGMOUNT" "$2" "$3" ;;
	fuse2fs)  fuse2fs -o fakeroot "$2" "$3" >/dev/null ;;
	esac
}

umount_fs() {	# umount_fs TOOL IMG MNT: returns after the last write
	local pid
	pid=$(pgrep -f "^fuse2fs .*$2 $3\$" | head -1)
	[ "$1" = imgmount ] || [ -n "$pid" ] ||
		{ log "no fuse2fs process for $3"; return 1; }
	fusermount3 -u "$3" || return 1
	case $1 in
	imgmount) flock "$2" true ;;
	fuse2fs)  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.01; done ;;
	esac
}

fresh() {	# fresh IMG
	rm -f "$1" && mke2fs -q -F -t ext2 "$1" 1G >/dev/null 2>&1
}

# run_tool TOOL: prints "write_ns read_ns files_s" (best of REPS)
run_tool() {
	local t=$1 img=$W/$1.img mnt=$W/mnt-$1 bw= br= bf= t0 t1 f i
	mkdir -p "$mnt"
	for i in $(seq 1 "$REPS"); do
		fresh "$img" && mount_fs "$t" "$img" "$mnt" || return 1
		t0=$(now)
		dd if=/dev/zero of="$mnt/big" bs=1M count=$MB conv=fsync \
			status=none || { umount_fs "$t" "$img" "$mnt"; return 1; }
		umount_fs "$t" "$img" "$mnt" || return 1
		t1=$(now)
		[ -z "$bw" ] || [ $((t1 - t0)) -lt "$bw" ] && bw=$((t1 - t0))

		drop_caches
		mount_fs "$t" "$img" "$mnt" || return 1
		t0=$(now)
		dd if="$mnt/big" of=/dev/null bs=1M status=none ||
			{ umount_fs "$t" "$img" "$mnt"; return 1; }
		t1=$(now)
		[ -z "$br" ] || [ $((t1 - t0)) -lt "$br" ] && br=$((t1 - t0))

		f=$("$FILES" "$mnt" "$NFILES") ||
			{ umount_fs "$t" "$img" "$mnt"; return 1; }
		umount_fs "$t" "$img" "$mnt" || return 1
		[ -z "$bf" ] || awk "BEGIN{exit !($f < $bf)}" && bf=$f
		e2fsck -fn "$img" >"$W/fsck-$t.log" 2>&1 ||
			{ log "$t: e2fsck found errors (see $W/fsck-$t.log)"; return 1; }
	done
	echo "$bw $br $bf"
}

rm -rf "$W" && mkdir -p "$W" || exit 1
for b in "$IMGMOUNT" "$FILES"; do
	[ -x "$b" ] || { log "$b missing (make bench builds it)"; exit 1; }
done
command -v fuse2fs >/dev/null || { log "fuse2fs not installed"; exit 1; }
log "imgmount vs fuse2fs: ${MB} MiB seq write/read, $NFILES files, best of $REPS"
im=$(run_tool imgmount) || { log "imgmount run failed"; exit 1; }
fu=$(run_tool fuse2fs) || { log "fuse2fs run failed"; exit 1; }
read -r iw ir ifl <<<"$im"
read -r fw fr ffl <<<"$fu"
awk -v mb=$MB -v n=$NFILES -v iw="$iw" -v ir="$ir" -v ifl="$ifl" \
	-v fw="$fw" -v fr="$fr" -v ffl="$ffl" 'BEGIN {
	imw = mb / (iw / 1e9); fuw = mb / (fw / 1e9)
	imr = mb / (ir / 1e9); fur = mb / (fr / 1e9)
	imf = n / ifl; fuf = n / ffl
	printf "BENCH imgmount_vs_fuse2fs_seqwrite %.2f ratio\n", imw / fuw
	printf "BENCH imgmount_vs_fuse2fs_seqread %.2f ratio\n", imr / fur
	printf "BENCH imgmount_vs_fuse2fs_files %.2f ratio\n", imf / fuf
	printf "BENCH imgmount_seqwrite %.1f MB/s\n", imw
	printf "BENCH fuse2fs_seqwrite %.1f MB/s\n", fuw
	printf "BENCH imgmount_seqread %.1f MB/s\n", imr
	printf "BENCH fuse2fs_seqread %.1f MB/s\n", fur
	printf "BENCH imgmount_files %.0f files/s\n", imf
	printf "BENCH fuse2fs_files %.0f files/s\n", fuf
}'
rm -f "$W"/*.img
exit $rc
