#!/usr/bin/env bats
# Attacks from inside a container that must fail (docs/security.md).

load helpers

setup_file() {
	berth_setup_file
	RECVTTY=$BATS_FILE_TMPDIR/recvtty
	cc -O1 -Wall -Werror -o "$RECVTTY" "$BATS_TEST_DIRNAME/recvtty.c"
	export RECVTTY
}

# CVE-2019-5736: a container that can see berth's child before it execs (here:
# a second container joining its PID namespace) and holds CAP_SYS_PTRACE
# opens /proc/<child>/exe, waits until no berth runs, and writes through it.
# berth re-execs from a sealed memfd in that case, so the write is refused and
# the binary on the host is unchanged.
@test "CVE-2019-5736: /proc/<pid>/exe of berth's child cannot be written" {
	requires_berth
	cp "$BERTH" "$TESTDIR/berth"
	cp "$BERTH" "$TESTDIR/berth.orig"
	BERTH=$TESTDIR/berth
	bind_ctl
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	set_cmd 'touch /ctl/ready
while [ ! -e /ctl/go ]; do sleep 0.05; done
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ "$p" = 1 ] || [ "$p" = $$ ] && continue
	case "$(readlink "$d/exe")" in *berth*) target=$p ;; esac
done
echo "target=$target exe=$(readlink /proc/$target/exe)" >/ctl/target
exec 3</proc/$target/exe || { echo open-failed >/ctl/result; exit 0; }
touch /ctl/opened
while [ ! -e /ctl/go2 ]; do sleep 0.05; done
if (echo "#!/bin/sh" >/proc/self/fd/3) 2>/dev/null; then r=WROTE; else r=refused; fi
echo $r >/ctl/result
exec sleep 1000'
	berth_run p -d
	wait_for_file "$CTL/ready"
	ppid=$(state_field p pid)
	# q: same rootfs, joins p's PID namespace, created and waiting.
	cp "$BUNDLE/config.json" "$TESTDIR/p.json"
	new_cgroup
	update_config --arg ns "/proc/$ppid/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)
		 | .process.args = ["true"]'
	run berth_create q
	assert_success
	touch "$CTL/go"
	wait_for_file "$CTL/opened" || wait_for_file "$CTL/result"
	run berth delete --force q
	assert_success
	touch "$CTL/go2"
	wait_for_file "$CTL/result"
	cmp "$TESTDIR/berth" "$TESTDIR/berth.orig" || fail "the host's berth binary was changed"
	assert_equal "$(cat "$CTL/result")" refused
	grep -q memfd "$CTL/target" || fail "berth's child ran the host binary: $(cat "$CTL/target")"
}

# A container process that execs /proc/self/exe before berth's exec replaced
# it (the original CVE-2019-5736 entry point) must not reach the host's
# binary either: berth's child always runs a sealed copy.
@test "CVE-2019-5736: berth's child never runs the host binary, and its exe cannot be written" {
	requires_berth
	bind_ctl
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	assert_success
	pid=$(state_field ct pid)
	assert_equal "$(readlink "/proc/$pid/exe")" "/memfd:berth (deleted)"
	if (echo x >>"/proc/$pid/exe") 2>/dev/null; then
		fail "the sealed copy was writable"
	fi
}

# CVE-2024-21626 with an fd the caller leaked to berth (not berth's own):
# every host fd is closed before process.cwd is entered.
@test "CVE-2024-21626: a directory fd leaked by berth's caller cannot be the cwd" {
	requires_berth
	update_config '.process.cwd = "/proc/self/fd/7"'
	set_cmd 'pwd; ls'
	run berth_run ct 7</etc
	assert_failure
	assert_output_not_contains passwd
	run berth list -q
	assert_equal "$output" ""
}

# ---------------------------------------------------------------- helpers

# start_p_and_q 'SHELL CODE': container p (the default capabilities: no
# CAP_SYS_PTRACE) waits for /ctl/qpid, then runs the code with $q = the pid,
# in p's PID namespace, of berth's child for container q. q joins p's PID
# namespace and is created, not started: the child waits on the exec fifo,
# already as the container's user with its capabilities, non-dumpable. The
# code writes /ctl/result; p then touches /ctl/done.
start_p_and_q() {
	bind_ctl
	set_cmd "while [ ! -e /ctl/qpid ]; do sleep 0.05; done
q=\$(cat /ctl/qpid)
$1
touch /ctl/done
exec sleep 1000"
	run berth_run p -d
	assert_success
	ppid=$(state_field p pid)
	new_cgroup
	update_config --arg ns "/proc/$ppid/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)
		 | .process.args = ["true"]'
	run berth_create q
	assert_success
	qpid=$(state_field q pid)
	# q's pid as p sees it: the last NSpid field
	awk '/^NSpid:/ { print $NF }' "/proc/$qpid/status" >"$CTL/qpid.tmp"
	mv "$CTL/qpid.tmp" "$CTL/qpid"
	wait_for_file "$CTL/done" 10
}

