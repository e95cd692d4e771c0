#pragma once
/*
 * The generic manager's own header, shared by cgroups.c, create.c and ops.c
 * (and looked into by tests/unit/test_cgroups.c): struct cg_manager and how
 * it finds the hierarchy for a job.  What a hierarchy then does goes
 * through its backend, h->ops (backend.h); the manager calls no v1 or v2
 * function by name.
 */
#include <stdbool.h>
#include <stddef.h>

#include "cgroups/backend.h"
#include "cgroups/cgroups.h"
#include "cgroups/path.h"

struct cg_manager {
	enum cg_layout layout;
	struct cg_hier *h; /* each with its backend in h[i].ops */
	size_t n;
	/* The backend of the hierarchies that carry the controllers: v2 on a
	 * unified host, v1 on legacy and hybrid ones. */
	const struct cg_backend *ctl_ops;
	char *saved; /* cg_manager_path(), rebuilt after create */
	char *v2_dir;
	/* The mount table cg_manager_new() read (NULL once loaded from
	 * state): the cgroup mount's sources need it again. */
	char *mountinfo;
};

/* cg_manager_load() without opening any hierarchy's directory (each
 * h[i].fd -1): for a question only one hierarchy answers. */
int cg_manager_load_closed(const char *saved, struct cg_manager **ret,
			   struct berth_error *err);
/* Open h->fd (mount + path) if it is not yet; -1 stays when the directory
 * is gone.  -ENOMEM only. */
int cg_hier_open(struct cg_hier *h);

/* Every backend, v1 first (the names of a controller in error messages). */
extern const struct cg_backend *const cg_backends[2];

/* The v1 hierarchy carrying @ctl, or NULL. */
struct cg_hier *cg_find_v1(const struct cg_manager *m, const char *ctl);
/* The cgroup2 hierarchy (pure v2, or hybrid's unified), or NULL. */
struct cg_hier *cg_find_v2(const struct cg_manager *m);
/* The first hierarchy for which @serves(h, @arg) says yes, those of
 * m->ctl_ops asked first (hybrid: a v1 hierarchy before cgroup v2). */
struct cg_hier *cg_route(const struct cg_manager *m,
			 bool (*serves)(const struct cg_hier *h, unsigned arg),
			 unsigned arg);
