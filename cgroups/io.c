/* File I/O in a hierarchy's cgroup directory (reads, writes, entering,
 * write-and-wait), and the host's huge page sizes: the helpers everything
 * else in cgroups/ stands on (io.h). */
#include "cgroups/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/util.h"

int cg_write(const struct cg_hier *h, const char *field, const char *file,
	     const char *val, struct berth_error *err)
{
	int r = h->fd < 0 ? -ENOENT : write_str_at(h->fd, file, val);
	if (r < 0)
		return berth_err(err, r, "%s%swrite %s in %s%s",
				 field ? field : "", field ? ": " : "", file,
				 h->mount, h->path);
	return 0;
}

int cg_read(const struct cg_hier *h, const char *file, char **ret)
{
	if (h->fd < 0)
		return -ENOENT;
	return read_file_at(h->fd, file, ret, NULL);
}

int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(h, file, &s);
	if (r < 0)
		return r;
	if (strncmp(s, "max", 3) == 0) {
		*ret = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -EINVAL;
	*ret = v;
	return 0;
}

int cg_read_key(const struct cg_hier *h, const char *file, const char *key,
		uint64_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(h, file, &s);
	if (r < 0)
		return r;
	size_t kl = strlen(key);
	for (char *p = s; p != NULL && *p != '\0';) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			*ret = strtoull(p + kl + 1, NULL, 10);
			return 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -ENOENT;
}

bool cg_has_file(const struct cg_hier *h, const char *file)
{
	return h->fd >= 0 && faccessat(h->fd, file, F_OK, 0) == 0;
}

int cg_find_up(const struct cg_hier *h, const char *file, const char *val,
	       char **ret)
{
	*ret = NULL;
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return -ENOMEM;
	size_t base = strlen(h->mount);
	for (;;) {
		_cleanup_free_ char *path = NULL, *s = NULL;
		if (asprintf(&path, "%s/%s", dir, file) < 0)
			return -ENOMEM;
		if (read_file_at(AT_FDCWD, path, &s, NULL) == 0 &&
		    strncmp(s, val, strlen(val)) == 0) {
			*ret = TAKE_PTR(dir);
			return 0;
		}
		char *slash = strrchr(dir + base, '/');
		if (slash == NULL)
			return 0;
		*slash = '\0';
	}
}

int cg_write_procs(const struct cg_hier *h, pid_t pid, struct berth_error *err)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return cg_write(h, NULL, "cgroup.procs", buf, err);
}

void cg_nap(void)
{
	nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
}

int cg_write_until(const struct cg_hier *h, const char *file, const char *val,
		   bool (*done)(const struct cg_hier *h, bool frozen),
		   bool frozen, struct berth_error *err)
{
	for (int i = 0; i < CG_WAIT_STEPS; i++) {
		/* v1 may stop at FREEZING when a task is busy in the kernel:
		 * writing again retries (runc does the same). */
		if (i % 50 == 0) {
			int r = cg_write(h, NULL, file, val, err);
			if (r < 0)
				return r;
		}
		if (done(h, frozen))
			return 0;
		cg_nap();
	}
	return berth_err_msg(err, ETIMEDOUT, "%s %s%s: still not %s after 5 s",
			     file, h->mount, h->path,
			     frozen ? "frozen" : "thawed");
}

size_t cg_hugepage_sizes(char (*sizes)[16], size_t max)
{
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	size_t n = 0;
	for (struct dirent *e; d != NULL && n < max && (e = readdir(d));) {
		unsigned long kb;
		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1 ||
		    kb > 0xffffffffUL)
			continue;
		unsigned v = (unsigned)kb;
		if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
			snprintf(sizes[n++], 16, "%uGB", v / (1024 * 1024));
		else if (kb >= 1024 && kb % 1024 == 0)
			snprintf(sizes[n++], 16, "%uMB", v / 1024);
		else
			snprintf(sizes[n++], 16, "%uKB", v);
	}
	if (d != NULL)
		closedir(d);
	return n;
}
