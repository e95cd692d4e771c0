#!/usr/bin/env bats
# Rootless berth on cgroup v2 with a delegated subtree (docs/rootless.md,
# "cgroup v2 delegation"): a test user owns a cgroup as systemd's
# Delegate=yes would hand it over, and berth, run as that user, makes the
# container's cgroup there and applies its limits: memory (an OOM kill),
# pids (forks refused), pause/resume (cgroup.freeze), update, ps, kill
# --all, events --stats; delete removes the cgroup.  A subtree that is not
# delegated: no cgroup without linux.resources, an error naming the
# resource with them.
#
# The setup (setup_file, as root): a user from useradd; $DELEG, a cgroup
# below the root owned by the user (the directory, cgroup.procs,
# cgroup.subtree_control, cgroup.threads) with memory, pids and cpu enabled
# above it; $DELEG/shell, the user's "session" cgroup: every berth call is
# moved there by root before it drops to the user (setpriv), as systemd
# puts the user manager's processes in user@UID.service.  berth's default
# parent is then the parent of its own cgroup, $DELEG (runc's rule).
# teardown_file kills what is left in $DELEG, removes it and the user.
#
# Skipped unless the host is pure cgroup v2 with those controllers (run it
# with `make vm-check`, whose VM is: tests/vm/README.md) and we are root.

load helpers

RL_USER=berth-rlv2

v2_skip_reason() {
	[ "$(id -u)" = 0 ] || { echo "needs root"; return; }
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] ||
		{ echo "not a cgroup v2 host (make vm-check runs it in the VM)"; return; }
	local c
	for c in memory pids cpu; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.controllers ||
			{ echo "no $c controller"; return; }
	done
	command -v useradd >/dev/null || echo "no useradd"
}

setup_file() {
	export RL_SKIP
	RL_SKIP=$(v2_skip_reason)
	[ -z "$RL_SKIP" ] || return 0
	userdel "$RL_USER" 2>/dev/null || true
	useradd -M -d /nonexistent -s /bin/sh "$RL_USER" || fail "useradd"
	export RL_UID RL_GID RL_DIR DELEG
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_DIR=$(mktemp -d /tmp/berth-rlv2.XXXXXX)
	chmod 755 "$RL_DIR"
	mkdir "$RL_DIR/xdg" "$RL_DIR/state"
	chown "$RL_UID:$RL_GID" "$RL_DIR/xdg" "$RL_DIR/state"
	DELEG=/sys/fs/cgroup/$(basename "$RL_DIR")
	delegate_subtree
}

# What systemd's Delegate=yes does for user@UID.service, by hand.
delegate_subtree() {
	local c
	for c in memory pids cpu; do
		grep -qw "$c" /sys/fs/cgroup/cgroup.subtree_control ||
			echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
	done
	mkdir "$DELEG" "$DELEG/shell"
	chown "$RL_UID:$RL_GID" "$DELEG" "$DELEG/cgroup.procs" \
		"$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads"
	chown -R "$RL_UID:$RL_GID" "$DELEG/shell"
}

# Remove every cgroup below $DELEG (killing what is in them), then $DELEG.
remove_deleg() {
	local d i
	[ -d "$DELEG" ] || return 0
	for d in $(find "$DELEG" -mindepth 1 -depth -type d); do
		echo 1 >"$d/cgroup.kill" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			rmdir "$d" 2>/dev/null && break
			sleep 0.05
		done
	done
	echo 1 >"$DELEG/cgroup.kill" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		rmdir "$DELEG" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "could not remove $DELEG" >&2
}

teardown_file() {
	[ -z "$RL_SKIP" ] || return 0
	remove_deleg
	userdel "$RL_USER" 2>/dev/null || true
	rm -rf "$RL_DIR"
	! grep -q "^$RL_USER:" /etc/passwd /etc/subuid /etc/subgid ||
		fail "user $RL_USER left behind"
}

setup() {
	[ -z "$RL_SKIP" ] || skip "$RL_SKIP"
	requires_berth
	export ID=rlv2-$BATS_TEST_NUMBER-$$
	B=$RL_DIR/b$BATS_TEST_NUMBER
	mkdir "$B"
	"$BERTH" spec --rootless --bundle "$B"
	# /sys left out: this file is about cgroups, not the /sys bind.
	jq --arg root "$BERTH_TEST_ROOTFS" --argjson u "$RL_UID" --argjson g "$RL_GID" '
		.root.path = $root | .root.readonly = true
		| .process.terminal = false
		| .mounts |= map(select(.destination | startswith("/sys") | not))
		| .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]' \
		"$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	chown -R "$RL_UID:$RL_GID" "$B"
}

