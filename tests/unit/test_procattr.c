#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/process/lsm.h"
#include "runtime/process/procattr.h"
#include "util/cleanup.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

TestSuite(procattr, .timeout = 20);

/* ---- helpers ---- */

/* A spec with an empty process and linux section; tests fill fields. */
struct fixture {
	struct oci_spec spec;
	struct oci_process proc;
	struct oci_linux lnx;
	struct oci_personality pers;
	struct oci_memory_policy mpol;
	char *flags[4];
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->spec.process = &f->proc;
	f->spec.linux_ = &f->lnx;
}

static void set_sched(struct fixture *f, const char *name, int num)
{
	f->proc.scheduler.set = true;
	f->proc.scheduler.policy = (char *)name;
	f->proc.scheduler.policy_num = num;
}

static void set_mpol(struct fixture *f, const char *mode, int num,
		     const char *nodes)
{
	f->mpol.mode = (char *)mode;
	f->mpol.mode_num = num;
	f->mpol.nodes = (char *)nodes;
	f->lnx.memory_policy = &f->mpol;
}

/* Build the plan and expect failure with exactly @msg. */
static void expect_plan_error(struct fixture *f, const char *msg)
{
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	cr_assert_lt(
	    procattr_plan_build(f->spec.process, f->spec.linux_, &plan, &err),
	    0);
	cr_assert_str_eq(err.msg, msg);
	cr_assert_eq(procattr_check(&f->spec, &err), -err.code);
}

static char *host_list(const char *path)
{
	char *buf = NULL;
	cr_assert_eq(read_file_at(AT_FDCWD, path, &buf, NULL), 0);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static long online_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* Run @fn in a forked child, so the attributes it sets stay there. The
 * child reports a failed CHECK on stderr and exits 1. */
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #c);                                 \
			_exit(1);                                              \
		}                                                              \
	} while (0)

static void in_child(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "child check failed (see stderr)");
}

/* Build a plan from @f (must succeed) and apply all three stages. */
static void build_and_apply(struct fixture *f)
{
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	int r =
	    procattr_plan_build(f->spec.process, f->spec.linux_, &plan, &err);
	if (r < 0)
		fprintf(stderr, "plan: %s\n", err.msg);
	CHECK(r == 0);
	r = procattr_apply_early(&plan, &err);
	if (r == 0)
		r = procattr_apply(&plan, &err);
	if (r == 0)
		r = procattr_apply_final(&plan, &err);
	if (r < 0)
		fprintf(stderr, "apply: %s\n", err.msg);
	CHECK(r == 0);
	procattr_plan_free(&plan);
}

/* ---- id lists ---- */

static void expect_list(const char *s, const unsigned int *ids, size_t n,
			size_t nbits)
{
	struct procattr_idset set = {0};
	struct berth_error err = {0};
	cr_assert_eq(procattr_parse_list(s, 65536, &set, &err), 0, "%s: %s", s,
		     err.msg);
	cr_assert_eq(set.nbits, nbits, "%s: nbits %zu", s, set.nbits);
	size_t count = 0;
	for (unsigned int i = 0; i < set.nbits; i++)
		count += procattr_idset_has(&set, i);
	cr_assert_eq(count, n, "%s: %zu ids", s, count);
	for (size_t i = 0; i < n; i++)
		cr_assert(procattr_idset_has(&set, ids[i]), "%s: %u", s,
			  ids[i]);
	procattr_idset_free(&set);
}

Test(procattr, parse_list_good)
{
	expect_list("", NULL, 0, 0);
	expect_list("0", (unsigned int[]){0}, 1, 64);
	expect_list("0-3,7", (unsigned int[]){0, 1, 2, 3, 7}, 5, 64);
	expect_list("5-5", (unsigned int[]){5}, 1, 64);
	expect_list("7,0-1,1", (unsigned int[]){0, 1, 7}, 3, 64);
	expect_list("64", (unsigned int[]){64}, 1, 128);
	expect_list("62-65", (unsigned int[]){62, 63, 64, 65}, 4, 128);
	expect_list("007", (unsigned int[]){7}, 1, 64);
}

