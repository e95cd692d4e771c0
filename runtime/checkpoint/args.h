#pragma once
/* The criu command lines of checkpoint and restore, built from runc's
 * flags (struct rt_criu_opts) and the container's description. */
#include "runtime/checkpoint/checkpoint.h"
#include "runtime/checkpoint/describe.h"

/* Options both commands pass: --images-dir, --work-dir, -o LOG, -v4,
 * --manage-cgroups, the runc flags that map 1:1. */
int ckpt_args_common(char ***argv, const struct rt_criu_opts *o,
		     const char *images, const char *work, const char *log);
/* printf into a new argv entry. -ENOMEM or 0. */
int ckpt_args_push(char ***argv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
