#!/usr/bin/env bash
# The man pages and the binary's --help cannot drift:
#   tests/lint/manpages.sh BERTH MANDIR
# Every command of `BERTH --help` (but help) has MANDIR/berth-CMD.1; every
# flag that `BERTH CMD --help` prints (--long, and -x where it shows
# "--long, -x") is a term of that page's OPTIONS and every flag of such a
# term is in --help; the same for `BERTH --help`'s global options and
# berth.1's GLOBAL OPTIONS. Prints one line per mismatch; exit 1 if any.
# Used by tests/integration/manpages.bats; docs/man/README.md says how to
# add a page.
set -u
berth=$1 mandir=$2
bad=0
problem() {
	echo "manpages: $*"
	bad=1
}

# The flags in a help text: --long anywhere, -x after "--long, ".
help_flags() {
	grep -oE -- '(--[a-z0-9][a-z0-9-]*|, -[a-zA-Z]\b)' | sed 's/^, //' | sort -u
}

# The flags of the terms (the line after .TP) of section SECTION of PAGE.
page_flags() {
	awk -v sec="$2" '
		/^\.SH / { s = $0; sub(/^\.SH "?/, "", s); sub(/"$/, "", s); in_sec = (s == sec); next }
		in_sec && tp { print; tp = 0 }
		in_sec && /^\.TP/ { tp = 1 }' "$1" |
		sed -e 's/\\f[A-Z]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\-/-/g' -e 's/\\&//g' |
		grep -oE -- '(--[a-z0-9][a-z0-9-]*|(^|[ ,])-[a-zA-Z]\b)' | tr -d ' ,' | sort -u
}

# compare WHAT PAGE SECTION HELP-FLAGS PAGE-FLAGS
compare() {
	local what=$1 page=$2 sec=$3 f
	for f in $(comm -23 <(echo "$4") <(echo "$5")); do
		problem "$what: $f is in --help but not in $page's $sec"
	done
	for f in $(comm -13 <(echo "$4") <(echo "$5")); do
		problem "$what: $f is in $page's $sec but not in --help"
	done
}

global_help=$("$berth" --help) || problem "berth --help failed"
cmds=$(awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 }' <<<"$global_help")
[ -n "$cmds" ] || problem "berth --help lists no commands"

page=$mandir/berth.1
if [ -f "$page" ]; then
	compare berth berth.1 "GLOBAL OPTIONS" \
		"$(sed '/^commands:/,$d' <<<"$global_help" | help_flags)" \
		"$(page_flags "$page" "GLOBAL OPTIONS")"
else
	problem "no man page berth.1 in $mandir"
fi

for cmd in $cmds; do
	[ "$cmd" = help ] && continue # berth(1) documents it
	page=$mandir/berth-$cmd.1
	if [ ! -f "$page" ]; then
		problem "$cmd: no man page ($page): add a '### $cmd' section to docs/berth.1.md (docs/man/README.md)"
		continue
	fi
	h=$("$berth" "$cmd" --help) || problem "$cmd --help failed"
	compare "$cmd" "berth-$cmd.1" OPTIONS \
		"$(help_flags <<<"$h" | grep -vx -e --help -e -h)" \
		"$(page_flags "$page" OPTIONS | grep -vx -e --help -e -h)"
done
exit $bad
