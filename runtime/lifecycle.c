/* state, list, kill and delete: commands on an existing container. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/cgroup.h"
#include "runtime/container_internal.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

static int load_with_status(const struct rt_context *ctx, const char *id,
			    struct oci_state **ret, enum oci_status *ret_st,
			    struct berth_error *err)
{
	struct oci_state *s = NULL;
	int r = state_validate_id(id, err);
	if (r == 0)
		r = state_load(ctx, id, &s, err);
	if (r == 0)
		r = state_status(ctx, s, ret_st, err);
	if (r < 0) {
		oci_state_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int rt_state(const struct rt_context *ctx, const char *id, char **ret_json,
	     struct berth_error *err)
{
	struct oci_state *s;
	enum oci_status st;
	int r = load_with_status(ctx, id, &s, &st, err);
	if (r < 0)
		return r;
	r = oci_state_to_json(s, st, true, ret_json, err);
	oci_state_free(s);
	return r;
}

void rt_list_free(struct rt_list_entry *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		oci_state_free(v[i].state);
	free(v);
}

int rt_list(const struct rt_context *ctx, struct rt_list_entry **ret,
	    size_t *ret_n, struct berth_error *err)
{
	_cleanup_strv_ char **ids = NULL;
	int r = state_list_ids(ctx, &ids, err);
	if (r < 0)
		return r;
	size_t n = strv_len(ids), k = 0;
	struct rt_list_entry *v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return berth_err(err, ENOMEM, "list");
	for (size_t i = 0; i < n; i++) {
		struct berth_error e = {0};
		/* A container deleted meanwhile just drops out; one whose
		 * state.json is corrupt is "unknown", with its id only. */
		r = load_with_status(ctx, ids[i], &v[k].state, &v[k].status,
				     &e);
		if (r == -EBADMSG) {
			v[k].state = oci_state_new();
			v[k].status = OCI_STATUS_UNKNOWN;
			if (v[k].state == NULL ||
			    (v[k].state->id = strdup(ids[i])) == NULL) {
				rt_list_free(v, k + 1);
				return berth_err(err, ENOMEM, "list");
			}
		}
		if (r == 0 || r == -EBADMSG)
			k++;
	}
	*ret = v;
	*ret_n = k;
	return 0;
}

/* A pidfd for the container process, checked against its start time so a
 * reused PID is never signalled. */
static int open_container_pidfd(const struct oci_state *s, int *ret,
				struct berth_error *err)
{
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (fd < 0)
		return berth_err(err, errno == ESRCH ? ESRCH : errno,
				 "container process %d", (int)s->pid);
	uint64_t start;
	if (proc_start_time(s->pid, &start) < 0 || start != s->pid_start) {
		close(fd);
		return berth_err_msg(err, ESRCH, "container process %d is gone",
				     (int)s->pid);
	}
	*ret = fd;
	return 0;
}

static int signal_pidfd(int pidfd, int sig)
{
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return -errno;
	return 0;
}

/* --all without a cgroup to ask (a container made before it had one, or
 * whose cgroup is gone): every process in the container's own PID
 * namespace.  One that shares a PID namespace (the host's, or another
 * container's) has no such boundary: only its init is signalled, or we
 * would kill the neighbours. */
static void signal_all(const struct oci_state *s, int sig)
{
	if (!s->own_pid_ns)
		return;
	ino_t ns = proc_pid_ns(s->pid);
	DIR *d = ns == 0 ? NULL : opendir("/proc");
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid == s->pid)
			continue;
		/* pidfd first, then the namespace check, then the signal:
		 * a reused pid is never hit. */
		int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (fd < 0)
			continue;
		if (proc_pid_ns((pid_t)pid) == ns)
			signal_pidfd(fd, sig);
		close(fd);
	}
	closedir(d);
}

/* Every process of the container: its cgroup's, or without one its own PID
 * namespace's. */
static int signal_container(const struct oci_state *s, int sig,
			    struct berth_error *err)
{
	struct cg_manager *m = NULL;
	int r = rtcg_load(s->cgroup_path, &m, err);
	if (r < 0 || m == NULL) {
		berth_err_clear(err);
		signal_all(s, sig);
		return 0;
	}
	r = cg_signal_all(m, sig, err);
	cg_manager_free(m);
	return r;
}

