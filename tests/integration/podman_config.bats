#!/usr/bin/env bats
# The config.json podman 4.3 generated for
#   podman run -d --user 1000 --memory 64m --pids-limit 42 --hostname podhost \
#       --cgroup-parent ... localhost/busybox:test sh -c 'sleep 100'
# (tests/fixtures/podman-4.3-config.json, engine_podman.bats' setup), run by
# berth directly, without podman: its seccomp profile, masked and read-only
# paths, the bind mounts from podman's userdata dir, the cgroup mount,
# rlimits, additional gids. Host paths are placeholders: @ROOTFS@, @USERDATA@
# (hosts, hostname, .containerenv, shm), @CGROUP@ and @TAG@.

load helpers

FIXTURE=$BATS_TEST_DIRNAME/../fixtures/podman-4.3-config.json

# podman_bundle: the fixture as $BUNDLE/config.json, its userdata files made.
podman_bundle() {
	local ud=$TESTDIR/userdata
	mkdir -p "$ud/shm"
	printf '127.0.0.1\tlocalhost\n10.0.0.9\tfrom-podman\n' >"$ud/hosts"
	echo podhost >"$ud/hostname"
	echo 'engine="podman-4.3.1"' >"$ud/.containerenv"
	sed -e "s|@ROOTFS@|$TESTDIR/rootfs|" -e "s|@USERDATA@|$ud|g" \
		-e "s|@CGROUP@|$CGNAME|" -e "s|@TAG@|BERTH_TEST_TAG=$TAG|" \
		"$FIXTURE" >"$BUNDLE/config.json"
	# a writable copy, as podman's: mount points are made in it
	# (/run/.containerenv), and the shared test rootfs is read-only to tests
	copy_rootfs
}

@test "podman config: berth runs podman's config.json as podman asked" {
	podman_bundle
	set_cmd 'id; hostname; grep from-podman /etc/hosts; cat /run/.containerenv
		grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status; ulimit -n
		echo "keys=$(wc -c </proc/keys)"
		grep -E " /proc/sys | /sys/fs/cgroup/memory " /proc/mounts'
	run berth_run ct
	assert_success
	assert_output_contains "uid=1000(test) gid=1000(test) groups=1000(test),1001(extra)" \
		podhost from-podman 'engine="podman-4.3.1"' "Seccomp:	2" "NoNewPrivs:	0" \
		"CapEff:	0000000000000000" 1024
	# masked (/dev/null over it), read-only paths, the read-only cgroup mount
	assert_output_contains "keys=0" "proc /proc/sys proc ro," \
		"/sys/fs/cgroup/memory cgroup ro,"
}

@test "podman config: the memory and pids limits podman asked for are in the cgroup" {
	podman_bundle
	bind_ctl
	update_config '.process.user = {"uid": 0, "gid": 0}'
	set_cmd "$LONG_RUNNING"
	berth_run ct -d
	wait_for_file "$CTL/ready"
	local mem pids cg
	while read -r cg; do
		[ -e "$cg/memory.limit_in_bytes" ] && mem=$(cat "$cg/memory.limit_in_bytes")
		[ -e "$cg/memory.max" ] && mem=$(cat "$cg/memory.max")
		[ -e "$cg/pids.max" ] && pids=$(cat "$cg/pids.max")
	done < <(cgroup_candidates)
	assert_equal "$mem" 67108864
	assert_equal "$pids" 42
	berth kill ct TERM
	wait_for_status ct stopped
	berth delete ct
}
