#!/usr/bin/env bats
# global options and command-line handling

load helpers

@test "cli: --version prints the version and the spec version" {
	run "$BERTH" --version
	assert_success
	assert_output_contains "version"
	assert_output_contains "spec"
}

@test "cli: an unknown command fails" {
	run berth no-such-command
	assert_failure
}

@test "cli: a command without its ID fails" {
	for cmd in create start state kill delete run; do
		run berth $cmd
		assert_failure
	done
}

@test "cli: --log writes errors to the file" {
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/log" state nope
	assert_failure
	[ -s "$TESTDIR/log" ] || fail "log file empty"
	grep -q nope "$TESTDIR/log" || grep -qi "not exist" "$TESTDIR/log"
}

@test "cli: --log-format json writes JSON lines" {
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/log" --log-format json state nope
	assert_failure
	[ -s "$TESTDIR/log" ]
	while read -r line; do
		jq -e '.msg and .level' <<<"$line" >/dev/null || fail "not JSON: $line"
	done <"$TESTDIR/log"
}

@test "cli: --debug is accepted and the container still runs" {
	set_args echo debug-ok
	run berth --debug run --bundle "$BUNDLE" ct
	assert_success
	assert_output_contains debug-ok
}

@test "cli: --root separates containers" {
	set_cmd "$LONG_RUNNING"
	berth_create ct
	other=$(mktemp -d /run/berth-test.XXXXXX)
	run "$BERTH" --root "$other" list -q
	rm -rf "$other"
	assert_success
	assert_equal "$output" ""
	assert_equal "$(berth list -q)" ct
}

@test "cli: the default root is /run/berth (berth)" {
	requires_berth
	run "$BERTH" list --format json
	assert_success
	[ -d /run/berth ] || [ "$output" = "[]" ] || [ "$output" = null ]
}

# ------------------------------------------------- runc's command line (issue 8)

