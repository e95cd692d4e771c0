#!/usr/bin/env bats
# process.terminal: --console-socket, and a foreground run on a pty.

load helpers

setup_file() {
	berth_setup_file
	RECVTTY=$BATS_FILE_TMPDIR/recvtty
	cc -O1 -Wall -Werror -o "$RECVTTY" "$BATS_TEST_DIRNAME/recvtty.c"
	export RECVTTY
}

# start_recvtty [INPUT]: receiver on $TESTDIR/tty.sock, output in tty.out
start_recvtty() {
	"$RECVTTY" "$TESTDIR/tty.sock" "$@" >"$TESTDIR/tty.out" 2>&1 3>&- &
	RECVTTY_PID=$!
	wait_for_file "$TESTDIR/tty.sock"
}

@test "terminal: --console-socket receives the pty; the process sees a tty" {
	update_config '.process.terminal = true'
	set_cmd 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys'
	start_recvtty
	run berth_create ct --console-socket "$TESTDIR/tty.sock"
	assert_success
	berth start ct
	wait "$RECVTTY_PID"
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
	[[ $output =~ /dev/(pts/[0-9]+|console) ]] || fail "tty printed: $output"
	assert_output_contains all-ttys
}

@test "terminal: input written to the pty master reaches the process" {
	update_config '.process.terminal = true'
	set_cmd 'read line; echo "got:$line"'
	start_recvtty $'hello-tty\n'
	berth_create ct --console-socket "$TESTDIR/tty.sock"
	berth start ct
	wait "$RECVTTY_PID"
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
	assert_output_contains got:hello-tty
}

@test "terminal: run --detach with --console-socket" {
	update_config '.process.terminal = true'
	set_cmd 'tty'
	start_recvtty
	run berth_run ct --detach --console-socket "$TESTDIR/tty.sock"
	assert_success
	wait "$RECVTTY_PID"
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
	[[ $output =~ /dev/(pts/[0-9]+|console) ]] || fail "tty printed: $output"
}

@test "terminal: foreground run on a pty (script)" {
	update_config '.process.terminal = true'
	set_cmd 'tty; echo fg-done'
	run script -qec "$BERTH --root $STATE_ROOT run --bundle $BUNDLE ct" /dev/null </dev/null
	assert_success
	output=$(tr -d '\r' <<<"$output")
	[[ $output =~ /dev/(pts/[0-9]+|console) ]] || fail "tty printed: $output"
	assert_output_contains fg-done
}

@test "terminal: foreground run on a pty passes the exit status" {
	update_config '.process.terminal = true'
	set_cmd 'exit 5'
	run script -qec "$BERTH --root $STATE_ROOT run --bundle $BUNDLE ct" /dev/null </dev/null
	assert_status 5
}

# As the process's user (1000:1000): who owns fd 0 and /dev/console, and
# can it reopen its terminal by name (mode 0620, group tty: only its owner)?
TTY_OWNER_CMD='stat -L -c "fd0 %u:%g" /proc/self/fd/0
	stat -c "console %u" /dev/console
	t=$(tty) && echo reopen >"$t" && echo "reopened $t"'

user_1000() { update_config '.process.user = {"uid": 1000, "gid": 1000}'; }

@test "terminal: the pty is the process user's (--console-socket)" {
	update_config '.process.terminal = true'
	user_1000
	set_cmd "$TTY_OWNER_CMD"
	start_recvtty
	berth_create ct --console-socket "$TESTDIR/tty.sock"
	berth start ct
	wait "$RECVTTY_PID"
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
	# only the uid changes, as runc: devpts's gid=5 (tty) stays
	assert_output_contains "fd0 1000:5" "console 1000" "reopened /dev/"
}

@test "terminal: the pty is the process user's (foreground run)" {
	update_config '.process.terminal = true'
	user_1000
	set_cmd "$TTY_OWNER_CMD"
	run script -qec "$BERTH --root $STATE_ROOT run --bundle $BUNDLE ct" /dev/null </dev/null
	assert_success
	output=$(tr -d '\r' <<<"$output")
	assert_output_contains "fd0 1000:5" "console 1000" "reopened /dev/"
}

@test "terminal: the pty is the process user's in a user namespace" {
	update_config '.process.terminal = true
		| .linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	user_1000
	set_cmd "$TTY_OWNER_CMD"
	start_recvtty
	berth_create ct --console-socket "$TESTDIR/tty.sock"
	berth start ct
	wait "$RECVTTY_PID"
	output=$(tr -d '\r' <"$TESTDIR/tty.out")
	assert_output_contains "fd0 1000:5" "console 1000" "reopened /dev/"
}

@test "stdio: pipes become the process user's; /dev/null stays root's" {
	user_1000
	set_cmd 'stat -L -c "out %u:%g" /proc/self/fd/1
		stat -L -c "in %u" /proc/self/fd/0
		echo reopened >/proc/self/fd/2'
	run berth_run ct </dev/null
	assert_success
	# the caller's pipe: uid only, as runc
	assert_output_contains "out 1000:0" "in 0" reopened
	assert_equal "$(stat -c %u /dev/null)" 0
}

@test "stdio: a caller's pipe a user namespace cannot own is left as it is" {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	user_1000
	set_cmd 'stat -L -c "out %u" /proc/self/fd/1'
	run berth_run ct </dev/null
	assert_success
	# host root is not mapped: shown as the overflow uid, and not an error
	assert_output_contains "out 65534"
}

@test "terminal: true without a console socket or a tty fails for create" {
	update_config '.process.terminal = true'
	run berth_create ct </dev/null
	assert_failure
	[ -z "$(berth list -q)" ]
}
