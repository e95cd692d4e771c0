#pragma once
/*
 * exec: a new process in a running container, as `runc exec` starts one.
 *
 * berth (the parent) checks the container is running, builds the process
 * (exec --process FILE, or the container's own process with the flags
 * applied), its plan (runtime/process/setup.h: the same code as the
 * container's first process) and the namespaces of the container's
 * process, then clones a child into the container's PID namespace and
 * cgroup.  The child (exec_child.c) joins the user namespace first, then
 * the others, chroots to the container's root and runs the process setup.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "oci/process.h"
#include "runtime/context.h"
#include "util/error.h"

struct rt_exec_opts {
	const char *process_file;	/* --process: NULL = from the flags */
	struct oci_process_patch patch; /* without --process */
	const char *console_socket;
	const char *pid_file;
	bool detach;
	bool ignore_paused;
	int preserve_fds;
	/* As struct rt_create_opts: exec a sealed copy of berth first. */
	int (*reexec_sealed)(void *data);
	void *reexec_data;
};

/* Start the process; in the foreground wait for it, forwarding signals,
 * and store its exit status (128+N for signal N) in *@ret_status.  With
 * @o->detach return once it exec'd (*@ret_status = 0). */
int rt_exec(const struct rt_context *ctx, const char *id,
	    const struct rt_exec_opts *o, int *ret_status,
	    struct berth_error *err);