static void expect_list_error(const char *s, const char *msg)
{
	struct procattr_idset set = {0};
	struct berth_error err = {0};
	cr_assert_lt(procattr_parse_list(s, 65536, &set, &err), 0, "%s", s);
	cr_assert_str_eq(err.msg, msg, "input \"%s\"", s);
	cr_assert_null(set.bits);
}

Test(procattr, parse_list_bad)
{
	expect_list_error("1-", "expected a number at the end");
	expect_list_error("0,", "expected a number at the end");
	expect_list_error("a", "expected a number at \"a\"");
	expect_list_error("-1", "expected a number at \"-1\"");
	expect_list_error("0,,1", "empty element");
	expect_list_error(",0", "empty element");
	expect_list_error("3-1", "range 3-1 is reversed");
	expect_list_error("1x", "unexpected \"x\"");
	expect_list_error("1 ,2", "unexpected \" ,2\"");
	expect_list_error("0-3:2", "unexpected \":2\"");
	expect_list_error("1-2-3", "unexpected \"-3\"");
	expect_list_error("65536", "65536 is too large (limit 65535)");
	expect_list_error("0-99999999999999999999",
			  "99999999999999999999 is too large (limit 65535)");
}

Test(procattr, idset_first_missing)
{
	struct procattr_idset a = {0}, b = {0};
	struct berth_error err = {0};
	cr_assert_eq(procattr_parse_list("0-2,70", 1024, &a, &err), 0);
	cr_assert_eq(procattr_parse_list("0-3", 1024, &b, &err), 0);
	cr_assert_eq(procattr_idset_first_missing(&a, &b), 70);
	cr_assert_eq(procattr_idset_first_missing(&b, &a), 3);
	procattr_idset_free(&b);
	cr_assert_eq(procattr_parse_list("0-127", 1024, &b, &err), 0);
	cr_assert_eq(procattr_idset_first_missing(&a, &b), -1);
	procattr_idset_free(&a);
	procattr_idset_free(&b);
}

/* ---- parent checks ---- */

Test(procattr, empty_spec_is_fine)
{
	struct fixture f;
	fixture_init(&f);
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	cr_assert_eq(
	    procattr_plan_build(f.spec.process, f.spec.linux_, &plan, &err), 0);
	cr_assert(!plan.personality_set && !plan.sched_set &&
		  !plan.ioprio_set && !plan.mpol_set);
	cr_assert_null(plan.cpus_initial.bits);
	cr_assert_null(plan.cpus_final.bits);
	procattr_plan_free(&plan);
	/* Empty cpu lists and labels count as absent. */
	f.proc.exec_cpu_affinity.final = "";
	f.proc.apparmor_profile = "";
	f.proc.selinux_label = "";
	cr_assert_eq(procattr_check(&f.spec, &err), 0, "%s", err.msg);
}

Test(procattr, cpu_list_errors)
{
	struct fixture f;
	fixture_init(&f);
	f.proc.exec_cpu_affinity.initial = "1-";
	expect_plan_error(&f, "config.json: .process.execCPUAffinity.initial "
			      "\"1-\": expected a number at the end");
	f.proc.exec_cpu_affinity.initial = NULL;
	f.proc.exec_cpu_affinity.final = "0,,1";
	expect_plan_error(&f, "config.json: .process.execCPUAffinity.final "
			      "\"0,,1\": empty element");

	_cleanup_free_ char *online =
	    host_list("/sys/devices/system/cpu/online");
	char want[512];
	f.proc.exec_cpu_affinity.final = "0,4095";
	snprintf(want, sizeof(want),
		 "config.json: .process.execCPUAffinity.final \"0,4095\": CPU "
		 "4095 is not online on this host (online: %s)",
		 online);
	expect_plan_error(&f, want);
}

