/* cg_create() and cg_apply(): the resource table and its routing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/dir.h"
#include "cgroups/manager.h"
#include "util/cleanup.h"
#include "util/util.h"

static bool used_memory(const struct oci_resources *r)
{
	return r->memory.limit.set || r->memory.reservation.set ||
	       r->memory.swap.set || r->memory.swappiness.set ||
	       r->memory.disable_oom_killer.set;
}

static bool used_cpu(const struct oci_resources *r)
{
	return r->cpu.shares.set || r->cpu.quota.set || r->cpu.period.set ||
	       r->cpu.realtime_period.set || r->cpu.realtime_runtime.set ||
	       r->cpu.idle.set || r->cpu.burst.set;
}

static bool used_cpuset(const struct oci_resources *r)
{
	return r->cpu.cpus != NULL || r->cpu.mems != NULL;
}

static bool used_pids(const struct oci_resources *r)
{
	return r->pids.limit.set;
}

static bool used_blkio(const struct oci_resources *r)
{
	return r->block_io.weight.set || r->block_io.leaf_weight.set ||
	       r->block_io.weight_device_n || r->block_io.throttle_read_bps_n ||
	       r->block_io.throttle_write_bps_n ||
	       r->block_io.throttle_read_iops_n ||
	       r->block_io.throttle_write_iops_n;
}

static bool used_hugetlb(const struct oci_resources *r)
{
	return r->hugepage_limits_n > 0;
}

static bool used_rdma(const struct oci_resources *r)
{
	return r->rdma_n > 0;
}

static bool used_net_cls(const struct oci_resources *r)
{
	return r->network.class_id.set;
}

static bool used_net_prio(const struct oci_resources *r)
{
	return r->network.priorities_n > 0;
}

static bool used_devices(const struct oci_resources *r)
{
	return r->devices_n > 0;
}

static bool used_unified(const struct oci_resources *r)
{
	return r->unified_n > 0;
}

struct group {
	const char *field; /* below linux.resources */
	const char *v1, *v2;
	bool (*used)(const struct oci_resources *);
	cg_apply_fn apply_v1, apply_v2;
};

/* In order: cpuset before anything that moves tasks; pids early. */
static const struct group groups[] = {
    {"cpu.cpus/mems", "cpuset", "cpuset", used_cpuset, cg_v1_cpuset,
     cg_v2_cpuset},
    {"memory", "memory", "memory", used_memory, cg_v1_memory, cg_v2_memory},
    {"cpu", "cpu", "cpu", used_cpu, cg_v1_cpu, cg_v2_cpu},
    {"pids", "pids", "pids", used_pids, cg_v1_pids, cg_v2_pids},
    {"blockIO", "blkio", "io", used_blkio, cg_v1_blkio, cg_v2_io},
    {"hugepageLimits", "hugetlb", "hugetlb", used_hugetlb, cg_v1_hugetlb,
     cg_v2_hugetlb},
    {"rdma", "rdma", "rdma", used_rdma, cg_v1_rdma, cg_v2_rdma},
    {"network.classID", "net_cls", NULL, used_net_cls, cg_v1_net_cls, NULL},
    {"network.priorities", "net_prio", NULL, used_net_prio, cg_v1_net_prio,
     NULL},
    /* v2: a BPF device program (cgroups/bpf_devices.h), no controller. */
    {"devices", "devices", "", used_devices, cg_v1_devices, cg_v2_devices},
    {"unified", NULL, "", used_unified, NULL, cg_v2_unified},
};

/* Which hierarchy and writer serve @g: v1 when it has the controller
 * (legacy, hybrid), else cgroup v2 (unified, hybrid). */
static int route(const struct cg_manager *m, const struct group *g,
		 const struct cg_hier **ret_h, cg_apply_fn *ret_fn,
		 struct berth_error *err)
{
	const struct cg_hier *h = NULL;
	if (m->layout != CG_LAYOUT_UNIFIED && g->v1 != NULL &&
	    (h = cg_find_v1(m, g->v1)) != NULL) {
		*ret_h = h;
		*ret_fn = g->apply_v1;
		return 0;
	}
	h = m->layout != CG_LAYOUT_LEGACY ? cg_find_v2(m) : NULL;
	if (h != NULL && g->v2 != NULL &&
	    (*g->v2 == '\0' || cg_v2_has_controller(h, g->v2))) {
		*ret_h = h;
		*ret_fn = g->apply_v2;
		return 0;
	}
	const char *ctl = g->v1 != NULL ? g->v1 : "cgroup v2";
	if (h != NULL && g->v2 != NULL && *g->v2 != '\0')
		ctl = g->v2;
	return berth_err_msg(err, ENODEV,
			     "linux.resources.%s: the %s controller is not "
			     "available on this host (%s cgroup layout)",
			     g->field, ctl, cg_layout_name(m->layout));
}

