/* restore: a container rebuilt by `criu restore` from a checkpoint. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/checkpoint/args.h"
#include "runtime/checkpoint/checkpoint.h"
#include "runtime/checkpoint/criu.h"
#include "runtime/checkpoint/describe.h"
#include "runtime/container_internal.h"
#include "runtime/foreground.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/util.h"

int ckpt_make_dir(const char *path, char **ret_abs, struct berth_error *err);

struct restore {
	struct container c;
	const struct rt_criu_opts *o;
	struct ckpt_desc d;
	char *images, *work, *criu_root, *pidfile, *log;
	char **argv;
	int netns_fd;
	bool root_mounted;
};

/* The source of bind mount @dest in the restore's config.json. */
static const char *bind_source(const struct oci_spec *spec, const char *dest)
{
	for (size_t i = 0; i < spec->mounts_n; i++)
		if (strcmp(spec->mounts[i].destination, dest) == 0)
			return spec->mounts[i].source;
	return NULL;
}

static int mount_args(struct restore *x, struct berth_error *err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < x->d.mounts_n; i++) {
		const struct ckpt_mount *m = &x->d.mounts[i];
		const char *to = "/dev/null";
		if (m->kind == CKPT_MNT_BIND)
			to = bind_source(x->c.spec, m->path);
		if (m->kind == CKPT_MNT_CGROUP)
			continue; /* added in the child, which knows it */
		if (to == NULL)
			return berth_err_msg(err, EINVAL,
					     "the checkpoint has a bind mount "
					     "at %s, the bundle's config.json "
					     "none",
					     m->path);
		_cleanup_free_ char *abs = NULL;
		if (to[0] != '/' &&
		    asprintf(&abs, "%s/%s", x->c.bundle, to) < 0)
			return -ENOMEM;
		r = ckpt_args_push(&x->argv, "--external=mnt[%s]:%s", m->path,
				   abs ? abs : to);
	}
	return r;
}

static int restore_args(struct restore *x, struct berth_error *err)
{
	int r = strv_push(&x->argv, "restore");
	if (r == 0)
		r = ckpt_args_common(&x->argv, x->o, x->images, x->work,
				     x->log);
	if (r == 0)
		r = ckpt_args_push(&x->argv, "--root=%s", x->criu_root);
	if (r == 0)
		r = strv_push(&x->argv, "--restore-detached");
	if (r == 0)
		r = ckpt_args_push(&x->argv, "--pidfile=%s", x->pidfile);
	for (int i = 0; r == 0 && i < 3; i++)
		if (x->d.stdio[i] != NULL)
			r = ckpt_args_push(&x->argv, "--inherit-fd=fd[%d]:%s",
					   i, x->d.stdio[i]);
	if (r == 0 && x->netns_fd >= 0)
		r = ckpt_args_push(&x->argv, "--inherit-fd=fd[%d]:extRootNetNS",
				   x->netns_fd);
	if (r < 0)
		return r == -ENOMEM ? berth_err(err, ENOMEM, "criu arguments")
				    : r;
	return mount_args(x, err);
}

/* In CRIU's child: join the container's cgroup (what CRIU forks lands
 * there), tell CRIU where it is, hand on the joined netns. */
static int criu_child_setup(void *data)
{
	struct restore *x = data;
	struct berth_error e = {0};
	sigprocmask(SIG_SETMASK, &x->c.saved_mask, NULL);
	if (x->c.cg != NULL && cg_enter(x->c.cg, getpid(), &e) < 0)
		return -1;
	if (x->netns_fd >= 0 && fcntl(x->netns_fd, F_SETFD, 0) < 0)
		return -1;
	_cleanup_free_ char *cg = NULL;
	size_t len;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &cg, &len) < 0)
		return -1;
	char *p = strstr(cg, "0::");
	if (p != NULL) {
		p[strcspn(p, "\n")] = '\0';
		if (ckpt_args_push(&x->argv, "--cgroup-root=%s", p + 3) < 0)
			return -1;
	}
	for (size_t i = 0; i < x->d.mounts_n; i++)
		if (p != NULL && x->d.mounts[i].kind == CKPT_MNT_CGROUP &&
		    ckpt_args_push(&x->argv,
				   "--external=mnt[%s]:/sys/fs/cgroup%s",
				   x->d.mounts[i].path, p + 3) < 0)
			return -1;
	return 0;
}

/* CRIU's --root must be a mount point: the rootfs bound on criu-root in
 * the state dir, as runc does. */
