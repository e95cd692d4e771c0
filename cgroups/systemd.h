#pragma once
/*
 * --systemd-cgroup: berth has no systemd driver, so it maps runc's systemd
 * form of linux.cgroupsPath, "slice:prefix:name", to the cgroupfs path
 * systemd would give that unit and manages that directory itself.  No I/O.
 */
#include "util/error.h"

/* "a-b.slice:p:n" -> "a.slice/a-b.slice/p-n.scope"; an empty slice is
 * "system.slice", "-.slice" the root slice; a name ending in ".slice" is
 * the unit itself (prefix ignored), as in runc.  NULL or "" means
 * "system.slice:berth:@id".  *ret is relative (no leading '/'); a bad
 * slice name or another form is -EINVAL, with the reason in @err. */
int cg_systemd_path(const char *cgroups_path, const char *id, char **ret,
		    struct berth_error *err);