Test(procattr, node_list_errors)
{
	struct fixture f;
	fixture_init(&f);
	set_mpol(&f, "MPOL_BIND", 2, "0-");
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.nodes \"0-\": "
			      "expected a number at the end");
	set_mpol(&f, "MPOL_BIND", 2, NULL);
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.nodes: "
			      "MPOL_BIND needs at least one node");
	set_mpol(&f, "MPOL_INTERLEAVE", 3, "");
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.nodes: "
			      "MPOL_INTERLEAVE needs at least one node");
	set_mpol(&f, "MPOL_LOCAL", 4, "0");
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.nodes \"0\": "
			      "MPOL_LOCAL takes no nodes");
	set_mpol(&f, "MPOL_BIND", 2, "0");
	f.flags[0] = "MPOL_F_STATIC_NODES";
	f.flags[1] = "MPOL_F_RELATIVE_NODES";
	f.mpol.flags = f.flags;
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.flags: "
			      "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES "
			      "exclude each other");
	f.flags[0] = "MPOL_F_BOGUS";
	expect_plan_error(&f, "config.json: .linux.memoryPolicy.flags[0]: "
			      "unknown memory policy flag \"MPOL_F_BOGUS\"");
}

Test(procattr, node_beyond_host)
{
	struct stat st;
	if (stat("/sys/devices/system/node", &st) < 0)
		cr_skip_test("no NUMA support in this kernel");
	struct fixture f;
	fixture_init(&f);
	_cleanup_free_ char *online =
	    host_list("/sys/devices/system/node/online");
	_cleanup_free_ char *possible =
	    host_list("/sys/devices/system/node/possible");
	char want[512];
	set_mpol(&f, "MPOL_BIND", 2, "0,4000");
	snprintf(want, sizeof(want),
		 "config.json: .linux.memoryPolicy.nodes \"0,4000\": node 4000 "
		 "is not online on this host (online: %s)",
		 online);
	expect_plan_error(&f, want);
	f.flags[0] = "MPOL_F_STATIC_NODES";
	f.mpol.flags = f.flags;
	snprintf(want, sizeof(want),
		 "config.json: .linux.memoryPolicy.nodes \"0,4000\": node 4000 "
		 "is not possible on this host (possible: %s)",
		 possible);
	expect_plan_error(&f, want);
	/* Relative nodes are indices into the allowed set: no host check. */
	f.flags[0] = "MPOL_F_RELATIVE_NODES";
	struct berth_error err = {0};
	cr_assert_eq(procattr_check(&f.spec, &err), 0, "%s", err.msg);
}

Test(procattr, personality_flags_refused)
{
	struct fixture f;
	fixture_init(&f);
	f.pers.domain = "LINUX";
	f.flags[0] = "ADDR_NO_RANDOMIZE";
	f.pers.flags = f.flags;
	f.lnx.personality = &f.pers;
	expect_plan_error(&f, "config.json: .linux.personality.flags[0] "
			      "\"ADDR_NO_RANDOMIZE\": no personality flags are "
			      "supported (the runtime-spec defines none)");
}

Test(procattr, scheduler_errors)
{
	struct fixture f;
	fixture_init(&f);
	set_sched(&f, "SCHED_FIFO", SCHED_FIFO);
	expect_plan_error(&f, "config.json: .process.scheduler.priority: "
			      "SCHED_FIFO needs a priority in 1-99, not 0");
	f.proc.scheduler.priority = (struct oci_opt_i64){true, 100};
	expect_plan_error(&f, "config.json: .process.scheduler.priority: "
			      "SCHED_FIFO needs a priority in 1-99, not 100");
	set_sched(&f, "SCHED_BATCH", SCHED_BATCH);
	f.proc.scheduler.priority = (struct oci_opt_i64){true, 5};
	expect_plan_error(&f, "config.json: .process.scheduler.priority: "
			      "SCHED_BATCH takes no priority (only SCHED_FIFO "
			      "and SCHED_RR do), got 5");
	f.proc.scheduler.priority.set = false;
	set_sched(&f, "SCHED_ISO", 4);
	expect_plan_error(&f, "config.json: .process.scheduler.policy: "
			      "SCHED_ISO is not implemented by Linux");
	set_sched(&f, "SCHED_DEADLINE", 6);
	f.proc.scheduler.runtime = (struct oci_opt_u64){true, 20000000};
	f.proc.scheduler.deadline = (struct oci_opt_u64){true, 10000000};
	expect_plan_error(&f, "config.json: .process.scheduler: "
			      "SCHED_DEADLINE needs runtime <= deadline <= "
			      "period");
	f.proc.scheduler.deadline.v = 30000000;
	f.proc.exec_cpu_affinity.final = "0";
	expect_plan_error(&f, "config.json: .process.execCPUAffinity: cannot "
			      "be combined with SCHED_DEADLINE in "
			      ".process.scheduler");
	f.proc.exec_cpu_affinity.final = NULL;
	set_sched(&f, "SCHED_OTHER", SCHED_OTHER);
	f.flags[0] = "SCHED_FLAG_NOPE";
	f.proc.scheduler.flags = f.flags;
	expect_plan_error(&f, "config.json: .process.scheduler.flags[0]: "
			      "unknown scheduler flag \"SCHED_FLAG_NOPE\"");
}

