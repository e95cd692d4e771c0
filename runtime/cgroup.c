#include "runtime/cgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/systemd.h"
#include "util/cleanup.h"

/* Devices every container may use whatever its rules (runc's list, less
 * /dev/net/tun): mknod of any node (creating one is harmless: opening it is
 * what the rules guard), the default devices, the pty and console. */
static const struct {
	const char *type;
	int64_t major, minor; /* -1 = any */
	const char *access;
} default_devices[] = {
    {"c", -1, -1, "m"},	   {"b", -1, -1, "m"}, {"c", 1, 3, "rwm"},
    {"c", 1, 8, "rwm"},	   {"c", 1, 7, "rwm"}, {"c", 5, 0, "rwm"},
    {"c", 1, 5, "rwm"},	   {"c", 1, 9, "rwm"}, {"c", 5, 1, "rwm"},
    {"c", 136, -1, "rwm"}, {"c", 5, 2, "rwm"},
};

#define N_DEFAULT (sizeof(default_devices) / sizeof(default_devices[0]))

static void set_rule(struct oci_device_cgroup *r, const char *type,
		     int64_t major, int64_t minor, const char *access)
{
	memset(r, 0, sizeof(*r));
	r->allow = true;
	r->type = (char *)type;
	r->major = (struct oci_opt_i64){.set = major >= 0, .v = major};
	r->minor = (struct oci_opt_i64){.set = minor >= 0, .v = minor};
	r->access = (char *)access;
}

/* The config's rules, then the defaults, then linux.devices: later rules
 * win, so the devices a container was given always work. The strings are
 * borrowed from @spec and the table above; free only the array. */
static int device_rules(const struct oci_spec *spec,
			struct oci_device_cgroup **ret, size_t *ret_n)
{
	const struct oci_linux *l = spec->linux_;
	const struct oci_resources *res = l->resources;
	size_t own = res ? res->devices_n : 0;
	size_t n = own + N_DEFAULT + l->devices_n;
	struct oci_device_cgroup *v = calloc(n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	if (own > 0)
		memcpy(v, res->devices, own * sizeof(*v));
	size_t k = own;
	for (size_t i = 0; i < N_DEFAULT; i++, k++)
		set_rule(&v[k], default_devices[i].type,
			 default_devices[i].major, default_devices[i].minor,
			 default_devices[i].access);
	for (size_t i = 0; i < l->devices_n; i++, k++) {
		const struct oci_device *d = &l->devices[i];
		const char *type = strcmp(d->type, "b") == 0 ? "b" : "c";
		if (strcmp(d->type, "p") == 0) { /* FIFOs need no rule */
			n--;
			k--;
			continue;
		}
		set_rule(&v[k], type, d->major, d->minor, "rwm");
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* --systemd-cgroup: say where the cgroup goes, since no systemd does. */
static void warn_systemd(const struct rt_context *ctx, const char *path,
			 const char *id)
{
	struct berth_error e = {0};
	_cleanup_free_ char *mapped = NULL;
	if (!ctx->systemd_cgroup || cg_systemd_path(path, id, &mapped, &e) < 0)
		return; /* a bad path: cg_manager_new() says why */
	rt_log(ctx, RT_LOG_WARN,
	       "--systemd-cgroup: no systemd driver; berth manages \"%s\" "
	       "itself (cgroupfs, below berth's own cgroup)",
	       mapped);
}

/* Rootless: refuse, before anything is made, a cgroup not delegated to
 * us; rt_rootless_cgroup_fallback() then decides (-EACCES). */
static int check_delegated(const struct rt_context *ctx,
			   const struct cg_manager *m, struct berth_error *err)
{
	if (!ctx->rootless)
		return 0;
	_cleanup_free_ char *why = NULL;
	int r = cg_check_delegated(m, &why);
	if (r < 0)
		return berth_err(err, r, "cgroup");
	return r == 0 ? berth_err(err, EACCES, "%s", why) : 0;
}

int rtcg_plan(const struct rt_context *ctx, const struct oci_spec *spec,
	      const char *id, struct cg_manager **ret, char **ret_stale,
	      struct berth_error *err)
{
	const char *path = spec->linux_->cgroups_path;
	struct cg_manager *m = NULL;
	*ret = NULL;
	*ret_stale = NULL;
	warn_systemd(ctx, path, id);
	int r = cg_manager_new(path, id, ctx->systemd_cgroup, &m, err);
	if (r == 0)
		r = check_delegated(ctx, m, err);
	if (r < 0) {
		cg_manager_free(m);
		return r;
	}
	/* berth's own name for the container (no cgroupsPath): what is there
	 * was left by an earlier container of this ID and goes; a path the
	 * caller chose may have been made for us, and is joined (runc). */
	bool own = path == NULL || *path == '\0';
	r = cg_clear_stale(m, own, ret_stale, err);
	if (r == 0 && own && *ret_stale != NULL) {
		free(*ret_stale);
		*ret_stale = NULL;
	}
	if (r == 0)
		r = cg_manager_plan(m, err);
	if (r < 0) {
		cg_manager_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

/* A linux.resources.devices deny rule other than the blanket "deny all",
 * which only a device program could enforce. */
static bool names_a_denied_device(const struct oci_resources *res)
{
	for (size_t i = 0; i < res->devices_n; i++) {
		const struct oci_device_cgroup *d = &res->devices[i];
		bool blanket = (d->type == NULL || strcmp(d->type, "a") == 0) &&
			       !d->major.set && !d->minor.set;
		if (!d->allow && !blanket)
			return true;
	}
	return false;
}

int rtcg_create(const struct rt_context *ctx, const struct oci_spec *spec,
		struct cg_manager *m, struct berth_error *err)
{
	struct oci_resources res = {0};
	if (spec->linux_->resources != NULL)
		res = *spec->linux_->resources;
	/* Rootless: no device program (loading one needs CAP_SYS_ADMIN or
	 * CAP_BPF over the host; runc and crun skip it too): the devices are
	 * the host's, bind-mounted, guarded by their own permissions.  A deny
	 * rule naming a device is still tried, so that it fails loudly. */
	if (ctx->rootless && !names_a_denied_device(&res)) {
		res.devices_n = 0;
		return cg_create(m, &res, err);
	}
	_cleanup_free_ struct oci_device_cgroup *rules = NULL;
	if (device_rules(spec, &rules, &res.devices_n) < 0)
		return berth_err(err, ENOMEM, "device rules");
	res.devices = rules;
	return cg_create(m, &res, err);
}

int rtcg_load(const char *saved, struct cg_manager **ret,
	      struct berth_error *err)
{
	*ret = NULL;
	if (saved == NULL || *saved == '\0')
		return 0;
	return cg_manager_load(saved, ret, err);
}
