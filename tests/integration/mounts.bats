#!/usr/bin/env bats
# mounts[], root.readonly, rootfsPropagation, --no-pivot.
# The shared rootfs is read-only: new mount points go under /tmp (a tmpfs)
# or /mnt (exists), or the test uses copy_rootfs.

load helpers

@test "mounts: tmpfs with size= and mode=" {
	# a new mount point: runc copies an existing mount point's mode onto a tmpfs
	add_mount /tmp/scratch tmpfs tmpfs 'size=1m,mode=1777'
	set_cmd 'stat -c %a /tmp/scratch; df -k /tmp/scratch | tail -n 1; grep " /tmp/scratch " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 1777
	assert_equal "$(sed -n 2p <<<"$output" | awk '{print $2}')" 1024
	assert_output_contains " - tmpfs "
}

@test "mounts: a bind mount shares files both ways" {
	mkdir "$TESTDIR/shared"
	echo from-host >"$TESTDIR/shared/h"
	add_mount /mnt bind "$TESTDIR/shared" 'rbind,rw'
	set_cmd 'cat /mnt/h; echo from-container > /mnt/c'
	run berth_run ct
	assert_success
	assert_equal "$output" from-host
	assert_equal "$(cat "$TESTDIR/shared/c")" from-container
}

@test "mounts: a ro bind mount refuses writes" {
	mkdir "$TESTDIR/shared"
	echo data >"$TESTDIR/shared/h"
	add_mount /mnt bind "$TESTDIR/shared" 'bind,ro'
	set_cmd 'cat /mnt/h; touch /mnt/new && echo wrote; grep " /mnt " /proc/self/mountinfo'
	run berth_run ct
	assert_output_contains data "Read-only file system"
	assert_output_not_contains wrote
	grep -q ' /mnt ro[, ]' <<<"$output" || fail "mountinfo: $output"
	[ ! -e "$TESTDIR/shared/new" ]
}

@test "mounts: nosuid, nodev, noexec are applied and noexec refuses exec" {
	add_mount /mnt tmpfs tmpfs 'nosuid,nodev,noexec,size=4m'
	set_cmd 'grep " /mnt " /proc/self/mountinfo; cp /bin/busybox /mnt/bb; /mnt/bb true && echo executed'
	run berth_run ct
	line=$(grep ' /mnt ' <<<"$output")
	opts=$(awk '{print $6}' <<<"$line")
	for o in nosuid nodev noexec; do
		[[ ,$opts, == *,$o,* ]] || fail "$o missing from '$opts'"
	done
	assert_output_contains "Permission denied"
	assert_output_not_contains executed
}

@test "mounts: a bind of a file" {
	echo file-content >"$TESTDIR/onefile"
	add_mount /tmp/onefile bind "$TESTDIR/onefile" 'bind,ro'
	set_args cat /tmp/onefile
	run berth_run ct
	assert_success
	assert_equal "$output" file-content
}

@test "mounts: a missing mount point is created" {
	mkdir "$TESTDIR/shared"
	echo here >"$TESTDIR/shared/h"
	add_mount /tmp/a/b/c bind "$TESTDIR/shared" 'rbind,ro'
	set_args cat /tmp/a/b/c/h
	run berth_run ct
	assert_success
	assert_equal "$output" here
}

@test "root.readonly: / is read-only" {
	set_cmd 'touch /newfile && echo wrote; grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	run berth_run ct
	assert_output_contains "Read-only file system"
	assert_output_not_contains wrote
	[ ! -e "$BERTH_TEST_ROOTFS/newfile" ]
}

@test "root.readonly false: / is writable (private rootfs copy)" {
	copy_rootfs
	set_cmd 'touch /newfile && echo wrote'
	run berth_run ct
	assert_success
	assert_equal "$output" wrote
	[ -e "$TESTDIR/rootfs/newfile" ]
}

@test "rootfsPropagation: private" {
	update_config '.linux.rootfsPropagation = "private"'
	set_cmd 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_output_not_contains "shared:"
	assert_output_not_contains "master:"
}

@test "rootfsPropagation: shared" {
	skip_if_runc "show shared: on / (runc 1.1 leaves / private after pivot_root)"
	update_config '.linux.rootfsPropagation = "shared"'
	set_cmd 'grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_output_contains "shared:"
}

