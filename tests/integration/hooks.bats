#!/usr/bin/env bats
# hooks: order, state on stdin, namespaces, failures, timeout.

load helpers

# make_hook NAME [EXIT]: a host script that logs "NAME STATUS ID PID" (read
# from the state JSON on stdin) to $TESTDIR/hooks.log, then exits EXIT.
make_hook() {
	cat >"$TESTDIR/hook-$1" <<EOF
#!/bin/sh
state=\$(cat)
echo "$1 \$(echo "\$state" | jq -r '.status + " " + .id + " " + (.pid // 0 | tostring)')" >>"$TESTDIR/hooks.log"
exit ${2:-0}
EOF
	chmod +x "$TESTDIR/hook-$1"
}

# add_hook KIND PATH [ARGS-JSON] [TIMEOUT]
add_hook() {
	update_config --arg k "$1" --arg p "$2" --argjson a "${3:-null}" --argjson t "${4:-null}" \
		'.hooks[$k] += [{"path": $p} + (if $a then {"args": $a} else {} end)
		                 + (if $t then {"timeout": $t} else {} end)]'
}

@test "hooks: every kind runs, in order, with the state on stdin" {
	bind_ctl
	for k in prestart createRuntime createContainer poststart poststop; do
		make_hook "$k"
		add_hook "$k" "$TESTDIR/hook-$k"
	done
	# startContainer's path is resolved in the container: use its /bin/sh
	add_hook startContainer /bin/sh \
		'["sh", "-c", "cat > /ctl/start-state; echo startContainer >> /ctl/order"]'
	update_config '.hostname = "hooked"'
	set_cmd 'echo process >> /ctl/order'
	berth_create ct
	pid=$(state_field ct pid)
	berth start ct
	wait_for_status ct stopped
	berth delete ct

	cat "$TESTDIR/hooks.log"
	order=$(cut -d' ' -f1 "$TESTDIR/hooks.log" | tr '\n' ' ')
	# prestart and createRuntime (either order), then createContainer,
	# poststart, poststop
	[[ $order == "prestart createRuntime createContainer poststart poststop " ||
		$order == "createRuntime prestart createContainer poststart poststop " ]] ||
		fail "order: $order"
	# each hook got the state of this container, with its pid
	while read -r name st id hpid; do
		assert_equal "$id" ct
		[ "$name" = poststop ] && continue
		# runc 1.1 gives createContainer the pid as seen inside (1)
		[ "$name" = createContainer ] && is_runc && continue
		assert_equal "$hpid" "$pid"
	done <"$TESTDIR/hooks.log"
	# runc 1.1 runs poststart at the end of create; the spec says after start
	if is_berth; then
		grep -q '^poststart running ' "$TESTDIR/hooks.log"
	fi
	grep -q '^poststop stopped ' "$TESTDIR/hooks.log"
	# startContainer ran before the process, and saw the state too
	assert_equal "$(tr '\n' ' ' <"$CTL/order")" "startContainer process "
	assert_equal "$(jq -r .id "$CTL/start-state")" ct
}

@test "hooks: args and env are passed" {
	cat >"$TESTDIR/hook" <<EOF
#!/bin/sh
echo "\$0|\$1|\$2|\$HOOKVAR" > "$TESTDIR/hook.out"
EOF
	chmod +x "$TESTDIR/hook"
	update_config --arg p "$TESTDIR/hook" \
		'.hooks.createRuntime = [{"path": $p, "args": ["hook-argv0", "a1", "a2"], "env": ["HOOKVAR=hv"]}]'
	berth_run ct
	assert_equal "$(cut -d'|' -f2- "$TESTDIR/hook.out")" "a1|a2|hv"
}

# env_hook NAME: a host script that writes its environment to
# $TESTDIR/env-NAME, one variable a line: the shell's own
# environ, opened by the shell (/proc/self, not /proc/$$: createContainer
# runs in the container's PID namespace under the host's /proc).
env_hook() {
	cat >"$TESTDIR/hook-$1" <<EOF
#!/bin/sh
exec 3</proc/self/environ
tr '\\0' '\\n' <&3 >"$TESTDIR/env-$1"
EOF
	chmod +x "$TESTDIR/hook-$1"
}

@test "hooks: without env a hook gets the runtime's environment" {
	bind_ctl
	for k in prestart createRuntime createContainer poststart poststop; do
		env_hook "$k"
		add_hook "$k" "$TESTDIR/hook-$k"
	done
	# ": " keeps sh from exec'ing tr, whose environ would be its own
	# shellcheck disable=SC2016
	add_hook startContainer /bin/sh \
		'["sh", "-c", "tr \"\\\\0\" \"\\\\n\" </proc/$$/environ >/ctl/env-startContainer; :"]'
	BERTH_HOOK_PROBE=create-side berth_create ct
	BERTH_HOOK_PROBE=start-side berth start ct
	wait_for_status ct stopped
	BERTH_HOOK_PROBE=delete-side berth delete ct
	for k in prestart createRuntime createContainer startContainer; do
		f=$TESTDIR/env-$k
		[ "$k" = startContainer ] && f=$CTL/env-$k
		grep -qx BERTH_HOOK_PROBE=create-side "$f" || fail "$k: $(cat "$f")"
		grep -q '^PATH=' "$f" || fail "$k has no PATH: $(cat "$f")"
	done
	grep -qx BERTH_HOOK_PROBE=start-side "$TESTDIR/env-poststart" ||
		fail "poststart: $(cat "$TESTDIR/env-poststart")"
	grep -qx BERTH_HOOK_PROBE=delete-side "$TESTDIR/env-poststop" ||
		fail "poststop: $(cat "$TESTDIR/env-poststop")"
}

