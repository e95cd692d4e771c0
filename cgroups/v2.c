/*
 * The cgroup v2 backend (cg_backend_v2, v2.h;
 * Documentation/admin-guide/cgroup-v2.rst): its resource-group table and
 * writers, enabling controllers down to a new cgroup, cgroup.freeze,
 * cgroup.kill and the statistics.
 */
#include "cgroups/v2.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/bpf_devices.h"
#include "cgroups/convert.h"
#include "cgroups/dir.h"
#include "cgroups/io.h"
#include "cgroups/writers.h"
#include "util/cleanup.h"
#include "util/util.h"

/* Whether the space-separated @list has the word @w. */
static bool words_have(const char *list, const char *w, size_t wl)
{
	for (const char *p = list; p != NULL && *p != '\0';) {
		p += strspn(p, " \n");
		size_t n = strcspn(p, " \n");
		if (n == wl && strncmp(p, w, wl) == 0)
			return true;
		p += n;
	}
	return false;
}

/* Whether @h has @ctl in cgroup.controllers ("": always). */
static bool v2_has(const struct cg_hier *h, const char *ctl)
{
	if (*ctl == '\0')
		return true;
	_cleanup_free_ char *avail = NULL;
	if (cg_read(h, "cgroup.controllers", &avail) < 0)
		return false;
	return words_have(avail, ctl, strlen(ctl));
}

/* Enable controllers in @dir's cgroup.subtree_control: the space-separated
 * v2 names in @need that @dir has in cgroup.controllers and not yet in
 * subtree_control, or every available one when @need is NULL.  Failures are
 * left for the resource writes to report (a file that is not there). */
static void v2_enable(const char *dir, const char *need)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *avail = NULL, *on = NULL;
	if (fd < 0 ||
	    read_file_at(fd, "cgroup.controllers", &avail, NULL) < 0 ||
	    read_file_at(fd, "cgroup.subtree_control", &on, NULL) < 0)
		return;
	const char *list = need != NULL ? need : avail;
	for (const char *p = list; *p != '\0';) {
		p += strspn(p, " \n");
		size_t n = strcspn(p, " \n");
		if (n > 0 && n < 32 && words_have(avail, p, n) &&
		    !words_have(on, p, n)) {
			char buf[40];
			snprintf(buf, sizeof(buf), "+%.*s", (int)n, p);
			/* One at a time: one refused controller (EBUSY with
			 * processes in a non-root cgroup) spoils no other. */
			(void)write_str_at(fd, "cgroup.subtree_control", buf);
		}
		p += n;
	}
}

static int write_num_or_max(const struct cg_hier *h, const char *field,
			    const char *file, int64_t v,
			    struct berth_error *err)
{
	char buf[32];
	return cg_write(h, field, file, cg_num_or_max(v, buf, sizeof(buf)),
			err);
}

/* runc's order: swap first (it may be refused when swap is off: then only
 * "max" and "0" are silently ignored), then max, then low. */
static int v2_memory(const struct cg_hier *h, const struct oci_resources *res,
		     struct berth_error *err)
{
	int64_t swap;
	bool swap_set;
	int r = cg_swap_to_v2(res, &swap, &swap_set, err);
	if (r < 0)
		return r;
	if (swap_set && (swap > 0 || cg_has_file(h, "memory.swap.max"))) {
		r = write_num_or_max(h, "linux.resources.memory.swap",
				     "memory.swap.max", swap, err);
		if (r < 0)
			return r;
	}
	if (res->memory.limit.set && res->memory.limit.v != 0) {
		r = write_num_or_max(h, "linux.resources.memory.limit",
				     "memory.max", res->memory.limit.v, err);
		if (r < 0)
			return r;
	}
	if (res->memory.reservation.set && res->memory.reservation.v != 0) {
		r = write_num_or_max(h, "linux.resources.memory.reservation",
				     "memory.low", res->memory.reservation.v,
				     err);
		if (r < 0)
			return r;
	}
	if (res->memory.disable_oom_killer.set &&
	    res->memory.disable_oom_killer.v)
		return berth_err_msg(err, EOPNOTSUPP,
				     "linux.resources.memory.disableOOMKiller: "
				     "cgroup v2 has no way to disable the OOM "
				     "killer");
	return 0;
}

