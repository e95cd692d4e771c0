#include "runtime/rootfs/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "runtime/rootfs/copyup.h"
#include "runtime/rootfs/devices.h"
#include "runtime/rootfs/fs.h"
#include "runtime/rootfs/host.h"
#include "runtime/rootfs/idmap.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mount_cgroup.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"
#include "util/util.h"

static void cleanup_mount_optsp(struct mount_opts *o)
{
	mount_opts_done(o);
}
#define _cleanup_mount_opts_ __attribute__((cleanup(cleanup_mount_optsp)))

static const struct oci_linux *plan_linux(const struct mounts_plan *plan)
{
	return plan->spec->linux_;
}

/* ---- prepare ---- */

/* What a config may not ask for without a mount namespace. */
static int check_no_mount_ns(const struct mounts_plan *plan,
			     struct berth_error *err)
{
	const struct oci_linux *l = plan_linux(plan);
	const char *what = NULL;

	if (plan->spec->mounts_n > 0)
		what = "mounts";
	else if (plan->spec->root.readonly)
		what = "root.readonly";
	else if (l && l->devices_n > 0)
		what = "linux.devices";
	else if (l && l->masked_paths && l->masked_paths[0])
		what = "linux.maskedPaths";
	else if (l && l->readonly_paths && l->readonly_paths[0])
		what = "linux.readonlyPaths";
	else if (l && l->rootfs_propagation)
		what = "linux.rootfsPropagation";
	if (what == NULL)
		return 0;
	return berth_err_msg(
	    err, EINVAL, "%s needs a mount namespace (none configured)", what);
}

static int root_propagation(const struct mounts_plan *plan, unsigned long *ret,
			    struct berth_error *err)
{
	const struct oci_linux *l = plan_linux(plan);

	*ret = 0;
	if (l == NULL || l->rootfs_propagation == NULL)
		return 0;
	if (mount_opts_propagation(l->rootfs_propagation, ret) < 0)
		return berth_err_msg(err, EINVAL,
				     "linux.rootfsPropagation: unknown '%s'",
				     l->rootfs_propagation);
	return 0;
}

/* pivot_root and MS_MOVE refuse a shared parent: make the mount that holds
 * the rootfs private (walk up until a mount point: EINVAL means "not one"). */
