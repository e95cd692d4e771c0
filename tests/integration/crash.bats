#!/usr/bin/env bats
# Crash points (util/crash.h): the crash build (build-crash/berth, made by
# `make crash-build`; `make integration` makes it first) SIGKILLs itself at
# the point named by BERTH_CRASH_AT.  For every point it lists
# (BERTH_CRASH_AT=list), each test crashes there, then runs `delete --force`
# and `list` with the normal build and asserts that nothing is left: state,
# mounts, cgroups, processes, network namespaces.  Then random SIGKILLs of
# create and run.

load helpers

CRASH_BERTH=${CRASH_BERTH:-$REPO_ROOT/build-crash/berth}
KILLS=${BERTH_CRASH_KILLS:-100} # random kills of create and of run each

setup_file() {
	berth_setup_file || return 1
	is_berth || return 0
	# The VM (tests/vm/check.sh) has it made already, and no compiler.
	[ -n "${BERTH_CRASH_NO_MAKE:-}" ] || make -C "$REPO_ROOT" -s crash-build >/dev/null || return 1
	NETNS_BEFORE=$(named_netns)
	export NETNS_BEFORE
}

setup() {
	requires_berth
	setup_bundle
	update_config '.hooks.prestart = [{"path": "/bin/true"}]'
	BASE_CONFIG=$(cat "$BUNDLE/config.json")
	PROBLEMS=()
	mapfile -t CG_DIRS < <(cgroup_candidates) # slow: once per test
}

# berth never names a network namespace; tests (here and in other files
# running meanwhile) do, as berth-test-*: the others must not change.
named_netns() { ip netns list 2>/dev/null | grep -v '^berth-test-' | sort | tr '\n' ' '; }

points() { BERTH_CRASH_AT=list "$CRASH_BERTH" | grep -E "$1" | sort -u; }

# The config each point needs to be reached: a new user namespace next to
# a joined network namespace takes the stage-1 path (id maps, a new pid).
config_for() {
	printf '%s\n' "$BASE_CONFIG" >"$BUNDLE/config.json"
	case $1 in
	*after-id-maps | *after-new-pid)
		local ns="berth-test-${TAG#berth-test.}"
		ip netns list | grep -qw "$ns" || { ip netns add "$ns" && register_netns "$ns"; }
		update_config --arg p "/run/netns/$ns" '
			.linux.namespaces += [{"type": "user"}, {"type": "network", "path": $p}]
			| .linux.namespaces |= (group_by(.type) | map(last))
			| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
			| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
			| .mounts |= map(if .type == "sysfs" then {"destination": "/sys", "type": "bind",
				"source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}
				else . end)'
		;;
	create-fail:*) set_args /nonexistent ;;
	esac
	case $2 in
	run) ;;
	*) [[ $1 == create-fail:* ]] || set_args sleep 1000 ;;
	esac
}

# crash POINT ARGS...: the crash build, crashing at POINT; sets $rc.
crash() {
	local point=$1
	shift
	rc=0
	BERTH_CRASH_AT=$point timeout -k 5 "$BERTH_TEST_TIMEOUT" "$CRASH_BERTH" \
		--root "$STATE_ROOT" "$@" >"$TESTDIR/crash.out" 2>"$TESTDIR/crash.err" 3>&- || rc=$?
}

