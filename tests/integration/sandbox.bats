#!/usr/bin/env bats
# berth sandbox: an untrusted build in one command.  A real build (a small C
# project compiled and tested with gcc and make, on the host-root default
# and on a Debian rootfs made by mkdebroot.sh), then a hostile build that
# tries every escape of issue 12 (sandbox_probe.c, compiled here), each
# asserted stopped with the host unchanged; the report's reasons; fate
# sharing; --print-config; bad input.

load helpers

setup_file() {
	berth_setup_file
	PROBE_DIR=$(mktemp -d /tmp/berth-sandbox-probe.XXXXXX)
	cc -std=gnu17 -O2 -Wall -Werror -o "$PROBE_DIR/probe" \
		"$BATS_TEST_DIRNAME/sandbox_probe.c"
	chmod 755 "$PROBE_DIR"
	export PROBE_DIR
}

teardown_file() {
	[ -n "${PROBE_DIR:-}" ] && rm -rf "$PROBE_DIR"
	berth_teardown_file
}

setup() {
	requires_berth
	setup_bundle
	LISTENER=""
	WORK=$TESTDIR/work
	mkdir -p "$WORK"
	chown 65534:65534 "$WORK"
}

teardown() {
	if [ -n "${LISTENER:-}" ]; then
		kill -9 "$LISTENER" 2>/dev/null || true
		wait "$LISTENER" 2>/dev/null || true
	fi
	# a test that failed half-way may have left a kept layer owned by root
	teardown_bundle
}

# sbx ARGS...: berth sandbox with the test's tag in the environment (the
# teardown's leak check finds its processes) and the probe at /probe.
sbx() {
	_berth_via_files sandbox --env "BERTH_TEST_TAG=$TAG" \
		--ro-bind "$PROBE_DIR:/probe" "$@"
}

# The JSON report of the last run, one field.
report() { jq -r ".$1" "$TESTDIR/report.json"; }

# A small C project: a library, a program, a test; `make check` runs it.
make_project() {
	local d=$1
	mkdir -p "$d"
	cat >"$d/sum.c" <<'C'
int sum(int a, int b) { return a + b; }
C
	cat >"$d/main.c" <<'C'
#include <stdio.h>
int sum(int, int);
int main(void) { printf("2+3=%d\n", sum(2, 3)); return 0; }
C
	cat >"$d/test.c" <<'C'
#include <stdio.h>
int sum(int, int);
int main(void) { if (sum(2, 3) != 5) return 1; puts("tests passed"); return 0; }
C
	printf '%s\n' 'all: app test_sum' \
		'app: main.o sum.o' '	$(CC) -o $@ $^' \
		'test_sum: test.o sum.o' '	$(CC) -o $@ $^' \
		'check: test_sum' '	./test_sum' >"$d/Makefile"
	chown -R 65534:65534 "$d"
}

# ---------------------------------------------------------------- a real build

@test "sandbox: a C project compiles and its tests pass; the output lands in the writable bind" {
	make_project "$WORK/proj"
	run sbx --bind "$WORK/proj:/src" --workdir /src -- sh -c 'make -s all && make -s check && ./app'
	assert_success
	assert_output_contains "tests passed" "2+3=5"
	[ -x "$WORK/proj/app" ] || fail "app not built on the host side"
	assert_equal "$(stat -c %u "$WORK/proj/app")" 65534
	assert_output_contains "berth sandbox: exited with status 0"
}

@test "sandbox: the same build on a Debian rootfs (debootstrap, gcc, make)" {
	local deb=${BERTH_TEST_DEBROOT:-$REPO_ROOT/build/debroot}
	if [ ! -f "$deb/.berth-stamp" ]; then
		"$BATS_TEST_DIRNAME/mkdebroot.sh" "$deb" ||
			skip "no Debian rootfs (mkdebroot.sh failed: no archive?)"
	fi
	make_project "$WORK/proj"
	run sbx --rootfs "$deb" --bind "$WORK/proj:/src" --workdir /src -- \
		sh -c 'make -s all check && ./app && cat /etc/debian_version'
	assert_success
	assert_output_contains "tests passed" "2+3=5"
	[ -x "$WORK/proj/app" ] || fail "app not built on the host side"
	[ ! -e "$deb/src" ] || [ -z "$(ls -A "$deb/src")" ] || fail "rootfs changed"
}