/* Remove the container's cgroup, killing whatever is left in it. */
static int destroy_cgroup(const struct oci_state *s, struct berth_error *err)
{
	struct cg_manager *m = NULL;
	int r = rtcg_load(s->cgroup_path, &m, err);
	if (r < 0 || m == NULL)
		return r == -ENOENT ? 0 : r;
	r = cg_destroy(m, err);
	cg_manager_free(m);
	return r;
}

/* After a SIGKILL: thaw a paused container's cgroup, or the kill would
 * not land until someone resumes it (cgroup v1 holds even SIGKILL). */
static int thaw_for_kill(const struct oci_state *s, struct berth_error *err)
{
	struct cg_manager *m = NULL;
	int r = rtcg_load(s->cgroup_path, &m, err);
	if (r < 0 || m == NULL)
		return r == -ENOENT ? 0 : r;
	r = cg_thaw_for_kill(m, err);
	cg_manager_free(m);
	return r < 0 ? berth_err_ctx(err, "thaw the paused container") : 0;
}

int rt_kill(const struct rt_context *ctx, const char *id, int sig, bool all,
	    struct berth_error *err)
{
	struct oci_state *s;
	enum oci_status st;
	int r = load_with_status(ctx, id, &s, &st, err);
	if (r < 0)
		return r;
	_cleanup_close_ int pidfd = -1;
	if (st == OCI_STATUS_STOPPED)
		r = berth_err_msg(err, ESRCH, "container not running");
	if (r == 0)
		r = open_container_pidfd(s, &pidfd, err);
	if (r == 0)
		rt_log(ctx, RT_LOG_DEBUG, "kill %s: signal %d to pid %d%s", id,
		       sig, (int)s->pid, all ? " and its cgroup" : "");
	if (r == 0 && all)
		r = signal_container(s, sig, err);
	if (r == 0) {
		r = signal_pidfd(pidfd, sig);
		/* With --all, the cgroup's kill may have ended the init. */
		if (r == -ESRCH && all)
			r = 0;
		if (r < 0)
			berth_err(err, r, "signal %d to process %d", sig,
				  (int)s->pid);
	}
	/* Other signals wait in a paused container until it resumes. */
	if (r == 0 && sig == SIGKILL && st == OCI_STATUS_PAUSED)
		r = thaw_for_kill(s, err);
	oci_state_free(s);
	return r;
}

