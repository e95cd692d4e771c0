#!/usr/bin/env bats
# Attacks from inside a container that must fail (docs/security.md).

load helpers

# CVE-2019-5736: a container that can see berth's child before it execs (here:
# a second container joining its PID namespace) and holds CAP_SYS_PTRACE
# opens /proc/<child>/exe, waits until no berth runs, and writes through it.
# berth re-execs from a sealed memfd in that case, so the write is refused and
# the binary on the host is unchanged.
@test "CVE-2019-5736: /proc/<pid>/exe of berth's child cannot be written" {
	requires_berth
	cp "$BERTH" "$TESTDIR/berth"
	cp "$BERTH" "$TESTDIR/berth.orig"
	BERTH=$TESTDIR/berth
	bind_ctl
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
	set_cmd 'touch /ctl/ready
while [ ! -e /ctl/go ]; do sleep 0.05; done
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ "$p" = 1 ] || [ "$p" = $$ ] && continue
	case "$(readlink "$d/exe")" in *berth*) target=$p ;; esac
done
echo "target=$target exe=$(readlink /proc/$target/exe)" >/ctl/target
exec 3</proc/$target/exe || { echo open-failed >/ctl/result; exit 0; }
touch /ctl/opened
while [ ! -e /ctl/go2 ]; do sleep 0.05; done
if (echo "#!/bin/sh" >/proc/self/fd/3) 2>/dev/null; then r=WROTE; else r=refused; fi
echo $r >/ctl/result
exec sleep 1000'
	berth_run p -d
	wait_for_file "$CTL/ready"
	ppid=$(state_field p pid)
	# q: same rootfs, joins p's PID namespace, created and waiting.
	cp "$BUNDLE/config.json" "$TESTDIR/p.json"
	update_config --arg ns "/proc/$ppid/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)
		 | .process.args = ["true"]'
	run berth_create q
	assert_success
	touch "$CTL/go"
	wait_for_file "$CTL/opened" || wait_for_file "$CTL/result"
	run berth delete --force q
	assert_success
	touch "$CTL/go2"
	wait_for_file "$CTL/result"
	cmp "$TESTDIR/berth" "$TESTDIR/berth.orig" || fail "the host's berth binary was changed"
	assert_equal "$(cat "$CTL/result")" refused
	grep -q memfd "$CTL/target" || fail "berth's child ran the host binary: $(cat "$CTL/target")"
}

# With a PID namespace of its own and no startContainer hook, nothing in the
# container exists before exec: no sealed copy is needed (the fast path).
@test "berth's child runs the installed binary only when no container can see it" {
	requires_berth
	bind_ctl
	set_cmd "$LONG_RUNNING"
	run berth_create ct
	assert_success
	pid=$(state_field ct pid)
	[[ $(readlink "/proc/$pid/exe") == "$(readlink -f "$BERTH")" ]] ||
		fail "exe: $(readlink "/proc/$pid/exe")"
	# without a PID namespace, the host's processes see it: sealed copy
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	run berth_create ct2
	assert_success
	pid=$(state_field ct2 pid)
	[[ $(readlink "/proc/$pid/exe") == "/memfd:berth (deleted)" ]] ||
		fail "exe: $(readlink "/proc/$pid/exe")"
}
