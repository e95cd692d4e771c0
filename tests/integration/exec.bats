#!/usr/bin/env bats
# exec: a new process in a running container (runc exec), asserting what the
# process saw: its namespaces, cgroup, user, env, caps, tty, exit status.

load helpers

setup_file() {
	berth_setup_file
	RECVTTY=$BATS_FILE_TMPDIR/recvtty
	cc -O1 -Wall -Werror -o "$RECVTTY" "$BATS_TEST_DIRNAME/recvtty.c"
	export RECVTTY
}

# start_ct [SHELL CODE]: a running container "ct" with /ctl bound.
start_ct() {
	bind_ctl
	set_cmd "${1:-$LONG_RUNNING}"
	berth_run ct -d || return 1
	wait_for_file "$CTL/ready"
}

@test "exec: the process is in the container's namespaces, root and cgroup" {
	update_config '.hostname = "exec-host"'
	start_ct
	init=$(state_field ct pid)
	run berth exec ct sh -c 'echo "host=$(hostname) pid=$$"; cat /proc/1/cmdline | tr "\0" " "; echo; ls /ctl; cat /proc/self/cgroup'
	assert_success
	assert_output_contains "host=exec-host" "sleep 1000" ready
	[[ $output =~ pid=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 1 ] || fail "$output"
	# every namespace of the container's process, as the host sees them
	_berth_via_files exec -d --pid-file "$TESTDIR/pid" ct sleep 100
	pid=$(cat "$TESTDIR/pid")
	for ns in mnt uts ipc pid net cgroup; do
		assert_equal "$(readlink /proc/$pid/ns/$ns)" "$(readlink /proc/$init/ns/$ns)"
	done
	diff <(cat /proc/$pid/cgroup) <(cat /proc/$init/cgroup) || fail "not in the container's cgroup"
	assert_equal "$(readlink /proc/$pid/root)" /
	assert_equal "$(stat -L -c %i /proc/$pid/root)" "$(stat -L -c %i /proc/$init/root)"
}

@test "exec: the exit status passes through; a signal is 128+N" {
	start_ct
	run berth exec ct sh -c 'exit 7'
	assert_status 7
	run berth exec ct sh -c 'kill -9 $$'
	assert_status 137
	run berth exec ct true
	assert_success
}

@test "exec: --user, --additional-gids, --env, --cwd" {
	start_ct
	run berth exec --user 1000:1000 -g 20 -g 30 --env FOO=bar --env HOME=/tmp \
		--cwd /tmp ct sh -c 'id -u; id -g; id -G; echo "$FOO $HOME"; pwd'
	assert_success
	assert_equal "${lines[0]}" 1000
	assert_equal "${lines[1]}" 1000
	assert_output_contains "20" "30" "bar /tmp"
	assert_equal "${lines[4]}" /tmp
	# without flags: the container's own process user, env and cwd
	run berth exec ct sh -c 'id -u; echo "tag=$BERTH_TEST_TAG"; pwd'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "${lines[1]}" "tag=$TAG"
	assert_equal "${lines[2]}" /
}

@test "exec: capabilities are the container's; --cap adds one; --no-new-privs" {
	start_ct
	run berth exec ct sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
	assert_success
	base=$(awk '/CapEff/ {print $2}' <<<"$output")
	run berth exec --cap CAP_SYS_ADMIN --no-new-privs ct sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status'
	assert_success
	added=$(awk '/CapEff/ {print $2}' <<<"$output")
	assert_equal "$(printf '%x' $((0x$added & ~0x$base)))" 200000
	assert_output_contains "NoNewPrivs:	1"
}

@test "exec: --process FILE is the whole process (engines' way)" {
	start_ct
	cat >"$TESTDIR/process.json" <<-'EOF2'
	{"terminal": false, "cwd": "/ctl", "args": ["sh", "-c", "pwd; echo $X; id -u; ulimit -n"],
	 "env": ["X=from-file", "PATH=/bin:/usr/bin"], "user": {"uid": 65534, "gid": 65534},
	 "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 64, "hard": 64}]}
	EOF2
	run berth exec --process "$TESTDIR/process.json" ct
	assert_success
	assert_equal "$output" "/ctl
from-file
65534
64"
}

@test "exec: --tty with --console-socket gives the process a pty" {
	start_ct
	"$RECVTTY" "$TESTDIR/tty.sock" >"$TESTDIR/tty.out" 2>&1 3>&- &
	rpid=$!
	wait_for_file "$TESTDIR/tty.sock"
	_berth_via_files exec -t --console-socket "$TESTDIR/tty.sock" -d ct sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo all-ttys' 
	wait "$rpid"
	out=$(tr -d '\r' <"$TESTDIR/tty.out")
	[[ $out =~ /dev/pts/[0-9]+ ]] || fail "tty printed: $out"
	[[ $out == *all-ttys* ]] || fail "$out"
}

@test "exec: --tty in the foreground relays the pty" {
	start_ct
	run script -qec "$BERTH --root $STATE_ROOT exec -t ct sh -c 'tty; exit 3'" /dev/null
	assert_status 3
	assert_output_contains /dev/pts/
}

@test "exec: --detach writes the pid file; the process runs on" {
	start_ct
	_berth_via_files exec -d --pid-file "$TESTDIR/pid" ct sh -c 'sleep 0.5; touch /ctl/done' 
	pid=$(cat "$TESTDIR/pid")
	[ -d "/proc/$pid" ] || fail "no process $pid"
	wait_for_file "$CTL/done"
}

@test "exec: a paused container refuses, unless --ignore-paused" {
	requires_berth
	start_ct
	berth pause ct
	run berth exec ct true
	assert_status 255
	assert_output_contains "cannot exec in a paused container"
	# the process joins the frozen cgroup: it runs once the container
	# is resumed, and exec returns then
	berth exec --ignore-paused ct touch /ctl/ran >"$TESTDIR/ip.out" 2>&1 3>&- &
	ep=$!
	sleep 0.5
	[ ! -e "$CTL/ran" ] || fail "ran while frozen"
	berth resume ct
	wait_for_file "$CTL/ran"
	wait "$ep" || fail "exec --ignore-paused: $(cat "$TESTDIR/ip.out")"
}

@test "exec: created and stopped containers refuse; a missing one is named" {
	bind_ctl
	set_cmd 'exit 0'
	berth_create ct
	run berth exec ct true
	assert_status 255
	assert_output_contains "cannot exec in a created container"
	berth start ct
	wait_for_status ct stopped
	run berth exec ct true
	assert_status 255
	assert_output_contains "cannot exec in a stopped container"
	run berth exec nosuch true
	assert_status 255
	assert_output_contains 'container "nosuch" does not exist'
}

@test "exec: a missing or non-executable command fails with 255 and runc's words" {
	start_ct
	run berth exec ct nosuch-command
	assert_status 255
	assert_output_contains "executable file not found in \$PATH"
	run berth exec ct /etc/passwd
	assert_status 255
	assert_output_contains "ermission denied"
	run berth exec ct
	assert_failure
	assert_output_contains "expected a command"
	run berth exec --user abc ct true
	assert_failure
	assert_output_contains '--user: expected a number, got "abc"'
	run berth exec --cgroup sub ct true
	assert_failure
	assert_output_contains "--cgroup is not supported yet"
	echo '{"args": "not-a-list", "cwd": "/"}' >"$TESTDIR/bad.json"
	run berth exec --process "$TESTDIR/bad.json" ct
	assert_status 255
	assert_output_contains "bad.json: .args"
}

@test "exec: the container's seccomp filter applies to the process" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_ct
	run berth exec ct sh -c 'mkdir /tmp/x 2>&1; echo rc=$?'
	assert_success
	assert_output_contains "rc=1" "not permitted"
}

@test "exec: the process holds no fd but its stdio and the preserved ones" {
	start_ct
	exec 5</etc/hostname
	run berth exec --preserve-fds 1 ct sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	exec 5<&-
	assert_success
	# 0 1 2, fd 3 (preserved, the caller's fd 3 is closed by the helper: /dev/null), ls's own
	[[ $output =~ ^"0 1 2 3 "[0-9]*" "?$ ]] || fail "fds: $output"
}

# CVE-2019-5736 during exec: a container process watching for berth's
# child (it joins the container's PID namespace) must never reach the host
# binary through /proc/<pid>/exe.
@test "exec: CVE-2019-5736: berth's exec child never exposes the host binary" {
	requires_berth
	cp "$BERTH" "$TESTDIR/berth"
	cp "$BERTH" "$TESTDIR/berth.orig"
	BERTH=$TESTDIR/berth
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	start_ct 'touch /ctl/ready
while [ ! -e /ctl/stop ]; do
	for d in /proc/[0-9]*; do
		e=$(readlink "$d/exe" 2>/dev/null)
		case "$e" in
		*berth*) echo "$e" >>/ctl/seen
			(echo "#!/bin/sh" >"$d/exe") 2>/dev/null && echo WROTE >>/ctl/seen ;;
		esac
	done
done; sleep 1000'
	for _ in $(seq 20); do
		berth exec ct true || fail "exec failed"
	done
	touch "$CTL/stop"
	cmp "$TESTDIR/berth" "$TESTDIR/berth.orig" || fail "the host's berth binary was changed"
	if [ -e "$CTL/seen" ]; then
		! grep -q WROTE "$CTL/seen" || fail "wrote through exe: $(cat "$CTL/seen")"
		! grep -v memfd "$CTL/seen" || fail "saw the host binary"
	fi
}

