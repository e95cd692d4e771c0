/* start and run: letting a created container's process exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/container.h"
#include "runtime/container_internal.h"
#include "runtime/foreground.h"
#include "runtime/state.h"
#include "runtime/supervise/supervise.h"
#include "runtime/supervise/watch.h"
#include "runtime/sync.h"
#include "runtime/process/terminal.h"
#include "util/cleanup.h"
#include "util/crash.h"
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
	CRASH_POINT("start:after-fifo");
	if (r == 0) {
		_cleanup_close_ int dirfd = -1;
		s->started = true;
		if (state_open_dir(ctx, id, &dirfd, err) == 0)
			state_save(dirfd, s, err);
		berth_err_clear(err);
		CRASH_POINT("start:after-state");
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

/* Let the child exec and learn whether it did: EOF on the sync socket
 * (close-on-exec) is success, SYNC_ERROR is the reason it did not. */
static int start_child(struct container *c, struct berth_error *err)
{
	rt_log(c->ctx, RT_LOG_DEBUG, "run %s: start pid %d", c->id,
	       (int)c->pid);
	int sent = sync_send(c->sync_fd, SYNC_START, NULL, 0);
	/* A child that failed right after "ready" (a filter refusing its
	 * read of "start") has left its error in the socket: read it. */
	_cleanup_free_ struct sync_msg *m = NULL;
	int r = container_recv(c, &m, NULL, err);
	if (r == -EPIPE && sent < 0)
		return berth_err(err, sent, "start the container process");
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

/* The foreground wait, supervised or not. */
static int wait_foreground(struct container *c, struct sv_wait *w,
			   int *ret_status, struct berth_error *err)
{
	const struct rt_supervise *sv = c->opts->supervise;
	if (sv == NULL)
		return rt_wait_foreground(c->pid, c->pty_master, ret_status,
					  err);
	w->cg = c->cg;
	w->pid = c->pid;
	int r = sv_wait_foreground(w, ret_status, err);
	if (r == 0)
		sv_fill_report(w, *ret_status);
	return r;
}

/* A foreground run's watcher (watch.h), forked once the child is cloned
 * (container->after_clone). */
static int start_watcher(struct container *c, void *watch,
			 struct berth_error *err)
{
	return sv_watch_start(c->ctx, c->id, c->opts->keep, watch, err);
}

/* The container has ended: delete it (unless @keep), then let the
 * watcher go. */
static void end_foreground(const struct rt_context *ctx, const char *id,
			   bool keep, struct sv_watch *watch)
{
	struct berth_error derr = {0};
	if (!keep && rt_delete(ctx, id, true, &derr) < 0)
		rt_log(ctx, RT_LOG_WARN, "delete after run: %s", derr.msg);
	sv_watch_stop(watch);
}

int rt_run(const struct rt_context *ctx, const char *id,
	   const struct rt_create_opts *opts, int *ret_status,
	   struct berth_error *err)
{
	struct container c;
	container_init(&c, ctx, id, opts, true);
	struct sv_watch watch = {.pid = 0, .fd = -1};
	struct sv_wait w = {.sv = opts->supervise, .out_fd = -1, .err_fd = -1};
	int relay_r[2];
	int r = sv_relay_pipes(opts->supervise, relay_r, c.out_w, err);
	_cleanup_close_ int out_r = relay_r[0], err_r = relay_r[1];
	w.out_fd = out_r;
	w.err_fd = err_r;
	if (!opts->detach) {
		c.after_clone = start_watcher;
		c.after_clone_arg = &watch;
	}
	if (r == 0)
		r = container_create(&c, err);
	/* The supervision's options, once the config says about the
	 * terminal. */
	if (r == 0 && !opts->detach)
		r = rt_supervise_check(opts->supervise,
				       c.spec->process->terminal, err);
	clock_gettime(CLOCK_MONOTONIC, &w.start);
	if (r == 0)
		r = start_child(&c, err);
	CRASH_POINT("run:after-start");
	if (r < 0) {
		container_cleanup(&c, true);
		restore_signals(&c);
		sv_watch_stop(&watch);
		return r;
	}
	c.state->started = true;
	state_save(c.dirfd, c.state, err);
	berth_err_clear(err);
	CRASH_POINT("run:after-state-started");
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
	r = wait_foreground(&c, &w, ret_status, err);
	CRASH_POINT("run:after-exit");
	if (r < 0) { /* we cannot watch it any more: do not leave it behind */
		struct berth_error e = {0};
		kill(c.pid, SIGKILL);
		if (c.cg != NULL) /* paused: let the kill land */
			(void)cg_thaw_for_kill(c.cg, &e);
	}
	container_cleanup(&c, false);
	restore_signals(&c);
	end_foreground(ctx, id, opts->keep, &watch);
	return r;
}
