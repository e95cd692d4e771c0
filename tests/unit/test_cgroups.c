/* cgroups/: pure conversions and paths, then real v1/hybrid operations in
 * cgroups created beneath the test's own (named berth-test-*). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "cgroups/convert.h"
#include "cgroups/io.h"
#include "cgroups/manager.h"
#include "cgroups/path.h"
#include "cgroups/systemd.h"
#include "util/cleanup.h"
#include "util/util.h"

/* ---- pure conversions ---- */

Test(convert, shares_to_weight)
{
	cr_assert_eq(cg_shares_to_weight(0), 0);
	cr_assert_eq(cg_shares_to_weight(2), 1);
	cr_assert_eq(cg_shares_to_weight(1024), 39);
	cr_assert_eq(cg_shares_to_weight(262144), 10000);
	cr_assert_eq(cg_shares_to_weight(1), 1);
	cr_assert_eq(cg_shares_to_weight(1000000), 10000);
}

Test(convert, blkio_to_io_weight)
{
	cr_assert_eq(cg_blkio_to_io_weight(0), 0);
	cr_assert_eq(cg_blkio_to_io_weight(10), 1);
	cr_assert_eq(cg_blkio_to_io_weight(500), 4950);
	cr_assert_eq(cg_blkio_to_io_weight(1000), 10000);
}

static struct oci_resources mem_res(bool lset, int64_t l, bool sset, int64_t s)
{
	struct oci_resources r = {0};
	r.memory.limit = (struct oci_opt_i64){lset, l};
	r.memory.swap = (struct oci_opt_i64){sset, s};
	return r;
}

Test(convert, swap_to_v2)
{
	struct berth_error err = {0};
	int64_t v;
	bool set;
	struct oci_resources r = mem_res(true, 100, true, 300);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), 0);
	cr_assert(set);
	cr_assert_eq(v, 200);
	r = mem_res(true, 100, true, -1);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), 0);
	cr_assert_eq(v, -1);
	r = mem_res(true, -1, false, 0);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), 0);
	cr_assert(set);
	cr_assert_eq(v, -1);
	r = mem_res(true, 100, false, 0);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), 0);
	cr_assert(!set);
	r = mem_res(true, 300, true, 100);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), -EINVAL);
	cr_assert(strstr(err.msg, "linux.resources.memory.swap") != NULL);
	r = mem_res(false, 0, true, 100);
	cr_assert_eq(cg_swap_to_v2(&r, &v, &set, &err), -EINVAL);
	cr_assert(strstr(err.msg, "needs a memory limit") != NULL, "%s",
		  err.msg);
}

Test(convert, cpu_max)
{
	char buf[64];
	cg_cpu_max(50000, true, 100000, buf, sizeof(buf));
	cr_assert_str_eq(buf, "50000 100000");
	cg_cpu_max(-1, true, 100000, buf, sizeof(buf));
	cr_assert_str_eq(buf, "max 100000");
	cg_cpu_max(0, false, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "max");
	cg_cpu_max(20000, true, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "20000");
	cr_assert_str_eq(cg_num_or_max(-1, buf, sizeof(buf)), "max");
	cr_assert_str_eq(cg_num_or_max(42, buf, sizeof(buf)), "42");
}

Test(convert, io_max_lines)
{
	struct oci_throttle_device rbps[] = {{8, 0, 1048576}, {8, 16, 0}};
	struct oci_throttle_device wiops[] = {{8, 0, 100}};
	struct oci_throttle_device wbps[] = {{253, 1, 2048}};
	struct oci_resources r = {0};
	r.block_io.throttle_read_bps = rbps;
	r.block_io.throttle_read_bps_n = 2;
	r.block_io.throttle_write_iops = wiops;
	r.block_io.throttle_write_iops_n = 1;
	r.block_io.throttle_write_bps = wbps;
	r.block_io.throttle_write_bps_n = 1;
	_cleanup_strv_ char **l = cg_io_max_lines(&r);
	cr_assert_not_null(l);
	cr_assert_eq(strv_len(l), 3);
	cr_assert_str_eq(l[0], "8:0 rbps=1048576 wiops=100");
	cr_assert_str_eq(l[1], "8:16 rbps=max");
	cr_assert_str_eq(l[2], "253:1 wbps=2048");
	struct oci_resources empty = {0};
	_cleanup_strv_ char **none = cg_io_max_lines(&empty);
	cr_assert_not_null(none);
	cr_assert_eq(strv_len(none), 0);
}

