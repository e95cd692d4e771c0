#!/usr/bin/env bash
# mkdebroot.sh DIR — a Debian root filesystem with gcc and make in DIR, for
# sandbox.bats' untrusted-build scenario.
#
# debootstrap (minbase, the host's suite) from Debian's archive, plus gcc,
# make and libc6-dev.  Cached: a stamp file records the suite and this
# script's version; when both match nothing is done.  Concurrent callers
# are serialised with flock on DIR.lock.  Takes a few minutes the first
# time; set BERTH_TEST_DEBROOT to reuse one elsewhere.
set -euo pipefail

dir=${1:?usage: mkdebroot.sh DIR}
stamp_version=1
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
mirror=${DEBOOTSTRAP_MIRROR:-http://deb.debian.org/debian}
want="v$stamp_version $suite"

command -v debootstrap >/dev/null || {
	echo "mkdebroot.sh: no debootstrap; apt-get install debootstrap (make deps)" >&2
	exit 1
}
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
if [ -f "$dir/.berth-stamp" ] && [ "$(cat "$dir/.berth-stamp")" = "$want" ]; then
	exit 0
fi
tmp="$dir.tmp"
rm -rf "$tmp" "$dir"
debootstrap --variant=minbase --include=gcc,make,libc6-dev \
	"$suite" "$tmp" "$mirror" >"$dir.log" 2>&1 || {
	echo "mkdebroot.sh: debootstrap failed; see $dir.log" >&2
	exit 1
}
rm -rf "$tmp/var/cache/apt/archives/"*.deb
echo "$want" >"$tmp/.berth-stamp"
mv "$tmp" "$dir"
