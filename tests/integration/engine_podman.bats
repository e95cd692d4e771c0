#!/usr/bin/env bats
# podman (Debian's 4.3, through conmon) with berth as its OCI runtime,
# asserting what podman and the containers printed and their exit codes.
#
# Everything podman keeps lives under one temp dir the file owns ($PODMAN_DIR):
# storage (vfs: no overlay mounts nested in whatever /tmp is), run root, tmp
# dir (events log, exit files), network config. The image is the test rootfs
# (mkrootfs.sh, from busybox-static) imported as a tarball, never pulled; the
# pod's infra image is the one podman builds locally from catatonit. Every
# container runs with --network none and --cgroup-parent $PODMAN_CG, a
# relative path: berth puts the container's cgroup beneath its own (= the
# test's) cgroup in every hierarchy. containers.conf says cgroups =
# "no-conmon" so that podman itself creates no cgroup (it would resolve the
# parent from each hierarchy's root, outside the test's memory cgroup on
# this host), and the pod uses --share-parent=false for the same reason.
#
# podman passes berth no --root: berth's state is in its default /run/berth,
# as runc's is in /run/runc; teardown checks that no container this file
# created (podman's events log lists them) has state left there.
#
# Outside it podman only touches what it shares with every podman on the
# host: containers/image's blob info cache (/var/lib/containers/cache) and
# netavark's empty /run/containers/networks.
#
# Skipped only when podman or conmon is not installed (make deps installs
# them: ENGINE_PKGS in the Makefile) or when not root.

load helpers

PODMAN_TIMEOUT=${PODMAN_TIMEOUT:-60}
IMG=localhost/busybox:test

# bats 1.8 cannot skip from setup_file: it leaves the reason in PODMAN_SKIP
# for setup() to skip each test with.
setup_file() {
	export PODMAN_SKIP=""
	if [ "$(id -u)" != 0 ]; then
		PODMAN_SKIP="podman tests need root"
	elif ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
		PODMAN_SKIP="podman or conmon not installed (make deps installs ENGINE_PKGS)"
	fi
	[ -z "$PODMAN_SKIP" ] || return 0
	berth_setup_file
	# podman passes no --root: the seccomp cache berth makes in /run/berth
	# is removed at the end unless it was there before.
	PODMAN_OWN_CACHE=$([ -e /run/berth/@cache ] || echo 1)
	export PODMAN_OWN_CACHE
	PODMAN_DIR=$(mktemp -d /tmp/berth-podman.XXXXXX)
	PODMAN_TAG=$(basename "$PODMAN_DIR")
	PODMAN_CG="berth-podman-${PODMAN_TAG#berth-podman.}"
	export PODMAN_DIR PODMAN_TAG PODMAN_CG
	podman_write_conf
	tar -C "$BERTH_TEST_ROOTFS" --exclude ./.berth-rootfs-stamp -cf "$PODMAN_DIR/rootfs.tar" .
	pm import --change 'CMD ["/bin/sh"]' "$PODMAN_DIR/rootfs.tar" "$IMG" >/dev/null ||
		fail "podman import failed"
}

# The test containers.conf: berth as the default runtime and in
# runtime_supports_json (podman then passes --log-format=json and reads
# berth's errors from that log); rlimits the host's hard limits allow (also
# for the pod's infra container, which takes no --ulimit); no network.
podman_write_conf() {
	mkdir -p "$PODMAN_DIR"/{root,runroot,tmp,net}
	cat >"$PODMAN_DIR/containers.conf" <<-EOF
		[containers]
		netns = "none"
		cgroups = "no-conmon"
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		env = ["BERTH_TEST_TAG=$PODMAN_TAG"]
		log_driver = "k8s-file"

		[network]
		network_config_dir = "$PODMAN_DIR/net"

		[engine]
		runtime = "berth"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime_supports_json = ["berth", "crun", "runc", "kata", "runsc", "youki", "krun"]

		[engine.runtimes]
		berth = ["$BERTH"]
	EOF
	cat >"$PODMAN_DIR/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$PODMAN_DIR/root"
		runroot = "$PODMAN_DIR/runroot"
	EOF
	: >"$PODMAN_DIR/registries.conf"
}

# podman's command line, quoted for a shell (script -c).
pm_cmdline() {
	printf '%q ' env CONTAINERS_CONF="$PODMAN_DIR/containers.conf" \
		CONTAINERS_STORAGE_CONF="$PODMAN_DIR/storage.conf" \
		CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf" \
		podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" \
		--tmpdir "$PODMAN_DIR/tmp" --storage-driver vfs --cgroup-manager=cgroupfs \
		--events-backend file --runtime "$BERTH"
}

