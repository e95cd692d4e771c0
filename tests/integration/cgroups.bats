#!/usr/bin/env bats
# linux.resources enforced by the kernel (issue 4), seen from the host.
# Runs on v1/hybrid hosts (this machine) and on cgroup v2 (the test VM).
# berth-only: the assertions read the cgroup files berth made.

load helpers

# cg_file FILE: the path of FILE in the container's cgroup, whichever
# hierarchy has it (v1 controller dir or cgroup2).
cg_file() {
	local d
	while read -r d; do
		[ -e "$d/$1" ] && { echo "$d/$1"; return 0; }
	done < <(cgroup_candidates)
	echo "no $1 in: $(cgroup_candidates | tr '\n' ' ')" >&2
	return 1
}

on_v2() { [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; }

start_long_running() {
	bind_ctl
	set_cmd "${1:-$LONG_RUNNING}"
	berth_create ct || return 1
	berth start ct || return 1
	wait_for_file "$CTL/ready"
}

@test "cgroups: memory and pids limits are in the host's cgroup files" {
	requires_berth
	update_config '.linux.resources = {"memory": {"limit": 33554432},
		"pids": {"limit": 32}, "cpu": {"shares": 512}}'
	start_long_running
	if on_v2; then
		assert_equal "$(cat "$(cg_file memory.max)")" 33554432
		assert_equal "$(cat "$(cg_file cpu.weight)")" 20
	else
		assert_equal "$(cat "$(cg_file memory.limit_in_bytes)")" 33554432
		assert_equal "$(cat "$(cg_file cpu.shares)")" 512
	fi
	assert_equal "$(cat "$(cg_file pids.max)")" 32
}

@test "cgroups: a container runs under a 256 KiB memory limit: berth's child in the cgroup fits" {
	requires_berth
	! is_sanitized || skip "an ASan build's child needs more than 256 KiB (its shadow memory)"
	# On cgroup v2 the child is in the cgroup from clone on
	# (CLONE_INTO_CGROUP) and is charged all it touches: it does not fit
	# yet (issue 14, docs/performance.md).
	! on_v2 || skip "not met yet on cgroup v2: berth's child, charged from clone on, needs more than 256 KiB"
	update_config '.linux.resources.memory = {"limit": 262144}'
	set_args echo fits
	# Page cache is charged to whoever reads a page first: read busybox
	# here, so only berth's child and echo's own memory count.
	cat "$BERTH_TEST_ROOTFS/bin/busybox" >/dev/null
	run berth_run ct
	assert_success
	assert_equal "$output" fits
}

@test "cgroups: the container's processes are in its cgroup" {
	requires_berth
	start_long_running
	pid=$(state_field ct pid)
	grep -qxF "$pid" "$(cg_file cgroup.procs)" || fail "pid $pid not in cgroup.procs"
	run berth ps ct
	assert_success
	assert_output_contains "$pid"
}

@test "cgroups: a fork beyond pids.max is refused inside the container" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 4}'
	set_cmd 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done 2>&1; echo started'
	run berth_run ct
	assert_output_contains "fork"
}

# The kernel's count of OOM kills in the container's cgroup (0 if none).
oom_kills() {
	local f=memory.oom_control
	on_v2 && f=memory.events
	awk '$1 == "oom_kill" { n = $2 } END { print n + 0 }' "$(cg_file $f)" 2>/dev/null || echo 0
}

# Waited for on the host: when a second allocation fails while the first
# victim (tail) is still exiting, the kernel may pick the shell next, and
# then nothing in the container is left to say it is done.
@test "cgroups: the OOM killer at the memory limit is counted" {
	requires_berth
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	# busybox tail keeps the whole newline-free input in memory
	start_long_running 'touch /ctl/ready; head -c 64m /dev/zero | tail >/dev/null; sleep 1000'
	local i n=0
	for ((i = 0; i < 400; i++)); do
		n=$(oom_kills)
		[ "$n" -ge 1 ] && break
		sleep 0.05
	done
	[ "$n" -ge 1 ] || fail "oom_kill = $n after 20 s"
}

