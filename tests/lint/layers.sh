#!/usr/bin/env bash
# The layering rule (docs/architecture.md): cmd -> runtime -> {namespaces,
# cgroups, oci} -> util.  No file includes a header from a layer above its
# own; in the middle layer only oci/ (the plain config structs) may be
# included sideways.
set -u
cd "$(dirname "$0")/../.."
rank() {
	case $1 in
	util/*) echo 0 ;;
	oci/*) echo 1 ;;
	namespaces/* | cgroups/*) echo 2 ;;
	runtime/*) echo 3 ;;
	cmd/*) echo 4 ;;
	*) echo 9 ;;
	esac
}
bad=0
for f in $(git ls-files '*.c' '*.h' | grep -v '^tests/'); do
	rf=$(rank "$f")
	dir=${f%%/*}
	for inc in $(sed -n 's/^#include "\(.*\)"/\1/p' "$f"); do
		ri=$(rank "$inc")
		[ "${inc%%/*}" = "$dir" ] && continue
		if [ "$ri" -ge "$rf" ]; then
			echo "layers: $f includes $inc, which is not below it"
			bad=1
		fi
	done
done
[ $bad = 0 ] && echo "layers: ok"
exit $bad
