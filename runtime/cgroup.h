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

/* The manager for container @id's cgroup, nothing created yet, its
 * cg_manager_path() counting what cg_create() will make: save it in
 * state.json, then rtcg_create().  A leaf that exists already with
 * processes: -EBUSY.  An empty one under berth's default name (no
 * linux.cgroupsPath) is removed, a stale leftover; one at the config's
 * linux.cgroupsPath is joined, as runc does, and *@ret_stale (malloc'd)
 * names it so the caller can say so; else *@ret_stale = NULL.  Rootless
 * (ctx->rootless), a cgroup not delegated to the caller is -EACCES before
 * anything is made, the message from cg_check_delegated(), for
 * rt_rootless_cgroup_fallback() to decide on. */
int rtcg_plan(const struct rt_context *ctx, const struct oci_spec *spec,
	      const char *id, struct cg_manager **ret, char **ret_stale,
	      struct berth_error *err);
/* Create @m's cgroup with linux.resources applied, device rules included:
 * the config's, then the default devices and linux.devices allowed (as
 * runc and crun do); rootless, no device rules at all.  On failure
 * whatever it made is removed again. */
int rtcg_create(const struct rt_context *ctx, const struct oci_spec *spec,
		struct cg_manager *m, struct berth_error *err);

/* Reopen a cgroup saved in state.json; NULL/"" gives *ret = NULL, 0. */
int rtcg_load(const char *saved, struct cg_manager **ret,
	      struct berth_error *err);
