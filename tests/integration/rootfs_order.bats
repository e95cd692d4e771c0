#!/usr/bin/env bats
# The order of the rootfs steps (issue 8, item 3 and 4): nothing is
# written into the rootfs after it became read-only (process.cwd, a "ro"
# /dev), no host path is opened after the switch to the container's user
# namespace (bind sources, host device nodes), and the cgroup mount takes
# its sources from the mount table as it was before the container's
# mounts (an rbind of /sys copies every hierarchy into the rootfs).

load helpers

on_v2() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }

# userns_config: a new user namespace, uid and gid 0 -> 100000.
userns_config() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# The shared rootfs must be reachable by uid 100000 for a user namespace.
requires_userns_rootfs() {
	local d=$BERTH_TEST_ROOTFS
	while [ "$d" != / ]; do
		[ "$(($(stat -c '%#a' "$d") & 05))" -eq 5 ] ||
			skip "$d is not world-readable: a user namespace can't use the rootfs"
		d=$(dirname "$d")
	done
}

# ------------------------------------------------- a read-only root

@test "root.readonly: a missing process.cwd is created before / becomes read-only" {
	copy_rootfs
	update_config '.root.readonly = true | .process.cwd = "/work/a/b"'
	set_cmd 'pwd; ls -ld /work/a/b | cut -c1-10; touch /x 2>&1 || true'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" /work/a/b
	assert_equal "$(sed -n 2p <<<"$output")" drwxr-xr-x
	assert_output_contains "Read-only file system"
	[ -d "$TESTDIR/rootfs/work/a/b" ] || fail "cwd not created in the rootfs"
}

@test "root.readonly: process.cwd is created inside the rootfs, whatever the path" {
	copy_rootfs
	# an absolute link: resolved inside the rootfs, never on the host
	target=/var/$TAG
	[ ! -e "$target" ] || skip "$target exists on the host"
	mkdir -p "$TESTDIR/rootfs$target"
	ln -s "$target" "$TESTDIR/rootfs/link"
	update_config --arg c "/../../link/sub" '.root.readonly = true | .process.cwd = $c'
	set_args pwd
	run berth_run ct
	assert_success
	assert_equal "$output" "$target/sub"
	[ ! -e "$target" ] || { rm -rf "$target"; fail "cwd created on the host"; }
	[ -d "$TESTDIR/rootfs$target/sub" ] || fail "cwd not created inside the rootfs"
}

@test "root.readonly: a process.cwd that is a file is refused by name" {
	requires_berth
	update_config '.process.cwd = "/etc/passwd"'
	run berth_run ct
	assert_failure
	assert_output_contains "cwd: process.cwd '/etc/passwd': " "ot a directory"
}

@test "mounts: a /dev tmpfs with ro gets its devices, links and submounts, then is read-only" {
	update_config '.mounts |= map(if .destination == "/dev" then .options += ["ro"] else . end)
		| .linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
			"fileMode": 438, "uid": 0, "gid": 0}]'
	set_cmd 'grep -E " /dev(/pts|/shm)? " /proc/self/mountinfo | cut -d" " -f5,6
		stat -c "%n %F %t:%T" /dev/null /dev/fuse; readlink /dev/ptmx; readlink /dev/fd
		echo hi > /dev/null && echo null-ok; touch /dev/x 2>&1 || true'
	run berth_run ct
	assert_success
	grep -q '^/dev ro,' <<<"$output" || fail "/dev not read-only: $output"
	grep -q '^/dev/pts rw,' <<<"$output" || fail "no /dev/pts: $output"
	grep -q '^/dev/shm rw,' <<<"$output" || fail "no /dev/shm: $output"
	assert_output_contains "/dev/null character special file 1:3" \
		"/dev/fuse character special file a:e5" pts/ptmx /proc/self/fd null-ok \
		"/dev/x: Read-only file system"
}

