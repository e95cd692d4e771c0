/*
 * The sandbox's flags, checked one at a time as the command line gives
 * them (cmd/sandbox.c only finds them in argv).  Paths a sandbox binds
 * are resolved here, against the caller's cwd: the config's bundle is the
 * scratch directory.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/sandbox/sandbox.h"
#include "util/cleanup.h"
#include "util/util.h"

static const char *const flag_names[] = {
    [SANDBOX_ROOTFS] = "--rootfs",   [SANDBOX_BIND] = "--bind",
    [SANDBOX_RO_BIND] = "--ro-bind", [SANDBOX_TMPFS] = "--tmpfs",
    [SANDBOX_OVERLAY] = "--overlay", [SANDBOX_KEEP_CHANGES] = "--keep-changes",
    [SANDBOX_WORKDIR] = "--workdir", [SANDBOX_ENV] = "--env",
    [SANDBOX_USER] = "--user",	     [SANDBOX_NET] = "--net",
    [SANDBOX_SECCOMP] = "--seccomp", [SANDBOX_MEMORY] = "--memory",
    [SANDBOX_PIDS] = "--pids",	     [SANDBOX_CPUS] = "--cpus",
};

void sandbox_opts_free(struct sandbox_opts *o)
{
	free(o->binds);
	free(o->tmpfs);
	free(o->overlays);
	free(o->env);
	strv_free(o->owned);
	o->binds = NULL, o->tmpfs = NULL, o->overlays = NULL;
	o->env = o->owned = NULL;
}

int sandbox_parse_size(const char *s, int64_t *ret)
{
	static const char units[] = "kmgt";
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	int shift = 0;
	const char *u =
	    *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
	if (u != NULL) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
	} else if (*end == 'B' || *end == 'b') {
		end++;
	}
	if (*end != '\0' || v == 0 ||
	    v > (unsigned long long)(INT64_MAX >> shift))
		return -EINVAL;
	*ret = (int64_t)(v << shift);
	return 0;
}

/* A string we own until sandbox_opts_free(). */
static char *own(struct sandbox_opts *o, char *s)
{
	if (s != NULL && o->owned == NULL)
		o->owned = calloc(1, sizeof(char *));
	if (s == NULL || o->owned == NULL) {
		free(s);
		return NULL;
	}
	char **v = o->owned;
	size_t n = strv_len(v);
	v = realloc(v, (n + 2) * sizeof(*v));
	if (v == NULL) {
		free(s);
		return NULL;
	}
	v[n] = s;
	v[n + 1] = NULL;
	o->owned = v;
	return s;
}

static int grow(void **v, size_t n, size_t size)
{
	void *nv = realloc(*v, (n + 1) * size);
	if (nv == NULL)
		return -ENOMEM;
	*v = nv;
	return 0;
}

static int bad(struct berth_error *err, enum sandbox_flag f, const char *want,
	       const char *v)
{
	return berth_err_msg(err, EINVAL, "%s: expected %s, got \"%s\"",
			     flag_names[f], want, v);
}

/* SRC[:DST] into a resolved source and an absolute destination. */
static int split_pair(struct sandbox_opts *o, enum sandbox_flag f,
		      const char *v, const char **ret_src, const char **ret_dst,
		      struct berth_error *err)
{
	_cleanup_free_ char *src = strdup(v);
	if (src == NULL)
		return berth_err(err, ENOMEM, "%s", flag_names[f]);
	char *colon = strchr(src, ':');
	const char *dst = NULL;
	if (colon != NULL) {
		*colon = '\0';
		dst = v + (colon - src) + 1;
		if (dst[0] != '/')
			return bad(err, f, "SRC:DST with an absolute DST", v);
	}
	if (src[0] == '\0')
		return bad(err, f, "SRC[:DST]", v);
	char *real = realpath(src, NULL);
	if (real == NULL)
		return berth_err(err, errno, "%s: '%s'", flag_names[f], src);
	if (own(o, real) == NULL)
		return berth_err(err, ENOMEM, "%s", flag_names[f]);
	*ret_src = real;
	*ret_dst = colon != NULL ? dst : (v[0] == '/' ? v : real);
	return 0;
}

