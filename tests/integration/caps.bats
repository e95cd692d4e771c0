#!/usr/bin/env bats
# process.capabilities and process.noNewPrivileges: what the process holds
# after execve, read from /proc/self/status.

load helpers

# caps_hex NAME...: the 16-digit hex mask /proc/self/status shows for NAMEs
caps_hex() {
	local mask=0 n
	declare -A bit=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_FOWNER]=3
		[CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8
		[CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13 [CAP_SYS_CHROOT]=18
		[CAP_SYS_ADMIN]=21 [CAP_AUDIT_WRITE]=29 [CAP_SETFCAP]=31)
	for n in "$@"; do
		[ -n "${bit[$n]:-}" ] || fail "caps_hex: add $n" || return 1
		mask=$((mask | (1 << ${bit[$n]})))
	done
	printf '%016x\n' "$mask"
}

# set_caps SET NAME...: process.capabilities.SET = [NAME...] (none: [])
set_caps() {
	local set=$1
	shift
	update_config --arg s "$set" --argjson v "$(printf '%s\n' "$@" | jq -R . | jq -s 'map(select(. != ""))')" \
		'.process.capabilities[$s] = $v'
}

STATUS_CMD='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status; echo "uid=$(id -u)"'

# expect_caps INH PRM EFF BND AMB: the status lines of the last run
expect_caps() {
	local want
	want=$(printf 'CapInh:\t%s\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t%s\nCapAmb:\t%s' "$@")
	assert_equal "$(grep ^Cap <<<"$output")" "$want"
}

@test "capabilities: the default config's sets, exactly" {
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	def=$(caps_hex CAP_AUDIT_WRITE CAP_KILL CAP_NET_BIND_SERVICE)
	if is_berth; then
		# berth spec: bounding = effective = permitted; no inheritable, no ambient
		expect_caps 0000000000000000 "$def" "$def" "$def" 0000000000000000
		assert_output_contains $'NoNewPrivs:\t1' uid=0
	fi
	assert_output_contains "CapBnd:"$'\t'
}

@test "capabilities: root, five different sets" {
	s1=(CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_AUDIT_WRITE CAP_SYS_CHROOT)
	for set in bounding effective permitted; do set_caps $set "${s1[@]}"; done
	set_caps inheritable CAP_KILL CAP_SYS_CHROOT
	set_caps ambient CAP_KILL
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	# For root, execve makes permitted = effective = bounding | inheritable
	# (here: the configured permitted set).
	expect_caps "$(caps_hex CAP_KILL CAP_SYS_CHROOT)" "$(caps_hex "${s1[@]}")" \
		"$(caps_hex "${s1[@]}")" "$(caps_hex "${s1[@]}")" "$(caps_hex CAP_KILL)"
	assert_output_contains uid=0
}

@test "capabilities: non-root with the same capabilities in all five sets (ambient)" {
	s=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_NET_RAW CAP_SETFCAP)
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	for set in bounding effective permitted inheritable ambient; do set_caps $set "${s[@]}"; done
	# CAP_DAC_OVERRIDE in effect: uid 1000 can write root's 0700 /root
	set_cmd "$STATUS_CMD; touch /root/x 2>/dev/null || echo no-write"
	copy_rootfs
	run berth_run ct
	assert_success
	h=$(caps_hex "${s[@]}")
	expect_caps "$h" "$h" "$h" "$h" "$h"
	assert_output_contains uid=1000
	assert_output_not_contains no-write
}

@test "capabilities: non-root without ambient loses effective and permitted at exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	for set in bounding effective permitted; do set_caps $set CAP_KILL CAP_CHOWN CAP_SETUID; done
	set_caps inheritable CAP_KILL
	# an ambient capability that is not inheritable cannot be raised: it
	# is dropped, not an error
	set_caps ambient CAP_CHOWN
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	expect_caps "$(caps_hex CAP_KILL)" 0000000000000000 0000000000000000 \
		"$(caps_hex CAP_KILL CAP_CHOWN CAP_SETUID)" 0000000000000000
	assert_output_contains uid=1000
}

@test "capabilities: no process.capabilities means no capabilities" {
	update_config 'del(.process.capabilities)'
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	z=0000000000000000
	expect_caps $z $z $z $z $z
}

@test "noNewPrivileges: true sets NoNewPrivs 1, false leaves 0" {
	update_config '.process.noNewPrivileges = true'
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	assert_output_contains $'NoNewPrivs:\t1'
	update_config '.process.noNewPrivileges = false'
	run berth_run ct2
	assert_success
	assert_output_contains $'NoNewPrivs:\t0'
	update_config 'del(.process.noNewPrivileges)'
	run berth_run ct3
	assert_success
	assert_output_contains $'NoNewPrivs:\t0'
}

@test "capabilities: an unknown name is refused, naming it" {
	update_config '.process.capabilities.permitted += ["CAP_BOGUS"]'
	run berth_create ct
	assert_failure
	[ -z "$(berth list -q)" ] || fail "containers left: $(berth list -q)"
	if is_berth; then
		assert_output_contains "berth: error: create ct: $BUNDLE/config.json: .process.capabilities.permitted[3]: unknown capability \"CAP_BOGUS\" (expected a name like CAP_SYS_ADMIN)"
	fi
}

@test "capabilities: a name the kernel lacks is skipped with a warning" {
	requires_berth
	# a name libcap knows beyond the running kernel's last capability
	last=$(cat /proc/sys/kernel/cap_last_cap)
	name=$(capsh --decode="$(printf '%x' $((1 << (last + 1))))" 2>/dev/null | sed 's/.*=//')
	[[ $name == cap_* ]] || skip "libcap knows no capability beyond the kernel's last ($last)"
	name=${name^^}
	update_config --arg n "$name" '.process.capabilities |= with_entries(.value += [$n])'
	set_cmd "$STATUS_CMD"
	run berth_run ct
	assert_success
	assert_output_contains "capability $name is not supported by the running kernel: skipped"
}
