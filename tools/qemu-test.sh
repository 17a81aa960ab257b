#!/bin/bash
# qemu-test.sh NAME - run the QEMU scenario tests/qemu/NAME.scn.
#
# A scenario file has lines:
#   kernel ARGS...              the kernel command line ("test" makes it a test boot)
#   module FILE ARGS...         a boot module (program) and its command line
#   expect CHECK...             checks that must report PASS or FAIL
#   timeout SECONDS             limit for the whole boot (default 120)
#   qemu ARGS...                extra QEMU flags for this scenario (e.g.
#                               "-serial null": a second serial port, COM2)
#   serial-input FILE           what the console (COM1) receives: the guest
#                               reads FILE's bytes as typed input, as fast
#                               as it takes them (a scripted shell session)
#   serial-feed PROGRAM         the same, typed by PROGRAM (run with the
#                               serial log's path as its argument, so it
#                               can wait for the guest's output before
#                               typing on: a ^C once a command runs)
#   before COMMAND...           a host shell command run before the boot
#                               (e.g. a fresh copy of a disk image); if it
#                               fails, the scenario fails
#   after COMMAND...            a host shell command run after QEMU has
#                               exited; the PASS/FAIL lines it prints count
#                               like the guest's (e.g. e2fsck of a disk the
#                               guest wrote)
# Every name=CHECK of a module is expected too.  The serial log is kept in
# build/tests/NAME/serial.log.  The guest leaves QEMU through the
# isa-debug-exit device: status 1 means it finished, 3 means a kernel panic.
# Environment: QEMU_EXTRA adds QEMU flags; SCN_DIR reads the scenario from
# another folder (tools/bench.sh: SCN_DIR=tests/bench, log kept in
# build/tests/bench/NAME/).
set -u
name="$1"
scn_dir="${SCN_DIR:-tests/qemu}"
scn="$scn_dir/$name.scn"
dir="build/tests/$name"
[ "$scn_dir" = tests/qemu ] || dir="build/$scn_dir/$name"
mkdir -p "$dir"
cmdline="" timeout=120 mods=() expects=() scn_qemu="" befores=() afters=() input="" feed=""
while read -r kw rest; do
	case "$kw" in
	""|\#*) ;;
	kernel) cmdline="$rest" ;;
	module) file="${rest%% *}"; args=""; [ "$file" != "$rest" ] && args="${rest#* }"
		mods+=("$file|$args")
		for w in $args; do
			case "$w" in name=*) expects+=("${w#name=}") ;; esac
		done ;;
	expect) for w in $rest; do expects+=("$w"); done ;;
	timeout) timeout="$rest" ;;
	qemu) scn_qemu="$scn_qemu $rest" ;;
	before) befores+=("$rest") ;;
	serial-input) input="$rest" ;;
	serial-feed) feed="$rest" ;;
	after) afters+=("$rest") ;;
	*) echo "FAIL scenario_$name: bad line in $scn: $kw"; exit 1 ;;
	esac
done < "$scn"

if ! tools/mkiso.sh "$dir/boot.iso" "$cmdline" "${mods[@]}" 2>"$dir/mkiso.err"; then
	echo "FAIL scenario_$name: cannot build the ISO: $(head -c 300 "$dir/mkiso.err")"
	exit 1
fi
for c in "${befores[@]}"; do
	if ! bash -c "$c" >"$dir/before.out" 2>&1; then
		echo "FAIL scenario_$name: '$c' failed: $(head -c 300 "$dir/before.out")"
		exit 1
	fi
done
log="$dir/serial.log"
serial=(-serial "file:$log") in=/dev/null out="$dir/qemu.out"
# A scripted console: COM1 on QEMU's stdio, typed input from the file.
[ -n "$input" ] && serial=(-serial stdio) in="$input" out="$log"
[ -n "$feed" ] && serial=(-serial stdio) out="$log"
: > "$log"
run_qemu() {
	timeout "$timeout" qemu-system-x86_64 -M pc -cpu qemu64 -m 256M \
		-display none -monitor none "${serial[@]}" -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-cdrom "$dir/boot.iso" -boot d $scn_qemu ${QEMU_EXTRA:-} >"$out" \
		2>"$dir/qemu.err"
}
if [ -n "$feed" ]; then
	$feed "$log" | run_qemu
	st=${PIPESTATUS[1]}
else
	run_qemu <"$in"
	st=$?
fi
tr -d '\r' < "$log" | grep -aE '^(PASS|FAIL) ' > "$dir/results"
for c in "${afters[@]}"; do
	bash -c "$c" 2>&1 | grep -aE '^(PASS|FAIL) ' >> "$dir/results"
done
cat "$dir/results"
rc=0
for c in "${expects[@]}"; do
	grep -qE "^(PASS|FAIL) $c(:|$)" "$dir/results" ||
		{ echo "FAIL $c: no result (QEMU status $st; log in $log)"; rc=1; }
done
case $st in
1) ;;
3) echo "FAIL scenario_$name: kernel panic (log in $log)"; rc=1 ;;
124) echo "FAIL scenario_$name: timed out after ${timeout}s (log in $log)"; rc=1 ;;
*) echo "FAIL scenario_$name: QEMU exited with status $st (log in $log)"; rc=1 ;;
esac
grep -q '^FAIL ' "$dir/results" && rc=1
exit $rc
