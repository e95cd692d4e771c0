/*
 * create, start and run: from a bundle to a container process waiting for
 * start (create) or running in the foreground (run).
 *
 * berth does the heavy work here, before clone: parse and check the config,
 * open namespace paths, compute capability masks and the mount plan.  The
 * cloned child (runtime/child.c) only applies them, talking to us over a
 * SOCK_SEQPACKET pair (runtime/sync.h).
 */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "namespaces/namespaces.h"
#include "namespaces/net.h"
#include "namespaces/rootless_maps.h"
#include "oci/config.h"
#include "runtime/cgroup.h"
#include "runtime/rootless.h"
#include "runtime/child.h"
#include "runtime/container_internal.h"
#include "runtime/hooks.h"
#include "runtime/rootfs/host.h"
#include "runtime/rootfs/idmap.h"
#include "runtime/process/seccomp.h"
#include "runtime/state.h"
#include "runtime/supervise/supervise.h"
#include "runtime/sync.h"
#include "runtime/process/terminal.h"
#include "runtime/validate.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

/* The bundle's config.json, or the text the caller built in memory. */
static int load_config(struct container *c, struct berth_error *err)
{
	const struct rt_create_opts *o = c->opts;
	if (o->config_json != NULL) {
		c->config_json = strndup(o->config_json, o->config_len);
		if (c->config_json == NULL)
			return berth_err(err, ENOMEM, "config");
		c->config_len = o->config_len;
		return oci_spec_parse(c->config_json, c->config_len,
				      "config.json", &c->spec, err);
	}
	_cleanup_free_ char *cfg = NULL;
	if (asprintf(&cfg, "%s/config.json", c->bundle) < 0)
		return -ENOMEM;
	return oci_spec_load_raw(cfg, &c->spec, &c->config_json, &c->config_len,
				 err);
}

static int load_bundle(struct container *c, struct berth_error *err)
{
	c->bundle = realpath(c->opts->bundle, NULL);
	if (c->bundle == NULL)
		return berth_err(err, errno, "bundle '%s'", c->opts->bundle);
	int r = load_config(c, err);
	if (r < 0)
		return r;
	r = validate_spec(c->spec, err);
	if (r == 0)
		r = rt_rootless_check_spec(c->ctx, c->spec, err);
	if (r < 0)
		return r;
	const char *root = c->spec->root.path;
	_cleanup_free_ char *joined = NULL;
	if (root[0] != '/' && asprintf(&joined, "%s/%s", c->bundle, root) < 0)
		return -ENOMEM;
	c->rootfs = realpath(joined ? joined : root, NULL);
	struct stat st;
	if (c->rootfs == NULL || stat(c->rootfs, &st) < 0)
		return berth_err(err, errno, "root.path '%s'",
				 joined ? joined : root);
	if (!S_ISDIR(st.st_mode))
		return berth_err_msg(err, ENOTDIR,
				     "root.path '%s' is not a directory",
				     c->rootfs);
	return 0;
}

/* The container must never reach the host's berth binary through
 * /proc/<pid>/exe (CVE-2019-5736): not berth's child while it sets the
 * container up, and not a container process that execs /proc/self/exe (or a
 * "#!/proc/self/exe" script) before our exec replaced it.  So berth always
 * runs the container from a sealed memfd copy of itself; the cost is in
 * docs/performance.md. */
static int protect_binary(struct container *c, struct berth_error *err)
{
	if (c->opts->reexec_sealed == NULL)
		return 0;
	int r = c->opts->reexec_sealed(c->opts->reexec_data);
	return r < 0 ? berth_err(err, r, "re-exec from a sealed copy of berth")
		     : 0;
}

static int check_terminal(struct container *c, struct berth_error *err)
{
	bool tty = c->spec->process->terminal;
	if (!tty && c->opts->console_socket != NULL)
		return berth_err_msg(
		    err, EINVAL,
		    "--console-socket needs process.terminal: true");
	if (tty && c->opts->console_socket == NULL &&
	    (!c->run_mode || c->opts->detach))
		return berth_err_msg(err, EINVAL,
				     "process.terminal is true: a detached "
				     "container needs --console-socket");
	return 0;
}

/* --preserve-fds N: fds 3..3+N-1 must exist, or our own fds could take
 * their numbers and be handed to the container. */
