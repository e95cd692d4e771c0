#!/usr/bin/env bats
# completion/berth.bash, driven as bash-completion drives it: COMP_WORDS and
# COMP_CWORD set, the completion function called, COMPREPLY read.

load helpers

# complete WORD...: the completions of the last WORD (may be "") after the
# others, one per line, sorted, in $output. The berth completed is the one
# under test, found on PATH as "berth".
complete_words() {
	local bindir=$TESTDIR/bin
	mkdir -p "$bindir"
	ln -sf "$BERTH" "$bindir/berth"
	run bash -c '
		PATH=$1:$PATH
		source "$2"
		shift 2
		COMP_WORDS=(berth "$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		_berth berth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$bindir" \
		"$REPO_ROOT/completion/berth.bash" "$@"
}

setup() {
	requires_berth
	setup_bundle
}

@test "completion: the commands are those of berth --help" {
	complete_words ""
	assert_success
	want=$("$BERTH" --help | awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }' | sort)
	assert_equal "$output" "$want"
	for c in create run exec kill delete list update help; do
		grep -qx "$c" <<<"$output" || fail "no $c in: $output"
	done
	complete_words res
	assert_equal "$output" "$(printf 'restore\nresume')"
}

@test "completion: the global flags, and the values of --log-format and --rootless" {
	complete_words --
	for f in --root --log --log-format --debug --systemd-cgroup --version --help; do
		grep -qx -- "$f" <<<"$output" || fail "no $f in: $output"
	done
	complete_words --log-format ""
	assert_equal "$output" "$(printf 'json\ntext')"
	complete_words --rootless ""
	assert_equal "$output" "$(printf 'auto\nfalse\ntrue')"
	# after a global option with its value: the commands again
	complete_words --root /tmp st
	assert_equal "$output" "$(printf 'start\nstate')"
}

@test "completion: a command's flags are those of its --help, short ones included" {
	complete_words run --
	for f in --bundle --pid-file --console-socket --no-pivot --preserve-fds \
		--no-new-keyring --detach --keep --no-subreaper; do
		grep -qx -- "$f" <<<"$output" || fail "run: no $f in: $output"
	done
	want=$("$BERTH" run --help | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
	assert_equal "$(grep -- '^--' <<<"$output")" "$want"
	complete_words exec -
	for f in -p -t -e -u -g -c -d --user --cap; do
		grep -qx -- "$f" <<<"$output" || fail "exec: no $f in: $output"
	done
	complete_words update --cpu-r
	assert_equal "$output" "$(printf -- '--cpu-rt-period\n--cpu-rt-runtime')"
}

@test "completion: flag values: choices, directories, files, capabilities" {
	complete_words list --format ""
	assert_equal "$output" "$(printf 'json\ntable')"
	complete_words ps -f j
	assert_equal "$output" "json"
	complete_words update --cpu-idle ""
	assert_equal "$output" "$(printf '0\n1')"
	mkdir -p "$TESTDIR/dir.d"
	touch "$TESTDIR/file.f"
	complete_words run --bundle "$TESTDIR/"
	grep -qx "$TESTDIR/dir.d" <<<"$output" || fail "no dir: $output"
	grep -qx "$TESTDIR/file.f" <<<"$output" && fail "a file for --bundle: $output"
	complete_words create --pid-file "$TESTDIR/fi"
	assert_equal "$output" "$TESTDIR/file.f"
	complete_words exec --cap CAP_SYS_AD
	assert_equal "$output" "CAP_SYS_ADMIN"
	# a value of its own is not taken for a flag: no ID either
	complete_words exec --user ""
	assert_equal "$output" ""
}

@test "completion: container ids from berth list -q, with --root" {
	set_cmd "$LONG_RUNNING"
	berth_create comp-one
	new_cgroup
	berth_create comp-two
	for cmd in state kill delete exec pause start; do
		complete_words --root "$STATE_ROOT" "$cmd" ""
		assert_equal "$output" "$(printf 'comp-one\ncomp-two')"
	done
	complete_words --root "$STATE_ROOT" delete --force comp-t
	assert_equal "$output" "comp-two"
	# a command without an ID operand gets none
	complete_words --root "$STATE_ROOT" list ""
	assert_equal "$output" ""
	# after the ID exec takes the container's command: not completed
	complete_words --root "$STATE_ROOT" exec comp-one ""
	assert_equal "$output" ""
}

@test "completion: --flag=VALUE, as bash splits it at =" {
	complete_words list --format = ""
	assert_equal "$output" "$(printf 'json\ntable')"
	complete_words list --format = j
	assert_equal "$output" "json"
	complete_words --log-format = t
	assert_equal "$output" "text"
	# a global --root=DIR is skipped with its value: then the command
	complete_words --root = /tmp del
	assert_equal "$output" "delete"
	complete_words run --bundle = /tmp --no-piv
	assert_equal "$output" "--no-pivot"
}

@test "completion: kill's signal names, after the ID" {
	complete_words kill x ""
	for s in TERM KILL HUP USR1 INT RTMIN; do
		grep -qx "$s" <<<"$output" || fail "no $s in: $output"
	done
	grep -q '^SIG\|EXIT\|DEBUG\|RETURN' <<<"$output" && fail "not a signal name: $output"
	complete_words kill x SIGK
	assert_equal "$output" "SIGKILL"
	complete_words kill -a x TE
	assert_equal "$output" "TERM"
}

@test "completion: help completes the commands; a new command of --help completes" {
	complete_words help up
	assert_equal "$output" "update"
	# a berth whose help lists one more command and flag: both complete
	mkdir -p "$TESTDIR/fake"
	cat >"$TESTDIR/fake/berth" <<EOF
#!/bin/bash
if [ "\$*" = --help ]; then "$BERTH" --help | sed "/^commands:/a\\  frobnicate  new"; exit; fi
if [ "\$*" = "frobnicate --help" ]; then printf 'usage: berth frobnicate ID\n  --fast, -F   new\n'; exit; fi
exec "$BERTH" "\$@"
EOF
	chmod +x "$TESTDIR/fake/berth"
	BERTH=$TESTDIR/fake/berth complete_words fro
	assert_equal "$output" "frobnicate"
	BERTH=$TESTDIR/fake/berth complete_words frobnicate -
	assert_equal "$output" "$(printf -- '--fast\n-F')"
}

@test "completion: the script is registered for berth" {
	run bash -c "source '$REPO_ROOT/completion/berth.bash'; complete -p berth"
	assert_success
	assert_equal "$output" "complete -F _berth berth"
}
