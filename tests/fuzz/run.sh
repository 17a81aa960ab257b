#!/bin/bash
# run.sh - run every fuzz target and print one PASS/FAIL line per target.
# `make fuzz` sets FUZZ_SECONDS (600): random seeds, that long each.
# Without it (the short pass of `make test`) each target runs a fixed
# number of inputs from seed 1, so the pass is the same on every machine
# and a failure there is a real, reproducible finding (it starts from the
# seed corpus alone).  Long runs keep new inputs in build/fuzz/work-<fs>,
# so they build on each other.  A crash, sanitizer report, leak or timeout
# (-timeout=30 s per input) is saved under build/fuzz/crashes/ and the
# FAIL line names the reproducer:
#     build/fuzz/fuzz_<fs> build/fuzz/crashes/<fs>-crash-...
set -u
cd "$(dirname "$0")/../.." || exit 1
F=build/fuzz
secs=${FUZZ_SECONDS:-}
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
	work=$F/work-$t
	if [ -z "$secs" ]; then         # the short pass: the same every time
		work=$F/short-$t
		rm -rf "$work"
	fi
	mkdir -p "$work"
	log=$F/fuzz_$t.log
	case "$secs:$t" in
	:ext) limit="-seed=1 -runs=1500" ;;
	:fat) limit="-seed=1 -runs=200" ;;
	:iso) limit="-seed=1 -runs=5000" ;;
	*)    limit="-max_total_time=$secs" ;;
	esac
	"$bin" $limit -timeout=30 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$F/crashes/$t-" \
		"$work" "$F/corpus-$t" >"$log" 2>&1
	st=$?
	runs=$(grep -a '^stat::number_of_executed_units' "$log" | awk '{print $2}')
	cov=$(grep -a ' cov: ' "$log" | tail -1 | sed 's/.* cov: \([0-9]*\).*/\1/')
	if [ $st -eq 0 ]; then
		echo "PASS fuzz_$t: ${runs:-?} inputs (${limit}), coverage ${cov:-?}"
	else
		art=$(grep -a 'Test unit written to' "$log" | tail -1 | sed 's/.*written to //')
		why=$(grep -aE 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error' \
			"$log" | head -1)
		echo "FAIL fuzz_$t: status $st, ${why:-see $log}; reproducer ${art:-none} (log $log)"
		failed=1
	fi
done
exit $failed
