/* runtime/sandbox: the flags' values, the config it builds (parsed back by
 * oci_spec_parse, as a run does), the default seccomp profile, and no fd
 * or memory left by the error paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "runtime/sandbox/sandbox.h"
#include "testutil.h"

static const struct rt_context ctx = {.root = "/run/berth-unit-sandbox"};

static struct sandbox_opts opts(char **argv)
{
	struct sandbox_opts o;
	sandbox_opts_init(&o, &ctx);
	o.argv = argv;
	return o;
}

/* The config for @o, parsed back; NULL (and @err) on failure. */
static struct oci_spec *build(const struct sandbox_opts *o,
			      struct berth_error *err)
{
	struct sandbox_paths p;
	char *json = NULL;
	struct oci_spec *spec = NULL;
	if (sandbox_paths_new(&ctx, o, &p, err) < 0)
		return NULL;
	if (sandbox_config_json(o, &p, &json, err) == 0)
		oci_spec_parse(json, strlen(json), "config.json", &spec, err);
	free(json);
	sandbox_paths_free(&p);
	return spec;
}

Test(sandbox, sizes)
{
	int64_t v;
	cr_assert_eq(sandbox_parse_size("512M", &v), 0);
	cr_assert_eq(v, 512LL << 20);
	cr_assert_eq(sandbox_parse_size("2GiB", &v), 0);
	cr_assert_eq(v, 2LL << 30);
	cr_assert_eq(sandbox_parse_size("10k", &v), 0);
	cr_assert_eq(v, 10240);
	cr_assert_eq(sandbox_parse_size("4096", &v), 0);
	cr_assert_eq(v, 4096);
	const char *bad[] = {
	    "", "0", "-1", "1X", "M", "1.5G", "99999999999T", " 1", "1MM"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(sandbox_parse_size(bad[i], &v), -EINVAL, "%s",
			     bad[i]);
}

Test(sandbox, flag_errors_name_the_flag)
{
	struct sandbox_opts o = opts(NULL);
	struct berth_error err = {0};
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_MEMORY, "lots", &err), 0);
	cr_assert_str_eq(err.msg,
			 "--memory: expected a size like 512M, got \"lots\"");
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_CPUS, "0", &err), 0);
	cr_assert(strstr(err.msg, "--cpus") != NULL);
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_BIND, "/nonexistent", &err),
		     0);
	cr_assert(strstr(err.msg, "no such file or directory") != NULL);
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_USER, "1:x", &err), 0);
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_ENV, "=v", &err), 0);
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_NET, "bridge", &err), 0);
	cr_assert_lt(sandbox_opt_set(&o, SANDBOX_TMPFS, "/t:1Q", &err), 0);
	cr_assert_lt(sandbox_opts_check(&o, &err), 0);
	cr_assert_str_eq(err.msg, "no command after --");
	sandbox_opts_free(&o);
}

Test(sandbox, default_config)
{
	char *argv[] = {"make", "-j2", NULL};
	struct sandbox_opts o = opts(argv);
	struct berth_error err = {0};
	struct oci_spec *s = build(&o, &err);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_str_eq(s->process->args[0], "make");
	cr_assert(s->root.readonly);
	cr_assert(s->process->no_new_privileges);
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_NETWORK));
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_PID));
	cr_assert_not_null(s->linux_->seccomp);
	bool usr = false;
	for (size_t i = 0; i < s->mounts_n; i++)
		usr |= strcmp(s->mounts[i].destination, "/usr") == 0;
	cr_assert(usr);
	oci_spec_free(s);
	sandbox_opts_free(&o);
}

Test(sandbox, flags_map_into_the_config)
{
	char *argv[] = {"true", NULL};
	struct sandbox_opts o = opts(argv);
	struct berth_error err = {0};
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_MEMORY, "64M", &err), 0);
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_PIDS, "50", &err), 0);
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_CPUS, "1.5", &err), 0);
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_NET, "host", &err), 0);
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_SECCOMP, "none", &err), 0);
	cr_assert_eq(sandbox_opt_set(&o, SANDBOX_TMPFS, "/scratch:1M", &err),
		     0);
	cr_assert_eq(
	    sandbox_opt_set(&o, SANDBOX_RO_BIND, "/etc:/hostetc", &err), 0);
	struct oci_spec *s = build(&o, &err);
	cr_assert_not_null(s, "%s", err.msg);
	cr_assert_eq(s->linux_->resources->memory.limit.v, 64 << 20);
	cr_assert_eq(s->linux_->resources->pids.limit.v, 50);
	cr_assert_eq(s->linux_->resources->cpu.quota.v, 150000);
	cr_assert_null(oci_spec_namespace(s, OCI_NS_NETWORK));
	cr_assert_null(s->linux_->seccomp);
	/* the user's mounts come last, parents first, binds before tmpfs */
	cr_assert_str_eq(s->mounts[s->mounts_n - 2].destination, "/hostetc");
	cr_assert_str_eq(s->mounts[s->mounts_n - 1].destination, "/scratch");
	oci_spec_free(s);
	sandbox_opts_free(&o);
}

Test(sandbox, error_paths_leak_no_fd)
{
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		char *argv[] = {"true", NULL};
		struct sandbox_opts o = opts(argv);
		struct berth_error err = {0};
		sandbox_opt_set(&o, SANDBOX_SECCOMP, "/nonexistent", &err);
		sandbox_opt_set(&o, SANDBOX_ROOTFS, "/etc/passwd", &err);
		sandbox_opt_set(&o, SANDBOX_OVERLAY, "/nonexistent:/x", &err);
		cr_assert_null(build(&o, &err));
		sandbox_opts_free(&o);
	}
	cr_assert_eq(count_fds(), before);
}
