#!/usr/bin/env bash
# seeds.sh BERTH DIR — seed inputs for the fuzz targets, generated from
# `berth spec`, `berth spec --rootless` and the config edits the
# integration tests make (every single-quoted `update_config '...'` and
# `set_seccomp '...'` in tests/integration/*.bats, applied to the spec):
#   DIR/config/     config.json files
#   DIR/process/    their .process objects (exec --process)
#   DIR/resources/  their .linux.resources objects (update --resources)
# The committed corpus (tests/fuzz/corpus/) adds hand-written ones,
# state.json among them.  Needs jq and perl.
set -euo pipefail
berth=$(realpath "${1:?usage: seeds.sh BERTH DIR}")
out=${2:?usage: seeds.sh BERTH DIR}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"/{config,process,resources}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A file named by its content, as libFuzzer names corpus entries.
put() { # DIR FILE
	local sum
	sum=$(sha1sum "$2" | cut -d' ' -f1)
	mv "$2" "$1/$sum"
}

(cd "$tmp" && "$berth" spec && mv config.json spec.json &&
	"$berth" spec --rootless && mv config.json rootless.json)
perl -0777 -ne "print \"\$1\\0\" while /update_config '([^']*)'/g" \
	"$here"/../integration/*.bats >"$tmp/edits"
perl -0777 -ne "print \".linux.seccomp = \$1\\0\" while /set_seccomp '([^']*)'/g" \
	"$here"/../integration/*.bats >>"$tmp/edits"
cp "$tmp/spec.json" "$tmp/c.0"
cp "$tmp/rootless.json" "$tmp/c.1"
n=1
while IFS= read -r -d '' edit; do
	n=$((n + 1))
	jq -c "$edit" "$tmp/spec.json" >"$tmp/c.$n" 2>/dev/null ||
		rm -f "$tmp/c.$n"
done <"$tmp/edits"
for c in "$tmp"/c.*; do
	jq -c '.process // empty' "$c" >"$tmp/p" && [ -s "$tmp/p" ] && put "$out/process" "$tmp/p"
	jq -c '.linux.resources // empty' "$c" >"$tmp/r" && [ -s "$tmp/r" ] && put "$out/resources" "$tmp/r"
	put "$out/config" "$c"
done
echo "seeds.sh: $(ls "$out/config" | wc -l) configs, $(ls "$out/process" | wc -l) processes, $(ls "$out/resources" | wc -l) resources in $out"
