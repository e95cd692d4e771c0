# daemons.bash — containerd and dockerd as berth's callers, for
# containerd.bats and docker.bats. Load it after helpers:
#
#     load helpers
#     load daemons
#
# Each file starts its own daemon in setup_file with every path under one
# temp dir, ENGINE_DIR (/tmp/berth-engine.*): root, state, sockets, the
# runtime's --root. Nothing is pulled: the image is tests/integration/
# mkimage.sh's archive of the busybox rootfs. Containers get relative
# cgroup paths beneath ENGINE_CG, itself beneath the test's own cgroup
# (what linux.cgroupsPath means to berth and runc), and BERTH_TEST_TAG=$TAG
# in their env so that leaked_pids (helpers.bash) finds them.
#
#   engine_require PKG BINARY...   install PKG with apt if BINARY is missing;
#                                  skip the file when that is impossible
#   engine_setup_dirs NAME         ENGINE_DIR, ENGINE_CG, TAG, the image tar
#   engine_start_daemon NAME SOCKET CMD...   start, wait for SOCKET
#   engine_stop_daemon NAME        SIGTERM, wait, SIGKILL after 20s
#   engine_start_containerd        a private containerd on $ENGINE_DIR/c.sock
#   engine_leftovers               print what is left (processes, mounts,
#                                  cgroups, iptables chains, netdevs); empty
#                                  when clean
#   engine_cleanup                 remove whatever is left (teardown_file),
#                                  iptables rules and chains that appeared too

# engine_require PKG BINARY...: make sure BINARY exists, installing the
# Debian package PKG (make deps installs it too: ENGINE_NORECS_PKGS in the
# Makefile). Skips only when the engine cannot run here at all.
engine_require() {
	local pkg=$1 b missing=""
	shift
	[ "$(id -u)" = 0 ] || skip "$pkg needs root"
	for b in "$@"; do
		command -v "$b" >/dev/null 2>&1 || [ -x "$b" ] || missing="$missing $b"
	done
	[ -z "$missing" ] && return 0
	if command -v apt-get >/dev/null 2>&1; then
		echo "# installing $pkg for$missing" >&3
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1; } ||
			true
	fi
	for b in "$@"; do
		command -v "$b" >/dev/null 2>&1 || [ -x "$b" ] ||
			skip "$b is missing and 'apt-get install $pkg' failed (run make deps)"
	done
}

# engine_setup_dirs NAME: the file's private dirs, cgroup base and image.
engine_setup_dirs() {
	ENGINE_DIR=$(mktemp -d /tmp/berth-engine.XXXXXX)
	TAG=$(basename "$ENGINE_DIR")
	ENGINE_CG="berth-test-$1-${TAG#berth-engine.}"
	# leaked_pids (helpers.bash) looks for TESTDIR on command lines and
	# $TAG in environments.
	TESTDIR=$ENGINE_DIR
	STATE_ROOT=""
	ENGINE_IMAGE_TAR=$ENGINE_DIR/busybox.tar
	export ENGINE_DIR TAG ENGINE_CG TESTDIR STATE_ROOT ENGINE_IMAGE_TAR
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$BERTH_TEST_ROOTFS"
	"$BATS_TEST_DIRNAME/mkimage.sh" "$BERTH_TEST_ROOTFS" "$ENGINE_IMAGE_TAR"
	# iptables chains and links before the daemon, to tell ours from the host's
	engine_iptables >"$ENGINE_DIR/iptables.before"
	engine_netdevs >"$ENGINE_DIR/netdevs.before"
	[ ! -e /opt/containerd ] || touch "$ENGINE_DIR/opt.before"
}

engine_netdevs() {
	ip -o link show 2>/dev/null | grep -o -e 'docker[^:@]*' -e 'cni[^:@]*' -e 'veth[^:@]*' | sort || true
}

# Rules and chains of the engines, "TABLE -N CHAIN" / "TABLE -A ...".
engine_iptables() {
	local t
	command -v iptables >/dev/null 2>&1 || return 0
	for t in filter nat; do
		iptables -t "$t" -S 2>/dev/null | sed "s/^/$t /"
	done | grep -i -e docker -e containerd -e cni || true
}

# Remove the rules, then the chains, that appeared since engine_setup_dirs.
engine_remove_iptables() {
	local t op rest
	[ -f "$ENGINE_DIR/iptables.before" ] || return 0
	diff <(cat "$ENGINE_DIR/iptables.before") <(engine_iptables) | sed -n 's/^> //p' >"$ENGINE_DIR/iptables.new" || true
	while read -r t op rest; do
		[ "$op" = -A ] && eval "iptables -t $t -D $rest" 2>/dev/null || true
	done <"$ENGINE_DIR/iptables.new"
	while read -r t op rest; do
		[ "$op" = -N ] && { iptables -t "$t" -F "$rest"; iptables -t "$t" -X "$rest"; } 2>/dev/null || true
	done <"$ENGINE_DIR/iptables.new"
}

