#!/usr/bin/env bash
# setup.sh — prepare the cgroup v2 test VM under build/vm (idempotent).
#
#   1. apt-get install what is missing: qemu-system-x86 (software emulation:
#      no /dev/kvm needed), busybox-static, xz-utils.
#   2. The Debian kernel linux-image-6.1.0-N-amd64 (the generic flavour: the
#      cloud one has no 9p), fetched with `apt-get download`, unpacked with
#      dpkg-deb -x into build/vm/kernel; the uncompressed ELF vmlinux
#      extracted from its vmlinuz (qemu boots it through PVH: ~2 s instead of
#      ~10 s of emulated xz decompression); modules.index for modorder.sh.
#   3. build/vm/initramfs.cpio: busybox, tests/vm/init and the virtio, 9p and
#      overlay modules (with their dependencies, from the package).
#
# Everything is cached: a second run checks a few timestamps and returns.
# Environment:
#   VM_KERNEL_PKG   kernel package to use (default: the one the cache holds,
#                   else the linux-image-6.1.0-N-amd64 that apt's
#                   linux-image-amd64 depends on, else the newest apt knows)
#   VM_DIR          where to put it all (default REPO/build/vm; must be inside
#                   the repository, which the guest sees at the same path)
#   VM_QUIET=1      print nothing when everything is cached
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
vmdir=${VM_DIR:-$repo/build/vm}
mkdir -p "$vmdir"
vmdir=$(cd "$vmdir" && pwd -P)
case $vmdir/ in
"$repo"/*) ;;
*)
	echo "setup.sh: VM_DIR ($vmdir) must be inside $repo" >&2
	exit 1
	;;
esac

# The modules the initramfs loads: virtio PCI transport, 9p over virtio,
# overlay (for the writable /etc), loop (a block device for io.max tests).
# modorder.sh adds what they depend on (virtio, virtio_ring, netfs, ...).
INITRAMFS_MODULES="virtio_pci 9pnet_virtio 9p overlay loop"

say() { [ "${VM_QUIET:-0}" = 1 ] || echo "setup.sh: $*" >&2; }
loud() { echo "setup.sh: $*" >&2; }

exec 8>"$vmdir/setup.lock"
flock 8

# ------------------------------------------------------------- 1. packages

apt_updated=0
apt_update() {
	[ $apt_updated = 1 ] && return 0
	loud "apt-get update"
	apt-get update -qq
	apt_updated=1
}

need_pkgs=()
for p in qemu-system-x86 busybox-static xz-utils; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: missing ${need_pkgs[*]}; run as root (apt-get install)" >&2
		exit 1
	fi
	loud "apt-get install ${need_pkgs[*]}"
	apt_install() {
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	}
	apt_install "${need_pkgs[@]}" || { apt_update && apt_install "${need_pkgs[@]}"; }
fi

# --------------------------------------------------------------- 2. kernel

kernel_ok() {
	[ -s "$vmdir/kernel.pkg" ] && [ -s "$vmdir/vmlinux" ] && [ -s "$vmdir/modules.index" ] &&
		[ -f "$vmdir/kernel.version" ]
}

pick_kernel_pkg() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$p" ]; then
		p=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' 2>/dev/null |
			cut -d' ' -f1 | sort -V | tail -n 1)
	fi
	echo "$p"
}

want_pkg=${VM_KERNEL_PKG:-}
if [ -z "$want_pkg" ] && kernel_ok; then
	want_pkg=$(cat "$vmdir/kernel.pkg")
fi
if ! kernel_ok || [ "$(cat "$vmdir/kernel.pkg")" != "$want_pkg" ]; then
	t0=$SECONDS
	if [ -z "$want_pkg" ]; then
		want_pkg=$(pick_kernel_pkg)
		if [ -z "$want_pkg" ]; then
			apt_update
			want_pkg=$(pick_kernel_pkg)
		fi
		[ -n "$want_pkg" ] || {
			echo "setup.sh: apt knows no linux-image-6.1.0-N-amd64 (Debian 12 archive?)" >&2
			exit 1
		}
	fi
	case $want_pkg in
	*cloud*) loud "warning: $want_pkg: the cloud flavour has no 9p; expect the boot to fail" ;;
	esac
	loud "fetching $want_pkg"
	rm -rf "$vmdir/dl" "$vmdir/kernel.tmp" "$vmdir/kernel" "$vmdir/kernel.pkg"
	mkdir -p "$vmdir/dl"
	download() { (cd "$vmdir/dl" && apt-get download -q -o APT::Sandbox::User=root "$want_pkg" >/dev/null); }
	download || { apt_update && download; }
	deb=$(ls "$vmdir"/dl/*.deb)
	dpkg-deb -x "$deb" "$vmdir/kernel.tmp"
	rm -rf "$vmdir/dl"
	kver=$(ls "$vmdir/kernel.tmp/lib/modules")
	[ "$(echo "$kver" | wc -w)" = 1 ] || {
		echo "setup.sh: expected one module tree in $want_pkg, got: $kver" >&2
		exit 1
	}
	"$here/extract-vmlinux.sh" "$vmdir/kernel.tmp/boot/vmlinuz-$kver" "$vmdir/vmlinux.tmp"
	# modules.index: NAME PATH DEPS (see modorder.sh).
	(
		cd "$vmdir/kernel.tmp/lib/modules/$kver"
		if [ -z "$(find kernel -name '*.ko' -print -quit)" ]; then
			echo "setup.sh: no uncompressed .ko in $want_pkg (compressed modules are not handled)" >&2
			exit 1
		fi
		find kernel -name '*.ko' | sort | perl -ne '
			chomp; my $p = $_;
			open(my $f, "<:raw", $p) or die "$p: $!";
			local $/; my $b = <$f>; close $f;
			my ($d) = $b =~ /\0depends=([^\0]*)\0/;
			(my $n = $p) =~ s{.*/|\.ko$}{}g; $n =~ tr/-/_/;
			printf "%s %s %s\n", $n, $p, (defined $d && $d ne "") ? $d : "-";'
		sed 's|.*/||; s|\.ko$||; s|-|_|g; s|$| builtin -|' modules.builtin
	) >"$vmdir/modules.index.tmp"
	mv "$vmdir/kernel.tmp" "$vmdir/kernel"
	mv "$vmdir/vmlinux.tmp" "$vmdir/vmlinux"
	mv "$vmdir/modules.index.tmp" "$vmdir/modules.index"
	echo "$kver" >"$vmdir/kernel.version"
	echo "$want_pkg" >"$vmdir/kernel.pkg"
	loud "kernel $kver ready ($((SECONDS - t0)) s)"
