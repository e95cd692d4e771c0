#pragma once
/*
 * What berth opens with the host's privileges, in the parent, before
 * clone: the child, once in its own user namespace, is "other" to every
 * host file, and could not open a bind source below a directory only host
 * root may search (mode 0700 or 000), nor a host device node there.
 *
 * - every bind mount's source (not idmapped ones: runtime/idmap.h makes
 *   those), as a detached clone (open_tree OPEN_TREE_CLONE, AT_RECURSIVE
 *   for rbind) that the child gives its flags and attaches;
 * - in a user namespace, a detached clone of the host's node of each
 *   device the child binds (devices.c: the defaults, then linux.devices).
 *
 * The clones are made slaves of the host's mounts (as the child's copy of
 * "/" is: rslave), so nothing the container mounts on them propagates to
 * the host, unless linux.rootfsPropagation is shared or rshared.  A
 * source is resolved in berth's mount namespace as it is at create, before
 * any of the container's mounts (as runc does with a user namespace).
 */
#include <stddef.h>

#include "runtime/rootfs/mounts.h"
#include "util/error.h"

/* Fill plan->bind_fds and (with plan->in_userns) plan->dev_fds.  Needs
 * plan->spec and plan->bundle; does nothing without a mount namespace.
 * On failure nothing is left open; errors read "mount 3 (/data): open
 * bind source '/x': ...". */
int mounts_plan_host(struct mounts_plan *plan, struct berth_error *err);

/* Close and free what mounts_plan_host() made (safe after any call,
 * and on a zeroed plan).  The parent calls it after clone;
 * mounts_plan_close() calls it in the child. */
void mounts_plan_host_close(struct mounts_plan *plan);

/* @n fds, all -1, in *ret (NULL for n == 0).  Returns 0 or -ENOMEM. */
int host_fds_alloc(size_t n, int **ret);

/* Make the detached @tree (recursively) a slave of the host's mounts it
 * was cloned from, unless the root propagation is shared or rshared.
 * Returns 0 or -errno. */
int host_make_slave(const struct mounts_plan *plan, int tree);

/* A detached clone of @fd's mount (the whole tree with @recursive), made
 * a slave of the host's as the plan's root propagation says.  Returns the
 * tree fd or -errno. */
int host_clone(const struct mounts_plan *plan, int fd, bool recursive);
