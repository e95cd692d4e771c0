/*
 * Operations on a live cgroup, generic: freeze, list, signal, destroy and
 * stats pick the hierarchy (manager.h) and act through its backend; the
 * process listing walks cgroup.procs, the same in v1 and v2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/io.h"
#include "cgroups/manager.h"
#include "util/cleanup.h"
#include "util/util.h"

/* Whether @h's backend freezes with a controller @h has. */
static bool serves_freezer(const struct cg_hier *h, unsigned unused)
{
	(void)unused;
	return h->ops->freeze != NULL && h->ops->has(h, h->ops->freezer);
}

/* The hierarchy that freezes: v1 freezer, else cgroup v2. */
static const struct cg_hier *freezer_of(const struct cg_manager *m)
{
	const struct cg_hier *h = cg_route(m, serves_freezer, 0);
	return h != NULL && h->fd >= 0 ? h : NULL;
}

int cg_saved_is_frozen(const char *saved, bool *ret)
{
	*ret = false;
	struct cg_manager *m = NULL;
	struct berth_error e = {0};
	int r = cg_manager_load_closed(saved, &m, &e);
	if (r < 0)
		return r;
	struct cg_hier *h = cg_route(m, serves_freezer, 0);
	if (h != NULL && (r = cg_hier_open(h)) == 0 && h->fd >= 0)
		r = h->ops->is_frozen(h, ret);
	cg_manager_free(m);
	return r;
}

int cg_freeze(struct cg_manager *m, bool frozen, struct berth_error *err)
{
	const struct cg_hier *h = freezer_of(m);
	if (h == NULL)
		return berth_err_msg(err, ENODEV,
				     "no freezer: neither a v1 freezer "
				     "hierarchy nor cgroup v2");
	return h->ops->freeze(h, frozen, err);
}

int cg_is_frozen(struct cg_manager *m, bool *ret)
{
	const struct cg_hier *h = freezer_of(m);
	if (h == NULL)
		return -ENODEV;
	return h->ops->is_frozen(h, ret);
}

struct pidvec {
	pid_t *v;
	size_t n, cap;
};

/* cgroup.procs of @name below @parent_fd and of its sub-cgroups. */
static int collect(int parent_fd, const char *name, struct pidvec *pv,
		   int depth)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && depth > 0 ? 0 : -errno;
	DIR *d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -ENOMEM;
	}
	_cleanup_free_ char *procs = NULL;
	int r = read_file_at(dirfd(d), "cgroup.procs", &procs, NULL);
	for (char *p = procs; r == 0 && p != NULL && *p != '\0';) {
		if (pv->n == pv->cap) {
			size_t cap = pv->cap ? pv->cap * 2 : 64;
			pid_t *nv = realloc(pv->v, cap * sizeof(pid_t));
			if (nv == NULL) {
				r = -ENOMEM;
				break;
			}
			pv->v = nv;
			pv->cap = cap;
		}
		pv->v[pv->n++] = (pid_t)strtol(p, &p, 10);
		p += strspn(p, "\n");
	}
	for (struct dirent *e; r == 0 && depth < 64 && (e = readdir(d));)
		if (e->d_type == DT_DIR && e->d_name[0] != '.')
			r = collect(dirfd(d), e->d_name, pv, depth + 1);
	closedir(d);
	return r;
}

/* The hierarchy to list processes from: v2 if any, else the first v1. */
static const struct cg_hier *list_hier(const struct cg_manager *m)
{
	const struct cg_hier *h = cg_find_v2(m);
	if (h == NULL || h->fd < 0)
		h = cg_find_v1(m, "pids");
	for (size_t i = 0; (h == NULL || h->fd < 0) && i < m->n; i++)
		h = &m->h[i];
	return h != NULL && h->fd >= 0 ? h : NULL;
}

int cg_pids(struct cg_manager *m, pid_t **ret, size_t *ret_n,
	    struct berth_error *err)
{
	const struct cg_hier *h = list_hier(m);
	struct pidvec pv = {0};
	int r = h != NULL ? collect(h->fd, ".", &pv, 0) : 0;
	if (r < 0) {
		free(pv.v);
		return berth_err(err, r, "read cgroup.procs in %s%s", h->mount,
				 h->path);
	}
	*ret = pv.v;
	*ret_n = pv.n;
	return 0;
}

int cg_check_thawed(struct cg_manager *m, struct berth_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct cg_hier *h = &m->h[i];
		if (h->fd < 0 || h->ops->frozen_by == NULL ||
		    !h->ops->has(h, h->ops->freezer))
			continue;
		_cleanup_free_ char *by = NULL, *dir = NULL;
		int r = h->ops->frozen_by(h, &by);
		if (r < 0)
			return berth_err(err, r,
					 "read the freezer state of %s%s",
					 h->mount, h->path);
		if (by == NULL)
			continue;
		if (asprintf(&dir, "%s%s", h->mount, h->path) < 0)
			return berth_err(err, ENOMEM, "cgroup");
		bool self = strcmp(by, dir) == 0;
		return berth_err_msg(err, EBUSY,
				     "cgroup %s is frozen%s%s%s: a process put "
				     "in it would not run until it is thawed",
				     dir, self ? "" : " (by ", self ? "" : by,
				     self ? "" : ")");
	}
	return 0;
}

