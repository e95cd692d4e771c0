/* The watcher of a foreground run (see watch.h). */
#include "runtime/supervise/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "runtime/container.h"
#include "util/util.h"

/* stdio on /dev/null, and no fd of berth's but @keep: a caller reading
 * berth's output must see EOF when berth ends, not when we do. */
static void watcher_fds(int keep)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3 && null >= 0; fd++)
		dup2(null, fd);
	if (keep > 3)
		fd_close_range(3, (unsigned)keep - 1, false);
	fd_close_range((unsigned)keep + 1, ~0U, false);
}

__attribute__((noreturn)) static void watcher(const struct rt_context *ctx,
					      const char *id, bool keep, int fd)
{
	watcher_fds(fd);
	/* Out of berth's process group: `timeout -s KILL` and a shell's
	 * kill of the job signal the whole group. */
	setsid();
	char c;
	ssize_t n;
	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 1)
		_exit(0); /* berth finished: nothing to do */
	struct berth_error e = {0};
	int r = keep ? rt_kill(ctx, id, SIGKILL, true, &e)
		     : rt_delete(ctx, id, true, &e);
	_exit(r < 0 ? 1 : 0);
}

int sv_watch_start(const struct rt_context *ctx, const char *id, bool keep,
		   struct sv_watch *ret, struct berth_error *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_err(err, errno, "the watcher's pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return berth_err(err, e, "fork the watcher");
	}
	if (pid == 0) {
		close(p[1]);
		watcher(ctx, id, keep, p[0]);
	}
	close(p[0]);
	ret->pid = pid;
	ret->fd = p[1];
	return 0;
}

void sv_watch_stop(struct sv_watch *w)
{
	if (w->fd >= 0) {
		if (write(w->fd, "x", 1) != 1) {
			/* the watcher is gone: nothing to tell */
		}
		close(w->fd);
		w->fd = -1;
	}
	/* Not waited for: it exits on its own (it holds nothing), and berth
	 * need not wait for its exit on the way out of every run.  Reaped
	 * now if it is gone already; otherwise init reaps it after us. */
	if (w->pid > 0)
		(void)waitpid(w->pid, NULL, WNOHANG);
	w->pid = 0;
}
