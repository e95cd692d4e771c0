/* Unit tests: runtime/rootless.c. */
#include <criterion/criterion.h>

#include <errno.h>
#include <string.h>

#include "runtime/rootless.h"
#include "runtime/state.h"

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
