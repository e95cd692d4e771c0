#pragma once
/*
 * A hierarchy's cgroup directory, made and removed: mkdir one component at
 * a time counting what berth made (struct cg_hier's created), opening it,
 * and rmdir of exactly that much.  The same for v1 and v2; the backends'
 * create and destroy operations are built from these.
 */
#include "cgroups/path.h"
#include "util/error.h"

/* mkdir mount + path one component at a time, counting in @h->created
 * what it made; *@ret_ncomp is the number of components of @h->path. */
int cg_mkdir_hier(struct cg_hier *h, int *ret_ncomp, struct berth_error *err);
/* How many trailing components of mount + path do not exist (yet): what
 * cg_mkdir_hier() would make now; -ENOMEM. */
int cg_missing_components(const struct cg_hier *h);
/* Open mount + path into @h->fd (O_DIRECTORY|O_CLOEXEC). */
int cg_open_hier(struct cg_hier *h, struct berth_error *err);
/* -EBUSY when the cgroup existed before (created 0) and has processes:
 * it is not the container's. */
int cg_check_empty(const struct cg_hier *h, struct berth_error *err);
/* rmdir the leaf (after its sub-cgroups) and the h->created - 1
 * intermediate directories above it, as far as they are empty; closes
 * @h->fd. */
int cg_rmdir_hier(struct cg_hier *h, struct berth_error *err);
