#!/usr/bin/env bats
# /dev contents and linux.devices.

load helpers

@test "devices: the default character devices with their major:minor" {
	# stat prints major/minor in hex
	set_cmd 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T" /dev/$d)"; done'
	run berth_run ct
	assert_success
	assert_output_contains \
		"null character special file 1:3" \
		"zero character special file 1:5" \
		"full character special file 1:7" \
		"random character special file 1:8" \
		"urandom character special file 1:9" \
		"tty character special file 5:0"
}

@test "devices: the default devices work" {
	set_cmd 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c; echo x 2>&1 > /dev/full || echo full-ENOSPC'
	run berth_run ct
	assert_success
	assert_output_contains null-ok "00 00 00 00" full-ENOSPC
	grep -qx ' *8' <<<"$output" || fail "urandom: $output"
}

@test "devices: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/ptmx" {
	set_cmd 'for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done; ls -l /dev/ptmx; [ -c /dev/ptmx ] && echo ptmx-char'
	run berth_run ct
	assert_success
	assert_output_contains "fd -> /proc/self/fd" "stdin -> /proc/self/fd/0" \
		"stdout -> /proc/self/fd/1" "stderr -> /proc/self/fd/2" ptmx-char
}

@test "linux.devices: a device node with mode, uid and gid" {
	update_config '.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 3,
		"fileMode": 384, "uid": 1000, "gid": 1000}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	# the owner may write it (root could not: no CAP_DAC_OVERRIDE by default)
	set_cmd 'stat -c "%F %a %u %g %t:%T" /dev/mydev; echo x > /dev/mydev && echo write-ok'
	run berth_run ct
	assert_success
	assert_output_contains "character special file 600 1000 1000 1:3" write-ok
}

@test "devices: /dev is a tmpfs and host devices are not there" {
	set_cmd 'grep " /dev " /proc/self/mountinfo; ls /dev'
	run berth_run ct
	assert_success
	assert_output_contains " - tmpfs "
	# nothing like the host's disks
	assert_output_not_contains sda
	assert_output_not_contains vda
	assert_output_not_contains kmsg
}
