/*
 * config.json .hooks: the six hook lists, each an array of hook objects.
 */
#include "oci/config_internal.h"

static const struct field hook_fields[] = {
    FLD("path", F_STR, struct oci_hook, path, .flags = FL_REQ | FL_ABS),
    FLD("args", F_STRV, struct oci_hook, args),
    FLD("env", F_STRV, struct oci_hook, env, .each = ocp_env_check),
    FLD("timeout", F_OPT_I64, struct oci_hook, timeout, RANGE(1, INT64_MAX)),
};
DESC(hook_desc, struct oci_hook, hook_fields, NULL);

#define HOOKS(k, m)                                                            \
	{                                                                      \
		.key = (k), .type = F_ARRAY,                                   \
		.off = offsetof(struct oci_hooks, m.v),                        \
		.n_off = offsetof(struct oci_hooks, m.n), .desc = &hook_desc,  \
	}
static const struct field hooks_fields[] = {
    HOOKS("prestart", prestart),
    HOOKS("createRuntime", create_runtime),
    HOOKS("createContainer", create_container),
    HOOKS("startContainer", start_container),
    HOOKS("poststart", poststart),
    HOOKS("poststop", poststop),
};
SHARED_DESC(ocp_hooks_desc, struct oci_hooks, hooks_fields, NULL);