@test "cgroups: pause stops the container, resume lets it go on" {
	requires_berth
	start_long_running 'touch /ctl/ready; i=0; while :; do i=$((i+1)); echo $i > /ctl/n; done'
	sleep 0.2
	run berth pause ct
	assert_success
	wait_for_status ct paused
	a=$(cat "$CTL/n")
	sleep 0.5
	b=$(cat "$CTL/n")
	assert_equal "$b" "$a"
	run berth resume ct
	assert_success
	wait_for_status ct running
	# the container truncates and rewrites the file: poll for a larger value
	local now=0 i
	for i in $(seq 150); do
		now=$(cat "$CTL/n")
		[ -n "$now" ] && [ "$now" -gt "${b:-0}" ] && break
		sleep 0.02
	done
	[ -n "$now" ] && [ "$now" -gt "${b:-0}" ] || fail "counter did not move after resume"
}

@test "cgroups: update changes a live limit" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 32}'
	start_long_running
	run berth update --pids-limit 64 ct
	assert_success
	assert_equal "$(cat "$(cg_file pids.max)")" 64
}

@test "cgroups: delete removes the cgroup directories" {
	requires_berth
	start_long_running
	dirs=$(cgroup_candidates)
	[ -d "$(echo "$dirs" | head -1)" ] || fail "no cgroup dir: $dirs"
	run berth delete --force ct
	assert_success
	while read -r d; do
		[ ! -e "$d" ] || fail "left: $d"
	done <<<"$dirs"
}

@test "cgroups: a limit the kernel refuses names the field and the file" {
	requires_berth
	update_config '.linux.resources.cpu = {"quota": 500, "period": 100000}'
	run berth_run ct
	assert_failure
	assert_output_contains "linux.resources.cpu.quota"
	if on_v2; then assert_output_contains cpu.max; else assert_output_contains cpu.cfs_quota_us; fi
}

@test "cgroups: a cpuset outside the host's CPUs is refused" {
	requires_berth
	update_config '.linux.resources.cpu = {"cpus": "0,4095"}'
	run berth_run ct
	assert_failure
	assert_output_contains "linux.resources.cpu.cpus" "4095"
}

@test "cgroups: update --resources takes a linux.resources document" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 32}'
	start_long_running
	echo '{"pids": {"limit": 48}, "memory": {"limit": 67108864}}' >"$TESTDIR/res.json"
	run berth update --resources "$TESTDIR/res.json" ct
	assert_success
	assert_equal "$(cat "$(cg_file pids.max)")" 48
	if on_v2; then
		assert_equal "$(cat "$(cg_file memory.max)")" 67108864
	else
		assert_equal "$(cat "$(cg_file memory.limit_in_bytes)")" 67108864
	fi
	run berth update --resources - ct <<<'{"pids": {"limit": "x"}}'
	assert_failure
	assert_output_contains "stdin: .pids.limit: expected a 64-bit integer"
}

@test "cgroups: ps lists the container's processes, events --stats its usage" {
	requires_berth
	update_config '.linux.resources.pids = {"limit": 50}'
	start_long_running
	pid=$(state_field ct pid)
	run berth ps --format json ct
	assert_success
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output" >/dev/null ||
		fail "pid $pid not in $output"
	run berth ps ct
	assert_success
	assert_output_contains PID
	awk -v p="$pid" '$2 == p { found = 1 } END { exit !found }' <<<"$output" ||
		fail "no ps line for $pid: $output"
	run berth events --stats ct
	assert_success
	assert_equal "$(jq -r .type <<<"$output")" stats
	assert_equal "$(jq -r .id <<<"$output")" ct
	assert_equal "$(jq -r .data.pids.limit <<<"$output")" 50
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ] || fail "$output"
}

# The CPU figures of the stats (cpuacct or cpu.stat): a throttled busy
# loop shows usage, user time and throttling.
@test "cgroups: events --stats: CPU usage, user time and throttling of a busy container" {
	requires_berth
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	start_long_running 'touch /ctl/ready; while :; do :; done'
	sleep 1.5
	run berth events --stats ct
	assert_success
	jq -e '.data.cpu | .usage.total > 0 and .usage.user > 0 and
		.throttling.periods > 0 and .throttling.throttledPeriods > 0 and
		.throttling.throttledTime > 0' <<<"$output" >/dev/null || fail "$output"
}

