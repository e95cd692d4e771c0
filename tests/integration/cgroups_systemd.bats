#!/usr/bin/env bats
# --systemd-cgroup (issue 9): berth has no systemd driver; it maps runc's
# "slice:prefix:name" cgroupsPath to the cgroupfs path systemd would use and
# manages that directory itself, below berth's own cgroup (like a relative
# cgroupsPath).  berth-only: the assertions read the directories berth made.

load helpers

# A slice named after CGNAME: systemd reads '-' in a slice name as nesting,
# so CGNAME's dashes become '_'.  Teardown checks its directory is gone.
test_slice() {
	SLICE_BASE=${CGNAME//-/_}
	CGNAMES+=("$SLICE_BASE.slice")
}

# berth with --systemd-cgroup, output through files (see _berth_via_files).
sd_berth() { _berth_via_files --systemd-cgroup "$@"; }

start_in() {
	update_config --arg p "$1" '.linux.cgroupsPath = $p'
	bind_ctl
	set_cmd "$LONG_RUNNING"
	sd_berth create --bundle "$BUNDLE" ct || return 1
	berth start ct || return 1
	wait_for_file "$CTL/ready"
}

# assert_cgroup_dirs REL: the container's cgroup is REL (below the test's
# own cgroup) in every hierarchy, and its init is in it.
assert_cgroup_dirs() {
	local d pid n=0
	pid=$(state_field ct pid)
	while read -r d; do
		[ -d "$d" ] || fail "no cgroup dir $d" || return 1
		grep -qx "$pid" "$d/cgroup.procs" || fail "pid $pid not in $d/cgroup.procs" || return 1
		n=$((n + 1))
	done < <(cgroup_candidates "$1")
	[ "$n" -gt 0 ] || fail "no hierarchy listed"
}

assert_cgroup_dirs_gone() {
	local d
	while read -r d; do
		[ ! -e "$d" ] || fail "left: $d" || return 1
	done < <(cgroup_candidates "$1")
}

@test "--systemd-cgroup: slice:prefix:name is <slice>/<prefix>-<name>.scope in every hierarchy, gone after delete" {
	requires_berth
	test_slice
	start_in "$SLICE_BASE.slice:podman:ct1"
	assert_cgroup_dirs "$SLICE_BASE.slice/podman-ct1.scope"
	# the warning says what berth does instead of systemd
	grep -qF -e "--systemd-cgroup: no systemd driver; berth manages \"$SLICE_BASE.slice/podman-ct1.scope\" itself (cgroupfs" \
		"$TESTDIR/call1.err" || fail "warning: $(cat "$TESTDIR/call1.err")"
	grep -q "no cgroup yet\|flag is ignored" "$TESTDIR/call1.err" && fail "old warning: $(cat "$TESTDIR/call1.err")"
	[ "$(state_field ct status)" = running ]
	run berth delete --force ct
	assert_success
	assert_cgroup_dirs_gone "$SLICE_BASE.slice"
}

@test "--systemd-cgroup: a nested slice a-b.slice expands to a.slice/a-b.slice" {
	requires_berth
	test_slice
	start_in "$SLICE_BASE-inner.slice:cri-containerd:x"
	assert_cgroup_dirs "$SLICE_BASE.slice/$SLICE_BASE-inner.slice/cri-containerd-x.scope"
	run berth delete --force ct
	assert_success
	assert_cgroup_dirs_gone "$SLICE_BASE.slice"
}

@test "--systemd-cgroup: the root slice -.slice puts the scope directly below berth's cgroup" {
	requires_berth
	CGNAMES+=("berth-${CGNAME#berth-test-}.scope")
	start_in "-.slice:berth:${CGNAME#berth-test-}"
	assert_cgroup_dirs "berth-${CGNAME#berth-test-}.scope"
	run berth delete --force ct
	assert_success
	assert_cgroup_dirs_gone "berth-${CGNAME#berth-test-}.scope"
}

@test "--systemd-cgroup: bad slice names are refused with the reason" {
	requires_berth
	local p
	for p in "a/b.slice:p:n" "a.scope:p:n" "a--b.slice:p:n" "-a.slice:p:n" ".slice:p:n"; do
		update_config --arg p "$p" '.linux.cgroupsPath = $p'
		run sd_berth run --bundle "$BUNDLE" ct
		assert_failure
		assert_output_contains "linux.cgroupsPath \"$p\"" "invalid slice name"
	done
	update_config '.linux.cgroupsPath = "a--b.slice:p:n"'
	run sd_berth run --bundle "$BUNDLE" ct
	assert_output_contains "empty component between dashes"
	update_config '.linux.cgroupsPath = "a.scope:p:n"'
	run sd_berth run --bundle "$BUNDLE" ct
	assert_output_contains 'ends in ".slice"'
}

@test "--systemd-cgroup: an ordinary cgroupsPath is refused, as runc does" {
	requires_berth
	run sd_berth run --bundle "$BUNDLE" ct
	assert_failure
	assert_output_contains "linux.cgroupsPath \"$CGNAME\"" 'expects the form "slice:prefix:name"'
}

@test "without --systemd-cgroup the systemd form is refused with a hint" {
	requires_berth
	update_config '.linux.cgroupsPath = "system.slice:p:n"'
	run berth_run ct
	assert_failure
	assert_output_contains 'linux.cgroupsPath "system.slice:p:n"' "--systemd-cgroup"
}

@test "--systemd-cgroup: other commands take the flag silently" {
	requires_berth
	test_slice
	start_in "$SLICE_BASE.slice:p:n"
	run berth --systemd-cgroup state ct
	assert_success
	assert_output_not_contains "warning"
	run berth --systemd-cgroup delete --force ct
	assert_success
	assert_cgroup_dirs_gone "$SLICE_BASE.slice"
}
