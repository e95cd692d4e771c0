/*
 * exec, berth's side: check the container, build the process and its plan,
 * clone the child into the container's PID namespace and cgroup, answer
 * it, then wait in the foreground or leave (runtime/exec.h).
 */
#include "runtime/exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/container_internal.h"
#include "runtime/exec/internal.h"
#include "runtime/foreground.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/terminal.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

struct exec {
	const struct rt_context *ctx;
	const char *id;
	const struct rt_exec_opts *o;
	struct oci_state *state;
	struct oci_spec *spec;
	char *config_json;
	size_t config_len;
	struct oci_process *proc;
	struct process_plan plan;
	struct ns_plan ns;
	struct cg_manager *cg;
	int rootfd, sync_fd, pty_master;
	pid_t pid;
	bool pid_followed; /* got_pid() took the PID namespace's process */
};

static int check_status(struct exec *e, struct berth_error *err)
{
	enum oci_status st;
	int r = state_status(e->ctx, e->state, &st, err);
	if (r < 0)
		return r;
	if (st == OCI_STATUS_RUNNING ||
	    (st == OCI_STATUS_PAUSED && e->o->ignore_paused))
		return 0;
	if (st == OCI_STATUS_PAUSED)
		return berth_err_msg(err, EINVAL,
				     "cannot exec in a paused container "
				     "(use --ignore-paused)");
	return berth_err_msg(err, EINVAL,
			     "cannot exec in a %s container (only a running "
			     "one)",
			     oci_status_name(st));
}

static int load_config(struct exec *e, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	if (state_dir_path(e->ctx, e->id, &dir) < 0 ||
	    asprintf(&path, "%s/config.json", dir) < 0)
		return -ENOMEM;
	return oci_spec_load_raw(path, &e->spec, &e->config_json,
				 &e->config_len, err);
}

static int build_process(struct exec *e, struct berth_error *err)
{
	const struct rt_exec_opts *o = e->o;
	int r = o->process_file != NULL
		    ? oci_process_load(o->process_file, &e->proc, err)
		    : oci_process_patched(e->config_json, e->config_len,
					  &o->patch, &e->proc, err);
	if (r < 0)
		return r;
	if (!e->proc->terminal && o->console_socket != NULL)
		return berth_err_msg(err, EINVAL,
				     "--console-socket needs a terminal "
				     "(--tty or process.terminal)");
	if (e->proc->terminal && o->detach && o->console_socket == NULL)
		return berth_err_msg(err, EINVAL,
				     "a detached exec with a terminal needs "
				     "--console-socket");
	return 0;
}

static int open_container(struct exec *e, struct berth_error *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)e->state->pid);
	e->rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (e->rootfd < 0)
		return berth_err(err, errno, "open %s", path);
	int r = ns_plan_from_pid(e->spec, e->state->pid, &e->ns, err);
	if (r == 0)
		r = rtcg_load(e->state->cgroup_path, &e->cg, err);
	return r;
}

/* Everything that can fail before a process exists. */
static int prepare(struct exec *e, struct berth_error *err)
{
	const struct rt_exec_opts *o = e->o;
	if (o->reexec_sealed != NULL) {
		int r = o->reexec_sealed(o->reexec_data);
		if (r < 0)
			return berth_err(err, r,
					 "re-exec from a sealed copy of berth");
	}
	_cleanup_close_ int lock = -1;
	int r = state_validate_id(e->id, err);
	if (r == 0)
		r = state_lock(e->ctx, e->id, &lock, err);
	if (r == 0)
		r = state_load(e->ctx, e->id, &e->state, err);
	if (r == 0)
		r = check_status(e, err);
	if (r == 0)
		r = load_config(e, err);
	if (r == 0)
		r = build_process(e, err);
	if (r == 0)
		r = container_reserve_fds(o->preserve_fds, err);
	if (r == 0)
		r = process_plan_build(e->ctx, e->proc, e->spec->linux_,
				       o->preserve_fds, &e->plan, err);
	/* The fds pin the namespaces: a container deleted from here on makes
	 * the exec fail, never land elsewhere. */
	if (r == 0)
		r = open_container(e, err);
	return r;
}