@test "hooks: with env a hook gets exactly that env, [] included" {
	env_hook a
	env_hook b
	update_config --arg a "$TESTDIR/hook-a" --arg b "$TESTDIR/hook-b" \
		'.hooks.createRuntime = [{"path": $a, "env": ["ONLY=this", "EMPTY="]},
		                         {"path": $b, "env": []}]'
	BERTH_HOOK_PROBE=runtime-env berth_run ct
	assert_equal "$(cat "$TESTDIR/env-a")" "ONLY=this
EMPTY="
	assert_equal "$(cat "$TESTDIR/env-b")" ""
}

@test "hooks: startContainer runs in the container's namespaces" {
	bind_ctl
	update_config '.hostname = "inside-ct"'
	add_hook startContainer /bin/sh \
		'["sh", "-c", "hostname > /ctl/hook-host; readlink /proc/self/ns/pid > /ctl/hook-pidns; readlink /proc/self/ns/mnt > /ctl/hook-mntns"]'
	set_cmd 'readlink /proc/self/ns/pid > /ctl/ct-pidns; readlink /proc/self/ns/mnt > /ctl/ct-mntns'
	run berth_run ct
	assert_success
	assert_equal "$(cat "$CTL/hook-host")" inside-ct
	assert_equal "$(cat "$CTL/hook-mntns")" "$(cat "$CTL/ct-mntns")"
}

@test "hooks: createContainer runs in the container's uts namespace" {
	cat >"$TESTDIR/hook" <<EOF
#!/bin/sh
{ hostname; readlink /proc/self/ns/uts; } > "$TESTDIR/hook.out"
EOF
	chmod +x "$TESTDIR/hook"
	add_hook createContainer "$TESTDIR/hook"
	update_config '.hostname = "cc-host"'
	set_args readlink /proc/self/ns/uts
	run berth_run ct
	assert_success
	# (the hostname may not be set yet when createContainer runs)
	assert_equal "$(sed -n 2p "$TESTDIR/hook.out")" "$output"
	[ "$output" != "$(readlink /proc/self/ns/uts)" ]
}

@test "hooks: a failing prestart hook fails create and leaves nothing" {
	make_hook prestart 3
	add_hook prestart "$TESTDIR/hook-prestart"
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	assert_failure
	[ -s "$TESTDIR/hooks.log" ]
	[ -z "$(berth list -q)" ]
	[ -z "$(state_left)" ]
}

@test "hooks: a failing createRuntime hook fails create and leaves nothing" {
	make_hook createRuntime 1
	add_hook createRuntime "$TESTDIR/hook-createRuntime"
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	assert_failure
	[ -s "$TESTDIR/hooks.log" ]
	[ -z "$(berth list -q)" ]
	[ -z "$(state_left)" ]
}

@test "hooks: a failing createRuntime hook fails run, with a message" {
	make_hook createRuntime 1
	add_hook createRuntime "$TESTDIR/hook-createRuntime"
	run berth_run ct
	assert_failure
	if is_berth; then assert_output_contains createRuntime; fi
	[ -z "$(berth list -q)" ]
}

@test "hooks: a failing poststop hook only warns; delete succeeds" {
	make_hook poststop 1
	add_hook poststop "$TESTDIR/hook-poststop"
	set_cmd 'exit 0'
	berth_create ct
	berth start ct
	wait_for_status ct stopped
	run berth delete ct
	assert_success
	grep -q '^poststop ' "$TESTDIR/hooks.log"
	run berth state ct
	assert_failure
}

@test "hooks: a hook that outlives its timeout is killed and fails create" {
	cat >"$TESTDIR/slow" <<EOF
#!/bin/sh
echo started > "$TESTDIR/slow.out"
exec sleep 20
EOF
	chmod +x "$TESTDIR/slow"
	add_hook createRuntime "$TESTDIR/slow" null 1
	start=$SECONDS
	run berth_create ct
	assert_failure
	[ $((SECONDS - start)) -lt 10 ] || fail "took $((SECONDS - start))s"
	[ -e "$TESTDIR/slow.out" ]
	[ -z "$(berth list -q)" ]
	# teardown fails the test if the sleeping hook survived
}

@test "hooks: a failing poststart hook is reported; the container is removed or stopped" {
	make_hook poststart 1
	add_hook poststart "$TESTDIR/hook-poststart"
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	if [ "$status" -eq 0 ]; then
		run berth start ct
	fi
	# runtime-spec: a poststart failure only warns; runc 1.1 fails create.
	# Either way the hook ran and nothing may be left behind (teardown).
	grep -q '^poststart ' "$TESTDIR/hooks.log"
}
