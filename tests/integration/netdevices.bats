#!/usr/bin/env bats
# linux.netDevices (runtime-spec 1.3, issue 9): host interfaces moved into
# the container's network namespace, renamed as asked, with their addresses.
# The host's real interfaces are never touched: each test makes a network
# namespace with a veth pair and runs berth inside it (nsenter --net only:
# `ip netns exec` would mount a fresh /sys over the cgroup mounts).

load helpers

setup() {
	setup_bundle
	NS="berth-nd-${TAG#berth-test.}"
	ip netns add "$NS"
	register_netns "$NS"
	ip -n "$NS" link add vA type veth peer name vB
	ip -n "$NS" addr add 10.9.0.1/24 dev vA
	ip -n "$NS" addr add 2001:db8::7/64 dev vA
	ip -n "$NS" link set vB up
}

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

# berth in the test's network namespace, output through files (see
# _berth_via_files in helpers.bash).
ns_berth() {
	local n=$((++BERTH_CALLS)) rc=0
	in_ns timeout --foreground -k 5 "$BERTH_TEST_TIMEOUT" "$BERTH" --root "$STATE_ROOT" "$@" \
		>"$TESTDIR/call$n.out" 2>"$TESTDIR/call$n.err" 3>&- || rc=$?
	cat "$TESTDIR/call$n.out"
	cat "$TESTDIR/call$n.err" >&2
	return $rc
}

netdevs() { update_config --argjson d "$1" '.linux.netDevices = $d'; }

start_long_running() {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	ns_berth create --bundle "$BUNDLE" ct || return 1
	berth start ct || return 1
	wait_for_file "$CTL/ready"
}

@test "linux.netDevices: a veth moves in renamed, with its addresses, up" {
	requires_berth
	netdevs '{"vA": {"name": "eth7"}}'
	start_long_running
	run berth exec ct ip -o addr show dev eth7
	assert_success
	assert_output_contains "inet 10.9.0.1/24" "inet6 2001:db8::7/64"
	run berth exec ct ip -o link show dev eth7
	assert_output_contains "UP"
	# gone from where berth ran
	run in_ns ip link show dev vA
	assert_failure
	run in_ns ip -o link show dev vB
	assert_success
}

@test "linux.netDevices: delete leaves the device to the kernel: a veth dies with the container's namespace" {
	requires_berth
	netdevs '{"vA": {"name": "eth7"}}'
	start_long_running
	run berth delete --force ct
	assert_success
	# The spec: the runtime MUST NOT move it back; the namespace's end
	# destroys a virtual device (and its peer), a physical one goes to the
	# initial namespace.
	for i in $(seq 50); do in_ns ip link show dev vB >/dev/null 2>&1 || break; sleep 0.1; done
	run in_ns ip -o link show
	assert_success
	assert_output_not_contains "vA"
	assert_output_not_contains "vB"
	assert_output_not_contains "eth7"
}

@test "linux.netDevices: no name keeps the host's; a %d template gets a number" {
	requires_berth
	ip -n "$NS" link add vC type veth peer name vD
	netdevs '{"vA": {}, "vC": {"name": "net%d"}}'
	set_cmd 'ip -o link show | sed "s/@[^:]*//" | cut -d" " -f2 | tr "\n" " "'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_success
	assert_equal "$output" "lo: vA: net0: "
}

@test "linux.netDevices: into a joined network namespace; it stays there after delete" {
	requires_berth
	local ns2="$NS-2"
	ip netns add "$ns2"
	register_netns "$ns2"
	update_config --arg p "/run/netns/$ns2" \
		'(.linux.namespaces[] | select(.type == "network")) .path = $p'
	netdevs '{"vA": {"name": "eth7"}}'
	start_long_running
	run ip -n "$ns2" -o addr show dev eth7
	assert_success
	assert_output_contains "inet 10.9.0.1/24"
	run berth delete --force ct
	assert_success
	run ip -n "$ns2" -o link show dev eth7
	assert_success
}

@test "linux.netDevices: a missing interface is refused before anything is created" {
	requires_berth
	netdevs '{"nope0": {}}'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains 'linux.netDevices "nope0": no such interface in berth'"'"'s network namespace'
	run berth list -q
	assert_equal "$output" ""
}

@test "linux.netDevices: bad interface names are refused with the rule" {
	requires_berth
	local d
	for d in '{"vA": {"name": "a/b"}}' '{"vA": {"name": "sixteen-chars-xx"}}' \
		'{"vA": {"name": ".."}}' '{"vA": {"name": "a b"}}' '{"vA": {"name": "e%s"}}'; do
		netdevs "$d"
		run ns_berth run --bundle "$BUNDLE" ct
		assert_failure
		assert_output_contains '.linux.netDevices["vA"].name' "is not an interface name (1 to 15 bytes"
	done
	netdevs '{"a:b": {}}'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains '.linux.netDevices: "a:b" is not an interface name'
	netdevs '{"lo": {}}'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_output_contains 'a loopback device cannot change network namespace'
	ip -n "$NS" link add vC type veth peer name vD
	netdevs '{"vA": {"name": "x"}, "vC": {"name": "x"}}'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_output_contains '"vA" and "vC" would both be "x"'
}

@test "linux.netDevices: a name already in the container's namespace is refused" {
	requires_berth
	netdevs '{"vA": {"name": "lo"}}'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains 'linux.netDevices "vA": the container'"'"'s network namespace already has a device "lo"'
	# still where it was, with its address
	run in_ns ip -o addr show dev vA
	assert_output_contains "inet 10.9.0.1/24"
}

@test "linux.netDevices: the host's network namespace is refused (none, or berth's own joined)" {
	requires_berth
	netdevs '{"vA": {}}'
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains ".linux.netDevices need a network namespace of the container's own"
	update_config --arg p "/run/netns/$NS" '.linux.namespaces += [{"type": "network", "path": $p}]'
	run ns_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains "the network namespace to join is berth's own"
	run in_ns ip -o link show dev vA
	assert_success
}
