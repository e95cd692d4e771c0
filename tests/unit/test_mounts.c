/*
 * runtime/mounts.c and friends.  Each test forks a child that unshares a
 * mount namespace (and what else it needs), builds a small rootfs in a temp
 * dir, runs the mount steps and checks the result from inside.  The child's
 * exit code says pass (0) or fail; it prints what failed on stderr.
 * Everything is mounted in the child's private namespace; the parent removes
 * the temp dir.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <pty.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/rootfs/fs.h"
#include "runtime/rootfs/mount_opts.h"
#include "runtime/rootfs/mounts.h"
#include "util/util.h"
#include "util/cleanup.h"
#include "tests/unit/testutil.h"

struct ctx {
	char dir[256];	   /* temp dir = bundle */
	char rootfs[300];  /* dir/rootfs */
	char hostdir[300]; /* dir/host: stands for the host's files */
};

static void mkfile(const char *path, const char *content)
{
	FILE *f = fopen(path, "we");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
}

static void mkdirf(const char *fmt, ...)
{
	char p[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	cr_assert(mkdir(p, 0755) == 0 || errno == EEXIST, "%s", p);
}

static void copy_busybox(const char *rootfs)
{
	char dst[512];
	struct stat st;
	snprintf(dst, sizeof(dst), "%s/bin/busybox", rootfs);
	int in = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	cr_assert(in >= 0, "busybox-static is needed");
	int out = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
	cr_assert(out >= 0);
	fstat(in, &st);
	off_t off = 0;
	while (off < st.st_size)
		cr_assert(sendfile(out, in, &off, (size_t)(st.st_size - off)) >
			  0);
	close(in);
	close(out);
}

static void ctx_init(struct ctx *c)
{
	snprintf(c->dir, sizeof(c->dir), "/tmp/berth-mnt-XXXXXX");
	cr_assert_not_null(mkdtemp(c->dir));
	snprintf(c->rootfs, sizeof(c->rootfs), "%s/rootfs", c->dir);
	snprintf(c->hostdir, sizeof(c->hostdir), "%s/host", c->dir);
	mkdirf("%s", c->rootfs);
	mkdirf("%s", c->hostdir);
	for (const char *d = "bin\0etc\0proc\0sys\0dev\0tmp\0"; *d;
	     d += strlen(d) + 1)
		mkdirf("%s/%s", c->rootfs, d);
	char p[512];
	snprintf(p, sizeof(p), "%s/keep", c->hostdir);
	mkfile(p, "host\n");
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

/* Fork; the child unshares CLONE_NEWNS|@flags (and forks again to be pid 1
 * with CLONE_NEWPID) and runs @fn. */
static int run(scenario fn, struct ctx *c, int flags)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS | flags) < 0)
			_exit(100);
		if (!(flags & CLONE_NEWPID))
			_exit(fn(c));
		pid_t p2 = fork();
		if (p2 == 0)
			_exit(fn(c));
		_exit(wait_code(p2));
	}
	return wait_code(pid);
}

static bool mountinfo_has(const char *mp, const char *word)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], m[1024];
	bool found = false;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %1023s", m) == 1 &&
		    strcmp(m, mp) == 0 && (!word || strstr(line, word)))
			found = true;
	if (f)
		fclose(f);
	return found;
}

static ssize_t read_path(const char *p, char *buf, size_t size)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* ---- option parsing ---- */

