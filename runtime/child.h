#pragma once
/*
 * The container child: a fixed list of small named steps that turn a freshly
 * cloned process into the container's process, ending in execve.
 * Everything heavy was computed by the parent (runtime/container.c).
 */
#include <stdbool.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "oci/config.h"
#include "runtime/context.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/process/setup.h"

struct child_args {
	const struct rt_context *ctx;
	const struct oci_spec *spec;
	struct ns_plan *ns;
	struct mounts_plan mounts;
	struct process_plan *process; /* the container's process */
	int sync_fd;		      /* SEQPACKET to the parent */
	int fifo_fd; /* exec fifo (create), -1 for run: wait on sync_fd */
	/* berth's own fds the child must drop at once: the state dir, its lock
	 * (a held flock would block every later command) and berth's end of
	 * the sync socket (so berth's death is EOF for us); -1 = none */
	int parent_fds[3];
	bool has_runtime_hooks; /* any hook but poststart/poststop */
	bool new_keyring;	/* join a new session keyring */
	struct cg_self
	    cg_self;	  /* what we move ourselves into the cgroup with */
	bool stage1;	  /* namespaces still to join/unshare here */
	char *state_json; /* for createContainer hooks */
	char *start_state_json; /* for startContainer hooks */
	char *exec_path;	/* args[0] resolved in the container */
	int stdio_w[2]; /* become stdout, stderr (relayed by berth); -1: no */
	bool init;	/* --init: fork under a built-in PID 1 (supervise/) */
	/* A foreground run: the process berth execs dies with berth
	 * (PR_SET_PDEATHSIG, re-armed after the identity switch). */
	bool die_with_berth;
};

/* Run every step; never returns.  On failure the error goes to the parent
 * over sync_fd and the child exits 1. */
__attribute__((noreturn)) void child_main(struct child_args *a);
