#!/usr/bin/env bash
# soak.sh [BUILD_DIR] — a soak benchmark, not a test (docs/performance.md):
#   1. RUNS sequential foreground `berth run` of /bin/true; every STEP runs
#      it prints the peak RSS of one run, and what the host holds: open
#      file handles (/proc/sys/fs/file-nr), mounts, cgroup directories
#      under the runs' parent, state directories.  None may grow.
#   2. `berth events --interval INTERVAL` on one container for
#      DURATION seconds, printing its RSS and open fds every SAMPLE seconds,
#      then the growth first -> last.
#   RUNS=10000 STEP=1000 DURATION=3600 INTERVAL=1s SAMPLE=60
#   SKIP_RUNS=1 / SKIP_EVENTS=1 skip a part.
set -euo pipefail

build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
berth=$build/berth
RUNS=${RUNS:-10000} STEP=${STEP:-1000}
DURATION=${DURATION:-3600} INTERVAL=${INTERVAL:-1s} SAMPLE=${SAMPLE:-60}

"$here/../integration/mkrootfs.sh" "$build/rootfs" >/dev/null
work=$(mktemp -d /tmp/berth-soak.XXXXXX)
root=$work/state
events_pid=""
cleanup() {
	[ -z "$events_pid" ] || kill "$events_pid" 2>/dev/null || true
	for id in $("$berth" --root "$root" list -q 2>/dev/null); do
		"$berth" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/bundle"
"$berth" spec --bundle "$work/bundle"
jq --arg root "$build/rootfs" --arg cg "berth-soak-$$" '
	.root.path = $root | .root.readonly = true | .process.terminal = false
	| .process.args = ["true"] | .linux.cgroupsPath = $cg' \
	"$work/bundle/config.json" >"$work/c.json"
mv "$work/c.json" "$work/bundle/config.json"

# The parent of the runs' cgroups in the v1 pids hierarchy (or cgroup2).
self=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ { print $3 }' /proc/self/cgroup)
cgparent=/sys/fs/cgroup/pids${self%/}
[ -d "$cgparent" ] || cgparent=/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)

host_counts() {
	printf '%8s %6s %6s %6s' "$(cut -f1 /proc/sys/fs/file-nr)" "$(wc -l </proc/self/mountinfo)" \
		"$(find "$cgparent" -mindepth 1 -maxdepth 1 -type d | wc -l)" "$(ls -A "$root" 2>/dev/null | wc -l)"
}

if [ -z "${SKIP_RUNS:-}" ]; then
	echo "== $RUNS sequential runs of /bin/true"
	printf '%8s %10s %8s %6s %6s %6s\n' runs "rss(KiB)" files mounts cgroups states
	for ((i = 0; i <= RUNS; i++)); do
		if ((i % STEP == 0)); then
			rss=$(/usr/bin/time -f %M "$berth" --root "$root" run --bundle "$work/bundle" "s$i" 2>&1 >/dev/null | tail -1)
			printf '%8d %10s %s\n' "$i" "$rss" "$(host_counts)"
		else
			"$berth" --root "$root" run --bundle "$work/bundle" "s$i" >/dev/null
		fi
	done
fi

if [ -z "${SKIP_EVENTS:-}" ]; then
	echo "== berth events --interval $INTERVAL for ${DURATION}s"
	jq '.process.args = ["sleep", "1000000"]' "$work/bundle/config.json" >"$work/c.json"
	mv "$work/c.json" "$work/bundle/config.json"
	"$berth" --root "$root" run -d --bundle "$work/bundle" ev >/dev/null
	"$berth" --root "$root" events --interval "$INTERVAL" ev >/dev/null &
	events_pid=$!
	sleep 1
	printf '%8s %10s %6s\n' seconds "rss(KiB)" fds
	first="" last=""
	for ((t = 0; t <= DURATION; t += SAMPLE)); do
		kill -0 "$events_pid" 2>/dev/null || { echo "berth events exited" >&2; exit 1; }
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$events_pid/status")
		fds=$(ls "/proc/$events_pid/fd" | wc -l)
		printf '%8d %10s %6s\n' "$t" "$rss" "$fds"
		first=${first:-"$rss $fds"}
		last="$rss $fds"
		((t + SAMPLE > DURATION)) || sleep "$SAMPLE"
	done
	read -r r0 f0 <<<"$first"
	read -r r1 f1 <<<"$last"
	echo "events: RSS ${r0} -> ${r1} KiB ($((r1 - r0)) KiB), fds ${f0} -> ${f1} ($((f1 - f0)))"
fi
