#pragma once
/*
 * The foreground of `run` and `exec`.
 */
#include <sys/types.h>

#include "util/error.h"

/* With every signal blocked (the caller's job, before the process was
 * made): forward every signal but CHLD and URG to @pid (WINCH resizes the
 * pty instead when @pty_master >= 0, whose output is relayed to our stdout
 * and our stdin to it), reap our children, and once @pid has exited (and
 * the pty is drained) store its status in *@ret_status: the exit code, or
 * 128+N for signal N. */
int rt_wait_foreground(pid_t pid, int pty_master, int *ret_status,
		       struct berth_error *err);
