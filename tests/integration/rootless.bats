#!/usr/bin/env bats
# Rootless berth (issue 11, docs/rootless.md): a user who is not root runs
# containers.  setup_file creates a test user with useradd (a unique name)
# and a 65536-wide subuid/subgid range (usermod --add-subuids); the
# user runs berth through setpriv with XDG_RUNTIME_DIR set to a directory
# it owns, on a rootfs copy it owns.  teardown_file removes the user, its
# subuid/subgid lines and every directory, also when setup_file failed
# half-way (it calls the same cleanup).  Each test deletes its containers
# and checks that no process, state or mount is left.
#
# On this host (hybrid cgroups, v1 controllers) no cgroup is delegated to
# the user: containers without linux.resources run without a cgroup of
# their own, and linux.resources is refused.  Cgroup v2 delegation is
# tested in the VM (tests/vm).

load helpers

# /etc/subuid and /etc/subgid change only through shadow's own tools
# (useradd, usermod --add-subuids/--del-subuids, userdel), which lock them
# as every other user of the files expects.

rl_cleanup() {
	if [ -n "${RL_USER:-}" ] && id "$RL_USER" >/dev/null 2>&1; then
		# What the user may still run (a failed test's container), by
		# pid, until none is left: userdel refuses a user with processes.
		local p i
		for ((i = 0; i < 50; i++)); do
			p=$(ps -o pid= -u "$RL_USER" 2>/dev/null) || true
			[ -z "$p" ] && break
			kill -KILL $p 2>/dev/null || true
			sleep 0.1
		done
		# userdel removes the user's subuid/subgid ranges too.
		userdel "$RL_USER" || echo "userdel $RL_USER failed" >&2
	fi
	for f in ${RL_MADE_SUBID:-}; do
		[ -s "$f" ] || rm -f "$f" "$f-"
	done
	if [ -n "${RL_DIR:-}" ] && [ -d "$RL_DIR" ]; then
		findmnt -rn -o TARGET | grep -F "$RL_DIR" | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$RL_DIR"
	fi
}

# A subuid range nobody has yet: past every range in both files.
rl_free_base() {
	cat /etc/subuid /etc/subgid 2>/dev/null |
		awk -F: 'BEGIN { m = 600000000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 }
			END { printf "%d\n", int((m + 65536) / 65536) * 65536 }'
}

# The user's ranges in FILE as FROM-TO arguments.
rl_ranges() {
	awk -F: -v u="$RL_USER" '$1 == u { printf "%d-%d\n", $2, $2 + $3 - 1 }' "$1"
}

rl_setup() {
	command -v useradd >/dev/null && command -v newuidmap >/dev/null &&
		command -v setpriv >/dev/null || {
		echo "rootless tests need useradd, newuidmap (uidmap) and setpriv" >&2
		return 1
	}
	RL_DIR=$(mktemp -d /tmp/berth-rootless.XXXXXX)
	chmod 0755 "$RL_DIR"
	RL_USER="brl${RL_DIR##*.}"
	RL_USER=${RL_USER,,}
	RL_MADE_SUBID=""
	for f in /etc/subuid /etc/subgid; do
		[ -e "$f" ] && continue
		touch "$f" && RL_MADE_SUBID+=" $f"
	done
	export RL_DIR RL_USER RL_MADE_SUBID
	useradd -M -d /nonexistent -s /usr/sbin/nologin -U "$RL_USER" || return 1
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# useradd may have given the user a range of its own (SUB_UID_MIN in
	# login.defs): replaced by one past every other range.
	local r
	for r in $(rl_ranges /etc/subuid); do usermod --del-subuids "$r" "$RL_USER" || return 1; done
	for r in $(rl_ranges /etc/subgid); do usermod --del-subgids "$r" "$RL_USER" || return 1; done
	RL_SUB=$(rl_free_base)
	usermod --add-subuids "$RL_SUB-$((RL_SUB + 65535))" \
		--add-subgids "$RL_SUB-$((RL_SUB + 65535))" "$RL_USER" || return 1
	assert_equal "$(rl_ranges /etc/subuid) $(rl_ranges /etc/subgid)" \
		"$RL_SUB-$((RL_SUB + 65535)) $RL_SUB-$((RL_SUB + 65535))" || return 1
	# A binary, a rootfs and a runtime dir the user can reach and owns.
	install -m 0755 "$BERTH" "$RL_DIR/berth" || return 1
	cp -a "$BERTH_TEST_ROOTFS" "$RL_DIR/rootfs" || return 1
	mkdir -p "$RL_DIR/rootfs/share"
	chown -R "$RL_USER:$RL_USER" "$RL_DIR/rootfs"
	mkdir -m 0700 "$RL_DIR/xdg"
	chown "$RL_USER:$RL_USER" "$RL_DIR/xdg"
	export RL_UID RL_GID RL_SUB
}

