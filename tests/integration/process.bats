#!/usr/bin/env bats
# process.*: args, env, cwd, user, umask, rlimits, oomScoreAdj, sysctl, fds.

load helpers

@test "process.args: the command is found through PATH" {
	set_args echo path-lookup-ok
	run berth_run ct
	assert_success
	assert_equal "$output" path-lookup-ok
}

@test "process.args: PATH comes from process.env" {
	# env lives in /usr/bin only
	update_config '.process.env = (.process.env | map(select(startswith("PATH=") | not))) + ["PATH=/usr/bin"]'
	set_args env
	run berth_run ct
	assert_success
	assert_output_contains "PATH=/usr/bin"
	update_config '.process.env = (.process.env | map(select(startswith("PATH=") | not))) + ["PATH=/nonexistent"]'
	run berth_run ct
	assert_failure
}

@test "process.env: variables are visible, and only those" {
	update_config '.process.env += ["FOO=bar baz", "EMPTY="]'
	set_cmd 'echo "FOO=[$FOO]"; env | sort'
	run berth_run ct
	assert_success
	assert_output_contains "FOO=[bar baz]" "EMPTY=" "BERTH_TEST_TAG=$TAG"
	# nothing from the caller's environment leaks in
	assert_output_not_contains "BATS_"
}

@test "process.cwd: the process starts there" {
	update_config '.process.cwd = "/tmp"'
	set_args pwd
	run berth_run ct
	assert_success
	assert_equal "$output" /tmp
}

@test "process.cwd: a missing cwd is created" {
	update_config '.process.cwd = "/tmp/new/dir"'
	set_args pwd
	run berth_run ct
	assert_success
	assert_equal "$output" /tmp/new/dir
}

@test "process.user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [1001, 5]}'
	set_cmd 'id -u; id -g; id -G'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 1000
	assert_equal "$(sed -n 2p <<<"$output")" 1000
	groups=" $(sed -n 3p <<<"$output") "
	[[ $groups == *" 1001 "* && $groups == *" 5 "* ]] || fail "groups: $groups"
	# /proc agrees
	set_cmd 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	run berth_run ct
	assert_output_contains $'Uid:\t1000\t1000\t1000\t1000' $'Gid:\t1000\t1000\t1000\t1000'
}

@test "process.user: files the process creates are owned by its uid" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_cmd 'mkdir /tmp/r && chmod 700 /tmp/r 2>/dev/null; touch /tmp/mine && ls -ln /tmp/mine'
	run berth_run ct
	assert_success
	assert_output_contains " 1000 "
}

@test "process.user.umask: applied" {
	update_config '.process.user.umask = 23' # 0027
	set_cmd 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 0027
	assert_equal "$(sed -n 2p <<<"$output")" 640
}

@test "process.rlimits: soft and hard RLIMIT_NOFILE" {
	hard=$(ulimit -Hn)
	soft=$((hard / 2))
	update_config --argjson s "$soft" --argjson h "$hard" \
		'.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $s, "hard": $h}]'
	set_cmd 'ulimit -n; ulimit -Hn'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" "$soft"
	assert_equal "$(sed -n 2p <<<"$output")" "$hard"
}

@test "process.rlimits: several limits at once" {
	update_config '.process.rlimits = [
		{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
		{"type": "RLIMIT_NPROC", "soft": 1111, "hard": 2222},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	set_cmd 'ulimit -n; ulimit -Hn; ulimit -u; ulimit -Hu; ulimit -c'
	run berth_run ct
	assert_success
	assert_equal "$(echo $output)" "123 456 1111 2222 0"
}

@test "process.oomScoreAdj: applied" {
	update_config '.process.oomScoreAdj = 123'
	set_args cat /proc/self/oom_score_adj
	run berth_run ct
	assert_success
	assert_equal "$output" 123
}

@test "linux.sysctl: net.* in the new netns and kernel.shm* in the new ipc ns" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
	set_cmd 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	run berth_run ct
	assert_success
	assert_equal "$(echo $output)" "1 123456789"
	# the host's values are untouched
	[ "$(cat /proc/sys/kernel/shmmax)" != 123456789 ]
}

