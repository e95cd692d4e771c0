#include "runtime/rootfs/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces/namespaces.h"
#include "runtime/rootfs/host.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"
#include "util/util.h"

/* ---- one user namespace ---- */

/* The helper shares our memory (CLONE_VM: no page tables to copy or tear
 * down, ~8x cheaper than a fork of berth) and runs on its own small stack. */
#define HELPER_STACK (16 * 1024)

/* The helper: sit in the new user namespace until the pipe closes (or
 * SIGKILL), so its maps can be written and its namespace opened.  Raw
 * syscalls only: it shares our errno. */
static int helper_wait(void *arg)
{
	char c;

	while (syscall(SYS_read, *(int *)arg, &c, 1) < 0)
		;
	syscall(SYS_exit, 0);
	return 0;
}

static int open_helper_ns(pid_t pid, const struct oci_id_mapping *uid,
			  size_t nu, const struct oci_id_mapping *gid,
			  size_t ng, int *ret_fd, struct berth_error *err)
{
	/* ns_write_id_maps() reads the maps only. */
	const struct oci_linux maps = {
	    .uid_mappings = (struct oci_id_mapping *)uid,
	    .uid_mappings_n = nu,
	    .gid_mappings = (struct oci_id_mapping *)gid,
	    .gid_mappings_n = ng,
	};
	char path[64];

	int r = ns_write_id_maps(pid, &maps, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open %s", path);
	*ret_fd = fd;
	return 0;
}

int idmap_userns_open(const struct oci_id_mapping *uid, size_t nu,
		      const struct oci_id_mapping *gid, size_t ng, int *ret_fd,
		      struct berth_error *err)
{
	_cleanup_free_ char *stack = NULL;
	int p[2];

	if (nu == 0 || ng == 0)
		return berth_err_msg(err, EINVAL,
				     "an idmapped mount needs both uidMappings "
				     "and gidMappings");
	stack = malloc(HELPER_STACK);
	if (stack == NULL)
		return berth_err(err, ENOMEM, "idmap user namespace");
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_err(err, errno, "pipe");
	pid_t pid = clone(helper_wait, stack + HELPER_STACK,
			  CLONE_VM | CLONE_NEWUSER | SIGCHLD, &p[0]);
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return berth_err(err, e, "clone a user namespace");
	}
	int r = open_helper_ns(pid, uid, nu, gid, ng, ret_fd, err);
	close(p[1]);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	return r < 0 ? berth_err_ctx(err, "idmap user namespace") : 0;
}

int idmap_clone_tree(int srcfd, bool recursive, bool recursive_idmap,
		     int userns_fd, int *ret_fd, struct berth_error *err)
{
	_cleanup_close_ int tree = mnt_clone(srcfd, recursive);

	if (tree < 0)
		return berth_err(err, -tree, "open_tree");
	int r = mnt_idmap(tree, recursive_idmap, userns_fd);
	if (r == -EINVAL)
		return berth_err(err, -r,
				 "set the id mapping (the filesystem%s may "
				 "not support idmapped mounts)",
				 recursive_idmap ? " or a submount" : "");
	if (r < 0)
		return berth_err(err, -r, "set the id mapping");
	*ret_fd = TAKE_FD(tree);
	return 0;
}

/* ---- the plan ---- */

/* Where a mount's mapping comes from: its own uid/gid maps, the
 * container's new user namespace's maps, or a joined namespace's path. */
struct idmap_src {
	const struct oci_id_mapping *uid, *gid;
	size_t nu, ng;
	const char *ns_path;
};

/* One user namespace fd per distinct idmap_src. */
struct idmap_cache {
	struct idmap_src *src;
	int *fd;
	size_t n;
};

static void idmap_cache_done(struct idmap_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		close(c->fd[i]);
	free(c->src);
	free(c->fd);
}
#define _cleanup_idmap_cache_ __attribute__((cleanup(idmap_cache_done)))