@test "cgroups: events reports an OOM kill" {
	requires_berth
	update_config '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
	start_long_running 'touch /ctl/ready; while [ ! -e /ctl/go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 1000'
	"$BERTH" --root "$STATE_ROOT" events --interval 1s ct >"$TESTDIR/events" 2>&1 &
	ev=$!
	sleep 0.3
	touch "$CTL/go"
	# The event itself, not a file the shell writes after: a second OOM
	# may kill the shell (see above).  dd's one 64 MiB buffer, not `head |
	# tail` growing a line by realloc: in the VM that pressed at the limit
	# so long (reclaim, copies) that `events` printed nothing for 2 min.
	for _ in $(seq 2400); do
		grep -q '"type":"oom"' "$TESTDIR/events" && break
		sleep 0.05
	done
	kill "$ev" 2>/dev/null || true
	wait "$ev" 2>/dev/null || true
	grep -q '"type":"oom","id":"ct"' "$TESTDIR/events" || fail "no oom event: $(cat "$TESTDIR/events")"
}

@test "cgroups: kill --all reaches a process of a container without a PID namespace" {
	requires_berth
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	start_long_running 'touch /ctl/ready; sleep 1000 & echo $! >/ctl/bg; wait'
	bg=$(cat "$CTL/bg")
	kill -0 "$bg"
	run berth kill --all ct KILL
	assert_success
	wait_for_exit "$bg"
}

# ------------------------------------------ runc's update and ps flags (issue 8)

@test "cgroups: update --memory-reservation, --cpu-share, --cpu-burst, --cpu-idle reach the files" {
	requires_berth
	update_config '.linux.resources.memory = {"limit": 134217728}
		| .linux.resources.cpu = {"quota": 50000, "period": 100000}'
	start_long_running
	run berth update --memory-reservation 32m --cpu-share 512 --cpu-burst 1000 ct
	assert_success
	if on_v2; then
		assert_equal "$(cat "$(cg_file memory.low)")" 33554432
		assert_equal "$(cat "$(cg_file cpu.weight)")" 20
		assert_equal "$(cat "$(cg_file cpu.max.burst)")" 1000
	else
		assert_equal "$(cat "$(cg_file memory.soft_limit_in_bytes)")" 33554432
		assert_equal "$(cat "$(cg_file cpu.shares)")" 512
		assert_equal "$(cat "$(cg_file cpu.cfs_burst_us)")" 1000
	fi
	run berth update --cpu-idle 1 ct
	assert_success
	assert_equal "$(cat "$(cg_file cpu.idle)")" 1
	run berth update --memory -1 ct
	assert_success
	if on_v2; then
		assert_equal "$(cat "$(cg_file memory.max)")" max
	else
		[ "$(cat "$(cg_file memory.limit_in_bytes)")" -gt 1000000000000 ] ||
			fail "memory.limit_in_bytes: $(cat "$(cg_file memory.limit_in_bytes)")"
	fi
}

@test "cgroups: update --cpu-rt-period and --cpu-rt-runtime (v1), or an error naming the flag (v2)" {
	requires_berth
	start_long_running
	run berth update --cpu-rt-period 900000 --cpu-rt-runtime 1000 ct
	if on_v2; then
		assert_failure
		assert_output_contains "--cpu-rt-"
		return
	fi
	assert_success
	assert_equal "$(cat "$(cg_file cpu.rt_period_us)")" 900000
	assert_equal "$(cat "$(cg_file cpu.rt_runtime_us)")" 1000
	# more runtime than the period: the kernel's EINVAL, named by the flag
	run berth update --cpu-rt-runtime 2000000 ct
	assert_failure
	assert_output_contains "--cpu-rt-runtime: linux.resources.cpu.realtimeRuntime" \
		"invalid argument"
}

@test "cgroups: update flags the host or berth cannot do are refused by name" {
	requires_berth
	start_long_running
	run berth update --kernel-memory 64m ct
	assert_failure
	assert_output_contains "--kernel-memory: kernel memory limits are not enforced"
	run berth update --kernel-memory-tcp 64m ct
	assert_failure
	assert_output_contains "--kernel-memory-tcp: a TCP buffer limit is not supported"
	for f in l3-cache-schema mem-bw-schema; do
		run berth update --$f "L3:0=f" ct
		assert_failure
		assert_output_contains "--$f: Intel RDT is not"
	done
	run berth update --cpu-idle x ct
	assert_failure
	assert_output_contains '--cpu-idle: invalid value "x"'
	run berth update --cpu-share -5 ct
	assert_failure
	assert_output_contains '--cpu-share: invalid value "-5"'
}

