#include "runtime/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

/* What a running hook is made of, as seen from the parent. */
struct hook_proc {
	pid_t pid;
	int pidfd;
	int stdin_w; /* our end of the hook's stdin, non-blocking */
	int exec_r;  /* carries the child's errno if execve() fails */
};

/* Put @fd on @target without CLOEXEC; dup2() onto itself would keep it. */
static int child_fd_to(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

static void child_reset_signals(void)
{
	signals_reset_all();
}

extern char **environ;

/* Without "env" a hook gets the runtime's own environment, as under runc
 * and crun (Go's exec.Cmd with a nil Env); with "env", even [], exactly
 * that. */
static _Noreturn void hook_child(const struct oci_hook *h, int stdin_r,
				 int exec_w)
{
	char *default_argv[] = {h->path, NULL};
	char **argv = h->args != NULL ? h->args : default_argv;
	char **envp = h->env != NULL ? h->env : environ;
	int e = 0;

	/* Lift both fds above stdio first so neither clobbers the other. */
	int in = fcntl(stdin_r, F_DUPFD_CLOEXEC, 3);
	int ew = fcntl(exec_w, F_DUPFD_CLOEXEC, 3);
	if (in < 0 || ew < 0 || child_fd_to(in, STDIN_FILENO) < 0)
		e = errno;
	if (e == 0) {
		/* Everything above stdio goes at exec, the errno pipe too;
		 * under the container's seccomp filter close_range may be
		 * refused, and then fd_close_range() walks /proc/self/fd. */
		int r = fd_close_range(3, ~0U, true);
		setpgid(0, 0);
		child_reset_signals();
		/* A hook dies with the berth that waits for it: a killed
		 * create or delete leaves no hook running on the host. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (r == 0)
			execve(h->path, argv, envp);
		e = r < 0 ? -r : errno;
	}
	if (ew >= 0)
		write_all(ew, &e, sizeof(e));
	_exit(127);
}

static void hook_proc_close(struct hook_proc *p)
{
	cleanup_closep(&p->pidfd);
	cleanup_closep(&p->stdin_w);
	cleanup_closep(&p->exec_r);
	p->pidfd = p->stdin_w = p->exec_r = -1;
}

/* Kill (the group of) a hook that we never managed to wait for, and reap. */
static void hook_abort(struct hook_proc *p)
{
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
		;
	hook_proc_close(p);
}

static int hook_spawn(const struct oci_hook *h, struct hook_proc *ret,
		      struct berth_error *err)
{
	_cleanup_close_ int in_r = -1, in_w = -1, ex_r = -1, ex_w = -1;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_err(err, errno, "pipe");
	in_r = fds[0], in_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return berth_err(err, errno, "pipe");
	ex_r = fds[0], ex_w = fds[1];
	if (fcntl(in_w, F_SETFL, O_NONBLOCK) < 0)
		return berth_err(err, errno, "set stdin pipe non-blocking");

	pid_t pid = fork();
	if (pid < 0)
		return berth_err(err, errno, "fork");
	if (pid == 0)
		hook_child(h, in_r, ex_w);

	/* Also from here, so a timeout can never miss the group. */
	setpgid(pid, pid);
	struct hook_proc p = {pid, -1, TAKE_FD(in_w), TAKE_FD(ex_r)};
	/* Without a pidfd (before Linux 5.3, or a startContainer hook under
	 * a seccomp profile that refuses pidfd_open) we poll the pid: it is
	 * our unreaped child, so it cannot be reused meanwhile. */
	p.pidfd = pidfd_open(pid, 0);
	*ret = p;
	return 0;
}

/* The pidfd-less way: has the hook exited (without reaping it)? */
static bool hook_exited(const struct hook_proc *p)
{
	siginfo_t si = {0};
	return waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
		   0 &&
	       si.si_pid == p->pid;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Feed what the pipe takes now; close our end when done or on EPIPE. */
static int hook_feed(struct hook_proc *p, const char *data, size_t len,
		     size_t *off)
{
	while (*off < len) {
		ssize_t n = write(p->stdin_w, data + *off, len - *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno != EPIPE)
			return -errno;
		if (n < 0)
			break;
		*off += (size_t)n;
	}
	cleanup_closep(&p->stdin_w);
	p->stdin_w = -1;
	return 0;
}

static int poll_timeout(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - now_ms();
	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Write @state to the hook while waiting for it to exit or time out.
 * Returns 1 when it exited, 0 on timeout, -errno on error. */
static int hook_wait_exit(struct hook_proc *p, const char *state,
			  int64_t timeout_s, struct berth_error *err)
{
	size_t len = state != NULL ? strlen(state) : 0, off = 0;
	int64_t deadline = -1;

	if (timeout_s > 0)
		deadline = now_ms() + (timeout_s > INT64_MAX / 2000
					   ? INT64_MAX / 2
					   : timeout_s * 1000);
	if (len == 0)
		hook_feed(p, state, 0, &off);
	for (;;) {
		struct pollfd pfd[2] = {
		    {.fd = p->pidfd, .events = POLLIN},
		    {.fd = p->stdin_w, .events = POLLOUT},
		};
		if (p->pidfd < 0 && hook_exited(p))
			return 1;
		int ms = poll_timeout(deadline);
		if (ms == 0)
			return 0;
		if (p->pidfd < 0 && (ms < 0 || ms > 10))
			ms = 10;
		if (poll(pfd, 2, ms) < 0) {
			if (errno == EINTR)
				continue;
			return berth_err(err, errno, "poll");
		}
		if (pfd[0].revents != 0)
			return 1;
		if (pfd[1].revents == 0)
			continue;
		int r = hook_feed(p, state, len, &off);
		if (r < 0)
			return berth_err(err, r, "write state to stdin");
	}
}

/* Reap the hook (killing it first after a timeout) and say how it ended. */
static int hook_reap(struct hook_proc *p, bool timed_out, int64_t timeout_s,
		     struct berth_error *err)
{
	siginfo_t si = {0};
	int exec_errno = 0;
	ssize_t n;

	if (timed_out) {
		if (p->pidfd >= 0)
			pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
		else
			kill(p->pid, SIGKILL);
		kill(-p->pid, SIGKILL); /* and whatever it started */
	}
	idtype_t type = p->pidfd >= 0 ? (idtype_t)P_PIDFD : P_PID;
	id_t id = p->pidfd >= 0 ? (id_t)p->pidfd : (id_t)p->pid;
	while (waitid(type, id, &si, WEXITED) < 0)
		if (errno != EINTR)
			return berth_err(err, errno, "wait for hook");
	do
		n = read(p->exec_r, &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);

	if (timed_out)
		return berth_err_msg(err, ETIMEDOUT, "timed out after %llds",
				     (long long)timeout_s);
	if (n == (ssize_t)sizeof(exec_errno))
		return berth_err(err, exec_errno, "exec");
	if (si.si_code == CLD_EXITED && si.si_status == 0)
		return 0;
	if (si.si_code == CLD_EXITED)
		return berth_err_msg(err, ECHILD, "exited with status %d",
				     si.si_status);
	const char *name = signal_name(si.si_status);
	return berth_err_msg(err, ECHILD, "killed by signal %d%s%s%s",
			     si.si_status, name ? " (SIG" : "",
			     name ? name : "", name ? ")" : "");
}

static int hook_run(const struct oci_hook *h, const char *state,
		    struct berth_error *err)
{
	int64_t timeout = h->timeout.set && h->timeout.v > 0 ? h->timeout.v : 0;
	struct hook_proc p;

	if (h->path == NULL)
		return berth_err_msg(err, EINVAL, "no path");
	int r = hook_spawn(h, &p, err);
	if (r < 0)
		return r;
	r = hook_wait_exit(&p, state, timeout, err);
	if (r < 0) {
		hook_abort(&p);
		return r;
	}
	r = hook_reap(&p, r == 0, timeout, err);
	hook_proc_close(&p);
	return r;
}

static int hook_run_ctx(const struct oci_hook_list *list, size_t i,
			const char *kind, const char *state,
			struct berth_error *err)
{
	const struct oci_hook *h = &list->v[i];
	struct sigpipe_guard g;

	sigpipe_block(&g);
	int r = hook_run(h, state, err);
	sigpipe_restore(&g);
	if (r < 0)
		berth_err_ctx(err, "%s hook %zu (%s)", kind ? kind : "?", i,
			      h->path ? h->path : "?");
	return r;
}

int hooks_run(const struct oci_hook_list *list, const char *kind,
	      const char *state_json, struct berth_error *err)
{
	if (list == NULL)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		int r = hook_run_ctx(list, i, kind, state_json, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int hooks_run_all(const struct oci_hook_list *list, const char *kind,
		  const char *state_json, struct berth_error *err)
{
	struct berth_error later;
	int failed = 0;

	if (list == NULL)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		struct berth_error *e = failed == 0 ? err : &later;
		if (hook_run_ctx(list, i, kind, state_json, e) < 0)
			failed++;
	}
	return failed;
}
