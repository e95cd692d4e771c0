#!/usr/bin/env bats
# Installing berth as a system tool: make install / uninstall, --version
# from git or the VERSION file, make dist (a tarball that builds without
# git), make deb (dpkg -i, use, dpkg --purge: nothing left).
#
# The install and version tests use the repository's own build (make
# install rebuilds nothing after make all); dist and deb compile berth
# again in a directory of their own (about a minute each).

load helpers

# Under `make check` this file runs inside make: a make called here would
# print "Entering directory" lines (-C, MAKELEVEL) into the output the
# tests compare.
make() { command make --no-print-directory "$@"; }

setup() {
	requires_berth
	setup_bundle
}

teardown() {
	# the package, when this test installed it (and only then)
	if [ -e "$TESTDIR/deb-installed" ]; then
		dpkg --purge berth >/dev/null 2>&1 || echo "dpkg --purge berth failed" >&2
	fi
	teardown_bundle
}

# The build under test must be the repository's make all (not a sanitizer
# or crash build, which make install would rebuild). The dist and deb tests
# build their own berth: once, with the normal build, is enough.
requires_repo_build() {
	[ "$BERTH" = "$REPO_ROOT/build/berth" ] || skip "BERTH=$BERTH is not the repository's build/berth"
}

# The man pages berth --help's commands should have, one per line.
want_pages() {
	echo berth.1
	"$BERTH" --help | awk '/^commands:/ { c = 1; next } c && /^  [a-z]/ && $1 != "help" { print "berth-" $1 ".1" }'
}

# files_under DIR: the files below DIR, relative, sorted.
files_under() {
	(cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort)
}

@test "install: make install puts the binary, the man pages and the completion under DESTDIR/PREFIX" {
	requires_repo_build
	d=$TESTDIR/dest
	run make -s -C "$REPO_ROOT" install DESTDIR="$d" PREFIX=/usr
	assert_success
	want=$({
		echo usr/bin/berth
		echo usr/share/bash-completion/completions/berth
		want_pages | sed 's|^|usr/share/man/man1/|'
	} | sort)
	assert_equal "$(files_under "$d")" "$want"
	assert_equal "$(stat -c %a "$d/usr/bin/berth")" 755
	assert_equal "$(stat -c %a "$d/usr/share/man/man1/berth-run.1")" 644
	cmp "$d/usr/bin/berth" "$BERTH"
	cmp "$d/usr/share/bash-completion/completions/berth" "$REPO_ROOT/completion/berth.bash"
	run "$d/usr/bin/berth" --version
	assert_success
	assert_equal "$output" "$("$BERTH" --version)"
	run man -M "$d/usr/share/man" -w berth-exec
	assert_success
	assert_equal "$output" "$d/usr/share/man/man1/berth-exec.1"
	run bash -c "MANWIDTH=80 man -M '$d/usr/share/man' berth-run 2>&1"
	assert_success
	assert_output_contains "BERTH-RUN(1)" "--detach, -d"
}

@test "install: PREFIX defaults to /usr/local" {
	requires_repo_build
	d=$TESTDIR/dest
	run make -s -C "$REPO_ROOT" install DESTDIR="$d"
	assert_success
	[ -x "$d/usr/local/bin/berth" ] || fail "$(files_under "$d")"
	[ -f "$d/usr/local/share/man/man1/berth.1" ] || fail "$(files_under "$d")"
	[ -f "$d/usr/local/share/bash-completion/completions/berth" ] || fail "$(files_under "$d")"
	run make -s -C "$REPO_ROOT" uninstall DESTDIR="$d"
	assert_success
	assert_equal "$(files_under "$d")" ""
}

@test "install: make uninstall removes exactly what make install put there" {
	requires_repo_build
	d=$TESTDIR/dest
	mkdir -p "$d/usr/bin" "$d/usr/share/man/man1" "$d/usr/share/bash-completion/completions"
	# someone else's files, in the same directories: they stay
	touch "$d/usr/bin/berthx" "$d/usr/share/man/man1/berth-other.1" \
		"$d/usr/share/man/man1/runc.8" "$d/usr/share/bash-completion/completions/runc"
	before=$(files_under "$d")
	make -s -C "$REPO_ROOT" install DESTDIR="$d" PREFIX=/usr
	[ "$(files_under "$d" | wc -l)" -gt "$(wc -l <<<"$before")" ]
	run make -s -C "$REPO_ROOT" uninstall DESTDIR="$d" PREFIX=/usr
	assert_success
	assert_equal "$(files_under "$d")" "$before"
	# and twice is no error
	run make -s -C "$REPO_ROOT" uninstall DESTDIR="$d" PREFIX=/usr
	assert_success
}

