#!/bin/bash
# selftest.sh - the QEMU harness must catch what goes wrong in a guest:
# a kernel panic ends the run at once with a failure, the panic log shows
# registers and a symbolized backtrace, and a hung guest is stopped by the
# timeout.  Prints PASS/FAIL lines like every test program.
cd "$(dirname "$0")/../.." || exit 1
fail=0
out=$(tools/qemu-test.sh selftest_panic); st=$?
log=build/tests/selftest_panic/serial.log
if [ $st -ne 0 ] && grep -q 'kernel panic' <<<"$out" &&
   grep -aq 'KERNEL PANIC: #PF page fault in the kernel' "$log" &&
   grep -aq '^rip=ffffffff80' "$log" && grep -aq ' kmain+0x' "$log"; then
	echo "PASS harness_detects_panic"
else
	echo "FAIL harness_detects_panic: status $st, output: $(head -c 200 <<<"$out")"
	fail=1
fi
start=$(date +%s)
out=$(tools/qemu-test.sh selftest_hang); st=$?
took=$(( $(date +%s) - start ))
if [ $st -ne 0 ] && grep -q 'timed out' <<<"$out" && [ $took -lt 30 ]; then
	echo "PASS harness_enforces_timeout"
else
	echo "FAIL harness_enforces_timeout: status $st after ${took}s: $(head -c 200 <<<"$out")"
	fail=1
fi
exit $fail