static int add_bind(struct sandbox_opts *o, enum sandbox_flag f, const char *v,
		    struct berth_error *err)
{
	const char *src, *dst;
	int r = split_pair(o, f, v, &src, &dst, err);
	if (r < 0)
		return r;
	if (grow((void **)&o->binds, o->binds_n, sizeof(*o->binds)) < 0)
		return berth_err(err, ENOMEM, "%s", flag_names[f]);
	o->binds[o->binds_n++] =
	    (struct sandbox_bind){src, dst, f == SANDBOX_RO_BIND};
	return 0;
}

static int add_overlay(struct sandbox_opts *o, const char *v,
		       struct berth_error *err)
{
	const char *src, *dst;
	if (strchr(v, ':') == NULL)
		return bad(err, SANDBOX_OVERLAY, "SRC:DST", v);
	int r = split_pair(o, SANDBOX_OVERLAY, v, &src, &dst, err);
	if (r < 0)
		return r;
	if (grow((void **)&o->overlays, o->overlays_n, sizeof(*o->overlays)) <
	    0)
		return berth_err(err, ENOMEM, "--overlay");
	o->overlays[o->overlays_n++] = (struct sandbox_overlay){src, dst};
	return 0;
}

static int add_tmpfs(struct sandbox_opts *o, const char *v,
		     struct berth_error *err)
{
	char *dst = own(o, strdup(v));
	if (dst == NULL)
		return berth_err(err, ENOMEM, "--tmpfs");
	char *size = strchr(dst, ':');
	int64_t bytes;
	if (size != NULL) {
		*size++ = '\0';
		if (sandbox_parse_size(size, &bytes) < 0)
			return bad(err, SANDBOX_TMPFS,
				   "DST[:SIZE] with a size "
				   "like 64M",
				   v);
	}
	if (dst[0] != '/')
		return bad(err, SANDBOX_TMPFS, "an absolute DST", v);
	char *sz = NULL;
	if (size != NULL &&
	    (asprintf(&sz, "%lld", (long long)bytes) < 0 || own(o, sz) == NULL))
		return berth_err(err, ENOMEM, "--tmpfs");
	if (grow((void **)&o->tmpfs, o->tmpfs_n, sizeof(*o->tmpfs)) < 0)
		return berth_err(err, ENOMEM, "--tmpfs");
	o->tmpfs[o->tmpfs_n++] = (struct sandbox_tmpfs){dst, sz};
	return 0;
}

static int add_env(struct sandbox_opts *o, const char *v,
		   struct berth_error *err)
{
	const char *eq = strchr(v, '=');
	if (eq == NULL || eq == v)
		return bad(err, SANDBOX_ENV, "K=V", v);
	size_t n = strv_len(o->env);
	char **nv = realloc(o->env, (n + 2) * sizeof(*nv));
	if (nv == NULL)
		return berth_err(err, ENOMEM, "--env");
	nv[n] = (char *)v;
	nv[n + 1] = NULL;
	o->env = nv;
	return 0;
}

