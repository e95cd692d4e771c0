#pragma once
/*
 * Resource data that cgroup v1 and v2 write in the same shape, written once
 * for both backends: the cpuset lists, and the linux.resources lists that
 * become one file line per entry (hugepageLimits, rdma, devices).  A backend
 * says how it spells the files in a struct cg_list; cg_list_write() walks
 * the entries.  Sits on io.h and convert.h; calls no backend.
 */
#include <stdbool.h>

#include "cgroups/path.h"
#include "oci/config.h"
#include "util/error.h"

/* cpuset lists checked against the host's online CPUs / nodes, written to
 * @cpus_file and @mems_file (v1 and v2 name them alike). */
int cg_cpuset_write(const struct cg_hier *h, const struct oci_resources *res,
		    const char *cpus_file, const char *mems_file,
		    struct berth_error *err);

enum cg_list_kind {
	/* hugepageLimits[]: the limit to hugetlb.<pageSize>.<file>, and to
	 * hugetlb.<pageSize>.<file2> too when the kernel has that file */
	CG_LIST_HUGETLB,
	/* rdma[]: "<device> hca_handle=N hca_object=N" to <file> */
	CG_LIST_RDMA,
	/* devices[]: the v1 rule line ("c 1:3 rwm", deny-all "a") to <file>
	 * for an allow rule, <file2> for a deny rule */
	CG_LIST_DEVICES,
};

struct cg_list {
	enum cg_list_kind kind;
	const char *file;
	const char *file2;
	bool signed_value; /* hugetlb: the limit as int64 (v1: -1 = none) */
};

/* Write @res's entries of the list @l describes, in order.  Errors name
 * the field and the file, or the entry ("linux.resources.devices[2]"). */
int cg_list_write(const struct cg_hier *h, const struct cg_list *l,
		  const struct oci_resources *res, struct berth_error *err);
