#!/usr/bin/env bats
# linux.namespaces, hostname/domainname, id mappings, time offsets.

load helpers

@test "uts: hostname is set inside" {
	update_config '.hostname = "berth-host"'
	set_args hostname
	run berth_run ct
	assert_success
	assert_equal "$output" berth-host
	[ "$(hostname)" != berth-host ]
}

@test "uts: domainname is set inside" {
	skip_if_runc "domainname (runc 1.2+)"
	update_config '.hostname = "berth-host" | .domainname = "berth.example"'
	set_args cat /proc/sys/kernel/domainname
	run berth_run ct
	assert_success
	assert_equal "$output" berth.example
	[ "$(cat /proc/sys/kernel/domainname)" != berth.example ]
}

@test "uts: the container has its own uts namespace" {
	set_args readlink /proc/self/ns/uts
	run berth_run ct
	assert_success
	[[ $output == uts:\[* ]] || fail "got $output"
	[ "$output" != "$(readlink /proc/self/ns/uts)" ]
}

@test "pid: the process is PID 1 and ps sees only the container" {
	set_cmd 'echo $$; ps -o pid,args; true'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 1
	grep -Eq '^ *1 +sh -c' <<<"$output" || fail "ps: $output"
	# echo's line, the header, sh, ps: nothing from the host
	[ "$(wc -l <<<"$output")" -le 4 ] || fail "ps: $output"
}

@test "mount: own mount namespace; container mounts are not on the host" {
	set_cmd 'readlink /proc/self/ns/mnt; grep " /tmp " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	[ "$(sed -n 1p <<<"$output")" != "$(readlink /proc/self/ns/mnt)" ]
	# the container has /tmp as a tmpfs; the host does not see it
	assert_output_contains " - tmpfs "
	! findmnt -rn -o TARGET | grep -q "^$BERTH_TEST_ROOTFS"
}

@test "network: a new network namespace has only lo" {
	set_cmd 'readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	run berth_run ct
	assert_success
	[ "$(sed -n 1p <<<"$output")" != "$(readlink /proc/self/ns/net)" ]
	assert_equal "$(sed 1d <<<"$output")" lo
}

# In the container: show lo, then a server and a client talk over 127.0.0.1.
LOOPBACK_TALK='ip -o link show lo
	nc -l -p 7777 >/tmp/got & srv=$!
	i=0
	until echo hello-lo | nc 127.0.0.1 7777 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 50 ] || exit 9; sleep 0.1
	done
	wait $srv; echo "got: $(cat /tmp/got)"'

@test "network: lo is up in a new network namespace; 127.0.0.1 works" {
	set_cmd "$LOOPBACK_TALK"
	run berth_run ct
	assert_success
	[[ $(sed -n 1p <<<"$output") == *"<LOOPBACK,UP,LOWER_UP>"* ]] ||
		fail "lo: $output"
	assert_output_contains "got: hello-lo"
}

@test "network: lo is up in a new network namespace with a new user namespace" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_cmd "$LOOPBACK_TALK"
	run berth_run ct
	assert_success
	[[ $(sed -n 1p <<<"$output") == *"<LOOPBACK,UP,LOWER_UP>"* ]] ||
		fail "lo: $output"
	assert_output_contains "got: hello-lo"
}

@test "network: a joined network namespace's lo is left down" {
	ns="berth-test-${TAG#berth-test.}"
	ip netns add "$ns"
	register_netns "$ns"
	update_config --arg p "/run/netns/$ns" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	set_cmd 'ip -o link show lo'
	run berth_run ct
	assert_success
	[[ $output == *"<LOOPBACK>"* ]] || fail "lo in the container: $output"
	run ip -n "$ns" -o link show lo
	[[ $output == *"<LOOPBACK>"* ]] || fail "lo in $ns: $output"
}

@test "ipc: own ipc namespace" {
	set_args readlink /proc/self/ns/ipc
	run berth_run ct
	assert_success
	[[ $output == ipc:\[* ]] || fail "got $output"
	[ "$output" != "$(readlink /proc/self/ns/ipc)" ]
}

@test "cgroup: with a cgroup namespace /proc/self/cgroup shows /" {
	update_config '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
	set_cmd 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup'
	run berth_run ct
	assert_success
	[ "$(sed -n 1p <<<"$output")" != "$(readlink /proc/self/ns/cgroup)" ]
	sed 1d <<<"$output" | while IFS=: read -r _ _ path; do
		[ "$path" = / ] || fail "cgroup path $path"
	done
}

@test "time: timeOffsets shift boottime and monotonic clocks" {
	skip_if_runc "time namespaces (runc 1.2+)"
	host_up=$(cut -d. -f1 /proc/uptime)
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0},
		                        "monotonic": {"secs": 172800, "nanosecs": 0}}'
	set_cmd 'cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	run berth_run ct
	assert_success
	up=$(sed -n 1p <<<"$output")
	# /proc/uptime is boottime: shifted by one day
	[ "$up" -ge $((host_up + 86400)) ] && [ "$up" -le $((host_up + 86400 + 30)) ] ||
		fail "uptime $up, host $host_up"
	[ "$(sed -n 2p <<<"$output")" != "$(readlink /proc/self/ns/time)" ]
}

@test "network: joining an existing namespace by path" {
	ns="berth-test-${TAG#berth-test.}"
	ip netns add "$ns"
	register_netns "$ns"
	ip -n "$ns" link add berthveth0 type veth peer name berthveth1
	update_config --arg p "/run/netns/$ns" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	set_cmd 'readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" "$(ip netns exec "$ns" readlink /proc/self/ns/net)"
	assert_output_contains berthveth0 berthveth1
}

@test "ipc/uts: joining existing namespaces by path (of another container)" {
	update_config '.hostname = "first"'
	set_cmd "$LONG_RUNNING"
	berth_run first -d
	pid=$(state_field first pid)
	new_cgroup
	update_config --arg uts "/proc/$pid/ns/uts" --arg ipc "/proc/$pid/ns/ipc" '
		del(.hostname)
		| .linux.namespaces |= map(if .type == "uts" then .path = $uts
		                           elif .type == "ipc" then .path = $ipc else . end)'
	set_cmd 'hostname; readlink /proc/self/ns/ipc'
	run berth_run second
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" first
	assert_equal "$(sed -n 2p <<<"$output")" "$(readlink "/proc/$pid/ns/ipc")"
}

@test "user: uid/gid mappings are visible in /proc/self/uid_map" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_cmd 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output" | tr -s ' ' | sed 's/^ //')" "0 100000 65536"
	assert_equal "$(sed -n 2p <<<"$output" | tr -s ' ' | sed 's/^ //')" "0 200000 65536"
	assert_equal "$(sed -n 3p <<<"$output")" 0
}

@test "user: the container's root is an unprivileged uid on the host" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	set_cmd "$LONG_RUNNING"
	berth_run ct -d
	pid=$(state_field ct pid)
	grep -E "^Uid:\s+100000\s" "/proc/$pid/status"
}
