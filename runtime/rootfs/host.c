#include "runtime/rootfs/host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "runtime/rootfs/devices.h"
#include "runtime/rootfs/idmap.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"

int host_fds_alloc(size_t n, int **ret)
{
	*ret = NULL;
	if (n == 0)
		return 0;
	int *fds = malloc(n * sizeof(*fds));
	if (fds == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	*ret = fds;
	return 0;
}

static void fds_close(int **fds, size_t *n)
{
	for (size_t i = 0; *fds && i < *n; i++)
		if ((*fds)[i] >= 0)
			close((*fds)[i]);
	free(*fds);
	*fds = NULL;
	*n = 0;
}

/* With a shared root propagation the container's mounts are the host's
 * peers anyway; otherwise its copy of "/" is a slave, and so are these. */
static bool keep_peers(const struct mounts_plan *plan)
{
	const struct oci_linux *l = plan->spec->linux_;
	const char *p = l ? l->rootfs_propagation : NULL;

	return p && (strcmp(p, "shared") == 0 || strcmp(p, "rshared") == 0);
}

int host_make_slave(const struct mounts_plan *plan, int tree)
{
	return keep_peers(plan) ? 0 : mnt_propagate(tree, MS_SLAVE | MS_REC);
}

int host_clone(const struct mounts_plan *plan, int fd, bool recursive)
{
	int tree = mnt_clone(fd, recursive);

	if (tree < 0)
		return tree;
	int r = host_make_slave(plan, tree);
	if (r < 0) {
		close(tree);
		return r;
	}
	return tree;
}

static void cleanup_mount_optsp(struct mount_opts *o)
{
	mount_opts_done(o);
}
#define _cleanup_mount_opts_ __attribute__((cleanup(cleanup_mount_optsp)))

/* Mount @i's source clone in plan->bind_fds[i], when it is a plain bind. */
static int bind_one(struct mounts_plan *plan, size_t i, struct berth_error *err)
{
	const struct oci_mount *m = &plan->spec->mounts[i];
	_cleanup_mount_opts_ struct mount_opts o = {0};

	if (idmap_wanted(m))
		return 0;
	int r = mount_opts_parse(m->options, &o, err);
	if (r < 0)
		return r;
	bool bind =
	    (m->type && strcmp(m->type, "bind") == 0) || (o.flags & MS_BIND);
	if (!bind || (o.flags & MS_REMOUNT))
		return 0;
	_cleanup_close_ int src = mounts_open_bind_source(plan, m->source, err);
	if (src < 0)
		return src;
	int tree = host_clone(plan, src, o.flags & MS_REC);
	if (tree < 0)
		return berth_err(err, -tree, "clone bind source '%s'",
				 m->source);
	plan->bind_fds[i] = tree;
	return 0;
}

static int plan_binds(struct mounts_plan *plan, struct berth_error *err)
{
	const struct oci_spec *spec = plan->spec;

	if (host_fds_alloc(spec->mounts_n, &plan->bind_fds) < 0)
		return berth_err(err, ENOMEM, "bind sources");
	plan->bind_fds_n = spec->mounts_n;
	for (size_t i = 0; i < spec->mounts_n; i++) {
		const char *dest = spec->mounts[i].destination;
		if (dest == NULL || dest[0] == '\0')
			continue; /* the child names the error */
		int r = bind_one(plan, i, err);
		if (r < 0)
			return berth_err_ctx(err, "mount %zu (%s)", i, dest);
	}
	return 0;
}

int mounts_plan_host(struct mounts_plan *plan, struct berth_error *err)
{
	plan->bind_fds = plan->dev_fds = NULL;
	plan->bind_fds_n = plan->dev_fds_n = 0;
	if (!plan->new_mount_ns)
		return 0;
	int r = plan_binds(plan, err);
	if (r == 0 && plan->in_userns)
		r = devices_plan_host(plan, err);
	if (r < 0)
		mounts_plan_host_close(plan);
	return r;
}

void mounts_plan_host_close(struct mounts_plan *plan)
{
	fds_close(&plan->bind_fds, &plan->bind_fds_n);
	fds_close(&plan->dev_fds, &plan->dev_fds_n);
}