static int mount_root(struct restore *x, struct berth_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (state_dir_path(x->c.ctx, x->c.id, &dir) < 0 ||
	    asprintf(&x->criu_root, "%s/criu-root", dir) < 0 ||
	    asprintf(&x->pidfile, "%s/criu.pid", dir) < 0)
		return -ENOMEM;
	if (mkdir(x->criu_root, 0700) < 0)
		return berth_err(err, errno, "mkdir %s", x->criu_root);
	if (mount(x->c.rootfs, x->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_err(err, errno, "bind %s on %s", x->c.rootfs,
				 x->criu_root);
	x->root_mounted = true;
	return 0;
}

static int open_images(struct restore *x, struct berth_error *err)
{
	const struct rt_criu_opts *o = x->o;
	int r = ckpt_make_dir(o->image_path ? o->image_path : "checkpoint",
			      &x->images, err);
	if (r == 0)
		r = ckpt_make_dir(o->work_path ? o->work_path : x->images,
				  &x->work, err);
	if (r < 0)
		return r;
	if (asprintf(&x->log, "%s/restore.log", x->work) < 0)
		return -ENOMEM;
	_cleanup_close_ int dirfd =
	    open(x->images, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dirfd < 0)
		return berth_err(err, errno, "open '%s'", x->images);
	r = ckpt_desc_load(dirfd, x->images, &x->d, err);
	if (r == 0 && faccessat(dirfd, "inventory.img", F_OK, 0) < 0)
		r = berth_err_msg(err, ENOENT,
				  "'%s' holds no CRIU images (no inventory.img)"
				  ": was the checkpoint a --pre-dump?",
				  x->images);
	return r;
}

/* The bundle must be the checkpointed container's: same rootfs. */
static int check_same(struct restore *x, struct berth_error *err)
{
	if (strcmp(x->d.rootfs, x->c.rootfs) == 0)
		return 0;
	return berth_err_msg(err, EINVAL,
			     "'%s' is a checkpoint of container \"%s\" with "
			     "rootfs %s, not of this bundle's rootfs %s",
			     x->images, x->d.id, x->d.rootfs, x->c.rootfs);
}

static int open_netns(struct restore *x, struct berth_error *err)
{
	x->netns_fd = -1;
	const struct oci_namespace *net =
	    oci_spec_namespace(x->c.spec, OCI_NS_NETWORK);
	if (!x->d.ext_netns)
		return 0;
	if (net == NULL || net->path == NULL)
		return berth_err_msg(err, EINVAL,
				     "the checkpoint joined a network "
				     "namespace by path; the bundle's "
				     "config.json names none");
	x->netns_fd = open(net->path, O_RDONLY | O_CLOEXEC);
	return x->netns_fd < 0 ? berth_err(err, errno, "open %s", net->path)
			       : 0;
}

static int record(struct restore *x, struct berth_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = read_file_at(AT_FDCWD, x->pidfile, &text, &len);
	if (r < 0)
		return berth_err(err, r, "read %s", x->pidfile);
	unlink(x->pidfile);
	struct oci_state *s = x->c.state;
	x->c.pid = s->pid = (pid_t)atoi(text);
	if (s->pid <= 0 || proc_start_time(s->pid, &s->pid_start) < 0)
		return berth_err_msg(err, ESRCH,
				     "the restored process (pid \"%s\") is "
				     "gone",
				     text);
	s->creating = false;
	s->started = true;
	r = state_save(x->c.dirfd, s, err);
	if (r == 0)
		r = container_write_pid_file(x->c.opts->pid_file, s->pid, err);
	return r;
}

static void restore_free(struct restore *x, bool failed)
{
	if (x->root_mounted)
		umount2(x->criu_root, MNT_DETACH);
	if (x->criu_root != NULL)
		rmdir(x->criu_root);
	container_cleanup(&x->c, failed);
	ckpt_desc_free(&x->d);
	if (x->netns_fd >= 0)
		close(x->netns_fd);
	free(x->images);
	free(x->work);
	free(x->criu_root);
	free(x->pidfile);
	free(x->log);
	strv_free(x->argv);
}

static int do_restore(struct restore *x, const char *criu,
		      struct berth_error *err)
{
	int r = open_images(x, err);
	if (r == 0)
		r = criu_check(criu, err);
	if (r == 0)
		r = container_prepare_restore(&x->c, err);
	if (r == 0)
		r = check_same(x, err);
	if (r == 0)
		r = open_netns(x, err);
	if (r == 0)
		r = mount_root(x, err);
	if (r == 0 && (r = strv_push(&x->argv, criu)) == 0)
		r = restore_args(x, err);
	if (r < 0)
		return r == -ENOMEM ? berth_err(err, ENOMEM, "restore") : r;
	rt_log(x->c.ctx, RT_LOG_DEBUG, "restore %s: criu restore from %s",
	       x->c.id, x->images);
	r = criu_run(&x->argv, "restore", x->log, criu_child_setup, x, err);
	if (r == 0)
		r = record(x, err);
	return r;
}

/* Foreground: wait for the restored process, then delete the container
 * (as run does; runc's restore too). */
static int foreground(const struct rt_context *ctx, const char *id, pid_t pid,
		      int *ret_status, struct berth_error *err)
{
	int r = rt_wait_foreground(pid, -1, ret_status, err);
	if (r < 0)
		kill(pid, SIGKILL);
	struct berth_error derr = {0};
	if (rt_delete(ctx, id, true, &derr) < 0)
		rt_log(ctx, RT_LOG_WARN, "delete after restore: %s", derr.msg);
	return r;
}

int rt_restore(const struct rt_context *ctx, const char *id,
	       const struct rt_criu_opts *o,
	       const struct rt_create_opts *create, int *ret_status,
	       struct berth_error *err)
{
	struct restore x = {.o = o, .netns_fd = -1};
	_cleanup_free_ char *criu = NULL;
	container_init(&x.c, ctx, id, create, true);
	sigset_t saved = x.c.saved_mask, all;
	*ret_status = 0;
	int r = criu_find(o->criu, &criu, err);
	/* The restored process becomes our child when CRIU exits; signals
	 * wait for the foreground's signalfd from now on. */
	if (r == 0 && !create->detach &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		r = berth_err(err, errno, "PR_SET_CHILD_SUBREAPER");
	sigfillset(&all);
	if (r == 0 && !create->detach)
		sigprocmask(SIG_SETMASK, &all, NULL);
	if (r == 0)
		r = do_restore(&x, criu, err);
	pid_t pid = x.c.pid;
	restore_free(&x, r < 0);
	if (r == 0 && !create->detach)
		r = foreground(ctx, id, pid, ret_status, err);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return r < 0 ? berth_err_ctx(err, "restore %s", id) : 0;
}