int container_reserve_fds(int n, struct berth_error *err)
{
	for (int fd = 3; fd < 3 + n; fd++) {
		int flags = fcntl(fd, F_GETFD);
		/* Whatever reached us through exec has no FD_CLOEXEC; an fd
		 * with it is our own and must not be handed on. */
		if (flags >= 0 && (flags & FD_CLOEXEC))
			return berth_err_msg(err, EBADF,
					     "--preserve-fds: fd %d is berth's "
					     "own, not the caller's",
					     fd);
		if (flags >= 0)
			continue;
		int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nfd < 0)
			return berth_err(err, errno, "open /dev/null");
		if (nfd != fd) {
			int r = dup2(nfd, fd);
			close(nfd);
			if (r < 0)
				return berth_err(err, errno, "reserve fd %d",
						 fd);
		}
	}
	return 0;
}

/* Socket activation ($LISTEN_FDS, from 3) and --preserve-fds (after
 * them) are handed on together, as runc does. */
static int handed_on_fds(const struct rt_create_opts *o)
{
	return o->listen_fds + o->preserve_fds;
}

static int add_listen_env(struct container *c, struct berth_error *err)
{
	if (c->opts->listen_fds <= 0)
		return 0;
	char n[32];
	snprintf(n, sizeof(n), "LISTEN_FDS=%d", c->opts->listen_fds);
	if (strv_push(&c->process.base.env, n) < 0 ||
	    strv_push(&c->process.base.env, "LISTEN_PID=1") < 0)
		return berth_err(err, ENOMEM, "LISTEN_FDS");
	return 0;
}

static int init_state(struct container *c, struct berth_error *err)
{
	c->state = oci_state_new();
	if (c->state == NULL)
		return -ENOMEM;
	struct oci_state *s = c->state;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	s->created = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	s->creating = true;
	const struct oci_namespace *pidns =
	    oci_spec_namespace(c->spec, OCI_NS_PID);
	s->own_pid_ns = pidns != NULL && pidns->path == NULL;
	s->id = strdup(c->id);
	s->bundle = strdup(c->bundle);
	s->rootfs = strdup(c->rootfs);
	if (!s->id || !s->bundle || !s->rootfs ||
	    oci_state_set_annotations(s, c->spec->annotations,
				      c->spec->annotations_n) < 0)
		return berth_err(err, ENOMEM, "state");
	return 0;
}

static int make_exec_fifo(struct container *c, struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (state_exec_fifo_path(c->ctx, c->id, &path) < 0)
		return -ENOMEM;
	if (mkfifo(path, 0600) < 0)
		return berth_err(err, errno, "mkfifo %s", path);
	/* O_RDWR does not block on a FIFO; the child inherits it and reads
	 * the byte `start` writes. */
	c->fifo_fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fifo_fd < 0)
		return berth_err(err, errno, "open %s", path);
	return 0;
}

/* Not written again when state.json says so already: the plan saved
 * before the mkdirs counted them right (each write is a rename over the
 * old file, which ext4 follows with a data flush). */
static int save_cgroup_path(struct container *c, struct berth_error *err)
{
	const char *path = cg_manager_path(c->cg);
	if (c->state->cgroup_path != NULL &&
	    strcmp(c->state->cgroup_path, path) == 0 &&
	    c->state->use_systemd == c->ctx->systemd_cgroup)
		return 0;
	c->state->use_systemd = c->ctx->systemd_cgroup;
	free(c->state->cgroup_path);
	c->state->cgroup_path = strdup(path);
	if (c->state->cgroup_path == NULL)
		return berth_err(err, ENOMEM, "state");
	return state_save(c->dirfd, c->state, err);
}

/* Crash-safe order: state.json names the cgroup, counting the directories
 * berth is about to make, before any exists; `delete --force` after a
 * crash anywhere from here finds them.  Saved again once made. */