@test "fds: no host fd reaches the container" {
	exec 5<"$BUNDLE/config.json" 7>"$TESTDIR/w"
	set_cmd 'ls /proc/self/fd | sort -n | tr "\n" " "'
	run berth_run ct
	exec 5<&- 7>&-
	assert_success
	# 0 1 2, plus the directory fd ls itself opens
	assert_equal "$output" "0 1 2 3 "
}

@test "fds: --preserve-fds 2 passes fds 3 and 4" {
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	set_cmd 'cat <&3; cat <&4; ls /proc/self/fd | sort -n | tr "\n" " "'
	run bash -c '"$1" --root "$2" run --bundle "$3" --preserve-fds 2 ct 3<"$4" 4<"$5" 5<"$4"' \
		_ "$BERTH" "$STATE_ROOT" "$BUNDLE" "$TESTDIR/f3" "$TESTDIR/f4"
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" three
	assert_equal "$(sed -n 2p <<<"$output")" four
	# fd 5 was not preserved; 5 here is ls's own directory fd
	assert_equal "$(sed -n 3p <<<"$output")" "0 1 2 3 4 5 "
}

@test "fds: LISTEN_FDS for berth's pid: fds 3.. go on before --preserve-fds ones, with LISTEN_FDS and LISTEN_PID=1" {
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	echo five >"$TESTDIR/f5"
	set_cmd 'cat <&3; cat <&4; cat <&5; echo "$LISTEN_FDS $LISTEN_PID"'
	# exec keeps bash's pid: LISTEN_PID names berth, as systemd sets it
	run bash -c 'export LISTEN_FDS=2 LISTEN_PID=$$; exec "$1" --root "$2" run --bundle "$3" --preserve-fds 1 ct 3<"$4" 4<"$5" 5<"$6"' \
		_ "$BERTH" "$STATE_ROOT" "$BUNDLE" "$TESTDIR/f3" "$TESTDIR/f4" "$TESTDIR/f5"
	assert_success
	assert_equal "$(echo $output)" "three four five 2 1"
}

@test "fds: LISTEN_FDS meant for another process (LISTEN_PID not berth's) is ignored, as runc does" {
	echo three >"$TESTDIR/f3"
	set_cmd 'ls /proc/self/fd | sort -n | tr "\n" " "; echo "[${LISTEN_FDS:-none}]"'
	run bash -c 'export LISTEN_FDS=1 LISTEN_PID=1; exec "$1" --root "$2" run --bundle "$3" ct 3<"$4"' \
		_ "$BERTH" "$STATE_ROOT" "$BUNDLE" "$TESTDIR/f3"
	assert_success
	assert_equal "$output" "0 1 2 3 [none]"
}

@test "fds: a malformed LISTEN_FDS for berth's pid is an error naming it" {
	requires_berth
	run bash -c 'export LISTEN_FDS=two LISTEN_PID=$$; exec "$1" --root "$2" run --bundle "$3" ct' \
		_ "$BERTH" "$STATE_ROOT" "$BUNDLE"
	assert_failure
	assert_output_contains '$LISTEN_FDS: expected a non-negative integer, got "two"'
}

@test "stdio: create without a terminal or console socket hands the caller's pipes to the container" {
	set_cmd 'for f in 0 1 2; do readlink /proc/self/fd/$f; done >&2; cat; echo to-stdout; echo to-stderr >&2'
	# like conmon: three pipes; create returns while the container holds them
	(echo from-stdin | "$BERTH" --root "$STATE_ROOT" create --bundle "$BUNDLE" ct \
		2> >(cat >"$TESTDIR/err") | cat >"$TESTDIR/out") &
	local bg=$!
	wait_for_status ct created
	berth start ct
	wait "$bg"
	wait_for_status ct stopped
	for i in $(seq 50); do grep -q to-stderr "$TESTDIR/err" 2>/dev/null && break; sleep 0.1; done
	assert_equal "$(cat "$TESTDIR/out")" "$(printf 'from-stdin\nto-stdout')"
	run cat "$TESTDIR/err"
	assert_equal "$(grep -c '^pipe:\[' <<<"$output")" 3
	assert_output_contains to-stderr
}
