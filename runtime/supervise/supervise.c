/*
 * The supervised foreground wait of `run` and `sandbox`: signals, the
 * output relay, the time and output limits (see supervise.h).
 */
#include "runtime/supervise/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "runtime/supervise/init.h"
#include "runtime/supervise/report.h"
#include "util/cleanup.h"
#include "util/util.h"

#define SV_TIMEOUT_MAX (365.0 * 24 * 3600)

int rt_supervise_check(const struct rt_supervise *s, bool terminal,
		       struct berth_error *err)
{
	if (s == NULL)
		return 0;
	if (s->timeout < 0 || s->timeout > SV_TIMEOUT_MAX || isnan(s->timeout))
		return berth_err_msg(err, EINVAL,
				     "--timeout: must be more than 0 and at "
				     "most %.0f seconds",
				     SV_TIMEOUT_MAX);
	if (terminal)
		return berth_err_msg(err, EINVAL,
				     "--init, --timeout, --output-limit, "
				     "--report and --kill-on-signal need "
				     "process.terminal: false");
	return 0;
}

static bool relays(const struct rt_supervise *s)
{
	return s->relay_output || s->output_limit > 0;
}

int sv_relay_pipes(const struct rt_supervise *s, int ret_read[2],
		   int ret_write[2], struct berth_error *err)
{
	ret_read[0] = ret_read[1] = ret_write[0] = ret_write[1] = -1;
	if (s == NULL || !relays(s))
		return 0;
	for (int i = 0; i < 2; i++) {
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			int e = errno;
			for (int j = 0; j < i; j++) {
				close(ret_read[j]);
				close(ret_write[j]);
			}
			return berth_err(err, e, "pipe for the output");
		}
		ret_read[i] = p[0];
		ret_write[i] = p[1];
		(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

static double elapsed(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Kill every process of the container: the whole cgroup at once where it
 * can, at least the first process. */
static void kill_all(struct sv_wait *w)
{
	struct berth_error e = {0};
	if (w->cg == NULL || cg_signal_all(w->cg, SIGKILL, &e) < 0)
		kill(w->pid, SIGKILL);
}

static void berth_ends_it(struct sv_wait *w, enum oci_end_reason why, int sig)
{
	if (w->berth_reason != OCI_END_EXIT)
		return; /* the first reason stays */
	w->berth_reason = why;
	w->berth_signal = sig;
	kill_all(w);
}

/* Whoever reads berth's @to has gone (EPIPE): the command's writes to
 * @fd must fail as they would on a pipe of its own, or a writer that
 * never stops (`yes | head -1`) runs until the timeout.  Our read end is
 * the pipe's only one; /dev/null takes its place on the same fd number,
 * which its owner closes as before. */
static void reader_gone(int fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0 && null != fd)
		(void)dup3(null, fd, O_CLOEXEC);
	if (null >= 0 && null != fd)
		close(null);
}

/* Read what is there on @fd, pass it on to @to within the output limit.
 * Returns 1 at EOF (or an error, or nobody reading @to: the fd is done),
 * 0 otherwise. */
static int relay(struct sv_wait *w, int fd, int to, uint64_t *count)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : 1;
		if (n == 0)
			return 1;
		uint64_t lim = w->sv->output_limit,
			 used = w->out_bytes + w->err_bytes;
		size_t pass = (size_t)n;
		if (lim > 0 && used + (uint64_t)n > lim)
			pass = (size_t)(lim - used);
		if (pass > 0 && write_all(to, buf, pass) == -EPIPE) {
			reader_gone(fd);
			return 1;
		}
		*count += pass;
		if (pass < (size_t)n)
			berth_ends_it(w, OCI_END_OUTPUT_LIMIT, 0);
	}
}

/* Read the pending signals: forward them, or end the run.  Returns 1
 * once w->pid has exited. */
static int drain_signals(struct sv_wait *w, int sfd)
{
	struct signalfd_siginfo si;
	int exited = 0;
	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;
		/* SIGCHLD, and the SIGPIPE of our own write to a closed
		 * stdout or stderr, are not for the command. */
		if (sig == SIGCHLD ||
		    (sig == SIGPIPE && si.ssi_pid == (uint32_t)getpid()))
			continue;
		if (w->sv->kill_on_signal &&
		    (sig == SIGTERM || sig == SIGINT || sig == SIGHUP))
			berth_ends_it(w, OCI_END_INTERRUPTED, sig);
		else
			kill(w->pid, sig);
	}
	int ws;
	pid_t p;
	while ((p = waitpid(-1, &ws, WNOHANG)) > 0)
		if (p == w->pid) {
			w->wstatus = ws;
			w->wall_s = elapsed(&w->start);
			exited = 1;
		}
	return exited;
}

#define SV_SAMPLE_MS 100

/* poll's timeout: until the deadline, or forever; at most SV_SAMPLE_MS
 * when sampling pids. */
static int poll_ms(const struct sv_wait *w)
{
	int cap = w->sample_pids ? SV_SAMPLE_MS : -1;
	if (w->sv->timeout <= 0 || w->berth_reason != OCI_END_EXIT)
		return cap;
	double left = w->sv->timeout - elapsed(&w->start);
	if (left <= 0)
		return 0;
	/* At most an hour at a time: a year of ms overflows an int. */
	int ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000);
	if (ms < left * 1000) /* round up: never wake before the deadline */
		ms++;
	return cap >= 0 && cap < ms ? cap : ms;
}