/* ---- LSM ---- */

Test(procattr, lsm_absent_errors)
{
	if (lsm_apparmor_enabled() || lsm_selinux_enabled())
		cr_skip_test("this host has AppArmor or SELinux");
	struct fixture f;
	fixture_init(&f);
	f.proc.apparmor_profile = "foo";
	expect_plan_error(&f, "config.json: .process.apparmorProfile \"foo\": "
			      "AppArmor is not enabled on this host");
	f.proc.apparmor_profile = NULL;
	f.proc.selinux_label = "system_u:system_r:container_t:s0";
	expect_plan_error(&f, "config.json: .process.selinuxLabel "
			      "\"system_u:system_r:container_t:s0\": SELinux "
			      "is not enabled on this host");
	f.proc.selinux_label = NULL;
	f.lnx.mount_label = "system_u:object_r:container_file_t:s0";
	expect_plan_error(&f, "config.json: .linux.mountLabel "
			      "\"system_u:object_r:container_file_t:s0\": "
			      "SELinux is not enabled on this host");
	struct berth_error err = {0};
	cr_assert_eq(lsm_check(f.spec.process, f.spec.linux_, &err), -ENOTSUP);
}

static void mkfile(int dirfd, const char *path, const char *content)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdirat(dirfd, buf, 0755);
		*s = '/';
	}
	if (content == NULL) {
		cr_assert_eq(mkdirat(dirfd, path, 0755), 0);
		return;
	}
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write_all(fd, content, strlen(content)), 0);
	close(fd);
}

