#!/usr/bin/env bats
# containerd drives berth: a private containerd (no CRI plugin, so no CNI
# and no network), `ctr` as the client, berth as the runc v2 shim's
# BinaryName (`ctr run --runc-binary`). Asserts what ctr and the
# container saw. One daemon for the file; the last test stops it and
# checks that nothing is left (processes, mounts, cgroups, iptables).

load helpers
load daemons

IMAGE=docker.io/berth-test/busybox:latest
NS=berth-test

setup_file() {
	[ -x "$BERTH" ] || { echo "no runtime at BERTH=$BERTH (run make)" >&2; return 1; }
	engine_require containerd containerd ctr containerd-shim-runc-v2
	engine_require util-linux script
	engine_setup_dirs ctrd
	engine_start_containerd || return 1
	CTR_IMPORT=$(ctr_ images import "$ENGINE_IMAGE_TAR" 2>&1) || {
		echo "ctr images import failed: $CTR_IMPORT" >&2
		return 1
	}
	export CTR_IMPORT
}

teardown_file() {
	local id
	if [ -S "${ENGINE_DIR:-/nonexistent}/c.sock" ]; then
		for id in $(ctr_ task ls -q 2>/dev/null); do
			ctr_ task kill -s KILL "$id" >/dev/null 2>&1 || true
			ctr_ task delete -f "$id" >/dev/null 2>&1 || true
		done
		for id in $(ctr_ containers ls -q 2>/dev/null); do
			ctr_ containers delete "$id" >/dev/null 2>&1 || true
		done
	fi
	[ -n "${ENGINE_DIR:-}" ] && engine_stop_daemon containerd
	engine_cleanup
}

setup() { :; }
teardown() {
	# what a failed test left running: the next test starts clean
	local id
	for id in $(ctr_ task ls -q 2>/dev/null); do
		ctr_ task kill -s KILL "$id" >/dev/null 2>&1 || true
		ctr_ task delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(ctr_ containers ls -q 2>/dev/null); do
		ctr_ containers delete "$id" >/dev/null 2>&1 || true
	done
}

ctr_() { timeout -k 5 60 ctr -a "$ENGINE_DIR/c.sock" -n "$NS" "$@" 3>&-; }

# ctr_run [CTR-RUN-OPTS...] -- ID ARGS...: ctr run with berth as the shim's
# runtime binary, a cgroup beneath ENGINE_CG and the leak tag.
ctr_run() {
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	local id=$1
	shift
	ctr_ run --runtime io.containerd.runc.v2 --runc-binary "$BERTH" \
		--runc-root "$ENGINE_DIR/runtime" --cgroup "$ENGINE_CG/$id" \
		--env "BERTH_TEST_TAG=$TAG" "${opts[@]}" "$IMAGE" "$id" "$@"
}

# A running container ID (sh as pid 1 that exits 0 on TERM).
start_ct() {
	ctr_run -d -- "$1" sh -c 'trap "exit 0" TERM; echo started; sleep 1000 & wait' || return 1
	wait_for_task "$1" RUNNING
}

