#!/usr/bin/env bats
# Supervised foreground runs (issue 12): fate sharing, `run --timeout`,
# `--output-limit`, `--init`, `--kill-on-signal` and `--report`.

load helpers

# nothing_left [SECONDS]: no process of the test (container or berth), no
# state and no cgroup of $CGNAME, within SECONDS (default 5): what a
# SIGKILLed berth leaves is cleaned up asynchronously by its watcher.
nothing_left() {
	local secs=${1:-5} i pids state cgs d
	for ((i = 0; i < secs * 50; i++)); do
		pids=$(leaked_pids | tr '\n' ' ')
		state=$(state_left)
		cgs=""
		for d in $(cgroup_candidates); do
			[ -d "$d" ] && cgs="$cgs $d"
		done
		[ -z "${pids// /}" ] && [ -z "$state" ] && [ -z "$cgs" ] && return 0
		sleep 0.02
	done
	fail "left after ${secs}s: pids [$pids] state [$state] cgroups [$cgs]"
}

# report_field FIELD: one field of $TESTDIR/report.json.
report_field() { jq -r ".$1" "$TESTDIR/report.json"; }

# A container that leaves a daemon behind (its own session, ignoring
# TERM/HUP) and then waits, ignoring TERM too.
DAEMON='trap "" TERM HUP INT; (setsid sh -c "trap \"\" TERM HUP; sleep 1000" &); [ -d /ctl ] && touch /ctl/ready; sleep 1000 & wait; sleep 1000'

@test "supervise: SIGKILL of a foreground berth run leaves no process, state or cgroup" {
	requires_berth
	bind_ctl
	set_cmd "$DAEMON"
	"$BERTH" --root "$STATE_ROOT" run --bundle "$BUNDLE" ct >"$TESTDIR/out" 2>&1 3>&- &
	runner=$!
	wait_for_file "$CTL/ready"
	[ -n "$(leaked_pids)" ] || fail "the container is not running"
	kill -KILL "$runner"
	wait "$runner" || true
	nothing_left
}

@test "supervise: SIGKILL of berth run leaves nothing, without a PID namespace too" {
	requires_berth
	bind_ctl
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_cmd "$DAEMON"
	"$BERTH" --root "$STATE_ROOT" run --bundle "$BUNDLE" ct >"$TESTDIR/out" 2>&1 3>&- &
	runner=$!
	wait_for_file "$CTL/ready"
	kill -KILL "$runner"
	wait "$runner" || true
	nothing_left
}

@test "supervise: SIGKILL of berth run --keep kills every process and keeps a stopped container" {
	requires_berth
	bind_ctl
	set_cmd "$DAEMON"
	"$BERTH" --root "$STATE_ROOT" run --keep --bundle "$BUNDLE" ct >"$TESTDIR/out" 2>&1 3>&- &
	runner=$!
	wait_for_file "$CTL/ready"
	kill -KILL "$runner"
	wait "$runner" || true
	for ((i = 0; i < 250; i++)); do
		[ -z "$(leaked_pids)" ] && break
		sleep 0.02
	done
	[ -z "$(leaked_pids)" ] || fail "left: $(leaked_pids)"
	wait_for_status ct stopped
	run berth delete ct
	assert_success
	nothing_left
}

@test "supervise: run -d still outlives berth (no fate sharing when detached)" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	run _berth_via_files run -d --bundle "$BUNDLE" ct
	assert_success
	wait_for_file "$CTL/ready"
	run berth state ct
	assert_success
	[ "$(echo "$output" | jq -r .status)" = running ] || fail "$output"
}

@test "supervise: timeout -s TERM of berth run --kill-on-signal leaves nothing" {
	requires_berth
	bind_ctl
	set_cmd "$DAEMON"
	status=0
	timeout -s TERM 2 "$BERTH" --root "$STATE_ROOT" run --kill-on-signal \
		--report "$TESTDIR/report.json" --bundle "$BUNDLE" ct \
		>"$TESTDIR/out" 2>&1 3>&- || status=$?
	assert_status 124
	nothing_left
	[ "$(report_field reason)" = interrupted ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field berth_signal)" = SIGTERM ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field status)" = 143 ] || fail "$(cat "$TESTDIR/report.json")"
}

@test "supervise: kill-on-signal: INT and HUP kill the container too, status 128+N" {
	requires_berth
	bind_ctl
	set_cmd "$DAEMON"
	for sig in INT HUP; do
		rm -f "$CTL/ready"
		"$BERTH" --root "$STATE_ROOT" run --kill-on-signal --bundle "$BUNDLE" "ct-$sig" \
			>"$TESTDIR/out" 2>&1 3>&- &
		runner=$!
		wait_for_file "$CTL/ready"
		kill -"$sig" "$runner"
		status=0
		wait "$runner" || status=$?
		assert_status $((128 + $(kill -l "$sig")))
		nothing_left
	done
}

