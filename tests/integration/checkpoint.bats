#!/usr/bin/env bats
# checkpoint and restore through CRIU (issue 13, docs/checkpoint.md).
# CRIU works in the cgroup v2 test VM (tests/vm: Debian's 6.1 kernel with
# the modules of tests/vm/criu.modules); on a kernel CRIU cannot work with
# (`criu check` fails: this machine's 6.18) the tests that need it skip
# with CRIU's reason and the clear error is tested instead.

load helpers

criu_reason() { criu check 2>&1 | grep -m1 '^Error' | sed 's/^Error ([^)]*): //'; }
requires_criu() {
	requires_berth
	command -v criu >/dev/null || skip "criu is not installed"
	criu check >/dev/null 2>&1 || skip "criu check fails here: $(criu_reason)"
}

# The bad-input tests need no CRIU: in the VM they would only add to
# vm-check's time (each bats test costs ~10-20 s under emulation).
host_only() {
	requires_berth
	[ "${BERTH_VM:-}" != 1 ] || skip "runs on the host only (vm-check's time)"
}

COUNTER='i=0; while :; do i=$((i+1)); echo $i >>/ctl/count; sleep 0.2; done'

start_counter() { # start_counter ID
	bind_ctl
	set_cmd "$COUNTER"
	berth_run "$1" -d || return 1
	wait_for_file "$CTL/count" 60
}
last_count() { tail -n 1 "$CTL/count"; }
images() { echo "$TESTDIR/images${1:-}"; }

@test "checkpoint: --lazy-pages, --page-server, bad flag values are refused by name" {
	host_only
	run berth checkpoint --lazy-pages c1
	assert_failure
	assert_output_contains "--lazy-pages is not supported"
	run berth checkpoint --page-server 127.0.0.1:1 c1
	assert_failure
	assert_output_contains "--page-server is not supported"
	run berth restore --lazy-pages c1
	assert_failure
	assert_output_contains "--lazy-pages is not supported"
	run berth restore --console-socket /tmp/s c1
	assert_failure
	assert_output_contains "--console-socket (a terminal) is not supported"
	run berth checkpoint --manage-cgroups-mode bogus c1
	assert_failure
	assert_output_contains '--manage-cgroups-mode: expected soft, full, strict or ignore, got "bogus"'
	run berth checkpoint --empty-ns pid c1
	assert_failure
	assert_output_contains '--empty-ns: only network, got "pid"'
}

@test "checkpoint: no criu installed is a clear error" {
	host_only
	run berth --criu /nonexistent/criu checkpoint c1
	assert_failure
	assert_output_contains "criu not found (--criu /nonexistent/criu)" "install the Debian package criu"
	run berth --criu /nonexistent/criu restore -b "$BUNDLE" c1
	assert_failure
	assert_output_contains "criu not found"
}

@test "checkpoint: a container that is not running is refused" {
	host_only
	command -v criu >/dev/null || skip "criu is not installed"
	set_args sleep 100
	berth_create c1
	run berth checkpoint --image-path "$(images)" c1
	assert_failure
	assert_output_contains 'checkpoint c1: container is not running (status "created")'
	run berth state c1
	assert_success
	berth delete -f c1
}

@test "checkpoint: a kernel CRIU cannot work with: criu check's reason" {
	requires_berth
	command -v criu >/dev/null || skip "criu is not installed"
	criu check >/dev/null 2>&1 && skip "criu check passes on this kernel"
	set_args sleep 100
	berth_run c1 -d
	run berth checkpoint --image-path "$(images)" c1
	assert_failure
	assert_output_contains "checkpoint c1: criu check failed: $(criu_reason)"
	assert_output_contains "CRIU cannot checkpoint or restore on this kernel"
	assert_equal "$(state_field c1 status)" running
	berth delete -f c1
}

@test "restore: a directory that is not a checkpoint is refused, nothing made" {
	host_only
	command -v criu >/dev/null || skip "criu is not installed"
	mkdir -p "$(images)"
	run berth restore -d -b "$BUNDLE" --image-path "$(images)" r1
	assert_failure
	assert_output_contains "restore r1: '$(images)' is not a berth checkpoint"
	run berth state r1
	assert_failure
	assert_output_contains 'container "r1" does not exist'
}

@test "checkpoint: a counter restored continues where it stopped" {
	requires_criu
	start_counter c1
	sleep 1
	berth checkpoint --image-path "$(images)" c1
	run berth state c1
	assert_failure # checkpoint without --leave-running ends the container
	local stopped
	stopped=$(last_count)
	sleep 1
	assert_equal "$(last_count)" "$stopped" # nothing runs meanwhile
	_berth_via_files restore -d -b "$BUNDLE" --image-path "$(images)" c1
	# The state is as after create + start: running, the bundle, the pid.
	assert_equal "$(state_field c1 status)" running
	assert_equal "$(state_field c1 bundle)" "$BUNDLE"
	local pid
	pid=$(state_field c1 pid)
	grep -q "while" "/proc/$pid/cmdline" || fail "pid $pid is not the counter"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(last_count)" -gt $((stopped + 2)) ] && break
		sleep 0.2
	done
	# Continued: the numbers go on from where they stopped, no restart at 1.
	run grep -c '^1$' "$CTL/count"
	assert_output_contains 1
	grep -qx "$((stopped + 1))" "$CTL/count" || fail "no $((stopped + 1)) after $stopped"
	run berth exec c1 cat /proc/1/cmdline
	assert_success
	berth kill c1 KILL
	wait_for_status c1 stopped 30
	berth delete c1
}

