/* checkpoint: a running container's processes saved by `criu dump`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/checkpoint/args.h"
#include "runtime/checkpoint/checkpoint.h"
#include "runtime/checkpoint/criu.h"
#include "runtime/checkpoint/describe.h"
#include "runtime/container_internal.h"
#include "runtime/state.h"
#include "util/cleanup.h"
#include "util/util.h"

/* mkdir -p @path 0700 and its absolute form, malloc'd. */
int ckpt_make_dir(const char *path, char **ret_abs, struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(path);
	if (copy == NULL)
		return -ENOMEM;
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return berth_err(err, errno, "mkdir '%s'", copy);
		*p = '/';
	}
	if (mkdir(copy, 0700) < 0 && errno != EEXIST)
		return berth_err(err, errno, "mkdir '%s'", copy);
	*ret_abs = realpath(path, NULL);
	return *ret_abs ? 0 : berth_err(err, errno, "'%s'", path);
}

static int dump_args(char ***argv, const struct rt_criu_opts *o,
		     const struct ckpt_desc *d, pid_t pid, const char *images,
		     const char *work)
{
	_cleanup_free_ char *log = NULL;
	if (asprintf(&log, "%s/%s.log", work,
		     o->pre_dump ? "pre-dump" : "dump") < 0)
		return -ENOMEM;
	int r = strv_push(argv, o->pre_dump ? "pre-dump" : "dump");
	if (r == 0)
		r = ckpt_args_push(argv, "--tree=%d", (int)pid);
	if (r == 0)
		r = ckpt_args_common(argv, o, images, work, log);
	if (r == 0 && o->leave_running && !o->pre_dump)
		r = strv_push(argv, "--leave-running");
	if (r == 0 && (o->pre_dump || o->parent_path))
		r = strv_push(argv, "--track-mem");
	if (r == 0 && o->parent_path)
		r = ckpt_args_push(argv, "--prev-images-dir=%s",
				   o->parent_path);
	for (size_t i = 0; r == 0 && i < d->mounts_n; i++)
		r = ckpt_args_push(argv, "--external=mnt[%s]:%s",
				   d->mounts[i].path, d->mounts[i].path);
	for (int i = 0; r == 0 && i < 3; i++)
		if (d->stdio[i] && strncmp(d->stdio[i], "file[", 5) == 0)
			r = ckpt_args_push(argv, "--external=%s", d->stdio[i]);
	return r;
}

/* --external net[INODE]:extRootNetNS for a joined network namespace. */
static int netns_arg(char ***argv, pid_t pid, struct berth_error *err)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &st) < 0)
		return berth_err(err, errno, "stat %s", path);
	return ckpt_args_push(argv, "--external=net[%llu]:extRootNetNS",
			      (unsigned long long)st.st_ino);
}

static int check_running(const struct rt_context *ctx,
			 const struct oci_state *s, struct berth_error *err)
{
	enum oci_status st;
	int r = state_status(ctx, s, &st, err);
	if (r < 0)
		return r;
	if (st != OCI_STATUS_RUNNING)
		return berth_err_msg(err, EINVAL,
				     "container is not running (status "
				     "\"%s\"): only a running container can "
				     "be checkpointed",
				     oci_status_name(st));
	return 0;
}

static int describe(const struct rt_context *ctx, const struct oci_state *s,
		    struct ckpt_desc *d, struct berth_error *err)
{
	struct oci_spec *spec = NULL;
	if (container_load_saved_spec(ctx, s, &spec) < 0 || spec == NULL)
		return berth_err_msg(err, ENOENT,
				     "the container's saved config.json is "
				     "missing or unreadable");
	int r = 0;
	if (spec->process != NULL && spec->process->terminal)
		r = berth_err_msg(err, EOPNOTSUPP,
				  "process.terminal is true: berth cannot "
				  "checkpoint a container with a terminal");
	d->id = strdup(s->id);
	d->rootfs = strdup(s->rootfs);
	if (r == 0 && (d->id == NULL || d->rootfs == NULL))
		r = -ENOMEM;
	if (r == 0)
		r = ckpt_desc_from_process(s->pid, spec, d, err);
	oci_spec_free(spec);
	return r;
}

static int dump(const struct rt_context *ctx, const struct oci_state *s,
		const struct rt_criu_opts *o, const char *criu,
		struct berth_error *err)
{
	_cleanup_free_ char *images = NULL, *work = NULL;
	int r = ckpt_make_dir(o->image_path ? o->image_path : "checkpoint",
			      &images, err);
	if (r == 0)
		r = ckpt_make_dir(o->work_path ? o->work_path : images, &work,
				  err);
	struct ckpt_desc d = {0};
	if (r == 0)
		r = describe(ctx, s, &d, err);
	_cleanup_close_ int dirfd =
	    r == 0 ? open(images, O_DIRECTORY | O_RDONLY | O_CLOEXEC) : -1;
	if (r == 0 && dirfd < 0)
		r = berth_err(err, errno, "open '%s'", images);
	if (r == 0 && !o->pre_dump)
		r = ckpt_desc_save(dirfd, &d, err);
	_cleanup_strv_ char **argv = NULL;
	if (r == 0 && (r = strv_push(&argv, criu)) == 0)
		r = dump_args(&argv, o, &d, s->pid, images, work);
	if (r == 0 && d.ext_netns)
		r = netns_arg(&argv, s->pid, err);
	ckpt_desc_free(&d);
	if (r == -ENOMEM)
		return berth_err(err, ENOMEM, "criu arguments");
	if (r < 0)
		return r;
	rt_log(ctx, RT_LOG_DEBUG, "checkpoint %s: criu %s into %s", s->id,
	       o->pre_dump ? "pre-dump" : "dump", images);
	_cleanup_free_ char *log = NULL;
	if (asprintf(&log, "%s/%s.log", work,
		     o->pre_dump ? "pre-dump" : "dump") < 0)
		return -ENOMEM;
	return criu_run(&argv, o->pre_dump ? "pre-dump" : "dump", log, NULL,
			NULL, err);
}

int rt_checkpoint(const struct rt_context *ctx, const char *id,
		  const struct rt_criu_opts *o, struct berth_error *err)
{
	_cleanup_free_ char *criu = NULL;
	_cleanup_close_ int lockfd = -1;
	_cleanup_oci_state_ struct oci_state *s = NULL;
	int r = criu_find(o->criu, &criu, err);
	if (r == 0)
		r = state_lock(ctx, id, &lockfd, err);
	if (r == 0)
		r = state_load(ctx, id, &s, err);
	if (r == 0)
		r = check_running(ctx, s, err);
	if (r == 0)
		r = criu_check(criu, err);
	if (r == 0)
		r = dump(ctx, s, o, criu, err);
	if (r < 0)
		return berth_err_ctx(err, "checkpoint %s", id);
	if (o->leave_running || o->pre_dump)
		return 0;
	/* As runc: the checkpointed container is gone (CRIU killed it). */
	close(lockfd);
	lockfd = -1;
	r = rt_delete(ctx, id, true, err);
	return r < 0 ? berth_err_ctx(err, "checkpoint %s: delete", id) : 0;
}
