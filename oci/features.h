#pragma once
/*
 * The runtime-spec "features" document (features.md, features-linux.md)
 * as JSON, for `berth features`.
 *
 * The names the config parser itself accepts come from oci/'s own tables,
 * so the document cannot drift from the parser: hooks, linux.namespaces,
 * seccomp actions, operators and known flags.  What the rest of berth or
 * the host decides comes in struct oci_features as plain C data.
 */
#include <stdbool.h>
#include <stddef.h>

#include "oci/config.h"
#include "util/error.h"

struct oci_features {
	const char *const *mount_options;	    /* NULL-terminated */
	const char *const *capabilities;	    /* NULL-terminated */
	const char *const *seccomp_archs;	    /* NULL-terminated */
	const char *const *seccomp_supported_flags; /* NULL-terminated */
	bool seccomp;
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user;
	bool cgroup_rdma;
	bool apparmor, selinux, intel_rdt, idmap_mounts, net_devices;
	const struct oci_kv *annotations;
	size_t annotations_n;
};

/* The oldest ociVersion the parser accepts (it takes any 1.x). */
#define OCI_FEATURES_VERSION_MIN "1.0.0"

/* The document, indented, in *@ret_json (free it). */
int oci_features_json(const struct oci_features *f, char **ret_json,
		      struct berth_error *err);
