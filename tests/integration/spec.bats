#!/usr/bin/env bats
# `spec`

load helpers

setup() {
	TESTDIR=$(mktemp -d /tmp/berth-test.XXXXXX)
}
teardown() {
	rm -rf "$TESTDIR"
}

@test "spec: writes a valid config.json in the current directory" {
	cd "$TESTDIR"
	run "$BERTH" spec
	assert_success
	jq -e . config.json >/dev/null
	assert_equal "$(jq -c .process.args config.json)" '["sh"]'
	assert_equal "$(jq -r .process.terminal config.json)" true
	assert_equal "$(jq -r .root.path config.json)" rootfs
	jq -e '.ociVersion | startswith("1.")' config.json
	jq -e '[.linux.namespaces[].type] | contains(["pid", "mount", "network", "ipc", "uts"])' config.json
	jq -e '[.mounts[].destination] | contains(["/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"])' config.json
	jq -e '.linux.namespaces | map(select(.type == "user")) | length == 0' config.json
}

@test "spec --bundle DIR: writes DIR/config.json" {
	run "$BERTH" spec --bundle "$TESTDIR"
	assert_success
	jq -e . "$TESTDIR/config.json" >/dev/null
}

@test "spec: refuses to overwrite an existing config.json" {
	echo '{"mine": true}' >"$TESTDIR/config.json"
	run "$BERTH" spec --bundle "$TESTDIR"
	assert_failure
	assert_output_contains "exists"
	assert_equal "$(jq -c . "$TESTDIR/config.json")" '{"mine":true}'
}

@test "spec --rootless: a user namespace with mappings for the caller" {
	run "$BERTH" spec --rootless --bundle "$TESTDIR"
	assert_success
	c=$TESTDIR/config.json
	jq -e '[.linux.namespaces[].type] | index("user") != null' "$c"
	jq -e '[.linux.namespaces[].type] | index("network") == null' "$c"
	assert_equal "$(jq -r '.linux.uidMappings[0].containerID' "$c")" 0
	assert_equal "$(jq -r '.linux.uidMappings[0].hostID' "$c")" "$(id -u)"
	assert_equal "$(jq -r '.linux.uidMappings[0].size' "$c")" 1
	assert_equal "$(jq -r '.linux.gidMappings[0].hostID' "$c")" "$(id -g)"
}

@test "spec: a bundle made from it runs (busybox, args and terminal adjusted)" {
	run "$BERTH" spec --bundle "$TESTDIR"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$BERTH_TEST_ROOTFS"
	f=$TESTDIR/config.json
	CGNAME="berth-test-spec-${TESTDIR##*.}"
	jq --arg r "$BERTH_TEST_ROOTFS" --arg cg "$CGNAME" '.root.path = $r | .process.terminal = false
		| .process.args = ["echo", "spec-ok"] | .linux.cgroupsPath = $cg' \
		"$f" >"$f.new" && mv "$f.new" "$f"
	root=$(mktemp -d /run/berth-test.XXXXXX)
	run "$BERTH" --root "$root" run --bundle "$TESTDIR" spec-ct
	leftover=$("$BERTH" --root "$root" list -q)
	rm -rf "$root"
	assert_success
	assert_equal "$output" spec-ok
	assert_equal "$leftover" ""
	for cg in $(cgroup_candidates); do
		[ ! -d "$cg" ] || { rmdir "$cg"; fail "cgroup left: $cg"; }
	done
}
