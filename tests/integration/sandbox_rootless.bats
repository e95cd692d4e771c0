#!/usr/bin/env bats
# berth sandbox as a user who is not root (issue 12 on top of issue 11): the
# same untrusted build and hostile build as sandbox.bats, run by uid 65534
# through setpriv (no user is created: the sandbox maps only the caller's
# own id, so no subuid range is needed).  The sandbox gets a user namespace
# where 0 is the caller.  On this host no cgroup is delegated to the user:
# --memory and --pids are refused with a clear error (tested), the rest
# works without a cgroup of its own.

load helpers

RL_UID=65534

setup_file() {
	[ "$(id -u)" = 0 ] || skip "switches to uid $RL_UID: needs root"
	requires_berth
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	RL_DIR=$(mktemp -d /tmp/berth-sandbox-rl.XXXXXX)
	chmod 0755 "$RL_DIR"
	install -m 0755 "$BERTH" "$RL_DIR/berth"
	mkdir -m 0755 "$RL_DIR/probe"
	cc -std=gnu17 -O2 -Wall -Werror -o "$RL_DIR/probe/probe" \
		"$BATS_TEST_DIRNAME/sandbox_probe.c"
	mkdir -m 0700 "$RL_DIR/xdg"
	chown "$RL_UID:$RL_UID" "$RL_DIR/xdg"
	export RL_DIR
}

teardown_file() {
	if [ -n "${RL_DIR:-}" ] && [ -d "$RL_DIR" ]; then
		findmnt -rn -o TARGET | grep -F "$RL_DIR" | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$RL_DIR"
	fi
}

setup() {
	TESTDIR=$(mktemp -d "$RL_DIR/t.XXXXXX")
	chmod 0755 "$TESTDIR"
	TAG=$(basename "$TESTDIR")
	WORK=$TESTDIR/work
	mkdir "$WORK"
	chown "$RL_UID:$RL_UID" "$WORK"
	BERTH_CALLS=0
	LISTENER=""
}

# Processes of this test: they carry its tag in their environment.
rl_leaked() {
	grep -lsFxz "BERTH_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null |
		cut -d/ -f3 | sort -u
}

