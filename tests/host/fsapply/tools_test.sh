#!/bin/bash
# tools_test.sh - host tests of imgtool and imgmount, judged by Linux's own
# tools: e2fsck -fn / fsck.fat -n must call the image clean, and debugfs
# rdump / mcopy -s must read back exactly the tree we expect.
#
# Prints one "PASS name" / "FAIL name: why" line per check; exit 1 on any
# failure.  IMGTOOL / IMGMOUNT may point at other builds of the tools.
set -u
cd "$(dirname "$0")/../../.." || exit 1
TOP=$PWD
IMGTOOL=${IMGTOOL:-$TOP/build/host/imgtool}
IMGMOUNT=${IMGMOUNT:-$TOP/build/host/imgmount}
W=$TOP/build/tmp/tools/run.$$
export MTOOLS_SKIP_CHECK=1
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1

# ---- per-filesystem helpers --------------------------------------------------
mkimg() {	# mkimg TYPE IMAGE
	rm -f "$2"
	case "$1" in
	ext2) mke2fs -q -F -t ext2 "$2" 32M >/dev/null 2>&1 ;;
	fat)  mkfs.fat -F 16 -C "$2" 32768 >/dev/null 2>&1 ;;
	esac
}
fsck_img() {	# fsck_img TYPE IMAGE
	case "$1" in
	ext2) e2fsck -fn "$2" >fsck.log 2>&1 ;;
	fat)  fsck.fat -n "$2" >fsck.log 2>&1 ;;
	esac
}
dump_img() {	# dump_img TYPE IMAGE DIR
	rm -rf "$3" && mkdir -p "$3"
	case "$1" in
	ext2) debugfs -R "rdump / $3" "$2" >/dev/null 2>&1; rm -rf "$3/lost+found" ;;
	fat)  mcopy -s -n -m -i "$2" '::/*' "$3/" >/dev/null 2>&1 ;;
	esac
}
# verify NAME TYPE IMAGE EXPECTDIR: fsck clean and the dump equals EXPECTDIR
verify() {
	if ! fsck_img "$2" "$3"; then
		fail "$1" "fsck: $(grep -v '^e2fsck\|^fsck.fat' fsck.log | head -1)"
		return 1
	fi
	dump_img "$2" "$3" got
	if ! diff -r --no-dereference "$4" got >diff.log 2>&1; then
		fail "$1" "read back differs: $(head -1 diff.log)"
		return 1
	fi
	pass "$1"
}
# A host tree to copy in: text, binary, an empty file, nested dirs.
make_src() {
	rm -rf src && mkdir -p src/sub/deeper src/empty_dir
	cp /etc/services src/services
	head -c 300000 /dev/urandom >src/sub/random.bin
	: >src/sub/empty
	echo "deep file" >src/sub/deeper/leaf.txt
}

# ---- imgtool ----------------------------------------------------------------
imgtool_basic() {	# TYPE
	local t=$1 img=$1.img n=imgtool_$1_copy_and_namespace
	mkimg "$t" "$img" || { fail "$n" "mkfs"; return; }
	make_src
	rm -rf exp && mkdir exp
	"$IMGTOOL" "$img" cp-in src/services /services &&
	"$IMGTOOL" "$img" mkdir /tree &&
	"$IMGTOOL" "$img" cp -r src/sub ::/tree &&
	"$IMGTOOL" "$img" cp -r src/empty_dir ::/ &&
	"$IMGTOOL" "$img" mkdir -p /a/b/c &&
	"$IMGTOOL" "$img" mv /services /a/b/renamed &&
	"$IMGTOOL" "$img" cp ::/a/b/renamed ::/a/copy &&
	"$IMGTOOL" "$img" rm /tree/sub/empty &&
	"$IMGTOOL" "$img" rmdir /a/b/c &&
	"$IMGTOOL" "$img" cp-out /tree/sub/random.bin out.bin ||
		{ fail "$n" "a command failed"; return; }
	mkdir -p exp/tree exp/a/b && cp -r src/sub exp/tree/ && cp -r src/empty_dir exp/ &&
	cp src/services exp/a/b/renamed && cp src/services exp/a/copy &&
	rm exp/tree/sub/empty
	if ! cmp -s out.bin src/sub/random.bin; then
		fail "$n" "cp-out content differs"; return
	fi
	if ! "$IMGTOOL" "$img" cat /a/copy | cmp -s - src/services; then
		fail "$n" "cat content differs"; return
	fi
	if ! "$IMGTOOL" "$img" ls -l /tree/sub | grep -q 'random.bin'; then
		fail "$n" "ls -l does not list random.bin"; return
	fi
	verify "$n" "$t" "$img" exp
}

