/* pause, resume, ps, update, events: the commands that act through the
 * container's cgroup. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci/events_json.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/state.h"
#include "util/cleanup.h"

/* The container @id (locked when @lockfd is not NULL), its status and its
 * cgroup. */
struct cg_target {
	struct oci_state *s;
	enum oci_status st;
	struct cg_manager *m;
};

static void target_free(struct cg_target *t)
{
	oci_state_free(t->s);
	cg_manager_free(t->m);
}

/* @need_cg: no cgroup is an error (ps copes without one). */
static int target_open(const struct rt_context *ctx, const char *id,
		       struct cg_target *t, bool need_cg,
		       struct berth_error *err)
{
	memset(t, 0, sizeof(*t));
	int r = state_validate_id(id, err);
	if (r == 0)
		r = state_load(ctx, id, &t->s, err);
	if (r == 0)
		r = state_status(ctx, t->s, &t->st, err);
	if (r == 0)
		r = rtcg_load(t->s->cgroup_path, &t->m, err);
	if (r == 0 && t->m == NULL && need_cg)
		r = berth_err_msg(err, ENOENT, "the container has no cgroup%s",
				  ctx->rootless
				      ? " (rootless: none could be made, the "
					"cgroup is not delegated; see "
					"docs/rootless.md)"
				      : "");
	if (r < 0)
		target_free(t);
	return r;
}

static int freeze(const struct rt_context *ctx, const char *id, bool frozen,
		  struct berth_error *err)
{
	_cleanup_close_ int lock = -1;
	int r = state_validate_id(id, err);
	if (r == 0)
		r = state_lock(ctx, id, &lock, err);
	struct cg_target t;
	if (r == 0)
		r = target_open(ctx, id, &t, true, err);
	if (r < 0)
		return r;
	enum oci_status want = frozen ? OCI_STATUS_RUNNING : OCI_STATUS_PAUSED;
	if (t.st != want)
		r = berth_err_msg(err, EINVAL, "the container is %s, not %s",
				  oci_status_name(t.st), oci_status_name(want));
	if (r == 0)
		r = cg_freeze(t.m, frozen, err);
	target_free(&t);
	return r;
}

int rt_pause(const struct rt_context *ctx, const char *id,
	     struct berth_error *err)
{
	return freeze(ctx, id, true, err);
}

int rt_resume(const struct rt_context *ctx, const char *id,
	      struct berth_error *err)
{
	return freeze(ctx, id, false, err);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* Without a cgroup (rootless, not delegated): every process of the
 * container's own PID namespace, as kill --all finds them.  A stopped
 * container has none; one that shares a PID namespace has no boundary. */
static int pidns_pids(const struct cg_target *t, pid_t **ret, size_t *ret_n,
		      struct berth_error *err)
{
	if (!t->s->own_pid_ns && t->st != OCI_STATUS_STOPPED)
		return berth_err_msg(err, ENOENT,
				     "the container has no cgroup and shares "
				     "a PID namespace: its processes cannot "
				     "be told apart");
	ino_t ns = t->st == OCI_STATUS_STOPPED ? 0 : proc_pid_ns(t->s->pid);
	_cleanup_free_ pid_t *v = NULL;
	size_t n = 0, cap = 0;
	DIR *d = ns == 0 ? NULL : opendir("/proc");
	for (struct dirent *de; d != NULL && (de = readdir(d)) != NULL;) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || proc_pid_ns((pid_t)pid) != ns)
			continue;
		if (n == cap) {
			pid_t *nv =
			    realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (nv == NULL) {
				closedir(d);
				return berth_err(err, ENOMEM, "ps");
			}
			v = nv;
		}
		v[n++] = (pid_t)pid;
	}
	if (d != NULL)
		closedir(d);
	*ret = n > 0 ? TAKE_PTR(v) : calloc(1, sizeof(pid_t));
	*ret_n = n;
	return *ret == NULL ? berth_err(err, ENOMEM, "ps") : 0;
}

int rt_ps(const struct rt_context *ctx, const char *id, pid_t **ret_pids,
	  size_t *ret_n, struct berth_error *err)
{
	struct cg_target t;
	int r = target_open(ctx, id, &t, false, err);
	if (r < 0)
		return r;
	if (t.m == NULL)
		r = pidns_pids(&t, ret_pids, ret_n, err);
	else
		r = cg_pids(t.m, ret_pids, ret_n, err);
	if (r == 0)
		qsort(*ret_pids, *ret_n, sizeof(pid_t), cmp_pid);
	target_free(&t);
	return r;
}

