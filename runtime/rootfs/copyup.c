/* tmpcopyup: copy a directory tree into a detached tmpfs, openat-relative. */
#include "runtime/rootfs/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

/* Deeper trees are refused: each level holds three fds. */
#define COPYUP_MAX_DEPTH 128

struct copyup {
	char path[PATH_MAX]; /* relative to the mount point, for messages */
	size_t len;
	unsigned depth;
	char *list, *value; /* xattr buffers, XATTR_LIST_MAX / _SIZE_MAX */
};

static void cleanup_dirp(DIR **d)
{
	if (*d != NULL)
		closedir(*d);
}
#define _cleanup_dir_ __attribute__((cleanup(cleanup_dirp)))

static int fail(struct copyup *c, int code, const char *what,
		struct berth_error *err)
{
	return berth_err(err, code, "tmpcopyup: %s '%s'", what,
			 c->len ? c->path : ".");
}

/* ---- xattrs: through the fd, or the name in its parent when the node
 * cannot be opened for reading (symlinks, devices, fifos, sockets) ---- */

struct xnode {
	int fd;		     /* -1: use path */
	char path[PATH_MAX]; /* /proc/self/fd/<parent>/<name> */
};

static void xnode_at(struct xnode *x, int dirfd, const char *name)
{
	x->fd = -1;
	snprintf(x->path, sizeof(x->path), "/proc/self/fd/%d/%s", dirfd, name);
}

static ssize_t xa_list(const struct xnode *x, char *buf, size_t n)
{
	return x->fd >= 0 ? flistxattr(x->fd, buf, n)
			  : llistxattr(x->path, buf, n);
}

static ssize_t xa_get(const struct xnode *x, const char *k, char *v, size_t n)
{
	return x->fd >= 0 ? fgetxattr(x->fd, k, v, n)
			  : lgetxattr(x->path, k, v, n);
}

static int xa_set(const struct xnode *x, const char *k, const char *v, size_t n)
{
	return x->fd >= 0 ? fsetxattr(x->fd, k, v, n, 0)
			  : lsetxattr(x->path, k, v, n, 0);
}

static bool unsupported(int e)
{
	return e == ENOTSUP || e == EOPNOTSUPP;
}

/* Every xattr of @src onto @dst; one the tmpfs does not take (user.* on
 * an old kernel) is left out. Returns 0 or -errno. */
static int copy_xattrs(struct copyup *c, const struct xnode *src,
		       const struct xnode *dst)
{
	ssize_t n = xa_list(src, c->list, XATTR_LIST_MAX);
	if (n < 0)
		return unsupported(errno) ? 0 : -errno;
	for (char *k = c->list; k < c->list + n; k += strlen(k) + 1) {
		ssize_t v = xa_get(src, k, c->value, XATTR_SIZE_MAX);
		if (v < 0 && errno == ENODATA)
			continue;
		if (v < 0)
			return -errno;
		if (xa_set(dst, k, c->value, (size_t)v) < 0 &&
		    !unsupported(errno))
			return -errno;
	}
	return 0;
}

/* ---- metadata: owner, then mode (chown clears set-id bits), then
 * xattrs (chown clears security.capability), timestamps last ---- */

static int meta_fd(struct copyup *c, int sfd, int dfd, const struct stat *st,
		   struct berth_error *err)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	struct xnode s = {.fd = sfd}, d = {.fd = dfd};

	if (fchown(dfd, st->st_uid, st->st_gid) < 0)
		return fail(c, errno, "chown", err);
	if (fchmod(dfd, st->st_mode & 07777) < 0)
		return fail(c, errno, "chmod", err);
	int r = copy_xattrs(c, &s, &d);
	if (r < 0)
		return fail(c, -r, "copy xattrs of", err);
	if (futimens(dfd, times) < 0)
		return fail(c, errno, "set times of", err);
	return 0;
}

static int meta_at(struct copyup *c, int sdir, int ddir, const char *name,
		   const struct stat *st, struct berth_error *err)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	struct xnode s, d;

	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
	    0)
		return fail(c, errno, "chown", err);
	/* Not for a symlink, whose mode means nothing; the node is one
	 * berth just made in its own detached tmpfs. */
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return fail(c, errno, "chmod", err);
	xnode_at(&s, sdir, name);
	xnode_at(&d, ddir, name);
	int r = copy_xattrs(c, &s, &d);
	if (r < 0)
		return fail(c, -r, "copy xattrs of", err);
	if (utimensat(ddir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "set times of", err);
	return 0;
}

/* ---- the nodes ---- */

static int copy_data(int sfd, int dfd)
{
	char buf[65536];
	for (;;) {
		ssize_t n = copy_file_range(sfd, NULL, dfd, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -errno;
		break; /* not between these two: read and write */
	}
	for (;;) {
		ssize_t n = read(sfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		if (write_all(dfd, buf, (size_t)n) < 0)
			return -errno;
	}
}

/* The source node, opened without following a symlink, must still be
 * what fstatat() saw. */
static int open_same(int dirfd, const char *name, int flags,
		     const struct stat *st)
{
	struct stat now;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &now) < 0 || now.st_ino != st->st_ino ||
	    now.st_dev != st->st_dev) {
		close(fd);
		return -EAGAIN;
	}
	return fd;
}

