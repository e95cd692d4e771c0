#!/usr/bin/env bats
# dockerd drives berth: a private dockerd on a private containerd (the
# one dockerd would start itself makes /opt/containerd), berth registered
# with --add-runtime, no networking (--bridge=none --iptables=false), the
# cgroupfs driver with a cgroup parent beneath the test's own cgroup, the
# image from `docker load`. Then dockerd again with daemon.json's runtimes
# and default-runtime. The last test stops it and checks that nothing is
# left.

load helpers
load daemons

IMAGE=berth-test/busybox:latest
# Debian's client, not whatever else is first on PATH
DOCKER_BIN=/usr/bin/docker

setup_file() {
	[ -x "$BERTH" ] || { echo "no runtime at BERTH=$BERTH (run make)" >&2; return 1; }
	engine_require docker.io dockerd "$DOCKER_BIN" containerd
	engine_require util-linux script
	grep -qw overlay /proc/filesystems || skip "dockerd's overlay2 needs overlayfs"
	engine_setup_dirs docker
	# dockerd writes its trust key to /etc/docker/key.json unless told
	# otherwise; the client its config to ~/.docker unless DOCKER_CONFIG.
	export DOCKER_CONFIG=$ENGINE_DIR/client
	engine_start_containerd || return 1
	dockerd_start --add-runtime "berth=$BERTH" || return 1
	DOCKER_LOAD=$(docker_ load -i "$ENGINE_IMAGE_TAR" 2>&1) || {
		echo "docker load failed: $DOCKER_LOAD" >&2
		return 1
	}
	export DOCKER_LOAD
}