static int make_cgroup(struct container *c, struct berth_error *err)
{
	_cleanup_free_ char *joined = NULL;
	int r = rtcg_plan(c->ctx, c->spec, c->id, &c->cg, &joined, err);
	if (r < 0)
		return r;
	if (joined != NULL)
		rt_log(c->ctx, RT_LOG_WARN,
		       "create %s: cgroup %s exists already and is empty: "
		       "joining it (linux.cgroupsPath); what linux.resources "
		       "does not set keeps its earlier value",
		       c->id, joined);
	r = save_cgroup_path(c, err);
	CRASH_POINT("create:after-state-creating");
	if (r == 0 && (r = rtcg_create(c->ctx, c->spec, c->cg, err)) < 0) {
		/* It removed what it made; what was there is not ours. */
		cg_manager_free(c->cg);
		c->cg = NULL;
	}
	CRASH_POINT("create:after-cgroup");
	if (r == 0)
		r = save_cgroup_path(c, err);
	CRASH_POINT("create:after-cgroup-saved");
	return r;
}

/* Rootless without a cgroup (rt_rootless_cgroup_fallback): state.json
 * names none any more. */
static int drop_cgroup(struct container *c, struct berth_error *err)
{
	free(c->state->cgroup_path);
	c->state->cgroup_path = NULL;
	return state_save(c->dirfd, c->state, err);
}

static int prepare_cgroup(struct container *c, struct berth_error *err)
{
	int r = make_cgroup(c, err);
	if (r < 0 && c->cg == NULL &&
	    rt_rootless_cgroup_fallback(c->ctx, c->spec->linux_->resources,
					c->id, r, err) == 0)
		r = drop_cgroup(c, err);
	return r;
}

/* The state dir (atomic, locked), the config's copy, the exec fifo when
 * @fifo (create, not run), and the state in memory. */
static int make_state(struct container *c, bool fifo, struct berth_error *err)
{
	int r = state_ensure_root(c->ctx, err);
	if (r == 0)
		r = state_create_dir(c->ctx, c->id, &c->dirfd, &c->lockfd, err);
	if (r < 0)
		return r;
	c->own_dir = true;
	CRASH_POINT("create:after-state-dir");
	if ((r = container_save_spec_copy(c, err)) < 0)
		return r;
	if (fifo && (r = make_exec_fifo(c, err)) < 0)
		return r;
	CRASH_POINT("create:after-fifo");
	return init_state(c, err);
}

static int prepare(struct container *c, struct berth_error *err)
{
	int r = state_validate_id(c->id, err);
	if (r == 0)
		r = protect_binary(c, err); /* first: it may exec */
	if (r == 0)
		r = load_bundle(c, err);
	if (r == 0)
		r = check_terminal(c, err);
	if (r == 0)
		r = container_reserve_fds(handed_on_fds(c->opts), err);
	if (r == 0)
		r = ns_plan_build(c->spec, &c->ns, err);
	if (r == 0)
		r = ns_netdevs_check(c->spec->linux_->net_devices,
				     c->spec->linux_->net_devices_n,
				     c->ns.join_fd[OCI_NS_NETWORK], err);
	if (r == 0)
		r = process_plan_build(c->ctx, c->spec->process,
				       c->spec->linux_, handed_on_fds(c->opts),
				       &c->process, err);
	if (r == 0)
		r = add_listen_env(c, err);
	if (r == 0)
		r = make_state(c, !c->run_mode, err);
	/* Before clone: no process of the container runs outside it. */
	return r < 0 ? r : prepare_cgroup(c, err);
}

/* restore's part of prepare: the bundle, the state dir, the cgroup; the
 * processes come from CRIU.  A terminal cannot be restored. */
int container_prepare_restore(struct container *c, struct berth_error *err)
{
	int r = state_validate_id(c->id, err);
	if (r == 0)
		r = load_bundle(c, err);
	if (r == 0 && c->spec->process != NULL && c->spec->process->terminal)
		r = berth_err_msg(err, EOPNOTSUPP,
				  "process.terminal is true: berth cannot "
				  "restore a container with a terminal");
	if (r == 0)
		r = make_state(c, false, err);
	return r < 0 ? r : prepare_cgroup(c, err);
}

