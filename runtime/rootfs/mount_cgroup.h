#pragma once
/*
 * A "cgroup" mounts[] entry.  On a cgroup v2 host, a cgroup2 filesystem
 * (or, where the kernel refuses it - a user namespace without a cgroup
 * namespace - a bind of the host's /sys/fs/cgroup).  On a v1 or hybrid
 * host, what runc does: a tmpfs at the destination and, for each v1
 * hierarchy mounted on the host, a bind of this process's own cgroup of
 * that hierarchy at <dest>/<hierarchy>, plus symlinks for co-mounted
 * controllers; read-only when the entry says "ro".  The host's hierarchies
 * themselves are never unmounted or remounted.
 */
#include "oci/config.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/error.h"

/* What the child saw of cgroups before it unshared its cgroup namespace:
 * inside one, paths are relative to the namespace's root, so the host's
 * paths of the container's cgroups must be read before.  NULL fields: read
 * them now. */
struct cgroup_view {
	const char *cgroup;    /* /proc/self/cgroup */
	const char *mountinfo; /* /proc/self/mountinfo */
};

int mount_cgroup(const struct oci_mount *m, const struct mount_opts *o,
		 int destfd, const struct cgroup_view *view,
		 struct berth_error *err);
