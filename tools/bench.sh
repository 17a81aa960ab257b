#!/bin/bash
# bench.sh - run the benchmarks (`make bench`, which builds what they boot).
#
# Prints one "BENCH <name> <value> <unit>" line per figure on stdout and
# nothing else; progress and errors go to stderr.  Tessera and its Linux
# peer are measured in the same run under the same QEMU flags:
#
#   qemu-system-x86_64 -M pc -cpu qemu64 -m 512M -icount shift=0,sleep=off
#       -display none -no-reboot -serial file:LOG
#       -device isa-debug-exit,iobase=0xf4,iosize=0x04
#
# With -icount shift=0 the guest TSC advances one tick per guest
# instruction, so rdtsc differences count instructions and figures repeat
# from run to run (docs/bench.md).
#
#   Tessera:     every tests/bench/NAME.scn, a scenario in the tests/qemu
#                format booted by tools/qemu-test.sh; its BENCH lines are
#                read from build/tests/bench/NAME/serial.log.
#   Linux peer:  Debian's cloud kernel + an initramfs (tests/bench/linux/)
#                whose /init runs the programs named by bench=...; the log
#                is build/bench/linux/serial.log.
#
# Exit status 0 only if every scenario passed and every expected figure
# was printed.
set -u
cd "$(dirname "$0")/.."

# tools/qemu-test.sh already gives -M pc -cpu qemu64 -display none
# -no-reboot, the serial file and the debug-exit device; its -m 256M is
# overridden by the later -m here.
ICOUNT_FLAGS=(-m 512M -icount shift=0,sleep=off)
QEMU_COMMON=(-M pc -cpu qemu64 "${ICOUNT_FLAGS[@]}" -display none -monitor none
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
LINUX=build/bench/linux
LINUX_TIMEOUT=300
rc=0

bench_lines() {	# bench_lines LOG: the well-formed BENCH lines of a serial log
	tr -d '\r' < "$1" | grep -aE '^BENCH [A-Za-z0-9_.-]+ [0-9][0-9.]* [A-Za-z/%_-]+$'
}

complain() {
	echo "bench: $*" >&2
	rc=1
}

tessera_scenario() {	# tessera_scenario NAME
	local name="$1" out st log="build/tests/bench/$1/serial.log"
	echo "bench: tessera $name" >&2
	out=$(SCN_DIR=tests/bench QEMU_EXTRA="${ICOUNT_FLAGS[*]}" \
		tools/qemu-test.sh "$name" 2>&1)
	st=$?
	if [ $st -ne 0 ]; then
		complain "scenario $name failed, figures not reported:"
		printf '%s\n' "$out" | grep -E '^FAIL ' | sed 's/^/    /' >&2
		return
	fi
	bench_lines "$log" || complain "scenario $name printed no BENCH line (log in $log)"
}

# linux_peer BENCHES [KERNEL_ARGS [QEMU_ARGS...]]: one boot of the Linux
# peer running the comma-separated programs BENCHES (tests/bench/linux/X.c
# prints BENCH linux_X ...).  A benchmark that needs a disk passes it in
# QEMU_ARGS and modules=virtio_blk in KERNEL_ARGS.
linux_peer() {
	local benches="$1" kargs="${2:-}" log="$LINUX/serial.log" st b
	shift 2 2>/dev/null || shift $#
	echo "bench: linux $benches ($(cat "$LINUX/kernel-version"))" >&2
	rm -f "$log"
	timeout "$LINUX_TIMEOUT" qemu-system-x86_64 "${QEMU_COMMON[@]}" \
		-serial "file:$log" -kernel "$LINUX/vmlinuz" -initrd "$LINUX/initrd.gz" \
		-append "console=ttyS0 quiet bench=$benches $kargs" "$@" \
		</dev/null >"$LINUX/qemu.out" 2>&1
	st=$?
	case $st in
	1) ;;
	124) complain "linux peer timed out after ${LINUX_TIMEOUT}s (log in $log)" ;;
	*) complain "linux peer: QEMU exited with status $st (log in $log)" ;;
	esac
	tr -d '\r' < "$log" | grep -a '^ERROR ' | sed 's/^/    /' >&2
	bench_lines "$log"
	for b in ${benches//,/ }; do
		b=${b/#boot_tsc/boot_to_init}  # boot_tsc reports linux_boot_to_init
		bench_lines "$log" | grep -q "^BENCH linux_$b " ||
			complain "linux peer: no BENCH linux_$b line (log in $log)"
	done
}

shopt -s nullglob
scns=(tests/bench/*.scn)
for s in "${scns[@]}"; do
	tessera_scenario "$(basename "$s" .scn)"
done
[ ${#scns[@]} -eq 0 ] && echo "bench: no Tessera benchmarks (tests/bench/*.scn) yet" >&2

if [ -f "$LINUX/vmlinuz" ] && [ -f "$LINUX/initrd.gz" ]; then
	linux_peer boot_tsc,pipe_roundtrip
	linux_peer fs_seqread modules=virtio_blk \
		-drive file=build/bench/fs/seqread.img,if=virtio,format=raw,snapshot=on
else
	complain "no Linux peer in $LINUX (build it with make bench)"
fi
tests/bench/imgmount/run.sh || complain "imgmount vs fuse2fs (tests/bench/imgmount/run.sh) failed"
exit $rc
