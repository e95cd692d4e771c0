/* cg_create(), cg_apply() and the directory removal they share. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* mkdir mount + path one component at a time, counting what it made. */
static int mkdir_hier(struct cg_hier *h, const char *need,
		      struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	int ncomp = 0;
	h->created = 0;
	for (char *p = dir + strlen(h->mount) + 1; p != NULL;) {
		char *slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		ncomp++;
		if (mkdir(dir, 0755) == 0)
			h->created++;
		else if (errno != EEXIST)
			return berth_err(err, errno, "mkdir %s", dir);
		else if (h->created > 0) /* made above, now there: a race */
			h->created = 0;
		if (slash != NULL)
			*slash = '/';
		p = slash != NULL ? slash + 1 : NULL;
	}
	if (cg_hier_is_v2(h))
		enable_v2_chain(h, need, ncomp);
	h->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->fd < 0)
		return berth_err(err, errno, "open %s", dir);
	return 0;
}

/* An existing cgroup that already has processes is not the container's. */
static int check_empty(const struct cg_hier *h, struct berth_error *err)
{
	_cleanup_free_ char *procs = NULL;
	if (h->created > 0 || cg_read(h, "cgroup.procs", &procs) < 0)
		return 0;
	if (*procs != '\0')
		return berth_err_msg(err, EBUSY,
				     "cgroup %s%s exists and has processes",
				     h->mount, h->path);
	return 0;
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
			r = check_empty(h, err);
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

/* rmdir every sub-cgroup below @name (depth first), then @name itself.
 * 0 when it is gone (or was never there), else -errno. */
static int rmdir_subtree(int parent_fd, const char *name, int depth)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (struct dirent *e; depth < 64 && (e = readdir(d)) != NULL;)
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			rmdir_subtree(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	/* Right after the last task exits the kernel may still say EBUSY. */
	for (int i = 0;; i++) {
		if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == 200)
			return -errno;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}

int cg_rmdir_hier(struct cg_hier *h, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	_cleanup_close_ int parent =
	    open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (parent < 0)
		return errno == ENOENT ? 0
				       : berth_err(err, errno, "open %s", dir);
	int r = rmdir_subtree(parent, slash + 1, 0);
	if (r < 0)
		return berth_err(err, r, "rmdir %s", dir);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	for (int i = 1; i < h->created; i++) {
		slash = strrchr(dir, '/');
		if (slash == NULL || slash <= dir + strlen(h->mount))
			break;
		*slash = '\0';
		if (rmdir(dir) < 0)
			break; /* not empty: another container's, keep it */
	}
	return 0;
}
