#!/usr/bin/env bats
# Rootless podman (Debian's 4.3) with berth as its OCI runtime (issue 11,
# docs/rootless.md): a test user runs `podman --runtime berth run` and
# `exec`.  podman calls the runtime from inside its own user namespace, as
# "root" there (the user's uid mapped to 0, its subuid range above): berth's
# second rootless case.  Every test runs first with runc (the Debian
# package), proving the setup, then with berth, asserting what the
# containers printed and the exit statuses podman reported.
#
# setup_file: a user from useradd (a unique name) with a 65536-wide
# subuid/subgid range past every other one (usermod --add-subuids); $PU_DIR (the user's), holding
# podman's storage (vfs), run root, tmp dir (events log: events-backend
# file), the user's XDG_RUNTIME_DIR (berth's state root is
# $XDG_RUNTIME_DIR/berth there) and HOME.  The image is the test rootfs as
# an image archive (mkimage.sh), `podman load`ed, never pulled.  Every
# container runs with --network none, --ulimit nofile=1024:1024 and
# nproc=1024:1024 (what the hard limits allow without CAP_SYS_RESOURCE),
# cgroup-manager cgroupfs.  teardown_file removes the containers, kills
# every process of the user (conmon, podman's pause process that keeps its
# user namespace), removes the user (userdel takes its subuid/subgid lines
# with it) and $PU_DIR, also after a failure half-way.
#
# Skipped when not root or when podman, conmon, runc, newuidmap or setpriv
# is missing (make deps installs them: ENGINE_PKGS, BENCH_PKGS, uidmap).

load helpers

PU_TIMEOUT=${PODMAN_TIMEOUT:-90}
IMG=localhost/berth-rootless/busybox:test
RUNC=/usr/sbin/runc

pu_skip_reason() {
	[ "$(id -u)" = 0 ] || { echo "creates a test user: needs root"; return; }
	local c
	for c in podman conmon newuidmap setpriv useradd; do
		command -v "$c" >/dev/null || { echo "no $c (make deps)"; return; }
	done
	[ -x "$RUNC" ] || echo "no runc (make deps installs BENCH_PKGS)"
}

# A subuid range nobody has yet: past every range in both files.
pu_free_base() {
	cat /etc/subuid /etc/subgid 2>/dev/null |
		awk -F: 'BEGIN { m = 700000000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 }
			END { printf "%d\n", int((m + 65536) / 65536) * 65536 }'
}

# The user's ranges in FILE as FROM-TO arguments of usermod.
pu_ranges() {
	awk -F: -v u="$PU_USER" '$1 == u { printf "%d-%d\n", $2, $2 + $3 - 1 }' "$1"
}

# useradd's own range (SUB_UID_MIN in login.defs), if any, replaced by one
# past every other: usermod edits the files under shadow's locking, and
# userdel removes them.
pu_subids() {
	local r base
	for r in $(pu_ranges /etc/subuid); do usermod --del-subuids "$r" "$PU_USER" || return 1; done
	for r in $(pu_ranges /etc/subgid); do usermod --del-subgids "$r" "$PU_USER" || return 1; done
	base=$(pu_free_base)
	usermod --add-subuids "$base-$((base + 65535))" \
		--add-subgids "$base-$((base + 65535))" "$PU_USER"
}

pu_setup() {
	PU_DIR=$(mktemp -d /tmp/berth-pmrl.XXXXXX)
	chmod 0755 "$PU_DIR"
	PU_USER="bpm${PU_DIR##*.}"
	PU_USER=${PU_USER,,}
	useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$PU_USER" || return 1
	PU_UID=$(id -u "$PU_USER")
	pu_subids || return 1
	PU_SUB=$(awk -F: -v u="$PU_USER" '$1 == u { print $2 }' /etc/subuid)
	[ -n "$PU_SUB" ] || return 1
	mkdir -p "$PU_DIR"/{root,runroot,tmp,home,bundle} && mkdir -m 0700 "$PU_DIR/xdg" &&
		: >"$PU_DIR/registries.conf" || return 1
	"$BATS_TEST_DIRNAME/mkimage.sh" "$BERTH_TEST_ROOTFS" "$PU_DIR/image.tar" "$IMG" >/dev/null || return 1
	chmod 0644 "$PU_DIR/image.tar"
	chown -R "$PU_USER:$PU_USER" "$PU_DIR"/{root,runroot,tmp,home,xdg,bundle}
	export PU_DIR PU_USER PU_UID PU_SUB
	pu load -i "$PU_DIR/image.tar" >/dev/null || return 1
}