# ---------------------------------------------------------------- CVE-2019-5736

@test "CVE-2019-5736: without CAP_SYS_PTRACE /proc/<pid>/exe of berth's child cannot be opened" {
	requires_berth
	cp "$BERTH" "$TESTDIR/berth"
	cp "$BERTH" "$TESTDIR/berth.orig"
	BERTH=$TESTDIR/berth
	start_p_and_q 'r=""
if (exec 3</proc/$q/exe) 2>/dev/null; then r="$r exe-opened"; fi
if readlink /proc/$q/exe >/dev/null 2>&1; then r="$r exe-readlink"; fi
if (exec 3</proc/$q/fd/0) 2>/dev/null; then r="$r fd-opened"; fi
echo "${r:-refused}" >/ctl/result'
	assert_equal "$(cat "$CTL/result")" refused
	cmp "$TESTDIR/berth" "$TESTDIR/berth.orig" || fail "the host's berth binary was changed"
	# q is still waiting, unharmed
	assert_equal "$(state_field q status)" created
}

# ---------------------------------------------------------------- ptrace

# (Listing /proc/<q>/fd is allowed: the directory belongs to root, as p does;
# the links in it cannot be followed.)
@test "CVE-2019-5736: a container cannot read berth's waiting child (environ, fd, maps, mem)" {
	requires_berth
	# control: a process of p's own, same uid and capabilities, is readable;
	# so what stops the reads of q is that berth's child is non-dumpable.
	start_p_and_q 'sleep 1000 & c=$!
ctl=""
cat /proc/$c/environ >/dev/null 2>&1 && ctl="$ctl environ"
ls /proc/$c/fd >/dev/null 2>&1 && ctl="$ctl fd"
echo "control:$ctl" >/ctl/control
kill $c
r=""
cat /proc/$q/environ >/dev/null 2>&1 && r="$r environ"
readlink /proc/$q/fd/0 >/dev/null 2>&1 && r="$r fd0"
readlink /proc/$q/cwd >/dev/null 2>&1 && r="$r cwd"
readlink /proc/$q/root >/dev/null 2>&1 && r="$r root"
cat /proc/$q/maps >/dev/null 2>&1 && r="$r maps"
head -c 1 /proc/$q/mem >/dev/null 2>&1 && r="$r mem"
echo "${r:-refused}" >/ctl/result
ls -ln /proc/$q/environ >/ctl/owner'
	assert_equal "$(cat "$CTL/control")" "control: environ fd"
	assert_equal "$(cat "$CTL/result")" refused
	assert_equal "$(state_field q status)" created
}

# ---------------------------------------------------------------- CVE-2024-21626

# check_no_host_cwd FILE: the output of the cwd probe below shows no host path
check_no_host_cwd() {
	local out
	out=$(cat "$1")
	[[ $out != *HOST-REACHED* ]] || fail "the host is reachable from the cwd: $out"
	for s in "$TESTDIR" "$STATE_ROOT" /work unreachable berth-test; do
		[[ $out != *"$s"* ]] || fail "host path '$s' visible: $out"
	done
}

@test "CVE-2024-21626: process.cwd /proc/self/fd/N does not reach the host" {
	touch "$TESTDIR/host-marker"
	up=../../../../../../../../../../..
	set_cmd "pwd; ls -a ..; [ -e $up$TESTDIR/host-marker ] && echo HOST-REACHED; true"
	for n in 3 4 5 6 7 8 9 10; do
		update_config --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		# run: refused, or the process sees only the container
		run berth_run "r$n"
		check_no_host_cwd <(echo "$output")
		# create + start: the exec fifo is one more fd in the child
		if berth_create "c$n" >/dev/null 2>&1; then
			berth start "c$n"
			wait_for_status "c$n" stopped
			check_no_host_cwd "$TESTDIR/call$BERTH_CALLS.out"
			berth delete "c$n"
		fi
	done
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
}

