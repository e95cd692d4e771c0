#pragma once
/*
 * The one backend interface: the operations on one hierarchy's cgroup that
 * v1.c (cg_backend_v1) and v2.c (cg_backend_v2) each provide.  The manager
 * (cgroups.c) picks one per hierarchy, once, when it knows the hierarchies
 * (cgroup2: v2; any other: v1 -- so a hybrid host's controller
 * hierarchies get v1 and its unified one v2), and from then on cgroups.c,
 * create.c and ops.c call only through it.  A backend sees one struct
 * cg_hier, never the manager; it stands on io.h, dir.h and writers.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "cgroups/path.h"
#include "oci/config.h"
#include "util/error.h"

/* The groups of linux.resources, in the order cg_apply() writes them:
 * cpuset before anything that moves tasks; pids early. */
enum cg_group {
	CG_GROUP_CPUSET,
	CG_GROUP_MEMORY,
	CG_GROUP_CPU,
	CG_GROUP_PIDS,
	CG_GROUP_BLKIO,
	CG_GROUP_HUGETLB,
	CG_GROUP_RDMA,
	CG_GROUP_NET_CLS,
	CG_GROUP_NET_PRIO,
	CG_GROUP_DEVICES,
	CG_GROUP_UNIFIED,
	CG_GROUP_N,
};

/* How a backend writes one group: a row of its resource-group table. */
struct cg_writer {
	/* The controller the hierarchy needs, in the backend's spelling
	 * ("blkio", "io"); "" for none (v2's device program, unified). */
	const char *ctl;
	/* NULL: this backend cannot write the group. */
	int (*apply)(const struct cg_hier *h, const struct oci_resources *res,
		     struct berth_error *err);
	/* Optional: more controllers @res needs for the group, appended to
	 * the space-separated list in @buf (v2 unified: each key's). */
	void (*need)(const struct oci_resources *res, char *buf, size_t size);
};

struct cg_backend {
	const char *name; /* "cgroup v1", "cgroup v2" */
	/* The resource-group table, CG_GROUP_N rows indexed by enum
	 * cg_group. */
	const struct cg_writer *writers;
	/* Whether @h has the controller @ctl ("" : always). */
	bool (*has)(const struct cg_hier *h, const char *ctl);
	/* The controller that freezes ("" : the cgroup itself). */
	const char *freezer;

	/* mkdir the cgroup (counting h->created), open h->fd, refuse one that
	 * exists with processes in it; @need: the controllers the resources
	 * want from this hierarchy, space-separated (v2 enables them in the
	 * parents' subtree_control; a v1 hierarchy comes with its own). */
	int (*create)(struct cg_hier *h, const char *need,
		      struct berth_error *err);
	/* Move @pid (the whole thread group) into the cgroup. */
	int (*enter)(const struct cg_hier *h, pid_t pid,
		     struct berth_error *err);
	/* The file a single-threaded process writes "0" to, to move itself
	 * (cg_enter_self()): v1 "tasks", v2 "cgroup.procs". */
	const char *self_file;
	/* Freeze or thaw, and wait until the kernel reports it (~5 s, else
	 * -ETIMEDOUT). */
	int (*freeze)(const struct cg_hier *h, bool frozen,
		      struct berth_error *err);
	int (*is_frozen)(const struct cg_hier *h, bool *ret);
	/* Whether a task in the cgroup is held frozen now, by the cgroup's
	 * own freezer or an ancestor's, whoever set it: *@ret_by the frozen
	 * one ("<mount><path>", malloc'd; the cgroup's own when no ancestor
	 * says), NULL when nothing holds it.  0 or -errno. */
	int (*frozen_by)(const struct cg_hier *h, char **ret_by);
	/* Signal every process at once: 1 done, 0 when the kernel cannot
	 * (the manager then freezes, signals each pid, thaws), or -errno.
	 * NULL: never can. */
	int (*kill)(const struct cg_hier *h, int sig, struct berth_error *err);
	/* Add what @h reports to @st (fields it does not know stay). */
	int (*stats)(const struct cg_hier *h, struct cg_stats *st,
		     struct berth_error *err);
	/* rmdir the cgroup, its sub-cgroups and the directories berth made
	 * above it (as far as they are empty). */
	int (*destroy)(struct cg_hier *h, struct berth_error *err);
};
