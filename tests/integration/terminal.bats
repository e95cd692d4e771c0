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

@test "terminal: true without a console socket or a tty fails for create" {
	update_config '.process.terminal = true'
	run berth_create ct </dev/null
	assert_failure
	[ -z "$(berth list -q)" ]
}
