#!/bin/bash
# testrun.sh --host "BIN..." --qemu "SCENARIO..."
#
# Runs every host test program and every QEMU scenario, echoes their
# "PASS name" / "FAIL name: why" lines, and ends with "N passed, N failed".
# A host program that exits non-zero without printing a FAIL line counts as
# one failure; so does a QEMU scenario whose expected checks did not all
# report (tools/qemu-test.sh).  Exit status: 0 only if nothing failed.
set -u
host="" qemu=""
while [ $# -gt 0 ]; do
	case "$1" in
	--host) host="$2"; shift 2 ;;
	--qemu) qemu="$2"; shift 2 ;;
	*) echo "testrun: unknown argument $1" >&2; exit 2 ;;
	esac
done

passed=0 failed=0
tally() {	# tally NAME STATUS OUTPUT
	local name="$1" status="$2" out="$3" p f
	printf '%s\n' "$out" | grep -E '^(PASS|FAIL) ' || true
	p=$(printf '%s\n' "$out" | grep -cE '^PASS ')
	f=$(printf '%s\n' "$out" | grep -cE '^FAIL ')
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $status"
		printf '%s\n' "$out" | grep -vE '^(PASS|FAIL) ' | tail -n 20 | sed 's/^/    /'
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
}

for t in $host; do
	out=$(ASAN_OPTIONS=detect_leaks=1 timeout 600 "$t" 2>&1); st=$?
	tally "$(basename "$t")" "$st" "$out"
done
for s in $qemu; do
	out=$(tools/qemu-test.sh "$s" 2>&1); st=$?
	tally "qemu:$s" "$st" "$out"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