static int parse_id(const char *s, uint32_t *ret)
{
	long long v;
	if (parse_ll(s, 0, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int set_user(struct sandbox_opts *o, const char *v,
		    struct berth_error *err)
{
	_cleanup_free_ char *copy = strdup(v);
	if (copy == NULL)
		return berth_err(err, ENOMEM, "--user");
	char *gid = strchr(copy, ':');
	if (gid != NULL)
		*gid++ = '\0';
	if (parse_id(copy, &o->uid) < 0 ||
	    parse_id(gid != NULL ? gid : copy, &o->gid) < 0)
		return bad(err, SANDBOX_USER, "UID[:GID] as numbers", v);
	if (o->userns && (o->uid != 0 || o->gid != 0))
		return berth_err_msg(
		    err, EINVAL,
		    "--user %s: berth is not root: the sandbox "
		    "has one user, 0, which is you outside",
		    v);
	return 0;
}

/* A positive decimal number of at most @max. */
static int parse_decimal(const char *s, double max, double *ret)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	double d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(d > 0) || d > max)
		return -EINVAL;
	*ret = d;
	return 0;
}

static int set_number(struct sandbox_opts *o, enum sandbox_flag f,
		      const char *v, struct berth_error *err)
{
	double d;
	long long n;
	switch (f) {
	case SANDBOX_PIDS:
		if (parse_ll(v, 1, INT32_MAX, &n) < 0)
			return bad(err, f, "a positive number of processes", v);
		o->pids = n;
		return 0;
	case SANDBOX_CPUS:
		if (parse_decimal(v, 4096, &d) < 0 || d < 0.01)
			return bad(err, f, "a number of CPUs like 1.5", v);
		o->cpu_quota = (int64_t)(d * 100000 + 0.5);
		return 0;
	default: /* SANDBOX_MEMORY */
		if (sandbox_parse_size(v, &o->memory) < 0)
			return bad(err, f, "a size like 512M", v);
		return 0;
	}
}

static int set_rootfs(struct sandbox_opts *o, const char *v,
		      struct berth_error *err)
{
	char *real = realpath(v, NULL);
	struct stat st;
	if (real == NULL || stat(real, &st) < 0) {
		free(real);
		return berth_err(err, errno, "--rootfs '%s'", v);
	}
	if (own(o, real) == NULL)
		return berth_err(err, ENOMEM, "--rootfs");
	if (!S_ISDIR(st.st_mode))
		return berth_err_msg(err, ENOTDIR,
				     "--rootfs '%s': not a directory", v);
	o->rootfs = real;
	return 0;
}

static int set_path(struct sandbox_opts *o, enum sandbox_flag f, const char *v,
		    struct berth_error *err)
{
	if (v[0] == '\0')
		return bad(err, f, "a path", v);
	switch (f) {
	case SANDBOX_WORKDIR:
		if (v[0] != '/')
			return bad(err, f, "an absolute path", v);
		o->workdir = v;
		return 0;
	case SANDBOX_KEEP_CHANGES:
		o->keep_changes = v;
		return 0;
	default: /* SANDBOX_SECCOMP */
		o->seccomp = v;
		return 0;
	}
}

int sandbox_opt_set(struct sandbox_opts *o, enum sandbox_flag flag,
		    const char *value, struct berth_error *err)
{
	switch (flag) {
	case SANDBOX_ROOTFS:
		return set_rootfs(o, value, err);
	case SANDBOX_BIND:
	case SANDBOX_RO_BIND:
		return add_bind(o, flag, value, err);
	case SANDBOX_TMPFS:
		return add_tmpfs(o, value, err);
	case SANDBOX_OVERLAY:
		return add_overlay(o, value, err);
	case SANDBOX_ENV:
		return add_env(o, value, err);
	case SANDBOX_USER:
		return set_user(o, value, err);
	case SANDBOX_NET:
		if (strcmp(value, "host") != 0 && strcmp(value, "none") != 0)
			return bad(err, flag, "host or none", value);
		o->net_host = strcmp(value, "host") == 0;
		return 0;
	case SANDBOX_PIDS:
	case SANDBOX_CPUS:
	case SANDBOX_MEMORY:
		return set_number(o, flag, value, err);
	default:
		return set_path(o, flag, value, err);
	}
}

int sandbox_opts_check(const struct sandbox_opts *o, struct berth_error *err)
{
	if (o->keep_changes != NULL && !o->overlay_root && o->overlays_n == 0)
		return berth_err_msg(err, EINVAL,
				     "--keep-changes needs --overlay");
	if (o->argv == NULL || o->argv[0] == NULL)
		return berth_err_msg(err, EINVAL, "no command after --");
	return 0;
}