pu_cleanup() {
	[ -n "${PU_USER:-}" ] || return 0
	if id "$PU_USER" >/dev/null 2>&1; then
		pu rm -af -t 0 >/dev/null 2>&1 || true
		local p i
		for ((i = 0; i < 50; i++)); do
			p=$(ps -o pid= -u "$PU_USER" 2>/dev/null)
			[ -z "$p" ] && break
			# shellcheck disable=SC2086
			kill -KILL $p 2>/dev/null || true
			sleep 0.1
		done
		userdel "$PU_USER" || echo "userdel $PU_USER failed" >&2
	fi
	if [ -n "${PU_DIR:-}" ] && [ -d "$PU_DIR" ]; then
		findmnt -rn -o TARGET | grep -F "$PU_DIR" | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$PU_DIR"
	fi
}

setup_file() {
	export PU_SKIP
	PU_SKIP=$(pu_skip_reason)
	[ -z "$PU_SKIP" ] || return 0
	is_berth || { PU_SKIP="BERTH=$BERTH: this file compares runc and berth"; return 0; }
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$BERTH_TEST_ROOTFS" >/dev/null
	pu_setup || {
		pu_cleanup
		fail "setup of the test user and podman failed"
	}
}

teardown_file() {
	[ -z "$PU_SKIP" ] || return 0
	pu_cleanup
	! grep -qs "^$PU_USER:" /etc/passwd /etc/subuid /etc/subgid ||
		fail "user $PU_USER left behind"
}

setup() {
	[ -z "$PU_SKIP" ] || skip "$PU_SKIP"
}

# Per test: no container, no berth state, no process of the user but
# podman's pause process (it holds the user namespace for all tests).
teardown() {
	[ -z "$PU_SKIP" ] || return 0
	pu rm -af -t 0 >/dev/null 2>&1 || true
	local left
	left=$(state_left "$PU_DIR/xdg/berth")
	[ -z "$left" ] || fail "berth state left: $left"
}

# pu ARGS...: podman as the test user on $PU_DIR's storage.
pu() {
	(cd / && timeout --foreground -k 5 "$PU_TIMEOUT" \
		setpriv --reuid "$PU_USER" --regid "$PU_USER" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$PU_DIR/home" \
		USER="$PU_USER" XDG_RUNTIME_DIR="$PU_DIR/xdg" \
		CONTAINERS_REGISTRIES_CONF="$PU_DIR/registries.conf" \
		podman --root "$PU_DIR/root" --runroot "$PU_DIR/runroot" \
		--tmpdir "$PU_DIR/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file "$@" 3>&-)
}

