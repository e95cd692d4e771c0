#pragma once
/*
 * checkpoint and restore: a running container saved to an image dir by
 * CRIU, and a container rebuilt from one (docs/checkpoint.md).
 */
#include <stdbool.h>

#include "runtime/container.h"
#include "runtime/context.h"
#include "util/error.h"

/* What `checkpoint` and `restore` share, runc's flags. */
struct rt_criu_opts {
	const char *criu;	 /* the global --criu, or NULL: "criu" */
	const char *image_path;	 /* default "checkpoint" */
	const char *work_path;	 /* default: the image path */
	const char *parent_path; /* checkpoint: the previous (pre-)dump,
				  * relative to image_path as for criu */
	const char *manage_cgroups_mode; /* soft, full, strict, ignore */
	bool leave_running, pre_dump, tcp_established, ext_unix_sk, shell_job;
	bool file_locks, auto_dedup;
	char **empty_ns; /* "network": create it empty on restore */
};

/* Checkpoint the running container @id into opts->image_path; without
 * leave_running (and pre_dump) the container is then gone, as with runc. */
int rt_checkpoint(const struct rt_context *ctx, const char *id,
		  const struct rt_criu_opts *opts, struct berth_error *err);

/* Restore container @id from the bundle @create (its bundle, pid_file,
 * detach, no_pivot, console_socket) and the images of @opts; in the
 * foreground wait for it and store its exit status in *ret_status. */
int rt_restore(const struct rt_context *ctx, const char *id,
	       const struct rt_criu_opts *opts,
	       const struct rt_create_opts *create, int *ret_status,
	       struct berth_error *err);
