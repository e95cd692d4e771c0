/*
 * config.json .linux, except .linux.resources (config_resources.c):
 * namespaces, uid/gid mappings (the id mapping table mounts reuse), time
 * offsets, devices, netDevices, seccomp, sysctl, masked and read-only paths,
 * personality, intelRdt and memoryPolicy, with their names and checks.
 */
#include <stdint.h>
#include <string.h>

#include "oci/config_internal.h"

/* The kernel's limit on lines in uid_map / gid_map. */
#define OCI_MAX_ID_MAPPINGS 340

/* ---- uidMappings, gidMappings (mounts[] reuse them) ---- */

static int idmap_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_id_mapping *m = out;

	if (m->size == 0) {
		ocp_path_key(c, "size");
		return ocp_perr(c, "must be greater than 0");
	}
	if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1)
		return ocp_perr(
		    c, "containerID + size exceeds the 32-bit ID range");
	if ((uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
		return ocp_perr(c, "hostID + size exceeds the 32-bit ID range");
	return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a,
			   uint32_t size_b)
{
	return (uint64_t)a < (uint64_t)b + size_b &&
	       (uint64_t)b < (uint64_t)a + size_a;
}

static int idmaps_overlap(struct pctx *c, const struct oci_id_mapping *m,
			  size_t i, size_t j)
{
	const char *which = NULL;

	if (ranges_overlap(m[i].container_id, m[j].container_id, m[i].size,
			   m[j].size))
		which = "container";
	else if (ranges_overlap(m[i].host_id, m[j].host_id, m[i].size,
				m[j].size))
		which = "host";
	if (which == NULL)
		return 0;
	ocp_path_idx(c, i);
	return ocp_perr(c, "%s ID range overlaps entry %zu", which, j);
}

int ocp_idmaps_post(struct pctx *c, const struct field *f, void *base)
{
	const struct oci_id_mapping *m = *(void **)ocp_at(base, f->off);
	size_t n = *(size_t *)ocp_at(base, f->n_off);

	if (n > OCI_MAX_ID_MAPPINGS)
		return ocp_perr(c, "%zu entries, the kernel allows at most %d",
				n, OCI_MAX_ID_MAPPINGS);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			int r = idmaps_overlap(c, m, i, j);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static const struct field idmap_fields[] = {
    FLD("containerID", F_U32, struct oci_id_mapping, container_id,
	.flags = FL_REQ),
    FLD("hostID", F_U32, struct oci_id_mapping, host_id, .flags = FL_REQ),
    FLD("size", F_U32, struct oci_id_mapping, size, .flags = FL_REQ),
};
SHARED_DESC(ocp_idmap_desc, struct oci_id_mapping, idmap_fields, idmap_check);

/* ---- namespaces ---- */

const struct name_val ocp_ns_names[] = {
    {"pid", OCI_NS_PID},
    {"network", OCI_NS_NETWORK},
    {"mount", OCI_NS_MOUNT},
    {"ipc", OCI_NS_IPC},
    {"uts", OCI_NS_UTS},
    {"user", OCI_NS_USER},
    {"cgroup", OCI_NS_CGROUP},
    {"time", OCI_NS_TIME},
    {NULL, 0},
};

static int ns_post(struct pctx *c, const struct field *f, void *base)
{
	(void)f;
	const struct oci_linux *l = base;
	bool seen[OCI_NS_COUNT] = {false};

	for (size_t i = 0; i < l->namespaces_n; i++) {
		enum oci_ns_type t = l->namespaces[i].type;
		if (seen[t]) {
			ocp_path_idx(c, i);
			ocp_path_key(c, "type");
			return ocp_perr(c, "duplicate namespace type \"%s\"",
					oci_ns_type_name(t));
		}
		seen[t] = true;
	}
	return 0;
}

static const struct field ns_fields[] = {
    FLD("type", F_ENUM, struct oci_namespace, type, .flags = FL_REQ,
	.names = ocp_ns_names, .what = "namespace type"),
    FLD("path", F_STR, struct oci_namespace, path, .flags = FL_ABS),
};
DESC(ns_desc, struct oci_namespace, ns_fields, NULL);

/* ---- timeOffsets ---- */

static int time_offsets_check(struct pctx *c, json_t *obj, void *out)
{
	(void)out;
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (strcmp(key, "monotonic") == 0 ||
		    strcmp(key, "boottime") == 0)
			continue;
		ocp_path_key(c, key);
		return ocp_perr(c, "unknown clock (expected monotonic or "
				   "boottime)");
	}
	return 0;
}

static const struct field time_offset_fields[] = {
    FLD("secs", F_I64, struct oci_time_offset, secs),
    FLD("nanosecs", F_U32, struct oci_time_offset, nanosecs,
	RANGE(0, 999999999)),
};
DESC(time_offset_desc, struct oci_time_offset, time_offset_fields, NULL);

/* Shares the base of struct oci_linux (time_offsets is anonymous). */
static const struct field time_offsets_fields[] = {
    FLD("monotonic", F_OBJ, struct oci_linux, time_offsets.monotonic,
	.flags = FL_SET, .desc = &time_offset_desc),
    FLD("boottime", F_OBJ, struct oci_linux, time_offsets.boottime,
	.flags = FL_SET, .desc = &time_offset_desc),
};
DESC(time_offsets_desc, struct oci_linux, time_offsets_fields,
     time_offsets_check);

/* ---- devices, netDevices ---- */

static const struct name_val device_types[] = {
    {"c", 0}, {"b", 0}, {"u", 0}, {"p", 0}, {NULL, 0},
};

static int device_check(struct pctx *c, json_t *obj, void *out)
{
	const struct oci_device *d = out;

	if (strcmp(d->type, "p") == 0)
		return 0;
	if (!json_is_integer(json_object_get(obj, "major")))
		return ocp_perr(c, "major is required for device type \"%s\"",
				d->type);
	if (!json_is_integer(json_object_get(obj, "minor")))
		return ocp_perr(c, "minor is required for device type \"%s\"",
				d->type);
	return 0;
}

static int netdev_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	struct oci_net_device *d = out;

	if (d->name != NULL && *d->name != '\0')
		return 0;
	free(d->name); /* "" keeps the host's name, as in runc */
	d->name = strdup(d->host_name);
	return d->name == NULL ? ocp_oom(c) : 0;
}

