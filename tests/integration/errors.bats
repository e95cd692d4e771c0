#!/usr/bin/env bats
# Failures: each must fail cleanly (non-zero, nothing left behind: teardown
# checks state, mounts, cgroups, processes). Message checks are berth-only.

load helpers

# expect_clean_failure: after a failed create/run, nothing is listed
expect_clean_failure() {
	assert_failure
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
	[ -z "$(ls -A "$STATE_ROOT")" ] || fail "state left: $(ls -A "$STATE_ROOT")"
}

@test "errors: a non-string process.args[0] names the JSON path" {
	update_config '.process.args = [42]'
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains ".process.args[0]"; fi
}

@test "errors: invalid JSON in config.json" {
	echo '{"ociVersion": ' >"$BUNDLE/config.json"
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains config.json; fi
}

@test "errors: missing config.json" {
	rm "$BUNDLE/config.json"
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains config.json; fi
}

@test "errors: missing rootfs" {
	update_config --arg r "$TESTDIR/no-such-rootfs" '.root.path = $r'
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains no-such-rootfs; fi
}

@test "errors: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogusns"}]'
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains bogusns; fi
}

@test "errors: command not found in the container" {
	set_args no-such-command
	run berth_run ct
	expect_clean_failure
	if is_berth; then assert_output_contains no-such-command; fi
}

@test "errors: command not found is reported by create, or by start" {
	set_args /bin/no-such-binary
	run berth_create ct
	if [ "$status" -eq 0 ]; then
		run berth start ct
		berth delete --force ct || true
	fi
	assert_failure
	if is_berth; then assert_output_contains /bin/no-such-binary; fi
}

@test "errors: a failing mount fails create and leaves nothing" {
	add_mount /tmp/x bind "$TESTDIR/no-such-source" 'rbind'
	run berth_create ct
	expect_clean_failure
	if is_berth; then assert_output_contains no-such-source; fi
}

@test "errors: an rlimit above the hard limit fails create and leaves nothing" {
	hard=$(ulimit -Hn)
	update_config --argjson h $((hard + 100000)) \
		'.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $h, "hard": $h}]'
	run berth_run ct
	expect_clean_failure
	if is_berth; then assert_output_contains RLIMIT_NOFILE; fi
}

@test "errors: a bad cwd (a file) fails" {
	update_config '.process.cwd = "/etc/passwd"'
	run berth_run ct
	expect_clean_failure
	if is_berth; then assert_output_contains /etc/passwd; fi
}

@test "errors: unknown container for state, start, kill, delete" {
	for cmd in state start kill delete; do
		run berth $cmd nope
		assert_failure
		if is_berth; then assert_output_contains nope; fi
	done
}

@test "errors: messages are one line naming the container (berth)" {
	requires_berth
	update_config '.process.args = [42]'
	run --separate-stderr berth_create ct
	assert_failure
	assert_equal "$output" ""
	[ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "stderr: $stderr"
	[[ $stderr == *ct* ]] || fail "stderr does not name the container: $stderr"
}
