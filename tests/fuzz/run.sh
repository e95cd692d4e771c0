#!/usr/bin/env bash
# run.sh FUZZ_BUILD SECONDS TARGET... — run each libFuzzer target for
# SECONDS on its corpus: the committed seeds (tests/fuzz/corpus/TARGET),
# the generated ones (FUZZ_BUILD/seeds/TARGET, from seeds.sh; state.json
# has none) and what earlier runs kept (FUZZ_BUILD/corpus/TARGET, where
# new inputs go).  A crash is saved as FUZZ_BUILD/crash-TARGET-<sha1> and
# fails the run; the last line of each target's log (execs, execs/s) is
# printed, the whole log is FUZZ_BUILD/fuzz-TARGET.log.
set -uo pipefail
build=${1:?usage: run.sh FUZZ_BUILD SECONDS TARGET...}
secs=${2:?usage: run.sh FUZZ_BUILD SECONDS TARGET...}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for t in "$@"; do
	mkdir -p "$build/corpus/$t"
	dirs=("$build/corpus/$t" "$here/corpus/$t")
	[ -d "$build/seeds/$t" ] && dirs+=("$build/seeds/$t")
	log=$build/fuzz-$t.log
	# process and resources inputs are JSON of the same spec: one
	# dictionary (the spec's keys and values) serves every target.
	"$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-dict="$here/config.dict" -artifact_prefix="$build/crash-$t-" \
		"${dirs[@]}" >"$log" 2>&1
	r=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	echo "fuzz $t: ${runs:-?} execs in ${secs}s (${speed:-?}/s), $cov, $(ls "$build/corpus/$t" | wc -l) inputs kept"
	if [ $r -ne 0 ]; then
		echo "fuzz $t: FAILED (exit $r), see $log:" >&2
		grep -m1 -A12 'ERROR:\|runtime error' "$log" >&2
		rc=1
	fi
done
exit $rc