teardown() {
	local p problems=()
	if [ -n "${LISTENER:-}" ]; then
		kill -9 "$LISTENER" 2>/dev/null || true
		wait "$LISTENER" 2>/dev/null || true
	fi
	for p in $(rl_leaked); do
		problems+=("process left: $p")
		kill -9 "$p" 2>/dev/null || true
	done
	if [ -n "$(state_left "$RL_DIR/xdg/berth")" ]; then
		problems+=("state left: $(state_left "$RL_DIR/xdg/berth" | tr '\n' ' ')")
		rm -rf "$RL_DIR/xdg/berth"
	fi
	local m
	m=$(findmnt -rn -o TARGET | grep -F "$RL_DIR" || true)
	[ -z "$m" ] || problems+=("mounts left: $m")
	rm -rf "$TESTDIR"
	[ ${#problems[@]} = 0 ] || fail "${problems[*]}"
}

# rl_sbx ARGS...: berth sandbox as uid 65534, the probe at /probe.
rl_sbx() {
	local n=$((++BERTH_CALLS)) rc=0
	timeout --foreground -k 5 "$BERTH_TEST_TIMEOUT" \
		setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ \
		XDG_RUNTIME_DIR="$RL_DIR/xdg" \
		"$RL_DIR/berth" sandbox --env "BERTH_TEST_TAG=$TAG" \
		--ro-bind "$RL_DIR/probe:/probe" "$@" \
		>"$TESTDIR/call$n.out" 2>"$TESTDIR/call$n.err" </dev/null 3>&- || rc=$?
	cat "$TESTDIR/call$n.out"
	cat "$TESTDIR/call$n.err" >&2
	return $rc
}

@test "sandbox rootless: a C project compiles and its tests pass; files are the caller's" {
	mkdir "$WORK/proj"
	printf 'int sum(int a, int b) { return a + b; }\n' >"$WORK/proj/sum.c"
	printf '#include <stdio.h>\nint sum(int, int);\nint main(void) { if (sum(2, 3) != 5) return 1; puts("tests passed"); return 0; }\n' >"$WORK/proj/test.c"
	printf 'check: test_sum\n\t./test_sum\ntest_sum: test.o sum.o\n\t$(CC) -o $@ $^\n' >"$WORK/proj/Makefile"
	chown -R "$RL_UID:$RL_UID" "$WORK/proj"
	run rl_sbx --bind "$WORK/proj:/src" --workdir /src -- sh -c 'id -u; make -s check'
	assert_success
	assert_output_contains "tests passed"
	assert_equal "${lines[0]}" 0
	assert_equal "$(stat -c %u "$WORK/proj/test_sum")" "$RL_UID"
}

@test "sandbox rootless: isolation: a user namespace, no caps, no_new_privs, seccomp, lo only" {
	run rl_sbx -- sh -c 'cat /proc/self/uid_map; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status;
		tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; readlink /proc/self/ns/user'
	assert_success
	[[ ${lines[0]} =~ ^\ *0\ +$RL_UID\ +1$ ]] || fail "uid_map: ${lines[0]}"
	assert_output_contains $'CapEff:\t0000000000000000' $'CapBnd:\t0000000000000000' \
		$'NoNewPrivs:\t1' $'Seccomp:\t2' $'\nlo\n'
	assert_output_not_contains "$(readlink /proc/self/ns/user)"
}

@test "sandbox rootless: hostile build: secrets, writes outside, network are stopped; the host is unchanged" {
	local ip port=47812 i
	ip=$(ip -4 -o addr show scope global | awk '{print $4; exit}' | cut -d/ -f1)
	run rl_sbx --bind "$WORK:/w" -- sh -c 'cat /etc/shadow; ls /root; touch /x /usr/x /etc/x; echo ok >/w/ok'
	assert_output_contains "/etc/shadow: No such file" "'/root': No such file" \
		"'/x': Read-only file system" "'/usr/x': Read-only file system"
	[ ! -e /usr/x ] && [ ! -e /x ]
	assert_equal "$(cat "$WORK/ok")" ok
	[ -n "$ip" ] || return 0
	python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$ip', $port)); s.listen(5)
while True: s.accept()[0].close()" 3>&- &
	LISTENER=$!
	for ((i = 0; i < 100; i++)); do
		bash -c "echo >/dev/tcp/$ip/$port" 2>/dev/null && break
		sleep 0.05
	done
	run rl_sbx -- /probe/probe connect "$ip" "$port"
	assert_output_contains "connect 101"
}

@test "sandbox rootless: hostile build: ptrace, mount, nested user namespaces and every denied syscall are refused" {
	run rl_sbx -- /probe/probe ptrace
	assert_output_contains "ptrace-attach 1" "ptrace-traceme 1"
	run rl_sbx -- sh -c 'mount -t tmpfs none /tmp 2>&1 || echo mount-refused; unshare -Ur true 2>&1 || echo userns-refused'
	assert_output_contains mount-refused userns-refused
	run rl_sbx -- /probe/probe syscalls
	assert_success
	assert_probe_errnos 1
}

@test "sandbox rootless: an endless loop dies at --timeout; a daemon left behind dies with the sandbox" {
	run rl_sbx --timeout 1 -- sh -c 'while :; do :; done'
	assert_status 137
	assert_output_contains "killed by the timeout after 1."
	run rl_sbx --bind "$WORK:/w" -- sh -c 'setsid sh -c "sleep 1000 & echo \$! >/w/daemon" </dev/null >/dev/null 2>&1 & sleep 0.3; echo started'
	assert_success
	[ -s "$WORK/daemon" ]
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(rl_leaked)" ] && break
		sleep 0.02
	done
	[ -z "$(rl_leaked)" ] || fail "left behind: $(rl_leaked)"
}

@test "sandbox rootless: SIGKILL of berth mid-build leaves no process and no state" {
	setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups \
		env -i PATH=/usr/bin:/bin HOME=/ XDG_RUNTIME_DIR="$RL_DIR/xdg" \
		"$RL_DIR/berth" sandbox --env "BERTH_TEST_TAG=$TAG" --bind "$WORK:/w" -- \
		sh -c 'sleep 1000 & touch /w/ready; sleep 1000' >"$TESTDIR/bg.out" 2>&1 </dev/null 3>&- &
	local bpid=$! i
	wait_for_file "$WORK/ready" 10
	kill -9 "$bpid"
	wait "$bpid" 2>/dev/null || true
	for ((i = 0; i < 250; i++)); do
		[ -z "$(rl_leaked)" ] && [ -z "$(state_left "$RL_DIR/xdg/berth" | grep -v @sandbox)" ] && break
		sleep 0.02
	done
	[ -z "$(rl_leaked)" ] || fail "processes left: $(rl_leaked)"
	[ -z "$(state_left "$RL_DIR/xdg/berth" | grep -v @sandbox)" ] || fail "state left"
	# the next sandbox sweeps the dead one's scratch dir
	run rl_sbx -- true
	assert_success
	[ ! -e "$RL_DIR/xdg/berth/@sandbox" ] || fail "scratch left"
}

@test "sandbox rootless: the build on the Debian rootfs" {
	local deb=${BERTH_TEST_DEBROOT:-$REPO_ROOT/build/debroot}
	[ -f "$deb/.berth-stamp" ] || skip "no Debian rootfs: sandbox.bats makes it (mkdebroot.sh)"
	printf 'int main(void) { return 0; }\n' >"$WORK/t.c"
	chown "$RL_UID" "$WORK/t.c"
	# a DST must exist in a rootfs the user cannot write (/mnt does)
	run rl_sbx --rootfs "$deb" --bind "$WORK:/mnt" --workdir /mnt -- sh -c 'gcc -o t t.c && ./t && cat /etc/debian_version'
	assert_success
	[ -x "$WORK/t" ]
}

@test "sandbox rootless: --overlay works in the user namespace; the host is unchanged" {
	mkdir "$TESTDIR/kept"
	chown "$RL_UID:$RL_UID" "$TESTDIR/kept"
	run rl_sbx --overlay --keep-changes "$TESTDIR/kept" -- sh -c 'echo x >/usr/rl-new && cat /usr/rl-new'
	assert_success
	assert_output_contains x
	[ ! -e /usr/rl-new ]
	assert_equal "$(cat "$TESTDIR/kept/usr/rl-new")" x
}

@test "sandbox rootless: what needs privilege is refused with a clear error" {
	run rl_sbx --memory 64M -- true
	assert_failure
	assert_output_contains "linux.resources.memory: cannot be applied rootless"
	run rl_sbx --pids 10 -- true
	assert_failure
	assert_output_contains "linux.resources.pids: cannot be applied rootless"
	run rl_sbx --user 1000 -- true
	assert_failure
	assert_output_contains "--user 1000: berth is not root"
}