@test "sandbox: the hostile build on the Debian rootfs: secrets, writes, ptrace, userns and every denied syscall stopped" {
	local deb=${BERTH_TEST_DEBROOT:-$REPO_ROOT/build/debroot}
	[ -f "$deb/.berth-stamp" ] || skip "no Debian rootfs (the test above makes it)"
	local before
	before=$(find "$deb/etc" "$deb/usr/bin" -maxdepth 1 | sort | sha256sum)
	# the probe is the host's build; the Debian rootfs has the same glibc
	run sbx --rootfs "$deb" -- sh -c 'cat /etc/shadow >/dev/null && echo shadow-read; touch /usr/x /etc/x 2>&1;
		/probe/probe ptrace; unshare -Ur true 2>&1 || echo userns-refused; /probe/probe syscalls'
	assert_output_not_contains shadow-read
	assert_output_contains "Read-only file system" "ptrace-attach 1" userns-refused "clone3 38" \
		"mount 1" "bpf 1" "unshare-newuser 1"
	local line name e bad=()
	for line in "${lines[@]}"; do
		read -r name e <<<"$line"
		[[ $e =~ ^[0-9]+$ ]] || continue
		case $name in
		clone3) [ "$e" = 38 ] || bad+=("$line") ;;
		ptrace-*) ;;
		*) [ "$e" = 1 ] || bad+=("$line") ;;
		esac
	done
	[ ${#bad[@]} = 0 ] || fail "not stopped: ${bad[*]}"
	assert_equal "$(find "$deb/etc" "$deb/usr/bin" -maxdepth 1 | sort | sha256sum)" "$before"
}

@test "sandbox: the command's exit status is berth's, and one line says how it ended" {
	run sbx -- sh -c 'exit 7'
	assert_status 7
	assert_output_contains "berth sandbox: exited with status 7"
	# PID 1 of its namespace ignores signals it has no handler for: a child
	run sbx -- sh -c 'sh -c "kill -SEGV \$\$"'
	assert_status 139
	assert_output_contains "berth sandbox: exited with status 139"
}

# ---------------------------------------------------------------- isolation

@test "sandbox: default isolation: namespaces, no caps, no_new_privs, seccomp, uid 65534, masked /proc, fresh /tmp, no core dumps" {
	run sbx -- sh -c 'id -u; id -g; hostname; grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status;
		ulimit -c; for n in pid mnt ipc uts net cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done;
		wc -c </proc/kcore; ls -A /tmp | wc -l; grep " /tmp " /proc/self/mounts'
	assert_success
	local lines=("${lines[@]}")
	assert_equal "${lines[0]}" 65534
	assert_equal "${lines[1]}" 65534
	assert_equal "${lines[2]}" sandbox
	assert_output_contains $'CapEff:\t0000000000000000' $'CapBnd:\t0000000000000000' \
		$'CapPrm:\t0000000000000000' $'NoNewPrivs:\t1' $'Seccomp:\t2'
	local n
	for n in pid mnt ipc uts net cgroup; do
		local host
		host=$(readlink /proc/self/ns/$n)
		assert_output_contains "$n "
		assert_output_not_contains "$n $host"
	done
	assert_output_contains $'\n0\n' # ulimit -c
	assert_output_contains "tmpfs /tmp tmpfs"
	# /proc/kcore is masked (/dev/null: 0 bytes)
	[[ $output == *$'\n0\n0\n'* ]] || [[ $output == *$'\n0\n'* ]]
}

@test "sandbox: network is none but lo, which is up; --net host opts out" {
	run sbx -- sh -c 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "'
	assert_success
	assert_equal "$(echo "$output" | grep -v '^berth sandbox' | tr '\n' ' ')" "lo "
	# 127.0.0.1 works: a server and a client in the sandbox
	run sbx -- python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
c.sendall(b"ping"); print(a.recv(4).decode())'
	assert_success
	assert_output_contains ping
	run sbx --net host -- sh -c 'cat /proc/net/dev'
	assert_success
	assert_output_contains "$(ip -o link show | awk -F': ' '$2 != "lo" {print $2; exit}' | cut -d@ -f1)"
}

# ---------------------------------------------------------------- a hostile build

@test "sandbox: hostile build: host secrets are out of reach" {
	echo "root-secret" >"$TESTDIR/secret"
	chmod 600 "$TESTDIR/secret"
	run sbx -- sh -c 'cat /etc/shadow; ls /root; ls /home; cat /proc/1/environ | tr "\0" "\n" | grep -c . ;
		cat '"$TESTDIR"'/secret; ls /etc'
	assert_output_contains "/etc/shadow: No such file or directory" "'/root': No such file" \
		"'/home': No such file" "secret: No such file"
	assert_output_not_contains "root-secret"
	assert_output_not_contains "shadow"$'\n'
	# /etc is the chosen files only
	run sbx -- ls /etc
	assert_success
	assert_output_not_contains shadow
	assert_output_not_contains ssh
	assert_output_contains passwd group hosts resolv.conf ld.so.cache
	# a read-only bind of a secret as root in the sandbox still cannot be changed
	run sbx --user 0 --ro-bind "$TESTDIR/secret:/s" -- sh -c 'cat /s; echo x >/s'
	assert_failure
	assert_output_contains "Read-only file system"
	assert_equal "$(cat "$TESTDIR/secret")" root-secret
}

@test "sandbox: hostile build: writes outside the work dir fail; the host is unchanged" {
	local before
	before=$(ls -la /usr /etc | sha256sum)
	run sbx --bind "$WORK:/work" -- sh -c 'touch /x; touch /usr/x; touch /etc/x; touch /bin/x;
		echo ok >/work/out; echo tmp >/tmp/t && cat /tmp/t'
	assert_output_contains "'/x': Read-only file system" "'/usr/x': Read-only file system" \
		"'/etc/x': Read-only file system" "tmp"
	assert_equal "$(cat "$WORK/out")" ok
	# even as root in the sandbox
	run sbx --user 0 -- sh -c 'touch /usr/x || touch /usr/bin/x || echo denied'
	assert_output_contains denied
	[ ! -e /usr/x ] && [ ! -e /x ] && [ ! -e /etc/x ] && [ ! -e /usr/bin/x ]
	assert_equal "$(ls -la /usr /etc | sha256sum)" "$before"
}

@test "sandbox: hostile build: no network: a connect to the host's own address fails" {
	local ip port=47811
	ip=$(ip -4 -o addr show scope global | awk '{print $4; exit}' | cut -d/ -f1)
	[ -n "$ip" ] || skip "no global IPv4 address"
	python3 -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$ip', $port)); s.listen(5)
while True: s.accept()[0].close()" 3>&- &
	LISTENER=$!
	local i
	for ((i = 0; i < 100; i++)); do
		bash -c "echo >/dev/tcp/$ip/$port" 2>/dev/null && break
		sleep 0.05
	done
	run sbx -- /probe/probe connect "$ip" "$port"
	assert_success
	assert_output_contains "connect 101" # ENETUNREACH
	# the listener was there: --net host reaches it
	run sbx --net host -- /probe/probe connect "$ip" "$port"
	assert_output_contains "connect 0"
}

@test "sandbox: hostile build: a fork bomb stops at --pids; the report says pids-limit" {
	run sbx --pids 32 --timeout 5 --report "$TESTDIR/report.json" -- \
		sh -c 'for i in $(seq 200); do sleep 30 & done; echo forked; exit 3'
	assert_failure
	assert_equal "$(report reason)" pids-limit
	[ "$(report pids_limit_hits)" -ge 1 ]
	[ "$(report pids_peak)" -le 32 ]
	assert_output_contains "stopped at the pids limit"
	# a real one, `:(){ :|:& };:`, ends at the timeout, the host unharmed
	run sbx --pids 32 --timeout 2 --report "$TESTDIR/report.json" -- bash -c 'b() { b | b & }; b; sleep 10'
	assert_status 137
	assert_equal "$(report reason)" timeout
	[ "$(report pids_peak)" -le 32 ]
}

@test "sandbox: hostile build: an 8 GiB allocation is OOM-killed at --memory; the report says oom" {
	run sbx --memory 128M --report "$TESTDIR/report.json" -- /probe/probe alloc 8
	assert_status 137
	assert_equal "$(report reason)" oom
	[ "$(report oom_kills)" -ge 1 ]
	[ "$(report memory_peak_bytes)" -le $((128 << 20)) ]
	assert_output_contains "killed by the OOM killer"
}

@test "sandbox: hostile build: an endless loop is killed at --timeout; the report says timeout" {
	run sbx --timeout 1 --report "$TESTDIR/report.json" -- sh -c 'while :; do :; done'
	assert_status 137
	assert_equal "$(report reason)" timeout
	assert_equal "$(report status)" 137
	jq -e '.wall_s >= 1 and .wall_s < 5' "$TESTDIR/report.json" >/dev/null
	assert_output_contains "killed by the timeout after 1."
}

@test "sandbox: hostile build: a daemon left behind dies with the sandbox" {
	run sbx --bind "$WORK:/work" -- sh -c 'setsid sh -c "sleep 1000 & echo \$! >/work/daemon" </dev/null >/dev/null 2>&1 & sleep 0.3; echo started'
	assert_success
	assert_output_contains started
	[ -s "$WORK/daemon" ]
	[ -z "$(leaked_pids)" ] || fail "left behind: $(leaked_pids)"
}

@test "sandbox: hostile build: ptrace, mount and nested user namespaces are refused" {
	run sbx -- /probe/probe ptrace
	assert_success
	assert_output_contains "ptrace-attach 1" "ptrace-traceme 1"
	run sbx --user 0 -- sh -c 'mount -t tmpfs none /tmp 2>&1 || echo mount-refused;
		unshare -U true 2>&1 || echo userns-refused; unshare -Ur true 2>&1 || echo userns-refused'
	assert_output_contains mount-refused userns-refused
	assert_output_not_contains "tmpfs none"
}

@test "sandbox: hostile build: every syscall of the deny list is stopped (EPERM; clone3 ENOSYS)" {
	run sbx -- /probe/probe syscalls
	assert_success
	assert_probe_errnos 1
	# every name of the profile was tried (the probe knows them all)
	local name
	sbx --print-config -- true | jq -r '.linux.seccomp.syscalls[0].names[]' >"$TESTDIR/names"
	for name in $(cat "$TESTDIR/names"); do
		case $name in vm86 | vm86old | umount) continue ;; esac
		assert_output_contains "$name "
	done
}

