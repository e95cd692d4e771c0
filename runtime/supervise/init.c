/* --init: the built-in PID 1 (see init.h). */
#include "runtime/supervise/init.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/sync.h"
#include "util/util.h"

int sv_status_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

/* Reap every child that has ended; 1 once @cmd is among them. */
static int reap_all(pid_t cmd, int *ret_status)
{
	int ws, done = 0;
	pid_t p;
	while ((p = waitpid(-1, &ws, WNOHANG)) > 0 || (p < 0 && errno == EINTR))
		if (p == cmd) {
			*ret_status = sv_status_code(ws);
			done = 1;
		}
	return done;
}

/* The init's loop: signals are blocked, so none is lost or dropped (a PID
 * 1's default-action signals would be); sigwaitinfo takes them in turn. */
__attribute__((noreturn)) static void init_loop(pid_t cmd)
{
	sigset_t all;
	sigfillset(&all);
	int status = 1;
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		if (reap_all(cmd, &status))
			break;
	}
	/* The others in a PID namespace of ours die with us (the kernel
	 * kills them when its init exits); reap what already ended. */
	reap_all(cmd, &status);
	exit_now(status);
	__builtin_unreachable();
}

int sv_init_fork(int sync_fd, bool die_with_berth, struct berth_error *err)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Without a PID namespace of ours, orphans come to us all the same. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pid_t init = getpid();
	pid_t cmd = fork();
	if (cmd < 0)
		return berth_err(err, errno, "init: fork the command");
	if (cmd == 0) {
		/* Not inherited across fork: arm it for the init, our
		 * parent, and check it did not die before. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != init)
			exit_now(1);
		return 0;
	}
	if (die_with_berth)
		sync_die_with_berth(sync_fd);
	close(sync_fd);
	init_loop(cmd);
}