setup_file() {
	[ "$(id -u)" = 0 ] || skip "creates a test user: needs root"
	requires_berth
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$BERTH_TEST_ROOTFS"
	rl_setup || {
		rl_cleanup
		return 1
	}
}

teardown_file() {
	rl_cleanup
}

# As the test user: berth with XDG_RUNTIME_DIR=$RL_DIR/xdg (state root
# $RL_DIR/xdg/berth), killed after BERTH_TEST_TIMEOUT seconds.
as_user() {
	timeout --foreground -k 5 "$BERTH_TEST_TIMEOUT" \
		setpriv --reuid "$RL_USER" --regid "$RL_USER" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ USER="$RL_USER" \
		XDG_RUNTIME_DIR="$RL_DIR/xdg" "$@" 3>&-
}
rl_berth() { as_user "$RL_DIR/berth" "$@"; }

# create/run -d: the container keeps the output files, not bats' pipe.
rl_via_files() {
	local n=$((++BERTH_CALLS)) rc=0
	rl_berth "$@" >"$TESTDIR/call$n.out" 2>"$TESTDIR/call$n.err" </dev/null || rc=$?
	cat "$TESTDIR/call$n.out"
	cat "$TESTDIR/call$n.err" >&2
	return $rc
}

setup() {
	TESTDIR=$(mktemp -d "$RL_DIR/t.XXXXXX")
	chmod 0755 "$TESTDIR"
	BUNDLE=$TESTDIR/bundle
	SHARE=$TESTDIR/share
	TAG=$(basename "$TESTDIR")
	BERTH_CALLS=0
	mkdir "$BUNDLE" "$SHARE"
	chown "$RL_USER:$RL_USER" "$BUNDLE" "$SHARE" "$TESTDIR"
	as_user "$RL_DIR/berth" spec --rootless --bundle "$BUNDLE" ||
		fail "spec --rootless as $RL_USER failed" || return 1
	update_config --arg root "$RL_DIR/rootfs" --arg tag "BERTH_TEST_TAG=$TAG" \
		--arg share "$SHARE" '
		.root.path = $root | .root.readonly = true
		| .process.terminal = false | .process.args = ["true"]
		| .process.env += [$tag]
		| .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		               "options": ["nosuid", "nodev", "mode=1777", "size=16m"]},
		              {"destination": "/share", "type": "bind", "source": $share,
		               "options": ["rbind", "rw"]}]'
	chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

# update_config writes as root: give the file back to the user.
rl_config() {
	update_config "$@"
	chown "$RL_USER:$RL_USER" "$BUNDLE/config.json"
}

wide_mapping() {
	rl_config --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson s "$RL_SUB" '
		.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
		                      {"containerID": 1, "hostID": $s, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
		                        {"containerID": 1, "hostID": $s, "size": 65536}]'
}