@test "sandbox: the deny list is the filter's doing: the same profile with another errno answers it (--seccomp FILE)" {
	sbx --print-config -- true |
		jq '.linux.seccomp | .syscalls[0].errnoRet = 123 | .syscalls[2].errnoRet = 123 | .syscalls[3].errnoRet = 123' \
			>"$TESTDIR/profile.json"
	run sbx --seccomp "$TESTDIR/profile.json" -- /probe/probe syscalls
	assert_success
	assert_probe_errnos 123 unshare-newns=1 # no CAP_SYS_ADMIN for that one
	# --seccomp none: no filter at all
	run sbx --seccomp none -- grep Seccomp: /proc/self/status
	assert_output_contains $'Seccomp:\t0'
}

@test "sandbox: glibc's fork works under the profile (clone3 falls back to clone)" {
	run sbx -- sh -c 'for i in 1 2 3; do /bin/true & done; wait; python3 -c "import os; p=os.fork(); os._exit(0) if p == 0 else print(os.waitpid(p,0)[1])"'
	assert_success
	assert_output_contains $'0\n'
}

# ---------------------------------------------------------------- fate sharing

@test "sandbox: SIGKILL of berth mid-build leaves nothing: processes, state, cgroup (scratch swept by the next run)" {
	make_project "$WORK/proj"
	"$BERTH" --root "$STATE_ROOT" sandbox --env "BERTH_TEST_TAG=$TAG" --bind "$WORK:/work" -- \
		sh -c 'sleep 1000 & echo $$ >/work/ready; sleep 1000' >"$TESTDIR/bg.out" 2>&1 3>&- &
	local bpid=$! i pid cg
	wait_for_file "$WORK/ready" 10
	pid=$(leaked_pids | while read -r p; do grep -qz "BERTH_TEST_TAG=$TAG" /proc/$p/environ 2>/dev/null && echo $p; done | head -1)
	[ -n "$pid" ] || fail "no sandbox process found"
	cg=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/$pid/cgroup)
	kill -9 "$bpid"
	wait "$bpid" 2>/dev/null || true
	for ((i = 0; i < 250; i++)); do
		[ -z "$(leaked_pids)" ] && [ -z "$(state_left | grep -v @sandbox)" ] && break
		sleep 0.02
	done
	[ -z "$(leaked_pids)" ] || fail "processes left: $(leaked_pids)"
	[ -z "$(state_left | grep -v @sandbox)" ] || fail "state left: $(state_left)"
	[ -n "$cg" ] && [ ! -d "/sys/fs/cgroup/pids$cg" ] || fail "cgroup left: $cg"
	# the next sandbox sweeps the dead one's scratch dir
	run sbx -- true
	assert_success
	[ ! -e "$STATE_ROOT/@sandbox" ] || fail "scratch left: $(ls -A "$STATE_ROOT/@sandbox")"
}

