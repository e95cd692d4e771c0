#pragma once
/*
 * `berth features`: the runtime-spec features document describing what
 * this berth really supports, gathered from the code's own tables (mount
 * options, seccomp names, capabilities) and the host (LSMs, seccomp
 * flags).  See docs/berth.1.md "features".
 */
#include "runtime/context.h"
#include "util/error.h"

/* @version and @commit become annotations (NULL or "" leaves one out).
 * The JSON goes to *@ret_json (free it). */
int rt_features(const struct rt_context *ctx, const char *version,
		const char *commit, char **ret_json, struct berth_error *err);
