#!/usr/bin/env bats
# issue 10: inputs other programs wrote (flags, update documents, config and
# state files that are not what they should be) and what berth does with
# them: refuse them with one line that names the culprit, never hang, never
# overflow, and `delete --force` still cleans up after a corrupt state.json.

load helpers

on_v2() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }

# cg_file FILE [NAME]: FILE in the cgroup NAME (default CGNAME).
cg_file() {
	local d
	while read -r d; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done < <(cgroup_candidates "${2:-$CGNAME}")
	echo "no $1 in: $(cgroup_candidates "${2:-$CGNAME}" | tr '\n' ' ')" >&2
	return 1
}

# start_ct ID: a long-running container ID, started.
start_ct() {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	berth_create "$1" || return 1
	berth start "$1" || return 1
	wait_for_file "$CTL/ready"
}

# The output is one line: no newline inside it.
assert_one_line() {
	[[ $output != *$'\n'* ]] || fail "more than one line: $output"
}

cgroups_left() {
	local d
	while read -r d; do
		[ -d "$d" ] && echo "$d"
	done < <(cgroup_candidates "$1")
	return 0
}

# ------------------------------------------------------------------ update

@test "reliability: update --pids-limit reaches pids.max" {
	requires_berth
	start_ct ct
	run berth update --pids-limit 50 ct
	assert_success
	assert_equal "$(cat "$(cg_file pids.max)")" 50
}

@test "reliability: update refuses sizes and numbers out of range, naming the flag" {
	requires_berth
	local cases=(
		"--memory 9007199254740993k|--memory: invalid value \"9007199254740993k\": out of range"
		"--memory 18014398509481985k|--memory: invalid value \"18014398509481985k\": out of range"
		"--memory-swap 99999999999999999999|--memory-swap: invalid value \"99999999999999999999\": out of range"
		"--memory-reservation 8589934592g|--memory-reservation: invalid value \"8589934592g\": out of range"
		"--memory -2|--memory: invalid value \"-2\""
		"--memory 1kk|--memory: invalid value \"1kk\""
		"--cpu-quota 9223372036854775808|--cpu-quota: invalid value \"9223372036854775808\": out of range"
		"--cpu-period 999|--cpu-period: invalid value \"999\": out of range (1000 to 1000000)"
		"--cpu-share 262145|--cpu-share: invalid value \"262145\": out of range (0 to 262144)"
		"--blkio-weight 5|--blkio-weight: invalid value \"5\": out of range (10 to 1000)"
		"--cpu-idle 2|--cpu-idle: invalid value \"2\": out of range (0 to 1)"
		"--pids-limit 1e3|--pids-limit: invalid value \"1e3\""
		"--pids-limit -9223372036854775809|--pids-limit: invalid value \"-9223372036854775809\": out of range"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run berth update ${c%%|*} ct
		assert_failure
		assert_output_contains "update: ${c#*|}"
		assert_one_line
	done
}

@test "reliability: events --interval, kill and --preserve-fds refuse what overflows" {
	requires_berth
	local v
	for v in inf nan 1e30s 0 -1s 0.0001ms 25h 5x; do
		run berth events --interval "$v" ct
		assert_failure
		assert_output_contains "events: --interval: invalid value \"$v\": expected a duration from 1ms to 24h"
	done
	run berth events --interval 500ms nosuch
	assert_failure
	assert_output_contains 'container "nosuch" does not exist'
	for v in 99999999999999999999 RTMIN+9223372036854775807 RTMAX-99999999999999999999 65; do
		run berth kill ct "$v"
		assert_failure
		assert_output_contains "$v"
		assert_output_not_contains "does not exist"
	done
	run berth_create ct --preserve-fds 99999999999999999999
	assert_failure
	assert_output_contains '--preserve-fds: expected at most 65536, got "99999999999999999999"'
	run berth exec --preserve-fds 4294967296 ct true
	assert_failure
	assert_output_contains 'exec: --preserve-fds: expected a number from 0 to 4294967295, got "4294967296"'
}

@test "reliability: update --resources that is not JSON names the user's file" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 32}'
	start_ct ct
	printf '%s' '{"pids":{"limit":55}}},"x":{"y":1' >"$TESTDIR/res.json"
	run berth update --resources "$TESTDIR/res.json" ct
	assert_failure
	assert_output_contains "update: --resources: $TESTDIR/res.json: invalid JSON at line 1, column" \
		"end of file expected"
	assert_equal "$(cat "$(cg_file pids.max)")" 32
	run berth update --resources - ct <<<'{"pids": {"limit": "x"}}'
	assert_failure
	assert_output_contains "update: --resources: stdin: .pids.limit: expected a 64-bit integer"
	run berth update --resources - ct <<<'[1]'
	assert_failure
	assert_output_contains "stdin: expected a JSON object"
}

