#include "runtime/rootfs/mount_api.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"

int mnt_clone(int fd, bool recursive)
{
	unsigned int flags =
	    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;

	if (recursive)
		flags |= AT_RECURSIVE;
	int r = open_tree(fd, "", flags);
	return r < 0 ? -errno : r;
}

int mnt_setattr(int mntfd, bool recursive, uint64_t set, uint64_t clr)
{
	struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (set == 0 && clr == 0)
		return 0;
	if (mount_setattr(mntfd, "", flags, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int mnt_propagate(int mntfd, unsigned long ms_prop)
{
	struct mount_attr attr = {.propagation = ms_prop & ~MS_REC};
	unsigned int flags = AT_EMPTY_PATH;

	if (ms_prop & MS_REC)
		flags |= AT_RECURSIVE;
	if (mount_setattr(mntfd, "", flags, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int mnt_propagate_all(int mntfd, const unsigned long *ms_prop, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = mnt_propagate(mntfd, ms_prop[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int mnt_attach(int mntfd, int destfd)
{
	if (move_mount(mntfd, "", destfd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int mnt_idmap(int mntfd, bool recursive, int userns_fd)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP,
				  .userns_fd = (uint64_t)userns_fd};
	unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);

	if (userns_fd < 0)
		return -EBADF;
	if (mount_setattr(mntfd, "", flags, &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/* The per-mount flags of a bind: what was asked, or, if the kernel refuses
 * to clear a flag it locked (EPERM in a user namespace), the same without
 * clearing any lockable flag nor touching the atime mode. */
static int bind_setattr(int tree, unsigned long flags, unsigned long clear)
{
	const uint64_t lockable = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
				  MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				  MOUNT_ATTR__ATIME;
	uint64_t set, clr;

	mount_opts_attr(flags, clear, &set, &clr);
	int r = mnt_setattr(tree, false, set, clr);
	if (r == -EPERM && (clr & lockable))
		r = mnt_setattr(tree, false, set & ~MOUNT_ATTR__ATIME,
				clr & ~lockable);
	return r;
}

int mnt_bind(int srcfd, bool recursive, unsigned long flags,
	     unsigned long clear, uint64_t rec_set, uint64_t rec_clr,
	     int destfd, int *ret_mntfd, const char *what,
	     struct berth_error *err)
{
	_cleanup_close_ int tree = mnt_clone(srcfd, recursive);

	if (tree < 0)
		return berth_err(err, -tree, "%s: open_tree", what);
	int r = mnt_bind_tree(tree, flags, clear, rec_set, rec_clr, destfd,
			      what, err);
	if (r < 0)
		return r;
	if (ret_mntfd != NULL)
		*ret_mntfd = TAKE_FD(tree);
	return 0;
}

int mnt_bind_tree(int tree, unsigned long flags, unsigned long clear,
		  uint64_t rec_set, uint64_t rec_clr, int destfd,
		  const char *what, struct berth_error *err)
{
	int r = bind_setattr(tree, flags, clear);
	if (r < 0)
		return berth_err(err, -r, "%s: set mount flags", what);
	r = mnt_setattr(tree, true, rec_set, rec_clr);
	if (r < 0)
		return berth_err(err, -r, "%s: set recursive mount flags",
				 what);
	r = mnt_attach(tree, destfd);
	return r < 0 ? berth_err(err, -r, "%s", what) : 0;
}

/* The filesystem's last message, without its "e " / "w " prefix. */
static void fs_log(int fsfd, char *buf, size_t size)
{
	ssize_t n = read(fsfd, buf, size - 1);

	buf[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (n > 2 && buf[1] == ' ')
		memmove(buf, buf + 2, (size_t)n - 1);
	buf[strcspn(buf, "\n")] = '\0';
}

static int fs_fail(int fsfd, int code, const char *type, const char *dest,
		   const char *opt, struct berth_error *err)
{
	char log[256];

	fs_log(fsfd, log, sizeof(log));
	if (log[0] != '\0')
		return berth_err(err, code, "mount %s on %s (%s)", type, dest,
				 log);
	if (opt != NULL)
		return berth_err(err, code, "mount %s on %s: option '%s'", type,
				 dest, opt);
	return berth_err(err, code, "mount %s on %s", type, dest);
}

/* Feed "k=v,flag,..." to fsconfig; a double-quoted value may hold commas. */
static int fs_config_data(int fsfd, const char *data, char **ret_bad)
{
	_cleanup_free_ char *copy = strdup(data ? data : "");
	char *p = copy;

	if (copy == NULL)
		return -ENOMEM;
	while (*p != '\0') {
		char *opt = p;
		bool quoted = false;
		for (; *p != '\0' && (quoted || *p != ','); p++)
			if (*p == '"')
				quoted = !quoted;
		if (*p == ',')
			*p++ = '\0';
		if (*opt == '\0')
			continue;
		char *eq = strchr(opt, '=');
		int r;
		if (eq != NULL) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			int e = errno;
			*ret_bad = strdup(opt);
			return -e;
		}
	}
	return 0;
}

int mnt_new_fs(const char *type, const char *source, const char *data,
	       unsigned long ms_flags, uint64_t attr, const char *dest,
	       int *ret_fd, struct berth_error *err)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	_cleanup_free_ char *bad = NULL;
	const char *sb[5];

	if (fsfd < 0)
		return berth_err(err, errno, "mount %s on %s", type, dest);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source",
		     source ? source : type, 0) < 0)
		return fs_fail(fsfd, errno, type, dest, "source", err);
	int r = fs_config_data(fsfd, data, &bad);
	if (r < 0)
		return fs_fail(fsfd, -r, type, dest, bad, err);
	mount_opts_sb_flags(ms_flags, sb);
	for (size_t i = 0; sb[i] != NULL; i++)
		if (fsconfig(fsfd, FSCONFIG_SET_FLAG, sb[i], NULL, 0) < 0)
			return fs_fail(fsfd, errno, type, dest, sb[i], err);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_fail(fsfd, errno, type, dest, NULL, err);
	int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attr);
	if (mfd < 0)
		return fs_fail(fsfd, errno, type, dest, NULL, err);
	*ret_fd = mfd;
	return 0;
}
