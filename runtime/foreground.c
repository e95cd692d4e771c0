/*
 * The foreground of `run` and `exec`: forward signals to the process, relay
 * its pty, reap it and turn its end into an exit status.
 */
#include "runtime/foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process/terminal.h"
#include "util/cleanup.h"

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
static int drain_signals(pid_t pid, int sfd, struct term_relay *tr,
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
			kill(pid, sig);
		}
	}
	int ws;
	pid_t p;
	while ((p = waitpid(-1, &ws, WNOHANG)) > 0) {
		if (p == pid) {
			*ret_status = status_code(ws);
			exited = 1;
		}
	}
	return exited;
}

int rt_wait_foreground(pid_t pid, int pty_master, int *ret_status,
		       struct berth_error *err)
{
	_cleanup_close_ int sfd = open_signalfd(err);
	if (sfd < 0)
		return sfd;
	struct term_relay *tr = NULL;
	if (pty_master >= 0) {
		int r = term_relay_start(pty_master, STDIN_FILENO,
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
		if (!exited && drain_signals(pid, sfd, tr, ret_status))
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