static int v2_cpu_max(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	if (!res->cpu.quota.set && !res->cpu.period.set)
		return 0;
	char buf[64];
	cg_cpu_max(res->cpu.quota.v, res->cpu.quota.set,
		   res->cpu.period.set ? res->cpu.period.v : 0, buf,
		   sizeof(buf));
	return cg_write(h, "linux.resources.cpu.quota", "cpu.max", buf, err);
}

static int v2_cpu(const struct cg_hier *h, const struct oci_resources *res,
		  struct berth_error *err)
{
	char buf[32];
	int r = 0;
	if (res->cpu.realtime_runtime.set || res->cpu.realtime_period.set)
		return berth_err_msg(err, EOPNOTSUPP,
				     "linux.resources.cpu.realtimeRuntime: "
				     "real-time groups are cgroup v1 only");
	if (res->cpu.idle.set) {
		snprintf(buf, sizeof(buf), "%" PRId64, res->cpu.idle.v);
		r = cg_write(h, "linux.resources.cpu.idle", "cpu.idle", buf,
			     err);
	}
	if (r == 0 && res->cpu.shares.set && res->cpu.shares.v != 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64,
			 cg_shares_to_weight(res->cpu.shares.v));
		r = cg_write(h, "linux.resources.cpu.shares", "cpu.weight", buf,
			     err);
	}
	if (r == 0 && res->cpu.burst.set) {
		/* burst <= quota: written before and after cpu.max, so
		 * lowering and raising both work (runc does the same). */
		snprintf(buf, sizeof(buf), "%" PRIu64, res->cpu.burst.v);
		(void)write_str_at(h->fd, "cpu.max.burst", buf);
	}
	if (r == 0)
		r = v2_cpu_max(h, res, err);
	if (r == 0 && res->cpu.burst.set)
		r = cg_write(h, "linux.resources.cpu.burst", "cpu.max.burst",
			     buf, err);
	return r;
}

static int v2_cpuset(const struct cg_hier *h, const struct oci_resources *res,
		     struct berth_error *err)
{
	return cg_cpuset_write(h, res, "cpuset.cpus", "cpuset.mems", err);
}

static int v2_pids(const struct cg_hier *h, const struct oci_resources *res,
		   struct berth_error *err)
{
	int64_t v = res->pids.limit.v;
	return write_num_or_max(h, "linux.resources.pids.limit", "pids.max",
				v <= 0 ? -1 : v, err);
}

