#!/usr/bin/env bats
# linux.seccomp: the filter is loaded, actions, errnoRet, defaultErrnoRet,
# unknown names, architectures, SCMP_ACT_NOTIFY with a seccomp agent
# (seccomp_agent.c, compiled here), the -ENOSYS stub and what berth itself
# does under the filter (seccomp_probe.c, compiled static here).

load helpers

setup_file() {
	berth_setup_file
	AGENT_DIR=$(mktemp -d /tmp/berth-seccomp-agent.XXXXXX)
	cc -std=gnu17 -O2 -Wall -Werror -o "$AGENT_DIR/seccomp_agent" \
		"$BATS_TEST_DIRNAME/seccomp_agent.c"
	# Static, so it runs under profiles that leave only a few syscalls.
	mkdir "$AGENT_DIR/probe"
	cc -static -std=gnu17 -O2 -Wall -Werror -o "$AGENT_DIR/probe/seccomp_probe" \
		"$BATS_TEST_DIRNAME/seccomp_probe.c"
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

# ---- berth's own syscalls under the filter, and the -ENOSYS stub ----

# The classic allow list (Docker's default profile of 2019, its
# unconditional part): no close_range, clone3, faccessat2, pidfd_open ...;
# its highest x86-64 number is rseq (334).
CLASSIC='"accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl",
	"bind", "brk", "capget", "capset", "chdir", "chmod", "chown",
	"clock_getres", "clock_gettime", "clock_nanosleep", "clone", "close",
	"connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
	"epoll_wait", "eventfd", "eventfd2", "execve", "execveat", "exit",
	"exit_group", "faccessat", "fadvise64", "fallocate", "fchdir",
	"fchmod", "fchmodat", "fchown", "fchownat", "fcntl", "fdatasync",
	"fgetxattr", "flistxattr", "flock", "fork", "fremovexattr",
	"fsetxattr", "fstat", "fstatfs", "fsync", "ftruncate", "futex",
	"getcpu", "getcwd", "getdents", "getdents64", "getegid", "geteuid",
	"getgid", "getgroups", "getitimer", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getpriority", "getrandom",
	"getresgid", "getresuid", "getrlimit", "get_robust_list", "getrusage",
	"getsid", "getsockname", "getsockopt", "gettid", "gettimeofday",
	"getuid", "getxattr", "inotify_add_watch", "inotify_init",
	"inotify_init1", "inotify_rm_watch", "ioctl", "kill", "lchown",
	"lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "madvise",
	"memfd_create", "mincore", "mkdir", "mkdirat", "mknod", "mknodat",
	"mlock", "mlock2", "mlockall", "mmap", "mprotect", "mremap", "msync",
	"munlock", "munlockall", "munmap", "nanosleep", "newfstatat", "open",
	"openat", "pause", "pipe", "pipe2", "poll", "ppoll", "prctl",
	"pread64", "preadv", "preadv2", "prlimit64", "pselect6", "pwrite64",
	"pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
	"readv", "recvfrom", "recvmmsg", "recvmsg", "rename", "renameat",
	"renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction",
	"rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
	"rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo",
	"sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min",
	"sched_getscheduler", "sched_setaffinity", "sched_yield", "select",
	"sendfile", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsuid",
	"setgid", "setgroups", "setitimer", "setpgid", "setpriority",
	"setregid", "setresgid", "setresuid", "setreuid", "setrlimit",
	"set_robust_list", "setsid", "setsockopt", "set_tid_address",
	"setuid", "setxattr", "shutdown", "sigaltstack", "signalfd",
	"signalfd4", "socket", "socketpair", "splice", "stat", "statfs",
	"statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
	"sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
	"timer_getoverrun", "timer_gettime", "timer_settime",
	"timerfd_create", "timerfd_gettime", "timerfd_settime", "times",
	"tkill", "truncate", "umask", "uname", "unlink", "unlinkat",
	"utime", "utimensat", "utimes", "vfork", "vmsplice", "wait4",
	"waitid", "write", "writev"'

# allow_list_profile 'NAMES' [DEFAULT_ACTION]: deny by default, allow NAMES.
allow_list_profile() {
	set_seccomp "{\"defaultAction\": \"${2:-SCMP_ACT_ERRNO}\",
		\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],
		\"syscalls\": [{\"names\": [$1], \"action\": \"SCMP_ACT_ALLOW\"}]}"
}

# with_probe: the static probe at /probe/seccomp_probe in the container.
with_probe() {
	add_mount /probe bind "$AGENT_DIR/probe" rbind,ro
}

nnp() { update_config --argjson v "$1" '.process.noNewPrivileges = $v'; }

