/*
 * runtime/idmap.c: user namespaces for idmapped mounts and the plan that
 * builds idmapped trees before clone.  Scenarios run in a forked child
 * with its own mount namespace (as test_mounts.c); the child's exit code
 * says pass (0) or fail, and it prints what failed on stderr.
 *
 * Reminder of the direction (the spec's, runc's and the kernel's): a
 * mapping {containerID c, hostID h, size n} shows an id c+k stored in the
 * filesystem as h+k through the mount, and stores a file created through
 * the mount by h+k as c+k.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/rootfs/idmap.h"
#include "runtime/rootfs/mounts.h"
#include "util/cleanup.h"
#include "util/util.h"
#include "tests/unit/testutil.h"

struct ctx {
	char dir[256];	   /* temp dir = bundle */
	char rootfs[300];  /* dir/rootfs */
	char hostdir[300]; /* dir/host: the host directory bound in */
};

static void mkdirf(const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "%s", p);
}

/* host/ and host/f owned by 1000:1000, host/root owned by 0:0. */
static void ctx_init(struct ctx *c)
{
	char p[512];

	snprintf(c->dir, sizeof(c->dir), "/tmp/berth-idmap-XXXXXX");
	cr_assert_not_null(mkdtemp(c->dir));
	cr_assert(chmod(c->dir, 0755) == 0);
	snprintf(c->rootfs, sizeof(c->rootfs), "%s/rootfs", c->dir);
	snprintf(c->hostdir, sizeof(c->hostdir), "%s/host", c->dir);
	mkdirf("%s", c->rootfs);
	mkdirf("%s/mnt", c->rootfs);
	mkdirf("%s", c->hostdir);
	mkdirf("%s/sub", c->hostdir);
	cr_assert(chown(c->hostdir, 1000, 1000) == 0);
	cr_assert(chmod(c->hostdir, 0777) == 0);
	snprintf(p, sizeof(p), "%s/f", c->hostdir);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(fd >= 0 && fchown(fd, 1000, 1000) == 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/root", c->hostdir);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	cr_assert(fd >= 0);
	close(fd);
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static void ctx_done(struct ctx *c)
{
	nftw(c->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

typedef int (*scenario)(struct ctx *c);

static int wait_code(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 200;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Fork; the child gets a private mount namespace and runs @fn. */
static int run(scenario fn, struct ctx *c)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
			_exit(100);
		_exit(fn(c));
	}
	return wait_code(pid);
}

static void run_ok(scenario fn)
{
	struct ctx c;
	ctx_init(&c);
	int code = run(fn, &c);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}

static int owner_of(const char *dir, const char *name, uid_t *uid, gid_t *gid)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (stat(p, &st) < 0)
		return -errno;
	*uid = st.st_uid;
	*gid = st.st_gid;
	return 0;
}

static int create_in(const char *dir, const char *name)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* ---- idmap_userns_open ---- */

/* setns() into @nsfd in a forked child and compare /proc/self/@file with
 * @want (lines "inside outside count", whitespace-insensitive). */
static int map_reads_back(int nsfd, const char *file, const char *want)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char path[64], buf[4096], norm[4096] = "";
		unsigned a, b, n;
		if (setns(nsfd, CLONE_NEWUSER) < 0)
			_exit(101);
		snprintf(path, sizeof(path), "/proc/self/%s", file);
		FILE *f = fopen(path, "re");
		if (f == NULL)
			_exit(102);
		while (fgets(buf, sizeof(buf), f) &&
		       sscanf(buf, "%u %u %u", &a, &b, &n) == 3) {
			size_t l = strlen(norm);
			snprintf(norm + l, sizeof(norm) - l, "%u %u %u\n", a, b,
				 n);
		}
		fclose(f);
		if (strcmp(norm, want) != 0) {
			fprintf(stderr, "%s: got\n%swant\n%s", file, norm,
				want);
			_exit(103);
		}
		_exit(0);
	}
	return wait_code(pid);
}

