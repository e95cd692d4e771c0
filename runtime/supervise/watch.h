#pragma once
/*
 * The watcher of a foreground run: berth's fate-sharing safety net for the
 * one end it cannot clean up after itself, its own SIGKILL.
 *
 * A fork of berth, made before the container process starts, holding the
 * read end of a pipe whose only writer is berth.  When berth finishes it
 * writes one byte and the watcher exits doing nothing; when the pipe ends
 * without that byte, berth died (SIGKILL, a crash): the watcher deletes the
 * container by force -- every process of its cgroup killed, even one that
 * left its PID namespace's init behind, the cgroup and the state removed
 * -- or, with @keep, only kills them.  It keeps every signal blocked (a
 * signal to berth's process group does not stop it) and holds no other fd
 * of berth's.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "runtime/context.h"
#include "util/error.h"

struct sv_watch {
	pid_t pid; /* 0: none */
	int fd;	   /* berth's end of the pipe; -1: none */
};

int sv_watch_start(const struct rt_context *ctx, const char *id, bool keep,
		   struct sv_watch *ret, struct berth_error *err);
/* berth is done with the container: the watcher exits (not waited for). */
void sv_watch_stop(struct sv_watch *w);
