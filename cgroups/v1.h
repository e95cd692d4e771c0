#pragma once
/* The cgroup v1 backend (v1.c): every hierarchy that is not cgroup2. */
#include "cgroups/backend.h"

extern const struct cg_backend cg_backend_v1;
