/* Unit tests: cgroups/bpf_devices.c — the generated program, and real
 * enforcement in a cgroup v2 cgroup this test creates (and removes). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/bpf_devices.h"
#include "util/cleanup.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

#define ANY (-1)

static struct oci_device_cgroup rule(bool allow, const char *type,
				     int64_t major, int64_t minor,
				     const char *access)
{
	return (struct oci_device_cgroup){
	    .allow = allow,
	    .type = (char *)type,
	    .major = {.set = major != ANY, .v = major},
	    .minor = {.set = minor != ANY, .v = minor},
	    .access = (char *)access,
	};
}

#define DENY_ALL  rule(false, "a", ANY, ANY, "rwm")
#define ALLOW_ALL rule(true, "a", ANY, ANY, "rwm")

/* ---- the generator ---------------------------------------------------- */

static size_t gen(const struct oci_device_cgroup *r, size_t n,
		  struct bpf_insn **ret)
{
	struct berth_error err = {0};
	size_t len = 0;
	int rc = bpfdev_generate(r, n, ret, &len, &err);
	cr_assert_eq(rc, 0, "generate: %s", err.msg);
	return len;
}

static void assert_prologue_and_end(const struct bpf_insn *p, size_t n,
				    int verdict)
{
	cr_assert_eq(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
	cr_assert_eq(p[0].src_reg, BPF_REG_1);
	cr_assert_eq(p[0].off, 0);
	cr_assert_eq(p[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
	cr_assert_eq(p[n - 2].dst_reg, BPF_REG_0);
	cr_assert_eq(p[n - 2].imm, verdict);
	cr_assert_eq(p[n - 1].code, BPF_JMP | BPF_EXIT);
	/* Every jump lands inside the program. */
	for (size_t i = 0; i < n; i++)
		if (BPF_CLASS(p[i].code) == BPF_JMP32)
			cr_assert_lt(i + 1 + (size_t)p[i].off, n, "insn %zu",
				     i);
}

TestSuite(bpfdev_gen, .timeout = 10);

Test(bpfdev_gen, no_rules_denies_everything)
{
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = gen(NULL, 0, &p);
	cr_assert_eq(n, 8);
	assert_prologue_and_end(p, n, 0);
}

Test(bpfdev_gen, deny_all_then_one_device)
{
	struct oci_device_cgroup r[] = {DENY_ALL, rule(true, "c", 1, 3, "rw")};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = gen(r, 2, &p);
	/* prologue 6 + (type 1, access 3, major 1, minor 1, verdict 2) + 2 */
	cr_assert_eq(n, 16);
	assert_prologue_and_end(p, n, 0);
	cr_assert_eq(p[6].code, BPF_JMP32 | BPF_JNE | BPF_K);
	cr_assert_eq(p[6].imm, BPF_DEVCG_DEV_CHAR);
	cr_assert_eq(p[6].off, 7);  /* past the rest of its block */
	cr_assert_eq(p[12].imm, 1); /* allow */
}

Test(bpfdev_gen, catch_all_last_hides_the_rest)
{
	struct oci_device_cgroup r[] = {rule(true, "c", 1, 3, "rwm"),
					rule(false, NULL, ANY, ANY, NULL)};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = gen(r, 2, &p);
	cr_assert_eq(n, 8);
	assert_prologue_and_end(p, n, 0);

	struct oci_device_cgroup a[] = {DENY_ALL, ALLOW_ALL};
	_cleanup_free_ struct bpf_insn *q = NULL;
	n = gen(a, 2, &q);
	cr_assert_eq(n, 8);
	assert_prologue_and_end(q, n, 1);
}

Test(bpfdev_gen, wildcards_and_empty_access)
{
	struct oci_device_cgroup r[] = {
	    DENY_ALL, rule(true, "b", ANY, ANY, "rwm"),
	    rule(true, "c", 4294967295LL, ANY, "m"),
	    rule(true, "c", 5, 1, "")}; /* matches nothing: dropped */
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t n = gen(r, 4, &p);
	/* 6 + c:(1+3+1+2) + b:(1+2) + deny-all 2 */
	cr_assert_eq(n, 18);
	assert_prologue_and_end(p, n, 0);
	cr_assert_eq((uint32_t)p[10].imm, 4294967295U); /* major, 32-bit */
}

static void assert_gen_fails(struct oci_device_cgroup bad, const char *what)
{
	struct oci_device_cgroup r[] = {DENY_ALL, bad};
	struct berth_error err = {0};
	struct bpf_insn *p = (struct bpf_insn *)&err; /* must stay */
	size_t n = 42;
	int rc = bpfdev_generate(r, 2, &p, &n, &err);
	cr_assert_eq(rc, -EINVAL, "%s", what);
	cr_assert(strstr(err.msg, "devices[1]") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, what) != NULL, "%s", err.msg);
	cr_assert_eq(p, (struct bpf_insn *)&err);
	cr_assert_eq(n, 42);
}

Test(bpfdev_gen, bad_rules)
{
	assert_gen_fails(rule(true, "x", 1, 3, "rw"), "type 'x'");
	assert_gen_fails(rule(true, "cb", 1, 3, "rw"), "type 'cb'");
	assert_gen_fails(rule(true, "", 1, 3, "rw"), "type ''");
	assert_gen_fails(rule(true, "c", 1, 3, "rwx"), "access 'x'");
	assert_gen_fails(rule(false, "c", 1, 3, "R"), "access 'R'");
	assert_gen_fails(rule(true, "c", -2, 3, "r"), "major -2");
	assert_gen_fails(rule(true, "c", 1, 4294967296LL, "r"), "minor");
}

Test(bpfdev_gen, too_many_rules)
{
	struct berth_error err = {0};
	struct bpf_insn *p = NULL;
	size_t n = 0;
	cr_assert_eq(bpfdev_generate(NULL, SIZE_MAX / 2, &p, &n, &err), -E2BIG);
	cr_assert_null(p);
}

/* ---- enforcement in a cgroup of our own ------------------------------- */

static char cg_path[512]; /* the test cgroup, "" until created */
static char tmpdir[64];	  /* for mknod, "" until created */
static int cg_fd = -1;
static pid_t child = -1;

/* The cgroup2 mount: /sys/fs/cgroup on a pure v2 host, .../unified on a
 * hybrid one. */
static const char *cgroup2_root(void)
{
	static const char *const cands[] = {"/sys/fs/cgroup/unified",
					    "/sys/fs/cgroup"};
	for (size_t i = 0; i < ARRAY_SIZE(cands); i++) {
		struct statfs sf;
		if (statfs(cands[i], &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			return cands[i];
	}
	return NULL;
}

/* Our own cgroup2 cgroup: the "0::/path" line of /proc/self/cgroup. */
static void own_cgroup(char *buf, size_t sz)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	cr_assert_eq(read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, &len),
		     0);
	char *line = strstr(text, "0::/");
	cr_assert_not_null(line, "no cgroup2 line in /proc/self/cgroup");
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	snprintf(buf, sz, "%s", strcmp(line, "/") == 0 ? "" : line);
}

/* A run that was killed (a timeout) cannot run its .fini: remove the empty
 * berth-test-bpf-<pid> cgroups under @dir whose <pid> is gone.  rmdir
 * takes only empty cgroups, and nothing else matches the name. */
static void remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		int pid;
		if (sscanf(e->d_name, "berth-test-bpf-%d", &pid) != 1 ||
		    kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	if (d != NULL)
		closedir(d);
}

static void cg_setup(void)
{
	const char *root = cgroup2_root();
	if (root == NULL || geteuid() != 0)
		cr_skip_test("needs root and a cgroup2 mount");
	char own[256];
	own_cgroup(own, sizeof(own));
	char parent[384];
	snprintf(parent, sizeof(parent), "%s%s", root, own);
	remove_stale(parent);
	snprintf(cg_path, sizeof(cg_path), "%s/berth-test-bpf-%d", parent,
		 (int)getpid());
	cr_assert_eq(mkdir(cg_path, 0755), 0, "mkdir %s: %m", cg_path);
	cg_fd = open(cg_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(cg_fd, 0);
	strcpy(tmpdir, "/tmp/berth-test-bpf-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

/* Runs even when a test failed: kill our child, remove what we made. */
static void cg_teardown(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	if (cg_fd >= 0)
		close(cg_fd);
	cg_fd = -1;
	if (tmpdir[0] != '\0')
		rm_tree(tmpdir);
	if (cg_path[0] != '\0') {
		/* An exited task leaves its cgroup a moment after it is
		 * reaped. */
		for (int i = 0; i < 100 && rmdir(cg_path) < 0 && errno == EBUSY;
		     i++)
			usleep(10000);
		struct stat st;
		cr_assert(stat(cg_path, &st) < 0, "cgroup %s left", cg_path);
	}
}

TestSuite(bpfdev_cg, .init = cg_setup, .fini = cg_teardown, .timeout = 30);

static void apply(const struct oci_device_cgroup *r, size_t n)
{
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t len = gen(r, n, &p);
	struct berth_error err = {0};
	cr_assert_eq(bpfdev_attach(cg_fd, p, len, &err), 0, "attach: %s",
		     err.msg);
}

/* One operation in the child: "r /dev/zero", "rw /dev/null",
 * "mknod c 1 3".  Writes "ok" or the errno name. */
static void child_op(const char *op, int idx, char *out, size_t sz)
{
	char kind = 0, path[64];
	unsigned maj, min;
	int rc;
	if (sscanf(op, "mknod %c %u %u", &kind, &maj, &min) == 3) {
		char node[128];
		snprintf(node, sizeof(node), "%s/n%d", tmpdir, idx);
		rc = mknod(node, (kind == 'b' ? S_IFBLK : S_IFCHR) | 0600,
			   makedev(maj, min));
		if (rc == 0)
			unlink(node);
	} else if (sscanf(op, "rw %63s", path) == 1) {
		rc = open(path, O_RDWR | O_CLOEXEC);
	} else if (sscanf(op, "r %63s", path) == 1) {
		rc = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		errno = EINVAL;
		rc = -1;
	}
	if (rc >= 0 && kind == 0)
		close(rc);
	snprintf(out, sz, "%s", rc >= 0 ? "ok" : strerrorname_np(errno));
}

static void child_main(int go, int res, const char *const *ops)
{
	char c, line[512] = "", one[32];
	if (read(go, &c, 1) != 1) /* wait until we are in the cgroup */
		_exit(2);
	for (int i = 0; ops[i] != NULL; i++) {
		child_op(ops[i], i, one, sizeof(one));
		strcat(line, i > 0 ? " " : "");
		strcat(line, one);
	}
	_exit(write(res, line, strlen(line)) < 0 ? 3 : 0);
}

/* Fork a child, put it in the test cgroup, let it run @ops; returns what
 * it saw, e.g. "ok EPERM". */
static char *run_in_cgroup(const char *const *ops)
{
	int go[2], res[2];
	cr_assert_eq(pipe2(go, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(res, O_CLOEXEC), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(go[1]);
		close(res[0]);
		child_main(go[0], res[1], ops);
	}
	close(go[0]);
	close(res[1]);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)child);
	cr_assert_eq(write_str_at(cg_fd, "cgroup.procs", pid), 0);
	cr_assert_eq(write(go[1], "x", 1), 1);
	close(go[1]);
	static char out[512];
	ssize_t n = read(res[0], out, sizeof(out) - 1);
	close(res[0]);
	int st;
	cr_assert_eq(waitpid(child, &st, 0), child);
	child = -1;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
	out[n > 0 ? n : 0] = '\0';
	return out;
}

/* The child runs the ops (the varargs) and must see @want_. */
#define EXPECT(want_, ...)                                                     \
	do {                                                                   \
		static const char *const o_[] = {__VA_ARGS__, NULL};           \
		const char *got_ = run_in_cgroup(o_);                          \
		cr_assert_str_eq(got_, want_, "saw \"%s\", want \"%s\"", got_, \
				 want_);                                       \
	} while (0)

#define OPS_ALL "rw /dev/null", "r /dev/zero", "rw /dev/zero", "mknod c 1 3"

Test(bpfdev_cg, no_program_allows_all)
{
	EXPECT("ok ok ok ok", OPS_ALL);
}

Test(bpfdev_cg, deny_all_allow_null_rw)
{
	struct oci_device_cgroup r[] = {DENY_ALL, rule(true, "c", 1, 3, "rw")};
	apply(r, 2);
	EXPECT("ok EPERM EPERM EPERM", OPS_ALL);
}

Test(bpfdev_cg, deny_all_then_allow_all)
{
	struct oci_device_cgroup r[] = {DENY_ALL, ALLOW_ALL};
	apply(r, 2);
	EXPECT("ok ok ok ok", OPS_ALL);
}

Test(bpfdev_cg, later_deny_wins)
{
	struct oci_device_cgroup r[] = {DENY_ALL, ALLOW_ALL,
					rule(false, "c", 1, 5, "rwm")};
	apply(r, 3);
	EXPECT("ok EPERM EPERM ok", OPS_ALL);
}

Test(bpfdev_cg, later_allow_wins)
{
	struct oci_device_cgroup r[] = {DENY_ALL, rule(false, "c", 1, 5, "r"),
					rule(true, "c", 1, ANY, "r")};
	apply(r, 3);
	EXPECT("EPERM ok EPERM EPERM", OPS_ALL);
}

Test(bpfdev_cg, partial_deny_refuses_any_overlap)
{
	/* "deny w" after "allow rwm": read-only still works, O_RDWR (r and
	 * w asked together) does not. */
	struct oci_device_cgroup r[] = {ALLOW_ALL, rule(false, "c", 1, 5, "w")};
	apply(r, 2);
	EXPECT("ok ok EPERM ok", OPS_ALL);
}

Test(bpfdev_cg, allow_needs_all_requested_bits)
{
	/* r and w in two rules do not make an O_RDWR open. */
	struct oci_device_cgroup r[] = {DENY_ALL, rule(true, "c", 1, 3, "r"),
					rule(true, "c", 1, 3, "w")};
	apply(r, 3);
	EXPECT("ok EPERM", "r /dev/null", "rw /dev/null");
}

Test(bpfdev_cg, block_wildcard_major)
{
	struct oci_device_cgroup r[] = {DENY_ALL,
					rule(true, "b", ANY, ANY, "m"),
					rule(true, "c", 1, 3, "rwm")};
	apply(r, 3);
	EXPECT("ok ok ok EPERM EPERM", "mknod b 7 0", "mknod b 250 3",
	       "mknod c 1 3", "mknod c 1 5", "r /dev/zero");
}

Test(bpfdev_cg, update_replaces_program)
{
	struct oci_device_cgroup deny[] = {DENY_ALL,
					   rule(true, "c", 1, 3, "rw")};
	struct oci_device_cgroup all[] = {ALLOW_ALL};
	apply(deny, 2);
	apply(all, 1);
	unsigned ids[4];
	size_t n = 0;
	struct berth_error err = {0};
	cr_assert_eq(bpfdev_query(cg_fd, ids, 4, &n, &err), 0, "%s", err.msg);
	cr_assert_eq(n, 1);
	EXPECT("ok ok ok ok", OPS_ALL);
	apply(deny, 2);
	EXPECT("ok EPERM EPERM EPERM", OPS_ALL);
}

/* A device program that is not berth's: allows everything. */
static int load_foreign(void)
{
	struct bpf_insn p[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1},
	    {.code = BPF_JMP | BPF_EXIT}};
	union bpf_attr a = {.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
			    .insns = (uintptr_t)p,
			    .insn_cnt = 2,
			    .license = (uintptr_t) "GPL",
			    .prog_name = "not_berth"};
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
}

Test(bpfdev_cg, others_programs_are_left_alone)
{
	_cleanup_close_ int fd = load_foreign();
	cr_assert_geq(fd, 0, "load: %m");
	union bpf_attr a = {.target_fd = (uint32_t)cg_fd,
			    .attach_bpf_fd = (uint32_t)fd,
			    .attach_type = BPF_CGROUP_DEVICE,
			    .attach_flags = BPF_F_ALLOW_MULTI};
	cr_assert_eq(syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)), 0);
	struct oci_device_cgroup r[] = {ALLOW_ALL,
					rule(false, "c", 1, 5, "rwm")};
	apply(r, 2);
	apply(r, 2);
	size_t n = 0;
	struct berth_error err = {0};
	cr_assert_eq(bpfdev_query(cg_fd, NULL, 0, &n, &err), 0);
	cr_assert_eq(n, 2);
	/* Both run; a device needs both to allow it. */
	EXPECT("ok EPERM EPERM ok", OPS_ALL);
}

Test(bpfdev_cg, verifier_log_in_message)
{
	struct bpf_insn bad[] = {{.code = BPF_JMP | BPF_EXIT}}; /* r0 unset */
	struct berth_error err = {0};
	int rc = bpfdev_attach(cg_fd, bad, 1, &err);
	cr_assert_lt(rc, 0);
	cr_assert(strstr(err.msg, "verifier") != NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "R0") != NULL, "%s", err.msg);
	cr_assert(strchr(err.msg, '\n') == NULL, "%s", err.msg);
	cr_assert_eq(bpfdev_attach(cg_fd, bad, 0, &err), -EINVAL);
}