# fds_of_init FILE: "N TARGET" for each fd of the container's pid 1 (the
# shell), from the output of `ls -l /proc/1/fd` (ls runs as a child: its own
# directory fd is not listed; no redirection: ash would save fds above 9)
fds_of_init() {
	sed -n 's/.* \([0-9][0-9]*\) -> /\1 /p' "$1"
}

@test "CVE-2024-21626: the container process holds no fd but its stdio" {
	# run, with stdio on pipes: 0 1 2, all pipes
	set_cmd 'ls -l /proc/1/fd'
	echo | berth run --bundle "$BUNDLE" ct 2>&1 | cat >"$TESTDIR/ls"
	fds_of_init "$TESTDIR/ls" >"$TESTDIR/fds"
	output=$(cat "$TESTDIR/fds")
	[ "$(wc -l <"$TESTDIR/fds")" = 3 ] || fail "fds: $output"
	for n in 0 1 2; do
		grep -qE "^$n pipe:\[[0-9]+\]\$" "$TESTDIR/fds" || fail "fd $n: $output"
	done
	# create/start: the exec fifo and the sync socket must be gone too
	berth_create ct2 </dev/null
	berth start ct2
	wait_for_status ct2 stopped
	output=$(fds_of_init "$TESTDIR/call$BERTH_CALLS.out")
	assert_equal "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" "0 1 2 "
	assert_output_not_contains exec.fifo
	assert_output_not_contains socket:
	assert_output_not_contains "$STATE_ROOT"
	berth delete ct2
}

# ---------------------------------------------------------------- symlinks in the rootfs

# make_host_file: $TESTDIR/hostfile, with a content and mode to check later
make_host_file() {
	echo host-content >"$TESTDIR/hostfile"
	chmod 0640 "$TESTDIR/hostfile"
	HOSTFILE_STAT=$(stat -c '%a %u %g %s %F' "$TESTDIR/hostfile")
}

# check_host_file: unchanged, and nothing mounted on it or on the host's /tmp
check_host_file() {
	assert_equal "$(cat "$TESTDIR/hostfile")" host-content
	assert_equal "$(stat -c '%a %u %g %s %F' "$TESTDIR/hostfile")" "$HOSTFILE_STAT"
	! findmnt -rn -o TARGET | grep -qF "$TESTDIR/hostfile" ||
		fail "mounted on the host: $(findmnt -rn -o TARGET | grep -F "$TESTDIR")"
}

# no_dev_tmpfs: the config without the /dev tmpfs, so the rootfs's own dev/
# (a private copy) is used and a link planted there is what berth meets.
no_dev_tmpfs() {
	copy_rootfs
	update_config '.mounts |= map(select(.destination != "/dev"))'
}

# The dots climb far above / inside the container, and out of the rootfs
# on the host if a path were resolved there.
UP=../../../../../../../../../../..

@test "CVE-2021-30465: a mount destination through a relative ../.. symlink stays in the rootfs" {
	copy_rootfs
	mkdir "$TESTDIR/hostdir"
	# a link to the host dir by climbing out of the rootfs, and a directory
	# link on the way to the destination
	ln -s "$UP$TESTDIR/hostdir" "$TESTDIR/rootfs/escape"
	ln -s "$UP/$UP" "$TESTDIR/rootfs/up"
	add_mount /escape tmpfs tmpfs 'size=1m'
	add_mount "/up$TESTDIR/hostdir" tmpfs tmpfs 'size=1m'
	set_cmd "echo x >/escape/file; echo y >/up$TESTDIR/hostdir/file2; true"
	run berth_run ct
	# Either refused, or the mounts stay inside the rootfs; never on the host.
	[ -z "$(ls -A "$TESTDIR/hostdir")" ] || fail "host dir written: $(ls -A "$TESTDIR/hostdir")"
	! findmnt -rn -o TARGET | grep -qF "$TESTDIR/hostdir" || fail "mounted on the host"
	[ -L "$TESTDIR/rootfs/escape" ] || fail "the link in the rootfs was replaced"
}

@test "CVE-2025-31133: a maskedPaths entry that is a symlink to a host file" {
	copy_rootfs
	make_host_file
	ln -s "$TESTDIR/hostfile" "$TESTDIR/rootfs/etc/secret"
	ln -s "$UP$TESTDIR/hostfile" "$TESTDIR/rootfs/etc/secret2"
	update_config '.linux.maskedPaths += ["/etc/secret", "/etc/secret2"]'
	set_cmd 'cat /etc/secret /etc/secret2; echo pwned >/etc/secret; echo pwned >/etc/secret2; true'
	run berth_run ct
	assert_output_not_contains host-content
	check_host_file
}

