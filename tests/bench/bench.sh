#!/usr/bin/env bash
# bench.sh BUILD_DIR — berth against crun, runc and a floor program, on one
# busybox bundle, in one run; prints medians and ratios.  A benchmark, never
# a test: nothing here fails on a number.
#
#   ROUNDS=7   interleaved rounds (berth, crun, runc, floor in turn)
#   N=20       operations per runtime per round
#   SCALE=1000 containers for the scale test (0: skip it)
#
# What it measures (docs/performance.md has the method and the figures):
#   run      foreground `run` of /bin/true, the runtime's cgroup created and
#            removed (linux.cgroupsPath); the floor program only clones into
#            the same namespaces, mounts and pivot_roots (tests/bench/floor.c)
#   engine   `create` + `start` + `delete --force`, as an engine drives it
#   seccomp  `run` again with docker's default seccomp profile (what every
#            docker and podman container gets; tests/fixtures)
#   exec     `exec ID /bin/true` into one running container
#   rss      peak RSS of the runtime process during one `run`
#   sandbox  `berth sandbox -- /bin/true` against bwrap with the same
#            isolation and against `berth run` (when both are there)
#   scale    berth only: create/state/kill/delete of one more container with
#            none and with SCALE running, and `list` at both sizes
# Runtimes not installed are skipped.  crun refuses this host's hybrid
# cgroup layout, so its loops run in a private mount namespace where the
# cgroup2 mount is detached (that changes nothing outside that namespace).
set -euo pipefail

build=$(cd "${1:?usage: bench.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-7}
N=${N:-20}
SCALE=${SCALE:-1000}

"$here/../integration/mkrootfs.sh" "$build/rootfs" >/dev/null

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
roots=()
cleanup() {
	local r id rt
	for r in "${roots[@]}"; do
		rt=${r%%:*}
		r=${r#*:}
		for id in $("$rt" --root "$r" list -q 2>/dev/null); do
			"$rt" --root "$r" delete --force "$id" >/dev/null 2>&1 ||
				unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec "$@"' sh \
					"$rt" --root "$r" delete --force "$id" >/dev/null 2>&1 || true
		done
		rm -rf "$r"
	done
	rm -rf "$work"
}
trap cleanup EXIT

# berth as it is installed: stripped, like Debian's crun and runc.
berth_bin=$work/berth
install -s -m 0755 "$build/berth" "$berth_bin"
floor_bin=$work/floor
cc -O2 -o "$floor_bin" "$here/floor.c"

bundle=$work/bundle
mkdir -p "$bundle"
# runc's spec is the reference format all three read; berth's if runc is
# absent.  crun 1.8 refuses ociVersion 1.3.0: 1.0.2 for all.
"$(command -v runc || echo "$berth_bin")" spec --bundle "$bundle"
jq --arg r "$build/rootfs" '.ociVersion = "1.0.2" | .root.path = $r
	| .root.readonly = true | .process.terminal = false
	| .process.args = ["/bin/true"] | .linux.cgroupsPath = "berth-bench"' \
	"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"
# The same with docker's default seccomp profile.
sbundle=$work/sbundle
mkdir -p "$sbundle"
jq --slurpfile d "$here/../fixtures/docker-20.10-tmpfs-config.json" \
	'.linux.seccomp = $d[0].linux.seccomp' "$bundle/config.json" >"$sbundle/config.json"
# The long-running containers for exec, all running at once: a cgroup each.
for name in berth crun runc; do
	mkdir -p "$work/xbundle-$name"
	jq --arg cg "berth-bench-x-$name" '.process.args = ["sleep", "100000"]
		| .linux.cgroupsPath = $cg' "$bundle/config.json" >"$work/xbundle-$name/config.json"
done

declare -A bin root
for name in berth crun runc; do
	if [ $name = berth ]; then b=$berth_bin; else b=$(command -v $name || true); fi
	[ -n "$b" ] && [ -x "$b" ] || { echo "bench: $name not installed, skipped" >&2; continue; }
	bin[$name]=$b
	root[$name]=$(mktemp -d "/run/berth-bench-$name.XXXXXX")
	roots+=("$b:${root[$name]}")
done
names=()
for name in berth crun runc; do [ -n "${bin[$name]:-}" ] && names+=("$name"); done

# The loops run in a child shell so the timing excludes bash's own work;
# crun's inside `unshare -m` (above).  Each prints microseconds per op.
LOOPS='
	op=$1; rt=$2; root=$3; bundle=$4; n=$5; tag=$6
	now() { date +%s%N; }
	start=$(now); i=0
	case $op in
	run) while [ $i -lt $n ]; do
		"$rt" --root "$root" run --bundle "$bundle" "$tag-$i" </dev/null >/dev/null || exit 1
		i=$((i + 1)); done ;;
	engine) while [ $i -lt $n ]; do
		"$rt" --root "$root" create --bundle "$bundle" "$tag-$i" </dev/null >/dev/null 2>&1 || exit 1
		"$rt" --root "$root" start "$tag-$i" || exit 1
		"$rt" --root "$root" delete --force "$tag-$i" || exit 1
		i=$((i + 1)); done ;;
	exec) while [ $i -lt $n ]; do
		"$rt" --root "$root" exec "$tag" /bin/true </dev/null >/dev/null || exit 1
		i=$((i + 1)); done ;;
	floor) while [ $i -lt $n ]; do
		"$rt" "$bundle" /bin/true || exit 1
		i=$((i + 1)); done ;;
	rss) /usr/bin/time -o "$tag" -f %M "$rt" --root "$root" run --bundle "$bundle" rss </dev/null >/dev/null || exit 1
		n=1 ;;
	esac
	echo $(( ($(now) - start) / n / 1000 ))
