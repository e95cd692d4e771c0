#pragma once
/* The cgroup v2 backend (v2.c): the cgroup2 hierarchy, pure v2 or the
 * unified directory of a hybrid host. */
#include "cgroups/backend.h"

extern const struct cg_backend cg_backend_v2;