# As on a pipe of its own: when the reader of berth's stdout goes away,
# the command's next write fails (EPIPE; a namespace's PID 1 ignores
# SIGPIPE) instead of being dropped while it runs on.
@test "sandbox: a reader that goes away ends a writer that never stops (yes | head -1)" {
	local out
	out=$(timeout 20 "$BERTH" --root "$STATE_ROOT" sandbox --env "BERTH_TEST_TAG=$TAG" -- yes \
		2>"$TESTDIR/err" | head -1; echo "status ${PIPESTATUS[0]}")
	assert_equal "$out" $'y\nstatus 1'
	grep -q "Broken pipe" "$TESTDIR/err" || fail "$(cat "$TESTDIR/err")"
	[ -z "$(state_left | grep -v @sandbox)" ] || fail "state left: $(state_left)"
}

# berth's own messages to a stderr nobody reads any more (`2>&1 | head`)
# fail with EPIPE instead of killing it between making the container and
# removing it.
@test "sandbox: --debug to a pipe closed early leaves nothing behind" {
	local n
	for n in 1 2 3 4 5 6 8 10 12 16; do
		{ timeout 20 "$BERTH" --debug --root "$STATE_ROOT" sandbox --env "BERTH_TEST_TAG=$TAG" -- true 2>&1 3>&- |
			head -"$n" >/dev/null; } 3>&-
	done
	[ -z "$(state_left | grep -v @sandbox)" ] || fail "state left: $(state_left)"
	run sbx -- true
	assert_success
	[ ! -e "$STATE_ROOT/@sandbox" ] || fail "scratch left: $(ls -A "$STATE_ROOT/@sandbox")"
}