/* Whether the deadline has passed (poll may also wake to sample). */
static bool past_deadline(const struct sv_wait *w)
{
	return w->sv->timeout > 0 && w->berth_reason == OCI_END_EXIT &&
	       elapsed(&w->start) >= w->sv->timeout;
}

/* Sample pids.current where the kernel keeps no pids.peak. */
static void sample_pids(struct sv_wait *w)
{
	uint64_t current;
	bool peak_known;
	if (!w->sample_pids)
		return;
	double now = elapsed(&w->start);
	if (w->pids_seen > 0 && now - w->sampled_at < SV_SAMPLE_MS / 1000.0)
		return; /* woken by output: not every time */
	w->sampled_at = now;
	if (cg_pids_now(w->cg, &current, &peak_known) == 0 &&
	    current > w->pids_seen)
		w->pids_seen = current;
}

/* At the start: sample only without pids.peak (and with a cgroup). */
static void decide_sampling(struct sv_wait *w)
{
	uint64_t current;
	bool peak_known;
	w->sample_pids = w->cg != NULL &&
			 cg_pids_now(w->cg, &current, &peak_known) == 0 &&
			 !peak_known;
	sample_pids(w);
}

/* Nothing outlives the first process: daemons, stray children.  Only
 * when there are any: v1 freezes to signal, which takes a while. */
static void kill_leftovers(struct sv_wait *w)
{
	pid_t *pids = NULL;
	size_t n = 0;
	struct berth_error e = {0};
	if (w->cg == NULL)
		return;
	if (cg_pids(w->cg, &pids, &n, &e) < 0 || n > 0)
		(void)cg_signal_all(w->cg, SIGKILL, &e);
	free(pids);
}

static int open_signalfd(struct berth_error *err)
{
	sigset_t set;
	sigfillset(&set);
	sigdelset(&set, SIGURG);
	int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? berth_err(err, errno, "signalfd") : fd;
}

/* The relayed fds still open (-1 once at EOF), polled from @p[0] on. */
static void relay_handle(struct sv_wait *w, const struct pollfd *p, int fds[2])
{
	static const int to[2] = {STDOUT_FILENO, STDERR_FILENO};
	uint64_t *count[2] = {&w->out_bytes, &w->err_bytes};
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 && p[i].revents != 0 &&
		    relay(w, fds[i], to[i], count[i]))
			fds[i] = -1;
}

/* After the end: what the last writers left, until EOF (everyone is
 * dead) or ~5 s (a writer outside the cgroup). */
static void drain_output(struct sv_wait *w, int fds[2])
{
	for (int i = 0; i < 50 && (fds[0] >= 0 || fds[1] >= 0); i++) {
		struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN},
				      {.fd = fds[1], .events = POLLIN}};
		if (poll(p, 2, 100) > 0)
			relay_handle(w, p, fds);
	}
}

int sv_wait_foreground(struct sv_wait *w, int *ret_status,
		       struct berth_error *err)
{
	_cleanup_close_ int sfd = open_signalfd(err);
	if (sfd < 0)
		return sfd;
	int fds[2] = {w->out_fd, w->err_fd};
	bool exited = false;
	decide_sampling(w);
	while (!exited) {
		struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
				      {.fd = fds[0], .events = POLLIN},
				      {.fd = fds[1], .events = POLLIN}};
		int n = poll(p, 3, poll_ms(w));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_err(err, errno, "poll");
		sample_pids(w);
		if (n == 0) {
			if (past_deadline(w))
				berth_ends_it(w, OCI_END_TIMEOUT, 0);
			continue;
		}
		relay_handle(w, p + 1, fds);
		exited = drain_signals(w, sfd);
	}
	kill_leftovers(w);
	drain_output(w, fds);
	/* Interrupted: berth ends as a process killed by that signal would
	 * (`timeout` and shells expect 128+N), whatever the container's
	 * process died of. */
	*ret_status = w->berth_reason == OCI_END_INTERRUPTED
			  ? 128 + w->berth_signal
			  : sv_status_code(w->wstatus);
	return 0;
}

void sv_fill_report(const struct sv_wait *w, int status)
{
	struct oci_report *r = w->sv->report;
	if (r == NULL)
		return;
	memset(r, 0, sizeof(*r));
	r->signaled = WIFSIGNALED(w->wstatus);
	r->exit_code = r->signaled ? 0 : WEXITSTATUS(w->wstatus);
	r->signal = r->signaled ? WTERMSIG(w->wstatus) : 0;
	r->status = status;
	r->berth_signal = w->berth_signal;
	r->wall_s = w->wall_s;
	r->output_counted = relays(w->sv);
	r->stdout_bytes = w->out_bytes;
	r->stderr_bytes = w->err_bytes;
	r->timeout = w->sv->timeout;
	r->output_limit = w->sv->output_limit;
	if (w->cg != NULL)
		rt_report_add_cgroup(r, w->cg, w->pids_seen);
	rt_report_decide(r, w->berth_reason);
}