static bool same_ids(const struct oci_id_mapping *a, size_t na,
		     const struct oci_id_mapping *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static bool same_src(const struct idmap_src *a, const struct idmap_src *b)
{
	if (a->ns_path || b->ns_path)
		return a->ns_path && b->ns_path &&
		       strcmp(a->ns_path, b->ns_path) == 0;
	return same_ids(a->uid, a->nu, b->uid, b->nu) &&
	       same_ids(a->gid, a->ng, b->gid, b->ng);
}

static int open_src(const struct idmap_src *s, int *ret_fd,
		    struct berth_error *err)
{
	if (s->ns_path == NULL)
		return idmap_userns_open(s->uid, s->nu, s->gid, s->ng, ret_fd,
					 err);
	int fd = open(s->ns_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_err(err, errno, "open user namespace '%s'",
				 s->ns_path);
	*ret_fd = fd;
	return 0;
}

/* The user namespace fd for @s (owned by the cache), made on first use.
 * The cache has room for every mount (allocated by the caller). */
static int cache_get(struct idmap_cache *c, const struct idmap_src *s,
		     int *ret_fd, struct berth_error *err)
{
	for (size_t i = 0; i < c->n; i++)
		if (same_src(&c->src[i], s)) {
			*ret_fd = c->fd[i];
			return 0;
		}
	int r = open_src(s, &c->fd[c->n], err);
	if (r < 0)
		return r;
	c->src[c->n] = *s;
	*ret_fd = c->fd[c->n++];
	return 0;
}

bool idmap_wanted(const struct oci_mount *m)
{
	return m->uid_mappings_n > 0 || m->gid_mappings_n > 0 ||
	       strv_contains(m->options, "idmap") ||
	       strv_contains(m->options, "ridmap");
}

/* The spec's rule: the mount's own mappings, both or neither; without
 * them the container's user namespace, which it must have. */
static int mapping_of(const struct oci_spec *spec, const struct oci_mount *m,
		      struct idmap_src *ret, struct berth_error *err)
{
	const struct oci_namespace *ns = oci_spec_namespace(spec, OCI_NS_USER);
	const struct oci_linux *l = spec->linux_;

	memset(ret, 0, sizeof(*ret));
	if (m->uid_mappings_n > 0 || m->gid_mappings_n > 0) {
		if (m->uid_mappings_n == 0 || m->gid_mappings_n == 0)
			return berth_err_msg(err, EINVAL,
					     "uidMappings and gidMappings must "
					     "be given together");
		*ret = (struct idmap_src){m->uid_mappings, m->gid_mappings,
					  m->uid_mappings_n, m->gid_mappings_n,
					  NULL};
		return 0;
	}
	if (ns == NULL || l == NULL)
		return berth_err_msg(err, EINVAL,
				     "idmap without uidMappings and "
				     "gidMappings needs a user namespace");
	if (ns->path != NULL) {
		ret->ns_path = ns->path;
		return 0;
	}
	*ret = (struct idmap_src){l->uid_mappings, l->gid_mappings,
				  l->uid_mappings_n, l->gid_mappings_n, NULL};
	return 0;
}

static void cleanup_mount_optsp(struct mount_opts *o)
{
	mount_opts_done(o);
}
#define _cleanup_mount_opts_ __attribute__((cleanup(cleanup_mount_optsp)))

static int plan_one(struct mounts_plan *plan, struct idmap_cache *cache,
		    size_t i, struct berth_error *err)
{
	const struct oci_mount *m = &plan->spec->mounts[i];
	_cleanup_mount_opts_ struct mount_opts o;
	struct idmap_src src;
	int nsfd = -1;

	int r = mount_opts_parse(m->options, &o, err);
	if (r < 0)
		return r;
	bool bind =
	    (m->type && strcmp(m->type, "bind") == 0) || (o.flags & MS_BIND);
	if (!bind || (o.flags & MS_REMOUNT))
		return berth_err_msg(err, EINVAL,
				     "only bind mounts can be idmapped");
	r = mapping_of(plan->spec, m, &src, err);
	if (r == 0)
		r = cache_get(cache, &src, &nsfd, err);
	if (r < 0)
		return r;
	_cleanup_close_ int srcfd =
	    mounts_open_bind_source(plan, m->source, err);
	if (srcfd < 0)
		return srcfd;
	r = idmap_clone_tree(srcfd, o.flags & MS_REC, o.ridmap, nsfd,
			     &plan->idmap_fds[i], err);
	if (r < 0)
		return r;
	/* Not the host's peer: nothing mounted on it may reach the host. */
	r = host_make_slave(plan, plan->idmap_fds[i]);
	return r < 0 ? berth_err(err, -r, "make the idmapped mount a slave")
		     : 0;
}

static int idmaps_alloc(struct mounts_plan *plan, struct idmap_cache *cache)
{
	size_t n = plan->spec->mounts_n;

	cache->src = calloc(n, sizeof(*cache->src));
	cache->fd = calloc(n, sizeof(*cache->fd));
	plan->idmap_fds = malloc(n * sizeof(*plan->idmap_fds));
	if (cache->src == NULL || cache->fd == NULL ||
	    plan->idmap_fds == NULL) {
		free(plan->idmap_fds);
		plan->idmap_fds = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		plan->idmap_fds[i] = -1;
	plan->idmap_fds_n = n;
	return 0;
}

int mounts_plan_idmaps(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_spec *spec = plan->spec;
	_cleanup_idmap_cache_ struct idmap_cache cache = {0};
	bool any = false;

	plan->idmap_fds = NULL;
	plan->idmap_fds_n = 0;
	for (size_t i = 0; i < spec->mounts_n; i++)
		any = any || idmap_wanted(&spec->mounts[i]);
	if (!any || !plan->new_mount_ns)
		return 0;
	if (idmaps_alloc(plan, &cache) < 0)
		return berth_err(err, ENOMEM, "idmapped mounts");
	for (size_t i = 0; i < spec->mounts_n; i++) {
		const struct oci_mount *m = &spec->mounts[i];
		if (!idmap_wanted(m))
			continue;
		int r = plan_one(plan, &cache, i, err);
		if (r < 0) {
			mounts_plan_idmaps_close(plan);
			return berth_err_ctx(err, "mount %zu (%s)", i,
					     m->destination ? m->destination
							    : "");
		}
	}
	return 0;
}

void mounts_plan_idmaps_close(struct mounts_plan *plan)
{
	for (size_t i = 0; plan->idmap_fds && i < plan->idmap_fds_n; i++)
		if (plan->idmap_fds[i] >= 0)
			close(plan->idmap_fds[i]);
	free(plan->idmap_fds);
	plan->idmap_fds = NULL;
	plan->idmap_fds_n = 0;
}