@test "sandbox: SIGTERM to berth kills the whole sandbox (status 143, reason interrupted)" {
	"$BERTH" --root "$STATE_ROOT" sandbox --env "BERTH_TEST_TAG=$TAG" --bind "$WORK:/work" \
		--report "$TESTDIR/report.json" -- \
		sh -c 'trap "" TERM; sleep 1000 & touch /work/ready; wait' >"$TESTDIR/bg.out" 2>&1 3>&- &
	local bpid=$! rc=0
	wait_for_file "$WORK/ready" 10
	kill -TERM "$bpid"
	wait "$bpid" || rc=$?
	assert_equal "$rc" 143 # 128 + SIGTERM, what berth got
	assert_equal "$(report reason)" interrupted
	assert_equal "$(report berth_signal)" SIGTERM
	grep -q "killed: berth got SIGTERM" "$TESTDIR/bg.out"
	[ -z "$(leaked_pids)" ] || fail "left: $(leaked_pids)"
}

@test "sandbox: --output-limit kills a flood; --init gives the command an init" {
	run sbx --output-limit 1000 --report "$TESTDIR/report.json" -- sh -c 'yes flood'
	assert_status 137
	assert_equal "$(report reason)" output-limit
	[ "$(report stdout_bytes)" -le 1000 ]
	run sbx -- sh -c 'echo pid=$$'
	assert_output_contains "pid=1"
	run sbx --init -- sh -c 'echo pid=$$'
	assert_success
	assert_output_not_contains "pid=1"$'\n'
	assert_output_contains "pid=2"
}