@test "mounts: a /dev tmpfs with ro then rw stays writable" {
	update_config '.mounts |= map(if .destination == "/dev" then .options += ["ro", "rw"] else . end)'
	set_cmd 'touch /dev/x && echo wrote'
	run berth_run ct
	assert_success
	assert_equal "$output" wrote
}

# ------------------------------------------- the cgroup mount after /sys

# cgroup_after_rbind_sys [KEEP-NS...]: /sys is the host's, rbound read-only,
# then the config's cgroup mount; no network namespace, and a cgroup
# namespace only when asked.
cgroup_after_rbind_sys() {
	update_config --argjson cgns "${1:-false}" '
		.mounts |= map(if .destination == "/sys" then {"destination": "/sys",
			"type": "bind", "source": "/sys",
			"options": ["rbind", "ro", "nosuid", "noexec", "nodev"]} else . end)
		| .linux.namespaces |= map(select(.type != "network" and .type != "cgroup"))
		| if $cgns then .linux.namespaces += [{"type": "cgroup"}] else . end
		| .linux.resources.pids = {"limit": 123}
		| .linux.resources.memory = {"limit": 67108864}'
}

# What the container sees of its own cgroup's pids.max and memory limit
# under /sys/fs/cgroup, on v1 (a bind of its own cgroup per hierarchy) or
# v2 (its path in /proc/self/cgroup, "/" in a cgroup namespace).
CG_LOOK='if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		d=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)
		cat "$d/pids.max" "$d/memory.max"
	else
		cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes
		grep -c " /sys/fs/cgroup/pids " /proc/self/mountinfo
		ls /sys/fs/cgroup | tr "\n" " "; echo
	fi
	touch /sys/fs/cgroup/x 2>&1 || true'

check_cgroup_look() {
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 123
	assert_equal "$(sed -n 2p <<<"$output")" 67108864
	if ! on_v2; then
		# one bind of the pids hierarchy, on top of the rbind's copy
		[ "$(sed -n 3p <<<"$output")" -ge 1 ] || fail "no pids mount: $output"
		for h in pids memory cpu; do
			[[ " $(sed -n 4p <<<"$output") " == *" $h "* ]] || fail "no $h: $output"
		done
	fi
	assert_output_contains "Read-only file system"
}

@test "mounts: a cgroup mount after an rbind of /sys shows the container's own cgroup" {
	requires_berth
	cgroup_after_rbind_sys false
	set_cmd "$CG_LOOK"
	run berth_run ct
	check_cgroup_look
}

@test "mounts: a cgroup mount after an rbind of /sys, with a cgroup namespace" {
	requires_berth
	cgroup_after_rbind_sys true
	set_cmd "$CG_LOOK"
	run berth_run ct
	check_cgroup_look
}

@test "mounts: the default cgroup mount shows the container's own cgroup" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 123}
		| .linux.resources.memory = {"limit": 67108864}'
	set_cmd "$CG_LOOK"
	run berth_run ct
	check_cgroup_look
}

# ------------------------------------------- host paths and a user namespace

# locked_source: $SRC, a directory (with a file f) and $SRC_FILE, a file,
# below $TESTDIR/locked, mode 000: only host root can reach them.
locked_source() {
	SRC=$TESTDIR/locked/src
	SRC_FILE=$TESTDIR/locked/file
	mkdir -p "$SRC"
	echo from-dir >"$SRC/f"
	echo from-file >"$SRC_FILE"
	chmod 755 "$SRC"
	chmod 644 "$SRC/f" "$SRC_FILE"
	chmod 000 "$TESTDIR/locked"
}

@test "user namespace: bind sources only host root can reach are opened by berth" {
	requires_userns_rootfs
	userns_config
	locked_source
	add_mount /mnt bind "$SRC" 'rbind,ro'
	add_mount /tmp/d bind "$SRC" 'bind'
	add_mount /tmp/f bind "$SRC_FILE" 'bind,ro'
	set_cmd 'cat /mnt/f /tmp/d/f /tmp/f; cat /proc/self/uid_map | tr -s " "'
	run berth_run ct
	chmod 700 "$TESTDIR/locked"
	assert_success
	assert_equal "$(sed -n 1,3p <<<"$output" | tr '\n' ' ')" "from-dir from-dir from-file "
	assert_equal "$(sed -n 4p <<<"$output")" " 0 100000 65536"
}