Test(convert, device_rules_v1)
{
	struct berth_error err = {0};
	char buf[96];
	struct oci_device_cgroup all = {.allow = false};
	cr_assert_eq(cg_device_rule_v1(&all, buf, sizeof(buf), &err), 0);
	cr_assert_str_eq(buf, "a *:* rwm");
	cr_assert(cg_device_rule_is_all(&all));
	struct oci_device_cgroup null = {.allow = true,
					 .type = "c",
					 .major = {true, 1},
					 .minor = {true, 3},
					 .access = "rw"};
	cr_assert_eq(cg_device_rule_v1(&null, buf, sizeof(buf), &err), 0);
	cr_assert_str_eq(buf, "c 1:3 rw");
	cr_assert(!cg_device_rule_is_all(&null));
	struct oci_device_cgroup disks = {
	    .allow = true, .type = "b", .major = {true, 8}, .access = "r"};
	cr_assert_eq(cg_device_rule_v1(&disks, buf, sizeof(buf), &err), 0);
	cr_assert_str_eq(buf, "b 8:* r");
	struct oci_device_cgroup bad = {.type = "x"};
	cr_assert_eq(cg_device_rule_v1(&bad, buf, sizeof(buf), &err), -EINVAL);
	cr_assert(strstr(err.msg, "\"x\"") != NULL);
	struct oci_device_cgroup bad_acc = {.type = "c", .access = "rwx"};
	cr_assert_eq(cg_device_rule_v1(&bad_acc, buf, sizeof(buf), &err),
		     -EINVAL);
}

Test(convert, cpulist)
{
	struct berth_error err = {0};
	uint64_t bits[2];
	cr_assert_eq(cg_cpulist_parse("0-2,5\n", bits, 128), 0);
	cr_assert_eq(bits[0], 0x27);
	cr_assert_eq(cg_cpulist_parse("3-1", bits, 128), -EINVAL);
	cr_assert_eq(cg_cpulist_parse("1,,2", bits, 128), -EINVAL);
	cr_assert_eq(cg_cpulist_parse("200", bits, 128), -ERANGE);
	cr_assert_eq(cg_cpulist_check("0-1", "0-3\n", "CPU", &err), 0);
	cr_assert_eq(cg_cpulist_check("7", "0-1\n", "CPU", &err), -EINVAL);
	cr_assert_str_eq(err.msg, "CPU 7 is not available (host: 0-1)");
	cr_assert_eq(cg_cpulist_check("a", "0-1", "CPU", &err), -EINVAL);
}

/* ---- paths ---- */

Test(path, clean)
{
	char *p;
	cr_assert_eq(cg_clean_path("a//b/./../c", &p), 0);
	cr_assert_str_eq(p, "/a/c");
	free(p);
	cr_assert_eq(cg_clean_path("../../x/", &p), 0);
	cr_assert_str_eq(p, "/x");
	free(p);
	cr_assert_eq(cg_clean_path("", &p), 0);
	cr_assert_str_eq(p, "/");
	free(p);
}

static const char fake_mountinfo_hybrid[] =
    "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw shared:5 - cgroup cgroup "
    "rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
    "rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "41 1 0:31 / /mnt/again rw - cgroup cgroup rw,memory\n";

static const char fake_self_hybrid[] = "9:name=systemd:/user.slice\n"
				       "4:memory:/process_api/abc\n"
				       "1:cpuacct,cpu:/\n"
				       "0::/user.slice/s.scope\n";

static struct cg_hier *hier_named(struct cg_hier *h, size_t n, const char *ctl)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(h[i].controllers, ctl) == 0)
			return &h[i];
	cr_assert_fail("no hierarchy %s", ctl);
	return NULL;
}

Test(path, mountinfo_hybrid_and_legacy)
{
	struct berth_error err = {0};
	struct cg_hier *h;
	size_t n;
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_HYBRID, &h, &n, &err),
		     0, "%s", err.msg);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(hier_named(h, n, "cpu,cpuacct")->mount,
			 "/sys/fs/cgroup/cpu,cpuacct");
	cr_assert_str_eq(hier_named(h, n, "name=systemd")->mount,
			 "/sys/fs/cgroup/systemd");
	cr_assert_str_eq(hier_named(h, n, CG_V2)->mount,
			 "/sys/fs/cgroup/unified");
	cr_assert(cg_hier_has(hier_named(h, n, "cpu,cpuacct"), "cpuacct"));
	cg_hiers_free(h, n);
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_LEGACY, &h, &n, &err),
		     0);
	cr_assert_eq(n, 3);
	cg_hiers_free(h, n);
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_UNIFIED, &h, &n, &err),
		     -ENOENT);
}

