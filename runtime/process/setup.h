#pragma once
/*
 * One process setup for every process berth starts inside a container: the
 * container's first process (create/run) and, later, `exec`.
 *
 *   parent, before the process exists:
 *       process_plan_build()   process.* (capabilities, env, rlimits ...),
 *                              the exec attributes and linux.seccomp,
 *                              every check that needs the host
 *   the new process, inside the container's namespaces and root:
 *       process_setup()        the named steps below, in order
 *       (the caller's own handshake, e.g. create's "ready")
 *       process_exec()         unblock signals, execve
 *
 * It never assumes it runs in create's clone child: what it needs from its
 * caller (fds to keep, where a seccomp listener goes) comes in
 * struct process_io.
 */
#include <stdbool.h>

#include "oci/config.h"
#include "runtime/context.h"
#include "runtime/process/procattr.h"
#include "runtime/process/process.h"
#include "runtime/process/seccomp.h"
#include "util/error.h"

struct process_plan {
	const struct oci_process *proc;
	struct proc_plan base;	      /* identity, env, cwd, rlimits, fds */
	struct procattr_plan attrs;   /* personality, scheduler, ... */
	struct seccomp_plan *seccomp; /* NULL without linux.seccomp */
	bool filter_loaded;	      /* set by process_setup() */
};

/* @p is the process to start, @l the container's linux section (seccomp,
 * personality, memoryPolicy); both must outlive the plan.  @preserve_fds
 * fds from 3 on are handed on to the process. */
int process_plan_build(const struct rt_context *ctx,
		       const struct oci_process *p, const struct oci_linux *l,
		       int preserve_fds, struct process_plan *ret,
		       struct berth_error *err);
void process_plan_free(struct process_plan *plan);

/* What the caller lends to the setup. */
struct process_io {
	const int *keep_fds; /* the caller's own fds, still needed */
	size_t n_keep;
	/* With SCMP_ACT_NOTIFY: hand the listener on (it is closed after). */
	int (*send_listener)(void *opaque, int listener,
			     struct berth_error *err);
	/* Optional: called just before the filter is loaded, so the caller
	 * can tell whoever reads its errors that a silent death from here on
	 * is likely the filter's doing. */
	int (*before_filter)(void *opaque, struct berth_error *err);
	void *opaque;
};

/* Right after the process exists, before anything else: the initial CPU
 * affinity (process.execCPUAffinity.initial). */
int process_setup_early(const struct process_plan *plan,
			struct berth_error *err);

/* As root inside the container (after pivot_root): close host fds, stdio
 * owner, cwd, rlimits, process attributes, find executable, close fds (all
 * close-on-exec), exec attributes, identity, seccomp, drop CAP_SYS_ADMIN.
 * A failure's message starts with the step's name.  On success
 * *@ret_exec_path is args[0] resolved in the container.
 *
 * The filter goes on last, in both modes; without no_new_privs the
 * identity step keeps CAP_SYS_ADMIN for it.  What runs under the filter
 * before execve is only: sendmsg (the NOTIFY listener), capset (drop
 * CAP_SYS_ADMIN, without no_new_privs), the caller's handshake, its hooks,
 * and process_exec()'s rt_sigprocmask and execve.  A failure there says
 * so: see process_filter_note(). */
int process_setup(struct process_plan *plan, const struct process_io *io,
		  char **ret_exec_path, struct berth_error *err);

/* Once the filter is loaded, note on @err — "... (linux.seccomp is loaded:
 * the profile may block @syscalls)" — that the profile may be why it
 * failed.  Returns -err->code; before the load it changes nothing. */
int process_filter_note(const struct process_plan *plan,
			struct berth_error *err, const char *syscalls);

/* Unblock every signal and execve; returns only on failure (message
 * "exec '<path>': ..."). */
int process_exec(const struct process_plan *plan, const char *exec_path,
		 struct berth_error *err);