@test "linux.seccomp: the classic allow list (no close_range) runs the container, with and without noNewPrivileges" {
	allow_list_profile "$CLASSIC"
	set_cmd 'echo classic-ran; id -u; ls /etc/passwd; grep "^Seccomp:" /proc/self/status'
	for v in false true; do
		nnp "$v"
		run berth_run ct
		assert_success
		assert_output_contains classic-ran /etc/passwd $'Seccomp:\t2'
		assert_equal "$(echo "$output" | sed -n 2p)" 0
		[ -z "$(berth list -q)" ] || fail "container left behind"
	done
}

@test "linux.seccomp: the classic allow list through create and start (exec fifo under the filter)" {
	bind_ctl
	allow_list_profile "$CLASSIC"
	set_cmd 'echo started-ok > /ctl/out'
	for v in false true; do
		nnp "$v"
		rm -f "$CTL/out"
		run berth_create ct
		assert_success
		assert_equal "$(state_field ct status)" created
		run berth start ct
		assert_success
		wait_for_status ct stopped
		assert_equal "$(cat "$CTL/out")" started-ok
		berth delete ct
	done
}

@test "linux.seccomp: close_range refused with EPERM: create, a startContainer hook and the process still work" {
	# faccessat2 (439) lifts the highest number above close_range (436):
	# it gets the profile's EPERM, not the stub's ENOSYS.
	bind_ctl
	allow_list_profile "$CLASSIC, \"faccessat2\""
	update_config '.hooks.startContainer = [{"path": "/bin/sh",
		"args": ["sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \" > /ctl/hook-fds"]}]'
	set_cmd 'echo process-ran; ls /proc/self/fd | tr "\n" " "'
	for v in false true; do
		nnp "$v"
		rm -f "$CTL/hook-fds"
		run berth_run ct
		assert_success
		assert_output_contains process-ran
		# stdio and ls's own directory: none of berth's fds
		[[ $output == *"0 1 2 3 "* ]] || fail "process fds: $output"
		assert_equal "$(cat "$CTL/hook-fds")" "0 1 2 3 "
	done
}

@test "linux.seccomp: clone3 refused with EPERM: the container starts; fork works, posix_spawn sees EPERM" {
	with_probe
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	set_cmd '/probe/seccomp_probe nr 435; /probe/seccomp_probe fork;
		/probe/seccomp_probe spawn; echo sh-forks-too'
	for v in false true; do
		nnp "$v"
		run berth_run ct
		assert_success
		# glibc falls back from clone3 to clone only on ENOSYS
		assert_output_contains "syscall 435: EPERM" "fork: ok, child exited 7" \
			"posix_spawn: Operation not permitted" sh-forks-too
	done
}

@test "linux.seccomp: clone3 absent from an allow list below it: ENOSYS, and glibc falls back" {
	with_probe
	allow_list_profile "$CLASSIC"
	set_cmd '/probe/seccomp_probe nr 435; /probe/seccomp_probe spawn;
		/probe/seccomp_probe fork'
	run berth_run ct
	assert_success
	assert_output_contains "syscall 435: ENOSYS" "posix_spawn: ok, child exited 0" \
		"fork: ok, child exited 7"
}

@test "linux.seccomp: a syscall above every known one returns ENOSYS; one in range gets the default errno" {
	with_probe
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 18,
		\"syscalls\": [{\"names\": [$ALLOW_LIST], \"action\": \"SCMP_ACT_ALLOW\"}]}"
	# 1000: no kernel has it; 165 (mount): below the highest listed
	set_cmd '/probe/seccomp_probe nr 1000; /probe/seccomp_probe nr 165'
	run berth_run ct
	assert_success
	assert_output_contains "syscall 1000: ENOSYS" "syscall 165: EXDEV"
	# An allowing default action gets no stub: the kernel's own answers
	# (mount with a NULL target: EFAULT)
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}'
	run berth_run ct
	assert_success
	assert_output_contains "syscall 1000: ENOSYS" "syscall 165: EFAULT"
}

# What a static binary needs to start and exit, and nothing else.
STATIC_ONLY='"execve", "exit", "exit_group", "brk", "mprotect", "readlink",
	"arch_prctl", "set_tid_address", "set_robust_list", "prlimit64",
	"getrandom", "rseq"'

