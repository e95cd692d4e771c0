#!/usr/bin/env bats
# The man pages (make man: build/man/*.1 from docs/berth.1.md) against the
# binary's --help, both ways (tests/lint/manpages.sh), and how they render.

load helpers

MANDIR=$(dirname "$BERTH")/man
CHECK=$REPO_ROOT/tests/lint/manpages.sh

setup() {
	requires_berth
	[ -f "$MANDIR/berth.1" ] || fail "no man pages in $MANDIR (make man)"
	TESTDIR=$(mktemp -d /tmp/berth-test.XXXXXX)
}
teardown() {
	[ -n "${TESTDIR:-}" ] && rm -rf "$TESTDIR"
	return 0
}

# fake_berth FILE SCRIPT: a berth that runs SCRIPT (bash, "$@" its args)
# and otherwise is the real one.
fake_berth() {
	{
		echo '#!/bin/bash'
		echo "real='$BERTH'"
		echo "$2"
		echo 'exec "$real" "$@"'
	} >"$1"
	chmod +x "$1"
}

@test "manpages: every command and flag of --help is in the man pages, and back" {
	run "$CHECK" "$BERTH" "$MANDIR"
	assert_success
	[ -z "$output" ] || fail "$output"
	# and the check saw the commands
	for cmd in create run exec kill update; do
		[ -f "$MANDIR/berth-$cmd.1" ] || fail "no berth-$cmd.1"
	done
}

@test "manpages: a command of berth --help without a page fails, naming it" {
	fake_berth "$TESTDIR/berth" '
if [ "$*" = --help ]; then "$real" --help | sed "/^commands:/a\  frobnicate  a new command"; exit; fi
if [ "$*" = "frobnicate --help" ]; then echo "usage: berth frobnicate ID"; exit; fi'
	run "$CHECK" "$TESTDIR/berth" "$MANDIR"
	assert_failure
	assert_output_contains "manpages: frobnicate: no man page ($MANDIR/berth-frobnicate.1): add a '### frobnicate' section to docs/berth.1.md"
}

@test "manpages: a flag only in --help, or only in the page, fails, naming it" {
	fake_berth "$TESTDIR/berth" '
if [ "$*" = "run --help" ]; then "$real" run --help; echo "  --frobnicate, -Z N   new"; exit; fi
if [ "$*" = --help ]; then "$real" --help | sed "s/^global options:/&\n  --new-global X  new/"; exit; fi'
	cp -r "$MANDIR" "$TESTDIR/man"
	sed -i '0,/^\.TP/s//.TP\n\\fB--bogus\\fP, \\fB-B\\fP\nnot in help\n.TP/' "$TESTDIR/man/berth-kill.1"
	run "$CHECK" "$TESTDIR/berth" "$TESTDIR/man"
	assert_failure
	assert_output_contains \
		"manpages: run: --frobnicate is in --help but not in berth-run.1's OPTIONS" \
		"manpages: run: -Z is in --help but not in berth-run.1's OPTIONS" \
		"manpages: berth: --new-global is in --help but not in berth.1's GLOBAL OPTIONS" \
		"manpages: kill: --bogus is in berth-kill.1's OPTIONS but not in --help" \
		"manpages: kill: -B is in berth-kill.1's OPTIONS but not in --help"
	[ "$(wc -l <<<"$output")" -eq 5 ] || fail "more than the 5 problems: $output"
}

@test "manpages: every page renders without a warning (man --warnings, groff -ww)" {
	local n=0
	for page in "$MANDIR"/*.1; do
		run bash -c "MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null"
		[ -z "$output" ] || fail "man --warnings $page: $output"
		run bash -c "groff -ww -z -man '$page' 2>&1"
		[ -z "$output" ] || fail "groff -ww $page: $output"
		# ASCII (preconv), so any groff renders it the same
		! LC_ALL=C grep -n '[^ -~]' "$page" || fail "$page: not ASCII"
		n=$((n + 1))
	done
	[ "$n" -ge 16 ] || fail "only $n pages"
}

@test "manpages: each page has a NAME line for whatis, and renders its options" {
	for page in "$MANDIR"/*.1; do
		name=$(basename "$page" .1)
		run lexgrog "$page"
		assert_success
		assert_output_contains "\"$name - "
	done
	run bash -c "MANWIDTH=80 man -l '$MANDIR/berth-exec.1'"
	assert_success
	assert_output_contains "BERTH-EXEC(1)" "SYNOPSIS" "OPTIONS" "--process, -p FILE" \
		"--ignore-paused" "SEE ALSO" "berth(1)"
	run bash -c "MANWIDTH=80 man -l '$MANDIR/berth.1'"
	assert_output_contains "GLOBAL OPTIONS" "--root DIR" "berth-run(1)" "berth-exec(1)"
}