@test "cgroups: ps ID -e -x prints ps's rows of the container's processes only" {
	requires_berth
	start_long_running
	pid=$(state_field ct pid)
	run berth ps ct -e -x
	assert_success
	[[ ${lines[0]} =~ ^\ *PID\ +TTY\ +STAT\ +TIME\ +COMMAND ]] || fail "header: ${lines[0]}"
	[ "${#lines[@]}" -ge 2 ] || fail "no rows: $output"
	for l in "${lines[@]:1}"; do
		p=$(awk '{print $1}' <<<"$l")
		jq -e --argjson p "$p" 'index($p) != null' <<<"$(berth ps --format json ct)" >/dev/null ||
			fail "row of pid $p is not the container's: $l"
	done
	awk -v p="$pid" '$1 == p { found = 1 } END { exit !found }' <<<"$output" ||
		fail "no row for $pid: $output"
	run berth ps ct -o pid,comm
	assert_success
	[[ ${lines[0]} =~ ^\ *PID\ +COMMAND ]] || fail "header: ${lines[0]}"
	assert_output_contains "$pid "
}

@test "cgroups: ps with options ps refuses, or without a PID column, fails" {
	requires_berth
	start_long_running
	run berth ps ct --no-such-ps-option
	assert_failure
	assert_output_contains "ps: ps exited with status"
	run berth ps ct -o comm
	assert_failure
	assert_output_contains "ps: no PID column in the output of ps"
}

# ------------------------------------------------- the freezer (issue 8.7)

setup() {
	setup_bundle
	FROZEN_CGS=()
	FROZEN_NAMES=()
}

# Thaw and remove the cgroups a test froze (and what berth made beneath
# them in every hierarchy, once its processes died), then the usual checks.
teardown() {
	local d i
	for d in "${FROZEN_CGS[@]}"; do
		[ -d "$d" ] || continue
		if [ -e "$d/freezer.state" ]; then
			echo THAWED >"$d/freezer.state"
		else
			echo 0 >"$d/cgroup.freeze"
		fi
	done
	for ((i = 0; i < 100; i++)); do
		local left=0
		for d in "${FROZEN_NAMES[@]}"; do
			while read -r d; do
				[ -d "$d" ] || continue
				find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || left=1
			done < <(cgroup_candidates "$d")
		done
		[ $left = 0 ] && break
		sleep 0.05
	done
	teardown_bundle
}

# The host pids of the container's processes, one a line.
ct_pids() { berth ps --format json "$1" | jq -r '.[]'; }

