#pragma once
/*
 * Rootless: berth runs without privilege over the host.  Detected the way
 * runc does (libcontainer/userns, runc's main.go): the effective uid is not
 * 0, or berth runs inside a user namespace that is not the initial one
 * (/proc/self/uid_map is not "0 0 4294967295"), as podman's rootless mode
 * calls the runtime as "root" of its own user namespace.
 */
#include <stdbool.h>
#include <stddef.h>

#include "runtime/context.h"
#include "util/error.h"

/* Decide for this process; never fails (an unreadable uid_map counts as the
 * initial namespace, as runc's RunningInUserNS does). */
enum rt_rootless_reason rt_rootless_detect(void);

/* True when /proc/self/uid_map (its text in @uid_map) is not the initial
 * namespace's identity map "0 0 4294967295". */
bool rt_uid_map_is_initial(const char *uid_map);

/* One line for --debug: "rootless: effective uid 1000 is not 0",
 * "rootless: in a user namespace (uid_map 0 1000 1)", "not rootless: ...". */
const char *rt_rootless_describe(enum rt_rootless_reason reason, char *buf,
				 size_t size);

/* The state root berth uses when --root is not given: $XDG_RUNTIME_DIR/berth
 * when rootless, as runc uses $XDG_RUNTIME_DIR/runc (runc's
 * shouldHonorXDGRuntimeDir: euid != 0, or in a user namespace unless USER
 * is "root"); otherwise STATE_DEFAULT_ROOT.  @xdg and @user are the
 * variables' values (NULL: unset).  The path is written to @buf.  With euid
 * != 0 and no XDG_RUNTIME_DIR there is no usable default (/run/berth is
 * root's): -ENOENT and a message saying so. */
int rt_rootless_state_root(enum rt_rootless_reason reason, const char *xdg,
			   const char *user, char *buf, size_t size,
			   struct berth_error *err);

/* What a config needs when berth runs with effective uid != 0: a user
 * namespace (new or joined) to be root in, as runc ("rootless container
 * requires user namespaces").  Error: `config.json: .linux.namespaces:
 * rootless (effective uid 1000): a user namespace is needed (berth spec
 * --rootless makes one)` (EPERM).  No idmapped mount either (they need
 * privilege over the source's filesystem). */
struct oci_spec;
int rt_rootless_check_spec(const struct rt_context *ctx,
			   const struct oci_spec *spec,
			   struct berth_error *err);

/* The decision for a rootless container whose cgroup could not be made
 * (rtcg_plan or rtcg_create failed with @r, its message in @err): with
 * ctx->rootless and a permission error (EACCES, EPERM, EROFS: a cgroup
 * not delegated to the caller, v1's always) and nothing in @res that needs
 * a cgroup, 0: berth runs the container without a cgroup of its own and
 * says so at debug level, as runc's rootless cgroup manager does.  Something
 * to apply: @r, @err naming the first such resource and why
 * ("linux.resources.memory: cannot be applied rootless: the cgroup is not
 * delegated (...)").  Not rootless, or another error: @r, untouched.
 * Device rules need no cgroup when every rule is an allow or the blanket
 * deny: rootless devices are bind mounts of the host's, which the caller
 * could open anyway; a deny rule naming a device could not be enforced. */
struct oci_resources;
int rt_rootless_cgroup_fallback(const struct rt_context *ctx,
				const struct oci_resources *res, const char *id,
				int r, struct berth_error *err);
