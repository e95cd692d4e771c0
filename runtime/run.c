/* start and run: letting a created container's process exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/process/terminal.h"
#include "util/cleanup.h"
#include "util/util.h"

static int poke_exec_fifo(const struct rt_context *ctx, const char *id,
			  struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;
	if (state_exec_fifo_path(ctx, id, &path) < 0)
		return -ENOMEM;
	/* Non-blocking: ENXIO means nobody holds it open, i.e. the
	 * container process is gone. */
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno == ENXIO ? ESRCH : errno,
				 "open the exec fifo");
	if (write(fd, "0", 1) != 1)
		return berth_err(err, errno, "write the exec fifo");
	unlink(path);
	return 0;
}

int rt_start(const struct rt_context *ctx, const char *id,
	     struct berth_error *err)
{
	int r = state_validate_id(id, err);
	_cleanup_close_ int lock = -1;
	if (r == 0)
		r = state_lock(ctx, id, &lock, err);
	struct oci_state *s = NULL;
	if (r == 0)
		r = state_load(ctx, id, &s, err);
	if (r < 0)
		return r;
	enum oci_status st;
	r = state_status(ctx, s, &st, err);
	if (r == 0 && st != OCI_STATUS_CREATED)
		r = berth_err_msg(
		    err, EINVAL,
		    "cannot start a container that is %s (only a created one)",
		    oci_status_name(st));
	if (r == 0) {
		rt_log(ctx, RT_LOG_DEBUG,
		       "start %s: pid %d, write the exec fifo", id,
		       (int)s->pid);
		r = poke_exec_fifo(ctx, id, err);
	}
	if (r == 0) {
		_cleanup_close_ int dirfd = -1;
		s->started = true;
		if (state_open_dir(ctx, id, &dirfd, err) == 0)
			state_save(dirfd, s, err);
		berth_err_clear(err);
	}
	if (r == 0) {
		struct oci_spec *spec = NULL;
		if (container_load_saved_spec(ctx, s, &spec) == 0)
			container_warn_hooks(ctx, &spec->hooks.poststart,
					     "poststart", s,
					     OCI_STATUS_RUNNING);
		oci_spec_free(spec);
		berth_err_clear(err);
		rt_log(ctx, RT_LOG_DEBUG, "start %s: started", id);
	}
	oci_state_free(s);
	return r;
}

/* `run` forwards every signal it can catch to the container process, as
 * runc does, but SIGCHLD (ours), SIGURG (Go's, and noise) and SIGWINCH with
 * a pty (a resize instead). */
static int open_signalfd(struct berth_error *err)
{
	sigset_t set;
	sigfillset(&set);
	sigdelset(&set, SIGURG);
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return berth_err(err, errno, "signalfd");
	return fd;
}

static int status_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* Read pending signals: forward, resize, or notice the exit. Returns 1 once
 * the container process has exited (*ret_status set). */
static int drain_signals(struct container *c, int sfd, struct term_relay *tr,
			 int *ret_status)
{
	struct signalfd_siginfo si;
	int exited = 0;
	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGWINCH && tr != NULL) {
			/* The kernel tells the pty's foreground group. */
			term_relay_resize(tr);
		} else if (sig != SIGCHLD) {
			kill(c->pid, sig);
		}
	}
	int ws;
	pid_t p;
	while ((p = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (p == c->pid) {
			*ret_status = status_code(ws);
			exited = 1;
		}
	}
	return exited;
}

static int wait_foreground(struct container *c, int *ret_status,
			   struct berth_error *err)
{
	_cleanup_close_ int sfd = open_signalfd(err);
	if (sfd < 0)
		return sfd;
	struct term_relay *tr = NULL;
	if (c->pty_master >= 0) {
		int r = term_relay_start(c->pty_master, STDIN_FILENO,
					 STDOUT_FILENO, &tr, err);
		if (r < 0)
			return r;
	}
	int r = 0;
	bool exited = false, relay_done = tr == NULL;
	while (!exited || !relay_done) {
		struct pollfd fds[1 + TERM_RELAY_NFDS] = {
		    {.fd = exited ? -1 : sfd, .events = POLLIN},
		};
		if (tr != NULL)
			term_relay_fds(tr, fds + 1);
		if (poll(fds, tr ? 1 + TERM_RELAY_NFDS : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = berth_err(err, errno, "poll");
			break;
		}
		if (!exited && drain_signals(c, sfd, tr, ret_status))
			exited = true;
		if (tr != NULL && !relay_done) {
			int h = term_relay_handle(tr, fds + 1, err);
			if (h < 0) {
				r = h;
				break;
			}
			relay_done = h == 1;
		}
	}
	term_relay_free(tr);
	return r;
}

/* Let the child exec and learn whether it did: EOF on the sync socket
 * (close-on-exec) is success, SYNC_ERROR is the reason it did not. */
static int start_child(struct container *c, struct berth_error *err)
{
	rt_log(c->ctx, RT_LOG_DEBUG, "run %s: start pid %d", c->id,
	       (int)c->pid);
	int r = sync_send(c->sync_fd, SYNC_START, NULL, 0);
	if (r < 0)
		return berth_err(err, r, "start the container process");
	_cleanup_free_ struct sync_msg *m = NULL;
	r = container_recv(c, &m, NULL, err);
	if (r == -EPIPE)
		return 0;
	if (r < 0)
		return r;
	if (m->type == SYNC_ERROR && m->len == sizeof(*err)) {
		memcpy(err, m->payload, sizeof(*err));
		err->msg[sizeof(err->msg) - 1] = '\0';
		return -(err->code ? err->code : EIO);
	}
	return berth_err_msg(err, EPROTO, "unexpected message %u", m->type);
}

static void restore_signals(const struct container *c)
{
	sigprocmask(SIG_SETMASK, &c->saved_mask, NULL);
}

int rt_run(const struct rt_context *ctx, const char *id,
	   const struct rt_create_opts *opts, int *ret_status,
	   struct berth_error *err)
{
	struct container c;
	container_init(&c, ctx, id, opts, true);
	int r = container_create(&c, err);
	if (r == 0)
		r = start_child(&c, err);
	if (r < 0) {
		container_cleanup(&c, true);
		restore_signals(&c);
		return r;
	}
	c.state->started = true;
	state_save(c.dirfd, c.state, err);
	berth_err_clear(err);
	close(c.lockfd);
	c.lockfd = -1;
	container_warn_hooks(ctx, &c.spec->hooks.poststart, "poststart",
			     c.state, OCI_STATUS_RUNNING);
	if (opts->detach) {
		container_cleanup(&c, false);
		restore_signals(&c);
		*ret_status = 0;
		return 0;
	}
	r = wait_foreground(&c, ret_status, err);
	if (r < 0) { /* we cannot watch it any more: do not leave it behind */
		struct berth_error e = {0};
		kill(c.pid, SIGKILL);
		if (c.cg != NULL) /* paused: let the kill land */
			(void)cg_thaw_for_kill(c.cg, &e);
	}
	container_cleanup(&c, false);
	restore_signals(&c);
	if (opts->keep)
		return r;
	struct berth_error derr = {0};
	if (rt_delete(ctx, id, true, &derr) < 0)
		rt_log(ctx, RT_LOG_WARN, "delete after run: %s", derr.msg);
	return r;
}
