#pragma once
/*
 * The container's filesystem, built by the container child in its new mount
 * namespace.  Every path inside the rootfs is resolved inside it
 * (openat2 RESOLVE_IN_ROOT), missing mount points are created one component
 * at a time, and mounts are made onto the opened fd, so a symlink planted in
 * the rootfs can never redirect a mount onto the host.
 *
 * Before clone, in the parent: mounts_plan_idmaps() (runtime/idmap.h)
 * builds the idmapped mounts, which the child could not, and
 * mounts_plan_host() (runtime/rootfs/host.h) clones every other bind
 * source (and, in a user namespace, the host's device nodes) with the
 * host's privileges; the cgroup mount's hierarchies are read from the
 * mount table then too (cgroup_view).
 *
 * Call order (see runtime/child.c):
 *   mounts_prepare_rootfs -> mounts_do_mounts -> mounts_create_devices
 *   [-> mounts_bind_console] -> mounts_pivot_root -> mounts_mask_paths
 *   -> mounts_readonly_paths -> mounts_finalize_root
 *
 * Without a mount namespace (new_mount_ns false) nothing is mounted: the
 * host's mount table must not change, so prepare refuses a config that
 * asks for mounts, devices, masked or read-only paths, a read-only root or
 * a root propagation, and pivot_root becomes a plain chroot (as runc does
 * when it has no mount namespace).
 */
#include <stdbool.h>

#include "oci/config.h"
#include "runtime/rootfs/mount_cgroup.h"
#include "util/error.h"

struct mounts_plan {
	const struct oci_spec *spec;
	const char *rootfs; /* absolute host path of the rootfs */
	const char *bundle; /* absolute bundle dir: relative mount sources */
	bool in_userns;	    /* devices are bind-mounted, not mknod'ed */
	bool no_pivot;	    /* --no-pivot: MS_MOVE + chroot instead */
	bool new_mount_ns;
	/* cgroups as seen before the cgroup namespace was unshared: where the
	 * container's cgroups are on the host (v1 binds). */
	struct cgroup_view
	    cgroup_view; /* false: share the host's (no mount ns) */
	int rootfd;	 /* O_PATH fd of the rootfs, set by prepare */
	int devnull_fd;	 /* detached clone of the host's /dev/null (checked
			    to be char 1:3), set by prepare; masks files */
	/* Idmapped mounts: per mounts[] index, the detached idmapped tree
	 * built before clone by mounts_plan_idmaps() (runtime/idmap.h), or
	 * -1; NULL when no mount is idmapped (an idmapped mount is then
	 * refused).  The child attaches them; mounts_plan_close() closes. */
	int *idmap_fds;
	size_t idmap_fds_n;
	/* Opened before clone with the host's privileges by
	 * mounts_plan_host() (runtime/rootfs/host.h): per mounts[] index,
	 * the detached clone of a bind mount's source (-1: not a bind, or
	 * idmapped); in a user namespace, per device (the defaults, then
	 * linux.devices), the clone of the host's node (-1: none).  NULL:
	 * the child opens them itself.  mounts_plan_close() closes. */
	int *bind_fds;
	size_t bind_fds_n;
	int *dev_fds;
	size_t dev_fds_n;
};

/* Make / recursively slave (or what rootfsPropagation asks), make the
 * rootfs's parent mount private and bind-mount the rootfs onto itself;
 * opens plan->rootfd and plan->devnull_fd (both -1 first, so
 * mounts_plan_close() is safe after any prepare). */
int mounts_prepare_rootfs(struct mounts_plan *plan, struct berth_error *err);
/* Every mounts[] entry, in order, with its options. */
int mounts_do_mounts(struct mounts_plan *plan, struct berth_error *err);
/* The default devices (null zero full random urandom tty), /dev/ptmx ->
 * pts/ptmx, /dev/fd, stdin, stdout, stderr links, /dev/console when a
 * terminal is used, and linux.devices with their mode/uid/gid. */
int mounts_create_devices(struct mounts_plan *plan, struct berth_error *err);
/* Bind-mount the terminal's pty slave (@pty_slave_fd, any open fd of it)
 * onto <rootfs>/dev/console, creating the file if needed (a symlink there
 * is replaced, never followed).  After create_devices and before
 * finalize_root (which closes plan->rootfd); before or after pivot_root. */
int mounts_bind_console(struct mounts_plan *plan, int pty_slave_fd,
			struct berth_error *err);
/* pivot_root(2) into the rootfs and detach the old root (or, with no_pivot,
 * MS_MOVE and chroot). Afterwards "/" is the container's root. */
int mounts_pivot_root(struct mounts_plan *plan, struct berth_error *err);
/* linux.maskedPaths: /dev/null over files, a read-only empty tmpfs over
 * directories; missing paths are skipped. Called after pivot_root. */
int mounts_mask_paths(struct mounts_plan *plan, struct berth_error *err);
/* linux.readonlyPaths: bind the path onto itself and remount read-only. */
int mounts_readonly_paths(struct mounts_plan *plan, struct berth_error *err);
/* A read-only /dev (the /dev mount had "ro") is made read-only now that
 * its devices exist, then root.readonly, then linux.rootfsPropagation on
 * "/".  Closes the plan's fds. */
int mounts_finalize_root(struct mounts_plan *plan, struct berth_error *err);
/* Close plan->rootfd and plan->devnull_fd if open (after prepare only),
 * the idmapped trees and what mounts_plan_host() opened. */
void mounts_plan_close(struct mounts_plan *plan);

/* An O_PATH fd of a bind mount's @source (relative to plan->bundle when
 * not absolute), or -errno. */
int mounts_open_bind_source(const struct mounts_plan *plan, const char *source,
			    struct berth_error *err);