# pu_run RUNTIME ARGS...: podman run with RUNTIME, no network, the
# ulimits, the image never pulled.
pu_run() {
	local rt=$1
	shift
	pu --runtime "$rt" run --pull never --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

# The container's view, the same for runc and berth.
SHOW='echo "uid $(id -u)"; cat /proc/self/uid_map; echo "hostname $(hostname)";
	echo x >/dev/null && echo "dev-null ok"; head -c 4 /dev/zero | od -An -tx1;
	echo "nofile $(ulimit -n)"; touch /tmp/f && echo "tmp ok";
	echo "null owner $(stat -c %u /dev/null)"'

check_show() {
	assert_success
	assert_output_contains "uid 0" "hostname rl" "dev-null ok" " 00 00 00 00" \
		"nofile 1024" "tmp ok" "null owner 65534"
	echo "$output" | grep -Eq "^ +0 +$PU_UID +1$" || fail "no 0 -> $PU_UID mapping"
	echo "$output" | grep -Eq "^ +1 +$PU_SUB +65536$" || fail "no subuid mapping"
}

@test "podman rootless with runc (the setup): run --rm sees uid 0, the user's id and its subuid range mapped" {
	run pu_run "$RUNC" --rm --hostname rl "$IMG" sh -c "$SHOW"
	check_show
}

@test "podman rootless with berth: run --rm sees uid 0, the user's id and its subuid range mapped, devices, rlimits" {
	run pu_run "$BERTH" --rm --hostname rl "$IMG" sh -c "$SHOW"
	check_show
	[ -d "$PU_DIR/xdg/berth" ] || fail "no state root \$XDG_RUNTIME_DIR/berth"
}

@test "podman rootless: the container's exit status comes back (runc, then berth)" {
	local rt
	for rt in "$RUNC" "$BERTH"; do
		run pu_run "$rt" --rm "$IMG" sh -c 'echo bye; exit 7'
		assert_status 7
		assert_output_contains bye
	done
}

@test "podman rootless: a command that does not exist is podman's 127, berth's error shown (runc, then berth)" {
	local rt
	for rt in "$RUNC" "$BERTH"; do
		run -127 pu_run "$rt" --rm "$IMG" /nosuchcmd
		assert_output_contains '"/nosuchcmd"' "no such file or directory"
	done
	assert_output_contains "berth: error: create"
}

# Not on cgroup v2 (a delegated subtree may be used there): no cgroup of
# the container anywhere, v1 hierarchies or the hybrid unified one.
no_cgroup_of() {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || return 0
	local id found
	id=$(pu inspect -f '{{.Id}}' "$1") || return 1
	found=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 6 -type d -name "*$id*" 2>/dev/null)
	[ -z "$found" ] || fail "cgroups of $1: $found"
}

@test "podman rootless: exec into a running container, no cgroup made on cgroup v1 (runc, then berth)" {
	local rt n=0
	for rt in "$RUNC" "$BERTH"; do
		n=$((n + 1))
		pu_run "$rt" -d --name "ex$n" "$IMG" sleep 1000 >/dev/null
		no_cgroup_of "ex$n"
		run pu --runtime "$rt" exec "ex$n" sh -c 'echo "in exec $(id -u)"; cat /proc/1/cmdline | tr "\0" " "'
		assert_success
		assert_output_contains "in exec 0" "sleep 1000"
		run pu --runtime "$rt" exec "ex$n" sh -c 'exit 3'
		assert_status 3
		run pu --runtime "$rt" rm -f -t 0 "ex$n"
		assert_success
	done
}

# berth in podman's user namespace directly (podman unshare: "root" there).
unshare_bundle() { # unshare_bundle 'JQ-EXPR'
	"$BERTH" spec --bundle "$PU_DIR/bundle" 2>/dev/null || true
	jq --arg root "$BERTH_TEST_ROOTFS" '
		.root.path = $root | .root.readonly = true | .process.terminal = false
		| .process.args = ["sh", "-c", "echo hello $(id -u)"]
		| .linux.namespaces |= map(select(.type != "network"))
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))
		| '"$1" "$PU_DIR/bundle/config.json" >"$PU_DIR/c.json"
	mv "$PU_DIR/c.json" "$PU_DIR/bundle/config.json"
	chown -R "$PU_USER:$PU_USER" "$PU_DIR/bundle"
}

@test "berth in podman's user namespace (podman unshare): rootless, state in \$XDG_RUNTIME_DIR/berth, no cgroup without linux.resources" {
	unshare_bundle '.'
	run pu unshare "$BERTH" --debug run --bundle "$PU_DIR/bundle" us1
	assert_success
	assert_output_contains "rootless: in a user namespace that is not the initial one" \
		"state root $PU_DIR/xdg/berth" "hello 0"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		assert_output_contains "without a cgroup of its own"
	fi
}

@test "berth in podman's user namespace: linux.resources with no cgroup delegated is an error naming the resource, nothing left" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] ||
		skip "cgroup v2: the user's cgroup may be delegated (rootless_v2.bats)"
	unshare_bundle '.linux.resources = {memory: {limit: 67108864}}'
	run pu unshare "$BERTH" run --bundle "$PU_DIR/bundle" us2
	assert_failure
	assert_output_contains "linux.resources.memory: cannot be applied rootless" "not delegated" \
		"is not writable by uid 0 (uid $PU_UID on the host)"
	assert_output_not_contains "hello"
}