Test(mount_opts, parse)
{
	char *o[] = {"rbind",	 "ro",	"nosuid",   "size=65536k", "mode=755",
		     "rprivate", "rro", "rnoatime", "newinstance", NULL};
	struct mount_opts m;
	struct berth_error err = {0};

	cr_assert_eq(mount_opts_parse(o, &m, &err), 0);
	cr_assert_eq(m.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
	cr_assert_str_eq(m.data, "size=65536k,mode=755,newinstance");
	cr_assert_eq(m.propagation_n, 1);
	cr_assert_eq(m.propagation[0], MS_PRIVATE | MS_REC);
	cr_assert_eq(m.rec_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME);
	cr_assert_eq(m.rec_clr, MOUNT_ATTR__ATIME);
	mount_opts_done(&m);

	char *o2[] = {"ro", "rw", "nodev", "dev", "noatime", "idmap", NULL};
	cr_assert_eq(mount_opts_parse(o2, &m, &err), 0);
	cr_assert_eq(m.flags, MS_NOATIME);
	cr_assert_eq(m.clear, MS_RDONLY | MS_NODEV);
	cr_assert(m.idmap);
	cr_assert_null(m.data);
	uint64_t set, clr;
	mount_opts_attr(m.flags, m.clear, &set, &clr);
	cr_assert_eq(set, MOUNT_ATTR_NOATIME);
	cr_assert_eq(clr,
		     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR__ATIME);
	mount_opts_done(&m);

	unsigned long p;
	cr_assert_eq(mount_opts_propagation("rslave", &p), 0);
	cr_assert_eq(p, MS_SLAVE | MS_REC);
	cr_assert_eq(mount_opts_propagation("ro", &p), -EINVAL);
	cr_assert_eq(mount_opts_propagation("bogus", &p), -EINVAL);
}

Test(fs, path_equal)
{
	cr_assert(fs_path_equal("/dev", "dev/"));
	cr_assert(fs_path_equal("//dev/./", "/dev"));
	cr_assert(!fs_path_equal("/dev/pts", "/dev"));
	cr_assert(!fs_path_equal("/devx", "/dev"));
	cr_assert(fs_path_equal("/", ""));
}

/* ---- a whole container ---- */

static char *o_dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k",
			NULL};
static char *o_pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
			"mode=0620", "gid=5",  NULL};
static char *o_shm[] = {"nosuid",    "noexec",	    "nodev",
			"mode=1777", "size=65536k", NULL};
static char *o_nsx[] = {"nosuid", "noexec", "nodev", NULL};
static char *o_sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
static char *o_cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
static char *o_hosts[] = {"rbind", "ro", NULL};

static struct oci_mount full_mounts[] = {
    {.destination = "/proc", .type = "proc", .source = "proc"},
    {.destination = "/dev",
     .type = "tmpfs",
     .source = "tmpfs",
     .options = o_dev},
    {.destination = "/dev/pts",
     .type = "devpts",
     .source = "devpts",
     .options = o_pts},
    {.destination = "/dev/shm",
     .type = "tmpfs",
     .source = "shm",
     .options = o_shm},
    {.destination = "/dev/mqueue",
     .type = "mqueue",
     .source = "mqueue",
     .options = o_nsx},
    {.destination = "/sys",
     .type = "sysfs",
     .source = "sysfs",
     .options = o_sys},
    {.destination = "/sys/fs/cgroup",
     .type = "cgroup",
     .source = "cgroup",
     .options = o_cg},
    {.destination = "etc/hosts",
     .type = "bind",
     .source = "hostsfile",
     .options = o_hosts},
    {.destination = "/tmp", .type = "tmpfs", .source = "tmpfs"},
};

static char *full_masked[] = {"/proc/kcore",	      "/proc/timer_list",
			      "/proc/acpi",	      "/sys/firmware",
			      "/proc/does-not-exist", NULL};
static char *full_ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/nope", NULL};
static struct oci_device full_devs[] = {
    {.type = "c",
     .path = "/dev/zero",
     .major = 1,
     .minor = 5,
     .file_mode = {true, 0600}},
    {.type = "c",
     .path = "/dev/sub/mydev",
     .major = 1,
     .minor = 3,
     .file_mode = {true, 0640},
     .uid = {true, 1000},
     .gid = {true, 1001}},
};

static int steps_to_pivot(struct mounts_plan *plan)
{
	CKR(mounts_prepare_rootfs(plan, &e_));
	CKR(mounts_do_mounts(plan, &e_));
	CKR(mounts_create_devices(plan, &e_));
	return 0;
}

