#!/usr/bin/env bats
# Process attributes and LSM labels, read back inside the container:
# linux.personality, process.scheduler, process.ioPriority,
# process.execCPUAffinity, linux.memoryPolicy, process.apparmorProfile,
# process.selinuxLabel, linux.mountLabel.

load helpers

# A config that berth refuses must leave nothing behind.
assert_nothing_created() {
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
	[ -z "$(state_left)" ] || fail "state left: $(state_left)"
}

host_has_apparmor() {
	[ -d /sys/kernel/security/apparmor ] &&
		grep -q '^Y' /sys/module/apparmor/parameters/enabled 2>/dev/null
}
host_has_selinux() { [ -e /sys/fs/selinux/enforce ]; }
host_has_numa() { [ -d /sys/devices/system/node ]; }

# Field N of /proc/self/stat of the reading process (comm has no spaces).
STAT_FIELD='f() { cut -d" " -f"$1" /proc/self/stat; }'

# ---------------------------------------------------------------- personality

@test "linux.personality LINUX32: uname -m says i686" {
	requires_berth
	[ "$(uname -m)" = x86_64 ] || skip "expects an x86_64 host"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args uname -m
	run berth_run ct
	assert_success
	assert_equal "$output" i686
}

@test "linux.personality LINUX: uname -m is the host's" {
	requires_berth
	update_config '.linux.personality = {"domain": "LINUX"}'
	set_args uname -m
	run berth_run ct
	assert_success
	assert_equal "$output" "$(uname -m)"
}

@test "linux.personality: flags are refused with their JSON path" {
	requires_berth
	update_config '.linux.personality = {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .linux.personality.flags[0] "ADDR_NO_RANDOMIZE": no personality flags are supported'
	assert_nothing_created
}

# ---------------------------------------------------------------- scheduler

@test "process.scheduler SCHED_BATCH nice 5: policy 3, nice 5" {
	requires_berth
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	set_cmd "$STAT_FIELD"'
		grep "^policy" /proc/self/sched | tr -d " "
		echo "nice=$(f 19)"'
	run berth_run ct
	assert_success
	assert_output_contains "policy:3" "nice=5"
}

@test "process.scheduler SCHED_FIFO priority 10: policy 1, rt_priority 10" {
	requires_berth
	update_config '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 10}'
	# With RT group scheduling (cgroup v1 cpu.rt_runtime_us), a new cgroup
	# has no real-time budget: give it one, as one must with runc.
	if [ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]; then
		update_config '.linux.resources.cpu.realtimeRuntime = 10000
			| .linux.resources.cpu.realtimePeriod = 1000000'
	fi
	# stat field 40 is rt_priority, 41 the policy; sched's prio is 99-10.
	set_cmd "$STAT_FIELD"'
		grep -E "^(policy|prio) " /proc/self/sched | tr -d " "
		echo "rt_priority=$(f 40) policy=$(f 41)"'
	run berth_run ct
	assert_success
	assert_output_contains "policy:1" "prio:89" "rt_priority=10 policy=1"
}

@test "process.scheduler: a bad priority is refused before anything is created" {
	requires_berth
	update_config '.process.scheduler = {"policy": "SCHED_FIFO"}'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .process.scheduler.priority: SCHED_FIFO needs a priority in 1-99, not 0'
	assert_nothing_created
	update_config '.process.scheduler = {"policy": "SCHED_OTHER", "priority": 5}'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .process.scheduler.priority: SCHED_OTHER takes no priority'
	assert_nothing_created
}

# ---------------------------------------------------------------- ioPriority

@test "process.ioPriority IOPRIO_CLASS_IDLE: ionice says idle" {
	requires_berth
	/bin/busybox --list 2>/dev/null | grep -qx ionice ||
		skip "busybox has no ionice applet (no /proc file shows ioprio)"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 7}'
	set_cmd 'ionice -p $$'
	run berth_run ct
	assert_success
	assert_equal "$output" idle
}

@test "process.ioPriority IOPRIO_CLASS_BE 3: ionice says best-effort: prio 3" {
	requires_berth
	/bin/busybox --list 2>/dev/null | grep -qx ionice ||
		skip "busybox has no ionice applet (no /proc file shows ioprio)"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 3}'
	set_cmd 'ionice -p $$'
	run berth_run ct
	assert_success
	assert_equal "$output" "best-effort: prio 3"
}

