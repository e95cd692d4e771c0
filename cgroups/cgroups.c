/*
 * The generic manager, its base (manager.h): the layout, the hierarchies
 * and their paths, the one place a backend is chosen for each hierarchy,
 * the lookups create.c and ops.c route with, and entering.
 */
#include "cgroups/cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroups/manager.h"
#include "cgroups/v1.h"
#include "cgroups/v2.h"
#include "util/cleanup.h"
#include "util/util.h"

int cg_detect_layout(enum cg_layout *ret, struct berth_error *err)
{
	struct statfs fs;
	if (statfs(CG_ROOT, &fs) < 0)
		return berth_err(err, errno, "statfs %s", CG_ROOT);
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		*ret = CG_LAYOUT_UNIFIED;
		return 0;
	}
	if (fs.f_type != TMPFS_MAGIC)
		return berth_err_msg(err, ENOMEDIUM,
				     "%s is neither cgroup2 nor a tmpfs of "
				     "cgroup v1 hierarchies",
				     CG_ROOT);
	if (statfs(CG_ROOT "/unified", &fs) == 0 &&
	    fs.f_type == CGROUP2_SUPER_MAGIC)
		*ret = CG_LAYOUT_HYBRID;
	else
		*ret = CG_LAYOUT_LEGACY;
	return 0;
}

const char *cg_layout_name(enum cg_layout layout)
{
	switch (layout) {
	case CG_LAYOUT_UNIFIED:
		return "unified";
	case CG_LAYOUT_LEGACY:
		return "legacy";
	case CG_LAYOUT_HYBRID:
		return "hybrid";
	}
	return "?";
}

const struct cg_backend *const cg_backends[2] = {&cg_backend_v1,
						 &cg_backend_v2};

struct cg_hier *cg_find_v1(const struct cg_manager *m, const char *ctl)
{
	for (size_t i = 0; i < m->n; i++)
		if (cg_hier_has(&m->h[i], ctl))
			return &m->h[i];
	return NULL;
}

struct cg_hier *cg_find_v2(const struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (cg_hier_is_v2(&m->h[i]))
			return &m->h[i];
	return NULL;
}

struct cg_hier *cg_route(const struct cg_manager *m,
			 bool (*serves)(const struct cg_hier *h, unsigned arg),
			 unsigned arg)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->n; i++) {
			struct cg_hier *h = &m->h[i];
			if ((h->ops == m->ctl_ops) == (pass == 0) &&
			    serves(h, arg))
				return h;
		}
	return NULL;
}

static int manager_alloc(enum cg_layout layout, struct cg_hier *h, size_t n,
			 struct cg_manager **ret)
{
	struct cg_manager *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		cg_hiers_free(h, n);
		return -ENOMEM;
	}
	/* The backends, chosen once: cgroup2 is v2, every other hierarchy
	 * v1; the controllers are v2's only on a unified host. */
	for (size_t i = 0; i < n; i++)
		h[i].ops =
		    cg_hier_is_v2(&h[i]) ? &cg_backend_v2 : &cg_backend_v1;
	*m = (struct cg_manager){
	    .layout = layout,
	    .h = h,
	    .n = n,
	    .ctl_ops =
		layout == CG_LAYOUT_UNIFIED ? &cg_backend_v2 : &cg_backend_v1,
	};
	m->saved = cg_hiers_format(h, n);
	struct cg_hier *v2 = cg_find_v2(m);
	if (v2 != NULL && asprintf(&m->v2_dir, "%s%s", v2->mount, v2->path) < 0)
		m->v2_dir = NULL;
	if (m->saved == NULL || (v2 != NULL && m->v2_dir == NULL)) {
		cg_manager_free(m);
		return -ENOMEM;
	}
	*ret = m;
	return 0;
}

int cg_manager_new(const char *cgroups_path, const char *id, bool systemd,
		   struct cg_manager **ret, struct berth_error *err)
{
	enum cg_layout layout;
	int r = cg_detect_layout(&layout, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *mi = NULL, *self = NULL;
	r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL);
	if (r < 0)
		return berth_err(err, r, "read /proc/self/mountinfo");
	r = read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL);
	if (r < 0)
		return berth_err(err, r, "read /proc/self/cgroup");
	struct cg_hier *h = NULL;
	size_t n = 0;
	r = cg_hiers_from_mountinfo(mi, layout, &h, &n, err);
	if (r < 0)
		return r;
	r = cg_hiers_compute_paths(h, n, layout, self, cgroups_path, id,
				   systemd, err);
	if (r < 0) {
		cg_hiers_free(h, n);
		return r;
	}
	r = manager_alloc(layout, h, n, ret);
	if (r < 0)
		return berth_err(err, r, "cgroup manager");
	(*ret)->mountinfo = TAKE_PTR(mi);
	return 0;
}

