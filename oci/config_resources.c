/*
 * config.json .linux.resources: the cgroup settings (devices, memory, cpu,
 * pids, blockIO, hugepageLimits, network, rdma, unified).
 */
#include <string.h>

#include "oci/config_internal.h"

/* ---- devices (the device cgroup) ---- */

static const struct name_val devcg_types[] = {
    {"a", 0},
    {"c", 0},
    {"b", 0},
    {NULL, 0},
};

static int access_check(struct pctx *c, const char *s)
{
	if (strspn(s, "rwm") != strlen(s))
		return ocp_perr(c,
				"expected a combination of r, w and m, got "
				"\"%s\"",
				s);
	return 0;
}

static const struct field devcg_fields[] = {
    FLD("allow", F_BOOL, struct oci_device_cgroup, allow, .flags = FL_REQ),
    FLD("type", F_STR, struct oci_device_cgroup, type, .names = devcg_types,
	.what = "device cgroup type"),
    FLD("major", F_OPT_I64, struct oci_device_cgroup, major),
    FLD("minor", F_OPT_I64, struct oci_device_cgroup, minor),
    FLD("access", F_STR, struct oci_device_cgroup, access,
	.each = access_check),
};
DESC(devcg_desc, struct oci_device_cgroup, devcg_fields, NULL);

/* ---- memory, cpu, pids ---- */

/* memory, cpu, pids, blockIO and network are anonymous structs: their
 * tables share the base of struct oci_resources. */
#define RES(k, t, m, ...) FLD(k, t, struct oci_resources, m, __VA_ARGS__)
static const struct field memory_fields[] = {
    RES("limit", F_OPT_I64, memory.limit),
    RES("reservation", F_OPT_I64, memory.reservation),
    RES("swap", F_OPT_I64, memory.swap),
    RES("kernel", F_OPT_I64, memory.kernel),
    RES("kernelTCP", F_OPT_I64, memory.kernel_tcp),
    RES("swappiness", F_OPT_U64, memory.swappiness, RANGE(0, 100)),
    RES("disableOOMKiller", F_OPT_BOOL, memory.disable_oom_killer),
    RES("useHierarchy", F_OPT_BOOL, memory.use_hierarchy),
    RES("checkBeforeUpdate", F_OPT_BOOL, memory.check_before_update),
};
DESC(memory_desc, struct oci_resources, memory_fields, NULL);

/* A cpuset list as the kernel reads it ("0-3,8", "0-7:2"), or "" */
static int cpu_list_check(struct pctx *c, const char *s)
{
	if (strspn(s, "0123456789,-:/") != strlen(s))
		return ocp_perr(c, "expected a list like \"0-3,7\", got \"%s\"",
				s);
	return 0;
}

static const struct field cpu_fields[] = {
    RES("shares", F_OPT_U64, cpu.shares),
    RES("quota", F_OPT_I64, cpu.quota),
    RES("burst", F_OPT_U64, cpu.burst),
    RES("period", F_OPT_U64, cpu.period),
    RES("realtimeRuntime", F_OPT_I64, cpu.realtime_runtime),
    RES("realtimePeriod", F_OPT_U64, cpu.realtime_period),
    RES("cpus", F_STR, cpu.cpus, .each = cpu_list_check),
    RES("mems", F_STR, cpu.mems, .each = cpu_list_check),
    RES("idle", F_OPT_I64, cpu.idle),
};
DESC(cpu_desc, struct oci_resources, cpu_fields, NULL);

static const struct field pids_fields[] = {
    RES("limit", F_OPT_I64, pids.limit),
};
DESC(pids_desc, struct oci_resources, pids_fields, NULL);

/* ---- blockIO ---- */

static int weight_device_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_weight_device *w = out;

	if (!w->weight.set && !w->leaf_weight.set)
		return ocp_perr(c, "expected weight or leafWeight");
	return 0;
}