@test "supervise: timeout -s TERM of berth run --init: TERM reaches the command, nothing left" {
	requires_berth
	bind_ctl
	# Under --init the shell is not PID 1: TERM, forwarded, ends it.
	set_cmd '(setsid sleep 1000 &); touch /ctl/ready; sleep 1000'
	status=0
	timeout -s TERM 2 "$BERTH" --root "$STATE_ROOT" run --init --bundle "$BUNDLE" ct \
		>"$TESTDIR/out" 2>&1 3>&- || status=$?
	assert_status 124
	nothing_left
}

@test "supervise: --timeout kills the whole cgroup and the report says timeout" {
	requires_berth
	set_cmd "$DAEMON"
	SECONDS=0
	run berth_run ct --timeout 1 --report "$TESTDIR/report.json"
	assert_status 137
	[ "$SECONDS" -lt 5 ] || fail "took ${SECONDS}s"
	nothing_left
	[ "$(report_field reason)" = timeout ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field signal)" = SIGKILL ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field timeout_s)" = 1 ] || [ "$(report_field timeout_s)" = 1.0 ] ||
		fail "$(cat "$TESTDIR/report.json")"
	jq -e '.wall_s >= 1 and .wall_s < 5 and .pids_peak >= 3' "$TESTDIR/report.json" ||
		fail "$(cat "$TESTDIR/report.json")"
}

@test "supervise: --timeout 0.3 accepts fractions; a command that ends first is not killed" {
	requires_berth
	set_cmd 'echo done; exit 5'
	run berth_run ct --timeout 30 --report "$TESTDIR/report.json"
	assert_status 5
	assert_output_contains done
	[ "$(report_field reason)" = exit ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field exit_code)" = 5 ] || fail "$(cat "$TESTDIR/report.json")"
	set_cmd 'sleep 10'
	run berth_run ct --timeout 0.3
	assert_status 137
}

@test "supervise: --report: status, stdout/stderr bytes relayed and counted, CPU and memory" {
	requires_berth
	set_cmd 'printf 12345; printf abc >&2; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
	run --separate-stderr berth_run ct --report "$TESTDIR/report.json"
	assert_status 0
	[ "$output" = 12345 ] || fail "stdout: $output"
	[ "$stderr" = abc ] || fail "stderr: $stderr"
	[ "$(report_field reason)" = exit ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field stdout_bytes)" = 5 ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field stderr_bytes)" = 3 ] || fail "$(cat "$TESTDIR/report.json")"
	jq -e '(.user_s + .system_s) > 0 and .memory_peak_bytes > 0 and .pids_peak >= 1
		and .oom_kills == 0 and .pids_limit_hits == 0' "$TESTDIR/report.json" ||
		fail "$(cat "$TESTDIR/report.json")"
}

@test "supervise: --report: a command killed by a signal" {
	requires_berth
	set_cmd 'kill -SEGV $$; sleep 1'
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run berth_run ct --report "$TESTDIR/report.json"
	assert_status 139
	[ "$(report_field reason)" = signal ] || fail "$(cat "$TESTDIR/report.json")"
	[ "$(report_field signal)" = SIGSEGV ] || fail "$(cat "$TESTDIR/report.json")"
}

@test "supervise: --report says oom for a memory hog over linux.resources.memory.limit" {
	requires_berth
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# busybox tail keeps a line without a newline whole: it grows until killed.
	set_cmd 'head -c 300000000 /dev/zero | tail >/dev/null'
	run berth_run ct --timeout 20 --report "$TESTDIR/report.json"
	assert_failure
	[ "$(report_field reason)" = oom ] || fail "$(cat "$TESTDIR/report.json")"
	jq -e '.oom_kills >= 1 and .memory_peak_bytes >= 30000000' "$TESTDIR/report.json" ||
		fail "$(cat "$TESTDIR/report.json")"
	nothing_left
}

@test "supervise: --report says pids-limit for a fork bomb under linux.resources.pids.limit" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 8}'
	set_cmd 'i=0; while [ $i -lt 50 ]; do sleep 1000 & i=$((i+1)); done; exit 3'
	run berth_run ct --timeout 20 --report "$TESTDIR/report.json"
	assert_failure
	[ "$(report_field reason)" = pids-limit ] || fail "$(cat "$TESTDIR/report.json")"
	jq -e '.pids_limit_hits >= 1 and .pids_peak == 8' "$TESTDIR/report.json" ||
		fail "$(cat "$TESTDIR/report.json")"
	nothing_left
}

