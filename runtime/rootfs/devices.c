#include "runtime/rootfs/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/rootfs/fs.h"
#include "runtime/rootfs/host.h"
#include "runtime/rootfs/mount_api.h"
#include "util/cleanup.h"
#include "util/util.h"

struct dev {
	const char *path;
	mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
	unsigned int major, minor;
	mode_t perm;
	uid_t uid;
	gid_t gid;
};

static const struct dev default_devs[] = {
    {"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0},
    {"/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0},
    {"/dev/full", S_IFCHR, 1, 7, 0666, 0, 0},
    {"/dev/random", S_IFCHR, 1, 8, 0666, 0, 0},
    {"/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0},
    {"/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0},
};

/* runc's needsSetupDev: everything but a bind mount at /dev. */
static bool needs_setup_dev(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->mounts_n; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		if (m->destination == NULL ||
		    !fs_path_equal(m->destination, "/dev"))
			continue;
		if ((m->type && strcmp(m->type, "bind") == 0) ||
		    strv_contains(m->options, "bind") ||
		    strv_contains(m->options, "rbind"))
			return false;
	}
	return true;
}

static int dev_from_oci(const struct oci_device *d, struct dev *ret,
			struct berth_error *err)
{
	static const struct {
		const char *name;
		mode_t type;
	} types[] = {
	    {"c", S_IFCHR}, {"u", S_IFCHR}, {"b", S_IFBLK}, {"p", S_IFIFO}};

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; d->type && i < ARRAY_SIZE(types); i++)
		if (strcmp(d->type, types[i].name) == 0)
			ret->type = types[i].type;
	if (ret->type == 0)
		return berth_err_msg(err, EINVAL, "unknown device type '%s'",
				     d->type ? d->type : "");
	if (d->path == NULL || d->path[0] != '/')
		return berth_err_msg(err, EINVAL,
				     "device path must be absolute");
	if (d->major < 0 || d->minor < 0 || d->major > 0xfff ||
	    d->minor > 0xfffff)
		return berth_err_msg(err, EINVAL, "bad major/minor");
	ret->path = d->path;
	ret->major = (unsigned int)d->major;
	ret->minor = (unsigned int)d->minor;
	ret->perm = d->file_mode.set ? (mode_t)d->file_mode.v & 07777 : 0666;
	ret->uid = d->uid.set ? (uid_t)d->uid.v : 0;
	ret->gid = d->gid.set ? (gid_t)d->gid.v : 0;
	return 0;
}

/* The host's node of the same path, checked to be the same device. */
static int open_host_node(const struct dev *d, struct berth_error *err)
{
	_cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
	struct stat st;

	if (src < 0)
		return berth_err(err, errno, "open host %s", d->path);
	if (fstat(src, &st) < 0 || (st.st_mode & S_IFMT) != d->type ||
	    (d->type != S_IFIFO && st.st_rdev != makedev(d->major, d->minor)))
		return berth_err_msg(err, ENODEV, "host %s is not device %u:%u",
				     d->path, d->major, d->minor);
	return TAKE_FD(src);
}

/* The clone berth made of the host's node before clone (device @idx, see
 * devices_plan_host), or -1. */
static int host_tree(const struct mounts_plan *plan, size_t idx)
{
	if (plan->dev_fds == NULL || idx >= plan->dev_fds_n)
		return -1;
	return plan->dev_fds[idx];
}

/* The host's node bound onto an empty file: what a user namespace
 * allows. */
static int bind_device(const struct mounts_plan *plan, int dirfd,
		       const char *name, const struct dev *d, size_t idx,
		       struct berth_error *err)
{
	int tree = host_tree(plan, idx);
	_cleanup_close_ int src = tree < 0 ? open_host_node(d, err) : -1;
	_cleanup_close_ int dest = -1;

	if (tree < 0 && src < 0)
		return src;
	int fd =
	    openat(dirfd, name,
		   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return berth_err(err, errno, "create mount point");
	if (fd >= 0)
		close(fd);
	int r = fs_open_in_root(plan->rootfd, d->path, O_PATH, &dest, err);
	if (r < 0)
		return r;
	if (tree >= 0)
		return mnt_bind_tree(tree, 0, 0, 0, 0, dest, "bind host device",
				     err);
	return mnt_bind(src, false, 0, 0, 0, 0, dest, NULL, "bind host device",
			err);
}

/* @idx: the device's number (the defaults, then linux.devices). */
static int create_device(const struct mounts_plan *plan, const struct dev *d,
			 size_t idx, struct berth_error *err)
{
	_cleanup_close_ int dirfd = -1;
	char name[NAME_MAX + 1];

	int r =
	    fs_open_parent_in_root(plan->rootfd, d->path, &dirfd, name, err);
	if (r < 0)
		return r;
	if (plan->in_userns && d->type != S_IFIFO)
		return bind_device(plan, dirfd, name, d, idx, err);
	if (mknodat(dirfd, name, d->type | d->perm,
		    makedev(d->major, d->minor)) < 0) {
		if (errno == EEXIST) /* runc keeps what is there */
			return 0;
		if (errno == EPERM)
			return bind_device(plan, dirfd, name, d, idx, err);
		return berth_err(err, errno, "mknod");
	}
	/* The umask must not spoil the mode: set it explicitly. */
	if (fchmodat(dirfd, name, d->perm, 0) < 0)
		return berth_err(err, errno, "chmod");
	if (fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_err(err, errno, "chown");
	return 0;
}

static bool overridden(const struct oci_linux *l, const char *path)
{
	for (size_t i = 0; l && i < l->devices_n; i++)
		if (l->devices[i].path &&
		    fs_path_equal(l->devices[i].path, path))
			return true;
	return false;
}

typedef int (*dev_fn)(struct mounts_plan *plan, const struct dev *d, size_t idx,
		      struct berth_error *err);

/* @fn on every device: the defaults not overridden, then linux.devices;
 * @idx counts the defaults first. */
static int each_device(struct mounts_plan *plan, dev_fn fn,
		       struct berth_error *err)
{
	const struct oci_linux *l = plan->spec->linux_;
	const size_t nd = ARRAY_SIZE(default_devs);
	struct dev d;

	for (size_t i = 0; i < nd; i++) {
		if (overridden(l, default_devs[i].path))
			continue;
		int r = fn(plan, &default_devs[i], i, err);
		if (r < 0)
			return berth_err_ctx(err, "device %s",
					     default_devs[i].path);
	}
	for (size_t i = 0; l && i < l->devices_n; i++) {
		int r = dev_from_oci(&l->devices[i], &d, err);
		if (r == 0)
			r = fn(plan, &d, nd + i, err);
		if (r < 0)
			return berth_err_ctx(
			    err, "linux.devices[%zu] (%s)", i,
			    l->devices[i].path ? l->devices[i].path : "");
	}
	return 0;
}

static int create_one(struct mounts_plan *plan, const struct dev *d, size_t idx,
		      struct berth_error *err)
{
	return create_device(plan, d, idx, err);
}

static int plan_one(struct mounts_plan *plan, const struct dev *d, size_t idx,
		    struct berth_error *err)
{
	if (d->type == S_IFIFO)
		return 0;
	_cleanup_close_ int src = open_host_node(d, err);
	if (src < 0)
		return src;
	int tree = host_clone(plan, src, false);
	if (tree < 0)
		return berth_err(err, -tree, "clone host %s", d->path);
	plan->dev_fds[idx] = tree;
	return 0;
}

int devices_plan_host(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_linux *l = plan->spec->linux_;
	size_t n = ARRAY_SIZE(default_devs) + (l ? l->devices_n : 0);

	if (!needs_setup_dev(plan->spec))
		return 0;
	if (host_fds_alloc(n, &plan->dev_fds) < 0)
		return berth_err(err, ENOMEM, "devices");
	plan->dev_fds_n = n;
	int r = each_device(plan, plan_one, err);
	return r < 0 ? berth_err_ctx(err, "devices") : 0;
}

static int dev_links(int devfd, struct berth_error *err)
{
	static const char *const links[][2] = {
	    {"fd", "/proc/self/fd"},	   {"stdin", "/proc/self/fd/0"},
	    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
	    {"core", "/proc/kcore"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		/* As runc: /dev/core only when the kernel has /proc/kcore. */
		if (strcmp(links[i][0], "core") == 0 &&
		    access("/proc/kcore", F_OK) < 0)
			continue;
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0 &&
		    errno != EEXIST)
			return berth_err(err, errno, "symlink /dev/%s",
					 links[i][0]);
	}
	/* /dev/ptmx: whatever is there is replaced by a link into the
	 * container's own devpts. */
	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return berth_err(err, errno, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return berth_err(err, errno, "symlink /dev/ptmx");
	return 0;
}

/* An empty regular file at /dev/console to mount the pty on.  A symlink
 * there is removed, never followed. */
static int console_mount_point(int devfd, struct berth_error *err)
{
	struct stat st;

	if (fstatat(devfd, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode) && unlinkat(devfd, "console", 0) < 0)
		return berth_err(err, errno, "remove /dev/console link");
	int fd =
	    openat(devfd, "console",
		   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return berth_err(err, errno, "create /dev/console");
	if (fd >= 0)
		close(fd);
	return 0;
}

int devices_create(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_spec *spec = plan->spec;
	_cleanup_close_ int devfd = -1;

	if (!needs_setup_dev(spec))
		return 0;
	int r = fs_mkdir_p_in_root(plan->rootfd, "/dev", 0755, &devfd, err);
	if (r == 0)
		r = each_device(plan, create_one, err);
	if (r == 0)
		r = dev_links(devfd, err);
	if (r == 0 && spec->process && spec->process->terminal)
		r = console_mount_point(devfd, err);
	return r;
}

int devices_bind_console(struct mounts_plan *plan, int pty_slave_fd,
			 struct berth_error *err)
{
	_cleanup_close_ int devfd = -1, dest = -1;
	struct stat st;

	if (plan->rootfd < 0)
		return berth_err_msg(err, EBADF, "console: rootfs not open");
	if (fstat(pty_slave_fd, &st) < 0 || !S_ISCHR(st.st_mode))
		return berth_err_msg(err, EINVAL,
				     "console: pty slave is not a char device");
	int r = fs_mkdir_p_in_root(plan->rootfd, "/dev", 0755, &devfd, err);
	if (r == 0)
		r = console_mount_point(devfd, err);
	if (r < 0)
		return berth_err_ctx(err, "console");
	dest = openat(devfd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (dest < 0)
		return berth_err(err, errno, "console: open /dev/console");
	if (fstat(dest, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
		return berth_err_msg(err, EINVAL,
				     "console: /dev/console is not a file");
	return mnt_bind(pty_slave_fd, false, 0, 0, 0, 0, dest, NULL,
			"bind console on /dev/console", err);
}