@test "linux.seccomp: a profile that leaves only what a static binary needs: create fails, naming seccomp" {
	# berth must still report ready (sendmsg) under the filter; the
	# profile refuses it, and then the error too: berth says why.
	with_probe
	set_args /probe/seccomp_probe exit
	for v in false true; do
		nnp "$v"
		allow_list_profile "$STATIC_ONLY"
		run berth_run ct
		assert_failure
		assert_output_contains "exited with status 1 without a word right after loading linux.seccomp: the profile may block what berth does before exec"
		[ -z "$(berth list -q)" ] || fail "container left behind"
		allow_list_profile "$STATIC_ONLY" SCMP_ACT_KILL_PROCESS
		run berth_run ct
		assert_failure
		assert_output_contains "was killed by SIGSYS without a word right after loading linux.seccomp"
		[ -z "$(berth list -q)" ] || fail "container left behind"
	done
}

@test "linux.seccomp: a failure under the filter names it (capset refused without noNewPrivileges)" {
	# Allowed: what berth needs to report; refused: capset, which drops
	# the CAP_SYS_ADMIN kept for the load.
	nnp false
	allow_list_profile '"sendmsg", "exit_group", "exit"'
	run berth_run ct
	assert_failure
	assert_output_contains "drop CAP_SYS_ADMIN: capset: operation not permitted (linux.seccomp is loaded: the profile may block capset)"
	# With noNewPrivileges nothing is kept: the next refusal is the
	# start handshake's (run: recvmsg of "start")
	nnp true
	run berth_run ct
	assert_failure
	assert_output_contains "run ct: ready: read from berth: operation not permitted (linux.seccomp is loaded: the profile may block recvmsg)"
}

# seccomp_cache_entries: the cache's files, one per line.
seccomp_cache_entries() {
	ls "$STATE_ROOT/@cache" 2>/dev/null | grep '^seccomp-' || true
}

# mkdir_erofs_profile [ERRNO]: a filter that fails mkdir with ERRNO
# (default 30, EROFS).
mkdir_erofs_profile() {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [
		{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\",
		 \"errnoRet\": ${1:-30}}]}"
}

# run_mkdir_under_filter WANT [TEXT...]: run ct with --debug, mkdir under
# the filter; WANT is how the filter was got ("compiled" or "from the
# cache"), TEXTs more that the output must hold.
run_mkdir_under_filter() {
	local want=$1
	shift
	run _berth_via_files --debug run --bundle "$BUNDLE" ct
	assert_failure 1
	assert_output_contains "seccomp: " ", $want (" "Read-only file system" "$@"
}

@test "linux.seccomp: the compiled filter is cached in the state root; a hit enforces the same filter" {
	rm -rf "$STATE_ROOT/@cache"
	mkdir_erofs_profile
	set_cmd 'mkdir /tmp/x'
	run_mkdir_under_filter compiled
	assert_equal "$(seccomp_cache_entries | wc -l)" 1
	local entry
	entry="$STATE_ROOT/@cache/$(seccomp_cache_entries)"
	assert_equal "$(stat -c '%a %u' "$STATE_ROOT/@cache" "$entry" | tr '\n' ' ')" "700 0 600 0 "
	run_mkdir_under_filter "from the cache"

	# Another errno is another filter, not the cached one: a second entry.
	mkdir_erofs_profile 18
	run _berth_via_files --debug run --bundle "$BUNDLE" ct
	assert_failure 1
	assert_output_contains ", compiled (" "Invalid cross-device link"
	assert_equal "$(seccomp_cache_entries | wc -l)" 2
}

@test "linux.seccomp: a spoiled or loosely owned cache entry is not used: compiled again" {
	rm -rf "$STATE_ROOT/@cache"
	mkdir_erofs_profile
	set_cmd 'mkdir /tmp/x'
	run_mkdir_under_filter compiled
	local entry size
	entry="$STATE_ROOT/@cache/$(seccomp_cache_entries)"
	# One bit of the last BPF instruction (the filter's final return).
	size=$(stat -c %s "$entry")
	printf '\x01' | dd of="$entry" bs=1 seek=$((size - 1)) conv=notrunc status=none
	run_mkdir_under_filter compiled "cached filter not used: Bad message"
	run_mkdir_under_filter "from the cache"
	chmod 0620 "$entry"
	run_mkdir_under_filter compiled "cached filter not used: Operation not permitted"
	chmod 0600 "$entry"
	: >"$entry"
	run_mkdir_under_filter compiled "cached filter not used: Bad message"
}

@test "linux.seccomp: exec reuses the filter create compiled" {
	rm -rf "$STATE_ROOT/@cache"
	mkdir_erofs_profile
	set_cmd 'sleep 1000'
	run berth_create ct
	assert_success
	berth start ct
	run berth --debug exec ct mkdir /tmp/x
	assert_failure 1
	assert_output_contains ", from the cache (" "Read-only file system"
	berth delete --force ct
}
