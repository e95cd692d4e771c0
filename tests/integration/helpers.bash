# helpers.bash — shared setup for berth's integration tests (bats).
#
# Load it first thing in every .bats file:   load helpers
#
# Environment:
#   BERTH              runtime under test: a path, or a name on PATH (BERTH=runc
#                      validates the tests against runc). Default: build/berth.
#   BERTH_TEST_ROOTFS  shared busybox rootfs (default build/rootfs; built on
#                      first use by mkrootfs.sh; read-only for tests).
#   BERTH_TEST_TIMEOUT seconds before one runtime command is killed (default 30).
#
# Per test file (setup_file):  STATE_ROOT   the runtime's --root (/run/berth-test.*)
# Per test (setup_bundle):     TESTDIR      scratch dir for the test (host side)
#                              BUNDLE       $TESTDIR/bundle with config.json
#                              CGNAME       unique cgroup name (linux.cgroupsPath)
#                              TAG          unique value of BERTH_TEST_TAG in the
#                                           container env, used to find leaks
# Functions (see each for details):
#   berth ARGS...           the runtime with --root "$STATE_ROOT" (use with `run`)
#   berth_run ID [OPTS]     berth run --bundle "$BUNDLE" OPTS ID
#   berth_create ID [OPTS]  berth create --bundle "$BUNDLE" OPTS ID
#   set_args ARG...         process.args = ARG...
#   set_cmd 'SHELL CODE'    process.args = ["sh","-c",CODE]
#   update_config [JQ-OPTS] 'JQ-EXPR'   edit $BUNDLE/config.json in place
#   add_mount DEST TYPE SRC 'OPT,...'   append to mounts[]
#   state_field ID FIELD    print one field of `state ID`
#   wait_for_status ID STATUS [SECONDS]
#   wait_for_file FILE [SECONDS]         wait until FILE exists
#   wait_for_exit PID [SECONDS]          wait until PID is gone
#   copy_rootfs             give this test a private, writable rootfs copy
#   bind_ctl                $CTL (host) bound read-write at /ctl (container)
#   $LONG_RUNNING           shell code: run until SIGTERM; touches /ctl/ready
#   register_netns NAME     delete `ip netns` NAME in teardown
#   new_cgroup              fresh linux.cgroupsPath for a 2nd container
#   is_berth / is_runc / requires_berth / skip_if_runc REASON
#   assert_success / assert_failure [STATUS] / assert_status N
#   assert_output_contains STR... / assert_output_not_contains STR
#   assert_equal GOT WANT
#   fail MESSAGE

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH=${BERTH:-$REPO_ROOT/build/berth}
if [[ $BERTH != */* ]]; then
	BERTH=$(command -v "$BERTH" || echo "$BERTH")
fi
BERTH_TEST_ROOTFS=${BERTH_TEST_ROOTFS:-$REPO_ROOT/build/rootfs}
BERTH_TEST_TIMEOUT=${BERTH_TEST_TIMEOUT:-30}

# ---------------------------------------------------------------- predicates

is_runc() { [[ $(basename "$BERTH") == runc* ]]; }
is_crun() { [[ $(basename "$BERTH") == crun* ]]; }
is_berth() { ! is_runc && ! is_crun; }
requires_berth() { is_berth || skip "berth-only test (BERTH=$BERTH)"; }
# The berth under test is an ASan build (make check-sanitize).
is_sanitized() { ldd "$BERTH" 2>/dev/null | grep -q libasan; }
# A behaviour the reference runtime on this host can't do; the test is for berth.
skip_if_runc() { is_runc && skip "runc $(runc_version) can't: $*"; return 0; }
runc_version() { "$BERTH" --version 2>/dev/null | sed -n '1s/.*version //p'; }

# ---------------------------------------------------------------- assertions

fail() {
	echo "FAIL: $*" >&2
	return 1
}
assert_success() {
	if [ "$status" -ne 0 ]; then
		echo "expected success, got status $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_failure() {
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got status 0; output:" >&2
		echo "$output" >&2
		return 1
	fi
	if [ $# -gt 0 ] && [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected status $1, got $status; output:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_output_contains() {
	local s
	for s in "$@"; do
		if [[ $output != *"$s"* ]]; then
			echo "expected output to contain '$s'; output was:" >&2
			echo "$output" >&2
			return 1
		fi
	done
}
assert_output_not_contains() {
	if [[ $output == *"$1"* ]]; then
		echo "expected output not to contain '$1'; output was:" >&2
		echo "$output" >&2
		return 1
	fi
}
assert_equal() {
	if [ "$1" != "$2" ]; then
		echo "expected: '$2'" >&2
		echo "     got: '$1'" >&2
		return 1
	fi
}

# ---------------------------------------------------------------- file setup

berth_setup_file() {
	if [ ! -x "$BERTH" ]; then
		echo "runtime under test not found: BERTH=$BERTH (run make, or set BERTH=runc)" >&2
		return 1
	fi
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$BERTH_TEST_ROOTFS"
	STATE_ROOT=$(mktemp -d /run/berth-test.XXXXXX)
	export STATE_ROOT
}

berth_teardown_file() {
	if [ -n "${STATE_ROOT:-}" ] && [ -d "$STATE_ROOT" ]; then
		rm -rf "$STATE_ROOT"
	fi
}

# Default hooks; a .bats file may define its own and call these.
setup_file() { berth_setup_file; }
teardown_file() { berth_teardown_file; }
setup() { setup_bundle; }
teardown() { teardown_bundle; }

# ---------------------------------------------------------------- runtime

# state_left [ROOT]: what is left in a state root (default $STATE_ROOT)
# besides @cache, the compiled seccomp filters, which stay there by design
# (runtime/process/seccomp_cache.h).
state_left() {
	ls -A "${1:-$STATE_ROOT}" 2>/dev/null | grep -vx '@cache' || true
}

# The runtime under test, always with this file's --root. Killed after
# BERTH_TEST_TIMEOUT seconds so a hang fails one test instead of the suite.
# bats' own fd 3 is closed so that a leak of it cannot hang bats.
berth() {
	timeout --foreground -k 5 "$BERTH_TEST_TIMEOUT" "$BERTH" --root "$STATE_ROOT" "$@" 3>&-
}

# For create and run, the container inherits the runtime's stdout/stderr. If
# those were the pipe of bats' `run`, `run` would wait for the container to
# exit. So the runtime writes to files, which are copied to stdout/stderr
# once it returns (the container may keep writing to them; nobody waits).
# Stdin is passed through.
_berth_via_files() {
	local n=$((++BERTH_CALLS)) rc=0
	berth "$@" >"$TESTDIR/call$n.out" 2>"$TESTDIR/call$n.err" || rc=$?
	cat "$TESTDIR/call$n.out"
	cat "$TESTDIR/call$n.err" >&2
	return $rc
}
berth_run() {
	local id=$1
	shift
	_berth_via_files run --bundle "$BUNDLE" "$@" "$id"
}
berth_create() {
	local id=$1
	shift
	_berth_via_files create --bundle "$BUNDLE" "$@" "$id"
}

state_field() {
	berth state "$1" | jq -r ".$2"
}

# wait_for_status ID STATUS [SECONDS]: poll `state` every 20ms.
wait_for_status() {
	local id=$1 want=$2 secs=${3:-5} i got=""
	for ((i = 0; i < secs * 50; i++)); do
		got=$(berth state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || true
		[ "$got" = "$want" ] && return 0
		sleep 0.02
	done
	echo "container $id: status '$got', wanted '$want' after ${secs}s" >&2
	return 1
}

# wait_for_file FILE [SECONDS]: poll until FILE exists.
# assert_probe_errnos ERRNO [NAME=ERRNO...]: every "NAME ERRNO" line of
# sandbox_probe's `syscalls` output (in $lines, as `run` left it) got
# ERRNO, or the one given for NAME; clone3 always ENOSYS (38), as the
# filter's stub answers it.
assert_probe_errnos() {
	local want=$1 line name e w bad=()
	shift
	local -A own=([clone3]=38)
	for w in "$@"; do own[${w%%=*}]=${w#*=}; done
	for line in "${lines[@]}"; do
		[[ $line == "berth sandbox:"* ]] && continue
		read -r name e <<<"$line"
		[ -n "$name" ] || continue
		[ "$e" = "${own[$name]:-$want}" ] || bad+=("$line")
	done
	[ ${#bad[@]} = 0 ] || fail "not answered $want: ${bad[*]}"
}

wait_for_file() {
	local f=$1 secs=${2:-5} i
	for ((i = 0; i < secs * 50; i++)); do
		[ -e "$f" ] && return 0
		sleep 0.02
	done
	echo "timed out waiting for $f" >&2
	return 1
}

# wait_for_exit PID [SECONDS]: poll until PID is gone (not our child).
wait_for_exit() {
	local pid=$1 secs=${2:-5} i
	for ((i = 0; i < secs * 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.02
	done
	echo "process $pid still alive after ${secs}s" >&2
	return 1
}

# ---------------------------------------------------------------- bundle

# setup_bundle: new TESTDIR and BUNDLE with a config.json from `$BERTH spec`,
# adjusted for tests:
#   root.path = the shared rootfs (absolute), root.readonly = true
#   process.terminal = false, process.args = ["true"]
#   process.env += BERTH_TEST_TAG=$TAG (leak detection)
#   linux.cgroupsPath = $CGNAME (relative: beneath the test's own cgroup)
#   a tmpfs on /tmp, so tests have somewhere to write inside the container.
setup_bundle() {
	TESTDIR=$(mktemp -d /tmp/berth-test.XXXXXX)
	BUNDLE=$TESTDIR/bundle
	TAG=$(basename "$TESTDIR")
	CGNAME="berth-test-${TAG#berth-test.}"
	NETNS_TO_DELETE=()
	CGNAMES=("$CGNAME")
	BERTH_CALLS=0
	mkdir -p "$BUNDLE"
	"$BERTH" spec --bundle "$BUNDLE" || fail "spec failed" || return 1
	update_config --arg root "$BERTH_TEST_ROOTFS" --arg tag "BERTH_TEST_TAG=$TAG" \
		--arg cg "$CGNAME" '
		.root.path = $root | .root.readonly = true
		| .process.terminal = false | .process.args = ["true"]
		| .process.env += [$tag]
		| .linux.cgroupsPath = $cg
		| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		               "options": ["nosuid", "nodev", "mode=1777", "size=16m"]}]'
}

# update_config [JQ-OPTIONS...] 'JQ-EXPR': rewrite $BUNDLE/config.json.
update_config() {
	local f=$BUNDLE/config.json
	jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"
}

set_args() {
	local args
	# NUL-separated with a sentinel last field: jq versions differ on a
	# trailing empty field.
	args=$({ printf '%s\0' "$@"; printf END; } | jq -Rs 'split("\u0000")[:-1]')
	update_config --argjson a "$args" '.process.args = $a'
}
set_cmd() { set_args sh -c "$1"; }

# add_mount DEST TYPE SOURCE 'opt1,opt2'
add_mount() {
	update_config --arg d "$1" --arg t "$2" --arg s "$3" --arg o "${4:-}" \
		'.mounts += [{"destination": $d, "type": $t, "source": $s,
		              "options": ($o | split(",") | map(select(. != "")))}]'
}

# copy_rootfs: give this test its own writable copy of the rootfs.
copy_rootfs() {
	cp -a "$BERTH_TEST_ROOTFS" "$TESTDIR/rootfs"
	update_config --arg r "$TESTDIR/rootfs" '.root.path = $r | .root.readonly = false'
}

# bind_ctl: bind-mount a host dir, $CTL, read-write at /ctl in the container:
# the channel for "ready" and "go" files between test and container.
bind_ctl() {
	CTL=$TESTDIR/ctl
	mkdir -p "$CTL"
	chmod 0777 "$CTL"
	add_mount /ctl bind "$CTL" rbind,rw
}

# Shell code for a container that runs until SIGTERM (exit 0), having first
# touched /ctl/ready if /ctl exists. PID 1 only gets signals it handles.
LONG_RUNNING='trap "exit 0" TERM; [ -d /ctl ] && touch /ctl/ready; sleep 1000 & wait'

# new_cgroup: point linux.cgroupsPath at a fresh unique name (for a second
# container from the same bundle); teardown checks it is gone too.
new_cgroup() {
	local name="$CGNAME-${#CGNAMES[@]}"
	CGNAMES+=("$name")
	update_config --arg cg "$name" '.linux.cgroupsPath = $cg'
}

register_netns() { NETNS_TO_DELETE+=("$1"); }

# cgroup_candidates [NAME]: the cgroup directories NAME (default CGNAME) would occupy: under the test's own cgroup in
# every mounted hierarchy (v1 controllers and cgroup2).
cgroup_candidates() {
	local name=${1:-$CGNAME} ctrls path mp opts c ok
	while IFS=: read -r _ ctrls path; do
		while read -r mp opts; do
			if [ -z "$ctrls" ]; then
				[ "$opts" = cgroup2 ] || continue
			else
				[ "$opts" != cgroup2 ] || continue
				ok=1
				for c in ${ctrls//,/ }; do
					[[ ,$opts, == *,$c,* ]] || ok=0
				done
				[ $ok = 1 ] || continue
			fi
			echo "$mp${path%/}/$name"
		done < <(findmnt -rn -t cgroup,cgroup2 -o TARGET,FSTYPE,FS-OPTIONS |
			awk '{ print $1, ($2 == "cgroup2" ? "cgroup2" : $3) }')
	done </proc/self/cgroup
}

# Processes that belong to this test: container processes carry
# BERTH_TEST_TAG=$TAG in their environment; runtime processes and helpers
# started by the test mention TESTDIR or STATE_ROOT on their command line.
# The globs expand before grep starts, so grep does not find itself.
leaked_pids() {
	local f
	{
		grep -lsFxz "BERTH_TEST_TAG=$TAG" /proc/[0-9]*/environ
		grep -lsF -e "$TESTDIR" ${STATE_ROOT:+-e "$STATE_ROOT"} /proc/[0-9]*/cmdline
	} 2>/dev/null | while read -r f; do
		f=${f#/proc/}
		echo "${f%%/*}"
	done | sort -u
}

# The start time of PID (field 22 of /proc/PID/stat), empty if PID is gone
# or a zombie.
state_starttime() {
	local stat f
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	read -r -a f <<<"${stat##*) }"
	[ "${f[0]}" = Z ] || [ "${f[0]}" = X ] || echo "${f[19]}"
}

# teardown_bundle: force-delete every container in STATE_ROOT, then fail the
# test if anything survived (state, mount, cgroup, process, netns). It cleans
# up whatever it finds so that one leak does not break the following tests.
teardown_bundle() {
	local problems=() id i pids mounts cg ns name
	[ -n "${TESTDIR:-}" ] || return 0

	local ctpids=()
	for id in $(berth list -q 2>/dev/null); do
		i=$(berth state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || i=0
		[ "${i:-0}" -gt 0 ] && [ "$(state_starttime "$i")" ] && ctpids+=("$i:$(state_starttime "$i")")
		berth delete --force "$id" >/dev/null 2>&1 || problems+=("delete --force $id failed")
	done

	# Processes die asynchronously after SIGKILL: poll briefly. Container
	# inits that were listed (a created one has not exec'd yet, so it lacks
	# the tag) count while the same pid with the same start time lives.
	for ((i = 0; i < 100; i++)); do
		pids=$(leaked_pids)
		for id in "${ctpids[@]}"; do
			if [ "$(state_starttime "${id%%:*}")" = "${id#*:}" ]; then
				pids="$pids ${id%%:*}"
			fi
		done
		[ -z "${pids// /}" ] && break
		sleep 0.02
	done
	if [ -n "${pids// /}" ]; then
		for i in $pids; do
			problems+=("process left: $i $(tr '\0' ' ' <"/proc/$i/cmdline" 2>/dev/null)")
			kill -9 "$i" 2>/dev/null || true
		done
	fi

	if [ -n "$(berth list -q 2>/dev/null)" ]; then
		problems+=("containers left: $(berth list -q 2>/dev/null | tr '\n' ' ')")
	fi
	if [ -n "$(state_left)" ]; then
		problems+=("state left in $STATE_ROOT: $(state_left | tr '\n' ' ')")
		rm -rf "${STATE_ROOT:?}"/*
	fi

	mounts=$(findmnt -rn -o TARGET | grep -F -e "$TESTDIR" -e "$STATE_ROOT" -e "$BERTH_TEST_ROOTFS" || true)
	if [ -n "$mounts" ]; then
		problems+=("mounts left: $(echo "$mounts" | tr '\n' ' ')")
		echo "$mounts" | sort -r | while read -r i; do umount -l "$i" 2>/dev/null || true; done
	fi

	for name in "${CGNAMES[@]}"; do
		while read -r cg; do
			if [ -d "$cg" ]; then
				problems+=("cgroup left: $cg")
				find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
			fi
		done < <(cgroup_candidates "$name")
	done

	for ns in "${NETNS_TO_DELETE[@]}"; do
		ip netns delete "$ns" 2>/dev/null || true
	done

	rm -rf "$TESTDIR"
	TESTDIR=""
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'LEAK: %s\n' "${problems[@]}" >&2
		return 1
	fi
}