@test "CVE-2025-31133: /dev/null in the rootfs is a symlink: masking uses the real /dev/null" {
	for target in "$TESTDIR/hostfile" "$UP$TESTDIR/hostfile" /proc/sys/kernel/core_pattern; do
		no_dev_tmpfs
		make_host_file
		core_pattern=$(cat /proc/sys/kernel/core_pattern)
		rm -f "$TESTDIR/rootfs/dev/null"
		ln -s "$target" "$TESTDIR/rootfs/dev/null"
		# /proc/keys and /proc/timer_list are masked by the default config
		# (/proc/kcore too, but this kernel has none); had the link been
		# followed, they would be the host file (or core_pattern) and the
		# write would land there.
		set_cmd 'for f in /proc/keys /proc/timer_list; do
	stat -c "$f %F %t:%T" $f; echo "$f size $(cat $f | wc -c)"
done
echo pwned >/proc/keys'
		run berth_run ct
		assert_success
		assert_output_contains "/proc/keys character special file 1:3" \
			"/proc/timer_list character special file 1:3" \
			"/proc/keys size 0" "/proc/timer_list size 0"
		check_host_file
		assert_equal "$(cat /proc/sys/kernel/core_pattern)" "$core_pattern"
		rm -rf "$TESTDIR/rootfs"
	done
}

@test "CVE-2025-52565: /dev/console in the rootfs is a symlink to a host file" {
	for target in "$TESTDIR/hostfile" "$UP$TESTDIR/hostfile"; do
		no_dev_tmpfs
		make_host_file
		ln -s "$target" "$TESTDIR/rootfs/dev/console"
		update_config '.process.terminal = true'
		set_cmd 'stat -c "%F %t" /dev/console; echo pwned >/dev/console; tty'
		"$RECVTTY" "$TESTDIR/tty.sock" >"$TESTDIR/tty.out" 2>&1 3>&- &
		RECVTTY_PID=$!
		wait_for_file "$TESTDIR/tty.sock"
		run berth_create ct --console-socket "$TESTDIR/tty.sock"
		# berth removes the link and makes an empty file to mount the pty on
		if is_berth; then assert_success; fi
		if [ "$status" = 0 ]; then
			berth start ct
			wait "$RECVTTY_PID"
			wait_for_status ct stopped
			berth delete ct
			output=$(tr -d '\r' <"$TESTDIR/tty.out")
			# the pty slave (major 136) was bound on /dev/console
			assert_output_contains "character special file 88" pwned
		else
			kill "$RECVTTY_PID" 2>/dev/null || true
			wait "$RECVTTY_PID" || true
		fi
		check_host_file
		rm -rf "$TESTDIR/rootfs" "$TESTDIR/tty.sock"
	done
}

# ---------------------------------------------------------------- devices

@test "devices: the default config cannot mknod, and /dev has no host disk" {
	set_cmd 'ls /dev | tr "\n" " "; echo
mknod /dev/sda b 8 0 && echo MKNOD-BLOCK
mknod /tmp/mem c 1 1 && echo MKNOD-CHAR
true'
	run berth_run ct
	assert_success
	assert_output_not_contains MKNOD-
	assert_output_contains "mknod: /dev/sda: Operation not permitted"
	for d in vda sda zram0 loop0 kmsg mem; do
		[[ " ${lines[0]} " != *" $d "* ]] || fail "/dev/$d in the container: ${lines[0]}"
	done
	if is_berth; then
		core=""
		[ -e /proc/kcore ] && core="core "
		assert_equal "${lines[0]}" "${core}fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero "
	fi
}

