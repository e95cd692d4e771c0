#pragma once
/*
 * Idmapped mounts (config.json mounts[].uidMappings/gidMappings, options
 * "idmap" and "ridmap"; OCI runtime-spec 1.3 config.md "Mounts").
 *
 * The mapping is written to a fresh user namespace's uid_map/gid_map as
 * it stands ("containerID hostID size"), as runc and crun do: an id
 * stored in the filesystem that falls in [containerID, containerID+size)
 * is seen through the mount as hostID + (id - containerID) in the initial
 * user namespace, and a file created through the mount by host id h is
 * stored as the containerID that maps to h.  With the container's own
 * mappings (linux.uidMappings 0 -> 100000), files owned by 0 on disk are
 * owned by the container's root.
 *
 * The kernel only lets a process that is privileged over both the
 * filesystem (the host's user namespace) and the mapping's user namespace
 * set MOUNT_ATTR_IDMAP, on a detached mount.  A container child in its own
 * user namespace is neither, so the parent builds every idmapped tree
 * before clone (mounts_plan_idmaps()); the child inherits the fds,
 * applies the per-mount flags and attaches them (mounts_do_mounts()).
 */
#include <stddef.h>

#include "oci/config.h"
#include "runtime/rootfs/mounts.h"
#include "util/error.h"

/* A user namespace whose uid_map / gid_map are @uid / @gid (both
 * non-empty), as an O_RDONLY|O_CLOEXEC fd in *ret_fd.  A helper process is
 * cloned into a new user namespace, its maps written from here, its
 * /proc/<pid>/ns/user opened; it is then killed and reaped. */
int idmap_userns_open(const struct oci_id_mapping *uid, size_t nu,
		      const struct oci_id_mapping *gid, size_t ng, int *ret_fd,
		      struct berth_error *err);

/* A detached copy of the mount(s) at @srcfd (recursive: the whole tree,
 * AT_RECURSIVE) made idmapped with the user namespace @userns_fd; with
 * @recursive_idmap the mapping applies to every submount too ("ridmap"),
 * otherwise to the top mount only.  The mount fd is stored in *ret_fd. */
int idmap_clone_tree(int srcfd, bool recursive, bool recursive_idmap,
		     int userns_fd, int *ret_fd, struct berth_error *err);

/* True when mounts[] entry @m asks for an idmapped mount (uidMappings,
 * gidMappings, "idmap" or "ridmap"). */
bool idmap_wanted(const struct oci_mount *m);

/* Parent, before clone: for every mounts[] entry that asks for it, check
 * it (bind mounts only; uidMappings with gidMappings; "idmap" without
 * mappings needs the container's user namespace, whose linux.uidMappings
 * or joined namespace is then used), and build its detached idmapped tree
 * into plan->idmap_fds[i] (-1 for the others).  One user namespace is
 * made per distinct mapping.  Needs plan->spec and plan->bundle; does
 * nothing (idmap_fds stays NULL) when no mount asks.  On failure nothing
 * is left open.  Errors read "mount 3 (/data): ...". */
int mounts_plan_idmaps(struct mounts_plan *plan, struct berth_error *err);

/* Close every fd of plan->idmap_fds and free it (NULL after).  The parent
 * calls it after clone; mounts_plan_close() calls it in the child. */
void mounts_plan_idmaps_close(struct mounts_plan *plan);