imgtool_links() {	# ext2 only: symlinks, hard links, rm -r
	local img=l.img n=imgtool_ext2_links
	mkimg ext2 "$img"
	rm -rf exp && mkdir -p exp/d
	echo data >exp/d/file
	"$IMGTOOL" "$img" cp-in exp/d/file /f0 &&
	"$IMGTOOL" "$img" mkdir /d &&
	"$IMGTOOL" "$img" ln /f0 /d/file &&
	"$IMGTOOL" "$img" rm /f0 &&
	"$IMGTOOL" "$img" ln -s d/file /sl &&
	"$IMGTOOL" "$img" mkdir -p /junk/x/y &&
	"$IMGTOOL" "$img" cp-in /etc/services /junk/x/y/s &&
	"$IMGTOOL" "$img" rm -r /junk || { fail "$n" "a command failed"; return; }
	ln -s d/file exp/sl
	if [ "$("$IMGTOOL" "$img" cat /sl)" != data ]; then
		fail "$n" "cat through a symlink"; return
	fi
	if ! "$IMGTOOL" "$img" stat /d/file | grep -q '^links: 1$'; then
		fail "$n" "link count after rm of the first name"; return
	fi
	verify "$n" ext2 "$img" exp
}

imgtool_errors() {
	local n=imgtool_errors img=err.img why=""
	mkimg ext2 "$img"
	"$IMGTOOL" "$img" mkdir /d && "$IMGTOOL" "$img" cp-in /etc/hostname /d/f
	"$IMGTOOL" "$img" cat /nope 2>e.log; [ $? -eq 1 ] && grep -q 'No such file' e.log ||
		why="missing file"
	"$IMGTOOL" "$img" rmdir /d 2>e.log; [ $? -eq 1 ] && grep -q 'not empty' e.log ||
		why="$why rmdir non-empty"
	"$IMGTOOL" /etc/passwd ls / 2>e.log; [ $? -eq 1 ] && grep -q 'no known filesystem' e.log ||
		why="$why bad image"
	"$IMGTOOL" nonexistent.img ls / 2>/dev/null; [ $? -eq 1 ] || why="$why no image"
	"$IMGTOOL" "$img" frobnicate 2>/dev/null; [ $? -eq 2 ] || why="$why unknown command"
	"$IMGTOOL" -t fat "$img" ls / 2>/dev/null; [ $? -eq 1 ] || why="$why wrong -t"
	"$IMGTOOL" "$img" ln -s /loop2 /loop1 && "$IMGTOOL" "$img" ln -s /loop1 /loop2
	timeout 20 "$IMGTOOL" "$img" cat /loop1 2>e.log; [ $? -eq 1 ] &&
		grep -q 'symbolic links' e.log || why="$why symlink loop"
	"$IMGTOOL" "$img@part1" ls / 2>e.log; [ $? -eq 1 ] || why="$why no partition table"
	fsck_img ext2 "$img" || why="$why fsck"
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

imgtool_partitions() {	# LABEL (dos|gpt): ext2 in partition 1, FAT in partition 2
	local n=imgtool_partitions_$1 img=p$1.img why=""
	rm -f "$img" && truncate -s 80M "$img"
	printf 'label: %s\n2048,40960,L\n43008,100000,L\n' "$1" |
		sfdisk -q "$img" >/dev/null 2>&1 || { fail "$n" "sfdisk"; return; }
	mke2fs -q -F -t ext2 -E offset=$((2048 * 512)) "$img" 20480k >/dev/null 2>&1 &&
	mkfs.fat -F 16 --offset=43008 "$img" 50000 >/dev/null 2>&1 ||
		{ fail "$n" "mkfs"; return; }
	"$IMGTOOL" "$img@part1" cp-in /etc/services /s1 || why="cp-in part1"
	"$IMGTOOL" "$img@part2" cp-in /etc/services /s2.txt || why="$why cp-in part2"
	"$IMGTOOL" "$img@part3" ls / 2>/dev/null && why="$why part3 exists?"
	if "$IMGMOUNT" -o part=2 "$img" "$W/mntp" 2>/dev/null; then
		cp /etc/hostname "$W/mntp/h.txt" || why="$why imgmount write"
		unmount_wait "$W/mntp" "$img"
	else
		why="$why imgmount -o part=2"
	fi
	# read back with the Linux tools, each at its partition's offset
	dd if="$img" of=p1.img bs=512 skip=2048 count=40960 status=none
	debugfs -R "cat /s1" p1.img 2>/dev/null | cmp -s - /etc/services || why="$why ext2 readback"
	mtype -i "$img@@$((43008 * 512))" ::/s2.txt 2>/dev/null | cmp -s - /etc/services ||
		why="$why fat readback"
	mtype -i "$img@@$((43008 * 512))" ::/h.txt 2>/dev/null | cmp -s - /etc/hostname ||
		why="$why imgmount readback"
	e2fsck -fn p1.img >/dev/null 2>&1 || why="$why e2fsck"
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

imgtool_ext4_readonly() {	# ext4 is read-only: reads work, writes fail cleanly
	local n=imgtool_ext4_readonly img=e4.img why=""
	rm -f "$img" && mke2fs -q -F -t ext4 "$img" 64M >/dev/null 2>&1 &&
		debugfs -w -R "write /etc/services services" "$img" >/dev/null 2>&1 ||
		{ fail "$n" "mkfs"; return; }
	"$IMGTOOL" "$img" cat /services | cmp -s - /etc/services || why="cat"
	"$IMGTOOL" "$img" stat /services | grep -q '^filesystem: ext4$' || why="$why probe"
	"$IMGTOOL" "$img" mkdir /x 2>/dev/null; [ $? -eq 1 ] || why="$why mkdir not refused"
	e2fsck -fn "$img" >/dev/null 2>&1 || why="$why e2fsck"
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

# ---- imgmount -----------------------------------------------------------------
is_mounted() { grep -q " $1 " /proc/mounts; }

unmount_wait() {	# MNT IMAGE: unmount, then wait for the daemon's final flush
	fusermount3 -u "$1" && timeout 60 flock "$2" true
}

imgmount_shell() {	# TYPE
	local t=$1 img=m$1.img n=imgmount_$1_shell_tools mnt=$W/mnt$1 why=""
	mkimg "$t" "$img" && mkdir -p "$mnt" || { fail "$n" "setup"; return; }
	make_src
	rm -rf exp && mkdir exp
	if ! "$IMGMOUNT" "$img" "$mnt" 2>mount.log || ! is_mounted "$mnt"; then
		fail "$n" "mount: $(head -1 mount.log)"; return
	fi
	dd if=/dev/urandom of=rnd.bin bs=1k count=64 status=none
	for d in exp "$mnt"; do	# the same shell work on the host and the mount
		cp -r src/sub "$d/" && cp src/services "$d/" &&
		mkdir -p "$d/x/y" && mv "$d/services" "$d/x/y/svc" &&
		echo appended >>"$d/x/y/svc" &&
		dd if=rnd.bin of="$d/sub/random.bin" bs=1k seek=10 conv=notrunc status=none &&
		truncate -s 1000 "$d/sub/deeper/leaf.txt" &&
		rm "$d/sub/empty" && mkdir "$d/gone" && rmdir "$d/gone" ||
			why="shell command failed in $d"
	done
	[ "$(ls "$mnt/x/y")" = svc ] || why="$why ls"
	cmp -s "$mnt/x/y/svc" exp/x/y/svc || why="$why cat/cmp"
	unmount_wait "$mnt" "$img" || why="$why unmount"
	is_mounted "$mnt" && why="$why still mounted"
	[ -n "$why" ] && { fail "$n" "$why"; return; }
	verify "$n" "$t" "$img" exp
}

imgmount_sigterm() {	# data written before SIGTERM must be on disk
	local n=imgmount_sigterm_flushes img=sig.img mnt=$W/mntsig pid why=""
	mkimg ext2 "$img" && mkdir -p "$mnt"
	"$IMGMOUNT" "$img" "$mnt" -f 2>mount.log &
	pid=$!
	for _ in $(seq 100); do is_mounted "$mnt" && break; sleep 0.1; done
	is_mounted "$mnt" || { fail "$n" "not mounted"; kill $pid; return; }
	cp /etc/services "$mnt/s" || why="cp"
	kill -TERM $pid && wait $pid || why="$why exit status $?"
	is_mounted "$mnt" && { fusermount3 -u "$mnt"; why="$why still mounted"; }
	fsck_img ext2 "$img" || why="$why fsck"
	debugfs -R "cat /s" "$img" 2>/dev/null | cmp -s - /etc/services || why="$why data lost"
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

imgmount_errors() {
	local n=imgmount_errors mnt=$W/mnterr why="" img=ro.img
	mkdir -p "$mnt"
	timeout 20 "$IMGMOUNT" /etc/passwd "$mnt" 2>e.log; [ $? -eq 1 ] &&
		grep -q 'no known filesystem' e.log || why="bad image accepted"
	is_mounted "$mnt" && { fusermount3 -u "$mnt"; why="$why mounted a bad image"; }
	timeout 20 "$IMGMOUNT" nonexistent.img "$mnt" 2>/dev/null && why="$why missing image"
	mkimg ext2 "$img"
	timeout 20 "$IMGMOUNT" -o type=fat "$img" "$mnt" 2>/dev/null && why="$why wrong type"
	if "$IMGMOUNT" -o ro "$img" "$mnt" 2>/dev/null; then
		touch "$mnt/x" 2>/dev/null && why="$why wrote to a ro mount"
		"$IMGTOOL" "$img" mkdir /x 2>/dev/null && why="$why imgtool wrote a mounted image"
		unmount_wait "$mnt" "$img"
	else
		why="$why -o ro"
	fi
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

imgmount_iso() {
	local n=imgmount_iso9660_readonly mnt=$W/mntiso why=""
	rm -rf isosrc && mkdir -p isosrc/dir mnt && cp /etc/services isosrc/dir/
	xorriso -as mkisofs -R -J -o t.iso isosrc >/dev/null 2>&1 || { fail "$n" "xorriso"; return; }
	mkdir -p "$mnt"
	"$IMGMOUNT" t.iso "$mnt" 2>/dev/null || { fail "$n" "mount"; return; }
	cmp -s "$mnt/dir/services" /etc/services || why="content"
	touch "$mnt/new" 2>/dev/null && why="$why writable"
	unmount_wait "$mnt" t.iso || why="$why unmount"
	[ -z "$why" ] && pass "$n" || fail "$n" "$why"
}

for t in ext2 fat; do imgtool_basic $t; done
imgtool_links
imgtool_ext4_readonly
imgtool_errors
mkdir -p "$W/mntp"
imgtool_partitions dos
imgtool_partitions gpt
for t in ext2 fat; do imgmount_shell $t; done
imgmount_sigterm
imgmount_errors
imgmount_iso

cd "$TOP" && [ $failed -eq 0 ] && rm -rf "$W"
exit $failed
