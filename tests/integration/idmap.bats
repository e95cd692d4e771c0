#!/usr/bin/env bats
# Idmapped mounts: mounts[].uidMappings / gidMappings and the "idmap" /
# "ridmap" options (runtime-spec 1.3 config.md "Mounts").
#
# Direction (the spec's, runc's and the kernel's): a mapping
# {containerID c, hostID h, size n} is written to a user namespace's
# uid_map as "c h n"; an id c+k stored on the host's filesystem is seen
# through the mount as h+k (in the host's user namespace: the container's
# view then goes through linux.uidMappings as usual), and a file created
# through the mount by h+k is stored as c+k.
#
# Each test bind-mounts $VOL (a host temp dir) at /mnt.

load helpers

setup() {
	setup_bundle
	VOL=$TESTDIR/vol
	mkdir "$VOL"
	touch "$VOL/by0" "$VOL/by1000"
	chown 1000:1000 "$VOL/by1000"
}

# add_idmap_mount OPTS UIDMAPS GIDMAPS: bind $VOL at /mnt with options
# OPTS (JSON array) and the mappings (JSON arrays, may be null).
add_idmap_mount() {
	update_config --arg s "$VOL" --argjson o "$1" --argjson u "$2" \
		--argjson g "$3" '.mounts += [{"destination": "/mnt",
			"type": "bind", "source": $s, "options": $o}
			+ (if $u then {"uidMappings": $u} else {} end)
			+ (if $g then {"gidMappings": $g} else {} end)]'
}

userns_100000() {
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "idmap: host 1000 is root through the mount, root's files are 1000's on the host" {
	requires_berth
	chown 1000:1000 "$VOL"
	m='[{"containerID": 1000, "hostID": 0, "size": 1}]'
	add_idmap_mount '["bind", "idmap"]' "$m" "$m"
	set_cmd 'stat -c %u:%g /mnt/by1000 /mnt/by0 /mnt; echo hi > /mnt/new && stat -c %u:%g /mnt/new'
	run berth_run ct
	assert_success
	assert_equal "$(sed -n 1p <<<"$output")" 0:0
	assert_equal "$(sed -n 2p <<<"$output")" 65534:65534 # host 0: not mapped
	assert_equal "$(sed -n 3p <<<"$output")" 0:0
	assert_equal "$(sed -n 4p <<<"$output")" 0:0
	assert_equal "$(stat -c %u:%g "$VOL/new")" 1000:1000
	assert_equal "$(cat "$VOL/new")" hi
	grep -q ' /mnt ' /proc/self/mountinfo && fail "mount leaked to the host"
	return 0
}

@test "idmap: uidMappings alone make the mount idmapped (spec example direction)" {
	requires_berth
	m='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	add_idmap_mount '["rbind"]' "$m" "$m"
	set_cmd 'stat -c %u:%g /mnt/by0 /mnt/by1000; grep " /mnt " /proc/self/mountinfo; touch /mnt/new'
	run berth_run ct
	assert_failure # root (host 0) is not mapped: it cannot create
	assert_equal "$(sed -n 1p <<<"$output")" 100000:100000
	assert_equal "$(sed -n 2p <<<"$output")" 101000:101000
	assert_output_contains idmapped "Value too large"
	[ ! -e "$VOL/new" ]
}

@test "idmap: without own mappings, the container's user namespace mapping" {
	requires_berth
	userns_100000
	add_idmap_mount '["bind", "idmap"]' null null
	set_cmd 'id -u; stat -c %u:%g /mnt/by0 /mnt/by1000; touch /mnt/new && stat -c %u:%g /mnt/new'
	run berth_run ct
	assert_success
	assert_equal "$output" "0
0:0
1000:1000
0:0"
	# the container's root wrote as the host's root, through the mapping
	assert_equal "$(stat -c %u:%g "$VOL/new")" 0:0
}

@test "idmap: own mappings in a user-namespaced container" {
	requires_berth
	userns_100000
	chown 1000:1000 "$VOL"
	m='[{"containerID": 1000, "hostID": 100000, "size": 1}]'
	add_idmap_mount '["rbind", "ridmap"]' "$m" "$m"
	set_cmd 'stat -c %u:%g /mnt/by1000 /mnt/by0; touch /mnt/new && stat -c %u:%g /mnt/new'
	run berth_run ct
	assert_success
	assert_equal "$output" "0:0
65534:65534
0:0"
	assert_equal "$(stat -c %u:%g "$VOL/new")" 1000:1000
}

@test "idmap: only bind mounts can be idmapped" {
	requires_berth
	m='[{"containerID": 0, "hostID": 1000, "size": 1}]'
	update_config --argjson m "$m" '.mounts += [{"destination": "/mnt",
		"type": "tmpfs", "source": "tmpfs", "options": ["idmap"],
		"uidMappings": $m, "gidMappings": $m}]'
	n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
	run berth_run ct
	assert_failure
	assert_output_contains "mount $n (/mnt): only bind mounts can be idmapped"
}

@test "idmap: the idmap option without mappings needs a user namespace" {
	requires_berth
	add_idmap_mount '["bind", "idmap"]' null null
	n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
	run berth_run ct
	assert_failure
	assert_output_contains "mount $n (/mnt): idmap without uidMappings and gidMappings needs a user namespace"
}

@test "idmap: uidMappings without gidMappings is refused" {
	requires_berth
	add_idmap_mount '["bind", "idmap"]' '[{"containerID": 0, "hostID": 1000, "size": 1}]' null
	run berth_run ct
	assert_failure
	assert_output_contains "uidMappings and gidMappings must be given together"
}
