#include "runtime/validate.h"

#include <errno.h>
#include <string.h>

#define NOT_SUPPORTED(err, field)                                              \
	berth_err_msg(err, ENOTSUP, "config.json: %s is not supported", field)

static bool has_ns(const struct oci_spec *spec, enum oci_ns_type t)
{
	return oci_spec_namespace(spec, t) != NULL;
}

static int check_unsupported(const struct rt_context *ctx,
			     const struct oci_spec *spec,
			     struct berth_error *err)
{
	const struct oci_linux *l = spec->linux_;
	const struct oci_process *p = spec->process;
	if (l->intel_rdt != NULL)
		return NOT_SUPPORTED(err, "linux.intelRdt");
	if (l->net_devices_n > 0)
		return NOT_SUPPORTED(err, "linux.netDevices");
	if (l->seccomp != NULL)
		return NOT_SUPPORTED(err, "linux.seccomp (yet)");
	if (l->personality != NULL)
		return NOT_SUPPORTED(err, "linux.personality (yet)");
	if (l->memory_policy != NULL)
		return NOT_SUPPORTED(err, "linux.memoryPolicy (yet)");
	if (l->mount_label != NULL && *l->mount_label)
		return NOT_SUPPORTED(
		    err, "linux.mountLabel (this host has no SELinux)");
	if (p->apparmor_profile != NULL && *p->apparmor_profile)
		return NOT_SUPPORTED(err, "process.apparmorProfile (yet)");
	if (p->selinux_label != NULL && *p->selinux_label)
		return NOT_SUPPORTED(err, "process.selinuxLabel (yet)");
	if (p->scheduler.set)
		return NOT_SUPPORTED(err, "process.scheduler (yet)");
	if (p->io_priority.set)
		return NOT_SUPPORTED(err, "process.ioPriority (yet)");
	if (p->exec_cpu_affinity.initial || p->exec_cpu_affinity.final)
		return NOT_SUPPORTED(err, "process.execCPUAffinity (yet)");
	const struct oci_resources *res = l->resources;
	if (res == NULL)
		return 0;
	if (res->memory.limit.set || res->memory.reservation.set ||
	    res->memory.swap.set || res->memory.kernel.set ||
	    res->memory.kernel_tcp.set || res->memory.swappiness.set ||
	    res->memory.disable_oom_killer.set)
		return NOT_SUPPORTED(
		    err,
		    "linux.resources.memory (yet: berth creates no cgroup)");
	if (res->cpu.shares.set || res->cpu.quota.set || res->cpu.period.set ||
	    res->cpu.realtime_runtime.set || res->cpu.realtime_period.set ||
	    res->cpu.cpus || res->cpu.mems || res->cpu.idle.set ||
	    res->cpu.burst.set)
		return NOT_SUPPORTED(
		    err, "linux.resources.cpu (yet: berth creates no cgroup)");
	if (res->pids.limit.set)
		return NOT_SUPPORTED(
		    err, "linux.resources.pids (yet: berth creates no cgroup)");
	if (res->block_io.weight.set || res->block_io.leaf_weight.set ||
	    res->block_io.weight_device_n ||
	    res->block_io.throttle_read_bps_n ||
	    res->block_io.throttle_write_bps_n ||
	    res->block_io.throttle_read_iops_n ||
	    res->block_io.throttle_write_iops_n)
		return NOT_SUPPORTED(
		    err,
		    "linux.resources.blockIO (yet: berth creates no cgroup)");
	if (res->hugepage_limits_n)
		return NOT_SUPPORTED(err, "linux.resources.hugepageLimits "
					  "(yet: berth creates no cgroup)");
	if (res->network.class_id.set || res->network.priorities_n)
		return NOT_SUPPORTED(
		    err,
		    "linux.resources.network (yet: berth creates no cgroup)");
	if (res->rdma_n)
		return NOT_SUPPORTED(
		    err, "linux.resources.rdma (yet: berth creates no cgroup)");
	if (res->unified_n)
		return NOT_SUPPORTED(
		    err,
		    "linux.resources.unified (yet: berth creates no cgroup)");
	if (res->devices_n)
		rt_log(ctx, RT_LOG_DEBUG,
		       "linux.resources.devices: no device cgroup yet; the "
		       "container's /dev holds only the configured devices");
	return 0;
}

/* runc's rule: a sysctl must belong to a namespace the container has. */
static int check_sysctl(const struct oci_spec *spec, const char *key,
			struct berth_error *err)
{
	static const char *const ipc[] = {
	    "kernel.msgmax", "kernel.msgmnb",	      "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	      "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced"};
	if (strncmp(key, "net.", 4) == 0) {
		if (has_ns(spec, OCI_NS_NETWORK))
			return 0;
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.sysctl: \"%s\" needs "
				     "a network namespace",
				     key);
	}
	bool is_ipc = strncmp(key, "fs.mqueue.", 10) == 0;
	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		is_ipc = is_ipc || strcmp(key, ipc[i]) == 0;
	if (is_ipc && has_ns(spec, OCI_NS_IPC))
		return 0;
	if ((strcmp(key, "kernel.hostname") == 0 ||
	     strcmp(key, "kernel.domainname") == 0) &&
	    has_ns(spec, OCI_NS_UTS))
		return 0;
	return berth_err_msg(
	    err, EINVAL,
	    "config.json: .linux.sysctl: \"%s\" is not namespaced for this "
	    "container (it would change the host)",
	    key);
}

static int check_namespaces(const struct oci_spec *spec,
			    struct berth_error *err)
{
	const struct oci_linux *l = spec->linux_;
	if ((spec->hostname || spec->domainname) && !has_ns(spec, OCI_NS_UTS))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .hostname/.domainname need a UTS namespace");
	bool user = has_ns(spec, OCI_NS_USER);
	const struct oci_namespace *u = oci_spec_namespace(spec, OCI_NS_USER);
	if ((l->uid_mappings_n || l->gid_mappings_n) && !user)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .linux.uidMappings need a user namespace");
	if (u != NULL && u->path == NULL &&
	    (l->uid_mappings_n == 0 || l->gid_mappings_n == 0))
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: a new user namespace needs "
		    ".linux.uidMappings and .linux.gidMappings");
	const struct oci_namespace *t = oci_spec_namespace(spec, OCI_NS_TIME);
	if ((l->time_offsets.monotonic.set || l->time_offsets.boottime.set) &&
	    (t == NULL || t->path != NULL))
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.timeOffsets need a "
				     "new time namespace");
	if (!has_ns(spec, OCI_NS_MOUNT))
		return berth_err_msg(err, EINVAL,
				     "config.json: .linux.namespaces: berth "
				     "needs a mount namespace");
	for (size_t i = 0; i < l->sysctl_n; i++) {
		int r = check_sysctl(spec, l->sysctl[i].key, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int validate_spec(const struct rt_context *ctx, const struct oci_spec *spec,
		  struct berth_error *err)
{
	if (spec->process == NULL)
		return berth_err_msg(
		    err, EINVAL,
		    "config.json: .process is required to run a container");
	if (spec->linux_ == NULL)
		return berth_err_msg(
		    err, EINVAL, "config.json: .linux is required on Linux");
	int r = check_namespaces(spec, err);
	if (r < 0)
		return r;
	return check_unsupported(ctx, spec, err);
}