@test "version: --version is git describe's version and HEAD's commit" {
	requires_repo_build
	git -C "$REPO_ROOT" rev-parse HEAD >/dev/null 2>&1 || skip "not a git clone"
	read -r v c < <(make -s -C "$REPO_ROOT" version)
	run "$BERTH" --version
	assert_success
	assert_equal "${lines[0]}" "berth version $v"
	assert_equal "${lines[1]}" "commit: $c"
	head=$(git -C "$REPO_ROOT" rev-parse HEAD)
	[[ $c == "$head" || $c == "$head-dirty" ]] || fail "commit $c is not HEAD $head"
	if git -C "$REPO_ROOT" describe --tags --match 'v[0-9]*' >/dev/null 2>&1; then
		assert_equal "$v" "$(git -C "$REPO_ROOT" describe --tags --match 'v[0-9]*' --abbrev=12 --dirty | sed 's/^v//')"
	else
		base=$(sed -n 's/^BASE_VERSION := //p' "$REPO_ROOT/Makefile")
		assert_equal "$v" "$base-g$(git -C "$REPO_ROOT" describe --always --abbrev=12 --dirty)"
	fi
	# the man pages carry it too
	grep -q "\"berth $v\"" "$REPO_ROOT/build/man/berth.1" || fail "berth.1: $(grep '^\.TH' "$REPO_ROOT/build/man/berth.1")"
}

@test "version: tags, commits after them, uncommitted changes, a VERSION file, no git" {
	requires_repo_build
	git -C "$REPO_ROOT" rev-parse HEAD >/dev/null 2>&1 || skip "not a git clone"
	c=$TESTDIR/clone
	git clone -q "$REPO_ROOT" "$c"
	g() { git -C "$c" -c user.name=t -c user.email=t@example.org "$@"; }
	head=$(g rev-parse HEAD)
	g tag -a v9.8.7 -m v9.8.7
	assert_equal "$(make -s -C "$c" version)" "9.8.7 $head"
	echo >>"$c/README.md"
	assert_equal "$(make -s -C "$c" version)" "9.8.7-dirty $head-dirty"
	g commit -qam next
	next=$(g rev-parse HEAD)
	assert_equal "$(make -s -C "$c" version)" "9.8.7-1-g${next:0:12} $next"
	# make COMMIT=... VERSION=... wins
	assert_equal "$(make -s -C "$c" version VERSION=1.2.3 COMMIT=abc)" "1.2.3 abc"
	# a release tarball's VERSION file wins over git
	printf '4.5.6\nfeedface\n' >"$c/VERSION"
	assert_equal "$(make -s -C "$c" version)" "4.5.6 feedface"
	rm "$c/VERSION"
	# no git at all: the base version, no commit
	rm -rf "$c/.git"
	base=$(sed -n 's/^BASE_VERSION := //p' "$REPO_ROOT/Makefile")
	assert_equal "$(GIT_CEILING_DIRECTORIES=$TESTDIR make -s -C "$c" version)" "$base "
}

# A PATH without git: a git that fails, first on PATH.
no_git_path() {
	mkdir -p "$TESTDIR/nogit"
	printf '#!/bin/sh\necho "git: not here (install.bats)" >&2\nexit 127\n' >"$TESTDIR/nogit/git"
	chmod +x "$TESTDIR/nogit/git"
	echo "$TESTDIR/nogit:$PATH"
}

@test "dist: the tarball (git archive + VERSION) builds and installs without git" {
	requires_repo_build
	git -C "$REPO_ROOT" rev-parse HEAD >/dev/null 2>&1 || skip "not a git clone"
	run make -s -C "$REPO_ROOT" dist DIST_DIR="$TESTDIR/dist"
	assert_success
	tarball=$(echo "$TESTDIR"/dist/berth-*.tar.gz)
	[ -f "$tarball" ] || fail "no tarball: $output"
	# HEAD's files, and VERSION
	want=$({
		git -C "$REPO_ROOT" ls-tree -r --name-only HEAD
		echo VERSION
	} | sort)
	name=$(basename "$tarball" .tar.gz)
	assert_equal "$(tar tzf "$tarball" | grep -v '/$' | sed "s|^$name/||" | sort)" "$want"
	mkdir "$TESTDIR/src"
	tar -C "$TESTDIR/src" -xzf "$tarball"
	src=$TESTDIR/src/$name
	read -r v < <(sed -n 1p "$src/VERSION")
	c=$(sed -n 2p "$src/VERSION")
	assert_equal "$name" "berth-$v"
	assert_equal "$c" "$(git -C "$REPO_ROOT" rev-parse HEAD)"

	p=$(no_git_path)
	run env PATH="$p" GIT_DIR=/nonexistent GIT_CEILING_DIRECTORIES="$TESTDIR" \
		make -s -C "$src" -j2 all
	assert_success
	run env PATH="$p" GIT_DIR=/nonexistent make -s -C "$src" install DESTDIR="$TESTDIR/dest" PREFIX=/usr
	assert_success
	assert_output_not_contains "not here"
	run "$TESTDIR/dest/usr/bin/berth" --version
	assert_success
	assert_equal "${lines[0]}" "berth version $v"
	assert_equal "${lines[1]}" "commit: $c"
	[ -f "$TESTDIR/dest/usr/share/man/man1/berth-exec.1" ] || fail "no berth-exec.1"
	[ -f "$TESTDIR/dest/usr/share/bash-completion/completions/berth" ] || fail "no completion"
	grep -q "\"berth $v\"" "$TESTDIR/dest/usr/share/man/man1/berth.1" || fail "berth.1 has not $v"
}