static int v2_io_weight(const struct cg_hier *h,
			const struct oci_resources *res,
			struct berth_error *err)
{
	bool bfq = cg_has_file(h, "io.bfq.weight");
	const char *file = bfq ? "io.bfq.weight" : "io.weight";
	char buf[64];
	if (res->block_io.weight.set && res->block_io.weight.v != 0) {
		uint64_t w = res->block_io.weight.v;
		snprintf(buf, sizeof(buf), "%" PRIu64,
			 bfq ? w : cg_blkio_to_io_weight(w));
		int r = cg_write(h, "linux.resources.blockIO.weight", file, buf,
				 err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < res->block_io.weight_device_n; i++) {
		const struct oci_weight_device *d =
		    &res->block_io.weight_device[i];
		if (!d->weight.set)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64,
			 d->major, d->minor,
			 bfq ? d->weight.v
			     : cg_blkio_to_io_weight(d->weight.v));
		int r = cg_write(h, "linux.resources.blockIO.weightDevice",
				 file, buf, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int v2_io(const struct cg_hier *h, const struct oci_resources *res,
		 struct berth_error *err)
{
	int r = v2_io_weight(h, res, err);
	if (r < 0)
		return r;
	_cleanup_strv_ char **lines = cg_io_max_lines(res);
	if (lines == NULL)
		return berth_err(err, ENOMEM, "io.max");
	for (size_t i = 0; lines[i] != NULL; i++) {
		r = cg_write(h, "linux.resources.blockIO.throttle", "io.max",
			     lines[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static const struct cg_list v2_hugetlb_list = {CG_LIST_HUGETLB, "max",
					       "rsvd.max", false};

static int v2_hugetlb(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	return cg_list_write(h, &v2_hugetlb_list, res, err);
}

static const struct cg_list v2_rdma_list = {CG_LIST_RDMA, "rdma.max", NULL,
					    false};

static int v2_rdma(const struct cg_hier *h, const struct oci_resources *res,
		   struct berth_error *err)
{
	return cg_list_write(h, &v2_rdma_list, res, err);
}

static int v2_unified(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	for (size_t i = 0; i < res->unified_n; i++) {
		const char *key = res->unified[i].key;
		if (strchr(key, '/') != NULL || key[0] == '.' ||
		    strchr(key, '.') == NULL)
			return berth_err_msg(err, EINVAL,
					     "linux.resources.unified: \"%s\" "
					     "is not a cgroup file name",
					     key);
		int r = write_str_at(h->fd, key, res->unified[i].value);
		if (r == -ENOENT)
			return berth_err_msg(err, ENOENT,
					     "linux.resources.unified: \"%s\": "
					     "no such file in %s%s (unknown "
					     "key, or its controller is not "
					     "enabled)",
					     key, h->mount, h->path);
		if (r < 0)
			return berth_err(err, r,
					 "linux.resources.unified.%s: write %s "
					 "in %s%s",
					 key, key, h->mount, h->path);
	}
	return 0;
}

static void v2_stats_memory(const struct cg_hier *h, struct cg_stats *st)
{
	(void)cg_read_u64(h, "memory.current", &st->memory.usage.usage);
	(void)cg_read_u64(h, "memory.max", &st->memory.usage.limit);
	(void)cg_read_u64(h, "memory.peak", &st->memory.usage.max_usage);
	(void)cg_read_key(h, "memory.stat", "file", &st->memory.cache);
	(void)cg_read_key(h, "memory.events", "max", &st->memory.usage.failcnt);
	(void)cg_read_key(h, "memory.events", "oom", &st->memory.oom_events);
	(void)cg_read_key(h, "memory.events", "oom_kill", &st->memory.oom_kill);
	/* runc reports swap as memory + swap, like v1's memsw. */
	uint64_t swap = 0, swap_max = UINT64_MAX;
	if (cg_read_u64(h, "memory.swap.current", &swap) == 0) {
		(void)cg_read_u64(h, "memory.swap.max", &swap_max);
		st->memory.swap.usage = swap + st->memory.usage.usage;
		st->memory.swap.limit = swap_max;
		if (swap_max != UINT64_MAX &&
		    st->memory.usage.limit != UINT64_MAX)
			st->memory.swap.limit += st->memory.usage.limit;
	}
}

static void v2_stats_io(const struct cg_hier *h, struct cg_stats *st)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(h, "io.stat", &s) < 0)
		return;
	for (char *save = NULL, *l = strtok_r(s, "\n", &save);
	     l != NULL && st->blkio_n < CG_STATS_BLKIO_MAX;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned ma, mi;
		int off = 0;
		if (sscanf(l, "%u:%u%n", &ma, &mi, &off) != 2)
			continue;
		typeof(st->blkio[0]) *b = &st->blkio[st->blkio_n++];
		b->major = ma;
		b->minor = mi;
		for (char *p = l + off; p != NULL && *p != '\0';) {
			p += strspn(p, " ");
			unsigned long long v;
			char key[16];
			if (sscanf(p, "%15[a-z]=%llu", key, &v) == 2) {
				if (strcmp(key, "rbytes") == 0)
					b->read_bytes = v;
				else if (strcmp(key, "wbytes") == 0)
					b->write_bytes = v;
				else if (strcmp(key, "rios") == 0)
					b->read_ios = v;
				else if (strcmp(key, "wios") == 0)
					b->write_ios = v;
			}
			p = strchr(p, ' ');
		}
	}
}

static void v2_stats_hugetlb(const struct cg_hier *h, struct cg_stats *st)
{
	char sizes[CG_STATS_HUGETLB_MAX][16];
	size_t n = cg_hugepage_sizes(sizes, CG_STATS_HUGETLB_MAX);
	for (size_t i = 0; i < n; i++) {
		char f[64];
		typeof(st->hugetlb[0]) *e = &st->hugetlb[st->hugetlb_n];
		snprintf(f, sizeof(f), "hugetlb.%s.current", sizes[i]);
		if (cg_read_u64(h, f, &e->usage) < 0)
			continue;
		snprintf(e->page_size, sizeof(e->page_size), "%s", sizes[i]);
		snprintf(f, sizeof(f), "hugetlb.%s.max", sizes[i]);
		(void)cg_read_u64(h, f, &e->max);
		snprintf(f, sizeof(f), "hugetlb.%s.events", sizes[i]);
		(void)cg_read_key(h, f, "max", &e->failcnt);
		st->hugetlb_n++;
	}
}

static int v2_stats(const struct cg_hier *h, struct cg_stats *st,
		    struct berth_error *err)
{
	if (h->fd < 0)
		return berth_err_msg(err, ENOENT, "the cgroup is gone");
	uint64_t v;
	if (cg_read_key(h, "cpu.stat", "usage_usec", &v) == 0)
		st->cpu.total = v * 1000;
	if (cg_read_key(h, "cpu.stat", "user_usec", &v) == 0)
		st->cpu.user = v * 1000;
	if (cg_read_key(h, "cpu.stat", "system_usec", &v) == 0)
		st->cpu.kernel = v * 1000;
	(void)cg_read_key(h, "cpu.stat", "nr_periods", &st->cpu.periods);
	(void)cg_read_key(h, "cpu.stat", "nr_throttled",
			  &st->cpu.throttled_periods);
	if (cg_read_key(h, "cpu.stat", "throttled_usec", &v) == 0)
		st->cpu.throttled_time = v * 1000;
	v2_stats_memory(h, st);
	(void)cg_read_u64(h, "pids.current", &st->pids.current);
	if (cg_read_u64(h, "pids.max", &v) == 0)
		st->pids.limit = v == UINT64_MAX ? 0 : v;
	st->pids.peak_known = cg_read_u64(h, "pids.peak", &st->pids.peak) == 0;
	(void)cg_read_key(h, "pids.events", "max", &st->pids.max_events);
	v2_stats_hugetlb(h, st);
	v2_stats_io(h, st);
	return 0;
}

/* linux.resources.devices: a BPF_PROG_TYPE_CGROUP_DEVICE program on the
 * container's cgroup (cgroups/bpf_devices.c). */
static int v2_devices(const struct cg_hier *h, const struct oci_resources *res,
		      struct berth_error *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n = 0;
	int r = bpfdev_generate(res->devices, res->devices_n, &insns, &n, err);
	if (r == 0)
		r = bpfdev_attach(h->fd, insns, n, err);
	if (r < 0)
		return berth_err_ctx(err, "linux.resources.devices: %s%s",
				     h->mount, h->path);
	return 0;
}

/* Each linux.resources.unified key's controller ("memory" of memory.high),
 * for the parents' subtree_control. */
static void v2_unified_need(const struct oci_resources *res, char *buf,
			    size_t size)
{
	for (size_t i = 0; i < res->unified_n; i++) {
		size_t n = strcspn(res->unified[i].key, ".");
		if (n < 32 && strncmp(res->unified[i].key, "cgroup", n) != 0)
			snprintf(buf + strlen(buf), size - strlen(buf),
				 "%s%.*s", *buf ? " " : "", (int)n,
				 res->unified[i].key);
	}
}

/* Controllers for the new cgroup, from the parent above the first
 * directory berth created down to the leaf's parent. */
static void v2_enable_chain(const struct cg_hier *h, const char *need,
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
		v2_enable(dir, k == first_new ? need : NULL);
		*cut = saved;
	}
}

/* mkdir, the controllers in @need enabled on the way, open, and refuse a
 * cgroup that was there with processes in it. */
static int v2_create(struct cg_hier *h, const char *need,
		     struct berth_error *err)
{
	int ncomp = 0;
	int r = cg_mkdir_hier(h, &ncomp, err);
	if (r < 0)
		return r;
	v2_enable_chain(h, need, ncomp);
	r = cg_open_hier(h, err);
	if (r == 0)
		r = cg_check_empty(h, err);
	return r;
}

static bool v2_freeze_done(const struct cg_hier *h, bool frozen)
{
	uint64_t v;
	if (cg_read_key(h, "cgroup.events", "frozen", &v) < 0)
		return false;
	return v == (frozen ? 1 : 0);
}

static int v2_freeze(const struct cg_hier *h, bool frozen,
		     struct berth_error *err)
{
	return cg_write_until(h, "cgroup.freeze", frozen ? "1" : "0",
			      v2_freeze_done, frozen, err);
}

static int v2_is_frozen(const struct cg_hier *h, bool *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(h, "cgroup.freeze", &s);
	if (r < 0)
		return r;
	*ret = s[0] == '1';
	return 0;
}

/* cgroup.freeze is the cgroup's own request, cgroup.events "frozen" the
 * effective state (an ancestor's freeze included); an ancestor freezing
 * shows in its own cgroup.freeze. */
static int v2_frozen_by(const struct cg_hier *h, char **ret_by)
{
	*ret_by = NULL;
	uint64_t frozen = 0;
	(void)cg_read_key(h, "cgroup.events", "frozen", &frozen);
	int r = cg_find_up(h, "cgroup.freeze", "1", ret_by);
	if (r == 0 && *ret_by == NULL && frozen == 1 &&
	    asprintf(ret_by, "%s%s", h->mount, h->path) < 0)
		r = -ENOMEM;
	return r;
}

/* SIGKILL through cgroup.kill, where the kernel has it. */
static int v2_kill(const struct cg_hier *h, int sig, struct berth_error *err)
{
	if (sig != SIGKILL || !cg_has_file(h, "cgroup.kill"))
		return 0;
	int r = cg_write(h, NULL, "cgroup.kill", "1", err);
	return r < 0 ? r : 1;
}

static const struct cg_writer v2_writers[CG_GROUP_N] = {
    [CG_GROUP_CPUSET] = {"cpuset", v2_cpuset, NULL},
    [CG_GROUP_MEMORY] = {"memory", v2_memory, NULL},
    [CG_GROUP_CPU] = {"cpu", v2_cpu, NULL},
    [CG_GROUP_PIDS] = {"pids", v2_pids, NULL},
    [CG_GROUP_BLKIO] = {"io", v2_io, NULL},
    [CG_GROUP_HUGETLB] = {"hugetlb", v2_hugetlb, NULL},
    [CG_GROUP_RDMA] = {"rdma", v2_rdma, NULL},
    [CG_GROUP_NET_CLS] = {NULL, NULL, NULL}, /* cgroup v1 only */
    [CG_GROUP_NET_PRIO] = {NULL, NULL, NULL},
    /* a BPF device program (cgroups/bpf_devices.h), no controller */
    [CG_GROUP_DEVICES] = {"", v2_devices, NULL},
    [CG_GROUP_UNIFIED] = {"", v2_unified, v2_unified_need},
};

const struct cg_backend cg_backend_v2 = {
    .name = "cgroup v2",
    .writers = v2_writers,
    .has = v2_has,
    .freezer = "",
    .create = v2_create,
    .enter = cg_write_procs,
    .self_file = "cgroup.procs",
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .frozen_by = v2_frozen_by,
    .kill = v2_kill,
    .stats = v2_stats,
    .destroy = cg_rmdir_hier,
};