teardown() {
	[ -z "$RL_SKIP" ] || return 0
	ub delete -f "$ID" >/dev/null 2>&1 || true
	[ ! -e "$RL_DIR/state/$ID" ] || fail "state of $ID left"
	rm -rf "$B"
}

# ub ARGS...: berth as the test user, moved into $DELEG/shell first (by
# root: moving out of the root cgroup needs root's write on it).
ub() {
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$DELEG/shell" \
		setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups \
		env -i PATH="$PATH" HOME="$RL_DIR" XDG_RUNTIME_DIR="$RL_DIR/xdg" \
		timeout -k 5 "$BERTH_TEST_TIMEOUT" "$BERTH" --root "$RL_DIR/state" "$@"
}

# ub_files ARGS...: ub with its output through files (a detached container
# keeps bats' `run` pipes open forever).
ub_files() {
	local rc=0
	ub "$@" >"$RL_DIR/out" 2>"$RL_DIR/err" </dev/null || rc=$?
	cat "$RL_DIR/out" "$RL_DIR/err"
	return $rc
}

set_res() { # set_res 'JQ-EXPR on .linux.resources'
	jq ".linux.resources = ((.linux.resources // {}) | $1)" "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	chown "$RL_UID:$RL_GID" "$B/config.json"
}
set_sh() { # set_sh 'SHELL CODE'
	jq --arg c "$1" '.process.args = ["sh", "-c", $c]' "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	chown "$RL_UID:$RL_GID" "$B/config.json"
}

ustate() { ub state "$ID" | jq -r ".$1"; }

# A detached container that runs until killed: created and started.
start_long() {
	set_sh 'echo started; while :; do sleep 1; done'
	ub_files create --bundle "$B" "$ID" || return 1
	ub_files start "$ID" || return 1
	[ "$(ustate status)" = running ] || fail "not running: $(ub state "$ID")"
}

@test "rootless v2: the container's cgroup is made in the delegated subtree, with memory.max and pids.max" {
	set_res '.memory = {limit: 33554432} | .pids = {limit: 50}'
	start_long
	# berth's own cgroup is $DELEG/shell: the container's is its sibling.
	[ -d "$DELEG/$ID" ] || fail "no $DELEG/$ID: $(ls "$DELEG")"
	grep -qx "$(ustate pid)" "$DELEG/$ID/cgroup.procs"
	[ "$(cat "$DELEG/$ID/memory.max")" = 33554432 ]
	[ "$(cat "$DELEG/$ID/pids.max")" = 50 ]
	[ "$(stat -c %u "$DELEG/$ID")" = "$RL_UID" ]
}

@test "rootless v2: memory.limit is enforced (the OOM killer ends an allocation above it)" {
	set_res '.memory = {limit: 33554432, swap: 33554432}'
	set_sh 'dd if=/dev/zero of=/dev/null bs=64M count=1; echo "dd status $?"'
	ub_files create --bundle "$B" "$ID"
	[ "$(cat "$DELEG/$ID/memory.max")" = 33554432 ]
	ub_files start "$ID"
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(ustate status)" = stopped ] && break
		sleep 0.1
	done
	# dd is killed (137); when a second OOM comes while dd still exits,
	# the kernel may take the shell too, and nothing is printed
	run cat "$RL_DIR/out"
	assert_output_not_contains "dd status 0"
	[ "$(ustate status)" = stopped ] || fail "still $(ustate status)"
	grep -q '^oom_kill [1-9]' "$DELEG/$ID/memory.events" ||
		fail "memory.events: $(cat "$DELEG/$ID/memory.events")"
}

@test "rootless v2: pids.limit is enforced (forks beyond it fail)" {
	set_res '.pids = {limit: 8}'
	set_sh 'n=0; for i in $(seq 20); do sleep 30 & [ $? = 0 ] && n=$((n+1)); done; echo "forked $n"; kill $(jobs -p) 2>/dev/null; true'
	run ub run --bundle "$B" "$ID"
	echo "$output"
	[[ $output == *"forked "[0-7]* ]] || [[ $output == *"an't fork"* ]] ||
		fail "forks were not limited"
	assert_output_not_contains "forked 20"
}

