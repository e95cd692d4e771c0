#include "runtime/process/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

#define DEFAULT_PATH                                                           \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int caps_mask(const struct rt_context *ctx, char **names,
		     const char *set, uint64_t *ret, struct berth_error *err)
{
	uint64_t mask = 0;
	int last = (int)cap_max_bits() - 1;
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		cap_value_t v;
		if (cap_from_name(names[i], &v) < 0)
			return berth_err_msg(err, EINVAL,
					     "process.capabilities.%s: unknown "
					     "capability \"%s\"",
					     set, names[i]);
		if ((int)v > last) {
			rt_log(ctx, RT_LOG_WARN,
			       "capability %s is not supported by the running "
			       "kernel: skipped",
			       names[i]);
			continue;
		}
		mask |= UINT64_C(1) << v;
	}
	*ret = mask;
	return 0;
}

static int gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return x < y ? -1 : x > y;
}

/* process.user.additionalGids, each once: engines repeat them (docker: the
 * image's groups of the user, then --group-add) and runc sets each once.
 * Sorted, as the kernel keeps them anyway. */
static int plan_groups(const struct oci_user *u, struct proc_plan *plan)
{
	size_t n = u->additional_gids_n;
	if (n == 0)
		return 0;
	plan->groups = calloc(n, sizeof(gid_t));
	if (plan->groups == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		plan->groups[i] = u->additional_gids[i];
	qsort(plan->groups, n, sizeof(gid_t), gid_cmp);
	plan->groups_n = 1;
	for (size_t i = 1; i < n; i++)
		if (plan->groups[i] != plan->groups[plan->groups_n - 1])
			plan->groups[plan->groups_n++] = plan->groups[i];
	return 0;
}

int proc_plan_build(const struct rt_context *ctx, const struct oci_process *p,
		    int preserve_fds, struct proc_plan *plan,
		    struct berth_error *err)
{
	memset(plan, 0, sizeof(*plan));
	plan->proc = p;
	plan->preserve_fds = preserve_fds;
	plan->env = strv_dup(p->env);
	if (plan->env == NULL || plan_groups(&p->user, plan) < 0) {
		proc_plan_free(plan);
		return berth_err(err, ENOMEM, "copy process.env and groups");
	}
	const struct oci_capabilities *c = p->capabilities;
	if (c == NULL)
		return 0;
	struct proc_caps *pc = &plan->caps;
	pc->set = true;
	int r;
	if ((r = caps_mask(ctx, c->bounding, "bounding", &pc->bounding, err)) <
		0 ||
	    (r = caps_mask(ctx, c->effective, "effective", &pc->effective,
			   err)) < 0 ||
	    (r = caps_mask(ctx, c->inheritable, "inheritable", &pc->inheritable,
			   err)) < 0 ||
	    (r = caps_mask(ctx, c->permitted, "permitted", &pc->permitted,
			   err)) < 0 ||
	    (r = caps_mask(ctx, c->ambient, "ambient", &pc->ambient, err)) <
		0) {
		proc_plan_free(plan);
		return r;
	}
	/* The kernel raises an ambient capability only if it is permitted and
	 * inheritable.  runc's own default spec lists ambient capabilities
	 * without inheritable ones and runc skips them quietly; so do we, with
	 * a debug line, rather than fail such configs. */
	uint64_t raisable = pc->ambient & pc->permitted & pc->inheritable;
	if (raisable != pc->ambient)
		rt_log(ctx, RT_LOG_DEBUG,
		       "process.capabilities.ambient: capabilities not both "
		       "permitted and inheritable are not raised");
	pc->ambient = raisable;
	return 0;
}

void proc_plan_free(struct proc_plan *plan)
{
	strv_free(plan->env);
	plan->env = NULL;
	free(plan->groups);
	plan->groups = NULL;
	plan->groups_n = 0;
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Belt and braces against a cwd that leads out of the container (a host fd
 * through /proc/self/fd): the kernel's getcwd() fails with ENOENT, or gives
 * "(unreachable)...", for a directory outside our root. */
static int check_cwd_inside(const char *cwd, struct berth_error *err)
{
	char buf[4096];
	if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
		return berth_err_msg(
		    err, EPERM, "process.cwd '%s' is outside the container",
		    cwd);
	return 0;
}

int proc_set_cwd(const struct proc_plan *plan, struct berth_error *err)
{
	const char *cwd = plan->proc->cwd;
	if (chdir(cwd) == 0)
		return check_cwd_inside(cwd, err);
	/* runc and crun create a missing cwd; we are inside the container
	 * (after pivot_root), so the path cannot leave it. */
	if (errno != ENOENT)
		return berth_err(err, errno, "process.cwd '%s'", cwd);
	int r = mkdir_p(cwd);
	if (r < 0 || chdir(cwd) < 0)
		return berth_err(err, r < 0 ? r : errno, "process.cwd '%s'",
				 cwd);
	return check_cwd_inside(cwd, err);
}

int proc_write_oom_score_adj(const struct proc_plan *plan, pid_t pid,
			     struct berth_error *err)
{
	if (!plan->proc->oom_score_adj.set)
		return 0;
	char buf[32], path[64];
	snprintf(buf, sizeof(buf), "%lld",
		 (long long)plan->proc->oom_score_adj.v);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	int r = write_str_at(AT_FDCWD, path, buf);
	if (r < 0)
		return berth_err(err, r, "process.oomScoreAdj %s", buf);
	return 0;
}

int proc_set_rlimits(const struct proc_plan *plan, struct berth_error *err)
{
	const struct oci_process *p = plan->proc;
	for (size_t i = 0; i < p->rlimits_n; i++) {
		const struct oci_rlimit *rl = &p->rlimits[i];
		struct rlimit lim = {.rlim_cur = rl->soft,
				     .rlim_max = rl->hard};
		if (setrlimit(rl->resource, &lim) == 0)
			continue;
		int e = errno;
		struct rlimit cur;
		if (e == EPERM && getrlimit(rl->resource, &cur) == 0 &&
		    rl->hard > cur.rlim_max)
			return berth_err_msg(
			    err, EPERM,
			    "process.rlimits: %s hard limit %llu is above the "
			    "current hard limit %llu and raising it needs "
			    "CAP_SYS_RESOURCE",
			    rl->type, (unsigned long long)rl->hard,
			    (unsigned long long)cur.rlim_max);
		errno = e;
		return berth_err(err, errno, "process.rlimits: set %s",
				 rl->type);
	}
	return 0;
}

static const char *env_get(char **env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* 0 when @path is a regular file we may execute, else the reason. */
static int check_executable(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) < 0 ? -errno : 0;
}

int proc_find_executable(const struct proc_plan *plan, char **ret_path,
			 struct berth_error *err)
{
	/* The texts are Go's exec.LookPath ones, as runc reports them:
	 * engines turn them into exit codes 127 and 126. */
	const char *name = plan->proc->args[0];
	if (strchr(name, '/') != NULL) {
		int r = check_executable(name);
		if (r == -ENOENT || r == -ENOTDIR)
			return berth_err(err, r, "exec: \"%s\": stat %s", name,
					 name);
		if (r < 0)
			return berth_err(err, r, "exec: \"%s\"", name);
		*ret_path = strdup(name);
		return *ret_path ? 0 : -ENOMEM;
	}
	const char *path = env_get(plan->env, "PATH");
	_cleanup_free_ char *dirs = strdup(path ? path : DEFAULT_PATH);
	if (dirs == NULL)
		return -ENOMEM;
	char *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d != NULL;
	     d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = NULL;
		if (asprintf(&cand, "%s/%s", *d ? d : ".", name) < 0)
			return -ENOMEM;
		if (check_executable(cand) == 0) {
			*ret_path = TAKE_PTR(cand);
			return 0;
		}
	}
	return berth_err_msg(err, ENOENT,
			     "exec: \"%s\": executable file not found in $PATH",
			     name);
}

static char *passwd_home(uid_t uid)
{
	/* Never NSS inside the rootfs: read /etc/passwd ourselves.  The
	 * image's file: a FIFO or /dev/zero there counts as no file. */
	_cleanup_free_ char *buf = NULL;
	struct berth_error ignored;
	if (read_user_file(AT_FDCWD, "/etc/passwd", BERTH_FILE_MAX,
			   "/etc/passwd", &buf, NULL, &ignored) < 0)
		return NULL;
	for (char *next = buf, *line; (line = strsep(&next, "\n")) != NULL;) {
		char *fields[7] = {0}, *p = line;
		int n = 0;
		/* strsep keeps empty fields, which passwd has. */
		while (n < 7 && (fields[n] = strsep(&p, ":")) != NULL)
			n++;
		if (n < 6 || fields[2] == NULL)
			continue;
		if ((uid_t)strtoul(fields[2], NULL, 10) == uid && *fields[2])
			return strdup(fields[5]);
	}
	return NULL;
}

int proc_fill_home(struct proc_plan *plan, struct berth_error *err)
{
	if (env_get(plan->env, "HOME") != NULL)
		return 0;
	_cleanup_free_ char *home = passwd_home(plan->proc->user.uid);
	_cleanup_free_ char *kv = NULL;
	if (asprintf(&kv, "HOME=%s", home && *home ? home : "/") < 0)
		return -ENOMEM;
	if (strv_push(&plan->env, kv) < 0)
		return berth_err(err, ENOMEM, "set HOME");
	return 0;
}

static int drop_bounding(uint64_t keep, struct berth_error *err)
{
	int last = (int)cap_max_bits() - 1;
	for (int c = 0; c <= last; c++) {
		if (keep & (UINT64_C(1) << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return berth_err(
			    err, errno,
			    "drop capability %s from the bounding set",
			    cap_to_name(c));
	}
	return 0;
}

static int fill_set(cap_t caps, cap_flag_t flag, uint64_t mask)
{
	int last = (int)cap_max_bits() - 1;
	for (int c = 0; c <= last; c++) {
		if (!(mask & (UINT64_C(1) << c)))
			continue;
		cap_value_t v = c;
		if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return -errno;
	}
	return 0;
}

/* capset(2) with the configured sets, @extra added to effective and
 * permitted.  Returns 0 or -errno. */
static int set_cap_sets(const struct proc_caps *pc, uint64_t extra)
{
	cap_t caps = cap_init();
	if (caps == NULL)
		return -errno;
	int r = fill_set(caps, CAP_EFFECTIVE, pc->effective | extra);
	if (r == 0)
		r = fill_set(caps, CAP_PERMITTED, pc->permitted | extra);
	if (r == 0)
		r = fill_set(caps, CAP_INHERITABLE, pc->inheritable);
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

static int apply_caps(const struct proc_caps *pc, uint64_t extra,
		      struct berth_error *err)
{
	int r = set_cap_sets(pc, extra);
	if (r < 0)
		return berth_err(err, r, "set capabilities");
	int last = (int)cap_max_bits() - 1;
	for (int c = 0; c <= last; c++) {
		if (!(pc->ambient & (UINT64_C(1) << c)))
			continue;
		if (cap_set_ambient(c, CAP_SET) < 0)
			return berth_err(err, errno,
					 "raise ambient capability %s",
					 cap_to_name(c));
	}
	return 0;
}

/* /proc/self/setgroups says "deny" (a rootless single gid mapping). */
static bool setgroups_denied(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd =
	    open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	return n > 0 && strncmp(buf, "deny", 4) == 0;
}

static int switch_user(const struct proc_plan *plan, struct berth_error *err)
{
	const struct oci_user *u = &plan->proc->user;
	if (setgroups(plan->groups_n, plan->groups) < 0 &&
	    !(errno == EPERM && plan->groups_n == 0))
		return errno == EPERM && setgroups_denied()
			   ? berth_err_msg(err, EPERM,
					   "process.user.additionalGids: "
					   "setgroups is denied in this user "
					   "namespace (rootless with a single "
					   "gid mapping; map a subgid range "
					   "through newgidmap instead)")
			   : berth_err(err, errno,
				       "process.user.additionalGids");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return berth_err(err, errno, "process.user.gid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return berth_err(err, errno, "process.user.uid %u", u->uid);
	return 0;
}

/* CAP_SYS_ADMIN, when we hold it now and the final sets lack it. */
static uint64_t sys_admin_to_keep(const struct proc_caps *pc)
{
	const uint64_t bit = UINT64_C(1) << CAP_SYS_ADMIN;
	if ((pc->effective & bit) && (pc->permitted & bit))
		return 0;
	cap_t now = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (now != NULL)
		cap_get_flag(now, CAP_SYS_ADMIN, CAP_PERMITTED, &v);
	cap_free(now);
	return v == CAP_SET ? bit : 0;
}

int proc_set_identity(const struct proc_plan *plan, bool keep_sys_admin,
		      uint64_t *ret_kept, struct berth_error *err)
{
	const struct oci_process *p = plan->proc;
	const struct proc_caps *pc = &plan->caps;
	uint64_t kept = keep_sys_admin ? sys_admin_to_keep(pc) : 0;
	int r = drop_bounding(pc->bounding, err);
	if (r < 0)
		return r;
	/* Keep the permitted set across the uid switch so a non-root user
	 * ends with exactly the configured sets. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berth_err(err, errno, "PR_SET_KEEPCAPS");
	r = switch_user(plan, err);
	if (r < 0)
		return r;
	r = apply_caps(pc, kept, err);
	if (r < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berth_err(err, errno, "PR_SET_KEEPCAPS");
	if (p->user.umask.set)
		umask((mode_t)p->user.umask.v);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berth_err(err, errno, "process.noNewPrivileges");
	*ret_kept = kept;
	return 0;
}

int proc_drop_kept_caps(const struct proc_plan *plan, uint64_t kept,
			struct berth_error *err)
{
	if (kept == 0)
		return 0;
	int r = set_cap_sets(&plan->caps, 0);
	if (r < 0)
		return berth_err(err, r, "capset");
	return 0;
}

/* Whether fd @fd (0-2) is to become the process user's. */
static bool stdio_to_chown(const struct oci_process *p, int fd,
			   const struct stat *st)
{
	if (st->st_uid == p->user.uid)
		return false;
	/* The pty berth made is the one device handed over; a host tty or
	 * /dev/null berth's caller gave is left alone (crun's rule). */
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return p->terminal && isatty(fd);
	return true; /* pipes, sockets, files: as runc and crun */
}

int proc_chown_stdio(const struct proc_plan *plan, struct berth_error *err)
{
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return berth_err(err, errno, "fstat fd %d", fd);
		}
		if (!stdio_to_chown(plan->proc, fd, &st))
			continue;
		/* Only the uid, as runc: devpts gave the tty group. */
		if (fchown(fd, plan->proc->user.uid, (gid_t)-1) == 0)
			continue;
		/* EINVAL: the uid is not mapped; EPERM: the owner is not
		 * (a host pipe in a user namespace); EROFS.  The process may
		 * still use the fd it has: skip, as runc and crun do. */
		if (errno != EINVAL && errno != EPERM && errno != EROFS)
			return berth_err(err, errno, "fchown fd %d to uid %u",
					 fd, plan->proc->user.uid);
	}
	return 0;
}

static bool is_null_device(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(1, 3);
}

/* containerd's shim gives a container without stdio (ctr run --null-io)
 * the host's /dev/null read-only as fd 0, 1 and 2: `echo` failed with
 * EBADF.  The container's own /dev/null, when it is the null device,
 * replaces each such fd, read-write; a host fd fewer inside, too. */
int proc_reopen_devnull(struct berth_error *err)
{
	int null = -1;
	for (int fd = 0; fd < 3; fd++) {
		if (!is_null_device(fd))
			continue;
		if (null < 0) {
			null = open("/dev/null",
				    O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
			if (null < 0 || !is_null_device(null))
				break; /* none in the container: keep the fds */
		}
		if (dup3(null, fd, 0) < 0) {
			int e = errno;
			close(null);
			return berth_err(err, e, "reopen fd %d on /dev/null",
					 fd);
		}
	}
	if (null >= 0)
		close(null);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int proc_close_host_fds(const struct proc_plan *plan, const int *keep,
			size_t n_keep, struct berth_error *err)
{
	int sorted[8];
	if (n_keep > ARRAY_SIZE(sorted))
		return berth_err(err, E2BIG, "close host fds");
	memcpy(sorted, keep, n_keep * sizeof(int));
	qsort(sorted, n_keep, sizeof(int), cmp_int);
	unsigned int from = 3 + (unsigned int)plan->preserve_fds;
	for (size_t i = 0; i < n_keep; i++) {
		if (sorted[i] < 0 || (unsigned int)sorted[i] < from)
			continue;
		int r = 0;
		if ((unsigned int)sorted[i] > from &&
		    (r = fd_close_range(from, (unsigned int)sorted[i] - 1,
					false)) < 0)
			return berth_err(err, r, "close host fds");
		from = (unsigned int)sorted[i] + 1;
	}
	int r = fd_close_range(from, ~0U, false);
	if (r < 0)
		return berth_err(err, r, "close host fds");
	return 0;
}

int proc_prepare_fds(const struct proc_plan *plan, struct berth_error *err)
{
	unsigned int first = 3 + (unsigned int)plan->preserve_fds;
	int r = fd_close_range(first, ~0U, true);
	if (r < 0)
		return berth_err(err, r, "mark fds from %u close-on-exec",
				 first);
	for (int fd = 3; fd < (int)first; fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags < 0)
			continue; /* --preserve-fds may name closed fds */
		if (fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return berth_err(err, errno, "preserve fd %d", fd);
	}
	return 0;
}

int proc_join_session_keyring(struct berth_error *err)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EACCES)
		return berth_err(err, errno, "join a new session keyring");
	return 0;
}