void container_init(struct container *c, const struct rt_context *ctx,
		    const char *id, const struct rt_create_opts *opts,
		    bool run_mode)
{
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->id = id;
	c->opts = opts;
	c->run_mode = run_mode;
	c->dirfd = c->lockfd = c->fifo_fd = c->sync_fd = c->pty_master = -1;
	c->out_w[0] = c->out_w[1] = -1;
	sigprocmask(SIG_SETMASK, NULL, &c->saved_mask);
	for (int i = 0; i < OCI_NS_COUNT; i++)
		c->ns.join_fd[i] = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reap @pid once it is gone, waiting at most ~5 s: one held by a freezer
 * that someone else set on a parent cgroup dies only when that thaws (it
 * is init's to reap then). */
static void reap_within(pid_t pid)
{
	if (pid <= 0)
		return;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r = -1; /* set whenever pidfd >= 0 */
	while (pidfd >= 0 && (r = poll(&p, 1, 5000)) < 0 && errno == EINTR)
		;
	if (pidfd >= 0 && r == 0)
		return;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* SIGKILL the container's processes; a frozen cgroup is thawed so that
 * the kill lands (cgroup v1 holds even SIGKILL). */
static void kill_children(struct container *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	if (c->stage1 > 0)
		kill(c->stage1, SIGKILL);
	struct berth_error e = {0};
	if (c->cg != NULL && (c->pid > 0 || c->stage1 > 0))
		(void)cg_thaw_for_kill(c->cg, &e);
	reap_within(c->pid);
	reap_within(c->stage1);
	c->pid = c->stage1 = 0;
	CRASH_POINT("create-fail:after-kill");
}

void container_cleanup(struct container *c, bool failed)
{
	if (failed) {
		kill_children(c);
		if (c->cg != NULL) {
			struct berth_error e = {0};
			cg_destroy(c->cg, &e);
		}
		CRASH_POINT("create-fail:after-cgroup");
		if (c->own_dir) {
			struct berth_error e = {0};
			state_remove(c->ctx, c->id, &e);
		}
	}
	close_fd(&c->sync_fd);
	close_fd(&c->fifo_fd);
	close_fd(&c->pty_master);
	close_fd(&c->out_w[0]);
	close_fd(&c->out_w[1]);
	close_fd(&c->dirfd);
	close_fd(&c->lockfd);
	ns_plan_close(&c->ns);
	process_plan_free(&c->process);
	cg_manager_free(c->cg);
	c->cg = NULL;
	oci_state_free(c->state);
	oci_spec_free(c->spec);
	free(c->bundle);
	free(c->rootfs);
	free(c->config_json);
	c->config_json = NULL;
	c->state = NULL;
	c->spec = NULL;
	c->bundle = c->rootfs = NULL;
}

int container_hook_state(const struct oci_state *s, enum oci_status status,
			 char **ret_json, struct berth_error *err)
{
	return oci_state_hook_json(s, status, ret_json, err);
}

void container_warn_hooks(const struct rt_context *ctx,
			  const struct oci_hook_list *list, const char *kind,
			  const struct oci_state *s, enum oci_status status)
{
	if (list->n == 0)
		return;
	struct berth_error err = {0};
	_cleanup_free_ char *json = NULL;
	if (container_hook_state(s, status, &json, &err) < 0 ||
	    hooks_run_all(list, kind, json, &err) != 0)
		rt_log(ctx, RT_LOG_WARN, "%s", err.msg);
}

/* The container process is @pid: record it with its start time, so even a
 * container still being created has a status that survives PID reuse. */
static int container_set_pid(struct container *c, pid_t pid,
			     struct berth_error *err)
{
	c->pid = pid;
	c->state->pid = pid;
	int r = proc_start_time(pid, &c->state->pid_start);
	return r < 0 ? berth_err(err, r, "container process %d", (int)pid) : 0;
}

static bool needs_stage1(const struct ns_plan *ns)
{
	bool joins = false;
	for (int i = 0; i < OCI_NS_COUNT; i++)
		joins = joins || (i != OCI_NS_PID && ns->join_fd[i] >= 0);
	return ns->join_fd[OCI_NS_USER] >= 0 || (ns->new_user && joins);
}

/* A joined PID namespace is entered for our children only; *ret_own keeps
 * ours, to go back to right after clone so hooks we run stay in ours. */
static int enter_joined_pidns(struct container *c, int *ret_own,
			      struct berth_error *err)
{
	*ret_own = -1;
	if (c->ns.join_fd[OCI_NS_PID] < 0)
		return 0;
	int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return berth_err(err, errno, "open /proc/self/ns/pid");
	int r = ns_join_one(&c->ns, OCI_NS_PID, err);
	if (r < 0) {
		close(own);
		return r;
	}
	*ret_own = own;
	return 0;
}

/* clone3 straight into the cgroup2 cgroup where the kernel can; the child
 * moves itself into the rest in its first step (cg_self_open()). */
static pid_t clone_into_cgroup(struct container *c, struct child_args *a,
			       struct berth_error *err)
{
	unsigned long flags = a->stage1 ? 0 : c->ns.new_flags;
	int cgfd = c->cg != NULL ? cg_clone_into_fd(c->cg) : -1;
	int r = c->cg != NULL ? cg_self_open(c->cg, cgfd >= 0, &a->cg_self, err)
			      : 0;
	if (r < 0)
		return r;
	pid_t pid = ns_clone(flags, cgfd);
	if (cgfd >= 0 && (pid == -E2BIG || pid == -EINVAL || pid == -ENOSYS)) {
		cg_self_close(&a->cg_self); /* an older kernel: cgroup2 too */
		r = cg_self_open(c->cg, false, &a->cg_self, err);
		if (r < 0)
			return r;
		pid = ns_clone(flags, -1);
	}
	if (pid == 0)
		child_main(a);
	cg_self_close(&a->cg_self);
	if (pid < 0)
		return berth_err(err, pid, "clone the container process");
	return pid;
}

static int spawn_child(struct container *c, const struct mounts_plan *mounts,
		       struct berth_error *err)
{
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return berth_err(err, errno, "socketpair");
	c->sync_fd = sp[0];
	_cleanup_close_ int own_pidns = -1;
	int r = enter_joined_pidns(c, &own_pidns, err);
	if (r < 0) {
		close(sp[1]);
		return r;
	}
	const struct oci_hooks *h = &c->spec->hooks;
	struct child_args a = {
	    .ctx = c->ctx,
	    .spec = c->spec,
	    .ns = &c->ns,
	    .mounts = *mounts,
	    .process = &c->process,
	    .sync_fd = sp[1],
	    .fifo_fd = c->fifo_fd,
	    .parent_fds = {c->lockfd, c->dirfd, c->sync_fd},
	    .new_keyring = !c->opts->no_new_keyring,
	    .has_runtime_hooks = h->prestart.n || h->create_runtime.n ||
				 h->create_container.n || h->start_container.n,
	    .stage1 = needs_stage1(&c->ns),
	    .stdio_w = {c->out_w[0], c->out_w[1]},
	    .init = c->opts->supervise != NULL && c->opts->supervise->init,
	    .die_with_berth = c->run_mode && !c->opts->detach,
	};
	pid_t pid = clone_into_cgroup(c, &a, err);
	CRASH_POINT("create:after-clone");
	close(sp[1]);
	close_fd(&c->out_w[0]); /* the child's now */
	close_fd(&c->out_w[1]);
	if (own_pidns >= 0 && setns(own_pidns, CLONE_NEWPID) < 0 && pid > 0)
		rt_log(c->ctx, RT_LOG_WARN, "return to our PID namespace: %s",
		       BERTH_STRERROR(errno));
	if (pid < 0)
		return pid;
	return container_set_pid(c, pid, err);
}

/* The mount plan, with idmapped mounts and bind sources built here: a
 * child in its own user namespace may not idmap a host filesystem, nor
 * reach a host path only root may, but may attach what we made. */
static int clone_child(struct container *c, struct berth_error *err)
{
	const struct oci_spec *spec = c->spec;
	struct mounts_plan mounts = {
	    .spec = spec,
	    .rootfs = c->rootfs,
	    .bundle = c->bundle,
	    .in_userns = oci_spec_namespace(spec, OCI_NS_USER) != NULL,
	    .no_pivot = c->opts->no_pivot,
	    .new_mount_ns = true,
	    .rootfd = -1,
	    .devnull_fd = -1,
	};
	/* The cgroup mount's sources: our mount table, which a new mount
	 * namespace copies (a joined one's is read by the child). */
	_cleanup_free_ char *cgroup_mounts = NULL;
	int r = 0;
	const char *known = c->cg != NULL ? cg_manager_mountinfo(c->cg) : NULL;
	if (c->ns.join_fd[OCI_NS_MOUNT] < 0 && known != NULL)
		r = mount_cgroup_table_from(known, &cgroup_mounts);
	else if (c->ns.join_fd[OCI_NS_MOUNT] < 0)
		r = mount_cgroup_read_table(&cgroup_mounts, err);
	if (r < 0)
		return r;
	mounts.cgroup_view.mountinfo = cgroup_mounts;
	r = mounts_plan_idmaps(&mounts, err);
	/* Rootless, berth has no privilege its child lacks (open_tree's clone
	 * is EPERM here): the child opens bind sources and devices itself. */
	if (r == 0 && c->ctx->rootless_reason == RT_ROOTLESS_NO &&
	    (r = mounts_plan_host(&mounts, err)) < 0)
		mounts_plan_idmaps_close(&mounts);
	if (r < 0)
		return berth_err_ctx(err, "mounts");
	r = spawn_child(c, &mounts, err);
	/* Our copies; the child has its own. */
	mounts_plan_idmaps_close(&mounts);
	mounts_plan_host_close(&mounts);
	return r;
}

static int run_runtime_hooks(struct container *c, struct berth_error *err)
{
	c->state->pid = c->pid;
	_cleanup_free_ char *json = NULL;
	int r = container_hook_state(c->state, OCI_STATUS_CREATING, &json, err);
	if (r < 0)
		return r;
	rt_log(c->ctx, RT_LOG_DEBUG, "create %s: prestart, createRuntime hooks",
	       c->id);
	r = hooks_run(&c->spec->hooks.prestart, "prestart", json, err);
	if (r == 0)
		r = hooks_run(&c->spec->hooks.create_runtime, "createRuntime",
			      json, err);
	if (r < 0)
		return r;
	/* createContainer sees "creating"; startContainer, run after start,
	 * sees "running".  Both go in one message, NUL-separated. */
	_cleanup_free_ char *running = NULL, *both = NULL;
	r = container_hook_state(c->state, OCI_STATUS_RUNNING, &running, err);
	if (r < 0)
		return r;
	size_t l1 = strlen(json), l2 = strlen(running);
	both = malloc(l1 + l2 + 2);
	if (both == NULL)
		return -ENOMEM;
	memcpy(both, json, l1 + 1);
	memcpy(both + l1 + 1, running, l2 + 1);
	r = sync_send(c->sync_fd, SYNC_HOOKS_DONE, both, l1 + l2 + 2);
	return r < 0 ? berth_err(err, r, "answer the container process") : 0;
}

static int got_pty(struct container *c, int fd, struct berth_error *err)
{
	if (fd < 0)
		return berth_err_msg(err, EPROTO, "no pty master received");
	if (c->opts->console_socket == NULL) {
		c->pty_master = fd; /* run in the foreground relays it */
		return 0;
	}
	int r =
	    terminal_send_to_console_socket(c->opts->console_socket, fd, err);
	close(fd);
	return r;
}

/* SYNC_SECCOMP: give the listener to the agent at listenerPath. */
static int got_seccomp_listener(struct container *c, int fd,
				struct berth_error *err)
{
	if (fd < 0)
		return berth_err_msg(err, EPROTO,
				     "no seccomp listener received");
	const struct oci_seccomp *sc = c->spec->linux_->seccomp;
	_cleanup_free_ char *json = NULL;
	c->state->pid = c->pid;
	int r = container_hook_state(c->state, OCI_STATUS_CREATING, &json, err);
	if (r == 0)
		r = seccomp_send_listener(sc->listener_path, fd,
					  sc->listener_metadata, c->pid, json,
					  err);
	close(fd);
	return r;
}

/* SYNC_NETDEVS: the child's network namespace exists; move them in. */
static int move_net_devices(struct container *c, struct berth_error *err)
{
	const struct oci_linux *l = c->spec->linux_;
	int r = ns_netdevs_move(l->net_devices, l->net_devices_n, c->pid, err);
	if (r < 0)
		return r;
	r = sync_send(c->sync_fd, SYNC_NETDEVS, NULL, 0);
	return r < 0 ? berth_err(err, r, "answer the container process") : 0;
}

/* One message from the child; sets *done on SYNC_READY. */
static int handle_msg(struct container *c, struct sync_msg *m, int fd,
		      bool *done, struct berth_error *err)
{
	switch (m->type) {
	case SYNC_ERROR:
		memcpy(err, m->payload, sizeof(*err));
		err->msg[sizeof(err->msg) - 1] = '\0';
		return -(err->code ? err->code : EIO);
	case SYNC_ID_MAPS: {
		int r = c->ctx->rootless_reason == RT_ROOTLESS_EUID
			    ? ns_write_id_maps_rootless(c->pid, c->spec->linux_,
							err)
			    : ns_write_id_maps(c->pid, c->spec->linux_, err);
		if (r < 0)
			return r;
		CRASH_POINT("create:after-id-maps");
		r = sync_send(c->sync_fd, SYNC_ID_MAPS, NULL, 0);
		return r < 0 ? berth_err(err, r, "answer the container process")
			     : 0;
	}
	case SYNC_PID:
		if (m->len != sizeof(pid_t))
			return berth_err_msg(err, EPROTO, "bad pid message");
		pid_t pid;
		memcpy(&pid, m->payload, sizeof(pid));
		c->stage1 = c->pid;
		int r = container_set_pid(c, pid, err);
		/* The container process, not stage 1, in state.json. */
		if (r == 0)
			r = state_save(c->dirfd, c->state, err);
		CRASH_POINT("create:after-new-pid");
		if (r == 0 &&
		    (r = sync_send(c->sync_fd, SYNC_PID, NULL, 0)) < 0)
			berth_err(err, r, "answer the container process");
		return r;
	case SYNC_HOOKS:
		CRASH_POINT("create:before-hooks");
		return run_runtime_hooks(c, err);
	case SYNC_NETDEVS:
		return move_net_devices(c, err);
	case SYNC_PTY:
		return got_pty(c, fd, err);
	case SYNC_SECCOMP:
		return got_seccomp_listener(c, fd, err);
	case SYNC_STEP:
		if (m->len > 0 && m->payload[m->len - 1] == '\0')
			rt_log(c->ctx, RT_LOG_DEBUG, "create %s: child: %s",
			       c->id, m->payload);
		return 0;
	case SYNC_FILTER:
		c->filter_loading = true;
		return 0;
	case SYNC_READY:
		rt_log(c->ctx, RT_LOG_DEBUG,
		       "create %s: the container process is ready", c->id);
		*done = true;
		return 0;
	default:
		return berth_err_msg(err, EPROTO, "unexpected message %u",
				     m->type);
	}
}

/* How the child that closed its end ended, without reaping it (cleanup
 * does); it may take a moment to become a zombie after its fds close. */
static void describe_exit(pid_t pid, char *buf, size_t len)
{
	siginfo_t si = {0};
	snprintf(buf, len, "exited");
	for (int i = 0; i < 100; i++) {
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) <
		    0)
			return;
		if (si.si_pid == pid)
			break;
		usleep(2000);
	}
	if (si.si_pid != pid)
		return;
	if (si.si_code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", si.si_status);
	else if (signal_name(si.si_status) != NULL)
		snprintf(buf, len, "was killed by SIG%s",
			 signal_name(si.si_status));
	else
		snprintf(buf, len, "was killed by signal %d", si.si_status);
}

/* EOF before "ready": the child died without a word.  After SYNC_FILTER
 * the likely reason is the filter refusing what berth does before exec,
 * the sendmsg of the error itself among them. */
static int silent_exit(struct container *c, struct berth_error *err)
{
	if (!c->filter_loading)
		return berth_err_msg(
		    err, EPIPE, "the container process exited during setup");
	char how[64];
	describe_exit(c->pid, how, sizeof(how));
	return berth_err_msg(err, EPIPE,
			     "the container process %s without a word right "
			     "after loading linux.seccomp: the profile may "
			     "block what berth does before exec (sendmsg, "
			     "read, capset, rt_sigprocmask, execve)",
			     how);
}

int container_recv(struct container *c, struct sync_msg **ret_msg, int *ret_fd,
		   struct berth_error *err)
{
	struct pollfd p = {.fd = c->sync_fd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, c->cg != NULL ? 1000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berth_err(err, errno, "poll the sync socket");
		if (r > 0)
			break;
		r = cg_check_thawed(c->cg, err);
		if (r < 0)
			return berth_err_ctx(err, "the container process "
						  "cannot go on");
	}
	int r = sync_recv(c->sync_fd, ret_msg, ret_fd);
	if (r < 0 && r != -EPIPE)
		return berth_err(err, r, "read from the container process");
	return r;
}

static int wait_ready(struct container *c, struct berth_error *err)
{
	bool done = false;
	while (!done) {
		_cleanup_free_ struct sync_msg *m = NULL;
		int fd = -1;
		int r = container_recv(c, &m, &fd, err);
		if (r == -EPIPE)
			return silent_exit(c, err);
		if (r < 0)
			return r;
		r = handle_msg(c, m, fd, &done, err);
		if (r < 0)
			return r;
	}
	CRASH_POINT("create:after-ready");
	if (c->stage1 > 0) {
		while (waitpid(c->stage1, NULL, 0) < 0 && errno == EINTR)
			;
		c->stage1 = 0;
	}
	/* From here, in the host's user namespace: lowering the score needs
	 * privileges a user-namespaced child lacks. */
	return proc_write_oom_score_adj(&c->process.base, c->pid, err);
}

int container_write_pid_file(const char *path, pid_t pid,
			     struct berth_error *err)
{
	if (path == NULL)
		return 0;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	int r = write_file_atomic(path, buf, (size_t)n, 0644);
	return r < 0 ? berth_err(err, r, "--pid-file '%s'", path) : 0;
}

static int record_created(struct container *c, struct berth_error *err)
{
	struct oci_state *s = c->state;
	s->pid = c->pid;
	int r = proc_start_time(c->pid, &s->pid_start);
	if (r < 0)
		return berth_err(err, r, "the container process is gone");
	s->creating = false;
	/* run saves it once started, a moment later: "created" would be
	 * one more write that no other command gets to see. */
	r = c->run_mode ? 0 : state_save(c->dirfd, s, err);
	if (r < 0)
		return r;
	CRASH_POINT("create:after-state-created");
	return container_write_pid_file(c->opts->pid_file, c->pid, err);
}

int container_create(struct container *c, struct berth_error *err)
{
	int r = prepare(c, err);
	if (r < 0)
		return r;
	rt_log(c->ctx, RT_LOG_DEBUG, "create %s: bundle %s, rootfs %s", c->id,
	       c->bundle, c->rootfs);
	/* Block signals across clone: the child resets its handlers and
	 * unblocks just before exec; run keeps them blocked for signalfd. */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &c->saved_mask);
	r = clone_child(c, err);
	if (!c->run_mode)
		sigprocmask(SIG_SETMASK, &c->saved_mask, NULL);
	if (r == 0) {
		rt_log(c->ctx, RT_LOG_DEBUG, "create %s: cloned pid %d", c->id,
		       (int)c->pid);
		r = state_save(c->dirfd, c->state, err);
	}
	CRASH_POINT("create:after-state-pid");
	if (r == 0 && c->after_clone != NULL)
		r = c->after_clone(c, c->after_clone_arg, err);
	if (r == 0)
		r = wait_ready(c, err);
	if (r == 0)
		r = record_created(c, err);
	if (r == 0)
		rt_log(c->ctx, RT_LOG_DEBUG, "create %s: created, pid %d",
		       c->id, (int)c->pid);
	return r;
}

int rt_create(const struct rt_context *ctx, const char *id,
	      const struct rt_create_opts *opts, struct berth_error *err)
{
	struct container c;
	container_init(&c, ctx, id, opts, false);
	int r = container_create(&c, err);
	container_cleanup(&c, r < 0);
	return r;
}

int container_save_spec_copy(struct container *c, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL, *dst = NULL;
	if (state_dir_path(c->ctx, c->id, &dir) < 0 ||
	    asprintf(&dst, "%s/config.json", dir) < 0)
		return -ENOMEM;
	int r = write_file_atomic(dst, c->config_json, c->config_len, 0600);
	return r < 0 ? berth_err(err, r, "write %s", dst) : 0;
}

int container_load_saved_spec(const struct rt_context *ctx,
			      const struct oci_state *s, struct oci_spec **ret)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	if (state_dir_path(ctx, s->id, &dir) < 0 ||
	    asprintf(&path, "%s/config.json", dir) < 0)
		return -ENOMEM;
	if (access(path, F_OK) < 0)
		return -ENOENT;
	struct berth_error e = {0};
	return oci_spec_load(path, ret, &e);
}
