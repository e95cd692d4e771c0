/* The features document: oci/'s own name tables plus what the caller
 * says (struct oci_features), as runtime-spec features.md lays it out. */
#include "oci/features.h"

#include <errno.h>
#include <stdlib.h>

#include "oci/config_internal.h"
#include "oci/jansson.h"
#include "util/cleanup.h"

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && v != NULL && v[i] != NULL; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *names_json(const struct name_val *nv)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && nv[i].name != NULL; i++)
		if (json_array_append_new(a, json_string(nv[i].name)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The keys of the hooks object the parser reads. */
static json_t *hooks_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < ocp_hooks_desc.n; i++)
		if (json_array_append_new(
			a, json_string(ocp_hooks_desc.fields[i].key)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *enabled(bool on)
{
	return json_pack("{s:b}", "enabled", on);
}

static json_t *seccomp_json(const struct oci_features *f)
{
	return json_pack("{s:b, s:o*, s:o*, s:o*, s:o*, s:o*}", "enabled",
			 f->seccomp, "actions", names_json(ocp_seccomp_actions),
			 "operators", names_json(ocp_seccomp_ops), "archs",
			 strv_json(f->seccomp_archs), "knownFlags",
			 names_json(ocp_seccomp_flags), "supportedFlags",
			 strv_json(f->seccomp_supported_flags));
}

static json_t *linux_json(const struct oci_features *f)
{
	json_t *cg =
	    json_pack("{s:b, s:b, s:b, s:b, s:b}", "v1", f->cgroup_v1, "v2",
		      f->cgroup_v2, "systemd", f->cgroup_systemd, "systemdUser",
		      f->cgroup_systemd_user, "rdma", f->cgroup_rdma);
	return json_pack(
	    "{s:o*, s:o*, s:o*, s:o*, s:o*, s:o*, s:o*, s:{s:o*}, s:o*}",
	    "namespaces", names_json(ocp_ns_names), "capabilities",
	    strv_json(f->capabilities), "cgroup", cg, "seccomp",
	    seccomp_json(f), "apparmor", enabled(f->apparmor), "selinux",
	    enabled(f->selinux), "intelRdt", enabled(f->intel_rdt),
	    "mountExtensions", "idmap", enabled(f->idmap_mounts), "netDevices",
	    enabled(f->net_devices));
}

static json_t *annotations_json(const struct oci_features *f)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < f->annotations_n; i++)
		if (json_object_set_new(o, f->annotations[i].key,
					json_string(f->annotations[i].value)) <
		    0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

int oci_features_json(const struct oci_features *f, char **ret_json,
		      struct berth_error *err)
{
	/* "o*" leaves a NULL (allocation failure) out instead of failing:
	 * check the parts that must be there. */
	_cleanup_json_ json_t *doc = json_pack(
	    "{s:s, s:s, s:o*, s:o*, s:o*, s:o*}", "ociVersionMin",
	    OCI_FEATURES_VERSION_MIN, "ociVersionMax", OCI_SPEC_VERSION,
	    "hooks", hooks_json(), "mountOptions", strv_json(f->mount_options),
	    "linux", linux_json(f), "annotations", annotations_json(f));
	if (doc == NULL || json_object_get(doc, "linux") == NULL ||
	    json_object_get(doc, "mountOptions") == NULL)
		return berth_err(err, ENOMEM, "features");
	char *s = json_dumps(doc, JSON_INDENT(4));
	if (s == NULL)
		return berth_err(err, ENOMEM, "features");
	*ret_json = s;
	return 0;
}