Test(path, relative_absolute_default_v1)
{
	struct berth_error err = {0};
	struct cg_hier *h;
	size_t n;
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_HYBRID, &h, &n, &err),
		     0);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "a/b", "id",
					    false, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(hier_named(h, n, "memory")->path,
			 "/process_api/abc/a/b");
	cr_assert_str_eq(hier_named(h, n, "cpu,cpuacct")->path, "/a/b");
	cr_assert_str_eq(hier_named(h, n, "name=systemd")->path,
			 "/user.slice/a/b");
	/* hybrid's v2 dir: under berth's own cgroup, like v1 */
	cr_assert_str_eq(hier_named(h, n, CG_V2)->path,
			 "/user.slice/s.scope/a/b");
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "/abs/c", "id",
					    false, &err),
		     0);
	cr_assert_str_eq(hier_named(h, n, "memory")->path, "/abs/c");
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, NULL, "c1", false,
					    &err),
		     0);
	cr_assert_str_eq(hier_named(h, n, "memory")->path,
			 "/process_api/abc/c1");
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "../../../x",
					    "id", false, &err),
		     0);
	cr_assert_str_eq(hier_named(h, n, "memory")->path,
			 "/process_api/abc/x");
	cg_hiers_free(h, n);
}

Test(path, unified_uses_parent_and_refusals)
{
	static const char mi[] =
	    "30 22 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
	struct berth_error err = {0};
	struct cg_hier *h;
	size_t n;
	cr_assert_eq(
	    cg_hiers_from_mountinfo(mi, CG_LAYOUT_UNIFIED, &h, &n, &err), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_UNIFIED,
					    "0::/user.slice/s.scope\n", NULL,
					    "c1", false, &err),
		     0);
	cr_assert_str_eq(h[0].path, "/user.slice/c1");
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_UNIFIED, "0::/\n",
					    "x/y", "c1", false, &err),
		     0);
	cr_assert_str_eq(h[0].path, "/x/y");
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_UNIFIED, "0::/\n",
					    "system.slice:berth:c1", "c1",
					    false, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "systemd") != NULL, "%s", err.msg);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_UNIFIED, "0::/\n",
					    "/", "c1", false, &err),
		     -EINVAL);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_UNIFIED, "", "rel",
					    "c1", false, &err),
		     -ENOENT);
	cg_hiers_free(h, n);
}

static void expect_systemd(const char *in, const char *want)
{
	struct berth_error err = {0};
	_cleanup_free_ char *got = NULL;
	cr_assert_eq(cg_systemd_path(in, "c1", &got, &err), 0, "%s: %s", in,
		     err.msg);
	cr_assert_str_eq(got, want, "%s", in);
}

static void refuse_systemd(const char *in, const char *why)
{
	struct berth_error err = {0};
	_cleanup_free_ char *got = NULL;
	cr_assert_eq(cg_systemd_path(in, "c1", &got, &err), -EINVAL, "%s", in);
	cr_assert(strstr(err.msg, why) != NULL, "%s: %s", in, err.msg);
	cr_assert_null(got);
}

Test(systemd, slice_expansion_and_unit_names)
{
	expect_systemd("system.slice:docker:abc",
		       "system.slice/docker-abc.scope");
	expect_systemd(":crio:x", "system.slice/crio-x.scope");
	expect_systemd(NULL, "system.slice/berth-c1.scope");
	expect_systemd("", "system.slice/berth-c1.scope");
	expect_systemd("-.slice:p:n", "p-n.scope");
	expect_systemd("a-b-c.slice:p:n",
		       "a.slice/a-b.slice/a-b-c.slice/p-n.scope");
	expect_systemd("kubepods-besteffort.slice:cri-containerd:1",
		       "kubepods.slice/kubepods-besteffort.slice/"
		       "cri-containerd-1.scope");
	/* a name that is a slice is the unit itself */
	expect_systemd("machine.slice:p:x.slice", "machine.slice/x.slice");
	refuse_systemd("a/b.slice:p:n", "invalid slice name \"a/b.slice\"");
	refuse_systemd("a.scope:p:n", "ends in \".slice\"");
	refuse_systemd(".slice:p:n", "ends in \".slice\"");
	refuse_systemd("a--b.slice:p:n", "empty component");
	refuse_systemd("-a.slice:p:n", "empty component");
	refuse_systemd("a-.slice:p:n", "empty component");
	refuse_systemd("/abs/path", "slice:prefix:name");
	refuse_systemd("a:b", "slice:prefix:name");
	refuse_systemd("a.slice:b:c:d", "slice:prefix:name");
	refuse_systemd("a.slice:p:", "non-empty");
	refuse_systemd("a.slice:p:x/y", "'/'");
}

