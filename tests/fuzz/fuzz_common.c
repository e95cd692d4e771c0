/* The cgroup conversions every target that holds a linux.resources runs. */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>

#include "cgroups/bpf_devices.h"
#include "cgroups/convert.h"
#include "cgroups/path.h"
#include "util/cleanup.h"

static void cpulists(const struct oci_resources *res)
{
	uint64_t bits[1024 / 64];
	if (res->cpu.cpus != NULL)
		(void)cg_cpulist_parse(res->cpu.cpus, bits, 1024);
	if (res->cpu.mems != NULL)
		(void)cg_cpulist_parse(res->cpu.mems, bits, 1024);
	struct berth_error err = {0};
	if (res->cpu.cpus != NULL)
		(void)cg_cpulist_check(res->cpu.cpus, "0-3,8", "CPU", &err);
}

static void devices(const struct oci_resources *res)
{
	struct berth_error err = {0};
	char line[128];
	for (size_t i = 0; i < res->devices_n; i++) {
		(void)cg_device_rule_v1(&res->devices[i], line, sizeof(line),
					&err);
		(void)cg_device_rule_is_all(&res->devices[i]);
	}
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	if (bpfdev_generate(res->devices, res->devices_n, &insns, &n, &err) ==
	    0)
		free(insns);
}

void fuzz_resources(const struct oci_resources *res)
{
	if (res == NULL)
		return;
	struct berth_error err = {0};
	char buf[64];
	(void)cg_shares_to_weight(res->cpu.shares.v);
	(void)cg_blkio_to_io_weight(res->block_io.weight.v);
	int64_t swap;
	bool set;
	(void)cg_swap_to_v2(res, &swap, &set, &err);
	(void)cg_num_or_max(res->memory.limit.v, buf, sizeof(buf));
	(void)cg_num_or_max(res->pids.limit.v, buf, sizeof(buf));
	cg_cpu_max(res->cpu.quota.v, res->cpu.quota.set, res->cpu.period.v, buf,
		   sizeof(buf));
	strv_free(cg_io_max_lines(res));
	cpulists(res);
	devices(res);
}

/* A hybrid host like the test machine's (v1 controllers + cgroup2 at
 * /sys/fs/cgroup/unified), as /proc/self/mountinfo and /proc/self/cgroup
 * show it. */
static const char host_mountinfo[] =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw shared:5 - cgroup cgroup "
    "rw,memory\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
static const char host_self_cgroup[] = "4:memory:/user.slice\n"
				       "1:cpuacct,cpu:/\n"
				       "0::/user.slice/s.scope\n";

void fuzz_cgroups_path(const char *cgroups_path, const char *id)
{
	struct berth_error err = {0};
	struct cg_hier *h = NULL;
	size_t n = 0;
	if (cg_hiers_from_mountinfo(host_mountinfo, CG_LAYOUT_HYBRID, &h, &n,
				    &err) < 0)
		abort(); /* the fixed text above always parses */
	if (cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID, host_self_cgroup,
				   cgroups_path, id, false, &err) == 0) {
		_cleanup_free_ char *saved = cg_hiers_format(h, n);
		fuzz_cgroups_saved(saved);
	}
	cg_hiers_free(h, n);
}

void fuzz_cgroups_saved(const char *saved)
{
	struct berth_error err = {0};
	struct cg_hier *h = NULL;
	size_t n = 0;
	if (saved != NULL && cg_hiers_parse(saved, &h, &n, &err) == 0)
		cg_hiers_free(h, n);
}