static int make_parent_private(const char *rootfs, struct berth_error *err)
{
	_cleanup_free_ char *path = strdup(rootfs);

	if (path == NULL)
		return berth_err(err, ENOMEM, "rootfs");
	for (;;) {
		if (mount(NULL, path, NULL, MS_PRIVATE, NULL) == 0)
			return 0;
		if (errno != EINVAL || strcmp(path, "/") == 0)
			return berth_err(err, errno, "make '%s' private", path);
		char *slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* A detached clone of the host's /dev/null, checked to be the real char
 * device 1:3: what masked files get, whatever the rootfs's /dev holds. */
static int open_devnull(struct mounts_plan *plan, struct berth_error *err)
{
	struct stat st;
	int fd = open_tree(AT_FDCWD, "/dev/null",
			   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return berth_err(err, errno, "open_tree /dev/null");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(1, 3)) {
		close(fd);
		return berth_err_msg(err, EPERM,
				     "/dev/null is not the char device 1:3");
	}
	plan->devnull_fd = fd;
	return 0;
}

static int open_rootfd(struct mounts_plan *plan, struct berth_error *err)
{
	plan->rootfd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (plan->rootfd < 0)
		return berth_err(err, errno, "open rootfs '%s'", plan->rootfs);
	return 0;
}

int mounts_prepare_rootfs(struct mounts_plan *plan, struct berth_error *err)
{
	unsigned long prop;

	plan->rootfd = -1;
	plan->devnull_fd = -1;
	if (plan->rootfs == NULL || plan->rootfs[0] != '/')
		return berth_err_msg(err, EINVAL,
				     "rootfs: not an absolute path");
	if (!plan->new_mount_ns) {
		int r = check_no_mount_ns(plan, err);
		return r < 0 ? r : open_rootfd(plan, err);
	}
	int r = root_propagation(plan, &prop, err);
	if (r < 0)
		return r;
	if (mount(NULL, "/", NULL, prop ? prop : MS_SLAVE | MS_REC, NULL) < 0)
		return berth_err(err, errno, "set propagation of /");
	r = make_parent_private(plan->rootfs, err);
	if (r < 0)
		return r;
	if (mount(plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_err(err, errno, "bind rootfs '%s' onto itself",
				 plan->rootfs);
	r = open_rootfd(plan, err);
	if (r < 0)
		return r;
	return open_devnull(plan, err);
}

void mounts_plan_close(struct mounts_plan *plan)
{
	if (plan->rootfd >= 0)
		close(plan->rootfd);
	if (plan->devnull_fd >= 0)
		close(plan->devnull_fd);
	plan->rootfd = -1;
	plan->devnull_fd = -1;
	mounts_plan_idmaps_close(plan);
	mounts_plan_host_close(plan);
}

/* ---- mounts[] ---- */

/* The path of @fd inside the rootfs ("/proc/cpuinfo"), from the host's
 * /proc before pivot_root; only used for checks, never to mount. */
static int path_in_root(int rootfd, int fd, char *buf, size_t size)
{
	char link[64], root[PATH_MAX], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", rootfd);
	n = readlink(link, root, sizeof(root) - 1);
	if (n < 0)
		return -errno;
	root[n] = '\0';
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/'))
		return -EXDEV;
	snprintf(buf, size, "%s", path[rl] ? path + rl : "/");
	return 0;
}

/* runc's rule: on /proc itself only a procfs (fresh, or bound from one);
 * under /proc only the files lxcfs emulates. */
static int check_proc_dest(const struct mounts_plan *plan, int destfd,
			   bool bind, int srcfd, const char *type,
			   struct berth_error *err)
{
	static const char *const allowed[] = {
	    "/proc/cpuinfo",
	    "/proc/diskstats",
	    "/proc/meminfo",
	    "/proc/stat",
	    "/proc/swaps",
	    "/proc/uptime",
	    "/proc/loadavg",
	    "/proc/slabinfo",
	    "/proc/pressure/cpu",
	    "/proc/pressure/io",
	    "/proc/pressure/memory",
	    "/proc/net/dev",
	    "/proc/sys/kernel/ns_last_pid",
	};
	char p[PATH_MAX];
	struct statfs sfs;

	int r = path_in_root(plan->rootfd, destfd, p, sizeof(p));
	if (r < 0)
		return berth_err(err, -r, "resolve destination");
	if (strcmp(p, "/proc") == 0) {
		if (!bind && type && strcmp(type, "proc") == 0)
			return 0;
		if (bind && fstatfs(srcfd, &sfs) == 0 &&
		    sfs.f_type == PROC_SUPER_MAGIC)
			return 0;
		return berth_err_msg(
		    err, EPERM, "/proc cannot be mounted: not of type proc");
	}
	if (strncmp(p, "/proc/", 6) != 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(p, allowed[i]) == 0)
			return 0;
	return berth_err_msg(err, EPERM,
			     "%s cannot be mounted: it is inside /proc", p);
}

int mounts_open_bind_source(const struct mounts_plan *plan, const char *source,
			    struct berth_error *err)
{
	_cleanup_free_ char *path = NULL;

	if (source == NULL || source[0] == '\0')
		return berth_err_msg(err, EINVAL, "bind mount without source");
	if (source[0] != '/') {
		if (plan->bundle == NULL ||
		    asprintf(&path, "%s/%s", plan->bundle, source) < 0)
			return berth_err(err, ENOMEM, "bind source '%s'",
					 source);
		source = path;
	}
	int fd = open(source, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open bind source '%s'", source);
	return fd;
}

/* @tree: the tree built before clone (idmapped, or the source's clone),
 * or -1 to clone the source now. */
static int mount_bind_entry(const struct mounts_plan *plan,
			    const struct oci_mount *m,
			    const struct mount_opts *o, int tree,
			    struct berth_error *err)
{
	_cleanup_close_ int own =
	    tree < 0 ? mounts_open_bind_source(plan, m->source, err) : -1;
	_cleanup_close_ int destfd = -1, mfd = -1;
	int srcfd = tree < 0 ? own : tree;
	struct stat st;
	char what[PATH_MAX + 64];

	if (srcfd < 0)
		return srcfd;
	if (fstat(srcfd, &st) < 0)
		return berth_err(err, errno, "stat bind source '%s'",
				 m->source);
	int r = fs_mkpath_in_root(plan->rootfd, m->destination,
				  S_ISDIR(st.st_mode) ? FS_DIR : FS_FILE,
				  &destfd, err);
	if (r < 0)
		return r;
	r = check_proc_dest(plan, destfd, true, srcfd, m->type, err);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "bind '%s' on %s", m->source,
		 m->destination);
	if (tree >= 0)
		r = mnt_bind_tree(tree, o->flags, o->clear, o->rec_set,
				  o->rec_clr, destfd, what, err);
	else
		r = mnt_bind(srcfd, o->flags & MS_REC, o->flags, o->clear,
			     o->rec_set, o->rec_clr, destfd, &mfd, what, err);
	if (r < 0)
		return r;
	r = mnt_propagate_all(tree >= 0 ? tree : mfd, o->propagation,
			      o->propagation_n);
	if (r < 0)
		return berth_err(err, -r, "set propagation");
	return 0;
}

/* sysfs is refused in a user namespace that does not own the network
 * namespace: bind the host's /sys instead, as runc does. */
static int bind_host_sys(const struct mount_opts *o, int destfd,
			 struct berth_error *err)
{
	_cleanup_close_ int src =
	    open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int mfd = -1;

	if (src < 0)
		return berth_err(err, errno, "open /sys");
	int r = mnt_bind(src, true, o->flags, o->clear, o->rec_set, o->rec_clr,
			 destfd, &mfd, "bind /sys", err);
	if (r < 0)
		return r;
	r = mnt_propagate_all(mfd, o->propagation, o->propagation_n);
	return r < 0 ? berth_err(err, -r, "set propagation") : 0;
}

/* tmpcopyup: the detached tmpfs @mfd (made writable) gets a copy of what
 * is at @destfd, then becomes read-only if it was asked to be. */
static int copy_up(const struct mount_opts *o, uint64_t set, int destfd,
		   int mfd, struct berth_error *err)
{
	int r = copyup_tree(destfd, mfd, o->data, err);
	if (r < 0 || !(set & MOUNT_ATTR_RDONLY))
		return r;
	r = mnt_setattr(mfd, false, MOUNT_ATTR_RDONLY, 0);
	return r < 0 ? berth_err(err, -r, "tmpcopyup: make read-only") : 0;
}

static int mount_fs_entry(const struct oci_mount *m, const struct mount_opts *o,
			  int destfd, struct berth_error *err)
{
	_cleanup_close_ int mfd = -1;
	uint64_t set, clr;

	mount_opts_attr(o->flags, o->clear, &set, &clr);
	uint64_t attr = o->tmpcopyup ? set & ~MOUNT_ATTR_RDONLY : set;
	int r = mnt_new_fs(m->type, m->source, o->data, o->flags, attr,
			   m->destination, &mfd, err);
	if (r == -EPERM && strcmp(m->type, "sysfs") == 0)
		return bind_host_sys(o, destfd, err);
	if (r == 0 && o->tmpcopyup)
		r = copy_up(o, set, destfd, mfd, err);
	if (r < 0)
		return r;
	r = mnt_setattr(mfd, true, o->rec_set, o->rec_clr);
	if (r < 0)
		return berth_err(err, -r, "set recursive mount flags");
	r = mnt_attach(mfd, destfd);
	if (r < 0)
		return berth_err(err, -r, "mount %s on %s", m->type,
				 m->destination);
	r = mnt_propagate_all(mfd, o->propagation, o->propagation_n);
	return r < 0 ? berth_err(err, -r, "set propagation") : 0;
}

/* "remount": change the flags of what is already mounted there. */
static int remount_entry(const struct mounts_plan *plan,
			 const struct oci_mount *m, const struct mount_opts *o,
			 struct berth_error *err)
{
	_cleanup_close_ int fd = -1;
	uint64_t set, clr;

	int r = fs_open_in_root(plan->rootfd, m->destination, O_PATH, &fd, err);
	if (r < 0)
		return r;
	mount_opts_attr(o->flags, o->clear, &set, &clr);
	r = mnt_setattr(fd, false, set, clr);
	if (r == 0)
		r = mnt_setattr(fd, true, o->rec_set, o->rec_clr);
	if (r == 0)
		r = mnt_propagate_all(fd, o->propagation, o->propagation_n);
	return r < 0 ? berth_err(err, -r, "remount %s", m->destination) : 0;
}

/* Does the fs data string @data set "mode="? */
static bool data_has_mode(const char *data)
{
	for (const char *p = data; p != NULL; p = strchr(p, ',')) {
		p += *p == ',';
		if (strncmp(p, "mode=", 5) == 0)
			return true;
	}
	return false;
}

/* The mode of the directory a tmpfs will cover, or 0: none there (or not
 * a directory), or the options set "mode=" themselves. */
static mode_t tmpfs_covered_mode(const struct mounts_plan *plan,
				 const struct oci_mount *m,
				 const struct mount_opts *o)
{
	struct stat st;

	if (strcmp(m->type, "tmpfs") != 0 || data_has_mode(o->data))
		return 0;
	int fd = fs_openat_in_root(plan->rootfd, m->destination, O_PATH, 0);
	if (fd < 0)
		return 0;
	int r = fstat(fd, &st);
	close(fd);
	return r == 0 && S_ISDIR(st.st_mode) ? st.st_mode & 07777 : 0;
}

/* A tmpfs on an existing directory keeps that directory's mode (as runc
 * does; the kernel's default is 1777): `docker run --tmpfs /root` must
 * not make /root world-writable.  The tmpfs was mounted read-write; a
 * read-only one is made so after the chmod. */
static int tmpfs_keep_mode(const struct mounts_plan *plan,
			   const struct oci_mount *m, mode_t mode, bool ro,
			   struct berth_error *err)
{
	_cleanup_close_ int fd = -1;

	int r = fs_open_in_root(plan->rootfd, m->destination,
				O_RDONLY | O_DIRECTORY, &fd, err);
	if (r < 0)
		return r;
	if (fchmod(fd, mode) < 0)
		return berth_err(err, errno, "chmod tmpfs %s to %04o",
				 m->destination, (unsigned)mode);
	r = ro ? mnt_setattr(fd, false, MOUNT_ATTR_RDONLY, 0) : 0;
	return r < 0 ? berth_err(err, -r, "make tmpfs %s read-only",
				 m->destination)
		     : 0;
}

static int mount_typed_entry(const struct mounts_plan *plan,
			     const struct oci_mount *m,
			     const struct mount_opts *o,
			     struct berth_error *err)
{
	_cleanup_close_ int destfd = -1;

	if (m->type == NULL || m->type[0] == '\0')
		return berth_err_msg(err, EINVAL, "no type");
	mode_t covered = tmpfs_covered_mode(plan, m, o);
	int r = fs_mkpath_in_root(plan->rootfd, m->destination, FS_DIR, &destfd,
				  err);
	if (r < 0)
		return r;
	r = check_proc_dest(plan, destfd, false, -1, m->type, err);
	if (r < 0)
		return r;
	if (strcmp(m->type, "cgroup") == 0)
		return mount_cgroup(m, o, destfd, &plan->cgroup_view, err);
	bool ro = o->flags & MS_RDONLY;
	bool dev = fs_path_equal(m->destination, "/dev");
	if (!ro || (!dev && covered == 0))
		r = mount_fs_entry(m, o, destfd, err);
	else {
		/* A read-only /dev is mounted read-write: /dev/pts, /dev/shm,
		 * the devices and links are made in it first; finalize makes
		 * it read-only (as runc does).  A read-only tmpfs is made so
		 * after its chmod. */
		struct mount_opts rw = *o;
		rw.flags &= ~(unsigned long)MS_RDONLY;
		r = mount_fs_entry(m, &rw, destfd, err);
	}
	if (r == 0 && covered != 0)
		r = tmpfs_keep_mode(plan, m, covered, ro && !dev, err);
	return r;
}

/* The idmapped tree mounts_plan_idmaps() built for mount @i, or -1. */
static int idmap_tree(const struct mounts_plan *plan, size_t i)
{
	if (plan->idmap_fds == NULL || i >= plan->idmap_fds_n)
		return -1;
	return plan->idmap_fds[i];
}

/* The clone of mount @i's source mounts_plan_host() made, or -1. */
static int bind_tree(const struct mounts_plan *plan, size_t i)
{
	if (plan->bind_fds == NULL || i >= plan->bind_fds_n)
		return -1;
	return plan->bind_fds[i];
}

/* tmpcopyup fills a new tmpfs; on anything else it has no meaning (runc
 * ignores it there; berth says so). */
static int check_tmpcopyup(const struct oci_mount *m,
			   const struct mount_opts *o, struct berth_error *err)
{
	bool bind = (m->type && strcmp(m->type, "bind") == 0) ||
		    (o->flags & MS_BIND) || idmap_wanted(m);

	if (!o->tmpcopyup)
		return 0;
	if (bind || (o->flags & MS_REMOUNT))
		return berth_err_msg(err, EINVAL,
				     "option 'tmpcopyup': only for a new "
				     "tmpfs, not a %s",
				     bind ? "bind mount" : "remount");
	if (m->type == NULL || strcmp(m->type, "tmpfs") != 0)
		return berth_err_msg(err, EINVAL,
				     "option 'tmpcopyup': only for a new "
				     "tmpfs, not type '%s'",
				     m->type ? m->type : "");
	return 0;
}

static int mount_entry(const struct mounts_plan *plan, size_t i,
		       struct berth_error *err)
{
	const struct oci_mount *m = &plan->spec->mounts[i];
	_cleanup_mount_opts_ struct mount_opts o;
	int tree = idmap_tree(plan, i);

	int r = mount_opts_parse(m->options, &o, err);
	if (r < 0)
		return r;
	r = check_tmpcopyup(m, &o, err);
	if (r < 0)
		return r;
	if (tree < 0 && idmap_wanted(m))
		return berth_err_msg(err, EOPNOTSUPP,
				     "idmapped mount: not prepared before "
				     "clone (mounts_plan_idmaps)");
	if (tree >= 0)
		return mount_bind_entry(plan, m, &o, tree, err);
	if (o.flags & MS_REMOUNT)
		return remount_entry(plan, m, &o, err);
	if ((m->type && strcmp(m->type, "bind") == 0) || (o.flags & MS_BIND))
		return mount_bind_entry(plan, m, &o, bind_tree(plan, i), err);
	return mount_typed_entry(plan, m, &o, err);
}

/* A mount on "/" (an overlay root: `berth sandbox --overlay`) covers the
 * rootfs; the mounts after it go into it, and so do pivot_root and the
 * final remounts, which find it by path. */
static int reopen_rootfd(struct mounts_plan *plan, struct berth_error *err)
{
	close(plan->rootfd);
	plan->rootfd = -1;
	return open_rootfd(plan, err);
}

int mounts_do_mounts(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_spec *spec = plan->spec;

	if (!plan->new_mount_ns)
		return 0;
	for (size_t i = 0; i < spec->mounts_n; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		const char *dest = m->destination ? m->destination : "";
		int r;

		if (dest[0] == '\0')
			r = berth_err_msg(err, EINVAL, "no destination");
		else
			r = mount_entry(plan, i, err);
		if (r == 0 && fs_path_equal(dest, "/"))
			r = reopen_rootfd(plan, err);
		if (r < 0)
			return berth_err_ctx(err, "mount %zu (%s)", i, dest);
	}
	return 0;
}

int mounts_create_devices(struct mounts_plan *plan, struct berth_error *err)
{
	if (!plan->new_mount_ns)
		return 0;
	return devices_create(plan, err);
}

int mounts_bind_console(struct mounts_plan *plan, int pty_slave_fd,
			struct berth_error *err)
{
	return devices_bind_console(plan, pty_slave_fd, err);
}

/* ---- pivot_root ---- */

/* --no-pivot: before MS_MOVE + chroot, detach the host's procfs and sysfs
 * mounts outside the rootfs (cover them with a tmpfs if that is refused):
 * a chroot leaves them reachable otherwise.  As runc's msMoveRoot. */
static int hide_host_kernel_fs(const char *rootfs, struct berth_error *err)
{
	_cleanup_free_ char *mi = NULL;
	size_t len, rl = strlen(rootfs);

	int r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, &len);
	if (r < 0)
		return berth_err(err, -r, "read /proc/self/mountinfo");
	for (char *line = mi, *next; line && *line; line = next) {
		char mp[PATH_MAX], type[64];
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *sep = strstr(line, " - ");
		if (sep == NULL ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep, " - %63s", type) != 1)
			continue;
		if (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0)
			continue;
		if (strncmp(mp, rootfs, rl) == 0 &&
		    (mp[rl] == '/' || mp[rl] == '\0'))
			continue;
		if (umount2(mp, MNT_DETACH) == 0 || errno == ENOENT)
			continue;
		if (errno != EINVAL && errno != EPERM)
			return berth_err(err, errno, "detach host %s", mp);
		if (mount("tmpfs", mp, "tmpfs", MS_RDONLY, NULL) < 0 &&
		    errno != ENOENT)
			return berth_err(err, errno, "cover host %s", mp);
	}
	return 0;
}

static int move_root(struct mounts_plan *plan, struct berth_error *err)
{
	int r = hide_host_kernel_fs(plan->rootfs, err);

	if (r < 0)
		return r;
	if (fchdir(plan->rootfd) < 0)
		return berth_err(err, errno, "chdir rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return berth_err(err, errno, "move rootfs onto /");
	if (chroot(".") < 0)
		return berth_err(err, errno, "chroot");
	if (chdir("/") < 0)
		return berth_err(err, errno, "chdir /");
	return 0;
}

static int pivot(struct mounts_plan *plan, struct berth_error *err)
{
	_cleanup_close_ int oldroot =
	    open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (oldroot < 0)
		return berth_err(err, errno, "open /");
	if (fchdir(plan->rootfd) < 0)
		return berth_err(err, errno, "chdir rootfs");
	/* pivot_root(".", "."): the old root ends up stacked on the new one,
	 * where it can be detached without a directory for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return berth_err(err, errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		return berth_err(err, errno, "chdir old root");
	/* rslave first, so the detach does not propagate to the host. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berth_err(err, errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return berth_err(err, errno, "detach old root");
	if (chdir("/") < 0)
		return berth_err(err, errno, "chdir /");
	return 0;
}

int mounts_pivot_root(struct mounts_plan *plan, struct berth_error *err)
{
	if (!plan->new_mount_ns) {
		if (fchdir(plan->rootfd) < 0 || chroot(".") < 0 ||
		    chdir("/") < 0)
			return berth_err(err, errno, "chroot into rootfs");
		return 0;
	}
	return plan->no_pivot ? move_root(plan, err) : pivot(plan, err);
}

/* ---- masked and read-only paths (after pivot_root) ---- */

/* A fresh mount of the real /dev/null.  The clone of the host's, made in
 * prepare; where the kernel cannot clone a detached mount, the container's
 * own /dev/null, if it is not a symlink and is the char device 1:3 (a
 * planted file there must not be what masks: CVE-2025-31133). */
static int devnull_mount(const struct mounts_plan *plan, int root,
			 struct berth_error *err)
{
	struct stat st;
	int fd =
	    plan->devnull_fd >= 0 ? mnt_clone(plan->devnull_fd, false) : -EBADF;

	if (fd >= 0)
		return fd;
	_cleanup_close_ int dn =
	    fs_openat_in_root(root, "/dev/null", O_PATH, RESOLVE_NO_SYMLINKS);
	if (dn < 0)
		return berth_err(err, -dn, "open /dev/null");
	if (fstat(dn, &st) < 0 || !S_ISCHR(st.st_mode) ||
	    st.st_rdev != makedev(1, 3))
		return berth_err_msg(err, EPERM,
				     "/dev/null is not the char device 1:3");
	fd = mnt_clone(dn, false);
	return fd < 0 ? berth_err(err, -fd, "open_tree /dev/null") : fd;
}

static int mask_one(const struct mounts_plan *plan, int root, const char *p,
		    struct berth_error *err)
{
	_cleanup_close_ int fd = fs_openat_in_root(root, p, O_PATH, 0);
	_cleanup_close_ int mfd = -1;
	struct stat st;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return berth_err(err, -fd, "open");
	if (fstat(fd, &st) < 0)
		return berth_err(err, errno, "stat");
	if (S_ISDIR(st.st_mode)) {
		int r = mnt_new_fs("tmpfs", "tmpfs", NULL, 0,
				   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				   p, &mfd, err);
		if (r < 0)
			return r;
	} else {
		mfd = devnull_mount(plan, root, err);
		if (mfd < 0)
			return mfd;
	}
	int r = mnt_attach(mfd, fd);
	return r < 0 ? berth_err(err, -r, "mount over it") : 0;
}

static int open_root(int *ret, struct berth_error *err)
{
	*ret = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *ret < 0 ? berth_err(err, errno, "open /") : 0;
}

int mounts_mask_paths(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_linux *l = plan_linux(plan);
	_cleanup_close_ int root = -1;

	if (!plan->new_mount_ns || l == NULL || l->masked_paths == NULL)
		return 0;
	int r = open_root(&root, err);
	for (size_t i = 0; r == 0 && l->masked_paths[i]; i++) {
		r = mask_one(plan, root, l->masked_paths[i], err);
		if (r < 0)
			return berth_err_ctx(err, "mask '%s'",
					     l->masked_paths[i]);
	}
	return r;
}

/* Bind onto itself, then read-only: the whole tree below it too (safer
 * than runc's top-only remount); nosuid/nodev/noexec are kept as they
 * are, since mount_setattr only sets what it is asked to. */
static int readonly_one(int root, const char *p, struct berth_error *err)
{
	_cleanup_close_ int fd = fs_openat_in_root(root, p, O_PATH, 0);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return berth_err(err, -fd, "open");
	_cleanup_close_ int tree = mnt_clone(fd, true);
	if (tree < 0)
		return berth_err(err, -tree, "open_tree");
	int r = mnt_setattr(tree, true, MOUNT_ATTR_RDONLY, 0);
	if (r < 0)
		return berth_err(err, -r, "make read-only");
	r = mnt_attach(tree, fd);
	return r < 0 ? berth_err(err, -r, "bind onto itself") : 0;
}

int mounts_readonly_paths(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_linux *l = plan_linux(plan);
	_cleanup_close_ int root = -1;

	if (!plan->new_mount_ns || l == NULL || l->readonly_paths == NULL)
		return 0;
	int r = open_root(&root, err);
	for (size_t i = 0; r == 0 && l->readonly_paths[i]; i++) {
		r = readonly_one(root, l->readonly_paths[i], err);
		if (r < 0)
			return berth_err_ctx(err, "readonly path '%s'",
					     l->readonly_paths[i]);
	}
	return r;
}

/* ---- finalize ---- */

/* /dev was mounted "ro" (mounted read-write, see mount_typed_entry): its
 * devices, links and mount points exist now, make it read-only. */
static int dev_readonly(const struct mounts_plan *plan, int root,
			struct berth_error *err)
{
	const struct oci_spec *spec = plan->spec;
	bool ro = false;

	for (size_t i = 0; i < spec->mounts_n; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		_cleanup_mount_opts_ struct mount_opts o = {0};
		if (m->destination && fs_path_equal(m->destination, "/dev") &&
		    mount_opts_parse(m->options, &o, NULL) == 0)
			ro = (o.flags & MS_RDONLY) != 0;
	}
	if (!ro)
		return 0;
	_cleanup_close_ int fd = fs_openat_in_root(root, "/dev", O_PATH, 0);
	int r = fd < 0 ? fd : mnt_setattr(fd, false, MOUNT_ATTR_RDONLY, 0);
	return r < 0 ? berth_err(err, -r, "remount /dev read-only") : 0;
}

/* A missing process.cwd is created here, while / may still be written
 * (as runc does); the process setup chdirs into it and checks it is inside
 * the container.  Anything else there is left for it to report. */
static int make_cwd(const struct mounts_plan *plan, int root,
		    struct berth_error *err)
{
	const char *cwd = plan->spec->process ? plan->spec->process->cwd : NULL;
	_cleanup_close_ int fd = -1;

	if (cwd == NULL || cwd[0] == '\0')
		return 0;
	fd = fs_openat_in_root(root, cwd, O_PATH, 0);
	if (fd != -ENOENT)
		return 0;
	int r = fs_mkdir_p_in_root(root, cwd, 0755, &fd, err);
	return r < 0 ? berth_err_ctx(err, "create process.cwd '%s'", cwd) : 0;
}

static int finalize(struct mounts_plan *plan, struct berth_error *err)
{
	_cleanup_close_ int root = -1;
	unsigned long prop;

	int r = open_root(&root, err);
	if (r == 0)
		r = make_cwd(plan, root, err);
	if (r == 0)
		r = dev_readonly(plan, root, err);
	if (r == 0 && plan->spec->root.readonly) {
		r = mnt_setattr(root, false, MOUNT_ATTR_RDONLY, 0);
		if (r < 0)
			return berth_err(err, -r, "remount / read-only");
	}
	if (r == 0)
		r = root_propagation(plan, &prop, err);
	if (r == 0 && prop != 0) {
		r = mnt_propagate(root, prop);
		if (r < 0)
			return berth_err(err, -r, "set propagation of /");
	}
	return r;
}

int mounts_finalize_root(struct mounts_plan *plan, struct berth_error *err)
{
	int r = plan->new_mount_ns ? finalize(plan, err) : 0;

	mounts_plan_close(plan);
	return r;
}
