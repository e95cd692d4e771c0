#pragma once
/*
 * Linux namespaces for the container: which to create, which to join, the
 * user namespace id maps and the time namespace offsets.
 *
 * The parent builds a plan (opening every namespace path up front, so a
 * bad path fails before anything is created); the child acts on it.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

struct ns_plan {
	/* CLONE_NEW* flags of the namespaces to create (time excluded: it is
	 * unshared by the child so its offsets can be written first). */
	unsigned long new_flags;
	bool new_time;
	/* The cgroup namespace too is unshared by the child, once it is in the
	 * container's cgroup: the namespace's root is the cgroup it is in. */
	bool new_cgroup;
	bool new_user;
	/* fds of namespaces to join, -1 when not joined; indexed by
	 * enum oci_ns_type. */
	int join_fd[OCI_NS_COUNT];
};

unsigned long ns_clone_flag(enum oci_ns_type type);

/* Fill @plan from linux.namespaces; opens and type-checks every path. */
int ns_plan_build(const struct oci_spec *spec, struct ns_plan *plan,
		  struct berth_error *err);
/* exec: a plan that joins every namespace of linux.namespaces as the
 * running process @pid has it (/proc/<pid>/ns/...), but those we share with
 * it already.  Nothing is created. */
int ns_plan_from_pid(const struct oci_spec *spec, pid_t pid,
		     struct ns_plan *plan, struct berth_error *err);
void ns_plan_close(struct ns_plan *plan);

/* True when the container gets its own namespace of @type (new or joined). */
bool ns_plan_has(const struct ns_plan *plan, enum oci_ns_type type);

/* setns() into one joined namespace (no-op when not joined). */
int ns_join_one(const struct ns_plan *plan, enum oci_ns_type type,
		struct berth_error *err);
/* setns() into every joined namespace except user and pid, in an order that
 * works (mount last). */
int ns_join_rest(const struct ns_plan *plan, struct berth_error *err);

/* Parent: write /proc/<pid>/uid_map and gid_map from linux.*Mappings. */
int ns_write_id_maps(pid_t pid, const struct oci_linux *linux_,
		     struct berth_error *err);

/* Child: unshare(CLONE_NEWTIME) and write linux.timeOffsets; the process
 * enters the new time namespace at its next execve. */
int ns_new_time(const struct oci_linux *linux_, struct berth_error *err);

/* clone3(2) with @flags (CLONE_NEW*, CLONE_PARENT...) and SIGCHLD, like
 * fork(): returns the child's pid in the parent, 0 in the child, -errno.
 * @cgroup_fd >= 0 adds CLONE_INTO_CGROUP. */
pid_t ns_clone(unsigned long flags, int cgroup_fd);