static const struct field device_fields[] = {
    FLD("type", F_STR, struct oci_device, type, .flags = FL_REQ,
	.names = device_types, .what = "device type"),
    FLD("path", F_STR, struct oci_device, path, .flags = FL_REQ | FL_ABS),
    FLD("major", F_I64, struct oci_device, major),
    FLD("minor", F_I64, struct oci_device, minor),
    FLD("fileMode", F_OPT_U32, struct oci_device, file_mode),
    FLD("uid", F_OPT_U32, struct oci_device, uid),
    FLD("gid", F_OPT_U32, struct oci_device, gid),
};
DESC(device_desc, struct oci_device, device_fields, device_check);

static const struct field netdev_fields[] = {
    FLD(NULL, F_MAPKEY, struct oci_net_device, host_name),
    FLD("name", F_STR, struct oci_net_device, name),
};
DESC(netdev_desc, struct oci_net_device, netdev_fields, netdev_check);

/* ---- seccomp ---- */

const struct name_val ocp_seccomp_actions[] = {
    {"SCMP_ACT_KILL", OCI_SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", OCI_SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", OCI_SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", OCI_SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", OCI_SCMP_ACT_ERRNO},
    {"SCMP_ACT_TRACE", OCI_SCMP_ACT_TRACE},
    {"SCMP_ACT_ALLOW", OCI_SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", OCI_SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", OCI_SCMP_ACT_NOTIFY},
    {NULL, 0},
};