# dpkg -i/--purge, waiting (up to 2 minutes) for a dpkg lock held by apt.
dpkg_retry() {
	local i
	for i in $(seq 60); do
		run dpkg "$@"
		[[ $status -ne 0 && $output == *lock* ]] || return 0
		sleep 2
	done
}

@test "deb: make deb builds a package lintian passes; dpkg -i, use it, dpkg --purge leaves nothing" {
	requires_repo_build
	git -C "$REPO_ROOT" rev-parse HEAD >/dev/null 2>&1 || skip "not a git clone"
	command -v dpkg-buildpackage >/dev/null || skip "no dpkg-buildpackage (make deps)"
	# never clash with a berth this machine has installed
	if dpkg-query -W -f '${Status}' berth 2>/dev/null | grep -q 'installed' ||
		[ -e /usr/bin/berth ] || [ -e /usr/share/man/man1/berth.1.gz ]; then
		skip "a berth is installed on this machine"
	fi
	run make -C "$REPO_ROOT" deb DEB_BUILD="$TESTDIR/deb"
	assert_success
	assert_output_not_contains "E: berth"
	deb=$(echo "$TESTDIR"/deb/berth_*_*.deb)
	[ -f "$deb" ] || fail "no .deb: $(ls "$TESTDIR/deb")"
	# the worktree stays as it was: no debian/berth, no ../*.deb
	[ ! -e "$REPO_ROOT/debian/berth" ] && [ ! -e "$REPO_ROOT/debian/files" ] || fail "debian/ build files in the worktree"
	[ -z "$(cd "$REPO_ROOT/.." && ls berth_*.deb berth_*.changes 2>/dev/null)" ] || fail "a .deb in $REPO_ROOT/.."

	run dpkg-deb -f "$deb" Depends Suggests
	assert_output_contains "libseccomp2" "libcap2" "libjansson4" "libmnl0" "Suggests: criu, uidmap"

	touch "$TESTDIR/deb-installed"
	dpkg_retry -i "$deb"
	assert_success
	files=$(dpkg -L berth)
	run /usr/bin/berth --version
	assert_success
	read -r v c < <(make -s -C "$REPO_ROOT" version)
	assert_equal "${lines[0]}" "berth version $v"
	assert_equal "${lines[1]}" "commit: $c"
	run man -w berth
	assert_success
	assert_equal "$output" /usr/share/man/man1/berth.1.gz
	run man -w berth-checkpoint-nonexistent
	assert_failure
	run man -w berth-run
	assert_equal "$output" /usr/share/man/man1/berth-run.1.gz
	[ -f /usr/share/bash-completion/completions/berth ] || fail "no completion"
	# where bash-completion looks: its loader finds it on the first TAB
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		run bash -c 'source /usr/share/bash-completion/bash_completion
			__load_completion berth && complete -p berth &&
			COMP_WORDS=(berth ru) COMP_CWORD=1 && _berth berth ru berth &&
			echo "${COMPREPLY[*]}"'
		assert_success
		assert_equal "$output" "$(printf 'complete -F _berth berth\nrun')"
	fi

	# a container, run by the packaged berth
	set_args echo hello from the package
	BERTH=/usr/bin/berth run berth_run deb-ct
	assert_success
	assert_equal "$output" "hello from the package"

	dpkg_retry --purge berth
	assert_success
	rm "$TESTDIR/deb-installed"
	run dpkg -L berth
	assert_failure
	run dpkg-query -W -f '${Status}' berth
	[[ $output != *" installed"* ]] || fail "still installed: $output"
	for f in $files; do
		[ -d "$f" ] && continue # /usr, /usr/share/...: not the package's own
		[ ! -e "$f" ] || fail "$f is left"
	done
	[ ! -e /usr/bin/berth ] || fail "/usr/bin/berth is left"
	run man -w berth
	assert_failure
}
