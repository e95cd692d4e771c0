/*
 * The sandbox's config.json, written from its options: process, root,
 * mounts (the host's system directories or --rootfs, then the user's binds,
 * tmpfs and overlays, parents before children), namespaces, masked paths,
 * resources, seccomp.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/config.h"
#include "oci/json_text.h"
#include "runtime/sandbox/internal.h"
#include "util/cleanup.h"
#include "util/util.h"

#define SANDBOX_PATH                                                           \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The host directories a host-root sandbox sees (symlinks as what they
 * point to), and the /etc files, all read-only. */
static const char *const sys_dirs[] = {"/usr",	 "/bin",   "/sbin",   "/lib",
				       "/lib32", "/lib64", "/libx32", NULL};
static const char *const etc_files[] = {
    "/etc/passwd",	  "/etc/group",
    "/etc/hosts",	  "/etc/resolv.conf",
    "/etc/nsswitch.conf", "/etc/ld.so.cache",
    "/etc/ld.so.conf",	  "/etc/ld.so.conf.d",
    "/etc/alternatives",  NULL};

static void mount_entry(struct jw *w, const char *dst, const char *type,
			const char *src, const char *const *opts)
{
	jw_open(w, NULL, '{');
	jw_kstr(w, "destination", dst);
	jw_kstr(w, "type", type);
	jw_kstr(w, "source", src);
	jw_strv(w, "options", opts);
	jw_close(w, '}');
}

static void bind_entry(struct jw *w, const char *src, const char *dst, bool ro)
{
	mount_entry(w, dst, "bind", src,
		    (const char *const[]){"rbind", "nosuid", "nodev",
					  ro ? "ro" : "rw", NULL});
}

static int overlay_entry(struct jw *w, const struct sandbox_paths *p,
			 const struct sandbox_layer *l)
{
	_cleanup_free_ char *lower = NULL, *upper = NULL, *work = NULL;
	if (asprintf(&lower, "lowerdir=%s", l->lower) < 0 ||
	    asprintf(&upper, "upperdir=%s/%s", p->upper, l->tag) < 0 ||
	    asprintf(&work, "workdir=%s/%s", p->work, l->tag) < 0)
		return -ENOMEM;
	mount_entry(
	    w, l->dst, "overlay", "overlay",
	    (const char *const[]){lower, upper, work, "nosuid", "nodev", NULL});
	return 0;
}

static const struct sandbox_layer *layer_at(const struct sandbox_layer *v,
					    size_t n, const char *dst)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].dst, dst) == 0)
			return &v[i];
	return NULL;
}

