#!/usr/bin/env bash
# Size rules of the house style: no source file outside tests/ over 1,000
# lines, no function over 80 (a function body runs from a "{" to a "}" in
# column 0, as clang-format lays them out here).
set -u
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.c' '*.h' | grep -v '^tests/')
bad=0
for f in $files; do
	n=$(wc -l <"$f")
	if [ "$n" -gt 1000 ]; then
		echo "sizes: $f has $n lines (more than 1000)"
		bad=1
	fi
done
long=$(awk '/^\{/ { start = FNR; name = prev; next }
	/^\}/ { if (start && FNR - start - 1 > 80)
			printf "sizes: %s:%d: a function of %d lines: %s\n",
			       FILENAME, start, FNR - start - 1, name
		start = 0; next }
	{ if (!start) prev = $0 }' $files)
if [ -n "$long" ]; then
	echo "$long"
	bad=1
fi
[ $bad = 0 ] && echo "sizes: ok"
exit $bad
