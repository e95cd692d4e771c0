/*
 * The process setup shared by create's first process and exec: a list of
 * small named steps over one struct process_plan (see setup.h).
 */
#include "runtime/process/setup.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

int process_plan_build(const struct rt_context *ctx,
		       const struct oci_process *p, const struct oci_linux *l,
		       int preserve_fds, struct process_plan *ret,
		       struct berth_error *err)
{
	struct process_plan plan = {.proc = p};
	int r = proc_plan_build(ctx, p, preserve_fds, &plan.base, err);
	if (r == 0 && l != NULL && l->seccomp != NULL)
		r = seccomp_plan_build(ctx, l->seccomp, &plan.seccomp, err);
	if (r == 0)
		r = procattr_plan_build(p, l, &plan.attrs, err);
	if (r < 0) {
		process_plan_free(&plan);
		return r;
	}
	*ret = plan;
	return 0;
}

void process_plan_free(struct process_plan *plan)
{
	if (plan == NULL)
		return;
	proc_plan_free(&plan->base);
	procattr_plan_free(&plan->attrs);
	seccomp_plan_free(plan->seccomp);
	plan->seccomp = NULL;
}

int process_setup_early(const struct process_plan *plan,
			struct berth_error *err)
{
	return procattr_apply_early(&plan->attrs, err);
}

struct setup {
	struct process_plan *plan;
	const struct process_io *io;
	char *exec_path;
	uint64_t kept_caps; /* CAP_SYS_ADMIN kept for the filter, or 0 */
};

typedef int (*setup_fn)(struct setup *s, struct berth_error *err);

int process_filter_note(const struct process_plan *plan,
			struct berth_error *err, const char *syscalls)
{
	if (!plan->filter_loaded)
		return -(err->code ? err->code : EIO);
	return berth_err_note(err,
			      "linux.seccomp is loaded: the profile may "
			      "block %s",
			      syscalls);
}

static int step_close_host_fds(struct setup *s, struct berth_error *err)
{
	return proc_close_host_fds(&s->plan->base, s->io->keep_fds,
				   s->io->n_keep, err);
}

/* Inside the container's root, before the fds are chowned. */
static int step_reopen_devnull(struct setup *s, struct berth_error *err)
{
	(void)s;
	return proc_reopen_devnull(err);
}

/* As root, before any seccomp filter: fchown is the container's to block. */
static int step_stdio_owner(struct setup *s, struct berth_error *err)
{
	return proc_chown_stdio(&s->plan->base, err);
}

static int step_cwd(struct setup *s, struct berth_error *err)
{
	return proc_set_cwd(&s->plan->base, err);
}

static int step_rlimits(struct setup *s, struct berth_error *err)
{
	return proc_set_rlimits(&s->plan->base, err);
}

/* Before seccomp and the capability drop: SCHED_FIFO/RR and I/O class RT
 * need CAP_SYS_NICE, and a profile could block personality(2). */
static int step_process_attrs(struct setup *s, struct berth_error *err)
{
	return procattr_apply(&s->plan->attrs, err);
}

static int step_find_exec(struct setup *s, struct berth_error *err)
{
	int r = proc_fill_home(&s->plan->base, err);
	if (r < 0)
		return r;
	return proc_find_executable(&s->plan->base, &s->exec_path, err);
}

/* Every fd close-on-exec now, before the filter: a profile may well lack
 * close_range (every fd berth opens later is born close-on-exec). */
static int step_close_fds(struct setup *s, struct berth_error *err)
{
	return proc_prepare_fds(&s->plan->base, err);
}

/* Final CPU affinity and LSM exec labels: before the filter (it could
 * block sched_setaffinity or the /proc/self/attr writes) and before the
 * identity switch (root can write /proc/self/attr of a non-dumpable
 * process). */
static int step_exec_attrs(struct setup *s, struct berth_error *err)
{
	return procattr_apply_final(&s->plan->attrs, err);
}

/* Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter:
 * keep it across the switch, for the filter, and drop it right after. */
static int step_identity(struct setup *s, struct berth_error *err)
{
	bool keep =
	    s->plan->seccomp != NULL && !s->plan->proc->no_new_privileges;
	return proc_set_identity(&s->plan->base, keep, &s->kept_caps, err);
}

/* As late as the caller's handshake allows, in both modes, so that only
 * the few syscalls listed in setup.h run under the filter.  With
 * SCMP_ACT_NOTIFY hand the listener on before anyone can depend on an
 * answer. */
static int step_seccomp(struct setup *s, struct berth_error *err)
{
	const struct process_io *io = s->io;
	if (s->plan->seccomp == NULL)
		return 0;
	int r =
	    io->before_filter != NULL ? io->before_filter(io->opaque, err) : 0;
	int listener = -1;
	if (r == 0)
		r = seccomp_plan_load(s->plan->seccomp, &listener, err);
	if (r < 0)
		return r;
	s->plan->filter_loaded = true;
	if (listener < 0)
		return 0;
	r = io->send_listener != NULL
		? io->send_listener(io->opaque, listener, err)
		: berth_err_msg(err, EINVAL, "no one to take the listener");
	close(listener);
	return r < 0 ? process_filter_note(s->plan, err, "sendmsg") : 0;
}

static int step_drop_kept_caps(struct setup *s, struct berth_error *err)
{
	int r = proc_drop_kept_caps(&s->plan->base, s->kept_caps, err);
	return r < 0 ? process_filter_note(s->plan, err, "capset") : 0;
}

static const struct {
	const char *name;
	setup_fn fn;
} steps[] = {
    {"close host fds", step_close_host_fds},
    {"stdio on /dev/null", step_reopen_devnull},
    {"stdio owner", step_stdio_owner},
    {"cwd", step_cwd},
    {"rlimits", step_rlimits},
    {"process attributes", step_process_attrs},
    {"find executable", step_find_exec},
    {"close fds", step_close_fds},
    {"exec attributes", step_exec_attrs},
    {"identity", step_identity},
    {"seccomp", step_seccomp},
    {"drop CAP_SYS_ADMIN", step_drop_kept_caps},
};

int process_setup(struct process_plan *plan, const struct process_io *io,
		  char **ret_exec_path, struct berth_error *err)
{
	struct setup s = {.plan = plan, .io = io};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		berth_err_clear(err);
		if (steps[i].fn(&s, err) < 0) {
			free(s.exec_path);
			return berth_err_ctx(err, "%s", steps[i].name);
		}
	}
	*ret_exec_path = s.exec_path;
	return 0;
}

int process_exec(const struct process_plan *plan, const char *exec_path,
		 struct berth_error *err)
{
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
		berth_err(err, errno, "unblock signals before exec");
		return process_filter_note(plan, err, "rt_sigprocmask");
	}
	execve(exec_path, plan->proc->args, plan->base.env);
	berth_err(err, errno, "exec '%s'", exec_path);
	return process_filter_note(plan, err, "execve");
}
