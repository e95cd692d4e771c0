/* The cgroup directory of one hierarchy: mkdir, open, rmdir (dir.h). */
#include "cgroups/dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/io.h"
#include "util/cleanup.h"

int cg_mkdir_hier(struct cg_hier *h, int *ret_ncomp, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	int ncomp = 0;
	h->created = 0;
	for (char *p = dir + strlen(h->mount) + 1; p != NULL;) {
		char *slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		ncomp++;
		if (mkdir(dir, 0755) == 0)
			h->created++;
		else if (errno != EEXIST)
			return berth_err(err, errno, "mkdir %s", dir);
		else if (h->created > 0) /* made above, now there: a race */
			h->created = 0;
		if (slash != NULL)
			*slash = '/';
		p = slash != NULL ? slash + 1 : NULL;
	}
	*ret_ncomp = ncomp;
	return 0;
}

int cg_missing_components(const struct cg_hier *h)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return -ENOMEM;
	size_t mlen = strlen(h->mount);
	int n = 0;
	struct stat st;
	while (strlen(dir) > mlen && stat(dir, &st) < 0 && errno == ENOENT) {
		n++;
		*strrchr(dir, '/') = '\0';
	}
	return n;
}

int cg_open_hier(struct cg_hier *h, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	h->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (h->fd < 0)
		return berth_err(err, errno, "open %s", dir);
	return 0;
}

int cg_check_empty(const struct cg_hier *h, struct berth_error *err)
{
	_cleanup_free_ char *procs = NULL;
	if (h->created > 0 || cg_read(h, "cgroup.procs", &procs) < 0)
		return 0;
	if (*procs != '\0')
		return berth_err_msg(err, EBUSY,
				     "cgroup %s%s exists and has processes",
				     h->mount, h->path);
	return 0;
}

/* rmdir @name, or when it has sub-cgroups (EBUSY), every one of them
 * (depth first), then @name.  0 when it is gone (or was never there), else
 * -errno. */
static int rmdir_subtree(int parent_fd, const char *name, int depth)
{
	/* A leaf first (every delete's case): a cgroup's directory lists all
	 * its files, and walking them found no sub-cgroup. */
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (struct dirent *e; depth < 64 && (e = readdir(d)) != NULL;)
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0)
			rmdir_subtree(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	/* Right after the last task exits the kernel may still say EBUSY. */
	for (int i = 0;; i++) {
		if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 ||
		    errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == 200)
			return -errno;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
}

int cg_rmdir_hier(struct cg_hier *h, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	_cleanup_close_ int parent =
	    open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (parent < 0)
		return errno == ENOENT ? 0
				       : berth_err(err, errno, "open %s", dir);
	int r = rmdir_subtree(parent, slash + 1, 0);
	if (r < 0)
		return berth_err(err, r, "rmdir %s", dir);
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	for (int i = 1; i < h->created; i++) {
		slash = strrchr(dir, '/');
		if (slash == NULL || slash <= dir + strlen(h->mount))
			break;
		*slash = '\0';
		/* Gone already (a create killed before it made them all):
		 * go on up; not empty: another container's, keep it. */
		if (rmdir(dir) < 0 && errno != ENOENT)
			break;
	}
	return 0;
}
