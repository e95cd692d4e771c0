#pragma once
/*
 * The id maps of a user namespace made by a caller without privilege (a
 * rootless berth, effective uid != 0), as runc does it:
 *
 * - a single mapping of the caller's own effective uid (gid) of size 1 is
 *   written to /proc/<pid>/uid_map (gid_map) directly, the gid map after
 *   "deny" went to /proc/<pid>/setgroups, as the kernel requires of an
 *   unprivileged writer (user_namespaces(7));
 * - anything wider (ranges from /etc/subuid, /etc/subgid) goes through the
 *   setuid helpers newuidmap / newgidmap (Debian's uidmap package), which
 *   check the caller's ranges; the helper's own message is shown when it
 *   refuses.
 *
 * The child stays dumpable while the maps are written (runtime/child.c):
 * a non-dumpable process's /proc files belong to root.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* True when @m (@n entries) maps only @id, once: what the kernel lets an
 * unprivileged process write itself. */
bool ns_map_is_own_id(const struct oci_id_mapping *m, size_t n, uint32_t id);

/* Write @pid's uid_map and gid_map from @linux_ as described above.
 * Errors: "uid mappings (3 entries): newuidmap 1234 0 1000 1 1 100000
 * 65536: newuidmap: uid range [1-65537) -> [100000-165536) not allowed"
 * (the helper's stderr, or its exit status), "...: newuidmap not found
 * (install the uidmap package)". */
int ns_write_id_maps_rootless(pid_t pid, const struct oci_linux *linux_,
			      struct berth_error *err);
