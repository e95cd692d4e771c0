#!/usr/bin/env bats
# berth features: the runtime-spec features document, checked against what
# berth really does: every advertised mount option works in a real mount,
# options it does not advertise are refused by name.

load helpers

features_json() {
	"$BERTH" features
}

@test "features: valid JSON with the spec's fields" {
	run features_json
	assert_success
	jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
	f=$output
	assert_equal "$(jq -r .ociVersionMin <<<"$f")" 1.0.0
	spec=$("$BERTH" --version | sed -n 's/^spec: //p')
	assert_equal "$(jq -r .ociVersionMax <<<"$f")" "$spec"
	assert_equal "$(jq -c .hooks <<<"$f")" \
		'["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
	assert_equal "$(jq -c '.linux.namespaces | sort' <<<"$f")" \
		'["cgroup","ipc","mount","network","pid","time","user","uts"]'
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN")' <<<"$f" >/dev/null ||
		fail "capabilities: $(jq -c .linux.capabilities <<<"$f")"
	jq -e '.linux.cgroup | .v1 == true and .v2 == true and .systemd == false and .rdma == true' <<<"$f" >/dev/null ||
		fail "cgroup: $(jq -c .linux.cgroup <<<"$f")"
	jq -e '.linux.seccomp | .enabled == true and (.actions | index("SCMP_ACT_NOTIFY"))
		and (.operators | length == 7) and (.archs | length > 0)
		and (.knownFlags | index("SECCOMP_FILTER_FLAG_LOG"))
		and (.supportedFlags - .knownFlags == [])' <<<"$f" >/dev/null ||
		fail "seccomp: $(jq -c .linux.seccomp <<<"$f")"
	jq -e '.linux.mountExtensions.idmap.enabled == true
		and .linux.netDevices.enabled == true
		and .linux.intelRdt.enabled == false' <<<"$f" >/dev/null ||
		fail "linux: $(jq -c .linux <<<"$f")"
	jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.")' <<<"$f" >/dev/null ||
		fail "annotations: $(jq -c .annotations <<<"$f")"
}

@test "features: apparmor and selinux say whether this host has the LSM" {
	run features_json
	assert_success
	aa=false se=false
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] &&
		[ -d /sys/kernel/security/apparmor ] && aa=true
	grep -q ' - selinuxfs ' /proc/self/mountinfo && se=true
	assert_equal "$(jq .linux.apparmor.enabled <<<"$output")" "$aa"
	assert_equal "$(jq .linux.selinux.enabled <<<"$output")" "$se"
}

@test "features: the spec's example mount options are all advertised but acl/noacl" {
	# runtime-spec features.md's example list; acl and noacl are
	# filesystem data (passed on to the filesystem), not berth's.
	spec_opts="async atime bind defaults dev diratime dirsync exec iversion
		lazytime loud mand noatime nodev nodiratime noexec noiversion
		nolazytime nomand norelatime nostrictatime nosuid nosymfollow
		private ratime rbind rdev rdiratime relatime remount rexec
		rnoatime rnodev rnodiratime rnoexec rnorelatime rnostrictatime
		rnosuid rnosymfollow ro rprivate rrelatime rro rrw rshared rslave
		rstrictatime rsuid rsymfollow runbindable rw shared silent slave
		strictatime suid symfollow sync tmpcopyup unbindable"
	have=$(features_json | jq -r '.mountOptions[]')
	for o in $spec_opts; do
		grep -qx -- "$o" <<<"$have" || fail "mount option $o not advertised"
	done
}

# Every advertised option in a real mount: the plain ones each on its own
# tmpfs under /tmp (one container), bind/rbind on a bind mount, remount
# on a tmpfs mounted just before, idmap/ridmap on an idmapped bind.
@test "features: every advertised mount option is accepted by run" {
	opts=$(features_json | jq -r '.mountOptions[]')
	mkdir "$TESTDIR/src"
	plain=0
	for o in $opts; do
		case $o in
		bind | rbind)
			add_mount "/tmp/b-$o" bind "$TESTDIR/src" "$o" ;;
		idmap | ridmap)
			update_config --arg d "/tmp/i-$o" --arg s "$TESTDIR/src" --arg o "$o" \
				'.mounts += [{"destination": $d, "type": "bind", "source": $s,
				  "options": ["rbind", $o],
				  "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
				  "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}]' ;;
		remount)
			add_mount /tmp/r tmpfs tmpfs ''
			add_mount /tmp/r tmpfs tmpfs 'remount,ro' ;;
		*)
			add_mount "/tmp/o-$o" tmpfs tmpfs "$o"
			plain=$((plain + 1)) ;;
		esac
	done
	set_cmd 'grep -c " /tmp/o-" /proc/self/mountinfo; grep " /tmp/r " /proc/self/mountinfo | tail -1;
		grep -c " /tmp/[bi]-" /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" "$plain"
	grep -q ' /tmp/r ro,' <<<"$(sed -n 2p <<<"$output")" || fail "remount,ro: $output"
	assert_equal "$(sed -n 3p <<<"$output")" 4
}

@test "features: options it does not advertise are refused, naming the option" {
	requires_berth
	opts=$(features_json | jq -r '.mountOptions[]')
	for o in bogus rbogus tmpcopydown; do
		grep -qx -- "$o" <<<"$opts" && fail "$o is advertised"
		update_config '.mounts = [.mounts[] | select(.destination != "/tmp/x")]'
		add_mount /tmp/x tmpfs tmpfs "$o"
		run berth_run ct
		assert_failure
		assert_output_contains "(/tmp/x): mount tmpfs on /tmp/x (tmpfs: Unknown parameter '$o')"
	done
}

@test "features: tmpcopyup, advertised, fills the tmpfs" {
	features_json | jq -e '.mountOptions | index("tmpcopyup")' >/dev/null ||
		fail "tmpcopyup not advertised"
	add_mount /etc tmpfs tmpfs 'tmpcopyup'
	set_cmd 'grep -c root /etc/passwd; grep " /etc " /proc/self/mountinfo'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 1
	assert_output_contains " - tmpfs "
}

@test "features: takes no argument" {
	requires_berth
	run "$BERTH" features extra
	assert_failure
	assert_output_contains 'features: unexpected argument "extra"'
}