@test "mounts: a bind source that does not exist is named in the error" {
	requires_berth
	add_mount /mnt bind "/nonexistent-$TAG" 'rbind'
	n=$(($(jq '.mounts | length' "$BUNDLE/config.json") - 1))
	run berth_run ct
	assert_failure
	assert_output_contains "mounts: mount $n (/mnt): open bind source '/nonexistent-$TAG': " \
		"o such file or directory"
}

# propagation_check [JSON]: a bind of a shared host tmpfs (its entry
# merged with JSON), and a tmpfs on it made by berth: that one must not
# appear on the host.
propagation_check() {
	mkdir -p "$TESTDIR/shared"
	mount -t tmpfs -o size=1m tmpfs "$TESTDIR/shared"
	mount --make-shared "$TESTDIR/shared"
	mkdir "$TESTDIR/shared/sub"
	update_config --arg s "$TESTDIR/shared" --argjson x "${1:-{\}}" '.mounts += [
		{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind"]} + $x,
		{"destination": "/mnt/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	set_cmd 'grep -c " /mnt/sub " /proc/self/mountinfo'
	run berth_run ct
	leaked=$(findmnt -rn -o TARGET | grep -cF "$TESTDIR/shared/sub" || true)
	umount -R "$TESTDIR/shared"
	assert_success
	assert_equal "$output" 1
	assert_equal "$leaked" 0
}

@test "mounts: what berth mounts on a bind does not propagate to a shared host mount" {
	propagation_check
}

@test "mounts: what berth mounts on an idmapped bind does not propagate to the host" {
	propagation_check '{"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
		"gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}'
}

@test "user namespace: host devices only host root can reach are bound by berth" {
	requires_userns_rootfs
	userns_config
	DEVDIR=/dev/$TAG
	mkdir -m 700 "$DEVDIR"
	mknod -m 666 "$DEVDIR/null" c 1 3
	update_config --arg p "$DEVDIR/null" '.linux.devices = [{"path": $p, "type": "c",
		"major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}]'
	set_cmd "echo x > $DEVDIR/null && stat -c '%F %t:%T' $DEVDIR/null /dev/tty"
	run berth_run ct
	rm -rf "$DEVDIR"
	assert_success
	assert_equal "$output" "character special file 1:3
character special file 5:0"
}

@test "user namespace: a linux.devices node the host lacks is named in the error" {
	requires_berth
	requires_userns_rootfs
	userns_config
	update_config --arg p "/dev/nonexistent-$TAG" '.linux.devices = [{"path": $p,
		"type": "c", "major": 1, "minor": 3}]'
	run berth_run ct
	assert_failure
	assert_output_contains "devices: linux.devices[0] (/dev/nonexistent-$TAG): open host /dev/nonexistent-$TAG: " \
		"o such file or directory"
}

@test "mounts: a bind stays a slave: a host mount made later under it reaches the container" {
	mkdir -p "$TESTDIR/shared"
	mount -t tmpfs -o size=1m tmpfs "$TESTDIR/shared"
	mount --make-shared "$TESTDIR/shared"
	mkdir "$TESTDIR/shared/late"
	bind_ctl
	add_mount /mnt bind "$TESTDIR/shared" 'rbind'
	set_cmd 'touch /ctl/ready; while [ ! -e /ctl/go ]; do sleep 0.05; done
		grep -c " /mnt/late " /proc/self/mountinfo'
	berth_create ct
	berth start ct
	wait_for_file "$CTL/ready"
	mount -t tmpfs -o size=1m tmpfs "$TESTDIR/shared/late"
	touch "$CTL/go"
	wait_for_status ct stopped
	umount -R "$TESTDIR/shared"
	assert_equal "$(cat "$TESTDIR/call1.out")" 1
}
