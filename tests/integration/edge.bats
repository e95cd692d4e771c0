#!/usr/bin/env bats
# Edge cases: joining namespaces of another container (user, pid), a new user
# namespace next to a joined network namespace, ID length limits, half-created
# state, concurrent create/delete, kill/state of dead containers, exec
# failures. Message checks are berth-only.

load helpers

# ---------------------------------------------------------------- helpers

# The container's view of its id maps, normalised: "0 100000 65536".
norm_map() { tr -s ' \t' ' ' | sed 's/^ //; s/ $//'; }

# userns_config [HOSTID]: a new user namespace, uid and gid 0 -> HOSTID.
userns_config() {
	update_config --argjson h "${1:-100000}" '
		.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $h, "size": 65536}]'
}

# join_ns TYPE PATH: set .path of the namespace TYPE (adding it if absent).
join_ns() {
	update_config --arg t "$1" --arg p "$2" '
		if any(.linux.namespaces[]; .type == $t)
		then .linux.namespaces |= map(if .type == $t then .path = $p else . end)
		else .linux.namespaces += [{"type": $t, "path": $p}] end'
}

# runc_wants_maps: runc insists on id mappings even for a joined user
# namespace (berth takes them from the namespace): give runc A's.
runc_wants_maps() {
	is_runc || return 0
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# expect_nothing_left: no container listed, nothing in the state root.
expect_nothing_left() {
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
	[ -z "$(state_left)" ] || fail "state left: $(state_left)"
}

# ------------------------------------------- joining namespaces by path

@test "join: user and network namespaces of another container, with new pid/mount/uts/ipc" {
	# A new user namespace maps root to 100000: the shared rootfs must be
	# reachable for that uid (root-owned, world-readable and searchable).
	d=$BERTH_TEST_ROOTFS
	while [ "$d" != / ]; do
		[ "$(($(stat -c '%#a' "$d") & 05))" -eq 5 ] ||
			skip "$d is not world-readable: a user namespace can't use the rootfs"
		d=$(dirname "$d")
	done
	userns_config 100000
	set_cmd "$LONG_RUNNING"
	berth_run a -d
	pid=$(state_field a pid)
	a_map=$(norm_map <"/proc/$pid/uid_map")
	assert_equal "$a_map" "0 100000 65536"

	# B: a fresh config (no id mappings), joining A's user and net namespaces
	new_cgroup
	update_config 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))'
	runc_wants_maps
	join_ns user "/proc/$pid/ns/user"
	join_ns network "/proc/$pid/ns/net"
	update_config '.hostname = "bee"'
	set_cmd 'cat /proc/self/uid_map; echo $$; readlink /proc/self/ns/user
		readlink /proc/self/ns/net; readlink /proc/self/ns/pid
		readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts
		readlink /proc/self/ns/ipc; hostname; id -u'
	run berth_run b
	assert_success
	assert_equal "$(sed -n 1p <<<"$output" | norm_map)" "$a_map"
	assert_equal "$(sed -n 2p <<<"$output")" 1
	assert_equal "$(sed -n 3p <<<"$output")" "$(readlink "/proc/$pid/ns/user")"
	assert_equal "$(sed -n 4p <<<"$output")" "$(readlink "/proc/$pid/ns/net")"
	# its own pid, mount, uts, ipc namespaces: neither A's nor the host's
	local i t
	i=5
	for t in pid mnt uts ipc; do
		got=$(sed -n ${i}p <<<"$output")
		[[ $got == $t:\[* ]] || fail "$t: got '$got'"
		[ "$got" != "$(readlink "/proc/$pid/ns/$t")" ] || fail "$t namespace is A's"
		[ "$got" != "$(readlink "/proc/self/ns/$t")" ] || fail "$t namespace is the host's"
		i=$((i + 1))
	done
	assert_equal "$(sed -n 9p <<<"$output")" bee
	assert_equal "$(sed -n 10p <<<"$output")" 0
}

@test "join: user, network and pid namespaces of another container (no new pid ns)" {
	userns_config 100000
	set_cmd "$LONG_RUNNING"
	berth_run a -d
	pid=$(state_field a pid)
	new_cgroup
	update_config 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))'
	runc_wants_maps
	join_ns user "/proc/$pid/ns/user"
	join_ns network "/proc/$pid/ns/net"
	join_ns pid "/proc/$pid/ns/pid"
	set_cmd 'cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user
		readlink /proc/self/ns/pid; id -u; ps -o pid,args'
	run berth_run b
	assert_success
	assert_equal "$(sed -n 1p <<<"$output" | norm_map)" "$(norm_map <"/proc/$pid/uid_map")"
	assert_equal "$(sed -n 2p <<<"$output" | norm_map)" "$(norm_map <"/proc/$pid/gid_map")"
	assert_equal "$(sed -n 3p <<<"$output")" "$(readlink "/proc/$pid/ns/user")"
	assert_equal "$(sed -n 4p <<<"$output")" "$(readlink "/proc/$pid/ns/pid")"
	assert_equal "$(sed -n 5p <<<"$output")" 0
	grep -Eq '^ *1 +sh -c trap' <<<"$output" || fail "A's init not seen: $output"
}

