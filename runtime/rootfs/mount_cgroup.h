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

/* Where the cgroup mount takes its sources from.
 * @mountinfo: the cgroup v1 lines of the mount table as it was before the
 * container's mounts were made (mount_cgroup_read_table(): the parent's
 * before clone, or a joined mount namespace's before the mounts step).
 * The live table is no guide once mounts[] ran: an rbind of /sys copies
 * every hierarchy into the rootfs, and the tmpfs at /sys/fs/cgroup hides
 * the copies.
 * @cgroup: /proc/self/cgroup as the child saw it before it unshared its
 * cgroup namespace: inside one, paths are relative to the namespace's
 * root, so the host's paths of the container's cgroups must be read
 * before.  NULL fields: read them now (live). */
struct cgroup_view {
	const char *cgroup;    /* /proc/self/cgroup */
	const char *mountinfo; /* cgroup v1 lines of /proc/self/mountinfo */
};

/* The cgroup v1 lines of /proc/self/mountinfo now, malloc'd. */
int mount_cgroup_read_table(char **ret, struct berth_error *err);
/* The same from a table already read (@mountinfo), malloc'd. */
int mount_cgroup_table_from(const char *mountinfo, char **ret);

int mount_cgroup(const struct oci_mount *m, const struct mount_opts *o,
		 int destfd, const struct cgroup_view *view,
		 struct berth_error *err);