@test "supervise: --output-limit cuts stdout+stderr at BYTES and kills the container" {
	requires_berth
	set_cmd 'echo 0123456789; echo abcdefghij >&2; while :; do echo more; done'
	run --separate-stderr berth_run ct --output-limit 25 --report "$TESTDIR/report.json"
	assert_status 137
	[ "$(report_field reason)" = output-limit ] || fail "$(cat "$TESTDIR/report.json")"
	jq -e '.stdout_bytes + .stderr_bytes == 25 and .output_limit_bytes == 25' \
		"$TESTDIR/report.json" || fail "$(cat "$TESTDIR/report.json")"
	[ $((${#output} + ${#stderr})) -le 25 ] || fail "passed on: $output / $stderr"
	assert_output_contains 0123456789
	nothing_left
}

@test "supervise: --output-limit with a K suffix lets smaller output through whole" {
	requires_berth
	set_cmd 'echo small'
	run berth_run ct --output-limit 1K
	assert_status 0
	[ "$output" = small ] || fail "$output"
}

@test "supervise: --init reaps orphaned zombies" {
	requires_berth
	# Orphans re-parent to PID 1.  The command execs sleep, which never
	# waits: as PID 1 it leaves them zombies; under the init it is PID 2
	# and the init reaps them.  A late orphan counts the zombies.
	set_cmd 'for i in 1 2 3; do (sleep 0.1 &); done; (sh -c "sleep 0.6; ps -o stat= | grep -c Z" &); exec sleep 1'
	run berth_run ct
	assert_status 0
	[ "${lines[-1]}" -ge 3 ] || fail "without --init, expected zombies: $output"
	run berth_run ct --init
	assert_status 0
	[ "${lines[-1]}" = 0 ] || fail "zombies under --init: $output"
}

@test "supervise: --init is PID 1 and the command is its child" {
	requires_berth
	set_cmd 'echo "me=$$ parent=$PPID"; cat /proc/1/status | grep -c "^NSpid"'
	run berth_run ct --init
	assert_status 0
	assert_output_contains "me=2 parent=1"
}

@test "supervise: --init forwards signals to the command and passes its exit status" {
	requires_berth
	bind_ctl
	# As PID 1 the shell would not die of TERM; under the init it traps it.
	set_cmd 'trap "echo got-usr1; exit 42" USR1; touch /ctl/ready; sleep 1000 & wait'
	"$BERTH" --root "$STATE_ROOT" run --init --bundle "$BUNDLE" ct >"$TESTDIR/out" 2>&1 3>&- &
	runner=$!
	wait_for_file "$CTL/ready"
	kill -USR1 "$runner"
	status=0
	wait "$runner" || status=$?
	assert_status 42
	grep -q got-usr1 "$TESTDIR/out" || fail "$(cat "$TESTDIR/out")"
}

@test "supervise: --init: a command killed by signal N exits 128+N" {
	requires_berth
	set_cmd 'kill -TERM $$; sleep 1'
	run berth_run ct --init
	assert_status 143
	set_cmd 'exit 0'
	run berth_run ct --init
	assert_status 0
}

@test "supervise: --init: a missing command is berth's error" {
	requires_berth
	set_args /no/such/binary
	run berth_run ct --init
	assert_failure
	assert_output_contains "no/such/binary"
	nothing_left
}

@test "supervise: bad values are refused with the flag's name" {
	requires_berth
	local v
	for v in 0 -1 abc 1e3 "" 99999999999; do
		run berth_run ct --timeout "$v"
		assert_failure 1
		assert_output_contains "--timeout: expected seconds"
	done
	for v in 0 -5 10X 1KK ""; do
		run berth_run ct --output-limit "$v"
		assert_failure 1
		assert_output_contains "--output-limit: expected a number of bytes"
	done
	run berth_run ct -d --timeout 5
	assert_failure 1
	assert_output_contains "cannot be used with --detach"
	run berth_create ct --init
	assert_failure 1
	assert_output_contains "unknown option '--init'"
}

@test "supervise: --timeout with process.terminal is refused before anything runs" {
	requires_berth
	update_config '.process.terminal = true'
	run berth_run ct --timeout 5
	assert_failure 1
	assert_output_contains "need process.terminal: false"
	nothing_left
}

@test "supervise: --report to a path that cannot be written says so" {
	requires_berth
	set_cmd 'exit 0'
	run berth_run ct --report "$TESTDIR/no/such/dir/report.json"
	assert_failure 1
	assert_output_contains "write the report '$TESTDIR/no/such/dir/report.json'"
}