# leftovers WHAT ID: `delete --force ID` and `list` (normal build), then
# every leftover into PROBLEMS, cleaned so the next round starts afresh.
leftovers() {
	local what=$1 id=$2 pids i cg mounts out
	berth delete --force "$id" >/dev/null 2>"$TESTDIR/delete.err" ||
		PROBLEMS+=("$what: delete --force: $(cat "$TESTDIR/delete.err")")
	out=$(berth list -q 2>&1)
	[ -z "$out" ] || PROBLEMS+=("$what: list shows: $out")
	[ -z "$(state_left)" ] || {
		PROBLEMS+=("$what: state left: $(state_left | tr '\n' ' ')")
		rm -rf "${STATE_ROOT:?}"/*
	}
	for ((i = 0; i < 100; i++)); do
		pids=$(leaked_pids)
		[ -z "$pids" ] && break
		sleep 0.02
	done
	if [ -n "$pids" ]; then
		PROBLEMS+=("$what: processes left: $(echo $pids)")
		kill -9 $pids 2>/dev/null || true
	fi
	mounts=$(findmnt -rn -o TARGET | grep -F -e "$TESTDIR" -e "$STATE_ROOT" -e "$BERTH_TEST_ROOTFS" || true)
	[ -z "$mounts" ] || PROBLEMS+=("$what: mounts left: $(echo $mounts)")
	while read -r cg; do
		if [ -d "$cg" ]; then
			PROBLEMS+=("$what: cgroup left: $cg")
			find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
		fi
	done < <(printf '%s\n' "${CG_DIRS[@]}")
	out=$(named_netns)
	[ "$out" = "$NETNS_BEFORE" ] || PROBLEMS+=("$what: network namespaces now: $out")
	return 0
}

report() {
	[ ${#PROBLEMS[@]} -eq 0 ] && return 0
	printf 'LEFT: %s\n' "${PROBLEMS[@]}" >&2
	return 1
}

# A parent's crash point reached kills berth: status 137.
expect_killed() {
	[[ $1 == *-child:* ]] && return 0
	[ "$rc" = 137 ] || PROBLEMS+=("$1 ($2): not reached (status $rc: $(cat "$TESTDIR/crash.err"))")
}

normal_create() {
	berth create --bundle "$BUNDLE" "$1" >/dev/null 2>"$TESTDIR/create.err" 3>&- ||
		PROBLEMS+=("$2: create failed: $(cat "$TESTDIR/create.err")")
}

@test "crash: every point lists, and the normal build has none" {
	run points .
	assert_success
	[ "$(echo "$output" | wc -l)" -ge 50 ] || fail "only these points: $output"
	assert_output_contains create:after-cgroup create-child:mounts exec-child:namespaces \
		delete:after-kill run:after-start start:after-fifo exec:after-clone
	! nm "$BERTH" 2>/dev/null | grep -q crash_at || fail "the normal build has crash points"
}

@test "crash: create, at every crash point of create and of its child" {
	local p n=0
	for p in $(points '^(state-)?create(-child|-fail)?:'); do
		config_for "$p" create
		crash "$p" create --bundle "$BUNDLE" "c$n"
		expect_killed "$p" create
		leftovers "$p (create)" "c$((n++))"
	done
	report
}

@test "crash: run, at every crash point of create, of its child and of run" {
	local p n=0
	for p in $(points '^(create|create-child|run):'); do
		config_for "$p" run
		crash "$p" run --bundle "$BUNDLE" "r$n"
		[[ $p == create:after-fifo ]] || expect_killed "$p" run # no fifo in run
		leftovers "$p (run)" "r$((n++))"
	done
	report
}

@test "crash: start, at every crash point of start" {
	local p n=0
	for p in $(points '^start:'); do
		config_for "$p" start
		normal_create "s$n" "$p"
		crash "$p" start "s$n"
		expect_killed "$p" start
		leftovers "$p (start)" "s$((n++))"
	done
	report
}

@test "crash: exec, at every crash point of exec and of its child" {
	local p n=0
	for p in $(points '^exec(-child)?:'); do
		config_for "$p" exec
		normal_create "e$n" "$p"
		berth start "e$n" || PROBLEMS+=("$p: start failed")
		crash "$p" exec "e$n" sleep 999
		expect_killed "$p" exec
		leftovers "$p (exec)" "e$((n++))"
	done
	report
}

@test "crash: delete --force, at every crash point of delete" {
	local p n=0
	for p in $(points '^(delete|state-remove):'); do
		config_for "$p" delete
		normal_create "d$n" "$p"
		berth start "d$n" || PROBLEMS+=("$p: start failed")
		crash "$p" delete --force "d$n"
		expect_killed "$p" delete
		leftovers "$p (delete)" "d$((n++))"
	done
	report
}

# random_kills CMD N: SIGKILL the normal build's CMD after 0-50 ms, N times.
random_kills() {
	local cmd=$1 n=$2 i pid ms
	for ((i = 0; i < n; i++)); do
		ms=$((RANDOM % 51))
		"$BERTH" --root "$STATE_ROOT" "$cmd" --bundle "$BUNDLE" "k$i" \
			>"$TESTDIR/kill.out" 2>&1 3>&- &
		pid=$!
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		leftovers "$cmd killed after ${ms}ms" "k$i"
	done
}

@test "crash: 100 random SIGKILLs of create (0-50 ms)" {
	set_args sleep 1000
	random_kills create "$KILLS"
	report
}

@test "crash: 100 random SIGKILLs of run (0-50 ms)" {
	random_kills run "$KILLS"
	report
}

# A cgroup left where the new container's goes (made by hand here, as a
# berth older than the crash-safe order could leave it).
stale_cgroup() {
	local d
	for d in $(cgroup_candidates "$1"); do mkdir -p "$d"; done
}

@test "crash: a stale empty cgroup under berth's default name is made afresh" {
	local id="st-${TAG#berth-test.}" d
	CGNAMES+=("$id")
	update_config 'del(.linux.cgroupsPath)'
	set_args sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	stale_cgroup "$id"
	for d in $(cgroup_candidates "$id"); do
		[ -e "$d/pids.max" ] && [[ $d != */unified/* ]] && echo 7 >"$d/pids.max"
	done
	run berth_run "$id"
	assert_success
	assert_equal "$output" max # not the stale limit of 7
}

@test "crash: a stale empty cgroup at linux.cgroupsPath is joined, with a warning" {
	stale_cgroup "$CGNAME"
	run berth_run c1
	assert_success
	assert_output_contains "cgroup" "exists already and is empty: joining it"
}

@test "crash: a cgroup with processes in it is refused, naming it" {
	local d
	stale_cgroup "$CGNAME"
	sleep 1000 &
	local pid=$!
	# v1: the pids hierarchy is enough; cgroup v2 has the one hierarchy
	for d in $(cgroup_candidates); do
		if [[ $d == */pids/* ]] ||
			[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
			echo "$pid" >"$d/cgroup.procs"
		fi
	done
	run berth_run c1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	# Not berth's: it left them, and their process, alone.
	for d in $(cgroup_candidates); do rmdir "$d" || fail "$d: gone or busy"; done
	assert_failure
	assert_output_contains "cgroup /sys/fs/cgroup/" "exists and has"
}
