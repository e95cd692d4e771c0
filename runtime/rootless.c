#include "runtime/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci/config.h"
#include "runtime/rootfs/idmap.h"
#include "runtime/state.h"
#include "util/cleanup.h"

bool rt_uid_map_is_initial(const char *uid_map)
{
	unsigned long inside, outside, count;
	char extra;
	/* One line "0 0 4294967295" (spaces are any width), nothing after. */
	int n = sscanf(uid_map, " %lu %lu %lu %c", &inside, &outside, &count,
		       &extra);
	return n == 3 && inside == 0 && outside == 0 && count == 4294967295UL;
}

static int read_uid_map(char *buf, size_t size)
{
	_cleanup_close_ int fd =
	    open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

enum rt_rootless_reason rt_rootless_detect(void)
{
	if (geteuid() != 0)
		return RT_ROOTLESS_EUID;
	char map[4096];
	if (read_uid_map(map, sizeof(map)) < 0)
		return RT_ROOTLESS_NO;
	return rt_uid_map_is_initial(map) ? RT_ROOTLESS_NO : RT_ROOTLESS_USERNS;
}

/* "         0       1000          1\n..." -> "0 1000 1" */
static void squeeze_first_line(char *s)
{
	char *out = s;
	bool space = true;
	for (const char *p = s; *p != '\0' && *p != '\n'; p++) {
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (space && out != s)
			*out++ = ' ';
		space = false;
		*out++ = *p;
	}
	*out = '\0';
}

const char *rt_rootless_describe(enum rt_rootless_reason reason, char *buf,
				 size_t size)
{
	char map[256] = "";
	switch (reason) {
	case RT_ROOTLESS_EUID:
		snprintf(buf, size, "rootless: effective uid %u is not 0",
			 (unsigned)geteuid());
		break;
	case RT_ROOTLESS_USERNS:
		if (read_uid_map(map, sizeof(map)) == 0)
			squeeze_first_line(map);
		snprintf(buf, size,
			 "rootless: in a user namespace that is not the "
			 "initial one (uid_map \"%s\")",
			 map);
		break;
	default:
		snprintf(buf, size,
			 "not rootless: effective uid 0 in the initial user "
			 "namespace");
	}
	return buf;
}

static bool honor_xdg(enum rt_rootless_reason reason, const char *user)
{
	if (reason == RT_ROOTLESS_EUID)
		return true;
	return reason == RT_ROOTLESS_USERNS &&
	       (user == NULL || strcmp(user, "root") != 0);
}

int rt_rootless_state_root(enum rt_rootless_reason reason, const char *xdg,
			   const char *user, char *buf, size_t size,
			   struct berth_error *err)
{
	if (xdg != NULL && *xdg != '\0' && honor_xdg(reason, user)) {
		if (xdg[0] != '/')
			return berth_err_msg(err, EINVAL,
					     "rootless: XDG_RUNTIME_DIR \"%s\" "
					     "is not an absolute path; set it "
					     "or pass --root DIR",
					     xdg);
		if ((size_t)snprintf(buf, size, "%s/berth", xdg) >= size)
			return berth_err_msg(err, ENAMETOOLONG,
					     "rootless: XDG_RUNTIME_DIR is "
					     "too long");
		return 0;
	}
	if (reason == RT_ROOTLESS_EUID)
		return berth_err_msg(
		    err, ENOENT,
		    "rootless (effective uid %u): XDG_RUNTIME_DIR is not set "
		    "and %s is root's; set XDG_RUNTIME_DIR or pass --root DIR",
		    (unsigned)geteuid(), STATE_DEFAULT_ROOT);
	snprintf(buf, size, "%s", STATE_DEFAULT_ROOT);
	return 0;
}

/* The first thing in @res that only a cgroup can apply, as its JSON name
 * under linux.resources (written to @buf), or NULL. */
static const char *needs_cgroup(const struct oci_resources *res, char *buf,
				size_t size)
{
	if (res == NULL)
		return NULL;
	for (size_t i = 0; i < res->devices_n; i++) {
		const struct oci_device_cgroup *d = &res->devices[i];
		bool blanket = (d->type == NULL || strcmp(d->type, "a") == 0) &&
			       !d->major.set && !d->minor.set;
		if (!d->allow && !blanket) {
			snprintf(buf, size, "devices[%zu] (a deny rule)", i);
			return buf;
		}
	}
	const struct {
		bool set;
		const char *name;
	} parts[] = {
	    {res->memory.limit.set || res->memory.reservation.set ||
		 res->memory.swap.set || res->memory.kernel.set ||
		 res->memory.kernel_tcp.set || res->memory.swappiness.set ||
		 res->memory.disable_oom_killer.set,
	     "memory"},
	    {res->cpu.shares.set || res->cpu.period.set ||
		 res->cpu.realtime_period.set || res->cpu.quota.set ||
		 res->cpu.realtime_runtime.set || res->cpu.idle.set ||
		 res->cpu.burst.set || res->cpu.cpus != NULL ||
		 res->cpu.mems != NULL,
	     "cpu"},
	    {res->pids.limit.set, "pids"},
	    {res->block_io.weight.set || res->block_io.leaf_weight.set ||
		 res->block_io.weight_device_n > 0 ||
		 res->block_io.throttle_read_bps_n > 0 ||
		 res->block_io.throttle_write_bps_n > 0 ||
		 res->block_io.throttle_read_iops_n > 0 ||
		 res->block_io.throttle_write_iops_n > 0,
	     "blockIO"},
	    {res->hugepage_limits_n > 0, "hugepageLimits"},
	    {res->network.class_id.set || res->network.priorities_n > 0,
	     "network"},
	    {res->rdma_n > 0, "rdma"},
	    {res->unified_n > 0, "unified"},
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i].set) {
			snprintf(buf, size, "%s", parts[i].name);
			return buf;
		}
	return NULL;
}