Test(idmap, userns_maps_read_back)
{
	struct oci_id_mapping u[] = {{0, 1000, 1}, {5, 2000, 10}};
	struct oci_id_mapping g[] = {{0, 3000, 1}};
	struct berth_error err = {0};
	int fd = -1;

	cr_assert_eq(idmap_userns_open(u, 2, g, 1, &fd, &err), 0, "%s",
		     err.msg);
	cr_assert(fd >= 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_eq(map_reads_back(fd, "uid_map", "0 1000 1\n5 2000 10\n"), 0);
	cr_assert_eq(map_reads_back(fd, "gid_map", "0 3000 1\n"), 0);
	close(fd);
	/* the helper is reaped */
	cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
}

Test(idmap, userns_errors_and_fd_leak)
{
	struct oci_id_mapping u = {0, 1000, 1};
	struct oci_id_mapping overlap[] = {{0, 1000, 10}, {5, 5000, 1}};
	struct berth_error err = {0};
	int fd = -1;

	cr_assert_eq(idmap_userns_open(&u, 1, NULL, 0, &fd, &err), -EINVAL);
	cr_assert(strstr(err.msg, "both uidMappings and gidMappings"));
	cr_assert_eq(fd, -1);
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		/* the kernel refuses overlapping ranges */
		cr_assert(idmap_userns_open(overlap, 2, &u, 1, &fd, &err) < 0);
		cr_assert(strstr(err.msg, "idmap user namespace: write "), "%s",
			  err.msg);
		cr_assert_eq(idmap_userns_open(&u, 1, &u, 1, &fd, &err), 0);
		close(fd);
	}
	cr_assert_eq(count_fds(), before);
	cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
}

/* ---- idmapped bind mounts through the plan ---- */

/* The plan's steps as the runtime runs them: the trees are built "in the
 * parent" (before the second unshare), the mounts "in the child". */
static int plan_and_mount(struct mounts_plan *plan)
{
	CKR(mounts_plan_idmaps(plan, &e_));
	CK(unshare(CLONE_NEWNS) == 0);
	CKR(mounts_prepare_rootfs(plan, &e_));
	CKR(mounts_do_mounts(plan, &e_));
	mounts_plan_close(plan);
	return 0;
}

/* containerID 1000 hostID 0: the host's 1000 is root through the mount,
 * and what root creates through it belongs to 1000 on the host. */
static int bind_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {1000, 0, 1};
	struct oci_mount m = {.destination = "/mnt",
			      .type = "bind",
			      .source = c->hostdir,
			      .options = (char *[]){"bind", "idmap", NULL},
			      .uid_mappings = &map,
			      .uid_mappings_n = 1,
			      .gid_mappings = &map,
			      .gid_mappings_n = 1};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};
	char mnt[512];
	uid_t u = 0;
	gid_t g = 0;

	CK(plan_and_mount(&plan) == 0);
	snprintf(mnt, sizeof(mnt), "%s/mnt", c->rootfs);
	CK(owner_of(mnt, "f", &u, &g) == 0 && u == 0 && g == 0);
	CK(owner_of(mnt, ".", &u, &g) == 0 && u == 0 && g == 0);
	/* host 0 is not mapped: overflow id */
	CK(owner_of(mnt, "root", &u, &g) == 0 && u == 65534 && g == 65534);
	CK(create_in(mnt, "new") == 0);
	CK(owner_of(c->hostdir, "new", &u, &g) == 0 && u == 1000 && g == 1000);
	CK(owner_of(mnt, "new", &u, &g) == 0 && u == 0 && g == 0);
	/* a caller the mapping does not cover cannot create */
	CK(setresgid(5, 5, 5) == 0 && setresuid(5, 5, 5) == 0);
	CK(create_in(mnt, "nobody") == -EOVERFLOW);
	return 0;
}

Test(idmap, bind_mount_maps_owners, .timeout = 30)
{
	run_ok(bind_scenario);
}

/* Without the idmap option, uidMappings alone make the mount idmapped
 * (as runc); the spec's example direction 0 -> 100000. */