@test "mounts: a symlink in the rootfs to a host path does not mount on the host" {
	copy_rootfs
	mkdir "$TESTDIR/hostdir"
	ln -s "$TESTDIR/hostdir" "$TESTDIR/rootfs/escape"
	add_mount /escape tmpfs tmpfs 'size=1m'
	set_cmd 'echo x > /escape/file; grep -c " - tmpfs " /proc/self/mountinfo'
	run berth_run ct
	# Either refused, or the mount stays inside the rootfs; never on the host.
	[ -z "$(ls -A "$TESTDIR/hostdir")" ] || fail "host dir written: $(ls -A "$TESTDIR/hostdir")"
	! findmnt -rn -o TARGET | grep -qF "$TESTDIR/hostdir"
}

@test "mounts: a bind source symlink is resolved on the host, dest inside" {
	mkdir "$TESTDIR/real"
	echo via-link >"$TESTDIR/real/f"
	ln -s "$TESTDIR/real" "$TESTDIR/link"
	add_mount /mnt bind "$TESTDIR/link" 'rbind,ro'
	set_args cat /mnt/f
	run berth_run ct
	assert_success
	assert_equal "$output" via-link
}

@test "run --no-pivot: works and the process sees the rootfs as /" {
	set_cmd 'cat /etc/hostname; ls /bin/busybox; echo $$'
	run berth_run ct --no-pivot
	assert_success
	assert_equal "$(echo $output)" "berth /bin/busybox 1"
}

@test "mounts: /dev/shm and /dev/pts are present" {
	set_cmd 'grep -E " /dev/(shm|pts) " /proc/self/mountinfo; echo x > /dev/shm/f && cat /dev/shm/f'
	run berth_run ct
	assert_success
	grep -q ' /dev/shm .* - tmpfs ' <<<"$output" || fail "no /dev/shm tmpfs: $output"
	grep -q ' /dev/pts .* - devpts ' <<<"$output" || fail "no /dev/pts: $output"
	assert_equal "$(tail -n 1 <<<"$output")" x
}

@test "mounts: /proc and /sys are mounted" {
	set_cmd 'grep -E " /(proc|sys) " /proc/self/mountinfo; cat /proc/self/stat | cut -d" " -f1'
	run berth_run ct
	assert_success
	grep -q ' /proc .* - proc ' <<<"$output" || fail "no /proc: $output"
	grep -q ' /sys .* - sysfs ' <<<"$output" || fail "no /sys: $output"
}

# The recursive options apply to submounts too (mount_setattr AT_RECURSIVE).
@test "mounts: rro and rnosuid reach submounts of an rbind; ro alone does not" {
	mkdir -p "$TESTDIR/src/sub"
	mount -t tmpfs berth-test-sub "$TESTDIR/src/sub"
	add_mount /tmp/data bind "$TESTDIR/src" 'rbind,rro,rnosuid'
	add_mount /tmp/data2 bind "$TESTDIR/src" 'rbind,ro'
	set_cmd 'touch /tmp/data/sub/x 2>&1; touch /tmp/data2/sub/y && echo data2-sub-writable
grep " /tmp/data/sub " /proc/self/mountinfo'
	run berth_run ct
	umount "$TESTDIR/src/sub"
	assert_success
	assert_output_contains "Read-only file system" data2-sub-writable
	grep " /tmp/data/sub " <<<"$output" | grep -q "ro,nosuid" || fail "submount flags: $output"
}

@test "mounts: nosymfollow refuses to follow symlinks on the mount" {
	mkdir -p "$TESTDIR/src"
	echo hello >"$TESTDIR/src/file"
	ln -s file "$TESTDIR/src/link"
	add_mount /tmp/data bind "$TESTDIR/src" 'bind,nosymfollow'
	set_cmd 'readlink /tmp/data/link; cat /tmp/data/file; cat /tmp/data/link 2>&1 || echo refused'
	run berth_run ct
	assert_success
	assert_output_contains file hello refused
}

# tmpcopyup: a dir in a private rootfs copy with a file (0640, 1000:1000,
# an old mtime, user.* and trusted.* xattrs), a subdir, a symlink and a
# fifo; /copyup becomes a tmpfs with the option.
make_copyup_dir() {
	copy_rootfs
	local d=$TESTDIR/rootfs/copyup
	mkdir -p "$d/sub"
	echo image >"$d/f"
	chmod 0640 "$d/f"
	chown 1000:1000 "$d/f"
	ln -s ../etc/passwd "$d/link"
	mkfifo "$d/fifo"
	chmod 0750 "$d/sub"
	setfattr -n user.berth -v u "$d/f"
	setfattr -n trusted.berth -v t "$d/sub"
	touch -h -d '2001-02-03 04:05:06' "$d/f" "$d/link"
}

