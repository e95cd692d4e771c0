#include "runtime/child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "namespaces/net.h"
#include "runtime/hooks.h"
#include "runtime/supervise/init.h"
#include "runtime/sync.h"
#include "runtime/process/terminal.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

typedef int (*step_fn)(struct child_args *a, struct berth_error *err);

struct step {
	const char *name; /* prefixes its errors; NULL: it names its own */
	step_fn fn;
};

static int request_id_maps(struct child_args *a, struct berth_error *err)
{
	/* Rootless, berth writes our maps as the user it is: our /proc files
	 * must be its, i.e. we dumpable, until then (runc's nsexec does the
	 * same); no process of the container exists yet. */
	bool own = a->ctx->rootless_reason != RT_ROOTLESS_NO;
	if (own)
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	int r = sync_send(a->sync_fd, SYNC_ID_MAPS, NULL, 0);
	if (r < 0)
		berth_err(err, r, "ask for id maps");
	else
		r = sync_expect(a->sync_fd, SYNC_ID_MAPS, NULL, err);
	if (own)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (r < 0)
		return r;
	/* Become the namespace's root: uid/gid 0 must be mapped. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return berth_err(
		    err, errno,
		    "become root in the user namespace (is 0 mapped?)");
	sync_die_with_berth(a->sync_fd);
	return 0;
}

/* The slow path, for a joined user namespace or a new one next to joined
 * namespaces: join first (while privileged in the host's user namespace),
 * then unshare; a new PID namespace then needs one more clone, whose child
 * (made berth's child by CLONE_PARENT) carries on as the container. */
static int child_stage1_namespaces(struct child_args *a,
				   struct berth_error *err)
{
	int r = ns_join_one(a->ns, OCI_NS_USER, err);
	if (r == 0 && a->ns->join_fd[OCI_NS_USER] >= 0 &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		r = berth_err(err, errno,
			      "become root in the joined user namespace");
	if (r == 0)
		sync_die_with_berth(a->sync_fd);
	if (r == 0)
		r = ns_join_rest(a->ns, err);
	if (r < 0)
		return r;
	unsigned long flags = a->ns->new_flags & ~(unsigned long)CLONE_NEWPID;
	if (flags != 0 && unshare((int)flags) < 0)
		return berth_err(err, errno, "unshare namespaces");
	if (a->ns->new_user && (r = request_id_maps(a, err)) < 0)
		return r;
	if (!(a->ns->new_flags & CLONE_NEWPID))
		return 0;
	pid_t pid = ns_clone(CLONE_NEWPID | CLONE_PARENT, -1);
	if (pid < 0)
		return berth_err(err, pid, "clone into a new PID namespace");
	if (pid == 0) {
		/* berth's child (CLONE_PARENT): arm it for ourselves.  Carry
		 * on only once berth knows our pid, so every later message is
		 * about the right process. */
		sync_die_with_berth(a->sync_fd);
		return sync_expect(a->sync_fd, SYNC_PID, NULL, err);
	}
	r = sync_send(a->sync_fd, SYNC_PID, &pid, sizeof(pid));
	_exit(r < 0 ? 1 : 0);
}

static int child_namespaces(struct child_args *a, struct berth_error *err)
{
	if (a->stage1)
		return child_stage1_namespaces(a, err);
	if (a->ns->new_user) {
		int r = request_id_maps(a, err);
		if (r < 0)
			return r;
	}
	return ns_join_rest(a->ns, err);
}

/* A new network namespace starts with lo down; runc and crun bring it up.
 * A joined one (or the host's) is left as it is. */
static int child_loopback(struct child_args *a, struct berth_error *err)
{
	if (!(a->ns->new_flags & CLONE_NEWNET))
		return 0;
	return ns_loopback_up(err);
}

/* linux.netDevices: berth moves them in from its own network namespace
 * (the host's), now that ours exists, before any code of the container's
 * runs. */
static int child_net_devices(struct child_args *a, struct berth_error *err)
{
	if (a->spec->linux_->net_devices_n == 0)
		return 0;
	int r = sync_send(a->sync_fd, SYNC_NETDEVS, NULL, 0);
	if (r < 0)
		return berth_err(err, r, "ask for the network devices");
	return sync_expect(a->sync_fd, SYNC_NETDEVS, NULL, err);
}

/* A session of its own (no controlling terminal of the caller's to
 * TIOCSTI into, no SIGHUP when that terminal closes) and a fresh session
 * keyring (not the caller's keys), as runc does.  With a terminal, the pty
 * step makes the session. */
static int child_session(struct child_args *a, struct berth_error *err)
{
	if (!a->spec->process->terminal && setsid() < 0)
		return berth_err(err, errno, "setsid");
	if (!a->new_keyring)
		return 0;
	return proc_join_session_keyring(err);
}

/* Not one instruction of the container's own runs outside its cgroup:
 * where clone3 did not put us in it, we move ourselves first
 * (cg_self_open() says why not berth). */
static int child_enter_cgroup(struct child_args *a, struct berth_error *err)
{
	int r = cg_enter_self(&a->cg_self, err);
	cg_self_close(&a->cg_self);
	return r;
}

/* Unshared here, not at clone: the new namespace's root is the cgroup we
 * are in now, the container's.  What the cgroup mount needs is kept (the
 * child's memory, until exec): our cgroups as the host names them, and,
 * in a joined mount namespace, its cgroup mounts before ours are made
 * (berth read its own before clone for a new one). */
static int child_cgroup_ns(struct child_args *a, struct berth_error *err)
{
	struct cgroup_view *v = &a->mounts.cgroup_view;
	char *cg = NULL, *mi = NULL;
	int r = v->mountinfo ? 0 : mount_cgroup_read_table(&mi, err);
	if (r < 0)
		return r;
	if (mi != NULL)
		v->mountinfo = mi;
	if (!a->ns->new_cgroup)
		return 0;
	r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, NULL);
	if (r < 0)
		return berth_err(err, r, "read /proc/self/cgroup");
	v->cgroup = cg;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return berth_err(err, errno, "unshare the cgroup namespace");
	return 0;
}

static int child_time_ns(struct child_args *a, struct berth_error *err)
{
	if (!a->ns->new_time)
		return 0;
	return ns_new_time(a->spec->linux_, err);
}

static int child_hostname(struct child_args *a, struct berth_error *err)
{
	const char *h = a->spec->hostname, *d = a->spec->domainname;
	if (h != NULL && sethostname(h, strlen(h)) < 0)
		return berth_err(err, errno, "set hostname \"%s\"", h);
	if (d != NULL && setdomainname(d, strlen(d)) < 0)
		return berth_err(err, errno, "set domainname \"%s\"", d);
	return 0;
}

static int child_sysctl(struct child_args *a, struct berth_error *err)
{
	const struct oci_linux *l = a->spec->linux_;
	for (size_t i = 0; l != NULL && i < l->sysctl_n; i++) {
		char path[512];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s",
				 l->sysctl[i].key);
		if (n < 0 || (size_t)n >= sizeof(path))
			return berth_err(err, ENAMETOOLONG, "linux.sysctl");
		for (char *p = path + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
		int r = write_str_at(AT_FDCWD, path, l->sysctl[i].value);
		if (r < 0)
			return berth_err(err, r, "linux.sysctl %s=%s",
					 l->sysctl[i].key, l->sysctl[i].value);
	}
	return 0;
}

static int child_prepare_rootfs(struct child_args *a, struct berth_error *err)
{
	return mounts_prepare_rootfs(&a->mounts, err);
}

static int child_mounts(struct child_args *a, struct berth_error *err)
{
	return mounts_do_mounts(&a->mounts, err);
}

static int child_devices(struct child_args *a, struct berth_error *err)
{
	return mounts_create_devices(&a->mounts, err);
}

static int child_runtime_hooks(struct child_args *a, struct berth_error *err)
{
	if (!a->has_runtime_hooks)
		return 0;
	/* prestart and createRuntime run in the runtime's namespaces: the
	 * parent runs them, then hands us the state for createContainer. */
	int r = sync_send(a->sync_fd, SYNC_HOOKS, NULL, 0);
	if (r < 0)
		return berth_err(err, r, "ask for runtime hooks");
	_cleanup_free_ struct sync_msg *m = NULL;
	r = sync_expect(a->sync_fd, SYNC_HOOKS_DONE, &m, err);
	if (r < 0)
		return r;
	/* Two NUL-terminated states: creating, then running. */
	size_t l1 = strnlen(m->payload, m->len);
	if (l1 + 1 >= m->len)
		return berth_err_msg(err, EPROTO, "bad hook state message");
	a->state_json = strdup(m->payload);
	a->start_state_json = strndup(m->payload + l1 + 1, m->len - l1 - 1);
	if (a->state_json == NULL || a->start_state_json == NULL)
		return -ENOMEM;
	return hooks_run(&a->spec->hooks.create_container, "createContainer",
			 a->state_json, err);
}

static int child_pivot_root(struct child_args *a, struct berth_error *err)
{
	return mounts_pivot_root(&a->mounts, err);
}

static int child_terminal(struct child_args *a, struct berth_error *err)
{
	const struct oci_process *p = a->spec->process;
	if (!p->terminal)
		return 0;
	_cleanup_close_ int master = -1, slave = -1;
	int r = terminal_open_in_container(&master, &slave, err);
	if (r < 0)
		return r;
	r = mounts_bind_console(&a->mounts, slave, err);
	if (r < 0)
		return r;
	r = terminal_setup_slave(slave, p->console_size.height,
				 p->console_size.width, err);
	if (r < 0)
		return r;
	r = sync_send_fd(a->sync_fd, SYNC_PTY, master);
	if (r < 0)
		return berth_err(err, r, "send the pty master to berth");
	return 0;
}

static int child_mask_paths(struct child_args *a, struct berth_error *err)
{
	return mounts_mask_paths(&a->mounts, err);
}

static int child_readonly_paths(struct child_args *a, struct berth_error *err)
{
	return mounts_readonly_paths(&a->mounts, err);
}

static int child_finalize_root(struct child_args *a, struct berth_error *err)
{
	return mounts_finalize_root(&a->mounts, err);
}

static int child_initial_affinity(struct child_args *a, struct berth_error *err)
{
	return process_setup_early(a->process, err);
}

static void on_signal_while_waiting(int sig)
{
	/* A created container dies of a terminating signal, as runc's does. */
	_exit(128 + sig);
}

/* Installed before the filter (a profile may lack rt_sigaction); they act
 * only once wait_for_start() unblocks signals, and execve resets them. */
static void install_start_handlers(void)
{
	static const int fatal[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,
				    SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE};
	struct sigaction sa = {.sa_handler = on_signal_while_waiting};
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
}

/* run --output-limit & co: stdout and stderr are berth's pipes. */
static int child_output_pipes(struct child_args *a, struct berth_error *err)
{
	for (int i = 0; i < 2; i++) {
		if (a->stdio_w[i] < 0)
			continue;
		if (dup2(a->stdio_w[i], 1 + i) < 0)
			return berth_err(err, errno, "dup2 onto fd %d", 1 + i);
		close(a->stdio_w[i]);
		a->stdio_w[i] = -1;
	}
	return 0;
}

/* A foreground run's process dies with berth: armed again once the
 * identity is final (a change of credentials clears it) -- before the
 * filter when there is one, which may refuse prctl and poll. */
static void arm_die_with_berth(struct child_args *a)
{
	if (a->die_with_berth)
		sync_die_with_berth(a->sync_fd);
}

static int before_filter(void *opaque, struct berth_error *err)
{
	struct child_args *a = opaque;
	arm_die_with_berth(a);
	return sync_io_before_filter(&a->sync_fd, err);
}

static int send_listener(void *opaque, int listener, struct berth_error *err)
{
	struct child_args *a = opaque;
	return sync_io_send_listener(&a->sync_fd, listener, err);
}

/* The steps every process berth starts shares (runtime/process/setup.c);
 * they name themselves in errors.  With SCMP_ACT_NOTIFY berth gives the
 * listener to the agent before it reads our "ready". */
static int child_process(struct child_args *a, struct berth_error *err)
{
	const int keep[] = {a->sync_fd, a->fifo_fd};
	const struct process_io io = {
	    .keep_fds = keep,
	    .n_keep = ARRAY_SIZE(keep),
	    .send_listener = send_listener,
	    .before_filter = before_filter,
	    .opaque = a,
	};
	if (a->fifo_fd >= 0)
		install_start_handlers();
	/* From here the container process outlives berth once ready (the
	 * user switch would clear it anyway); until then every berth death
	 * still ends us: "ready" and "start" go through the sync socket. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	int r = process_setup(a->process, &io, &a->exec_path, err);
	if (r == 0 && !a->process->filter_loaded)
		arm_die_with_berth(a);
	return r;
}

/* Under the filter: rt_sigprocmask and read only. */
static int wait_for_start(struct child_args *a, struct berth_error *err)
{
	sigset_t all, none;
	sigfillset(&all);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
		berth_err(err, errno, "wait for start: unblock signals");
		return process_filter_note(a->process, err, "rt_sigprocmask");
	}
	char c;
	ssize_t n;
	do
		n = read(a->fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	int e = errno;
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0) {
		berth_err(err, errno, "block signals after start");
		return process_filter_note(a->process, err, "rt_sigprocmask");
	}
	if (n == 1)
		return 0;
	berth_err(err, n < 0 ? e : EPIPE, "wait for start");
	return n < 0 ? process_filter_note(a->process, err, "read") : -EPIPE;
}

static int child_ready(struct child_args *a, struct berth_error *err)
{
	int r = sync_send(a->sync_fd, SYNC_READY, NULL, 0);
	if (r < 0) {
		berth_err(err, r, "report ready");
		return process_filter_note(a->process, err, "sendmsg");
	}
	if (a->fifo_fd >= 0) {
		/* create: berth exits; `start` writes the exec fifo. Nobody
		 * reads our errors any more. */
		close(a->sync_fd);
		a->sync_fd = -1;
		return wait_for_start(a, err);
	}
	r = sync_expect_empty(a->sync_fd, SYNC_START, err);
	if (r < 0 && r != -EPIPE)
		return process_filter_note(a->process, err, "recvmsg");
	return r;
}

static int child_start_hooks(struct child_args *a, struct berth_error *err)
{
	const struct oci_hook_list *l = &a->spec->hooks.start_container;
	if (l->n == 0)
		return 0;
	int r = hooks_run(l, "startContainer", a->start_state_json, err);
	if (r < 0)
		process_filter_note(a->process, err,
				    "the hook, or what running it takes: "
				    "pipe2, clone, pidfd_open, poll, waitid");
	return r;
}

static const struct step steps[] = {
    {"cgroup", child_enter_cgroup},
    {"initial cpu affinity", child_initial_affinity},
    {"namespaces", child_namespaces},
    {"loopback", child_loopback},
    {"network devices", child_net_devices},
    {"cgroup namespace", child_cgroup_ns},
    {"session", child_session},
    {"time namespace", child_time_ns},
    {"hostname", child_hostname},
    {"sysctl", child_sysctl},
    {"prepare rootfs", child_prepare_rootfs},
    {"mounts", child_mounts},
    {"devices", child_devices},
    {"runtime hooks", child_runtime_hooks},
    {"pivot_root", child_pivot_root},
    {"terminal", child_terminal},
    {"masked paths", child_mask_paths},
    {"readonly paths", child_readonly_paths},
    {"finalize root", child_finalize_root},
    {"output pipes", child_output_pipes},
    {NULL, child_process}, /* close host fds ... seccomp: its own names */
    {"ready", child_ready},
    {"startContainer hooks", child_start_hooks},
};
CRASH_STEPS("create-child", steps, ARRAY_SIZE(steps), "process-setup");

static void reset_signal_handlers(void)
{
	/* Handlers only: the mask stays full until just before exec. */
	sigset_t all;
	sigfillset(&all);
	signals_reset_all();
	sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Not noreturn, and no _exit(): see exit_now() (util/util.h). */
static void child_fail(struct child_args *a, const char *step,
		       struct berth_error *err)
{
	if (err->code == 0)
		err->code = EIO;
	if (a->sync_fd >= 0) {
		if (step != NULL)
			berth_err_ctx(err, "%s", step);
		sync_send_error(a->sync_fd, err);
	}
	exit_now(1);
}

/* --debug: tell berth which step starts, for its log.  Only up to the
 * process setup: from there a seccomp filter may refuse the message. */
static void report_step(struct child_args *a, const struct step *s,
			bool *reporting)
{
	if (!*reporting || a->sync_fd < 0)
		return;
	const char *name = s->name ? s->name : "process setup";
	(void)sync_send(a->sync_fd, SYNC_STEP, name, strlen(name) + 1);
	*reporting = s->fn != child_process;
}

void child_main(struct child_args *a)
{
	struct berth_error err = {0};
	for (size_t i = 0; i < ARRAY_SIZE(a->parent_fds); i++)
		if (a->parent_fds[i] >= 0)
			close(a->parent_fds[i]);
	reset_signal_handlers();
	/* Non-dumpable until exec: no container process may ptrace us or
	 * open our /proc/<pid>/exe or fds. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sync_die_with_berth(a->sync_fd);
	bool reporting = a->ctx->debug;
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		berth_err_clear(&err);
		report_step(a, &steps[i], &reporting);
		CRASH_STEP("create-child", steps[i].name, "process-setup");
		if (steps[i].fn(a, &err) < 0)
			child_fail(a, steps[i].name, &err);
	}
	CRASH_POINT("create-child:before-exec");
	if (a->init && sv_init_fork(a->sync_fd, a->die_with_berth, &err) < 0)
		child_fail(a, "init", &err);
	process_exec(a->process, a->exec_path, &err);
	child_fail(a, "exec", &err);
	__builtin_unreachable();
}