static int steps_after_pivot(struct mounts_plan *plan)
{
	CKR(mounts_pivot_root(plan, &e_));
	CKR(mounts_mask_paths(plan, &e_));
	CKR(mounts_readonly_paths(plan, &e_));
	CKR(mounts_finalize_root(plan, &e_));
	return 0;
}

static int check_dev(const char *p, unsigned maj, unsigned min, mode_t perm)
{
	struct stat st;
	CK(lstat(p, &st) == 0);
	CK(S_ISCHR(st.st_mode));
	CK(st.st_rdev == makedev(maj, min));
	CK((st.st_mode & 07777) == perm);
	return 0;
}

static int full_checks(void)
{
	char buf[256], link[64];
	struct stat st;
	struct statfs sfs;

	CK(check_dev("/dev/null", 1, 3, 0666) == 0);
	CK(check_dev("/dev/tty", 5, 0, 0666) == 0);
	CK(check_dev("/dev/zero", 1, 5, 0600) == 0);
	CK(check_dev("/dev/sub/mydev", 1, 3, 0640) == 0);
	CK(stat("/dev/sub/mydev", &st) == 0 && st.st_uid == 1000 &&
	   st.st_gid == 1001);
	CK(readlink("/dev/ptmx", link, sizeof(link)) == 8 &&
	   memcmp(link, "pts/ptmx", 8) == 0);
	CK(readlink("/dev/fd", link, sizeof(link)) == 13);
	CK(lstat("/dev/console", &st) == 0 && S_ISREG(st.st_mode));
	CK(stat("/dev/pts/ptmx", &st) == 0 && S_ISCHR(st.st_mode));
	CK(read_path("/etc/hosts", buf, sizeof(buf)) == 6);
	CK(strcmp(buf, "hosts\n") == 0);
	CK(open("/etc/hosts", O_WRONLY | O_CLOEXEC) < 0 && errno == EROFS);
	CK(mkdir("/newdir", 0755) < 0 && errno == EROFS);
	CK(mkdir("/tmp/ok", 0755) == 0);
	CK(mountinfo_has("/proc", " - proc "));
	CK(read_path("/proc/timer_list", buf, sizeof(buf)) == 0);
	CK(stat("/proc/timer_list", &st) == 0 && S_ISCHR(st.st_mode) &&
	   st.st_rdev == makedev(1, 3));
	CK(mountinfo_has("/sys/firmware", " - tmpfs "));
	CK(mkdir("/sys/firmware/x", 0755) < 0 && errno == EROFS);
	CK(open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC) < 0 &&
	   errno == EROFS);
	CK(mountinfo_has("/sys", " ro,"));
	CK(mountinfo_has("/dev", " - tmpfs "));
	CK(mountinfo_has("/dev/pts", " - devpts "));
	CK(mountinfo_has("/dev/mqueue", " - mqueue "));
	CK(statfs("/sys/fs/cgroup", &sfs) == 0);
	if (sfs.f_type == TMPFS_MAGIC) { /* v1 / hybrid host */
		CK(statfs("/sys/fs/cgroup/memory", &sfs) == 0 &&
		   sfs.f_type == CGROUP_SUPER_MAGIC);
		CK(mountinfo_has("/sys/fs/cgroup/memory", " ro,"));
		CK(mkdir("/sys/fs/cgroup/x", 0755) < 0 && errno == EROFS);
	}
	char cwd[16];
	CK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
	return 0;
}

static int run_busybox_true(void)
{
	pid_t p = fork();
	if (p == 0) {
		execl("/bin/busybox", "true", (char *)NULL);
		_exit(127);
	}
	CK(wait_code(p) == 0);
	return 0;
}

static int full_scenario(struct ctx *c)
{
	struct oci_process proc = {.terminal = true};
	struct oci_linux lin = {.masked_paths = full_masked,
				.readonly_paths = full_ro,
				.devices = full_devs,
				.devices_n = ARRAY_SIZE(full_devs)};
	struct oci_spec spec = {.process = &proc,
				.root = {.readonly = true},
				.mounts = full_mounts,
				.mounts_n = ARRAY_SIZE(full_mounts),
				.linux_ = &lin};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .bundle = c->dir,
				   .new_mount_ns = true};

	umask(077); /* must not spoil device modes */
	CK(steps_to_pivot(&plan) == 0);
	CK(steps_after_pivot(&plan) == 0);
	CK(plan.rootfd == -1 && plan.devnull_fd == -1);
	CK(full_checks() == 0);
	return run_busybox_true();
}