# Without a device cgroup nothing stops a container that holds CAP_MKNOD from
# making nodes for host devices and using them. Tried: a read of the host's
# root disk (only a read; meaningful where the host itself may read it) and
# a write of one line to /dev/kmsg (c 1:11, which needs no capability and is
# not in any runtime's default allow list), looked for in the host's log.
@test "devices: with CAP_MKNOD nodes for host devices are unusable" {
	majmin=$(findmnt -no MAJ:MIN / | tr -d ' ')
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	set_cmd "mknod /dev/hostdisk b ${majmin%%:*} ${majmin#*:} && echo MKNOD-OK
echo read=\$(head -c 512 /dev/hostdisk 2>/dev/null | wc -c)
mknod /dev/kmsg2 c 1 11
echo 'berth-test: device probe $TAG' >/dev/kmsg2 && echo KMSG-WRITTEN
true"
	run berth_run ct
	assert_success
	used=()
	if [[ $output == *read=512* ]]; then used+=("read the host disk $majmin"); fi
	if dmesg | grep -qF "device probe $TAG"; then used+=("wrote to the host's /dev/kmsg"); fi
	# the device cgroup refuses what the config did not allow
	[ ${#used[@]} = 0 ] || fail "the container ${used[*]}"
	assert_output_not_contains KMSG-WRITTEN
}

# ---------------------------------------------------------------- masked and read-only paths

# Writes are probed so that they cannot hurt the host if they got through:
# drop_caches only drops clean caches; /proc/sysrq-trigger (absent from this
# host's kernel) and /sys files are opened for appending and nothing is
# written (`echo b` would reboot the machine). The open alone fails on a
# read-only mount.
@test "readonlyPaths and masked paths of the default config" {
	set_cmd 'echo 1 >/proc/sys/vm/drop_caches && echo WROTE-drop_caches
echo pwned >/proc/sys/kernel/hostname && echo WROTE-hostname
[ -e /proc/sysrq-trigger ] && true >>/proc/sysrq-trigger && echo OPENED-sysrq-trigger
touch /sys/x && echo WROTE-sys
for f in /sys/kernel/uevent_helper /sys/power/state /sys/kernel/profiling; do
	[ -e $f ] || continue
	true >>$f && echo OPENED-$f
done
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
	[ -e $f ] || continue
	echo "$f size $(cat $f 2>/dev/null | wc -c)"
done
echo "firmware: $(ls -A /sys/firmware)"'
	host_hostname=$(hostname)
	run berth_run ct
	assert_success
	assert_output_not_contains WROTE-
	assert_output_not_contains OPENED-
	# refused by the read-only mounts, not by a lack of permission
	assert_output_contains "/proc/sys/vm/drop_caches: Read-only file system" \
		"/proc/keys size 0" "/proc/timer_list size 0" "firmware: "
	assert_output_not_contains "firmware: a"
	[[ $output =~ touch:\ /sys/x:\ Read-only\ file\ system ]] || fail "touch /sys/x: $output"
	assert_equal "$(hostname)" "$host_hostname"
}

# ---------------------------------------------------------------- capabilities of the default config

@test "default capabilities: no mount, no module loading, no sethostname" {
	set_cmd 'mount -t tmpfs x /mnt && echo MOUNTED
mount --bind /tmp /mnt && echo BOUND
echo junk >/tmp/m.ko; insmod /tmp/m.ko && echo INSMOD
hostname pwned && echo HOSTNAME
echo "hostname: $(hostname)"
true'
	host_hostname=$(hostname)
	run berth_run ct
	assert_success
	for s in MOUNTED BOUND INSMOD HOSTNAME; do assert_output_not_contains "$s"; done
	assert_output_contains "hostname: berth"
	[[ $output == *insmod*"Operation not permitted"* ]] || fail "insmod: $output"
	assert_equal "$(hostname)" "$host_hostname"
	# no UTS namespace: sethostname would change the host's name
	update_config 'del(.hostname) | .linux.namespaces |= map(select(.type != "uts"))'
	set_cmd 'hostname pwned && echo HOSTNAME; true'
	run berth_run ct2
	assert_success
	assert_output_not_contains HOSTNAME
	assert_output_contains "Operation not permitted"
	assert_equal "$(hostname)" "$host_hostname"
}

@test "default capabilities: host processes are invisible, or unreadable without a PID namespace" {
	# own PID namespace: the shell (expanding the glob itself) is alone
	set_cmd 'echo /proc/[0-9]*'
	run berth_run ct
	assert_success
	assert_equal "$output" /proc/1
	# the host's PID namespace: pid 1 is the host's init; its environ, exe
	# and fds need CAP_SYS_PTRACE. (Signals are another matter: the default
	# config holds CAP_KILL, so `kill -0 1` succeeds here, as with runc.)
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_cmd 'cat /proc/1/environ >/dev/null && echo READ-environ
readlink /proc/1/exe && echo READ-exe
ls /proc/1/fd/ >/dev/null && readlink /proc/1/fd/0 && echo READ-fd
true'
	run berth_run ct2
	assert_success
	assert_output_not_contains READ-
	assert_output_contains "can't open '/proc/1/environ': Permission denied"
}