# dockerd_start [JSON-OBJECT] [FLAGS...]: the private daemon; JSON-OBJECT
# is merged into its daemon.json.
dockerd_start() {
	local d=$ENGINE_DIR extra='{}'
	if [ $# -gt 0 ] && [[ $1 == "{"* ]]; then
		extra=$1
		shift
	fi
	jq -n --arg key "$d/key.json" --argjson x "$extra" \
		'{"deprecated-key-path": $key} + $x' >"$d/daemon.json"
	engine_start_daemon dockerd "$d/d.sock" \
		dockerd --config-file "$d/daemon.json" --data-root "$d/data" \
		--exec-root "$d/exec" --containerd "$d/c.sock" --pidfile "$d/dockerd.pidfile" -H "unix://$d/d.sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false \
		--userland-proxy=false --storage-driver overlay2 \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$ENGINE_CG" \
		--default-ulimit nofile=1024:1024 --default-ulimit nproc=1024:1024 "$@" || return 1
	# the API answers a little after the socket appears
	local i
	for ((i = 0; i < 100; i++)); do
		docker_ version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "dockerd does not answer" >&2
	return 1
}

dockerd_stop() {
	engine_stop_daemon dockerd
}

teardown_file() {
	if [ -S "${ENGINE_DIR:-/nonexistent}/d.sock" ]; then
		docker_ rm -f $(docker_ ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	fi
	[ -n "${ENGINE_DIR:-}" ] && dockerd_stop && engine_stop_daemon containerd
	engine_cleanup
}

setup() { :; }
teardown() {
	local ids
	ids=$(docker_ ps -aq 2>/dev/null) || return 0
	[ -z "$ids" ] || docker_ rm -f $ids >/dev/null 2>&1 || true
}

docker_() { timeout -k 5 60 "$DOCKER_BIN" -H "unix://$ENGINE_DIR/d.sock" "$@" 3>&-; }

# docker_run [OPTS...] -- ARGS...: run on berth, no network, the leak tag.
docker_run() {
	local opts=()
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	docker_ run --runtime berth --network none -e "BERTH_TEST_TAG=$TAG" "${opts[@]}" "$IMAGE" "$@"
}

LONG='trap "echo bye; exit 0" TERM; echo started; sleep 1000 & wait'

# start_ct NAME [OPTS...]: a running container NAME.
start_ct() {
	local name=$1
	shift
	docker_run -d --name "$name" "$@" -- sh -c "$LONG" >/dev/null || return 1
	local i
	for ((i = 0; i < 250; i++)); do
		docker_ logs "$name" 2>/dev/null | grep -q started && return 0
		sleep 0.02
	done
	echo "container $name did not start" >&2
	return 1
}

ct_pid() { docker_ inspect -f '{{.State.Pid}}' "$1"; }
ct_id() { docker_ inspect -f '{{.Id}}' "$1"; }

# The container's state as berth keeps it, under the runc shim's root:
# proof that berth runs it.
berth_state_status() {
	"$BERTH" --root "$ENGINE_DIR/exec/runtime-runc/moby" state "$(ct_id "$1")" | jq -r .status
}

@test "docker: the image archive loads offline" {
	[[ $DOCKER_LOAD == *"Loaded image: $IMAGE"* ]] || fail "load said: $DOCKER_LOAD"
	run docker_ info --format '{{json .Runtimes}}'
	assert_output_contains '"berth"'
}

@test "docker: run --rm prints the output and exits 0 or with the container's status" {
	run docker_run --rm -- sh -c 'echo "hello $(id -u)"'
	assert_success
	assert_equal "$output" "hello 0"
	run docker_run --rm -- sh -c 'exit 3'
	assert_status 3
}

@test "docker: run --rm of a non-executable is 126, of a missing command 127" {
	run -126 docker_run --rm -- /etc/passwd
	assert_output_contains "permission denied"
	run -127 docker_run --rm -- nosuchcmd
	assert_output_contains "nosuchcmd" "executable file not found"
}

@test "docker: berth runs the container, with docker's ulimits" {
	start_ct d-state
	assert_equal "$(berth_state_status d-state)" running
	run docker_ exec d-state sh -c 'echo "$(ulimit -n) $(ulimit -u)"'
	assert_success
	assert_equal "$output" "1024 1024"
}

@test "docker: run -d, exec, logs, stop" {
	start_ct d-exec
	run docker_ exec d-exec sh -c 'echo "in exec ppid=$PPID"; exit 4'
	assert_status 4
	assert_equal "$output" "in exec ppid=0"
	run docker_ exec -u 1000 -w /tmp d-exec sh -c 'echo "$(id -u):$(id -g) $(pwd)"'
	assert_success
	assert_equal "$output" "1000:1000 /tmp"
	run docker_ exec -e FOO=bar d-exec sh -c 'echo $FOO'
	assert_equal "$output" bar
	run -126 docker_ exec d-exec nosuchcmd
	assert_output_contains "executable file not found"
	run timeout 30 script -qec "$DOCKER_BIN -H unix://$ENGINE_DIR/d.sock exec -it d-exec sh -c 'tty; exit 2'" /dev/null </dev/null
	assert_status 2
	assert_output_contains /dev/pts/
	run docker_ stop d-exec
	assert_success
	run docker_ logs d-exec
	assert_equal "$output" "started"$'\n'"bye"
	assert_equal "$(docker_ inspect -f '{{.State.ExitCode}}' d-exec)" 0
}

@test "docker: run -it gives the container a terminal" {
	run timeout 30 script -qec "$DOCKER_BIN -H unix://$ENGINE_DIR/d.sock run --rm -it --runtime berth --network none -e BERTH_TEST_TAG=$TAG $IMAGE sh -c 'tty; exit 5'" /dev/null </dev/null
	assert_status 5
	assert_output_contains /dev/pts/0
}

@test "docker: --read-only makes the root read-only" {
	run docker_run --rm --read-only -- sh -c 'touch /x || echo refused; grep " / " /proc/mounts'
	assert_success
	assert_output_contains refused "Read-only file system" " / overlay ro,"
	run docker_run --rm --read-only --tmpfs /tmp -- sh -c 'echo ok >/tmp/f && cat /tmp/f'
	assert_success
	assert_equal "$output" ok
}

@test "docker: --tmpfs mounts a tmpfs with its options" {
	run docker_run --rm --tmpfs /mnt:size=4m -- sh -c 'grep " /mnt " /proc/mounts; echo ok >/mnt/f && cat /mnt/f'
	assert_success
	assert_output_contains "tmpfs /mnt tmpfs rw,nosuid,nodev,noexec," "size=4096k" $'\nok'
}

@test "docker: --tmpfs keeps the mode of the directory it covers (as runc)" {
	# /root is 0700 in the image, /home/test 0755 and owned by 1000
	run docker_run --rm --tmpfs /root --tmpfs /etc -- sh -c 'stat -c "%n %a" /root /etc; ls /etc'
	assert_success
	assert_output_contains "/root 700" "/etc 755" hostname hosts resolv.conf
	skip_if_runc "an explicit mode= is overridden by the covered directory's mode"
	run docker_run --rm --tmpfs /mnt:mode=1770 -- stat -c "%a" /mnt
	assert_equal "$output" 1770
}

@test "docker: --user and --group-add (each group once)" {
	run docker_run --rm --user 1000 --group-add 1001 --group-add 0 -- sh -c 'id -u; grep ^Groups: /proc/self/status'
	assert_success
	assert_equal "$output" "1000"$'\n'"Groups:	0 1000 1001 "
}

@test "docker: --cap-drop ALL and --security-opt no-new-privileges" {
	run docker_run --rm --cap-drop ALL --security-opt no-new-privileges -- grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status
	assert_success
	assert_output_contains "CapEff:	0000000000000000" "CapBnd:	0000000000000000" "NoNewPrivs:	1"
}

@test "docker: --privileged gets every capability, the host's devices, no filter" {
	# runc fails the same way where the host's bounding set lacks some
	want=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	max=$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))
	[ "$want" = "$max" ] || skip "the host's bounding set ($want) lacks capabilities --privileged asks for (runc fails too)"
	run docker_run --rm --privileged -- sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev | wc -l'
	assert_success
	assert_output_contains "CapEff:	$max" "Seccomp:	0"
}

