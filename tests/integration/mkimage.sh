#!/usr/bin/env bash
# mkimage.sh ROOTFS OUT.tar [NAME:TAG] — make a one-layer image archive of
# ROOTFS (the busybox rootfs of mkrootfs.sh) for the engine tests, offline.
#
# The archive is in the format `docker save` writes (manifest.json, the
# image config, one uncompressed layer.tar), which `docker load` and
# `ctr images import` both read. Nothing is pulled. The default name is
# berth-test/busybox:latest; the image runs `sh` by default.
set -euo pipefail

rootfs=${1:?usage: mkimage.sh ROOTFS OUT.tar [NAME:TAG]}
out=${2:?usage: mkimage.sh ROOTFS OUT.tar [NAME:TAG]}
name=${3:-berth-test/busybox:latest}

case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
armv7l) arch=arm ;;
*) arch=$(uname -m) ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-mkimage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The layer: the rootfs as root owns it, without mkrootfs.sh's stamp.
tar -C "$rootfs" --numeric-owner --sort=name --exclude=./.berth-rootfs-stamp \
	-cf "$tmp/layer.tar" .
layer=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
mkdir "$tmp/$layer"
mv "$tmp/layer.tar" "$tmp/$layer/layer.tar"

jq -n --arg arch "$arch" --arg diff "sha256:$layer" '{
	architecture: $arch, os: "linux",
	created: "2024-01-01T00:00:00Z",
	config: {
		Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["sh"], WorkingDir: "/"
	},
	rootfs: { type: "layers", diff_ids: [$diff] },
	history: [{ created: "2024-01-01T00:00:00Z", created_by: "tests/integration/mkimage.sh" }]
}' >"$tmp/config.json"
config=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
mv "$tmp/config.json" "$tmp/$config.json"

jq -n --arg c "$config.json" --arg l "$layer/layer.tar" --arg n "$name" \
	'[{ Config: $c, RepoTags: [$n], Layers: [$l] }]' >"$tmp/manifest.json"
repo=${name%:*}
tag=${name##*:}
jq -n --arg r "$repo" --arg t "$tag" --arg l "$layer" '{ ($r): { ($t): $l } }' \
	>"$tmp/repositories"

tar -C "$tmp" --numeric-owner --sort=name -cf "$out.tmp" \
	manifest.json repositories "$config.json" "$layer"
mv "$out.tmp" "$out"