Test(procattr, lsm_detection_in_fake_root)
{
	char dir[] = "/tmp/test_procattr.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(rootfd, 0);
	cr_assert(!lsm_apparmor_enabled_at(rootfd));
	cr_assert(!lsm_selinux_enabled_at(rootfd));
	mkfile(rootfd, "sys/module/apparmor/parameters/enabled", "N\n");
	mkfile(rootfd, "sys/kernel/security/apparmor", NULL);
	cr_assert(!lsm_apparmor_enabled_at(rootfd));
	cr_assert_eq(
	    unlinkat(rootfd, "sys/module/apparmor/parameters/enabled", 0), 0);
	mkfile(rootfd, "sys/module/apparmor/parameters/enabled", "Y\n");
	cr_assert(lsm_apparmor_enabled_at(rootfd));
	mkfile(rootfd, "sys/fs/selinux/enforce", "1");
	cr_assert(lsm_selinux_enabled_at(rootfd));
	close(rootfd);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void child_lsm_write_fails(void)
{
	struct berth_error err = {0};
	CHECK(lsm_set_exec_labels(NULL, NULL, &err) == 0);
	CHECK(lsm_set_exec_labels("", "", &err) == 0);
	CHECK(lsm_set_exec_labels("foo", NULL, &err) < 0);
	const char *want = "process.apparmorProfile: write \"exec foo\" to "
			   "/proc/self/attr/";
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fprintf(stderr, "got: %s\n", err.msg);
	CHECK(strncmp(err.msg, want, strlen(want)) == 0);
	CHECK(lsm_set_exec_labels(NULL, "user_u:role_r:type_t:s0", &err) < 0);
	want = "process.selinuxLabel: write \"user_u:role_r:type_t:s0\" to "
	       "/proc/self/attr/exec: ";
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fprintf(stderr, "got: %s\n", err.msg);
	CHECK(strncmp(err.msg, want, strlen(want)) == 0);
}

Test(procattr, lsm_exec_label_write_fails_without_lsm)
{
	if (lsm_apparmor_enabled() || lsm_selinux_enabled())
		cr_skip_test("this host has AppArmor or SELinux");
	in_child(child_lsm_write_fails);
}

/* ---- child: apply and read back ---- */

static void child_personality(void)
{
	struct fixture f;
	fixture_init(&f);
	f.pers.domain = "LINUX32";
	f.lnx.personality = &f.pers;
	build_and_apply(&f);
	CHECK(personality(0xffffffff) == PER_LINUX32);
	struct utsname u;
	CHECK(uname(&u) == 0);
#if defined(__x86_64__)
	CHECK(strcmp(u.machine, "i686") == 0);
#endif
	f.pers.domain = "LINUX";
	build_and_apply(&f);
	CHECK(personality(0xffffffff) == PER_LINUX);
}

Test(procattr, apply_personality)
{
	in_child(child_personality);
}

static int get_sched(struct procattr_sched_attr *a)
{
	memset(a, 0, sizeof(*a));
	return (int)syscall(SYS_sched_getattr, 0, a, sizeof(*a), 0);
}

static void child_sched_batch(void)
{
	struct fixture f;
	fixture_init(&f);
	set_sched(&f, "SCHED_BATCH", SCHED_BATCH);
	f.proc.scheduler.nice = (struct oci_opt_i64){true, 5};
	f.flags[0] = "SCHED_FLAG_RESET_ON_FORK";
	f.proc.scheduler.flags = f.flags;
	build_and_apply(&f);
	struct procattr_sched_attr a;
	CHECK(get_sched(&a) == 0);
	CHECK(a.sched_policy == SCHED_BATCH);
	CHECK(a.sched_nice == 5);
	CHECK(a.sched_flags & 0x01);
	CHECK(sched_getscheduler(0) == (SCHED_BATCH | SCHED_RESET_ON_FORK));
}

Test(procattr, apply_scheduler_batch_nice)
{
	in_child(child_sched_batch);
}

static void child_sched_fifo(void)
{
	struct fixture f;
	fixture_init(&f);
	set_sched(&f, "SCHED_FIFO", SCHED_FIFO);
	f.proc.scheduler.priority = (struct oci_opt_i64){true, 10};
	build_and_apply(&f);
	struct procattr_sched_attr a;
	CHECK(get_sched(&a) == 0);
	CHECK(a.sched_policy == SCHED_FIFO);
	CHECK(a.sched_priority == 10);
}

Test(procattr, apply_scheduler_fifo)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (CAP_SYS_NICE)");
	in_child(child_sched_fifo);
}

static void child_sched_fifo_eperm(void)
{
	struct fixture f;
	fixture_init(&f);
	set_sched(&f, "SCHED_FIFO", SCHED_FIFO);
	f.proc.scheduler.priority = (struct oci_opt_i64){true, 50};
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	CHECK(procattr_plan_build(f.spec.process, f.spec.linux_, &plan, &err) ==
	      0);
	/* Without CAP_SYS_NICE and with RLIMIT_RTPRIO 0. */
	struct rlimit rl = {0, 0};
	CHECK(setrlimit(RLIMIT_RTPRIO, &rl) == 0);
	CHECK(setresuid(65534, 65534, 65534) == 0);
	CHECK(procattr_apply(&plan, &err) == -EPERM);
	if (strcmp(err.msg, "process.scheduler: sched_setattr SCHED_FIFO "
			    "priority 50: operation not permitted") != 0)
		fprintf(stderr, "got: %s\n", err.msg);
	CHECK(strcmp(err.msg, "process.scheduler: sched_setattr SCHED_FIFO "
			      "priority 50: operation not permitted") == 0);
	procattr_plan_free(&plan);
}

Test(procattr, apply_scheduler_fifo_eperm)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to become nobody");
	in_child(child_sched_fifo_eperm);
}

static void child_sched_deadline(void)
{
	struct fixture f;
	fixture_init(&f);
	set_sched(&f, "SCHED_DEADLINE", 6);
	f.proc.scheduler.runtime = (struct oci_opt_u64){true, 1000000};
	f.proc.scheduler.deadline = (struct oci_opt_u64){true, 10000000};
	f.proc.scheduler.period = (struct oci_opt_u64){true, 100000000};
	build_and_apply(&f);
	struct procattr_sched_attr a;
	CHECK(get_sched(&a) == 0);
	CHECK(a.sched_policy == 6);
	CHECK(a.sched_runtime == 1000000);
	CHECK(a.sched_deadline == 10000000);
	CHECK(a.sched_period == 100000000);
}

