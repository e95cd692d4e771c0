/*
 * The cgroup v1 backend (cg_backend_v1, v1.h): one hierarchy per
 * controller (or co-mounted ones).  Its resource-group table and writers,
 * the cpuset inheritance a new v1 cgroup needs, the freezer, and the
 * statistics of whichever controllers a hierarchy carries.
 */
#include "cgroups/v1.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/convert.h"
#include "cgroups/dir.h"
#include "cgroups/io.h"
#include "cgroups/writers.h"
#include "util/cleanup.h"
#include "util/util.h"

static int write_i64(const struct cg_hier *h, const char *field,
		     const char *file, int64_t v, struct berth_error *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(h, field, file, buf, err);
}

#define MEMSW  "memory.memsw.limit_in_bytes"
#define MEMLIM "memory.limit_in_bytes"

/* runc's setMemoryAndSwap: the kernel wants limit <= memsw at every step,
 * so the order of the two writes depends on the direction of the change. */
static int v1_limit_and_swap(const struct cg_hier *h,
			     const struct oci_resources *res,
			     struct berth_error *err)
{
	int64_t mem = res->memory.limit.set ? res->memory.limit.v : 0;
	int64_t swap = res->memory.swap.set ? res->memory.swap.v : 0;
	const char *fm = "linux.resources.memory.limit";
	const char *fs = "linux.resources.memory.swap";
	if (mem == -1 && swap == 0)
		swap = -1;
	if (swap == -1 && !cg_has_file(h, MEMSW))
		swap = 0; /* no swap accounting: nothing to lift */
	if (mem != 0 && swap != 0) {
		uint64_t cur = 0;
		(void)cg_read_u64(h, MEMLIM, &cur);
		bool swap_first = swap == -1 || cur < (uint64_t)swap;
		int r = swap_first ? write_i64(h, fs, MEMSW, swap, err)
				   : write_i64(h, fm, MEMLIM, mem, err);
		if (r < 0)
			return r;
		return swap_first ? write_i64(h, fm, MEMLIM, mem, err)
				  : write_i64(h, fs, MEMSW, swap, err);
	}
	if (mem != 0) {
		int r = write_i64(h, fm, MEMLIM, mem, err);
		if (r < 0)
			return r;
	}
	return swap != 0 ? write_i64(h, fs, MEMSW, swap, err) : 0;
}

static int v1_memory(const struct cg_hier *h, const struct oci_resources *res,
		     struct berth_error *err)
{
	int r = v1_limit_and_swap(h, res, err);
	if (r == 0 && res->memory.reservation.set &&
	    res->memory.reservation.v != 0)
		r = write_i64(h, "linux.resources.memory.reservation",
			      "memory.soft_limit_in_bytes",
			      res->memory.reservation.v, err);
	if (r == 0 && res->memory.swappiness.set) {
		if (res->memory.swappiness.v > 100)
			return berth_err_msg(err, EINVAL,
					     "linux.resources.memory.swappiness"
					     ": %" PRIu64 " is above 100",
					     res->memory.swappiness.v);
		r = write_i64(h, "linux.resources.memory.swappiness",
			      "memory.swappiness",
			      (int64_t)res->memory.swappiness.v, err);
	}
	if (r == 0 && res->memory.disable_oom_killer.set &&
	    res->memory.disable_oom_killer.v)
		r = cg_write(h, "linux.resources.memory.disableOOMKiller",
			     "memory.oom_control", "1", err);
	return r;
}

static int v1_cfs(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err)
{
	const char *fq = "linux.resources.cpu.quota";
	const char *fp = "linux.resources.cpu.period";
	if (res->cpu.period.set && res->cpu.period.v != 0) {
		int r = write_i64(h, fp, "cpu.cfs_period_us",
				  (int64_t)res->cpu.period.v, err);
		/* A shorter period can break quota <= parent's: quota first. */
		if (r == -EINVAL && res->cpu.quota.set) {
			r = write_i64(h, fq, "cpu.cfs_quota_us",
				      res->cpu.quota.v, err);
			if (r == 0)
				r = write_i64(h, fp, "cpu.cfs_period_us",
					      (int64_t)res->cpu.period.v, err);
		}
		if (r < 0)
			return r;
	}
	if (res->cpu.quota.set && res->cpu.quota.v != 0)
		return write_i64(h, fq, "cpu.cfs_quota_us",
				 res->cpu.quota.v < 0 ? -1 : res->cpu.quota.v,
				 err);
	return 0;
}