@test "join: the pid namespace of another container; ps shows its processes" {
	set_cmd "$LONG_RUNNING"
	berth_run a -d
	pid=$(state_field a pid)
	new_cgroup
	join_ns pid "/proc/$pid/ns/pid"
	set_cmd 'readlink /proc/self/ns/pid; echo $$; ps -o pid,args'
	run berth_run b
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" "$(readlink "/proc/$pid/ns/pid")"
	[ "$(sed -n 2p <<<"$output")" -ne 1 ] || fail "B is PID 1: $output"
	# A's init is PID 1 of that namespace, with its sleep child
	grep -Eq '^ *1 +sh -c trap' <<<"$output" || fail "A's init not seen: $output"
	grep -Eq 'sleep 1000' <<<"$output" || fail "A's sleep not seen: $output"
}

@test "join: a new user namespace next to a joined network namespace" {
	ns="berth-test-${TAG#berth-test.}"
	ip netns add "$ns"
	register_netns "$ns"
	ip -n "$ns" link add berthveth0 type veth peer name berthveth1
	userns_config 100000
	join_ns network "/run/netns/$ns"
	# sysfs can't be mounted: the netns is not owned by the new user
	# namespace. berth binds the host's /sys instead; runc needs it spelled out.
	if is_runc; then
		update_config '.mounts |= map(if .type == "sysfs" then {"destination": "/sys",
			"type": "bind", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}
			else . end)'
	fi
	set_cmd 'cat /proc/self/uid_map; readlink /proc/self/ns/user; readlink /proc/self/ns/net
		tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output" | norm_map)" "0 100000 65536"
	[ "$(sed -n 2p <<<"$output")" != "$(readlink /proc/self/ns/user)" ] ||
		fail "no user namespace of its own"
	assert_equal "$(sed -n 3p <<<"$output")" "$(ip netns exec "$ns" readlink /proc/self/ns/net)"
	grep -qx berthveth0 <<<"$output" || fail "link of the netns not seen: $output"
	grep -qx berthveth1 <<<"$output" || fail "link of the netns not seen: $output"
}

@test "join: a new network namespace next to a joined one gets lo up" {
	# new user + joined uts: berth unshares the network namespace itself
	userns_config 100000
	join_ns uts "/proc/$$/ns/uts"
	update_config 'del(.hostname)'
	set_cmd 'ip -o link show lo; readlink /proc/self/ns/uts'
	run berth_run ct
	assert_success
	[[ $(sed -n 1p <<<"$output") == *"<LOOPBACK,UP,LOWER_UP>"* ]] ||
		fail "lo: $output"
	assert_equal "$(sed -n 2p <<<"$output")" "$(readlink /proc/$$/ns/uts)"
}

# ---------------------------------------------------------------- IDs

@test "ids: an ID of 1025 characters is refused and creates nothing" {
	id=$(printf 'a%.0s' $(seq 1025))
	run berth_create "$id"
	assert_failure
	if is_berth; then assert_output_contains "longer than 255 characters"; fi
	expect_nothing_left
}

@test "ids: an ID of 255 characters (NAME_MAX) works for create, state, delete" {
	id=$(printf 'b%.0s' $(seq 255))
	set_cmd "$LONG_RUNNING"
	run berth_create "$id"
	assert_success
	assert_equal "$(state_field "$id" id)" "$id"
	assert_equal "$(berth list -q)" "$id"
	run berth delete --force "$id"
	assert_success
	expect_nothing_left
}

@test "ids: an ID longer than NAME_MAX (256) is refused, saying why" {
	requires_berth
	id=$(printf 'c%.0s' $(seq 256))
	run berth_create "$id"
	assert_failure
	assert_output_contains "longer than 255 characters"
	expect_nothing_left
}

# ---------------------------------------------------------------- half-created

@test "delete: a half-created container (a dir with a lock, no state.json) is removed" {
	requires_berth
	mkdir "$STATE_ROOT/half"
	touch "$STATE_ROOT/half/lock"
	# listing copes with it
	run berth list -q
	assert_success
	run berth delete half
	assert_success
	[ ! -e "$STATE_ROOT/half" ] || fail "state dir still there: $(ls -A "$STATE_ROOT/half")"
	expect_nothing_left
}

@test "delete --force: a half-created container is removed" {
	requires_berth
	mkdir "$STATE_ROOT/half"
	touch "$STATE_ROOT/half/lock"
	run berth delete --force half
	assert_success
	expect_nothing_left
}

# ---------------------------------------------------------------- concurrency