Test(mounts, full_container, .timeout = 60)
{
	struct ctx c;
	char p[512];

	ctx_init(&c);
	copy_busybox(c.rootfs);
	snprintf(p, sizeof(p), "%s/hostsfile", c.dir);
	mkfile(p, "hosts\n");
	int code = run(full_scenario, &c, CLONE_NEWPID);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}

/* ---- attacks: symlinks in the rootfs pointing at the host ---- */

static int host_untouched(const struct ctx *c)
{
	struct statfs sfs;
	int n = 0;
	DIR *d = opendir(c->hostdir);
	CK(d != NULL);
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	CK(n == 1); /* only "keep" */
	CK(statfs(c->hostdir, &sfs) == 0 && sfs.f_type != TMPFS_MAGIC);
	return 0;
}

static int symlink_scenario(struct ctx *c)
{
	char src[512], rel[1024], abs_link[512], rel_link[512], p[1024];
	snprintf(src, sizeof(src), "%s/hostsfile", c->dir);
	snprintf(abs_link, sizeof(abs_link), "%s/mnt", c->rootfs);
	snprintf(rel_link, sizeof(rel_link), "%s/mnt2", c->rootfs);
	snprintf(rel, sizeof(rel), "../../../../../../../..%s", c->hostdir);
	CK(symlink(c->hostdir, abs_link) == 0);
	CK(symlink(rel, rel_link) == 0);
	CK(access(rel_link, F_OK) == 0); /* on the host it does reach it */
	/* A dangling link (nothing at that path inside the rootfs) is an
	 * error, as in runc, and the host is left alone. */
	struct oci_mount dm = {.destination = "/mnt", .type = "tmpfs"};
	struct oci_spec dspec = {.mounts = &dm, .mounts_n = 1};
	struct mounts_plan dplan = {
	    .spec = &dspec, .rootfs = c->rootfs, .new_mount_ns = true};
	struct berth_error err;
	CKR(mounts_prepare_rootfs(&dplan, &e_));
	CK(mounts_do_mounts(&dplan, &err) == -ENOENT);
	mounts_plan_close(&dplan);
	CK(host_untouched(c) == 0);
	/* Now give the links a target inside the rootfs. */
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s%s'", c->rootfs, c->hostdir);
	CK(system(cmd) == 0);

	struct oci_mount m[] = {
	    {.destination = "/mnt", .type = "tmpfs", .source = "tmpfs"},
	    {.destination = "/mnt2/sub", .type = "tmpfs"},
	    {.destination = "/mnt/file", .type = "bind", .source = src},
	    {.destination = "/mnt2", .type = "bind", .source = c->dir},
	};
	struct oci_spec spec = {.mounts = m, .mounts_n = ARRAY_SIZE(m)};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .bundle = c->dir,
				   .new_mount_ns = true};
	CKR(mounts_prepare_rootfs(&plan, &e_));
	CKR(mounts_do_mounts(&plan, &e_));
	CK(host_untouched(c) == 0);
	/* They landed inside the rootfs, where the links point from there. */
	snprintf(p, sizeof(p), "%s%s", c->rootfs, c->hostdir);
	CK(mountinfo_has(p, " - tmpfs "));
	snprintf(p, sizeof(p), "%s%s/sub", c->rootfs, c->hostdir);
	CK(mountinfo_has(p, " - tmpfs "));
	mounts_plan_close(&plan);
	return 0;
}

