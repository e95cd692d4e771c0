#!/usr/bin/env bats
# linux.seccomp: the filter is loaded, actions, errnoRet, defaultErrnoRet,
# unknown names, architectures, and SCMP_ACT_NOTIFY with a seccomp agent
# (seccomp_agent.c, compiled here).

load helpers

setup_file() {
	berth_setup_file
	AGENT_DIR=$(mktemp -d /tmp/berth-seccomp-agent.XXXXXX)
	cc -std=gnu17 -O2 -Wall -Werror -o "$AGENT_DIR/seccomp_agent" \
		"$BATS_TEST_DIRNAME/seccomp_agent.c"
	export AGENT_DIR
}

teardown_file() {
	[ -n "${AGENT_DIR:-}" ] && rm -rf "$AGENT_DIR"
	berth_teardown_file
}

setup() {
	requires_berth
	setup_bundle
	AGENT_PID=""
}

teardown() {
	if [ -n "${AGENT_PID:-}" ]; then
		kill -9 "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# set_seccomp 'JSON': linux.seccomp = JSON
set_seccomp() {
	update_config --argjson s "$1" '.linux.seccomp = $s'
}

# A rule that never matches anything the tests do.
HARMLESS='{"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}'

# What busybox sh, echo and mkdir need, and what berth's child does after
# the filter is loaded (identity, close fds, report ready, wait for start,
# exec).
ALLOW_LIST='"execve", "execveat", "exit", "exit_group", "arch_prctl",
	"set_tid_address", "set_robust_list", "rseq", "brk", "mmap", "munmap",
	"mprotect", "mremap", "madvise", "read", "write", "readv", "writev",
	"pread64", "pwrite64", "open", "openat", "close", "close_range",
	"fstat", "stat", "lstat", "newfstatat", "statx", "lseek", "ioctl",
	"fcntl", "dup", "dup2", "dup3", "pipe", "pipe2", "getpid", "getppid",
	"gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups",
	"setgroups", "setuid", "setgid", "setresuid", "setresgid", "capget",
	"capset", "prctl", "umask", "chdir", "fchdir", "getcwd", "readlink",
	"readlinkat", "access", "faccessat", "faccessat2", "getdents64",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"clone", "clone3", "fork", "vfork", "wait4", "waitid", "kill",
	"futex", "getrandom", "prlimit64", "getrlimit", "sendfile", "poll",
	"ppoll", "select", "pselect6", "sendmsg", "recvmsg", "sendto",
	"recvfrom", "fstatfs", "statfs", "nanosleep", "clock_gettime",
	"clock_nanosleep",
	"sched_getaffinity", "sched_yield", "uname", "getpgrp", "setpgid",
	"getpgid", "setsid", "getsid"'

@test "linux.seccomp: the process runs under a filter" {
	set_cmd 'grep -E "^Seccomp(_filters)?:" /proc/self/status'
	run berth_run ct
	assert_success
	assert_output_contains $'Seccomp:\t0'

	set_seccomp "$HARMLESS"
	run berth_run ct
	assert_success
	assert_output_contains $'Seccomp:\t2' $'Seccomp_filters:\t1'
}

@test "linux.seccomp: SCMP_ACT_ERRNO with errnoRet 1 blocks mkdir (EPERM)" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	set_cmd 'mkdir /tmp/x; echo "rc=$?"; [ -d /tmp/x ] || echo no-dir; echo other-syscalls-work'
	run berth_run ct
	assert_success
	assert_output_contains "can't create directory '/tmp/x': Operation not permitted" \
		"rc=1" no-dir other-syscalls-work
}

@test "linux.seccomp: SCMP_ACT_ERRNO errnoRet picks the errno" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}]}'
	set_cmd 'mkdir /tmp/x'
	run berth_run ct
	assert_failure 1
	assert_output_contains "Read-only file system"
}

