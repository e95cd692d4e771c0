#!/usr/bin/env bats
# global options and command-line handling

load helpers

@test "cli: --version prints the version and the spec version" {
	run "$BERTH" --version
	assert_success
	assert_output_contains "version"
	assert_output_contains "spec"
}

@test "cli: an unknown command fails" {
	run berth no-such-command
	assert_failure
}

@test "cli: a command without its ID fails" {
	for cmd in create start state kill delete run; do
		run berth $cmd
		assert_failure
	done
}

@test "cli: --log writes errors to the file" {
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/log" state nope
	assert_failure
	[ -s "$TESTDIR/log" ] || fail "log file empty"
	grep -q nope "$TESTDIR/log" || grep -qi "not exist" "$TESTDIR/log"
}

@test "cli: --log-format json writes JSON lines" {
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/log" --log-format json state nope
	assert_failure
	[ -s "$TESTDIR/log" ]
	while read -r line; do
		jq -e '.msg and .level' <<<"$line" >/dev/null || fail "not JSON: $line"
	done <"$TESTDIR/log"
}

@test "cli: --debug is accepted and the container still runs" {
	set_args echo debug-ok
	run berth --debug run --bundle "$BUNDLE" ct
	assert_success
	assert_output_contains debug-ok
}

@test "cli: --root separates containers" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	other=$(mktemp -d /run/berth-test.XXXXXX)
	run "$BERTH" --root "$other" list -q
	rm -rf "$other"
	assert_success
	assert_equal "$output" ""
	assert_equal "$(berth list -q)" ct
}

@test "cli: the default root is /run/berth (berth)" {
	requires_berth
	run "$BERTH" list --format json
	assert_success
	[ -d /run/berth ] || [ "$output" = "[]" ] || [ "$output" = null ]
}