static int v1_cpu(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err)
{
	int r = 0;
	if (res->cpu.shares.set && res->cpu.shares.v != 0)
		r = write_i64(h, "linux.resources.cpu.shares", "cpu.shares",
			      (int64_t)res->cpu.shares.v, err);
	if (r == 0)
		r = v1_cfs(h, res, err);
	if (r == 0 && res->cpu.burst.set)
		r = write_i64(h, "linux.resources.cpu.burst",
			      "cpu.cfs_burst_us", (int64_t)res->cpu.burst.v,
			      err);
	if (r == 0 && res->cpu.realtime_period.set &&
	    res->cpu.realtime_period.v != 0)
		r = write_i64(h, "linux.resources.cpu.realtimePeriod",
			      "cpu.rt_period_us",
			      (int64_t)res->cpu.realtime_period.v, err);
	if (r == 0 && res->cpu.realtime_runtime.set &&
	    res->cpu.realtime_runtime.v != 0)
		r = write_i64(h, "linux.resources.cpu.realtimeRuntime",
			      "cpu.rt_runtime_us", res->cpu.realtime_runtime.v,
			      err);
	if (r == 0 && res->cpu.idle.set)
		r = write_i64(h, "linux.resources.cpu.idle", "cpu.idle",
			      res->cpu.idle.v, err);
	return r;
}

static int v1_cpuset(const struct cg_hier *h, const struct oci_resources *res,
		     struct berth_error *err)
{
	return cg_cpuset_write(h, res, "cpuset.cpus", "cpuset.mems", err);
}

/* Copy cpuset.cpus/mems from @parent_fd into @fd where empty. */
static int cpuset_copy(int parent_fd, int fd, const char *dir,
		       struct berth_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *mine = NULL, *theirs = NULL;
		int r = read_file_at(fd, files[i], &mine, NULL);
		if (r < 0)
			return berth_err(err, r, "read %s in %s", files[i],
					 dir);
		if (mine[strspn(mine, " \n")] != '\0')
			continue;
		r = read_file_at(parent_fd, files[i], &theirs, NULL);
		if (r == 0)
			r = write_str_at(fd, files[i], theirs);
		if (r < 0)
			return berth_err(err, r,
					 "copy %s from the parent of %s",
					 files[i], dir);
	}
	return 0;
}

/* @mount plus the first @k components of @path, malloc'd. */
static char *path_prefix(const char *mount, const char *path, int k)
{
	const char *end = path;
	for (int c = 0; c < k && end != NULL; c++)
		end = strchr(end + 1, '/');
	size_t len = end != NULL ? (size_t)(end - path) : strlen(path);
	char *out = NULL;
	if (asprintf(&out, "%s%.*s", mount, (int)len, path) < 0)
		return NULL;
	return out;
}

/* A new v1 cpuset cgroup starts with empty cpus/mems: copy the parent's
 * (for @h->path and each created ancestor, top down). */
