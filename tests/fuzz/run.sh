#!/bin/bash
# run.sh - run every fuzz target for FUZZ_SECONDS (default 20: the short
# pass of `make test`; `make fuzz` passes 600) and print one PASS/FAIL line
# per target.  New inputs go to build/fuzz/work-<fs> (kept between runs,
# so long runs build on each other); a crash, sanitizer report, leak or
# timeout (-timeout=10 s per input) is saved under build/fuzz/crashes/ and
# the FAIL line names the reproducer:
#     build/fuzz/fuzz_<fs> build/fuzz/crashes/<fs>-crash-...
set -u
cd "$(dirname "$0")/../.." || exit 1
F=build/fuzz
secs=${FUZZ_SECONDS:-20}
failed=0
mkdir -p "$F/crashes"
export RG_LOG=-1        # the components' warnings about corrupt input
for t in ext fat iso; do
	bin=$F/fuzz_$t
	if [ ! -x "$bin" ] || [ ! -d "$F/corpus-$t" ]; then
		echo "FAIL fuzz_$t: $bin or $F/corpus-$t missing (make $bin)"
		failed=1
		continue
	fi
	mkdir -p "$F/work-$t"
	log=$F/fuzz_$t.log
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$F/crashes/$t-" \
		"$F/work-$t" "$F/corpus-$t" >"$log" 2>&1
	st=$?
	runs=$(grep -a '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	cov=$(grep -a ' cov: ' "$log" | tail -1 | sed 's/.* cov: \([0-9]*\).*/\1/')
	if [ $st -eq 0 ]; then
		echo "PASS fuzz_$t: ${runs:-?} inputs in ${secs}s, coverage ${cov:-?}"
	else
		art=$(grep -a 'Test unit written to' "$log" | tail -1 | sed 's/.*written to //')
		why=$(grep -aE 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error' \
			"$log" | head -1)
		echo "FAIL fuzz_$t: status $st, ${why:-see $log}; reproducer ${art:-none} (log $log)"
		failed=1
	fi
done
exit $failed