Test(systemd, mapped_path_goes_under_berths_cgroup)
{
	struct berth_error err = {0};
	struct cg_hier *h;
	size_t n;
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_HYBRID, &h, &n, &err),
		     0);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "s-t.slice:p:n",
					    "id", true, &err),
		     0, "%s", err.msg);
	cr_assert_str_eq(hier_named(h, n, "memory")->path,
			 "/process_api/abc/s.slice/s-t.slice/p-n.scope");
	cr_assert_str_eq(hier_named(h, n, CG_V2)->path,
			 "/user.slice/s.scope/s.slice/s-t.slice/p-n.scope");
	/* with the flag, an ordinary path is refused, as runc does */
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "/a/b", "id",
					    true, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "slice:prefix:name") != NULL, "%s", err.msg);
	/* without it, the systemd form is refused with a hint */
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "s.slice:p:n",
					    "id", false, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "--systemd-cgroup") != NULL, "%s", err.msg);
	cg_hiers_free(h, n);
}

Test(path, saved_round_trip)
{
	struct berth_error err = {0};
	struct cg_hier *h, *h2;
	size_t n, n2;
	cr_assert_eq(cg_hiers_from_mountinfo(fake_mountinfo_hybrid,
					     CG_LAYOUT_HYBRID, &h, &n, &err),
		     0);
	cr_assert_eq(cg_hiers_compute_paths(h, n, CG_LAYOUT_HYBRID,
					    fake_self_hybrid, "a b/c", "id",
					    false, &err),
		     0);
	h[0].created = 2;
	_cleanup_free_ char *s = cg_hiers_format(h, n);
	cr_assert_eq(cg_hiers_parse(s, &h2, &n2, &err), 0, "%s", err.msg);
	cr_assert_eq(n2, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_str_eq(h2[i].controllers, h[i].controllers);
		cr_assert_str_eq(h2[i].mount, h[i].mount);
		cr_assert_str_eq(h2[i].path, h[i].path);
		cr_assert_eq(h2[i].created, h[i].created);
	}
	cg_hiers_free(h, n);
	cg_hiers_free(h2, n2);
	cr_assert_eq(cg_hiers_parse("memory x /m /p", &h2, &n2, &err), -EINVAL);
	cr_assert_eq(cg_hiers_parse("", &h2, &n2, &err), -EINVAL);
}

/* ---- live, on this host's hierarchies ---- */

