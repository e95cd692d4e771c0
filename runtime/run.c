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
#include "runtime/foreground.h"
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

/* Let the child exec and learn whether it did: EOF on the sync socket
 * (close-on-exec) is success, SYNC_ERROR is the reason it did not. */
static int start_child(struct container *c, struct berth_error *err)
{
	rt_log(c->ctx, RT_LOG_DEBUG, "run %s: start pid %d", c->id,
	       (int)c->pid);
	/* EPIPE: the child is gone already — its error, if it sent one
	 * (a filter that refuses the recvmsg of "start"), is still queued. */
	int sent = sync_send(c->sync_fd, SYNC_START, NULL, 0);
	if (sent < 0 && sent != -EPIPE)
		return berth_err(err, sent, "start the container process");
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
	r = rt_wait_foreground(c.pid, c.pty_master, ret_status, err);
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