@test "reliability: update --cpuset-cpus is a value, never JSON" {
	requires_berth
	start_ct ct
	local mems
	mems=$(cat "$(cg_file cpuset.mems)")
	run berth update --cpuset-cpus '0","mems":"0' ct
	assert_failure
	assert_output_contains '--cpuset-cpus: update flags: .cpu.cpus: expected a list like "0-3,7", got "0","mems":"0"'
	assert_equal "$(cat "$(cg_file cpuset.mems)")" "$mems"
	run berth update --cpuset-cpus 0 ct
	assert_success
	assert_equal "$(cat "$(cg_file cpuset.cpus)")" 0
}

# ---------------------------------------------------------------- messages

@test "reliability: an ID, a sysctl key, a hostname with a newline give a one-line error" {
	requires_berth
	run berth state $'a\nb'
	assert_failure
	assert_output_contains 'invalid container id "a\nb"'
	assert_one_line
	run berth delete --force $'x\ty'
	assert_failure
	assert_output_contains 'invalid container id "x\ty"'
	update_config '.linux.sysctl = {"net.ipv4.ip_forward\nx": "1"}'
	run berth_run ct
	assert_failure
	assert_output_contains 'net.ipv4.ip_forward\nx'
	assert_one_line
	update_config 'del(.linux.sysctl) | .hostname = "a\nb"'
	run berth_run ct
	assert_failure
	assert_output_contains '.hostname: invalid name "a\nb": only letters, digits, hyphens and dots (RFC 1123)'
	assert_one_line
}

@test "reliability: hostname and domainname follow the kernel and RFC 1123" {
	requires_berth
	local bad
	for bad in a_b -ab ab- a..b "a b" "$(printf 'a%.0s' {1..64}).x" "$(printf 'b%.0s' {1..64})"; do
		update_config --arg h "$bad" '.hostname = $h'
		run berth_run ct
		assert_failure
		assert_output_contains "config.json: .hostname:"
	done
	update_config '.hostname = "web-1.example" | .domainname = "x y"'
	run berth_run ct
	assert_failure
	assert_output_contains '.domainname: invalid name "x y"'
	update_config '.domainname = "example.org" | .linux.sysctl = {"kernel.hostname": "x_y"}'
	run berth_run ct
	assert_failure
	assert_output_contains '.linux.sysctl: "kernel.hostname": invalid name "x_y"'
	update_config 'del(.linux.sysctl)'
	set_cmd 'hostname; cat /proc/sys/kernel/domainname'
	run berth_run ct
	assert_success
	assert_equal "$output" "web-1.example
example.org"
}

# ------------------------------------------------------ files of the wrong kind

@test "reliability: a config.json that is a FIFO, /dev/zero or too large is refused at once" {
	requires_berth
	mv "$BUNDLE/config.json" "$TESTDIR/config.json"
	mkfifo "$BUNDLE/config.json"
	BERTH_TEST_TIMEOUT=10 run berth_create ct
	assert_failure
	assert_output_contains "config.json '$BUNDLE/config.json': not a regular file (a FIFO)"
	rm "$BUNDLE/config.json"
	ln -s /dev/zero "$BUNDLE/config.json"
	BERTH_TEST_TIMEOUT=10 run berth_create ct
	assert_failure
	assert_output_contains "config.json '$BUNDLE/config.json': not a regular file (a character device)"
	rm "$BUNDLE/config.json"
	truncate -s 17M "$BUNDLE/config.json"
	BERTH_TEST_TIMEOUT=10 run berth_create ct
	assert_failure
	assert_output_contains "config.json '$BUNDLE/config.json': larger than 16 MiB"
	# a symlink to a regular file is followed (some setups have one)
	rm "$BUNDLE/config.json"
	ln -s "$TESTDIR/config.json" "$BUNDLE/config.json"
	run berth_run ct
	assert_success
}