# gone_within PID SECONDS: PID has exited (a zombie counts as gone).
gone_within() {
	local i
	for ((i = 0; i < $2 * 50; i++)); do
		[ -z "$(state_starttime "$1")" ] && return 0
		sleep 0.02
	done
	fail "process $1 still alive after $2 s"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

start_paused() {
	start_long_running 'trap "exit 0" TERM; touch /ctl/ready; sleep 1000 & wait'
	PIDS=$(ct_pids ct)
	[ "$(echo "$PIDS" | wc -l)" -ge 2 ] || fail "expected 2 processes: $PIDS"
	run berth pause ct
	assert_success
	wait_for_status ct paused
}

@test "cgroups: delete --force of a paused container kills it and removes state and cgroups" {
	requires_berth
	start_paused
	dirs=$(cgroup_candidates)
	t0=$(now_ms)
	run berth delete --force ct
	assert_success
	t=$(($(now_ms) - t0))
	[ "$t" -lt 5000 ] || fail "delete --force took $t ms"
	for p in $PIDS; do gone_within "$p" 2; done
	[ ! -e "$STATE_ROOT/ct" ] || fail "state left: $(ls "$STATE_ROOT/ct")"
	run berth state ct
	assert_failure
	while read -r d; do
		[ ! -e "$d" ] || fail "cgroup left: $d"
	done <<<"$dirs"
}

@test "cgroups: kill --all ID KILL of a paused container kills every process" {
	requires_berth
	start_paused
	run berth kill --all ct KILL
	assert_success
	for p in $PIDS; do gone_within "$p" 2; done
	wait_for_status ct stopped 2
}

@test "cgroups: kill ID KILL of a paused container kills it" {
	requires_berth
	start_paused
	run berth kill ct KILL
	assert_success
	for p in $PIDS; do gone_within "$p" 2; done
	wait_for_status ct stopped 2
}

@test "cgroups: kill ID TERM of a paused container waits for resume" {
	requires_berth
	start_paused
	run berth kill ct TERM
	assert_success
	run berth kill --all ct TERM
	assert_success
	sleep 0.5
	assert_equal "$(state_field ct status)" paused
	# the init has a TERM handler: it waits.  (On cgroup v2 the kernel
	# lets a signal that kills by default through the freezer, so the
	# handler-less sleep may already be gone there.)
	init=$(state_field ct pid)
	[ -n "$(state_starttime "$init")" ] || fail "init $init died while paused"
	run berth resume ct
	assert_success
	# the TERM that waited lands: the trap exits, the sleep dies too
	for p in $PIDS; do gone_within "$p" 3; done
	wait_for_status ct stopped 2
}

# freezer_cgroup NAME: make NAME beneath the test's own cgroup in the
# hierarchy that freezes (v1 freezer, else cgroup v2); its path in FZ, the
# command that freezes it in FREEZE (not in a subshell: teardown thaws
# what FROZEN_CGS lists).
freezer_cgroup() {
	local mnt d
	mnt=$(findmnt -rn -t cgroup -O freezer -o TARGET | head -1)
	[ -n "$mnt" ] || mnt=$(findmnt -rn -t cgroup2 -o TARGET | head -1)
	d=$(cgroup_candidates "$1" | grep -m1 "^$mnt/") || fail "no $mnt dir for $1"
	FZ=$d
	mkdir "$d"
	FROZEN_CGS+=("$d")
	FROZEN_NAMES+=("$1")
	if [ -e "$d/freezer.state" ]; then
		FREEZE="echo FROZEN >$d/freezer.state"
	else
		FREEZE="echo 1 >$d/cgroup.freeze"
	fi
}

# frozen_cgroup NAME: freezer_cgroup NAME, frozen.
frozen_cgroup() {
	local d
	freezer_cgroup "$1" || return 1
	d=$FZ
	if [ -e "$d/freezer.state" ]; then
		echo FROZEN >"$d/freezer.state"
		grep -qx FROZEN "$d/freezer.state" || fail "$d: $(cat "$d/freezer.state")"
	else
		echo 1 >"$d/cgroup.freeze"
		grep -qx 'frozen 1' "$d/cgroup.events" || fail "$d not frozen"
	fi
}

# create_refused CGPATH WANT...: create with linux.cgroupsPath CGPATH
# fails within 5 s naming WANT, and leaves no state and no cgroup.
create_refused() {
	local cg=$1 t0 t d
	shift
	update_config --arg cg "$cg" '.linux.cgroupsPath = $cg'
	t0=$(now_ms)
	run berth_create ct
	t=$(($(now_ms) - t0))
	assert_failure
	[ "$t" -lt 5000 ] || fail "create took $t ms"
	assert_output_contains "is frozen" "$@"
	[ ! -e "$STATE_ROOT/ct" ] || fail "state left"
	[ -z "$(berth list -q)" ] || fail "listed: $(berth list -q)"
	while read -r d; do
		[ ! -e "$d" ] || [[ " ${FROZEN_CGS[*]} " == *" $d "* ]] ||
			fail "cgroup left: $d"
	done < <(cgroup_candidates "$cg")
}

@test "cgroups: create into a frozen cgroup fails at once and leaves nothing" {
	requires_berth
	frozen_cgroup "$CGNAME-frozen"
	create_refused "$CGNAME-frozen" "cgroup $FZ is frozen:"
	create_refused "$CGNAME-frozen/ct" "cgroup $FZ/ct is frozen (by $FZ)"
}

@test "cgroups: a cgroup frozen while create waits fails it with the reason" {
	requires_berth
	freezer_cgroup "$CGNAME-later"
	# a createRuntime hook (run by berth, after the check) freezes it
	update_config --arg c "$FREEZE" '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", $c]}]'
	update_config --arg cg "$CGNAME-later/ct" '.linux.cgroupsPath = $cg'
	t0=$(now_ms)
	run berth_create ct
	t=$(($(now_ms) - t0))
	assert_failure
	assert_output_contains "cannot go on: cgroup $FZ/ct is frozen (by $FZ)"
	[ "$t" -lt 20000 ] || fail "create took $t ms"
	[ ! -e "$STATE_ROOT/ct" ] || fail "state left"
}