int cg_thaw_for_kill(struct cg_manager *m, struct berth_error *err)
{
	bool frozen = false;
	if (cg_is_frozen(m, &frozen) < 0 || !frozen)
		return 0;
	/* Frozen by an ancestor, thawing ours changes nothing. */
	const struct cg_hier *h = freezer_of(m);
	_cleanup_free_ char *by = NULL, *dir = NULL;
	if (h->ops->frozen_by != NULL && h->ops->frozen_by(h, &by) == 0 &&
	    by != NULL && asprintf(&dir, "%s%s", h->mount, h->path) > 0 &&
	    strcmp(by, dir) != 0)
		return 0;
	return cg_freeze(m, false, err);
}

/* In one go where a backend can (v2's cgroup.kill): 1 done, 0 not. */
static int signal_at_once(struct cg_manager *m, int sig,
			  struct berth_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct cg_hier *h = &m->h[i];
		int r = h->ops->kill != NULL ? h->ops->kill(h, sig, err) : 0;
		if (r != 0)
			return r;
	}
	return 0;
}

/* Frozen, nobody can fork a child we would miss; thawed again after,
 * unless it was paused before. */
static int signal_each(struct cg_manager *m, int sig, bool was_frozen,
		       struct berth_error *err)
{
	struct berth_error ignored;
	bool froze = cg_freeze(m, true, &ignored) == 0;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = cg_pids(m, &pids, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = berth_err(err, errno, "kill %d", (int)pids[i]);
	free(pids);
	if (froze && !was_frozen)
		(void)cg_freeze(m, false, &ignored);
	return r;
}

int cg_signal_all(struct cg_manager *m, int sig, struct berth_error *err)
{
	bool was_frozen = false;
	(void)cg_is_frozen(m, &was_frozen);
	int r = signal_at_once(m, sig, err);
	if (r == 0)
		r = signal_each(m, sig, was_frozen, err);
	if (r < 0)
		return r;
	/* A paused container stays paused, except that a kill must land: a
	 * v1 freezer holds even SIGKILL until it thaws (and a hybrid host's
	 * cgroup.kill does not reach past it). */
	return sig == SIGKILL ? cg_thaw_for_kill(m, err) : 0;
}

static bool is_empty(struct cg_manager *m)
{
	pid_t *pids = NULL;
	size_t n = 0;
	struct berth_error ignored;
	if (cg_pids(m, &pids, &n, &ignored) < 0)
		return false;
	free(pids);
	return n == 0;
}

int cg_destroy(struct cg_manager *m, struct berth_error *err)
{
	if (!is_empty(m)) {
		int r = cg_signal_all(m, SIGKILL, err);
		if (r < 0)
			return berth_err_ctx(err,
					     "kill the cgroup's processes");
		for (int i = 0; i < CG_WAIT_STEPS && !is_empty(m); i++)
			cg_nap();
		/* rmdir would only fail, slowly: say why they live on. */
		if (!is_empty(m) && cg_check_thawed(m, err) < 0)
			return berth_err_ctx(err, "SIGKILL cannot land");
		if (!is_empty(m))
			return berth_err_msg(err, EBUSY,
					     "the cgroup's processes are still "
					     "there 5 s after SIGKILL");
	}
	int ret = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct berth_error e = {0};
		int r = m->h[i].ops->destroy(&m->h[i], &e);
		if (r < 0 && ret == 0) {
			ret = r;
			*err = e;
		}
	}
	return ret;
}

/* The hierarchies of the controllers' backend report: on a hybrid host
 * the v1 ones (the unified directory has no controllers there). */
int cg_stats(struct cg_manager *m, struct cg_stats *ret,
	     struct berth_error *err)
{
	struct cg_stats st = {0};
	for (size_t i = 0; i < m->n; i++) {
		const struct cg_hier *h = &m->h[i];
		if (h->ops != m->ctl_ops)
			continue;
		int r = h->ops->stats(h, &st, err);
		if (r < 0)
			return r;
	}
	*ret = st;
	return 0;
}

int cg_pids_now(struct cg_manager *m, uint64_t *ret_current,
		bool *ret_peak_known)
{
	const struct cg_hier *h = cg_find_v1(m, "pids");
	if (h == NULL)
		h = cg_find_v2(m);
	int r =
	    h == NULL ? -ENOENT : cg_read_u64(h, "pids.current", ret_current);
	*ret_peak_known = r == 0 && cg_has_file(h, "pids.peak");
	return r;
}