# pm ARGS...: podman on this file's storage, berth as the runtime. Killed
# after PODMAN_TIMEOUT seconds; bats' fd 3 closed so conmon cannot keep it.
pm() {
	CONTAINERS_CONF="$PODMAN_DIR/containers.conf" \
		CONTAINERS_STORAGE_CONF="$PODMAN_DIR/storage.conf" \
		CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf" \
		timeout --foreground -k 5 "$PODMAN_TIMEOUT" \
		podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" \
		--tmpdir "$PODMAN_DIR/tmp" --storage-driver vfs --cgroup-manager=cgroupfs \
		--events-backend file --runtime "$BERTH" "$@" 3>&-
}

# pm_run ARGS...: podman run, no network, cgroups beneath the test's own,
# the image never pulled.
pm_run() { pm run --pull never --network none --cgroup-parent "$PODMAN_CG" "$@"; }

# pm_script 'PODMAN ARGS': podman under script(1), on a terminal. script's
# stdin stays open (a pipe from a sleep killed afterwards): on an EOF script
# writes to the terminal, and podman, racing with the container, may then
# lose the container's output (runc's too).
pm_script() {
	local rc=0 fd feeder
	exec {fd}< <(exec 3>&-; sleep 120)
	feeder=$!
	script -qec "$(pm_cmdline) $1" /dev/null <&"$fd" || rc=$?
	exec {fd}<&-
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	return $rc
}

# start_ct NAME [ARGS...]: a detached container that prints "started", then
# runs until SIGTERM (prints "bye", exits 0).
start_ct() {
	local name=$1
	shift
	pm_run -d --name "$name" "$@" "$IMG" \
		sh -c 'echo started; trap "echo bye; exit 0" TERM; sleep 1000 & wait' >/dev/null
}

ctr_pid() { pm inspect -f '{{.State.Pid}}' "$1"; }
ctr_id() { pm inspect -f '{{.Id}}' "$1"; }

# ctr_cgroup NAME CONTROLLER: the container's cgroup directory in the
# hierarchy of CONTROLLER ("" for cgroup2), where berth must have put it:
# beneath the test's own cgroup there, at $PODMAN_CG/libpod-ID.
ctr_cgroup() {
	local id dir want=$2
	id=$(ctr_id "$1") || return 1
	while read -r dir; do
		if [ -z "$want" ]; then
			[ "$(stat -f -c %T "$dir" 2>/dev/null)" = cgroup2fs ] && echo "$dir" && return 0
		elif [ -e "$dir/$want.stat" ] || [ -e "$dir/$want.max" ] || [ -e "$dir/$want.limit_in_bytes" ]; then
			[ "$(stat -f -c %T "$dir")" != cgroup2fs ] && echo "$dir" && return 0
		fi
	done < <(cgroup_candidates "$PODMAN_CG/libpod-$id")
	echo "no $want cgroup for $1 at $PODMAN_CG/libpod-$id" >&2
	return 1
}

# ---------------------------------------------------------------- cleanup

# IDs of every container podman created in this file (its events log).
created_ids() {
	jq -r 'select(.Type == "container" and .Status == "create") | .ID' \
		"$PODMAN_DIR/tmp/events/events.log" 2>/dev/null | sort -u
}