const struct name_val ocp_seccomp_ops[] = {
    {"SCMP_CMP_NE", OCI_SCMP_CMP_NE},
    {"SCMP_CMP_LT", OCI_SCMP_CMP_LT},
    {"SCMP_CMP_LE", OCI_SCMP_CMP_LE},
    {"SCMP_CMP_EQ", OCI_SCMP_CMP_EQ},
    {"SCMP_CMP_GE", OCI_SCMP_CMP_GE},
    {"SCMP_CMP_GT", OCI_SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", OCI_SCMP_CMP_MASKED_EQ},
    {NULL, 0},
};

const struct name_val ocp_seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", 0},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 0},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0},
    {NULL, 0},
};

static int arch_check(struct pctx *c, const char *s)
{
	if (strncmp(s, "SCMP_ARCH_", 10) != 0)
		return ocp_perr(c, "unknown seccomp architecture \"%s\"", s);
	return 0;
}

/* runtime-spec: errnoRet with an action that returns no errno is an error. */
static int errno_ret_check(struct pctx *c, const char *key, int action,
			   bool errno_set)
{
	if (!errno_set || action == OCI_SCMP_ACT_ERRNO ||
	    action == OCI_SCMP_ACT_TRACE)
		return 0;
	ocp_path_key(c, key);
	return ocp_perr(c, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
}

static int syscall_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_seccomp_syscall *s = out;

	return errno_ret_check(c, "errnoRet", (int)s->action, s->errno_ret.set);
}

static int seccomp_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_seccomp *s = out;

	return errno_ret_check(c, "defaultErrnoRet", (int)s->default_action,
			       s->default_errno_ret.set);
}

static const struct field scmp_arg_fields[] = {
    FLD("index", F_U32, struct oci_seccomp_arg, index,
	.flags = FL_REQ | FL_RANGE, .min = 0, .max = 5),
    FLD("value", F_U64, struct oci_seccomp_arg, value, .flags = FL_REQ),
    FLD("valueTwo", F_U64, struct oci_seccomp_arg, value_two),
    FLD("op", F_ENUM, struct oci_seccomp_arg, op, .flags = FL_REQ,
	.names = ocp_seccomp_ops, .what = "seccomp operator"),
};
DESC(scmp_arg_desc, struct oci_seccomp_arg, scmp_arg_fields, NULL);

static const struct field syscall_fields[] = {
    FLD("names", F_STRV, struct oci_seccomp_syscall, names,
	.flags = FL_REQ | FL_NONEMPTY),
    FLD("action", F_ENUM, struct oci_seccomp_syscall, action, .flags = FL_REQ,
	.names = ocp_seccomp_actions, .what = "seccomp action"),
    FLD("errnoRet", F_OPT_U32, struct oci_seccomp_syscall, errno_ret),
    ARR("args", struct oci_seccomp_syscall, args, scmp_arg_desc),
};
DESC(syscall_desc, struct oci_seccomp_syscall, syscall_fields, syscall_check);

static const struct field seccomp_fields[] = {
    FLD("defaultAction", F_ENUM, struct oci_seccomp, default_action,
	.flags = FL_REQ, .names = ocp_seccomp_actions,
	.what = "seccomp action"),
    FLD("defaultErrnoRet", F_OPT_U32, struct oci_seccomp, default_errno_ret),
    FLD("architectures", F_STRV, struct oci_seccomp, architectures,
	.each = arch_check),
    FLD("flags", F_STRV, struct oci_seccomp, flags, .names = ocp_seccomp_flags,
	.what = "seccomp flag"),
    FLD("listenerPath", F_STR, struct oci_seccomp, listener_path),
    FLD("listenerMetadata", F_STR, struct oci_seccomp, listener_metadata),
    ARR("syscalls", struct oci_seccomp, syscalls, syscall_desc),
};
DESC(seccomp_desc, struct oci_seccomp, seccomp_fields, seccomp_check);

/* ---- personality, intelRdt, memoryPolicy, rootfsPropagation ---- */

static const struct name_val personality_domains[] = {
    {"LINUX", 0},
    {"LINUX32", 0},
    {NULL, 0},
};