Test(procattr, apply_scheduler_deadline)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	in_child(child_sched_deadline);
}

static void child_ioprio(void)
{
	struct fixture f;
	fixture_init(&f);
	f.proc.io_priority =
	    (struct oci_io_priority){.set = true,
				     .class = "IOPRIO_CLASS_IDLE",
				     .class_num = 3,
				     .priority = 7};
	build_and_apply(&f);
	CHECK(syscall(SYS_ioprio_get, 1, 0) == ((3 << 13) | 7));
	f.proc.io_priority.class = "IOPRIO_CLASS_BE";
	f.proc.io_priority.class_num = 2;
	f.proc.io_priority.priority = 4;
	build_and_apply(&f);
	CHECK(syscall(SYS_ioprio_get, 1, 0) == ((2 << 13) | 4));
}

Test(procattr, apply_ioprio)
{
	in_child(child_ioprio);
}

static void child_ioprio_rt_eperm(void)
{
	struct fixture f;
	fixture_init(&f);
	f.proc.io_priority =
	    (struct oci_io_priority){.set = true,
				     .class = "IOPRIO_CLASS_RT",
				     .class_num = 1,
				     .priority = 0};
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	CHECK(procattr_plan_build(f.spec.process, f.spec.linux_, &plan, &err) ==
	      0);
	CHECK(setresuid(65534, 65534, 65534) == 0);
	CHECK(procattr_apply(&plan, &err) == -EPERM);
	const char *want = "process.ioPriority: ioprio_set IOPRIO_CLASS_RT "
			   "priority 0: operation not permitted";
	if (strcmp(err.msg, want) != 0)
		fprintf(stderr, "got: %s\n", err.msg);
	CHECK(strcmp(err.msg, want) == 0);
	procattr_plan_free(&plan);
}

Test(procattr, apply_ioprio_rt_eperm)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to become nobody");
	in_child(child_ioprio_rt_eperm);
}

static bool affinity_is(const char *list)
{
	cpu_set_t got, want;
	CPU_ZERO(&want);
	struct procattr_idset s = {0};
	struct berth_error err = {0};
	if (procattr_parse_list(list, CPU_SETSIZE, &s, &err) < 0)
		return false;
	for (unsigned int i = 0; i < CPU_SETSIZE; i++)
		if (procattr_idset_has(&s, i))
			CPU_SET(i, &want);
	procattr_idset_free(&s);
	if (sched_getaffinity(0, sizeof(got), &got) < 0)
		return false;
	return CPU_EQUAL(&got, &want);
}

static void child_affinity(void)
{
	struct fixture f;
	fixture_init(&f);
	const char *last = online_cpus() > 1 ? "1" : "0";
	f.proc.exec_cpu_affinity.initial = "0";
	f.proc.exec_cpu_affinity.final = (char *)last;
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	CHECK(procattr_plan_build(f.spec.process, f.spec.linux_, &plan, &err) ==
	      0);
	CHECK(procattr_apply_early(&plan, &err) == 0);
	CHECK(affinity_is("0"));
	CHECK(procattr_apply(&plan, &err) == 0);
	CHECK(affinity_is("0"));
	CHECK(procattr_apply_final(&plan, &err) == 0);
	CHECK(affinity_is(last));
	procattr_plan_free(&plan);
}

Test(procattr, apply_affinity_initial_then_final)
{
	in_child(child_affinity);
}

static void child_affinity_reset(void)
{
	struct fixture f;
	fixture_init(&f);
	f.proc.exec_cpu_affinity.initial = "0";
	struct procattr_plan plan = {0};
	struct berth_error err = {0};
	CHECK(procattr_plan_build(f.spec.process, f.spec.linux_, &plan, &err) ==
	      0);
	CHECK(plan.final_reset);
	CHECK(procattr_apply_early(&plan, &err) == 0);
	CHECK(affinity_is("0"));
	CHECK(procattr_apply_final(&plan, &err) == 0);
	char *online = NULL;
	CHECK(read_file_at(AT_FDCWD, "/sys/devices/system/cpu/online", &online,
			   NULL) == 0);
	online[strcspn(online, "\n")] = '\0';
	CHECK(affinity_is(online));
	free(online);
	procattr_plan_free(&plan);
}

