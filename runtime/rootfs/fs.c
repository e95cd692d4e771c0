#include "runtime/rootfs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

int fs_openat_in_root(int rootfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	long fd;
	int tries = 0;

	if (path[0] == '\0')
		path = ".";
	/* EAGAIN: a rename raced with the lookup; the kernel asks to retry. */
	do
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 32);
	return fd < 0 ? -errno : (int)fd;
}

int fs_open_in_root(int rootfd, const char *path, int flags, int *ret_fd,
		    struct berth_error *err)
{
	int fd = fs_openat_in_root(rootfd, path, flags, 0);

	if (fd < 0)
		return berth_err(err, -fd, "open '%s' in rootfs", path);
	*ret_fd = fd;
	return 0;
}

/* One step of fs_mkdir_p_in_root: @prefix is the path so far, @name its last
 * component, @parentfd the resolved directory before it. */
static int mkdir_step(int rootfd, int parentfd, const char *prefix,
		      const char *name, mode_t mode, struct berth_error *err)
{
	int fd = fs_openat_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);

	if (fd != -ENOENT)
		goto out;
	if (mkdirat(parentfd, name, mode) < 0 && errno != EEXIST)
		return berth_err(err, errno, "mkdir '%s' in rootfs", prefix);
	fd = fs_openat_in_root(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
out:
	if (fd < 0)
		return berth_err(err, -fd, "open '%s' in rootfs", prefix);
	return fd;
}

int fs_mkdir_p_in_root(int rootfd, const char *path, mode_t mode, int *ret_fd,
		       struct berth_error *err)
{
	size_t len = strlen(path), i = 0;
	_cleanup_free_ char *prefix = malloc(len + 1);
	_cleanup_close_ int cur = -1;
	char name[NAME_MAX + 1];

	if (prefix == NULL)
		return berth_err(err, ENOMEM, "mkdir '%s' in rootfs", path);
	cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return berth_err(err, errno, "dup rootfs fd");
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		if (i - start > NAME_MAX)
			return berth_err(err, ENAMETOOLONG,
					 "mkdir '%s' in rootfs", path);
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		memcpy(name, path + start, i - start);
		name[i - start] = '\0';
		int fd = mkdir_step(rootfd, cur, prefix, name, mode, err);
		if (fd < 0)
			return fd;
		close(cur);
		cur = fd;
	}
	*ret_fd = TAKE_FD(cur);
	return 0;
}

int fs_open_parent_in_root(int rootfd, const char *path, int *ret_dirfd,
			   char ret_name[static NAME_MAX + 1],
			   struct berth_error *err)
{
	size_t end = strlen(path);

	while (end > 0 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	size_t n = end - start;
	if (n == 0 || n > NAME_MAX ||
	    (path[start] == '.' &&
	     (n == 1 || (n == 2 && path[start + 1] == '.'))))
		return berth_err(err, EINVAL, "'%s': no last path component",
				 path);

	_cleanup_free_ char *parent = strndup(path, start);
	if (parent == NULL)
		return berth_err(err, ENOMEM, "'%s'", path);
	int r = fs_mkdir_p_in_root(rootfd, parent, 0755, ret_dirfd, err);
	if (r < 0)
		return r;
	memcpy(ret_name, path + start, n);
	ret_name[n] = '\0';
	return 0;
}

static int create_at(int dirfd, const char *name, enum fs_kind kind,
		     const char *path, struct berth_error *err)
{
	if (kind == FS_DIR) {
		if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
			return berth_err(err, errno, "mkdir '%s' in rootfs",
					 path);
		return 0;
	}
	int fd =
	    openat(dirfd, name,
		   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno != EEXIST)
		return berth_err(err, errno, "create '%s' in rootfs", path);
	if (fd >= 0)
		close(fd);
	return 0;
}

int fs_mkpath_in_root(int rootfd, const char *path, enum fs_kind kind,
		      int *ret_fd, struct berth_error *err)
{
	_cleanup_close_ int dirfd = -1;
	char name[NAME_MAX + 1];
	int fd = fs_openat_in_root(rootfd, path, O_PATH, 0);

	if (fd >= 0) {
		*ret_fd = fd;
		return 0;
	}
	if (fd != -ENOENT)
		return berth_err(err, -fd, "open '%s' in rootfs", path);

	int r = fs_open_parent_in_root(rootfd, path, &dirfd, name, err);
	if (r < 0)
		return r;
	r = create_at(dirfd, name, kind, path, err);
	if (r < 0)
		return r;
	return fs_open_in_root(rootfd, path, O_PATH, ret_fd, err);
}

/* The next component of *p (skipping "/" and "."), its length in *len. */
static const char *next_component(const char **p, size_t *len)
{
	for (;;) {
		while (**p == '/')
			(*p)++;
		if (**p == '\0')
			return NULL;
		const char *c = *p;
		*len = strcspn(c, "/");
		*p += *len;
		if (!(*len == 1 && c[0] == '.'))
			return c;
	}
}

bool fs_path_equal(const char *a, const char *b)
{
	for (;;) {
		size_t la = 0, lb = 0;
		const char *ca = next_component(&a, &la);
		const char *cb = next_component(&b, &lb);
		if (ca == NULL || cb == NULL)
			return ca == cb;
		if (la != lb || memcmp(ca, cb, la) != 0)
			return false;
	}
}