static int no_option_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {0, 100000, 65536};
	struct oci_mount m = {.destination = "/mnt",
			      .type = "none",
			      .source = c->hostdir,
			      .options = (char *[]){"rbind", NULL},
			      .uid_mappings = &map,
			      .uid_mappings_n = 1,
			      .gid_mappings = &map,
			      .gid_mappings_n = 1};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};
	char mnt[512];
	uid_t u = 0;
	gid_t g = 0;

	CK(plan_and_mount(&plan) == 0);
	snprintf(mnt, sizeof(mnt), "%s/mnt", c->rootfs);
	CK(owner_of(mnt, "root", &u, &g) == 0 && u == 100000 && g == 100000);
	CK(owner_of(mnt, "f", &u, &g) == 0 && u == 101000 && g == 101000);
	return 0;
}

Test(idmap, mappings_without_option, .timeout = 30)
{
	run_ok(no_option_scenario);
}

/* A tmpfs on host/sub (tmpfs supports idmapped mounts): "ridmap" maps it
 * too, "idmap" on an rbind only the top mount. */
static int ridmap_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {1000, 0, 1};
	char sub[512], p[600];
	struct oci_mount m[2] = {
	    {.destination = "/mnt",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"rbind", "ridmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	    {.destination = "/mnt2",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"rbind", "idmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	};
	struct oci_spec spec = {.mounts = m, .mounts_n = 2};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};
	uid_t u = 0;
	gid_t g = 0;

	snprintf(sub, sizeof(sub), "%s/sub", c->hostdir);
	CK(mount("tmpfs", sub, "tmpfs", 0, "mode=755") == 0);
	snprintf(p, sizeof(p), "%s/x", sub);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CK(fd >= 0 && fchown(fd, 1000, 1000) == 0);
	close(fd);
	CK(plan_and_mount(&plan) == 0);
	snprintf(p, sizeof(p), "%s/mnt/sub", c->rootfs);
	CK(owner_of(p, "x", &u, &g) == 0 && u == 0 && g == 0);
	snprintf(p, sizeof(p), "%s/mnt2", c->rootfs);
	CK(owner_of(p, "f", &u, &g) == 0 && u == 0 && g == 0);
	snprintf(p, sizeof(p), "%s/mnt2/sub", c->rootfs);
	CK(owner_of(p, "x", &u, &g) == 0 && u == 1000 && g == 1000);
	return 0;
}

Test(idmap, ridmap_maps_submounts, .timeout = 30)
{
	run_ok(ridmap_scenario);
}

/* "idmap" without mappings takes the container's user namespace mapping;
 * the container child, in that namespace, sees the host's 0 as its root
 * and creates files owned by 0 on the host.  The tree is built outside
 * the namespace (a child inside it could not), attached inside. */
static int userns_inner(struct ctx *c, struct mounts_plan *plan)
{
	char mnt[512];
	uid_t u = 0;
	gid_t g = 0;

	CK(setresgid(0, 0, 0) == 0 && setresuid(0, 0, 0) == 0);
	CKR(mounts_prepare_rootfs(plan, &e_));
	CKR(mounts_do_mounts(plan, &e_));
	mounts_plan_close(plan);
	snprintf(mnt, sizeof(mnt), "%s/mnt", c->rootfs);
	CK(owner_of(mnt, "root", &u, &g) == 0 && u == 0 && g == 0);
	CK(owner_of(mnt, "f", &u, &g) == 0 && u == 1000 && g == 1000);
	CK(create_in(mnt, "byroot") == 0);
	return 0;
}

