#!/usr/bin/env bash
# check.sh — what `make vm-check` runs inside the cgroup v2 test VM
# (tests/vm/run-in-vm.sh tests/vm/check.sh), from the top of the source tree:
#   1. build/berth --version
#   2. build/berth run of a busybox bundle (build/rootfs, read-only)
#   3. tests/vm/smoke.sh: the VM's cgroup v2 hierarchy works
#   4. bats tests/integration/cgroups.bats, when it exists
#   5. bats tests/integration/rootless_v2.bats: a rootless berth in a
#      subtree delegated to a test user (memory, pids, freezer, update)
#   6. bats tests/integration/crash.bats (build-crash/berth, made by
#      vm-check; 10 random kills of each, not 100, and not the run test,
#      whose points are create's: emulation is slow)
#   6. the modules of tests/vm/criu.modules, then bats
#      tests/integration/checkpoint.bats (CRIU works on this kernel)
# Each step prints its time; the status is 0 when all passed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 125
repo=$(pwd -P)
berth=$repo/build/berth
export BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-300} # emulation: 10-50x slower

failed=()
step() { # step NAME COMMAND...
	local name=$1 t0 t1 rc
	shift
	echo "=== vm-check: $name"
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	t1=$(date +%s.%N)
	echo "=== vm-check: $name: $([ $rc = 0 ] && echo ok || echo "FAILED, status $rc")" \
		"($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
	[ $rc = 0 ] || failed+=("$name")
}

berth_run_busybox() {
	local dir rc out
	dir=$(mktemp -d /tmp/vm-check.XXXXXX)
	mkdir "$dir/bundle" &&
		"$berth" spec --bundle "$dir/bundle" &&
		jq --arg root "$repo/build/rootfs" '
			.root.path = $root | .root.readonly = true
			| .process.terminal = false
			| .process.args = ["sh", "-c", "echo hello from busybox $(uname -r); cat /proc/self/cgroup"]' \
			"$dir/bundle/config.json" >"$dir/config.json" &&
		mv "$dir/config.json" "$dir/bundle/config.json" || {
		rm -rf "$dir"
		return 1
	}
	out=$("$berth" --root "$dir/state" run --bundle "$dir/bundle" vm-check-$$ 2>&1)
	rc=$?
	echo "$out"
	rm -rf "$dir"
	[ $rc = 0 ] && grep -q '^hello from busybox' <<<"$out"
}

echo "=== vm-check: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 / 1024 " MiB" }' /proc/meminfo)"
step "berth --version" "$berth" --version
step "berth run (busybox)" berth_run_busybox
step "smoke.sh" tests/vm/smoke.sh
if [ -f tests/integration/cgroups.bats ]; then
	step "bats cgroups.bats" bats --print-output-on-failure tests/integration/cgroups.bats
else
	echo "=== vm-check: no tests/integration/cgroups.bats yet"
fi
if [ -f tests/integration/rootless_v2.bats ]; then
	step "bats rootless_v2.bats" bats --print-output-on-failure tests/integration/rootless_v2.bats
fi
if [ -x build-crash/berth ]; then
	# Not "run, at every crash point": its points are create's, which
	# the create test crashes at already (run's own three: the host).
	BERTH_CRASH_KILLS=${BERTH_CRASH_KILLS:-10} BERTH_CRASH_NO_MAKE=1 \
		step "bats crash.bats" bats --print-output-on-failure \
		-f '^crash: (every|create|start|exec|delete|[0-9]+ random|a )' \
		tests/integration/crash.bats
fi

if [ -f tests/integration/checkpoint.bats ]; then
	step "criu modules" tests/vm/load-modules.sh tests/vm/criu.modules
	step "bats checkpoint.bats" bats --print-output-on-failure tests/integration/checkpoint.bats
fi

if [ ${#failed[@]} -gt 0 ]; then
	echo "=== vm-check: FAILED: ${failed[*]}"
	exit 1
fi
echo "=== vm-check: all passed"