# engine_start_daemon NAME SOCKET CMD...: start CMD in the background
# (its log in $ENGINE_DIR/NAME.log, its pid in $ENGINE_DIR/NAME.pid) and
# wait up to 30s for SOCKET.
engine_start_daemon() {
	local name=$1 sock=$2 i pid
	shift 2
	"$@" >>"$ENGINE_DIR/$name.log" 2>&1 3>&- &
	pid=$!
	echo "$pid" >"$ENGINE_DIR/$name.pid"
	for ((i = 0; i < 300; i++)); do
		[ -S "$sock" ] && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name exited at start; its log:" >&2
			tail -20 "$ENGINE_DIR/$name.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$name: no socket $sock after 30s; its log:" >&2
	tail -20 "$ENGINE_DIR/$name.log" >&2
	return 1
}

# engine_stop_daemon NAME: SIGTERM the daemon, wait for it.
engine_stop_daemon() {
	local pidfile=$ENGINE_DIR/$1.pid pid i
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$pidfile"
}

# engine_start_containerd: containerd with everything under ENGINE_DIR
# (root, state, sockets, and the "opt" plugin's dir, /opt/containerd by
# default), without the CRI plugin (so no CNI, no network) and the
# snapshotters that cannot work here.
engine_start_containerd() {
	local d=$ENGINE_DIR
	cat >"$d/containerd.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
		[grpc]
		  address = "$d/c.sock"
		[ttrpc]
		  address = "$d/c.sock.ttrpc"
		[debug]
		  address = "$d/debug.sock"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$d/opt"
	EOF
	engine_start_daemon containerd "$d/c.sock" \
		containerd --root "$d/root" --state "$d/state" --address "$d/c.sock" \
		--config "$d/containerd.toml"
}

# The cgroup dirs under ENGINE_CG in every hierarchy (helpers.bash's
# cgroup_candidates), deepest first.
engine_cgroups() {
	local cg
	while read -r cg; do
		[ -d "$cg" ] && find "$cg" -depth -type d
	done < <(cgroup_candidates "$ENGINE_CG")
}

engine_mounts() {
	findmnt -rn -o TARGET | grep -F "$ENGINE_DIR" | sort -r || true
}

# engine_leftovers: one line per thing left behind; nothing when clean
# (what was there before engine_setup_dirs does not count).
# The daemons must be stopped first. The cgroup base ENGINE_CG itself is
# ours to remove (engines create the parent of their containers' cgroups
# and never remove it); anything beneath it is a leak.
engine_leftovers() {
	local p cg
	for p in $(leaked_pids); do
		echo "process: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
	done
	engine_mounts | sed 's/^/mount: /'
	while read -r cg; do
		[ -d "$cg" ] && find "$cg" -mindepth 1 -type d | sed 's/^/cgroup: /'
	done < <(cgroup_candidates "$ENGINE_CG")
	diff <(cat "$ENGINE_DIR/iptables.before") <(engine_iptables) |
		sed -n 's/^> /iptables: /p'
	diff <(cat "$ENGINE_DIR/netdevs.before") <(engine_netdevs) |
		sed -n 's/^> /netdev: /p'
	[ -e /opt/containerd ] && ! [ -e "$ENGINE_DIR/opt.before" ] && echo "dir: /opt/containerd"
	return 0
}

# engine_cleanup: remove whatever is left (for teardown_file, when a test
# failed half-way): processes, mounts, cgroups, the temp dir.
engine_cleanup() {
	local p i
	[ -n "${ENGINE_DIR:-}" ] && [ -d "$ENGINE_DIR" ] || return 0
	for i in 1 2 3; do
		p=$(leaked_pids)
		[ -z "$p" ] && break
		kill -KILL $p 2>/dev/null || true
		sleep 0.2
	done
	engine_mounts | while read -r i; do umount -l "$i" 2>/dev/null || true; done
	engine_cgroups | while read -r i; do rmdir "$i" 2>/dev/null || true; done
	engine_remove_iptables
	rm -rf "$ENGINE_DIR"
}

# host_cgroup_file PID CONTROLLER FILE: the host path of FILE in PID's
# cgroup of the v1 CONTROLLER hierarchy (where engines' limits land).
host_cgroup_file() {
	local pid=$1 ctrl=$2 file=$3 path mp
	path=$(awk -F: -v c="$ctrl" '$2 ~ "(^|,)" c "(,|$)" { print $3 }' "/proc/$pid/cgroup")
	mp=$(findmnt -rn -t cgroup -o TARGET,OPTIONS | awk -v c="$ctrl" '$2 ~ "(^|,)" c "(,|$)" { print $1; exit }')
	[ -n "$mp" ] && [ -n "$path" ] || { echo "no $ctrl cgroup for $pid" >&2; return 1; }
	echo "$mp$path/$file"
}