int rt_update(const struct rt_context *ctx, const char *id,
	      const struct oci_resources *res, const char *name,
	      struct berth_error *err)
{
	/* The device rules were built with the container's defaults and
	 * devices; a bare list here would drop them. */
	if (res->devices_n > 0)
		return berth_err_msg(err, EINVAL,
				     "%s: devices cannot be changed on a live "
				     "container",
				     name);
	_cleanup_close_ int lock = -1;
	int r = state_lock(ctx, id, &lock, err);
	struct cg_target t;
	if (r == 0)
		r = target_open(ctx, id, &t, true, err);
	if (r < 0)
		return r;
	if (t.st == OCI_STATUS_STOPPED)
		r = berth_err_msg(err, EINVAL, "the container is stopped");
	if (r == 0)
		r = cg_apply(t.m, res, err);
	target_free(&t);
	return r;
}

static void fill_stats(const struct cg_stats *c, struct oci_stats *o)
{
	memset(o, 0, sizeof(*o));
	o->cpu.total = c->cpu.total;
	o->cpu.kernel = c->cpu.kernel;
	o->cpu.user = c->cpu.user;
	o->cpu.periods = c->cpu.periods;
	o->cpu.throttled_periods = c->cpu.throttled_periods;
	o->cpu.throttled_time = c->cpu.throttled_time;
	o->memory.cache = c->memory.cache;
	o->memory.usage.usage = c->memory.usage.usage;
	o->memory.usage.max = c->memory.usage.max_usage;
	o->memory.usage.limit = c->memory.usage.limit;
	o->memory.usage.failcnt = c->memory.usage.failcnt;
	o->memory.swap.usage = c->memory.swap.usage;
	o->memory.swap.max = c->memory.swap.max_usage;
	o->memory.swap.limit = c->memory.swap.limit;
	o->memory.swap.failcnt = c->memory.swap.failcnt;
	o->memory.kernel.usage = c->memory.kernel.usage;
	o->memory.kernel.max = c->memory.kernel.max_usage;
	o->memory.kernel.limit = c->memory.kernel.limit;
	o->memory.kernel.failcnt = c->memory.kernel.failcnt;
	o->pids.current = c->pids.current;
	o->pids.limit = c->pids.limit;
}

/* One round: emit "oom" if the OOM-kill count rose, then the stats. */
static int events_round(const char *id, struct cg_manager *m,
			uint64_t *oom_seen, bool stats, rt_event_fn emit,
			void *data, struct berth_error *err)
{
	struct cg_stats cs;
	int r = cg_stats(m, &cs, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *json = NULL;
	if (cs.memory.oom_kill > *oom_seen) {
		*oom_seen = cs.memory.oom_kill;
		if ((r = oci_event_json("oom", id, &json, err)) < 0)
			return r;
		emit(data, json);
	}
	if (!stats)
		return 0;
	struct oci_stats os;
	fill_stats(&cs, &os);
	free(json);
	json = NULL;
	if ((r = oci_stats_event_json(id, &os, &json, err)) < 0)
		return r;
	emit(data, json);
	return 0;
}

int rt_events(const struct rt_context *ctx, const char *id, bool stats_only,
	      unsigned interval_ms, rt_event_fn emit, void *data,
	      struct berth_error *err)
{
	struct cg_target t;
	int r = target_open(ctx, id, &t, true, err);
	if (r < 0)
		return r;
	/* OOM kills from before we started watching are not events. */
	struct cg_stats first;
	uint64_t oom_seen = 0;
	if (cg_stats(t.m, &first, err) == 0)
		oom_seen = first.memory.oom_kill;
	berth_err_clear(err);
	/* OOM is looked at every 100 ms, stats every interval. */
	unsigned since = interval_ms;
	while (r == 0) {
		bool stats = stats_only || since >= interval_ms;
		r = events_round(id, t.m, &oom_seen, stats, emit, data, err);
		if (r < 0 || stats_only)
			break;
		since = stats ? 0 : since;
		struct timespec ts = {.tv_nsec = 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		since += 100;
		enum oci_status st;
		if (state_status(ctx, t.s, &st, err) < 0 ||
		    st == OCI_STATUS_STOPPED)
			break;
	}
	target_free(&t);
	return r;
}