/* Kernel values (uapi linux/mempolicy.h). */
static const struct name_val mpol_modes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
    {NULL, 0},
};

static const struct name_val mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
    {NULL, 0},
};

static const struct name_val propagations[] = {
    {"private", 0},    {"rprivate", 0},	   {"shared", 0},
    {"rshared", 0},    {"slave", 0},	   {"rslave", 0},
    {"unbindable", 0}, {"runbindable", 0}, {NULL, 0},
};

static const struct field personality_fields[] = {
    FLD("domain", F_STR, struct oci_personality, domain, .flags = FL_REQ,
	.names = personality_domains, .what = "personality domain"),
    FLD("flags", F_STRV, struct oci_personality, flags),
};
DESC(personality_desc, struct oci_personality, personality_fields, NULL);

static const struct field intel_rdt_fields[] = {
    FLD("closID", F_STR, struct oci_intel_rdt, clos_id),
    FLD("l3CacheSchema", F_STR, struct oci_intel_rdt, l3_cache_schema),
    FLD("memBwSchema", F_STR, struct oci_intel_rdt, mem_bw_schema),
    FLD("schemata", F_STRV, struct oci_intel_rdt, schemata),
    FLD("enableMonitoring", F_OPT_BOOL, struct oci_intel_rdt,
	enable_monitoring),
};
DESC(intel_rdt_desc, struct oci_intel_rdt, intel_rdt_fields, NULL);

static const struct field mpol_fields[] = {
    FLD("mode", F_STR, struct oci_memory_policy, mode, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_memory_policy, mode_num),
	.names = mpol_modes, .what = "memory policy mode"),
    FLD("nodes", F_STR, struct oci_memory_policy, nodes),
    FLD("flags", F_STRV, struct oci_memory_policy, flags, .names = mpol_flags,
	.what = "memory policy flag"),
};
DESC(mpol_desc, struct oci_memory_policy, mpol_fields, NULL);

/* ---- the linux object ---- */

#define LNX(k, t, m, ...) FLD(k, t, struct oci_linux, m, __VA_ARGS__)
static const struct field linux_fields[] = {
    ARR("namespaces", struct oci_linux, namespaces, ns_desc, .post = ns_post),
    ARR("uidMappings", struct oci_linux, uid_mappings, ocp_idmap_desc,
	.post = ocp_idmaps_post),
    ARR("gidMappings", struct oci_linux, gid_mappings, ocp_idmap_desc,
	.post = ocp_idmaps_post),
    SUBOBJ("timeOffsets", time_offsets_desc),
    ARR("devices", struct oci_linux, devices, device_desc),
    {.key = "netDevices",
     .type = F_MAP,
     .off = offsetof(struct oci_linux, net_devices),
     .n_off = offsetof(struct oci_linux, net_devices_n),
     .desc = &netdev_desc},
    LNX("cgroupsPath", F_STR, cgroups_path),
    LNX("resources", F_OBJP, resources, .desc = &ocp_resources_desc),
    LNX("rootfsPropagation", F_STR, rootfs_propagation, .names = propagations,
	.what = "rootfs propagation"),
    LNX("seccomp", F_OBJP, seccomp, .desc = &seccomp_desc),
    {.key = "sysctl",
     .type = F_KV,
     .off = offsetof(struct oci_linux, sysctl),
     .n_off = offsetof(struct oci_linux, sysctl_n)},
    LNX("maskedPaths", F_STRV, masked_paths, .flags = FL_ABS),
    LNX("readonlyPaths", F_STRV, readonly_paths, .flags = FL_ABS),
    LNX("mountLabel", F_STR, mount_label),
    LNX("personality", F_OBJP, personality, .desc = &personality_desc),
    LNX("intelRdt", F_OBJP, intel_rdt, .desc = &intel_rdt_desc),
    LNX("memoryPolicy", F_OBJP, memory_policy, .desc = &mpol_desc),
};
SHARED_DESC(ocp_linux_desc, struct oci_linux, linux_fields, NULL);