teardown() {
	local problems=() id pids i
	[ -n "${TESTDIR:-}" ] || return 0
	for id in $(rl_berth list -q 2>/dev/null); do
		rl_berth delete --force "$id" >/dev/null 2>&1 || problems+=("delete --force $id failed")
	done
	for ((i = 0; i < 100; i++)); do
		pids=$(grep -lsFxz "BERTH_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null |
			cut -d/ -f3 | sort -u)
		[ -z "$pids" ] && break
		sleep 0.02
	done
	if [ -n "$pids" ]; then
		problems+=("processes left: $pids")
		kill -9 $pids 2>/dev/null || true
	fi
	if [ -n "$(state_left "$RL_DIR/xdg/berth")" ]; then
		problems+=("state left: $(state_left "$RL_DIR/xdg/berth" | tr '\n' ' ')")
		rm -rf "${RL_DIR:?}/xdg/berth/"*
	fi
	if findmnt -rn -o TARGET | grep -qF "$RL_DIR"; then
		problems+=("mounts left under $RL_DIR")
	fi
	rm -rf "$TESTDIR"
	TESTDIR=""
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'LEAK: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# ---------------------------------------------------------------- detection

@test "rootless: --debug says rootless by effective uid; the state root is \$XDG_RUNTIME_DIR/berth" {
	run rl_berth --debug list
	assert_success
	assert_output_contains "rootless: effective uid $RL_UID is not 0" \
		"state root $RL_DIR/xdg/berth"
	set_args sleep 100
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files create --bundle "$BUNDLE" rl-root
	assert_success
	[ -d "$RL_DIR/xdg/berth/rl-root" ] || fail "no state in $RL_DIR/xdg/berth"
	assert_equal "$(stat -c %u "$RL_DIR/xdg/berth/rl-root")" "$RL_UID"
	run rl_berth delete --force rl-root
	assert_success
}

@test "rootless: without XDG_RUNTIME_DIR a clear error, --root still works" {
	run as_user env -u XDG_RUNTIME_DIR "$RL_DIR/berth" list
	assert_failure
	assert_output_contains "rootless (effective uid $RL_UID): XDG_RUNTIME_DIR is not set" \
		"set XDG_RUNTIME_DIR or pass --root DIR"
	# Commands that need no state still work.
	run as_user env -u XDG_RUNTIME_DIR "$RL_DIR/berth" features
	assert_success
	run as_user env -u XDG_RUNTIME_DIR "$RL_DIR/berth" --root "$TESTDIR/own-root" list -q
	assert_success
	assert_equal "$output" ""
}

@test "rootless: an XDG_RUNTIME_DIR the user cannot write: the error names it" {
	run as_user env XDG_RUNTIME_DIR=/run "$RL_DIR/berth" run --bundle "$BUNDLE" rl-xdg
	assert_failure
	assert_output_contains "/run/berth" "permission denied"
}

@test "rootless: as root of a user namespace (podman's mode) --debug says user namespace" {
	run unshare --user --map-root-user "$RL_DIR/berth" --debug --root "$TESTDIR/userns-root" list -q
	assert_success
	assert_output_contains "rootless: in a user namespace that is not the initial one"
	run "$RL_DIR/berth" --debug --root "$TESTDIR/host-root" list -q
	assert_output_contains "not rootless: effective uid 0 in the initial user namespace"
}

@test "rootless: as root of the user's own user namespace (podman's mode): run works" {
	# The runtime called as "root" of a user namespace made by the user,
	# as podman's rootless mode does; spec --rootless there maps 0 to 0.
	rl_config '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
	set_args sh -c 'id -u; cat /proc/self/uid_map; touch /share/podman-mode'
	run as_user unshare --user --map-root-user "$RL_DIR/berth" --debug run --bundle "$BUNDLE" rl-podman
	assert_success
	assert_output_contains "rootless: in a user namespace that is not the initial one (uid_map \"0 $RL_UID 1\")" \
		"the container runs without a cgroup of its own"
	[[ $output =~ $'\n'0$'\n'\ +0\ +0\ +1 ]] || fail "container output: $output"
	assert_equal "$(stat -c %u "$SHARE/podman-mode")" "$RL_UID"
}

# ---------------------------------------------------------------- lifecycle

@test "rootless: create, start, state, kill, delete and list" {
	set_args sh -c 'trap "exit 0" TERM; sleep 1000 & wait'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files create --bundle "$BUNDLE" rl-life
	assert_success
	run rl_berth state rl-life
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" created
	pid=$(jq -r .pid <<<"$output")
	assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID"
	run rl_berth list
	assert_output_contains rl-life "$RL_USER"
	run rl_berth start rl-life
	assert_success
	run rl_berth state rl-life
	assert_equal "$(jq -r .status <<<"$output")" running
	run rl_berth kill rl-life TERM
	assert_success
	for ((i = 0; i < 250; i++)); do
		st=$(rl_berth state rl-life | jq -r .status)
		[ "$st" = stopped ] && break
		sleep 0.02
	done
	assert_equal "$st" stopped
	run rl_berth delete rl-life
	assert_success
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: run prints the container's output and its exit code" {
	set_args sh -c 'echo hello-rootless; exit 3'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-run
	assert_status 3
	assert_equal "$output" hello-rootless
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: kill --all without a cgroup ends every process of the container's PID namespace" {
	set_args sh -c 'sleep 1000 & sleep 1000 & wait'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files run -d --bundle "$BUNDLE" rl-killall
	assert_success
	for ((i = 0; i < 100; i++)); do
		n=$(grep -lsFxz "BERTH_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null | wc -l)
		[ "$n" -ge 3 ] && break
		sleep 0.02
	done
	[ "$n" -ge 3 ] || fail "expected 3 processes, saw $n"
	run rl_berth kill --all rl-killall KILL
	assert_success
	for ((i = 0; i < 250; i++)); do
		n=$(grep -lsFxz "BERTH_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null | wc -l)
		[ "$n" = 0 ] && break
		sleep 0.02
	done
	assert_equal "$n" 0
	run rl_berth delete rl-killall
	assert_success
}

# ---------------------------------------------------------------- id maps

@test "rootless: the user's own id mapped once, no helper: uid 0 inside, the user's files on the host" {
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/setgroups; touch /share/made'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-own
	assert_success
	lines_=($output)
	assert_equal "${lines_[0]} ${lines_[1]}" "0 0"
	assert_equal "${lines_[2]} ${lines_[3]} ${lines_[4]}" "0 $RL_UID 1"
	# The kernel requires setgroups denied for an unprivileged gid_map.
	assert_equal "${lines_[5]}" deny
	assert_equal "$(stat -c '%u:%g' "$SHARE/made")" "$RL_UID:$RL_GID"
}

@test "rootless: a 65536-wide mapping through newuidmap/newgidmap" {
	wide_mapping
	rl_config '.process.capabilities |= map_values(. + ["CAP_CHOWN"])'
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; touch /share/by0 /share/by1; chown 1:1 /share/by1; id -u'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-wide
	assert_success
	got=$(echo $output)
	assert_equal "$got" "0 $RL_UID 1 1 $RL_SUB 65536 0 $RL_GID 1 1 $RL_SUB 65536 0"
	assert_equal "$(stat -c '%u:%g' "$SHARE/by0")" "$RL_UID:$RL_GID"
	assert_equal "$(stat -c '%u:%g' "$SHARE/by1")" "$RL_SUB:$RL_SUB"
}

@test "rootless: a range the user does not own: newuidmap's own error" {
	rl_config --argjson u "$RL_UID" '
		.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
		                      {"containerID": 1, "hostID": 12345, "size": 10}]'
	run rl_berth run --bundle "$BUNDLE" rl-badrange
	assert_failure
	assert_output_contains "uid mappings (2 entries): newuidmap" "0 $RL_UID 1 1 12345 10" \
		"not allowed"
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: a config without a user namespace: refused with the reason" {
	rl_config '.linux.namespaces |= map(select(.type != "user"))
		| del(.linux.uidMappings, .linux.gidMappings)'
	run rl_berth run --bundle "$BUNDLE" rl-nouserns
	assert_failure
	assert_output_contains "config.json: .linux.namespaces: rootless (effective uid $RL_UID): a user namespace is needed"
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: an idmapped mount: refused with the reason before anything is made" {
	rl_config --argjson u "$RL_UID" --arg s "$SHARE" '.mounts += [{"destination": "/mnt",
		"type": "bind", "source": $s, "options": ["rbind"],
		"uidMappings": [{"containerID": 0, "hostID": $u, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": $u, "size": 1}]}]'
	run rl_berth run --bundle "$BUNDLE" rl-idmap
	assert_failure
	assert_output_contains "idmapped mounts are not supported rootless"
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: additionalGids with a single gid mapping: setgroups is denied, said so" {
	rl_config '.process.user.additionalGids = [5]'
	run rl_berth run --bundle "$BUNDLE" rl-groups
	assert_failure
	assert_output_contains "process.user.additionalGids: setgroups is denied in this user namespace"
}

# ---------------------------------------------------------------- privilege

@test "rootless: no capability outside the user namespace (mount, mknod, hard rlimit, host /proc/sys)" {
	# Every capability inside: what fails, fails for lack of host privilege.
	caps='["CAP_SYS_ADMIN","CAP_MKNOD","CAP_SYS_RESOURCE","CAP_DAC_OVERRIDE","CAP_SYS_MODULE"]'
	rl_config --argjson c "$caps" '.linux.readonlyPaths = []
		| .process.capabilities = {"bounding": $c, "effective": $c, "permitted": $c}'
	set_args sh -c 'grep CapEff /proc/self/status
		mount -t sysfs sysfs /tmp 2>/dev/null; echo sysfs=$?
		mount -t ext4 -o ro /dev/vda /tmp 2>/dev/null; echo blockdev=$?
		mknod /tmp/null c 1 3 2>/dev/null; echo mknod=$?
		ulimit -H -n $(( $(ulimit -H -n) + 1 )) 2>/dev/null; echo rlimit=$?
		echo 3 2>/dev/null >/proc/sys/vm/drop_caches; echo procsys=$?'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-caps
	assert_success
	assert_output_contains "CapEff:	0000000009210002" "sysfs=1" "blockdev=1" "mknod=1" \
		"rlimit=1" "procsys=1"
}

@test "rootless: devices are the host's, bind-mounted (/dev/null, /dev/zero, /dev/urandom)" {
	set_args sh -c 'echo x >/dev/null && echo null-ok
		head -c 8 /dev/zero | od -An -tx1 | tr -d " \n"; echo
		head -c 16 /dev/urandom | wc -c
		grep -c " /dev/\(null\|zero\|urandom\) " /proc/self/mountinfo'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-dev
	assert_success
	assert_equal "$output" "null-ok
0000000000000000
16
3"
}

@test "rootless: sysfs cannot be mounted without a network namespace: /sys is the host's, bound read-only" {
	# runc's non-rootless default: a sysfs mount.  No network namespace of
	# the container's: the kernel refuses sysfs, berth binds /sys (rbind).
	rl_config '.mounts |= map(if .destination == "/sys" then
		{"destination": "/sys", "type": "sysfs", "source": "sysfs",
		 "options": ["nosuid", "noexec", "nodev", "ro"]} else . end)'
	set_args sh -c 'test -d /sys/kernel && echo has-kernel
		awk "\$5 == \"/sys\" { print \$6 }" /proc/self/mountinfo | cut -d, -f1
		touch /sys/x 2>/dev/null || echo ro'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_berth run --bundle "$BUNDLE" rl-sys
	assert_success
	assert_equal "$output" "has-kernel
ro
ro"
}

# ---------------------------------------------------------------- cgroups

rl_no_delegation() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		skip "pure cgroup v2: delegation is tested in the VM"
	fi
}

@test "rootless: no linux.resources: no cgroup of berth's own, --debug says so" {
	rl_no_delegation
	set_args cat /proc/self/cgroup
	chown "$RL_USER" "$BUNDLE/config.json"
	run --separate-stderr rl_berth --debug run --bundle "$BUNDLE" rl-nocg
	assert_success
	[[ $stderr == *"rootless and no cgroup of ours"*"the container runs without a cgroup of its own"* ]] ||
		fail "stderr: $stderr"
	[[ $output != *rl-nocg* ]] || fail "a cgroup named after the container: $output"
}

@test "rootless: --rootless false makes the missing cgroup an error, as runc" {
	rl_no_delegation
	run rl_berth --rootless false run --bundle "$BUNDLE" rl-strict
	assert_failure
	assert_output_contains "run rl-strict: mkdir /sys/fs/cgroup/" "permission denied"
	run rl_berth list -q
	assert_equal "$output" ""
}

@test "rootless: linux.resources that cannot be applied: refused naming the resource, nothing left" {
	rl_no_delegation
	rl_config '.linux.resources = {"pids": {"limit": 100}}'
	run rl_berth run --bundle "$BUNDLE" rl-res
	assert_failure
	assert_output_contains "run rl-res: linux.resources.pids: cannot be applied rootless: the cgroup is not delegated" \
		"permission denied"
	run rl_berth list -q
	assert_equal "$output" ""
	rl_config '.linux.resources = {"memory": {"limit": 67108864}}'
	run rl_via_files create --bundle "$BUNDLE" rl-res
	assert_failure
	assert_output_contains "linux.resources.memory: cannot be applied rootless"
	# A deny rule for one device could not be enforced either.
	rl_config '.linux.resources = {"devices": [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]}'
	run rl_berth run --bundle "$BUNDLE" rl-res
	assert_failure
	assert_output_contains "linux.resources.devices[0] (a deny rule): cannot be applied rootless"
	# The blanket deny of runc's default spec is fine: devices are binds.
	rl_config '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	run rl_berth run --bundle "$BUNDLE" rl-res
	assert_success
}

@test "rootless: pause, resume, update and events without a cgroup: a clear error" {
	rl_no_delegation
	set_args sleep 1000
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files run -d --bundle "$BUNDLE" rl-cgcmds
	assert_success
	for cmd in pause resume "update --pids-limit 10" "events --stats"; do
		run rl_berth $cmd rl-cgcmds
		assert_failure
		assert_output_contains "the container has no cgroup (rootless: none could be made, the cgroup is not delegated"
	done
	run rl_berth state rl-cgcmds
	assert_equal "$(jq -r .status <<<"$output")" running
	run rl_berth delete --force rl-cgcmds
	assert_success
}

@test "rootless: ps without a cgroup lists the processes of the container's PID namespace" {
	rl_no_delegation
	set_args sh -c 'sleep 1000 & wait'
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files run -d --bundle "$BUNDLE" rl-ps
	assert_success
	init=$(rl_berth state rl-ps | jq -r .pid)
	for ((i = 0; i < 100; i++)); do
		run rl_berth ps --format json rl-ps
		[ "$(jq length <<<"$output")" = 2 ] && break
		sleep 0.02
	done
	assert_success
	assert_equal "$(jq length <<<"$output")" 2
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output"
	child=$(jq -r --argjson p "$init" 'map(select(. != $p))[0]' <<<"$output")
	assert_equal "$(tr '\0' ' ' <"/proc/$child/cmdline")" "sleep 1000 "
	run rl_berth ps rl-ps
	assert_success
	assert_output_contains "sleep 1000"
	run rl_berth delete --force rl-ps
	assert_success
}

@test "rootless: exec joins the container's namespaces, its PID namespace included" {
	set_args sleep 1000
	chown "$RL_USER" "$BUNDLE/config.json"
	run rl_via_files run -d --bundle "$BUNDLE" rl-exec
	assert_success
	init=$(rl_berth state rl-exec | jq -r .pid)
	run rl_berth exec rl-exec sh -c 'id -u; tr "\0" " " </proc/1/cmdline; echo; exit 7'
	assert_status 7
	assert_equal "$output" "0
sleep 1000 "
	# exec -d: the pid file names a process of the container's PID
	# namespace, the user's on the host.
	run rl_via_files exec -d --pid-file "$TESTDIR/exec.pid" rl-exec sleep 500
	assert_success
	pid=$(cat "$TESTDIR/exec.pid")
	assert_equal "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$init/ns/pid")"
	assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID"
	run rl_berth delete --force rl-exec
	assert_success
	wait_for_exit "$pid"
}

# ---------------------------------------------------------------- spec

@test "rootless: spec --rootless as the user maps the user's own ids" {
	c=$BUNDLE/config.json
	assert_equal "$(jq -c '.linux.uidMappings' "$c")" "[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}]"
	assert_equal "$(jq -c '.linux.gidMappings' "$c")" "[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]"
	jq -e '.linux.resources == null' "$c"
	jq -e '[.linux.namespaces[].type] | index("network") == null' "$c"
}