@test "mounts: tmpcopyup copies files, dirs, symlinks with owner, mode, times, xattrs" {
	command -v setfattr >/dev/null || skip "setfattr (Debian package attr) not installed"
	make_copyup_dir
	add_mount /copyup tmpfs tmpfs 'tmpcopyup,nosuid,nodev'
	bind_ctl
	set_cmd "stat -c '%n %F %a %u:%g %Y' /copyup/f /copyup/sub /copyup/fifo; stat -c '%n %Y' /copyup/link;
		readlink /copyup/link; grep ' /copyup ' /proc/self/mountinfo;
		echo x > /copyup/new && rm /copyup/link && touch /ctl/ready && sleep 30"
	berth_run ct -d
	wait_for_file "$CTL/ready" 10
	local pid
	pid=$(state_field ct pid)
	run getfattr -d -m - --absolute-names "/proc/$pid/root/copyup/f" "/proc/$pid/root/copyup/sub"
	assert_output_contains 'user.berth="u"' 'trusted.berth="t"'
	run berth delete -f ct
	assert_success
	out=$(cat "$TESTDIR"/call1.out)
	mtime=$(date -d '2001-02-03 04:05:06' +%s)
	assert_equal "$(sed -n 1p <<<"$out")" "/copyup/f regular file 640 1000:1000 $mtime"
	local d=$TESTDIR/rootfs/copyup
	assert_equal "$(sed -n 2p <<<"$out")" "/copyup/sub directory 750 0:0 $(stat -c %Y "$d/sub")"
	assert_equal "$(sed -n 3p <<<"$out")" "/copyup/fifo fifo 644 0:0 $(stat -c %Y "$d/fifo")"
	assert_equal "$(sed -n 4p <<<"$out")" "/copyup/link $mtime"
	assert_equal "$(sed -n 5p <<<"$out")" ../etc/passwd
	grep -q ' /copyup rw,nosuid,nodev.* - tmpfs ' <<<"$out" || fail "not a tmpfs: $out"
	# the changes went to the tmpfs, not to the image
	[ -L "$TESTDIR/rootfs/copyup/link" ] || fail "the rm reached the rootfs"
	[ ! -e "$TESTDIR/rootfs/copyup/new" ] || fail "write reached the rootfs"
}

@test "mounts: tmpcopyup with ro and mode=: read-only after the copy, the mode asked for" {
	make_copyup_dir
	add_mount /copyup tmpfs tmpfs 'tmpcopyup,ro,mode=1777'
	set_cmd 'cat /copyup/f 2>/dev/null || ls /copyup; stat -c %a /copyup; touch /copyup/x || echo refused'
	update_config '.process.capabilities.effective += ["CAP_DAC_OVERRIDE"]
		| .process.capabilities.bounding += ["CAP_DAC_OVERRIDE"]
		| .process.capabilities.permitted += ["CAP_DAC_OVERRIDE"]'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" image
	assert_equal "$(sed -n 2p <<<"$output")" 1777
	assert_output_contains "Read-only file system" refused
}

@test "mounts: tmpcopyup on a path the image lacks is an empty tmpfs" {
	add_mount /tmp/none tmpfs tmpfs 'tmpcopyup'
	set_cmd 'ls -A /tmp/none | wc -l; grep " /tmp/none " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 0
	assert_output_contains " - tmpfs "
}

@test "mounts: tmpcopyup does not follow a symlink out of the rootfs" {
	copy_rootfs
	mkdir "$TESTDIR/rootfs/copyup"
	ln -s / "$TESTDIR/rootfs/copyup/escape"
	mkdir "$TESTDIR/outside" && echo host >"$TESTDIR/outside/secret"
	ln -s "$TESTDIR/outside/secret" "$TESTDIR/rootfs/copyup/abs"
	add_mount /copyup tmpfs tmpfs 'tmpcopyup'
	set_cmd 'readlink /copyup/escape; readlink /copyup/abs; cat /copyup/abs 2>&1; ls /copyup'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" /
	assert_equal "$(sed -n 2p <<<"$output")" "$TESTDIR/outside/secret"
	assert_output_not_contains host
}

@test "mounts: tmpcopyup on a bind mount or another type is refused, naming the option" {
	requires_berth
	add_mount /mnt bind "$TESTDIR" 'rbind,tmpcopyup'
	run berth_run ct
	assert_failure
	assert_output_contains "(/mnt): option 'tmpcopyup': only for a new tmpfs, not a bind mount"
	update_config '.mounts[-1] = {"destination": "/tmp/m", "type": "mqueue", "source": "mqueue", "options": ["tmpcopyup"]}'
	run berth_run ct
	assert_failure
	assert_output_contains "(/tmp/m): option 'tmpcopyup': only for a new tmpfs, not type 'mqueue'"
}