static int kill_and_wait(const struct oci_state *s, struct berth_error *err)
{
	_cleanup_close_ int pidfd = -1;
	if (open_container_pidfd(s, &pidfd, err) < 0) {
		berth_err_clear(err);
		return 0; /* already gone */
	}
	int r = signal_container(s, SIGKILL, err);
	if (r < 0)
		return r;
	r = signal_pidfd(pidfd, SIGKILL);
	if (r < 0 && r != -ESRCH)
		return berth_err(err, r, "kill process %d", (int)s->pid);
	if ((r = thaw_for_kill(s, err)) < 0)
		return r;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while ((r = poll(&p, 1, 10000)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return berth_err_msg(
		    err, ETIMEDOUT,
		    "process %d did not die within 10s of SIGKILL",
		    (int)s->pid);
	return 0;
}

/* The leaf of @path (linux.cgroupsPath, or the ID) is @id. */
static bool named_after(const char *path, const char *id)
{
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	size_t start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return n - start == strlen(id) &&
	       memcmp(path + start, id, n - start) == 0;
}

/* delete --force of a container whose state.json is corrupt: its cgroup
 * is found again as create made it (linux.cgroupsPath of the config.json
 * copy in the state dir, else the ID), its processes killed through it and
 * it removed, then the state dir.  Only a cgroup named after the container
 * is touched: a cgroupsPath whose leaf is not the ID may be a cgroup
 * berth did not create. */
static int delete_corrupt(const struct rt_context *ctx, const char *id,
			  struct berth_error *err)
{
	struct oci_state key = {.id = (char *)id};
	struct oci_spec *spec = NULL;
	const char *cgpath = NULL;
	if (container_load_saved_spec(ctx, &key, &spec) == 0 &&
	    spec->linux_ != NULL && spec->linux_->cgroups_path != NULL &&
	    *spec->linux_->cgroups_path != '\0')
		cgpath = spec->linux_->cgroups_path;
	int r = 0;
	if (cgpath != NULL && !named_after(cgpath, id)) {
		rt_log(ctx, RT_LOG_WARN,
		       "delete %s: state.json is corrupt and linux.cgroupsPath "
		       "\"%s\" is not named after the container: its cgroup "
		       "is left as it is",
		       id, cgpath);
	} else {
		struct cg_manager *m = NULL;
		r = cg_manager_find(cgpath, id, ctx->systemd_cgroup, &m, err);
		if (r == 0)
			r = cg_destroy(m, err);
		cg_manager_free(m);
		if (r < 0)
			berth_err_ctx(err, "delete %s: the cgroup", id);
	}
	oci_spec_free(spec);
	if (r == 0)
		r = state_remove(ctx, id, err);
	if (r == 0)
		rt_log(ctx, RT_LOG_DEBUG,
		       "delete %s: deleted (state.json was corrupt)", id);
	return r;
}

int rt_delete(const struct rt_context *ctx, const char *id, bool force,
	      struct berth_error *err)
{
	_cleanup_close_ int lock = -1;
	int r = state_validate_id(id, err);
	if (r == 0)
		r = state_lock(ctx, id, &lock, err);
	if (r == -ENOENT && force) {
		/* runc: deleting what is not there, by force, succeeds;
		 * and what a killed delete of it left goes. */
		berth_err_clear(err);
		state_sweep(ctx);
		return 0;
	}
	struct oci_state *s = NULL;
	enum oci_status st = OCI_STATUS_STOPPED;
	if (r == 0)
		r = load_with_status(ctx, id, &s, &st, err);
	if (r == -ENOENT && lock >= 0) {
		/* The directory is there (we hold its lock) but state.json is
		 * not: a create that was killed half-way.  Remove what it
		 * left, as runc does. */
		berth_err_clear(err);
		return state_remove(ctx, id, err);
	}
	if (r == -EBADMSG && force) {
		rt_log(ctx, RT_LOG_DEBUG, "delete %s: %s", id, err->msg);
		berth_err_clear(err);
		return delete_corrupt(ctx, id, err);
	}
	if (r < 0)
		return r;
	/* A created container is deleted without --force, as runc does: its
	 * user process never ran. */
	if (!force && st != OCI_STATUS_STOPPED && st != OCI_STATUS_CREATED)
		r = berth_err_msg(err, EBUSY,
				  "cannot delete a container that is %s; stop "
				  "it first or use --force",
				  oci_status_name(st));
	if (r == 0)
		rt_log(ctx, RT_LOG_DEBUG, "delete %s: %s, pid %d", id,
		       oci_status_name(st), (int)s->pid);
	CRASH_POINT("delete:after-lock");
	if (r == 0 && st != OCI_STATUS_STOPPED)
		r = kill_and_wait(s, err);
	CRASH_POINT("delete:after-kill");
	if (r == 0) {
		struct oci_spec *spec = NULL;
		rt_log(ctx, RT_LOG_DEBUG,
		       "delete %s: poststop hooks, remove the cgroup", id);
		if (container_load_saved_spec(ctx, s, &spec) == 0)
			container_warn_hooks(ctx, &spec->hooks.poststop,
					     "poststop", s, OCI_STATUS_STOPPED);
		oci_spec_free(spec);
		CRASH_POINT("delete:after-hooks");
		r = destroy_cgroup(s, err);
	}
	CRASH_POINT("delete:after-cgroup");
	if (r == 0)
		r = state_remove(ctx, id, err);
	if (r == 0)
		rt_log(ctx, RT_LOG_DEBUG, "delete %s: deleted", id);
	oci_state_free(s);
	return r;
}