int cg_apply(struct cg_manager *m, const struct oci_resources *res,
	     struct berth_error *err)
{
	if (res == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
		const struct group *g = &groups[i];
		if (!g->used(res))
			continue;
		const struct cg_hier *h = NULL;
		cg_apply_fn fn = NULL;
		int r = route(m, g, &h, &fn, err);
		if (r < 0)
			return r;
		r = fn(h, res, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The v2 controllers @res needs, space-separated (for subtree_control). */
static char *needed_v2(const struct cg_manager *m,
		       const struct oci_resources *res)
{
	char *out = calloc(1, 256);
	for (size_t i = 0; out != NULL && res != NULL && i < ARRAY_SIZE(groups);
	     i++) {
		const struct group *g = &groups[i];
		if (g->v2 == NULL || *g->v2 == '\0' || !g->used(res))
			continue;
		if (m->layout == CG_LAYOUT_LEGACY ||
		    (m->layout == CG_LAYOUT_HYBRID && cg_find_v1(m, g->v1)))
			continue;
		snprintf(out + strlen(out), 256 - strlen(out), "%s%s",
			 *out ? " " : "", g->v2);
	}
	for (size_t i = 0; out != NULL && res != NULL && i < res->unified_n &&
			   m->layout != CG_LAYOUT_LEGACY;
	     i++) {
		size_t n = strcspn(res->unified[i].key, ".");
		if (n < 32 && strncmp(res->unified[i].key, "cgroup", n) != 0)
			snprintf(out + strlen(out), 256 - strlen(out), "%s%.*s",
				 *out ? " " : "", (int)n, res->unified[i].key);
	}
	return out;
}

/* v2: controllers for the new cgroup, from the parent above the first
 * directory berth created down to the leaf's parent. */
static void enable_v2_chain(const struct cg_hier *h, const char *need,
			    int ncomp)
{
	int first_new = ncomp - (h->created > 0 ? h->created : 1);
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return;
	/* dir truncated to component k: the k-th '/' from the start. */
	for (int k = first_new; k < ncomp; k++) {
		char *cut = dir + strlen(h->mount);
		for (int c = 0; c < k && cut != NULL; c++)
			cut = strchr(cut + 1, '/');
		if (cut == NULL)
			return;
		char saved = *cut;
		*cut = '\0';
		cg_v2_enable(dir, k == first_new ? need : NULL);
		*cut = saved;
	}
}

/* mkdir the cgroup (v2: and enable the controllers on the way), open it. */
static int mkdir_hier(struct cg_hier *h, const char *need,
		      struct berth_error *err)
{
	int ncomp = 0;
	int r = cg_mkdir_hier(h, &ncomp, err);
	if (r < 0)
		return r;
	if (cg_hier_is_v2(h))
		enable_v2_chain(h, need, ncomp);
	return cg_open_hier(h, err);
}

static void remove_created(struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].created > 0)
			cg_rmdir_hier(&m->h[i], NULL);
}

int cg_create(struct cg_manager *m, const struct oci_resources *res,
	      struct berth_error *err)
{
	_cleanup_free_ char *need = needed_v2(m, res);
	if (need == NULL)
		return berth_err(err, ENOMEM, "cgroup");
	int r = 0;
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		r = mkdir_hier(h, need, err);
		if (r == 0)
			r = cg_check_empty(h, err);
		if (r == 0 && cg_hier_has(h, "cpuset"))
			r = cg_v1_cpuset_init(h, err);
	}
	if (r == 0)
		r = cg_apply(m, res, err);
	if (r < 0) {
		remove_created(m);
		return r;
	}
	free(m->saved);
	m->saved = cg_hiers_format(m->h, m->n);
	return m->saved == NULL ? berth_err(err, ENOMEM, "cgroup") : 0;
}