int cg_hier_open(struct cg_hier *h)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
		return -ENOMEM;
	if (h->fd < 0)
		h->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return 0;
}

int cg_manager_load(const char *saved, struct cg_manager **ret,
		    struct berth_error *err)
{
	int r = cg_manager_load_closed(saved, ret, err);
	for (size_t i = 0; r == 0 && i < (*ret)->n; i++)
		if (cg_hier_open(&(*ret)->h[i]) < 0) {
			cg_manager_free(*ret);
			*ret = NULL;
			r = berth_err(err, ENOMEM, "cgroup state");
		}
	return r;
}

int cg_manager_load_closed(const char *saved, struct cg_manager **ret,
			   struct berth_error *err)
{
	struct cg_hier *h = NULL;
	size_t n = 0;
	int r = cg_hiers_parse(saved, &h, &n, err);
	if (r < 0)
		return r;
	bool v1 = false, v2 = false, v2_root = false;
	for (size_t i = 0; i < n; i++) {
		h[i].fd = -1;
		v2 |= cg_hier_is_v2(&h[i]);
		v1 |= !cg_hier_is_v2(&h[i]);
		v2_root |=
		    cg_hier_is_v2(&h[i]) && strcmp(h[i].mount, CG_ROOT) == 0;
	}
	enum cg_layout layout = v2_root && !v1 ? CG_LAYOUT_UNIFIED
				: v2	       ? CG_LAYOUT_HYBRID
					       : CG_LAYOUT_LEGACY;
	r = manager_alloc(layout, h, n, ret);
	return r < 0 ? berth_err(err, r, "cgroup manager") : 0;
}

int cg_manager_find(const char *cgroups_path, const char *id, bool systemd,
		    struct cg_manager **ret, struct berth_error *err)
{
	struct cg_manager *m = NULL;
	int r = cg_manager_new(cgroups_path, id, systemd, &m, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n; i++)
		m->h[i].created = 1;
	_cleanup_free_ char *saved = cg_hiers_format(m->h, m->n);
	cg_manager_free(m);
	if (saved == NULL)
		return berth_err(err, ENOMEM, "cgroup path");
	return cg_manager_load(saved, ret, err);
}

const char *cg_manager_path(const struct cg_manager *m)
{
	return m->saved;
}

enum cg_layout cg_manager_layout(const struct cg_manager *m)
{
	return m->layout;
}

const char *cg_manager_v2_dir(const struct cg_manager *m)
{
	return m->v2_dir;
}

void cg_manager_free(struct cg_manager *m)
{
	if (m == NULL)
		return;
	cg_hiers_free(m->h, m->n);
	free(m->saved);
	free(m->v2_dir);
	free(m->mountinfo);
	free(m);
}

const char *cg_manager_mountinfo(const struct cg_manager *m)
{
	return m->mountinfo;
}

int cg_clone_into_fd(const struct cg_manager *m)
{
	struct cg_hier *h = cg_find_v2(m);
	return h != NULL ? h->fd : -1;
}

int cg_self_open(const struct cg_manager *m, bool cloned_into,
		 struct cg_self *ret, struct berth_error *err)
{
	*ret = (struct cg_self){0};
	ret->f = calloc(m->n ? m->n : 1, sizeof(*ret->f));
	if (ret->f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		const struct cg_hier *h = &m->h[i];
		if (h->fd < 0 || (cloned_into && cg_hier_is_v2(h)))
			continue;
		const char *file = h->ops->self_file;
		int fd = openat(h->fd, file, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == EACCES) { /* delegated: cgroup.procs */
			file = "cgroup.procs";
			fd = openat(h->fd, file, O_WRONLY | O_CLOEXEC);
		}
		if (fd < 0) {
			int e = errno;
			cg_self_close(ret);
			return berth_err(err, e, "open %s in %s%s", file,
					 h->mount, h->path);
		}
		ret->f[ret->n++] = (struct cg_self_file){fd, file, h};
	}
	return 0;
}

int cg_enter_self(const struct cg_self *s, struct berth_error *err)
{
	for (size_t i = 0; i < s->n; i++)
		if (write(s->f[i].fd, "0", 1) != 1)
			return berth_err(err, errno,
					 "move into the cgroup: write %s in "
					 "%s%s",
					 s->f[i].file, s->f[i].h->mount,
					 s->f[i].h->path);
	return 0;
}

void cg_self_close(struct cg_self *s)
{
	for (size_t i = 0; i < s->n; i++)
		close(s->f[i].fd);
	free(s->f);
	*s = (struct cg_self){0};
}

int cg_enter(struct cg_manager *m, pid_t pid, struct berth_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		int r = m->h[i].ops->enter(&m->h[i], pid, err);
		if (r < 0)
			return berth_err_ctx(err, "move pid %d into its cgroup",
					     (int)pid);
	}
	return 0;
}