@test "checkpoint: restore under a new ID: a tmpfs, a bind mount, a joined netns" {
	requires_criu
	local ns="berth-test-${TAG#berth-test.}"
	ip netns add "$ns"
	register_netns "$ns"
	update_config --arg p "/run/netns/$ns" \
		'.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	add_mount /scratch tmpfs tmpfs size=1m
	bind_ctl
	set_cmd 'echo in-tmpfs >/scratch/f; '"$COUNTER"
	berth_run c1 -d
	wait_for_file "$CTL/count" 60
	berth checkpoint --image-path "$(images)" c1
	_berth_via_files restore -d -b "$BUNDLE" --image-path "$(images)" c2
	assert_equal "$(state_field c2 status)" running
	run berth exec c2 cat /scratch/f
	assert_success
	assert_output_contains in-tmpfs
	run berth exec c2 sh -c 'grep -c " /ctl " /proc/self/mountinfo'
	assert_output_contains 1
	# The restored container is in the joined network namespace again.
	assert_equal "$(stat -L -c %i "/proc/$(state_field c2 pid)/ns/net")" \
		"$(stat -L -c %i "/run/netns/$ns")"
	berth delete -f c2
}

@test "checkpoint: cgroup limits after restore; delete leaves nothing" {
	requires_criu
	update_config '.linux.resources.pids.limit = 77'
	start_counter c1
	berth checkpoint --image-path "$(images)" c1
	_berth_via_files restore -d -b "$BUNDLE" --image-path "$(images)" c1
	local pid cg
	pid=$(state_field c1 pid)
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[[ $cg == */$CGNAME ]] || fail "restored into $cg, not the container's cgroup $CGNAME"
	assert_equal "$(cat "/sys/fs/cgroup$cg/pids.max")" 77
	berth delete -f c1
	[ ! -e "/sys/fs/cgroup$cg" ] || fail "cgroup $cg left behind"
	[ ! -e "$STATE_ROOT/c1" ] || fail "state dir left behind"
	wait_for_exit "$pid" 10
}

@test "restore: in the foreground berth waits and returns the exit status" {
	requires_criu
	bind_ctl
	set_cmd 'i=0; while [ $i -lt 25 ]; do i=$((i+1)); echo $i >>/ctl/count; sleep 0.2; done; exit 7'
	berth_run c1 -d
	wait_for_file "$CTL/count" 60
	berth checkpoint --image-path "$(images)" c1
	local rc=0
	_berth_via_files restore -b "$BUNDLE" --image-path "$(images)" c1 || rc=$?
	assert_equal "$rc" 7
	assert_equal "$(last_count)" 25
	run berth state c1
	assert_failure # deleted once it exited, as after run
}

@test "restore: a CRIU failure leaves nothing behind" {
	requires_criu
	start_counter c1
	berth checkpoint --image-path "$(images)" c1
	: >"$(images)/pstree.img"
	run berth restore -d -b "$BUNDLE" --image-path "$(images)" c1
	assert_failure
	assert_output_contains "restore c1: criu restore failed" "log: $(images)/restore.log"
	run berth state c1
	assert_failure
	assert_output_contains 'container "c1" does not exist'
	local d
	while read -r d; do
		[ ! -e "$d" ] || fail "cgroup $d left behind"
	done < <(cgroup_candidates)
	local n
	n=$(last_count)
	sleep 1
	assert_equal "$(last_count)" "$n" # no half-restored process counts on
}

@test "checkpoint: a pre-dump, then --leave-running --parent-path; restore" {
	requires_criu
	start_counter c1
	berth checkpoint --pre-dump --image-path "$(images)/pre" c1
	assert_equal "$(state_field c1 status)" running
	berth checkpoint --leave-running --parent-path ../pre --image-path "$(images)/full" c1
	[ -L "$(images)/full/parent" ] || fail "no parent link in the dump"
	# --leave-running: still running, still counting.
	assert_equal "$(state_field c1 status)" running
	local n
	n=$(last_count)
	sleep 1
	[ "$(last_count)" -gt "$n" ] || fail "the counter stopped at $n"
	berth delete -f c1
	local stopped
	stopped=$(last_count)
	_berth_via_files restore -d -b "$BUNDLE" --image-path "$(images)/full" c1
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(last_count)" -gt "$stopped" ] && break
		sleep 0.2
	done
	# The dump's count + 1 follows the dump's count: restored from it.
	[ "$(last_count)" -gt "$stopped" ] || fail "the restored counter does not count"
	berth delete -f c1
}

@test "restore: another rootfs, or a bind mount the bundle lacks, is refused" {
	requires_criu
	start_counter c1
	berth checkpoint --image-path "$(images)" c1
	cp "$BUNDLE/config.json" "$TESTDIR/config.json"
	mkdir "$TESTDIR/otherroot"
	update_config --arg r "$TESTDIR/otherroot" '.root.path = $r'
	run berth restore -d -b "$BUNDLE" --image-path "$(images)" c3
	assert_failure
	assert_output_contains "is a checkpoint of container \"c1\" with rootfs $BERTH_TEST_ROOTFS"
	assert_output_contains "not of this bundle's rootfs $TESTDIR/otherroot"
	run berth state c3
	assert_failure
	cp "$TESTDIR/config.json" "$BUNDLE/config.json"
	update_config '.mounts |= map(select(.destination != "/ctl"))'
	run berth restore -d -b "$BUNDLE" --image-path "$(images)" c3
	assert_failure
	assert_output_contains "the checkpoint has a bind mount at /ctl, the bundle's config.json none"
	run berth state c3
	assert_failure
}