# ---------------------------------------------------------------- overlays

@test "sandbox: --overlay: the build may write anywhere; the host never changes; --keep-changes keeps the changes" {
	run sbx --user 0 --overlay -- sh -c 'echo x >/usr/sandbox-new && cat /usr/sandbox-new && rm /usr/bin/env && ls /usr/bin/env'
	assert_output_contains x "No such file"
	[ ! -e /usr/sandbox-new ] && [ -e /usr/bin/env ]
	run sbx --user 0 --overlay --keep-changes "$TESTDIR/kept" --report "$TESTDIR/report.json" -- \
		sh -c 'echo y >/usr/sandbox-new'
	assert_success
	assert_equal "$(report files_changed)" 1 # the report counts the change
	assert_equal "$(cat "$TESTDIR/kept/usr/sandbox-new")" y
	[ ! -e /usr/sandbox-new ]
	# untouched layers and the work dirs are not kept
	assert_equal "$(ls -A "$TESTDIR/kept")" usr
}

@test "sandbox: --rootfs DIR --overlay: the whole root is an overlay; the rootfs is unchanged" {
	local before
	before=$(find "$BERTH_TEST_ROOTFS" | sort | sha256sum)
	run sbx --rootfs "$BERTH_TEST_ROOTFS" --overlay --user 0 -- sh -c 'echo z >/z && cat /z && rm /bin/ls; echo done'
	assert_success
	assert_output_contains z done
	assert_equal "$(find "$BERTH_TEST_ROOTFS" | sort | sha256sum)" "$before"
	# without --overlay the rootfs is read-only
	run sbx --rootfs "$BERTH_TEST_ROOTFS" -- sh -c 'echo z >/z'
	assert_failure
	assert_output_contains "Read-only file system"
}

@test "sandbox: --overlay SRC:DST: one directory writable, its source unchanged" {
	make_project "$WORK/proj"
	local before
	before=$(find "$WORK/proj" -printf '%p %s\n' | sort | sha256sum)
	run sbx --overlay "$WORK/proj:/src" --keep-changes "$TESTDIR/kept" --workdir /src -- make -s all
	assert_success
	assert_equal "$(find "$WORK/proj" -printf '%p %s\n' | sort | sha256sum)" "$before"
	[ -x "$TESTDIR/kept/src/app" ] || fail "no app in the kept layer: $(ls -R "$TESTDIR/kept")"
}

@test "sandbox: --bind, --ro-bind, --tmpfs, --workdir, --env, --user" {
	mkdir -p "$TESTDIR/ro"
	echo data >"$TESTDIR/ro/f"
	run sbx --bind "$WORK:/w" --ro-bind "$TESTDIR/ro:/r" --tmpfs /scratch:1M --workdir /w \
		--env FOO=bar --env HOME=/w --user 1234:4321 -- \
		sh -c 'pwd; echo $FOO $HOME; id -u; id -g; cat /r/f; touch /r/g 2>&1; df -k /scratch | tail -1; touch /scratch/ok && echo tmpfs-ok'
	assert_success
	assert_output_contains "/w"$'\n' "bar /w" $'\n1234\n4321\n' data "Read-only file system" tmpfs-ok
	assert_output_contains " 1024 "
}

# ---------------------------------------------------------------- --print-config