Test(mounts, symlink_dest_stays_in_rootfs, .timeout = 30)
{
	struct ctx c;
	char p[512];
	ctx_init(&c);
	snprintf(p, sizeof(p), "%s/hostsfile", c.dir);
	mkfile(p, "x\n");
	int code = run(symlink_scenario, &c, 0);
	int code2 = host_untouched(&c);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
	cr_assert_eq(code2, 0);
}

/* Masked paths that are symlinks to a host file, and a rootfs whose
 * /dev/null is a symlink to a host file (CVE-2025-31133). */
static int mask_scenario(struct ctx *c)
{
	char p[1024], rel[1024], buf[64];
	struct stat st;

	snprintf(p, sizeof(p), "%s/etc/secret", c->rootfs);
	snprintf(rel, sizeof(rel), "%s/secret", c->hostdir);
	CK(symlink(rel, p) == 0);
	snprintf(p, sizeof(p), "%s/etc/secret2", c->rootfs);
	snprintf(rel, sizeof(rel), "../../../../../../..%s/secret", c->hostdir);
	CK(symlink(rel, p) == 0);
	snprintf(p, sizeof(p), "%s/dev/null", c->rootfs);
	snprintf(rel, sizeof(rel), "%s/hostnull", c->hostdir);
	CK(symlink(rel, p) == 0);
	snprintf(p, sizeof(p), "%s/etc/shadow", c->rootfs);
	mkfile(p, "shadow\n");

	char *masked[] = {"/etc/secret", "/etc/secret2", "/etc/shadow", NULL};
	struct oci_linux lin = {.masked_paths = masked};
	struct oci_spec spec = {.linux_ = &lin};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .bundle = c->dir,
				   .new_mount_ns = true};
	CK(steps_to_pivot(&plan) == 0);
	CK(steps_after_pivot(&plan) == 0);
	CK(read_path("/etc/shadow", buf, sizeof(buf)) == 0);
	CK(stat("/etc/shadow", &st) == 0 && S_ISCHR(st.st_mode) &&
	   st.st_rdev == makedev(1, 3));
	/* The links resolve inside the container, where nothing is. */
	CK(access("/etc/secret", F_OK) < 0 && errno == ENOENT);
	CK(access("/etc/secret2", F_OK) < 0 && errno == ENOENT);
	return 0;
}

Test(mounts, mask_symlinks_and_fake_devnull, .timeout = 30)
{
	struct ctx c;
	char p[512], buf[64];
	ctx_init(&c);
	snprintf(p, sizeof(p), "%s/secret", c.hostdir);
	mkfile(p, "host secret\n");
	snprintf(p, sizeof(p), "%s/hostnull", c.hostdir);
	mkfile(p, "HOSTNULL\n");
	int code = run(mask_scenario, &c, 0);
	snprintf(p, sizeof(p), "%s/secret", c.hostdir);
	ssize_t n1 = read_path(p, buf, sizeof(buf));
	bool ok1 = n1 > 0 && strcmp(buf, "host secret\n") == 0;
	snprintf(p, sizeof(p), "%s/hostnull", c.hostdir);
	ssize_t n2 = read_path(p, buf, sizeof(buf));
	bool ok2 = n2 > 0 && strcmp(buf, "HOSTNULL\n") == 0;
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
	cr_assert(ok1 && ok2, "host files changed");
}

/* ---- errors ---- */