# Processes of ours: containers carry BERTH_TEST_TAG=$PODMAN_TAG (the
# containers.conf env, the infra container's too), conmon and podman's
# cleanup processes name $PODMAN_DIR on their command line.
podman_pids() {
	local f
	{
		grep -lsFxz "BERTH_TEST_TAG=$PODMAN_TAG" /proc/[0-9]*/environ
		grep -lsF "$PODMAN_DIR" /proc/[0-9]*/cmdline
	} 2>/dev/null | while read -r f; do
		f=${f#/proc/}
		[ "${f%%/*}" != "$$" ] && [ "${f%%/*}" != "$BASHPID" ] && echo "${f%%/*}"
	done | sort -u
}

# podman_leaks: remove every container and pod; print (and clean up) what
# is left: podman's containers, processes, mounts under $PODMAN_DIR,
# container cgroups, berth state. Prints nothing when all is clean.
podman_leaks() {
	local i pids cg id mounts
	pm rm -af -t 0 >/dev/null 2>&1 || echo "podman rm -af failed"
	pm pod rm -af -t 0 >/dev/null 2>&1 || echo "podman pod rm -af failed"
	[ -z "$(pm ps -aq 2>/dev/null)" ] || echo "containers left: $(pm ps -aq | tr '\n' ' ')"
	for ((i = 0; i < 100; i++)); do
		pids=$(podman_pids)
		[ -z "$pids" ] && break
		sleep 0.05
	done
	for i in $pids; do
		echo "process left: $i $(tr '\0' ' ' <"/proc/$i/cmdline" 2>/dev/null)"
		kill -9 "$i" 2>/dev/null || true
	done
	mounts=$(findmnt -rn -o TARGET | grep -F "$PODMAN_DIR" || true)
	if [ -n "$mounts" ]; then
		echo "mounts left: $(echo "$mounts" | tr '\n' ' ')"
		echo "$mounts" | sort -r | while read -r i; do umount -l "$i" 2>/dev/null || true; done
	fi
	while read -r cg; do
		for i in "$cg"/libpod-*; do
			[ -d "$i" ] || continue
			echo "cgroup left: $i"
			find "$i" -depth -type d -exec rmdir {} \; 2>/dev/null || true
		done
	done < <(cgroup_candidates "$PODMAN_CG")
	for id in $(created_ids); do
		if [ -e "/run/berth/$id" ]; then
			echo "berth state left: /run/berth/$id"
			"$BERTH" delete --force "$id" >/dev/null 2>&1 || rm -rf "/run/berth/$id"
		fi
	done
}

setup() {
	[ -z "$PODMAN_SKIP" ] || skip "$PODMAN_SKIP"
}

teardown() {
	local leaks
	[ -z "$PODMAN_SKIP" ] || return 0
	leaks=$(podman_leaks)
	if [ -n "$leaks" ]; then
		echo "$leaks" | sed 's/^/LEAK: /' >&2
		return 1
	fi
}

teardown_file() {
	local leaks="" cg
	if [ -n "${PODMAN_DIR:-}" ] && [ -d "$PODMAN_DIR" ]; then
		leaks=$(podman_leaks)
		# berth removes the parent it created with the last container;
		# whatever remains of it is ours to remove.
		while read -r cg; do
			[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
		done < <(cgroup_candidates "$PODMAN_CG")
		rm -rf "$PODMAN_DIR"
	fi
	[ -z "${PODMAN_OWN_CACHE:-}" ] || rm -rf /run/berth/@cache
	berth_teardown_file
	if [ -n "$leaks" ]; then
		echo "$leaks" | sed 's/^/LEAK: /' >&2
		return 1
	fi
}

# ---------------------------------------------------------------- tests

@test "podman: run --rm prints the container's stdout and passes exit codes 0 and 3" {
	run pm_run --rm "$IMG" sh -c 'echo hello from berth; cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_output_contains "hello from berth" "sh -c echo hello from berth"
	run pm_run --rm "$IMG" sh -c 'exit 3'
	assert_status 3
}

@test "podman: run -i reads stdin; --log-driver passthrough gives the container podman's own stdio" {
	run pm_run -i --rm "$IMG" sh -c 'cat; echo done' <<<"piped in"
	assert_success
	assert_equal "$output" "piped in
done"
	out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	pm_run -i --rm --log-driver passthrough "$IMG" \
		sh -c 'cat; echo to-stderr >&2; readlink /proc/self/fd/1' <<<"passed through" >"$out" 2>"$err" ||
		fail "passthrough run failed: $(cat "$err")"
	assert_equal "$(cat "$out")" "passed through
$out"
	assert_equal "$(cat "$err")" to-stderr
}

@test "podman: a missing command is 127, a non-executable 126, with berth's message from its JSON log" {
	run -127 pm_run --rm "$IMG" nosuchcmd
	# runtime_supports_json: podman read the message from berth's JSON log
	# (without it podman shows berth's stderr: "berth: berth: error: ...").
	assert_output_contains 'berth: create ' 'exec: "nosuchcmd": executable file not found in $PATH'
	assert_output_not_contains 'berth: error:'
	run -126 pm_run --rm "$IMG" /etc/passwd
	assert_output_contains 'exec: "/etc/passwd": permission denied'
	# the log podman gave berth: one JSON object per line
	run -127 pm_run --name failed "$IMG" nosuchcmd
	log=$PODMAN_DIR/runroot/vfs-containers/$(ctr_id failed)/userdata/oci-log
	run jq -e -s 'all(.[]; .level == "error" and (.msg | type) == "string" and (.time | type) == "string")' "$log"
	assert_success
	run jq -r .msg "$log"
	assert_output_contains 'find executable: exec: "nosuchcmd"'
}

@test "podman: run -d, exec (output, exit code, --user, -i, -e, -w), logs, stop, rm" {
	start_ct c1
	run pm exec c1 sh -c 'echo in exec; id -u; exit 4'
	assert_status 4
	assert_output_contains "in exec"
	assert_equal "${lines[1]}" 0
	run pm exec --user 1000 c1 id
	assert_success
	assert_output_contains "uid=1000(test) gid=1000(test)"
	run pm exec -i c1 cat <<<"piped in"
	assert_success
	assert_equal "$output" "piped in"
	run pm exec -e FOO=bar -w /tmp c1 sh -c 'echo "$FOO $(pwd)"'
	assert_equal "$output" "bar /tmp"
	run pm exec c1 sh -c 'kill -9 $$'
	assert_status 137
	run -127 pm exec c1 nosuchcmd
	assert_output_contains 'berth: exec ' 'exec: "nosuchcmd": executable file not found'
	run pm exec -d c1 sh -c 'echo detached >/tmp/d'
	assert_success
	for ((i = 0; i < 50; i++)); do pm exec c1 test -e /tmp/d && break; sleep 0.1; done
	run pm exec c1 cat /tmp/d
	assert_equal "$output" detached
	run pm logs c1
	assert_equal "$output" started
	run pm stop -t 10 c1
	assert_success
	run pm inspect -f '{{.State.Status}} {{.State.ExitCode}}' c1
	assert_equal "$output" "exited 0"
	run pm logs c1
	assert_equal "$output" "started
bye"
	run pm rm c1
	assert_success
	run pm ps -aq
	assert_equal "$output" ""
}

@test "podman: exec -it under script has a terminal" {
	start_ct c1
	run pm_script "exec -it c1 sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 6'"
	assert_status 6
	assert_output_contains /dev/pts/ stdin-is-tty
	run pm_script "exec -it --user 1000 c1 sh -c 'id -u; tty'"
	assert_success
	assert_output_contains 1000 /dev/pts/
}

@test "podman: run -it under script has a terminal" {
	run pm_script "run --rm -it --network none --cgroup-parent $PODMAN_CG $IMG sh -c 'tty; stty rows 30 cols 90; stty size; exit 5'"
	assert_status 5
	assert_output_contains /dev/pts/ "30 90"
}

@test "podman: --memory and --pids-limit are in the container's cgroup files (host side)" {
	start_ct c1 --memory 64m --pids-limit 42
	mem=$(ctr_cgroup c1 memory)
	pids=$(ctr_cgroup c1 pids)
	if [ -e "$mem/memory.max" ]; then
		assert_equal "$(cat "$mem/memory.max")" 67108864
	else
		assert_equal "$(cat "$mem/memory.limit_in_bytes")" 67108864
	fi
	assert_equal "$(cat "$pids/pids.max")" 42
	pid=$(ctr_pid c1)
	grep -qx "$pid" "$mem/cgroup.procs" || fail "pid $pid not in $mem"
	# and the container sees the same limit
	run pm exec c1 cat /proc/self/cgroup
	assert_output_contains "$PODMAN_CG/libpod-$(ctr_id c1)"
}

@test "podman: pause and unpause" {
	start_ct c1
	run pm pause c1
	assert_success
	run pm inspect -f '{{.State.Status}}' c1
	assert_equal "$output" paused
	freezer=$(ctr_cgroup c1 freezer 2>/dev/null) || freezer=""
	if [ -n "$freezer" ] && [ -e "$freezer/freezer.state" ]; then
		assert_equal "$(cat "$freezer/freezer.state")" FROZEN
	fi
	run pm exec c1 true
	assert_failure
	run pm unpause c1
	assert_success
	run pm inspect -f '{{.State.Status}}' c1
	assert_equal "$output" running
	run pm exec c1 echo after unpause
	assert_equal "$output" "after unpause"
}

@test "podman: top lists the container's processes" {
	start_ct c1
	run pm top c1 pid user args
	assert_success
	assert_output_contains "sleep 1000" "trap"
	assert_equal "$(echo "${lines[1]}" | awk '{ print $1 }')" 1
	run pm top c1 hpid
	assert_output_contains "$(ctr_pid c1)"
}

@test "podman: --user 1000 and --cap-drop ALL" {
	run pm_run --rm --user 1000 "$IMG" sh -c 'id; grep CapEff /proc/self/status'
	assert_success
	assert_output_contains "uid=1000(test) gid=1000(test)" "CapEff:	0000000000000000"
	run pm_run --rm --cap-drop ALL "$IMG" grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status
	assert_success
	assert_output_contains "CapPrm:	0000000000000000" "CapEff:	0000000000000000" "CapBnd:	0000000000000000"
	run pm_run --rm "$IMG" grep CapEff /proc/self/status
	assert_output_not_contains "CapEff:	0000000000000000"
}

@test "podman: kill -s, update --memory, restart" {
	pm_run -d --name c1 --memory 64m "$IMG" sh -c 'trap "echo got-usr1" USR1; echo up; while :; do sleep 0.1; done' >/dev/null
	run pm kill -s USR1 c1
	assert_success
	for ((i = 0; i < 50; i++)); do [[ $(pm logs c1) == *got-usr1* ]] && break; sleep 0.1; done
	run pm logs c1
	assert_output_contains got-usr1
	run pm update --memory 100m c1
	assert_success
	mem=$(ctr_cgroup c1 memory)
	if [ -e "$mem/memory.max" ]; then
		assert_equal "$(cat "$mem/memory.max")" 104857600
	else
		assert_equal "$(cat "$mem/memory.limit_in_bytes")" 104857600
	fi
	old=$(ctr_pid c1)
	run pm restart -t 0 c1
	assert_success
	[ "$(ctr_pid c1)" != "$old" ] || fail "restart kept pid $old"
	run pm exec c1 echo after restart
	assert_equal "$output" "after restart"
}

@test "podman: --init, --uidmap, --privileged" {
	run pm_run --rm --init "$IMG" ps -o pid,args
	assert_success
	assert_output_contains "1 /run/podman-init -- ps"
	run pm_run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /etc/passwd'
	assert_success
	assert_equal "${lines[0]}" 0
	assert_equal "$(echo ${lines[1]})" "0 100000 65536"
	assert_equal "${lines[2]}" 0
	run pm_run --rm --privileged "$IMG" sh -c 'grep CapBnd /proc/self/status; test -c /dev/fuse || test -c /dev/loop-control && echo host-devices'
	assert_success
	assert_output_contains host-devices
	assert_output_not_contains "CapBnd:	00000000a80425fb"
}

@test "podman: --read-only --read-only-tmpfs=false: the root is read-only" {
	run pm_run --rm --read-only --read-only-tmpfs=false "$IMG" sh -c 'touch /x || echo refused; grep " / " /proc/mounts'
	assert_success
	assert_output_contains refused "ro,"
}

# podman's tmpfs mounts carry tmpcopyup (the image's content copied in).
@test "podman: --read-only keeps /tmp, /var/tmp, /run writable (tmpfs, tmpcopyup)" {
	run pm_run --rm --read-only "$IMG" sh -c 'touch /x || echo refused; touch /tmp/a /var/tmp/a /run/a && echo tmpfs-ok; grep " / " /proc/mounts'
	assert_success
	assert_output_contains refused tmpfs-ok "ro,"
}

@test "podman: --tmpfs /mnt is a tmpfs with the image's content" {
	run pm_run --rm --tmpfs /mnt "$IMG" sh -c 'touch /mnt/x && grep " /mnt " /proc/mounts'
	assert_success
	assert_output_contains "tmpfs /mnt tmpfs"
	# the image's /home (test's home, owned 1000) survives a tmpfs over it
	run pm_run --rm --tmpfs /home "$IMG" stat -c '%u %n' /home/test
	assert_success
	assert_equal "$output" "1000 /home/test"
}

@test "podman: a pod's containers share the infra container's net, ipc and uts namespaces" {
	run pm pod create --name p1 --network none --share-parent=false --cgroup-parent "$PODMAN_CG"
	assert_success
	# no --network none here: a pod's container joins the pod's netns
	pm run --pull never -d --pod p1 --name a --cgroup-parent "$PODMAN_CG" "$IMG" \
		sh -c 'echo from-a >/dev/shm/x; sleep 1000' >/dev/null
	run pm run --pull never --rm --pod p1 --cgroup-parent "$PODMAN_CG" "$IMG" sh -c 'cat /dev/shm/x; hostname; for n in net ipc uts pid; do readlink /proc/self/ns/$n; done'
	assert_success
	assert_equal "${lines[0]}" from-a
	assert_equal "${lines[1]}" p1
	b_ns=("${lines[@]:2}")
	run pm exec a sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done'
	assert_equal "${lines[0]}" "${b_ns[0]}"
	assert_equal "${lines[1]}" "${b_ns[1]}"
	assert_equal "${lines[2]}" "${b_ns[2]}"
	[ "${lines[3]}" != "${b_ns[3]}" ] || fail "pid namespace shared, not asked for"
	[ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ] || fail "the pod is in the host's netns"
	run pm pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
	assert_equal "$output" "p1 Running 2"
	run pm pod rm -f -t 0 p1
	assert_success
}