/* Rootless, berth has no privilege over the container's user namespace
 * (setns of its PID namespace is EPERM): the child joins it from inside.
 * "root" of a user namespace of its own (podman's rootless mode, the
 * container in none of its own) could join, but not return to the host's
 * PID namespace afterwards: the child joins there too. */
static bool pid_in_child(const struct exec *e)
{
	return e->ctx->rootless_reason != RT_ROOTLESS_NO &&
	       e->ns.join_fd[OCI_NS_PID] >= 0;
}

/* clone3 straight into the cgroup2 cgroup where the kernel can; the child
 * moves itself into the rest first of all (cg_self_open()). */
static pid_t clone_child(struct exec *e, int child_fd, int parent_fd,
			 struct berth_error *err)
{
	struct exec_child_args a = {
	    .proc = e->proc,
	    .plan = &e->plan,
	    .ns = &e->ns,
	    .rootfd = e->rootfd,
	    .sync_fd = child_fd,
	    .parent_sync_fd = parent_fd,
	    .new_keyring = true,
	    .join_pid_in_child = pid_in_child(e),
	};
	int cgfd = e->cg != NULL ? cg_clone_into_fd(e->cg) : -1;
	int r =
	    e->cg != NULL ? cg_self_open(e->cg, cgfd >= 0, &a.cg_self, err) : 0;
	if (r < 0)
		return r;
	pid_t pid = ns_clone(0, cgfd);
	if (cgfd >= 0 && (pid == -E2BIG || pid == -EINVAL || pid == -ENOSYS)) {
		cg_self_close(&a.cg_self); /* an older kernel: cgroup2 too */
		r = cg_self_open(e->cg, false, &a.cg_self, err);
		if (r < 0)
			return r;
		pid = ns_clone(0, -1);
	}
	if (pid == 0)
		exec_child_main(&a);
	cg_self_close(&a.cg_self);
	if (pid < 0)
		return berth_err(err, pid, "clone the exec process");
	return pid;
}

/* A container of its own PID namespace: berth's children are born in it
 * while berth has joined it for them (setns CLONE_NEWPID affects only the
 * children). */
static int spawn(struct exec *e, struct berth_error *err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berth_err(err, errno, "socketpair");
	e->sync_fd = sp[0];
	_cleanup_close_ int own = -1;
	if (e->ns.join_fd[OCI_NS_PID] >= 0 && !pid_in_child(e)) {
		own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		int r = own < 0
			    ? berth_err(err, errno, "open /proc/self/ns/pid")
			    : ns_join_one(&e->ns, OCI_NS_PID, err);
		if (r < 0) {
			close(sp[1]);
			return r;
		}
	}
	pid_t pid = clone_child(e, sp[1], sp[0], err);
	CRASH_POINT("exec:after-clone");
	close(sp[1]);
	if (own >= 0 && setns(own, CLONE_NEWPID) < 0)
		rt_log(e->ctx, RT_LOG_WARN, "return to our PID namespace: %s",
		       strerror(errno));
	if (pid < 0)
		return pid;
	e->pid = pid;
	rt_log(e->ctx, RT_LOG_DEBUG, "exec %s: pid %d", e->id, (int)pid);
	int r = proc_write_oom_score_adj(&e->plan.base, pid, err);
	if (r == 0 && (r = sync_send(e->sync_fd, SYNC_CGROUP, NULL, 0)) < 0)
		berth_err(err, r, "release the exec process");
	return r;
}

static int got_pty(struct exec *e, int fd, struct berth_error *err)
{
	if (fd < 0)
		return berth_err_msg(err, EPROTO, "no pty master received");
	if (e->o->console_socket == NULL) {
		e->pty_master = fd; /* relayed in the foreground */
		return 0;
	}
	int r = terminal_send_to_console_socket(e->o->console_socket, fd, err);
	close(fd);
	return r;
}