static const struct field weight_device_fields[] = {
    FLD("major", F_I64, struct oci_weight_device, major, .flags = FL_REQ),
    FLD("minor", F_I64, struct oci_weight_device, minor, .flags = FL_REQ),
    FLD("weight", F_OPT_U16, struct oci_weight_device, weight),
    FLD("leafWeight", F_OPT_U16, struct oci_weight_device, leaf_weight),
};
DESC(weight_device_desc, struct oci_weight_device, weight_device_fields,
     weight_device_check);

static const struct field throttle_fields[] = {
    FLD("major", F_I64, struct oci_throttle_device, major, .flags = FL_REQ),
    FLD("minor", F_I64, struct oci_throttle_device, minor, .flags = FL_REQ),
    FLD("rate", F_U64, struct oci_throttle_device, rate, .flags = FL_REQ),
};
DESC(throttle_desc, struct oci_throttle_device, throttle_fields, NULL);

static const struct field block_io_fields[] = {
    RES("weight", F_OPT_U16, block_io.weight),
    RES("leafWeight", F_OPT_U16, block_io.leaf_weight),
    ARR("weightDevice", struct oci_resources, block_io.weight_device,
	weight_device_desc),
    ARR("throttleReadBpsDevice", struct oci_resources,
	block_io.throttle_read_bps, throttle_desc),
    ARR("throttleWriteBpsDevice", struct oci_resources,
	block_io.throttle_write_bps, throttle_desc),
    ARR("throttleReadIOPSDevice", struct oci_resources,
	block_io.throttle_read_iops, throttle_desc),
    ARR("throttleWriteIOPSDevice", struct oci_resources,
	block_io.throttle_write_iops, throttle_desc),
};
DESC(block_io_desc, struct oci_resources, block_io_fields, NULL);

/* ---- hugepageLimits, network, rdma ---- */

static const struct field hugepage_fields[] = {
    FLD("pageSize", F_STR, struct oci_hugepage_limit, page_size,
	.flags = FL_REQ),
    FLD("limit", F_U64, struct oci_hugepage_limit, limit, .flags = FL_REQ),
};
DESC(hugepage_desc, struct oci_hugepage_limit, hugepage_fields, NULL);

static const struct field net_prio_fields[] = {
    FLD("name", F_STR, struct oci_net_priority, name, .flags = FL_REQ),
    FLD("priority", F_U32, struct oci_net_priority, priority, .flags = FL_REQ),
};
DESC(net_prio_desc, struct oci_net_priority, net_prio_fields, NULL);

static const struct field network_fields[] = {
    RES("classID", F_OPT_U32, network.class_id),
    ARR("priorities", struct oci_resources, network.priorities, net_prio_desc),
};
DESC(network_desc, struct oci_resources, network_fields, NULL);

static int rdma_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_rdma *r = out;

	if (!r->hca_handles.set && !r->hca_objects.set)
		return ocp_perr(c, "expected hcaHandles or hcaObjects");
	return 0;
}

static const struct field rdma_fields[] = {
    FLD(NULL, F_MAPKEY, struct oci_rdma, device),
    FLD("hcaHandles", F_OPT_U32, struct oci_rdma, hca_handles),
    FLD("hcaObjects", F_OPT_U32, struct oci_rdma, hca_objects),
};
DESC(rdma_desc, struct oci_rdma, rdma_fields, rdma_check);

/* ---- the resources object ---- */

static const struct field resources_fields[] = {
    ARR("devices", struct oci_resources, devices, devcg_desc),
    SUBOBJ("memory", memory_desc),
    SUBOBJ("cpu", cpu_desc),
    SUBOBJ("pids", pids_desc),
    SUBOBJ("blockIO", block_io_desc),
    ARR("hugepageLimits", struct oci_resources, hugepage_limits, hugepage_desc),
    SUBOBJ("network", network_desc),
    {.key = "rdma",
     .type = F_MAP,
     .off = offsetof(struct oci_resources, rdma),
     .n_off = offsetof(struct oci_resources, rdma_n),
     .desc = &rdma_desc},
    {.key = "unified",
     .type = F_KV,
     .off = offsetof(struct oci_resources, unified),
     .n_off = offsetof(struct oci_resources, unified_n)},
};
SHARED_DESC(ocp_resources_desc, struct oci_resources, resources_fields, NULL);