# ---------------------------------------------------------------- execCPUAffinity

@test "process.execCPUAffinity final 0: the process runs on CPU 0 only" {
	requires_berth
	update_config '.process.execCPUAffinity = {"final": "0"}'
	set_args grep Cpus_allowed_list /proc/self/status
	run berth_run ct
	assert_success
	assert_equal "$output" "Cpus_allowed_list:	0"
}

@test "process.execCPUAffinity initial only: final affinity is every CPU again" {
	requires_berth
	[ "$(cat /sys/devices/system/cpu/online)" != 0 ] || skip "needs 2 CPUs"
	update_config '.process.execCPUAffinity = {"initial": "0"}'
	set_args grep Cpus_allowed_list /proc/self/status
	run berth_run ct
	assert_success
	assert_equal "$output" "Cpus_allowed_list:	$(cat /sys/devices/system/cpu/online)"
}

@test "process.execCPUAffinity: a bad list or an absent CPU is refused" {
	requires_berth
	update_config '.process.execCPUAffinity = {"final": "0-"}'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .process.execCPUAffinity.final "0-": expected a number at the end'
	assert_nothing_created
	update_config '.process.execCPUAffinity = {"initial": "0,4095"}'
	run berth_run ct
	assert_failure
	assert_output_contains "config.json: .process.execCPUAffinity.initial \"0,4095\": CPU 4095 is not online on this host (online: $(cat /sys/devices/system/cpu/online))"
	assert_nothing_created
}

# ---------------------------------------------------------------- memoryPolicy

@test "linux.memoryPolicy MPOL_BIND nodes 0: numa_maps says bind:0" {
	requires_berth
	host_has_numa || skip "kernel without NUMA"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	set_cmd 'head -n 3 /proc/self/numa_maps'
	run berth_run ct
	assert_success
	assert_output_contains " bind:0 "
	assert_output_not_contains " default "
}

@test "linux.memoryPolicy MPOL_INTERLEAVE static: numa_maps says interleave=static:0" {
	requires_berth
	host_has_numa || skip "kernel without NUMA"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	set_cmd 'head -n 1 /proc/self/numa_maps'
	run berth_run ct
	assert_success
	assert_output_contains " interleave=static:0 "
}

@test "linux.memoryPolicy: missing or absent nodes are refused" {
	requires_berth
	host_has_numa || skip "kernel without NUMA"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND"}'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .linux.memoryPolicy.nodes: MPOL_BIND needs at least one node'
	assert_nothing_created
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0,1000"}'
	run berth_run ct
	assert_failure
	assert_output_contains "config.json: .linux.memoryPolicy.nodes \"0,1000\": node 1000 is not online on this host (online: $(cat /sys/devices/system/node/online))"
	assert_nothing_created
}

# ---------------------------------------------------------------- LSM

@test "process.apparmorProfile without AppArmor: refused, nothing created" {
	requires_berth
	host_has_apparmor && skip "this host has AppArmor"
	update_config '.process.apparmorProfile = "berth-test"'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .process.apparmorProfile "berth-test": AppArmor is not enabled on this host'
	assert_nothing_created
}

@test "process.selinuxLabel without SELinux: refused, nothing created" {
	requires_berth
	host_has_selinux && skip "this host has SELinux"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .process.selinuxLabel "system_u:system_r:container_t:s0": SELinux is not enabled on this host'
	assert_nothing_created
}

@test "linux.mountLabel without SELinux: refused, nothing created" {
	requires_berth
	host_has_selinux && skip "this host has SELinux"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	run berth_run ct
	assert_failure
	assert_output_contains 'config.json: .linux.mountLabel "system_u:object_r:container_file_t:s0": SELinux is not enabled on this host'
	assert_nothing_created
}

@test "empty apparmorProfile and selinuxLabel are ignored" {
	requires_berth
	update_config '.process.apparmorProfile = "" | .process.selinuxLabel = ""'
	set_args echo ok
	run berth_run ct
	assert_success
	assert_equal "$output" ok
}