wait_for_task() {
	local id=$1 want=$2 i got=""
	for ((i = 0; i < 250; i++)); do
		got=$(ctr_ task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')
		[ "$got" = "$want" ] && return 0
		sleep 0.02
	done
	echo "task $id: status '$got', wanted '$want'" >&2
	return 1
}

task_pid() { ctr_ task ls | awk -v id="$1" '$1 == id { print $2 }'; }

# The container's state as berth keeps it: proof that berth, not runc,
# runs it (the shim's runtime root is $ENGINE_DIR/runtime/<namespace>).
berth_state_status() {
	"$BERTH" --root "$ENGINE_DIR/runtime/$NS" state "$1" | jq -r .status
}

@test "containerd: the image archive imports offline" {
	[[ $CTR_IMPORT == *"unpacking $IMAGE"* ]] || fail "import said: $CTR_IMPORT"
	run ctr_ images ls -q
	assert_success
	assert_output_contains "$IMAGE"
}

@test "containerd: run --rm prints the container's output and exits with its status" {
	run ctr_run --rm -- c-run sh -c 'echo "hello from $0"; id -u; exit 3' busybox
	assert_status 3
	assert_equal "$output" "hello from busybox"$'\n'0
	run ctr_ containers ls -q
	assert_equal "$output" ""
}

@test "containerd: run --rm of a missing command fails with berth's error" {
	run ctr_run --rm -- c-missing /no/such/cmd
	assert_failure
	assert_output_contains "/no/such/cmd" "no such file or directory"
}

@test "containerd: run --null-io: the container can write to its stdio" {
	mkdir -p "$ENGINE_DIR/out"
	run ctr_run --rm --null-io --mount "type=bind,src=$ENGINE_DIR/out,dst=/out,options=rbind:rw" -- \
		c-null sh -c 'echo hidden; echo "rc=$?" >/out/rc; echo err >&2; echo "rc=$?" >>/out/rc'
	assert_success
	assert_equal "$output" ""
	assert_equal "$(cat "$ENGINE_DIR/out/rc")" "rc=0"$'\n'"rc=0"
}

@test "containerd: berth is the runtime (its state, its rlimits)" {
	start_ct c-state
	assert_equal "$(berth_state_status c-state)" running
	run ctr_ task exec --exec-id e1 c-state sh -c 'ulimit -n'
	assert_success
	assert_equal "$output" 1024
}

@test "containerd: task exec without --tty: output, exit status, no terminal" {
	start_ct c-exec
	run ctr_ task exec --exec-id e1 c-exec sh -c 'echo "ppid $PPID"; [ -t 0 ] && echo tty || echo notty; exit 5'
	assert_status 5
	# pid 0 parent: the process came from outside the pid namespace
	assert_equal "$output" "ppid 0"$'\n'notty
	run ctr_ task exec --exec-id e2 --user 1000 --cwd /tmp c-exec sh -c 'echo "$(id -u) $(pwd)"'
	assert_success
	assert_equal "$output" "1000 /tmp"
	# the exec'd process is in the container's cgroup and namespaces
	init=$(task_pid c-exec)
	ctr_ task exec -d --exec-id e3 c-exec sleep 100
	sleep 0.3
	pid=$(pgrep -P "$(ps -o ppid= -p "$init" | tr -d ' ')" -x sleep | head -1)
	[ -n "$pid" ] || pid=$(pgrep -x sleep -n)
	for ns in mnt uts ipc pid; do
		assert_equal "$(readlink /proc/$pid/ns/$ns)" "$(readlink /proc/$init/ns/$ns)"
	done
	diff <(cat /proc/$pid/cgroup) <(cat /proc/$init/cgroup) || fail "exec not in the container's cgroup"
}

@test "containerd: task exec --tty: process.terminal decides (no --tty flag to berth)" {
	start_ct c-exectty
	run timeout 30 script -qec "ctr -a $ENGINE_DIR/c.sock -n $NS task exec -t --exec-id t1 c-exectty sh -c '[ -t 0 ] && tty; exit 4'" /dev/null </dev/null
	assert_status 4
	assert_output_contains /dev/pts/
}

@test "containerd: task exec of a missing command fails, the container runs on" {
	start_ct c-execmiss
	run ctr_ task exec --exec-id m1 c-execmiss /no/such/cmd
	assert_failure
	assert_output_contains "/no/such/cmd"
	wait_for_task c-execmiss RUNNING
}

@test "containerd: task ps lists the container's processes" {
	start_ct c-ps
	init=$(task_pid c-ps)
	run ctr_ task ps c-ps
	assert_success
	assert_output_contains "$init"
	# sh and its sleep
	[ "$(echo "$output" | grep -cE '^[0-9]+')" -ge 2 ] || fail "$output"
}

@test "containerd: task pause and resume freeze and thaw the container" {
	start_ct c-pause
	init=$(task_pid c-pause)
	run ctr_ task pause c-pause
	assert_success
	wait_for_task c-pause PAUSED
	assert_equal "$(cat "$(host_cgroup_file "$init" freezer freezer.state)")" FROZEN
	assert_equal "$(berth_state_status c-pause)" paused
	run ctr_ task resume c-pause
	assert_success
	wait_for_task c-pause RUNNING
	assert_equal "$(cat "$(host_cgroup_file "$init" freezer freezer.state)")" THAWED
	run ctr_ task exec --exec-id r1 c-pause echo awake
	assert_output_contains awake
}

@test "containerd: task metrics reads the container's cgroup" {
	start_ct c-metrics
	run ctr_ task metrics c-metrics
	assert_success
	assert_output_contains memory.usage_in_bytes pids.current
	[[ $output =~ pids.current[[:space:]]+([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge 2 ] || fail "$output"
}

# kill_status ID [SIGNAL]: the status `ctr run` (in the foreground) exits
# with when `ctr task kill` sends SIGNAL to its container.
kill_status() {
	local id=$1 pid rc=0
	ctr_run --rm -- "$id" sh -c 'trap "echo got-term; exit 0" TERM; sleep 1000 & wait' \
		>"$ENGINE_DIR/$id.out" 2>&1 &
	pid=$!
	wait_for_task "$id" RUNNING || return 1
	sleep 0.2 # the trap is set
	ctr_ task kill ${2:+-s "$2"} "$id" || return 1
	wait "$pid" || rc=$?
	cat "$ENGINE_DIR/$id.out"
	echo "status $rc"
}

@test "containerd: task kill delivers the signal; the exit status is the container's" {
	run kill_status c-kill
	assert_output_contains got-term "status 0"
	run kill_status c-kill9 SIGKILL
	assert_output_contains "status 137"
	assert_output_not_contains got-term
}

@test "containerd: run --tty gives the container a terminal" {
	run timeout 30 script -qec "ctr -a $ENGINE_DIR/c.sock -n $NS run --rm -t --runc-binary $BERTH --runc-root $ENGINE_DIR/runtime --cgroup $ENGINE_CG/c-tty --env BERTH_TEST_TAG=$TAG $IMAGE c-tty sh -c 'tty; [ -t 1 ] && echo stdout-is-tty; exit 6'" /dev/null </dev/null
	assert_status 6
	assert_output_contains /dev/pts/0 stdout-is-tty
}

@test "containerd: stopping the daemon leaves nothing behind" {
	run ctr_ containers ls -q
	assert_equal "$output" ""
	engine_stop_daemon containerd
	for i in $(seq 50); do
		[ -z "$(leaked_pids)" ] && break
		sleep 0.1
	done
	# the cgroup base is ours: engines leave the parent of their cgroups
	engine_cgroups | grep -vxF -f <(cgroup_candidates "$ENGINE_CG") | sed 's/^/left: /' || true
	while read -r cg; do [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true; done < <(cgroup_candidates "$ENGINE_CG")
	run engine_leftovers
	assert_equal "$output" ""
}
