#!/usr/bin/env bash
# sanitize.sh SAN_BUILD [BATS-FILE...] — the unit suite and the integration
# suite (or the bats files given) on the ASan + UBSan build in SAN_BUILD
# (make check-sanitize builds it).  Every sanitizer report is written to
# SAN_BUILD/reports/ (log_path: a report of a child whose output a test
# swallows is not lost); any report, or any failing test, fails the run.
#
# What the sanitizers cannot see (docs/testing.md): the container child
# after pivot_root writes a report only to stderr (the report directory is
# not in its root), and code after a seccomp filter that denies
# sigaltstack(2) cannot exit through an instrumented noreturn call (ASan's
# __asan_handle_no_return calls it) — the unit tests exit such children
# with a raw exit_group, berth's children with exit_now() (util/util.h).
set -uo pipefail
san=$(realpath "${1:?usage: sanitize.sh SAN_BUILD [BATS-FILE...]}")
shift
cd "$(dirname "$0")/.."
reports=$san/reports
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:print_summary=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
start=$SECONDS
rc=0

for t in "$san"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" --jobs 1 || rc=1
done

# By default every integration file but those whose time goes to other
# programs or to repetition, not to more of berth's code: the engines'
# (podman, containerd, docker: daemons and image loads around berth's
# create/start/exec, which the other files drive directly), the load test,
# and the crash points (the crash build, not this one, is what they kill).
SAN_SKIP=${SAN_SKIP:-engine_podman engine_podman_rootless containerd docker load crash}
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	for f in tests/integration/*.bats; do
		b=$(basename "$f" .bats)
		[[ " $SAN_SKIP " == *" $b "* ]] && { echo "check-sanitize: $b.bats left to make integration"; continue; }
		files+=("$f")
	done
fi
BERTH=$san/berth bats --print-output-on-failure "${files[@]}" |
	tee "$san/integration.tap"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
awk '/^ok .* # skip/ { s++; next } /^ok / { p++ } /^not ok / { f++ }
	END { printf "check-sanitize: integration %d passed, %d failed, %d skipped\n", p, f, s }' \
	"$san/integration.tap"

# A report has ASan's/LSan's "ERROR:" or UBSan's "runtime error:"; what
# else lands there is the sanitizers' own trouble, shown but not counted:
# LeakSanitizer cannot stop a process frozen by the cgroup freezer or in
# the middle of a SIGKILL ("Unable to get registers from thread N"), and
# leaves an empty file when the process dies first.
n=0
for f in "$reports"/*; do
	[ -f "$f" ] || continue
	if grep -qE 'ERROR: |runtime error:' "$f"; then
		n=$((n + 1))
		echo "---- report $f"
		head -40 "$f"
	else
		echo "---- not a report (the sanitizer's own message): $f"
		head -3 "$f"
	fi
done
if [ "$n" -gt 0 ]; then
	echo "check-sanitize: $n sanitizer report(s) in $reports"
	rc=1
fi
echo "check-sanitize: $((SECONDS - start)) s, $n report(s)"
exit $rc
