#!/usr/bin/env bash
# bench_sandbox.sh BERTH ROOTFS WORKDIR — `berth sandbox` against bwrap
# (Debian's bubblewrap) with the equivalent isolation and against `berth
# run` of the config the sandbox prints, for /bin/true and for `gcc -c
# hello.c`; interleaved rounds, medians, ratios.  Part of `make bench`.
set -euo pipefail
berth=$1 work=$3
ROUNDS=${ROUNDS:-7}
N=${N:-20}
if ! "$berth" sandbox --help >/dev/null 2>&1; then
	echo "sandbox: berth has no sandbox command, skipped"
	exit 0
fi
command -v bwrap >/dev/null || { echo "sandbox: bwrap not installed, skipped"; exit 0; }

src=$work/sandbox-src
mkdir -p "$src"
chmod 0777 "$src" # the sandbox runs as an unprivileged uid
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$src/hello.c"
sroot=$(mktemp -d /run/berth-bench-sandbox.XXXXXX)
trap 'rm -rf "$sroot"' EXIT

# bwrap with what the sandbox does by default: every namespace, the host's
# /usr and /etc read-only, a fresh /proc, /dev and /tmp, no capabilities.
bwrap_cmd=(bwrap --unshare-all --die-with-parent --new-session --cap-drop ALL
	--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin
	--symlink usr/lib /lib --symlink usr/lib64 /lib64 --ro-bind /etc /etc
	--proc /proc --dev /dev --tmpfs /tmp --bind "$src" /src --chdir /src --)
sandbox_cmd=("$berth" --root "$sroot" sandbox --bind "$src:/src" --workdir /src --)
bundle=$work/sandbox-bundle
mkdir -p "$bundle"
"${sandbox_cmd[@]:0:${#sandbox_cmd[@]}-1}" --print-config -- /bin/true >"$bundle/true.json"
"${sandbox_cmd[@]:0:${#sandbox_cmd[@]}-1}" --print-config -- gcc -c hello.c -o hello.o >"$bundle/gcc.json"
# The printed root is the (empty) directory a sandbox run makes itself in
# its scratch dir (which the next sandbox sweeps): one of our own instead.
mkdir -p "$work/sandbox-root"
for c in true gcc; do
	jq --arg r "$work/sandbox-root" '.root.path = $r' "$bundle/$c.json" >"$bundle/c.tmp" &&
		mv "$bundle/c.tmp" "$bundle/$c.json"
done

now() { date +%s%N; }
# per_op CMD...: microseconds per run of CMD, N times
per_op() {
	local i t
	t=$(now)
	for ((i = 0; i < N; i++)); do
		"$@" </dev/null >/dev/null 2>"$work/sandbox.err" ||
			{ echo "sandbox: failed: $*: $(tail -n 2 "$work/sandbox.err")" >&2; echo -; return; }
	done
	echo $(( ($(now) - t) / N / 1000 ))
}
run_cfg() { # run_cfg NAME.json: berth run of the sandbox's config
	cp "$bundle/$1" "$bundle/config.json"
	"$berth" --root "$sroot" run --bundle "$bundle" "sb-$RANDOM$RANDOM"
}
declare -A r
add() { r[$1]="${r[$1]:-} $2"; }
for ((round = 1; round <= ROUNDS; round++)); do
	add true,bare "$(per_op /bin/true)"
	add true,bwrap "$(per_op "${bwrap_cmd[@]}" /bin/true)"
	add true,sandbox "$(per_op "${sandbox_cmd[@]}" /bin/true)"
	add true,run "$(per_op run_cfg true.json)"
	add gcc,bare "$(cd "$src" && per_op gcc -c hello.c -o hello.o)"
	add gcc,bwrap "$(per_op "${bwrap_cmd[@]}" gcc -c hello.c -o hello.o)"
	add gcc,sandbox "$(per_op "${sandbox_cmd[@]}" gcc -c hello.c -o hello.o)"
	add gcc,run "$(per_op run_cfg gcc.json)"
done
med() { tr ' ' '\n' <<<"${r[$1]}" | { grep -E '^[0-9]+$' || true; } | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "-") print "-"; else printf "%.2f", u / 1000 }'; }
echo
echo "sandbox: medians of $ROUNDS rounds of $N (ms per command)"
printf '%-14s %8s %8s %8s %8s %22s\n' command bare bwrap sandbox run "overhead sandbox/bwrap"
for c in true gcc; do
	b=$(med $c,bare) w=$(med $c,bwrap) s=$(med $c,sandbox) u=$(med $c,run)
	printf '%-14s %8s %8s %8s %8s %22s\n' "$c" "$(ms "$b")" "$(ms "$w")" "$(ms "$s")" "$(ms "$u")" \
		"$(awk -v b="$b" -v w="$w" -v s="$s" 'BEGIN { if (w != "-" && s != "-" && w > b) printf "%.2f", (s - b) / (w - b); else print "-" }')"
done