static char test_name[64];  /* berth-test-<pid>-<n>: made by the test */
static char test_path[128]; /* test_name/c1: the container's cgroup */
static pid_t kids[4];
static size_t kids_n;

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	for (struct dirent *e; d != NULL && (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		rm_tree(sub);
	}
	if (d != NULL)
		closedir(d);
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

static void live_setup(void)
{
	static int seq;
	snprintf(test_name, sizeof(test_name), "berth-test-%d-%d",
		 (int)getpid(), seq++);
	snprintf(test_path, sizeof(test_path), "%s/c1", test_name);
	kids_n = 0;
}

/* Whatever happened, nothing of ours stays: processes, then dirs. */
static void live_teardown(void)
{
	for (size_t i = 0; i < kids_n; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	struct cg_manager *m = NULL;
	struct berth_error err;
	if (cg_manager_new(test_name, "x", false, &m, &err) < 0)
		return;
	for (size_t i = 0; i < m->n; i++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s%s", m->h[i].mount, m->h[i].path);
		/* a frozen v1 cgroup would keep killed tasks: thaw first */
		char f[4200];
		snprintf(f, sizeof(f), "%s/c1/freezer.state", dir);
		(void)write_str_at(AT_FDCWD, f, "THAWED");
		rm_tree(dir);
	}
	cg_manager_free(m);
}

TestSuite(live, .init = live_setup, .fini = live_teardown);

static bool exists(const char *mount, const char *path)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s%s", mount, path);
	return access(p, F_OK) == 0;
}

static char *read_cg(struct cg_manager *m, const char *ctl, const char *file)
{
	struct cg_hier *h =
	    strcmp(ctl, CG_V2) == 0 ? cg_find_v2(m) : cg_find_v1(m, ctl);
	cr_assert_not_null(h, "no %s hierarchy", ctl);
	char *s = NULL;
	cr_assert_eq(cg_read(h, file, &s), 0, "read %s", file);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

static struct cg_manager *new_manager(void)
{
	struct berth_error err = {0};
	struct cg_manager *m = NULL;
	cr_assert_eq(cg_manager_new(test_path, "c1", false, &m, &err), 0, "%s",
		     err.msg);
	return m;
}

Test(live, layout_is_hybrid)
{
	enum cg_layout l;
	struct berth_error err = {0};
	cr_assert_eq(cg_detect_layout(&l, &err), 0, "%s", err.msg);
	cr_assert_eq(l, CG_LAYOUT_HYBRID, "this test host is hybrid");
}

Test(live, create_with_resources_reads_back)
{
	struct cg_manager *m = new_manager();
	struct oci_resources res = {0};
	res.memory.limit = (struct oci_opt_i64){true, 64 << 20};
	res.memory.swap = (struct oci_opt_i64){true, 128 << 20};
	res.memory.reservation = (struct oci_opt_i64){true, 32 << 20};
	res.cpu.shares = (struct oci_opt_u64){true, 512};
	res.cpu.quota = (struct oci_opt_i64){true, 50000};
	res.cpu.period = (struct oci_opt_u64){true, 100000};
	res.cpu.cpus = "0";
	res.cpu.mems = "0";
	res.pids.limit = (struct oci_opt_i64){true, 20};
	struct berth_error err = {0};
	cr_assert_eq(cg_create(m, &res, &err), 0, "%s", err.msg);
	const char *checks[][3] = {
	    {"memory", "memory.limit_in_bytes", "67108864"},
	    {"memory", "memory.memsw.limit_in_bytes", "134217728"},
	    {"memory", "memory.soft_limit_in_bytes", "33554432"},
	    {"cpu", "cpu.shares", "512"},
	    {"cpu", "cpu.cfs_quota_us", "50000"},
	    {"cpu", "cpu.cfs_period_us", "100000"},
	    {"cpuset", "cpuset.cpus", "0"},
	    {"cpuset", "cpuset.mems", "0"},
	    {"pids", "pids.max", "20"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		_cleanup_free_ char *v = read_cg(m, checks[i][0], checks[i][1]);
		cr_assert_str_eq(v, checks[i][2], "%s", checks[i][1]);
	}
	/* every hierarchy, the unified one too */
	for (size_t i = 0; i < m->n; i++)
		cr_assert(exists(m->h[i].mount, m->h[i].path), "%s%s",
			  m->h[i].mount, m->h[i].path);
	cr_assert_not_null(cg_find_v2(m));
	/* clone3 into the unified one; the v1 ones are the child's to enter */
	cr_assert_geq(cg_clone_into_fd(m), 0, "hybrid: CLONE_INTO_CGROUP");
	/* update: lower the limit (memsw after the limit) */
	struct oci_resources upd = {0};
	upd.memory.limit = (struct oci_opt_i64){true, 16 << 20};
	upd.memory.swap = (struct oci_opt_i64){true, 16 << 20};
	cr_assert_eq(cg_apply(m, &upd, &err), 0, "%s", err.msg);
	_cleanup_free_ char *v = read_cg(m, "memory", "memory.limit_in_bytes");
	cr_assert_str_eq(v, "16777216");
	cr_assert_eq(cg_destroy(m, &err), 0, "%s", err.msg);
	cg_manager_free(m);
}

static pid_t spawn(bool busy)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		for (;;)
			if (!busy)
				pause();
	}
	kids[kids_n++] = pid;
	return pid;
}

static bool in_cgroup(pid_t pid, const char *line_part)
{
	char f[64];
	snprintf(f, sizeof(f), "/proc/%d/cgroup", (int)pid);
	_cleanup_free_ char *s = NULL;
	cr_assert_eq(read_file_at(AT_FDCWD, f, &s, NULL), 0);
	return strstr(s, line_part) != NULL;
}

/* Whether @pid is in @m's cgroup of v1 controller @ctl (NULL: cgroup2). */
static bool in_cg_of(pid_t pid, const struct cg_manager *m, const char *ctl)
{
	char want[256];
	if (ctl == NULL)
		snprintf(want, sizeof(want), "0::%s\n", cg_find_v2(m)->path);
	else
		snprintf(want, sizeof(want), "%s:%s\n", ctl,
			 cg_find_v1(m, ctl)->path);
	return in_cgroup(pid, want);
}

Test(live, enter_pids_signal_destroy)
{
	struct cg_manager *m = new_manager();
	struct berth_error err = {0};
	cr_assert_eq(cg_create(m, NULL, &err), 0, "%s", err.msg);
	pid_t a = spawn(false), b = spawn(false);
	cr_assert_eq(cg_enter(m, a, &err), 0, "%s", err.msg);
	cr_assert_eq(cg_enter(m, b, &err), 0, "%s", err.msg);
	cr_assert(in_cg_of(a, m, "pids"));
	cr_assert(in_cg_of(a, m, "memory"));
	cr_assert(in_cg_of(b, m, NULL));
	pid_t *pids = NULL;
	size_t n = 0;
	cr_assert_eq(cg_pids(m, &pids, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 2);
	cr_assert((pids[0] == a && pids[1] == b) ||
		  (pids[0] == b && pids[1] == a));
	free(pids);
	cr_assert_eq(cg_signal_all(m, SIGTERM, &err), 0, "%s", err.msg);
	int st;
	cr_assert_eq(waitpid(a, &st, 0), a);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	cr_assert_eq(waitpid(b, &st, 0), b);
	kids_n = 0;
	/* destroy kills what remains, removes c1 and test_name, not more */
	pid_t c = spawn(false);
	cr_assert_eq(cg_enter(m, c, &err), 0, "%s", err.msg);
	struct cg_manager *loaded = NULL;
	cr_assert_eq(cg_manager_load(cg_manager_path(m), &loaded, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(cg_destroy(loaded, &err), 0, "%s", err.msg);
	cr_assert_eq(waitpid(c, &st, 0), c);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	kids_n = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct cg_hier *h = &m->h[i];
		cr_assert(!exists(h->mount, h->path), "%s%s", h->mount,
			  h->path);
		char *parent = strdup(h->path);
		*strrchr(parent, '/') = '\0';
		cr_assert(!exists(h->mount, parent), "%s%s", h->mount, parent);
		*strrchr(parent, '/') = '\0';
		cr_assert(exists(h->mount, parent), "own cgroup %s%s", h->mount,
			  parent);
		free(parent);
	}
	cg_manager_free(loaded);
	cg_manager_free(m);
}

/* A fresh child moves itself (cg_enter_self()): every v1 hierarchy, and
 * the cgroup2 one only when clone3 did not put it there. */
static void self_enter_case(bool cloned_into)
{
	struct cg_manager *m = new_manager();
	struct berth_error err = {0};
	cr_assert_eq(cg_create(m, NULL, &err), 0, "%s", err.msg);
	struct cg_self s;
	cr_assert_eq(cg_self_open(m, cloned_into, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n, cloned_into ? m->n - 1 : m->n);
	int up[2], down[2]; /* child -> test, test -> child */
	cr_assert_eq(pipe(up), 0);
	cr_assert_eq(pipe(down), 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		int r = cg_enter_self(&s, &err);
		if (write(up[1], r == 0 ? "y" : "n", 1) != 1 ||
		    read(down[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	cg_self_close(&s);
	char c = 0;
	cr_assert_eq(read(up[0], &c, 1), 1);
	cr_assert_eq(c, 'y');
	cr_assert(in_cg_of(pid, m, "pids"));
	cr_assert(in_cg_of(pid, m, "memory"));
	cr_assert(in_cg_of(pid, m, "devices"));
	cr_assert_eq(in_cg_of(pid, m, NULL), !cloned_into);
	cr_assert_eq(write(down[1], "x", 1), 1);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < 2; i++) {
		close(up[i]);
		close(down[i]);
	}
	cr_assert_eq(cg_destroy(m, &err), 0, "%s", err.msg);
	cg_manager_free(m);
}

Test(live, enter_self_every_hierarchy)
{
	self_enter_case(false);
}

Test(live, enter_self_leaves_cgroup2_to_clone3)
{
	self_enter_case(true);
}

static unsigned long utime_of(pid_t pid)
{
	char f[64];
	snprintf(f, sizeof(f), "/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = NULL;
	cr_assert_eq(read_file_at(AT_FDCWD, f, &s, NULL), 0);
	unsigned long ut = 0;
	const char *p = strrchr(s, ')');
	/* fields after ")": state is 3; utime is 14 */
	sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu", &ut);
	return ut;
}

static void check_freeze(struct cg_manager *m, pid_t busy)
{
	struct berth_error err = {0};
	bool frozen = true;
	cr_assert_eq(cg_is_frozen(m, &frozen), 0);
	cr_assert(!frozen);
	cr_assert_eq(cg_freeze(m, true, &err), 0, "%s", err.msg);
	cr_assert_eq(cg_is_frozen(m, &frozen), 0);
	cr_assert(frozen);
	unsigned long t0 = utime_of(busy);
	usleep(300 * 1000);
	cr_assert_eq(utime_of(busy), t0, "a frozen task ran");
	cr_assert_eq(cg_freeze(m, false, &err), 0, "%s", err.msg);
	usleep(300 * 1000);
	cr_assert_gt(utime_of(busy), t0, "a thawed task did not run");
}

Test(live, freeze_thaw_v1)
{
	struct cg_manager *m = new_manager();
	struct berth_error err = {0};
	cr_assert_eq(cg_create(m, NULL, &err), 0, "%s", err.msg);
	pid_t busy = spawn(true);
	cr_assert_eq(cg_enter(m, busy, &err), 0, "%s", err.msg);
	usleep(100 * 1000);
	check_freeze(m, busy);
	/* SIGKILL through freeze + kill + thaw (no cgroup.kill in v1) */
	cr_assert_eq(cg_destroy(m, &err), 0, "%s", err.msg);
	cg_manager_free(m);
}

/* The v2 backend alone, on this host's unified hierarchy: a manager loaded
 * from a state line that names only the cgroup2 dir. */
Test(live, v2_dir_freeze_kill_unified_keys)
{
	struct cg_manager *full = new_manager();
	struct berth_error err = {0};
	cr_assert_eq(cg_create(full, NULL, &err), 0, "%s", err.msg);
	struct cg_hier *h2 = cg_find_v2(full);
	char line[512];
	snprintf(line, sizeof(line), "%s %d %s %s", CG_V2, h2->created,
		 h2->mount, h2->path);
	struct cg_manager *m = NULL;
	cr_assert_eq(cg_manager_load(line, &m, &err), 0, "%s", err.msg);
	pid_t busy = spawn(true);
	cr_assert_eq(cg_enter(m, busy, &err), 0, "%s", err.msg);
	usleep(100 * 1000);
	check_freeze(m, busy); /* cgroup.freeze + cgroup.events */
	struct oci_kv kv[] = {{"cgroup.max.depth", "3"}};
	struct oci_resources res = {.unified = kv, .unified_n = 1};
	cr_assert_eq(cg_apply(m, &res, &err), 0, "%s", err.msg);
	_cleanup_free_ char *v = read_cg(m, CG_V2, "cgroup.max.depth");
	cr_assert_str_eq(v, "3");
	struct oci_kv bad[] = {{"memory.nonesuch", "1"}};
	struct oci_resources res2 = {.unified = bad, .unified_n = 1};
	cr_assert_eq(cg_apply(m, &res2, &err), -ENOENT);
	cr_assert(strstr(err.msg, "\"memory.nonesuch\"") != NULL, "%s",
		  err.msg);
	/* SIGKILL through cgroup.kill */
	cr_assert_eq(cg_signal_all(m, SIGKILL, &err), 0, "%s", err.msg);
	int st;
	cr_assert_eq(waitpid(busy, &st, 0), busy);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	kids_n = 0;
	cg_manager_free(m);
	cr_assert_eq(cg_destroy(full, &err), 0, "%s", err.msg);
	cg_manager_free(full);
}

static void expect_create_error(const struct oci_resources *res,
				const char *needle)
{
	struct cg_manager *m = new_manager();
	struct berth_error err = {0};
	cr_assert_lt(cg_create(m, res, &err), 0);
	cr_assert(strstr(err.msg, needle) != NULL, "message: %s", err.msg);
	for (size_t i = 0; i < m->n; i++) {
		char *parent = strdup(m->h[i].path);
		*strrchr(parent, '/') = '\0';
		cr_assert(!exists(m->h[i].mount, parent), "left %s%s",
			  m->h[i].mount, parent);
		free(parent);
	}
	cg_manager_free(m);
}

Test(live, refused_limit_names_field_and_file)
{
	struct oci_resources res = {0};
	res.cpu.quota = (struct oci_opt_i64){true, 500}; /* < 1 ms */
	res.cpu.period = (struct oci_opt_u64){true, 100000};
	expect_create_error(&res, "linux.resources.cpu.quota: write "
				  "cpu.cfs_quota_us in /sys/fs/cgroup/cpu/");
	expect_create_error(&res, "invalid argument");
}

Test(live, cpuset_outside_host)
{
	struct oci_resources res = {0};
	res.cpu.cpus = "0,63";
	expect_create_error(&res, "linux.resources.cpu.cpus: CPU 63 is not "
				  "available");
}

Test(live, controller_not_available)
{
	struct oci_resources res = {0};
	res.network.class_id = (struct oci_opt_u64){true, 0x100001};
	expect_create_error(&res, "linux.resources.network.classID: the "
				  "net_cls controller is not available");
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

Test(live, no_fd_leak)
{
	struct oci_resources res = {0};
	res.cpu.cpus = "63";
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		struct cg_manager *m = new_manager();
		struct berth_error err;
		cr_assert_lt(cg_create(m, &res, &err), 0);
		cg_manager_free(m);
	}
	struct cg_manager *m = new_manager();
	struct berth_error err;
	cr_assert_eq(cg_create(m, NULL, &err), 0, "%s", err.msg);
	cr_assert_eq(cg_destroy(m, &err), 0, "%s", err.msg);
	cg_manager_free(m);
	cr_assert_eq(count_fds(), before);
}

/* v2 devices through the BPF program, on this host's unified dir. */
Test(live, v2_devices_bpf)
{
	struct cg_manager *full = new_manager();
	struct berth_error err = {0};
	cr_assert_eq(cg_create(full, NULL, &err), 0, "%s", err.msg);
	struct cg_hier *h2 = cg_find_v2(full);
	char line[512];
	snprintf(line, sizeof(line), "%s %d %s %s", CG_V2, h2->created,
		 h2->mount, h2->path);
	struct cg_manager *m = NULL;
	cr_assert_eq(cg_manager_load(line, &m, &err), 0, "%s", err.msg);
	struct oci_device_cgroup rules[] = {
	    {.allow = false},
	    {.allow = true,
	     .type = "c",
	     .major = {true, 1},
	     .minor = {true, 3},
	     .access = "rwm"},
	};
	struct oci_resources res = {.devices = rules, .devices_n = 2};
	cr_assert_eq(cg_apply(m, &res, &err), 0, "%s", err.msg);
	int sync[2];
	cr_assert_eq(pipe2(sync, O_CLOEXEC), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char c;
		if (read(sync[0], &c, 1) != 1)
			_exit(9);
		int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		_exit(zero < 0 && errno == EPERM && null >= 0 ? 0 : 1);
	}
	kids[kids_n++] = pid;
	cr_assert_eq(cg_enter(m, pid, &err), 0, "%s", err.msg);
	cr_assert_eq(write(sync[1], "x", 1), 1);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	kids_n = 0;
	close(sync[0]);
	close(sync[1]);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "/dev/zero not refused or /dev/null refused");
	cg_manager_free(m);
	cr_assert_eq(cg_destroy(full, &err), 0, "%s", err.msg);
	cg_manager_free(full);
}

/* cg_check_delegated on a fake cgroup2 "mount" (a temp dir), asked as uid
 * 65534: the directory, cgroup.procs and cgroup.subtree_control of the
 * nearest existing directory must be its. */
static int delegated_as_nobody(struct cg_manager *m, char **why)
{
	cr_assert_eq(seteuid(65534), 0);
	int r = cg_check_delegated(m, why);
	cr_assert_eq(seteuid(0), 0);
	return r;
}

static void touch_owned(const char *dir, const char *file, uid_t uid)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(chown(p, uid, uid), 0);
}

Test(delegate, nearest_dir_and_its_files)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (seteuid)");
	char tmp[] = "/tmp/berth-deleg.XXXXXX";
	cr_assert_not_null(mkdtemp(tmp));
	cr_assert_eq(chmod(tmp, 0755), 0);
	char deleg[512], line[1100];
	snprintf(deleg, sizeof(deleg), "%s/deleg", tmp);
	cr_assert_eq(mkdir(deleg, 0755), 0);
	snprintf(line, sizeof(line), "%s 1 %s /deleg/c1", CG_V2, tmp);
	struct cg_manager *m = NULL;
	struct berth_error err = {0};
	cr_assert_eq(cg_manager_load(line, &m, &err), 0, "%s", err.msg);
	_cleanup_free_ char *why1 = NULL, *why2 = NULL, *why3 = NULL;
	cr_assert_eq(delegated_as_nobody(m, &why1), 0);
	cr_assert(strstr(why1, "/deleg is not writable by uid 65534") != NULL,
		  "%s", why1);
	cr_assert_eq(chown(deleg, 65534, 65534), 0);
	touch_owned(deleg, "cgroup.procs", 65534);
	touch_owned(deleg, "cgroup.subtree_control", 0);
	cr_assert_eq(delegated_as_nobody(m, &why2), 0);
	cr_assert(strstr(why2, "/deleg/cgroup.subtree_control is not") != NULL,
		  "%s", why2);
	touch_owned(deleg, "cgroup.subtree_control", 65534);
	cr_assert_eq(delegated_as_nobody(m, &why3), 1);
	cr_assert_null(why3);
	cg_manager_free(m);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);
}