static int got_listener(struct exec *e, int fd, struct berth_error *err)
{
	if (fd < 0)
		return berth_err_msg(err, EPROTO,
				     "no seccomp listener received");
	const struct oci_seccomp *sc = e->spec->linux_->seccomp;
	_cleanup_free_ char *json = NULL;
	int r = container_hook_state(e->state, OCI_STATUS_RUNNING, &json, err);
	if (r == 0)
		r = seccomp_send_listener(sc->listener_path, fd,
					  sc->listener_metadata, e->pid, json,
					  err);
	close(fd);
	return r;
}

/* The child cloned the process that carries on in the container's PID
 * namespace (pid_in_child) and exits: reap it, follow the new one. */
static int got_pid(struct exec *e, const struct sync_msg *m,
		   struct berth_error *err)
{
	pid_t pid;
	if (m->len != sizeof(pid) || !pid_in_child(e) || e->pid_followed)
		return berth_err_msg(err, EPROTO, "bad pid message");
	e->pid_followed = true;
	memcpy(&pid, m->payload, sizeof(pid));
	while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
		;
	rt_log(e->ctx, RT_LOG_DEBUG, "exec %s: pid %d in the PID namespace",
	       e->id, (int)pid);
	e->pid = pid;
	return 0;
}

/* Until EOF on the sync socket (close-on-exec: the process exec'd). */
static int wait_exec(struct exec *e, struct berth_error *err)
{
	for (;;) {
		_cleanup_free_ struct sync_msg *m = NULL;
		int fd = -1, r = sync_recv(e->sync_fd, &m, &fd);
		if (r == -EPIPE) {
			rt_log(e->ctx, RT_LOG_DEBUG, "exec %s: exec'd", e->id);
			return 0;
		}
		if (r < 0)
			return berth_err(err, r, "read from the exec process");
		if (m->type == SYNC_ERROR && m->len == sizeof(*err)) {
			memcpy(err, m->payload, sizeof(*err));
			err->msg[sizeof(err->msg) - 1] = '\0';
			return -(err->code ? err->code : EIO);
		}
		/* A silent death after the filter went on (SYNC_FILTER)
		 * looks like an exec here; the caller sees its status. */
		if (m->type == SYNC_FILTER)
			r = 0;
		else if (m->type == SYNC_PID)
			r = got_pid(e, m, err);
		else if (m->type == SYNC_PTY)
			r = got_pty(e, fd, err);
		else if (m->type == SYNC_SECCOMP)
			r = got_listener(e, fd, err);
		else
			r = berth_err_msg(err, EPROTO, "unexpected message %u",
					  m->type);
		if (r < 0)
			return r;
	}
}

static void exec_free(struct exec *e)
{
	if (e->sync_fd >= 0)
		close(e->sync_fd);
	if (e->pty_master >= 0)
		close(e->pty_master);
	if (e->rootfd >= 0)
		close(e->rootfd);
	ns_plan_close(&e->ns);
	process_plan_free(&e->plan);
	cg_manager_free(e->cg);
	oci_process_free(e->proc);
	oci_spec_free(e->spec);
	free(e->config_json);
	oci_state_free(e->state);
}

static void kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int rt_exec(const struct rt_context *ctx, const char *id,
	    const struct rt_exec_opts *o, int *ret_status,
	    struct berth_error *err)
{
	struct exec e = {.ctx = ctx,
			 .id = id,
			 .o = o,
			 .rootfd = -1,
			 .sync_fd = -1,
			 .pty_master = -1};
	for (int i = 0; i < OCI_NS_COUNT; i++)
		e.ns.join_fd[i] = -1;
	sigset_t saved, all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &saved);
	int r = prepare(&e, err);
	CRASH_POINT("exec:after-prepare");
	if (r == 0)
		r = spawn(&e, err);
	CRASH_POINT("exec:after-release");
	if (r == 0)
		r = wait_exec(&e, err);
	CRASH_POINT("exec:after-exec");
	if (r == 0)
		r = container_write_pid_file(o->pid_file, e.pid, err);
	*ret_status = 0;
	if (r < 0 && e.pid > 0)
		kill_and_reap(e.pid);
	else if (r == 0 && !o->detach)
		r = rt_wait_foreground(e.pid, e.pty_master, ret_status, err);
	exec_free(&e);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}