static int errors_scenario(struct ctx *c)
{
	struct berth_error err = {0};
	char procdir[512];
	snprintf(procdir, sizeof(procdir), "%s/etc", c->rootfs);

	struct oci_mount m1[] = {
	    {.destination = "/tmp", .type = "tmpfs"},
	    {.destination = "/data", .type = "bind", .source = "/nonexistent"},
	};
	struct oci_spec spec = {.mounts = m1, .mounts_n = 2};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .bundle = c->dir,
				   .new_mount_ns = true};
	CKR(mounts_prepare_rootfs(&plan, &e_));
	CK(mounts_do_mounts(&plan, &err) == -ENOENT);
	CK(strcmp(err.msg, "mount 1 (/data): open bind source '/nonexistent'"
			   ": no such file or directory") == 0);

	struct oci_mount m2 = {
	    .destination = "/proc", .type = "bind", .source = procdir};
	spec.mounts = &m2;
	spec.mounts_n = 1;
	CK(mounts_do_mounts(&plan, &err) == -EPERM);
	CK(strstr(err.msg, "mount 0 (/proc): /proc cannot be mounted") != NULL);

	char *bad[] = {"size=bogus", NULL};
	struct oci_mount m3 = {
	    .destination = "/x", .type = "tmpfs", .options = bad};
	spec.mounts = &m3;
	CK(mounts_do_mounts(&plan, &err) == -EINVAL);
	CK(strncmp(err.msg, "mount 0 (/x): mount tmpfs on /x", 31) == 0);

	char *idm[] = {"idmap", NULL};
	struct oci_mount m4 = {.destination = "/y",
			       .type = "bind",
			       .source = procdir,
			       .options = idm};
	spec.mounts = &m4;
	CK(mounts_do_mounts(&plan, &err) == -EOPNOTSUPP);

	/* fd leak: error paths 100 times */
	struct oci_mount *all[] = {m1, &m2, &m3, &m4};
	size_t alln[] = {2, 1, 1, 1};
	int before = count_fds();
	for (int i = 0; i < 100; i++)
		for (size_t k = 0; k < ARRAY_SIZE(all); k++) {
			spec.mounts = all[k];
			spec.mounts_n = alln[k];
			CK(mounts_do_mounts(&plan, &err) < 0);
		}
	CK(count_fds() == before);
	mounts_plan_close(&plan);
	CK(count_fds() == before - 2);
	return 0;
}

Test(mounts, errors_and_fd_leak, .timeout = 60)
{
	struct ctx c;
	ctx_init(&c);
	int code = run(errors_scenario, &c, 0);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}

/* ---- a user namespace: devices bound, sysfs falls back to a bind ---- */

static int userns_inner(struct ctx *c)
{
	char *o_ro[] = {"nosuid", "nodev", "noexec", "ro", NULL};
	struct oci_mount m[] = {
	    {.destination = "/dev", .type = "tmpfs", .options = o_dev},
	    {.destination = "/sys", .type = "sysfs", .options = o_ro},
	    {.destination = "/mnt",
	     .type = "bind",
	     .source = "/sys",
	     .options = (char *[]){"rbind", "ro", NULL}},
	};
	char *masked[] = {"/etc/passwd", NULL};
	struct oci_linux lin = {.masked_paths = masked};
	struct oci_spec spec = {
	    .mounts = m, .mounts_n = ARRAY_SIZE(m), .linux_ = &lin};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .in_userns = true,
				   .new_mount_ns = true};
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/etc/passwd", c->rootfs);
	mkfile(p, "root:x:0:0::/:/bin/sh\n");

	CK(steps_to_pivot(&plan) == 0);
	CK(steps_after_pivot(&plan) == 0);
	CK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	   st.st_rdev == makedev(1, 3));
	struct stat dev;
	CK(stat("/dev", &dev) == 0 && st.st_dev != dev.st_dev); /* a bind */
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CK(fd >= 0 && write(fd, "x", 1) == 1);
	close(fd);
	CK(stat("/sys/kernel", &st) == 0 && S_ISDIR(st.st_mode));
	CK(mkdir("/sys/x", 0755) < 0 && errno == EROFS);
	CK(mkdir("/mnt/x", 0755) < 0 && errno == EROFS);
	CK(stat("/etc/passwd", &st) == 0 && S_ISCHR(st.st_mode));
	return 0;
}

static int userns_scenario(struct ctx *c)
{
	int go[2], ready[2];
	char p[64], b, map[] = "0 0 65536\n";
	CK(pipe2(go, O_CLOEXEC) == 0 && pipe2(ready, O_CLOEXEC) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(101);
		close(go[1]);
		close(ready[1]); /* tells the parent it has unshared */
		_exit(read(go[0], &b, 1) == 0 ? userns_inner(c) : 102);
	}
	close(go[0]);
	close(ready[1]);
	CK(read(ready[0], &b, 1) == 0);
	snprintf(p, sizeof(p), "/proc/%d/uid_map", pid);
	int r1 = write_str_at(AT_FDCWD, p, map);
	snprintf(p, sizeof(p), "/proc/%d/gid_map", pid);
	int r2 = write_str_at(AT_FDCWD, p, map);
	close(go[1]);
	int code = wait_code(pid);
	CK(r1 == 0 && r2 == 0);
	return code;
}

