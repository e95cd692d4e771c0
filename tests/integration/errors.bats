#!/usr/bin/env bats
# Failures: each must fail cleanly (non-zero, nothing left behind: teardown
# checks state, mounts, cgroups, processes). Message checks are berth-only.

load helpers

# expect_clean_failure: after a failed create/run, nothing is listed
expect_clean_failure() {
	assert_failure
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
	[ -z "$(state_left)" ] || fail "state left: $(state_left)"
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

# ------------------------------- what engines parse: Go's lower-case errno texts

# docker_exit_code MESSAGE: the exit code docker's CLI gives a failed start
# (cli/command/container: runStartContainerErr; case-sensitive matching).
docker_exit_code() {
	case $1 in
	*"executable file not found"* | *"no such file or directory"*) echo 127 ;;
	*"permission denied"* | *"is a directory"*) echo 126 ;;
	*) echo 125 ;;
	esac
}

# expect_exec_error ARG0 TEXT CODE: a container whose args[0] is ARG0 fails
# (at create or at start), saying TEXT, which docker turns into CODE.
expect_exec_error() {
	set_args "$1"
	run berth_create ct
	if [ "$status" -eq 0 ]; then
		run berth start ct
		berth delete --force ct || true
	fi
	assert_failure
	output=${output//\\\"/\"} # runc's logfmt escapes the quotes
	assert_output_contains "$2"
	assert_equal "$(docker_exit_code "$output")" "$3"
}

@test "errors: a command not in \$PATH says what docker maps to 127" {
	expect_exec_error no-such-command \
		'exec: "no-such-command": executable file not found in $PATH' 127
}

@test "errors: a missing path says what docker maps to 127" {
	expect_exec_error /bin/no-such-binary \
		'exec: "/bin/no-such-binary": stat /bin/no-such-binary: no such file or directory' 127
}

@test "errors: a non-executable file says what docker maps to 126" {
	expect_exec_error /etc/passwd 'exec: "/etc/passwd": permission denied' 126
}

@test "errors: a directory as args[0] says what docker maps to 126" {
	# runc built with Go < 1.20 says "permission denied" here
	skip_if_runc "say \"is a directory\" (Go < 1.20)"
	expect_exec_error /tmp 'exec: "/tmp": is a directory' 126
}

@test "errors: errno texts are lower-case in create, start, kill, delete (berth)" {
	requires_berth
	add_mount /tmp/x bind "$TESTDIR/no-such-source" 'rbind'
	run berth_create ct
	assert_failure
	assert_output_contains "no such file or directory"
	assert_output_not_contains "No such file"
	update_config '.mounts |= map(select(.destination != "/tmp/x"))'
	update_config '.hooks.prestart = [{"path": "/no-such-hook"}]'
	run berth_create ct
	assert_failure
	assert_output_contains "no such file or directory"
	# a --pid-file in a missing directory: the host-side write fails
	update_config 'del(.hooks)'
	set_cmd "$LONG_RUNNING"
	run berth_create ct --pid-file "$TESTDIR/no-such-dir/pid"
	assert_failure
	assert_output_contains "no such file or directory"
	for cmd in start kill delete; do
		run berth $cmd nope
		assert_failure
		[[ $output != *[[:upper:]][[:lower:]]*" such "* ]] || fail "$cmd: $output"
	done
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

# ------------------------------------------- fields berth refuses by name

# refused_field JQ-EXPR MESSAGE: create with the config edited by JQ-EXPR
# fails, saying MESSAGE, and leaves no state (berth-only).
refused_field() {
	update_config "$1"
	run berth_create ct
	expect_clean_failure
	assert_output_contains "$2"
}

@test "errors: linux.intelRdt is refused by name (berth)" {
	requires_berth
	refused_field '.linux.intelRdt = {"closID": "berth", "l3CacheSchema": "L3:0=f"}' \
		"linux.intelRdt is not supported"
}

@test "errors: process.apparmorProfile is refused on a host without AppArmor (berth)" {
	requires_berth
	refused_field '.process.apparmorProfile = "berth-test"' "process.apparmorProfile"
	assert_output_contains "AppArmor is not enabled on this host"
}

@test "errors: linux.netDevices naming no interface is refused by name (berth)" {
	requires_berth
	refused_field '.linux.netDevices = {"berthdummy0": {"name": "eth1"}}' "linux.netDevices"
	assert_output_contains '"berthdummy0": no such interface'
}

# ------------------------------------------- config semantic errors (berth)

@test "errors: hostname without a UTS namespace (berth)" {
	requires_berth
	refused_field '.hostname = "berth-host"
		| .linux.namespaces |= map(select(.type != "uts"))' "UTS namespace"
}

@test "errors: a net.* sysctl without a network namespace (berth)" {
	requires_berth
	refused_field '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
		| .linux.namespaces |= map(select(.type != "network"))' "needs a network namespace"
	assert_output_contains net.ipv4.ip_forward
}

@test "errors: a non-namespaced sysctl (vm.swappiness) (berth)" {
	requires_berth
	refused_field '.linux.sysctl = {"vm.swappiness": "10"}' "not namespaced"
	assert_output_contains vm.swappiness
}

@test "errors: timeOffsets without a time namespace (berth)" {
	requires_berth
	refused_field '.linux.timeOffsets = {"monotonic": {"secs": 10, "nanosecs": 0}}
		| .linux.namespaces |= map(select(.type != "time"))' "time namespace"
}

@test "errors: no mount namespace (berth)" {
	requires_berth
	refused_field '.linux.namespaces |= map(select(.type != "mount"))' "mount namespace"
}

@test "errors: uidMappings without a user namespace (berth)" {
	requires_berth
	refused_field '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.namespaces |= map(select(.type != "user"))' "user namespace"
}

@test "errors: --console-socket with process.terminal false (berth)" {
	requires_berth
	run berth_create ct --console-socket "$TESTDIR/console.sock"
	expect_clean_failure
	assert_output_contains "--console-socket"
	run berth_run ct --console-socket "$TESTDIR/console.sock"
	expect_clean_failure
	assert_output_contains "--console-socket"
}

@test "errors: ociVersion 2.0.0 is refused (berth)" {
	requires_berth
	refused_field '.ociVersion = "2.0.0"' "unsupported ociVersion"
	assert_output_contains 2.0.0
}
