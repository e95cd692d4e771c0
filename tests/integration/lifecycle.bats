#!/usr/bin/env bats
# create / start / state / kill / delete / list, and the ID rules.

load helpers

@test "create: state is created, with the pid of a live process" {
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	assert_success
	run berth state ct
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 1 ]
	kill -0 "$pid"
}

@test "start: created -> running -> stopped when the process exits" {
	bind_ctl
	set_cmd 'touch /ctl/started; while [ ! -e /ctl/go ]; do sleep 0.02; done'
	berth_create ct
	[ ! -e "$CTL/started" ] # create must not run the user process
	run berth start ct
	assert_success
	assert_equal "$(state_field ct status)" running
	wait_for_file "$CTL/started"
	touch "$CTL/go"
	wait_for_status ct stopped
}

@test "delete: removes the container; state then says it does not exist" {
	set_cmd 'true'
	berth_create ct
	berth start ct
	wait_for_status ct stopped
	run berth delete ct
	assert_success
	run berth state ct
	assert_failure
	assert_output_contains "does not exist"
	[ -z "$(berth list -q)" ]
}

@test "delete: a created (never started) container is removed with its process" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	pid=$(state_field ct pid)
	run berth delete ct
	# runc refuses to delete a created container without --force; both ok,
	# but if it succeeded the process must be gone.
	if [ "$status" -ne 0 ]; then berth delete --force ct; fi
	wait_for_exit "$pid"
	run berth state ct
	assert_failure
}

@test "start: fails on a running and on a stopped container" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	berth start ct
	run berth start ct
	assert_failure
	berth kill ct TERM
	wait_for_status ct stopped
	run berth start ct
	assert_failure
	assert_equal "$(state_field ct status)" stopped
}

@test "kill: a created container is stopped by KILL" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	pid=$(state_field ct pid)
	run berth kill ct KILL
	assert_success
	wait_for_status ct stopped
	wait_for_exit "$pid"
}

@test "kill: signal forms TERM, SIGTERM, 15 reach the process" {
	bind_ctl
	set_cmd 'trap "echo got-term > /ctl/sig; exit 0" TERM; touch /ctl/ready; sleep 1000 & wait'
	for sig in TERM SIGTERM 15; do
		rm -f "$CTL/sig" "$CTL/ready"
		berth_create "ct-$sig"
		berth start "ct-$sig"
		wait_for_file "$CTL/ready"
		run berth kill "ct-$sig" "$sig"
		assert_success
		wait_for_status "ct-$sig" stopped
		assert_equal "$(cat "$CTL/sig")" got-term
		berth delete "ct-$sig"
	done
}

@test "kill: default signal is TERM" {
	bind_ctl
	set_cmd 'trap "echo got-term > /ctl/sig; exit 0" TERM; touch /ctl/ready; sleep 1000 & wait'
	berth_create ct
	berth start ct
	wait_for_file "$CTL/ready"
	run berth kill ct
	assert_success
	wait_for_status ct stopped
	assert_equal "$(cat "$CTL/sig")" got-term
}

@test "kill: KILL and 9 stop a process that ignores TERM" {
	set_cmd 'trap "" TERM; sleep 1000 & wait'
	for sig in KILL 9; do
		berth_create "ct$sig"
		berth start "ct$sig"
		berth kill "ct$sig" "$sig"
		wait_for_status "ct$sig" stopped
		berth delete "ct$sig"
	done
}

@test "kill --all: every process of the container dies" {
	bind_ctl
	set_cmd 'sleep 1000 & echo $! > /ctl/child; touch /ctl/ready; trap "" TERM; wait'
	berth_create ct
	berth start ct
	wait_for_file "$CTL/ready"
	run berth kill --all ct KILL
	assert_success
	wait_for_status ct stopped
	# teardown fails the test if any process carrying the test tag survived
}

@test "delete: refuses a running container without --force" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	berth start ct
	run berth delete ct
	assert_failure
	assert_equal "$(state_field ct status)" running
}