@test "reliability: exec --process and update --resources refuse FIFOs and endless files" {
	requires_berth
	start_ct ct
	mkfifo "$TESTDIR/fifo"
	BERTH_TEST_TIMEOUT=10 run berth exec --process "$TESTDIR/fifo" ct
	assert_failure
	assert_output_contains "--process '$TESTDIR/fifo': not a regular file (a FIFO)"
	BERTH_TEST_TIMEOUT=10 run berth update --resources "$TESTDIR/fifo" ct
	assert_failure
	assert_output_contains "--resources '$TESTDIR/fifo': not a regular file (a FIFO)"
	BERTH_TEST_TIMEOUT=10 run berth update --resources /dev/zero ct
	assert_failure
	assert_output_contains "--resources '/dev/zero': not a regular file (a character device)"
	BERTH_TEST_TIMEOUT=10 run berth update --resources - ct </dev/zero
	assert_failure
	assert_output_contains "update: --resources: stdin: larger than 16 MiB"
}

# ------------------------------------------------------ a corrupt state.json

# corrupt ID [HOW]: spoil ID's state.json: garbage (default), fifo, huge.
corrupt() {
	local f=$STATE_ROOT/$1/state.json
	case ${2:-garbage} in
	garbage) printf '{"id": "%s", "pid": ' "$1" >"$f" ;;
	fifo) rm -f "$f" && mkfifo "$f" ;;
	huge) rm -f "$f" && truncate -s 17M "$f" ;;
	esac
}

# Nothing of container ID is left: state dir, process, cgroup NAME.
assert_all_gone() {
	local id=$1 name=$2 pid=$3
	[ ! -e "$STATE_ROOT/$id" ] || fail "state dir left: $(ls -A "$STATE_ROOT/$id")"
	wait_for_exit "$pid" || fail "process $pid left"
	[ -z "$(cgroups_left "$name")" ] || fail "cgroups left: $(cgroups_left "$name")"
}

@test "reliability: a corrupt state.json is 'unknown' in list, corrupt in state, and delete --force removes it all" {
	requires_berth
	local id=$CGNAME pid
	start_ct "$id"
	pid=$(state_field "$id" pid)
	corrupt "$id"
	run berth list
	assert_success
	[[ $output =~ $id\ +0\ +unknown ]] || fail "no unknown row: $output"
	run berth list --format json
	assert_equal "$(echo "$output" | jq -r ".[] | select(.id == \"$id\") | .status")" unknown
	run berth state "$id"
	assert_failure
	assert_output_contains "load state of \"$id\": state.json is corrupt: line 1 column" \
		"delete --force removes it"
	run berth delete "$id"
	assert_failure
	assert_output_contains "state.json is corrupt"
	run berth delete --force "$id"
	assert_success
	assert_all_gone "$id" "$CGNAME" "$pid"
	run berth list -q
	assert_equal "$output" ""
}

@test "reliability: a state.json that is a FIFO or too large does not hang state, list or delete" {
	requires_berth
	local id=$CGNAME pid how
	for how in fifo huge; do
		start_ct "$id"
		pid=$(state_field "$id" pid)
		corrupt "$id" "$how"
		BERTH_TEST_TIMEOUT=10 run berth state "$id"
		assert_failure
		assert_output_contains "state.json is corrupt"
		BERTH_TEST_TIMEOUT=10 run berth list -q
		assert_equal "$output" "$id"
		BERTH_TEST_TIMEOUT=10 run berth delete --force "$id"
		assert_success
		assert_all_gone "$id" "$CGNAME" "$pid"
		rm -rf "$CTL"
	done
}

@test "reliability: delete --force finds the default cgroup from the ID when the config copy is gone too" {
	requires_berth
	local id=rel-${TAG#berth-test.} pid
	CGNAMES+=("$id")
	update_config 'del(.linux.cgroupsPath)'
	start_ct "$id"
	pid=$(state_field "$id" pid)
	[ -n "$(cgroups_left "$id")" ] || fail "no cgroup named $id"
	corrupt "$id"
	echo '{' >"$STATE_ROOT/$id/config.json"
	run berth delete --force "$id"
	assert_success
	assert_all_gone "$id" "$id" "$pid"
}

@test "reliability: delete --force leaves a cgroup not named after the container" {
	requires_berth
	local pid d
	start_ct ct
	pid=$(state_field ct pid)
	corrupt ct
	run berth delete --force ct
	assert_success
	assert_output_contains "is not named after the container: its cgroup is left as it is"
	[ ! -e "$STATE_ROOT/ct" ] || fail "state dir left"
	[ -n "$(cgroups_left "$CGNAME")" ] || fail "the cgroup $CGNAME was removed"
	# what berth left, cleaned up here
	kill -9 "$pid"
	wait_for_exit "$pid"
	while read -r d; do
		for i in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.02; done
	done < <(cgroups_left "$CGNAME")
}
