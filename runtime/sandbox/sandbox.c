/*
 * sandbox_run(): a unique ID, a scratch directory, the config built in
 * memory, rt_run() over it, then the container, the scratch directory and
 * (with --keep-changes) the overlay work dirs removed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/sandbox/internal.h"
#include "runtime/sandbox/scratch.h"
#include "runtime/state.h"
#include "runtime/supervise/supervise.h"
#include "util/cleanup.h"
#include "util/util.h"

void sandbox_opts_init(struct sandbox_opts *o, const struct rt_context *ctx)
{
	memset(o, 0, sizeof(*o));
	o->uid = o->gid = 65534;
	o->memory = o->pids = o->cpu_quota = -1;
	o->userns = ctx->rootless_reason == RT_ROOTLESS_EUID;
	o->host_uid = (uint32_t)geteuid();
	o->host_gid = (uint32_t)getegid();
	if (o->userns)
		o->uid = o->gid = 0;
}

void sandbox_paths_free(struct sandbox_paths *p)
{
	free(p->id);
	free(p->scratch);
	free(p->root);
	free(p->upper);
	free(p->work);
	memset(p, 0, sizeof(*p));
}

static int absolute(const char *path, char **ret)
{
	if (path[0] == '/')
		return (*ret = strdup(path)) ? 0 : -ENOMEM;
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return -errno;
	return asprintf(ret, "%s/%s", cwd, path) < 0 ? -ENOMEM : 0;
}

static int fill_paths(const struct rt_context *ctx,
		      const struct sandbox_opts *o, struct sandbox_paths *p)
{
	_cleanup_free_ char *rel = NULL, *base = NULL;
	int r = scratch_new_id(&p->id);
	if (r == 0)
		r = scratch_base(ctx, &rel);
	if (r == 0) /* root.path and the overlays' dirs must be absolute */
		r = absolute(rel, &base);
	if (r < 0)
		return r;
	if (asprintf(&p->scratch, "%s/%s", base, p->id) < 0 ||
	    asprintf(&p->root, "%s/root", p->scratch) < 0)
		return -ENOMEM;
	if (o->keep_changes == NULL)
		return asprintf(&p->upper, "%s/upper", p->scratch) < 0 ||
			       asprintf(&p->work, "%s/work", p->scratch) < 0
			   ? -ENOMEM
			   : 0;
	r = absolute(o->keep_changes, &p->upper);
	if (r == 0 && asprintf(&p->work, "%s/.berth-work", p->upper) < 0)
		r = -ENOMEM;
	return r;
}

int sandbox_paths_new(const struct rt_context *ctx,
		      const struct sandbox_opts *o, struct sandbox_paths *ret,
		      struct berth_error *err)
{
	struct sandbox_paths p = {0};
	int r = fill_paths(ctx, o, &p);
	if (r < 0) {
		sandbox_paths_free(&p);
		return berth_err(err, -r, "sandbox paths");
	}
	*ret = p;
	return 0;
}

static bool dir_empty(int fd)
{
	DIR *d = dir_open_dup(fd);
	if (d == NULL)
		return false;
	struct dirent *de;
	bool empty = true;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
			strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* --keep-changes DIR: made if missing, refused if not empty. */
static int check_keep_dir(const char *dir, struct berth_error *err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return berth_err(err, errno, "--keep-changes '%s'", dir);
	_cleanup_close_ int fd =
	    open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "--keep-changes '%s'", dir);
	if (!dir_empty(fd))
		return berth_err_msg(err, ENOTEMPTY,
				     "--keep-changes '%s': not empty", dir);
	return 0;
}

/* upper/<tag> with the owner and mode of what it covers; work/<tag>. */
static int layer_dirs(const struct sandbox_paths *p,
		      const struct sandbox_layer *l, struct berth_error *err)
{
	_cleanup_free_ char *up = NULL, *wk = NULL;
	struct stat st;
	if (asprintf(&up, "%s/%s", p->upper, l->tag) < 0 ||
	    asprintf(&wk, "%s/%s", p->work, l->tag) < 0)
		return berth_err(err, ENOMEM, "overlay dirs");
	if (stat(l->lower, &st) < 0)
		return berth_err(err, errno, "--overlay '%s'", l->lower);
	/* chown: EPERM when not root; the caller's own dir is then root's
	 * in the sandbox's user namespace */
	if (mkdir(up, st.st_mode & 07777) < 0 ||
	    (chown(up, st.st_uid, st.st_gid) < 0 && errno != EPERM) ||
	    chmod(up, st.st_mode & 07777) < 0)
		return berth_err(err, errno, "overlay upper dir '%s'", up);
	if (mkdir(wk, 0700) < 0)
		return berth_err(err, errno, "overlay work dir '%s'", wk);
	return 0;
}

