#pragma once
/* The scratch directory of a sandbox (see scratch.c). */
#include <stdint.h>

#include "runtime/context.h"

/* <state root>/@sandbox, malloc'd. */
int scratch_base(const struct rt_context *ctx, char **ret);
/* "sandbox-" and 16 random hex digits, malloc'd. */
int scratch_new_id(char **ret);
/* Make @base (if needed) and @base/@id, locked: *@ret_lockfd. */
int scratch_create(const char *base, const char *id, int *ret_lockfd);
/* Remove what dead sandboxes left under @base. */
void scratch_sweep(const char *base);
/* rm -rf @path, on @path's filesystem only, following no symlink. */
int scratch_remove_tree(const char *path);
/* How many entries are below @path (not following symlinks, not leaving
 * its filesystem); -errno. */
int64_t scratch_count_tree(const char *path);
