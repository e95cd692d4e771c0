/* Unit tests: runtime/rootless.c. */
#include <criterion/criterion.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "namespaces/rootless_maps.h"
#include "oci/config.h"
#include "runtime/rootless.h"
#include "runtime/state.h"
#include "tests/unit/testutil.h"

Test(rootless, initial_uid_map)
{
	cr_assert(rt_uid_map_is_initial("         0          0 4294967295\n"));
	cr_assert(rt_uid_map_is_initial("0 0 4294967295"));
	cr_assert_not(rt_uid_map_is_initial("0 1000 1\n"));
	cr_assert_not(rt_uid_map_is_initial("0 0 1\n"));
	cr_assert_not(
	    rt_uid_map_is_initial("0 0 4294967295\n1 1 1\n")); /* 2 lines */
	cr_assert_not(rt_uid_map_is_initial(""));
}

Test(rootless, state_root_xdg)
{
	char buf[256];
	struct berth_error err = {0};
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_EUID, "/run/user/1000",
					    "u", buf, sizeof(buf), &err),
		     0);
	cr_assert_str_eq(buf, "/run/user/1000/berth");
	/* Not rootless: XDG_RUNTIME_DIR is not honoured (runc). */
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_NO, "/run/user/0",
					    "root", buf, sizeof(buf), &err),
		     0);
	cr_assert_str_eq(buf, STATE_DEFAULT_ROOT);
	/* In a user namespace as USER=root: runc's /run/runc, ours. */
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_USERNS, "/run/user/0",
					    "root", buf, sizeof(buf), &err),
		     0);
	cr_assert_str_eq(buf, STATE_DEFAULT_ROOT);
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_USERNS, "/x", NULL, buf,
					    sizeof(buf), &err),
		     0);
	cr_assert_str_eq(buf, "/x/berth");
}

Test(rootless, state_root_errors)
{
	char buf[256];
	struct berth_error err = {0};
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_EUID, NULL, "u", buf,
					    sizeof(buf), &err),
		     -ENOENT);
	cr_assert(strstr(err.msg, "XDG_RUNTIME_DIR is not set") != NULL, "%s",
		  err.msg);
	cr_assert(strstr(err.msg, "--root") != NULL, "%s", err.msg);
	cr_assert_eq(rt_rootless_state_root(RT_ROOTLESS_EUID, "rel", "u", buf,
					    sizeof(buf), &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "not an absolute path") != NULL, "%s",
		  err.msg);
}

Test(rootless, describe)
{
	char buf[256];
	cr_assert(
	    strstr(rt_rootless_describe(RT_ROOTLESS_EUID, buf, sizeof(buf)),
		   "effective uid") != NULL);
	cr_assert(
	    strstr(rt_rootless_describe(RT_ROOTLESS_USERNS, buf, sizeof(buf)),
		   "user namespace") != NULL);
	cr_assert(
	    strncmp(rt_rootless_describe(RT_ROOTLESS_NO, buf, sizeof(buf)),
		    "not rootless", 12) == 0);
}

static int perm_error(struct berth_error *err)
{
	return berth_err(err, EACCES, "mkdir /sys/fs/cgroup/cpu/c1");
}

Test(rootless, cgroup_fallback_without_resources)
{
	struct rt_context ctx = {.rootless = true};
	struct berth_error err = {0};
	cr_assert_eq(rt_rootless_cgroup_fallback(&ctx, NULL, "c1",
						 perm_error(&err), &err),
		     0);
	struct oci_device_cgroup deny_all = {.allow = false};
	struct oci_resources res = {.devices = &deny_all, .devices_n = 1};
	cr_assert_eq(rt_rootless_cgroup_fallback(&ctx, &res, "c1",
						 perm_error(&err), &err),
		     0);
}

Test(rootless, cgroup_fallback_refuses_resources)
{
	struct rt_context ctx = {.rootless = true};
	struct berth_error err = {0};
	struct oci_resources res = {0};
	res.pids.limit = (struct oci_opt_i64){.set = true, .v = 10};
	cr_assert_eq(rt_rootless_cgroup_fallback(&ctx, &res, "c1",
						 perm_error(&err), &err),
		     -EACCES);
	cr_assert(strstr(err.msg, "linux.resources.pids: cannot be applied "
				  "rootless: the cgroup is not delegated: "
				  "mkdir") != NULL,
		  "%s", err.msg);
	struct oci_device_cgroup one = {.allow = false,
					.type = "c",
					.major = {.set = true, .v = 1},
					.minor = {.set = true, .v = 3}};
	struct oci_resources dev = {.devices = &one, .devices_n = 1};
	cr_assert_eq(rt_rootless_cgroup_fallback(&ctx, &dev, "c1",
						 perm_error(&err), &err),
		     -EACCES);
	cr_assert(strstr(err.msg, "devices[0] (a deny rule)") != NULL, "%s",
		  err.msg);
}

Test(rootless, cgroup_fallback_only_rootless_permission_errors)
{
	struct rt_context root = {.rootless = false};
	struct rt_context rl = {.rootless = true};
	struct berth_error err = {0};
	cr_assert_eq(rt_rootless_cgroup_fallback(&root, NULL, "c1",
						 perm_error(&err), &err),
		     -EACCES);
	cr_assert(strstr(err.msg, "mkdir") != NULL);
	int r = berth_err(&err, EBUSY, "cgroup busy");
	cr_assert_eq(rt_rootless_cgroup_fallback(&rl, NULL, "c1", r, &err),
		     -EBUSY);
	cr_assert_str_eq(err.msg, "cgroup busy: device or resource busy");
}

Test(rootless, own_id_mapping)
{
	struct oci_id_mapping own = {0, 1000, 1},
			      wide[2] = {{0, 1000, 1}, {1, 100000, 65536}};
	cr_assert(ns_map_is_own_id(&own, 1, 1000));
	cr_assert_not(ns_map_is_own_id(&own, 1, 1001));
	cr_assert_not(ns_map_is_own_id(wide, 2, 1000));
	struct oci_id_mapping big = {0, 1000, 2};
	cr_assert_not(ns_map_is_own_id(&big, 1, 1000));
}

/* The error paths of the rootless id maps leak no fd: the own id written
 * to a process that is gone, a wider map through the helper (or its
 * absence) refused. */
Test(rootless, id_maps_errors_leak_nothing)
{
	uint32_t me = (uint32_t)geteuid();
	struct oci_id_mapping own = {0, me, 1};
	struct oci_id_mapping wide[2] = {{0, me, 1}, {1, 4000000000u, 10}};
	struct oci_linux own_l = {.uid_mappings = &own,
				  .uid_mappings_n = 1,
				  .gid_mappings = &own,
				  .gid_mappings_n = 1};
	struct oci_linux wide_l = {.uid_mappings = wide, .uid_mappings_n = 2};
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		struct berth_error err = {0};
		cr_assert_lt(ns_write_id_maps_rootless(999999999, &own_l, &err),
			     0);
		cr_assert(strstr(err.msg, "uid mappings (1 entry): write "
					  "/proc/999999999/uid_map") != NULL,
			  "%s", err.msg);
	}
	for (int i = 0; i < 10; i++) {
		struct berth_error err = {0};
		cr_assert_lt(
		    ns_write_id_maps_rootless(999999999, &wide_l, &err), 0);
		cr_assert(strstr(err.msg, "uid mappings (2 entries): newuidmap "
					  "999999999 0 ") != NULL,
			  "%s", err.msg);
	}
	cr_assert_eq(count_fds(), before);
}
