#pragma once
/* Shared by cgroups.c, v1.c and v2.c; not for other modules. */
#include <stdbool.h>
#include <stdint.h>

#include "cgroups/cgroups.h"
#include "cgroups/io.h"
#include "cgroups/path.h"

struct cg_manager {
	enum cg_layout layout;
	struct cg_hier *h;
	size_t n;
	char *saved; /* cg_manager_path(), rebuilt after create */
	char *v2_dir;
};

/* The v1 hierarchy carrying @ctl, or NULL. */
struct cg_hier *cg_find_v1(const struct cg_manager *m, const char *ctl);
/* The cgroup2 hierarchy (pure v2, or hybrid's unified), or NULL. */
struct cg_hier *cg_find_v2(const struct cg_manager *m);

/* One resource group per controller: the v1 and v2 writers.  NULL apply:
 * the group has no such backend (error). */
typedef int (*cg_apply_fn)(const struct cg_hier *h,
			   const struct oci_resources *res,
			   struct berth_error *err);

int cg_v1_memory(const struct cg_hier *h, const struct oci_resources *res,
		 struct berth_error *err);
int cg_v1_cpu(const struct cg_hier *h, const struct oci_resources *res,
	      struct berth_error *err);
int cg_v1_cpuset(const struct cg_hier *h, const struct oci_resources *res,
		 struct berth_error *err);
int cg_v1_pids(const struct cg_hier *h, const struct oci_resources *res,
	       struct berth_error *err);
int cg_v1_blkio(const struct cg_hier *h, const struct oci_resources *res,
		struct berth_error *err);
int cg_v1_hugetlb(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
int cg_v1_rdma(const struct cg_hier *h, const struct oci_resources *res,
	       struct berth_error *err);
int cg_v1_net_cls(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
int cg_v1_net_prio(const struct cg_hier *h, const struct oci_resources *res,
		   struct berth_error *err);
int cg_v1_devices(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
/* A new v1 cpuset cgroup starts with empty cpus/mems: copy the parent's
 * (for @h->path and each created ancestor, top down). */
int cg_v1_cpuset_init(const struct cg_hier *h, struct berth_error *err);
void cg_v1_stats(const struct cg_manager *m, struct cg_stats *st);

int cg_v2_memory(const struct cg_hier *h, const struct oci_resources *res,
		 struct berth_error *err);
int cg_v2_cpu(const struct cg_hier *h, const struct oci_resources *res,
	      struct berth_error *err);
int cg_v2_cpuset(const struct cg_hier *h, const struct oci_resources *res,
		 struct berth_error *err);
int cg_v2_pids(const struct cg_hier *h, const struct oci_resources *res,
	       struct berth_error *err);
int cg_v2_io(const struct cg_hier *h, const struct oci_resources *res,
	     struct berth_error *err);
int cg_v2_hugetlb(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
int cg_v2_rdma(const struct cg_hier *h, const struct oci_resources *res,
	       struct berth_error *err);
int cg_v2_devices(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
int cg_v2_unified(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err);
/* Enable controllers in @dir's cgroup.subtree_control: the space-separated
 * v2 names in @need that @dir has in cgroup.controllers and not yet in
 * subtree_control, or every available one when @need is NULL.  Failures are
 * left for the resource writes to report (a file that is not there). */
void cg_v2_enable(const char *dir, const char *need);
/* Whether the v2 cgroup @h has @ctl in cgroup.controllers. */
bool cg_v2_has_controller(const struct cg_hier *h, const char *ctl);
void cg_v2_stats(const struct cg_hier *h, struct cg_stats *st);
