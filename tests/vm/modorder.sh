#!/bin/sh
# modorder.sh INDEX NAME... — print the modules NAME... and everything they
# depend on, one path a line, in an order insmod can load them (dependencies
# first, each once).
#
# INDEX is modules.index, written by setup.sh from the kernel package (which
# ships no modules.dep: depmod runs in its postinst): one line per module,
#   NAME PATH DEPS
# NAME with '_' for '-', PATH relative to /lib/modules/VERSION (or "builtin"),
# DEPS the comma-separated `depends=` of the module's .modinfo ("-": none).
# Builtin modules print nothing. POSIX sh and awk: runs on the host and in
# the guest (busybox).
index=${1:?usage: modorder.sh INDEX NAME...}
shift
awk -v want="$*" '
	{ path[$1] = $2; deps[$1] = ($3 == "-" ? "" : $3) }
	function visit(m,   n, i, d) {
		gsub("-", "_", m)
		if (m in done) return
		if (!(m in path)) {
			print "modorder.sh: no module " m > "/dev/stderr"
			err = 1
			return
		}
		done[m] = 1
		n = split(deps[m], d, ",")
		for (i = 1; i <= n; i++) if (d[i] != "") visit(d[i])
		if (path[m] != "builtin") print path[m]
	}
	END {
		n = split(want, w, /[ ,]+/)
		for (i = 1; i <= n; i++) if (w[i] != "") visit(w[i])
		exit err
	}' "$index"
