#!/usr/bin/env bats
# Configs the engines generate, run by berth directly: what docker.bats and
# containerd.bats found, reduced to berth and a saved config.json
# (tests/fixtures/, with the engine's host paths replaced by @NAMES@ and its
# hooks, which call the engine's own binary, removed).

load helpers

# use_fixture NAME: config.json = tests/fixtures/NAME with this test's
# rootfs, cgroup, leak tag and files for the engine's bind mounts
# (@CONTAINER_DIR@: hostname, hosts, resolv.conf).
use_fixture() {
	local ctdir=$TESTDIR/ctdir
	mkdir -p "$ctdir"
	echo fixture-host >"$ctdir/hostname"
	printf '127.0.0.1\tlocalhost fixture-host\n' >"$ctdir/hosts"
	: >"$ctdir/resolv.conf"
	jq --arg root "$BERTH_TEST_ROOTFS" --arg cg "$CGNAME" --arg tag "BERTH_TEST_TAG=$TAG" \
		--arg ct "$ctdir" '
		.root = {path: $root, readonly: true}
		| .linux.cgroupsPath = $cg
		| .process.env += [$tag] | .process.terminal = false
		| .mounts |= map(if .source then .source |= sub("@CONTAINER_DIR@"; $ct) else . end)' \
		"$REPO_ROOT/tests/fixtures/$1" >"$BUNDLE/config.json"
}

@test "engine configs: docker's --tmpfs keeps the covered directory's mode, mode= wins" {
	use_fixture docker-20.10-tmpfs-config.json
	set_cmd 'stat -c "%n %a" /root /etc /mnt; cat /etc/hostname; touch /etc/x && echo writable'
	run berth_run ct
	assert_success
	assert_output_contains "/root 700" "/etc 755" fixture-host writable
	skip_if_runc "an explicit mode= is overridden by the covered directory's mode"
	assert_output_contains "/mnt 1770"
}

@test "engine configs: a read-only tmpfs keeps the mode and stays read-only" {
	add_mount /root tmpfs tmpfs ro,nosuid
	set_cmd 'stat -c "%n %a" /root; touch /root/x 2>&1; grep " /root " /proc/mounts'
	run berth_run ct
	assert_success
	assert_output_contains "/root 700" "Read-only file system" "tmpfs /root tmpfs ro,"
}

@test "engine configs: a tmpfs on a directory berth creates has tmpfs's own mode" {
	copy_rootfs
	add_mount /newdir tmpfs tmpfs nosuid
	set_args stat -c "%a" /newdir
	run berth_run ct
	assert_success
	assert_equal "$output" 1777
}

@test "engine configs: docker's repeated additionalGids are set once (as runc)" {
	use_fixture docker-20.10-group-add-config.json
	assert_equal "$(jq -c .process.user.additionalGids "$BUNDLE/config.json")" "[1000,1001,1001]"
	set_cmd 'id -G; grep ^Groups: /proc/self/status'
	run berth_run ct
	assert_success
	assert_equal "$output" "1000 1001"$'\n'"Groups:	1000 1001 "
}

@test "engine configs: exec's repeated --additional-gids and process.json gids are set once" {
	bind_ctl
	set_cmd "$LONG_RUNNING"
	berth_run ct -d
	wait_for_file "$CTL/ready"
	run berth exec -u 1000:1000 -g 20 -g 20 -g 1000 ct grep ^Groups: /proc/self/status
	assert_success
	assert_equal "$output" "Groups:	20 1000 "
	jq '.process | .args = ["grep", "^Groups:", "/proc/self/status"]
		| .user = {uid: 1000, gid: 1000, additionalGids: [30, 30, 30]}' \
		"$BUNDLE/config.json" >"$TESTDIR/process.json"
	run berth exec --process "$TESTDIR/process.json" ct
	assert_success
	assert_equal "$output" "Groups:	30 "
}

# containerd's shim runs berth with the host's /dev/null, opened read-only,
# as fds 0, 1 and 2 when the container has no stdio (ctr run --null-io).
@test "engine stdio: read-only /dev/null stdio becomes the container's, read-write (as runc)" {
	bind_ctl
	set_cmd 'echo out; echo "rc=$?" >/ctl/rc; ls -l /proc/self/fd/ >/ctl/fds; '"$LONG_RUNNING"
	berth run -d --bundle "$BUNDLE" ct 0</dev/null 1</dev/null 2</dev/null
	wait_for_file "$CTL/ready"
	assert_equal "$(cat "$CTL/rc")" rc=0
	run grep -c 'lrwx.* -> /dev/null' "$CTL/fds"
	assert_equal "$output" 2 # fd 0 and 2; fd 1 is /ctl/fds
	berth exec ct sh -c 'echo out; echo "rc=$?" >/ctl/rc-exec' 0</dev/null 1</dev/null 2</dev/null
	assert_equal "$(cat "$CTL/rc-exec")" rc=0
}