int rt_rootless_cgroup_fallback(const struct rt_context *ctx,
				const struct oci_resources *res, const char *id,
				int r, struct berth_error *err)
{
	if (!ctx->rootless || (r != -EACCES && r != -EPERM && r != -EROFS))
		return r;
	char name[64];
	if (needs_cgroup(res, name, sizeof(name)) != NULL) {
		berth_err_ctx(err,
			      "linux.resources.%s: cannot be applied rootless: "
			      "the cgroup is not delegated",
			      name);
		return r;
	}
	rt_log(ctx, RT_LOG_DEBUG,
	       "create %s: rootless and no cgroup of ours (%s): the container "
	       "runs without a cgroup of its own (no linux.resources to "
	       "apply)",
	       id, err->msg);
	berth_err_clear(err);
	return 0;
}

/* An idmapped mount of a host path needs CAP_SYS_ADMIN over the user
 * namespace that owns the source's filesystem: the host's. */
static int check_idmaps(const struct oci_spec *spec, struct berth_error *err)
{
	for (size_t i = 0; i < spec->mounts_n; i++)
		if (idmap_wanted(&spec->mounts[i]))
			return berth_err_msg(
			    err, EPERM,
			    "config.json: .mounts[%zu] (%s): idmapped mounts "
			    "are not supported rootless (they need privilege "
			    "over the source's filesystem)",
			    i,
			    spec->mounts[i].destination
				? spec->mounts[i].destination
				: "");
	return 0;
}

int rt_rootless_check_spec(const struct rt_context *ctx,
			   const struct oci_spec *spec, struct berth_error *err)
{
	if (ctx->rootless_reason != RT_ROOTLESS_EUID)
		return 0;
	if (oci_spec_namespace(spec, OCI_NS_USER) != NULL)
		return check_idmaps(spec, err);
	return berth_err_msg(err, EPERM,
			     "config.json: .linux.namespaces: rootless "
			     "(effective uid %u): a user namespace is needed "
			     "(berth spec --rootless makes one)",
			     (unsigned)geteuid());
}