static int make_layers(const struct sandbox_opts *o,
		       const struct sandbox_paths *p, struct berth_error *err)
{
	struct sandbox_layer *v = NULL;
	size_t n = 0;
	int r = sandbox_layers(o, &v, &n, err);
	if (r == 0 && n > 0 && o->keep_changes == NULL &&
	    mkdir(p->upper, 0755) < 0)
		r = berth_err(err, errno, "overlay dir '%s'", p->upper);
	if (r == 0 && n > 0 && mkdir(p->work, 0700) < 0)
		r = berth_err(err, errno, "overlay dir '%s'", p->work);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = layer_dirs(p, &v[i], err);
	sandbox_layers_free(v, n);
	return r;
}

static int prepare(const struct rt_context *ctx, const struct sandbox_opts *o,
		   const struct sandbox_paths *p, int *ret_lockfd,
		   struct berth_error *err)
{
	_cleanup_free_ char *base = NULL;
	int r = state_ensure_root(ctx, err);
	if (r < 0)
		return r;
	if (scratch_base(ctx, &base) < 0)
		return berth_err(err, ENOMEM, "sandbox");
	scratch_sweep(base);
	r = scratch_create(base, p->id, ret_lockfd);
	if (r < 0)
		return berth_err(err, -r, "sandbox scratch dir '%s'",
				 p->scratch);
	if (mkdir(p->root, 0755) < 0)
		return berth_err(err, errno, "sandbox root '%s'", p->root);
	return make_layers(o, p, err);
}

/* What the build changed in its overlays, for the report. */
static void count_changes(const struct sandbox_opts *o,
			  const struct sandbox_paths *p,
			  const struct rt_create_opts *create)
{
	struct sandbox_layer *v = NULL;
	size_t n = 0;
	struct berth_error e = {0};
	struct oci_report *rep =
	    create->supervise != NULL ? create->supervise->report : NULL;
	if (rep == NULL || sandbox_layers(o, &v, &n, &e) < 0 || n == 0) {
		sandbox_layers_free(v, n);
		return;
	}
	uint64_t total = 0;
	bool known = true;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *up = NULL;
		int64_t k = asprintf(&up, "%s/%s", p->upper, v[i].tag) < 0
				? -ENOMEM
				: scratch_count_tree(up);
		known &= k >= 0;
		total += k > 0 ? (uint64_t)k : 0;
	}
	rep->files_changed_known = known;
	rep->files_changed = total;
	sandbox_layers_free(v, n);
}

/* --keep-changes DIR: what the build changed stays; the work dirs and
 * the layers it left untouched (empty) go. */
static void prune_kept(const struct sandbox_opts *o,
		       const struct sandbox_paths *p)
{
	struct sandbox_layer *v = NULL;
	size_t n = 0;
	struct berth_error e = {0};
	scratch_remove_tree(p->work);
	if (sandbox_layers(o, &v, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *up = NULL;
		if (asprintf(&up, "%s/%s", p->upper, v[i].tag) >= 0)
			rmdir(up); /* fails when not empty: kept */
	}
	sandbox_layers_free(v, n);
}

static void finish(const struct rt_context *ctx, const struct sandbox_opts *o,
		   const struct sandbox_paths *p)
{
	if (o->keep_changes != NULL)
		prune_kept(o, p);
	scratch_remove_tree(p->scratch);
	_cleanup_free_ char *base = NULL;
	if (scratch_base(ctx, &base) == 0)
		rmdir(base); /* the last one out; scratch_create() retries */
}

int sandbox_run(const struct rt_context *ctx, const struct sandbox_opts *o,
		const struct rt_create_opts *create, int *ret_status,
		struct berth_error *err)
{
	/* Before anything is made: a re-exec would leave it behind. */
	if (create->reexec_sealed != NULL) {
		int r = create->reexec_sealed(create->reexec_data);
		if (r < 0)
			return berth_err(err, -r,
					 "re-exec from a sealed copy "
					 "of berth");
	}
	struct sandbox_paths p;
	int r = sandbox_paths_new(ctx, o, &p, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *json = NULL;
	_cleanup_close_ int lockfd = -1;
	r = sandbox_config_json(o, &p, &json, err);
	/* first: a DIR we refuse is not ours to clean up after */
	if (r == 0 && o->keep_changes != NULL)
		r = check_keep_dir(p.upper, err);
	if (r == 0)
		r = prepare(ctx, o, &p, &lockfd, err);
	if (r == 0) {
		struct rt_create_opts c = *create;
		c.bundle = p.scratch;
		c.config_json = json;
		c.config_len = strlen(json);
		r = rt_run(ctx, p.id, &c, ret_status, err);
		count_changes(o, &p, create);
	}
	if (lockfd >= 0)
		finish(ctx, o, &p);
	sandbox_paths_free(&p);
	return r;
}
