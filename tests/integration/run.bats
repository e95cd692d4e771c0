#!/usr/bin/env bats
# `run`: foreground status, signals, --detach, --keep, stdio.

load helpers

@test "run: the container's exit status passes through" {
	set_cmd 'exit 7'
	run berth_run ct
	assert_status 7
	set_cmd 'exit 0'
	run berth_run ct
	assert_status 0
}

@test "run: killed by a signal exits 128+N" {
	set_cmd "$LONG_RUNNING"
	berth_run ct --pid-file "$TESTDIR/pid" &
	runner=$!
	wait_for_file "$TESTDIR/pid"
	wait_for_status ct running
	kill -KILL "$(cat "$TESTDIR/pid")"
	status=0
	wait "$runner" || status=$?
	assert_status 137
}

@test "run: TERM and USR1 sent to the runtime are forwarded to the container" {
	bind_ctl
	set_cmd 'trap "echo got-usr1; exit 42" USR1; trap "echo got-term; exit 43" TERM; touch /ctl/ready; sleep 1000 & wait'
	for sig in USR1 TERM; do
		rm -f "$CTL/ready"
		"$BERTH" --root "$STATE_ROOT" run --bundle "$BUNDLE" "ct-$sig" >"$TESTDIR/out" 2>&1 3>&- &
		runner=$!
		wait_for_file "$CTL/ready"
		kill -"$sig" "$runner"
		status=0
		wait "$runner" || status=$?
		output=$(cat "$TESTDIR/out")
		if [ $sig = USR1 ]; then
			assert_status 42
			assert_output_contains got-usr1
		else
			assert_status 43
			assert_output_contains got-term
		fi
	done
}

@test "run: INT, HUP, QUIT, USR2 and WINCH are forwarded too (no terminal)" {
	bind_ctl
	set_cmd 'for s in INT HUP QUIT USR2 WINCH; do trap "echo got-$s >>/ctl/log" $s; done; trap "exit 44" USR1; touch /ctl/ready; while :; do sleep 0.05; done'
	"$BERTH" --root "$STATE_ROOT" run --bundle "$BUNDLE" ct >"$TESTDIR/out" 2>&1 3>&- &
	runner=$!
	wait_for_file "$CTL/ready"
	for sig in INT HUP QUIT USR2 WINCH; do
		kill -"$sig" "$runner"
		for _ in $(seq 100); do
			grep -q "got-$sig" "$CTL/log" 2>/dev/null && break
			sleep 0.02
		done
		grep -q "got-$sig" "$CTL/log" || fail "$sig was not forwarded"
	done
	kill -USR1 "$runner"
	status=0
	wait "$runner" || status=$?
	assert_status 44
}

@test "run --detach: returns while the container keeps running" {
	set_cmd "$LONG_RUNNING"
	run berth_run ct --detach
	assert_success
	assert_equal "$(state_field ct status)" running
	kill -0 "$(state_field ct pid)"
}

@test "run -d: short form, and the container is listed" {
	set_cmd "$LONG_RUNNING"
	run berth_run ct -d
	assert_success
	assert_equal "$(berth list -q)" ct
}

@test "run --keep: the stopped container stays until deleted" {
	set_cmd 'exit 3'
	run berth_run ct --keep
	assert_status 3
	assert_equal "$(state_field ct status)" stopped
	run berth delete ct
	assert_success
}

@test "run: without --keep the container is gone after it exits" {
	set_cmd 'exit 0'
	run berth_run ct
	assert_success
	run berth state ct
	assert_failure
	assert_equal "$(berth list -q)" ""
}

@test "run: stdout and stderr of the container reach the caller" {
	set_cmd 'echo to-stdout; echo to-stderr >&2'
	run --separate-stderr berth_run ct
	assert_success
	assert_equal "$output" to-stdout
	[[ $stderr == *to-stderr* ]] || fail "stderr: $stderr"
}

@test "run: stdin passes through" {
	set_args cat
	out=$(echo hello-stdin | berth_run ct)
	assert_equal "$out" hello-stdin
}
