#!/usr/bin/env bash
# mkrootfs.sh DIR — build a minimal busybox root filesystem in DIR.
#
# Uses the statically linked busybox from Debian's busybox-static package.
# Idempotent: a stamp file records the busybox binary and this script's
# version; when both match, nothing is done (so it is cheap to call from every
# test file). Concurrent callers are serialised with flock on DIR.lock.
set -euo pipefail

dir=${1:?usage: mkrootfs.sh DIR}
stamp_version=2

busybox=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
		busybox=$b
		break
	fi
done
if [ -z "$busybox" ]; then
	# file(1) may be missing: fall back to trusting the busybox-static path.
	[ -x /bin/busybox ] && busybox=/bin/busybox
fi
if [ -z "$busybox" ]; then
	echo "mkrootfs.sh: no static busybox; apt-get install busybox-static" >&2
	exit 1
fi

want="v$stamp_version $(sha256sum "$busybox" | cut -d' ' -f1)"

mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9

if [ -f "$dir/.berth-rootfs-stamp" ] && [ "$(cat "$dir/.berth-rootfs-stamp")" = "$want" ]; then
	exit 0
fi

tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/test,var/tmp,mnt,run}
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
chmod 0700 "$tmp/root"
chown 1000:1000 "$tmp/home/test"
cp "$busybox" "$tmp/bin/busybox"
chmod 0755 "$tmp/bin/busybox"

# One symlink per applet, where busybox says it lives (bin/, sbin/, usr/bin/...).
"$busybox" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	[ -e "$tmp/$applet" ] || [ -L "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
done
# /bin/sh must exist whatever the list says.
[ -e "$tmp/bin/sh" ] || ln -s /bin/busybox "$tmp/bin/sh"

cat >"$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
test:x:1000:1000:test user:/home/test:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$tmp/etc/group" <<'EOF'
root:x:0:
test:x:1000:
extra:x:1001:test
nogroup:x:65534:
EOF
cat >"$tmp/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
: >"$tmp/etc/resolv.conf"
echo berth >"$tmp/etc/hostname"
chmod 0755 "$tmp"

echo "$want" >"$tmp/.berth-rootfs-stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
