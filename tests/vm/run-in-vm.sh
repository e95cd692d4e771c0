#!/usr/bin/env bash
# run-in-vm.sh [OPTIONS] [--] CMD [ARG...] — run CMD as root in berth's cgroup
# v2 test VM and exit with its status.
#
# The VM: qemu-system-x86_64 (software emulation, no KVM needed), the Debian
# 6.1 kernel booted from build/vm (tests/vm/setup.sh prepares it: run first
# on its own, or automatically here), cgroup2 at /sys/fs/cgroup with every
# controller enabled, the source tree at the same path read-write, the host's
# /usr read-only (so build/berth, bash, bats, jq run unchanged), the host's
# /etc read-only under a writable tmpfs overlay. CMD runs with bash in the
# current directory (if it is inside the source tree; else the tree's root)
# with stdin /dev/null; its output is streamed here through the guest's
# second serial port (copy in build/vm/last-output.log), the kernel console
# goes to build/vm/last-console.log (printed when the VM fails).
#
# Options:
#   -t SECONDS        kill the VM after SECONDS (default $VM_TIMEOUT or 1200)
#   -e NAME=VALUE     set an environment variable for CMD (repeatable)
#   -m MOD[,MOD...]   load more kernel modules (and their dependencies)
#   -o file           send CMD's output to a file on the share, printed after
#                     (for large output: the emulated serial port does ~200 KB/s)
#   -i                interactive: CMD's stdin and controlling terminal are
#                     this terminal (e.g. run-in-vm.sh -i bash; ^C goes to
#                     the guest)
#   -k                keep the run directory (build/vm/run.*)
# Environment: VM_TIMEOUT, VM_MEM (1G), VM_SMP (2), VM_CPU (qemu -cpu, default
# max), VM_MODULES (like -m), VM_APPEND (more kernel arguments).
# Exit status: CMD's; 124 on timeout; 125 when the VM failed to run CMD.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
vmdir=${VM_DIR:-$repo/build/vm}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

timeout_s=${VM_TIMEOUT:-1200}
modules=${VM_MODULES:-}
outmode=serial
keep=0
tty=0
envs=()
while getopts ':t:e:m:o:ikh' opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	e)
		[[ $OPTARG == [A-Za-z_]*=* ]] || usage
		envs+=("$OPTARG")
		;;
	m) modules=${modules:+$modules,}$OPTARG ;;
	o)
		[ "$OPTARG" = file ] || usage
		outmode="file"
		;;
	i) tty=1 ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
case $repo in
*[[:space:]]*)
	echo "run-in-vm.sh: the source tree's path has a space: unsupported" >&2
	exit 125
	;;
esac

VM_QUIET=1 "$here/setup.sh"
vmdir=$(cd "$vmdir" && pwd -P)

# The command, as a bash script on the share.
rundir=$(mktemp -d "$vmdir/run.XXXXXX")
cwd=$(pwd -P)
case $cwd/ in
"$repo"/*) ;;
*) cwd=$repo ;;
esac
{
	echo '#!/bin/bash'
	printf 'cd %q || exit 125\n' "$cwd"
	if [ $tty = 1 ]; then
		printf 'export TERM=%q\n' "${TERM:-dumb}"
		size=$(stty size 2>/dev/null) && printf 'stty rows %d cols %d\n' $size
	fi
	for e in "${envs[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$rundir/cmd"

append="console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off init_on_alloc=0"
append+=" cryptomgr.notests no_timer_check random.trust_cpu=on i8042.noaux i8042.nokbd"
append+=" i8042.nopnp tsc=reliable 8250.nr_uarts=2"
append+=" berth.src=$repo berth.run=$rundir"
[ $outmode = file ] && append+=" berth.out=file"
[ $tty = 1 ] && append+=" berth.tty=1"
[ -n "$modules" ] && append+=" berth.modules=$modules"
[ -n "${VM_APPEND:-}" ] && append+=" $VM_APPEND"

qpid=""
cleanup() {
	local rc=$?
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	[ -f "$rundir/console.log" ] && cp "$rundir/console.log" "$vmdir/last-console.log"
	if [ -f "$rundir/output" ]; then
		cp "$rundir/output" "$vmdir/last-output.log"
	elif [ -f "$rundir/serial.log" ]; then
		cp "$rundir/serial.log" "$vmdir/last-output.log"
	fi
	[ $keep = 1 ] || rm -rf "$rundir"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# qemu's stdin: the terminal with -i, else nothing.
if [ $tty = 1 ]; then exec 3<&0; else exec 3</dev/null; fi
# timeout(1) sends SIGTERM to qemu (and SIGKILL 10 s later); it is started in
# the background so that the traps above run at once on a signal.
start_qemu() {
	timeout --foreground -k 10 "$timeout_s" qemu-system-x86_64 \
		-nodefaults -nographic -no-user-config -net none -no-reboot \
		-M "${VM_MACHINE:-pc}" -cpu "${VM_CPU:-max}" -m "${VM_MEM:-1G}" -smp "${VM_SMP:-2}" \
		-kernel "$vmdir/vmlinux" -initrd "$vmdir/initramfs.cpio" -append "$append" \
		-chardev file,id=con,path="$rundir/console.log" -device isa-serial,chardev=con \
		-chardev stdio,id=out,signal=off,logfile="$rundir/serial.log" -device isa-serial,chardev=out \
		-fsdev local,id=src,path="$repo",security_model=none \
		-device virtio-9p-pci,fsdev=src,mount_tag=src \
		-fsdev local,id=usr,path=/usr,security_model=none,readonly=on \
		-device virtio-9p-pci,fsdev=usr,mount_tag=usr \
		-fsdev local,id=etc,path=/etc,security_model=none,readonly=on \
		-device virtio-9p-pci,fsdev=etc,mount_tag=etc \
		<&3 &
	qpid=$!
}

# Under software emulation a boot now and then never reaches the command
# (seen once in ~20 boots, on a loaded host): the init touches
# $rundir/started just before the command; a boot that has not done so
# within VM_BOOT_TIMEOUT seconds is killed and tried again, twice at most.
boot_timeout=${VM_BOOT_TIMEOUT:-180}
qrc=0
for attempt in 1 2 3; do
	rm -f "$rundir/started" "$rundir/status"
	start_qemu
	waited=0
	while kill -0 "$qpid" 2>/dev/null && [ ! -e "$rundir/started" ] &&
		[ $waited -lt "$boot_timeout" ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if [ -e "$rundir/started" ] || [ -e "$rundir/status" ] ||
		! kill -0 "$qpid" 2>/dev/null; then
		break
	fi
	echo "run-in-vm.sh: boot $attempt did not reach the command in $boot_timeout s; retrying" >&2
	kill -TERM "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
done
qrc=0
wait "$qpid" || qrc=$?
qpid=""

if [ -f "$rundir/status" ]; then
	rc=$(cat "$rundir/status")
	[ $outmode = file ] && [ -f "$rundir/output" ] && cat "$rundir/output"
	[ "$rc" = 125 ] && tail -n 40 "$rundir/console.log" >&2
	exit "$rc"
fi
if [ $qrc = 124 ]; then
	echo "run-in-vm.sh: timed out after $timeout_s s; the console's end:" >&2
else
	echo "run-in-vm.sh: the VM stopped (qemu status $qrc) without the command's status; the console's end:" >&2
fi
tail -n 40 "$rundir/console.log" >&2 || true
[ $qrc = 124 ] && exit 124
exit 125
