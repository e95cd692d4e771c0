#pragma once
/* Shared by exec.c (berth) and exec_child.c (the process it clones). */
#include <stdbool.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "oci/config.h"
#include "runtime/process/setup.h"

struct exec_child_args {
	const struct oci_process *proc;
	struct process_plan *plan;
	const struct ns_plan *ns;
	int rootfd;	    /* the container's root (/proc/<pid>/root) */
	int sync_fd;	    /* SEQPACKET to berth */
	int parent_sync_fd; /* berth's end: closed at once */
	bool new_keyring;
	/* Rootless: berth could not join the container's PID namespace for
	 * us; we join it once in its user namespace and clone again. */
	bool join_pid_in_child;
	struct cg_self cg_self; /* cg_enter_self(), first of all */
	char *exec_path;
};

/* Never returns: exec'd, or _exit(1) with the error sent to berth. */
__attribute__((noreturn)) void exec_child_main(struct exec_child_args *a);
