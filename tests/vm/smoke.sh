#!/usr/bin/env bash
# smoke.sh — is this a working cgroup v2 host? Run as root inside the test VM
# (tests/vm/run-in-vm.sh tests/vm/smoke.sh); refuses to run elsewhere unless
# SMOKE_ANYWHERE=1, since it creates and removes a cgroup at the root.
#
# Checks: /sys/fs/cgroup is cgroup2 with memory, pids, cpu, cpuset and io
# available and enabled for children; in a child cgroup, pids.max=5 refuses
# forks (pids.events "max" > 0), memory.max=32M OOM-kills a 64 MiB allocation
# (memory.events "oom_kill 1"); the cgroup is removed at the end.
set -uo pipefail

cgroot=/sys/fs/cgroup
failures=0
ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failures=$((failures + 1))
}
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
has_word() { [[ " $1 " == *" $2 "* ]]; } # has_word LIST WORD
field() { awk -v k="$2" '$1 == k { print $2 }' "$1"; } # field FILE KEY

if [ "${BERTH_VM:-}" != 1 ] && [ "${SMOKE_ANYWHERE:-}" != 1 ]; then
	echo "smoke.sh: not in the test VM (BERTH_VM unset); set SMOKE_ANYWHERE=1 to run anyway" >&2
	exit 2
fi

fstype=$(stat -f -c %T "$cgroot")
check "$cgroot is cgroup2 ($fstype)" test "$fstype" = cgroup2fs
controllers=$(<"$cgroot/cgroup.controllers")
enabled=$(<"$cgroot/cgroup.subtree_control")
echo "# cgroup.controllers: $controllers"
echo "# cgroup.subtree_control: $enabled"
for c in memory pids cpu cpuset io; do
	check "controller $c available" has_word "$controllers" "$c"
	check "controller $c enabled for children" has_word "$enabled" "$c"
done

cg=$cgroot/berth-smoke.$$
cleanup() {
	[ -d "$cg" ] || return 0
	echo 1 >"$cg/cgroup.kill" 2>/dev/null
	for _ in $(seq 100); do
		[[ $(<"$cg/cgroup.events") == *"populated 0"* ]] && break
		sleep 0.1
	done
	rmdir "$cg"
}
trap cleanup EXIT

check "mkdir child cgroup" mkdir "$cg" || exit 1
for f in pids.max memory.max cpu.max cpuset.cpus io.max cgroup.kill; do
	check "child has $f" test -e "$cg/$f"
done

# pids.max: a shell in the cgroup forks until refused. busybox sh: bash
# retries a failed fork for seconds; ash gives up (and exits) at once.
echo 5 >"$cg/pids.max"
check "pids.max = 5" test "$(<"$cg/pids.max")" = 5
busybox sh -c '
	echo $$ >"$1/cgroup.procs" || exit 100
	i=0
	while [ $i -lt 20 ]; do
		sleep 30 &
		i=$((i + 1))
	done
	exit 0' sh "$cg" 2>/dev/null
rc=$?
max=$(field "$cg/pids.events" max)
echo "# fork loop: status $rc, pids.events max $max, pids.current $(<"$cg/pids.current")"
check "fork loop stopped by pids.max" test "$rc" != 0 -a "$rc" != 100
check "pids.events max > 0" test "${max:-0}" -gt 0
echo 1 >"$cg/cgroup.kill"
for _ in $(seq 100); do
	[ "$(<"$cg/pids.current")" = 0 ] && break
	sleep 0.1
done
check "cgroup.kill emptied the cgroup" test "$(<"$cg/pids.current")" = 0
echo max >"$cg/pids.max"

# memory.max: dd's 64 MiB buffer (filled by read(2) from /dev/zero) in a
# 32 MiB cgroup without swap.
echo 32M >"$cg/memory.max"
echo 0 >"$cg/memory.swap.max" 2>/dev/null
check "memory.max = 32M" test "$(<"$cg/memory.max")" = $((32 << 20))
{
	bash -c 'echo $$ >"$1/cgroup.procs" && exec dd if=/dev/zero of=/dev/null bs=64M count=1' \
		sh "$cg" 2>/dev/null
	rc=$?
} 2>/dev/null # not bash's "Killed" message
oom_kill=$(field "$cg/memory.events" oom_kill)
echo "# 64 MiB allocation: status $rc; memory.events: $(tr '\n' ' ' <"$cg/memory.events")"
check "allocation killed by SIGKILL (status 137)" test "$rc" = 137
check "memory.events oom_kill 1" test "${oom_kill:-0}" = 1

cleanup
check "child cgroup removed" test ! -e "$cg"
trap - EXIT

echo "# smoke: $failures failure(s)"
[ $failures = 0 ]
