#!/usr/bin/env bash
# bench.sh BUILD_DIR — berth vs crun vs runc: 100 sequential foreground
# `run` of /bin/true on the busybox bundle (each container removed after),
# then the peak RSS of the runtime process on one more run.
#   N=100             containers per runtime
#   BERTH_CGROUPS=1   berth creates cgroups (drops the "not like for like" note)
# Runtimes not installed are skipped. crun refuses this host's hybrid cgroup
# layout, so its runs happen in a private mount namespace where the cgroup2
# mount is detached (that changes nothing outside that namespace).
set -euo pipefail

build=$(cd "${1:?usage: bench.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
N=${N:-100}

"$here/../integration/mkrootfs.sh" "$build/rootfs"

work=$(mktemp -d /tmp/berth-bench.XXXXXX)
roots=()
cleanup() {
	local r id rt
	for r in "${roots[@]}"; do
		rt=${r%%:*}
		r=${r#*:}
		for id in $("$rt" --root "$r" list -q 2>/dev/null); do
			"$rt" --root "$r" delete --force "$id" >/dev/null 2>&1 || true
		done
		rm -rf "$r"
	done
	rm -rf "$work"
}
trap cleanup EXIT

spec_runtime=""
for r in "$build/berth" runc crun; do
	if command -v "$r" >/dev/null 2>&1; then spec_runtime=$r; break; fi
done
[ -n "$spec_runtime" ] || { echo "bench: no runtime found" >&2; exit 1; }

bundle=$work/bundle
mkdir -p "$bundle"
# runc's spec is the reference format all three read; berth's if runc is absent.
"$(command -v runc || echo "$spec_runtime")" spec --bundle "$bundle"
jq --arg r "$build/rootfs" '.root.path = $r | .root.readonly = true
	| .process.terminal = false | .process.args = ["/bin/true"]
	| .linux.cgroupsPath = "berth-bench"' \
	"$bundle/config.json" >"$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"

has_time=0
[ -x /usr/bin/time ] && has_time=1

# run_loop NAME RUNTIME ROOT: prints "MS_PER_CONTAINER PEAK_RSS_KB"
run_loop() {
	local name=$1 rt=$2 root=$3 script
	script='
		rt=$1; root=$2; bundle=$3; n=$4; has_time=$5; out=$6
		start=$(date +%s%N)
		i=0
		while [ $i -lt $n ]; do
			"$rt" --root "$root" run --bundle "$bundle" "bench-$i" </dev/null >/dev/null || { echo "run $i failed" >&2; exit 1; }
			i=$((i + 1))
		done
		end=$(date +%s%N)
		rss=-
		if [ "$has_time" = 1 ]; then
			/usr/bin/time -o "$out.rss" -f %M "$rt" --root "$root" run --bundle "$bundle" bench-rss </dev/null >/dev/null
			rss=$(tail -n 1 "$out.rss")
		fi
		echo "$(( (end - start) / n / 1000 )) $rss" >"$out"
	'
	if [ "$name" = crun ] && findmnt -rn /sys/fs/cgroup/unified >/dev/null 2>&1; then
		unshare -m sh -c "umount /sys/fs/cgroup/unified && exec sh -c '$script' sh \"\$@\"" \
			sh "$rt" "$root" "$bundle" "$N" "$has_time" "$work/$name.res"
	else
		sh -c "$script" sh "$rt" "$root" "$bundle" "$N" "$has_time" "$work/$name.res"
	fi
	if [ -n "$("$rt" --root "$root" list -q 2>/dev/null)" ]; then
		echo "bench: $name left containers behind" >&2
		exit 1
	fi
	read -r us rss <"$work/$name.res"
	printf '%d.%03d %s\n' $((us / 1000)) $((us % 1000)) "$rss"
}

# A long-running container for the exec loop: the same bundle, sleeping.
xbundle=$work/xbundle
mkdir -p "$xbundle"
jq '.process.args = ["sleep", "100000"] | .linux.cgroupsPath = "berth-bench-x"' \
	"$bundle/config.json" >"$xbundle/config.json"

# exec_loop NAME RUNTIME ROOT: create + start a sleeping container, N
# sequential `exec ID /bin/true`, delete; prints "MS_PER_EXEC"
exec_loop() {
	local name=$1 rt=$2 root=$3 script
	script='
		rt=$1; root=$2; bundle=$3; n=$4; out=$5
		"$rt" --root "$root" run -d --bundle "$bundle" bench-x </dev/null >/dev/null 2>&1 || { echo "run -d failed" >&2; exit 1; }
		start=$(date +%s%N)
		i=0
		while [ $i -lt $n ]; do
			"$rt" --root "$root" exec bench-x /bin/true </dev/null >/dev/null || { echo "exec $i failed" >&2; break; }
			i=$((i + 1))
		done
		end=$(date +%s%N)
		"$rt" --root "$root" delete --force bench-x >/dev/null 2>&1
		[ $i -eq $n ] || exit 1
		echo "$(( (end - start) / n / 1000 ))" >"$out"
	'
	if [ "$name" = crun ] && findmnt -rn /sys/fs/cgroup/unified >/dev/null 2>&1; then
		unshare -m sh -c "umount /sys/fs/cgroup/unified && exec sh -c '$script' sh \"\$@\"" \
			sh "$rt" "$root" "$xbundle" "$N" "$work/$name.xres"
	else
		sh -c "$script" sh "$rt" "$root" "$xbundle" "$N" "$work/$name.xres"
	fi
	read -r us <"$work/$name.xres"
	printf '%d.%03d\n' $((us / 1000)) $((us % 1000))
}

# berth as it is installed (stripped, like Debian's crun and runc): the
# sealed re-exec copies the whole binary on every create, run and exec, and
# build/berth carries its debug info.
berth_bin=$work/berth
install -s -m 0755 "$build/berth" "$berth_bin"

declare -A ms rss xms
printf '%-6s %10s %14s %12s\n' runtime "ms/run" "peak RSS (KB)" "ms/exec"
for name in berth crun runc; do
	if [ $name = berth ]; then rt=$berth_bin; else rt=$(command -v $name || true); fi
	if [ -z "$rt" ] || [ ! -x "$rt" ]; then
		printf '%-6s %10s\n' "$name" "(not installed, skipped)"
		continue
	fi
	root=$(mktemp -d "/run/berth-bench-$name.XXXXXX")
	roots+=("$rt:$root")
	read -r m r < <(run_loop "$name" "$rt" "$root")
	ms[$name]=$m
	rss[$name]=$r
	xms[$name]=$(exec_loop "$name" "$rt" "$root")
	printf '%-6s %10s %14s %12s\n' "$name" "$m" "$r" "${xms[$name]}"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
if [ -n "${ms[berth]:-}" ]; then
	for other in crun runc; do
		[ -n "${ms[$other]:-}" ] || continue
		echo "berth/$other: time $(ratio "${ms[berth]}" "${ms[$other]}"), peak RSS $(ratio "${rss[berth]}" "${rss[$other]}"), exec $(ratio "${xms[berth]}" "${xms[$other]}")"
	done
fi
echo "($N sequential foreground runs of /bin/true each; peak RSS of the runtime on one extra run;"
echo " $N sequential exec of /bin/true into one running container)"
echo "(all three create a cgroup for each container; berth also re-execs from a sealed copy of itself, as runc does)"