Test(procattr, apply_affinity_final_defaults_to_all)
{
	in_child(child_affinity_reset);
}

static void child_mempolicy(void)
{
	struct fixture f;
	fixture_init(&f);
	set_mpol(&f, "MPOL_BIND", 2, "0");
	build_and_apply(&f);
	int mode = -1;
	unsigned long mask[16] = {0};
	CHECK(syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) == 0);
	CHECK(mode == 2);
	CHECK(mask[0] == 1);

	f.flags[0] = "MPOL_F_STATIC_NODES";
	f.mpol.flags = f.flags;
	set_mpol(&f, "MPOL_INTERLEAVE", 3, "0");
	build_and_apply(&f);
	CHECK(syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) == 0);
	CHECK(mode == (3 | (1 << 15)));

	f.mpol.flags = NULL;
	set_mpol(&f, "MPOL_DEFAULT", 0, NULL);
	build_and_apply(&f);
	CHECK(syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) == 0);
	CHECK(mode == 0);
}

Test(procattr, apply_mempolicy)
{
	struct stat st;
	if (stat("/sys/devices/system/node", &st) < 0)
		cr_skip_test("no NUMA support in this kernel");
	in_child(child_mempolicy);
}

/* All of it at once, in the order the child runs the steps. */
static void child_everything(void)
{
	struct fixture f;
	fixture_init(&f);
	f.pers.domain = "LINUX32";
	f.lnx.personality = &f.pers;
	set_sched(&f, "SCHED_BATCH", SCHED_BATCH);
	f.proc.scheduler.nice = (struct oci_opt_i64){true, 3};
	f.proc.io_priority =
	    (struct oci_io_priority){.set = true,
				     .class = "IOPRIO_CLASS_BE",
				     .class_num = 2,
				     .priority = 6};
	f.proc.exec_cpu_affinity.final = "0";
	set_mpol(&f, "MPOL_PREFERRED", 1, "0");
	build_and_apply(&f);
	CHECK(personality(0xffffffff) == PER_LINUX32);
	CHECK(sched_getscheduler(0) == SCHED_BATCH);
	CHECK(getpriority(PRIO_PROCESS, 0) == 3);
	CHECK(syscall(SYS_ioprio_get, 1, 0) == ((2 << 13) | 6));
	CHECK(affinity_is("0"));
	int mode = -1;
	unsigned long mask[16] = {0};
	CHECK(syscall(SYS_get_mempolicy, &mode, mask, 16 * 64, NULL, 0) == 0);
	CHECK(mode == 1 && mask[0] == 1);
}

Test(procattr, apply_everything)
{
	struct stat st;
	if (stat("/sys/devices/system/node", &st) < 0)
		cr_skip_test("no NUMA support in this kernel");
	in_child(child_everything);
}

/* ---- resources ---- */

Test(procattr, no_fd_or_memory_leaks_on_error_paths)
{
	struct fixture f;
	fixture_init(&f);
	struct berth_error err = {0};
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		fixture_init(&f);
		f.proc.exec_cpu_affinity.initial = "0";
		f.proc.exec_cpu_affinity.final = "0,4095";
		cr_assert_lt(procattr_check(&f.spec, &err), 0);
		fixture_init(&f);
		set_mpol(&f, "MPOL_BIND", 2, "0,4000");
		cr_assert_lt(procattr_check(&f.spec, &err), 0);
		fixture_init(&f);
		f.proc.apparmor_profile = "foo";
		f.proc.exec_cpu_affinity.initial = "0";
		procattr_check(&f.spec, &err);
		fixture_init(&f);
		f.proc.exec_cpu_affinity.initial = "0";
		set_mpol(&f, "MPOL_BIND", 2, "0");
		struct procattr_plan plan = {0};
		cr_assert_eq(procattr_plan_build(f.spec.process, f.spec.linux_,
						 &plan, &err),
			     0, "%s", err.msg);
		procattr_plan_free(&plan);
		procattr_plan_free(&plan); /* idempotent */
	}
	cr_assert_eq(count_fds(), before);
}