static int copy_file(struct copyup *c, int sdir, int ddir, const char *name,
		     const struct stat *st, struct berth_error *err)
{
	_cleanup_close_ int sfd =
	    open_same(sdir, name, O_RDONLY | O_NOCTTY | O_NONBLOCK, st);
	if (sfd < 0)
		return fail(c, -sfd, "open", err);
	_cleanup_close_ int dfd =
	    openat(ddir, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return fail(c, errno, "create", err);
	int r = copy_data(sfd, dfd);
	if (r < 0)
		return fail(c, -r, "copy", err);
	return meta_fd(c, sfd, dfd, st, err);
}

static int copy_symlink(struct copyup *c, int sdir, int ddir, const char *name,
			const struct stat *st, struct berth_error *err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
	if (n < 0)
		return fail(c, errno, "readlink", err);
	target[n] = '\0';
	if (symlinkat(target, ddir, name) < 0)
		return fail(c, errno, "create symlink", err);
	return meta_at(c, sdir, ddir, name, st, err);
}

/* Device nodes, fifos and sockets. */
static int copy_node(struct copyup *c, int sdir, int ddir, const char *name,
		     const struct stat *st, struct berth_error *err)
{
	if (mknodat(ddir, name, st->st_mode & (S_IFMT | 0600), st->st_rdev) < 0)
		return fail(c, errno, "create", err);
	return meta_at(c, sdir, ddir, name, st, err);
}

static int copy_dir(struct copyup *c, int sfd, int dfd,
		    struct berth_error *err);

static int copy_subdir(struct copyup *c, int sdir, int ddir, const char *name,
		       const struct stat *st, struct berth_error *err)
{
	if (c->depth >= COPYUP_MAX_DEPTH)
		return fail(c, ELOOP, "more than 128 levels at", err);
	_cleanup_close_ int sfd =
	    open_same(sdir, name, O_RDONLY | O_DIRECTORY, st);
	if (sfd < 0)
		return fail(c, -sfd, "open", err);
	if (mkdirat(ddir, name, 0700) < 0)
		return fail(c, errno, "create", err);
	_cleanup_close_ int dfd =
	    openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return fail(c, errno, "open", err);
	c->depth++;
	int r = copy_dir(c, sfd, dfd, err);
	c->depth--;
	return r < 0 ? r : meta_fd(c, sfd, dfd, st, err);
}

static int copy_entry(struct copyup *c, int sfd, int dfd, const char *name,
		      struct berth_error *err)
{
	struct stat st;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "stat", err);
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(c, sfd, dfd, name, &st, err);
	case S_IFDIR:
		return copy_subdir(c, sfd, dfd, name, &st, err);
	case S_IFLNK:
		return copy_symlink(c, sfd, dfd, name, &st, err);
	default:
		return copy_node(c, sfd, dfd, name, &st, err);
	}
}

/* c->path += "/name" for the messages; false when it does not fit. */
static bool path_push(struct copyup *c, const char *name, size_t *ret_old)
{
	size_t n = strlen(name);
	*ret_old = c->len;
	if (c->len + n + 2 > sizeof(c->path))
		return false;
	if (c->len > 0)
		c->path[c->len++] = '/';
	memcpy(c->path + c->len, name, n + 1);
	c->len += n;
	return true;
}

static int copy_dir(struct copyup *c, int sfd, int dfd, struct berth_error *err)
{
	int fd = openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail(c, errno, "open", err);
	_cleanup_dir_ DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return fail(c, errno, "read", err);
	}
	for (struct dirent *e; (errno = 0, e = readdir(d)) != NULL;) {
		size_t old;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!path_push(c, e->d_name, &old))
			return fail(c, ENAMETOOLONG, "copy", err);
		int r = copy_entry(c, sfd, dfd, e->d_name, err);
		c->len = old;
		c->path[old] = '\0';
		if (r < 0)
			return r;
	}
	return errno != 0 ? fail(c, errno, "read", err) : 0;
}

/* Is "key=" one of the comma-separated tmpfs options in @data? */
static bool data_has(const char *data, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = data; p != NULL && *p != '\0';) {
		if (strncmp(p, key, n) == 0)
			return true;
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/* The mount point's own metadata onto the tmpfs root, but what the
 * options set themselves. */
static int copy_root_meta(struct copyup *c, int sfd, int dfd, const char *data,
			  struct berth_error *err)
{
	struct stat st, now;

	if (fstat(sfd, &st) < 0 || fstat(dfd, &now) < 0)
		return fail(c, errno, "stat", err);
	if (data_has(data, "mode="))
		st.st_mode = now.st_mode;
	if (data_has(data, "uid="))
		st.st_uid = now.st_uid;
	if (data_has(data, "gid="))
		st.st_gid = now.st_gid;
	return meta_fd(c, sfd, dfd, &st, err);
}

int copyup_tree(int srcfd, int mntfd, const char *data, struct berth_error *err)
{
	struct copyup c = {.len = 0};
	_cleanup_close_ int sfd =
	    openat(srcfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int dfd =
	    openat(mntfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *list = malloc(XATTR_LIST_MAX);
	_cleanup_free_ char *value = malloc(XATTR_SIZE_MAX);

	if (sfd < 0 || dfd < 0)
		return fail(&c, errno, "open", err);
	if (list == NULL || value == NULL)
		return fail(&c, ENOMEM, "copy", err);
	c.list = list;
	c.value = value;
	int r = copy_dir(&c, sfd, dfd, err);
	return r < 0 ? r : copy_root_meta(&c, sfd, dfd, data, err);
}
