#!/usr/bin/env bats
# Load: many containers at once, and many commands on one container at
# once.  Nothing may fail (beyond the "does not exist" / "not running" a
# race makes expected) and nothing may be left.

load helpers

# The cgroup directories of name $CGNAME-N, from the slow candidate list
# computed once.
cg_dirs_of() {
	local d
	for d in "${CG_BASE[@]}"; do echo "${d%/*}/$1"; done
}

setup() {
	setup_bundle
	mapfile -t CG_BASE < <(cgroup_candidates)
	PROBLEMS=()
}

# bundle_for N: $TESTDIR/b$N, the test's config with cgroupsPath $CGNAME-N.
bundle_for() {
	local b=$TESTDIR/b$1
	mkdir -p "$b"
	jq --arg cg "$CGNAME-$1" '.linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$b/config.json"
}

# in_batches N SIZE FN: FN 0..N-1, SIZE at a time in parallel; FN I writes
# its status to $TESTDIR/rc.I and its stderr to $TESTDIR/err.I.
in_batches() {
	local n=$1 size=$2 fn=$3 i j
	for ((i = 0; i < n; i += size)); do
		for ((j = i; j < i + size && j < n; j++)); do
			{
				rc=0
				"$fn" "$j" >/dev/null 2>"$TESTDIR/err.$j" 3>&- || rc=$?
				echo "$rc" >"$TESTDIR/rc.$j"
			} &
		done
		wait
	done
}

# check_all N WHAT: every rc.I is 0.
check_all() {
	local i
	for ((i = 0; i < $1; i++)); do
		[ "$(cat "$TESTDIR/rc.$i")" = 0 ] ||
			PROBLEMS+=("$2 l$i: status $(cat "$TESTDIR/rc.$i"): $(cat "$TESTDIR/err.$i")")
	done
}

load_create() { berth create --bundle "$TESTDIR/b$1" "l$1"; }
load_start() { berth start "l$1"; }
load_delete() { berth delete --force "l$1"; }

@test "load: 200 containers created 20 at a time, started, listed, deleted" {
	local n=200 i d out
	set_args sleep 1000
	for ((i = 0; i < n; i++)); do bundle_for "$i"; done
	in_batches $n 20 load_create
	check_all $n create
	in_batches $n 20 load_start
	check_all $n start
	out=$(berth list --format json | jq -r '[.[] | select(.status == "running")] | length')
	[ "$out" = $n ] || PROBLEMS+=("list: $out running, not $n")
	in_batches $n 20 load_delete
	check_all $n "delete --force"
	[ -z "$(berth list -q)" ] || PROBLEMS+=("list after delete: $(berth list -q | wc -l) left")
	for ((i = 0; i < n; i++)); do
		for d in $(cg_dirs_of "$CGNAME-$i"); do
			[ ! -d "$d" ] || PROBLEMS+=("cgroup left: $d")
		done
	done
	[ ${#PROBLEMS[@]} -eq 0 ] || { printf 'LOAD: %s\n' "${PROBLEMS[@]}" | head -20 >&2; false; }
	# teardown_bundle checks processes, state and mounts
}

# One of state, kill, delete --force on c1; "does not exist" and "not
# running" are what losing a race to a delete gives.
mixed_op() {
	case $(($1 % 3)) in
	0) berth state c1 ;;
	1) berth kill c1 KILL ;;
	2) berth delete --force c1 ;;
	esac
}

@test "load: 100 concurrent state, kill and delete --force on one container" {
	local i rc err
	set_args sleep 1000
	berth_create c1
	berth start c1
	in_batches 100 100 mixed_op
	for ((i = 0; i < 100; i++)); do
		rc=$(cat "$TESTDIR/rc.$i")
		err=$(cat "$TESTDIR/err.$i")
		[ "$rc" -lt 128 ] || PROBLEMS+=("op $i: killed by a signal (status $rc)")
		if [ "$rc" != 0 ] && ! grep -Eq 'does not exist|not running|is gone' <<<"$err"; then
			PROBLEMS+=("op $i ($((i % 3))): status $rc: $err")
		fi
	done
	berth delete --force c1
	[ -z "$(berth list -q)" ] || PROBLEMS+=("left: $(berth list -q)")
	[ ${#PROBLEMS[@]} -eq 0 ] || { printf 'LOAD: %s\n' "${PROBLEMS[@]}" >&2; false; }
}
