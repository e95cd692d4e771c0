#pragma once
/*
 * Per-container state on disk, locking and status.
 *
 * Layout under ctx->root (default /run/berth, created 0700):
 *
 *     <root>/<id>/            0700, one per container
 *     <root>/<id>/lock        flock(LOCK_EX) serialises commands on <id>
 *     <root>/<id>/state.json  struct oci_state, replaced atomically
 *     <root>/<id>/exec.fifo   created by the lifecycle code; gone = started
 *
 * A container directory appears atomically with its lock file (built under
 * a temporary name, then renameat2(RENAME_NOREPLACE)) and disappears
 * atomically (renamed away, then emptied), so a command that was waiting on
 * the lock of a container being deleted wakes up, sees the lock file
 * unlinked and reports `container "c1" does not exist`.
 *
 * A create holds flock(LOCK_SH) on the root itself while its temporary
 * directory exists; state_sweep() removes temporary directories only when
 * it gets the root's lock exclusively (no create is building one), so the
 * directory of a create killed at any point is removed by the next sweep.
 *
 * The struct and the status enum live in oci/state_json.h (runtime -> oci).
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "oci/state_json.h"
#include "runtime/context.h"
#include "util/error.h"

#define STATE_DEFAULT_ROOT "/run/berth"
#define STATE_ID_MAX	   255 /* a directory name: NAME_MAX */

/* runc's characters: 1..255 (NAME_MAX: the id names a directory; runc's
 * 1024 fails there) of [A-Za-z0-9_+.-], not "." nor "..".  Error:
 * `invalid container id "a/b": ...` (EINVAL). */
int state_validate_id(const char *id, struct berth_error *err);

/* The root ctx->root or STATE_DEFAULT_ROOT when ctx/root is NULL. */
const char *state_root(const struct rt_context *ctx);

/* Paths, malloc'd: <root>/<id>, <root>/<id>/exec.fifo. -ENOMEM or 0;
 * @id is not validated here. */
int state_dir_path(const struct rt_context *ctx, const char *id,
		   char **ret_path);
int state_exec_fifo_path(const struct rt_context *ctx, const char *id,
			 char **ret_path);

/* mkdir -p the state root with mode 0700. */
int state_ensure_root(const struct rt_context *ctx, struct berth_error *err);

/* Create <root>/<id>/ (0700) with its lock file, atomically.  On success
 * *ret_dirfd is an O_DIRECTORY fd of it and, when @ret_lockfd is not NULL,
 * *ret_lockfd holds the lock already (close it to unlock).  An existing
 * container: `container "c1" already exists` (EEXIST), untouched. */
int state_create_dir(const struct rt_context *ctx, const char *id,
		     int *ret_dirfd, int *ret_lockfd, struct berth_error *err);

/* Open <root>/<id>/ as an O_DIRECTORY fd; missing: `container "c1" does
 * not exist` (ENOENT). */
int state_open_dir(const struct rt_context *ctx, const char *id, int *ret_dirfd,
		   struct berth_error *err);

/* Take the container's exclusive lock, waiting for it; close(*ret_lockfd)
 * releases it.  The lock belongs to the open file description, which
 * fork() shares: a forked child holds it too until it closes its copy (or
 * execs: the fd is O_CLOEXEC), and must never state_lock() the same id
 * before doing so, or it waits for itself.  If the container is gone (also:
 * deleted while we waited): `container "c1" does not exist` (ENOENT). */
int state_lock(const struct rt_context *ctx, const char *id, int *ret_lockfd,
	       struct berth_error *err);

/* Write state.json in @dirfd atomically (temp file + rename), mode 0600. */
int state_save(int dirfd, const struct oci_state *s, struct berth_error *err);

/* Read <root>/<id>/state.json; s->owner is filled from the owner of the
 * directory (user name, or "#uid" as runc does).  Missing: `container "x"
 * does not exist` (ENOENT). */
int state_load(const struct rt_context *ctx, const char *id,
	       struct oci_state **ret, struct berth_error *err);

/* Remove <root>/<id> and everything in it; hold the lock while calling it.
 * Works without state.json too: `delete` should call it when state_load()
 * says ENOENT but the directory exists (an aborted create), as runc does.
 * Missing: `container "x" does not exist` (ENOENT). */
int state_remove(const struct rt_context *ctx, const char *id,
		 struct berth_error *err);

/* Remove what a removal or a creation killed half-way left under the
 * root: directories renamed away for removal, and ones a create was
 * building whose lock nobody holds.  Best effort, no errors; state_remove()
 * and `delete --force` of what does not exist call it. */
void state_sweep(const struct rt_context *ctx);

/* The ids of all containers under the root, sorted (strcmp); a missing
 * root gives an empty list.  *ret_ids is NULL-terminated; strv_free() it. */
int state_list_ids(const struct rt_context *ctx, char ***ret_ids,
		   struct berth_error *err);

/* Start time of @pid: /proc/<pid>/stat field 22 (clock ticks since boot).
 * -ENOENT (no such process) / -ESRCH, no message: callers decide. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* The inode of @pid's PID namespace (/proc/<pid>/ns/pid), 0 when gone. */
ino_t proc_pid_ns(pid_t pid);

/* Status derived from the process itself, surviving PID reuse:
 * no pid, /proc/<pid> gone, start time differs, zombie or dead -> stopped;
 * else s->creating -> creating; else frozen cgroup -> paused (hook, always
 * false until cgroups exist); else exec.fifo present -> created; else
 * running. */
int state_status(const struct rt_context *ctx, const struct oci_state *s,
		 enum oci_status *ret, struct berth_error *err);