@test "docker: --memory lands in the cgroup; update changes it" {
	start_ct d-mem --memory 64m
	f=$(host_cgroup_file "$(ct_pid d-mem)" memory memory.limit_in_bytes)
	[[ $f == */$ENGINE_CG/* ]] || fail "cgroup $f not beneath $ENGINE_CG"
	assert_equal "$(cat "$f")" $((64 << 20))
	run docker_ update --memory 96m --memory-swap 96m d-mem
	assert_success
	assert_equal "$(cat "$f")" $((96 << 20))
	run docker_ update --pids-limit 50 d-mem
	assert_success
	assert_equal "$(cat "$(host_cgroup_file "$(ct_pid d-mem)" pids pids.max)")" 50
}

@test "docker: top lists the container's processes" {
	start_ct d-top
	run docker_ top d-top
	assert_success
	assert_output_contains "$(ct_pid d-top)" "sleep 1000"
}

@test "docker: pause and unpause" {
	start_ct d-pause
	pid=$(ct_pid d-pause)
	run docker_ pause d-pause
	assert_success
	assert_equal "$(docker_ inspect -f '{{.State.Status}}' d-pause)" paused
	assert_equal "$(cat "$(host_cgroup_file "$pid" freezer freezer.state)")" FROZEN
	run docker_ unpause d-pause
	assert_success
	assert_equal "$(cat "$(host_cgroup_file "$pid" freezer freezer.state)")" THAWED
	run docker_ exec d-pause echo awake
	assert_equal "$output" awake
}

@test "docker: kill sends SIGKILL (137) or the signal asked for" {
	start_ct d-kill
	run docker_ kill d-kill
	assert_success
	docker_ wait d-kill >/dev/null
	assert_equal "$(docker_ inspect -f '{{.State.ExitCode}}' d-kill)" 137
	start_ct d-term
	run docker_ kill -s TERM d-term
	assert_success
	assert_equal "$(docker_ wait d-term)" 0
	run docker_ logs d-term
	assert_output_contains bye
}

@test "docker: --default-runtime berth from daemon.json's runtimes" {
	dockerd_stop
	dockerd_start "$(jq -n --arg b "$BERTH" '{runtimes: {berth: {path: $b}}, "default-runtime": "berth"}')"
	run docker_ info --format '{{.DefaultRuntime}}'
	assert_equal "$output" berth
	run docker_ run --rm --network none -e "BERTH_TEST_TAG=$TAG" "$IMAGE" sh -c 'echo default; exit 7'
	assert_status 7
	assert_equal "$output" default
	docker_ run -d --name d-default --network none -e "BERTH_TEST_TAG=$TAG" "$IMAGE" sleep 1000
	assert_equal "$(docker_ inspect -f '{{.HostConfig.Runtime}}' d-default)" berth
	assert_equal "$(berth_state_status d-default)" running
	docker_ rm -f d-default
}

@test "docker: stopping the daemon leaves nothing behind" {
	run docker_ ps -aq
	assert_equal "$output" ""
	docker_ rmi "$IMAGE" >/dev/null
	dockerd_stop
	engine_stop_daemon containerd
	for i in $(seq 50); do
		[ -z "$(leaked_pids)" ] && break
		sleep 0.1
	done
	# the cgroup parent is ours to remove: dockerd leaves it
	while read -r cg; do [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true; done < <(cgroup_candidates "$ENGINE_CG")
	run engine_leftovers
	assert_equal "$output" ""
	[ ! -e /etc/docker/key.json ] || [ /etc/docker/key.json -ot "$ENGINE_DIR" ] ||
		fail "dockerd wrote /etc/docker/key.json"
}
