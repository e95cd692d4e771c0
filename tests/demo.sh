#!/usr/bin/env bash
# demo.sh BUILD_DIR — run one busybox container with BUILD_DIR/berth and show
# what it sees: hostname, its PID, ps, and its mount table.
# RUNTIME=runc tests/demo.sh build   runs the same demo with another runtime.
set -euo pipefail

build=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
runtime=${RUNTIME:-$build/berth}

"$here/integration/mkrootfs.sh" "$build/rootfs"

bundle=$(mktemp -d /tmp/berth-demo.XXXXXX)
root=$(mktemp -d /run/berth-demo.XXXXXX)
id=demo-$$
cleanup() {
	"$runtime" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$bundle" "$root"
}
trap cleanup EXIT

"$runtime" spec --bundle "$bundle"
jq --arg r "$build/rootfs" --arg cg "berth-demo-$$" '
	.root.path = $r | .root.readonly = true
	| .process.terminal = false
	| .hostname = "berth-demo"
	| .linux.cgroupsPath = $cg
	| .process.args = ["sh", "-c", "echo \"== hostname: $(hostname)\"; echo \"== my PID (echo \\$\\$): $$\"; echo \"== ps\"; ps; echo \"== mounts (/proc/self/mounts)\"; cat /proc/self/mounts"]' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

echo "== $runtime run --bundle $bundle $id"
status=0
"$runtime" --root "$root" run --bundle "$bundle" "$id" || status=$?
echo "== container exited with status $status"
if [ -n "$("$runtime" --root "$root" list -q)" ]; then
	echo "demo: container left behind" >&2
	exit 1
fi
echo "== container removed"
exit "$status"