else
	say "kernel $(cat "$vmdir/kernel.version") (cached)"
fi
kver=$(cat "$vmdir/kernel.version")
moddir=$vmdir/kernel/lib/modules/$kver

# ------------------------------------------------------------ 3. initramfs

busybox=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! LC_ALL=C ldd "$b" >/dev/null 2>&1; then
		busybox=$b # `ldd` fails on a static binary
		break
	fi
done
[ -n "$busybox" ] || {
	echo "setup.sh: no static busybox (apt-get install busybox-static)" >&2
	exit 1
}

out=$vmdir/initramfs.cpio
stale=0
[ -s "$out" ] || stale=1
for f in "$here/init" "$here/modorder.sh" "$here/setup.sh" "$busybox" "$vmdir/kernel.pkg"; do
	[ "$f" -nt "$out" ] && stale=1
done
# The host's top-level symlinks into /usr (merged /usr), recreated in the guest.
links=""
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		links="$links $d=$(readlink "/$d")"
	elif [ -e "/$d" ]; then
		echo "setup.sh: /$d is not a symlink into /usr (merged /usr needed: the guest sees only /usr)" >&2
		exit 1
	fi
done
[ "$(cat "$vmdir/rootlinks" 2>/dev/null)" = "$links" ] || stale=1

if [ $stale = 1 ]; then
	t0=$SECONDS
	st=$vmdir/initramfs.tmp
	rm -rf "$st"
	mkdir -p "$st"/{.vm/bin,.vm/modules,proc,sys,dev,newroot}
	cp "$busybox" "$st/.vm/bin/busybox"
	ln -s busybox "$st/.vm/bin/sh"
	install -m 0755 "$here/init" "$st/init"
	install -m 0755 "$here/modorder.sh" "$st/.vm/bin/modorder.sh"
	: >"$st/.vm/modules/order"
	for p in $("$here/modorder.sh" "$vmdir/modules.index" $INITRAMFS_MODULES); do
		cp "$moddir/$p" "$st/.vm/modules/"
		basename "$p" >>"$st/.vm/modules/order"
	done
	echo "$links" >"$st/.vm/rootlinks"
	echo "$kver" >"$st/.vm/kernel.version"
	[ "$(id -u)" = 0 ] && mknod -m 0600 "$st/dev/console" c 5 1
	# cpio newc, uncompressed: the emulated CPU unpacks it faster than it
	# would gunzip it.
	(cd "$st" && find . | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$links" >"$vmdir/rootlinks"
	sed 's/\.ko$//' "$st/.vm/modules/order" | tr '\n' ' ' >"$vmdir/initramfs.modules"
	rm -rf "$st"
	loud "initramfs ready: $(wc -c <"$out") bytes, modules: $(cat "$vmdir/initramfs.modules") ($((SECONDS - t0)) s)"
else
	say "initramfs (cached)"
fi
