/*
 * config.json as `create` meets it, up to the point where it would touch
 * the host: parse (oci/), validate (runtime/validate.c), then the plans
 * the parent builds before clone (runtime/container.c prepare()) —
 * namespaces, process (capabilities, environment, seccomp compiled to
 * BPF, scheduler & co), the mount options of every mount, the cgroup
 * path and resource conversions.  Namespace paths are dropped before
 * ns_plan_build(): opening arbitrary paths (a FIFO blocks) is I/O.
 */
#include <stdlib.h>

#include "namespaces/namespaces.h"
#include "oci/config.h"
#include "runtime/process/procattr.h"
#include "runtime/process/setup.h"
#include "runtime/rootfs/idmap.h"
#include "runtime/rootfs/mount_opts.h"
#include "runtime/validate.h"
#include "tests/fuzz/fuzz.h"

static const struct rt_context ctx = {.root = "/nonexistent/berth-fuzz"};

static void mounts(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->mounts_n; i++) {
		struct berth_error err = {0};
		struct mount_opts o;
		(void)idmap_wanted(&spec->mounts[i]);
		if (mount_opts_parse(spec->mounts[i].options, &o, &err) == 0) {
			uint64_t set, clr;
			const char *names[5];
			mount_opts_attr(o.flags, o.clear, &set, &clr);
			mount_opts_sb_flags(o.flags, names);
		}
		mount_opts_done(&o);
	}
	unsigned long prop;
	if (spec->linux_ != NULL && spec->linux_->rootfs_propagation != NULL)
		(void)mount_opts_propagation(spec->linux_->rootfs_propagation,
					     &prop);
}

static void drop_namespace_paths(struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->linux_->namespaces_n; i++) {
		free(spec->linux_->namespaces[i].path);
		spec->linux_->namespaces[i].path = NULL;
	}
}

/* What prepare() builds once the config passed validate_spec(). */
static void plans(struct oci_spec *spec)
{
	struct berth_error err = {0};
	(void)procattr_check(spec, &err);
	struct process_plan pp;
	if (process_plan_build(&ctx, spec->process, spec->linux_, 0, &pp,
			       &err) == 0)
		process_plan_free(&pp);
	drop_namespace_paths(spec);
	struct ns_plan ns;
	if (ns_plan_build(spec, &ns, &err) == 0)
		ns_plan_close(&ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;
	if (oci_spec_parse((const char *)data, size, "config.json", &spec,
			   &err) < 0)
		return 0;
	mounts(spec);
	if (spec->linux_ != NULL) {
		fuzz_resources(spec->linux_->resources);
		fuzz_cgroups_path(spec->linux_->cgroups_path, "fuzz");
	}
	if (validate_spec(spec, &err) == 0)
		plans(spec);
	oci_spec_free(spec);
	return 0;
}
