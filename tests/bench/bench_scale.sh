#!/usr/bin/env bash
# bench_scale.sh BERTH BUNDLE COUNT ROOT — berth with COUNT containers:
# the cost of create, state, kill and delete of one more container with
# none and with COUNT running (each a `sleep`), and of `list` at both
# sizes.  Part of `make bench` (tests/bench/bench.sh); never a test.
set -euo pipefail
berth=$1 bundle=$2 count=$3 root=$4
REPS=${REPS:-10}
work=$(mktemp -d /tmp/berth-scale.XXXXXX)
sb=$work/bundle
mkdir -p "$sb"
# Each container its own cgroup (berth's default name from its ID).
jq '.process.args = ["sleep", "100000"] | del(.linux.cgroupsPath)' \
	"$bundle/config.json" >"$sb/config.json"
cleanup() {
	"$berth" --root "$root" list -q 2>/dev/null | grep '^s' |
		xargs -r -n 50 -P 2 sh -c 'r=$1; shift; for id; do "$0" --root "$r" delete --force "$id"; done' "$berth" "$root" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s%N; }
# one_more TAG: microseconds of create, state, kill, delete (median of REPS)
one_more() {
	local tag=$1 i t c=() s=() k=() d=()
	for ((i = 0; i < REPS; i++)); do
		t=$(now); "$berth" --root "$root" create --bundle "$sb" "x$tag$i" </dev/null >/dev/null 2>&1; c+=($(( ($(now) - t) / 1000 )))
		"$berth" --root "$root" start "x$tag$i"
		t=$(now); "$berth" --root "$root" state "x$tag$i" >/dev/null; s+=($(( ($(now) - t) / 1000 )))
		t=$(now); "$berth" --root "$root" kill "x$tag$i" KILL; k+=($(( ($(now) - t) / 1000 )))
		t=$(now); "$berth" --root "$root" delete --force "x$tag$i"; d+=($(( ($(now) - t) / 1000 )))
	done
	echo "$(med "${c[@]}") $(med "${s[@]}") $(med "${k[@]}") $(med "${d[@]}")"
}
med() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
list_us() {
	local i t l=()
	for ((i = 0; i < 5; i++)); do
		t=$(now); "$berth" --root "$root" list >/dev/null; l+=($(( ($(now) - t) / 1000 )))
	done
	med "${l[@]}"
}
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

read -r c0 s0 k0 d0 < <(one_more a)
l0=$(list_us)
echo "bench: starting $count containers for the scale test" >&2
# (the loop's "$@" is the ids alone: the root and the bundle are shifted off)
seq 0 $((count - 1)) | xargs -n 50 -P 2 sh -c 'r=$1 b=$2; shift 2; for i; do
	"$0" --root "$r" create --bundle "$b" "s$i" </dev/null >/dev/null 2>&1 && "$0" --root "$r" start "s$i"
done' "$berth" "$root" "$sb"
have=$("$berth" --root "$root" list -q | grep -c '^s' || true)
read -r c1 s1 k1 d1 < <(one_more b)
l1=$(list_us)
echo
echo "scale: one more container with 0 and with $have running (ms, median of $REPS)"
printf '%-8s %9s %9s\n' op "0" "$have"
printf '%-8s %9s %9s\n' create "$(ms "$c0")" "$(ms "$c1")" state "$(ms "$s0")" "$(ms "$s1")" \
	kill "$(ms "$k0")" "$(ms "$k1")" delete "$(ms "$d0")" "$(ms "$d1")" list "$(ms "$l0")" "$(ms "$l1")"
awk -v a="$l0" -v b="$l1" -v n="$have" 'BEGIN { if (n > 0) printf "list: %.1f us per container\n", (b - a) / n }'