@test "rootless v2: pause and resume freeze the delegated cgroup; ps, exec, events --stats, kill --all work through it" {
	start_long
	ub_files pause "$ID"
	[ "$(ustate status)" = paused ]
	[ "$(cat "$DELEG/$ID/cgroup.freeze")" = 1 ]
	grep -qx 'frozen 1' "$DELEG/$ID/cgroup.events"
	ub_files resume "$ID"
	[ "$(ustate status)" = running ]
	grep -qx 'frozen 0' "$DELEG/$ID/cgroup.events"
	run ub ps --format json "$ID"
	assert_success
	local pid
	pid=$(ustate pid)
	[[ $output == *"$pid"* ]] || fail "ps: $output, pid $pid"
	# exec joins the container's cgroup (its cgroup namespace's root).
	run ub exec "$ID" cat /proc/self/cgroup
	assert_success
	assert_equal "$output" "0::/"
	run ub events --stats "$ID"
	assert_success
	assert_output_contains '"pids"'
	ub_files kill --all "$ID" KILL
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(ustate status)" = stopped ] && break
		sleep 0.1
	done
	[ "$(ustate status)" = stopped ]
}

@test "rootless v2: update changes memory.max and pids.max; delete removes the cgroup" {
	set_res '.memory = {limit: 33554432} | .pids = {limit: 50}'
	start_long
	ub_files update --memory 50331648 --pids-limit 40 "$ID"
	[ "$(cat "$DELEG/$ID/memory.max")" = 50331648 ]
	[ "$(cat "$DELEG/$ID/pids.max")" = 40 ]
	[ -d "$DELEG/$ID" ]
	ub_files delete -f "$ID"
	[ ! -e "$DELEG/$ID" ] || fail "delete left $DELEG/$ID"
	[ ! -e "$RL_DIR/state/$ID" ]
}

@test "rootless v2: a subtree not delegated and no linux.resources: no cgroup of berth's own, said in --debug" {
	# An absolute cgroupsPath at the root: root's, not the user's.
	jq --arg p "/$ID" '.linux.cgroupsPath = $p' "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	chown "$RL_UID:$RL_GID" "$B/config.json"
	# No cgroup namespace: /proc/self/cgroup shows where the container is.
	jq '.linux.namespaces |= map(select(.type != "cgroup"))' "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	set_sh 'cat /proc/self/cgroup'
	run ub --debug run --bundle "$B" "$ID"
	assert_success
	assert_output_contains "without a cgroup of its own" \
		"cgroup /sys/fs/cgroup: /sys/fs/cgroup is not writable by uid $RL_UID"
	assert_output_contains "0::/$(basename "$DELEG")/shell"
	[ ! -e "/sys/fs/cgroup/$ID" ]
}

@test "rootless v2: a subtree not delegated with linux.resources: an error naming the resource and 'not delegated', nothing left" {
	jq --arg p "/$ID" '.linux.cgroupsPath = $p' "$B/config.json" >"$B/c.json"
	mv "$B/c.json" "$B/config.json"
	set_res '.pids = {limit: 10}'
	run ub run --bundle "$B" "$ID"
	assert_failure
	assert_output_contains "linux.resources.pids: cannot be applied rootless" \
		"not delegated" "/sys/fs/cgroup is not writable by uid $RL_UID"
	[ ! -e "/sys/fs/cgroup/$ID" ]
	[ ! -e "$RL_DIR/state/$ID" ]
}

@test "rootless v2: a subtree whose cgroup.subtree_control is not the user's is not delegated: the error names the file" {
	chown 0:0 "$DELEG/cgroup.subtree_control"
	set_res '.memory = {limit: 33554432}'
	run ub run --bundle "$B" "$ID"
	chown "$RL_UID:$RL_GID" "$DELEG/cgroup.subtree_control"
	assert_failure
	assert_output_contains "linux.resources.memory: cannot be applied rootless" \
		"$DELEG/cgroup.subtree_control is not writable by uid $RL_UID"
	[ ! -e "$DELEG/$ID" ]
	[ ! -e "$RL_DIR/state/$ID" ]
}