/* The host's /usr, /bin, /lib*: read-only binds, or overlays. */
static int host_system(struct jw *w, const struct sandbox_paths *p,
		       const struct sandbox_layer *v, size_t n)
{
	for (size_t i = 0; sys_dirs[i] != NULL; i++) {
		const struct sandbox_layer *l = layer_at(v, n, sys_dirs[i]);
		_cleanup_free_ char *real = realpath(sys_dirs[i], NULL);
		struct stat st;
		if (l != NULL && overlay_entry(w, p, l) < 0)
			return -ENOMEM;
		if (l == NULL && real != NULL && stat(real, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			bind_entry(w, real, sys_dirs[i], true);
	}
	for (size_t i = 0; etc_files[i] != NULL; i++) {
		struct stat st;
		if (stat(etc_files[i], &st) == 0)
			bind_entry(w, etc_files[i], etc_files[i], true);
	}
	return 0;
}

static void kernel_fs(struct jw *w)
{
	mount_entry(w, "/proc", "proc", "proc",
		    (const char *const[]){"nosuid", "noexec", "nodev", NULL});
	mount_entry(w, "/dev", "tmpfs", "tmpfs",
		    (const char *const[]){"nosuid", "strictatime", "mode=755",
					  "size=65536k", NULL});
	mount_entry(w, "/dev/pts", "devpts", "devpts",
		    (const char *const[]){"nosuid", "noexec", "newinstance",
					  "ptmxmode=0666", "mode=0620", NULL});
	mount_entry(w, "/dev/shm", "tmpfs", "shm",
		    (const char *const[]){"nosuid", "noexec", "nodev",
					  "mode=1777", "size=65536k", NULL});
	mount_entry(
	    w, "/tmp", "tmpfs", "tmpfs",
	    (const char *const[]){"nosuid", "nodev", "mode=1777", NULL});
}

/* A user entry: a bind, a tmpfs or an overlay, sorted by depth. */
struct user_mount {
	const char *dst;
	int kind; /* 0 bind, 1 tmpfs, 2 overlay */
	size_t i, depth;
};

static size_t depth_of(const char *p)
{
	size_t d = 0;
	for (; *p; p++)
		if (*p == '/' && p[1] != '/' && p[1] != '\0')
			d++;
	return d;
}

static int cmp_user_mount(const void *a, const void *b)
{
	const struct user_mount *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->i < y->i ? -1 : x->i > y->i;
}

static const char *bind_dst(const struct sandbox_bind *b)
{
	return b->dst ? b->dst : b->src;
}

static struct user_mount *user_mounts(const struct sandbox_opts *o,
				      const struct sandbox_layer *v, size_t n,
				      size_t *ret_n)
{
	size_t k = 0, cap = o->binds_n + o->tmpfs_n + n + 1;
	struct user_mount *u = calloc(cap, sizeof(*u));
	if (u == NULL)
		return NULL;
	for (size_t i = 0; i < o->binds_n; i++)
		u[k++] = (struct user_mount){bind_dst(&o->binds[i]), 0, i, 0};
	for (size_t i = 0; i < o->tmpfs_n; i++)
		u[k++] = (struct user_mount){o->tmpfs[i].dst, 1, i, 0};
	for (size_t i = 0; i < n; i++)
		if (v[i].user)
			u[k++] = (struct user_mount){v[i].dst, 2, i, 0};
	for (size_t i = 0; i < k; i++)
		u[i].depth = depth_of(u[i].dst);
	qsort(u, k, sizeof(*u), cmp_user_mount);
	*ret_n = k;
	return u;
}

static int tmpfs_entry(struct jw *w, const struct sandbox_tmpfs *t)
{
	_cleanup_free_ char *size = NULL;
	if (t->size != NULL && asprintf(&size, "size=%s", t->size) < 0)
		return -ENOMEM;
	mount_entry(
	    w, t->dst, "tmpfs", "tmpfs",
	    (const char *const[]){"nosuid", "nodev", "mode=1777", size, NULL});
	return 0;
}

static int user_entries(struct jw *w, const struct sandbox_opts *o,
			const struct sandbox_paths *p,
			const struct sandbox_layer *v, size_t n)
{
	size_t k;
	_cleanup_free_ struct user_mount *u = user_mounts(o, v, n, &k);
	if (u == NULL)
		return -ENOMEM;
	for (size_t j = 0; j < k; j++) {
		int r = 0;
		if (u[j].kind == 0)
			bind_entry(w, o->binds[u[j].i].src, u[j].dst,
				   o->binds[u[j].i].ro);
		else if (u[j].kind == 1)
			r = tmpfs_entry(w, &o->tmpfs[u[j].i]);
		else
			r = overlay_entry(w, p, &v[u[j].i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int write_mounts(struct jw *w, const struct sandbox_opts *o,
			const struct sandbox_paths *p,
			const struct sandbox_layer *v, size_t n)
{
	int r = 0;
	jw_open(w, "mounts", '[');
	const struct sandbox_layer *root = layer_at(v, n, "/");
	static const char *const root_tmpfs[] = {"nosuid", "nodev", "mode=755",
						 "size=1m", NULL};
	if (root != NULL)
		r = overlay_entry(w, p, root);
	else if (o->rootfs == NULL)
		/* The host's system: its mount points go in a tmpfs of the
		 * container's own, not in the scratch dir, which then has
		 * nothing to empty afterwards. */
		mount_entry(w, "/", "tmpfs", "tmpfs", root_tmpfs);
	if (r == 0 && o->rootfs == NULL)
		r = host_system(w, p, v, n);
	if (r == 0)
		kernel_fs(w);
	if (r == 0)
		r = user_entries(w, o, p, v, n);
	jw_close(w, ']');
	return r;
}

static int write_env(struct jw *w, const struct sandbox_opts *o)
{
	_cleanup_strv_ char **env = calloc(1, sizeof(char *));
	if (env == NULL || strv_push(&env, SANDBOX_PATH) < 0 ||
	    strv_push(&env, "HOME=/tmp") < 0)
		return -ENOMEM;
	for (size_t i = 0; o->env != NULL && o->env[i] != NULL; i++) {
		size_t klen = strcspn(o->env[i], "=") + 1;
		for (size_t j = 0; env[j] != NULL; j++)
			if (strncmp(env[j], o->env[i], klen) == 0)
				env[j][0] = '\0'; /* replaced: dropped below */
		if (strv_push(&env, o->env[i]) < 0)
			return -ENOMEM;
	}
	jw_open(w, "env", '[');
	for (size_t j = 0; env[j] != NULL; j++)
		if (env[j][0] != '\0')
			jw_str(w, env[j]);
	jw_close(w, ']');
	return 0;
}

static int write_process(struct jw *w, const struct sandbox_opts *o)
{
	static const char *const none[] = {NULL};
	jw_open(w, "process", '{');
	jw_kbool(w, "terminal", false);
	jw_open(w, "user", '{');
	jw_kint(w, "uid", o->uid);
	jw_kint(w, "gid", o->gid);
	jw_close(w, '}');
	jw_strv(w, "args", (const char *const *)o->argv);
	int r = write_env(w, o);
	jw_kstr(w, "cwd", o->workdir ? o->workdir : "/");
	jw_open(w, "capabilities", '{');
	jw_strv(w, "bounding", none);
	jw_strv(w, "effective", none);
	jw_strv(w, "inheritable", none);
	jw_strv(w, "permitted", none);
	jw_strv(w, "ambient", none);
	jw_close(w, '}');
	jw_open(w, "rlimits", '[');
	jw_open(w, NULL, '{');
	jw_kstr(w, "type", "RLIMIT_CORE");
	jw_kint(w, "hard", 0);
	jw_kint(w, "soft", 0);
	jw_close(w, '}');
	jw_close(w, ']');
	jw_kbool(w, "noNewPrivileges", true);
	jw_close(w, '}');
	return r;
}

static void write_namespaces(struct jw *w, const struct sandbox_opts *o)
{
	static const char *const ns[] = {"pid",	   "mount",   "ipc",  "uts",
					 "cgroup", "network", "user", NULL};
	jw_open(w, "namespaces", '[');
	for (size_t i = 0; ns[i] != NULL; i++) {
		if (o->net_host && strcmp(ns[i], "network") == 0)
			continue;
		if (!o->userns && strcmp(ns[i], "user") == 0)
			continue;
		jw_open(w, NULL, '{');
		jw_kstr(w, "type", ns[i]);
		jw_close(w, '}');
	}
	jw_close(w, ']');
}

/* The caller's own id as @inside: the one id an unprivileged user may
 * map without newuidmap. */
static void write_id_maps(struct jw *w, const struct sandbox_opts *o)
{
	const char *keys[] = {"uidMappings", "gidMappings"};
	uint32_t inside[] = {o->uid, o->gid};
	uint32_t host[] = {o->host_uid, o->host_gid};
	for (int i = 0; i < 2; i++) {
		jw_open(w, keys[i], '[');
		jw_open(w, NULL, '{');
		jw_kint(w, "containerID", inside[i]);
		jw_kint(w, "hostID", host[i]);
		jw_kint(w, "size", 1);
		jw_close(w, '}');
		jw_close(w, ']');
	}
}

static void write_resources(struct jw *w, const struct sandbox_opts *o)
{
	jw_open(w, "resources", '{');
	if (!o->userns) {
		jw_open(w, "devices", '[');
		jw_open(w, NULL, '{');
		jw_kbool(w, "allow", false);
		jw_kstr(w, "access", "rwm");
		jw_close(w, '}');
		jw_close(w, ']');
	}
	if (o->memory >= 0) {
		jw_open(w, "memory", '{');
		jw_kint(w, "limit", o->memory);
		jw_close(w, '}');
	}
	if (o->pids >= 0) {
		jw_open(w, "pids", '{');
		jw_kint(w, "limit", o->pids);
		jw_close(w, '}');
	}
	if (o->cpu_quota >= 0) {
		jw_open(w, "cpu", '{');
		jw_kint(w, "quota", o->cpu_quota);
		jw_kint(w, "period", 100000);
		jw_close(w, '}');
	}
	jw_close(w, '}');
}

static int write_linux(struct jw *w, const struct sandbox_opts *o,
		       struct berth_error *err)
{
	jw_open(w, "linux", '{');
	write_namespaces(w, o);
	if (o->userns)
		write_id_maps(w, o);
	jw_strv(w, "maskedPaths", oci_default_masked_paths);
	jw_strv(w, "readonlyPaths", oci_default_readonly_paths);
	write_resources(w, o);
	int r = sandbox_write_seccomp(w, o, err);
	jw_close(w, '}');
	return r;
}

static int write_config(struct jw *w, const struct sandbox_opts *o,
			const struct sandbox_paths *p, struct berth_error *err)
{
	struct sandbox_layer *v = NULL;
	size_t n = 0;
	int r = sandbox_layers(o, &v, &n, err);
	if (r < 0)
		return r;
	bool scratch_root = o->rootfs == NULL || layer_at(v, n, "/") != NULL;
	jw_open(w, NULL, '{');
	jw_kstr(w, "ociVersion", OCI_SPEC_VERSION);
	r = write_process(w, o);
	jw_open(w, "root", '{');
	jw_kstr(w, "path", scratch_root ? p->root : o->rootfs);
	jw_kbool(w, "readonly", layer_at(v, n, "/") == NULL);
	jw_close(w, '}');
	jw_kstr(w, "hostname", "sandbox");
	if (r == 0)
		r = write_mounts(w, o, p, v, n);
	if (r == 0)
		r = write_linux(w, o, err);
	else
		berth_err(err, -r, "sandbox config");
	jw_close(w, '}');
	sandbox_layers_free(v, n);
	return r;
}

int sandbox_config_json(const struct sandbox_opts *o,
			const struct sandbox_paths *p, char **ret_json,
			struct berth_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	struct jw w = {.first = true};
	w.f = open_memstream(&buf, &len);
	if (w.f == NULL)
		return berth_err(err, errno, "sandbox config");
	int r = write_config(&w, o, p, err);
	if (fclose(w.f) != 0 && w.err == 0)
		w.err = -EIO;
	_cleanup_free_ char *text = buf;
	if (r < 0)
		return r;
	if (w.err < 0)
		return berth_err(err, -w.err,
				 "sandbox config (a path or "
				 "argument that is not UTF-8?)");
	return oci_json_object_text(text, len, "sandbox config", true, ret_json,
				    err);
}

/* ---- overlays ---- */

void sandbox_layers_free(struct sandbox_layer *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].lower);
		free(v[i].dst);
		free(v[i].tag);
	}
	free(v);
}

/* "root" for /, else the path with '/' as '_': "src_project". */
static char *layer_tag(const char *dst)
{
	if (strcmp(dst, "/") == 0)
		return strdup("root");
	char *t = strdup(dst + strspn(dst, "/"));
	for (char *c = t; c != NULL && *c; c++)
		if (*c == '/')
			*c = '_';
	return t;
}

static int add_layer(struct sandbox_layer **v, size_t *n, const char *src,
		     const char *dst, bool user, struct berth_error *err)
{
	char *lower = realpath(src, NULL);
	struct stat st;
	if (lower == NULL || stat(lower, &st) < 0)
		return berth_err(err, errno, "--overlay: '%s'", src);
	struct sandbox_layer l = {lower, strdup(dst), layer_tag(dst), user};
	struct sandbox_layer *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (nv == NULL || l.dst == NULL || l.tag == NULL) {
		free(lower);
		free(l.dst);
		free(l.tag);
		if (nv != NULL)
			*v = nv;
		return berth_err(err, ENOMEM, "--overlay");
	}
	*v = nv;
	(*v)[(*n)++] = l;
	if (!S_ISDIR(st.st_mode))
		return berth_err_msg(err, ENOTDIR,
				     "--overlay: '%s' is not a directory", src);
	if (strpbrk(lower, ",:\\") != NULL)
		return berth_err_msg(err, EINVAL,
				     "--overlay: '%s': overlayfs cannot take "
				     "a path with ',', ':' or '\\'",
				     lower);
	for (size_t i = 0; i + 1 < *n; i++)
		if (strcmp((*v)[i].tag, l.tag) == 0)
			return berth_err_msg(err, EINVAL,
					     "--overlay: two overlays on '%s'",
					     dst);
	return 0;
}

static int system_layers(struct sandbox_layer **v, size_t *n,
			 struct berth_error *err)
{
	for (size_t i = 0; sys_dirs[i] != NULL; i++) {
		struct stat st;
		if (stat(sys_dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		int r = add_layer(v, n, sys_dirs[i], sys_dirs[i], false, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int collect_layers(const struct sandbox_opts *o,
			  struct sandbox_layer **v, size_t *n,
			  struct berth_error *err)
{
	int r = 0;
	if (o->overlay_root && o->rootfs != NULL)
		r = add_layer(v, n, o->rootfs, "/", false, err);
	else if (o->overlay_root)
		r = system_layers(v, n, err);
	for (size_t i = 0; r == 0 && i < o->overlays_n; i++)
		r = add_layer(v, n, o->overlays[i].src, o->overlays[i].dst,
			      true, err);
	return r;
}

int sandbox_layers(const struct sandbox_opts *o, struct sandbox_layer **ret,
		   size_t *ret_n, struct berth_error *err)
{
	struct sandbox_layer *v = NULL;
	size_t n = 0;
	int r = collect_layers(o, &v, &n, err);
	if (r < 0) {
		sandbox_layers_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}
