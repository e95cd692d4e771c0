/*
 * A sandbox's scratch directory, <state root>/@sandbox/<id> ('@' keeps it
 * out of the container IDs): root/ (the empty root.path), upper/ and
 * work/ (overlay layers).  Its owner holds an flock on it while it lives;
 * a later sandbox that gets the lock removes what a killed one left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/sandbox/scratch.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/util.h"

#define RM_MAX_DEPTH 512

static int rm_tree_at(int parentfd, const char *name, dev_t dev, int depth);

static int rm_contents(int fd, dev_t dev, int depth)
{
	DIR *d = dir_open_dup(fd);
	if (d == NULL)
		return -errno;
	struct dirent *de;
	int r = 0;
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM)
			r = -errno;
		else
			r = rm_tree_at(fd, de->d_name, dev, depth + 1);
		if (r < 0)
			break;
	}
	if (r == 0 && errno != 0)
		r = -errno;
	closedir(d);
	return r;
}

/* An O_PATH fd of the directory @name (never a symlink), made readable:
 * overlayfs leaves work/work mode 000, which only root could enter. */
static int open_dir_rw(int parentfd, const char *name, dev_t dev, int *ret)
{
	_cleanup_close_ int pfd = openat(
	    parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if (st.st_dev != dev)
		return -EXDEV; /* a mount point is not ours to empty */
	if ((st.st_mode & 0700) != 0700) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
		chmod(p, (st.st_mode | 0700) & 07777);
	}
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret = fd;
	return 0;
}

/* Remove @name and everything under it, never leaving @dev and never
 * following a symlink. */
static int rm_tree_at(int parentfd, const char *name, dev_t dev, int depth)
{
	if (depth > RM_MAX_DEPTH)
		return -ELOOP;
	_cleanup_close_ int fd = -1;
	int r = open_dir_rw(parentfd, name, dev, &fd);
	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = rm_contents(fd, dev, depth);
	if (r < 0)
		return r;
	if (unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int scratch_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	_cleanup_free_ char *copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	char *slash = strrchr(copy, '/');
	if (slash == NULL || slash[1] == '\0')
		return -EINVAL;
	*slash = '\0';
	_cleanup_close_ int parent =
	    open(copy[0] ? copy : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return -errno;
	return rm_tree_at(parent, slash + 1, st.st_dev, 0);
}

static int64_t count_at(int parentfd, const char *name, dev_t dev, int depth)
{
	if (depth > RM_MAX_DEPTH)
		return -ELOOP;
	_cleanup_close_ int fd = -1;
	int r = open_dir_rw(parentfd, name, dev, &fd);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	DIR *d = dir_open_dup(fd);
	if (d == NULL)
		return -errno;
	int64_t n = 0;
	struct dirent *de;
	while (n >= 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		if (de->d_type == DT_DIR) {
			int64_t k = count_at(fd, de->d_name, dev, depth + 1);
			n = k < 0 ? k : n + k;
		}
	}
	closedir(d);
	return n;
}

int64_t scratch_count_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	_cleanup_close_ int parent = open("/", O_PATH | O_CLOEXEC);
	if (parent < 0)
		return -errno;
	return count_at(parent, path + 1, st.st_dev, 0);
}

int scratch_base(const struct rt_context *ctx, char **ret)
{
	return asprintf(ret, "%s/@sandbox", state_root(ctx)) < 0 ? -ENOMEM : 0;
}

int scratch_new_id(char **ret)
{
	uint64_t rnd;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -errno;
	return asprintf(ret, "sandbox-%016" PRIx64, rnd) < 0 ? -ENOMEM : 0;
}

/* Remove the scratch dirs of sandboxes that died without cleaning up: a
 * dir whose lock we get has no living owner. */
void scratch_sweep(const char *base)
{
	DIR *d = opendir(base);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "sandbox-", 8) != 0)
			continue;
		_cleanup_close_ int fd =
		    openat(dirfd(d), de->d_name,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue;
		_cleanup_free_ char *path = NULL;
		if (asprintf(&path, "%s/%s", base, de->d_name) >= 0)
			scratch_remove_tree(path);
	}
	closedir(d);
}

static int mkdir_locked(const char *path, int *ret_fd)
{
	if (mkdir(path, 0700) < 0)
		return -errno;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* Made under a "new-" name, locked, then renamed: a sweep never sees an
 * unlocked one of a living sandbox. */
int scratch_create(const char *base, const char *id, int *ret_lockfd)
{
	_cleanup_free_ char *tmp = NULL, *path = NULL;
	if (asprintf(&tmp, "%s/new-%s", base, id) < 0 ||
	    asprintf(&path, "%s/%s", base, id) < 0)
		return -ENOMEM;
	int fd = -1, r = -ENOENT;
	/* ENOENT: another sandbox's finish() removed @base meanwhile */
	for (int i = 0; i < 8 && r == -ENOENT; i++) {
		if (mkdir(base, 0700) < 0 && errno != EEXIST)
			return -errno;
		r = mkdir_locked(tmp, &fd);
	}
	if (r == 0 && rename(tmp, path) < 0) {
		r = -errno;
		rmdir(tmp);
		close(fd);
	}
	if (r == 0)
		*ret_lockfd = fd;
	return r;
}