Test(bpfdev_cg, no_fd_leak)
{
	struct oci_device_cgroup good[] = {DENY_ALL,
					   rule(true, "c", 1, 3, "rw")};
	struct oci_device_cgroup bad[] = {rule(true, "z", 1, 3, "rw")};
	_cleanup_free_ struct bpf_insn *p = NULL;
	size_t len = gen(good, 2, &p);
	struct bpf_insn exit_only[] = {{.code = BPF_JMP | BPF_EXIT}};
	struct berth_error err = {0};
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		struct bpf_insn *q = NULL;
		size_t n;
		cr_assert_lt(bpfdev_generate(bad, 1, &q, &n, &err), 0);
		cr_assert_lt(bpfdev_attach(cg_fd, exit_only, 1, &err), 0);
		cr_assert_lt(bpfdev_attach(-1, p, len, &err), 0);
		if (i % 5 == 0)
			cr_assert_eq(bpfdev_attach(cg_fd, p, len, &err), 0,
				     "%s", err.msg);
	}
	cr_assert_eq(count_fds(), before);
	size_t n = 0;
	cr_assert_eq(bpfdev_query(cg_fd, NULL, 0, &n, &err), 0);
	cr_assert_eq(n, 1);
}

Test(bpfdev_cg, verifier_accepts_every_rule_shape)
{
	/* Every combination of type, access, major and minor, both
	 * verdicts: 3 * 8 * 2 * 2 * 2 = 192 rules after a deny-all. */
	static const char *const types[] = {"a", "c", "b"};
	static const char *const acc[] = {"",	"r",  "w",  "m",
					  "rw", "rm", "wm", "rwm"};
	struct oci_device_cgroup r[193] = {DENY_ALL};
	size_t n = 1;
	for (size_t t = 0; t < 3; t++)
		for (size_t a = 0; a < 8; a++)
			for (int m = 0; m < 8; m++)
				r[n++] = rule(
				    m & 4, types[t], m & 1 ? 10 + (int)a : ANY,
				    m & 2 ? 20 + (int)t : ANY, acc[a]);
	/* The catch-all "a *:* rwm" ones would hide the rest: drop them. */
	for (size_t i = 1; i < n; i++)
		if (strcmp(r[i].type, "a") == 0 && !r[i].major.set &&
		    !r[i].minor.set && strcmp(r[i].access, "rwm") == 0)
			r[i].access = "rw";
	apply(r, n);
	EXPECT("ok ok", "rw /dev/null", "r /dev/zero");
}
