#include "namespaces/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

static const unsigned long clone_flags[OCI_NS_COUNT] = {
    [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET,
    [OCI_NS_MOUNT] = CLONE_NEWNS,      [OCI_NS_IPC] = CLONE_NEWIPC,
    [OCI_NS_UTS] = CLONE_NEWUTS,       [OCI_NS_USER] = CLONE_NEWUSER,
    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

unsigned long ns_clone_flag(enum oci_ns_type type)
{
	return type < OCI_NS_COUNT ? clone_flags[type] : 0;
}

static int open_ns_path(const struct oci_namespace *ns, int *ret_fd,
			struct berth_error *err)
{
	const char *name = oci_ns_type_name(ns->type);
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open %s namespace '%s'", name,
				 ns->path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return berth_err(err, errno,
				 "%s namespace '%s' is not a namespace", name,
				 ns->path);
	if ((unsigned long)type != ns_clone_flag(ns->type))
		return berth_err_msg(err, EINVAL, "'%s' is not a %s namespace",
				     ns->path, name);
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int ns_plan_build(const struct oci_spec *spec, struct ns_plan *plan,
		  struct berth_error *err)
{
	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < OCI_NS_COUNT; i++)
		plan->join_fd[i] = -1;
	const struct oci_linux *l = spec->linux_;
	for (size_t i = 0; l != NULL && i < l->namespaces_n; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		if (ns->path == NULL) {
			if (ns->type == OCI_NS_TIME)
				plan->new_time = true;
			else if (ns->type == OCI_NS_CGROUP)
				plan->new_cgroup = true;
			else
				plan->new_flags |= ns_clone_flag(ns->type);
			if (ns->type == OCI_NS_USER)
				plan->new_user = true;
			continue;
		}
		int r = open_ns_path(ns, &plan->join_fd[ns->type], err);
		if (r < 0) {
			ns_plan_close(plan);
			return r;
		}
	}
	return 0;
}

/* /proc/<pid>/ns/<name>, unless it is the namespace we are in already
 * (a container sharing the host's: nothing to join, and joining could
 * need privileges a user namespace took away). */
static int open_pid_ns(pid_t pid, enum oci_ns_type type, int *ret_fd,
		       struct berth_error *err)
{
	static const char *const files[OCI_NS_COUNT] = {
	    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "net",
	    [OCI_NS_MOUNT] = "mnt",	[OCI_NS_IPC] = "ipc",
	    [OCI_NS_UTS] = "uts",	[OCI_NS_USER] = "user",
	    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
	};
	char path[64], own[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, files[type]);
	snprintf(own, sizeof(own), "/proc/self/ns/%s", files[type]);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open %s", path);
	struct stat a, b;
	if (fstat(fd, &a) < 0 || stat(own, &b) < 0)
		return berth_err(err, errno, "stat %s", path);
	if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		*ret_fd = TAKE_FD(fd);
	return 0;
}

int ns_plan_from_pid(const struct oci_spec *spec, pid_t pid,
		     struct ns_plan *plan, struct berth_error *err)
{
	memset(plan, 0, sizeof(*plan));
	for (int i = 0; i < OCI_NS_COUNT; i++)
		plan->join_fd[i] = -1;
	const struct oci_linux *l = spec->linux_;
	for (size_t i = 0; l != NULL && i < l->namespaces_n; i++) {
		enum oci_ns_type t = l->namespaces[i].type;
		int r = open_pid_ns(pid, t, &plan->join_fd[t], err);
		if (r < 0) {
			ns_plan_close(plan);
			return r;
		}
	}
	return 0;
}

void ns_plan_close(struct ns_plan *plan)
{
	for (int i = 0; i < OCI_NS_COUNT; i++) {
		if (plan->join_fd[i] >= 0)
			close(plan->join_fd[i]);
		plan->join_fd[i] = -1;
	}
}

bool ns_plan_has(const struct ns_plan *plan, enum oci_ns_type type)
{
	if (plan->join_fd[type] >= 0)
		return true;
	if (type == OCI_NS_TIME)
		return plan->new_time;
	if (type == OCI_NS_CGROUP)
		return plan->new_cgroup;
	return (plan->new_flags & ns_clone_flag(type)) != 0;
}

int ns_join_one(const struct ns_plan *plan, enum oci_ns_type type,
		struct berth_error *err)
{
	int fd = plan->join_fd[type];
	if (fd < 0)
		return 0;
	if (setns(fd, (int)ns_clone_flag(type)) < 0)
		return berth_err(err, errno, "join %s namespace",
				 oci_ns_type_name(type));
	return 0;
}

int ns_join_rest(const struct ns_plan *plan, struct berth_error *err)
{
	/* Mount last: the others do not depend on paths, and joining a mount
	 * namespace first would change what later paths mean. */
	static const enum oci_ns_type order[] = {
	    OCI_NS_IPC,	   OCI_NS_UTS,	OCI_NS_NETWORK,
	    OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT,
	};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		int r = ns_join_one(plan, order[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int format_map(const struct oci_id_mapping *m, size_t n, char *buf,
		      size_t size)
{
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, size - off,
				 "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 m[i].container_id, m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= size - off)
			return -E2BIG;
		off += (size_t)w;
	}
	return (int)off;
}

static int write_map(pid_t pid, const char *file,
		     const struct oci_id_mapping *m, size_t n,
		     struct berth_error *err)
{
	if (n == 0)
		return 0;
	char buf[32 * 1024], path[64];
	int len = format_map(m, n, buf, sizeof(buf));
	if (len < 0)
		return berth_err(err, -len, "format %s", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int r = write_file_at(AT_FDCWD, path, buf, (size_t)len);
	if (r < 0)
		return berth_err(err, r, "write %s", path);
	return 0;
}

int ns_write_id_maps(pid_t pid, const struct oci_linux *linux_,
		     struct berth_error *err)
{
	int r = write_map(pid, "uid_map", linux_->uid_mappings,
			  linux_->uid_mappings_n, err);
	if (r < 0)
		return r;
	return write_map(pid, "gid_map", linux_->gid_mappings,
			 linux_->gid_mappings_n, err);
}

int ns_new_time(const struct oci_linux *linux_, struct berth_error *err)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return berth_err(err, errno, "unshare time namespace");
	char buf[128];
	size_t off = 0;
	const struct oci_time_offset *mono = &linux_->time_offsets.monotonic;
	const struct oci_time_offset *boot = &linux_->time_offsets.boottime;
	if (mono->set)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"monotonic %" PRId64 " %" PRIu32 "\n",
					mono->secs, mono->nanosecs);
	if (boot->set)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"boottime %" PRId64 " %" PRIu32 "\n",
					boot->secs, boot->nanosecs);
	if (off == 0)
		return 0;
	int r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, off);
	if (r < 0)
		return berth_err(err, r, "write linux.timeOffsets");
	return 0;
}

pid_t ns_clone(unsigned long flags, int cgroup_fd)
{
	struct clone_args args = {
	    .flags = flags,
	    /* clone3 wants no exit signal with CLONE_PARENT: the child then
	     * signals our parent as we would (the kernel copies ours). */
	    .exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD,
	};
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		return -errno;
	return (pid_t)pid;
}
