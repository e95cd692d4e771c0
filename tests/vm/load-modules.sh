#!/bin/sh
# load-modules.sh FILE — in the test VM: insmod the modules FILE lists
# (tests/vm/criu.modules; '#' comments) and what they depend on, from the
# kernel package under build/vm (modorder.sh).  Already loaded: skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd -P)
vmdir=${VM_DIR:-$here/../../build/vm}
kver=$(cat /.vm/kernel.version 2>/dev/null || cat "$vmdir/kernel.version")
mods=$(sed 's/#.*//' "${1:?usage: load-modules.sh FILE}")
INSMOD=insmod
[ -x /.vm/bin/insmod ] && INSMOD=/.vm/bin/insmod
rc=0
for p in $("$here/modorder.sh" "$vmdir/modules.index" $mods); do
	name=$(basename "$p" .ko | tr - _)
	grep -q "^$name " /proc/modules && continue
	"$INSMOD" "$vmdir/kernel/lib/modules/$kver/$p" || {
		echo "load-modules.sh: insmod $p failed" >&2
		rc=1
	}
done
exit $rc