# check_json_log FILE: one JSON object per line, runc's (logrus's) three
# keys, an RFC 3339 UTC time.
check_json_log() {
	local line n=0
	while IFS= read -r line; do
		n=$((n + 1))
		jq -e 'keys == ["level", "msg", "time"]
			and (.level | IN("error", "warning", "info", "debug"))
			and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))' \
			<<<"$line" >/dev/null || fail "line $n is not runc's JSON: $line" || return 1
	done <"$1"
	[ "$n" -gt 0 ] || fail "empty log $1"
}

@test "exec: errors and warnings go to --log --log-format json, errors to stderr too" {
	requires_berth
	start_ct
	log=$TESTDIR/log.json
	run --separate-stderr berth --log "$log" --log-format json exec nope true
	assert_status 255
	[[ $stderr == *'berth: error: exec nope: container "nope" does not exist'* ]] || fail "stderr: $stderr"
	run --separate-stderr berth --log "$log" --log-format json exec --bogus ct true
	assert_status 255
	[[ $stderr == *"berth: error: exec: unknown option '--bogus'"* ]] || fail "stderr: $stderr"
	run --separate-stderr berth --log "$log" --log-format json exec ct /no/such/cmd
	assert_failure
	[[ $stderr == *"berth: error: exec ct: "*"/no/such/cmd"* ]] || fail "stderr: $stderr"
	echo '{"cwd": "/", "args": ["true"]}' >"$TESTDIR/p.json"
	run --separate-stderr berth --log "$log" --log-format json exec --cwd /tmp --process "$TESTDIR/p.json" ct
	assert_success
	assert_equal "$stderr" "" # a warning goes to the log only, as runc's
	check_json_log "$log"
	jq -e -s '[.[] | select(.level == "error")] | length == 3' "$log" >/dev/null ||
		fail "errors: $(cat "$log")"
	jq -e -s 'map(select(.level == "error" and .msg == "exec nope: container \"nope\" does not exist")) | length == 1' \
		"$log" >/dev/null || fail "no 'does not exist' line: $(cat "$log")"
	jq -e -s 'map(select(.level == "error" and (.msg | test("^exec ct: .*/no/such/cmd")))) | length == 1' \
		"$log" >/dev/null || fail "no exec failure line: $(cat "$log")"
	jq -e -s 'map(select(.level == "warning" and (.msg | test("^exec: --process .* --cwd is ignored$")))) | length == 1' \
		"$log" >/dev/null || fail "no warning line: $(cat "$log")"
}