@test "sandbox: --print-config prints a valid config.json that berth run runs" {
	run "$BERTH" --root "$STATE_ROOT" sandbox --print-config --memory 64M --pids 50 --cpus 0.5 \
		--env "BERTH_TEST_TAG=$TAG" -- sh -c 'echo from-run; id -u'
	assert_success
	echo "$output" >"$BUNDLE/config.json"
	jq -e '.process.args == ["sh","-c","echo from-run; id -u"] and
		.linux.resources.memory.limit == 67108864 and .linux.resources.pids.limit == 50 and
		.linux.resources.cpu.quota == 50000 and .linux.resources.cpu.period == 100000 and
		.process.noNewPrivileges and (.process.capabilities.bounding | length) == 0 and
		(.linux.namespaces | map(.type) | sort) == ["cgroup","ipc","mount","network","pid","uts"] and
		.root.readonly and .linux.seccomp.defaultAction == "SCMP_ACT_ALLOW"' "$BUNDLE/config.json" >/dev/null
	local root
	root=$(jq -r .root.path "$BUNDLE/config.json")
	mkdir -p "$root"
	run berth_run sbx-printed
	rm -rf "$STATE_ROOT/@sandbox"
	assert_success
	assert_output_contains from-run 65534
	# the config it prints is the one it runs: nothing is printed twice
	run "$BERTH" --root "$STATE_ROOT" sandbox --print-config --net host --seccomp none -- true
	assert_success
	echo "$output" | jq -e '(.linux.namespaces | map(.type) | index("network")) == null and .linux.seccomp == null' >/dev/null
}

# ---------------------------------------------------------------- bad input

@test "sandbox: bad input is refused with a message naming it" {
	local cases=(
		"--frobnicate -- true|unknown option '--frobnicate'"
		"true|expected -- before the command"
		"--|no command after --"
		"--memory lots -- true|--memory: expected a size like 512M, got \"lots\""
		"--memory 0 -- true|--memory: expected a size"
		"--pids -1 -- true|--pids: expected a positive number"
		"--cpus 0 -- true|--cpus: expected a number of CPUs"
		"--timeout 0 -- true|--timeout: expected seconds"
		"--output-limit x -- true|--output-limit: expected a number of bytes"
		"--rootfs /nonexistent -- true|--rootfs '/nonexistent': no such file or directory"
		"--rootfs /etc/passwd -- true|--rootfs '/etc/passwd': not a directory"
		"--bind /nonexistent -- true|--bind: '/nonexistent': no such file or directory"
		"--bind /tmp:relative -- true|--bind: expected SRC:DST with an absolute DST"
		"--ro-bind :/x -- true|--ro-bind: expected SRC[:DST]"
		"--tmpfs rel -- true|--tmpfs: expected an absolute DST"
		"--tmpfs /t:huge -- true|--tmpfs: expected DST[:SIZE]"
		"--workdir rel -- true|--workdir: expected an absolute path"
		"--env NOEQUALS -- true|--env: expected K=V"
		"--user nobody -- true|--user: expected UID[:GID] as numbers"
		"--net bridge -- true|--net: expected host or none"
		"--keep-changes /tmp/x -- true|--keep-changes needs --overlay"
		"--overlay /nonexistent:/x -- true|--overlay: '/nonexistent': no such file or directory"
		"--seccomp /nonexistent -- true|--seccomp '/nonexistent': no such file or directory"
	)
	local c args want
	for c in "${cases[@]}"; do
		args=${c%%|*}
		want=${c#*|}
		# shellcheck disable=SC2086
		run "$BERTH" --root "$STATE_ROOT" sandbox $args
		[ "$status" -ne 0 ] || fail "accepted: $args"
		[[ $output == *"$want"* ]] || fail "$args: expected '$want', got: $output"
	done
	echo '{"defaultAction": ' >"$TESTDIR/bad.json"
	run "$BERTH" --root "$STATE_ROOT" sandbox --seccomp "$TESTDIR/bad.json" -- true
	assert_failure
	assert_output_contains "--seccomp: $TESTDIR/bad.json: line"
	echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$TESTDIR/bad.json"
	run "$BERTH" --root "$STATE_ROOT" sandbox --seccomp "$TESTDIR/bad.json" -- true
	assert_failure
	assert_output_contains "seccomp"
	mkdir -p "$TESTDIR/kept" && touch "$TESTDIR/kept/f"
	run "$BERTH" --root "$STATE_ROOT" sandbox --overlay --keep-changes "$TESTDIR/kept" -- true
	assert_failure
	assert_output_contains "--keep-changes '$TESTDIR/kept': not empty"
	run sbx -- /nonexistent-command
	assert_failure
	assert_output_contains "/nonexistent-command"
	[ ! -e "$STATE_ROOT/@sandbox" ] || fail "scratch left after a failed start"
}

# The same scenario as a user who is not root: sandbox_rootless.bats.