Test(mounts, user_namespace, .timeout = 60)
{
	struct ctx c;
	ctx_init(&c);
	int code = run(userns_scenario, &c, 0);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}

/* ---- console, --no-pivot, no mount namespace ---- */

static int console_scenario(struct ctx *c)
{
	struct oci_process proc = {.terminal = true};
	struct oci_mount m[] = {
	    {.destination = "/dev", .type = "tmpfs", .options = o_dev},
	    {.destination = "/dev/pts", .type = "devpts", .options = o_pts},
	};
	struct oci_spec spec = {
	    .process = &proc, .mounts = m, .mounts_n = ARRAY_SIZE(m)};
	struct mounts_plan plan = {.spec = &spec,
				   .rootfs = c->rootfs,
				   .new_mount_ns = true,
				   .no_pivot = true};
	struct stat st;
	char p[512];

	CK(steps_to_pivot(&plan) == 0);
	/* plant a symlink at /dev/console: it must be replaced */
	snprintf(p, sizeof(p), "%s/dev/console", c->rootfs);
	CK(unlink(p) == 0 && symlink("/etc/target", p) == 0);
	snprintf(p, sizeof(p), "%s/dev/pts/ptmx", c->rootfs);
	int master = open(p, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CK(master >= 0 && unlockpt(master) == 0);
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	CK(slave >= 0);
	/* runtime/child.c binds the console after pivot_root: test that. */
	CKR(mounts_pivot_root(&plan, &e_));
	CKR(mounts_bind_console(&plan, slave, &e_));
	close(slave);
	CKR(mounts_mask_paths(&plan, &e_));
	CKR(mounts_finalize_root(&plan, &e_));
	CK(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode) &&
	   major(st.st_rdev) == 136);
	CK(stat("/etc/target", &st) == 0 && S_ISREG(st.st_mode));
	CK(stat("/bin/busybox", &st) == 0);
	CK(access("/host", F_OK) < 0); /* the host's / is not reachable */
	CK(run_busybox_true() == 0);
	close(master);
	return 0;
}

Test(mounts, console_and_no_pivot, .timeout = 30)
{
	struct ctx c;
	char p[512];
	ctx_init(&c);
	copy_busybox(c.rootfs);
	snprintf(p, sizeof(p), "%s/etc/target", c.rootfs);
	mkfile(p, "target\n");
	int code = run(console_scenario, &c, 0);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}

static int no_mount_ns_scenario(struct ctx *c)
{
	struct oci_mount m = {.destination = "/tmp", .type = "tmpfs"};
	struct oci_spec spec = {.mounts = &m, .mounts_n = 1};
	struct mounts_plan plan = {.spec = &spec, .rootfs = c->rootfs};
	struct berth_error err;
	struct stat st;

	CK(mounts_prepare_rootfs(&plan, &err) == -EINVAL);
	CK(strstr(err.msg, "mounts needs a mount namespace") != NULL);
	spec.mounts_n = 0;
	CK(steps_to_pivot(&plan) == 0);
	CK(steps_after_pivot(&plan) == 0);
	CK(stat("/bin/busybox", &st) == 0);
	return 0;
}

Test(mounts, no_mount_namespace, .timeout = 30)
{
	struct ctx c;
	ctx_init(&c);
	copy_busybox(c.rootfs);
	/* run() unshares a mount ns anyway, so the test cannot touch the
	 * host; the plan is told there is none. */
	int code = run(no_mount_ns_scenario, &c, 0);
	ctx_done(&c);
	cr_assert_eq(code, 0, "child failed with %d", code);
}