@test "cli: --version prints version, commit and spec lines as runc does" {
	run "$BERTH" --version
	assert_success
	[[ ${lines[0]} =~ ^[a-z]+\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "line 1: ${lines[0]}"
	grep -q '^commit: ' <<<"$output" || fail "no commit line: $output"
	grep -q '^spec: [0-9]' <<<"$output" || fail "no spec line: $output"
}

@test "cli: --version names the git commit it was built from (berth)" {
	requires_berth
	run "$BERTH" --version
	# X.Y.Z, X.Y.Z-N-gHASH or 0.1.0-gHASH (install.bats checks which)
	[[ ${lines[0]} =~ ^berth\ version\ [0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?(-g[0-9a-f]+)?(-dirty)?$ ]] ||
		fail "version line: ${lines[0]}"
	assert_equal "${lines[2]}" "spec: 1.3.0"
	if git -C "$REPO_ROOT" rev-parse HEAD >/dev/null 2>&1; then
		[[ ${lines[1]} =~ ^commit:\ [0-9a-f]{40}(-dirty)?$ ]] || fail "commit line: ${lines[1]}"
	fi
}

@test "cli: help CMD, CMD -h and CMD --help print the command's usage (berth)" {
	requires_berth
	for cmd in create run start state kill delete list pause resume ps update events spec; do
		for form in "help $cmd" "$cmd -h" "$cmd --help"; do
			run --separate-stderr "$BERTH" $form
			assert_success
			[[ $output == "usage: berth $cmd"* ]] || fail "$form: $output"
		done
	done
	for form in "help" "help help" "help -h" "help --help"; do
		run "$BERTH" $form
		assert_success
		assert_output_contains "commands:" "help"
	done
	run "$BERTH" help no-such-command
	assert_failure
	assert_output_contains 'unknown command "no-such-command"'
}

@test "cli: checkpoint of a container that does not exist, restore from no checkpoint, say so (berth)" {
	requires_berth
	run berth checkpoint ct
	assert_failure
	assert_output_contains 'checkpoint ct: container "ct" does not exist'
	run berth restore --image-path "$TESTDIR/none" ct
	assert_failure
	assert_output_contains "restore ct: '$TESTDIR/none' is not a berth checkpoint"
}

@test "cli: runc's --rootless and --criu global options are accepted" {
	set_args echo accepted
	run _berth_via_files --rootless auto --criu /usr/sbin/criu run --bundle "$BUNDLE" ct
	assert_success
	assert_equal "$output" accepted
}

@test "cli: --rootless with a bad value names it (berth)" {
	requires_berth
	run berth --rootless maybe list
	assert_failure
	assert_output_contains '--rootless: expected true, false or auto, got "maybe"'
}

@test "cli: run --no-subreaper is accepted" {
	set_args echo no-subreaper
	run berth_run ct --no-subreaper
	assert_success
	assert_equal "$output" no-subreaper
}

@test "cli: --debug logs each step of create, start, kill and delete on stderr (berth)" {
	requires_berth
	set_cmd "$LONG_RUNNING"
	# via files: the container keeps berth's stderr open
	run --separate-stderr _berth_via_files --debug create --bundle "$BUNDLE" ct
	assert_success
	for step in "cloned pid" "child: namespaces" "child: mounts" "child: pivot_root" \
		"child: process setup" "the container process is ready" "created"; do
		[[ $stderr == *"berth: debug: create ct: $step"* ]] || fail "no '$step': $stderr"
	done
	run --separate-stderr berth --debug start ct
	[[ $stderr == *"debug: start ct: "*"started"* ]] || fail "start: $stderr"
	run --separate-stderr berth --debug kill ct KILL
	[[ $stderr == *"debug: kill ct: signal 9 to pid"* ]] || fail "kill: $stderr"
	wait_for_status ct stopped
	run --separate-stderr berth --debug delete ct
	assert_success
	[[ $stderr == *"debug: delete ct: stopped"*"debug: delete ct: deleted"* ]] || fail "delete: $stderr"
}

@test "cli: --debug lines on stderr carry the time since the command started (berth)" {
	requires_berth
	set_args true
	run --separate-stderr _berth_via_files --debug run --bundle "$BUNDLE" ct
	assert_success
	local line t prev=0 n=0
	while IFS= read -r line; do
		[[ $line == "berth: debug: "* ]] || continue
		[[ $line =~ \(\+([0-9]+\.[0-9]{3})\ ms\)$ ]] || fail "no time: $line"
		t=${BASH_REMATCH[1]}
		# the parent's lines (not the child's, which interleave) grow
		if [[ $line != *"child: "* ]]; then
			awk -v a="$prev" -v b="$t" 'BEGIN { exit !(b >= a) }' || fail "time went back: $line"
			prev=$t
		fi
		n=$((n + 1))
	done <<<"$stderr"
	[ "$n" -ge 10 ] || fail "only $n debug lines: $stderr"
	# counted from the first exec, not from the sealed re-exec: the whole
	# run took longer than berth's own first line says it started
	awk -v t="$prev" 'BEGIN { exit !(t > 0.1) }' || fail "last line at $prev ms"
}

@test "cli: without --debug no debug line is written (berth)" {
	requires_berth
	set_args true
	run --separate-stderr _berth_via_files --log "$TESTDIR/log" run --bundle "$BUNDLE" ct
	assert_success
	assert_equal "$stderr" ""
	! grep -q debug "$TESTDIR/log" 2>/dev/null || fail "debug lines: $(cat "$TESTDIR/log")"
}

@test "cli: --debug lines go to --log in the text and the json format (berth)" {
	requires_berth
	set_args true
	run --separate-stderr _berth_via_files --debug --log "$TESTDIR/text.log" run --bundle "$BUNDLE" ct
	assert_success
	assert_equal "$stderr" ""
	grep -q '^time="[^"]*" level=debug msg="create ct: child: mounts"$' "$TESTDIR/text.log" ||
		fail "text log: $(cat "$TESTDIR/text.log")"
	grep -q 'level=debug msg="delete ct: deleted"' "$TESTDIR/text.log" || fail "no delete line"
	run --separate-stderr _berth_via_files --debug --log "$TESTDIR/json.log" \
		--log-format json run --bundle "$BUNDLE" ct
	assert_success
	jq -e -s 'map(select(.level == "debug" and .msg == "create ct: child: mounts")) | length == 1' \
		"$TESTDIR/json.log" >/dev/null || fail "json log: $(cat "$TESTDIR/json.log")"
	jq -e -s 'all(.time and .level and .msg)' "$TESTDIR/json.log" >/dev/null || fail "not JSON lines"
}

@test "cli: option errors of every command reach --log, and stderr (berth)" {
	requires_berth
	log=$TESTDIR/log.json
	for args in "exec --bogus ct" "create --detach ct" "list -bogus" "kill --nope ct" "features -x" "--bogus list"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$BERTH" --root "$STATE_ROOT" --log "$log" --log-format json $args
		assert_failure
		[[ $stderr == *"berth: error: "*"unknown option '"* ]] || fail "$args: stderr: $stderr"
	done
	run --separate-stderr "$BERTH" --root "$STATE_ROOT" --log "$log" --log-format json exec --cwd
	[[ $stderr == *"berth: error: exec: option '--cwd' needs an argument"* ]] || fail "stderr: $stderr"
	run --separate-stderr "$BERTH" --log "$log" --log-format json --rootless maybe list
	[[ $stderr == *'berth: error: --rootless: expected true, false or auto, got "maybe"'* ]] || fail "stderr: $stderr"
	jq -e -s 'length == 8 and all(.level == "error")
		and (map(.msg) | index("exec: unknown option '"'"'--bogus'"'"'"))
		and (map(.msg) | index("create: unknown option '"'"'--detach'"'"'"))
		and (map(.msg) | index("unknown option '"'"'--bogus'"'"'"))
		and (map(.msg) | index("--rootless: expected true, false or auto, got \"maybe\""))' \
		"$log" >/dev/null || fail "log: $(cat "$log")"
}

@test "cli: log lines are runc's: RFC 3339 UTC seconds, text and json, always valid JSON (berth)" {
	requires_berth
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/text.log" state nope
	assert_failure
	grep -Eq '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z" level=error msg="state nope: container \\"nope\\" does not exist"$' \
		"$TESTDIR/text.log" || fail "text: $(cat "$TESTDIR/text.log")"
	# bytes that are not UTF-8 and control characters in a message
	run "$BERTH" --root "$STATE_ROOT" --log "$TESTDIR/log.json" --log-format json state $'a\xffb\x01c'
	assert_failure
	jq -e -c 'keys == ["level", "msg", "time"]
		and (.time | test("^[0-9-]{10}T[0-9:]{8}Z$"))
		and (.msg | startswith("state a\ufffdb\u0001c:"))' "$TESTDIR/log.json" >/dev/null ||
		fail "json: $(cat "$TESTDIR/log.json")"
}