'
loop() { # loop OP NAME BUNDLE TAG
	local op=$1 name=$2
	if [ "$name" = crun ] && findmnt -rn /sys/fs/cgroup/unified >/dev/null 2>&1; then
		unshare -m sh -c "umount /sys/fs/cgroup/unified && exec sh -c '$LOOPS' sh \"\$@\"" \
			sh "$op" "${bin[$name]}" "${root[$name]}" "$3" "$N" "$4"
	else
		sh -c "$LOOPS" sh "$op" "${bin[$name]:-$floor_bin}" "${root[$name]:-}" "$3" "$N" "$4"
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-";
	else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b <= 0) print "-"; else printf "%.2f", a / b }'; }

declare -A res # res[op,name] = "us us us ..." over the rounds
add() { res[$1,$2]="${res[$1,$2]:-} $3"; }

rt_cmd() { # rt_cmd NAME ARGS...: one command of runtime NAME on its root
	local name=$1
	shift
	if [ "$name" = crun ] && findmnt -rn /sys/fs/cgroup/unified >/dev/null 2>&1; then
		unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh \
			"${bin[$name]}" --root "${root[$name]}" "$@"
	else
		"${bin[$name]}" --root "${root[$name]}" "$@"
	fi
}
for name in "${names[@]}"; do # the long-running containers for exec
	rt_cmd $name run -d --bundle "$work/xbundle-$name" bench-x </dev/null >/dev/null 2>&1
done

for ((round = 1; round <= ROUNDS; round++)); do
	echo "bench: round $round of $ROUNDS" >&2
	for name in "${names[@]}"; do
		add run $name "$(loop run $name "$bundle" "r$round")"
		add engine $name "$(loop engine $name "$bundle" "e$round")"
		add seccomp $name "$(loop run $name "$sbundle" "s$round")"
		add exec $name "$(loop exec $name "$bundle" bench-x)"
		loop rss $name "$bundle" "$work/$name.rss" >/dev/null
		add rss $name "$(tail -n 1 "$work/$name.rss")"
	done
	add run floor "$(loop floor floor "$build/rootfs" -)"
done

for name in "${names[@]}"; do
	rt_cmd $name delete --force bench-x >/dev/null 2>&1 || true
	left=$(rt_cmd $name list -q 2>/dev/null || true)
	[ -z "$left" ] || echo "bench: $name left containers behind: $left" >&2
done

med() { tr ' ' '\n' <<<"${res[$1,$2]:-}" | grep . | median; }
echo
echo "medians of $ROUNDS interleaved rounds of $N each (ms per operation; RSS in KB)"
printf '%-6s %9s %9s %9s %9s %9s %10s\n' runtime run engine seccomp exec "RSS" "run/floor"
floor_run=$(med run floor)
for name in "${names[@]}" floor; do
	printf '%-6s %9s %9s %9s %9s %9s %10s\n' "$name" "$(ms "$(med run $name)")" \
		"$(ms "$(med engine $name)")" "$(ms "$(med seccomp $name)")" "$(ms "$(med exec $name)")" \
		"$(med rss $name)" "$(ratio "$(med run $name)" "$floor_run")"
done
if [ -n "${bin[berth]:-}" ]; then
	for other in crun runc; do
		[ -n "${bin[$other]:-}" ] || continue
		echo "berth/$other: run $(ratio "$(med run berth)" "$(med run $other)")," \
			"engine $(ratio "$(med engine berth)" "$(med engine $other)")," \
			"seccomp $(ratio "$(med seccomp berth)" "$(med seccomp $other)")," \
			"exec $(ratio "$(med exec berth)" "$(med exec $other)")," \
			"peak RSS $(ratio "$(med rss berth)" "$(med rss $other)")"
	done
	echo "berth run/floor: $(ratio "$(med run berth)" "$floor_run")"
	echo "berth binary (stripped): $(stat -c %s "$berth_bin") bytes"
fi

"$here/bench_sandbox.sh" "$berth_bin" "$build/rootfs" "$work" || true
[ "$SCALE" -gt 0 ] && [ -n "${bin[berth]:-}" ] &&
	"$here/bench_scale.sh" "$berth_bin" "$bundle" "$SCALE" "${root[berth]}"
exit 0