static int userns_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {0, 100000, 65536};
	struct oci_mount m = {.destination = "/mnt",
			      .type = "bind",
			      .source = c->hostdir,
			      .options = (char *[]){"bind", "idmap", NULL}};
	struct oci_namespace ns[] = {{.type = OCI_NS_USER},
				     {.type = OCI_NS_MOUNT}};
	struct oci_linux lin = {.namespaces = ns,
				.namespaces_n = 2,
				.uid_mappings = &map,
				.uid_mappings_n = 1,
				.gid_mappings = &map,
				.gid_mappings_n = 1};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1, .linux_ = &lin};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .in_userns = true,
				   .new_mount_ns = true};
	int go[2], ready[2];
	char p[64], b, line[] = "0 100000 65536\n";
	uid_t u = 0;
	gid_t g = 0;

	CK(chown(c->hostdir, 0, 0) == 0);
	CKR(mounts_plan_idmaps(&plan, &e_));
	CK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(101);
		close(go[1]);
		close(ready[1]);
		_exit(read(go[0], &b, 1) == 0 ? userns_inner(c, &plan) : 102);
	}
	mounts_plan_idmaps_close(&plan);
	close(go[0]);
	close(ready[1]);
	CK(read(ready[0], &b, 1) == 0);
	snprintf(p, sizeof(p), "/proc/%d/uid_map", pid);
	int r1 = write_str_at(AT_FDCWD, p, line);
	snprintf(p, sizeof(p), "/proc/%d/gid_map", pid);
	int r2 = write_str_at(AT_FDCWD, p, line);
	close(go[1]);
	CK(wait_code(pid) == 0 && r1 == 0 && r2 == 0);
	CK(owner_of(c->hostdir, "byroot", &u, &g) == 0 && u == 0 && g == 0);
	return 0;
}

Test(idmap, container_userns_mapping, .timeout = 30)
{
	run_ok(userns_scenario);
}

/* A joined user namespace (linux.namespaces[].path): "idmap" without
 * mappings uses that namespace itself. */
static int joined_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {0, 100000, 65536};
	struct oci_mount m = {.destination = "/mnt",
			      .type = "bind",
			      .source = c->hostdir,
			      .options = (char *[]){"bind", "idmap", NULL}};
	char path[64], mnt[512];
	int nsfd = -1;
	uid_t u = 0;
	gid_t g = 0;

	CKR(idmap_userns_open(&map, 1, &map, 1, &nsfd, &e_));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", nsfd);
	struct oci_namespace ns[] = {{.type = OCI_NS_USER, .path = path}};
	struct oci_linux lin = {.namespaces = ns, .namespaces_n = 1};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1, .linux_ = &lin};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};

	CK(plan_and_mount(&plan) == 0);
	close(nsfd);
	snprintf(mnt, sizeof(mnt), "%s/mnt", c->rootfs);
	CK(owner_of(mnt, "root", &u, &g) == 0 && u == 100000 && g == 100000);
	CK(owner_of(mnt, "f", &u, &g) == 0 && u == 101000 && g == 101000);
	return 0;
}

Test(idmap, joined_userns, .timeout = 30)
{
	run_ok(joined_scenario);
}

/* ---- errors ---- */

static int expect_err(struct mounts_plan *plan, int code, const char *msg)
{
	struct berth_error err = {0};

	int r = mounts_plan_idmaps(plan, &err);
	if (r != -code || strstr(err.msg, msg) == NULL) {
		fprintf(stderr, "got %d '%s', want %d '%s'\n", r, err.msg,
			-code, msg);
		return 1;
	}
	CK(plan->idmap_fds == NULL);
	return 0;
}