@test "delete --force: kills and removes a running container" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	berth start ct
	pid=$(state_field ct pid)
	run berth delete --force ct
	assert_success
	wait_for_exit "$pid"
	run berth state ct
	assert_failure
	[ -z "$(berth list -q)" ]
}

@test "create: a duplicate ID fails and leaves the first container untouched" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	pid=$(state_field ct pid)
	run berth_create ct
	assert_failure
	assert_output_contains "already exists"
	assert_equal "$(state_field ct status)" created
	assert_equal "$(state_field ct pid)" "$pid"
	berth start ct
	assert_equal "$(state_field ct status)" running
	run berth_create ct
	assert_failure
	assert_equal "$(state_field ct status)" running
	assert_equal "$(state_field ct pid)" "$pid"
}

@test "state: JSON has ociVersion, id, status, pid, bundle" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	run berth state ct
	assert_success
	jq -e '.ociVersion | type == "string" and length > 0' <<<"$output"
	assert_equal "$(jq -r .id <<<"$output")" ct
	assert_equal "$(jq -r .status <<<"$output")" created
	jq -e '.pid | type == "number" and . > 0' <<<"$output"
	assert_equal "$(jq -r .bundle <<<"$output")" "$BUNDLE"
}

@test "list: table header and one row per container" {
	set_cmd "$LONG_RUNNING"
	berth_create ct1
	new_cgroup
	berth_create ct2
	berth start ct2
	run berth list
	assert_success
	head=$(head -n1 <<<"$output")
	for col in ID PID STATUS BUNDLE CREATED OWNER; do
		[[ $head == *"$col"* ]] || fail "header '$head' lacks $col"
	done
	grep -E "^ct1 +[0-9]+ +created +$BUNDLE .* $(id -un)\$" <<<"$output"
	grep -E "^ct2 +[0-9]+ +running +$BUNDLE .* $(id -un)\$" <<<"$output"
}

@test "state and list --format json name the owner of the state directory" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	run berth state ct
	assert_success
	assert_equal "$(jq -r .owner <<<"$output")" "$(id -un)"
	run berth list --format json
	assert_equal "$(jq -r '.[0].owner' <<<"$output")" "$(id -un)"
}

@test "list --quiet prints only the ids" {
	set_cmd "$LONG_RUNNING"
	berth_create ct1
	new_cgroup
	berth_create ct2
	run berth list --quiet
	assert_success
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "ct1 ct2 "
	run berth list -q
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "ct1 ct2 "
}

@test "list --format json" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	pid=$(state_field ct pid)
	run berth list --format json
	assert_success
	assert_equal "$(jq -r '.[0].id' <<<"$output")" ct
	assert_equal "$(jq -r '.[0].status' <<<"$output")" created
	assert_equal "$(jq -r '.[0].pid' <<<"$output")" "$pid"
	assert_equal "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
	assert_equal "$(jq -r length <<<"$output")" 1
}

@test "list: empty root gives a header only, or nothing, and json []" {
	run berth list -q
	assert_success
	assert_equal "$output" ""
	run berth list --format json
	assert_success
	# runc prints null for an empty list
	jq -e '. == [] or . == null' <<<"$output"
}

@test "create --pid-file: holds the container's pid" {
	set_cmd "$LONG_RUNNING"
	run berth_create ct --pid-file "$TESTDIR/pid"
	assert_success
	assert_equal "$(cat "$TESTDIR/pid")" "$(state_field ct pid)"
	# the pid is the container's init: once started, it has the config's env
	berth start ct
	# start returns once the fifo is written; the exec itself follows
	for _ in $(seq 100); do
		tr '\0' '\n' <"/proc/$(cat "$TESTDIR/pid")/environ" | grep -qx "BERTH_TEST_TAG=$TAG" && return 0
		sleep 0.05
	done
	fail "pid $(cat "$TESTDIR/pid") never had the config's env"
}

@test "create: invalid IDs are refused and create nothing" {
	for id in 'a/b' '..' '' '.' '../x'; do
		run berth_create "$id"
		assert_failure
	done
	[ -z "$(berth list -q)" ]
	[ -z "$(state_left)" ]
	[ ! -e "$STATE_ROOT/../b" ]
}
