/*
 * The process `exec` clones, from berth to the exec of the new process: a
 * short list of named steps, then the process setup every process berth
 * starts shares (runtime/process/setup.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/exec/internal.h"
#include "runtime/process/terminal.h"
#include "runtime/sync.h"
#include "util/cleanup.h"
#include "util/crash.h"
#include "util/util.h"

typedef int (*exec_step_fn)(struct exec_child_args *a, struct berth_error *err);

/* Into the container's cgroup where clone3 did not put us (cg_self_open()),
 * then berth sets our OOM score: not one instruction of the process runs
 * before. */
static int step_wait(struct exec_child_args *a, struct berth_error *err)
{
	int r = cg_enter_self(&a->cg_self, err);
	cg_self_close(&a->cg_self);
	return r < 0 ? r : sync_expect(a->sync_fd, SYNC_CGROUP, NULL, err);
}

static int step_early(struct exec_child_args *a, struct berth_error *err)
{
	return process_setup_early(a->plan, err);
}

/* The user namespace first: the others belong to it, and joining it gives
 * us every capability there. */
static int step_namespaces(struct exec_child_args *a, struct berth_error *err)
{
	int r = ns_join_one(a->ns, OCI_NS_USER, err);
	if (r < 0)
		return r;
	if (a->ns->join_fd[OCI_NS_USER] >= 0 &&
	    (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return berth_err(err, errno,
				 "become root in the container's user "
				 "namespace");
	if (a->ns->join_fd[OCI_NS_USER] >= 0)
		sync_die_with_berth(a->sync_fd);
	return ns_join_rest(a->ns, err);
}

/* The released process: once the one that cloned it has told berth its
 * pid ('x' on the pipe), it carries on; EOF alone means that one died. */
static int wait_released(struct exec_child_args *a, int rd,
			 struct berth_error *err)
{
	char c = 0;
	ssize_t n;
	while ((n = read(rd, &c, 1)) < 0 && errno == EINTR)
		;
	close(rd);
	if (n != 1 || c != 'x')
		return berth_err_msg(err, EPIPE, "not released");
	sync_die_with_berth(a->sync_fd);
	return 0;
}

/* Rootless (join_pid_in_child): join the container's PID namespace from
 * inside its user namespace, then clone the process that is born in it
 * (berth's child, CLONE_PARENT); this one sends berth its pid and exits. */
static int step_pid_ns(struct exec_child_args *a, struct berth_error *err)
{
	if (!a->join_pid_in_child)
		return 0;
	int r = ns_join_one(a->ns, OCI_NS_PID, err);
	int p[2];
	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_err(err, errno, "pipe");
	pid_t pid = ns_clone(CLONE_PARENT, -1);
	if (pid == 0) {
		close(p[1]);
		return wait_released(a, p[0], err);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return berth_err(err, -pid, "clone in the PID namespace");
	}
	r = sync_send(a->sync_fd, SYNC_PID, &pid, sizeof(pid));
	if (r < 0)
		return berth_err(err, r, "send the pid to berth");
	if (write(p[1], "x", 1) != 1)
		return berth_err(err, errno, "release pid %d", (int)pid);
	exit_now(0);
	return 0;
}

/* The mount namespace's root is the container's after pivot_root, but not
 * with --no-pivot (chroot): go through the container process's root. */
static int step_root(struct exec_child_args *a, struct berth_error *err)
{
	if (fchdir(a->rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return berth_err(err, errno, "enter the container's root");
	close(a->rootfd);
	a->rootfd = -1;
	return 0;
}

static int step_keyring(struct exec_child_args *a, struct berth_error *err)
{
	if (!a->new_keyring)
		return 0;
	return proc_join_session_keyring(err);
}

/* A pty of the container's devpts, the controlling terminal of a new
 * session; berth gets the master. */
static int step_terminal(struct exec_child_args *a, struct berth_error *err)
{
	if (!a->proc->terminal)
		return 0;
	_cleanup_close_ int master = -1, slave = -1;
	int r = terminal_open_in_container(&master, &slave, err);
	if (r == 0)
		r = terminal_setup_slave(slave, a->proc->console_size.height,
					 a->proc->console_size.width, err);
	if (r < 0)
		return r;
	r = sync_send_fd(a->sync_fd, SYNC_PTY, master);
	return r < 0 ? berth_err(err, r, "send the pty master to berth") : 0;
}

static int step_process(struct exec_child_args *a, struct berth_error *err)
{
	const int keep[] = {a->sync_fd};
	const struct process_io io = {
	    .keep_fds = keep,
	    .n_keep = ARRAY_SIZE(keep),
	    .send_listener = sync_io_send_listener,
	    .before_filter = sync_io_before_filter,
	    .opaque = &a->sync_fd,
	};
	/* The process outlives berth (exec -d): from here a berth that dies
	 * leaves a process inside the container, which delete kills. */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	return process_setup(a->plan, &io, &a->exec_path, err);
}

static const struct {
	const char *name; /* NULL: the step names its own errors */
	exec_step_fn fn;
} steps[] = {
    {"cgroup", step_wait},
    {"initial cpu affinity", step_early},
    {"namespaces", step_namespaces},
    {"pid namespace", step_pid_ns},
    {"root", step_root},
    {"session keyring", step_keyring},
    {"terminal", step_terminal},
    {NULL, step_process},
};
CRASH_STEPS("exec-child", steps, ARRAY_SIZE(steps), "process-setup");

/* Not noreturn, and no _exit(): see exit_now() (util/util.h). */
static void fail(struct exec_child_args *a, const char *step,
		 struct berth_error *err)
{
	if (err->code == 0)
		err->code = EIO;
	if (step != NULL)
		berth_err_ctx(err, "%s", step);
	sync_send_error(a->sync_fd, err);
	exit_now(1);
}

void exec_child_main(struct exec_child_args *a)
{
	struct berth_error err = {0};
	close(a->parent_sync_fd);
	sigset_t all;
	sigfillset(&all);
	signals_reset_all();
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Non-dumpable until exec: no process of the container may ptrace
	 * us or open our /proc/<pid>/exe or fds. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sync_die_with_berth(a->sync_fd);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		berth_err_clear(&err);
		CRASH_STEP("exec-child", steps[i].name, "process-setup");
		if (steps[i].fn(a, &err) < 0)
			fail(a, steps[i].name, &err);
	}
	CRASH_POINT("exec-child:before-exec");
	process_exec(a->plan, a->exec_path, &err);
	fail(a, "exec", &err);
	__builtin_unreachable();
}
