#pragma once
/*
 * --init: a tiny built-in PID 1, run by the container child itself (no
 * second binary, no exec of berth): at the very end of its setup, under
 * the container's identity, capabilities and seccomp filter, it forks.  The
 * fork's child goes on to exec the command; the parent stays berth code
 * and becomes the command's init: it reaps every zombie, forwards every
 * signal it can catch to the command, and exits with the command's status
 * (exit code N, or 128+N for signal N: a PID 1 cannot die of its own
 * signal).  When it exits, the kernel kills what is left in its PID
 * namespace.  It stays non-dumpable (no exec), so nothing in the container
 * can ptrace it or read its memory.
 */
#include <stdbool.h>

#include "util/error.h"

/* With every signal blocked.  Returns 0 in the command's process (exec it
 * now: it dies with the init, PR_SET_PDEATHSIG), never returns in the init;
 * -errno (fork failed) otherwise.  @sync_fd is berth's socket: the init
 * closes it, so berth sees EOF once the command exec'd; with
 * @die_with_berth the init dies with berth (PR_SET_PDEATHSIG SIGKILL). */
int sv_init_fork(int sync_fd, bool die_with_berth, struct berth_error *err);

/* The exit status of a wait status: N, or 128+N for signal N. */
int sv_status_code(int wstatus);
