/* --systemd-cgroup without a systemd driver: runc's "slice:prefix:name"
 * cgroupsPath turned into the cgroupfs path systemd would give the unit
 * (systemd.h).  Text in, text out. */
#include "cgroups/systemd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define SLICE_SUFFIX ".slice"

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), sl = strlen(suffix);
	return l >= sl && strcmp(s + l - sl, suffix) == 0;
}

/* systemd's rule (runc's ExpandSlice): "a-b-c.slice" lives at
 * "a.slice/a-b.slice/a-b-c.slice"; "-.slice" is the root slice ("").
 * *ret has no leading '/'. */
static int expand_slice(const char *slice, const char *what, char **ret,
			struct berth_error *err)
{
	const char *why = NULL;
	size_t base = strlen(slice) - strlen(SLICE_SUFFIX);
	if (!ends_with(slice, SLICE_SUFFIX) || base == 0)
		why = "a slice name ends in \".slice\"";
	else if (strchr(slice, '/') != NULL)
		why = "a slice name has no '/' (a-b.slice is b below a)";
	else if (slice[0] == '-'
		     ? base != 1
		     : slice[base - 1] == '-' || strstr(slice, "--") != NULL)
		why = "empty component between dashes";
	if (why != NULL)
		return berth_err_msg(err, EINVAL,
				     "%s: invalid slice name \"%s\": %s", what,
				     slice, why);
	_cleanup_free_ char *out = calloc(1, base * (base + 8) + 1);
	if (out == NULL)
		return berth_err(err, ENOMEM, "%s", what);
	for (size_t i = 0; slice[0] != '-' && i <= base; i++) {
		if (i < base && slice[i] != '-')
			continue;
		if (*out != '\0')
			strcat(out, "/");
		strncat(out, slice, i);
		strcat(out, SLICE_SUFFIX);
	}
	*ret = TAKE_PTR(out);
	return 0;
}

int cg_systemd_path(const char *cgroups_path, const char *id, char **ret,
		    struct berth_error *err)
{
	_cleanup_free_ char *def = NULL;
	if (cgroups_path == NULL || *cgroups_path == '\0') {
		if (asprintf(&def, "system.slice:berth:%s", id) < 0)
			return berth_err(err, ENOMEM, "cgroup path");
		cgroups_path = def;
	}
	char what[256];
	snprintf(what, sizeof(what), "linux.cgroupsPath \"%s\"", cgroups_path);
	_cleanup_free_ char *copy = strdup(cgroups_path);
	if (copy == NULL)
		return berth_err(err, ENOMEM, "cgroup path");
	char *prefix = strchr(copy, ':');
	char *name = prefix ? strchr(prefix + 1, ':') : NULL;
	if (name == NULL || strchr(name + 1, ':') != NULL)
		return berth_err_msg(err, EINVAL,
				     "%s: --systemd-cgroup expects the form "
				     "\"slice:prefix:name\"",
				     what);
	*prefix++ = '\0';
	*name++ = '\0';
	if (*name == '\0' || strchr(name, '/') || strchr(prefix, '/'))
		return berth_err_msg(err, EINVAL,
				     "%s: the name must be non-empty, and "
				     "neither it nor the prefix may contain "
				     "'/'",
				     what);
	_cleanup_free_ char *slice = NULL, *unit = NULL, *check = NULL;
	int r = expand_slice(*copy ? copy : "system.slice", what, &slice, err);
	if (r < 0)
		return r;
	/* runc's getUnitName: a scope, unless the name is a slice itself. */
	bool is_slice = ends_with(name, SLICE_SUFFIX);
	if (is_slice && (r = expand_slice(name, what, &check, err)) < 0)
		return r;
	if ((is_slice ? asprintf(&unit, "%s", name)
		      : asprintf(&unit, "%s-%s.scope", prefix, name)) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	char *out = NULL;
	if (asprintf(&out, "%s%s%s", slice, *slice ? "/" : "", unit) < 0)
		return berth_err(err, ENOMEM, "cgroup path");
	*ret = out;
	return 0;
}