static int v1_cpuset_init(const struct cg_hier *h, struct berth_error *err)
{
	int ncomp = 0;
	for (const char *p = h->path; *p != '\0'; p++)
		ncomp += *p == '/';
	/* Fill the dirs berth made (or the leaf), top down. */
	for (int k = ncomp - (h->created > 0 ? h->created : 1); k < ncomp;
	     k++) {
		_cleanup_free_ char *parent = path_prefix(h->mount, h->path, k);
		_cleanup_free_ char *dir =
		    path_prefix(h->mount, h->path, k + 1);
		if (parent == NULL || dir == NULL)
			return berth_err(err, ENOMEM, "cpuset");
		_cleanup_close_ int pfd =
		    open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			return berth_err(err, errno, "open %s", parent);
		_cleanup_close_ int fd =
		    open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return berth_err(err, errno, "open %s", dir);
		int r = cpuset_copy(pfd, fd, dir, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_pids(const struct cg_hier *h, const struct oci_resources *res,
		   struct berth_error *err)
{
	char buf[32];
	int64_t v = res->pids.limit.v;
	return cg_write(h, "linux.resources.pids.limit", "pids.max",
			cg_num_or_max(v <= 0 ? -1 : v, buf, sizeof(buf)), err);
}

static int v1_throttle(const struct cg_hier *h, const char *field,
		       const char *file, const struct oci_throttle_device *d,
		       size_t n, struct berth_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64,
			 d[i].major, d[i].minor, d[i].rate);
		int r = cg_write(h, field, file, buf, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v1_blkio_weight(const struct cg_hier *h,
			   const struct oci_resources *res,
			   struct berth_error *err)
{
	/* CFQ's blkio.weight is gone from current kernels; BFQ's is there
	 * when BFQ is the scheduler of some disk. */
	bool cfq = cg_has_file(h, "blkio.weight");
	const char *file = cfq || !cg_has_file(h, "blkio.bfq.weight")
			       ? "blkio.weight"
			       : "blkio.bfq.weight";
	int r = 0;
	if (res->block_io.weight.set && res->block_io.weight.v != 0)
		r = write_i64(h, "linux.resources.blockIO.weight", file,
			      (int64_t)res->block_io.weight.v, err);
	if (r == 0 && res->block_io.leaf_weight.set &&
	    res->block_io.leaf_weight.v != 0)
		r = write_i64(h, "linux.resources.blockIO.leafWeight",
			      "blkio.leaf_weight",
			      (int64_t)res->block_io.leaf_weight.v, err);
	for (size_t i = 0; r == 0 && i < res->block_io.weight_device_n; i++) {
		const struct oci_weight_device *d =
		    &res->block_io.weight_device[i];
		char buf[96];
		if (!d->weight.set)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64,
			 d->major, d->minor, d->weight.v);
		r = cg_write(h, "linux.resources.blockIO.weightDevice",
			     cfq ? "blkio.weight_device" : file, buf, err);
	}
	return r;
}

static int v1_blkio(const struct cg_hier *h, const struct oci_resources *res,
		    struct berth_error *err)
{
	const char *f = "linux.resources.blockIO";
	int r = v1_blkio_weight(h, res, err);
	if (r == 0)
		r = v1_throttle(h, f, "blkio.throttle.read_bps_device",
				res->block_io.throttle_read_bps,
				res->block_io.throttle_read_bps_n, err);
	if (r == 0)
		r = v1_throttle(h, f, "blkio.throttle.write_bps_device",
				res->block_io.throttle_write_bps,
				res->block_io.throttle_write_bps_n, err);
	if (r == 0)
		r = v1_throttle(h, f, "blkio.throttle.read_iops_device",
				res->block_io.throttle_read_iops,
				res->block_io.throttle_read_iops_n, err);
	if (r == 0)
		r = v1_throttle(h, f, "blkio.throttle.write_iops_device",
				res->block_io.throttle_write_iops,
				res->block_io.throttle_write_iops_n, err);
	return r;
}

static const struct cg_list v1_hugetlb_list = {CG_LIST_HUGETLB,
					       "limit_in_bytes", NULL, true};

static int v1_hugetlb(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	return cg_list_write(h, &v1_hugetlb_list, res, err);
}

static const struct cg_list v1_rdma_list = {CG_LIST_RDMA, "rdma.max", NULL,
					    false};

static int v1_rdma(const struct cg_hier *h, const struct oci_resources *res,
		   struct berth_error *err)
{
	return cg_list_write(h, &v1_rdma_list, res, err);
}

static int v1_net_cls(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	return write_i64(h, "linux.resources.network.classID",
			 "net_cls.classid", (int64_t)res->network.class_id.v,
			 err);
}

static int v1_net_prio(const struct cg_hier *h, const struct oci_resources *res,
		       struct berth_error *err)
{
	for (size_t i = 0; i < res->network.priorities_n; i++) {
		char buf[128];
		snprintf(buf, sizeof(buf), "%s %" PRIu32,
			 res->network.priorities[i].name,
			 res->network.priorities[i].priority);
		int r = cg_write(h, "linux.resources.network.priorities",
				 "net_prio.ifpriomap", buf, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct cg_list v1_devices_list = {CG_LIST_DEVICES, "devices.allow",
					       "devices.deny", false};

static int v1_devices(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	return cg_list_write(h, &v1_devices_list, res, err);
}

static void v1_mem_entry(const struct cg_hier *h, const char *prefix,
			 struct cg_stats_mem_entry *e)
{
	char f[64];
	snprintf(f, sizeof(f), "%s.usage_in_bytes", prefix);
	(void)cg_read_u64(h, f, &e->usage);
	snprintf(f, sizeof(f), "%s.max_usage_in_bytes", prefix);
	(void)cg_read_u64(h, f, &e->max_usage);
	snprintf(f, sizeof(f), "%s.limit_in_bytes", prefix);
	(void)cg_read_u64(h, f, &e->limit);
	snprintf(f, sizeof(f), "%s.failcnt", prefix);
	(void)cg_read_u64(h, f, &e->failcnt);
}

static void v1_stats_cpu(const struct cg_hier *h, struct cg_stats *st)
{
	if (cg_hier_has(h, "cpuacct")) {
		(void)cg_read_u64(h, "cpuacct.usage", &st->cpu.total);
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t v;
		if (hz > 0 && cg_read_key(h, "cpuacct.stat", "user", &v) == 0)
			st->cpu.user = v * (1000000000ULL / (uint64_t)hz);
		if (hz > 0 && cg_read_key(h, "cpuacct.stat", "system", &v) == 0)
			st->cpu.kernel = v * (1000000000ULL / (uint64_t)hz);
	}
	if (cg_hier_has(h, "cpu")) {
		(void)cg_read_key(h, "cpu.stat", "nr_periods",
				  &st->cpu.periods);
		(void)cg_read_key(h, "cpu.stat", "nr_throttled",
				  &st->cpu.throttled_periods);
		(void)cg_read_key(h, "cpu.stat", "throttled_time",
				  &st->cpu.throttled_time);
	}
}

static void v1_stats_hugetlb(const struct cg_hier *h, struct cg_stats *st)
{
	char sizes[CG_STATS_HUGETLB_MAX][16];
	size_t n = cg_hugepage_sizes(sizes, CG_STATS_HUGETLB_MAX);
	for (size_t i = 0; i < n; i++) {
		typeof(st->hugetlb[0]) *e = &st->hugetlb[st->hugetlb_n];
		struct cg_stats_mem_entry me = {0};
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "hugetlb.%s", sizes[i]);
		v1_mem_entry(h, prefix, &me);
		snprintf(e->page_size, sizeof(e->page_size), "%s", sizes[i]);
		e->usage = me.usage;
		e->max = me.max_usage;
		e->failcnt = me.failcnt;
		st->hugetlb_n++;
	}
}

/* What the controllers of @h report; the manager asks every v1 hierarchy. */
static int v1_stats(const struct cg_hier *h, struct cg_stats *st,
		    struct berth_error *err)
{
	(void)err;
	v1_stats_cpu(h, st);
	if (cg_hier_has(h, "memory")) {
		v1_mem_entry(h, "memory", &st->memory.usage);
		v1_mem_entry(h, "memory.memsw", &st->memory.swap);
		v1_mem_entry(h, "memory.kmem", &st->memory.kernel);
		(void)cg_read_key(h, "memory.stat", "total_cache",
				  &st->memory.cache);
		(void)cg_read_key(h, "memory.oom_control", "oom_kill",
				  &st->memory.oom_kill);
		st->memory.oom_events = st->memory.oom_kill;
	}
	if (cg_hier_has(h, "pids")) {
		uint64_t v;
		(void)cg_read_u64(h, "pids.current", &st->pids.current);
		if (cg_read_u64(h, "pids.max", &v) == 0)
			st->pids.limit = v == UINT64_MAX ? 0 : v;
		st->pids.peak_known =
		    cg_read_u64(h, "pids.peak", &st->pids.peak) == 0;
		(void)cg_read_key(h, "pids.events", "max",
				  &st->pids.max_events);
	}
	if (cg_hier_has(h, "hugetlb"))
		v1_stats_hugetlb(h, st);
	return 0;
}

static bool v1_freeze_done(const struct cg_hier *h, bool frozen)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(h, "freezer.state", &s) < 0)
		return false;
	return strncmp(s, frozen ? "FROZEN" : "THAWED", 6) == 0;
}

/* freezer.state; a freeze that does not complete is undone. */
static int v1_freeze(const struct cg_hier *h, bool frozen,
		     struct berth_error *err)
{
	int r = cg_write_until(h, "freezer.state", frozen ? "FROZEN" : "THAWED",
			       v1_freeze_done, frozen, err);
	if (r == -ETIMEDOUT && frozen)
		(void)write_str_at(h->fd, "freezer.state", "THAWED");
	return r;
}

static int v1_is_frozen(const struct cg_hier *h, bool *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(h, "freezer.state", &s);
	if (r < 0)
		return r;
	*ret = strncmp(s, "FROZEN", 6) == 0;
	return 0;
}

/* freezer.state shows the parents' freezing too (FREEZING or FROZEN);
 * freezer.self_freezing says which cgroup asked. */
static int v1_frozen_by(const struct cg_hier *h, char **ret_by)
{
	*ret_by = NULL;
	_cleanup_free_ char *s = NULL;
	int r = cg_read(h, "freezer.state", &s);
	if (r < 0 || strncmp(s, "THAWED", 6) == 0)
		return r;
	r = cg_find_up(h, "freezer.self_freezing", "1", ret_by);
	if (r == 0 && *ret_by == NULL &&
	    asprintf(ret_by, "%s%s", h->mount, h->path) < 0)
		r = -ENOMEM;
	return r;
}

static bool v1_has(const struct cg_hier *h, const char *ctl)
{
	return *ctl == '\0' || cg_hier_has(h, ctl);
}

/* A v1 hierarchy comes with its controllers: @need is not needed. */
static int v1_create(struct cg_hier *h, const char *need,
		     struct berth_error *err)
{
	(void)need;
	int ncomp = 0;
	int r = cg_mkdir_hier(h, &ncomp, err);
	if (r == 0)
		r = cg_open_hier(h, err);
	if (r == 0)
		r = cg_check_empty(h, err);
	if (r == 0 && cg_hier_has(h, "cpuset"))
		r = v1_cpuset_init(h, err);
	return r;
}

static const struct cg_writer v1_writers[CG_GROUP_N] = {
    [CG_GROUP_CPUSET] = {"cpuset", v1_cpuset, NULL},
    [CG_GROUP_MEMORY] = {"memory", v1_memory, NULL},
    [CG_GROUP_CPU] = {"cpu", v1_cpu, NULL},
    [CG_GROUP_PIDS] = {"pids", v1_pids, NULL},
    [CG_GROUP_BLKIO] = {"blkio", v1_blkio, NULL},
    [CG_GROUP_HUGETLB] = {"hugetlb", v1_hugetlb, NULL},
    [CG_GROUP_RDMA] = {"rdma", v1_rdma, NULL},
    [CG_GROUP_NET_CLS] = {"net_cls", v1_net_cls, NULL},
    [CG_GROUP_NET_PRIO] = {"net_prio", v1_net_prio, NULL},
    [CG_GROUP_DEVICES] = {"devices", v1_devices, NULL},
    [CG_GROUP_UNIFIED] = {NULL, NULL, NULL}, /* cgroup v2 only */
};

const struct cg_backend cg_backend_v1 = {
    .name = "cgroup v1",
    .writers = v1_writers,
    .has = v1_has,
    .freezer = "freezer",
    .create = v1_create,
    .enter = cg_write_procs,
    .self_file = "tasks",
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .frozen_by = v1_frozen_by,
    .kill = NULL, /* no cgroup.kill in v1 */
    .stats = v1_stats,
    .destroy = cg_rmdir_hier,
};
