#pragma once
/*
 * The container process itself: what the child does between the last mount
 * and execve.  The parent prepares (struct proc_plan) everything that can be
 * computed before clone; the child only applies it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/config.h"
#include "runtime/context.h"
#include "util/error.h"

struct proc_caps {
	bool set; /* process.capabilities present */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct proc_plan {
	const struct oci_process *proc;
	struct proc_caps caps;
	char **env; /* process.env, plus HOME when missing (filled in child) */
	gid_t *groups; /* process.user.additionalGids without repeats */
	size_t groups_n;
	int preserve_fds;
};

/* Parent: capability names to bit masks (a capability the running kernel
 * lacks is skipped with a warning through @ctx). */
int proc_plan_build(const struct rt_context *ctx, const struct oci_process *p,
		    int preserve_fds, struct proc_plan *plan,
		    struct berth_error *err);
void proc_plan_free(struct proc_plan *plan);

/* Child, inside the container (after pivot_root), as root: */
int proc_set_cwd(const struct proc_plan *plan, struct berth_error *err);
/* Parent: write process.oomScoreAdj for the waiting container process. */
int proc_write_oom_score_adj(const struct proc_plan *plan, pid_t pid,
			     struct berth_error *err);
int proc_set_rlimits(const struct proc_plan *plan, struct berth_error *err);
/* Find args[0] in the container's PATH; *ret_path is malloc'd. */
int proc_find_executable(const struct proc_plan *plan, char **ret_path,
			 struct berth_error *err);
/* HOME from the container's /etc/passwd when process.env has none. */
int proc_fill_home(struct proc_plan *plan, struct berth_error *err);
/* Bounding set, uid/gid/groups switch keeping the configured capabilities,
 * the other capability sets, umask, no_new_privs.  With @keep_sys_admin
 * (a seccomp filter still to load without no_new_privs, which the kernel
 * allows only with CAP_SYS_ADMIN) CAP_SYS_ADMIN stays in the effective and
 * permitted sets if we hold it and they lack it; *@ret_kept says so. */
int proc_set_identity(const struct proc_plan *plan, bool keep_sys_admin,
		      uint64_t *ret_kept, struct berth_error *err);
/* After the filter: the final capability sets, without what
 * proc_set_identity() kept (one capset(2); nothing when @kept is 0). */
int proc_drop_kept_caps(const struct proc_plan *plan, uint64_t kept,
			struct berth_error *err);
/* Give fds 0-2 to process.user.uid (the gid stays), as runc does, so the
 * process can reopen its terminal or /proc/self/fd/N: pipes, sockets and
 * files always, a character or block device only when it is the
 * container's own terminal.  Failures the kernel makes for an unmapped
 * uid or owner (EINVAL, EPERM) or a read-only file system are skipped. */
int proc_chown_stdio(const struct proc_plan *plan, struct berth_error *err);
/* Child, inside the container: stdio that is the null device (the host's,
 * opened as the caller chose) becomes the container's /dev/null opened
 * read-write, as runc does. */
int proc_reopen_devnull(struct berth_error *err);
/* Close every fd above stdio and the preserved ones but @keep (the child's
 * own, still needed): before anything can use a host fd inside the
 * container, e.g. process.cwd "/proc/self/fd/N" (CVE-2024-21626). */
int proc_close_host_fds(const struct proc_plan *plan, const int *keep,
			size_t n_keep, struct berth_error *err);
/* Mark every fd above stdio and the preserved ones close-on-exec; clear
 * close-on-exec on the preserved ones. */
int proc_prepare_fds(const struct proc_plan *plan, struct berth_error *err);

/* A fresh session keyring (not the caller's keys), as runc does; ENOSYS
 * and EACCES (no keyrings, or a profile refusing it) are not errors. */
int proc_join_session_keyring(struct berth_error *err);
