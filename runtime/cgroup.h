#pragma once
/*
 * The container's cgroup, as the lifecycle uses it: cgroups/ knows the
 * hierarchies; this file knows the container (its config's device rules
 * plus the devices every container gets, and what state.json keeps).
 */
#include "cgroups/cgroups.h"
#include "oci/config.h"
#include "runtime/context.h"
#include "util/error.h"

/* Create the cgroup for container @id with linux.resources applied, device
 * rules included: the config's, then the default devices and linux.devices
 * allowed (as runc and crun do). */
int rtcg_create(const struct rt_context *ctx, const struct oci_spec *spec,
		const char *id, struct cg_manager **ret,
		struct berth_error *err);

/* Reopen a cgroup saved in state.json; NULL/"" gives *ret = NULL, 0. */
int rtcg_load(const char *saved, struct cg_manager **ret,
	      struct berth_error *err);