static int errors_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {0, 1000, 1};
	char missing[400];
	snprintf(missing, sizeof(missing), "%s/missing", c->dir);
	struct oci_mount m[] = {
	    {.destination = "/ok",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"bind", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	    {.destination = "/t",
	     .type = "tmpfs",
	     .source = "tmpfs",
	     .options = (char *[]){"idmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	    {.destination = "/u",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"bind", "idmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1},
	    {.destination = "/n",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"rbind", "ridmap", NULL}},
	    {.destination = "/s",
	     .type = "bind",
	     .source = missing,
	     .options = (char *[]){"bind", "idmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	    {.destination = "/r",
	     .type = "bind",
	     .source = c->hostdir,
	     .options = (char *[]){"bind", "remount", "idmap", NULL},
	     .uid_mappings = &map,
	     .uid_mappings_n = 1,
	     .gid_mappings = &map,
	     .gid_mappings_n = 1},
	};
	struct oci_mount pair[2] = {m[0]};
	struct oci_spec spec = {.mounts = pair, .mounts_n = 2};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};
	const char *want[] = {
	    NULL,
	    "mount 1 (/t): only bind mounts can be idmapped",
	    "mount 1 (/u): uidMappings and gidMappings must be given together",
	    "mount 1 (/n): idmap without uidMappings and gidMappings needs a "
	    "user namespace",
	    "mount 1 (/s): open bind source '",
	    "mount 1 (/r): only bind mounts can be idmapped",
	};
	int before = count_fds();
	for (int k = 0; k < 100; k++)
		for (size_t i = 1; i < ARRAY_SIZE(m); i++) {
			/* after a good one, whose tree is closed again */
			pair[1] = m[i];
			int code = i == 4 ? ENOENT : EINVAL;
			if (expect_err(&plan, code, want[i])) {
				fprintf(stderr, "case %zu\n", i);
				return 1;
			}
		}
	/* and success, closed again */
	spec.mounts = m;
	spec.mounts_n = 1;
	for (int k = 0; k < 100; k++) {
		CKR(mounts_plan_idmaps(&plan, &e_));
		CK(plan.idmap_fds && plan.idmap_fds_n == 1 &&
		   plan.idmap_fds[0] >= 0);
		mounts_plan_idmaps_close(&plan);
		CK(plan.idmap_fds == NULL);
	}
	CK(count_fds() == before);
	CK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
	return 0;
}

Test(idmap, errors_and_fd_leak, .timeout = 60)
{
	run_ok(errors_scenario);
}

/* No mount asks: nothing is allocated.  Not prepared (the caller skipped
 * mounts_plan_idmaps): the child refuses instead of mounting unmapped. */
static int unprepared_scenario(struct ctx *c)
{
	struct oci_mount m = {.destination = "/mnt",
			      .type = "bind",
			      .source = c->hostdir,
			      .options = (char *[]){"bind", NULL}};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};
	struct berth_error err = {0};

	CKR(mounts_plan_idmaps(&plan, &e_));
	CK(plan.idmap_fds == NULL);
	m.options = (char *[]){"bind", "idmap", NULL};
	CKR(mounts_prepare_rootfs(&plan, &e_));
	CK(mounts_do_mounts(&plan, &err) == -EOPNOTSUPP);
	CK(strstr(err.msg, "mount 0 (/mnt): idmapped mount: not prepared") !=
	   NULL);
	mounts_plan_close(&plan);
	return 0;
}

Test(idmap, unprepared_is_refused, .timeout = 30)
{
	run_ok(unprepared_scenario);
}

/* Identical mappings share one user namespace; the trees are distinct. */
static int shared_ns_scenario(struct ctx *c)
{
	struct oci_id_mapping map = {1000, 0, 1};
	char *o_bind[] = {"bind", NULL};
	struct oci_mount m[3];
	for (size_t i = 0; i < 3; i++)
		m[i] = (struct oci_mount){
		    .destination = "/mnt",
		    .type = "bind",
		    .source = c->hostdir,
		    .options = o_bind,
		    .uid_mappings = &map,
		    .uid_mappings_n = 1,
		    .gid_mappings = &map,
		    .gid_mappings_n = 1,
		};
	m[1].type = "tmpfs"; /* not idmapped: -1 in the plan */
	m[1].uid_mappings_n = m[1].gid_mappings_n = 0;
	struct oci_spec spec = {.mounts = m, .mounts_n = 3};
	struct mounts_plan plan = {
	    .spec = &spec, .rootfs = c->rootfs, .new_mount_ns = true};

	int before = count_fds();
	CKR(mounts_plan_idmaps(&plan, &e_));
	CK(plan.idmap_fds_n == 3 && plan.idmap_fds[1] == -1);
	CK(plan.idmap_fds[0] >= 0 && plan.idmap_fds[2] >= 0 &&
	   plan.idmap_fds[0] != plan.idmap_fds[2]);
	/* only the two trees stay open: the user namespace was closed */
	CK(count_fds() == before + 2);
	mounts_plan_idmaps_close(&plan);
	CK(count_fds() == before);
	return 0;
}

Test(idmap, plan_layout, .timeout = 30)
{
	run_ok(shared_ns_scenario);
}
