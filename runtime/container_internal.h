#pragma once
/* What create/start/run share while a container is being built. */
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "oci/config.h"
#include "oci/state_json.h"
#include "runtime/container.h"
#include "runtime/process/setup.h"

struct sync_msg; /* runtime/sync.h */

struct container {
	const struct rt_context *ctx;
	const char *id;
	const struct rt_create_opts *opts;
	bool run_mode; /* run: start over the sync socket, no exec fifo */
	struct oci_spec *spec;
	char *bundle, *rootfs; /* absolute */
	char *config_json;     /* config.json's text, as parsed */
	size_t config_len;
	struct ns_plan ns;
	struct process_plan process; /* the container's first process */
	struct cg_manager *cg;	     /* the container's cgroup */
	struct oci_state *state;
	int dirfd, lockfd, fifo_fd, sync_fd, pty_master;
	/* run --output-limit & co: the write ends of the pipes that become
	 * the container's stdout and stderr (closed after clone); -1: none */
	int out_w[2];
	bool own_dir; /* we created the state dir: remove it on failure */
	bool filter_loading; /* the child said SYNC_FILTER */
	pid_t pid;	     /* the container process */
	pid_t stage1;	     /* to reap, when the child cloned once more */
	sigset_t saved_mask; /* the caller's signal mask, restored at the end */
	/* run: what to start once the child is cloned, while it sets itself
	 * up on the other CPU (the watcher: its fork then costs the run
	 * next to nothing); NULL: nothing */
	int (*after_clone)(struct container *c, void *arg,
			   struct berth_error *err);
	void *after_clone_arg;
};

void container_init(struct container *c, const struct rt_context *ctx,
		    const char *id, const struct rt_create_opts *opts,
		    bool run_mode);
/* Close fds, free memory; with @failed, kill the process and remove the
 * state dir it created. */
void container_cleanup(struct container *c, bool failed);
/* One message from the container process (sync_recv(); -EPIPE at EOF,
 * @err unset then).  While it waits it looks at the cgroup every second:
 * one that something froze after cg_create() checked it fails with
 * cg_check_thawed()'s message instead of waiting forever. */
int container_recv(struct container *c, struct sync_msg **ret_msg, int *ret_fd,
		   struct berth_error *err);
/* restore: the bundle, state dir and cgroup, no process. */
int container_prepare_restore(struct container *c, struct berth_error *err);
/* Build the container up to "waiting for start". */
int container_create(struct container *c, struct berth_error *err);

/* The hook state JSON for @status; malloc'd. */
int container_hook_state(const struct oci_state *s, enum oci_status status,
			 char **ret_json, struct berth_error *err);
/* poststart (or poststop) hooks: failures are warnings. */
void container_warn_hooks(const struct rt_context *ctx,
			  const struct oci_hook_list *list, const char *kind,
			  const struct oci_state *s, enum oci_status status);

/* --preserve-fds N: fds 3..3+N-1 must exist (they are made /dev/null if
 * not), or our own fds could take their numbers and be handed on; one
 * berth opened itself (close-on-exec) is an error. */
int container_reserve_fds(int n, struct berth_error *err);
/* --pid-file: @pid written atomically; NULL @path does nothing. */
int container_write_pid_file(const char *path, pid_t pid,
			     struct berth_error *err);

/* Keep a copy of config.json in the state dir: `start` and `delete` need
 * its poststart and poststop hooks, and `exec` its process, namespaces and
 * seccomp, even if the bundle has changed or gone. */
int container_save_spec_copy(struct container *c, struct berth_error *err);
/* The saved copy, or NULL spec (returns -ENOENT) when there is none. */
int container_load_saved_spec(const struct rt_context *ctx,
			      const struct oci_state *s, struct oci_spec **ret);