@test "concurrency: 5 parallel creates with one ID: one wins, the survivor is intact" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	local i
	for i in 1 2 3 4 5; do
		(
			rc=0
			berth create --bundle "$BUNDLE" ct >"$TESTDIR/c$i.out" 2>"$TESTDIR/c$i.err" || rc=$?
			echo "$rc" >"$TESTDIR/c$i.rc"
		) &
	done
	wait
	ok=0
	for i in 1 2 3 4 5; do
		if [ "$(cat "$TESTDIR/c$i.rc")" -eq 0 ]; then
			ok=$((ok + 1))
		elif is_berth; then
			grep -q "already exists" "$TESTDIR/c$i.err" ||
				fail "create $i: $(cat "$TESTDIR/c$i.err")"
		fi
	done
	assert_equal "$ok" 1
	assert_equal "$(berth list -q)" ct
	assert_equal "$(state_field ct status)" created
	pid=$(state_field ct pid)
	kill -0 "$pid"
	# and it still works
	berth start ct
	wait_for_file "$CTL/ready"
	assert_equal "$(state_field ct status)" running
	assert_equal "$(state_field ct pid)" "$pid"
}

@test "concurrency: 5 parallel delete --force of a running container" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	berth_run ct -d
	wait_for_file "$CTL/ready"
	pid=$(state_field ct pid)
	local i
	for i in 1 2 3 4 5; do
		(
			rc=0
			berth delete --force ct >"$TESTDIR/d$i.out" 2>"$TESTDIR/d$i.err" || rc=$?
			echo "$rc" >"$TESTDIR/d$i.rc"
		) &
	done
	wait
	ok=0
	for i in 1 2 3 4 5; do
		if [ "$(cat "$TESTDIR/d$i.rc")" -eq 0 ]; then
			ok=$((ok + 1))
		elif is_berth; then
			grep -q "does not exist" "$TESTDIR/d$i.err" ||
				fail "delete $i: $(cat "$TESTDIR/d$i.err")"
		fi
	done
	[ "$ok" -ge 1 ] || fail "no delete succeeded"
	wait_for_exit "$pid"
	expect_nothing_left
}

# ---------------------------------------------------------------- kill / state

@test "kill: a stopped container refuses a signal" {
	set_cmd 'true'
	berth_run ct -d
	wait_for_status ct stopped
	run berth kill ct KILL
	assert_failure
	if is_berth; then assert_output_contains "not running"; fi
	assert_equal "$(state_field ct status)" stopped
}

@test "kill: an unknown signal name is refused; the process lives on" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	pid=$(state_field ct pid)
	for sig in SIGNOPE NOPE 0x9 9x 99999; do
		run berth kill ct "$sig"
		assert_failure
		if is_berth; then assert_output_contains "unknown signal"; fi
	done
	kill -0 "$pid"
	assert_equal "$(state_field ct status)" created
}

@test "run: a process SIGKILLed from outside makes run exit 137" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	(
		rc=0
		berth_run ct --pid-file "$TESTDIR/pid" >/dev/null 2>&1 || rc=$?
		echo "$rc" >"$TESTDIR/run.rc"
	) &
	job=$!
	wait_for_file "$CTL/ready"
	wait_for_file "$TESTDIR/pid"
	kill -9 "$(cat "$TESTDIR/pid")"
	wait "$job"
	assert_equal "$(cat "$TESTDIR/run.rc")" 137
	# run cleans up after itself
	expect_nothing_left
}

@test "state: a container whose process was SIGKILLed is stopped, pid 0" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	berth_run ct -d
	wait_for_file "$CTL/ready"
	pid=$(state_field ct pid)
	kill -9 "$pid"
	wait_for_exit "$pid"
	wait_for_status ct stopped
	run berth state ct
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	assert_equal "$(jq -r .pid <<<"$output")" 0
	run berth list --format json
	assert_equal "$(jq -r '.[0].status' <<<"$output")" stopped
}

# ---------------------------------------------------------------- exec failures

@test "exec: args[0] a directory fails, naming it, and leaves nothing" {
	set_args /tmp
	run berth_run ct
	assert_failure
	if is_berth; then assert_output_contains 'exec: "/tmp": is a directory'; fi
	expect_nothing_left
}

@test "exec: args[0] a non-executable file fails, naming it, and leaves nothing" {
	set_args /etc/passwd
	run berth_run ct
	assert_failure
	if is_berth; then assert_output_contains 'exec: "/etc/passwd": permission denied'; fi
	expect_nothing_left
}

@test "exec: create with a non-executable args[0] fails at create or at start" {
	set_args /etc/passwd
	run berth_create ct
	if [ "$status" -eq 0 ]; then
		run berth start ct
		berth delete --force ct || true
	fi
	assert_failure
	if is_berth; then assert_output_contains /etc/passwd; fi
	expect_nothing_left
}
