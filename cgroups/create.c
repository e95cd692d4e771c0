/*
 * cg_create() and cg_apply(), generic: which linux.resources groups a
 * config uses, which hierarchy takes each (through the backends' has()
 * and resource-group tables), and the controllers a new cgroup needs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* What a group is called below linux.resources, and whether @res uses it;
 * how it is written is the backends' (their writers[] rows). */
static const struct {
	const char *field;
	bool (*used)(const struct oci_resources *);
} groups[CG_GROUP_N] = {
    [CG_GROUP_CPUSET] = {"cpu.cpus/mems", used_cpuset},
    [CG_GROUP_MEMORY] = {"memory", used_memory},
    [CG_GROUP_CPU] = {"cpu", used_cpu},
    [CG_GROUP_PIDS] = {"pids", used_pids},
    [CG_GROUP_BLKIO] = {"blockIO", used_blkio},
    [CG_GROUP_HUGETLB] = {"hugepageLimits", used_hugetlb},
    [CG_GROUP_RDMA] = {"rdma", used_rdma},
    [CG_GROUP_NET_CLS] = {"network.classID", used_net_cls},
    [CG_GROUP_NET_PRIO] = {"network.priorities", used_net_prio},
    [CG_GROUP_DEVICES] = {"devices", used_devices},
    [CG_GROUP_UNIFIED] = {"unified", used_unified},
};

/* Whether @h's backend writes group @g and @h has its controller. */
static bool serves_group(const struct cg_hier *h, unsigned g)
{
	const struct cg_writer *w = &h->ops->writers[g];
	return w->apply != NULL && h->ops->has(h, w->ctl);
}

static bool manager_uses(const struct cg_manager *m, const struct cg_backend *b)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].ops == b)
			return true;
	return false;
}

/* No hierarchy takes @g: name the controller it would need (cgroup v2's
 * when this host has cgroup v2 and a name for it, else v1's). */
static int no_controller(const struct cg_manager *m, enum cg_group g,
			 struct berth_error *err)
{
	const char *ctl = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(cg_backends); i++) {
		const struct cg_writer *w = &cg_backends[i]->writers[g];
		if (w->apply != NULL && *w->ctl != '\0' &&
		    (ctl == NULL || manager_uses(m, cg_backends[i])))
			ctl = w->ctl;
	}
	return berth_err_msg(err, ENODEV,
			     "linux.resources.%s: the %s controller is not "
			     "available on this host (%s cgroup layout)",
			     groups[g].field, ctl != NULL ? ctl : "cgroup v2",
			     cg_layout_name(m->layout));
}

int cg_apply(struct cg_manager *m, const struct oci_resources *res,
	     struct berth_error *err)
{
	if (res == NULL)
		return 0;
	for (unsigned g = 0; g < CG_GROUP_N; g++) {
		if (!groups[g].used(res))
			continue;
		const struct cg_hier *h = cg_route(m, serves_group, g);
		if (h == NULL)
			return no_controller(m, g, err);
		int r = h->ops->writers[g].apply(h, res, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Whether a hierarchy of m->ctl_ops takes group @g (hybrid: a v1 one). */
static bool taken_by_ctl_ops(const struct cg_manager *m, unsigned g)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].ops == m->ctl_ops && serves_group(&m->h[i], g))
			return true;
	return false;
}

/* The controllers @res needs from @h, space-separated, in @h's backend's
 * names: its groups that no hierarchy of m->ctl_ops takes before it. */
static char *needed(const struct cg_manager *m, const struct cg_hier *h,
		    const struct oci_resources *res)
{
	char *out = calloc(1, 256);
	for (unsigned g = 0; out != NULL && res != NULL && g < CG_GROUP_N;
	     g++) {
		const struct cg_writer *w = &h->ops->writers[g];
		if (w->apply == NULL || !groups[g].used(res))
			continue;
		if (h->ops != m->ctl_ops && taken_by_ctl_ops(m, g))
			continue;
		if (*w->ctl != '\0')
			snprintf(out + strlen(out), 256 - strlen(out), "%s%s",
				 *out ? " " : "", w->ctl);
		if (w->need != NULL)
			w->need(res, out, 256);
	}
	return out;
}

static void remove_created(struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].created > 0)
			m->h[i].ops->destroy(&m->h[i], NULL);
}

int cg_create(struct cg_manager *m, const struct oci_resources *res,
	      struct berth_error *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		_cleanup_free_ char *need = needed(m, h, res);
		r = need != NULL ? h->ops->create(h, need, err)
				 : berth_err(err, ENOMEM, "cgroup");
	}
	/* Before clone: a process put in a frozen cgroup would never run. */
	if (r == 0)
		r = cg_check_thawed(m, err);
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

int cg_manager_plan(struct cg_manager *m, struct berth_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		int n = cg_missing_components(&m->h[i]);
		if (n < 0)
			return berth_err(err, -n, "cgroup");
		m->h[i].created = n;
	}
	free(m->saved);
	m->saved = cg_hiers_format(m->h, m->n);
	return m->saved == NULL ? berth_err(err, ENOMEM, "cgroup") : 0;
}

/* Open the hierarchies' leaves that exist; *ret_dir: the first one. */
static int open_existing(struct cg_manager *m, char **ret_dir)
{
	*ret_dir = NULL;
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
			return -ENOMEM;
		h->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->fd < 0 && errno != ENOENT)
			return -errno;
		if (h->fd >= 0 && *ret_dir == NULL)
			*ret_dir = TAKE_PTR(dir);
	}
	return 0;
}

int cg_clear_stale(struct cg_manager *m, bool remove, char **ret_dir,
		   struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	int r = open_existing(m, &dir);
	if (r < 0)
		return berth_err(err, r, "cgroup");
	pid_t *pids = NULL;
	size_t n = 0;
	if (dir != NULL && (r = cg_pids(m, &pids, &n, err)) < 0)
		return r;
	free(pids);
	if (n > 0)
		return berth_err_msg(err, EBUSY,
				     "cgroup %s exists and has %zu "
				     "process(es): another container's, or "
				     "one not deleted",
				     dir, n);
	/* The listing asks one hierarchy; a v1 one may differ. */
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].fd >= 0 && (r = cg_check_empty(&m->h[i], err)) < 0)
			return r;
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		h->created = 1; /* the leaf only, never its parents */
		if (h->fd >= 0 && remove && (r = h->ops->destroy(h, err)) < 0)
			return berth_err_ctx(err, "remove the stale cgroup");
		if (h->fd >= 0)
			close(h->fd);
		h->fd = -1;
		h->created = 0;
	}
	*ret_dir = TAKE_PTR(dir);
	return 0;
}