@test "linux.seccomp: unknown syscall names are skipped" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["berth_no_such_syscall", "mkdir", "mkdirat"],
		 "action": "SCMP_ACT_ERRNO"}]}'
	set_cmd 'mkdir /tmp/x'
	run berth_run ct
	assert_failure 1
	assert_output_contains "Operation not permitted"
}

@test "linux.seccomp: default SCMP_ACT_ERRNO with defaultErrnoRet and an allow list" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 18,
		\"syscalls\": [{\"names\": [$ALLOW_LIST], \"action\": \"SCMP_ACT_ALLOW\"}]}"
	set_cmd 'echo allowed-ran; mkdir /tmp/x'
	run berth_run ct
	assert_failure 1
	assert_output_contains allowed-ran "can't create directory '/tmp/x': Invalid cross-device link"
}

@test "linux.seccomp: SCMP_ACT_KILL_PROCESS kills with SIGSYS (exit 159)" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}'
	set_args uname -a
	run berth_run ct
	assert_failure 159
}

@test "linux.seccomp: loaded before capabilities are dropped without noNewPrivileges" {
	# As uid 1000 with no capabilities and no no_new_privs the kernel
	# would refuse the filter: it must be loaded while berth is still root.
	update_config '.process.noNewPrivileges = false
		| .process.user = {"uid": 1000, "gid": 1000}'
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	set_cmd 'id -u; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; mkdir /tmp/x'
	run berth_run ct
	assert_failure 1
	assert_output_contains 1000 $'Seccomp:\t2' $'NoNewPrivs:\t0' "Operation not permitted"
}

@test "linux.seccomp: an unknown architecture is an error naming it" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_NOPE"]}'
	run berth_run ct
	assert_failure
	assert_output_contains 'unknown architecture "SCMP_ARCH_NOPE"'
	[ -z "$(berth list -q)" ] || fail "container left behind"
}

@test "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run berth_run ct
	assert_failure
	assert_output_contains "SCMP_ACT_NOTIFY needs listenerPath"
}

# start_agent ANSWER: the agent on $TESTDIR/agent.sock; notify on mkdir.
start_agent() {
	"$AGENT_DIR/seccomp_agent" "$TESTDIR/agent.sock" ct "$1" \
		"$TESTDIR/agent.state" 2>"$TESTDIR/agent.err" &
	AGENT_PID=$!
	wait_for_file "$TESTDIR/agent.sock"
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$TESTDIR/agent.sock\",
		\"listenerMetadata\": \"berth-test-meta\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
}

# wait_agent: the agent must have exited 0.
wait_agent() {
	local rc=0
	wait "$AGENT_PID" || rc=$?
	AGENT_PID=""
	[ "$rc" -eq 0 ] || fail "agent exited $rc: $(cat "$TESTDIR/agent.err")"
}

@test "linux.seccomp: SCMP_ACT_NOTIFY: the agent's error reaches the container" {
	start_agent errno:18
	set_cmd 'mkdir /tmp/x; echo "rc=$?"'
	run berth_run ct
	assert_success
	assert_output_contains "can't create directory '/tmp/x': Invalid cross-device link" "rc=1"
	wait_agent
	run cat "$TESTDIR/agent.state"
	assert_output_contains '"fds":["seccompFd"]' '"metadata":"berth-test-meta"' \
		'"id":"ct"' '"ociVersion":"1.3.0"'
	[[ $output =~ \"pid\":[1-9][0-9]* ]] || fail "no pid in $output"
}

@test "linux.seccomp: SCMP_ACT_NOTIFY: the agent can fake success" {
	start_agent val:0
	set_cmd 'mkdir /tmp/x && echo mkdir-ok; [ -d /tmp/x ] || echo no-dir'
	run berth_run ct
	assert_success
	assert_output_contains mkdir-ok no-dir
	wait_agent
}

@test "linux.seccomp: SCMP_ACT_NOTIFY: no agent listening is an error" {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$TESTDIR/nobody.sock\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	run berth_run ct
	assert_failure
	assert_output_contains "connect to seccomp agent $TESTDIR/nobody.sock"
	[ -z "$(berth list -q)" ] || fail "container left behind"
}
